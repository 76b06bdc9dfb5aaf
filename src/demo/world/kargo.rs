//! Simulated Kargo controllers (v1 shapes). The Warehouse turns each image in the registry into
//! Freight (name = SHA-1 of origin and artifacts, a random adjective-animal alias); Stages track
//! their current Freight (`status.freightHistory`), health (from their Argo CD app) and
//! verification (AnalysisRuns from `spec.verification`, → Freight `verifiedIn`); dev
//! auto-promotes (ProjectConfig); Promotions — made by the world or by anyone through the API —
//! run their steps (git-clone, kustomize-set-image, git-commit, git-push, argocd-update) with a
//! real commit to the stage's overlay, and honour the abort, reverify and refresh annotations.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::model::json::str_at as text;
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use rand::Rng;
use serde_json::{Value, json};
use sha1::Digest;

use super::context::{ImageRegistry, WorldContext, image_digest, now};
use super::driver;
use super::git::{kustomize_tag, set_kustomize_tag};
use super::timers::Timers;

const GROUP: &str = "kargo.akuity.io";
const VERSION: &str = "v1alpha1";
/// World seconds each promotion step takes.
const STEP_SECONDS: f64 = 2.0;

fn sha1_hex(text: &str) -> String {
    sha1::Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Kargo's Freight ID for one image from a Warehouse.
pub fn freight_name(warehouse: &str, tag: &str) -> String {
    sha1_hex(&format!(
        "Warehouse/{warehouse}:{}:{tag}@{}",
        ImageRegistry::REPOSITORY,
        image_digest(tag)
    ))
}

/// A lowercase ULID (time-ordered), as Kargo names Promotions and verification runs.
pub fn ulid() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let random: u128 = rand::thread_rng().r#gen::<u128>() & ((1u128 << 80) - 1);
    let value = (millis << 80) | random;
    (0..26)
        .rev()
        .map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// An adjective-animal alias chosen from `seed`.
fn alias(seed: &str, taken: &[String]) -> String {
    const ADJECTIVES: &[&str] = &[
        "mighty", "wonky", "sleepy", "brave", "clever", "fuzzy", "jolly", "nimble", "quiet",
        "rusty", "shiny", "witty",
    ];
    const ANIMALS: &[&str] = &[
        "fox", "wombat", "otter", "heron", "lynx", "badger", "gecko", "koala", "puffin", "tapir",
        "yak", "zebra",
    ];
    let hash = u64::from_str_radix(&sha1_hex(seed)[..12], 16).unwrap_or(0);
    (0..)
        .map(|n| {
            let pick = hash.wrapping_add(n * 7919);
            let candidate = format!(
                "{}-{}",
                ADJECTIVES[(pick % 12) as usize],
                ANIMALS[(pick / 12 % 12) as usize]
            );
            if n < 144 {
                candidate
            } else {
                format!("{candidate}-{n}")
            }
        })
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_default()
}

fn value_of(object: &DynamicObject) -> Value {
    serde_json::to_value(object).unwrap_or_default()
}

pub async fn run(ctx: WorldContext) {
    let apis = ["warehouses", "stages", "freights", "promotions", "projects"].map(|plural| {
        let kind = match plural {
            "warehouses" => "Warehouse",
            "stages" => "Stage",
            "freights" => "Freight",
            "promotions" => "Promotion",
            _ => "Project",
        };
        ctx.api(GROUP, VERSION, kind, plural, None)
    });
    let watched = vec![
        apis[0].clone(),
        apis[1].clone(),
        apis[2].clone(),
        apis[3].clone(),
        ctx.api(
            "argoproj.io",
            "v1alpha1",
            "AnalysisRun",
            "analysisruns",
            None,
        ),
    ];
    let timers = Arc::new(Mutex::new(Timers::default()));
    driver::run("kargo", watched, driver::TICK, || {
        let ctx = ctx.clone();
        let timers = timers.clone();
        async move {
            for project in ctx.api(GROUP, VERSION, "Project", "projects", None).list(&Default::default()).await?.items {
                let name = project.metadata.name.clone().unwrap_or_default();
                if project.data.pointer("/status/conditions").is_none() {
                    let conditions = json!([{"type": "Ready", "status": "True", "reason": "Ready", "message": "", "lastTransitionTime": now()}]);
                    ctx.api(GROUP, VERSION, "Project", "projects", None).patch_status(&name, &PatchParams::default(), &Patch::Merge(json!({"status": {"conditions": conditions}}))).await?;
                }
                if let Err(error) = reconcile_project(&ctx, &timers, &name).await {
                    tracing::debug!(%error, project = name, "kargo reconcile failed");
                }
            }
            Ok(())
        }
    })
    .await;
}

async fn reconcile_project(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    project: &str,
) -> Result<(), kube::Error> {
    let warehouses = ctx.api(GROUP, VERSION, "Warehouse", "warehouses", Some(project));
    for warehouse in warehouses.list(&Default::default()).await?.items {
        discover(ctx, project, &warehouse).await?;
    }
    let promotions = ctx.api(GROUP, VERSION, "Promotion", "promotions", Some(project));
    let mut running_stages: Vec<String> = Vec::new();
    let mut list = promotions.list(&Default::default()).await?.items;
    list.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    for promotion in &list {
        let stage = text(&promotion.data, "/spec/stage").to_string();
        let phase = text(&promotion.data, "/status/phase").to_string();
        if matches!(
            phase.as_str(),
            "Succeeded" | "Failed" | "Errored" | "Aborted"
        ) {
            continue;
        }
        // One promotion per stage at a time, oldest first.
        if running_stages.contains(&stage) {
            continue;
        }
        running_stages.push(stage);
        advance_promotion(ctx, timers, project, promotion).await?;
    }
    let stages = ctx.api(GROUP, VERSION, "Stage", "stages", Some(project));
    for stage in stages.list(&Default::default()).await?.items {
        reconcile_stage(ctx, project, &stage, &running_stages).await?;
    }
    Ok(())
}

/// Creates Freight for every image the registry has that the Warehouse has not seen.
async fn discover(
    ctx: &WorldContext,
    project: &str,
    warehouse: &DynamicObject,
) -> Result<(), kube::Error> {
    let name = warehouse.metadata.name.clone().unwrap_or_default();
    let value = value_of(warehouse);
    let subscribed = value
        .pointer("/spec/subscriptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|s| text(s, "/image/repoURL") == ImageRegistry::REPOSITORY);
    if !subscribed {
        return Ok(());
    }
    let freights = ctx.api(GROUP, VERSION, "Freight", "freights", Some(project));
    let existing = freights.list(&Default::default()).await?.items;
    let mut aliases: Vec<String> = existing
        .iter()
        .filter_map(|f| {
            f.data
                .get("alias")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    let mut last = text(&value, "/status/lastFreightID").to_string();
    let tags = ctx.registry.tags();
    for (tag, _) in &tags {
        let freight = freight_name(&name, tag);
        if existing
            .iter()
            .any(|f| f.metadata.name.as_deref() == Some(freight.as_str()))
        {
            continue;
        }
        let alias = alias(&freight, &aliases);
        aliases.push(alias.clone());
        let object = json!({
            "apiVersion": format!("{GROUP}/{VERSION}"), "kind": "Freight",
            "metadata": {"name": freight, "namespace": project, "labels": {"kargo.akuity.io/alias": alias}},
            "alias": alias,
            "origin": {"kind": "Warehouse", "name": name},
            "images": [{"repoURL": ImageRegistry::REPOSITORY, "tag": tag, "digest": image_digest(tag)}],
        });
        let object: DynamicObject =
            serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
        match freights.create(&PostParams::default(), &object).await {
            Ok(_) | Err(kube::Error::Api(_)) => {}
            Err(error) => return Err(error),
        }
        last = freight;
    }
    let references: Vec<Value> = tags
        .iter()
        .rev()
        .map(|(tag, _)| json!({"tag": tag, "digest": image_digest(tag)}))
        .collect();
    let status = json!({
        "conditions": [{"type": "Ready", "status": "True", "reason": "Ready", "message": "", "lastTransitionTime": text(&value, "/status/conditions/0/lastTransitionTime").is_empty().then(now).unwrap_or_else(|| text(&value, "/status/conditions/0/lastTransitionTime").to_string())}],
        "lastFreightID": last,
        "observedGeneration": warehouse.metadata.generation.unwrap_or(1),
        "discoveredArtifacts": {"images": [{"repoURL": ImageRegistry::REPOSITORY, "references": references}]},
    });
    if !value
        .get("status")
        .is_some_and(|s| super::argocd::contains(s, &status))
    {
        ctx.api(GROUP, VERSION, "Warehouse", "warehouses", Some(project))
            .patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": status})),
            )
            .await?;
    }
    Ok(())
}

/// The freight collection ID of one freight (SHA-1 of the sorted names joined by commas).
fn collection(freight: &Value, warehouse: &str) -> Value {
    let name = text(freight, "/metadata/name");
    json!({"id": sha1_hex(name), "items": {format!("Warehouse/{warehouse}"): {"name": name, "origin": {"kind": "Warehouse", "name": warehouse}, "images": freight.get("images").cloned().unwrap_or_default()}}})
}

/// Sets `status.<field>.<stage>` of a Freight (`None` removes it).
async fn set_freight_stage(
    ctx: &WorldContext,
    project: &str,
    freight: &str,
    field: &str,
    stage: &str,
    value: Option<Value>,
) -> Result<(), kube::Error> {
    let api = ctx.api(GROUP, VERSION, "Freight", "freights", Some(project));
    api.patch_status(
        freight,
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {field: {stage: value}}})),
    )
    .await?;
    Ok(())
}

