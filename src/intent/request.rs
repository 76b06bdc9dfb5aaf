//! A write as it goes over the wire: method, API path (with subresource), content type and body.
//! Plans are lists of these, so tests compare them with what the server received. Pure.

use serde_json::Value;

use crate::model::{Kind, ObjectKey};

/// RFC 7386 JSON merge patch (`kubectl patch --type merge`).
pub const MERGE_PATCH: &str = "application/merge-patch+json";
/// RFC 6902 JSON patch (`kubectl patch --type json`).
pub const JSON_PATCH: &str = "application/json-patch+json";
/// A whole object (create, update).
pub const JSON: &str = "application/json";

/// An HTTP method of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One write request.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteRequest {
    pub method: Method,
    /// The API path, e.g. `/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts/x/status`.
    pub path: String,
    pub content_type: &'static str,
    pub body: Value,
    /// What it is allowed as, for the SelfSubjectAccessReview pre-check.
    pub access: Access,
    /// Sent instead when this request gets 404 because the CRD has no status subresource
    /// (Rollouts ≤ v0.9); it then stands for the rest of the plan too (the plugin's "unified"
    /// patch of spec and status on the main resource).
    pub instead_when_not_found: Option<Box<WriteRequest>>,
}

/// The RBAC attributes of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub group: &'static str,
    pub resource: &'static str,
    pub subresource: &'static str,
    pub verb: &'static str,
    pub namespace: String,
    pub name: String,
}

/// `/apis/G/V/namespaces/NS/PLURAL` (or `/api/v1/…` for core kinds), without a name.
pub fn collection_path(kind: Kind, namespace: &str) -> String {
    let (group, version, _, plural) = kind.resource();
    let base = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    if namespace.is_empty() {
        format!("{base}/{plural}")
    } else {
        format!("{base}/namespaces/{namespace}/{plural}")
    }
}

/// The path of one object, and of its subresource when `subresource` is not empty.
pub fn object_path(kind: Kind, key: &ObjectKey, subresource: &str) -> String {
    let path = format!("{}/{}", collection_path(kind, &key.namespace), key.name);
    if subresource.is_empty() {
        path
    } else {
        format!("{path}/{subresource}")
    }
}

fn access(kind: Kind, key: &ObjectKey, subresource: &'static str, verb: &'static str) -> Access {
    let (group, _, _, plural) = kind.resource();
    Access {
        group,
        resource: plural,
        subresource,
        verb,
        namespace: key.namespace.clone(),
        name: key.name.clone(),
    }
}

/// A merge patch of the object (or of its `subresource`).
pub fn merge_patch(
    kind: Kind,
    key: &ObjectKey,
    subresource: &'static str,
    body: Value,
) -> WriteRequest {
    WriteRequest {
        method: Method::Patch,
        path: object_path(kind, key, subresource),
        content_type: MERGE_PATCH,
        body,
        access: access(kind, key, subresource, "patch"),
        instead_when_not_found: None,
    }
}

/// A merge patch of a Rollout's `/status` that falls back to `unified` on the main resource
/// when the CRD has no status subresource (the plugin's `IsNotFound` branch).
pub fn rollout_status_patch(key: &ObjectKey, body: Value, unified: Value) -> WriteRequest {
    WriteRequest {
        instead_when_not_found: Some(Box::new(merge_patch(Kind::Rollout, key, "", unified))),
        ..merge_patch(Kind::Rollout, key, "status", body)
    }
}

/// A JSON patch (RFC 6902) of the object.
pub fn json_patch(kind: Kind, key: &ObjectKey, operations: Value) -> WriteRequest {
    WriteRequest {
        method: Method::Patch,
        path: object_path(kind, key, ""),
        content_type: JSON_PATCH,
        body: operations,
        access: access(kind, key, "", "patch"),
        instead_when_not_found: None,
    }
}

/// A built-in workload flightdeck does not watch (a Rollout's `workloadRef`), by its API
/// coordinates.
pub struct Workload<'a> {
    pub group: &'static str,
    pub version: &'static str,
    pub resource: &'static str,
    pub namespace: &'a str,
    pub name: &'a str,
}

impl Workload<'_> {
    /// A JSON patch (RFC 6902) of the workload.
    pub fn json_patch(&self, operations: Value) -> WriteRequest {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        WriteRequest {
            method: Method::Patch,
            path: format!(
                "{base}/namespaces/{}/{}/{}",
                self.namespace, self.resource, self.name
            ),
            content_type: JSON_PATCH,
            body: operations,
            access: Access {
                group: self.group,
                resource: self.resource,
                subresource: "",
                verb: "patch",
                namespace: self.namespace.to_string(),
                name: self.name.to_string(),
            },
            instead_when_not_found: None,
        }
    }
}

/// A replace (PUT) of the whole object as read and changed; its `metadata.resourceVersion` is
/// the precondition (`Update` in client-go).
pub fn update(kind: Kind, key: &ObjectKey, object: Value) -> WriteRequest {
    WriteRequest {
        method: Method::Put,
        path: object_path(kind, key, ""),
        content_type: JSON,
        body: object,
        access: access(kind, key, "", "update"),
        instead_when_not_found: None,
    }
}

/// A create of `object` in `namespace`.
pub fn create(kind: Kind, namespace: &str, object: Value) -> WriteRequest {
    let (group, _, _, plural) = kind.resource();
    WriteRequest {
        method: Method::Post,
        path: collection_path(kind, namespace),
        content_type: JSON,
        body: object,
        access: Access {
            group,
            resource: plural,
            subresource: "",
            verb: "create",
            namespace: namespace.to_string(),
            name: String::new(),
        },
        instead_when_not_found: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_for_custom_core_and_subresources() {
        let key = ObjectKey::new("demo-app-dev", "demo-app");
        assert_eq!(
            object_path(Kind::Rollout, &key, "status"),
            "/apis/argoproj.io/v1alpha1/namespaces/demo-app-dev/rollouts/demo-app/status"
        );
        assert_eq!(
            object_path(Kind::Pod, &key, ""),
            "/api/v1/namespaces/demo-app-dev/pods/demo-app"
        );
        assert_eq!(
            collection_path(Kind::Promotion, "demo-app"),
            "/apis/kargo.akuity.io/v1alpha1/namespaces/demo-app/promotions"
        );
        let patch = merge_patch(Kind::Freight, &key, "status", serde_json::json!({}));
        assert_eq!(
            (
                patch.access.resource,
                patch.access.subresource,
                patch.access.verb
            ),
            ("freights", "status", "patch")
        );
    }
}
