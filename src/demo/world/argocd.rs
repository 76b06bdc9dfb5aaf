//! Simulated Argo CD application controller. Each Application follows its repo path: the desired
//! objects are the overlay rendered at `targetRevision` (HEAD), compared with the live objects to
//! give `sync.status` (a new commit → OutOfSync), with `health` from the live Rollout. Automated
//! apps start their own sync; others wait for an `operation` (sync or rollback to a history
//! revision). A sync runs as the real one does — `operationState` Running → Succeeded, objects
//! applied, a `history[]` entry, `operation` cleared — and honours `Terminating` and the refresh
//! annotation.

use crate::model::Kind;
use std::sync::Mutex;

use crate::demo::world::kube_events;
use crate::model::json::str_at as text;
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::context::{WorldContext, now};
use super::driver;
use super::kustomize;
use super::timers::Timers;

/// World seconds a sync takes.
const SYNC_SECONDS: f64 = 5.0;

/// (group, version, plural) of the kinds the demo's manifests contain.
fn resource_of(kind: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match kind {
        "Rollout" => Some(("argoproj.io", "v1alpha1", "rollouts")),
        "AnalysisTemplate" => Some(("argoproj.io", "v1alpha1", "analysistemplates")),
        "Service" => Some(("", "v1", "services")),
        "ConfigMap" => Some(("", "v1", "configmaps")),
        _ => None,
    }
}

pub async fn run(ctx: WorldContext) {
    let applications = ctx.api_for(Kind::Application, None);
    let rollouts = ctx.api_for(Kind::Rollout, None);
    let timers = Mutex::new(Timers::default());
    driver::run_each("argocd", applications, vec![rollouts], |app| {
        let (ctx, timers) = (&ctx, &timers);
        async move { reconcile(ctx, timers, &app).await }
    })
    .await;
}

/// Whether everything in `desired` is also in `live`: maps recursively, lists element by element
/// (so fields the API server defaulted in live objects, like a port's `protocol`, do not count as
/// drift), other values equal.
pub fn contains(live: &Value, desired: &Value) -> bool {
    match (live, desired) {
        (Value::Object(live), Value::Object(desired)) => desired
            .iter()
            .all(|(k, v)| live.get(k).is_some_and(|l| contains(l, v))),
        (Value::Array(live), Value::Array(desired)) => {
            live.len() == desired.len() && live.iter().zip(desired).all(|(l, d)| contains(l, d))
        }
        (live, desired) => live == desired,
    }
}