async fn reconcile_stage(
    ctx: &WorldContext,
    project: &str,
    stage: &DynamicObject,
    running_stages: &[String],
) -> Result<(), kube::Error> {
    let name = stage.metadata.name.clone().unwrap_or_default();
    let value = value_of(stage);
    let api = ctx.api(GROUP, VERSION, "Stage", "stages", Some(project));
    let freights_api = ctx.api(GROUP, VERSION, "Freight", "freights", Some(project));
    let freights: Vec<Value> = freights_api
        .list(&Default::default())
        .await?
        .items
        .iter()
        .map(value_of)
        .collect();
    let requested = value
        .pointer("/spec/requestedFreight/0")
        .cloned()
        .unwrap_or_default();
    let warehouse = text(&requested, "/origin/name").to_string();
    let mut history: Vec<Value> = value
        .pointer("/status/freightHistory")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let overlay = format!("demo-app/overlays/{name}/kustomization.yaml");

    // A Stage that never had Freight starts with the image its overlay already deploys.
    if history.is_empty()
        && let Ok(Some(text_now)) = ctx.repos.custom_apps.read(&overlay)
        && let Some(tag) = kustomize_tag(&text_now)
        && let Some(freight) = freights.iter().find(|f| text(f, "/images/0/tag") == tag)
    {
        let mut entry = collection(freight, &warehouse);
        entry["verificationHistory"] = json!([{"id": ulid(), "phase": "Successful", "startTime": now(), "finishTime": now(), "message": "verified before the demo started"}]);
        history.push(entry);
        let freight_name = text(freight, "/metadata/name").to_string();
        set_freight_stage(
            ctx,
            project,
            &freight_name,
            "currentlyIn",
            &name,
            Some(json!({"since": now()})),
        )
        .await?;
        set_freight_stage(
            ctx,
            project,
            &freight_name,
            "verifiedIn",
            &name,
            Some(json!({"verifiedAt": now()})),
        )
        .await?;
    }
    let current = history
        .first()
        .and_then(|h| h.pointer(&format!("/items/Warehouse~1{warehouse}/name")))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();

    // Health from the stage's Argo CD Application.
    let app = ctx
        .api(
            "argoproj.io",
            "v1alpha1",
            "Application",
            "applications",
            Some("argocd"),
        )
        .get_opt(&format!("demo-app-{name}"))
        .await?;
    let app_health = app
        .as_ref()
        .map(|a| text(&a.data, "/status/health/status").to_string())
        .unwrap_or_default();
    // Healthy means the Freight's image runs and is healthy, not only that the app says so (it
    // can still report the previous sync for a moment after a promotion).
    let current_tag = freights
        .iter()
        .find(|f| text(f, "/metadata/name") == current)
        .map(|f| text(f, "/images/0/tag").to_string())
        .unwrap_or_default();
    let rollout = ctx
        .api(
            "argoproj.io",
            "v1alpha1",
            "Rollout",
            "rollouts",
            Some(&format!("demo-app-{name}")),
        )
        .get_opt("demo-app")
        .await?;
    let running_current = rollout.as_ref().is_some_and(|r| {
        text(&r.data, "/status/phase") == "Healthy"
            && text(&r.data, "/spec/template/spec/containers/0/image")
                .ends_with(&format!(":{current_tag}"))
    });
    let health = match app_health.as_str() {
        "Healthy" if running_current => "Healthy",
        "Healthy" | "Progressing" | "Suspended" => "Progressing",
        "" => "Unknown",
        _ => "Unhealthy",
    };

    // Verification of the current Freight once the stage is healthy.
    if let Some(entry) = history.first_mut() {
        let verification = entry.pointer("/verificationHistory/0").cloned();
        let templates: Vec<Value> = value
            .pointer("/spec/verification/analysisTemplates")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        match verification {
            None if health == "Healthy" && !current.is_empty() => {
                let record = if templates.is_empty() {
                    set_freight_stage(
                        ctx,
                        project,
                        &current,
                        "verifiedIn",
                        &name,
                        Some(json!({"verifiedAt": now()})),
                    )
                    .await?;
                    json!({"id": ulid(), "phase": "Successful", "startTime": now(), "finishTime": now()})
                } else {
                    let run = start_verification(ctx, project, &name, entry, &templates).await?;
                    json!({"id": ulid(), "phase": "Running", "startTime": now(), "actor": "kargo-controller", "analysisRun": {"name": run, "namespace": project}})
                };
                entry["verificationHistory"] = json!([record]);
            }
            Some(record) if text(&record, "/phase") == "Running" => {
                let run_name = text(&record, "/analysisRun/name").to_string();
                let run = ctx
                    .api(
                        "argoproj.io",
                        "v1alpha1",
                        "AnalysisRun",
                        "analysisruns",
                        Some(project),
                    )
                    .get_opt(&run_name)
                    .await?;
                let run_phase = run
                    .as_ref()
                    .map(|r| text(&r.data, "/status/phase").to_string())
                    .unwrap_or_else(|| "Error".into());
                if matches!(
                    run_phase.as_str(),
                    "Successful" | "Failed" | "Error" | "Inconclusive"
                ) {
                    let mut record = record.clone();
                    record["phase"] = json!(run_phase);
                    record["finishTime"] = json!(now());
                    record["analysisRun"]["phase"] = json!(run_phase);
                    if let Some(message) = run
                        .as_ref()
                        .and_then(|r| r.data.pointer("/status/message"))
                        .and_then(Value::as_str)
                    {
                        record["message"] = json!(message);
                    }
                    if run_phase == "Successful" {
                        set_freight_stage(
                            ctx,
                            project,
                            &current,
                            "verifiedIn",
                            &name,
                            Some(json!({"verifiedAt": now()})),
                        )
                        .await?;
                    }
                    entry["verificationHistory"][0] = record;
                }
            }
            _ => {}
        }
    }

    // Annotations: reverify and abort (matched by verification id), refresh.
    let annotations = stage.metadata.annotations.clone().unwrap_or_default();
    let mut handled = value
        .pointer("/status/lastHandledRefresh")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(entry) = history.first_mut() {
        let id = text(entry, "/verificationHistory/0/id").to_string();
        let wants = |key: &str| {
            annotations.get(key).is_some_and(|v| {
                v == &id
                    || serde_json::from_str::<Value>(v)
                        .ok()
                        .is_some_and(|j| text(&j, "/id") == id)
            })
        };
        let phase = text(entry, "/verificationHistory/0/phase").to_string();
        if !id.is_empty() && wants("kargo.akuity.io/abort") && phase == "Running" {
            let run = text(entry, "/verificationHistory/0/analysisRun/name").to_string();
            let _ = ctx
                .api(
                    "argoproj.io",
                    "v1alpha1",
                    "AnalysisRun",
                    "analysisruns",
                    Some(project),
                )
                .patch(
                    &run,
                    &PatchParams::default(),
                    &Patch::Merge(json!({"spec": {"terminate": true}})),
                )
                .await;
            entry["verificationHistory"][0]["phase"] = json!("Aborted");
            entry["verificationHistory"][0]["finishTime"] = json!(now());
            entry["verificationHistory"][0]["message"] = json!("Verification aborted by user");
        } else if !id.is_empty() && wants("kargo.akuity.io/reverify") && phase != "Running" {
            // A new verification starts on the next round.
            if let Some(list) = entry
                .get_mut("verificationHistory")
                .and_then(Value::as_array_mut)
            {
                list.clear();
            }
        }
    }
    if let Some(refresh) = annotations.get("kargo.akuity.io/refresh") {
        handled = refresh.clone();
    }

    // Auto-promotion (ProjectConfig) of the newest available Freight.
    let auto = auto_promotion_enabled(ctx, project, &name).await?;
    if auto && !running_stages.contains(&name) {
        let candidate = freights
            .iter()
            .filter(|f| text(f, "/origin/name") == warehouse && available(f, &requested, &name))
            .max_by_key(|f| {
                ctx.registry
                    .tags()
                    .iter()
                    .position(|(t, _)| t == text(f, "/images/0/tag"))
                    .unwrap_or(0)
            });
        if let Some(candidate) = candidate {
            let candidate_name = text(candidate, "/metadata/name").to_string();
            let promotions = ctx.api(GROUP, VERSION, "Promotion", "promotions", Some(project));
            let already = promotions
                .list(&Default::default())
                .await?
                .items
                .iter()
                .any(|p| {
                    text(&p.data, "/spec/stage") == name
                        && text(&p.data, "/spec/freight") == candidate_name
                });
            if candidate_name != current && !already {
                create_promotion(ctx, project, &value, &candidate_name).await?;
            }
        }
    }

    let verified = history
        .first()
        .map(|h| text(h, "/verificationHistory/0/phase") == "Successful")
        .unwrap_or(false);
    let condition = |kind: &str, ok: bool, reason: &str| json!({"type": kind, "status": if ok { "True" } else { "False" }, "reason": reason, "message": "", "lastTransitionTime": now()});
    let conditions = json!([
        condition(
            "Ready",
            health == "Healthy" && verified,
            if verified { "Verified" } else { "Verifying" }
        ),
        condition("Healthy", health == "Healthy", health),
        condition(
            "Verified",
            verified,
            if verified { "Verified" } else { "NotVerified" }
        ),
    ]);
    history.truncate(10);
    let status = json!({
        "freightHistory": history,
        "freightSummary": current,
        "health": {"status": health},
        "autoPromotionEnabled": auto,
        "lastHandledRefresh": if handled.is_empty() { Value::Null } else { json!(handled) },
        "observedGeneration": stage.metadata.generation.unwrap_or(1),
    });
    let old_status = value.get("status").cloned().unwrap_or_default();
    let same_conditions = old_status
        .get("conditions")
        .and_then(Value::as_array)
        .is_some_and(|old| {
            old.iter()
                .map(|c| (text(c, "/type").to_string(), text(c, "/status").to_string()))
                .collect::<Vec<_>>()
                == conditions
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| (text(c, "/type").to_string(), text(c, "/status").to_string()))
                    .collect::<Vec<_>>()
        });
    if !super::argocd::contains(&old_status, &status) || !same_conditions {
        let mut status = status;
        status["conditions"] = conditions;
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": status})),
        )
        .await?;
    }
    Ok(())
}

