//! WorkflowTemplate rows: what a pipeline can be started from — the entrypoint and the
//! parameters it takes (with their defaults).

use crate::model::json::At;
use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{str_at, string, time};
use crate::model::key::ObjectKey;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkflowTemplateRow {
    pub key: ObjectKey,
    pub labels: Labels,
    pub entrypoint: String,
    /// `name` or `name=default` of each argument parameter.
    pub parameters: Vec<String>,
    /// Each parameter's `enum` values (empty when it takes any value).
    pub choices: Vec<Vec<String>>,
    pub created: Option<i64>,
}

impl WorkflowTemplateRow {
    pub fn from_object(object: &Value) -> Self {
        let parameters = object
            .at("/spec/arguments/parameters")
            .and_then(Value::as_array)
            .map(|parameters| {
                parameters
                    .iter()
                    .map(|p| match p.get("value").and_then(Value::as_str) {
                        Some(value) => format!("{}={value}", str_at(p, "/name")),
                        None => str_at(p, "/name").to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let choices = object
            .at("/spec/arguments/parameters")
            .and_then(Value::as_array)
            .map(|parameters| {
                parameters
                    .iter()
                    .map(|p| {
                        p.get("enum")
                            .and_then(Value::as_array)
                            .map(|values| {
                                values
                                    .iter()
                                    .filter_map(|v| v.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            choices,
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            entrypoint: string(object, "/spec/entrypoint"),
            parameters,
            created: time(object, "/metadata/creationTimestamp"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entrypoint_and_parameters_with_defaults() {
        let row = WorkflowTemplateRow::from_object(&json!({
            "metadata": {"name": "ci", "namespace": "argo"},
            "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "commit-sha"}, {"name": "registry", "value": "local"}]}}
        }));
        assert_eq!(row.entrypoint, "main");
        assert_eq!(row.parameters, ["commit-sha", "registry=local"]);
        assert!(
            WorkflowTemplateRow::from_object(&json!([]))
                .parameters
                .is_empty()
        );
    }
}
