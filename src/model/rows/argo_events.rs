//! Argo Events rows: EventSources (the events each one offers, as `type/name`) and Sensors (the
//! events they depend on and the triggers they fire), each with its readiness from the status
//! conditions the controller sets.

use crate::model::json::At;
use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{keys, str_at};

pub use super::readiness::Readiness;
use crate::model::key::ObjectKey;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventSourceRow {
    pub key: ObjectKey,
    pub labels: Labels,
    /// `type/name` of every event it offers ("webhook/demo-app").
    pub events: Vec<String>,
    pub readiness: Readiness,
}

impl EventSourceRow {
    pub fn from_object(object: &Value) -> Self {
        const NOT_SOURCES: [&str; 4] = ["eventBusName", "template", "service", "replicas"];
        let events = keys(object, "/spec")
            .into_iter()
            .filter(|source_type| !NOT_SOURCES.contains(&source_type.as_str()))
            .flat_map(|source_type| {
                keys(object, &format!("/spec/{source_type}"))
                    .into_iter()
                    .map(move |name| format!("{source_type}/{name}"))
            })
            .collect();
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            events,
            readiness: Readiness::of(object),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SensorRow {
    pub key: ObjectKey,
    pub labels: Labels,
    /// `eventSource/event` of every dependency.
    pub dependencies: Vec<String>,
    /// Trigger names.
    pub triggers: Vec<String>,
    pub readiness: Readiness,
}

impl SensorRow {
    pub fn from_object(object: &Value) -> Self {
        let list = |pointer: &str, item: &dyn Fn(&Value) -> String| -> Vec<String> {
            object
                .at(pointer)
                .and_then(Value::as_array)
                .map(|items| items.iter().map(item).collect())
                .unwrap_or_default()
        };
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            dependencies: list("/spec/dependencies", &|d| {
                format!(
                    "{}/{}",
                    str_at(d, "/eventSourceName"),
                    str_at(d, "/eventName")
                )
            }),
            triggers: list("/spec/triggers", &|t| {
                str_at(t, "/template/name").to_string()
            }),
            readiness: Readiness::of(object),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_sources_offer_typed_events_and_sensors_list_dependencies() {
        let source = EventSourceRow::from_object(&json!({
            "metadata": {"name": "gitea", "namespace": "argo-events"},
            "spec": {"eventBusName": "default", "webhook": {"demo-app": {"port": "12000"}, "other": {}}},
            "status": {"conditions": [{"type": "Deployed", "status": "True"}]}
        }));
        assert_eq!(source.events, ["webhook/demo-app", "webhook/other"]);
        assert_eq!(source.readiness.label(), "Ready");
        let sensor = SensorRow::from_object(&json!({
            "metadata": {"name": "trigger", "namespace": "argo-events"},
            "spec": {"dependencies": [{"name": "d", "eventSourceName": "gitea", "eventName": "demo-app"}],
                     "triggers": [{"template": {"name": "ci"}}]},
            "status": {"conditions": [{"type": "Deployed", "status": "True"},
                                      {"type": "TriggersProvided", "status": "False", "message": "no triggers"}]}
        }));
        assert_eq!(
            (sensor.dependencies, sensor.triggers),
            (vec!["gitea/demo-app".to_string()], vec!["ci".to_string()])
        );
        assert_eq!(sensor.readiness.label(), "NotReady");
        assert_eq!(sensor.readiness.problem, "TriggersProvided: no triggers");
        assert_eq!(
            SensorRow::from_object(&json!(7)).readiness.label(),
            "Unknown"
        );
    }
}
