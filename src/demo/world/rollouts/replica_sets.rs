//! The Rollout's ReplicaSets: one per pod template (named `<rollout>-<hash>`, with the revision
//! annotation and a controller ownerReference), scaled as the canary moves, with their pods.

use std::collections::BTreeMap;

use crate::model::Kind;
use kube::api::{DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{HASH_LABEL, Observed, REVISION};
use crate::demo::world::context::{WorldContext, now};
use crate::model::json::str_at as text;

/// The Rollout's ReplicaSets and their revisions.
pub(super) struct Revisions {
    /// The ReplicaSets the Rollout owns.
    pub owned: Vec<DynamicObject>,
    /// Revision by pod-template-hash.
    pub by_hash: BTreeMap<String, i64>,
    /// The revision of the current template.
    pub current: i64,
}

impl Revisions {
    /// The pod template of the ReplicaSet with `hash`, if the Rollout owns one.
    pub fn template(&self, hash: &str) -> Option<Value> {
        self.owned
            .iter()
            .find(|rs| {
                rs.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(HASH_LABEL))
                    .map(String::as_str)
                    == Some(hash)
            })
            .and_then(|rs| rs.data.pointer("/spec/template").cloned())
    }
}

/// Lists the Rollout's ReplicaSets and makes sure the current template has one at the newest
/// revision: a new template gets a new ReplicaSet; going back to an older one (undo) renumbers it.
pub(super) async fn revisions(
    ctx: &WorldContext,
    rollout: &Observed,
) -> Result<Revisions, kube::Error> {
    let api = ctx.api_for(Kind::ReplicaSet, Some(&rollout.namespace));
    let owned: Vec<DynamicObject> = api
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .as_ref()
                .is_some_and(|refs| refs.iter().any(|r| r.uid == rollout.uid))
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
    let newest = owned.iter().map(revision_of).max().unwrap_or(0);
    let mut by_hash: BTreeMap<String, i64> = owned
        .iter()
        .map(|rs| {
            let hash = rs.metadata.labels.as_ref().and_then(|l| l.get(HASH_LABEL));
            (hash.cloned().unwrap_or_default(), revision_of(rs))
        })
        .collect();
    let hash = &rollout.hash;
    let current = match by_hash.get(hash) {
        None => {
            create_replica_set(
                ctx,
                &rollout.namespace,
                &rollout.name,
                &rollout.uid,
                hash,
                &rollout.template,
                newest + 1,
            )
            .await?;
            newest + 1
        }
        Some(revision) if *revision < newest && *hash != rollout.stable => {
            let annotations =
                json!({"metadata": {"annotations": {REVISION: (newest + 1).to_string()}}});
            api.patch(
                &format!("{}-{hash}", rollout.name),
                &PatchParams::default(),
                &Patch::Merge(annotations),
            )
            .await?;
            newest + 1
        }
        Some(revision) => *revision,
    };
    by_hash.insert(hash.clone(), current);
    Ok(Revisions {
        owned,
        by_hash,
        current,
    })
}

async fn create_replica_set(
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
