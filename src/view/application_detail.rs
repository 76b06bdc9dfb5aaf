//! The Argo CD Application detail view model, from the whole object (fetched when the view
//! opens): source and destination, sync and health, the current operation, conditions, the
//! deployment history (newest first, with the ids a rollback names) and the managed resources.

use serde_json::Value;

use crate::model::json::{str_at, time};
use crate::model::phase::{Health, SyncStatus};
use crate::model::rows::ApplicationRow;
use crate::model::time::human_age;
use crate::theme::Slot;

use super::cell::Cell;
use super::slots;

/// The lines of the detail view of `application` at `now` (Unix seconds).
pub fn build(application: &Value, now: i64) -> Vec<Vec<Cell>> {
    let row = ApplicationRow::from_object(application);
    let label = |text: &str| Cell::new(format!("{text:<14}"), Slot::Header);
    let short = |text: &str| text.chars().take(7).collect::<String>();
    let mut lines = vec![
        vec![
            label("Application"),
            Cell::new(row.key.to_string(), Slot::Title),
        ],
        vec![
            label("Source"),
            Cell::new(
                format!(
                    "{} {} @ {}",
                    str_at(application, "/spec/source/repoURL"),
                    row.path,
                    str_at(application, "/spec/source/targetRevision")
                ),
                Slot::Text,
            ),
        ],
        vec![
            label("Destination"),
            Cell::new(row.destination_namespace.clone(), Slot::Text),
        ],
        vec![
            label("Sync"),
            Cell::new(row.sync.as_str(), slots::sync(row.sync)),
            Cell::new(
                format!(
                    "  to {}  auto-sync {}",
                    short(&row.revision),
                    if row.auto_sync { "on" } else { "off" }
                ),
                Slot::Muted,
            ),
        ],
        vec![
            label("Health"),
            Cell::new(row.health.as_str(), slots::health(row.health)),
        ],
    ];
    if let Some(phase) = &row.operation_phase {
        lines.push(vec![
            label("Operation"),
            Cell::new(phase.clone(), Slot::Text),
            Cell::new(
                format!(
                    "  {}",
                    str_at(application, "/status/operationState/message")
                ),
                Slot::Muted,
            ),
        ]);
    }
    for condition in application
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        lines.push(vec![
            label("Condition"),
            Cell::new(
                format!(
                    "{}: {}",
                    str_at(condition, "/type"),
                    str_at(condition, "/message")
                ),
                Slot::Warning,
            ),
        ]);
    }
    lines.push(Vec::new());
    lines.push(vec![Cell::new(
        format!("{:<6}{:<10}{:<10}{}", "ID", "REVISION", "DEPLOYED", "BY"),
        Slot::Header,
    )]);
    let history: Vec<&Value> = application
        .pointer("/status/history")
        .and_then(Value::as_array)
        .map(|h| h.iter().rev().collect())
        .unwrap_or_default();
    if history.is_empty() {
        lines.push(vec![Cell::new("  no deployments yet", Slot::Muted)]);
    }
    for entry in history {
        let by = if entry
            .pointer("/initiatedBy/automated")
            .and_then(Value::as_bool)
            == Some(true)
        {
            "automated".to_string()
        } else {
            str_at(entry, "/initiatedBy/username").to_string()
        };
        let deployed = time(entry, "/deployedAt")
            .map(|t| human_age(now - t))
            .unwrap_or_default();
        let id = entry.get("id").map(Value::to_string).unwrap_or_default();
        let current = str_at(entry, "/revision") == row.revision;
        lines.push(vec![Cell::new(
            format!(
                "{id:<6}{:<10}{deployed:<10}{by}",
                short(str_at(entry, "/revision"))
            ),
            if current { Slot::Text } else { Slot::Muted },
        )]);
    }
    lines.push(Vec::new());
    lines.push(vec![Cell::new(
        format!("{:<18}{:<28}{:<11}{}", "KIND", "NAME", "SYNC", "HEALTH"),
        Slot::Header,
    )]);
    for resource in application
        .pointer("/status/resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let sync = SyncStatus::parse(str_at(resource, "/status"));
        let health = Health::parse(str_at(resource, "/health/status"));
        lines.push(vec![
            Cell::new(
                format!(
                    "{:<18}{:<28}",
                    str_at(resource, "/kind"),
                    str_at(resource, "/name")
                ),
                Slot::Text,
            ),
            Cell::new(format!("{:<11}", sync.as_str()), slots::sync(sync)),
            Cell::new(health.as_str(), slots::health(health)),
        ]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn history_newest_first_and_resources() {
        let app = json!({
            "metadata": {"name": "demo-app-dev", "namespace": "argocd"},
            "spec": {"source": {"repoURL": "http://git/custom-apps.git", "path": "demo-app/overlays/dev", "targetRevision": "HEAD"}, "destination": {"namespace": "demo-app-dev"}, "syncPolicy": {"automated": {}}},
            "status": {"sync": {"status": "Synced", "revision": "bbbbbbb1"}, "health": {"status": "Healthy"},
                "history": [{"id": 0, "revision": "aaaaaaa1", "initiatedBy": {"automated": true}}, {"id": 1, "revision": "bbbbbbb1", "initiatedBy": {"username": "ops"}}],
                "resources": [{"kind": "Rollout", "name": "demo-app", "status": "Synced", "health": {"status": "Healthy"}}]}
        });
        let text: Vec<String> = build(&app, 0)
            .iter()
            .map(|l| l.iter().map(|c| c.text.clone()).collect::<String>())
            .collect();
        let history_start = text
            .iter()
            .position(|l| l.starts_with("ID"))
            .expect("history header");
        assert!(
            text[history_start + 1].starts_with("1     bbbbbbb")
                && text[history_start + 1].ends_with("ops"),
            "{text:?}"
        );
        assert!(
            text[history_start + 2].starts_with("0     aaaaaaa")
                && text[history_start + 2].ends_with("automated"),
            "{text:?}"
        );
        assert!(
            text.iter().any(|l| l.starts_with("Rollout")
                && l.contains("demo-app")
                && l.contains("Healthy")),
            "{text:?}"
        );
        assert!(!build(&json!(null), 0).is_empty());
    }
}
