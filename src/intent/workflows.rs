//! Argo Workflows actions as the `argo` CLI's kube mode sends them (semantics doc §2.3–2.6):
//! submit creates a Workflow from a template (`NewWorkflowFromWorkflowTemplate`); stop and
//! terminate merge-patch `spec.shutdown`; suspend and resume replace (PUT) the Workflow as read
//! with `spec.suspend` changed (resume also finishes active Suspend nodes, filling supplied output
//! parameters from their defaults), its resourceVersion the precondition, as upstream's `Update`;
//! resubmit creates a copy. Retry is not offered: upstream rewrites the node tree and deletes pods, which
//! flightdeck does not reproduce. Pure.

use serde_json::{Map, Value, json};

use super::request::{create, merge_patch, update};
use super::{Context, Intent, Planned, Reads};
use crate::model::json::{flag, str_at, text};
use crate::model::{Kind, ObjectKey};

/// Why `argo retry` is not offered.
pub const RETRY_NOT_OFFERED: &str = "retry is not offered: `argo retry` rewrites the node tree and deletes the failed pods, which flightdeck does not reproduce exactly; resubmit runs it again as a new Workflow";

const COMPLETED: [&str; 3] = ["Succeeded", "Failed", "Error"];

pub fn plan(intent: &Intent, reads: &Reads, context: &Context) -> Result<Planned, String> {
    let object = &reads.target;
    let (_, key) = intent.target();
    let (name, namespace) = (&key.name, &key.namespace);
    let phase = str_at(object, "/status/phase");
    let running = || {
        if COMPLETED.contains(&phase) {
            Err("cannot change a completed workflow".to_string())
        } else {
            Ok(())
        }
    };
    Ok(match intent {
        Intent::SubmitWorkflow(template, parameters) => {
            let arguments = submit_parameters(object, parameters)?;
            let mut spec = json!({"workflowTemplateRef": {"name": template.name}});
            if !parameters.is_empty() {
                spec["arguments"] = json!({"parameters": arguments});
            }
            let mut labels = json!({"workflows.argoproj.io/workflow-template": template.name});
            if let Some(user) = &context.user {
                labels["workflows.argoproj.io/creator"] = json!(dns_friendly(user));
            }
            let workflow = json!({
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Workflow",
                "metadata": {"generateName": format!("{}-", template.name), "namespace": template.namespace, "labels": labels},
                "spec": spec,
            });
            let flags: String = parameters
                .iter()
                .map(|(name, value)| format!(" -p {name}={}", shell_quote(value)))
                .collect();
            (
                vec![create(Kind::Workflow, &template.namespace, workflow)],
                format!(
                    "argo submit --from workflowtemplate/{} -n {}{flags}",
                    template.name, template.namespace
                ),
                None,
            )
        }
        // workflow/util/util.go `patchShutdownStrategy`.
        Intent::StopWorkflow(key) | Intent::TerminateWorkflow(key) => {
            running()?;
            let (strategy, command) = if matches!(intent, Intent::StopWorkflow(_)) {
                ("Stop", "stop")
            } else {
                ("Terminate", "terminate")
            };
            let mut body = json!({"spec": {"shutdown": strategy}});
            if let Some(user) = &context.user {
                body["metadata"] = json!({"labels": {"workflows.argoproj.io/action": strategy, "workflows.argoproj.io/actor": dns_friendly(user)}});
            }
            (
                vec![merge_patch(Kind::Workflow, key, "", body)],
                format!("argo {command} {name} -n {namespace}"),
                None,
            )
        }
        // workflow/util/util.go `SuspendWorkflow`: GET, `spec.suspend = true`, actor labels, PUT.
        Intent::SuspendWorkflow(key) => {
            running()?;
            if object.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
                return Err("the workflow is already suspended".into());
            }
            let mut workflow = object.clone();
            workflow["spec"]["suspend"] = json!(true);
            label_actor(&mut workflow, context.user.as_deref(), "Suspend");
            (
                vec![update(Kind::Workflow, key, workflow)],
                format!("argo suspend {name} -n {namespace}"),
                Some("replaces the Workflow as read (PUT, as `argo suspend` does)".into()),
            )
        }
        Intent::ResumeWorkflow(key) => {
            running()?;
            (
                vec![update(Kind::Workflow, key, resumed(object, context)?)],
                format!("argo resume {name} -n {namespace}"),
                Some("replaces the Workflow as read (PUT, as `argo resume` does)".into()),
            )
        }
        // `FormulateResubmitWorkflow`: any phase (only `--memoized`, not offered, needs a
        // failed one).
        Intent::ResubmitWorkflow(key) => (
            vec![create(Kind::Workflow, namespace, resubmitted(object, key))],
            format!("argo resubmit {name} -n {namespace}"),
            None,
        ),
        _ => return Err(format!("{} is not a Workflows action", intent.verb())),
    })
}

