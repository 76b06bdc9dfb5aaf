//! Every status the plugin reports, from Rollouts as a real controller leaves them: with
//! `status.phase` (1.0+), and through each fallback of `CalculateRolloutPhase`.

use serde_json::{Value, json};

use super::*;

/// A canary Rollout of 5 replicas at generation 3, with `status`.
fn canary(status: Value) -> Value {
    json!({
        "metadata": {"name": "web", "namespace": "shop", "generation": 3},
        "spec": {"replicas": 5, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}]}}},
        "status": status,
    })
}

/// A settled status: every replica updated and available, the current template stable.
fn settled() -> Value {
    json!({"observedGeneration": "3", "replicas": 5, "updatedReplicas": 5, "readyReplicas": 5, "availableReplicas": 5, "currentPodHash": "abc", "stableRS": "abc", "currentStepIndex": 2})
}

fn with(mut status: Value, changes: Value) -> Value {
    for (key, value) in changes.as_object().cloned().unwrap_or_default() {
        status[key] = value;
    }
    status
}

fn phase(object: &Value) -> (RolloutPhase, String) {
    rollout_phase(object)
}

#[test]
fn the_controllers_phase_when_current() {
    let written = canary(with(
        settled(),
        json!({"phase": "Degraded", "message": "RolloutAborted: Rollout aborted update to revision 2: Metric \"web\" assessed Failed due to failed (1) > failureLimit (0)"}),
    ));
    assert_eq!(
        phase(&written),
        (
            RolloutPhase::Degraded,
            "RolloutAborted: Rollout aborted update to revision 2: Metric \"web\" assessed Failed due to failed (1) > failureLimit (0)".into()
        )
    );
    let stale = canary(with(
        settled(),
        json!({"observedGeneration": "2", "phase": "Healthy"}),
    ));
    assert_eq!(
        phase(&stale),
        (
            RolloutPhase::Progressing,
            "waiting for rollout spec update to be observed".into()
        )
    );
    let unpausing = canary(with(
        settled(),
        json!({"phase": "Paused", "controllerPause": true, "pauseConditions": []}),
    ));
    assert_eq!(
        phase(&unpausing),
        (
            RolloutPhase::Progressing,
            "waiting for rollout to unpause".into()
        )
    );
    let mut workload = canary(with(
        settled(),
        json!({"phase": "Healthy", "workloadObservedGeneration": "4"}),
    ));
    workload["spec"]["workloadRef"] =
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"});
    workload["metadata"]["annotations"] = json!({"rollout.argoproj.io/workload-generation": "5"});
    assert_eq!(
        phase(&workload),
        (
            RolloutPhase::Progressing,
            "waiting for rollout spec update to be observed for the reference workload".into()
        )
    );
    workload["status"]["workloadObservedGeneration"] = json!("5");
    assert_eq!(phase(&workload).0, RolloutPhase::Healthy);
}

#[test]
fn degraded_from_conditions_without_a_phase() {
    let invalid = canary(with(
        settled(),
        json!({"conditions": [{"type": "InvalidSpec", "status": "True", "reason": "InvalidSpec", "message": "The Rollout \"web\" is invalid: spec.strategy.canary.steps[0].setWeight: Invalid value: 120: must be between 0 and 100"}]}),
    ));
    assert_eq!(
        phase(&invalid),
        (
            RolloutPhase::Degraded,
            "InvalidSpec: The Rollout \"web\" is invalid: spec.strategy.canary.steps[0].setWeight: Invalid value: 120: must be between 0 and 100".into()
        )
    );
    let timed_out = canary(with(
        settled(),
        json!({"conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet \"web-6f7d9c\" has timed out progressing."}]}),
    ));
    assert_eq!(
        phase(&timed_out),
        (
            RolloutPhase::Degraded,
            "ProgressDeadlineExceeded: ReplicaSet \"web-6f7d9c\" has timed out progressing.".into()
        )
    );
    let aborted = canary(with(
        settled(),
        json!({"abort": true, "conditions": [{"type": "Progressing", "status": "False", "reason": "RolloutAborted", "message": "Rollout aborted update to revision 2: Metric \"web\" assessed Failed due to failed (1) > failureLimit (0)"}]}),
    ));
    assert_eq!(
        phase(&aborted),
        (
            RolloutPhase::Degraded,
            "RolloutAborted: Rollout aborted update to revision 2: Metric \"web\" assessed Failed due to failed (1) > failureLimit (0)".into()
        )
    );
}

