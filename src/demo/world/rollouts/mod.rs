//! Simulated Argo Rollouts controller for canary Rollouts. A new pod template gets a ReplicaSet
//! (`<rollout>-<pod-template-hash>`, revision annotation, controller ownerReference) with pods;
//! the canary walks the steps — setWeight, pause (timed, or until promoted), analysis (an
//! AnalysisRun from the templates) — and is promoted at the end or aborted by a failed analysis.
//! Honours abort, retry, promote, promote --full, pause, restart and undo as the real controller
//! reacts to the CLI's patches, computes `status.phase` and feeds the traffic model.

mod analysis_runs;
mod canary;
mod events;
mod replica_sets;

use crate::model::Kind;
use std::sync::Mutex;

use crate::model::json::str_at as text;
use kube::api::{DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Map, Value, json};

use crate::demo::world::context::WorldContext;
use crate::demo::world::driver;
use crate::demo::world::kustomize::split_image;
use crate::demo::world::metrics::Serving;
use crate::demo::world::timers::Timers;
use crate::demo::world::workflows::fnv32a;
use canary::Canary;
use replica_sets::{Revisions, revisions, scale_replica_set};

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

/// What a round reads from the Rollout.
pub(super) struct Observed {
    pub value: Value,
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub replicas: i64,
    pub template: Value,
    pub steps: Vec<Value>,
    pub status: Value,
    /// The current template's pod-template-hash.
    pub hash: String,
    /// A hash of the steps: new steps start the canary over.
    pub steps_hash: String,
    /// The stable ReplicaSet's hash, as the status says it.
    pub stable: String,
    /// `spec.paused` (kubectl argo rollouts pause).
    pub paused_by_user: bool,
}

impl Observed {
    fn new(rollout: &DynamicObject) -> Observed {
        let value = serde_json::to_value(rollout).unwrap_or_default();
        let template = value.pointer("/spec/template").cloned().unwrap_or_default();
        let steps: Vec<Value> = value
            .pointer("/spec/strategy/canary/steps")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let status = value.get("status").cloned().unwrap_or_default();
        Observed {
            name: rollout.metadata.name.clone().unwrap_or_default(),
            namespace: rollout.metadata.namespace.clone().unwrap_or_default(),
            uid: rollout.metadata.uid.clone().unwrap_or_default(),
            replicas: value
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1),
            hash: pod_template_hash(&template),
            steps_hash: format!("{:x}", fnv32a(&Value::Array(steps.clone()).to_string())),
            stable: text(&status, "/stableRS").to_string(),
            paused_by_user: value.pointer("/spec/paused").and_then(Value::as_bool) == Some(true),
            template,
            steps,
            status,
            value,
        }
    }
}

/// One round: the ReplicaSet of the current template, the canary's progress, the ReplicaSets
/// scaled to it, the traffic model told, a restart carried out, the status written if it changed.
async fn reconcile(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    rollout: &DynamicObject,
) -> Result<(), kube::Error> {
    let observed = Observed::new(rollout);
    let revisions = revisions(ctx, &observed).await?;
    let mut canary = Canary::start(&observed);
    canary
        .advance(ctx, timers, &observed, revisions.current)
        .await?;
    let (total, canary_replicas) = scale(ctx, &observed, &revisions, &canary).await?;
    route_traffic(ctx, &observed, &revisions, &canary);
    let mut next = status(&observed, canary, total, canary_replicas);
    if let Some(restart) = observed
        .value
        .pointer("/spec/restartAt")
        .and_then(Value::as_str)
        && text(&observed.status, "/restartedAt") != restart
    {
        next.insert("restartedAt".into(), json!(restart));
        restart_pods(ctx, &observed, &revisions).await?;
    }
    let changed = next
        .iter()
        .any(|(k, v)| observed.status.get(k).unwrap_or(&Value::Null) != v);
    if changed {
        ctx.api_for(Kind::Rollout, Some(&observed.namespace))
            .patch_status(
                &observed.name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": &next})),
            )
            .await?;
        let steps = observed.steps.len();
        events::record_transition(
            ctx,
            &observed.namespace,
            &observed.name,
            &observed.status,
            &next,
            steps,
        )
        .await;
    }
    Ok(())
}

