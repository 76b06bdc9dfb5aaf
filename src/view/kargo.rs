//! The Kargo view model, laid out like Kargo's own UI: each project's Warehouses, a matrix with one
//! row per Freight (newest first) and one column per Stage (upstream before downstream) saying
//! where each Freight is, is being promoted, failed, was verified or approved, or could go next;
//! and the newest Promotions with their steps. Pure.

use std::collections::BTreeSet;

use crate::model::freight_availability::Availability;
use crate::model::phase::PromotionPhase;
use crate::model::rows::{FreightRow, PromotionRow, StageRow};
use crate::model::time::human_age;
use crate::model::{Kind, ObjectKey};
use crate::store::Store;
use crate::theme::Slot;

use super::cell::Cell;
use super::filter::Filter;
use super::lists::{ListRow, age};
use super::slots;

/// The matrix's fixed columns before one column per Stage.
pub const FREIGHT_COLUMNS: &[&str] = &["PROJECT", "FREIGHT", "IMAGE", "AGE"];

/// The Promotions table's columns.
pub const PROMOTION_COLUMNS: &[&str] = &["NAME", "STAGE", "FREIGHT", "PHASE", "STEP", "AGE"];

/// How many Promotions the view lists.
const PROMOTIONS_SHOWN: usize = 6;

/// Everything the Kargo view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KargoView {
    /// Per Warehouse: project, name, status, subscriptions, last Freight.
    pub warehouses: Vec<Vec<Cell>>,
    /// The Stage columns of the matrix, upstream first.
    pub stages: Vec<String>,
    /// One row per Freight: `FREIGHT_COLUMNS`, then one cell per Stage.
    pub freight: Vec<ListRow>,
    /// The newest Promotions.
    pub promotions: Vec<Vec<Cell>>,
}

/// Orders Stages so each comes after the Stages it takes Freight from (ties by name).
pub fn stage_order<'a>(stages: impl IntoIterator<Item = &'a StageRow>) -> Vec<String> {
    let mut pending: Vec<&StageRow> = stages.into_iter().collect();
    pending.sort_by(|a, b| a.key.name.cmp(&b.key.name));
    let mut placed: Vec<String> = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|stage| {
            stage
                .upstream
                .iter()
                .all(|up| placed.contains(up) || !pending.iter().any(|p| &p.key.name == up))
        });
        // A cycle (invalid, but possible in data) is broken by taking the first Stage left.
        let stage = pending.remove(ready.unwrap_or(0));
        if !placed.contains(&stage.key.name) {
            placed.push(stage.key.name.clone());
        }
    }
    placed
}

/// The Stage columns for `namespace` (all projects when `None`): each project's Stages upstream
/// first; a name several projects share is one column.
pub fn stage_columns(store: &Store, namespace: Option<&str>) -> Vec<String> {
    let projects: BTreeSet<&str> = store
        .stages()
        .map(|s| s.key.namespace.as_str())
        .filter(|project| namespace.is_none_or(|ns| ns == *project))
        .collect();
    let mut stages: Vec<String> = Vec::new();
    for project in projects {
        for name in stage_order(store.stages().filter(|s| s.key.namespace == project)) {
            if !stages.contains(&name) {
                stages.push(name);
            }
        }
    }
    stages
}

/// The matrix's column titles for these Stage columns.
pub fn columns(stages: &[String]) -> Vec<String> {
    FREIGHT_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(stages.iter().map(|s| s.to_uppercase()))
        .collect()
}

