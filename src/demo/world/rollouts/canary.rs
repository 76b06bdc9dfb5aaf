//! Where the canary stands: from the Rollout's status, through its steps (setWeight, pause —
//! timed or until promoted — and analysis), to the phase, message, weight and stable hash the
//! status will say. Abort, retry, promote, promote --full and pause act here as the real
//! controller reacts to the CLI's patches.

use std::sync::Mutex;

use serde_json::{Map, Value, json};

use super::Observed;
use super::analysis_runs::create_analysis_run;
use crate::demo::world::analysis::parse_duration;
use crate::demo::world::context::{WorldContext, now};
use crate::demo::world::timers::Timers;
use crate::model::Kind;

const PAUSE_STEP: &str = "CanaryPauseStep";
const INCONCLUSIVE: &str = "InconclusiveAnalysisRun";
const WAITING_FOR_ANALYSIS: &str = "waiting for analysis to complete";

/// The canary's progress, as the status will say it.
pub(super) struct Canary {
    /// Status fields set besides the ones `status` writes (abort, abortedAt, resets).
    pub next: Map<String, Value>,
    pub step_index: usize,
    pub pause_conditions: Vec<Value>,
    pub controller_pause: bool,
    pub analysis_status: Value,
    pub phase: String,
    pub message: String,
    /// The canary's traffic weight (100 once promoted).
    pub weight: u32,
    /// The stable ReplicaSet's hash after this round.
    pub new_stable: String,
}

/// What a step did: the canary moves on to the next one, or stays.
enum Step {
    Next,
    Stay,
}

