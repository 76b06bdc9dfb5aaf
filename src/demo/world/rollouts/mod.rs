//! Simulated Argo Rollouts controller for canary Rollouts. A new pod template gets a ReplicaSet
//! (`<rollout>-<pod-template-hash>`, revision annotation, controller ownerReference) with pods;
//! the canary walks the steps — setWeight, pause (timed, or until promoted), analysis (an
//! AnalysisRun from the templates) — and is promoted at the end or aborted by a failed analysis.
//! Honours abort, retry, promote, promote --full, pause, restart and undo as the real controller
//! reacts to the CLI's patches, computes `status.phase` and feeds the traffic model.

mod analysis_runs;
mod events;
mod replica_sets;

use crate::model::Kind;
use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::model::json::str_at as text;
use kube::api::{DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Map, Value, json};

use crate::demo::world::analysis::parse_duration;
use crate::demo::world::context::{WorldContext, now};
use crate::demo::world::driver;
use crate::demo::world::kustomize::split_image;
use crate::demo::world::metrics::Serving;
use crate::demo::world::timers::Timers;
use crate::demo::world::workflows::fnv32a;
use analysis_runs::create_analysis_run;
use replica_sets::{create_replica_set, scale_replica_set};

const REVISION: &str = "rollout.argoproj.io/revision";
const HASH_LABEL: &str = "rollouts-pod-template-hash";

/// The pod-template-hash of a template, encoded like Kubernetes' `SafeEncodeString`.
pub fn pod_template_hash(template: &Value) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut template = template.clone();
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(HASH_LABEL);
    }
    let digits = fnv32a(&template.to_string()).to_string();
    digits
        .bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

pub async fn run(ctx: WorldContext) {
    let rollouts = ctx.api_for(Kind::Rollout, None);
    let runs = ctx.api_for(Kind::AnalysisRun, None);
    let timers = Mutex::new(Timers::default());
    driver::run_each("rollouts", rollouts, vec![runs], |rollout| {
        let (ctx, timers) = (&ctx, &timers);
        async move { reconcile(ctx, timers, &rollout).await }
    })
    .await;
}

/// The weight set by the last `setWeight` at or before `index`.
fn set_weight(steps: &[Value], index: usize) -> u32 {
    steps
        .iter()
        .take(index + 1)
        .filter_map(|s| s.get("setWeight").and_then(Value::as_u64))
        .next_back()
        .unwrap_or(0) as u32
}

