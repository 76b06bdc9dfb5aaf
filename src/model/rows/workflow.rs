//! Workflow rows: phase, progress, times, the template it came from and the commit it builds.

use crate::model::json::At;
use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{flag, label, string, text, time};
use crate::model::key::ObjectKey;
use crate::model::phase::WorkflowPhase;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkflowRow {
    pub key: ObjectKey,
    pub labels: Labels,
    pub phase: WorkflowPhase,
    /// `status.progress` ("3/4"), if valid.
    pub progress: Option<(u32, u32)>,
    pub created: Option<i64>,
    pub started: Option<i64>,
    pub finished: Option<i64>,
    pub message: String,
    /// `workflows.argoproj.io/workflow-template` label.
    pub template: Option<String>,
    /// The `commitSha` argument (the image tag it builds).
    pub commit: Option<String>,
    /// Its arguments' parameters and global outputs (name, value) with a value: what tells
    /// which image it built.
    pub parameters: Vec<(String, String)>,
    pub suspended: bool,
    /// `spec.shutdown` (Stop/Terminate) when set.
    pub shutdown: Option<String>,
}

impl WorkflowRow {
    pub fn from_object(object: &Value) -> Self {
        let progress = text(object, "/status/progress").and_then(|p| {
            let (done, total) = p.split_once('/')?;
            let (done, total) = (done.trim().parse().ok()?, total.trim().parse().ok()?);
            (total > 0 && done <= total).then_some((done, total))
        });
        // `spec.arguments.parameters`, then the Workflow's global outputs
        // (`status.outputs.parameters`), as (name, value): those with a string value.
        let parameters: Vec<(String, String)> =
            ["/spec/arguments/parameters", "/status/outputs/parameters"]
                .into_iter()
                .filter_map(|pointer| object.at(pointer)?.as_array())
                .flatten()
                .filter_map(|p| {
                    let field = |name| p.get(name).and_then(Value::as_str);
                    Some((field("name")?.to_string(), field("value")?.to_string()))
                })
                .filter(|(_, value)| !value.is_empty())
                .collect();
        let commit = parameters
            .iter()
            .find(|(name, _)| name == "commitSha")
            .map(|(_, value)| value.clone());
        let shutdown = text(object, "/spec/shutdown")
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            phase: WorkflowPhase::parse(text(object, "/status/phase").unwrap_or_default()),
            progress,
            created: time(object, "/metadata/creationTimestamp"),
            started: time(object, "/status/startedAt"),
            finished: time(object, "/status/finishedAt"),
            message: string(object, "/status/message"),
            template: label(object, "workflows.argoproj.io/workflow-template")
                .or_else(|| text(object, "/spec/workflowTemplateRef/name"))
                .map(str::to_string),
            commit,
            parameters,
            suspended: flag(object, "/spec/suspend") || has_active_suspend_node(object),
            shutdown,
        }
    }

    /// How the argo CLI prints the status ("Running (Suspended)", "Failed (Terminated)").
    pub fn display_phase(&self) -> String {
        match (self.phase, self.suspended, &self.shutdown) {
            (WorkflowPhase::Running, true, _) => "Running (Suspended)".into(),
            (WorkflowPhase::Failed, _, Some(_)) => "Failed (Terminated)".into(),
            (WorkflowPhase::Unknown, _, _) => "Pending".into(),
            (phase, _, _) => phase.as_str().into(),
        }
    }
}

/// Where the watchers' decoder records, in place of the node map it skips, that the map holds an
/// active suspend node.
pub const ACTIVE_SUSPEND_NODE: &str = "flightdeckActiveSuspendNode";

/// `IsWorkflowSuspended`'s node half: a Suspend node still Running — read from the node map of
/// a whole object, or from the decoder's mark.
fn has_active_suspend_node(object: &Value) -> bool {
    flag(object, &format!("/status/{ACTIVE_SUSPEND_NODE}"))
        || object
            .at("/status/nodes")
            .and_then(Value::as_object)
            .is_some_and(|nodes| {
                nodes.values().any(|node| {
                    let field = |name| node.get(name).and_then(Value::as_str);
                    is_active_suspend(field("type"), field("phase"))
                })
            })
}

/// `NodeStatus.IsActiveSuspendNode`: type Suspend, phase Running.
pub fn is_active_suspend(node_type: Option<&str>, phase: Option<&str>) -> bool {
    node_type == Some("Suspend") && phase == Some("Running")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn projects_and_tolerates_garbage() {
        let object = json!({
            "metadata": {"name": "ci-x", "namespace": "argo", "creationTimestamp": "2026-11-26T10:00:00Z", "labels": {"workflows.argoproj.io/workflow-template": "demo-app-ci"}},
            "spec": {"arguments": {"parameters": [{"name": "branch", "value": "main"}, {"name": "commitSha", "value": "abc123"}]}, "suspend": true},
            "status": {"phase": "Running", "progress": "2/4", "startedAt": "2026-11-26T10:00:01Z"}
        });
        let row = WorkflowRow::from_object(&object);
        assert_eq!(row.key.name, "ci-x");
        assert_eq!(row.progress, Some((2, 4)));
        assert_eq!(row.commit.as_deref(), Some("abc123"));
        assert_eq!(row.template.as_deref(), Some("demo-app-ci"));
        assert_eq!(row.display_phase(), "Running (Suspended)");
        let garbage = json!({"metadata": {"name": 5}, "spec": "nope", "status": {"phase": 3, "progress": "9/4"}});
        let row = WorkflowRow::from_object(&garbage);
        assert_eq!(
            (row.phase, row.progress, row.key.name.as_str()),
            (WorkflowPhase::Unknown, None, "")
        );
        assert_eq!(
            WorkflowRow::from_object(&json!(null)).display_phase(),
            "Pending"
        );
    }
}
