//! The `scale` subresource (`autoscaling/v1` Scale) of Rollouts and ReplicaSets: GET builds the
//! Scale from the object's replica paths; PUT and PATCH change `spec.replicas` through the normal
//! update rules.

use serde_json::{Value, json};

use super::handler::ResourceRequest;
use super::patch::{self, PatchType};
use super::registry::{ResourceDef, ScalePaths};
use super::state::State;
use super::status::ApiError;
use super::table::json_path;

/// The Scale object of `object`.
pub fn scale_of(paths: &ScalePaths, object: &Value) -> Value {
    let metadata = &object["metadata"];
    let selector = match &paths.label_selector {
        Some(path) => json_path(object, path)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        None => flightdeck_apimachinery::match_labels(object, "/spec/selector/matchLabels"),
    };
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": metadata["name"], "namespace": metadata["namespace"], "uid": metadata["uid"], "resourceVersion": metadata["resourceVersion"], "creationTimestamp": metadata["creationTimestamp"]},
        "spec": {"replicas": json_path(object, &paths.spec_replicas).and_then(|v| v.as_i64()).unwrap_or(0)},
        "status": {"replicas": json_path(object, &paths.status_replicas).and_then(|v| v.as_i64()).unwrap_or(0), "selector": selector},
    })
}

/// Writes `replicas` at the spec path (`.spec.replicas` → `/spec/replicas`).
fn set_replicas(paths: &ScalePaths, object: &mut Value, replicas: Value) {
    let pointer = paths.spec_replicas.replace('.', "/");
    let mut current = object;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (index, part) in parts.iter().enumerate() {
        if index + 1 == parts.len() {
            current[*part] = replicas.clone();
        } else {
            current = &mut current[*part];
        }
    }
}

fn paths(def: &ResourceDef) -> Result<&ScalePaths, ApiError> {
    def.scale.as_ref().ok_or_else(ApiError::no_such_resource)
}

/// GET `…/NAME/scale`.
pub fn get(
    state: &State,
    request: &ResourceRequest<'_>,
    name: &str,
) -> Result<(u16, Value), ApiError> {
    let paths = paths(request.def)?;
    let namespace = request.path.namespace.as_deref().unwrap_or_default();
    let object = state
        .store()
        .get(request.def, namespace, name)
        .ok_or_else(|| ApiError::not_found(request.def, name))?;
    Ok((200, scale_of(paths, &object)))
}

/// The object as it would be after a PUT or PATCH of its Scale (the new Scale is `change`d
/// from the current one).
pub fn updated(
    def: &ResourceDef,
    request: &ResourceRequest<'_>,
    stored: &Value,
) -> Result<Value, ApiError> {
    let paths = paths(def)?;
    let current = scale_of(paths, stored);
    let next = if request.method == hyper::Method::PUT {
        super::write::decode_body(request)?
    } else {
        let content_type = request.content_type.as_deref().unwrap_or_default();
        let patch_type = PatchType::from_content_type(content_type)
            .ok_or_else(|| ApiError::unsupported_media_type(patch::CORE_PATCH_TYPES))?;
        patch::apply(patch_type, &current, &request.body)?
    };
    let replicas = next
        .pointer("/spec/replicas")
        .cloned()
        .filter(Value::is_i64)
        .ok_or_else(|| ApiError::bad_request("spec.replicas of the Scale must be an integer"))?;
    let mut object = stored.clone();
    set_replicas(paths, &mut object, replicas);
    if let Some(rv) = next
        .pointer("/metadata/resourceVersion")
        .filter(|rv| rv.as_str().is_some_and(|s| !s.is_empty()))
    {
        object["metadata"]["resourceVersion"] = rv.clone();
    }
    Ok(object)
}