async fn reconcile(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    rollout: &DynamicObject,
) -> Result<(), kube::Error> {
    let value = serde_json::to_value(rollout).unwrap_or_default();
    let name = rollout.metadata.name.clone().unwrap_or_default();
    let namespace = rollout.metadata.namespace.clone().unwrap_or_default();
    let uid = rollout.metadata.uid.clone().unwrap_or_default();
    let generation = rollout.metadata.generation.unwrap_or(0);
    let api = ctx.api_for(Kind::Rollout, Some(&namespace));
    let replicas = value
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let template = value.pointer("/spec/template").cloned().unwrap_or_default();
    let steps: Vec<Value> = value
        .pointer("/spec/strategy/canary/steps")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let status = value.get("status").cloned().unwrap_or_default();
    let hash = pod_template_hash(&template);
    let stable = text(&status, "/stableRS").to_string();

    // ReplicaSets owned by this rollout, by hash.
    let replica_sets_api = ctx.api_for(Kind::ReplicaSet, Some(&namespace));
    let owned: Vec<DynamicObject> = replica_sets_api
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .as_ref()
                .is_some_and(|refs| refs.iter().any(|r| r.uid == uid))
        })
        .collect();
    let revision_of = |rs: &DynamicObject| {
        rs.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION))
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let max_revision = owned.iter().map(revision_of).max().unwrap_or(0);
    let mut revisions: BTreeMap<String, i64> = owned
        .iter()
        .map(|rs| {
            (
                rs.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(HASH_LABEL))
                    .cloned()
                    .unwrap_or_default(),
                revision_of(rs),
            )
        })
        .collect();
    let current_revision = match revisions.get(&hash) {
        None => {
            create_replica_set(
                ctx,
                &namespace,
                &name,
                &uid,
                &hash,
                &template,
                max_revision + 1,
            )
            .await?;
            revisions.insert(hash.clone(), max_revision + 1);
            max_revision + 1
        }
        // Going back to an older template (undo) makes it the newest revision again.
        Some(revision) if *revision < max_revision && hash != stable => {
            let rs_name = format!("{name}-{hash}");
            replica_sets_api.patch(&rs_name, &PatchParams::default(), &Patch::Merge(json!({"metadata": {"annotations": {REVISION: (max_revision + 1).to_string()}}}))).await?;
            revisions.insert(hash.clone(), max_revision + 1);
            max_revision + 1
        }
        Some(revision) => *revision,
    };

    let mut next: Map<String, Value> = Map::new();
    let mut step_index = status
        .get("currentStepIndex")
        .and_then(Value::as_u64)
        .map(|i| i as usize)
        .unwrap_or(0);
    let steps_hash = format!("{:x}", fnv32a(&Value::Array(steps.clone()).to_string()));
    if text(&status, "/currentPodHash") != hash || text(&status, "/currentStepHash") != steps_hash {
        // A new template (or new steps): start the canary from the first step.
        step_index = 0;
        next.insert("pauseConditions".into(), Value::Null);
        next.insert("controllerPause".into(), json!(false));
        next.insert("promoteFull".into(), json!(false));
        if hash != stable {
            next.insert("abort".into(), json!(false));
        }
    }
    let aborted =
        status.get("abort").and_then(Value::as_bool) == Some(true) && !next.contains_key("abort");
    let paused_by_user = value.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    let mut pause_conditions: Vec<Value> = if next.contains_key("pauseConditions") {
        Vec::new()
    } else {
        status
            .get("pauseConditions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut controller_pause = !next.contains_key("controllerPause")
        && status.get("controllerPause").and_then(Value::as_bool) == Some(true);
    let mut analysis_status = Value::Null;
    let (mut phase, mut message) = ("Progressing".to_string(), String::new());
    let mut weight = 0;
    let mut new_stable = stable.clone();

    if stable.is_empty() || hash == stable {
        // First deployment, or back on the stable template: everything runs the stable pods.
        new_stable = hash.clone();
        step_index = steps.len();
        pause_conditions.clear();
        controller_pause = false;
        (phase, message) = ("Healthy".into(), String::new());
    } else if aborted {
        // An aborted canary starts over from the first step when retried.
        step_index = 0;
        (phase, message) = (
            "Degraded".into(),
            format!("RolloutAborted: Rollout aborted update to revision {current_revision}"),
        );
        if let Some(reason) = status
            .get("message")
            .and_then(Value::as_str)
            .and_then(|m| m.split_once(": Metric ").map(|(_, rest)| rest.to_string()))
        {
            message = format!("{message}: Metric {reason}");
        }
        if status.get("abortedAt").is_none() {
            next.insert("abortedAt".into(), json!(now()));
        }
    } else if status.get("promoteFull").and_then(Value::as_bool) == Some(true) {
        new_stable = hash.clone();
        step_index = steps.len();
        (phase, message) = ("Healthy".into(), String::new());
    } else {
        // `spec.paused` (kubectl argo rollouts pause) holds the canary where it is.
        while step_index < steps.len() && !paused_by_user {
            let step = &steps[step_index];
            if step.get("setWeight").is_some() {
                step_index += 1;
                continue;
            }
            if let Some(pause) = step.get("pause") {
                let key = format!("{uid}/{hash}/pause/{step_index}");
                let is_paused = pause_conditions
                    .iter()
                    .any(|c| c.get("reason").and_then(Value::as_str) == Some("CanaryPauseStep"));
                if !is_paused && controller_pause {
                    // Promoted (the CLI cleared the pause conditions): go on.
                    controller_pause = false;
                    timers.lock().unwrap_or_else(|e| e.into_inner()).clear(&key);
                    step_index += 1;
                    continue;
                }
                if !is_paused {
                    pause_conditions.push(json!({"reason": "CanaryPauseStep", "startTime": now()}));
                    controller_pause = true;
                    timers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .restart(&key);
                }
                let duration = pause
                    .get("duration")
                    .and_then(|d| {
                        d.as_str()
                            .map(str::to_string)
                            .or_else(|| d.as_i64().map(|n| n.to_string()))
                    })
                    .and_then(|d| parse_duration(&d));
                if duration.is_some_and(|d| {
                    timers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .done(&key, ctx.speed, d)
                }) {
                    pause_conditions.retain(|c| {
                        c.get("reason").and_then(Value::as_str) != Some("CanaryPauseStep")
                    });
                    controller_pause = false;
                    timers.lock().unwrap_or_else(|e| e.into_inner()).clear(&key);
                    step_index += 1;
                    continue;
                }
                (phase, message) = ("Paused".into(), "CanaryPauseStep".into());
                break;
            }
            if let Some(analysis) = step.get("analysis") {
                let run_name = format!("{name}-{hash}-{current_revision}-{step_index}");
                let runs = ctx.api_for(Kind::AnalysisRun, Some(&namespace));
                let run = match runs.get_opt(&run_name).await? {
                    Some(run) => run,
                    None => {
                        create_analysis_run(
                            ctx,
                            &namespace,
                            &run_name,
                            rollout,
                            &hash,
                            current_revision,
                            step_index,
                            analysis,
                        )
                        .await?;
                        (phase, message) = (
                            "Progressing".into(),
                            "waiting for analysis to complete".into(),
                        );
                        analysis_status = json!({"name": run_name, "status": "Pending"});
                        break;
                    }
                };
                let run_phase = run
                    .data
                    .pointer("/status/phase")
                    .and_then(Value::as_str)
                    .unwrap_or("Pending")
                    .to_string();
                analysis_status = json!({"name": run_name, "status": run_phase});
                match run_phase.as_str() {
                    "Successful" => {
                        step_index += 1;
                        continue;
                    }
                    "Failed" | "Error" => {
                        let reason = run
                            .data
                            .pointer("/status/message")
                            .and_then(Value::as_str)
                            .unwrap_or("analysis failed");
                        next.insert("abort".into(), json!(true));
                        next.insert("abortedAt".into(), json!(now()));
                        (phase, message) = (
                            "Degraded".into(),
                            format!(
                                "RolloutAborted: Rollout aborted update to revision {current_revision}: {reason}"
                            ),
                        );
                    }
                    "Inconclusive" => {
                        if !pause_conditions.iter().any(|c| {
                            c.get("reason").and_then(Value::as_str)
                                == Some("InconclusiveAnalysisRun")
                        }) {
                            pause_conditions.push(
                                json!({"reason": "InconclusiveAnalysisRun", "startTime": now()}),
                            );
                        }
                        controller_pause = true;
                        (phase, message) = ("Paused".into(), "InconclusiveAnalysisRun".into());
                    }
                    _ => {
                        (phase, message) = (
                            "Progressing".into(),
                            "waiting for analysis to complete".into(),
                        )
                    }
                }
                break;
            }
            step_index += 1;
        }
        if step_index >= steps.len() && phase == "Progressing" && message.is_empty() {
            new_stable = hash.clone();
            (phase, message) = ("Healthy".into(), String::new());
        }
        weight = if next.get("abort") == Some(&json!(true)) {
            0
        } else {
            set_weight(&steps, step_index.min(steps.len().saturating_sub(1)))
        };
    }
    if paused_by_user && phase != "Degraded" {
        (phase, message) = ("Paused".into(), "manually paused".into());
    }
    let promoted = new_stable == hash;
    if promoted {
        weight = 100;
    }

    // Scale the ReplicaSets: stable full, canary by weight, others to zero.
    let canary_replicas = if promoted {
        replicas
    } else {
        ((replicas as f64) * f64::from(weight) / 100.0).ceil() as i64
    };
    let mut total = 0;
    for rs_hash in revisions.keys() {
        let wanted = if *rs_hash == new_stable {
            replicas
        } else if *rs_hash == hash {
            canary_replicas
        } else {
            0
        };
        total += wanted;
        scale_replica_set(
            ctx,
            &namespace,
            &format!("{name}-{rs_hash}"),
            rs_hash,
            wanted,
        )
        .await?;
    }

    // What serves traffic.
    let quality_of = |rs_hash: &str| {
        let template = if rs_hash == hash {
            Some(template.clone())
        } else {
            owned
                .iter()
                .find(|rs| {
                    rs.metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get(HASH_LABEL))
                        .map(String::as_str)
                        == Some(rs_hash)
                })
                .and_then(|rs| rs.data.pointer("/spec/template").cloned())
        };
        let image = template
            .as_ref()
            .map(|t| text(t, "/spec/containers/0/image").to_string())
            .unwrap_or_default();
        ctx.registry.quality(split_image(&image).1)
    };
    let serving = if promoted || weight == 0 {
        vec![Serving {
            pod_template_hash: new_stable.clone(),
            quality: quality_of(&new_stable),
            weight: 100,
        }]
    } else {
        vec![
            Serving {
                pod_template_hash: new_stable.clone(),
                quality: quality_of(&new_stable),
                weight: 100 - weight,
            },
            Serving {
                pod_template_hash: hash.clone(),
                quality: quality_of(&hash),
                weight,
            },
        ]
    };
    {
        let mut traffic = ctx.traffic.lock().unwrap_or_else(|e| e.into_inner());
        if traffic.serving(&namespace) != serving.as_slice() {
            traffic.set_serving(&namespace, serving);
        }
    }

    next.insert("phase".into(), json!(phase));
    next.insert(
        "message".into(),
        if message.is_empty() {
            Value::Null
        } else {
            json!(message)
        },
    );
    next.insert("currentPodHash".into(), json!(hash));
    next.insert("currentStepHash".into(), json!(steps_hash));
    next.insert("stableRS".into(), json!(new_stable));
    next.insert(
        "currentStepIndex".into(),
        json!(step_index.min(steps.len())),
    );
    next.insert(
        "pauseConditions".into(),
        if pause_conditions.is_empty() {
            Value::Null
        } else {
            json!(pause_conditions)
        },
    );
    next.insert("controllerPause".into(), json!(controller_pause));
    next.insert("observedGeneration".into(), json!(generation.to_string()));
    next.insert("replicas".into(), json!(total));
    next.insert("updatedReplicas".into(), json!(canary_replicas));
    next.insert("readyReplicas".into(), json!(total));
    next.insert("availableReplicas".into(), json!(total));
    next.insert("HPAReplicas".into(), json!(total));
    next.insert(
        "selector".into(),
        json!(crate::model::json::match_labels(
            &value,
            "/spec/selector/matchLabels"
        )),
    );
    next.insert(
        "canary".into(),
        json!({"weights": {"canary": {"weight": if promoted { 0 } else { weight }, "podTemplateHash": hash, "serviceName": text(&value, "/spec/strategy/canary/canaryService")},
                           "stable": {"weight": if promoted { 100 } else { 100 - weight }, "podTemplateHash": new_stable, "serviceName": text(&value, "/spec/strategy/canary/stableService")}},
               "currentStepAnalysisRunStatus": analysis_status}),
    );
    if let Some(restart) = value.pointer("/spec/restartAt").and_then(Value::as_str)
        && text(&status, "/restartedAt") != restart
    {
        next.insert("restartedAt".into(), json!(restart));
        // Restart: the pods are replaced (deleted here, recreated by the ReplicaSet scaling).
        let pods_api = ctx.api_for(Kind::Pod, Some(&namespace));
        for rs_hash in revisions.keys() {
            for pod in pods_api
                .list(&ListParams::default().labels(&format!("{HASH_LABEL}={rs_hash}")))
                .await?
                .items
            {
                if let Some(pod_name) = &pod.metadata.name {
                    let _ = pods_api.delete(pod_name, &Default::default()).await;
                }
            }
        }
    }
    let changed = next
        .iter()
        .any(|(k, v)| status.get(k).unwrap_or(&Value::Null) != v);
    if changed {
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": &next})),
        )
        .await?;
        events::record_transition(ctx, &namespace, &name, &status, &next, steps.len()).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_weights() {
        let template = json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"image": "a:1"}]}});
        let mut labelled = template.clone();
        labelled["metadata"]["labels"][HASH_LABEL] = json!("zzz");
        assert_eq!(
            pod_template_hash(&template),
            pod_template_hash(&labelled),
            "the hash label does not change the hash"
        );
        assert!(
            pod_template_hash(&template)
                .bytes()
                .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b))
        );
        let steps = vec![
            json!({"setWeight": 20}),
            json!({"pause": {}}),
            json!({"setWeight": 50}),
            json!({"analysis": {}}),
        ];
        assert_eq!(set_weight(&steps, 0), 20);
        assert_eq!(set_weight(&steps, 1), 20);
        assert_eq!(set_weight(&steps, 3), 50);
    }
}
