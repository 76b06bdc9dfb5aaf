//! Node maps as the Argo Workflows controller writes them (steps, DAG, nested DAG with a
//! suspend, retries, an exit handler with a skipped step), drawn in `argo get`'s order.

use serde_json::{Value, json};

use super::*;

/// (indented name, template, phase) of each drawn row.
fn rows(workflow: &Value) -> Vec<(String, String, String)> {
    match tree(workflow) {
        NodeTree::Nodes(nodes, _) => nodes
            .into_iter()
            .map(|n| {
                (
                    format!("{}{}", "  ".repeat(n.depth), n.name),
                    n.template,
                    n.phase,
                )
            })
            .collect(),
        other => panic!("{other:?}"),
    }
}

fn row(name: &str, template: &str, phase: &str) -> (String, String, String) {
    (name.into(), template.into(), phase.into())
}

fn at(minute: u32) -> String {
    format!("2026-11-29T10:{minute:02}:00Z")
}

const STEPS: &str = "ci-x7k2q";

/// Steps with a retried build (two failed attempts), a one-attempt retry and an exit handler
/// whose rollback step was skipped.
fn steps_with_retries_and_an_exit_handler_nodes() -> Value {
    let wf = STEPS;
    let id = |name: &str| node_id(wf, name);
    let exit = format!("{wf}.onExit");
    json!({
        wf: {"name": wf, "displayName": wf, "type": "Steps", "templateName": "main", "phase": "Failed", "startedAt": at(0), "children": [id("[0]")]},
        id("[0]"): {"name": format!("{wf}[0]"), "displayName": "[0]", "type": "StepGroup", "boundaryID": wf, "startedAt": at(0), "children": [id("checkout"), id("lint")]},
        // Started later than lint: listed after it.
        id("checkout"): {"name": format!("{wf}[0].checkout"), "displayName": "checkout", "type": "Pod", "templateName": "git", "boundaryID": wf, "phase": "Succeeded", "startedAt": at(2), "finishedAt": at(3), "children": [id("[1]")]},
        id("lint"): {"name": format!("{wf}[0].lint"), "displayName": "lint", "type": "Pod", "templateRef": {"name": "shared", "template": "golangci"}, "boundaryID": wf, "phase": "Succeeded", "startedAt": at(1), "finishedAt": at(3), "children": [id("[1]")]},
        id("[1]"): {"name": format!("{wf}[1]"), "displayName": "[1]", "type": "StepGroup", "boundaryID": wf, "startedAt": at(3), "children": [id("build"), id("push")]},
        // A retry with two attempts is drawn with them under it.
        id("build"): {"name": format!("{wf}[1].build"), "displayName": "build", "type": "Retry", "templateName": "kaniko", "boundaryID": wf, "phase": "Failed", "startedAt": at(3), "children": [id("build(0)"), id("build(1)")]},
        id("build(0)"): {"name": format!("{wf}[1].build(0)"), "displayName": "build(0)", "type": "Pod", "templateName": "kaniko", "boundaryID": wf, "phase": "Failed", "startedAt": at(3), "finishedAt": at(4), "message": "Error (exit code 1)"},
        id("build(1)"): {"name": format!("{wf}[1].build(1)"), "displayName": "build(1)", "type": "Pod", "templateName": "kaniko", "boundaryID": wf, "phase": "Failed", "startedAt": at(5), "finishedAt": at(6), "message": "Error (exit code 1)"},
        // A retry that needed one attempt is not drawn; its attempt takes its place.
        id("push"): {"name": format!("{wf}[1].push"), "displayName": "push", "type": "Retry", "templateName": "crane", "boundaryID": wf, "phase": "Succeeded", "startedAt": at(3), "children": [id("push(0)")]},
        id("push(0)"): {"name": format!("{wf}[1].push(0)"), "displayName": "push(0)", "type": "Pod", "templateName": "crane", "boundaryID": wf, "phase": "Succeeded", "startedAt": at(3), "finishedAt": at(4)},
        // The exit handler: not reachable from the root, drawn as a second tree.
        id(&exit): {"name": exit, "displayName": exit, "type": "Steps", "templateName": "notify", "phase": "Failed", "startedAt": at(7), "children": [id(&format!("{exit}[0]"))]},
        id(&format!("{exit}[0]")): {"name": format!("{exit}[0]"), "displayName": "[0]", "type": "StepGroup", "boundaryID": id(&exit), "startedAt": at(7), "children": [id("slack"), id("rollback"), id("never")]},
        id("slack"): {"name": format!("{exit}[0].slack"), "displayName": "slack", "type": "Pod", "templateName": "slack", "boundaryID": id(&exit), "phase": "Failed", "startedAt": at(7), "finishedAt": at(8), "message": "webhook returned 500"},
        id("rollback"): {"name": format!("{exit}[0].rollback"), "displayName": "rollback", "type": "Skipped", "templateName": "undo", "boundaryID": id(&exit), "phase": "Skipped", "startedAt": at(7), "message": "when 'Failed == Succeeded' evaluated false"},
        id("never"): {"name": format!("{exit}[0].never"), "displayName": "never", "type": "Skipped", "boundaryID": id(&exit), "phase": "Omitted", "startedAt": at(7)},
    })
}

