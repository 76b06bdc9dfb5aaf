//! Argo Rollout rows as `kubectl argo rollouts get` shows them (argo-rollouts
//! `pkg/kubectl-argo-rollouts/info/rollout_info.go` `NewRolloutInfo`): the status (see
//! `rollout_phase`), the step k/n, the set weight (`GetCurrentSetWeight`), what the actual weight
//! is computed from, the ReplicaSet roles (`GetReplicaSetInfo`), the image and the current
//! AnalysisRun.

use crate::model::json::At;
use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{flag, integer, str_at, string, text};
use crate::model::key::ObjectKey;
use crate::model::phase::RolloutPhase;

use super::rollout_phase::rollout_phase;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RolloutRow {
    pub key: ObjectKey,
    pub labels: Labels,
    pub phase: RolloutPhase,
    pub message: String,
    /// (current step index, number of steps) when both exist.
    pub step: Option<(usize, usize)>,
    pub set_weight: u32,
    /// Traffic routing (`spec.strategy.canary.trafficRouting`) and its weight now
    /// (`status.canary.weights.canary.weight`), if the controller wrote one.
    pub traffic_routing: bool,
    pub routed_weight: Option<u32>,
    /// `trafficRouting.maxTrafficWeight`, else 100.
    pub max_weight: u32,
    /// Whether the current step index points at a step (`GetCurrentCanaryStep` is not nil).
    pub on_a_step: bool,
    pub strategy: Strategy,
    /// Ping-pong canary, and whether the stable ReplicaSet is behind the ping service.
    pub ping_pong: Option<bool>,
    /// Blue-green `status.blueGreen.activeSelector` / `previewSelector`.
    pub active_hash: String,
    pub preview_hash: String,
    pub image: String,
    pub stable_hash: String,
    pub current_hash: String,
    /// Name and phase of the current step's AnalysisRun.
    pub analysis: Option<(String, String)>,
    pub aborted: bool,
    /// Pause conditions (reasons) waiting for a promotion.
    pub pause_reasons: Vec<String>,
    /// `spec.replicas` (1 when unset), and `status.replicas`, `updatedReplicas`,
    /// `readyReplicas`, `availableReplicas`.
    pub replicas: i64,
    pub current: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
    /// The canary steps in words ("setWeight 20", "pause 2m", "analysis success-rate-check").
    pub steps: Vec<String>,
}

impl RolloutRow {
    pub fn from_object(object: &Value) -> Self {
        let steps: &[Value] = object
            .at("/spec/strategy/canary/steps")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let index = integer(object, "/status/currentStepIndex").map(|i| i.max(0) as usize);
        let aborted = flag(object, "/status/abort");
        let (phase, message) = rollout_phase(object);
        let traffic_routing = object.at("/spec/strategy/canary/trafficRouting").is_some();
        let max_weight = integer(
            object,
            "/spec/strategy/canary/trafficRouting/maxTrafficWeight",
        )
        .map_or(100, |w| w.max(0) as u32);
        // `GetCurrentCanaryStep`: index 0 when unset, no step past the last one or without steps.
        let current_step = index.unwrap_or(0);
        let on_a_step = current_step < steps.len();
        // `GetCurrentSetWeight`: 0 when aborted, the maximum past the steps, else the last
        // setWeight at or before the current step.
        let set_weight = if aborted {
            0
        } else if !on_a_step {
            max_weight
        } else {
            steps[..=current_step]
                .iter()
                .filter_map(|s| s.get("setWeight").and_then(Value::as_u64))
                .next_back()
                .unwrap_or(0) as u32
        };
        let strategy = if object.at("/spec/strategy/canary").is_some() {
            Strategy::Canary
        } else if object.at("/spec/strategy/blueGreen").is_some() {
            Strategy::BlueGreen
        } else {
            Strategy::Unknown
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
            traffic_routing,
            routed_weight: integer(object, "/status/canary/weights/canary/weight")
                .map(|w| w.max(0) as u32),
            max_weight,
            on_a_step,
            strategy,
            ping_pong: object
                .at("/spec/strategy/canary/pingPong")
                .map(|_| str_at(object, "/status/canary/stablePingPong") == "ping"),
            active_hash: string(object, "/status/blueGreen/activeSelector"),
            preview_hash: string(object, "/status/blueGreen/previewSelector"),
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
            current: integer(object, "/status/replicas").unwrap_or(0),
            updated: integer(object, "/status/updatedReplicas").unwrap_or(0),
            ready: integer(object, "/status/readyReplicas").unwrap_or(0),
            available: integer(object, "/status/availableReplicas").unwrap_or(0),
        }
    }

