//! Simulated Argo Workflows controller. A Workflow (usually from the demo-app-ci template) gets a
//! node tree like the real controller writes (root Steps node named after the workflow, a
//! StepGroup per step, a Pod node per step, IDs `<wf>-<fnv32a(name)>`); each step creates a Pod
//! with logs, runs for its (scaled) duration and does its real side effect: check out the commit,
//! build (reading the commit's BUILD_QUALITY), push to the simulated registry, and commit the new
//! tag into the GitOps repo. Honours `spec.shutdown` (Stop/Terminate) and `spec.suspend`.

mod steps;

use std::sync::Mutex;

use crate::model::json::str_at as text;
use kube::api::{Patch, PatchParams};
use serde_json::{Map, Value, json};

use crate::demo::world::context::{WorldContext, now};
use crate::demo::world::driver;
use crate::demo::world::kube_events;
use crate::demo::world::timers::Timers;
use steps::{create_pod, end_pod, step_effect, stop_pod};

pub use crate::model::workflow_nodes::fnv32a;

/// Node ID of `name` in workflow `workflow` (the root node's ID is the workflow's name).
pub fn node_id(workflow: &str, name: &str) -> String {
    if name == workflow {
        workflow.to_string()
    } else {
        format!("{workflow}-{}", fnv32a(name))
    }
}

/// World seconds a step of `template` takes.
fn step_duration(template: &str) -> f64 {
    match template {
        "git-clone" => 15.0,
        "docker-build" => 60.0,
        "docker-push" => 20.0,
        "update-k8s-manifests" => 10.0,
        _ => 20.0,
    }
}

/// One step of the entrypoint's step list.
#[derive(Debug, Clone)]
struct Step {
    group: usize,
    name: String,
    template: String,
    image: String,
}

pub async fn run(ctx: WorldContext) {
    let workflows = ctx.api("argoproj.io", "v1alpha1", "Workflow", "workflows", None);
    let timers = Mutex::new(Timers::default());
    driver::run_each("workflows", workflows, Vec::new(), |workflow| {
        let (ctx, timers) = (&ctx, &timers);
        async move {
            reconcile(
                ctx,
                timers,
                serde_json::to_value(&workflow).unwrap_or_default(),
            )
            .await
        }
    })
    .await;
}