async fn reconcile(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    app: &DynamicObject,
) -> Result<(), kube::Error> {
    let app_value = serde_json::to_value(app).unwrap_or_default();
    let name = app.metadata.name.clone().unwrap_or_default();
    let namespace = app.metadata.namespace.clone().unwrap_or_default();
    let uid = app.metadata.uid.clone().unwrap_or_default();
    let api = ctx.api_for(Kind::Application, Some(&namespace));
    let source = app_value
        .pointer("/spec/source")
        .cloned()
        .unwrap_or_default();
    let destination = app_value
        .pointer("/spec/destination")
        .cloned()
        .unwrap_or_default();
    let Some(repo) = ctx.repos.by_url(text(&source, "/repoURL")) else {
        let condition = json!([{"type": "ComparisonError", "message": format!("repository not accessible: {}", text(&source, "/repoURL")), "lastTransitionTime": now()}]);
        api.patch(&name, &PatchParams::default(), &Patch::Merge(json!({"status": {"conditions": condition, "sync": {"status": "Unknown"}, "health": {"status": "Unknown"}}}))).await?;
        return Ok(());
    };
    let head = repo.head().map(|h| h.to_string()).unwrap_or_default();
    let path = text(&source, "/path").to_string();
    let target_namespace = text(&destination, "/namespace").to_string();

    // A requested operation runs first.
    if let Some(operation) = app_value.get("operation").filter(|o| o.is_object()) {
        let state_phase = text(&app_value, "/status/operationState/phase");
        let key = format!("{uid}/operation");
        if state_phase == "Terminating" {
            let state = json!({"phase": "Failed", "message": "Operation terminated", "operation": operation, "startedAt": text(&app_value, "/status/operationState/startedAt"), "finishedAt": now()});
            end_operation(&api, &name, state).await?;
            timers.lock().unwrap_or_else(|e| e.into_inner()).clear(&key);
            return Ok(());
        }
        if state_phase != "Running" {
            timers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .restart(&key);
            let state = json!({"phase": "Running", "message": "one or more tasks are running", "operation": operation, "startedAt": now()});
            api.patch(
                &name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"operationState": state}})),
            )
            .await?;
            return Ok(());
        }
        if !timers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .done(&key, ctx.speed, SYNC_SECONDS)
        {
            return Ok(());
        }
        let sync = operation.get("sync").cloned().unwrap_or_default();
        let revision = match text(&sync, "/revision") {
            "" | "HEAD" => head.clone(),
            other => other.to_string(),
        };
        let sync_source = sync
            .get("source")
            .cloned()
            .unwrap_or_else(|| source.clone());
        let sync_path = sync_source
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or(&path)
            .to_string();
        let dry_run = sync.get("dryRun").and_then(Value::as_bool) == Some(true);
        let started = text(&app_value, "/status/operationState/startedAt").to_string();
        let result = match kustomize::render(repo, &revision, &sync_path) {
            Ok(objects) => apply_all(ctx, &objects, &target_namespace, &name, dry_run).await,
            Err(message) => Err(message),
        };
        let state = match result {
            Ok(resources) => {
                json!({"phase": "Succeeded", "message": "successfully synced (all tasks run)", "operation": operation, "startedAt": started, "finishedAt": now(),
                       "syncResult": {"revision": revision, "source": sync_source, "resources": resources}})
            }
            Err(message) => {
                json!({"phase": "Failed", "message": message, "operation": operation, "startedAt": started, "finishedAt": now()})
            }
        };
        let succeeded = state["phase"] == "Succeeded";
        // Argo CD records OperationCompleted with the outcome of every sync.
        let outcome = if succeeded {
            format!("Sync operation to {revision} succeeded")
        } else {
            format!(
                "Sync operation to {revision} failed: {}",
                text(&state, "/message")
            )
        };
        end_operation(&api, &name, state).await?;
        let involved = kube_events::Involved {
            api_version: "argoproj.io/v1alpha1",
            kind: "Application",
            namespace: &namespace,
            name: &name,
        };
        kube_events::record(
            ctx.client.clone(),
            "argocd-application-controller",
            involved,
            !succeeded,
            "OperationCompleted",
            &outcome,
        )
        .await;
        if succeeded && !dry_run {
            let mut history = app_value
                .pointer("/status/history")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let id = history
                .last()
                .and_then(|h| h.get("id"))
                .and_then(Value::as_i64)
                .map(|i| i + 1)
                .unwrap_or(0);
            history.push(json!({"id": id, "revision": revision, "deployedAt": now(), "deployStartedAt": started, "source": sync_source, "initiatedBy": operation.get("initiatedBy").cloned().unwrap_or_default()}));
            let limit = app_value
                .pointer("/spec/revisionHistoryLimit")
                .and_then(Value::as_u64)
                .unwrap_or(10) as usize;
            let skip = history.len().saturating_sub(limit);
            api.patch(
                &name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"history": history[skip..].to_vec()}})),
            )
            .await?;
        }
        timers.lock().unwrap_or_else(|e| e.into_inner()).clear(&key);
        return Ok(());
    }

    // Compare HEAD with the live objects.
    let (sync_status, resources, health, images, message) = match kustomize::render(
        repo, &head, &path,
    ) {
        Ok(desired) => {
            let mut resources = Vec::new();
            let mut all_synced = true;
            let mut health = "Healthy".to_string();
            let mut images = Vec::new();
            for object in &desired {
                let kind = text(object, "/kind");
                let object_name = text(object, "/metadata/name");
                let Some((group, version, plural)) = resource_of(kind) else {
                    continue;
                };
                let live = ctx
                    .api(group, version, kind, plural, Some(&target_namespace))
                    .get_opt(object_name)
                    .await?;
                let live_value = live
                    .as_ref()
                    .map(|l| serde_json::to_value(l).unwrap_or_default());
                let synced = live_value.as_ref().is_some_and(|l| {
                    contains(
                        l.get("spec").unwrap_or(&Value::Null),
                        object.get("spec").unwrap_or(&Value::Null),
                    )
                });
                all_synced &= synced;
                let resource_health = match (&live_value, kind) {
                    (None, _) => "Missing".to_string(),
                    (Some(live), "Rollout") => match text(live, "/status/phase") {
                        "Healthy" => "Healthy",
                        "Paused" => "Suspended",
                        "Degraded" => "Degraded",
                        _ => "Progressing",
                    }
                    .to_string(),
                    _ => "Healthy".to_string(),
                };
                if kind == "Rollout" {
                    health = resource_health.clone();
                    images.extend(
                        object
                            .pointer("/spec/template/spec/containers")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(|c| c.get("image").cloned()),
                    );
                }
                if resource_health == "Missing" && health == "Healthy" {
                    health = "Missing".into();
                }
                resources.push(json!({"group": group, "version": version, "kind": kind, "namespace": target_namespace, "name": object_name, "status": if synced { "Synced" } else { "OutOfSync" }, "health": {"status": resource_health}}));
            }
            (
                if all_synced { "Synced" } else { "OutOfSync" },
                resources,
                health,
                images,
                None,
            )
        }
        Err(message) => (
            "Unknown",
            Vec::new(),
            "Unknown".to_string(),
            Vec::new(),
            Some(message),
        ),
    };
    let conditions = match &message {
        Some(message) => {
            json!([{"type": "ComparisonError", "message": message, "lastTransitionTime": now()}])
        }
        None => json!(null),
    };
    let status = json!({
        "sync": {"status": sync_status, "revision": head, "comparedTo": {"source": source, "destination": destination}},
        "health": {"status": health},
        "resources": resources,
        "summary": {"images": images},
        "sourceType": "Kustomize",
        "reconciledAt": now(),
        "conditions": conditions,
    });
    let mut patch = json!({"status": status});
    if app
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key("argocd.argoproj.io/refresh"))
    {
        patch["metadata"] = json!({"annotations": {"argocd.argoproj.io/refresh": null}});
    }
    let changed = {
        let mut current = app_value.get("status").cloned().unwrap_or_default();
        if let Some(map) = current.as_object_mut() {
            map.remove("reconciledAt");
        }
        let mut next = status.clone();
        if let Some(map) = next.as_object_mut() {
            map.remove("reconciledAt");
        }
        !contains(&current, &next) || patch.get("metadata").is_some()
    };
    if changed {
        api.patch(&name, &PatchParams::default(), &Patch::Merge(patch))
            .await?;
    }
    let automated = app_value
        .pointer("/spec/syncPolicy/automated")
        .is_some_and(|a| a.is_object() && a.get("enabled").and_then(Value::as_bool) != Some(false));
    if automated && sync_status == "OutOfSync" {
        let prune = app_value
            .pointer("/spec/syncPolicy/automated/prune")
            .and_then(Value::as_bool)
            == Some(true);
        let mut sync = json!({"revision": head, "source": source});
        if prune {
            sync["prune"] = json!(true);
        }
        let operation =
            json!({"sync": sync, "initiatedBy": {"automated": true}, "retry": {"limit": 5}});
        api.patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"operation": operation, "status": {"operationState": null}})),
        )
        .await?;
    }
    Ok(())
}

