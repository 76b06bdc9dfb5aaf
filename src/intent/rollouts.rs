//! Argo Rollouts actions as `kubectl argo rollouts` sends them (semantics doc §1.2):
//! abort/retry and the status half of promote patch `rollouts/NAME/status`; pause, restart,
//! resume and the spec half of promote patch the Rollout; undo is an RFC 6902 patch of
//! `/spec/template`; terminating an AnalysisRun patches its spec. Pure.

use serde_json::{Value, json};

use super::request::{Workload, WriteRequest, json_patch, merge_patch, rollout_status_patch};
use super::{Context, Intent, Planned, Reads};
use crate::model::json::{flag, integer, str_at, text};
use crate::model::semantic::deep_derivative;
use crate::model::{Kind, ObjectKey};

/// Label the controller adds to a ReplicaSet's template (ignored when comparing templates).
const HASH_LABEL: &str = "rollouts-pod-template-hash";
/// Annotation holding a ReplicaSet's revision.
const REVISION: &str = "rollout.argoproj.io/revision";

pub fn plan(intent: &Intent, reads: &Reads, context: &Context) -> Result<Planned, String> {
    let rollout = &reads.target;
    let (kind, key) = intent.target();
    let name = &key.name;
    let namespace = &key.namespace;
    let cli = |command: &str| format!("kubectl argo rollouts {command} {name} -n {namespace}");
    Ok(match intent {
        Intent::PromoteRollout(key) => (promote(key, rollout, false), cli("promote"), None),
        Intent::PromoteRolloutFully(key) => {
            (promote(key, rollout, true), cli("promote --full"), None)
        }
        // cmd/abort/abort.go `abortPatch` (on 404 the same body on the main resource).
        Intent::AbortRollout(key) => (
            vec![rollout_status_patch(
                key,
                json!({"status": {"abort": true}}),
                json!({"status": {"abort": true}}),
            )],
            cli("abort"),
            None,
        ),
        // cmd/retry/retry.go `retryRolloutPatch`.
        Intent::RetryRollout(key) => {
            if !flag(rollout, "/status/abort") {
                return Err("the rollout is not aborted: there is nothing to retry".into());
            }
            (
                vec![rollout_status_patch(
                    key,
                    json!({"status": {"abort": false}}),
                    json!({"status": {"abort": false}}),
                )],
                format!("kubectl argo rollouts retry rollout {name} -n {namespace}"),
                None,
            )
        }
        Intent::UndoRollout(key, to_revision) => {
            let (revision, template) = undo_target(rollout, &reads.related, *to_revision)?;
            let command = match to_revision {
                Some(n) => cli(&format!("undo --to-revision={n}")),
                None => cli("undo"),
            };
            (
                vec![undo_request(key, rollout, template)?],
                command,
                Some(format!("rolls back to revision {revision}")),
            )
        }
        // cmd/restart/restart.go `restartPatch`: RFC 3339, UTC.
        Intent::RestartRollout(key) => (
            vec![merge_patch(
                Kind::Rollout,
                key,
                "",
                json!({"spec": {"restartAt": context.now}}),
            )],
            cli("restart"),
            None,
        ),
        // cmd/pause/pause.go.
        Intent::PauseRollout(key) => (
            vec![merge_patch(
                Kind::Rollout,
                key,
                "",
                json!({"spec": {"paused": true}}),
            )],
            cli("pause"),
            None,
        ),
        // argo-cd resource_customizations Rollout/actions/resume: clear the pause conditions
        // (status) and unpause (spec), status first as promote does.
        Intent::ResumeRollout(key) => {
            let mut requests = Vec::new();
            if rollout
                .pointer("/status/pauseConditions")
                .and_then(Value::as_array)
                .is_some_and(|c| !c.is_empty())
            {
                requests.push(rollout_status_patch(
                    key,
                    json!({"status": {"pauseConditions": null}}),
                    json!({"spec": {"paused": false}, "status": {"pauseConditions": null}}),
                ));
            }
            if flag(rollout, "/spec/paused") {
                requests.push(merge_patch(
                    Kind::Rollout,
                    key,
                    "",
                    json!({"spec": {"paused": false}}),
                ));
            }
            (
                requests,
                format!(
                    "kubectl argo rollouts promote {name} -n {namespace}  # Argo CD action: resume"
                ),
                None,
            )
        }
        // cmd/terminate/terminate.go `terminatePatch` (AnalysisRuns have no status subresource).
        Intent::TerminateAnalysisRun(key) => (
            vec![merge_patch(
                kind,
                key,
                "",
                json!({"spec": {"terminate": true}}),
            )],
            format!("kubectl argo rollouts terminate analysisrun {name} -n {namespace}"),
            None,
        ),
        _ => return Err(format!("{} is not a Rollouts action", intent.verb())),
    })
}