/// `-p` parameters first, then the template's others are left to the template (as the CLI
/// does, only passed ones are listed). Each must be declared and not empty, and an enum value
/// must be one of the enum.
fn submit_parameters(template: &Value, passed: &[(String, String)]) -> Result<Vec<Value>, String> {
    let declared: Vec<&Value> = template
        .pointer("/spec/arguments/parameters")
        .and_then(Value::as_array)
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    passed
        .iter()
        .map(|(name, value)| {
            let parameter = declared
                .iter()
                .find(|p| str_at(p, "/name") == name)
                .ok_or_else(|| format!("the template has no parameter `{name}`"))?;
            if value.trim().is_empty() {
                return Err(format!("parameter `{name}` is empty"));
            }
            if let Some(allowed) = parameter.get("enum").and_then(Value::as_array)
                && !allowed.iter().any(|a| a.as_str() == Some(value.as_str()))
            {
                return Err(format!("parameter `{name}` must be one of its enum values"));
            }
            Ok(json!({"name": name, "value": value}))
        })
        .collect()
}

/// `ResumeWorkflow`: the Workflow as read with `spec.suspend` removed and every active Suspend
/// node succeeded — its `valueFrom.supplied` output parameters take their default
/// (`OverrideOutputParametersWithDefault`), its message says who resumed it — and the actor
/// labels of the `Resume` action.
fn resumed(workflow: &Value, context: &Context) -> Result<Value, String> {
    if workflow.pointer("/status/compressedNodes").is_some()
        || workflow
            .pointer("/status/offloadNodeStatusVersion")
            .is_some()
    {
        return Err("resume needs the node tree, which is compressed or offloaded here".into());
    }
    let mut resumed = workflow.clone();
    let suspended = flag(workflow, "/spec/suspend");
    if let Some(spec) = resumed.get_mut("spec").and_then(Value::as_object_mut) {
        spec.remove("suspend");
    }
    // creator.UserInfoMap printed with %v; empty without a user.
    let resumed_by = context
        .user
        .as_ref()
        .map(|user| format!("Resumed by: map[User:{user}]"))
        .unwrap_or_default();
    let mut nodes_resumed = 0;
    if let Some(nodes) = resumed
        .pointer_mut("/status/nodes")
        .and_then(Value::as_object_mut)
    {
        for node in nodes.values_mut() {
            if str_at(node, "/type") != "Suspend" || str_at(node, "/phase") != "Running" {
                continue;
            }
            if let Some(parameters) = node
                .pointer_mut("/outputs/parameters")
                .and_then(Value::as_array_mut)
            {
                for parameter in parameters {
                    supply_default(parameter)?;
                }
            }
            let message = match text(node, "/message") {
                Some(old) if !old.is_empty() => format!("{old}; {resumed_by}"),
                _ => resumed_by.clone(),
            };
            node["phase"] = json!("Succeeded");
            node["message"] = json!(message);
            node["finishedAt"] = json!(context.now);
            nodes_resumed += 1;
        }
    }
    if !suspended && nodes_resumed == 0 {
        return Err("the workflow is not suspended".into());
    }
    label_actor(&mut resumed, context.user.as_deref(), "Resume");
    Ok(resumed)
}

