//! The simulated controller's passes over realistic steps, DAG, suspend and exit-handler
//! Workflows: which nodes exist, with which phases, links and messages, after each leaf ends.

use serde_json::{Map, Value, json};

use super::*;

const NOW: &str = "2026-11-30T10:00:00Z";

/// One pass, then each leaf in `outcomes` ended as given; returns the pass after that.
struct Driver {
    spec: Value,
    observed: Map<String, Value>,
}

impl Driver {
    fn new(spec: Value) -> Self {
        Driver {
            spec,
            observed: Map::new(),
        }
    }

    fn pass(&mut self) -> Pass {
        let pass = evaluate("wf", &self.spec, &Map::new(), &self.observed, NOW);
        self.observed = pass.nodes.clone();
        pass
    }

    /// Ends the leaf `name` (a node name) with `phase`, as the caller does when its timer ran out.
    fn end(&mut self, name: &str, phase: &str) {
        let node = self
            .observed
            .get_mut(&node_id("wf", name))
            .unwrap_or_else(|| panic!("{name} was never started"));
        node["phase"] = json!(phase);
    }

    fn phase(&self, name: &str) -> Option<String> {
        self.observed
            .get(&node_id("wf", name))
            .map(|node| text(node, "/phase").to_string())
    }

    fn node(&self, name: &str) -> &Value {
        &self.observed[&node_id("wf", name)]
    }
}

fn started(pass: &Pass) -> Vec<String> {
    pass.to_start
        .iter()
        .map(|leaf| leaf.node_name.clone())
        .collect()
}

fn ids(names: &[&str]) -> Value {
    json!(
        names
            .iter()
            .map(|name| node_id("wf", name))
            .collect::<Vec<_>>()
    )
}

fn container(name: &str) -> Value {
    json!({"name": name, "container": {"image": "alpine:3.20", "command": ["sh", "-c", "true"]}})
}

#[test]
fn steps_run_group_by_group_and_link_to_the_next_group() {
    let mut world = Driver::new(json!({"entrypoint": "main", "templates": [
        {"name": "main", "steps": [[{"name": "checkout", "template": "clone"}],
                                    [{"name": "test", "template": "run"}, {"name": "lint", "template": "run"}]]},
        container("clone"), container("run")]}));
    let pass = world.pass();
    assert_eq!(started(&pass), ["wf[0].checkout"]);
    assert_eq!(pass.progress, (0, 1));
    assert_eq!(text(world.node("wf"), "/type"), "Steps");
    assert_eq!(world.node("wf")["children"], ids(&["wf[0]"]));
    assert_eq!(text(world.node("wf[0]"), "/type"), "StepGroup");
    assert_eq!(text(world.node("wf[0]"), "/boundaryID"), "wf");
    assert_eq!(text(world.node("wf[0].checkout"), "/templateName"), "clone");
    assert_eq!(world.phase("wf[1]"), None, "nodes appear when they start");

    world.end("wf[0].checkout", "Succeeded");
    let pass = world.pass();
    assert_eq!(started(&pass), ["wf[1].test", "wf[1].lint"]);
    assert_eq!(world.phase("wf[0]").as_deref(), Some("Succeeded"));
    assert_eq!(world.node("wf[0].checkout")["children"], ids(&["wf[1]"]));
    assert_eq!(text(world.node("wf[1].lint"), "/displayName"), "lint");

    world.end("wf[1].test", "Failed");
    let pass = world.pass();
    assert!(pass.completed.is_none(), "lint still runs");
    assert_eq!(world.phase("wf[1]").as_deref(), Some("Running"));
    world.end("wf[1].lint", "Succeeded");
    let pass = world.pass();
    let failed_child = format!("child '{}' failed", node_id("wf", "wf[1].test"));
    assert_eq!(
        pass.completed,
        Some(("Failed".into(), failed_child.clone()))
    );
    assert_eq!(text(world.node("wf"), "/message"), failed_child);
    assert_eq!(pass.progress, (2, 3));
}

fn diamond(fail_fast: Option<bool>) -> Value {
    let mut dag = json!({"tasks": [
        {"name": "A", "template": "run"},
        {"name": "B", "template": "run", "dependencies": ["A"]},
        {"name": "C", "template": "run", "dependencies": ["A"]},
        {"name": "D", "template": "run", "depends": "B && C"}]});
    if let Some(fail_fast) = fail_fast {
        dag["failFast"] = json!(fail_fast);
    }
    json!({"entrypoint": "diamond", "templates": [{"name": "diamond", "dag": dag}, container("run")]})
}

