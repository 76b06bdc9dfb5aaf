//! A Rollout's status and message as `kubectl argo rollouts get` shows them:
//! `GetRolloutPhase` (argo-rollouts `utils/rollout/rolloututil.go`) — an unobserved spec or
//! referenced workload, or an unpause not yet seen, is Progressing; otherwise the controller's
//! `status.phase`/`status.message` (1.0+); without them, `CalculateRolloutPhase`: an `InvalidSpec`
//! condition or a condition whose reason is `RolloutAborted` / `ProgressDeadlineExceeded` is
//! Degraded with its message, a pause is Paused, and the replica counts and strategy decide
//! between Progressing (with upstream's words) and Healthy. Pure.

use serde_json::Value;

use crate::model::json::{At, flag, integer, str_at, text, time};
use crate::model::phase::RolloutPhase;

/// (status, message) of a Rollout object.
pub fn rollout_phase(object: &Value) -> (RolloutPhase, String) {
    let progressing = |message: &str| (RolloutPhase::Progressing, message.to_string());
    if !generation_observed(object) {
        return progressing("waiting for rollout spec update to be observed");
    }
    if flag(object, "/status/controllerPause") && !has_pause_conditions(object) {
        return progressing("waiting for rollout to unpause");
    }
    if !workload_generation_observed(object) {
        return progressing(
            "waiting for rollout spec update to be observed for the reference workload",
        );
    }
    if let Some(phase) = text(object, "/status/phase").filter(|p| !p.is_empty()) {
        return (
            RolloutPhase::parse(phase),
            str_at(object, "/status/message").into(),
        );
    }
    calculate(object)
}

fn has_pause_conditions(object: &Value) -> bool {
    object
        .at("/status/pauseConditions")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
}

/// `isGenerationObserved`: `status.observedGeneration` (a number written as a string; a v0.9
/// hash counts as observed) is not behind `metadata.generation`.
fn generation_observed(object: &Value) -> bool {
    let Some(observed) = text(object, "/status/observedGeneration")
        .and_then(|g| g.parse::<i64>().ok())
        .or_else(|| {
            object
                .at("/status/observedGeneration")
                .and_then(Value::as_i64)
        })
    else {
        return true;
    };
    observed >= integer(object, "/metadata/generation").unwrap_or(0)
}

/// `isWorkloadGenerationObserved`, for a Rollout with `spec.workloadRef`: the
/// `rollout.argoproj.io/workload-generation` annotation against
/// `status.workloadObservedGeneration`.
fn workload_generation_observed(object: &Value) -> bool {
    if object.at("/spec/workloadRef").is_none() {
        return true;
    }
    let annotation = object
        .at("/metadata/annotations")
        .and_then(|a| a.get("rollout.argoproj.io/workload-generation"))
        .and_then(Value::as_str)
        .and_then(|g| g.parse::<i64>().ok());
    let observed = integer(object, "/status/workloadObservedGeneration");
    match (annotation, observed) {
        (Some(wanted), Some(observed)) => wanted == observed,
        _ => true,
    }
}

/// `CalculateRolloutPhase`, for controllers that write no `status.phase` (≤ v0.10).
fn calculate(object: &Value) -> (RolloutPhase, String) {
    let progressing = |message: &str| (RolloutPhase::Progressing, message.to_string());
    for condition in object
        .at("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let message = str_at(condition, "/message");
        if str_at(condition, "/type") == "InvalidSpec" {
            return (RolloutPhase::Degraded, format!("InvalidSpec: {message}"));
        }
        let reason = str_at(condition, "/reason");
        if matches!(reason, "RolloutAborted" | "ProgressDeadlineExceeded") {
            return (RolloutPhase::Degraded, format!("{reason}: {message}"));
        }
    }
    if flag(object, "/spec/paused") {
        return (RolloutPhase::Paused, "manually paused".into());
    }
    if has_pause_conditions(object) {
        return (
            RolloutPhase::Paused,
            str_at(object, "/status/pauseConditions/0/reason").into(),
        );
    }
    if let Some(restart_at) = time(object, "/spec/restartAt")
        && time(object, "/status/restartedAt") != Some(restart_at)
    {
        return progressing("rollout is restarting");
    }
    let count = |pointer: &str| integer(object, pointer).unwrap_or(0);
    let desired = integer(object, "/spec/replicas").unwrap_or(1);
    let (replicas, updated, available) = (
        count("/status/replicas"),
        count("/status/updatedReplicas"),
        count("/status/availableReplicas"),
    );
    if updated < desired {
        return progressing("more replicas need to be updated");
    }
    if available < updated {
        return progressing("updated replicas are still becoming available");
    }
    let current = str_at(object, "/status/currentPodHash");
    let stable = str_at(object, "/status/stableRS");
    let fully_promoted = !stable.is_empty() && stable == current;
    if object.at("/spec/strategy/blueGreen").is_some() {
        let active = str_at(object, "/status/blueGreen/activeSelector");
        if active.is_empty() || active != current {
            return progressing("active service cutover pending");
        }
        if !fully_promoted {
            let analysis = object
                .at("/spec/strategy/blueGreen/postPromotionAnalysis")
                .is_some();
            let completed = matches!(
                str_at(
                    object,
                    "/status/blueGreen/postPromotionAnalysisRunStatus/status"
                ),
                "Successful" | "Failed" | "Error" | "Inconclusive"
            );
            return progressing(if analysis && !completed {
                "waiting for analysis to complete"
            } else {
                "waiting for post-promotion verification to complete"
            });
        }
    } else if object.at("/spec/strategy/canary").is_some() {
        if object.at("/spec/strategy/canary/trafficRouting").is_none() && replicas > updated {
            return progressing("old replicas are pending termination");
        }
        if !fully_promoted {
            return progressing("waiting for all steps to complete");
        }
    }
    (RolloutPhase::Healthy, String::new())
}

#[cfg(test)]
#[path = "rollout_phase_tests.rs"]
mod tests;
