//! The Rollouts plans against the plugin's own request shapes: promote (`getPatches`, the
//! unified fallback), abort/retry/pause/restart/resume, undo (revisions, DeepDerivative,
//! workloadRef) and terminate.

use super::*;
use crate::intent::request::{JSON_PATCH, MERGE_PATCH};

fn context() -> Context {
    Context {
        now: "2026-11-26T12:00:00Z".into(),
        now_millis: 0,
        random: [0; 10],
        user: None,
        zone_offset: |_| 0,
    }
}

fn requests(intent: Intent, rollout: Value, related: Vec<Value>) -> Vec<(String, String, Value)> {
    let reads = Reads {
        target: rollout,
        related,
    };
    plan(&intent, &reads, &context())
        .expect("plan")
        .0
        .into_iter()
        .map(|r| (r.path, r.content_type.to_string(), r.body))
        .collect()
}

fn key() -> ObjectKey {
    ObjectKey::new("dev", "app")
}

const MAIN: &str = "/apis/argoproj.io/v1alpha1/namespaces/dev/rollouts/app";
const STATUS: &str = "/apis/argoproj.io/v1alpha1/namespaces/dev/rollouts/app/status";

#[test]
fn promote_follows_get_patches() {
    let steps = json!([{"setWeight": 20}, {"pause": {}}, {"setWeight": 50}]);
    let paused = json!({"spec": {"strategy": {"canary": {"steps": steps}}}, "status": {"currentStepIndex": 1, "pauseConditions": [{"reason": "CanaryPauseStep"}]}});
    assert_eq!(
        requests(Intent::PromoteRollout(key()), paused.clone(), vec![]),
        [(
            STATUS.into(),
            MERGE_PATCH.into(),
            json!({"status": {"pauseConditions": null}})
        )]
    );
    let analysing = json!({"spec": {"paused": true, "strategy": {"canary": {"steps": steps}}}, "status": {"currentStepIndex": 2}});
    assert_eq!(
        requests(Intent::PromoteRollout(key()), analysing, vec![]),
        [
            (
                STATUS.into(),
                MERGE_PATCH.into(),
                json!({"status": {"pauseConditions": null, "currentStepIndex": 3}})
            ),
            (
                MAIN.into(),
                MERGE_PATCH.into(),
                json!({"spec": {"paused": false}})
            ),
        ]
    );
    let inconclusive = json!({"spec": {"strategy": {"canary": {"steps": steps}}}, "status": {"currentStepIndex": 3, "controllerPause": true, "pauseConditions": [{"reason": "InconclusiveAnalysisRun"}], "canary": {"currentStepAnalysisRunStatus": {"status": "Inconclusive"}}}});
    assert_eq!(
        requests(Intent::PromoteRollout(key()), inconclusive, vec![])[0].2,
        json!({"status": {"pauseConditions": null, "controllerPause": false, "currentStepIndex": 3}}),
        "not past the last step"
    );
    let past = json!({"spec": {"strategy": {"canary": {"steps": steps}}}, "status": {"currentStepIndex": 5}});
    assert_eq!(
        requests(Intent::PromoteRollout(key()), past, vec![])[0].2,
        json!({"status": {"pauseConditions": null, "currentStepIndex": 5}}),
        "an index past the last step is kept, as upstream"
    );
    let unified = |intent: Intent, rollout: Value| {
        let reads = Reads {
            target: rollout,
            related: vec![],
        };
        let request = plan(&intent, &reads, &context()).expect("plan").0.remove(0);
        let instead = request.instead_when_not_found.expect("a fallback");
        (instead.path, instead.body)
    };
    assert_eq!(
        unified(
            Intent::PromoteRollout(key()),
            json!({"spec": {"strategy": {"canary": {"steps": steps}}}, "status": {"currentStepIndex": 1}})
        ),
        (
            MAIN.to_string(),
            json!({"spec": {"paused": false}, "status": {"pauseConditions": null, "currentStepIndex": 2}})
        ),
        "unpauseAndClearPauseConditionsPatchWithStep"
    );
    assert_eq!(
        unified(
            Intent::PromoteRolloutFully(key()),
            json!({"status": {"currentPodHash": "b", "stableRS": "a"}})
        ),
        (
            MAIN.to_string(),
            json!({"spec": {"paused": false}, "status": {"promoteFull": true}})
        )
    );
    assert_eq!(
        unified(Intent::AbortRollout(key()), json!({})),
        (MAIN.to_string(), json!({"status": {"abort": true}}))
    );
    let unpromoted = json!({"status": {"currentPodHash": "b", "stableRS": "a"}});
    assert_eq!(
        requests(Intent::PromoteRolloutFully(key()), unpromoted, vec![]),
        [(
            STATUS.into(),
            MERGE_PATCH.into(),
            json!({"status": {"promoteFull": true}})
        )]
    );
    let done = json!({"status": {"currentPodHash": "a", "stableRS": "a"}});
    let reads = Reads {
        target: done,
        related: vec![],
    };
    assert!(crate::intent::plan(&Intent::PromoteRolloutFully(key()), &reads, &context()).is_err());
}

