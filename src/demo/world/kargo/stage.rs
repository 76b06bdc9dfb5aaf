//! Stage reconciliation: current Freight (bootstrapped from the overlay), health from the Argo CD
//! app and the running Rollout, verification AnalysisRuns, the reverify/abort/refresh annotations
//! and auto-promotion.

use crate::model::Kind;
use crate::model::json::str_at as text;
use kube::api::{DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use super::{GROUP, VERSION, value_of};
use crate::demo::world::analysis_run::create_analysis_run;
use crate::demo::world::context::{WorldContext, now};
use crate::demo::world::git::kustomize_tag;

use super::promotion::create_promotion;
use super::{sha1_hex, ulid};

/// The freight collection ID of one freight (SHA-1 of the sorted names joined by commas).
pub(super) fn collection(freight: &Value, warehouse: &str) -> Value {
    let name = text(freight, "/metadata/name");
    json!({"id": sha1_hex(name), "items": {format!("Warehouse/{warehouse}"): {"name": name, "origin": {"kind": "Warehouse", "name": warehouse}, "images": freight.get("images").cloned().unwrap_or_default()}}})
}

/// Sets `status.<field>.<stage>` of a Freight (`None` removes it).
pub(super) async fn set_freight_stage(
    ctx: &WorldContext,
    project: &str,
    freight: &str,
    field: &str,
    stage: &str,
    value: Option<Value>,
) -> Result<(), kube::Error> {
    let api = ctx.api_for(Kind::Freight, Some(project));
    api.patch_status(
        freight,
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {field: {stage: value}}})),
    )
    .await?;
    Ok(())
}

/// Records that `freight` was verified in `stage` now.
async fn mark_verified(
    ctx: &WorldContext,
    project: &str,
    freight: &str,
    stage: &str,
) -> Result<(), kube::Error> {
    let verified = Some(json!({"verifiedAt": now()}));
    set_freight_stage(ctx, project, freight, "verifiedIn", stage, verified).await
}

/// What a round reads about one Stage, and the Freight history it rewrites.
struct Round<'a> {
    ctx: &'a WorldContext,
    project: &'a str,
    name: String,
    value: Value,
    /// Every Freight of the project.
    freights: Vec<Value>,
    /// `spec.requestedFreight[0]`: the Warehouse and where Freight may come from.
    requested: Value,
    warehouse: String,
    history: Vec<Value>,
}

/// One round for a Stage: its history bootstrapped, its health, verification of its current
/// Freight, the reverify/abort/refresh annotations, auto-promotion, and the status if it changed.
pub(super) async fn reconcile_stage(
    ctx: &WorldContext,
    project: &str,
    stage: &DynamicObject,
    running_stages: &[String],
) -> Result<(), kube::Error> {
    let value = value_of(stage);
    let freights: Vec<Value> = ctx
        .api_for(Kind::Freight, Some(project))
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
    let mut round = Round {
        ctx,
        project,
        name: stage.metadata.name.clone().unwrap_or_default(),
        warehouse: text(&requested, "/origin/name").to_string(),
        history: value
            .pointer("/status/freightHistory")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        value,
        freights,
        requested,
    };
    if round.history.is_empty() {
        round.bootstrap().await?;
    }
    let current = round.current();
    let health = round.health(&current).await?;
    round.verify(&current, health).await?;
    let handled = round.handle_annotations(stage).await;
    let auto = auto_promotion_enabled(ctx, project, &round.name).await?;
    if auto && !running_stages.contains(&round.name) {
        round.auto_promote(&current).await?;
    }
    round
        .write_status(stage, &current, health, auto, handled)
        .await
}

