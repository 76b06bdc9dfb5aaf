//! List view models, one table per kind: column titles and, per object, its cells. Pure.

use crate::model::time::human_age;
use crate::model::{Kind, ObjectKey, Row};
use crate::store::Store;
use crate::theme::Slot;

use super::cell::Cell;
use super::slots;
use super::sort::Sort;

/// One object's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub kind: Kind,
    pub key: ObjectKey,
    pub cells: Vec<Cell>,
}

impl AsRef<[Cell]> for ListRow {
    fn as_ref(&self) -> &[Cell] {
        &self.cells
    }
}

/// Column titles of a kind's list.
pub fn columns(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Workflow => &[
            "NAMESPACE",
            "NAME",
            "STATUS",
            "PROGRESS",
            "COMMIT",
            "AGE",
            "MESSAGE",
        ],
        Kind::Application => &[
            "NAMESPACE",
            "NAME",
            "SYNC",
            "HEALTH",
            "REVISION",
            "OPERATION",
            "AUTO-SYNC",
        ],
        Kind::Rollout => &[
            "NAMESPACE",
            "NAME",
            "PHASE",
            "STEP",
            "WEIGHT",
            "IMAGE",
            "MESSAGE",
        ],
        Kind::AnalysisRun => &["NAMESPACE", "NAME", "PHASE", "METRICS", "AGE"],
        Kind::Freight => &[
            "NAMESPACE",
            "ALIAS",
            "IMAGE",
            "CURRENTLY IN",
            "VERIFIED IN",
            "AGE",
        ],
        Kind::Stage => &[
            "NAMESPACE",
            "NAME",
            "FREIGHT",
            "HEALTH",
            "VERIFICATION",
            "AUTO-PROMOTION",
        ],
        Kind::Promotion => &[
            "NAMESPACE",
            "NAME",
            "STAGE",
            "FREIGHT",
            "PHASE",
            "STEP",
            "AGE",
        ],
        Kind::ReplicaSet => &["NAMESPACE", "NAME", "ROLLOUT", "REVISION", "IMAGE", "READY"],
        Kind::WorkflowTemplate => &["NAMESPACE", "NAME", "ENTRYPOINT", "PARAMETERS", "AGE"],
        Kind::EventSource => &["NAMESPACE", "NAME", "STATUS", "EVENTS", "MESSAGE"],
        Kind::Sensor => &[
            "NAMESPACE",
            "NAME",
            "STATUS",
            "DEPENDENCIES",
            "TRIGGERS",
            "MESSAGE",
        ],
        Kind::Experiment => &["NAMESPACE", "NAME", "PHASE", "ROLLOUT", "ANALYSES", "AGE"],
        Kind::Warehouse => &[
            "NAMESPACE",
            "NAME",
            "STATUS",
            "SUBSCRIPTIONS",
            "FREIGHT CREATION",
            "LAST FREIGHT",
            "MESSAGE",
        ],
        Kind::Event => &[
            "NAMESPACE",
            "LAST SEEN",
            "TYPE",
            "REASON",
            "OBJECT",
            "COUNT",
            "MESSAGE",
        ],
        Kind::Pod => &[
            "NAMESPACE",
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "OWNER",
            "NODE",
            "AGE",
        ],
    }
}

/// An age ("5m"), sorting by seconds.
pub fn age(now: i64, time: Option<i64>) -> Cell {
    Cell::muted(time.map(|t| human_age(now - t)).unwrap_or_default()).ordered(time.map(|t| now - t))
}

/// "Warning" stands out; "Normal" does not.
pub fn event_type(warning: bool) -> Cell {
    if warning {
        Cell::new("Warning", Slot::Warning)
    } else {
        Cell::new("Normal", Slot::Muted)
    }
}

fn readiness(readiness: &crate::model::rows::readiness::Readiness) -> Cell {
    let slot = match readiness.ready {
        Some(true) => Slot::Success,
        Some(false) => Slot::Error,
        None => Slot::Muted,
    };
    Cell::new(readiness.label(), slot)
}

fn text(value: impl Into<String>) -> Cell {
    Cell::new(value, Slot::Text)
}