    /// The actual canary weight as the plugin computes it, given the available replicas of the
    /// canary ReplicaSet (`None` when there is none): the maximum past the steps; 0 while no
    /// replica is available; with traffic routing the controller's weight (else the set
    /// weight); without, the canary's share of the available replicas.
    pub fn actual_weight(&self, canary_available: Option<i64>) -> u32 {
        if !self.on_a_step {
            return self.max_weight;
        }
        if self.available <= 0 {
            return 0;
        }
        if self.traffic_routing {
            return self.routed_weight.unwrap_or(self.set_weight);
        }
        canary_available.map_or(0, |canary| {
            (canary.max(0) * i64::from(self.max_weight) / self.available) as u32
        })
    }

    /// The roles of the ReplicaSet with `hash`, as the plugin tags it (`GetReplicaSetInfo`):
    /// canary: `stable` or `canary` (with `ping`/`pong`); blue-green: `stable`, and `active`
    /// or `preview`.
    pub fn roles(&self, hash: &str) -> Vec<&'static str> {
        let mut roles = Vec::new();
        if hash.is_empty() {
            return roles;
        }
        match self.strategy {
            Strategy::Canary => {
                let ping_pong = |stable: bool| {
                    self.ping_pong.map(|stable_is_ping| {
                        if stable_is_ping == stable {
                            "ping"
                        } else {
                            "pong"
                        }
                    })
                };
                if hash == self.stable_hash {
                    roles.push("stable");
                    roles.extend(ping_pong(true));
                } else if hash == self.current_hash {
                    roles.push("canary");
                    roles.extend(ping_pong(false));
                }
            }
            Strategy::BlueGreen => {
                if hash == self.stable_hash {
                    roles.push("stable");
                }
                if hash == self.active_hash {
                    roles.push("active");
                } else if hash == self.preview_hash {
                    roles.push("preview");
                }
            }
            Strategy::Unknown => {}
        }
        roles
    }

    /// What the plugin calls the ReplicaSet of the update in progress: `canary`, or for
    /// blue-green `preview` (or `active` once cut over).
    pub fn update_role(&self) -> &'static str {
        self.roles(&self.current_hash)
            .into_iter()
            .find(|role| !matches!(*role, "stable" | "ping" | "pong"))
            .unwrap_or("canary")
    }

    /// The canary ReplicaSet's hash: the current template when it is not the stable one.
    pub fn canary_hash(&self) -> Option<&str> {
        (self.strategy == Strategy::Canary
            && !self.current_hash.is_empty()
            && self.current_hash != self.stable_hash)
            .then_some(self.current_hash.as_str())
    }

    /// The image tag (after the last `:` that is not part of a registry port).
    pub fn image_tag(&self) -> &str {
        image_tag(&self.image)
    }
}

/// The tag of an image reference (after the last `:` that is not part of a registry port).
pub fn image_tag(image: &str) -> &str {
    crate::model::image::ImageRef::parse(image).tag
}

