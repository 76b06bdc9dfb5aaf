//! The AnalysisRun detail view model, from the whole object (fetched when the view opens): phase
//! and owner, the arguments (values drawn from Secrets are named, never shown), and for each
//! metric its query, success/failure conditions, limits, tallies and latest measurements.

use serde_json::Value;

use crate::model::json::{str_at, time};
use crate::model::phase::AnalysisPhase;
use crate::model::rows::AnalysisRunRow;
use crate::model::time::human_age;
use crate::store::Store;
use crate::theme::Slot;

use super::cell::Cell;
use super::slots;

/// How many measurements of each metric are listed (newest first).
const MEASUREMENTS_SHOWN: usize = 5;

/// The lines of the detail view of `run` at `now` (Unix seconds); the store names the Rollout
/// behind an Experiment's run.
pub fn build(store: &Store, run: &Value, now: i64) -> Vec<Vec<Cell>> {
    let row = AnalysisRunRow::from_object(run);
    let label = |text: &str| Cell::new(format!("{text:<16}"), Slot::Header);
    let age = |at: Option<i64>| at.map(|t| human_age(now - t)).unwrap_or_default();
    let owner = match (&row.rollout, &row.experiment, &row.stage) {
        (Some(rollout), _, _) => format!("Rollout {rollout}"),
        (None, Some(experiment), _) => {
            let key = crate::model::ObjectKey::new(row.key.namespace.clone(), experiment.clone());
            match store.experiment(&key).and_then(|e| e.rollout.as_deref()) {
                Some(rollout) => format!("Rollout {rollout} (Experiment {experiment})"),
                None => format!("Experiment {experiment}"),
            }
        }
        (None, None, Some(stage)) => format!("Kargo Stage {stage} (verification)"),
        (None, None, None) => "none".to_string(),
    };
    let mut lines = vec![
        vec![
            label("AnalysisRun"),
            Cell::new(row.key.to_string(), Slot::Title),
        ],
        vec![
            label("Phase"),
            Cell::new(row.phase.as_str(), slots::analysis(row.phase)),
            Cell::new(format!("  started {} ago", age(row.started)), Slot::Muted),
        ],
        vec![label("For"), Cell::new(owner, Slot::Text)],
    ];
    if !row.message.is_empty() {
        lines.push(vec![
            label("Message"),
            Cell::new(row.message.clone(), Slot::Warning),
        ]);
    }
    for argument in array(run, "/spec/args") {
        let value = match argument.get("value").and_then(Value::as_str) {
            Some(value) => value.to_string(),
            None => match argument.pointer("/valueFrom/secretKeyRef") {
                Some(secret) => format!(
                    "(from Secret {} key {})",
                    str_at(secret, "/name"),
                    str_at(secret, "/key")
                ),
                None => "(from the object's fields)".to_string(),
            },
        };
        lines.push(vec![
            label("Argument"),
            Cell::new(
                format!("{} = {value}", str_at(argument, "/name")),
                Slot::Text,
            ),
        ]);
    }
    let results = array(run, "/status/metricResults");
    for metric in array(run, "/spec/metrics") {
        let name = str_at(metric, "/name");
        let result = results.iter().find(|r| str_at(r, "/name") == name);
        lines.push(Vec::new());
        let phase = AnalysisPhase::parse(result.map_or("Pending", |r| str_at(r, "/phase")));
        lines.push(vec![
            Cell::new(format!("Metric {name}  "), Slot::Title),
            Cell::new(phase.as_str(), slots::analysis(phase)),
        ]);
        lines.push(vec![label("  Query"), Cell::new(query(metric), Slot::Text)]);
        for (title, field) in [
            ("  Success when", "/successCondition"),
            ("  Failure when", "/failureCondition"),
        ] {
            let condition = str_at(metric, field);
            if !condition.is_empty() {
                lines.push(vec![label(title), Cell::new(condition, Slot::Text)]);
            }
        }
        let setting = |field: &str, default: &str| match metric.get(field) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Number(number)) => number.to_string(),
            _ => default.to_string(),
        };
        lines.push(vec![
            label("  Schedule"),
            Cell::new(
                format!(
                    "every {}, {} measurements, failure limit {}, inconclusive limit {}",
                    setting("interval", "once"),
                    setting("count", "1"),
                    setting("failureLimit", "0"),
                    setting("inconclusiveLimit", "0"),
                ),
                Slot::Muted,
            ),
        ]);
        let Some(result) = result else {
            lines.push(vec![Cell::new("  not measured yet", Slot::Muted)]);
            continue;
        };
        let tally = |field: &str| result.get(field).and_then(Value::as_i64).unwrap_or(0);
        lines.push(vec![
            label("  Tally"),
            Cell::new(
                format!(
                    "{} measured: {} successful, {} failed, {} inconclusive, {} errors",
                    tally("count"),
                    tally("successful"),
                    tally("failed"),
                    tally("inconclusive"),
                    tally("error")
                ),
                Slot::Text,
            ),
        ]);
        let message = str_at(result, "/message");
        if !message.is_empty() {
            lines.push(vec![label("  Message"), Cell::new(message, Slot::Warning)]);
        }
        for measurement in array(result, "/measurements")
            .iter()
            .rev()
            .take(MEASUREMENTS_SHOWN)
        {
            let phase = AnalysisPhase::parse(str_at(measurement, "/phase"));
            let at = time(measurement, "/finishedAt").or_else(|| time(measurement, "/startedAt"));
            lines.push(vec![
                Cell::new(format!("    {:>8} ago  ", age(at)), Slot::Muted),
                Cell::new(format!("{:<12}", phase.as_str()), slots::analysis(phase)),
                Cell::new(
                    format!(
                        "{}{}",
                        str_at(measurement, "/value"),
                        optional(str_at(measurement, "/message"))
                    ),
                    Slot::Text,
                ),
            ]);
        }
    }
    lines
}

