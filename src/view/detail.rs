//! A detail view's lines: the kind's own view (Rollouts from the store; Workflows, Applications
//! and AnalysisRuns from the fetched object), then the Kubernetes Events about the object. Pure.

use serde_json::Value;

use crate::model::{Kind, ObjectKey};
use crate::store::Store;
use crate::theme::Slot;

use super::cell::Cell;

/// The lines of the detail view of `kind`/`key`; `object` is the fetched object (`None` while
/// loading, `Err` when the fetch failed).
pub fn lines(
    store: &Store,
    kind: Kind,
    key: &ObjectKey,
    object: Option<&Result<Value, String>>,
    metrics: Option<&super::metrics::MetricsSource<'_>>,
    now: i64,
) -> Vec<Vec<Cell>> {
    let mut lines = match (kind, object) {
        (Kind::Rollout, _) => {
            let mut lines = super::rollout_detail::build(store, key, now);
            if let (Some(metrics), Some(rollout)) = (metrics, store.rollout(key)) {
                lines.push(Vec::new());
                lines.push(vec![Cell::new("Metrics (m: charts)", Slot::Header)]);
                lines.extend(super::metrics::roles(metrics, rollout));
            }
            lines
        }
        (_, None) => vec![vec![Cell::muted(format!("loading {key}..."))]],
        (_, Some(Err(error))) => vec![vec![Cell::new(
            format!("cannot fetch {key}: {error}"),
            Slot::Error,
        )]],
        (Kind::Workflow, Some(Ok(object))) => super::workflow_detail::build(object, now),
        (Kind::Application, Some(Ok(object))) => super::application_detail::build(object, now),
        (Kind::AnalysisRun, Some(Ok(object))) => {
            super::analysis_run_detail::build(store, object, now)
        }
        (_, Some(Ok(_))) => Vec::new(),
    };
    lines.extend(super::events::about(store, kind, key, now));
    lines
}
