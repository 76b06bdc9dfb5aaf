//! "Waiting on me": everything that needs a person, across namespaces, newest first — paused
//! Rollouts awaiting promotion, Freight ready for a manual stage, failed or inconclusive
//! AnalysisRuns, degraded or out-of-sync Applications, failed and suspended Workflows, running
//! Promotions.

use crate::model::Kind;
use crate::model::ObjectKey;
use crate::model::freight_availability::Availability;
use crate::model::phase::{
    AnalysisPhase, Health, PromotionPhase, RolloutPhase, SyncStatus, WorkflowPhase,
};
use crate::store::Store;
use crate::theme::Slot;

use super::cell::Cell;
use super::lists::{ListRow, age};
use super::sort::Sort;

/// One thing that waits for someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingItem {
    pub kind: Kind,
    pub key: ObjectKey,
    /// What is waiting, in words.
    pub what: String,
    pub slot: Slot,
    /// When it started waiting (Unix seconds), if known.
    pub since: Option<i64>,
}

/// Column titles of the "waiting on me" table.
pub const COLUMNS: &[&str] = &["KIND", "OBJECT", "WAITING FOR", "AGE"];

/// The "waiting on me" table: `build`'s items as rows, sorted by `sort` (the UI filters them).
pub fn rows(store: &Store, namespace: Option<&str>, sort: Sort, now: i64) -> Vec<ListRow> {
    let mut rows: Vec<ListRow> = build(store, namespace, now)
        .into_iter()
        .map(|item| ListRow {
            cells: vec![
                Cell::muted(format!("{:?}", item.kind)),
                Cell::new(item.key.to_string(), Slot::Text),
                Cell::new(item.what, item.slot),
                age(now, item.since),
            ],
            kind: item.kind,
            key: item.key,
        })
        .collect();
    sort.apply(&mut rows);
    rows
}

