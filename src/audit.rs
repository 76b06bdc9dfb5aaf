//! The audit log: every change asked for — confirmed, cancelled or refused — with the time,
//! context, user, the exact requests and the result, appended as JSON lines to a file in the
//! state directory and kept in memory for the in-app action log. Never holds Secret values:
//! requests carry only what flightdeck itself wrote.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::intent::Plan;

/// One line of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// RFC 3339, UTC.
    pub time: String,
    pub context: String,
    pub user: String,
    /// "abort rollout demo-app-dev/demo-app".
    pub what: String,
    pub cli: String,
    pub requests: Value,
    /// "confirmed: done", "cancelled", "refused: read-only", "failed: …".
    pub outcome: String,
}

impl AuditEntry {
    /// An entry for `plan` (or, when there is no plan, for what was asked).
    pub fn new(
        context: &str,
        user: &str,
        what: String,
        plan: Option<&Plan>,
        outcome: String,
    ) -> AuditEntry {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        AuditEntry {
            time: crate::model::time::format_timestamp(now),
            context: context.to_string(),
            user: user.to_string(),
            what,
            cli: plan.map(|p| p.cli.clone()).unwrap_or_default(),
            requests: plan
                .map(|p| {
                    if let Some(git) = &p.git {
                        return json!({"git": {"base": git.base, "message": git.message, "diff": git.diff}});
                    }
                    Value::Array(
                        p.requests
                            .iter()
                            .map(|r| json!({"method": r.method.as_str(), "path": r.path, "contentType": r.content_type, "body": r.body}))
                            .collect(),
                    )
                })
                .unwrap_or(Value::Null),
            outcome,
        }
    }

    fn to_json(&self) -> Value {
        json!({"time": self.time, "context": self.context, "user": self.user, "what": self.what, "cli": self.cli, "requests": self.requests, "outcome": self.outcome})
    }
}

/// The default audit log file: `audit.jsonl` in the state directory.
pub fn default_path() -> Option<PathBuf> {
    crate::settings::paths::state_dir().map(|dir| dir.join("audit.jsonl"))
}

/// Appends `entry` to `path` (creating its directory); the error in words.
pub fn append(path: &Path, entry: &AuditEntry) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writeln!(file, "{}", entry.to_json()).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_json_lines() {
        let dir = std::env::temp_dir().join(format!("flightdeck-audit-{}", std::process::id()));
        let path = dir.join("nested").join("audit.jsonl");
        let entry = AuditEntry::new(
            "kind-dev",
            "jane",
            "abort rollout dev/app".into(),
            None,
            "cancelled".into(),
        );
        append(&path, &entry).expect("append");
        append(&path, &entry).expect("append");
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["outcome"], "cancelled");
        assert_eq!(lines[0]["what"], "abort rollout dev/app");
        let _ = std::fs::remove_dir_all(dir);
    }
}