/// cmd/promote/promote.go `getPatches`: the status patch (on `/status`) first, then the spec
/// one; the "unified" patch stands for both where the status subresource is missing.
fn promote(key: &ObjectKey, rollout: &Value, full: bool) -> Vec<super::request::WriteRequest> {
    let paused = flag(rollout, "/spec/paused");
    let steps = rollout
        .pointer("/spec/strategy/canary/steps")
        .and_then(Value::as_array)
        .map(Vec::len)
        .filter(|count| *count > 0);
    let canary = rollout.pointer("/spec/strategy/canary").is_some();
    let pause_conditions = rollout
        .pointer("/status/pauseConditions")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty());
    let mut unified = json!({"spec": {"paused": false}, "status": {"pauseConditions": null}});
    let status = if full {
        unified = json!({"spec": {"paused": false}, "status": {"promoteFull": true}});
        (text(rollout, "/status/currentPodHash") != text(rollout, "/status/stableRS"))
            .then(|| json!({"status": {"promoteFull": true}}))
    } else {
        // `GetCurrentCanaryStep` (no index without steps), then `if *index < len(steps)
        // { *index++ }`: an index already past the last step is sent as it is.
        let next = steps.map(|count| {
            let current = integer(rollout, "/status/currentStepIndex")
                .unwrap_or(0)
                .max(0) as usize;
            if current < count {
                current + 1
            } else {
                current
            }
        });
        let inconclusive = str_at(
            rollout,
            "/status/canary/currentStepAnalysisRunStatus/status",
        ) == "Inconclusive";
        match next {
            Some(next)
                if canary
                    && inconclusive
                    && pause_conditions
                    && flag(rollout, "/status/controllerPause") =>
            {
                Some(
                    json!({"status": {"pauseConditions": null, "controllerPause": false, "currentStepIndex": next}}),
                )
            }
            _ if pause_conditions => Some(json!({"status": {"pauseConditions": null}})),
            Some(next) if canary => {
                unified["status"]["currentStepIndex"] = json!(next);
                Some(json!({"status": {"pauseConditions": null, "currentStepIndex": next}}))
            }
            _ => None,
        }
    };
    let mut requests = Vec::new();
    if let Some(status) = status {
        requests.push(rollout_status_patch(key, status, unified));
    }
    if paused {
        requests.push(merge_patch(
            Kind::Rollout,
            key,
            "",
            json!({"spec": {"paused": false}}),
        ));
    }
    requests
}