/// `OverrideOutputParametersWithDefault` for one parameter: a `valueFrom.supplied` one takes
/// `valueFrom.default` as its value, or the resume is refused with upstream's message.
fn supply_default(parameter: &mut Value) -> Result<(), String> {
    if parameter.pointer("/valueFrom/supplied").is_none() {
        return Ok(());
    }
    let default = parameter
        .pointer("/valueFrom/default")
        .cloned()
        .ok_or_else(|| {
            format!(
                "raw output parameter '{}' has not been set and does not have a default value",
                str_at(parameter, "/name")
            )
        })?;
    parameter["value"] = default;
    if let Some(parameter) = parameter.as_object_mut() {
        parameter.remove("valueFrom");
    }
    Ok(())
}

/// `creator.LabelActor`: the actor labels of `action` from the user's claims (only a user name
/// here), the e-mail and preferred-username labels removed; all four removed without a user.
fn label_actor(workflow: &mut Value, user: Option<&str>, action: &str) {
    if !workflow["metadata"].is_object() {
        workflow["metadata"] = json!({});
    }
    let metadata = &mut workflow["metadata"];
    if !metadata["labels"].is_object() {
        metadata["labels"] = json!({});
    }
    let Some(labels) = metadata["labels"].as_object_mut() else {
        return;
    };
    for label in ["actor-email", "actor-preferred-username"] {
        labels.remove(&format!("workflows.argoproj.io/{label}"));
    }
    match user {
        Some(user) => {
            labels.insert(
                "workflows.argoproj.io/actor".into(),
                json!(dns_friendly(user)),
            );
            labels.insert("workflows.argoproj.io/action".into(), json!(action));
        }
        None => {
            labels.remove("workflows.argoproj.io/actor");
            labels.remove("workflows.argoproj.io/action");
        }
    }
}

/// `FormulateResubmitWorkflow`: a new Workflow with the old spec (shutdown cleared), labels
/// without the run's state, and a label naming the original.
fn resubmitted(workflow: &Value, key: &ObjectKey) -> Value {
    let mut spec = workflow.get("spec").cloned().unwrap_or_else(|| json!({}));
    if let Some(spec) = spec.as_object_mut() {
        spec.remove("shutdown");
        if spec.get("activeDeadlineSeconds") == Some(&json!(0)) {
            spec.remove("activeDeadlineSeconds");
        }
    }
    let mut labels: Map<String, Value> = workflow
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.retain(|label, _| {
        !label.starts_with("workflows.argoproj.io/creator")
            && !matches!(
                label.as_str(),
                "workflows.argoproj.io/phase"
                    | "workflows.argoproj.io/completed"
                    | "workflows.argoproj.io/workflow-archiving-status"
            )
    });
    labels.insert(
        "workflows.argoproj.io/resubmitted-from-workflow".into(),
        json!(key.name),
    );
    let generate_name = text(workflow, "/metadata/generateName")
        .filter(|g| !g.is_empty())
        .map_or_else(|| format!("{}-", key.name), str::to_string);
    let mut metadata =
        json!({"generateName": generate_name, "namespace": key.namespace, "labels": labels});
    for field in ["annotations", "ownerReferences"] {
        if let Some(value) = workflow.pointer(&format!("/metadata/{field}")) {
            metadata[field] = value.clone();
        }
    }
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": metadata, "spec": spec})
}

