//! Creating an AnalysisRun from AnalysisTemplates, as both the Argo Rollouts controller (a
//! canary's analysis step) and Kargo (a Stage's verification) do: the templates' metrics, the
//! caller's name, labels, annotations and owner, and the step's args.

use kube::api::{DynamicObject, PostParams};
use serde_json::{Value, json};

use crate::demo::world::context::WorldContext;
use crate::model::Kind;

/// Creates the AnalysisRun described by `metadata` (name and namespace included) from the
/// metrics of the AnalysisTemplates named `templates` in its namespace (a missing template adds
/// none, with a warning). An AnalysisRun that already exists is left as it is.
pub async fn create_analysis_run(
    ctx: &WorldContext,
    metadata: Value,
    templates: &[&str],
    args: Value,
) -> Result<(), kube::Error> {
    let namespace = metadata
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let templates_api = ctx.api(
        "argoproj.io",
        "v1alpha1",
        "AnalysisTemplate",
        "analysistemplates",
        Some(&namespace),
    );
    let mut metrics = Vec::new();
    for &template_name in templates {
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
    let object = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": metadata,
        "spec": {"metrics": metrics, "args": args},
    });
    let object: DynamicObject = serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
    match ctx
        .api_for(Kind::AnalysisRun, Some(&namespace))
        .create(&PostParams::default(), &object)
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(error) => Err(error),
    }
}