/// A Rollout's deployment strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    Canary,
    BlueGreen,
    #[default]
    Unknown,
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
            (row.phase, row.step, row.set_weight, row.actual_weight(None)),
            (RolloutPhase::Paused, Some((1, 4)), 20, 0),
            "no available replica: no traffic"
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
            json!({"observedGeneration": "3", "abort": true, "currentStepIndex": 2, "conditions": [{"type": "Progressing", "reason": "RolloutAborted", "message": "Rollout aborted update to revision 2"}]}),
        ));
        assert_eq!(
            (aborted.phase, aborted.set_weight),
            (RolloutPhase::Degraded, 0)
        );
        let done = RolloutRow::from_object(&rollout(
            json!({"observedGeneration": "3", "phase": "Healthy", "currentStepIndex": 4}),
        ));
        assert_eq!(
            (done.step, done.set_weight, done.actual_weight(None)),
            (Some((4, 4)), 100, 100)
        );
        let empty = RolloutRow::from_object(&json!({"metadata": {"name": "x"}}));
        assert_eq!(
            (empty.phase, empty.step),
            (RolloutPhase::Progressing, None),
            "no status: 0 updated of 1 desired"
        );
        assert_eq!(RolloutRow::from_object(&json!([1, 2])).image_tag(), "");
    }

    #[test]
    fn actual_weight_as_the_plugin_computes_it() {
        // Basic canary at setWeight 20 with 5 of 5 available: the canary's share of them.
        let status = json!({"observedGeneration": "3", "phase": "Paused", "currentStepIndex": 1, "availableReplicas": 5, "stableRS": "s", "currentPodHash": "c"});
        let basic = RolloutRow::from_object(&rollout(status.clone()));
        assert_eq!(basic.canary_hash(), Some("c"));
        assert_eq!(basic.actual_weight(Some(1)), 20);
        assert_eq!(
            basic.actual_weight(Some(0)),
            0,
            "canary pods that never became available carry no traffic"
        );
        assert_eq!(basic.actual_weight(None), 0, "no canary ReplicaSet");
        // Traffic routing: the controller's weight, else the set weight.
        let mut routed = rollout(status.clone());
        routed["spec"]["strategy"]["canary"]["trafficRouting"] =
            json!({"nginx": {"stableIngress": "web"}, "maxTrafficWeight": 1000});
        let without = RolloutRow::from_object(&routed);
        assert_eq!(
            (without.set_weight, without.actual_weight(Some(0))),
            (20, 20)
        );
        routed["status"]["canary"] =
            json!({"weights": {"canary": {"weight": 150}, "stable": {"weight": 850}}});
        let with_weights = RolloutRow::from_object(&routed);
        assert_eq!(with_weights.actual_weight(Some(0)), 150);
        routed["status"]["currentStepIndex"] = json!(4);
        let done = RolloutRow::from_object(&routed);
        assert_eq!(
            (done.set_weight, done.actual_weight(None)),
            (1000, 1000),
            "past the steps: maxTrafficWeight"
        );
    }

    #[test]
    fn replica_set_roles_as_the_plugin_tags_them() {
        let canary =
            RolloutRow::from_object(&rollout(json!({"stableRS": "s", "currentPodHash": "c"})));
        assert_eq!(
            (canary.roles("s"), canary.roles("c"), canary.roles("old")),
            (vec!["stable"], vec!["canary"], vec![])
        );
        let mut ping_pong = rollout(
            json!({"stableRS": "s", "currentPodHash": "c", "canary": {"stablePingPong": "pong"}}),
        );
        ping_pong["spec"]["strategy"]["canary"]["pingPong"] =
            json!({"pingService": "web-ping", "pongService": "web-pong"});
        let ping_pong = RolloutRow::from_object(&ping_pong);
        assert_eq!(
            (ping_pong.roles("s"), ping_pong.roles("c")),
            (vec!["stable", "pong"], vec!["canary", "ping"])
        );
        let blue_green = RolloutRow::from_object(&json!({
            "spec": {"strategy": {"blueGreen": {"activeService": "web", "previewService": "web-preview"}}},
            "status": {"stableRS": "blue", "currentPodHash": "green", "blueGreen": {"activeSelector": "blue", "previewSelector": "green"}}
        }));
        assert_eq!(
            (blue_green.roles("blue"), blue_green.roles("green")),
            (vec!["stable", "active"], vec!["preview"])
        );
        assert_eq!(blue_green.canary_hash(), None, "blue-green has no canary");
        assert_eq!(
            (blue_green.update_role(), canary.update_role()),
            ("preview", "canary")
        );
    }
}
