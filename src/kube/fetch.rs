//! Fetching one whole object (for the YAML and detail views), without `managedFields`.

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};

use crate::model::{Kind, ObjectKey};

/// GETs the object, without `managedFields`.
pub async fn object(
    client: kube::Client,
    kind: Kind,
    key: &ObjectKey,
) -> Result<serde_json::Value, String> {
    resource(client, kind.resource(), key).await
}

/// GETs an object of any resource (group, version, kind, plural), without `managedFields`.
pub async fn resource(
    client: kube::Client,
    (group, version, kind_name, plural): (&str, &str, &str, &str),
    key: &ObjectKey,
) -> Result<serde_json::Value, String> {
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(group, version, kind_name),
        plural,
    );
    let api: Api<DynamicObject> = if key.namespace.is_empty() {
        Api::all_with(client, &resource)
    } else {
        Api::namespaced_with(client, &key.namespace, &resource)
    };
    let object = api.get(&key.name).await.map_err(|e| e.to_string())?;
    let mut value = serde_json::to_value(&object).map_err(|e| e.to_string())?;
    if let Some(metadata) = value
        .get_mut("metadata")
        .and_then(serde_json::Value::as_object_mut)
    {
        metadata.remove("managedFields");
    }
    Ok(value)
}
