//! Applying PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and a minimal
//! strategic merge patch for core kinds (merge patch plus list merging by key and the `$patch`
//! directives). Custom resources refuse strategic merge with the real 415. Server-side apply
//! bodies are read here (`decode_apply`) and applied by `managed_fields`.

use serde_json::{Map, Value};

use super::status::ApiError;

/// The patch types the API server knows (by Content-Type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Merge,
    Json,
    Apply,
    Strategic,
}

/// Media types accepted for PATCH on custom resources (in the API server's order).
pub const CUSTOM_PATCH_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
];
/// Media types accepted for PATCH on core kinds.
pub const CORE_PATCH_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
    "application/strategic-merge-patch+json",
];

impl PatchType {
    /// The patch type of a Content-Type header (parameters after `;` ignored).
    pub fn from_content_type(content_type: &str) -> Option<PatchType> {
        match content_type.split(';').next().unwrap_or_default().trim() {
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/json-patch+json" => Some(PatchType::Json),
            "application/apply-patch+yaml" => Some(PatchType::Apply),
            "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
            _ => None,
        }
    }
}

/// Applies `body` (already read as bytes) of `patch_type` to `target`.
pub fn apply(patch_type: PatchType, target: &Value, body: &[u8]) -> Result<Value, ApiError> {
    match patch_type {
        PatchType::Json => {
            let patch: json_patch::Patch = serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            if patch.0.len() > 10_000 {
                return Err(ApiError::too_large());
            }
            let mut result = target.clone();
            json_patch::patch(&mut result, &patch)
                .map_err(|e| ApiError::unprocessable(e.to_string()))?;
            Ok(result)
        }
        PatchType::Merge => {
            let patch = decode_object(body)?;
            let mut result = target.clone();
            json_patch::merge(&mut result, &patch);
            Ok(result)
        }
        // merged with its field ownership, by managed_fields::apply
        PatchType::Apply => Err(ApiError::bad_request(
            "a server-side apply needs its field manager",
        )),
        PatchType::Strategic => {
            let patch = decode_object(body)?;
            let mut result = target.clone();
            strategic_merge(&mut result, &patch, "");
            Ok(result)
        }
    }
}

fn decode_object(body: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "error decoding patch: the patch must be a JSON object",
        ));
    }
    Ok(value)
}

/// The body of a server-side apply: a JSON or YAML object.
pub fn decode_apply(body: &[u8]) -> Result<Value, ApiError> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::bad_request("error decoding YAML: the body is not UTF-8"))?;
            serde_saphyr::from_str(text)
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?
        }
    };
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "error decoding patch: the patch must be a JSON object",
        ));
    }
    Ok(value)
}

/// The merge key of a list field of core kinds (`containers` by `name`, …).
fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "conditions" => Some("type"),
        "ownerReferences" => Some("uid"),
        _ => None,
    }
}

fn strategic_merge(target: &mut Value, patch: &Value, parent_field: &str) {
    let (Value::Object(target_map), Value::Object(patch_map)) = (&mut *target, patch) else {
        *target = patch.clone();
        return;
    };
    if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replacement = patch_map.clone();
        replacement.remove("$patch");
        *target_map = replacement;
        return;
    }
    for (key, value) in patch_map {
        if key.starts_with("$setElementOrder/")
            || key.starts_with("$deleteFromPrimitiveList/")
            || key == "$retainKeys"
            || key == "$patch"
        {
            continue;
        }
        if value.is_null() || value.get("$patch").and_then(Value::as_str) == Some("delete") {
            target_map.remove(key);
            continue;
        }
        let list_key = if key == "ports" {
            Some(if parent_field == "spec" {
                "port"
            } else {
                "containerPort"
            })
        } else {
            merge_key(key)
        };
        match (target_map.get_mut(key), value) {
            (Some(Value::Array(existing)), Value::Array(items)) if list_key.is_some() => {
                merge_list(existing, items, list_key.unwrap_or("name"))
            }
            (Some(Value::Array(existing)), Value::Array(items)) if key == "finalizers" => {
                for item in items {
                    if !existing.contains(item) {
                        existing.push(item.clone());
                    }
                }
            }
            (Some(existing), Value::Object(_)) if existing.is_object() => {
                strategic_merge(existing, value, key)
            }
            _ => {
                target_map.insert(key.clone(), without_directives(value));
            }
        }
    }
}

fn merge_list(existing: &mut Vec<Value>, items: &[Value], key: &str) {
    for item in items {
        let id = item.get(key).cloned();
        let position = id
            .as_ref()
            .and_then(|id| existing.iter().position(|e| e.get(key) == Some(id)));
        match (position, item.get("$patch").and_then(Value::as_str)) {
            (Some(index), Some("delete")) => {
                existing.remove(index);
            }
            (Some(index), _) => strategic_merge(&mut existing[index], item, ""),
            (None, Some("delete")) => {}
            (None, _) => existing.push(without_directives(item)),
        }
    }
}

fn without_directives(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), without_directives(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_directives).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_and_json_patch() {
        let target = json!({"spec": {"a": 1, "b": [1, 2]}, "status": {"x": "y"}});
        let merged =
            apply(PatchType::Merge, &target, br#"{"spec":{"a":null,"b":[3]}}"#).expect("merge");
        assert_eq!(merged, json!({"spec": {"b": [3]}, "status": {"x": "y"}}));
        let patched = apply(PatchType::Json, &target, br#"[{"op":"replace","path":"/spec/a","value":2},{"op":"add","path":"/spec/b/-","value":9}]"#).expect("json");
        assert_eq!(patched["spec"], json!({"a": 2, "b": [1, 2, 9]}));
        let failed = apply(
            PatchType::Json,
            &target,
            br#"[{"op":"test","path":"/spec/a","value":5}]"#,
        )
        .expect_err("test op fails");
        assert_eq!(failed.code, 422);
        assert_eq!(
            apply(PatchType::Json, &target, b"{not json")
                .expect_err("bad")
                .code,
            400
        );
        assert_eq!(
            apply(PatchType::Merge, &target, b"[1]")
                .expect_err("not an object")
                .code,
            400
        );
        assert_eq!(
            decode_apply(b"spec:\n  replicas: 2\n").expect("YAML"),
            json!({"spec": {"replicas": 2}})
        );
        assert_eq!(decode_apply(b"- 1").expect_err("a list").code, 400);
    }

    #[test]
    fn strategic_merge_merges_lists_by_key() {
        let target = json!({"spec": {"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}], "ports": [{"port": 80}]}});
        let patch = br#"{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"spec":{"containers":[{"name":"b","image":"y:2"},{"name":"c","image":"z:1"}],"ports":[{"port":443}]}}"#;
        let result = apply(PatchType::Strategic, &target, patch).expect("smp");
        assert_eq!(
            result["spec"]["containers"],
            json!([{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:2"}, {"name": "c", "image": "z:1"}])
        );
        assert_eq!(
            result["spec"]["ports"],
            json!([{"port": 80}, {"port": 443}])
        );
        let delete = br#"{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}"#;
        let result = apply(PatchType::Strategic, &target, delete).expect("smp delete");
        assert_eq!(
            result["spec"]["containers"],
            json!([{"name": "b", "image": "y:1"}])
        );
    }
}
