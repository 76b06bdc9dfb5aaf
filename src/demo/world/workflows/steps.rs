//! What a workflow step's pod does: created with the Argo labels and annotations, logs written as
//! it runs, and the step's real side effect (check out the commit, build, push to the simulated
//! registry, commit the new tag to the GitOps repo); ended as Succeeded or Failed.

use crate::model::Kind;
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::{Map, Value, json};

use super::execution::Leaf;
use super::fnv32a;
use crate::demo::world::context::{WorldContext, now};
use crate::demo::world::git::set_kustomize_tag;
use crate::demo::world::metrics::Quality;

pub(super) async fn create_pod(
    ctx: &WorldContext,
    namespace: &str,
    pod: &str,
    (workflow, uid): (&str, &str),
    leaf: &Leaf,
) -> Result<(), kube::Error> {
    let (id, node_name) = (&leaf.id, &leaf.node_name);
    let pods = ctx.api_for(Kind::Pod, Some(namespace));
    let object = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": pod, "namespace": namespace,
            "labels": {"workflows.argoproj.io/workflow": workflow, "workflows.argoproj.io/completed": "false"},
            "annotations": {"workflows.argoproj.io/node-id": id, "workflows.argoproj.io/node-name": node_name},
            // As the controller does: the Workflow owns its step pods (and garbage collection
            // removes them with it).
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "name": workflow, "uid": uid, "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"containers": [{"name": "main", "image": leaf.image}], "restartPolicy": "Never"},
    });
    let object: kube::api::DynamicObject =
        serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
    match pods.create(&PostParams::default(), &object).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 409 => {}
        Err(error) => return Err(error),
    }
    pods.patch_status(
        pod,
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"phase": "Running", "startTime": now()}})),
    )
    .await?;
    Ok(())
}

pub(super) async fn end_pod(
    ctx: &WorldContext,
    namespace: &str,
    pod: &str,
    phase: &str,
) -> Result<(), kube::Error> {
    ctx.end_log(namespace, pod, "main");
    let pods = ctx.api_for(Kind::Pod, Some(namespace));
    pods.patch_status(
        pod,
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"phase": phase}})),
    )
    .await?;
    pods.patch(
        pod,
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"workflows.argoproj.io/completed": "true"}}})),
    )
    .await?;
    Ok(())
}

pub(super) async fn stop_pod(
    ctx: &WorldContext,
    namespace: &str,
    pod: &str,
) -> Result<(), kube::Error> {
    ctx.log(
        namespace,
        pod,
        "main",
        "received termination signal; exiting",
    );
    end_pod(ctx, namespace, pod, "Failed").await
}

/// Does what the step's container would do; returns its last log line or an error message.
pub(super) fn step_effect(
    ctx: &WorldContext,
    namespace: &str,
    pod: &str,
    step: &Leaf,
    parameters: &Map<String, Value>,
) -> Result<String, String> {
    let commit = parameters
        .get("commitSha")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let repo = &ctx.repos.demo_app;
    match step.template.as_str() {
        "git-clone" => {
            ctx.log(namespace, pod, "main", "Cloning into '/workspace'...");
            if !repo.has_commit(&commit) {
                return Err(format!("fatal: reference is not a tree: {commit}"));
            }
            Ok(format!("HEAD is now at {}", &commit[..commit.len().min(7)]))
        }
        "docker-build" => {
            ctx.log(
                namespace,
                pod,
                "main",
                "INFO Retrieving image manifest node:20-alpine",
            );
            ctx.log(namespace, pod, "main", "INFO COPY server.js /app/server.js");
            Ok(format!(
                "INFO Built image localhost:30087/demo-app:{commit}"
            ))
        }
        "docker-push" => {
            let quality = match repo.read_at(&commit, "BUILD_QUALITY") {
                Ok(Some(text)) if text.trim() == "bad" => Quality::Bad,
                _ => Quality::Good,
            };
            ctx.registry.push(&commit, quality);
            Ok(format!(
                "localhost:30087/demo-app:{commit}: digest: sha256:{:064x} size: 1574",
                u64::from(fnv32a(&commit))
            ))
        }
        "update-k8s-manifests" => {
            let path = "demo-app/base/kustomization.yaml";
            let current = ctx
                .repos
                .custom_apps
                .read(path)
                .map_err(|e| e.to_string())?
                .ok_or("demo-app/base/kustomization.yaml is missing")?;
            let updated = set_kustomize_tag(&current, &commit)
                .ok_or("no newTag in the base kustomization")?;
            let message = format!("ci: build demo-app {}", &commit[..commit.len().min(7)]);
            let id = ctx
                .repos
                .custom_apps
                .commit(
                    &[(path, Some(&updated))],
                    &message,
                    ("argo-workflows", "ci@demo.local"),
                )
                .map_err(|e| e.to_string())?;
            Ok(format!("[main {}] {message}", &id.to_string()[..7]))
        }
        other => Ok(format!("{other} done")),
    }
}