/// Scales the ReplicaSets: the stable one full, the canary by its weight, the others to zero.
/// Returns (all replicas, the canary's).
async fn scale(
    ctx: &WorldContext,
    rollout: &Observed,
    revisions: &Revisions,
    canary: &Canary,
) -> Result<(i64, i64), kube::Error> {
    let canary_replicas = if canary.promoted(rollout) {
        rollout.replicas
    } else {
        ((rollout.replicas as f64) * f64::from(canary.weight) / 100.0).ceil() as i64
    };
    let mut total = 0;
    for rs_hash in revisions.by_hash.keys() {
        let wanted = if *rs_hash == canary.new_stable {
            rollout.replicas
        } else if *rs_hash == rollout.hash {
            canary_replicas
        } else {
            0
        };
        total += wanted;
        let rs_name = format!("{}-{rs_hash}", rollout.name);
        scale_replica_set(ctx, &rollout.namespace, &rs_name, rs_hash, wanted).await?;
    }
    Ok((total, canary_replicas))
}

/// Tells the traffic model what serves the namespace: the stable pods, and the canary's by weight.
fn route_traffic(ctx: &WorldContext, rollout: &Observed, revisions: &Revisions, canary: &Canary) {
    let quality_of = |rs_hash: &str| {
        let template = match rs_hash == rollout.hash {
            true => Some(rollout.template.clone()),
            false => revisions.template(rs_hash),
        };
        let image = template
            .as_ref()
            .map(|t| text(t, "/spec/containers/0/image").to_string())
            .unwrap_or_default();
        ctx.registry.quality(split_image(&image).1)
    };
    let stable = |weight| Serving {
        pod_template_hash: canary.new_stable.clone(),
        quality: quality_of(&canary.new_stable),
        weight,
    };
    let weight = canary.weight;
    let serving = if canary.promoted(rollout) || weight == 0 {
        vec![stable(100)]
    } else {
        vec![
            stable(100 - weight),
            Serving {
                pod_template_hash: rollout.hash.clone(),
                quality: quality_of(&rollout.hash),
                weight,
            },
        ]
    };
    let mut traffic = ctx.traffic.lock().unwrap_or_else(|e| e.into_inner());
    if traffic.serving(&rollout.namespace) != serving.as_slice() {
        traffic.set_serving(&rollout.namespace, serving);
    }
}

/// The status the round ends with.
fn status(
    rollout: &Observed,
    canary: Canary,
    total: i64,
    canary_replicas: i64,
) -> Map<String, Value> {
    let promoted = canary.promoted(rollout);
    let weight = canary.weight;
    let value = &rollout.value;
    let mut next = canary.next;
    next.insert("phase".into(), json!(canary.phase));
    let message = canary.message;
    next.insert(
        "message".into(),
        if message.is_empty() {
            Value::Null
        } else {
            json!(message)
        },
    );
    next.insert("currentPodHash".into(), json!(rollout.hash));
    next.insert("currentStepHash".into(), json!(rollout.steps_hash));
    next.insert("stableRS".into(), json!(canary.new_stable));
    next.insert(
        "currentStepIndex".into(),
        json!(canary.step_index.min(rollout.steps.len())),
    );
    let pause_conditions = canary.pause_conditions;
    next.insert(
        "pauseConditions".into(),
        if pause_conditions.is_empty() {
            Value::Null
        } else {
            json!(pause_conditions)
        },
    );
    next.insert("controllerPause".into(), json!(canary.controller_pause));
    let generation = value
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    next.insert("observedGeneration".into(), json!(generation.to_string()));
    next.insert("replicas".into(), json!(total));
    next.insert("updatedReplicas".into(), json!(canary_replicas));
    next.insert("readyReplicas".into(), json!(total));
    next.insert("availableReplicas".into(), json!(total));
    next.insert("HPAReplicas".into(), json!(total));
    next.insert(
        "selector".into(),
        json!(crate::model::json::match_labels(
            value,
            "/spec/selector/matchLabels"
        )),
    );
    next.insert(
        "canary".into(),
        json!({"weights": {"canary": {"weight": if promoted { 0 } else { weight }, "podTemplateHash": rollout.hash, "serviceName": text(value, "/spec/strategy/canary/canaryService")},
                           "stable": {"weight": if promoted { 100 } else { 100 - weight }, "podTemplateHash": canary.new_stable, "serviceName": text(value, "/spec/strategy/canary/stableService")}},
               "currentStepAnalysisRunStatus": canary.analysis_status}),
    );
    next
}

/// Restart: the pods are replaced (deleted here, recreated by the ReplicaSet scaling).
async fn restart_pods(
    ctx: &WorldContext,
    rollout: &Observed,
    revisions: &Revisions,
) -> Result<(), kube::Error> {
    let pods_api = ctx.api_for(Kind::Pod, Some(&rollout.namespace));
    for rs_hash in revisions.by_hash.keys() {
        let selector = format!("{HASH_LABEL}={rs_hash}");
        for pod in pods_api
            .list(&ListParams::default().labels(&selector))
            .await?
            .items
        {
            if let Some(pod_name) = &pod.metadata.name {
                let _ = pods_api.delete(pod_name, &Default::default()).await;
            }
        }
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