/// What the matrix says about one Freight in one Stage.
fn matrix_cell(
    freight: &FreightRow,
    stage: Option<&StageRow>,
    promotions: &[&PromotionRow],
    now: i64,
) -> Cell {
    let Some(stage) = stage else {
        return Cell::muted("");
    };
    let name = &stage.key.name;
    let newest = promotions
        .iter()
        .filter(|p| &p.stage == name && p.freight == freight.key.name)
        .max_by_key(|p| (p.created, p.key.name.clone()));
    if let Some(promotion) = newest.filter(|p| !p.phase.is_done()) {
        return Cell::new(
            format!("promoting {}/{}", promotion.step.0, promotion.step.1),
            slots::promotion(promotion.phase),
        );
    }
    if freight.record.is_in(name) {
        return match (stage.verification.as_deref(), stage.health.as_str()) {
            (Some("Running" | "Pending"), _) => Cell::new("current, verifying", Slot::Info),
            (Some("Failed" | "Error" | "Inconclusive"), _) => {
                Cell::new("current, verification failed", Slot::Error)
            }
            (_, "Unhealthy") => Cell::new("current, unhealthy", Slot::Error),
            _ => Cell::new("current", Slot::Success),
        };
    }
    if let Some(promotion) = newest.filter(|p| {
        matches!(
            p.phase,
            PromotionPhase::Failed | PromotionPhase::Errored | PromotionPhase::Aborted
        )
    }) {
        return Cell::new(
            promotion.phase.as_str().to_lowercase(),
            slots::promotion(promotion.phase),
        );
    }
    if freight.record.is_verified_in(name) {
        return Cell::new("verified", Slot::Muted);
    }
    if freight.record.is_approved_for(name) {
        return Cell::new("approved", Slot::Info);
    }
    // The same rule the promote pre-check and Kargo's webhook apply.
    match stage.availability_of(freight, now) {
        Availability::Available => Cell::new("ready", Slot::Muted),
        Availability::Soaking(left) => {
            Cell::new(format!("soaking, {} left", human_age(left)), Slot::Muted)
        }
        Availability::NotAvailable => Cell::muted(""),
    }
}

