//! Promotions: created as Kargo's API server builds them, then run step by step (git-clone,
//! kustomize-set-image, git-commit with a real overlay commit, git-push, argocd-update), ending
//! with the Stage's freight history and the Freight's `currentlyIn` updated.

use crate::model::Kind;
use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::model::json::str_at as text;
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{GROUP, VERSION, value_of};
use crate::demo::world::context::ImageRegistry;
use crate::demo::world::context::{WorldContext, now};
use crate::demo::world::git::set_kustomize_tag;
use crate::demo::world::kube_events;
use crate::demo::world::timers::Timers;

use super::STEP_SECONDS;
use super::stage::{collection, set_freight_stage};
use super::ulid;

/// Creates a Promotion the way Kargo's API server builds it (full body: name, steps, vars).
pub async fn create_promotion(
    ctx: &WorldContext,
    project: &str,
    stage: &Value,
    freight: &str,
) -> Result<(), kube::Error> {
    let stage_name = text(stage, "/metadata/name");
    let mut vars: Vec<Value> = stage
        .pointer("/spec/vars")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    vars.extend(
        stage
            .pointer("/spec/promotionTemplate/spec/vars")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    );
    let steps = stage
        .pointer("/spec/promotionTemplate/spec/steps")
        .cloned()
        .unwrap_or_else(|| json!([]));
    let object = json!({
        "apiVersion": format!("{GROUP}/{VERSION}"), "kind": "Promotion",
        "metadata": {"name": format!("{stage_name}.{}.{}", ulid(), &freight[..freight.len().min(7)]), "namespace": project,
            "labels": {"kargo.akuity.io/stage": stage_name}, "annotations": {"kargo.akuity.io/create-actor": "controlPlane"}},
        "spec": {"stage": stage_name, "freight": freight, "vars": vars, "steps": steps},
    });
    let object: DynamicObject = serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
    ctx.api_for(Kind::Promotion, Some(project))
        .create(&PostParams::default(), &object)
        .await?;
    Ok(())
}

