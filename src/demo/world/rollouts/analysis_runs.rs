//! The AnalysisRun of a canary analysis step, named, labelled and owned as the Argo Rollouts
//! controller does (`<rollout>-<hash>-<revision>-<step>`).

use serde_json::{Value, json};

use super::{HASH_LABEL, Observed, REVISION};
use crate::demo::world::analysis_run;
use crate::demo::world::context::WorldContext;

/// Creates the analysis step's AnalysisRun from the step's templates.
pub(super) async fn create_analysis_run(
    ctx: &WorldContext,
    rollout: &Observed,
    run_name: &str,
    revision: i64,
    step_index: usize,
    analysis: &Value,
) -> Result<(), kube::Error> {
    let mut labels = rollout
        .value
        .pointer("/spec/selector/matchLabels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    labels[HASH_LABEL] = json!(rollout.hash);
    labels["rollout-type"] = json!("Step");
    labels["step-index"] = json!(step_index.to_string());
    let metadata = json!({"name": run_name, "namespace": rollout.namespace, "labels": labels,
        "annotations": {REVISION: revision.to_string()},
        "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": rollout.name,
            "uid": rollout.uid, "controller": true, "blockOwnerDeletion": true}]});
    let templates = analysis
        .get("templates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|template| template.get("templateName").and_then(Value::as_str))
        .collect::<Vec<_>>();
    let args = analysis.get("args").cloned().unwrap_or_else(|| json!([]));
    analysis_run::create_analysis_run(ctx, metadata, &templates, args).await
}