/// Builds the view for `namespace` (all projects when `None`); `filter` narrows the Freight rows.
pub fn build(store: &Store, namespace: Option<&str>, filter: &Filter, now: i64) -> KargoView {
    let in_scope = |key: &ObjectKey| namespace.is_none_or(|ns| key.namespace == ns);
    let stages = stage_columns(store, namespace);
    let promotions: Vec<&PromotionRow> = store.promotions().filter(|p| in_scope(&p.key)).collect();
    let mut freight: Vec<&FreightRow> = store.freights().filter(|f| in_scope(&f.key)).collect();
    freight.sort_by(|a, b| (b.created, &b.key).cmp(&(a.created, &a.key)));
    let freight = freight
        .into_iter()
        .filter_map(|row| {
            let mut cells = vec![
                Cell::muted(row.key.namespace.clone()),
                Cell::new(row.label(), Slot::Text),
                // Tags that are commit SHAs are long; 12 characters tell them apart.
                Cell::new(
                    row.image_tag.chars().take(12).collect::<String>(),
                    Slot::Text,
                ),
                age(now, row.created),
            ];
            cells.extend(stages.iter().map(|stage| {
                let stage = store.stage(&ObjectKey::new(row.key.namespace.clone(), stage));
                matrix_cell(row, stage, &promotions, now)
            }));
            filter.matches(&cells, Some(&row.labels)).then(|| ListRow {
                kind: Kind::Freight,
                key: row.key.clone(),
                cells,
            })
        })
        .collect();
    let warehouses = store
        .warehouses()
        .filter(|w| in_scope(&w.key))
        .map(|w| {
            let (text, slot) = match w.readiness.ready {
                Some(true) => ("Ready", Slot::Success),
                Some(false) => ("NotReady", Slot::Error),
                None => ("Unknown", Slot::Muted),
            };
            vec![
                Cell::muted(w.key.namespace.clone()),
                Cell::new(w.key.name.clone(), Slot::Text),
                Cell::new(text, slot),
                Cell::new(w.subscriptions.join(", "), Slot::Text),
                Cell::muted(match &w.last_freight {
                    Some(id) => format!("last Freight {}", id.chars().take(12).collect::<String>()),
                    None => "no Freight yet".to_string(),
                }),
                Cell::muted(w.readiness.problem.clone()),
            ]
        })
        .collect();
    let mut newest: Vec<&PromotionRow> = promotions.clone();
    newest.sort_by(|a, b| (b.created, &b.key).cmp(&(a.created, &a.key)));
    let alias = |namespace: &str, name: &str| {
        store
            .freight(&ObjectKey::new(namespace, name))
            .map(FreightRow::label)
            .unwrap_or_else(|| name.chars().take(7).collect())
    };
    let promotions = newest
        .into_iter()
        .take(PROMOTIONS_SHOWN)
        .map(|p| {
            vec![
                Cell::new(p.key.name.clone(), Slot::Text),
                Cell::new(p.stage.clone(), Slot::Text),
                Cell::new(alias(&p.key.namespace, &p.freight), Slot::Text),
                Cell::new(p.phase.as_str(), slots::promotion(p.phase)),
                Cell::new(format!("{}/{}", p.step.0, p.step.1), Slot::Text),
                age(now, p.created),
            ]
        })
        .collect();
    KargoView {
        warehouses,
        stages,
        freight,
        promotions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Row;
    use crate::store::Delta;
    use serde_json::{Value, json};

    fn store(objects: Vec<(Kind, Value)>) -> Store {
        let mut store = Store::default();
        store.apply(
            objects
                .into_iter()
                .map(|(kind, object)| Delta::Apply(Row::from_object(kind, &object))),
        );
        store
    }

    fn stage(name: &str, upstream: &[&str]) -> (Kind, Value) {
        let sources = if upstream.is_empty() {
            json!({"direct": true})
        } else {
            json!({"stages": upstream})
        };
        (
            Kind::Stage,
            json!({"metadata": {"name": name, "namespace": "p"}, "spec": {"requestedFreight": [{"sources": sources}]}, "status": {"health": {"status": "Healthy"}}}),
        )
    }

    fn texts(row: &ListRow) -> Vec<&str> {
        row.cells.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn stages_are_ordered_upstream_first_even_with_cycles() {
        let store = store(vec![
            stage("prod", &["staging"]),
            stage("staging", &["dev"]),
            stage("dev", &[]),
            stage("qa", &["dev"]),
        ]);
        assert_eq!(
            stage_order(store.stages()),
            ["dev", "qa", "staging", "prod"]
        );
        let cyclic = self::store(vec![stage("a", &["b"]), stage("b", &["a"])]);
        assert_eq!(stage_order(cyclic.stages()), ["a", "b"]);
    }

    #[test]
    fn matrix_says_where_each_freight_is_and_can_go() {
        let store = store(vec![
            stage("dev", &[]),
            stage("staging", &["dev"]),
            stage("prod", &["staging"]),
            (
                Kind::Freight,
                json!({"metadata": {"name": "old", "namespace": "p", "creationTimestamp": "2026-11-26T10:00:00Z"}, "alias": "old-otter", "images": [{"tag": "v1"}], "status": {"currentlyIn": {"staging": {}, "prod": {}}, "verifiedIn": {"dev": {}, "staging": {}}}}),
            ),
            (
                Kind::Freight,
                json!({"metadata": {"name": "new", "namespace": "p", "creationTimestamp": "2026-11-26T11:00:00Z"}, "alias": "new-newt", "images": [{"tag": "v2"}], "status": {"currentlyIn": {"dev": {}}, "verifiedIn": {"dev": {}}, "approvedFor": {"prod": {}}}}),
            ),
            (
                Kind::Promotion,
                json!({"metadata": {"name": "staging.1.new", "namespace": "p", "creationTimestamp": "2026-11-26T11:05:00Z"}, "spec": {"stage": "staging", "freight": "new", "steps": [{}, {}, {}]}, "status": {"phase": "Running", "currentStep": 1}}),
            ),
            (
                Kind::Promotion,
                json!({"metadata": {"name": "prod.1.old", "namespace": "p", "creationTimestamp": "2026-11-26T10:30:00Z"}, "spec": {"stage": "prod", "freight": "old"}, "status": {"phase": "Succeeded"}}),
            ),
            (
                Kind::Warehouse,
                json!({"metadata": {"name": "images", "namespace": "p"}, "spec": {"subscriptions": [{"image": {"repoURL": "r/app"}}]}, "status": {"lastFreightID": "new"}}),
            ),
        ]);
        let now = crate::model::time::parse_timestamp("2026-11-26T12:00:00Z").unwrap_or_default();
        let view = build(&store, None, &Filter::default(), now);
        assert_eq!(
            columns(&view.stages),
            [
                "PROJECT", "FREIGHT", "IMAGE", "AGE", "DEV", "STAGING", "PROD"
            ]
        );
        assert_eq!(
            texts(&view.freight[0]),
            [
                "p",
                "new-newt",
                "v2",
                "60m",
                "current",
                "promoting 1/3",
                "approved"
            ]
        );
        assert_eq!(
            texts(&view.freight[1]),
            [
                "p",
                "old-otter",
                "v1",
                "120m",
                "verified",
                "current",
                "current"
            ]
        );
        assert_eq!(view.promotions.len(), 2);
        assert_eq!(view.promotions[0][0].text, "staging.1.new");
        assert_eq!(view.promotions[0][2].text, "new-newt");
        assert_eq!(view.warehouses[0][3].text, "image r/app");
        assert_eq!(view.warehouses[0][4].text, "last Freight new");
        let filtered = build(&store, None, &Filter::parse("otter"), now);
        assert_eq!(filtered.freight.len(), 1);
        assert!(
            build(&store, Some("other"), &Filter::default(), now)
                .freight
                .is_empty()
        );
    }

    #[test]
    fn ready_follows_kargo_availability_origin_strategy_and_soak() {
        let requested = |sources: Value| json!([{"origin": {"kind": "Warehouse", "name": "images"}, "sources": sources}]);
        let freight = |name: &str, warehouse: &str, status: Value| {
            (
                Kind::Freight,
                json!({"metadata": {"name": name, "namespace": "p", "creationTimestamp": "2026-11-26T10:00:00Z"}, "origin": {"kind": "Warehouse", "name": warehouse}, "images": [{"tag": name}], "status": status}),
            )
        };
        let store = store(vec![
            (
                Kind::Stage,
                json!({"metadata": {"name": "dev", "namespace": "p"}, "spec": {"requestedFreight": requested(json!({"direct": true}))}}),
            ),
            (
                Kind::Stage,
                json!({"metadata": {"name": "staging", "namespace": "p"}, "spec": {"requestedFreight": requested(json!({"stages": ["dev"], "requiredSoakTime": "1h"}))}}),
            ),
            (
                Kind::Stage,
                json!({"metadata": {"name": "prod", "namespace": "p"}, "spec": {"requestedFreight": requested(json!({"stages": ["dev", "staging"], "availabilityStrategy": "All"}))}}),
            ),
            freight(
                "soaking",
                "images",
                json!({"verifiedIn": {"dev": {"longestSoak": "35m"}}}),
            ),
            freight(
                "soaked",
                "images",
                json!({"verifiedIn": {"dev": {"longestSoak": "2h"}}}),
            ),
            freight(
                "foreign",
                "other",
                json!({"verifiedIn": {"dev": {"longestSoak": "2h"}}}),
            ),
        ]);
        let now = crate::model::time::parse_timestamp("2026-11-26T12:00:00Z").unwrap_or_default();
        let view = build(&store, None, &Filter::default(), now);
        let cells = |tag: &str| -> Vec<String> {
            let row = view
                .freight
                .iter()
                .find(|row| row.cells[2].text == tag)
                .expect("row");
            row.cells[4..].iter().map(|c| c.text.clone()).collect()
        };
        assert_eq!(cells("soaking"), ["verified", "soaking, 25m left", ""]);
        assert_eq!(
            cells("soaked"),
            ["verified", "ready", ""],
            "prod needs staging too (All)"
        );
        assert_eq!(
            cells("foreign"),
            ["verified", "", ""],
            "another Warehouse's Freight is ready nowhere"
        );
    }
}