/// Whether Freight can go to `stage` (directly, approved, or verified upstream).
fn available(freight: &Value, requested: &Value, stage: &str) -> bool {
    if freight
        .pointer(&format!("/status/approvedFor/{stage}"))
        .is_some()
        || requested
            .pointer("/sources/direct")
            .and_then(Value::as_bool)
            == Some(true)
    {
        return true;
    }
    let upstream: Vec<&str> = requested
        .pointer("/sources/stages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let verified = |s: &&str| {
        freight
            .pointer(&format!("/status/verifiedIn/{s}"))
            .is_some()
    };
    match text(requested, "/sources/availabilityStrategy") {
        "OneOf" => upstream.iter().any(verified),
        _ => !upstream.is_empty() && upstream.iter().all(verified),
    }
}

async fn auto_promotion_enabled(
    ctx: &WorldContext,
    project: &str,
    stage: &str,
) -> Result<bool, kube::Error> {
    let configs = ctx.api(
        GROUP,
        VERSION,
        "ProjectConfig",
        "projectconfigs",
        Some(project),
    );
    let Some(config) = configs.get_opt(project).await? else {
        return Ok(false);
    };
    Ok(config
        .data
        .pointer("/spec/promotionPolicies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|p| {
            text(p, "/stage") == stage
                && p.get("autoPromotionEnabled").and_then(Value::as_bool) == Some(true)
        }))
}

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
    ctx.api(GROUP, VERSION, "Promotion", "promotions", Some(project))
        .create(&PostParams::default(), &object)
        .await?;
    Ok(())
}