async fn reconcile(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    workflow: Value,
) -> Result<(), kube::Error> {
    if text(
        &workflow,
        "/metadata/labels/workflows.argoproj.io~1completed",
    ) == "true"
    {
        return Ok(());
    }
    let name = text(&workflow, "/metadata/name").to_string();
    let namespace = text(&workflow, "/metadata/namespace").to_string();
    let uid = text(&workflow, "/metadata/uid").to_string();
    let api = ctx.api(
        "argoproj.io",
        "v1alpha1",
        "Workflow",
        "workflows",
        Some(&namespace),
    );
    let phase = text(&workflow, "/status/phase").to_string();

    // Resolve the spec (inline, or from the referenced WorkflowTemplate) and the parameters.
    let (spec, parameters) = match resolve(ctx, &namespace, &workflow).await {
        Ok(resolved) => resolved,
        Err(message) => {
            finish(&api, &namespace, &name, "Error", &message, json!({})).await?;
            return Ok(());
        }
    };
    let steps = steps_of(&spec, &parameters);
    if steps.is_empty() {
        finish(
            &api,
            &namespace,
            &name,
            "Error",
            "the entrypoint template has no steps",
            json!({}),
        )
        .await?;
        return Ok(());
    }

    if phase.is_empty() {
        let nodes = initial_nodes(&name, &steps, text(&spec, "/entrypoint"));
        let status = json!({"phase": "Running", "startedAt": now(), "progress": format!("0/{}", steps.len()), "nodes": nodes});
        let labels = json!({"workflows.argoproj.io/phase": "Running"});
        api.patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": labels}, "status": status})),
        )
        .await?;
        record_workflow_event(
            &api,
            &namespace,
            &name,
            false,
            "WorkflowRunning",
            "Workflow Running",
        )
        .await;
        return Ok(());
    }

    let shutdown = text(&workflow, "/spec/shutdown").to_string();
    if !shutdown.is_empty() {
        let nodes = shut_down_nodes(&workflow, &name);
        for step in &steps {
            let id = node_id(&name, &format!("{name}[{}].{}", step.group, step.name));
            if text(&workflow, &format!("/status/nodes/{id}/phase")) == "Running" {
                stop_pod(ctx, &namespace, &pod_name(&name, step, &id)).await?;
            }
        }
        finish(
            &api,
            &namespace,
            &name,
            "Failed",
            &format!("Stopped with strategy '{shutdown}'"),
            json!({"nodes": nodes}),
        )
        .await?;
        timers.lock().unwrap_or_else(|e| e.into_inner()).clear(&uid);
        return Ok(());
    }
    if workflow.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }

    // Advance the first step that is not done.
    let mut done = 0;
    for step in &steps {
        let node_name = format!("{name}[{}].{}", step.group, step.name);
        let id = node_id(&name, &node_name);
        let node_phase = text(&workflow, &format!("/status/nodes/{id}/phase")).to_string();
        match node_phase.as_str() {
            "Succeeded" => {
                done += 1;
                continue;
            }
            "Pending" | "" => {
                let pod = pod_name(&name, step, &id);
                let owner = (name.as_str(), text(&workflow, "/metadata/uid"));
                create_pod(ctx, &namespace, &pod, owner, &id, &node_name, step).await?;
                ctx.log(
                    &namespace,
                    &pod,
                    "main",
                    &format!(
                        "time=\"{}\" level=info msg=\"starting {}\"",
                        now(),
                        step.template
                    ),
                );
                timers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .restart(&format!("{uid}/{id}"));
                let group_id = node_id(&name, &format!("{name}[{}]", step.group));
                let patch = json!({"status": {"nodes": {
                    id.clone(): {"phase": "Running", "startedAt": now()},
                    group_id: {"phase": "Running"},
                }}});
                api.patch(&name, &PatchParams::default(), &Patch::Merge(patch))
                    .await?;
            }
            "Running" => {
                let finished = timers.lock().unwrap_or_else(|e| e.into_inner()).done(
                    &format!("{uid}/{id}"),
                    ctx.speed,
                    step_duration(&step.template),
                );
                if !finished {
                    return Ok(());
                }
                let pod = pod_name(&name, step, &id);
                let outcome = step_effect(ctx, &namespace, &pod, step, &parameters);
                let group_id = node_id(&name, &format!("{name}[{}]", step.group));
                match outcome {
                    Ok(message) => {
                        ctx.log(&namespace, &pod, "main", &message);
                        end_pod(ctx, &namespace, &pod, "Succeeded").await?;
                        let progress = format!("{}/{}", done + 1, steps.len());
                        let patch = json!({"status": {"progress": progress, "nodes": {
                            id.clone(): {"phase": "Succeeded", "finishedAt": now(), "progress": "1/1"},
                            group_id: {"phase": "Succeeded", "finishedAt": now()},
                        }}});
                        api.patch(&name, &PatchParams::default(), &Patch::Merge(patch))
                            .await?;
                        if done + 1 == steps.len() {
                            let root = json!({name.clone(): {"phase": "Succeeded", "finishedAt": now(), "progress": progress}});
                            finish(
                                &api,
                                &namespace,
                                &name,
                                "Succeeded",
                                "",
                                json!({"nodes": root}),
                            )
                            .await?;
                            timers.lock().unwrap_or_else(|e| e.into_inner()).clear(&uid);
                        }
                    }
                    Err(message) => {
                        ctx.log(&namespace, &pod, "main", &format!("error: {message}"));
                        end_pod(ctx, &namespace, &pod, "Failed").await?;
                        let nodes = json!({
                            id.clone(): {"phase": "Failed", "finishedAt": now(), "message": message},
                            group_id: {"phase": "Failed", "finishedAt": now()},
                            name.clone(): {"phase": "Failed", "finishedAt": now(), "message": format!("child '{id}' failed")},
                        });
                        finish(
                            &api,
                            &namespace,
                            &name,
                            "Failed",
                            &format!("child '{id}' failed"),
                            json!({"nodes": nodes}),
                        )
                        .await?;
                        timers.lock().unwrap_or_else(|e| e.into_inner()).clear(&uid);
                    }
                }
            }
            _ => {}
        }
        return Ok(());
    }
    Ok(())
}

