//! The Rollout detail view model: phase and message, the canary steps with the current one
//! marked, set and actual weights, replica counts, pause conditions, the ReplicaSets by revision
//! (with the plugin's roles: stable, canary, active, preview, ping, pong; images and readiness)
//! and its AnalysisRuns, newest first. Pure.

use crate::model::ObjectKey;
use crate::model::time::human_age;
use crate::store::Store;
use crate::theme::Slot;

use super::cell::Cell;
use super::slots;

/// The lines of the detail view of Rollout `key` (empty when it is gone).
pub fn build(store: &Store, key: &ObjectKey, now: i64) -> Vec<Vec<Cell>> {
    let Some(rollout) = store.rollout(key) else {
        return vec![vec![Cell::new(
            format!("Rollout {key} is gone."),
            Slot::Warning,
        )]];
    };
    let label = |text: &str| Cell::new(format!("{text:<14}"), Slot::Header);
    let mut lines = vec![
        vec![label("Rollout"), Cell::new(key.to_string(), Slot::Title)],
        vec![
            label("Status"),
            Cell::new(rollout.phase.as_str(), slots::rollout(rollout.phase)),
            Cell::new(
                if rollout.message.is_empty() {
                    String::new()
                } else {
                    format!("  {}", rollout.message)
                },
                Slot::Muted,
            ),
        ],
        vec![
            label("Image"),
            Cell::new(store.rollout_image(rollout), Slot::Text),
        ],
        vec![
            label("Step"),
            Cell::new(
                rollout
                    .step
                    .map(|(i, n)| format!("{i}/{n}"))
                    .unwrap_or_else(|| "-".into()),
                Slot::Text,
            ),
        ],
        vec![
            label("Weight"),
            Cell::new(
                format!(
                    "set {}  actual {}",
                    rollout.set_weight,
                    store.actual_weight(rollout)
                ),
                Slot::Text,
            ),
        ],
        vec![
            label("Replicas"),
            Cell::new(
                format!(
                    "desired {}  current {}  updated {}  ready {}  available {}",
                    rollout.replicas,
                    rollout.current,
                    rollout.updated,
                    rollout.ready,
                    rollout.available
                ),
                Slot::Text,
            ),
        ],
    ];
    if !rollout.pause_reasons.is_empty() {
        lines.push(vec![
            label("Paused"),
            Cell::new(rollout.pause_reasons.join(", "), Slot::RolloutPaused),
        ]);
    }
    lines.push(Vec::new());
    lines.push(vec![Cell::new("Steps", Slot::Header)]);
    let current = rollout.step.map(|(i, _)| i).unwrap_or(rollout.steps.len());
    for (index, step) in rollout.steps.iter().enumerate() {
        let (marker, slot) = match index.cmp(&current) {
            std::cmp::Ordering::Less => ("[x]", Slot::Muted),
            std::cmp::Ordering::Equal => ("[>]", slots::rollout(rollout.phase)),
            std::cmp::Ordering::Greater => ("[ ]", Slot::Text),
        };
        lines.push(vec![Cell::new(format!("  {marker} {index}  {step}"), slot)]);
    }
    lines.push(Vec::new());
    lines.push(vec![Cell::new("ReplicaSets by revision", Slot::Header)]);
    let mut replica_sets: Vec<_> = store
        .replica_sets()
        .filter(|rs| {
            rs.key.namespace == key.namespace && rs.rollout.as_deref() == Some(key.name.as_str())
        })
        .collect();
    replica_sets.sort_by_key(|rs| std::cmp::Reverse(rs.revision));
    for rs in replica_sets {
        let role = rollout.roles(&rs.pod_template_hash).join(", ");
        let slot = if rs.replicas == 0 {
            Slot::Muted
        } else {
            Slot::Text
        };
        lines.push(vec![Cell::new(
            format!(
                "  rev {:<3} {:<14} {:<11} {}/{} ready  {}",
                rs.revision, role, rs.pod_template_hash, rs.available, rs.replicas, rs.image
            ),
            slot,
        )]);
    }
    // The Rollout's Experiments (its Experiment steps), as the plugin lists them.
    let mut experiments: Vec<_> = store
        .experiments()
        .filter(|e| e.key.namespace == key.namespace && e.rollout.as_deref() == Some(&key.name))
        .collect();
    experiments.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.key.cmp(&b.key)));
    if !experiments.is_empty() {
        lines.push(Vec::new());
        lines.push(vec![Cell::new("Experiments", Slot::Header)]);
        for experiment in &experiments {
            let templates: Vec<String> = experiment
                .templates
                .iter()
                .map(|(name, available, replicas)| format!("{name} {available}/{replicas}"))
                .collect();
            lines.push(vec![
                Cell::new(
                    format!("  {:<12} ", experiment.phase.as_str()),
                    slots::analysis(experiment.phase),
                ),
                Cell::new(
                    format!("{}  {}", experiment.key.name, templates.join(", ")),
                    Slot::Text,
                ),
            ]);
        }
    }
    lines.push(Vec::new());
    lines.push(vec![Cell::new("AnalysisRuns", Slot::Header)]);
    // Its own runs and its Experiments' runs.
    let mut runs: Vec<_> = store
        .analysis_runs()
        .filter(|run| {
            run.key.namespace == key.namespace
                && (run.rollout.as_deref() == Some(key.name.as_str())
                    || run
                        .experiment
                        .as_ref()
                        .is_some_and(|e| experiments.iter().any(|x| &x.key.name == e)))
        })
        .collect();
    runs.sort_by(|a, b| {
        b.started
            .cmp(&a.started)
            .then_with(|| b.key.name.cmp(&a.key.name))
    });
    for run in runs {
        let metrics: Vec<String> = run
            .metrics
            .iter()
            .map(|m| {
                format!(
                    "{} {} ({} ok, {} failed, last {})",
                    m.name,
                    m.phase.as_str(),
                    m.successful,
                    m.failed,
                    m.last_value.clone().unwrap_or_else(|| "-".into())
                )
            })
            .collect();
        let age = run.started.map(|t| human_age(now - t)).unwrap_or_default();
        lines.push(vec![
            Cell::new(
                format!("  {:<12} ", run.phase.as_str()),
                slots::analysis(run.phase),
            ),
            Cell::new(
                format!("{}  {age}  {}", run.key.name, metrics.join("; ")),
                Slot::Text,
            ),
        ]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Row};
    use crate::store::Delta;
    use serde_json::json;

    #[test]
    fn experiments_and_their_runs_are_listed_under_the_rollout() {
        let owned =
            |kind: &str, name: &str| json!([{"kind": kind, "name": name, "controller": true}]);
        let mut store = Store::default();
        store.apply([
            Delta::Apply(Row::from_object(Kind::Rollout, &json!({"metadata": {"name": "web", "namespace": "shop"}, "spec": {"strategy": {"canary": {"steps": [{"experiment": {"templates": [{"name": "canary", "specRef": "canary"}]}}]}}}, "status": {"phase": "Progressing", "currentStepIndex": 0}}))),
            Delta::Apply(Row::from_object(Kind::Experiment, &json!({"metadata": {"name": "web-6f7d9c-2-0", "namespace": "shop", "creationTimestamp": "2026-11-29T10:00:00Z", "ownerReferences": owned("Rollout", "web")}, "status": {"phase": "Running", "templateStatuses": [{"name": "canary", "replicas": 1, "availableReplicas": 1}]}}))),
            Delta::Apply(Row::from_object(Kind::AnalysisRun, &json!({"metadata": {"name": "web-6f7d9c-2-0-compare", "namespace": "shop", "ownerReferences": owned("Experiment", "web-6f7d9c-2-0")}, "status": {"phase": "Inconclusive"}}))),
            Delta::Apply(Row::from_object(Kind::AnalysisRun, &json!({"metadata": {"name": "other-run", "namespace": "shop", "ownerReferences": owned("Experiment", "other")}}))),
        ]);
        let lines: Vec<String> = build(&store, &ObjectKey::new("shop", "web"), 0)
            .iter()
            .map(|line| line.iter().map(|c| c.text.as_str()).collect())
            .collect();
        let joined = lines.join("\n");
        assert!(joined.contains("Experiments"), "{joined}");
        assert!(joined.contains("web-6f7d9c-2-0  canary 1/1"), "{joined}");
        assert!(
            joined.contains("Inconclusive web-6f7d9c-2-0-compare"),
            "the phase and the name are apart: {joined}"
        );
        assert!(!joined.contains("other-run"), "{joined}");
    }
}
