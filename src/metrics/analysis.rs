//! An AnalysisRun's Prometheus metrics as flightdeck can plot them: each metric's query with the
//! run's arguments filled in (as the controller does with `{{args.NAME}}`; an argument drawn
//! from a Secret is never read, so such a query is not run), and the threshold its
//! `successCondition` compares `result` with, to draw beside the measurements. Pure.

use regex::Regex;
use serde_json::Value;

use crate::model::json::str_at;

/// The live series of a run's metrics by metric name, or why a metric has none.
pub type LiveSeries = std::collections::BTreeMap<String, Result<Vec<(f64, f64)>, String>>;

/// One Prometheus metric of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisQuery {
    pub metric: String,
    /// The query to run, or why it cannot be.
    pub query: Result<String, String>,
    /// (comparison, value) from the success condition, e.g. (">=", 0.95).
    pub threshold: Option<(String, f64)>,
    /// The recorded measurements' values that are plain numbers, oldest first, with their time.
    pub measurements: Vec<(f64, f64)>,
    /// When the run started (Unix seconds).
    pub started: Option<f64>,
}

/// `result[0] >= 0.95`, `result < 300`, `len(result) == 0 || result[0] >= 0.9` → the first
/// comparison of `result` with a number.
pub fn threshold(condition: &str) -> Option<(String, f64)> {
    let pattern = Regex::new(r"result(?:\[0\])?\s*(>=|<=|>|<|==)\s*([0-9]+(?:\.[0-9]+)?)").ok()?;
    let captures = pattern.captures(condition)?;
    Some((captures[1].to_string(), captures[2].parse().ok()?))
}

/// The run's Prometheus metrics.
pub fn queries(run: &Value) -> Vec<AnalysisQuery> {
    let args: Vec<(&str, Option<&str>)> = run
        .pointer("/spec/args")
        .and_then(Value::as_array)
        .map(|args| {
            args.iter()
                .map(|arg| {
                    (
                        str_at(arg, "/name"),
                        arg.get("value").and_then(Value::as_str),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let started = crate::model::json::time(run, "/status/startedAt").map(|t| t as f64);
    run.pointer("/spec/metrics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|metric| {
            let template = metric.pointer("/provider/prometheus/query")?.as_str()?;
            let name = str_at(metric, "/name").to_string();
            let mut query = Ok(template.to_string());
            for (arg, value) in &args {
                let placeholder = format!("{{{{args.{arg}}}}}");
                if let Ok(text) = &query
                    && text.contains(&placeholder)
                {
                    query = match value {
                        Some(value) => Ok(text.replace(&placeholder, value)),
                        None => Err(format!(
                            "the query uses the argument `{arg}`, drawn from a Secret: not run"
                        )),
                    };
                }
            }
            let measurements = run
                .pointer("/status/metricResults")
                .and_then(Value::as_array)
                .and_then(|results| results.iter().find(|r| str_at(r, "/name") == name))
                .and_then(|result| result.get("measurements"))
                .and_then(Value::as_array)
                .map(|measurements| {
                    measurements
                        .iter()
                        .filter_map(|m| {
                            let at = crate::model::json::time(m, "/finishedAt")? as f64;
                            let value = str_at(m, "/value")
                                .trim_matches(|c| c == '[' || c == ']')
                                .split(',')
                                .next()?
                                .trim()
                                .parse::<f64>()
                                .ok()
                                .filter(|v| v.is_finite())?;
                            Some((at, value))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(AnalysisQuery {
                threshold: metric
                    .get("successCondition")
                    .and_then(Value::as_str)
                    .and_then(threshold),
                metric: name,
                query,
                measurements,
                started,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn thresholds_from_success_conditions() {
        assert_eq!(threshold("result[0] >= 0.95"), Some((">=".into(), 0.95)));
        assert_eq!(
            threshold("len(result) == 0 || result[0] < 300"),
            Some(("<".into(), 300.0))
        );
        assert_eq!(threshold("result == 'ok'"), None);
    }

    #[test]
    fn queries_take_the_runs_arguments_but_never_secrets() {
        let run = json!({
            "spec": {
                "args": [{"name": "service", "value": "demo-app"}, {"name": "token", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
                "metrics": [
                    {"name": "success-rate", "successCondition": "result[0] >= 0.95",
                     "provider": {"prometheus": {"query": "sum(rate(x{app=\"{{args.service}}\"}[2m]))"}}},
                    {"name": "secret", "provider": {"prometheus": {"query": "x{t=\"{{args.token}}\"}"}}},
                    {"name": "job", "provider": {"job": {}}}
                ]
            },
            "status": {"startedAt": "2026-11-26T10:00:00Z", "metricResults": [{"name": "success-rate", "measurements": [
                {"phase": "Successful", "value": "[0.97]", "finishedAt": "2026-11-26T10:00:30Z"},
                {"phase": "Failed", "value": "[NaN]", "finishedAt": "2026-11-26T10:01:00Z"}]}]}
        });
        let queries = queries(&run);
        assert_eq!(queries.len(), 2, "only Prometheus metrics");
        assert_eq!(
            queries[0].query,
            Ok("sum(rate(x{app=\"demo-app\"}[2m]))".into())
        );
        assert_eq!(queries[0].threshold, Some((">=".into(), 0.95)));
        assert_eq!(queries[0].measurements.len(), 1, "NaN is no point to draw");
        assert!(
            queries[1]
                .query
                .as_ref()
                .is_err_and(|e| e.contains("Secret"))
        );
        assert!(queries[0].started.is_some());
    }
}
