//! The Workflow detail view model, from the whole object (fetched when the view opens): phase,
//! progress and times, then the node tree as `argo get` draws it — depth-first from the root
//! through `children`, with each node's type, phase, duration and message, and which pod runs
//! each step (for its logs). Compressed node maps are decoded; offloaded ones are explained.

use serde_json::Value;

use crate::model::phase::WorkflowPhase;
use crate::model::rows::WorkflowRow;
use crate::model::time::human_age;
use crate::model::workflow_nodes::{MAX_NODES, NodeTree};
use crate::model::workflow_tree::tree;
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

/// Lines before the first node of the tree.
const HEADER_LINES: usize = 8;

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
            format!(
                "{:<40}{:<24}{:<12}{}",
                "STEP", "TEMPLATE", "PHASE", "DURATION"
            ),
            Slot::Header,
        )],
    ];
    debug_assert_eq!(lines.len(), HEADER_LINES);
    let (nodes, left_out) = match tree(workflow) {
        NodeTree::Nodes(nodes, left_out) => (nodes, left_out),
        NodeTree::Empty => {
            lines.push(vec![Cell::muted("  no nodes yet")]);
            return lines;
        }
        NodeTree::Unavailable(why) => {
            lines.push(vec![Cell::new(format!("  {why}"), Slot::Warning)]);
            return lines;
        }
    };
    for node in nodes {
        // As `argo get`: durations of pods only; an active suspend node is marked suspended.
        let duration = match (node.kind.as_str(), node.started, node.finished) {
            ("Pod", Some(start), Some(end)) => human_age(end - start),
            ("Pod", Some(start), None) => format!("{}…", human_age(now - start)),
            _ => String::new(),
        };
        let indent = "  ".repeat(node.depth);
        let phase = match (node.kind.as_str(), node.phase.as_str()) {
            ("Suspend", "Running") => "Suspended",
            (_, "") => "Pending",
            (_, phase) => phase,
        };
        let mut line = vec![
            Cell::new(
                format!(
                    "{:<40}{:<24}",
                    format!("{indent}{}", node.name),
                    node.template
                ),
                Slot::Text,
            ),
            Cell::new(format!("{phase:<12}"), node_slot(phase)),
            Cell::muted(format!("{duration:<10}")),
        ];
        if !node.message.is_empty() {
            line.push(Cell::muted(node.message));
        }
        lines.push(line);
    }
    if left_out > 0 {
        lines.push(vec![Cell::muted(format!(
            "  … and {left_out} more nodes (only the first {MAX_NODES} are listed)"
        ))]);
    }
    lines
}

/// The pod of the step on `line` of the view (`None` on other lines).
pub fn pod_on_line(workflow: &Value, line: usize) -> Option<String> {
    let NodeTree::Nodes(nodes, _) = tree(workflow) else {
        return None;
    };
    nodes.into_iter().nth(line.checked_sub(HEADER_LINES)?)?.pod
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
                "ci-1": {"displayName": "[0]", "type": "StepGroup", "boundaryID": "ci", "children": ["ci-2"]},
                "ci-2": {"displayName": "checkout", "type": "Pod", "templateName": "git", "boundaryID": "ci", "phase": "Succeeded", "startedAt": "2026-11-26T10:00:00Z", "finishedAt": "2026-11-26T10:00:15Z", "children": ["ci-3"]},
                "ci-3": {"displayName": "[1]", "type": "StepGroup", "boundaryID": "ci", "startedAt": "2026-11-26T10:00:15Z", "children": ["ci-4", "missing"]},
                "ci-4": {"displayName": "build", "type": "Pod", "boundaryID": "ci", "phase": "Running", "children": ["ci"]}
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
        assert!(steps[0].starts_with("ci"), "{steps:?}");
        assert!(
            steps[1].contains("  checkout")
                && steps[1].contains("git")
                && steps[1].contains("Succeeded")
                && steps[1].ends_with("15s"),
            "{steps:?}"
        );
        assert!(
            steps[2] == "  build|Running|",
            "group [1] is not drawn; its build sits beside checkout: {steps:?}"
        );
        assert!(
            build(
                &json!({"metadata": {"name": "x"}, "status": {"offloadNodeStatusVersion": "v"}}),
                0
            )
            .last()
            .is_some_and(|l| l[0]
                .text
                .contains("offloaded to the Argo server's database"))
        );
        assert_eq!(pod_on_line(&workflow, 8), None, "the root is not a pod");
        assert_eq!(
            pod_on_line(&workflow, 9).as_deref(),
            Some(format!("ci-git-{}", crate::model::workflow_nodes::fnv32a("")).as_str()),
            "checkout (template git; no node name in the fixture)"
        );
        assert_eq!(pod_on_line(&workflow, 2), None);
        assert!(!build(&json!("garbage"), 0).is_empty());
    }

    #[test]
    fn an_active_suspend_node_reads_suspended_and_only_pods_have_durations() {
        let workflow = json!({
            "metadata": {"name": "rel", "namespace": "argo"},
            "status": {"phase": "Running", "nodes": {
                "rel": {"name": "rel", "type": "DAG", "templateName": "main", "phase": "Running", "startedAt": "2026-11-26T10:00:00Z"},
                "rel-1": {"name": "rel.approve", "displayName": "approve", "type": "Suspend", "templateName": "gate", "boundaryID": "rel", "phase": "Running", "startedAt": "2026-11-26T10:01:00Z"}
            }}
        });
        let lines = build(&workflow, time_of("2026-11-26T10:05:00Z"));
        let text = |line: &Vec<Cell>| -> Vec<String> {
            line.iter().map(|c| c.text.trim_end().to_string()).collect()
        };
        assert_eq!(
            text(&lines[HEADER_LINES]),
            [
                "rel                                     main",
                "Running",
                ""
            ]
        );
        assert_eq!(
            text(&lines[HEADER_LINES + 1]),
            [
                "  approve                               gate",
                "Suspended",
                ""
            ]
        );
    }

    fn time_of(text: &str) -> i64 {
        crate::model::json::time(&json!({"t": text}), "/t").expect("time")
    }
}
