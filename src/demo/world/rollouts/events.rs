//! The Kubernetes Events the simulated Rollouts controller records as a rollout's status moves.

use serde_json::Value;

use crate::demo::world::context::WorldContext;
use crate::demo::world::kube_events::{self, Involved};
use crate::model::json::str_at as text;

/// The Events Argo Rollouts records as a rollout moves: a step completed, the update completed,
/// the update aborted.
pub(super) async fn record_transition(
    ctx: &WorldContext,
    namespace: &str,
    name: &str,
    before: &Value,
    after: &serde_json::Map<String, Value>,
    steps: usize,
) {
    let index = |status: Option<&Value>| status.and_then(Value::as_i64).unwrap_or(0);
    let (old_step, new_step) = (
        index(before.get("currentStepIndex")),
        index(after.get("currentStepIndex")),
    );
    let old_phase = text(before, "/phase");
    let new_phase = after
        .get("phase")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let event = if new_phase == "Degraded" && old_phase != "Degraded" {
        Some((
            true,
            "RolloutAborted",
            format!(
                "Rollout aborted: {}",
                after
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ),
        ))
    } else if new_step > old_step && new_step as usize >= steps && steps > 0 {
        Some((
            false,
            "RolloutCompleted",
            "Rollout completed update".to_string(),
        ))
    } else if new_step > old_step {
        Some((
            false,
            "RolloutStepCompleted",
            format!("Rollout step {new_step}/{steps} completed"),
        ))
    } else {
        None
    };
    if let Some((warning, reason, message)) = event {
        let involved = Involved {
            api_version: "argoproj.io/v1alpha1",
            kind: "Rollout",
            namespace,
            name,
        };
        kube_events::record(
            ctx.client.clone(),
            "rollouts-controller",
            involved,
            warning,
            reason,
            &message,
        )
        .await;
    }
}
