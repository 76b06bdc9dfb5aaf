//! Simulated Argo CD application controller. Each Application follows its repo path: the desired
//! objects are the overlay rendered at `targetRevision` (HEAD), compared with the live objects to
//! give `sync.status` (a new commit → OutOfSync), with `health` from the live Rollout. Automated
//! apps start their own sync; others wait for an `operation` (sync or rollback to a history
//! revision). A sync runs as the real one does — `operationState` Running → Succeeded, objects
//! applied, a `history[]` entry, `operation` cleared — and honours `Terminating` and the refresh
//! annotation.

mod operation;

use crate::model::Kind;
use std::sync::Mutex;

use crate::model::json::str_at as text;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use super::context::{WorldContext, now};
use super::driver;
use super::git::Repo;
use super::kustomize;
use super::timers::Timers;

/// (group, version, plural) of the kinds the demo's manifests contain.
pub(super) fn resource_of(kind: &str) -> Option<(&'static str, &'static str, &'static str)> {
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

/// What a round reads from the Application.
pub(super) struct Observed {
    pub value: Value,
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub api: Api<DynamicObject>,
    pub source: Value,
    pub destination: Value,
    /// The source path, and the repository's HEAD it is compared at.
    pub path: String,
    pub head: String,
    /// Where the application's objects go.
    pub target_namespace: String,
}

/// One round: a requested operation runs first; otherwise HEAD is compared with the live
/// objects, the status written if it changed, and an automated app out of sync starts a sync.
async fn reconcile(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    app: &DynamicObject,
) -> Result<(), kube::Error> {
    let value = serde_json::to_value(app).unwrap_or_default();
    let namespace = app.metadata.namespace.clone().unwrap_or_default();
    let api = ctx.api_for(Kind::Application, Some(&namespace));
    let name = app.metadata.name.clone().unwrap_or_default();
    let source = value.pointer("/spec/source").cloned().unwrap_or_default();
    let Some(repo) = ctx.repos.by_url(text(&source, "/repoURL")) else {
        let condition = json!([{"type": "ComparisonError", "message": format!("repository not accessible: {}", text(&source, "/repoURL")), "lastTransitionTime": now()}]);
        api.patch(&name, &PatchParams::default(), &Patch::Merge(json!({"status": {"conditions": condition, "sync": {"status": "Unknown"}, "health": {"status": "Unknown"}}}))).await?;
        return Ok(());
    };
    let destination = value
        .pointer("/spec/destination")
        .cloned()
        .unwrap_or_default();
    let app = Observed {
        uid: app.metadata.uid.clone().unwrap_or_default(),
        path: text(&source, "/path").to_string(),
        head: repo.head().map(|h| h.to_string()).unwrap_or_default(),
        target_namespace: text(&destination, "/namespace").to_string(),
        value,
        name,
        namespace,
        api,
        source,
        destination,
    };
    if let Some(operation) = app.value.get("operation").filter(|o| o.is_object()) {
        return operation::run(ctx, timers, &app, repo, operation).await;
    }
    let comparison = compare(ctx, repo, &app).await?;
    write_status(&app, refresh_asked(&app), &comparison).await?;
    if comparison.sync_status == "OutOfSync" {
        auto_sync(&app).await?;
    }
    Ok(())
}

/// Whether the refresh annotation asks for a refresh (it is removed with the status write).
fn refresh_asked(app: &Observed) -> bool {
    app.value
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .is_some_and(|a| a.contains_key("argocd.argoproj.io/refresh"))
}

/// HEAD rendered and compared with the live objects.
struct Comparison {
    sync_status: &'static str,
    resources: Vec<Value>,
    health: String,
    images: Vec<Value>,
    /// Why HEAD could not be rendered.
    error: Option<String>,
}

async fn compare(
    ctx: &WorldContext,
    repo: &Repo,
    app: &Observed,
) -> Result<Comparison, kube::Error> {
    let desired = match kustomize::render(repo, &app.head, &app.path) {
        Ok(desired) => desired,
        Err(message) => {
            return Ok(Comparison {
                sync_status: "Unknown",
                resources: Vec::new(),
                health: "Unknown".into(),
                images: Vec::new(),
                error: Some(message),
            });
        }
    };
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
            .api(group, version, kind, plural, Some(&app.target_namespace))
            .get_opt(object_name)
            .await?
            .map(|live| serde_json::to_value(live).unwrap_or_default());
        let synced = live.as_ref().is_some_and(|l| {
            contains(
                l.get("spec").unwrap_or(&Value::Null),
                object.get("spec").unwrap_or(&Value::Null),
            )
        });
        all_synced &= synced;
        let resource_health = resource_health(live.as_ref(), kind);
        if kind == "Rollout" {
            health = resource_health.to_string();
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
        resources.push(json!({"group": group, "version": version, "kind": kind, "namespace": app.target_namespace, "name": object_name, "status": if synced { "Synced" } else { "OutOfSync" }, "health": {"status": resource_health}}));
    }
    Ok(Comparison {
        sync_status: if all_synced { "Synced" } else { "OutOfSync" },
        resources,
        health,
        images,
        error: None,
    })
}

/// A live object's health as Argo CD assesses it (a Rollout's from its phase).
fn resource_health(live: Option<&Value>, kind: &str) -> &'static str {
    match (live, kind) {
        (None, _) => "Missing",
        (Some(live), "Rollout") => match text(live, "/status/phase") {
            "Healthy" => "Healthy",
            "Paused" => "Suspended",
            "Degraded" => "Degraded",
            _ => "Progressing",
        },
        _ => "Healthy",
    }
}