/// The workflow's spec (merged with its WorkflowTemplate) and its parameters.
async fn resolve(
    ctx: &WorldContext,
    namespace: &str,
    workflow: &Value,
) -> Result<(Value, Map<String, Value>), String> {
    let mut spec = workflow.get("spec").cloned().unwrap_or_else(|| json!({}));
    let mut parameters = Map::new();
    if let Some(template_name) = spec
        .pointer("/workflowTemplateRef/name")
        .and_then(Value::as_str)
        .map(str::to_string)
    {
        let templates = ctx.api(
            "argoproj.io",
            "v1alpha1",
            "WorkflowTemplate",
            "workflowtemplates",
            Some(namespace),
        );
        let template = templates
            .get(&template_name)
            .await
            .map_err(|_| format!("workflowtemplates.argoproj.io \"{template_name}\" not found"))?;
        let template_spec = template
            .data
            .get("spec")
            .cloned()
            .unwrap_or_else(|| json!({}));
        collect_parameters(&template_spec, &mut parameters);
        for key in ["entrypoint", "templates"] {
            if spec.get(key).is_none()
                && let Some(value) = template_spec.get(key)
            {
                spec[key] = value.clone();
            }
        }
    }
    collect_parameters(&spec, &mut parameters);
    if let Some((missing, _)) = parameters.iter().find(|(_, v)| v.is_null()) {
        return Err(format!("spec.arguments.{missing}.value is required"));
    }
    Ok((spec, parameters))
}

fn collect_parameters(spec: &Value, into: &mut Map<String, Value>) {
    for parameter in spec
        .pointer("/arguments/parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = parameter.get("name").and_then(Value::as_str) else {
            continue;
        };
        let value = parameter
            .get("value")
            .or_else(|| parameter.get("default"))
            .cloned()
            .unwrap_or(Value::Null);
        if !value.is_null() || !into.contains_key(name) {
            into.insert(name.to_string(), value);
        }
    }
}

/// The entrypoint's steps, in order.
fn steps_of(spec: &Value, parameters: &Map<String, Value>) -> Vec<Step> {
    let entrypoint = text(spec, "/entrypoint");
    let templates = spec
        .get("templates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let find = |name: &str| {
        templates
            .iter()
            .find(|t| t.get("name").and_then(Value::as_str) == Some(name))
            .cloned()
    };
    let Some(entry) = find(entrypoint) else {
        return Vec::new();
    };
    let mut steps = Vec::new();
    for (group, parallel) in entry
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for step in parallel.as_array().into_iter().flatten() {
            let template = text(step, "/template").to_string();
            let image = find(&template)
                .map(|t| text(&t, "/container/image").to_string())
                .unwrap_or_default();
            steps.push(Step {
                group,
                name: text(step, "/name").to_string(),
                template,
                image: substitute(&image, parameters),
            });
        }
    }
    steps
}

/// Replaces `{{workflow.parameters.X}}` with the parameter values.
fn substitute(text: &str, parameters: &Map<String, Value>) -> String {
    parameters
        .iter()
        .fold(text.to_string(), |acc, (name, value)| {
            acc.replace(
                &format!("{{{{workflow.parameters.{name}}}}}"),
                value.as_str().unwrap_or_default(),
            )
        })
}

fn pod_name(workflow: &str, step: &Step, id: &str) -> String {
    let hash = id.rsplit('-').next().unwrap_or_default();
    format!("{workflow}-{}-{hash}", step.template)
}