#[test]
fn abort_retry_pause_restart_resume_terminate() {
    assert_eq!(
        requests(Intent::AbortRollout(key()), json!({}), vec![]),
        [(
            STATUS.into(),
            MERGE_PATCH.into(),
            json!({"status": {"abort": true}})
        )]
    );
    assert_eq!(
        requests(
            Intent::RetryRollout(key()),
            json!({"status": {"abort": true}}),
            vec![]
        ),
        [(
            STATUS.into(),
            MERGE_PATCH.into(),
            json!({"status": {"abort": false}})
        )]
    );
    assert_eq!(
        requests(Intent::PauseRollout(key()), json!({}), vec![]),
        [(
            MAIN.into(),
            MERGE_PATCH.into(),
            json!({"spec": {"paused": true}})
        )]
    );
    assert_eq!(
        requests(Intent::RestartRollout(key()), json!({}), vec![]),
        [(
            MAIN.into(),
            MERGE_PATCH.into(),
            json!({"spec": {"restartAt": "2026-11-26T12:00:00Z"}})
        )]
    );
    assert_eq!(
        requests(
            Intent::ResumeRollout(key()),
            json!({"spec": {"paused": true}, "status": {"pauseConditions": [{}]}}),
            vec![]
        ),
        [
            (
                STATUS.into(),
                MERGE_PATCH.into(),
                json!({"status": {"pauseConditions": null}})
            ),
            (
                MAIN.into(),
                MERGE_PATCH.into(),
                json!({"spec": {"paused": false}})
            ),
        ]
    );
    assert_eq!(
        requests(
            Intent::TerminateAnalysisRun(ObjectKey::new("dev", "run")),
            json!({}),
            vec![]
        ),
        [(
            "/apis/argoproj.io/v1alpha1/namespaces/dev/analysisruns/run".into(),
            MERGE_PATCH.into(),
            json!({"spec": {"terminate": true}})
        )]
    );
}

#[test]
fn undo_picks_the_previous_revision_owned_by_the_rollout() {
    let rollout = json!({"metadata": {"uid": "u1"}, "spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"image": "v3"}]}}}});
    let rs = |revision: &str, image: &str, owner: &str| json!({"metadata": {"annotations": {"rollout.argoproj.io/revision": revision}, "ownerReferences": [{"uid": owner, "controller": true}]}, "spec": {"template": {"metadata": {"labels": {"app": "x", "rollouts-pod-template-hash": "h"}}, "spec": {"containers": [{"image": image}]}}}});
    let sets = vec![
        rs("3", "v3", "u1"),
        rs("2", "v2", "u1"),
        rs("1", "v1", "u1"),
        rs("9", "other", "u2"),
    ];
    let expected_v2 = json!([{"op": "replace", "path": "/spec/template", "value": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"image": "v2"}]}}}]);
    assert_eq!(
        requests(
            Intent::UndoRollout(key(), None),
            rollout.clone(),
            sets.clone()
        ),
        [(MAIN.into(), JSON_PATCH.into(), expected_v2)]
    );
    let to_one = requests(
        Intent::UndoRollout(key(), Some(1)),
        rollout.clone(),
        sets.clone(),
    );
    assert_eq!(
        to_one[0].2[0]["value"]["spec"]["containers"][0]["image"],
        "v1"
    );
    let reads = |related| Reads {
        target: rollout.clone(),
        related,
    };
    assert_eq!(
        crate::intent::plan(
            &Intent::UndoRollout(key(), Some(7)),
            &reads(sets.clone()),
            &context()
        ),
        Err("unable to find specified revision 7 in history".into())
    );
    assert_eq!(
        crate::intent::plan(
            &Intent::UndoRollout(key(), None),
            &reads(vec![rs("3", "v3", "u1")]),
            &context()
        ),
        Err("no revision found for rollout \"\"".into())
    );
    assert!(
        crate::intent::plan(
            &Intent::UndoRollout(key(), Some(3)),
            &reads(sets),
            &context()
        )
        .is_err_and(|e| e.reason.starts_with("skipped rollback"))
    );
}