/// Replaces `${{ vars.X }}` and `${{ ctx.stage }}` in a step's config.
pub(super) fn expand(value: &Value, vars: &BTreeMap<String, String>, stage: &str) -> Value {
    match value {
        Value::String(text) => {
            let mut out = text.replace("${{ ctx.stage }}", stage);
            for (name, value) in vars {
                out = out.replace(&format!("${{{{ vars.{name} }}}}"), value);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| expand(v, vars, stage)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), expand(v, vars, stage)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub(super) async fn advance_promotion(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    project: &str,
    promotion: &DynamicObject,
) -> Result<(), kube::Error> {
    let name = promotion.metadata.name.clone().unwrap_or_default();
    let uid = promotion.metadata.uid.clone().unwrap_or_default();
    let value = value_of(promotion);
    let api = ctx.api_for(Kind::Promotion, Some(project));
    let stage_name = text(&value, "/spec/stage").to_string();
    let freight_name = text(&value, "/spec/freight").to_string();
    let set_status = |status: Value| {
        let api = api.clone();
        let name = name.clone();
        async move {
            api.patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": &status})),
            )
            .await?;
            // Kargo records Promotion<Phase> Events when a promotion ends.
            let phase = text(&status, "/phase");
            if matches!(phase, "Succeeded" | "Failed" | "Errored" | "Aborted") {
                let involved = kube_events::Involved {
                    api_version: "kargo.akuity.io/v1alpha1",
                    kind: "Promotion",
                    namespace: project,
                    name: &name,
                };
                kube_events::record(
                    api.into_client(),
                    "kargo-controller",
                    involved,
                    phase != "Succeeded",
                    &format!("Promotion{phase}"),
                    text(&status, "/message"),
                )
                .await;
            }
            Ok(())
        }
    };
    let terminal = |phase: &str, message: String| json!({"phase": phase, "message": message, "finishedAt": now()});
    if promotion
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key("kargo.akuity.io/abort"))
    {
        return set_status(terminal("Aborted", "Promotion aborted by user".into())).await;
    }
    let freight = ctx
        .api_for(Kind::Freight, Some(project))
        .get_opt(&freight_name)
        .await?;
    let stage = ctx
        .api_for(Kind::Stage, Some(project))
        .get_opt(&stage_name)
        .await?;
    let (Some(freight), Some(stage)) = (freight, stage) else {
        return set_status(terminal("Errored", format!("Freight \"{freight_name}\" or Stage \"{stage_name}\" not found in namespace \"{project}\""))).await;
    };
    let freight = value_of(&freight);
    let stage = value_of(&stage);
    let steps: Vec<Value> = value
        .pointer("/spec/steps")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let vars: BTreeMap<String, String> = value
        .pointer("/spec/vars")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| (text(v, "/name").to_string(), text(v, "/value").to_string()))
        .collect();
    let mut current = value
        .pointer("/status/currentStep")
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize;
    let mut metadata: Vec<Value> = value
        .pointer("/status/stepExecutionMetadata")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if text(&value, "/status/phase").is_empty() {
        let warehouse = text(&freight, "/origin/name");
        return set_status(json!({"phase": "Running", "startedAt": now(), "freight": {"name": freight_name, "origin": freight.get("origin")}, "freightCollection": collection(&freight, warehouse), "currentStep": 0})).await;
    }
    let Some(step) = steps.get(current) else {
        return finish_promotion(ctx, project, &stage, &freight, &name, set_status).await;
    };
    let key = format!("{uid}/{current}");
    if metadata.len() <= current {
        metadata.push(json!({"alias": step.get("as").cloned().unwrap_or_else(|| json!(format!("step-{current}"))), "startedAt": now(), "status": "Running"}));
        timers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .restart(&key);
        return set_status(json!({"stepExecutionMetadata": metadata, "currentStep": current}))
            .await;
    }
    if !timers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .done(&key, ctx.speed, STEP_SECONDS)
    {
        return Ok(());
    }
    let config = expand(
        step.get("config").unwrap_or(&Value::Null),
        &vars,
        &stage_name,
    );
    let outcome = run_step(
        ctx,
        text(step, "/uses"),
        &config,
        &stage_name,
        &freight,
        &value,
    )
    .await;
    match outcome {
        StepOutcome::Running => Ok(()),
        StepOutcome::Done(message) => {
            metadata[current]["status"] = json!("Succeeded");
            metadata[current]["finishedAt"] = json!(now());
            if !message.is_empty() {
                metadata[current]["message"] = json!(message);
            }
            current += 1;
            timers.lock().unwrap_or_else(|e| e.into_inner()).clear(&key);
            set_status(json!({"stepExecutionMetadata": metadata, "currentStep": current})).await
        }
        StepOutcome::Failed(message) => {
            metadata[current]["status"] = json!("Errored");
            metadata[current]["finishedAt"] = json!(now());
            metadata[current]["message"] = json!(message);
            let mut status = terminal(
                "Errored",
                format!(
                    "step {current} ({}) errored: {message}",
                    text(step, "/uses")
                ),
            );
            status["stepExecutionMetadata"] = json!(metadata);
            set_status(status).await
        }
    }
}

pub(super) enum StepOutcome {
    Running,
    Done(String),
    Failed(String),
}