/// The cells of one row.
pub fn cells(store: &Store, row: &Row, now: i64) -> Vec<Cell> {
    let namespace = Cell::new(row.key().namespace.clone(), Slot::Muted);
    let name = text(row.key().name.clone());
    match row {
        Row::Workflow(w) => vec![
            namespace,
            name,
            Cell::new(w.display_phase(), slots::workflow(w.phase)),
            text(
                w.progress
                    .map(|(d, t)| format!("{d}/{t}"))
                    .unwrap_or_default(),
            ),
            text(
                w.commit
                    .as_deref()
                    .map(|c| c.chars().take(12).collect::<String>())
                    .unwrap_or_default(),
            ),
            age(now, w.created),
            Cell::new(w.message.clone(), Slot::Muted),
        ],
        Row::Application(a) => vec![
            namespace,
            name,
            Cell::new(a.sync.as_str(), slots::sync(a.sync)),
            Cell::new(a.health.as_str(), slots::health(a.health)),
            Cell::new(a.revision.chars().take(7).collect::<String>(), Slot::Muted),
            text(a.operation_phase.clone().unwrap_or_default()),
            text(if a.auto_sync { "yes" } else { "no" }),
        ],
        Row::Rollout(r) => vec![
            namespace,
            name,
            Cell::new(r.phase.as_str(), slots::rollout(r.phase)),
            text(r.step.map(|(i, n)| format!("{i}/{n}")).unwrap_or_default()),
            text(format!("{}/{}", r.set_weight, store.actual_weight(r))),
            text(store.rollout_image(r)),
            Cell::new(r.message.clone(), Slot::Muted),
        ],
        Row::AnalysisRun(a) => vec![
            namespace,
            name,
            Cell::new(a.phase.as_str(), slots::analysis(a.phase)),
            text(
                a.metrics
                    .iter()
                    .map(|m| {
                        format!(
                            "{}={} {}",
                            m.name,
                            m.last_value.clone().unwrap_or_default(),
                            m.phase.as_str()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            age(now, a.started),
        ],
        Row::Freight(f) => vec![
            namespace,
            text(f.label()),
            text(f.image_tag.clone()),
            text(stage_names(&f.record.currently_in)),
            text(stage_names(&f.record.verified_in)),
            age(now, f.created),
        ],
        Row::Stage(s) => vec![
            namespace,
            name,
            text(
                s.current_freight
                    .as_deref()
                    .map(|f| f.chars().take(7).collect::<String>())
                    .unwrap_or_default(),
            ),
            text(s.health.clone()),
            text(s.verification.clone().unwrap_or_default()),
            text(if s.auto_promotion { "yes" } else { "no" }),
        ],
        Row::Promotion(p) => vec![
            namespace,
            name,
            text(p.stage.clone()),
            text(p.freight.chars().take(7).collect::<String>()),
            Cell::new(p.phase.as_str(), slots::promotion(p.phase)),
            text(format!("{}/{}", p.step.0, p.step.1)),
            age(now, p.created),
        ],
        Row::ReplicaSet(r) => vec![
            namespace,
            name,
            text(r.rollout.clone().unwrap_or_default()),
            text(r.revision.to_string()),
            text(r.image.clone()),
            text(format!("{}/{}", r.available, r.replicas)),
        ],
        Row::Event(e) => vec![
            namespace,
            age(now, e.last_seen),
            event_type(e.warning),
            text(e.reason.clone()),
            text(format!("{}/{}", e.object_kind, e.object.name)),
            text(e.count.to_string()),
            Cell::new(e.message.clone(), Slot::Muted),
        ],
        Row::WorkflowTemplate(t) => vec![
            namespace,
            name,
            text(t.entrypoint.clone()),
            text(t.parameters.join(" ")),
            age(now, t.created),
        ],
        Row::EventSource(s) => vec![
            namespace,
            name,
            readiness(&s.readiness),
            text(s.events.join(" ")),
            Cell::new(s.readiness.problem.clone(), Slot::Muted),
        ],
        Row::Sensor(s) => vec![
            namespace,
            name,
            readiness(&s.readiness),
            text(s.dependencies.join(" ")),
            text(s.triggers.join(" ")),
            Cell::new(s.readiness.problem.clone(), Slot::Muted),
        ],
        Row::Experiment(e) => vec![
            namespace,
            name,
            Cell::new(e.phase.as_str(), slots::analysis(e.phase)),
            text(e.rollout.clone().unwrap_or_default()),
            text(
                e.analyses
                    .iter()
                    .map(|(analysis, _, phase)| format!("{analysis} {}", phase.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            age(now, e.created),
        ],
        Row::Warehouse(w) => vec![
            namespace,
            name,
            readiness(&w.readiness),
            text(w.subscriptions.join(", ")),
            text(w.freight_creation.clone()),
            text(
                w.last_freight
                    .as_deref()
                    .map(|id| id.chars().take(12).collect::<String>())
                    .unwrap_or_default(),
            ),
            Cell::muted(w.readiness.problem.clone()),
        ],
        Row::Pod(p) => vec![
            namespace,
            name,
            text(format!("{}/{}", p.ready, p.containers)),
            Cell::new(p.status.clone(), slots::pod(&p.status)),
            text(p.restarts.to_string()),
            text(p.owner.clone().unwrap_or_default()),
            Cell::new(p.node.clone(), Slot::Muted),
            age(now, p.created),
        ],
    }
}

/// Every row of `kind` in `namespace` (all when `None`), sorted by `sort` (by default: namespace
/// and name; Events newest first, as a timeline). The UI filters them.
pub fn rows(
    store: &Store,
    kind: Kind,
    namespace: Option<&str>,
    sort: Sort,
    now: i64,
) -> Vec<ListRow> {
    let mut matching: Vec<&Row> = store
        .rows(kind)
        .filter(|row| {
            namespace.is_none_or(|ns| row.key().namespace == ns || row.key().namespace.is_empty())
        })
        .collect();
    if kind == Kind::Event {
        matching.sort_by_key(|row| match row {
            Row::Event(event) => std::cmp::Reverse(event.last_seen),
            _ => std::cmp::Reverse(None),
        });
    }
    let mut rows: Vec<ListRow> = matching
        .into_iter()
        .map(|row| ListRow {
            kind,
            key: row.key().clone(),
            cells: cells(store, row, now),
        })
        .collect();
    sort.apply(&mut rows);
    rows
}

/// The Stage names of a Freight's `currentlyIn` or `verifiedIn`, comma-separated.
fn stage_names(entries: &[(String, Option<i64>)]) -> String {
    let names: Vec<&str> = entries.iter().map(|(stage, _)| stage.as_str()).collect();
    names.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Delta;
    use crate::view::filter::Filter;
    use serde_json::json;

    #[test]
    fn lists_filter_and_invert() {
        let mut store = Store::default();
        for (name, phase) in [("a", "Running"), ("b", "Failed")] {
            store.apply([Delta::Apply(Row::from_object(Kind::Workflow, &json!({"metadata": {"name": name, "namespace": "argo"}, "status": {"phase": phase}})))]);
        }
        // The names of the Workflows listed in `namespace` through `filter`.
        let listed = |namespace: Option<&str>, filter: &str| -> Vec<String> {
            let filter = Filter::parse(filter);
            rows(&store, Kind::Workflow, namespace, Sort::default(), 0)
                .into_iter()
                .filter(|row| filter.matches(&row.cells, None))
                .map(|row| row.key.name)
                .collect()
        };
        assert_eq!(listed(None, ""), ["a", "b"]);
        assert_eq!(listed(Some("argo"), ""), ["a", "b"]);
        assert!(listed(Some("other"), "").is_empty());
        assert_eq!(listed(None, "fail"), ["b"]);
        assert_eq!(listed(None, "!fail"), ["a"]);
        for kind in Kind::ALL {
            assert_eq!(
                columns(*kind).len(),
                cells(&store, &Row::from_object(*kind, &json!({})), 0).len(),
                "{kind:?}"
            );
        }
    }
}
