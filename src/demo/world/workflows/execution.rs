//! One pass of the simulated Workflows controller over a Workflow: its templates evaluated against
//! the nodes written so far, giving the node map to write now, the leaves to start and the ones
//! still running. Pure: the caller creates pods, runs timers and writes the result.
//!
//! The node graph follows the real controller (argo-workflows `workflow/controller/steps.go`,
//! `dag.go`, `operator.go`): a Steps node holds StepGroups `<name>[i]` whose steps are
//! `<name>[i].<step>` and whose steps link to the next group; a DAG node's tasks are
//! `<name>.<task>`, linked from the tasks they depend on; a task whose `depends` does not hold is an
//! Omitted Skipped node ("omitted: depends condition not met"), a step whose `when` is false a
//! Skipped one ("when '…' evaluated false"); a DAG fails fast by default (no new task once one
//! failed, then Failed when the running ones end) and otherwise fails when a target branch did;
//! the exit handler `<wf>.onExit` runs once the main tree is done, and its failure fails a
//! Workflow that had succeeded. Nodes appear when they start, as upstream's do.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::conditions::{TaskResult, depends_holds, depends_of, referenced_tasks, when_holds};
use super::node_id;
use crate::model::json::str_at as text;

/// A container or suspend node: what the caller acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub id: String,
    pub node_name: String,
    pub template: String,
    pub image: String,
}

/// The result of one pass.
#[derive(Debug, Default)]
pub struct Pass {
    /// Every node, complete, keyed by ID (written as the new `status.nodes`).
    pub nodes: Map<String, Value>,
    /// Pod leaves seen for the first time: their pods are to be created.
    pub to_start: Vec<Leaf>,
    /// Pod leaves still running: their timers decide when they end.
    pub running: Vec<Leaf>,
    /// The Workflow's phase and message once it (and its exit handler) ended.
    pub completed: Option<(String, String)>,
    /// Executable nodes that succeeded, of those that exist (upstream's `progress`).
    pub progress: (usize, usize),
}

/// Evaluates `spec` (already merged with its WorkflowTemplate) against `observed` nodes.
pub fn evaluate(
    workflow: &str,
    spec: &Value,
    parameters: &Map<String, Value>,
    observed: &Map<String, Value>,
    now: &str,
) -> Pass {
    let templates = spec
        .get("templates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|template| (text(template, "/name"), template))
        .collect();
    let mut run = Run {
        workflow,
        templates,
        parameters,
        observed,
        now,
        workflow_status: None,
        pass: Pass::default(),
    };
    let main = run.invoke(workflow, workflow, text(spec, "/entrypoint"), None);
    let mut completed = fulfilled(&main.phase).then(|| (main.phase.clone(), main.message));
    let on_exit = text(spec, "/onExit");
    if let Some((phase, _)) = completed.clone().filter(|_| !on_exit.is_empty()) {
        run.workflow_status = Some(phase.clone());
        let name = format!("{workflow}.onExit");
        let exit = run.invoke(&name, &name, on_exit, None);
        if !fulfilled(&exit.phase) {
            completed = None;
        } else if phase == "Succeeded" && failed(&exit.phase) {
            completed = Some((exit.phase, exit.message));
        }
    }
    let mut pass = run.pass;
    for node in pass.nodes.values() {
        if matches!(text(node, "/type"), "Pod" | "Suspend") {
            pass.progress.1 += 1;
            pass.progress.0 += usize::from(text(node, "/phase") == "Succeeded");
        }
    }
    pass.completed = completed;
    pass
}

/// A completed phase: nothing more will happen to the node.
pub fn fulfilled(phase: &str) -> bool {
    matches!(
        phase,
        "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted"
    )
}

fn failed(phase: &str) -> bool {
    matches!(phase, "Failed" | "Error")
}

struct Outcome {
    id: String,
    phase: String,
    message: String,
}

struct Run<'a> {
    workflow: &'a str,
    templates: HashMap<&'a str, &'a Value>,
    parameters: &'a Map<String, Value>,
    observed: &'a Map<String, Value>,
    now: &'a str,
    /// `{{workflow.status}}`, known once the main tree ended (for the exit handler's `when`).
    workflow_status: Option<String>,
    pass: Pass,
}

/// Where a node sits: its name, display name and the boundary (Steps or DAG node) it belongs to.
struct Place<'p> {
    name: &'p str,
    display: &'p str,
    boundary: Option<&'p str>,
}

