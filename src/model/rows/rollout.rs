//! Argo Rollout rows, with the phase as `kubectl argo rollouts` computes it (GetRolloutPhase),
//! the step k/n, the set and actual canary weights, the image and the current AnalysisRun.

use crate::model::json::At;
use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{flag, integer, string, text};
use crate::model::key::ObjectKey;
use crate::model::phase::RolloutPhase;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RolloutRow {
    pub key: ObjectKey,
    pub labels: Labels,
    pub phase: RolloutPhase,
    pub message: String,
    /// (current step index, number of steps) when both exist.
    pub step: Option<(usize, usize)>,
    pub set_weight: u32,
    pub actual_weight: u32,
    pub image: String,
    pub stable_hash: String,
    pub current_hash: String,
    /// Name and phase of the current step's AnalysisRun.
    pub analysis: Option<(String, String)>,
    pub aborted: bool,
    /// Pause conditions (reasons) waiting for a promotion.
    pub pause_reasons: Vec<String>,
    pub replicas: i64,
    pub available: i64,
    /// The canary steps in words ("setWeight 20", "pause 2m", "analysis success-rate-check").
    pub steps: Vec<String>,
}

impl RolloutRow {
    pub fn from_object(object: &Value) -> Self {
        let steps: Vec<Value> = object
            .at("/spec/strategy/canary/steps")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let index = integer(object, "/status/currentStepIndex").map(|i| i.max(0) as usize);
        let aborted = flag(object, "/status/abort");
        let (phase, message) = phase_of(object);
        let set_weight = if aborted {
            0
        } else {
            match index {
                Some(i) if i >= steps.len() => 100,
                Some(i) => steps
                    .iter()
                    .take(i + 1)
                    .filter_map(|s| s.get("setWeight").and_then(Value::as_u64))
                    .next_back()
                    .unwrap_or(0) as u32,
                None => 100,
            }
        };
        let actual_weight = match index {
            Some(i) if i < steps.len() => integer(object, "/status/canary/weights/canary/weight")
                .map(|w| w as u32)
                .unwrap_or(set_weight),
            _ => 100,
        };
        let analysis = text(object, "/status/canary/currentStepAnalysisRunStatus/name")
            .filter(|n| !n.is_empty())
            .map(|name| {
                (
                    name.to_string(),
                    string(object, "/status/canary/currentStepAnalysisRunStatus/status"),
                )
            });
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            phase,
            message,
            step: index
                .filter(|_| !steps.is_empty())
                .map(|i| (i.min(steps.len()), steps.len())),
            set_weight,
            actual_weight,
            image: string(object, "/spec/template/spec/containers/0/image"),
            stable_hash: string(object, "/status/stableRS"),
            current_hash: string(object, "/status/currentPodHash"),
            analysis,
            aborted,
            pause_reasons: object
                .at("/status/pauseConditions")
                .and_then(Value::as_array)
                .map(|c| {
                    c.iter()
                        .filter_map(|c| c.get("reason").and_then(Value::as_str).map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            steps: steps.iter().map(describe_step).collect(),
            replicas: integer(object, "/spec/replicas").unwrap_or(1),
            available: integer(object, "/status/availableReplicas").unwrap_or(0),
        }
    }

    /// The image tag (after the last `:` that is not part of a registry port).
    pub fn image_tag(&self) -> &str {
        match self.image.rsplit_once(':') {
            Some((_, tag)) if !tag.contains('/') => tag,
            _ => "",
        }
    }
}

/// One canary step in words.
fn describe_step(step: &Value) -> String {
    if let Some(weight) = step.get("setWeight") {
        return format!("setWeight {weight}");
    }
    if let Some(pause) = step.get("pause") {
        return match pause.get("duration") {
            Some(Value::String(duration)) => format!("pause {duration}"),
            Some(Value::Number(seconds)) => format!("pause {seconds}s"),
            _ => "pause (until promoted)".into(),
        };
    }
    if let Some(analysis) = step.get("analysis") {
        let templates: Vec<&str> = analysis
            .get("templates")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(|t| t.get("templateName").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        return format!("analysis {}", templates.join(", "));
    }
    step.as_object()
        .and_then(|o| o.keys().next().cloned())
        .unwrap_or_else(|| "step".into())
}

/// GetRolloutPhase (utils/rollout/rolloututil.go), steps 1, 2 and 4; older controllers without
/// `status.phase` fall back to a minimal CalculateRolloutPhase.
fn phase_of(object: &Value) -> (RolloutPhase, String) {
    let generation = integer(object, "/metadata/generation");
    let observed = integer(object, "/status/observedGeneration");
    if let (Some(generation), Some(observed)) = (generation, observed)
        && observed < generation
    {
        return (
            RolloutPhase::Progressing,
            "waiting for rollout spec update to be observed".into(),
        );
    }
    let pause_conditions = object
        .at("/status/pauseConditions")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty());
    if flag(object, "/status/controllerPause") && !pause_conditions {
        return (
            RolloutPhase::Progressing,
            "waiting for rollout to unpause".into(),
        );
    }
    if let Some(phase) = text(object, "/status/phase").filter(|p| !p.is_empty()) {
        return (
            RolloutPhase::parse(phase),
            string(object, "/status/message"),
        );
    }
    if flag(object, "/status/abort") {
        return (RolloutPhase::Degraded, "RolloutAborted".into());
    }
    if flag(object, "/spec/paused") {
        return (RolloutPhase::Paused, "manually paused".into());
    }
    if pause_conditions {
        return (
            RolloutPhase::Paused,
            string(object, "/status/pauseConditions/0/reason"),
        );
    }
    if object.get("status").is_none() {
        return (
            RolloutPhase::Progressing,
            "waiting for the controller".into(),
        );
    }
    (RolloutPhase::Healthy, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rollout(status: Value) -> Value {
        json!({
            "metadata": {"name": "demo-app", "namespace": "dev", "generation": 3},
            "spec": {"replicas": 5, "template": {"spec": {"containers": [{"image": "localhost:30087/demo-app:abc"}]}},
                     "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}, {"setWeight": 50}, {"analysis": {}}]}}},
            "status": status
        })
    }

    #[test]
    fn steps_weights_and_phase_rules() {
        let row = RolloutRow::from_object(&rollout(
            json!({"observedGeneration": "3", "phase": "Paused", "message": "CanaryPauseStep", "currentStepIndex": 1, "canary": {"weights": {"canary": {"weight": 20}}}, "pauseConditions": [{"reason": "CanaryPauseStep"}], "controllerPause": true}),
        ));
        assert_eq!(
            (row.phase, row.step, row.set_weight, row.actual_weight),
            (RolloutPhase::Paused, Some((1, 4)), 20, 20)
        );
        assert_eq!(row.image_tag(), "abc");
        assert_eq!(row.pause_reasons, ["CanaryPauseStep"]);
        assert_eq!(
            row.steps,
            [
                "setWeight 20",
                "pause (until promoted)",
                "setWeight 50",
                "analysis "
            ]
        );
        let stale = RolloutRow::from_object(&rollout(
            json!({"observedGeneration": "2", "phase": "Healthy"}),
        ));
        assert_eq!(
            (stale.phase, stale.message.as_str()),
            (
                RolloutPhase::Progressing,
                "waiting for rollout spec update to be observed"
            )
        );
        let resumed = RolloutRow::from_object(&rollout(
            json!({"observedGeneration": "3", "phase": "Paused", "controllerPause": true}),
        ));
        assert_eq!(resumed.phase, RolloutPhase::Progressing);
        let aborted = RolloutRow::from_object(&rollout(
            json!({"observedGeneration": "3", "abort": true, "currentStepIndex": 2}),
        ));
        assert_eq!(
            (aborted.phase, aborted.set_weight),
            (RolloutPhase::Degraded, 0)
        );
        let done = RolloutRow::from_object(&rollout(
            json!({"observedGeneration": "3", "phase": "Healthy", "currentStepIndex": 4}),
        ));
        assert_eq!(
            (done.step, done.set_weight, done.actual_weight),
            (Some((4, 4)), 100, 100)
        );
        let empty = RolloutRow::from_object(&json!({"metadata": {"name": "x"}}));
        assert_eq!((empty.phase, empty.step), (RolloutPhase::Progressing, None));
        assert_eq!(RolloutRow::from_object(&json!([1, 2])).image_tag(), "");
    }
}