/// Starts the Stage's verification: an AnalysisRun from its templates, named and labelled as
/// Kargo does. Returns the run's name.
async fn start_verification(
    ctx: &WorldContext,
    project: &str,
    stage: &str,
    entry: &Value,
    templates: &[Value],
) -> Result<String, kube::Error> {
    let templates_api = ctx.api(
        "argoproj.io",
        "v1alpha1",
        "AnalysisTemplate",
        "analysistemplates",
        Some(project),
    );
    let mut metrics = Vec::new();
    for template in templates {
        if let Some(found) = templates_api.get_opt(text(template, "/name")).await? {
            metrics.extend(
                found
                    .data
                    .pointer("/spec/metrics")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
        }
    }
    let id = text(entry, "/id");
    let name = format!("{stage}.{}.{}", ulid(), &id[..id.len().min(7)]);
    let object = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": name, "namespace": project, "labels": {"kargo.akuity.io/stage": stage, "kargo.akuity.io/freight-collection": id}},
        "spec": {"metrics": metrics, "args": []},
    });
    let object: DynamicObject = serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
    ctx.api(
        "argoproj.io",
        "v1alpha1",
        "AnalysisRun",
        "analysisruns",
        Some(project),
    )
    .create(&PostParams::default(), &object)
    .await?;
    Ok(name)
}