fn initial_nodes(workflow: &str, steps: &[Step], entrypoint: &str) -> Value {
    let mut nodes = Map::new();
    let groups: Vec<usize> = {
        let mut g: Vec<usize> = steps.iter().map(|s| s.group).collect();
        g.dedup();
        g
    };
    // The groups are stamped when the plan is made, so `argo get`'s order (start time, then
    // name) keeps them in step order while they run.
    let group_ids: Vec<String> = groups
        .iter()
        .map(|g| node_id(workflow, &format!("{workflow}[{g}]")))
        .collect();
    nodes.insert(workflow.to_string(), json!({"id": workflow, "name": workflow, "displayName": workflow, "type": "Steps", "templateName": entrypoint, "phase": "Running", "startedAt": now(), "children": group_ids.first().map(|g| vec![g.clone()]).unwrap_or_default()}));
    for (index, group) in groups.iter().enumerate() {
        let group_name = format!("{workflow}[{group}]");
        let children: Vec<String> = steps
            .iter()
            .filter(|s| s.group == *group)
            .map(|s| node_id(workflow, &format!("{group_name}.{}", s.name)))
            .collect();
        nodes.insert(group_ids[index].clone(), json!({"id": group_ids[index], "name": group_name, "displayName": format!("[{group}]"), "type": "StepGroup", "templateName": entrypoint, "phase": "Pending", "boundaryID": workflow, "startedAt": now(), "children": children}));
        for step in steps.iter().filter(|s| s.group == *group) {
            let node_name = format!("{group_name}.{}", step.name);
            let id = node_id(workflow, &node_name);
            let next: Vec<String> = group_ids.get(index + 1).cloned().into_iter().collect();
            nodes.insert(id.clone(), json!({"id": id, "name": node_name, "displayName": step.name, "type": "Pod", "templateName": step.template, "phase": "Pending", "boundaryID": workflow, "children": next}));
        }
    }
    Value::Object(nodes)
}

/// Node phases after a shutdown: running ones fail, pending ones are omitted.
fn shut_down_nodes(workflow: &Value, name: &str) -> Value {
    let mut nodes = Map::new();
    for (id, node) in workflow
        .pointer("/status/nodes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let phase = match node.get("phase").and_then(Value::as_str) {
            Some("Running") => {
                json!({"phase": "Failed", "finishedAt": now(), "message": "workflow shutdown with strategy"})
            }
            Some("Pending") => {
                json!({"phase": "Omitted", "message": "omitted: depends condition not met"})
            }
            _ => continue,
        };
        nodes.insert(id.clone(), phase);
    }
    nodes.insert(
        name.to_string(),
        json!({"phase": "Failed", "finishedAt": now()}),
    );
    Value::Object(nodes)
}

/// Ends the workflow: phase, message, completion labels and condition.
async fn finish(
    api: &kube::Api<kube::api::DynamicObject>,
    namespace: &str,
    name: &str,
    phase: &str,
    message: &str,
    extra_status: Value,
) -> Result<(), kube::Error> {
    let mut status = json!({"phase": phase, "finishedAt": now(), "conditions": [{"type": "Completed", "status": "True"}]});
    if !message.is_empty() {
        status["message"] = json!(message);
    }
    if let Some(extra) = extra_status.as_object() {
        for (key, value) in extra {
            status[key] = value.clone();
        }
    }
    if status.get("startedAt").is_none() {
        status["startedAt"] = json!(now());
    }
    let labels =
        json!({"workflows.argoproj.io/phase": phase, "workflows.argoproj.io/completed": "true"});
    api.patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": labels}, "status": status})),
    )
    .await?;
    // Argo Workflows' controller records WorkflowSucceeded / WorkflowFailed on completion.
    let (warning, reason, event_message) = match phase {
        "Succeeded" => (false, "WorkflowSucceeded", "Workflow completed".to_string()),
        _ => (true, "WorkflowFailed", message.to_string()),
    };
    record_workflow_event(api, namespace, name, warning, reason, &event_message).await;
    Ok(())
}

async fn record_workflow_event(
    api: &kube::Api<kube::api::DynamicObject>,
    namespace: &str,
    name: &str,
    warning: bool,
    reason: &str,
    message: &str,
) {
    let involved = kube_events::Involved {
        api_version: "argoproj.io/v1alpha1",
        kind: "Workflow",
        namespace,
        name,
    };
    kube_events::record(
        api.clone().into_client(),
        "workflow-controller",
        involved,
        warning,
        reason,
        message,
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_follow_argo() {
        // Argo's NodeID: "<wf>-<fnv32a(name)>", root = the workflow name.
        assert_eq!(node_id("wf", "wf"), "wf");
        assert_eq!(
            node_id("wf", "wf[0].checkout"),
            format!("wf-{}", fnv32a("wf[0].checkout"))
        );
    }
}
