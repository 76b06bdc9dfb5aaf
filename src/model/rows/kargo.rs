//! Kargo rows: Warehouses (what they subscribe to, the last Freight, readiness), Freight (alias,
//! image tag, where it is, verified or approved), Stages (current Freight, health, verification,
//! auto-promotion) and Promotions (stage, freight, phase, step).

use crate::model::json::At;
use serde_json::Value;

use crate::model::Labels;
use crate::model::freight_availability::{
    Availability, FreightRecord, FreightRequest, availability,
};
use crate::model::image::ImageRef;
use crate::model::json::{integer, label, str_at, string, text, time};
use crate::model::key::ObjectKey;
use crate::model::phase::PromotionPhase;

use super::readiness::Readiness;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WarehouseRow {
    pub key: ObjectKey,
    pub labels: Labels,
    /// One line per subscription: "image localhost:30087/demo-app", "git https://…".
    pub subscriptions: Vec<String>,
    /// `Automatic` or `Manual` freight creation.
    pub freight_creation: String,
    pub last_freight: Option<String>,
    pub readiness: Readiness,
}

impl WarehouseRow {
    pub fn from_object(object: &Value) -> Self {
        let subscriptions = object
            .at("/spec/subscriptions")
            .and_then(Value::as_array)
            .map(|subscriptions| {
                subscriptions
                    .iter()
                    .filter_map(Value::as_object)
                    .flat_map(|subscription| {
                        subscription.iter().map(|(kind, source)| {
                            let url = source.get("repoURL").and_then(Value::as_str).unwrap_or("?");
                            format!("{kind} {url}")
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            subscriptions,
            freight_creation: text(object, "/spec/freightCreationPolicy")
                .unwrap_or("Automatic")
                .to_string(),
            last_freight: text(object, "/status/lastFreightID")
                .filter(|id| !id.is_empty())
                .map(str::to_string),
            readiness: Readiness::of(object),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FreightRow {
    pub key: ObjectKey,
    pub labels: Labels,
    pub alias: String,
    pub image_tag: String,
    /// The image repository of its first image (`images[0].repoURL`).
    pub image_repository: String,
    /// Every image it carries as `repository:tag` and `repository@digest` (those it has): what
    /// a running image is matched against.
    pub image_keys: Vec<String>,
    pub warehouse: String,
    pub created: Option<i64>,
    /// Where it is, was verified and is approved (with soak times), for availability.
    pub record: FreightRecord,
}

impl FreightRow {
    pub fn from_object(object: &Value) -> Self {
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            alias: text(object, "/alias")
                .or_else(|| label(object, "kargo.akuity.io/alias"))
                .unwrap_or_default()
                .to_string(),
            image_tag: string(object, "/images/0/tag"),
            image_repository: string(object, "/images/0/repoURL"),
            image_keys: image_keys(object),
            warehouse: string(object, "/origin/name"),
            created: time(object, "/metadata/creationTimestamp"),
            record: FreightRecord::of_freight(object),
        }
    }

    /// The alias, or the first 7 characters of the name.
    pub fn label(&self) -> String {
        if self.alias.is_empty() {
            self.key.name.chars().take(7).collect()
        } else {
            self.alias.clone()
        }
    }
}

/// The index keys of a Freight's images (`images[].repoURL`, `tag`, `digest`).
fn image_keys(object: &Value) -> Vec<String> {
    let images = object.get("images").and_then(Value::as_array);
    images
        .into_iter()
        .flatten()
        .flat_map(|image| {
            let part = |name| str_at(image, name);
            let image = ImageRef {
                repository: part("/repoURL"),
                tag: part("/tag"),
                digest: part("/digest"),
            };
            image.keys().collect::<Vec<_>>()
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StageRow {
    pub key: ObjectKey,
    pub labels: Labels,
    /// Name of the current Freight.
    pub current_freight: Option<String>,
    /// `status.health.status` (Healthy, Unhealthy, Progressing, Unknown, NotApplicable).
    pub health: String,
    /// Phase of the current verification.
    pub verification: Option<String>,
    pub auto_promotion: bool,
    /// Upstream stages it takes Freight from (empty: directly from the Warehouse).
    pub upstream: Vec<String>,
    /// `spec.requestedFreight`, for availability.
    pub requests: Vec<FreightRequest>,
    pub last_promotion: Option<String>,
}

impl StageRow {
    pub fn from_object(object: &Value) -> Self {
        let warehouse_item = object
            .at("/status/freightHistory/0/items")
            .and_then(Value::as_object)
            .and_then(|items| items.values().next())
            .and_then(|item| item.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            // Kargo 1.x: freightHistory; 0.x: currentFreight; a summary as the last resort.
            current_freight: warehouse_item
                .or_else(|| text(object, "/status/currentFreight/name").map(str::to_string))
                .or_else(|| {
                    text(object, "/status/freightSummary")
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                }),
            health: text(object, "/status/health/status")
                .unwrap_or("Unknown")
                .to_string(),
            verification: text(
                object,
                "/status/freightHistory/0/verificationHistory/0/phase",
            )
            .map(str::to_string),
            auto_promotion: object
                .at("/status/autoPromotionEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            upstream: upstream_stages(object),
            requests: FreightRequest::of_stage(object),
            last_promotion: text(object, "/status/lastPromotion/name").map(str::to_string),
        }
    }
}

impl StageRow {
    /// Whether this Stage may take `freight` now (`IsFreightAvailable`).
    pub fn availability_of(&self, freight: &FreightRow, now: i64) -> Availability {
        availability(
            &self.key.namespace,
            &self.key.name,
            &self.requests,
            &freight.record,
            now,
        )
    }
}

/// The Stages a Stage takes Freight from: Kargo 1.x `requestedFreight[].sources.stages`, or
/// 0.x `subscriptions.upstreamStages[].name`.
fn upstream_stages(object: &Value) -> Vec<String> {
    let names = |values: &Vec<Value>, pointer: &str| -> Vec<String> {
        values
            .iter()
            .filter_map(|v| v.at(pointer).and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    };
    let mut stages: Vec<String> = object
        .at("/spec/requestedFreight")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|request| request.at("/sources/stages").and_then(Value::as_array))
        .flat_map(|list| names(list, ""))
        .collect();
    if let Some(old) = object
        .at("/spec/subscriptions/upstreamStages")
        .and_then(Value::as_array)
    {
        stages.extend(names(old, "/name"));
    }
    stages.dedup();
    stages
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PromotionRow {
    pub key: ObjectKey,
    pub labels: Labels,
    pub stage: String,
    pub freight: String,
    pub phase: PromotionPhase,
    pub message: String,
    /// (current step, number of steps).
    pub step: (usize, usize),
    pub created: Option<i64>,
}

impl PromotionRow {
    pub fn from_object(object: &Value) -> Self {
        let steps = object
            .at("/spec/steps")
            .and_then(Value::as_array)
            .map(Vec::len)
            .unwrap_or(0);
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            stage: string(object, "/spec/stage"),
            freight: string(object, "/spec/freight"),
            phase: PromotionPhase::parse(text(object, "/status/phase").unwrap_or("Pending")),
            message: string(object, "/status/message"),
            step: (
                integer(object, "/status/currentStep").unwrap_or(0).max(0) as usize,
                steps,
            ),
            created: time(object, "/metadata/creationTimestamp"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn warehouse_rows() {
        let warehouse = WarehouseRow::from_object(
            &json!({"metadata": {"name": "w", "namespace": "p"}, "spec": {"subscriptions": [{"image": {"repoURL": "r/app"}}, {"git": {"repoURL": "https://g"}}, "garbage"]}, "status": {"lastFreightID": "abc", "conditions": [{"type": "Ready", "status": "True"}]}}),
        );
        assert_eq!(warehouse.subscriptions, ["image r/app", "git https://g"]);
        assert_eq!(warehouse.freight_creation, "Automatic");
        assert_eq!(warehouse.last_freight.as_deref(), Some("abc"));
        assert_eq!(warehouse.readiness.ready, Some(true));
        let empty = WarehouseRow::from_object(&json!({"spec": {"subscriptions": 7}}));
        assert!(empty.subscriptions.is_empty() && empty.readiness.ready.is_none());
    }

    #[test]
    fn kargo_rows() {
        let freight = FreightRow::from_object(
            &json!({"metadata": {"name": "abcdef1234", "namespace": "p", "labels": {"kargo.akuity.io/alias": "wonky-wombat"}}, "images": [{"tag": "v2"}], "origin": {"name": "w"}, "status": {"currentlyIn": {"dev": {}}, "verifiedIn": {"dev": {}}}}),
        );
        assert_eq!(
            (
                freight.label(),
                freight.image_tag.as_str(),
                freight.record.is_in("dev") && freight.record.is_verified_in("dev")
            ),
            ("wonky-wombat".to_string(), "v2", true)
        );
        assert_eq!(
            FreightRow::from_object(&json!({"metadata": {"name": "abcdef1234"}})).label(),
            "abcdef1"
        );
        let stage = StageRow::from_object(
            &json!({"metadata": {"name": "staging"}, "spec": {"requestedFreight": [{"sources": {"stages": ["dev"]}}]}, "status": {"freightHistory": [{"items": {"Warehouse/w": {"name": "abc"}}, "verificationHistory": [{"phase": "Running"}]}], "health": {"status": "Healthy"}}}),
        );
        assert_eq!(
            (
                stage.current_freight.as_deref(),
                stage.verification.as_deref(),
                stage.upstream.clone()
            ),
            (Some("abc"), Some("Running"), vec!["dev".to_string()])
        );
        let promotion = PromotionRow::from_object(
            &json!({"metadata": {"name": "dev.x.abc"}, "spec": {"stage": "dev", "freight": "abc", "steps": [{}, {}, {}]}, "status": {"phase": "Running", "currentStep": 1}}),
        );
        assert_eq!(
            (promotion.phase, promotion.step),
            (PromotionPhase::Running, (1, 3))
        );
        assert_eq!(
            PromotionRow::from_object(&json!("garbage")).phase,
            PromotionPhase::Pending
        );
    }
}