/// Records the final operation state and clears `operation`, as the controller's JSON patch does.
async fn end_operation(
    api: &kube::Api<DynamicObject>,
    name: &str,
    state: Value,
) -> Result<(), kube::Error> {
    let patch = json_patch::Patch(
        serde_json::from_value(json!([
            {"op": "add", "path": "/status/operationState", "value": state},
            {"op": "remove", "path": "/operation"},
        ]))
        .unwrap_or_default(),
    );
    api.patch(name, &PatchParams::default(), &Patch::<()>::Json(patch))
        .await?;
    Ok(())
}

/// Applies the rendered objects to `namespace` (create, or merge their spec and labels into the
/// live object); returns the per-resource sync results.
async fn apply_all(
    ctx: &WorldContext,
    objects: &[Value],
    namespace: &str,
    app: &str,
    dry_run: bool,
) -> Result<Vec<Value>, String> {
    let mut results = Vec::new();
    for object in objects {
        let kind = text(object, "/kind").to_string();
        let name = text(object, "/metadata/name").to_string();
        let Some((group, version, plural)) = resource_of(&kind) else {
            results.push(json!({"kind": kind, "name": name, "namespace": namespace, "status": "SyncFailed", "message": "the demo cannot apply this kind"}));
            continue;
        };
        let api = ctx.api(group, version, &kind, plural, Some(namespace));
        let mut desired = object.clone();
        desired["metadata"]["labels"]["app.kubernetes.io/instance"] = json!(app);
        if dry_run {
            results.push(json!({"group": group, "version": version, "kind": kind, "namespace": namespace, "name": name, "status": "Synced", "message": format!("{} configured (dry run)", kind.to_ascii_lowercase())}));
            continue;
        }
        let existing = api.get_opt(&name).await.map_err(|e| e.to_string())?;
        let message = match existing {
            None => {
                let typed: DynamicObject =
                    serde_json::from_value(desired).map_err(|e| e.to_string())?;
                api.create(&PostParams::default(), &typed)
                    .await
                    .map_err(|e| format!("{kind}/{name}: {e}"))?;
                format!("{}.{group} created", kind.to_ascii_lowercase())
            }
            Some(_) => {
                let patch = json!({"metadata": {"labels": desired["metadata"]["labels"].clone()}, "spec": desired.get("spec").cloned().unwrap_or_default()});
                api.patch(&name, &PatchParams::default(), &Patch::Merge(patch))
                    .await
                    .map_err(|e| format!("{kind}/{name}: {e}"))?;
                format!("{}.{group} configured", kind.to_ascii_lowercase())
            }
        };
        results.push(json!({"group": group, "version": version, "kind": kind, "namespace": namespace, "name": name, "status": "Synced", "message": message}));
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desired_is_contained_in_live() {
        assert!(contains(
            &json!({"a": 1, "b": {"c": 2, "d": 3}}),
            &json!({"b": {"c": 2}})
        ));
        assert!(!contains(&json!({"a": 1}), &json!({"a": 2})));
        assert!(!contains(&json!({"l": [1, 2]}), &json!({"l": [1]})));
        assert!(contains(
            &json!({"ports": [{"port": 80, "protocol": "TCP"}]}),
            &json!({"ports": [{"port": 80}]})
        ));
    }
}