impl Run<'_> {
    /// Runs `template_name` as the node `name`: a leaf, a Steps node or a DAG node.
    fn invoke(
        &mut self,
        name: &str,
        display: &str,
        template_name: &str,
        boundary: Option<&str>,
    ) -> Outcome {
        let place = Place {
            name,
            display,
            boundary,
        };
        let Some(template) = self.templates.get(template_name).copied() else {
            let message = format!("template {template_name} not found");
            return self.put(&place, "Skipped", template_name, "Error", &message, &[]);
        };
        if let Some(groups) = template.pointer("/steps").and_then(Value::as_array) {
            self.steps(&place, template_name, groups)
        } else if let Some(dag) = template.get("dag") {
            self.dag(&place, template_name, dag)
        } else if template.get("suspend").is_some() {
            let phase = self.observed_phase(name).unwrap_or("Running").to_string();
            self.put(&place, "Suspend", template_name, &phase, "", &[])
        } else {
            self.pod(&place, template_name, template)
        }
    }

    fn pod(&mut self, place: &Place, template_name: &str, template: &Value) -> Outcome {
        let id = node_id(self.workflow, place.name);
        let image = ["/container/image", "/script/image"]
            .iter()
            .map(|path| text(template, path))
            .find(|image| !image.is_empty())
            .unwrap_or_default();
        let leaf = Leaf {
            id: id.clone(),
            node_name: place.name.to_string(),
            template: template_name.to_string(),
            image: self.substitute(image),
        };
        let (phase, message) = match self.observed.get(&id) {
            Some(node) => (text(node, "/phase").to_string(), text(node, "/message")),
            None => ("Running".to_string(), ""),
        };
        match phase.as_str() {
            "Running" if self.observed.contains_key(&id) => self.pass.running.push(leaf),
            "Running" => self.pass.to_start.push(leaf),
            _ => {}
        }
        let message = message.to_string();
        let outcome = self.put(place, "Pod", template_name, &phase, &message, &[]);
        let progress = if phase == "Succeeded" { "1/1" } else { "0/1" };
        self.pass.nodes[&outcome.id]["progress"] = json!(progress);
        outcome
    }

    fn steps(&mut self, place: &Place, template_name: &str, groups: &[Value]) -> Outcome {
        let id = node_id(self.workflow, place.name);
        let mut outcome = ("Succeeded".to_string(), String::new());
        let mut group_ids = Vec::new();
        let mut previous: Vec<String> = Vec::new();
        let mut statuses: HashMap<String, String> = HashMap::new();
        for (index, group) in groups.iter().enumerate() {
            let group_name = format!("{}[{index}]", place.name);
            let group_id = node_id(self.workflow, &group_name);
            for step in &previous {
                self.pass.nodes[step]["children"] = json!([group_id]);
            }
            group_ids.push(group_id.clone());
            let mut children = Vec::new();
            let mut outcomes = Vec::new();
            for step in group.as_array().into_iter().flatten() {
                let step_name = text(step, "/name");
                let child_name = format!("{group_name}.{step_name}");
                let child_place = Place {
                    name: &child_name,
                    display: step_name,
                    boundary: Some(&id),
                };
                let child_template = text(step, "/template");
                let when = self.substitute_with(text(step, "/when"), "steps", &statuses);
                let child = match when_holds_or_empty(&when) {
                    Ok(true) => self.invoke(&child_name, step_name, child_template, Some(&id)),
                    Ok(false) => {
                        let reason = format!("when '{when}' evaluated false");
                        self.put(
                            &child_place,
                            "Skipped",
                            child_template,
                            "Skipped",
                            &reason,
                            &[],
                        )
                    }
                    Err(error) => self.put(
                        &child_place,
                        "Skipped",
                        child_template,
                        "Error",
                        &error,
                        &[],
                    ),
                };
                statuses.insert(step_name.to_string(), child.phase.clone());
                children.push(child.id.clone());
                outcomes.push(child);
            }
            let (phase, message) = group_phase(&outcomes);
            let group_place = Place {
                name: &group_name,
                display: &format!("[{index}]"),
                boundary: Some(&id),
            };
            let group_outcome = self.put(
                &group_place,
                "StepGroup",
                template_name,
                &phase,
                &message,
                &children,
            );
            previous = children;
            if group_outcome.phase != "Succeeded" {
                outcome = (group_outcome.phase, group_outcome.message);
                break;
            }
        }
        let first = &group_ids[..group_ids.len().min(1)];
        self.put(place, "Steps", template_name, &outcome.0, &outcome.1, first)
    }

    fn dag(&mut self, place: &Place, template_name: &str, dag: &Value) -> Outcome {
        let id = node_id(self.workflow, place.name);
        let tasks: Vec<&Value> = dag
            .get("tasks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        let fail_fast = dag.get("failFast").and_then(Value::as_bool) != Some(false);
        let task_name = |task: &Value| text(task, "/name").to_string();
        let depends: HashMap<String, String> = tasks
            .iter()
            .map(|t| (task_name(t), depends_of(t)))
            .collect();
        let parents: HashMap<String, Vec<String>> = depends
            .iter()
            .map(|(task, expression)| (task.clone(), referenced_tasks(expression)))
            .collect();
        let mut phases: HashMap<String, String> = HashMap::new();
        let mut children_of: HashMap<String, Vec<String>> = HashMap::new();
        let mut roots = Vec::new();
        let mut stop_scheduling = false;
        // Topological passes: a task is looked at once every task it depends on has ended.
        let mut progressed = true;
        while progressed {
            progressed = false;
            for task in &tasks {
                let name = task_name(task);
                if phases.contains_key(&name) {
                    continue;
                }
                let task_parents = &parents[&name];
                if !task_parents
                    .iter()
                    .all(|p| phases.get(p).is_some_and(|p| fulfilled(p)))
                {
                    continue;
                }
                let node_name = format!("{}.{name}", place.name);
                let started = self
                    .observed
                    .contains_key(&node_id(self.workflow, &node_name));
                if stop_scheduling && !started {
                    continue;
                }
                let result_of = |parent: &str| {
                    let found = tasks.iter().find(|t| text(t, "/name") == parent)?;
                    Some(TaskResult {
                        phase: phases.get(parent).map(String::as_str).unwrap_or(""),
                        continues_on: continues_on(found),
                    })
                };
                let template = text(task, "/template");
                let child_place = Place {
                    name: &node_name,
                    display: &name,
                    boundary: Some(&id),
                };
                let when = self.substitute_with(text(task, "/when"), "tasks", &phases);
                let verdict = depends_holds_or_empty(&depends[&name], result_of)
                    .map(|holds| (holds, "omitted: depends condition not met".to_string()))
                    .and_then(|(holds, reason)| match holds {
                        false => Ok((false, reason)),
                        true => when_holds_or_empty(&when)
                            .map(|run| (run, format!("when '{when}' evaluated false"))),
                    });
                let outcome = match verdict {
                    Ok((true, _)) => self.invoke(&node_name, &name, template, Some(&id)),
                    Ok((false, reason)) => {
                        let phase = if reason.starts_with("omitted") {
                            "Omitted"
                        } else {
                            "Skipped"
                        };
                        self.put(&child_place, "Skipped", template, phase, &reason, &[])
                    }
                    Err(error) => self.put(&child_place, "Skipped", template, "Error", &error, &[]),
                };
                if task_parents.is_empty() {
                    roots.push(outcome.id.clone());
                }
                for parent in task_parents {
                    children_of
                        .entry(parent.clone())
                        .or_default()
                        .push(outcome.id.clone());
                }
                if fail_fast
                    && failed(&outcome.phase)
                    && !continues_on(task).contains(&outcome.phase.as_str())
                {
                    stop_scheduling = true;
                }
                phases.insert(name, outcome.phase);
                progressed = true;
            }
        }
        for (parent, children) in &children_of {
            let parent_id = node_id(self.workflow, &format!("{}.{parent}", place.name));
            if let Some(node) = self.pass.nodes.get_mut(&parent_id) {
                node["children"] = json!(children);
            }
        }
        let phase = self.dag_phase(&tasks, &phases, &parents, stop_scheduling);
        self.put(place, "DAG", template_name, &phase, "", &roots)
    }

    /// assessDAGPhase as the demo needs it: Running while a task runs or may still be scheduled;
    /// then Failed when a target task's branch failed (an omitted target inherits its ancestors'
    /// failure) unless the task continues on that phase, else Succeeded.
    fn dag_phase(
        &self,
        tasks: &[&Value],
        phases: &HashMap<String, String>,
        parents: &HashMap<String, Vec<String>>,
        stopped: bool,
    ) -> String {
        let name = |task: &Value| text(task, "/name").to_string();
        let running = phases.values().any(|phase| !fulfilled(phase));
        if running || (!stopped && phases.len() < tasks.len()) {
            return "Running".into();
        }
        if stopped {
            return "Failed".into();
        }
        let branch_failed = |task: &str| -> Option<String> {
            let mut stack = vec![task.to_string()];
            while let Some(current) = stack.pop() {
                let phase = phases.get(&current).map(String::as_str).unwrap_or("");
                let continues = tasks
                    .iter()
                    .find(|t| name(t) == current)
                    .is_some_and(|t| continues_on(t).contains(&phase));
                if failed(phase) && !continues {
                    return Some(phase.to_string());
                }
                if phase == "Omitted" {
                    stack.extend(parents[&current].iter().cloned());
                }
            }
            None
        };
        let targets = tasks
            .iter()
            .map(|t| name(t))
            .filter(|task| !parents.values().any(|p| p.contains(task)));
        targets
            .filter_map(|task| branch_failed(&task))
            .next()
            .unwrap_or_else(|| "Succeeded".into())
    }

    fn observed_phase(&self, name: &str) -> Option<&str> {
        let node = self.observed.get(&node_id(self.workflow, name))?;
        Some(text(node, "/phase"))
    }

    /// Writes the node `place` as it is now, keeping the times it already has.
    fn put(
        &mut self,
        place: &Place,
        kind: &str,
        template: &str,
        phase: &str,
        message: &str,
        children: &[String],
    ) -> Outcome {
        let id = node_id(self.workflow, place.name);
        let before = self.observed.get(&id);
        let kept = |field: &str| {
            before
                .and_then(|node| node.get(field))
                .and_then(Value::as_str)
                .filter(|value| !value.is_empty())
                .unwrap_or(self.now)
                .to_string()
        };
        let mut node = json!({"id": id, "name": place.name, "displayName": place.display, "type": kind,
            "templateName": template, "phase": phase, "startedAt": kept("startedAt"), "children": children});
        if let Some(boundary) = place.boundary {
            node["boundaryID"] = json!(boundary);
        }
        if fulfilled(phase) {
            node["finishedAt"] = json!(kept("finishedAt"));
        }
        if !message.is_empty() {
            node["message"] = json!(message);
        }
        self.pass.nodes.insert(id.clone(), node);
        Outcome {
            id,
            phase: phase.to_string(),
            message: message.to_string(),
        }
    }

    /// `{{workflow.parameters.X}}` replaced by the parameter values.
    fn substitute(&self, text: &str) -> String {
        self.substitute_with(text, "", &HashMap::new())
    }

    /// Also `{{workflow.status}}` and `{{<scope>.<name>.status}}` from `statuses`.
    fn substitute_with(
        &self,
        text: &str,
        scope: &str,
        statuses: &HashMap<String, String>,
    ) -> String {
        let mut out = self
            .parameters
            .iter()
            .fold(text.to_string(), |acc, (name, value)| {
                acc.replace(
                    &format!("{{{{workflow.parameters.{name}}}}}"),
                    value.as_str().unwrap_or_default(),
                )
            });
        if let Some(status) = &self.workflow_status {
            out = out.replace("{{workflow.status}}", status);
        }
        for (name, phase) in statuses {
            out = out.replace(&format!("{{{{{scope}.{name}.status}}}}"), phase);
        }
        out
    }
}