#[test]
fn a_dag_starts_tasks_when_their_dependencies_end() {
    let mut world = Driver::new(diamond(None));
    assert_eq!(started(&world.pass()), ["wf.A"]);
    assert_eq!(text(world.node("wf"), "/type"), "DAG");
    assert_eq!(world.node("wf")["children"], ids(&["wf.A"]));
    assert_eq!(text(world.node("wf.A"), "/boundaryID"), "wf");

    world.end("wf.A", "Succeeded");
    assert_eq!(started(&world.pass()), ["wf.B", "wf.C"]);
    assert_eq!(world.node("wf.A")["children"], ids(&["wf.B", "wf.C"]));
    world.end("wf.B", "Succeeded");
    assert!(started(&world.pass()).is_empty(), "D waits for C");
    world.end("wf.C", "Succeeded");
    assert_eq!(started(&world.pass()), ["wf.D"]);
    world.end("wf.D", "Succeeded");
    let pass = world.pass();
    assert_eq!(pass.completed, Some(("Succeeded".into(), String::new())));
    assert_eq!(pass.progress, (4, 4));
}

#[test]
fn a_dag_fails_fast_once_its_running_tasks_end() {
    let mut world = Driver::new(diamond(None));
    world.pass();
    world.end("wf.A", "Succeeded");
    world.pass();
    world.end("wf.B", "Failed");
    let pass = world.pass();
    assert!(pass.completed.is_none(), "C still runs");
    assert_eq!(world.phase("wf").as_deref(), Some("Running"));
    world.end("wf.C", "Succeeded");
    let pass = world.pass();
    assert_eq!(
        world.phase("wf.D"),
        None,
        "no task is scheduled after a failure"
    );
    assert_eq!(
        pass.completed.map(|(phase, _)| phase).as_deref(),
        Some("Failed")
    );
}

#[test]
fn without_fail_fast_dependants_are_omitted_and_the_target_branch_fails() {
    let mut world = Driver::new(diamond(Some(false)));
    world.pass();
    world.end("wf.A", "Succeeded");
    world.pass();
    world.end("wf.B", "Failed");
    world.end("wf.C", "Succeeded");
    let pass = world.pass();
    assert_eq!(world.phase("wf.D").as_deref(), Some("Omitted"));
    assert_eq!(text(world.node("wf.D"), "/type"), "Skipped");
    assert_eq!(
        text(world.node("wf.D"), "/message"),
        "omitted: depends condition not met"
    );
    // D is the target; omitted, it inherits B's failure (assessDAGPhase).
    assert_eq!(
        pass.completed.map(|(phase, _)| phase).as_deref(),
        Some("Failed")
    );
}

#[test]
fn depends_on_a_failure_runs_the_handler_and_continue_on_forgives() {
    let spec = json!({"entrypoint": "main", "templates": [{"name": "main", "dag": {"tasks": [
        {"name": "deploy", "template": "run", "continueOn": {"failed": true}},
        {"name": "rollback", "template": "run", "depends": "deploy.Failed"},
        {"name": "announce", "template": "run", "dependencies": ["deploy"]}]}}, container("run")]});
    let mut world = Driver::new(spec);
    world.pass();
    world.end("wf.deploy", "Failed");
    assert_eq!(started(&world.pass()), ["wf.rollback", "wf.announce"]);
    world.end("wf.rollback", "Succeeded");
    world.end("wf.announce", "Succeeded");
    let pass = world.pass();
    assert_eq!(
        pass.completed.map(|(phase, _)| phase).as_deref(),
        Some("Succeeded")
    );
}

#[test]
fn a_nested_dag_waits_at_its_suspend_node_until_resumed() {
    let spec = json!({"entrypoint": "main", "templates": [
        {"name": "main", "dag": {"tasks": [
            {"name": "build", "template": "run"},
            {"name": "release", "template": "gate", "dependencies": ["build"]}]}},
        {"name": "gate", "dag": {"tasks": [
            {"name": "approve", "template": "approval"},
            {"name": "ship", "template": "run", "dependencies": ["approve"]}]}},
        {"name": "approval", "suspend": {}}, container("run")]});
    let mut world = Driver::new(spec);
    world.pass();
    world.end("wf.build", "Succeeded");
    let pass = world.pass();
    assert!(started(&pass).is_empty(), "a suspend node starts no pod");
    assert_eq!(text(world.node("wf.release"), "/type"), "DAG");
    assert_eq!(text(world.node("wf.release.approve"), "/type"), "Suspend");
    assert_eq!(
        text(world.node("wf.release.approve"), "/boundaryID"),
        node_id("wf", "wf.release")
    );
    assert_eq!(
        world.phase("wf.release.approve").as_deref(),
        Some("Running")
    );
    // The same pass again: still waiting.
    assert!(started(&world.pass()).is_empty());
    // `argo resume` (flightdeck's ResumeWorkflow) marks the suspend node Succeeded.
    world.end("wf.release.approve", "Succeeded");
    assert_eq!(started(&world.pass()), ["wf.release.ship"]);
}

