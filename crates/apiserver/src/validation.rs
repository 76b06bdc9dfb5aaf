//! Validation of custom resources against their CRD's `openAPIV3Schema`, as the API server does
//! it: unknown fields are pruned (except under `x-kubernetes-preserve-unknown-fields`), nulls in
//! non-nullable fields are dropped, schema defaults are filled in, then the object is checked with a JSON-schema validator and
//! every violation becomes a field cause of the real 422 `Invalid` Status.

use serde_json::{Map, Value, json};

use super::registry::ResourceDef;
use super::status::ApiError;
use super::writes::kind_label;

/// A compiled CRD schema.
pub struct SchemaValidator {
    validator: jsonschema::Validator,
}

impl SchemaValidator {
    /// Compiles `schema` (an `openAPIV3Schema`), after turning `nullable: true` into JSON-schema
    /// terms.
    pub fn compile(schema: &Value) -> Result<SchemaValidator, String> {
        let prepared = nullable_to_json_schema(schema);
        let validator = jsonschema::options()
            .build(&prepared)
            .map_err(|e| e.to_string())?;
        Ok(SchemaValidator { validator })
    }

    /// Checks `object`; every violation is a cause of one 422.
    pub fn check(&self, def: &ResourceDef, name: &str, object: &Value) -> Result<(), ApiError> {
        let mut causes: Vec<(String, String)> = Vec::new();
        for error in self.validator.iter_errors(object) {
            let pointer = error.instance_path().as_str().to_string();
            let field = pointer.trim_start_matches('/').replace('/', ".");
            let cause = match error.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    let property = property.as_str().unwrap_or_default();
                    let field = if field.is_empty() {
                        property.to_string()
                    } else {
                        format!("{field}.{property}")
                    };
                    (field, "Required value".to_string())
                }
                jsonschema::error::ValidationErrorKind::Enum { options } => {
                    let supported: Vec<String> = options
                        .as_array()
                        .map(|o| o.iter().map(Value::to_string).collect())
                        .unwrap_or_default();
                    (
                        field,
                        format!(
                            "Unsupported value: {}: supported values: {}",
                            error.instance(),
                            supported.join(", ")
                        ),
                    )
                }
                jsonschema::error::ValidationErrorKind::Type { kind } => {
                    let expected = format!("{kind:?}").to_ascii_lowercase();
                    let expected = expected
                        .trim_start_matches("single(")
                        .trim_end_matches(')')
                        .to_string();
                    (
                        field.clone(),
                        format!(
                            "Invalid value: \"{}\": {field} in body must be of type {expected}: \"{}\"",
                            type_of(error.instance()),
                            type_of(error.instance())
                        ),
                    )
                }
                _ => (
                    field,
                    format!("Invalid value: {}: {error}", error.instance()),
                ),
            };
            if !causes.contains(&cause) {
                causes.push(cause);
            }
        }
        let schema_failed = !causes.is_empty();
        // the scale subresource reads its replicas as an integer
        if let Some(scale) = &def.scale
            && let Some(replicas) = object.pointer(&scale.spec_replicas.replace('.', "/"))
            && !replicas.is_i64()
        {
            let (shown, go_type) = match replicas {
                Value::String(text) => (text.clone(), "string"),
                Value::Bool(b) => (b.to_string(), "bool"),
                Value::Number(n) => (n.to_string(), "float64"),
                Value::Array(_) => ("[…]".into(), "[]interface {}"),
                Value::Object(_) => ("map[…]".into(), "map[string]interface {}"),
                Value::Null => ("<nil>".into(), "<nil>"),
            };
            let path = &scale.spec_replicas;
            causes.push((
                path.clone(),
                format!("Invalid value: 0: {path} accessor error: {shown} is of the type {go_type}, expected int64"),
            ));
        }
        // CEL rules (`x-kubernetes-validations`) are not run here; a real server skips them too
        // once the schema failed, and says so
        if schema_failed
            && def
                .schema
                .as_ref()
                .is_some_and(|schema| schema.to_string().contains("\"x-kubernetes-validations\""))
        {
            causes.push((
                "<nil>".into(),
                "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation".into(),
            ));
        }
        if causes.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(def, &kind_label(def), name, &causes))
        }
    }
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Rewrites `nullable: true` as a type that also allows null.
fn nullable_to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), nullable_to_json_schema(v)))
                .collect();
            if map.get("nullable").and_then(Value::as_bool) == Some(true)
                && let Some(Value::String(kind)) = map.get("type")
            {
                out.insert("type".into(), json!([kind, "null"]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(nullable_to_json_schema).collect()),
        other => other.clone(),
    }
}

