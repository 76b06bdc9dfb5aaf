//! Simulated Argo Workflows controller. A Workflow (usually from the demo-app-ci template) gets a
//! node tree like the real controller writes (root Steps node named after the workflow, a
//! StepGroup per step, a Pod node per step, IDs `<wf>-<fnv32a(name)>`); each step creates a Pod
//! with logs, runs for its (scaled) duration and does its real side effect: check out the commit,
//! build (reading the commit's BUILD_QUALITY), push to the simulated registry, and commit the new
//! tag into the GitOps repo. Honours `spec.shutdown` (Stop/Terminate) and `spec.suspend`.

mod conditions;
mod execution;
mod steps;

use crate::model::Kind;
use std::sync::Mutex;

use crate::model::json::str_at as text;
use kube::api::{Patch, PatchParams};
use serde_json::{Map, Value, json};

use crate::demo::world::context::{WorldContext, now};
use crate::demo::world::driver;
use crate::demo::world::kube_events;
use crate::demo::world::timers::Timers;
use steps::{create_pod, end_pod, step_effect, stop_pod};

pub use crate::model::workflow_nodes::{fnv32a, node_id};

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

pub async fn run(ctx: WorldContext) {
    let workflows = ctx.api_for(Kind::Workflow, None);
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
    let api = ctx.api_for(Kind::Workflow, Some(&namespace));
    let phase = text(&workflow, "/status/phase").to_string();

    // Resolve the spec (inline, or from the referenced WorkflowTemplate) and the parameters.
    let (spec, parameters) = match resolve(ctx, &namespace, &workflow).await? {
        Ok(resolved) => resolved,
        Err(message) => {
            finish(&api, &namespace, &name, "Error", &message, json!({})).await?;
            return Ok(());
        }
    };
    if phase.is_empty() {
        let status = json!({"phase": "Running", "startedAt": now(), "progress": "0/0"});
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
        let nodes = shut_down_nodes(&workflow, &shutdown);
        for (id, node) in workflow
            .pointer("/status/nodes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if text(node, "/type") == "Pod" && text(node, "/phase") == "Running" {
                stop_pod(
                    ctx,
                    &namespace,
                    &pod_name(&name, text(node, "/templateName"), id),
                )
                .await?;
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

    // Evaluate, start what became ready, end what is done, and again until nothing ended: one
    // write carries every step that moved.
    let mut observed = workflow
        .pointer("/status/nodes")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let before = observed.clone();
    let pass = loop {
        let mut pass = execution::evaluate(&name, &spec, &parameters, &observed, &now());
        for leaf in &pass.to_start {
            let pod = pod_name(&name, &leaf.template, &leaf.id);
            create_pod(ctx, &namespace, &pod, (&name, &uid), leaf).await?;
            let line = format!(
                "time=\"{}\" level=info msg=\"starting {}\"",
                now(),
                leaf.template
            );
            ctx.log(&namespace, &pod, "main", &line);
            timers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .restart(&format!("{uid}/{}", leaf.id));
        }
        let mut ended = false;
        for leaf in &pass.running {
            let finished = timers.lock().unwrap_or_else(|e| e.into_inner()).done(
                &format!("{uid}/{}", leaf.id),
                ctx.speed,
                step_duration(&leaf.template),
            );
            if !finished {
                continue;
            }
            let pod = pod_name(&name, &leaf.template, &leaf.id);
            let (phase, message) = match step_effect(ctx, &namespace, &pod, leaf, &parameters) {
                Ok(last_line) => {
                    ctx.log(&namespace, &pod, "main", &last_line);
                    ("Succeeded", String::new())
                }
                Err(message) => {
                    ctx.log(&namespace, &pod, "main", &format!("error: {message}"));
                    ("Failed", message)
                }
            };
            end_pod(ctx, &namespace, &pod, phase).await?;
            let node = &mut pass.nodes[&leaf.id];
            node["phase"] = json!(phase);
            node["finishedAt"] = json!(now());
            if !message.is_empty() {
                node["message"] = json!(message);
            }
            ended = true;
        }
        observed = std::mem::take(&mut pass.nodes);
        if !ended {
            pass.nodes = std::mem::take(&mut observed);
            break pass;
        }
    };
    let progress = format!("{}/{}", pass.progress.0, pass.progress.1);
    let status = json!({"nodes": pass.nodes, "progress": progress});
    match pass.completed {
        Some((phase, message)) => {
            finish(&api, &namespace, &name, &phase, &message, status).await?;
            timers.lock().unwrap_or_else(|e| e.into_inner()).clear(&uid);
        }
        None if Value::Object(before) != status["nodes"] => {
            let patch = Patch::Merge(json!({"status": status}));
            api.patch(&name, &PatchParams::default(), &patch).await?;
        }
        None => {}
    }
    Ok(())
}

/// The workflow's spec (merged with its WorkflowTemplate) and its parameters, or the message
/// the workflow fails with (a missing template or parameter). Any other error reading the
/// template (the API server busy, a dropped connection) is returned as such, to be retried: only
/// a 404 makes the workflow fail, as upstream's controller requeues on transient errors.
async fn resolve(
    ctx: &WorldContext,
    namespace: &str,
    workflow: &Value,
) -> Result<Result<(Value, Map<String, Value>), String>, kube::Error> {
    let mut spec = workflow.get("spec").cloned().unwrap_or_else(|| json!({}));
    let mut parameters = Map::new();
    if let Some(template_name) = spec
        .pointer("/workflowTemplateRef/name")
        .and_then(Value::as_str)
        .map(str::to_string)
    {
        let templates = ctx.api_for(Kind::WorkflowTemplate, Some(namespace));
        let Some(template) = templates.get_opt(&template_name).await? else {
            return Ok(Err(format!(
                "workflowtemplates.argoproj.io \"{template_name}\" not found"
            )));
        };
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
        return Ok(Err(format!("spec.arguments.{missing}.value is required")));
    }
    Ok(Ok((spec, parameters)))
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

/// The pod of a node: `<wf>-<template>-<the node ID's hash>` (upstream's v2 pod names).
fn pod_name(workflow: &str, template: &str, id: &str) -> String {
    let hash = id.rsplit('-').next().unwrap_or_default();
    format!("{workflow}-{template}-{hash}")
}

/// Node phases after a shutdown: running ones fail (a pod's with upstream's message, two spaces
/// and all), pending ones are omitted. A workflow stopped before its first step has no nodes and
/// gets none: a node written here without its `id`, `name` and `type` would be refused by the
/// CRD's schema.
fn shut_down_nodes(workflow: &Value, shutdown: &str) -> Value {
    let mut nodes = Map::new();
    for (id, node) in workflow
        .pointer("/status/nodes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let phase = match node.get("phase").and_then(Value::as_str) {
            Some("Running") if text(node, "/type") == "Pod" => json!({"phase": "Failed",
                "finishedAt": now(), "message": format!("workflow shutdown with strategy:  {shutdown}")}),
            Some("Running") => json!({"phase": "Failed", "finishedAt": now()}),
            Some("Pending") => {
                json!({"phase": "Omitted", "message": "omitted: depends condition not met"})
            }
            _ => continue,
        };
        nodes.insert(id.clone(), phase);
    }
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