/// Replaces `${{ vars.X }}` and `${{ ctx.stage }}` in a step's config.
fn expand(value: &Value, vars: &BTreeMap<String, String>, stage: &str) -> Value {
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

async fn advance_promotion(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    project: &str,
    promotion: &DynamicObject,
) -> Result<(), kube::Error> {
    let name = promotion.metadata.name.clone().unwrap_or_default();
    let uid = promotion.metadata.uid.clone().unwrap_or_default();
    let value = value_of(promotion);
    let api = ctx.api(GROUP, VERSION, "Promotion", "promotions", Some(project));
    let stage_name = text(&value, "/spec/stage").to_string();
    let freight_name = text(&value, "/spec/freight").to_string();
    let set_status = |status: Value| {
        let api = api.clone();
        let name = name.clone();
        async move {
            api.patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": status})),
            )
            .await
            .map(|_| ())
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
        .api(GROUP, VERSION, "Freight", "freights", Some(project))
        .get_opt(&freight_name)
        .await?;
    let stage = ctx
        .api(GROUP, VERSION, "Stage", "stages", Some(project))
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

enum StepOutcome {
    Running,
    Done(String),
    Failed(String),
}

async fn run_step(
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
            let api = ctx.api(
                "argoproj.io",
                "v1alpha1",
                "Application",
                "applications",
                Some(&app_namespace),
            );
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

async fn finish_promotion<F, Fut>(
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
    let stages = ctx.api(GROUP, VERSION, "Stage", "stages", Some(project));
    let last = json!({"name": promotion, "freight": {"name": freight_name, "origin": freight.get("origin")}, "finishedAt": now(), "status": {"phase": "Succeeded"}});
    stages.patch_status(&stage_name, &PatchParams::default(), &Patch::Merge(json!({"status": {"freightHistory": history, "lastPromotion": last, "freightSummary": freight_name}}))).await?;
    set_status(json!({"phase": "Succeeded", "message": "All steps completed", "finishedAt": now()}))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_expansion() {
        assert_eq!(freight_name("w", "t").len(), 40);
        assert_eq!(freight_name("w", "t"), freight_name("w", "t"));
        let id = ulid();
        assert_eq!(id.len(), 26);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        let first = alias("abc", &[]);
        assert!(first.contains('-'));
        assert_ne!(alias("abc", std::slice::from_ref(&first)), first);
        let vars = BTreeMap::from([("gitRepo".to_string(), "http://x/repo.git".to_string())]);
        assert_eq!(
            expand(
                &json!({"repoURL": "${{ vars.gitRepo }}", "path": "./src/overlays/${{ ctx.stage }}"}),
                &vars,
                "dev"
            ),
            json!({"repoURL": "http://x/repo.git", "path": "./src/overlays/dev"})
        );
        let requested = json!({"sources": {"stages": ["dev"]}});
        assert!(available(
            &json!({"status": {"verifiedIn": {"dev": {}}}}),
            &requested,
            "staging"
        ));
        assert!(!available(&json!({"status": {}}), &requested, "staging"));
        assert!(available(
            &json!({"status": {"approvedFor": {"staging": {}}}}),
            &requested,
            "staging"
        ));
    }
}
