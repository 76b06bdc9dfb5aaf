//! An Application's requested operation (a sync, or a rollback to a history revision) run as the
//! application controller runs it: `operationState` Running, the objects applied after a few
//! world seconds, Succeeded or Failed with the per-resource results, an OperationCompleted event,
//! a `history[]` entry, and `operation` cleared; `Terminating` ends it as Failed.

use std::sync::Mutex;

use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{Observed, resource_of};
use crate::demo::world::context::{WorldContext, now};
use crate::demo::world::git::Repo;
use crate::demo::world::kube_events;
use crate::demo::world::kustomize;
use crate::demo::world::timers::Timers;
use crate::model::json::str_at as text;

/// World seconds a sync takes.
const SYNC_SECONDS: f64 = 5.0;

/// Moves the requested operation on by one round.
pub(super) async fn run(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    app: &Observed,
    repo: &Repo,
    operation: &Value,
) -> Result<(), kube::Error> {
    let timers = || timers.lock().unwrap_or_else(|e| e.into_inner());
    let state_phase = text(&app.value, "/status/operationState/phase");
    let key = format!("{}/operation", app.uid);
    if state_phase == "Terminating" {
        let state = json!({"phase": "Failed", "message": "Operation terminated", "operation": operation, "startedAt": text(&app.value, "/status/operationState/startedAt"), "finishedAt": now()});
        end_operation(app, state).await?;
        timers().clear(&key);
        return Ok(());
    }
    if state_phase != "Running" {
        timers().restart(&key);
        let state = json!({"phase": "Running", "message": "one or more tasks are running", "operation": operation, "startedAt": now()});
        app.api
            .patch(
                &app.name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"operationState": state}})),
            )
            .await?;
        return Ok(());
    }
    if !timers().done(&key, ctx.speed, SYNC_SECONDS) {
        return Ok(());
    }
    sync(ctx, app, repo, operation).await?;
    timers().clear(&key);
    Ok(())
}

/// The sync itself: render the revision, apply it, and record how it went.
async fn sync(
    ctx: &WorldContext,
    app: &Observed,
    repo: &Repo,
    operation: &Value,
) -> Result<(), kube::Error> {
    let sync = operation.get("sync").cloned().unwrap_or_default();
    let revision = match text(&sync, "/revision") {
        "" | "HEAD" => app.head.clone(),
        other => other.to_string(),
    };
    let sync_source = sync
        .get("source")
        .cloned()
        .unwrap_or_else(|| app.source.clone());
    let sync_path = sync_source
        .get("path")
        .and_then(Value::as_str)
        .unwrap_or(&app.path)
        .to_string();
    let dry_run = sync.get("dryRun").and_then(Value::as_bool) == Some(true);
    let started = text(&app.value, "/status/operationState/startedAt").to_string();
    let result = match kustomize::render(repo, &revision, &sync_path) {
        Ok(objects) => apply_all(ctx, &objects, &app.target_namespace, &app.name, dry_run).await,
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
    end_operation(app, state).await?;
    let involved = kube_events::Involved {
        api_version: "argoproj.io/v1alpha1",
        kind: "Application",
        namespace: &app.namespace,
        name: &app.name,
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
        let entry = json!({"id": 0, "revision": revision, "deployedAt": now(), "deployStartedAt": started, "source": sync_source, "initiatedBy": operation.get("initiatedBy").cloned().unwrap_or_default()});
        add_history(app, entry).await?;
    }
    Ok(())
}

/// Appends a deployment to `status.history` (numbered after the last, at most
/// `revisionHistoryLimit` kept).
async fn add_history(app: &Observed, mut entry: Value) -> Result<(), kube::Error> {
    let mut history = app
        .value
        .pointer("/status/history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    entry["id"] = json!(
        history
            .last()
            .and_then(|h| h.get("id"))
            .and_then(Value::as_i64)
            .map(|i| i + 1)
            .unwrap_or(0)
    );
    history.push(entry);
    let limit = app
        .value
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_u64)
        .unwrap_or(10) as usize;
    let skip = history.len().saturating_sub(limit);
    app.api
        .patch(
            &app.name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"history": history[skip..].to_vec()}})),
        )
        .await?;
    Ok(())
}

/// Records the final operation state and clears `operation`, as the controller's JSON patch does.
async fn end_operation(app: &Observed, state: Value) -> Result<(), kube::Error> {
    let patch = json_patch::Patch(
        serde_json::from_value(json!([
            {"op": "add", "path": "/status/operationState", "value": state},
            {"op": "remove", "path": "/operation"},
        ]))
        .unwrap_or_default(),
    );
    app.api
        .patch(
            &app.name,
            &PatchParams::default(),
            &Patch::<()>::Json(patch),
        )
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