/// A step group runs until every step ended, then fails with its first failed step.
fn group_phase(steps: &[Outcome]) -> (String, String) {
    if steps.iter().any(|step| !fulfilled(&step.phase)) {
        return ("Running".into(), String::new());
    }
    match steps.iter().find(|step| failed(&step.phase)) {
        Some(step) => (step.phase.clone(), format!("child '{}' failed", step.id)),
        None => ("Succeeded".into(), String::new()),
    }
}

fn continues_on(task: &Value) -> &'static [&'static str] {
    let on = |field: &str| {
        task.pointer(&format!("/continueOn/{field}"))
            .and_then(Value::as_bool)
            == Some(true)
    };
    match (on("failed"), on("error")) {
        (true, true) => &["Failed", "Error"],
        (true, false) => &["Failed"],
        (false, true) => &["Error"],
        (false, false) => &[],
    }
}

fn when_holds_or_empty(when: &str) -> Result<bool, String> {
    if when.is_empty() {
        Ok(true)
    } else {
        when_holds(when)
    }
}

fn depends_holds_or_empty<'a>(
    depends: &str,
    result_of: impl Fn(&str) -> Option<TaskResult<'a>>,
) -> Result<bool, String> {
    if depends.is_empty() {
        Ok(true)
    } else {
        depends_holds(depends, result_of)
    }
}

#[cfg(test)]
#[path = "execution_tests.rs"]
mod tests;