fn steps_with_retries_and_an_exit_handler_rows() -> Vec<(String, String, String)> {
    let wf = STEPS;
    vec![
        row(wf, "main", "Failed"),
        row("  lint", "shared/golangci", "Succeeded"),
        row("  checkout", "git", "Succeeded"),
        row("  build", "kaniko", "Failed"),
        row("    build(0)", "kaniko", "Failed"),
        row("    build(1)", "kaniko", "Failed"),
        row("  push(0)", "crane", "Succeeded"),
        row(&format!("{wf}.onExit"), "notify", "Failed"),
        row("  rollback", "undo", "Skipped"),
        row("  slack", "slack", "Failed"),
    ]
}

#[test]
fn steps_with_retries_and_an_exit_handler() {
    let nodes = steps_with_retries_and_an_exit_handler_nodes();
    let workflow = json!({"metadata": {"name": STEPS}, "status": {"nodes": nodes}});
    assert_eq!(
        rows(&workflow),
        steps_with_retries_and_an_exit_handler_rows()
    );
}

#[test]
fn compressed_nodes_draw_the_same_rows() {
    // The controller moves a large map to `status.compressedNodes` and drops `status.nodes`.
    let nodes = steps_with_retries_and_an_exit_handler_nodes();
    let compressed = crate::model::workflow_nodes::tests::compress(&nodes);
    let workflow = json!({"metadata": {"name": STEPS}, "status": {"compressedNodes": compressed}});
    assert_eq!(
        rows(&workflow),
        steps_with_retries_and_an_exit_handler_rows()
    );
}

#[test]
fn nested_dags_with_a_suspend_and_items_in_index_order() {
    let wf = "release-4m9p";
    let id = |name: &str| node_id(wf, name);
    let nodes = json!({
        wf: {"name": wf, "displayName": wf, "type": "DAG", "templateName": "release", "phase": "Running", "startedAt": at(0), "children": [id("test")]},
        id("test"): {"name": format!("{wf}.test"), "displayName": "test", "type": "DAG", "templateName": "matrix", "boundaryID": wf, "phase": "Succeeded", "startedAt": at(0)},
        // Items started together: by index, not by name ("(10:…)" after "(2:…)").
        id("test.t10"): {"name": format!("{wf}.test.shard(10:z)"), "displayName": "shard(10:z)", "type": "Pod", "templateName": "go-test", "boundaryID": id("test"), "phase": "Succeeded", "startedAt": at(1), "finishedAt": at(2)},
        id("test.t2"): {"name": format!("{wf}.test.shard(2:a)"), "displayName": "shard(2:a)", "type": "Pod", "templateName": "go-test", "boundaryID": id("test"), "phase": "Succeeded", "startedAt": at(1), "finishedAt": at(2)},
        id("approve"): {"name": format!("{wf}.approve"), "displayName": "approve", "type": "Suspend", "templateName": "wait-for-approval", "boundaryID": wf, "phase": "Running", "startedAt": at(3)},
        id("deploy"): {"name": format!("{wf}.deploy"), "displayName": "deploy", "type": "Pod", "templateName": "argocd-sync", "boundaryID": wf, "phase": "Pending"},
    });
    let workflow = json!({"metadata": {"name": wf}, "status": {"nodes": nodes}});
    assert_eq!(
        rows(&workflow),
        [
            row(wf, "release", "Running"),
            row("  deploy", "argocd-sync", "Pending"),
            row("  test", "matrix", "Succeeded"),
            row("    shard(2:a)", "go-test", "Succeeded"),
            row("    shard(10:z)", "go-test", "Succeeded"),
            row("  approve", "wait-for-approval", "Running"),
        ],
        "a node not started yet sorts first, as upstream's zero time does"
    );
}

#[test]
fn bad_data_draws_what_it_can() {
    let nodes = json!({
        "w": {"name": "w", "type": "Steps", "children": ["g"]},
        "g": {"name": "w[0]", "displayName": "[0]", "type": "StepGroup", "boundaryID": "w", "children": ["g", "missing", 3]},
        "x": {"name": "w.x", "displayName": "x", "type": "Container", "boundaryID": "w"},
        "orphan": {"name": "w.orphan", "displayName": "orphan", "type": "Pod", "boundaryID": "nowhere"},
    });
    assert_eq!(
        rows(&json!({"metadata": {"name": "w"}, "status": {"nodes": nodes}})),
        [row("w", "", "")],
        "a cycle, dangling IDs, unknown types and orphans draw nothing more"
    );
}