/// cmd/undo/undo.go `RunUndoRollout`: an RFC 6902 replace of `/spec/template` on the Rollout,
/// or, with `spec.workloadRef`, on the Deployment or ReplicaSet it references (`undoWorkloadRef`;
/// the controller refuses a template on such a Rollout). A PodTemplate keeps its template at
/// `/template`: upstream sends `/spec/template` there too, which the API server rejects, so
/// flightdeck patches the path that exists.
fn undo_request(key: &ObjectKey, rollout: &Value, template: Value) -> Result<WriteRequest, String> {
    let replace = |path: &str| json!([{"op": "replace", "path": path, "value": template}]);
    let Some(reference) = rollout
        .pointer("/spec/workloadRef")
        .filter(|r| r.is_object())
    else {
        return Ok(json_patch(Kind::Rollout, key, replace("/spec/template")));
    };
    let name = str_at(reference, "/name");
    let workload = |group, version, resource| Workload {
        group,
        version,
        resource,
        namespace: &key.namespace,
        name,
    };
    Ok(match str_at(reference, "/kind") {
        "Deployment" => workload("apps", "v1", "deployments").json_patch(replace("/spec/template")),
        "ReplicaSet" => workload("apps", "v1", "replicasets").json_patch(replace("/spec/template")),
        "PodTemplate" => workload("", "v1", "podtemplates").json_patch(replace("/template")),
        other => return Err(format!("workload of type {other} is not supported")),
    })
}

/// cmd/undo/undo.go: the ReplicaSets the Rollout controls, by revision (one whose revision
/// annotation does not parse is skipped); the second-highest (or the requested one); its
/// template without the hash label. Refuses when the Rollout's template already is that one.
fn undo_target(
    rollout: &Value,
    replica_sets: &[Value],
    to_revision: Option<i64>,
) -> Result<(i64, Value), String> {
    let uid = str_at(rollout, "/metadata/uid");
    let mut owned: Vec<(i64, &Value)> = replica_sets
        .iter()
        .filter(|rs| {
            rs.pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|owners| {
                    owners.iter().any(|o| {
                        str_at(o, "/uid") == uid
                            && o.get("controller").and_then(Value::as_bool) == Some(true)
                    })
                })
        })
        .filter_map(|rs| {
            let revision = match rs
                .pointer(&format!(
                    "/metadata/annotations/{}",
                    REVISION.replace('/', "~1")
                ))
                .and_then(Value::as_str)
            {
                None => 0,
                Some(text) => text.parse().ok()?,
            };
            Some((revision, rs))
        })
        .collect();
    owned.sort_by_key(|(revision, _)| std::cmp::Reverse(*revision));
    let (revision, chosen) = match to_revision {
        None | Some(0) => owned.get(1).copied().ok_or_else(|| {
            format!(
                "no revision found for rollout \"{}\"",
                str_at(rollout, "/metadata/name")
            )
        })?,
        Some(n) => owned
            .iter()
            .find(|(revision, _)| *revision == n)
            .copied()
            .ok_or_else(|| format!("unable to find specified revision {n} in history"))?,
    };
    let mut template = chosen
        .pointer("/spec/template")
        .cloned()
        .ok_or("that ReplicaSet has no pod template")?;
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(HASH_LABEL);
    }
    // `equalIgnoreHash`: Semantic.DeepDerivative of the Rollout's template (without the hash
    // label) against the ReplicaSet's, so defaults the API server filled in do not count. A
    // Rollout without a template (workloadRef) is never current.
    if let Some(current) = rollout.pointer("/spec/template") {
        let mut current = current.clone();
        if let Some(labels) = current
            .pointer_mut("/metadata/labels")
            .and_then(Value::as_object_mut)
        {
            labels.remove(HASH_LABEL);
        }
        if deep_derivative(&current, &template) {
            return Err(format!(
                "skipped rollback (current template already matches revision {revision})"
            ));
        }
    }
    Ok((revision, template))
}

#[cfg(test)]
mod tests {
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

    fn requests(
        intent: Intent,
        rollout: Value,
        related: Vec<Value>,
    ) -> Vec<(String, String, Value)> {
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
        assert!(
            crate::intent::plan(&Intent::PromoteRolloutFully(key()), &reads, &context()).is_err()
        );
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
            .is_err_and(|e| e.starts_with("skipped rollback"))
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
}