/// Writes the comparison into the status when it changed (or a refresh was asked for).
async fn write_status(
    app: &Observed,
    refresh: bool,
    comparison: &Comparison,
) -> Result<(), kube::Error> {
    let conditions = match &comparison.error {
        Some(message) => {
            json!([{"type": "ComparisonError", "message": message, "lastTransitionTime": now()}])
        }
        None => json!(null),
    };
    let status = json!({
        "sync": {"status": comparison.sync_status, "revision": app.head, "comparedTo": {"source": app.source, "destination": app.destination}},
        "health": {"status": comparison.health},
        "resources": comparison.resources,
        "summary": {"images": comparison.images},
        "sourceType": "Kustomize",
        "reconciledAt": now(),
        "conditions": conditions,
    });
    let mut patch = json!({"status": status});
    if refresh {
        patch["metadata"] = json!({"annotations": {"argocd.argoproj.io/refresh": null}});
    }
    let without_time = |status: &Value| {
        let mut status = status.clone();
        if let Some(map) = status.as_object_mut() {
            map.remove("reconciledAt");
        }
        status
    };
    let current = without_time(app.value.get("status").unwrap_or(&Value::Null));
    if refresh || !contains(&current, &without_time(&status)) {
        app.api
            .patch(&app.name, &PatchParams::default(), &Patch::Merge(patch))
            .await?;
    }
    Ok(())
}

/// An automated app out of sync starts its own sync to HEAD.
async fn auto_sync(app: &Observed) -> Result<(), kube::Error> {
    let automated = app
        .value
        .pointer("/spec/syncPolicy/automated")
        .is_some_and(|a| a.is_object() && a.get("enabled").and_then(Value::as_bool) != Some(false));
    if !automated {
        return Ok(());
    }
    let prune = app
        .value
        .pointer("/spec/syncPolicy/automated/prune")
        .and_then(Value::as_bool)
        == Some(true);
    let mut sync = json!({"revision": app.head, "source": app.source});
    if prune {
        sync["prune"] = json!(true);
    }
    let operation =
        json!({"sync": sync, "initiatedBy": {"automated": true}, "retry": {"limit": 5}});
    app.api
        .patch(
            &app.name,
            &PatchParams::default(),
            &Patch::Merge(json!({"operation": operation, "status": {"operationState": null}})),
        )
        .await?;
    Ok(())
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
