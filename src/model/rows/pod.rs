//! Pod rows: the status kubectl shows (a waiting or terminated container's reason before the
//! phase, "Terminating" once deletion started), ready containers, restarts, owner and node.

use crate::model::json::At;
use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{str_at, string, text, time};
use crate::model::key::ObjectKey;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodRow {
    pub key: ObjectKey,
    pub labels: Labels,
    /// What kubectl's STATUS column would say ("Running", "CrashLoopBackOff", "Terminating"…).
    pub status: String,
    pub ready: usize,
    pub containers: usize,
    /// The container logs open on, as kubectl picks it: the `default-container` annotation,
    /// else `main` (Argo's step container) when there is one, else the first.
    pub log_container: Option<String>,
    pub restarts: i64,
    /// "Kind/name" of the first owner (a ReplicaSet, a Workflow…), if any.
    pub owner: Option<String>,
    pub node: String,
    pub created: Option<i64>,
}

impl PodRow {
    pub fn from_object(object: &Value) -> Self {
        let statuses: Vec<&Value> = object
            .at("/status/containerStatuses")
            .and_then(Value::as_array)
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        let names: Vec<&str> = object
            .at("/spec/containers")
            .and_then(Value::as_array)
            .map(|c| c.iter().filter_map(|c| text(c, "/name")).collect())
            .unwrap_or_default();
        let containers = if names.is_empty() {
            statuses.len()
        } else {
            names.len()
        };
        let log_container = object
            .at("/metadata/annotations/kubectl.kubernetes.io~1default-container")
            .and_then(Value::as_str)
            .or_else(|| names.iter().find(|n| **n == "main").copied())
            .or_else(|| names.first().copied())
            .map(str::to_string);
        let reason = statuses.iter().find_map(|status| {
            ["/state/waiting/reason", "/state/terminated/reason"]
                .iter()
                .find_map(|pointer| text(status, pointer).filter(|r| !r.is_empty()))
        });
        let status = if object.at("/metadata/deletionTimestamp").is_some() {
            "Terminating".to_string()
        } else if let Some(reason) = reason {
            reason.to_string()
        } else {
            text(object, "/status/reason")
                .or_else(|| text(object, "/status/phase"))
                .unwrap_or("Pending")
                .to_string()
        };
        let owner = object
            .at("/metadata/ownerReferences/0")
            .map(|r| format!("{}/{}", str_at(r, "/kind"), str_at(r, "/name")));
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            status,
            ready: statuses
                .iter()
                .filter(|s| s.get("ready").and_then(Value::as_bool) == Some(true))
                .count(),
            containers,
            log_container,
            restarts: statuses
                .iter()
                .filter_map(|s| s.get("restartCount").and_then(Value::as_i64))
                .sum(),
            owner,
            node: string(object, "/spec/nodeName"),
            created: time(object, "/metadata/creationTimestamp"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_like_kubectl_ready_restarts_and_owner() {
        let row = PodRow::from_object(&json!({
            "metadata": {"name": "demo-app-abc-x1", "namespace": "dev",
                "ownerReferences": [{"kind": "ReplicaSet", "name": "demo-app-abc"}]},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app"}, {"name": "proxy"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "app", "ready": false, "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
                {"name": "proxy", "ready": true, "restartCount": 1, "state": {"running": {}}}]}
        }));
        assert_eq!(
            (
                row.status.as_str(),
                row.ready,
                row.containers,
                row.restarts,
                row.owner.as_deref(),
                row.node.as_str()
            ),
            (
                "CrashLoopBackOff",
                1,
                2,
                5,
                Some("ReplicaSet/demo-app-abc"),
                "node-1"
            )
        );
        let terminating = PodRow::from_object(&json!({
            "metadata": {"name": "p", "deletionTimestamp": "2026-01-01T00:00:00Z"},
            "status": {"phase": "Running"}
        }));
        assert_eq!(terminating.status, "Terminating");
        assert_eq!(PodRow::from_object(&json!(null)).status, "Pending");
        assert_eq!(
            row.log_container.as_deref(),
            Some("app"),
            "the first container"
        );
        let argo = PodRow::from_object(
            &json!({"spec": {"containers": [{"name": "wait"}, {"name": "main"}]}}),
        );
        assert_eq!(argo.log_container.as_deref(), Some("main"));
        let annotated = PodRow::from_object(&json!({
            "metadata": {"annotations": {"kubectl.kubernetes.io/default-container": "proxy"}},
            "spec": {"containers": [{"name": "app"}, {"name": "proxy"}]}
        }));
        assert_eq!(annotated.log_container.as_deref(), Some("proxy"));
    }
}
