//! Simulated AnalysisRun controller (Argo Rollouts' analysis). Each metric is measured at its
//! (scaled) interval from the traffic model — the seed's success-rate and p95 queries give what a
//! Prometheus would answer — and judged by its `successCondition`; a metric fails when failures
//! exceed `failureLimit`, succeeds after `count` measurements. `spec.terminate` ends the run.

use crate::model::Kind;
use std::sync::Mutex;

use kube::api::{DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use super::context::{WorldContext, now};
use super::driver;
use super::timers::Timers;

pub async fn run(ctx: WorldContext) {
    let runs = ctx.api_for(Kind::AnalysisRun, None);
    let timers = Mutex::new(Timers::default());
    driver::run_each("analysis", runs, Vec::new(), |run| {
        let (ctx, timers) = (&ctx, &timers);
        async move { reconcile(ctx, timers, &run).await }
    })
    .await;
}

/// Parses `30s`, `2m`, `1h` (world seconds).
pub fn parse_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(text.len()),
    );
    let value: f64 = number.parse().ok()?;
    match unit {
        "" | "s" => Some(value),
        "m" => Some(value * 60.0),
        "h" => Some(value * 3600.0),
        "ms" => Some(value / 1000.0),
        _ => None,
    }
}

/// Evaluates `result[0] >= 0.95`-style conditions.
pub fn condition_holds(condition: &str, value: f64) -> Option<bool> {
    for operator in [">=", "<=", "==", "!=", ">", "<"] {
        if let Some((left, right)) = condition.split_once(operator) {
            let left = left.trim();
            if left != "result[0]" && left != "result" {
                return None;
            }
            let limit: f64 = right.trim().parse().ok()?;
            return Some(match operator {
                ">=" => value >= limit,
                "<=" => value <= limit,
                "==" => value == limit,
                "!=" => value != limit,
                ">" => value > limit,
                _ => value < limit,
            });
        }
    }
    None
}

/// The environment namespace whose traffic a run measures.
fn traffic_namespace(run: &DynamicObject) -> String {
    let namespace = run.metadata.namespace.clone().unwrap_or_default();
    match run
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("kargo.akuity.io/stage"))
    {
        Some(stage) => format!("demo-app-{stage}"),
        None => namespace,
    }
}

fn int(value: Option<&Value>, default: i64) -> i64 {
    match value {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(default),
        Some(Value::String(s)) => s.parse().unwrap_or(default),
        _ => default,
    }
}

