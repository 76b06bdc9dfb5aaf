//! AnalysisRun rows: phase, the Rollout (or Kargo Stage) it belongs to, and each metric's latest
//! measurement.

use crate::model::json::At;
use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{label, owner, string, text, time};
use crate::model::key::ObjectKey;
use crate::model::phase::AnalysisPhase;

/// One metric's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricResult {
    pub name: String,
    pub phase: AnalysisPhase,
    pub last_value: Option<String>,
    pub successful: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnalysisRunRow {
    pub key: ObjectKey,
    pub labels: Labels,
    pub phase: AnalysisPhase,
    pub message: String,
    pub started: Option<i64>,
    /// The owning Rollout's name, if any.
    pub rollout: Option<String>,
    /// The owning Experiment's name (a Rollout's Experiment step), if any.
    pub experiment: Option<String>,
    /// The Kargo Stage it verifies, if any.
    pub stage: Option<String>,
    pub metrics: Vec<MetricResult>,
}

impl AnalysisRunRow {
    pub fn from_object(object: &Value) -> Self {
        let rollout = owner(object, "Rollout");
        let experiment = owner(object, "Experiment");
        let metrics = object
            .at("/status/metricResults")
            .and_then(Value::as_array)
            .map(|results| {
                results
                    .iter()
                    .map(|r| MetricResult {
                        name: string(r, "/name"),
                        phase: AnalysisPhase::parse(text(r, "/phase").unwrap_or_default()),
                        last_value: r
                            .get("measurements")
                            .and_then(Value::as_array)
                            .and_then(|m| m.last())
                            .and_then(|m| m.get("value"))
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        successful: r.get("successful").and_then(Value::as_i64).unwrap_or(0),
                        failed: r.get("failed").and_then(Value::as_i64).unwrap_or(0),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            phase: AnalysisPhase::parse(text(object, "/status/phase").unwrap_or("Pending")),
            message: string(object, "/status/message"),
            started: time(object, "/status/startedAt")
                .or_else(|| time(object, "/metadata/creationTimestamp")),
            rollout,
            experiment,
            stage: label(object, "kargo.akuity.io/stage").map(str::to_string),
            metrics,
        }
    }
}
