//! The Workflow detail view model, from the whole object (fetched when the view opens): phase,
//! progress and times, then the node tree as `argo get` draws it — depth-first from the root
//! through `children`, with each node's type, phase and duration. Tolerates missing and
//! malformed nodes; compressed or offloaded node maps are reported, not decoded.

use serde_json::Value;

use crate::model::json::{str_at, time};
use crate::model::phase::WorkflowPhase;
use crate::model::rows::WorkflowRow;
use crate::model::time::human_age;
use crate::theme::Slot;

use super::cell::Cell;
use super::slots;

/// Node phases use the workflow colours (Skipped and Omitted read as muted).
fn node_slot(phase: &str) -> Slot {
    match phase {
        "Skipped" | "Omitted" => Slot::WorkflowSkipped,
        other => slots::workflow(WorkflowPhase::parse(other)),
    }
}

/// The lines of the detail view of `workflow` at `now` (Unix seconds).
pub fn build(workflow: &Value, now: i64) -> Vec<Vec<Cell>> {
    let row = WorkflowRow::from_object(workflow);
    let label = |text: &str| Cell::new(format!("{text:<14}"), Slot::Header);
    let duration = match (row.started, row.finished) {
        (Some(start), Some(end)) => human_age(end - start),
        (Some(start), None) => format!("{} (running)", human_age(now - start)),
        _ => "-".into(),
    };
    let mut lines = vec![
        vec![
            label("Workflow"),
            Cell::new(row.key.to_string(), Slot::Title),
        ],
        vec![
            label("Status"),
            Cell::new(row.display_phase(), slots::workflow(row.phase)),
            Cell::new(
                if row.message.is_empty() {
                    String::new()
                } else {
                    format!("  {}", row.message)
                },
                Slot::Muted,
            ),
        ],
        vec![
            label("Progress"),
            Cell::new(
                row.progress
                    .map(|(d, t)| format!("{d}/{t}"))
                    .unwrap_or_else(|| "-".into()),
                Slot::Text,
            ),
        ],
        vec![
            label("Template"),
            Cell::new(
                row.template.clone().unwrap_or_else(|| "-".into()),
                Slot::Text,
            ),
        ],
        vec![
            label("Commit"),
            Cell::new(row.commit.clone().unwrap_or_else(|| "-".into()), Slot::Text),
        ],
        vec![label("Duration"), Cell::new(duration, Slot::Text)],
        Vec::new(),
        vec![Cell::new(
            format!("{:<44}{:<11}{:<12}{}", "STEP", "TYPE", "PHASE", "DURATION"),
            Slot::Header,
        )],
    ];
    let Some(nodes) = workflow.pointer("/status/nodes").and_then(Value::as_object) else {
        let why = if workflow.pointer("/status/compressedNodes").is_some()
            || workflow
                .pointer("/status/offloadNodeStatusVersion")
                .is_some()
        {
            "the node tree is compressed or offloaded (not shown yet)"
        } else {
            "no nodes yet"
        };
        lines.push(vec![Cell::new(format!("  {why}"), Slot::Muted)]);
        return lines;
    };
    let root = row.key.name.clone();
    let mut stack: Vec<(String, usize)> = vec![(root, 0)];
    let mut seen = std::collections::HashSet::new();
    while let Some((id, depth)) = stack.pop() {
        if !seen.insert(id.clone()) || lines.len() > 2_000 {
            continue;
        }
        let Some(node) = nodes.get(&id) else { continue };
        let kind = str_at(node, "/type");
        let phase = str_at(node, "/phase");
        // Step groups are structure, not steps: their children are shown at the same depth.
        let shown_depth = if kind == "StepGroup" {
            depth
        } else {
            depth + 1
        };
        if kind != "StepGroup" {
            let name = if depth == 0 {
                str_at(node, "/name")
            } else {
                str_at(node, "/displayName")
            };
            let duration = match (time(node, "/startedAt"), time(node, "/finishedAt")) {
                (Some(start), Some(end)) => human_age(end - start),
                (Some(start), None) => format!("{}…", human_age(now - start)),
                _ => String::new(),
            };
            let indent = "  ".repeat(depth);
            let phase_text = if phase.is_empty() { "Pending" } else { phase };
            lines.push(vec![
                Cell::new(
                    format!("{:<44}{:<11}", format!("{indent}{name}"), kind),
                    Slot::Text,
                ),
                Cell::new(format!("{phase_text:<12}"), node_slot(phase_text)),
                Cell::new(duration, Slot::Muted),
            ]);
        }
        let children: Vec<String> = node
            .get("children")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for child in children.into_iter().rev() {
            stack.push((child, shown_depth));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn node_tree_in_order_and_tolerant() {
        let workflow = json!({
            "metadata": {"name": "ci", "namespace": "argo"},
            "status": {"phase": "Running", "progress": "1/2", "startedAt": "2026-11-26T10:00:00Z", "nodes": {
                "ci": {"name": "ci", "type": "Steps", "phase": "Running", "children": ["ci-1"]},
                "ci-1": {"displayName": "[0]", "type": "StepGroup", "children": ["ci-2"]},
                "ci-2": {"displayName": "checkout", "type": "Pod", "phase": "Succeeded", "startedAt": "2026-11-26T10:00:00Z", "finishedAt": "2026-11-26T10:00:15Z", "children": ["ci-3"]},
                "ci-3": {"displayName": "[1]", "type": "StepGroup", "children": ["ci-4", "missing"]},
                "ci-4": {"displayName": "build", "type": "Pod", "phase": "Running", "children": ["ci"]}
            }}
        });
        let lines = build(&workflow, 0);
        let steps: Vec<String> = lines
            .iter()
            .skip(8)
            .map(|l| {
                l.iter()
                    .map(|c| c.text.trim_end().to_string())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert_eq!(steps.len(), 3, "{steps:?}");
        assert!(
            steps[0].starts_with("ci") && steps[0].contains("Steps"),
            "{steps:?}"
        );
        assert!(
            steps[1].contains("  checkout")
                && steps[1].contains("Succeeded")
                && steps[1].ends_with("15s"),
            "{steps:?}"
        );
        assert!(
            steps[2].contains("    build") || steps[2].contains("  build"),
            "{steps:?}"
        );
        assert_eq!(
            build(
                &json!({"metadata": {"name": "x"}, "status": {"compressedNodes": "H4sI"}}),
                0
            )
            .last()
            .map(|l| l[0].text.trim().to_string()),
            Some("the node tree is compressed or offloaded (not shown yet)".into())
        );
        assert!(!build(&json!("garbage"), 0).is_empty());
    }
}