pub(super) async fn run_step(
    ctx: &WorldContext,
    uses: &str,
    config: &Value,
    stage: &str,
    freight: &Value,
    promotion: &Value,
) -> StepOutcome {
    let tag = text(freight, "/images/0/tag");
    let overlay = format!("demo-app/overlays/{stage}/kustomization.yaml");
    match uses {
        "git-clone" => match ctx.repos.by_url(text(config, "/repoURL")) {
            Some(_) => StepOutcome::Done(String::new()),
            None => StepOutcome::Failed(format!(
                "error cloning {}: repository not found",
                text(config, "/repoURL")
            )),
        },
        "kustomize-set-image" | "git-push" => StepOutcome::Done(String::new()),
        "git-commit" => {
            let current = match ctx.repos.custom_apps.read(&overlay) {
                Ok(Some(current)) => current,
                _ => return StepOutcome::Failed(format!("{overlay} not found")),
            };
            let Some(updated) = set_kustomize_tag(&current, tag) else {
                return StepOutcome::Failed(format!("{overlay} sets no image tag"));
            };
            if updated == current {
                return StepOutcome::Done("nothing to commit".into());
            }
            let message = format!(
                "Updated demo-app/overlays/{stage} to use new image\n\n- {}:{tag}",
                ImageRegistry::REPOSITORY
            );
            match ctx.repos.custom_apps.commit(
                &[(overlay.as_str(), Some(&updated))],
                &message,
                ("Kargo", "kargo@demo.local"),
            ) {
                Ok(id) => StepOutcome::Done(format!("committed {}", &id.to_string()[..7])),
                Err(error) => StepOutcome::Failed(error.to_string()),
            }
        }
        "argocd-update" => {
            let Some(app) = config.pointer("/apps/0") else {
                return StepOutcome::Failed("no apps configured".into());
            };
            let (app_name, app_namespace) = (
                text(app, "/name").to_string(),
                text(app, "/namespace").to_string(),
            );
            let api = ctx.api_for(Kind::Application, Some(&app_namespace));
            let Ok(Some(current)) = api.get_opt(&app_name).await else {
                return StepOutcome::Failed(format!(
                    "Argo CD Application \"{app_name}\" in namespace \"{app_namespace}\" not found"
                ));
            };
            let current = value_of(&current);
            let project = text(promotion, "/metadata/namespace");
            if text(
                &current,
                "/metadata/annotations/kargo.akuity.io~1authorized-stage",
            ) != format!("{project}:{stage}")
            {
                return StepOutcome::Failed(format!(
                    "Argo CD Application \"{app_name}\" in namespace \"{app_namespace}\" does not permit mutation by Kargo Stage {project}:{stage}"
                ));
            }
            let revision = ctx
                .repos
                .custom_apps
                .head()
                .map(|h| h.to_string())
                .unwrap_or_default();
            let synced = text(&current, "/status/operationState/phase") == "Succeeded"
                && text(&current, "/status/operationState/syncResult/revision") == revision;
            if synced {
                return StepOutcome::Done(format!(
                    "synced {app_name} to {}",
                    &revision[..revision.len().min(7)]
                ));
            }
            if current.get("operation").is_none_or(Value::is_null)
                && text(&current, "/status/operationState/phase") != "Running"
            {
                let operation = json!({"sync": {"revision": revision, "source": current.pointer("/spec/source")}, "initiatedBy": {"username": "kargo-controller", "automated": true}});
                let patch = json!({"operation": operation, "status": {"operationState": null}});
                if let Err(error) = api
                    .patch(&app_name, &PatchParams::default(), &Patch::Merge(patch))
                    .await
                {
                    return StepOutcome::Failed(error.to_string());
                }
            }
            StepOutcome::Running
        }
        other => StepOutcome::Failed(format!(
            "no promotion step runner registered for step \"{other}\""
        )),
    }
}

pub(super) async fn finish_promotion<F, Fut>(
    ctx: &WorldContext,
    project: &str,
    stage: &Value,
    freight: &Value,
    promotion: &str,
    set_status: F,
) -> Result<(), kube::Error>
where
    F: FnOnce(Value) -> Fut,
    Fut: std::future::Future<Output = Result<(), kube::Error>>,
{
    let stage_name = text(stage, "/metadata/name").to_string();
    let freight_name = text(freight, "/metadata/name").to_string();
    let warehouse = text(freight, "/origin/name");
    let mut history: Vec<Value> = stage
        .pointer("/status/freightHistory")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(previous) = history
        .first()
        .and_then(|h| h.pointer(&format!("/items/Warehouse~1{warehouse}/name")))
        .and_then(Value::as_str)
        && previous != freight_name
    {
        set_freight_stage(ctx, project, previous, "currentlyIn", &stage_name, None).await?;
    }
    history.insert(0, collection(freight, warehouse));
    history.truncate(10);
    set_freight_stage(
        ctx,
        project,
        &freight_name,
        "currentlyIn",
        &stage_name,
        Some(json!({"since": now()})),
    )
    .await?;
    let stages = ctx.api_for(Kind::Stage, Some(project));
    let last = json!({"name": promotion, "freight": {"name": freight_name, "origin": freight.get("origin")}, "finishedAt": now(), "status": {"phase": "Succeeded"}});
    stages.patch_status(&stage_name, &PatchParams::default(), &Patch::Merge(json!({"status": {"freightHistory": history, "lastPromotion": last, "freightSummary": freight_name}}))).await?;
    set_status(json!({"phase": "Succeeded", "message": "All steps completed", "finishedAt": now()}))
        .await
}
