//! ReplicaSet rows: the Rollout that owns it, its revision (`rollout.argoproj.io/revision`), pod
//! template hash, image and replica counts — what a Rollout's history is made of.

use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{annotation, integer, label, owner, string};
use crate::model::key::ObjectKey;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReplicaSetRow {
    pub key: ObjectKey,
    pub labels: Labels,
    /// Name of the controlling Rollout, if a Rollout owns it.
    pub rollout: Option<String>,
    pub revision: i64,
    pub pod_template_hash: String,
    pub image: String,
    pub replicas: i64,
    pub available: i64,
}

impl ReplicaSetRow {
    pub fn from_object(object: &Value) -> Self {
        let rollout = owner(object, "Rollout");
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            rollout,
            revision: annotation(object, "rollout.argoproj.io/revision")
                .and_then(|r| r.parse().ok())
                .unwrap_or(0),
            pod_template_hash: label(object, "rollouts-pod-template-hash")
                .unwrap_or_default()
                .to_string(),
            image: string(object, "/spec/template/spec/containers/0/image"),
            replicas: integer(object, "/spec/replicas").unwrap_or(0),
            available: integer(object, "/status/availableReplicas").unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn revision_owner_and_image() {
        let row = ReplicaSetRow::from_object(&json!({
            "metadata": {"name": "demo-app-abc", "namespace": "dev", "labels": {"rollouts-pod-template-hash": "abc"}, "annotations": {"rollout.argoproj.io/revision": "3"},
                         "ownerReferences": [{"kind": "Rollout", "name": "demo-app", "uid": "u"}]},
            "spec": {"replicas": 5, "template": {"spec": {"containers": [{"image": "demo:1"}]}}},
            "status": {"availableReplicas": 4}
        }));
        assert_eq!(
            (
                row.rollout.as_deref(),
                row.revision,
                row.pod_template_hash.as_str(),
                row.image.as_str(),
                row.replicas,
                row.available
            ),
            (Some("demo-app"), 3, "abc", "demo:1", 5, 4)
        );
        assert_eq!(
            ReplicaSetRow::from_object(
                &json!({"metadata": {"annotations": {"rollout.argoproj.io/revision": "x"}}})
            )
            .revision,
            0
        );
    }
}