impl Round<'_> {
    /// A Stage that never had Freight starts with the image its overlay already deploys.
    async fn bootstrap(&mut self) -> Result<(), kube::Error> {
        let overlay = format!("demo-app/overlays/{}/kustomization.yaml", self.name);
        let Ok(Some(text_now)) = self.ctx.repos.custom_apps.read(&overlay) else {
            return Ok(());
        };
        let Some(freight) = kustomize_tag(&text_now).and_then(|tag| {
            self.freights
                .iter()
                .find(|f| text(f, "/images/0/tag") == tag)
        }) else {
            return Ok(());
        };
        let mut entry = collection(freight, &self.warehouse);
        entry["verificationHistory"] = json!([{"id": ulid(), "phase": "Successful", "startTime": now(), "finishTime": now(), "message": "verified before the demo started"}]);
        self.history.push(entry);
        let freight_name = text(freight, "/metadata/name").to_string();
        let since = Some(json!({"since": now()}));
        set_freight_stage(
            self.ctx,
            self.project,
            &freight_name,
            "currentlyIn",
            &self.name,
            since,
        )
        .await?;
        mark_verified(self.ctx, self.project, &freight_name, &self.name).await
    }

    /// The name of the Stage's current Freight (empty if none).
    fn current(&self) -> String {
        self.history
            .first()
            .and_then(|h| h.pointer(&format!("/items/Warehouse~1{}/name", self.warehouse)))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    /// Health from the Stage's Argo CD Application — and Healthy only once the Freight's image
    /// runs and is healthy (the app can still report the previous sync just after a promotion).
    async fn health(&self, current: &str) -> Result<&'static str, kube::Error> {
        let app = self
            .ctx
            .api_for(Kind::Application, Some("argocd"))
            .get_opt(&format!("demo-app-{}", self.name))
            .await?;
        let app_health = app
            .as_ref()
            .map(|a| text(&a.data, "/status/health/status").to_string())
            .unwrap_or_default();
        let current_tag = self
            .freights
            .iter()
            .find(|f| text(f, "/metadata/name") == current)
            .map(|f| text(f, "/images/0/tag").to_string())
            .unwrap_or_default();
        let rollout = self
            .ctx
            .api_for(Kind::Rollout, Some(&format!("demo-app-{}", self.name)))
            .get_opt("demo-app")
            .await?;
        let running_current = rollout.as_ref().is_some_and(|r| {
            text(&r.data, "/status/phase") == "Healthy"
                && text(&r.data, "/spec/template/spec/containers/0/image")
                    .ends_with(&format!(":{current_tag}"))
        });
        Ok(match app_health.as_str() {
            "Healthy" if running_current => "Healthy",
            "Healthy" | "Progressing" | "Suspended" => "Progressing",
            "" => "Unknown",
            _ => "Unhealthy",
        })
    }

    /// Verification of the current Freight once the Stage is healthy: started (an AnalysisRun
    /// from the Stage's templates, or at once without templates), then followed to its end.
    async fn verify(&mut self, current: &str, health: &str) -> Result<(), kube::Error> {
        let (ctx, project) = (self.ctx, self.project);
        let templates: Vec<Value> = self
            .value
            .pointer("/spec/verification/analysisTemplates")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(entry) = self.history.first_mut() else {
            return Ok(());
        };
        match entry.pointer("/verificationHistory/0").cloned() {
            None if health == "Healthy" && !current.is_empty() => {
                let record = if templates.is_empty() {
                    mark_verified(ctx, project, current, &self.name).await?;
                    json!({"id": ulid(), "phase": "Successful", "startTime": now(), "finishTime": now()})
                } else {
                    let run =
                        start_verification(ctx, project, &self.name, entry, &templates).await?;
                    json!({"id": ulid(), "phase": "Running", "startTime": now(), "actor": "kargo-controller", "analysisRun": {"name": run, "namespace": project}})
                };
                entry["verificationHistory"] = json!([record]);
            }
            Some(mut record) if text(&record, "/phase") == "Running" => {
                let run_name = text(&record, "/analysisRun/name").to_string();
                let run = ctx
                    .api_for(Kind::AnalysisRun, Some(project))
                    .get_opt(&run_name)
                    .await?;
                let run_phase = run
                    .as_ref()
                    .map(|r| text(&r.data, "/status/phase").to_string())
                    .unwrap_or_else(|| "Error".into());
                if !matches!(
                    run_phase.as_str(),
                    "Successful" | "Failed" | "Error" | "Inconclusive"
                ) {
                    return Ok(());
                }
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
                    mark_verified(ctx, project, current, &self.name).await?;
                }
                entry["verificationHistory"][0] = record;
            }
            _ => {}
        }
        Ok(())
    }

    /// The reverify and abort annotations (matched by verification id) act on the current
    /// verification; returns the refresh token handled (`status.lastHandledRefresh`).
    async fn handle_annotations(&mut self, stage: &DynamicObject) -> String {
        let annotations = stage.metadata.annotations.clone().unwrap_or_default();
        let mut handled = text(&self.value, "/status/lastHandledRefresh").to_string();
        if let Some(entry) = self.history.first_mut() {
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
                let _ = self
                    .ctx
                    .api_for(Kind::AnalysisRun, Some(self.project))
                    .patch(
                        &run,
                        &PatchParams::default(),
                        &Patch::Merge(json!({"spec": {"terminate": true}})),
                    )
                    .await;
                let record = &mut entry["verificationHistory"][0];
                record["phase"] = json!("Aborted");
                record["finishTime"] = json!(now());
                record["message"] = json!("Verification aborted by user");
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
        handled
    }

    /// Auto-promotion (ProjectConfig): a Promotion of the newest available Freight, unless one
    /// exists already.
    async fn auto_promote(&self, current: &str) -> Result<(), kube::Error> {
        let candidate = self
            .freights
            .iter()
            .filter(|f| {
                text(f, "/origin/name") == self.warehouse
                    && available(f, &self.requested, &self.name)
            })
            .max_by_key(|f| {
                self.ctx
                    .registry
                    .tags()
                    .iter()
                    .position(|(t, _)| t == text(f, "/images/0/tag"))
                    .unwrap_or(0)
            });
        let Some(candidate) = candidate else {
            return Ok(());
        };
        let candidate_name = text(candidate, "/metadata/name");
        if candidate_name == current {
            return Ok(());
        }
        let already = self
            .ctx
            .api_for(Kind::Promotion, Some(self.project))
            .list(&Default::default())
            .await?
            .items
            .iter()
            .any(|p| {
                text(&p.data, "/spec/stage") == self.name
                    && text(&p.data, "/spec/freight") == candidate_name
            });
        if !already {
            create_promotion(self.ctx, self.project, &self.value, candidate_name).await?;
        }
        Ok(())
    }

    /// Writes the status (and its Ready / Healthy / Verified conditions) when it changed.
    async fn write_status(
        mut self,
        stage: &DynamicObject,
        current: &str,
        health: &str,
        auto: bool,
        handled: String,
    ) -> Result<(), kube::Error> {
        let verified = self
            .history
            .first()
            .is_some_and(|h| text(h, "/verificationHistory/0/phase") == "Successful");
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
        self.history.truncate(10);
        let status = json!({
            "freightHistory": self.history,
            "freightSummary": current,
            "health": {"status": health},
            "autoPromotionEnabled": auto,
            "lastHandledRefresh": if handled.is_empty() { Value::Null } else { json!(handled) },
            "observedGeneration": stage.metadata.generation.unwrap_or(1),
        });
        let old_status = self.value.get("status").cloned().unwrap_or_default();
        let types_and_states = |conditions: &Value| {
            conditions
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| (text(c, "/type").to_string(), text(c, "/status").to_string()))
                .collect::<Vec<_>>()
        };
        let same_conditions = old_status.get("conditions").is_some_and(|old| {
            old.is_array() && types_and_states(old) == types_and_states(&conditions)
        });
        if crate::demo::world::argocd::contains(&old_status, &status) && same_conditions {
            return Ok(());
        }
        let mut status = status;
        status["conditions"] = conditions;
        self.ctx
            .api_for(Kind::Stage, Some(self.project))
            .patch_status(
                &self.name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": status})),
            )
            .await?;
        Ok(())
    }
}

/// Whether Freight can go to `stage` (directly, approved, or verified upstream).
pub(super) fn available(freight: &Value, requested: &Value, stage: &str) -> bool {
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

pub(super) async fn auto_promotion_enabled(
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

/// Starts the Stage's verification: an AnalysisRun from its templates, named and labelled as
/// Kargo does. Returns the run's name.
pub(super) async fn start_verification(
    ctx: &WorldContext,
    project: &str,
    stage: &str,
    entry: &Value,
    templates: &[Value],
) -> Result<String, kube::Error> {
    let id = text(entry, "/id");
    let name = format!("{stage}.{}.{}", ulid(), &id[..id.len().min(7)]);
    let metadata = json!({"name": name, "namespace": project,
        "labels": {"kargo.akuity.io/stage": stage, "kargo.akuity.io/freight-collection": id}});
    let templates: Vec<&str> = templates.iter().map(|t| text(t, "/name")).collect();
    create_analysis_run(ctx, metadata, &templates, json!([])).await?;
    Ok(name)
}