fn with_exit_handler(main_image_fails: bool) -> Driver {
    let spec = json!({"entrypoint": "main", "onExit": "exit-handler", "templates": [
        {"name": "main", "steps": [[{"name": "work", "template": "run"}]]},
        {"name": "exit-handler", "steps": [[
            {"name": "notify", "template": "run"},
            {"name": "celebrate", "template": "run", "when": "{{workflow.status}} == Succeeded"},
            {"name": "cry", "template": "run", "when": "{{workflow.status}} != Succeeded"}]]},
        container("run")]});
    let mut world = Driver::new(spec);
    world.pass();
    world.end(
        "wf[0].work",
        if main_image_fails {
            "Failed"
        } else {
            "Succeeded"
        },
    );
    world
}

#[test]
fn the_exit_handler_runs_after_the_main_tree_with_its_when_conditions() {
    let mut world = with_exit_handler(false);
    let pass = world.pass();
    assert!(pass.completed.is_none(), "the exit handler runs first");
    assert_eq!(
        started(&pass),
        ["wf.onExit[0].notify", "wf.onExit[0].celebrate"]
    );
    let onexit = world.node("wf.onExit");
    assert_eq!(
        (text(onexit, "/type"), text(onexit, "/displayName")),
        ("Steps", "wf.onExit")
    );
    assert_eq!(onexit.get("boundaryID"), None);
    let cry = world.node("wf.onExit[0].cry");
    assert_eq!(
        (text(cry, "/type"), text(cry, "/phase")),
        ("Skipped", "Skipped")
    );
    assert_eq!(
        text(cry, "/message"),
        "when 'Succeeded != Succeeded' evaluated false"
    );
    world.end("wf.onExit[0].notify", "Succeeded");
    world.end("wf.onExit[0].celebrate", "Succeeded");
    assert_eq!(
        world.pass().completed,
        Some(("Succeeded".into(), String::new()))
    );
}

#[test]
fn a_failed_exit_handler_fails_a_workflow_that_succeeded_but_not_the_reverse() {
    let mut world = with_exit_handler(false);
    world.pass();
    world.end("wf.onExit[0].notify", "Failed");
    world.end("wf.onExit[0].celebrate", "Succeeded");
    let (phase, message) = world.pass().completed.expect("done");
    assert_eq!(phase, "Failed");
    assert_eq!(
        message,
        format!("child '{}' failed", node_id("wf", "wf.onExit[0].notify"))
    );

    let mut world = with_exit_handler(true);
    assert_eq!(
        started(&world.pass()),
        ["wf.onExit[0].notify", "wf.onExit[0].cry"]
    );
    world.end("wf.onExit[0].notify", "Failed");
    world.end("wf.onExit[0].cry", "Succeeded");
    let (phase, message) = world.pass().completed.expect("done");
    assert_eq!(phase, "Failed");
    assert_eq!(
        message,
        format!("child '{}' failed", node_id("wf", "wf[0].work"))
    );
}

#[test]
fn times_are_kept_and_errors_are_nodes() {
    let mut world = Driver::new(json!({"entrypoint": "main", "templates": [
        {"name": "main", "steps": [[{"name": "x", "template": "missing"}]]}]}));
    world
        .observed
        .insert("wf".into(), json!({"startedAt": "2026-11-30T09:00:00Z"}));
    let pass = world.pass();
    assert_eq!(text(world.node("wf"), "/startedAt"), "2026-11-30T09:00:00Z");
    assert_eq!(
        text(world.node("wf[0].x"), "/message"),
        "template missing not found"
    );
    assert_eq!(
        pass.completed.map(|(phase, _)| phase).as_deref(),
        Some("Error")
    );
}

#[test]
fn the_printer_draws_what_the_controller_wrote() {
    // The exit handler's tree follows the main one; skipped steps are drawn, siblings that
    // started together go by name (argo get's insertSorted).
    let mut world = with_exit_handler(true);
    world.pass();
    let workflow = json!({"metadata": {"name": "wf"}, "status": {"nodes": world.observed}});
    let crate::model::workflow_nodes::NodeTree::Nodes(rows, _) =
        crate::model::workflow_tree::tree(&workflow)
    else {
        panic!("no tree");
    };
    let drawn: Vec<(String, usize)> = rows.iter().map(|r| (r.name.clone(), r.depth)).collect();
    let expected = [
        ("wf", 0),
        ("work", 1),
        ("wf.onExit", 0),
        ("celebrate", 1),
        ("cry", 1),
        ("notify", 1),
    ];
    let expected: Vec<(String, usize)> =
        expected.iter().map(|(n, d)| (n.to_string(), *d)).collect();
    assert_eq!(drawn, expected);
}