/// Removes fields the schema does not declare (structural pruning) and nulls where the schema
/// does not allow them, and fills schema defaults of absent fields (structural defaulting). The
/// root's `apiVersion`, `kind` and `metadata` are always kept.
pub fn prune(schema: &Value, object: &mut Value) {
    prune_node(schema, object, true);
}

fn prune_node(schema: &Value, value: &mut Value, root: bool) {
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            let preserve = schema
                .get("x-kubernetes-preserve-unknown-fields")
                .and_then(Value::as_bool)
                == Some(true);
            let embedded = schema
                .get("x-kubernetes-embedded-resource")
                .and_then(Value::as_bool)
                == Some(true);
            // Structural defaulting: absent properties with a schema default get it.
            if let Some(properties) = properties {
                for (key, property) in properties {
                    if let Some(default) = property.get("default")
                        && !map.contains_key(key)
                    {
                        map.insert(key.clone(), default.clone());
                    }
                }
            }
            map.retain(|key, child| {
                if (root || embedded) && matches!(key.as_str(), "apiVersion" | "kind" | "metadata")
                {
                    return true;
                }
                let child_schema = properties.and_then(|p| p.get(key)).or(additional);
                match child_schema {
                    Some(child_schema) => {
                        if child.is_null()
                            && child_schema.get("nullable").and_then(Value::as_bool) != Some(true)
                        {
                            return false;
                        }
                        prune_node(child_schema, child, false);
                        true
                    }
                    None => {
                        preserve
                            || (properties.is_none()
                                && additional.is_none()
                                && !schema.get("type").is_some_and(|t| t == "object"))
                    }
                }
            });
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    prune_node(item_schema, item, false);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    fn rollout_def() -> ResourceDef {
        let registry = Registry::load(&[(
            "rollout",
            include_str!("../../../demo/crds/argo-rollouts/rollout-crd.yaml"),
        )])
        .expect("load");
        registry
            .find("argoproj.io", "v1alpha1", "rollouts")
            .expect("rollouts")
            .clone()
    }

    #[test]
    fn prunes_unknown_fields_and_reports_invalid_ones() {
        let def = rollout_def();
        let schema = def.schema.clone().expect("schema");
        let mut object = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "r", "custom": "kept"},
            "spec": {"replicas": 2, "bogus": true, "selector": {"matchLabels": {"app": "x"}}, "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": []}}, "strategy": {"canary": {"steps": [{"setWeight": 20}]}}},
            "unknownTop": 1
        });
        prune(&schema, &mut object);
        assert!(object.get("unknownTop").is_none());
        assert_eq!(
            object["spec"]["strategy"]["canary"]["steps"][0]["setWeight"],
            20
        );
        let mut defaulted = json!({"spec": {}});
        prune(
            &json!({"properties": {"spec": {"type": "object", "properties": {"interval": {"type": "string", "default": "5m0s"}}}}}),
            &mut defaulted,
        );
        assert_eq!(
            defaulted["spec"]["interval"], "5m0s",
            "schema defaults are filled in"
        );
        assert!(object["spec"].get("bogus").is_none());
        assert_eq!(object["metadata"]["custom"], "kept");
        let validator = SchemaValidator::compile(&schema).expect("compile");
        validator.check(&def, "r", &object).expect("valid");
        object["spec"]["replicas"] = json!("two");
        let error = validator.check(&def, "r", &object).expect_err("invalid");
        assert_eq!(error.code, 422);
        assert_eq!(error.body["reason"], "Invalid");
        let message = error.body["message"].as_str().expect("message");
        // as a real server words it: the schema, the scale subresource's reading of the
        // replicas, and the CEL rules left unchecked
        assert_eq!(
            message,
            "Rollout.argoproj.io \"r\" is invalid: [spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\", .spec.replicas: Invalid value: 0: .spec.replicas accessor error: two is of the type string, expected int64, <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]"
        );
        assert_eq!(error.body["details"]["causes"][0]["field"], "spec.replicas");
        assert_eq!(error.body["details"]["causes"][2]["field"], "<nil>");
    }
}
