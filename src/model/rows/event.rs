//! Kubernetes Event rows: what happened to which object, when, how often and whether it is a
//! warning. Events are joined to the object they are about by kind, namespace and name.

use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{integer, string, text, time};
use crate::model::key::ObjectKey;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventRow {
    pub key: ObjectKey,
    pub labels: Labels,
    /// The involved object: kind, and its key (the Event's namespace when it names none).
    pub object_kind: String,
    pub object: ObjectKey,
    pub warning: bool,
    pub reason: String,
    pub message: String,
    pub count: i64,
    /// When it last happened (`lastTimestamp`, else `eventTime`, else creation).
    pub last_seen: Option<i64>,
}

impl EventRow {
    pub fn from_object(object: &Value) -> Self {
        let key = ObjectKey::of(object);
        let involved_namespace = text(object, "/involvedObject/namespace")
            .filter(|n| !n.is_empty())
            .unwrap_or(&key.namespace)
            .to_string();
        Self {
            object_kind: string(object, "/involvedObject/kind"),
            object: ObjectKey::new(involved_namespace, string(object, "/involvedObject/name")),
            warning: text(object, "/type") == Some("Warning"),
            reason: string(object, "/reason"),
            message: string(object, "/message"),
            count: integer(object, "/count").unwrap_or(1).max(1),
            last_seen: time(object, "/lastTimestamp")
                .or_else(|| time(object, "/eventTime"))
                .or_else(|| time(object, "/metadata/creationTimestamp")),
            labels: Labels::of(object),
            key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn involved_object_type_and_last_seen() {
        let row = EventRow::from_object(&json!({
            "metadata": {"name": "demo-app.1", "namespace": "dev", "creationTimestamp": "1970-01-01T00:00:10Z"},
            "involvedObject": {"kind": "Rollout", "name": "demo-app"},
            "type": "Warning", "reason": "RolloutAborted", "message": "aborted", "count": 3,
            "lastTimestamp": "1970-01-01T00:01:00Z"
        }));
        assert_eq!(
            (
                row.object_kind.as_str(),
                row.object.to_string(),
                row.warning,
                row.reason.as_str(),
                row.count,
                row.last_seen
            ),
            (
                "Rollout",
                "dev/demo-app".to_string(),
                true,
                "RolloutAborted",
                3,
                Some(60)
            )
        );
        let bare = EventRow::from_object(&json!({"metadata": {"name": "e", "namespace": "x"}}));
        assert_eq!((bare.warning, bare.count, bare.last_seen), (false, 1, None));
    }
}
