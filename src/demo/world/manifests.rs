//! The demo world's cluster resources (`demo/manifests/*.yaml`, embedded), applied through the
//! Kubernetes API with discovery, as `kubectl apply -f demo/manifests/` would.

use kube::api::{Api, DynamicObject, PostParams};
use kube::discovery::Discovery;
use serde_json::Value;

/// The manifest files, in apply order.
pub const MANIFESTS: &[(&str, &str)] = &[
    (
        "demo/manifests/00-namespaces.yaml",
        include_str!("../../../demo/manifests/00-namespaces.yaml"),
    ),
    (
        "demo/manifests/10-argo-events.yaml",
        include_str!("../../../demo/manifests/10-argo-events.yaml"),
    ),
    (
        "demo/manifests/20-workflow-template.yaml",
        include_str!("../../../demo/manifests/20-workflow-template.yaml"),
    ),
    (
        "demo/manifests/30-argocd.yaml",
        include_str!("../../../demo/manifests/30-argocd.yaml"),
    ),
    (
        "demo/manifests/40-kargo.yaml",
        include_str!("../../../demo/manifests/40-kargo.yaml"),
    ),
];

/// Every object of a multi-document YAML text.
pub fn documents(path: &str, text: &str) -> Result<Vec<Value>, String> {
    let documents: Vec<Value> =
        serde_saphyr::from_multiple(text).map_err(|e| format!("{path}: {e}"))?;
    Ok(documents.into_iter().filter(|d| d.is_object()).collect())
}

/// Creates `objects` (skipping ones that already exist).
pub async fn apply(client: &kube::Client, objects: &[Value]) -> Result<(), String> {
    let discovery = Discovery::new(client.clone())
        .run()
        .await
        .map_err(|e| format!("discovery failed: {e}"))?;
    for object in objects {
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = kube::api::GroupVersionKind::gvk(group, version, kind);
        let (resource, capabilities) = discovery
            .resolve_gvk(&gvk)
            .ok_or_else(|| format!("{api_version} {kind} is not served"))?;
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str);
        let api: Api<DynamicObject> = match (capabilities.scope, namespace) {
            (kube::discovery::Scope::Namespaced, Some(namespace)) => {
                Api::namespaced_with(client.clone(), namespace, &resource)
            }
            _ => Api::all_with(client.clone(), &resource),
        };
        let typed: DynamicObject =
            serde_json::from_value(object.clone()).map_err(|e| e.to_string())?;
        match api.create(&PostParams::default(), &typed).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(error) => {
                return Err(format!(
                    "cannot create {kind} {:?}: {error}",
                    typed.metadata.name
                ));
            }
        }
    }
    Ok(())
}

/// All embedded manifests as objects.
pub fn all() -> Result<Vec<Value>, String> {
    let mut objects = Vec::new();
    for (path, text) in MANIFESTS {
        objects.extend(documents(path, text)?);
    }
    Ok(objects)
}