#[test]
fn paused_and_progressing_fallbacks() {
    let mut paused = canary(settled());
    paused["spec"]["paused"] = json!(true);
    assert_eq!(
        phase(&paused),
        (RolloutPhase::Paused, "manually paused".into())
    );
    let step = canary(with(
        settled(),
        json!({"pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-11-29T10:00:00Z"}], "controllerPause": true}),
    ));
    assert_eq!(
        phase(&step),
        (RolloutPhase::Paused, "CanaryPauseStep".into())
    );
    let mut restarting = canary(settled());
    restarting["spec"]["restartAt"] = json!("2026-11-29T10:00:00Z");
    assert_eq!(
        phase(&restarting),
        (RolloutPhase::Progressing, "rollout is restarting".into())
    );
    restarting["status"]["restartedAt"] = json!("2026-11-29T10:00:00Z");
    assert_eq!(phase(&restarting).0, RolloutPhase::Healthy);
    let cases = [
        (
            json!({"updatedReplicas": 2}),
            "more replicas need to be updated",
        ),
        (
            json!({"availableReplicas": 3}),
            "updated replicas are still becoming available",
        ),
        (
            json!({"replicas": 7}),
            "old replicas are pending termination",
        ),
        (
            json!({"currentPodHash": "def"}),
            "waiting for all steps to complete",
        ),
    ];
    for (change, message) in cases {
        assert_eq!(
            phase(&canary(with(settled(), change))),
            (RolloutPhase::Progressing, message.into())
        );
    }
    let mut routed = canary(with(settled(), json!({"replicas": 7})));
    routed["spec"]["strategy"]["canary"]["trafficRouting"] =
        json!({"nginx": {"stableIngress": "web"}});
    assert_eq!(
        phase(&routed).0,
        RolloutPhase::Healthy,
        "scale-down delay with traffic routing"
    );
    assert_eq!(
        phase(&canary(settled())),
        (RolloutPhase::Healthy, String::new())
    );
}

#[test]
fn blue_green_fallbacks() {
    let blue_green = |status: Value, post_analysis: bool| {
        let mut strategy = json!({"activeService": "web", "previewService": "web-preview"});
        if post_analysis {
            strategy["postPromotionAnalysis"] = json!({"templates": [{"templateName": "smoke"}]});
        }
        json!({"metadata": {"generation": 3}, "spec": {"replicas": 5, "strategy": {"blueGreen": strategy}}, "status": status})
    };
    let cut_over = with(
        settled(),
        json!({"blueGreen": {"activeSelector": "abc", "previewSelector": "abc"}}),
    );
    assert_eq!(
        phase(&blue_green(cut_over.clone(), false)).0,
        RolloutPhase::Healthy
    );
    let pending = with(
        settled(),
        json!({"currentPodHash": "def", "blueGreen": {"activeSelector": "abc", "previewSelector": "def"}}),
    );
    assert_eq!(
        phase(&blue_green(pending, false)),
        (
            RolloutPhase::Progressing,
            "active service cutover pending".into()
        )
    );
    let unverified = with(
        settled(),
        json!({"currentPodHash": "def", "blueGreen": {"activeSelector": "def"}}),
    );
    assert_eq!(
        phase(&blue_green(unverified.clone(), true)),
        (
            RolloutPhase::Progressing,
            "waiting for analysis to complete".into()
        )
    );
    assert_eq!(
        phase(&blue_green(unverified, false)),
        (
            RolloutPhase::Progressing,
            "waiting for post-promotion verification to complete".into()
        )
    );
}