impl Canary {
    /// Where the last round left the canary; a new template (or new steps) starts it over.
    pub fn start(rollout: &Observed) -> Canary {
        let status = &rollout.status;
        let mut next = Map::new();
        let mut step_index = status
            .get("currentStepIndex")
            .and_then(Value::as_u64)
            .map(|i| i as usize)
            .unwrap_or(0);
        let restarted = crate::model::json::str_at(status, "/currentPodHash") != rollout.hash
            || crate::model::json::str_at(status, "/currentStepHash") != rollout.steps_hash;
        if restarted {
            step_index = 0;
            next.insert("pauseConditions".into(), Value::Null);
            next.insert("controllerPause".into(), json!(false));
            next.insert("promoteFull".into(), json!(false));
            if rollout.hash != rollout.stable {
                next.insert("abort".into(), json!(false));
            }
        }
        let pause_conditions = match restarted {
            true => Vec::new(),
            false => status
                .get("pauseConditions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        };
        Canary {
            next,
            step_index,
            pause_conditions,
            controller_pause: !restarted
                && status.get("controllerPause").and_then(Value::as_bool) == Some(true),
            analysis_status: Value::Null,
            phase: "Progressing".into(),
            message: String::new(),
            weight: 0,
            new_stable: rollout.stable.clone(),
        }
    }

    /// Moves the canary as far as it goes this round.
    pub async fn advance(
        &mut self,
        ctx: &WorldContext,
        timers: &Mutex<Timers>,
        rollout: &Observed,
        revision: i64,
    ) -> Result<(), kube::Error> {
        let status = &rollout.status;
        let aborted = status.get("abort").and_then(Value::as_bool) == Some(true)
            && !self.next.contains_key("abort");
        if rollout.stable.is_empty() || rollout.hash == rollout.stable {
            // First deployment, or back on the stable template: everything runs the stable pods.
            self.promote(rollout);
            self.pause_conditions.clear();
            self.controller_pause = false;
        } else if aborted {
            self.aborted(status, revision);
        } else if status.get("promoteFull").and_then(Value::as_bool) == Some(true) {
            self.promote(rollout);
        } else {
            self.walk_steps(ctx, timers, rollout, revision).await?;
        }
        if rollout.paused_by_user && self.phase != "Degraded" {
            (self.phase, self.message) = ("Paused".into(), "manually paused".into());
        }
        if self.promoted(rollout) {
            self.weight = 100;
        }
        Ok(())
    }

    /// Whether the current template is the stable one after this round.
    pub fn promoted(&self, rollout: &Observed) -> bool {
        self.new_stable == rollout.hash
    }

    fn promote(&mut self, rollout: &Observed) {
        self.new_stable = rollout.hash.clone();
        self.step_index = rollout.steps.len();
        (self.phase, self.message) = ("Healthy".into(), String::new());
    }

    /// An aborted canary holds at zero weight; retried, it starts over from the first step.
    fn aborted(&mut self, status: &Value, revision: i64) {
        self.step_index = 0;
        self.phase = "Degraded".into();
        self.message = format!("RolloutAborted: Rollout aborted update to revision {revision}");
        if let Some(reason) = status
            .get("message")
            .and_then(Value::as_str)
            .and_then(|m| m.split_once(": Metric ").map(|(_, rest)| rest.to_string()))
        {
            self.message = format!("{}: Metric {reason}", self.message);
        }
        if status.get("abortedAt").is_none() {
            self.next.insert("abortedAt".into(), json!(now()));
        }
    }

    /// Goes through the steps from the current one until one holds the canary; `spec.paused`
    /// (kubectl argo rollouts pause) holds it where it is.
    async fn walk_steps(
        &mut self,
        ctx: &WorldContext,
        timers: &Mutex<Timers>,
        rollout: &Observed,
        revision: i64,
    ) -> Result<(), kube::Error> {
        let steps = &rollout.steps;
        while self.step_index < steps.len() && !rollout.paused_by_user {
            let step = &steps[self.step_index];
            let moved = if step.get("setWeight").is_some() {
                Step::Next
            } else if let Some(pause) = step.get("pause") {
                self.pause_step(ctx, timers, rollout, pause)
            } else if let Some(analysis) = step.get("analysis") {
                self.analysis_step(ctx, rollout, revision, analysis).await?
            } else {
                Step::Next
            };
            match moved {
                Step::Next => self.step_index += 1,
                Step::Stay => break,
            }
        }
        if self.step_index >= steps.len() && self.phase == "Progressing" && self.message.is_empty()
        {
            self.new_stable = rollout.hash.clone();
            (self.phase, self.message) = ("Healthy".into(), String::new());
        }
        self.weight = if self.next.get("abort") == Some(&json!(true)) {
            0
        } else {
            super::set_weight(steps, self.step_index.min(steps.len().saturating_sub(1)))
        };
        Ok(())
    }

    /// A pause step: until promoted (the CLI clears the pause condition), or for its duration.
    fn pause_step(
        &mut self,
        ctx: &WorldContext,
        timers: &Mutex<Timers>,
        rollout: &Observed,
        pause: &Value,
    ) -> Step {
        let timers = || timers.lock().unwrap_or_else(|e| e.into_inner());
        let key = format!("{}/{}/pause/{}", rollout.uid, rollout.hash, self.step_index);
        let is_paused = self.has_pause_condition(PAUSE_STEP);
        if !is_paused && self.controller_pause {
            // Promoted (the CLI cleared the pause conditions): go on.
            self.controller_pause = false;
            timers().clear(&key);
            return Step::Next;
        }
        if !is_paused {
            self.pause_conditions
                .push(json!({"reason": PAUSE_STEP, "startTime": now()}));
            self.controller_pause = true;
            timers().restart(&key);
        }
        let duration = pause
            .get("duration")
            .and_then(|d| {
                d.as_str()
                    .map(str::to_string)
                    .or_else(|| d.as_i64().map(|n| n.to_string()))
            })
            .and_then(|d| parse_duration(&d));
        if duration.is_some_and(|d| timers().done(&key, ctx.speed, d)) {
            self.pause_conditions
                .retain(|c| c.get("reason").and_then(Value::as_str) != Some(PAUSE_STEP));
            self.controller_pause = false;
            timers().clear(&key);
            return Step::Next;
        }
        (self.phase, self.message) = ("Paused".into(), PAUSE_STEP.into());
        Step::Stay
    }

    /// An analysis step: its AnalysisRun (created on first reach) decides — successful goes on,
    /// failed aborts, inconclusive pauses, anything else waits.
    async fn analysis_step(
        &mut self,
        ctx: &WorldContext,
        rollout: &Observed,
        revision: i64,
        analysis: &Value,
    ) -> Result<Step, kube::Error> {
        let run_name = format!(
            "{}-{}-{revision}-{}",
            rollout.name, rollout.hash, self.step_index
        );
        let runs = ctx.api_for(Kind::AnalysisRun, Some(&rollout.namespace));
        let Some(run) = runs.get_opt(&run_name).await? else {
            create_analysis_run(ctx, rollout, &run_name, revision, self.step_index, analysis)
                .await?;
            (self.phase, self.message) = ("Progressing".into(), WAITING_FOR_ANALYSIS.into());
            self.analysis_status = json!({"name": run_name, "status": "Pending"});
            return Ok(Step::Stay);
        };
        let run_phase = run
            .data
            .pointer("/status/phase")
            .and_then(Value::as_str)
            .unwrap_or("Pending")
            .to_string();
        self.analysis_status = json!({"name": run_name, "status": run_phase});
        match run_phase.as_str() {
            "Successful" => return Ok(Step::Next),
            "Failed" | "Error" => {
                let reason = run
                    .data
                    .pointer("/status/message")
                    .and_then(Value::as_str)
                    .unwrap_or("analysis failed");
                self.next.insert("abort".into(), json!(true));
                self.next.insert("abortedAt".into(), json!(now()));
                self.phase = "Degraded".into();
                self.message = format!(
                    "RolloutAborted: Rollout aborted update to revision {revision}: {reason}"
                );
            }
            "Inconclusive" => {
                if !self.has_pause_condition(INCONCLUSIVE) {
                    self.pause_conditions
                        .push(json!({"reason": INCONCLUSIVE, "startTime": now()}));
                }
                self.controller_pause = true;
                (self.phase, self.message) = ("Paused".into(), INCONCLUSIVE.into());
            }
            _ => (self.phase, self.message) = ("Progressing".into(), WAITING_FOR_ANALYSIS.into()),
        }
        Ok(Step::Stay)
    }

    fn has_pause_condition(&self, reason: &str) -> bool {
        self.pause_conditions
            .iter()
            .any(|c| c.get("reason").and_then(Value::as_str) == Some(reason))
    }
}
