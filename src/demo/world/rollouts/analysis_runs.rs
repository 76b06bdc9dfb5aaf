//! The AnalysisRun of a canary analysis step, created from the step's templates and named,
//! labelled and owned as the Argo Rollouts controller does.

use crate::model::Kind;
use kube::api::{DynamicObject, PostParams};
use serde_json::{Value, json};

use super::{HASH_LABEL, REVISION};
use crate::demo::world::context::WorldContext;

/// Creates the step's AnalysisRun from its templates, as the controller names and labels it.
#[allow(clippy::too_many_arguments)]
pub(super) async fn create_analysis_run(
    ctx: &WorldContext,
    namespace: &str,
    run_name: &str,
    rollout: &DynamicObject,
    hash: &str,
    revision: i64,
    step_index: usize,
    analysis: &Value,
) -> Result<(), kube::Error> {
    let templates_api = ctx.api(
        "argoproj.io",
        "v1alpha1",
        "AnalysisTemplate",
        "analysistemplates",
        Some(namespace),
    );
    let mut metrics = Vec::new();
    for template in analysis
        .get("templates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(template_name) = template.get("templateName").and_then(Value::as_str) else {
            continue;
        };
        match templates_api.get_opt(template_name).await? {
            Some(found) => metrics.extend(
                found
                    .data
                    .pointer("/spec/metrics")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            ),
            None => tracing::warn!(template_name, "analysis template not found"),
        }
    }
    let rollout_name = rollout.metadata.name.clone().unwrap_or_default();
    let mut labels = rollout
        .data
        .pointer("/spec/selector/matchLabels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    labels[HASH_LABEL] = json!(hash);
    labels["rollout-type"] = json!("Step");
    labels["step-index"] = json!(step_index.to_string());
    let object = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": run_name, "namespace": namespace, "labels": labels, "annotations": {REVISION: revision.to_string()},
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": rollout_name, "uid": rollout.metadata.uid.clone().unwrap_or_default(), "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"metrics": metrics, "args": analysis.get("args").cloned().unwrap_or_else(|| json!([]))},
    });
    let object: DynamicObject = serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
    match ctx
        .api_for(Kind::AnalysisRun, Some(namespace))
        .create(&PostParams::default(), &object)
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(error) => Err(error),
    }
}