/// workflow/creator/creator.go `dnsFriendly`: other characters become `-`, the last 63 kept,
/// trimmed of non-alphanumerics at the ends.
fn dns_friendly(text: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let tail: String = replaced
        .chars()
        .skip(replaced.chars().count().saturating_sub(63))
        .collect();
    tail.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// Quotes a value for the shell line shown beside the confirmation.
fn shell_quote(value: &str) -> String {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@".contains(c))
    {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::request::{JSON, Method};

    fn context(user: Option<&str>) -> Context {
        Context {
            now: "2026-11-26T12:00:00Z".into(),
            now_millis: 0,
            random: [0; 10],
            user: user.map(str::to_string),
            zone_offset: |_| 0,
        }
    }

    fn planned(intent: Intent, target: Value, user: Option<&str>) -> Result<Planned, String> {
        plan(
            &intent,
            &Reads {
                target,
                related: vec![],
            },
            &context(user),
        )
    }

    #[test]
    fn submit_from_template_with_parameters() {
        let template = json!({"spec": {"arguments": {"parameters": [{"name": "commitSha"}, {"name": "push", "enum": ["true", "false"], "value": "true"}]}}});
        let key = ObjectKey::new("argo", "ci");
        let (requests, cli, _) = planned(
            Intent::SubmitWorkflow(key.clone(), vec![("commitSha".into(), "abc 1".into())]),
            template.clone(),
            Some("jane@example.com"),
        )
        .expect("plan");
        assert_eq!(
            requests[0].path,
            "/apis/argoproj.io/v1alpha1/namespaces/argo/workflows"
        );
        assert_eq!(
            requests[0].body,
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                "metadata": {"generateName": "ci-", "namespace": "argo", "labels": {"workflows.argoproj.io/workflow-template": "ci", "workflows.argoproj.io/creator": "jane-example.com"}},
                "spec": {"workflowTemplateRef": {"name": "ci"}, "arguments": {"parameters": [{"name": "commitSha", "value": "abc 1"}]}}})
        );
        assert_eq!(
            cli,
            "argo submit --from workflowtemplate/ci -n argo -p commitSha='abc 1'"
        );
        let submit = |p: Vec<(String, String)>| {
            planned(
                Intent::SubmitWorkflow(key.clone(), p),
                template.clone(),
                None,
            )
        };
        assert_eq!(
            submit(vec![("commitSha".into(), " ".into())]).err(),
            Some("parameter `commitSha` is empty".into())
        );
        assert!(submit(vec![("push".into(), "maybe".into())]).is_err_and(|e| e.contains("enum")));
        assert!(
            submit(vec![("nope".into(), "x".into())]).is_err_and(|e| e.contains("no parameter"))
        );
    }

    #[test]
    fn shutdown_suspend_resume_resubmit() {
        let key = ObjectKey::new("argo", "ci-1");
        let running =
            json!({"metadata": {"resourceVersion": "41"}, "status": {"phase": "Running"}});
        let (requests, cli, _) =
            planned(Intent::StopWorkflow(key.clone()), running.clone(), None).expect("stop");
        assert_eq!(requests[0].body, json!({"spec": {"shutdown": "Stop"}}));
        assert_eq!(cli, "argo stop ci-1 -n argo");
        let (requests, _, _) = planned(
            Intent::TerminateWorkflow(key.clone()),
            running.clone(),
            Some("jane"),
        )
        .expect("terminate");
        assert_eq!(
            requests[0].body,
            json!({"spec": {"shutdown": "Terminate"}, "metadata": {"labels": {"workflows.argoproj.io/action": "Terminate", "workflows.argoproj.io/actor": "jane"}}})
        );
        let done = json!({"status": {"phase": "Succeeded"}});
        assert_eq!(
            planned(Intent::StopWorkflow(key.clone()), done.clone(), None).err(),
            Some("cannot change a completed workflow".into())
        );
        let (requests, _, _) = planned(
            Intent::SuspendWorkflow(key.clone()),
            running.clone(),
            Some("jane"),
        )
        .expect("suspend");
        assert_eq!(
            (
                requests[0].method,
                requests[0].content_type,
                requests[0].access.verb
            ),
            (Method::Put, JSON, "update"),
            "argo suspend updates the whole object"
        );
        assert_eq!(
            requests[0].body,
            json!({"metadata": {"resourceVersion": "41", "labels": {"workflows.argoproj.io/actor": "jane", "workflows.argoproj.io/action": "Suspend"}}, "spec": {"suspend": true}, "status": {"phase": "Running"}})
        );
        let suspended = json!({"metadata": {"resourceVersion": "42", "labels": {"workflows.argoproj.io/actor-email": "old"}}, "spec": {"suspend": true, "entrypoint": "main"}, "status": {"phase": "Running", "nodes": {
            "n1": {"type": "Suspend", "phase": "Running", "message": "waiting for approval", "outputs": {"parameters": [{"name": "approve", "valueFrom": {"supplied": {}, "default": "yes"}}, {"name": "fixed", "value": "1"}]}},
            "n2": {"type": "Pod", "phase": "Running"},
            "n3": {"type": "Suspend", "phase": "Succeeded"}}}});
        let (requests, _, _) = planned(
            Intent::ResumeWorkflow(key.clone()),
            suspended.clone(),
            Some("jane"),
        )
        .expect("resume");
        assert_eq!(
            (requests[0].method, requests[0].access.verb),
            (Method::Put, "update")
        );
        assert_eq!(
            requests[0].body,
            json!({"metadata": {"resourceVersion": "42", "labels": {"workflows.argoproj.io/actor": "jane", "workflows.argoproj.io/action": "Resume"}}, "spec": {"entrypoint": "main"}, "status": {"phase": "Running", "nodes": {
                "n1": {"type": "Suspend", "phase": "Succeeded", "finishedAt": "2026-11-26T12:00:00Z", "message": "waiting for approval; Resumed by: map[User:jane]", "outputs": {"parameters": [{"name": "approve", "value": "yes"}, {"name": "fixed", "value": "1"}]}},
                "n2": {"type": "Pod", "phase": "Running"},
                "n3": {"type": "Suspend", "phase": "Succeeded"}}}})
        );
        let mut no_default = suspended.clone();
        no_default["status"]["nodes"]["n1"]["outputs"]["parameters"][0]["valueFrom"] =
            json!({"supplied": {}});
        assert_eq!(
            planned(Intent::ResumeWorkflow(key.clone()), no_default, None).err(),
            Some(
                "raw output parameter 'approve' has not been set and does not have a default value"
                    .into()
            )
        );
        let only_node = json!({"spec": {}, "status": {"phase": "Running", "nodes": {"s": {"type": "Suspend", "phase": "Running"}}}});
        let (requests, _, _) =
            planned(Intent::ResumeWorkflow(key.clone()), only_node, None).expect("resume");
        assert_eq!(requests[0].body["status"]["nodes"]["s"]["message"], "");
        assert!(planned(Intent::ResumeWorkflow(key.clone()), running.clone(), None).is_err());
        let finished = json!({"metadata": {"name": "ci-1", "generateName": "ci-", "labels": {"workflows.argoproj.io/completed": "true", "workflows.argoproj.io/workflow-template": "ci", "workflows.argoproj.io/creator": "x"}}, "spec": {"shutdown": "Stop", "workflowTemplateRef": {"name": "ci"}}, "status": {"phase": "Failed"}});
        let (requests, _, _) =
            planned(Intent::ResubmitWorkflow(key.clone()), finished, None).expect("resubmit");
        assert_eq!(
            requests[0].body,
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                "metadata": {"generateName": "ci-", "namespace": "argo", "labels": {"workflows.argoproj.io/workflow-template": "ci", "workflows.argoproj.io/resubmitted-from-workflow": "ci-1"}},
                "spec": {"workflowTemplateRef": {"name": "ci"}}})
        );
        let (requests, _, _) = planned(Intent::ResubmitWorkflow(key), running, None)
            .expect("an unfinished workflow may be resubmitted, as upstream without --memoized");
        assert_eq!(requests[0].method, Method::Post);
    }
}