fn array<'a>(object: &'a Value, pointer: &str) -> Vec<&'a Value> {
    object
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|items| items.iter().collect())
        .unwrap_or_default()
}

/// The metric's query on one line (Prometheus queries are often written over several).
fn query(metric: &Value) -> String {
    let Some(provider) = metric.get("provider").and_then(Value::as_object) else {
        return "(no provider)".to_string();
    };
    match provider.iter().next() {
        Some((name, settings)) => {
            let query = str_at(settings, "/query");
            if query.is_empty() {
                format!("({name} provider)")
            } else {
                query.split_whitespace().collect::<Vec<_>>().join(" ")
            }
        }
        None => "(no provider)".to_string(),
    }
}

fn optional(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!("  {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(lines: &[Vec<Cell>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|c| c.text.clone()).collect())
            .collect()
    }

    #[test]
    fn metrics_with_conditions_tallies_and_newest_measurements_first() {
        let run = json!({
            "metadata": {"name": "demo-app-7f9-2", "namespace": "demo-app-prod",
                "ownerReferences": [{"kind": "Rollout", "name": "demo-app"}]},
            "spec": {
                "args": [{"name": "service", "value": "demo-app"},
                         {"name": "token", "valueFrom": {"secretKeyRef": {"name": "prom", "key": "token"}}}],
                "metrics": [
                    {"name": "success-rate", "interval": "30s", "count": 4, "failureLimit": 1,
                     "successCondition": "result[0] >= 0.95",
                     "provider": {"prometheus": {"query": "sum(rate(x[2m]))\n  /\n sum(rate(y[2m]))"}}},
                    {"name": "latency", "successCondition": "result[0] <= 500",
                     "provider": {"prometheus": {"query": "p95"}}}
                ]},
            "status": {"phase": "Failed", "message": "Metric \"success-rate\" assessed Failed",
                "metricResults": [{"name": "success-rate", "phase": "Failed", "count": 3,
                    "successful": 1, "failed": 2, "measurements": [
                        {"phase": "Successful", "value": "[0.99]", "finishedAt": "1970-01-01T00:00:40Z"},
                        {"phase": "Failed", "value": "[0.71]", "finishedAt": "1970-01-01T00:01:10Z"}]}]}
        });
        let lines = text(&build(&Store::default(), &run, 100));
        let joined = lines.join("\n");
        assert!(joined.contains("Rollout demo-app"), "{joined}");
        assert!(
            joined.contains("token = (from Secret prom key token)"),
            "{joined}"
        );
        assert!(
            joined.contains("sum(rate(x[2m])) / sum(rate(y[2m]))"),
            "{joined}"
        );
        assert!(joined.contains("result[0] >= 0.95"), "{joined}");
        assert!(
            joined.contains("every 30s, 4 measurements, failure limit 1"),
            "{joined}"
        );
        assert!(
            joined.contains("3 measured: 1 successful, 2 failed"),
            "{joined}"
        );
        let newest = lines.iter().position(|l| l.contains("[0.71]")).unwrap();
        let oldest = lines.iter().position(|l| l.contains("[0.99]")).unwrap();
        assert!(newest < oldest, "{joined}");
        assert!(lines[newest].contains("30s ago") && lines[newest].contains("Failed"));
        assert!(joined.contains("Metric latency  Pending"), "{joined}");
        assert!(joined.contains("not measured yet"), "{joined}");
        assert!(!build(&Store::default(), &json!(null), 0).is_empty());
    }

    #[test]
    fn an_experiments_run_names_the_rollout_behind_it() {
        use crate::model::{Kind, Row};
        let mut store = Store::default();
        store.apply([crate::store::Delta::Apply(Row::from_object(
            Kind::Experiment,
            &json!({"metadata": {"name": "web-6f7d9c-2-1", "namespace": "shop", "ownerReferences": [{"kind": "Rollout", "name": "web", "controller": true}]}}),
        ))]);
        let run = json!({"metadata": {"name": "web-6f7d9c-2-1-compare", "namespace": "shop", "ownerReferences": [{"kind": "Experiment", "name": "web-6f7d9c-2-1", "controller": true}]}});
        let joined = text(&build(&store, &run, 0)).join("\n");
        assert!(
            joined.contains("Rollout web (Experiment web-6f7d9c-2-1)"),
            "{joined}"
        );
        let joined = text(&build(&Store::default(), &run, 0)).join("\n");
        assert!(joined.contains("Experiment web-6f7d9c-2-1"), "{joined}");
    }
}
