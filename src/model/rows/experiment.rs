//! Argo Rollouts Experiment rows: phase, the Rollout whose Experiment step started it, its
//! templates' ReplicaSets and the AnalysisRuns it runs (`status.analysisRuns`), as `kubectl argo
//! rollouts get` lists them under the Rollout.

use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{At, integer, owner, str_at, string, time};
use crate::model::key::ObjectKey;
use crate::model::phase::AnalysisPhase;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExperimentRow {
    pub key: ObjectKey,
    pub labels: Labels,
    pub phase: AnalysisPhase,
    pub message: String,
    pub created: Option<i64>,
    /// The owning Rollout's name, if a Rollout's Experiment step created it.
    pub rollout: Option<String>,
    /// (template name, available replicas, replicas) of each template.
    pub templates: Vec<(String, i64, i64)>,
    /// (analysis name, AnalysisRun name, phase) of each analysis.
    pub analyses: Vec<(String, String, AnalysisPhase)>,
}

impl ExperimentRow {
    pub fn from_object(object: &Value) -> Self {
        let items = |pointer: &str| -> Vec<Value> {
            object
                .at(pointer)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            phase: AnalysisPhase::parse(str_at(object, "/status/phase")),
            message: string(object, "/status/message"),
            created: time(object, "/metadata/creationTimestamp"),
            rollout: owner(object, "Rollout"),
            templates: items("/status/templateStatuses")
                .iter()
                .map(|t| {
                    (
                        string(t, "/name"),
                        integer(t, "/availableReplicas").unwrap_or(0),
                        integer(t, "/replicas").unwrap_or(0),
                    )
                })
                .collect(),
            analyses: items("/status/analysisRuns")
                .iter()
                .map(|a| {
                    (
                        string(a, "/name"),
                        string(a, "/analysisRun"),
                        AnalysisPhase::parse(str_at(a, "/phase")),
                    )
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_experiment_of_a_rollout_step() {
        let row = ExperimentRow::from_object(&json!({
            "metadata": {"name": "web-6f7d9c-2-1", "namespace": "shop", "ownerReferences": [{"kind": "Rollout", "name": "web", "controller": true}]},
            "status": {"phase": "Running", "templateStatuses": [{"name": "baseline", "replicas": 1, "availableReplicas": 1}, {"name": "canary", "replicas": 1, "availableReplicas": 0}],
                       "analysisRuns": [{"name": "compare", "analysisRun": "web-6f7d9c-2-1-compare", "phase": "Running"}]}
        }));
        assert_eq!(row.rollout.as_deref(), Some("web"));
        assert_eq!(row.phase, AnalysisPhase::Running);
        assert_eq!(row.templates[1], ("canary".to_string(), 0, 1));
        assert_eq!(
            row.analyses,
            [(
                "compare".to_string(),
                "web-6f7d9c-2-1-compare".to_string(),
                AnalysisPhase::Running
            )]
        );
        assert_eq!(
            ExperimentRow::from_object(&json!("garbage")).phase,
            AnalysisPhase::parse("")
        );
    }
}
