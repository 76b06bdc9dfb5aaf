//! Readiness of a kind whose controller reports `status.conditions` (Argo Events, Kargo
//! Warehouses). Pure.

use crate::model::json::At;
use serde_json::Value;

use crate::model::json::str_at;

/// Readiness from `status.conditions`: `None` before the controller reported, else whether
/// every condition is True, with the first failing condition's message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Readiness {
    pub ready: Option<bool>,
    pub problem: String,
}

impl Readiness {
    pub fn of(object: &Value) -> Self {
        let conditions = object
            .at("/status/conditions")
            .and_then(Value::as_array)
            .filter(|c| !c.is_empty());
        let Some(conditions) = conditions else {
            return Self::default();
        };
        // kstatus-style kinds (Kargo) say it in one `Ready` condition; `Reconciling` being True
        // there means busy, not broken. Others (Argo Events) are ready when all hold.
        let ready = conditions.iter().find(|c| str_at(c, "/type") == "Ready");
        let failing = match ready {
            Some(ready) => (str_at(ready, "/status") != "True").then_some(ready),
            None => conditions.iter().find(|c| str_at(c, "/status") != "True"),
        };
        Self {
            ready: Some(failing.is_none()),
            problem: failing
                .map(|c| format!("{}: {}", str_at(c, "/type"), str_at(c, "/message")))
                .unwrap_or_default(),
        }
    }

    pub fn label(&self) -> &'static str {
        match self.ready {
            None => "Unknown",
            Some(true) => "Ready",
            Some(false) => "NotReady",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ready_condition_wins_else_every_condition_must_hold() {
        let of = |conditions| Readiness::of(&json!({"status": {"conditions": conditions}}));
        assert_eq!(of(json!([])).ready, None);
        let busy = of(
            json!([{"type": "Ready", "status": "True"}, {"type": "Reconciling", "status": "True"}]),
        );
        assert_eq!(busy.ready, Some(true));
        let stalled = of(json!([{"type": "Ready", "status": "False", "message": "no access"}]));
        assert_eq!(
            (stalled.ready, stalled.problem.as_str()),
            (Some(false), "Ready: no access")
        );
        let deployed = of(
            json!([{"type": "Deployed", "status": "True"}, {"type": "SourcesProvided", "status": "False", "message": "x"}]),
        );
        assert_eq!(deployed.ready, Some(false));
        assert_eq!(deployed.label(), "NotReady");
    }
}
