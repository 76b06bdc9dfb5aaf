//! The Events section of a detail view: the Kubernetes Events about one object, newest first.

use crate::model::time::human_age;
use crate::model::{Kind, ObjectKey};
use crate::store::Store;
use crate::theme::Slot;

use super::cell::Cell;
use super::lists::event_type;

/// How many Events a detail view lists.
const SHOWN: usize = 8;

/// The lines of the Events section about the object `kind` `key` at `now` (Unix seconds).
pub fn about(store: &Store, kind: Kind, key: &ObjectKey, now: i64) -> Vec<Vec<Cell>> {
    let kind_name = kind.resource().2;
    let mut events: Vec<_> = store
        .events()
        .filter(|e| e.object_kind == kind_name && &e.object == key)
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
    let mut lines = vec![
        Vec::new(),
        vec![Cell::new(
            format!("{:<10}{:<9}{:<24}{}", "EVENTS", "TYPE", "REASON", "MESSAGE"),
            Slot::Header,
        )],
    ];
    if events.is_empty() {
        lines.push(vec![Cell::new("  no events", Slot::Muted)]);
    }
    for event in events.into_iter().take(SHOWN) {
        let ago = event
            .last_seen
            .map(|t| format!("{} ago", human_age(now - t)))
            .unwrap_or_default();
        let mut type_cell = event_type(event.warning);
        type_cell.text = format!("{:<9}", type_cell.text);
        let repeated = if event.count > 1 {
            format!(" (x{})", event.count)
        } else {
            String::new()
        };
        lines.push(vec![
            Cell::new(format!("{ago:<10}"), Slot::Muted),
            type_cell,
            Cell::new(format!("{:<24}", event.reason), Slot::Text),
            Cell::new(format!("{}{repeated}", event.message), Slot::Text),
        ]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rows::Row;
    use crate::store::Delta;
    use serde_json::json;

    fn event(name: &str, kind: &str, object: &str, reason: &str, at: &str) -> Delta {
        Delta::Apply(Row::from_object(
            Kind::Event,
            &json!({"metadata": {"name": name, "namespace": "dev"},
                    "involvedObject": {"kind": kind, "name": object, "namespace": "dev"},
                    "type": if reason.ends_with("Aborted") { "Warning" } else { "Normal" },
                    "reason": reason, "message": reason, "count": 2, "lastTimestamp": at}),
        ))
    }

    #[test]
    fn only_the_objects_events_newest_first() {
        let mut store = Store::default();
        store.apply([
            event(
                "a",
                "Rollout",
                "demo-app",
                "RolloutStepCompleted",
                "1970-01-01T00:00:10Z",
            ),
            event(
                "b",
                "Rollout",
                "demo-app",
                "RolloutAborted",
                "1970-01-01T00:00:50Z",
            ),
            event(
                "c",
                "Application",
                "demo-app",
                "OperationCompleted",
                "1970-01-01T00:00:55Z",
            ),
            event(
                "d",
                "Rollout",
                "other",
                "RolloutCompleted",
                "1970-01-01T00:00:56Z",
            ),
        ]);
        let text: Vec<String> = about(
            &store,
            Kind::Rollout,
            &ObjectKey::new("dev", "demo-app"),
            60,
        )
        .iter()
        .map(|l| l.iter().map(|c| c.text.clone()).collect())
        .collect();
        assert_eq!(text.len(), 4, "{text:?}");
        assert!(
            text[2].starts_with("10s ago") && text[2].contains("Warning  RolloutAborted"),
            "{text:?}"
        );
        assert!(text[2].ends_with("(x2)"), "{text:?}");
        assert!(text[3].contains("RolloutStepCompleted"), "{text:?}");
        let none = about(
            &store,
            Kind::Workflow,
            &ObjectKey::new("dev", "demo-app"),
            60,
        );
        assert_eq!(none[2][0].text, "  no events");
    }
}