/// A ReplicaSet as the API server stores it: the controller's template plus defaults.
fn stored_rs(revision: &str, image: &str, owner: &str) -> Value {
    json!({"metadata": {"annotations": {"rollout.argoproj.io/revision": revision}, "ownerReferences": [{"uid": owner, "controller": true}]},
           "spec": {"template": {"metadata": {"creationTimestamp": null, "labels": {"app": "web", "rollouts-pod-template-hash": format!("h{revision}")}},
             "spec": {"containers": [{"name": "web", "image": image, "imagePullPolicy": "IfNotPresent", "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
                      "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {}, "terminationGracePeriodSeconds": 30}}}})
}

#[test]
fn undo_counts_a_template_with_api_server_defaults_as_current() {
    let rollout = json!({"metadata": {"name": "app", "uid": "u1"}, "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:v3"}]}}}});
    let sets = vec![
        stored_rs("3", "web:v3", "u1"),
        stored_rs("2", "web:v2", "u1"),
        stored_rs("x", "web:v0", "u1"),
    ];
    let reads = Reads {
        target: rollout.clone(),
        related: sets.clone(),
    };
    assert_eq!(
        crate::intent::plan(&Intent::UndoRollout(key(), Some(3)), &reads, &context()).err(),
        Some("skipped rollback (current template already matches revision 3)".into())
    );
    let planned = requests(Intent::UndoRollout(key(), None), rollout, sets);
    assert_eq!(planned[0].0, MAIN);
    let value = &planned[0].2[0]["value"];
    assert_eq!(value["spec"]["containers"][0]["image"], "web:v2");
    assert_eq!(
        value["metadata"]["labels"],
        json!({"app": "web"}),
        "the hash label is removed, the defaults stay as upstream sends them"
    );
}

#[test]
fn undo_of_a_workload_ref_rollout_patches_the_referenced_workload() {
    let rollout = |kind: &str| json!({"metadata": {"name": "app", "uid": "u1"}, "spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": kind, "name": "web"}}});
    let sets = vec![
        stored_rs("2", "web:v2", "u1"),
        stored_rs("1", "web:v1", "u1"),
    ];
    let reads = |kind| Reads {
        target: rollout(kind),
        related: sets.clone(),
    };
    let planned = crate::intent::plan(
        &Intent::UndoRollout(key(), None),
        &reads("Deployment"),
        &context(),
    )
    .expect("plan");
    let request = &planned.requests[0];
    assert_eq!(
        (request.path.as_str(), request.content_type),
        ("/apis/apps/v1/namespaces/dev/deployments/web", JSON_PATCH)
    );
    assert_eq!(request.body[0]["op"], "replace");
    assert_eq!(request.body[0]["path"], "/spec/template");
    assert_eq!(
        request.body[0]["value"]["spec"]["containers"][0]["image"],
        "web:v1"
    );
    assert_eq!(
        (
            request.access.group,
            request.access.resource,
            request.access.verb
        ),
        ("apps", "deployments", "patch")
    );
    let replica_set = crate::intent::plan(
        &Intent::UndoRollout(key(), None),
        &reads("ReplicaSet"),
        &context(),
    )
    .expect("plan");
    assert_eq!(
        replica_set.requests[0].path,
        "/apis/apps/v1/namespaces/dev/replicasets/web"
    );
    let pod_template = crate::intent::plan(
        &Intent::UndoRollout(key(), None),
        &reads("PodTemplate"),
        &context(),
    )
    .expect("plan");
    assert_eq!(
        (
            pod_template.requests[0].path.as_str(),
            &pod_template.requests[0].body[0]["path"]
        ),
        (
            "/api/v1/namespaces/dev/podtemplates/web",
            &json!("/template")
        )
    );
    assert_eq!(
        crate::intent::plan(
            &Intent::UndoRollout(key(), None),
            &reads("StatefulSet"),
            &context()
        )
        .err(),
        Some("workload of type StatefulSet is not supported".into())
    );
}
