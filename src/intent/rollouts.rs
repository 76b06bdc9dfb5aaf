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
#[path = "rollouts_tests.rs"]
mod tests;