async fn reconcile(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    run: &DynamicObject,
) -> Result<(), kube::Error> {
    let phase = run
        .data
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if matches!(phase, "Successful" | "Failed" | "Error" | "Inconclusive") {
        return Ok(());
    }
    let name = run.metadata.name.clone().unwrap_or_default();
    let uid = run.metadata.uid.clone().unwrap_or_default();
    let api = ctx.api_for(Kind::AnalysisRun, run.metadata.namespace.as_deref());
    if run.data.pointer("/spec/terminate").and_then(Value::as_bool) == Some(true) {
        let status =
            json!({"phase": "Successful", "message": "Run Terminated", "completedAt": now()});
        api.patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": status})),
        )
        .await?;
        return Ok(());
    }
    let metrics = run
        .data
        .pointer("/spec/metrics")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut results: Vec<Value> = run
        .data
        .pointer("/status/metricResults")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (success, p95) = ctx
        .traffic
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .current_signals(&traffic_namespace(run));
    let mut changed = phase.is_empty();
    for metric in &metrics {
        let metric_name = metric
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let position = results
            .iter()
            .position(|r| r.get("name").and_then(Value::as_str) == Some(metric_name));
        let index = position.unwrap_or_else(|| {
            results.push(json!({"name": metric_name, "phase": "Running", "count": 0, "successful": 0, "failed": 0, "inconclusive": 0, "error": 0, "measurements": []}));
            changed = true;
            results.len() - 1
        });
        let result = &mut results[index];
        if result.get("phase").and_then(Value::as_str) != Some("Running") {
            continue;
        }
        let interval = metric
            .get("interval")
            .and_then(Value::as_str)
            .and_then(parse_duration);
        let count = int(
            metric.get("count"),
            if interval.is_some() { i64::MAX } else { 1 },
        );
        let failure_limit = int(metric.get("failureLimit"), 0);
        let measured = result.get("count").and_then(Value::as_i64).unwrap_or(0);
        let key = format!("{uid}/{metric_name}");
        let due = measured == 0
            || timers.lock().unwrap_or_else(|e| e.into_inner()).done(
                &key,
                ctx.speed,
                interval.unwrap_or(0.0),
            );
        if !due {
            continue;
        }
        timers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .restart(&key);
        let query = metric
            .pointer("/provider/prometheus/query")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let value = if query.contains("histogram_quantile") {
            p95
        } else {
            success
        };
        let condition = metric
            .get("successCondition")
            .and_then(Value::as_str)
            .unwrap_or("true");
        let passed = condition_holds(condition, value).unwrap_or(true);
        let measurement = json!({"phase": if passed { "Successful" } else { "Failed" }, "startedAt": now(), "finishedAt": now(), "value": format!("[{value}]")});
        if let Some(list) = result.get_mut("measurements").and_then(Value::as_array_mut) {
            list.push(measurement);
            let keep = list.len().saturating_sub(10);
            list.drain(..keep);
        }
        let bump = |result: &mut Value, field: &str| {
            let n = result.get(field).and_then(Value::as_i64).unwrap_or(0) + 1;
            result[field] = json!(n);
            n
        };
        let measured = bump(result, "count");
        let failed = if passed {
            bump(result, "successful");
            result.get("failed").and_then(Value::as_i64).unwrap_or(0)
        } else {
            bump(result, "failed")
        };
        if failed > failure_limit {
            result["phase"] = json!("Failed");
            result["message"] = json!(format!(
                "Metric \"{metric_name}\" assessed Failed due to failed ({failed}) > failureLimit ({failure_limit})"
            ));
        } else if measured >= count {
            result["phase"] = json!("Successful");
        }
        changed = true;
    }
    if !changed {
        return Ok(());
    }
    let phases: Vec<&str> = results
        .iter()
        .filter_map(|r| r.get("phase").and_then(Value::as_str))
        .collect();
    let run_phase = if phases.contains(&"Failed") {
        "Failed"
    } else if !phases.is_empty() && phases.iter().all(|p| *p == "Successful") {
        "Successful"
    } else {
        "Running"
    };
    let message = results
        .iter()
        .find_map(|r| r.get("message").and_then(Value::as_str))
        .unwrap_or_default();
    let summary = json!({
        "count": results.len(),
        "successful": phases.iter().filter(|p| **p == "Successful").count(),
        "failed": phases.iter().filter(|p| **p == "Failed").count(),
    });
    let mut status = json!({"phase": run_phase, "metricResults": results, "runSummary": summary});
    if phase.is_empty() {
        status["startedAt"] = json!(now());
    }
    if run_phase != "Running" {
        status["completedAt"] = json!(now());
        if !message.is_empty() {
            status["message"] = json!(message);
        }
    }
    api.patch(
        &name,
        &PatchParams::default(),
        &Patch::Merge(json!({"status": status})),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_conditions() {
        assert_eq!(parse_duration("30s"), Some(30.0));
        assert_eq!(parse_duration("2m"), Some(120.0));
        assert_eq!(parse_duration("1h"), Some(3600.0));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(condition_holds("result[0] >= 0.95", 0.97), Some(true));
        assert_eq!(condition_holds("result[0] >= 0.95", 0.93), Some(false));
        assert_eq!(condition_holds("result[0] <= 500", 420.0), Some(true));
        assert_eq!(condition_holds("len(result) > 0", 1.0), None);
    }
}
