//! The Rollout's ReplicaSets: one per pod template (named `<rollout>-<hash>`, with the revision
//! annotation and a controller ownerReference), scaled as the canary moves, with their pods.

use crate::model::Kind;
use kube::api::{DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{HASH_LABEL, REVISION};
use crate::demo::world::context::{WorldContext, now};
use crate::model::json::str_at as text;

pub(super) async fn create_replica_set(
    ctx: &WorldContext,
    namespace: &str,
    rollout: &str,
    uid: &str,
    hash: &str,
    template: &Value,
    revision: i64,
) -> Result<(), kube::Error> {
    let mut template = template.clone();
    template["metadata"]["labels"][HASH_LABEL] = json!(hash);
    let mut selector = template
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_default();
    selector[HASH_LABEL] = json!(hash);
    let object = json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("{rollout}-{hash}"), "namespace": namespace, "labels": selector, "annotations": {REVISION: revision.to_string()},
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": rollout, "uid": uid, "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"replicas": 0, "selector": {"matchLabels": selector}, "template": template},
    });
    let object: DynamicObject = serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
    match ctx
        .api_for(Kind::ReplicaSet, Some(namespace))
        .create(&PostParams::default(), &object)
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(error) => Err(error),
    }
}

/// Sets a ReplicaSet's replicas and status, and makes its pods match.
pub(super) async fn scale_replica_set(
    ctx: &WorldContext,
    namespace: &str,
    rs: &str,
    hash: &str,
    replicas: i64,
) -> Result<(), kube::Error> {
    let api = ctx.api_for(Kind::ReplicaSet, Some(namespace));
    let Some(current) = api.get_opt(rs).await? else {
        return Ok(());
    };
    if current
        .data
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        != Some(replicas)
    {
        api.patch(
            rs,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": replicas}})),
        )
        .await?;
    }
    if current
        .data
        .pointer("/status/replicas")
        .and_then(Value::as_i64)
        != Some(replicas)
    {
        api.patch_status(rs, &PatchParams::default(), &Patch::Merge(json!({"status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas, "fullyLabeledReplicas": replicas}}))).await?;
    }
    let pods_api = ctx.api_for(Kind::Pod, Some(namespace));
    let pods = pods_api
        .list(&ListParams::default().labels(&format!("{HASH_LABEL}={hash}")))
        .await?
        .items;
    let have = pods.len() as i64;
    if have < replicas {
        let template = current
            .data
            .pointer("/spec/template")
            .cloned()
            .unwrap_or_default();
        for _ in have..replicas {
            let pod = json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"generateName": format!("{rs}-"), "namespace": namespace, "labels": template.pointer("/metadata/labels").cloned().unwrap_or_default(),
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": current.metadata.uid.clone().unwrap_or_default(), "controller": true}]},
                "spec": template.get("spec").cloned().unwrap_or_default(),
            });
            let pod: DynamicObject =
                serde_json::from_value(pod).map_err(kube::Error::SerdeError)?;
            let created = pods_api.create(&PostParams::default(), &pod).await?;
            let pod_name = created.metadata.name.clone().unwrap_or_default();
            pods_api.patch_status(&pod_name, &PatchParams::default(), &Patch::Merge(json!({"status": {"phase": "Running", "startTime": now(), "conditions": [{"type": "Ready", "status": "True"}]}}))).await?;
            ctx.log(
                namespace,
                &pod_name,
                text(&template, "/spec/containers/0/name"),
                "listening on :3000",
            );
        }
    } else {
        for pod in pods.iter().take((have - replicas) as usize) {
            if let Some(pod_name) = &pod.metadata.name {
                let _ = pods_api.delete(pod_name, &Default::default()).await;
            }
        }
    }
    Ok(())
}