/// Everything waiting in `namespace` (all when `None`), newest first.
pub fn build(store: &Store, namespace: Option<&str>, now: i64) -> Vec<WaitingItem> {
    let mut items = Vec::new();
    let mut push = |kind, key: &ObjectKey, what: String, slot, since| {
        items.push(WaitingItem {
            kind,
            key: key.clone(),
            what,
            slot,
            since,
        })
    };
    for rollout in store.rollouts() {
        if rollout.phase == RolloutPhase::Paused {
            let step = rollout
                .step
                .map(|(i, n)| format!(" at step {i}/{n}"))
                .unwrap_or_default();
            push(
                Kind::Rollout,
                &rollout.key,
                format!(
                    "paused{step} ({}) — promote or abort",
                    if rollout.message.is_empty() {
                        "manual"
                    } else {
                        rollout.message.as_str()
                    }
                ),
                Slot::RolloutPaused,
                None,
            );
        } else if rollout.phase == RolloutPhase::Degraded {
            push(
                Kind::Rollout,
                &rollout.key,
                format!("degraded: {}", rollout.message),
                Slot::RolloutDegraded,
                None,
            );
        }
    }
    for run in store.analysis_runs() {
        if matches!(
            run.phase,
            AnalysisPhase::Failed | AnalysisPhase::Error | AnalysisPhase::Inconclusive
        ) {
            let slot = if run.phase == AnalysisPhase::Inconclusive {
                Slot::AnalysisInconclusive
            } else {
                Slot::AnalysisFailed
            };
            let metric = run
                .metrics
                .iter()
                .find(|m| m.phase != AnalysisPhase::Successful)
                .map(|m| {
                    format!(
                        " ({} = {})",
                        m.name,
                        m.last_value.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            push(
                Kind::AnalysisRun,
                &run.key,
                format!("analysis {}{metric}", run.phase.as_str().to_lowercase()),
                slot,
                run.started,
            );
        }
    }
    for app in store.applications() {
        if app.health == Health::Degraded {
            push(
                Kind::Application,
                &app.key,
                "degraded".into(),
                Slot::HealthDegraded,
                None,
            );
        } else if app.sync == SyncStatus::OutOfSync && !app.auto_sync {
            push(
                Kind::Application,
                &app.key,
                "out of sync — sync it".into(),
                Slot::SyncOutOfSync,
                None,
            );
        }
    }
    for workflow in store.workflows() {
        if matches!(workflow.phase, WorkflowPhase::Failed | WorkflowPhase::Error) {
            push(
                Kind::Workflow,
                &workflow.key,
                format!(
                    "{}: {}",
                    workflow.display_phase().to_lowercase(),
                    workflow.message
                ),
                Slot::WorkflowFailed,
                workflow.finished.or(workflow.created),
            );
        } else if workflow.phase == WorkflowPhase::Running && workflow.suspended {
            // `argo get`'s "Running (Suspended)": waiting for someone to resume it.
            push(
                Kind::Workflow,
                &workflow.key,
                "running (suspended): waiting to be resumed".into(),
                Slot::Info,
                workflow.started.or(workflow.created),
            );
        }
    }
    for promotion in store.promotions() {
        if !promotion.phase.is_done() {
            push(
                Kind::Promotion,
                &promotion.key,
                format!(
                    "promoting into {} (step {}/{})",
                    promotion.stage, promotion.step.0, promotion.step.1
                ),
                Slot::PromotionRunning,
                promotion.created,
            );
        } else if matches!(
            promotion.phase,
            PromotionPhase::Failed | PromotionPhase::Errored
        ) {
            push(
                Kind::Promotion,
                &promotion.key,
                format!(
                    "promotion into {} {}: {}",
                    promotion.stage,
                    promotion.phase.as_str().to_lowercase(),
                    promotion.message
                ),
                Slot::PromotionFailed,
                promotion.created,
            );
        }
    }
    // Freight ready for a stage that is promoted by hand: verified upstream, not there yet.
    for stage in store
        .stages()
        .filter(|s| !s.auto_promotion && !s.upstream.is_empty())
    {
        for freight in store
            .freights()
            .filter(|f| f.key.namespace == stage.key.namespace)
        {
            let ready = stage.availability_of(freight, now) == Availability::Available;
            let already = stage.current_freight.as_deref() == Some(freight.key.name.as_str())
                || freight.record.is_in(&stage.key.name)
                || freight.record.is_verified_in(&stage.key.name);
            let promoting = store.promotions().any(|p| {
                p.stage == stage.key.name
                    && p.freight == freight.key.name
                    && p.key.namespace == stage.key.namespace
            });
            if ready && !already && !promoting {
                push(
                    Kind::Freight,
                    &freight.key,
                    format!(
                        "{} ({}) ready for {} — promote",
                        freight.label(),
                        freight.image_tag,
                        stage.key.name
                    ),
                    Slot::Info,
                    freight.created,
                );
            }
        }
    }
    items.retain(|item| namespace.is_none_or(|ns| item.key.namespace == ns));
    items.sort_by(|a, b| b.since.cmp(&a.since).then_with(|| a.key.cmp(&b.key)));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Row;
    use crate::store::Delta;
    use serde_json::json;

    #[test]
    fn collects_what_needs_a_person() {
        let mut store = Store::default();
        let row =
            |kind: Kind, object: serde_json::Value| Delta::Apply(Row::from_object(kind, &object));
        store.apply([
            row(Kind::Rollout, json!({"metadata": {"name": "demo-app", "namespace": "dev"}, "spec": {"strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}]}}}, "status": {"phase": "Paused", "message": "CanaryPauseStep", "currentStepIndex": 1}})),
            row(Kind::Rollout, json!({"metadata": {"name": "ok", "namespace": "dev"}, "status": {"phase": "Healthy"}})),
            row(Kind::AnalysisRun, json!({"metadata": {"name": "run", "namespace": "dev"}, "status": {"phase": "Failed", "startedAt": "2026-11-26T10:00:00Z", "metricResults": [{"name": "success-rate", "phase": "Failed", "measurements": [{"value": "[0.91]"}]}]}})),
            row(Kind::Workflow, json!({"metadata": {"name": "ci", "namespace": "argo", "creationTimestamp": "2026-11-26T09:00:00Z"}, "status": {"phase": "Failed", "message": "child failed"}})),
            row(Kind::Workflow, json!({"metadata": {"name": "release", "namespace": "argo"}, "status": {"phase": "Running", "startedAt": "2026-11-26T08:00:00Z", "nodes": {"a": {"type": "Suspend", "phase": "Running"}}}})),
            row(Kind::Stage, json!({"metadata": {"name": "staging", "namespace": "p"}, "spec": {"requestedFreight": [{"sources": {"stages": ["dev"]}}]}, "status": {"freightHistory": [{"items": {"Warehouse/w": {"name": "old"}}}]}})),
            row(Kind::Freight, json!({"metadata": {"name": "new", "namespace": "p", "creationTimestamp": "2026-11-26T11:00:00Z"}, "alias": "mighty-otter", "images": [{"tag": "abc"}], "status": {"verifiedIn": {"dev": {}}}})),
            row(Kind::Freight, json!({"metadata": {"name": "old", "namespace": "p"}, "status": {"verifiedIn": {"dev": {}, "staging": {}}, "currentlyIn": {"staging": {}}}})),
        ]);
        let items = build(&store, None, 0);
        assert_eq!(build(&store, Some("dev"), 0).len(), 2);
        let described: Vec<String> = items
            .iter()
            .map(|i| format!("{:?} {}: {}", i.kind, i.key, i.what))
            .collect();
        assert_eq!(
            described,
            [
                "Freight p/new: mighty-otter (abc) ready for staging — promote",
                "AnalysisRun dev/run: analysis failed (success-rate = [0.91])",
                "Workflow argo/ci: failed: child failed",
                "Workflow argo/release: running (suspended): waiting to be resumed",
                "Rollout dev/demo-app: paused at step 1/2 (CanaryPauseStep) — promote or abort",
            ]
        );
    }
}
