//! Kubernetes `Status` error objects with the exact reasons, codes and messages of the real API
//! server (embedded-apiserver.md §6), so clients branch on them as they would on a real cluster.

use serde_json::{Value, json};

use super::registry::ResourceDef;

/// An error response: HTTP code plus the `Status` body.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub body: Value,
}

impl ApiError {
    fn status(code: u16, reason: &str, message: String, details: Option<Value>) -> ApiError {
        let mut body = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
        });
        if !reason.is_empty() {
            body["reason"] = json!(reason);
        }
        if let Some(details) = details {
            body["details"] = details;
        }
        body["code"] = json!(code);
        ApiError { code, body }
    }

    /// `workflows.argoproj.io "NAME" not found`.
    pub fn not_found(def: &ResourceDef, name: &str) -> ApiError {
        Self::status(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", def.qualified()),
            Some(details(def, Some(name))),
        )
    }

    /// An unknown path, or a subresource the kind does not have.
    pub fn no_such_resource() -> ApiError {
        Self::status(
            404,
            "NotFound",
            "the server could not find the requested resource".into(),
            Some(json!({})),
        )
    }

    /// A service with nothing behind it (the service proxy's answer).
    pub fn no_endpoints(service: &str) -> ApiError {
        Self::status(
            503,
            "ServiceUnavailable",
            format!("no endpoints available for service \"{service}\""),
            Some(json!({})),
        )
    }

    pub fn already_exists(def: &ResourceDef, name: &str) -> ApiError {
        Self::status(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", def.qualified()),
            Some(details(def, Some(name))),
        )
    }

    pub fn conflict(def: &ResourceDef, name: &str) -> ApiError {
        Self::status(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                def.qualified()
            ),
            Some(details(def, Some(name))),
        )
    }

    /// Server-side apply's 409: `causes` are (manager as printed, path as printed), one per
    /// conflicting field (apimachinery's managedfields `NewConflictError`).
    pub fn apply_conflict(message: String, causes: &[(String, String)]) -> ApiError {
        let causes: Vec<Value> = causes
            .iter()
            .map(|(manager, field)| {
                json!({"type": "FieldManagerConflict", "message": format!("conflict with {manager}"), "field": field})
            })
            .collect();
        Self::status(409, "Conflict", message, Some(json!({"causes": causes})))
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        Self::status(400, "BadRequest", message.into(), None)
    }

    /// 422 with field causes. `kind_label` is `Kind.group` (or the resource for some checks).
    pub fn invalid(
        def: &ResourceDef,
        kind_label: &str,
        name: &str,
        causes: &[(String, String)],
    ) -> ApiError {
        let summary: Vec<String> = causes
            .iter()
            .map(|(field, message)| format!("{field}: {message}"))
            .collect();
        let causes: Vec<Value> = causes
            .iter()
            .map(|(field, message)| json!({"reason": cause_reason(message), "message": message, "field": field}))
            .collect();
        let message = match summary.as_slice() {
            [one] => format!("{kind_label} \"{name}\" is invalid: {one}"),
            many => format!("{kind_label} \"{name}\" is invalid: [{}]", many.join(", ")),
        };
        let mut details =
            json!({"name": name, "group": def.group, "kind": def.kind, "causes": causes});
        if def.group.is_empty() {
            details.as_object_mut().map(|d| d.remove("group"));
        }
        Self::status(422, "Invalid", message, Some(details))
    }

    /// 422 without a reason (a JSON patch that does not apply), as the API server answers.
    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        Self::status(422, "", message.into(), None)
    }

    pub fn unsupported_media_type(accepted: &[&str]) -> ApiError {
        Self::status(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
            None,
        )
    }

    pub fn too_large() -> ApiError {
        Self::status(
            413,
            "RequestEntityTooLarge",
            "Request entity too large: limit is 3145728".into(),
            None,
        )
    }

    pub fn method_not_allowed(def: &ResourceDef) -> ApiError {
        Self::status(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource".into(),
            Some(json!({"group": def.group, "kind": def.plural})),
        )
    }

    /// 403 in the API server's words.
    pub fn forbidden(
        def: &ResourceDef,
        user: &str,
        verb: &str,
        subresource: Option<&str>,
        name: Option<&str>,
        namespace: Option<&str>,
    ) -> ApiError {
        let resource = match subresource {
            Some(sub) => format!("{}/{sub}", def.plural),
            None => def.plural.clone(),
        };
        let subject = match name {
            Some(name) => format!("{} \"{name}\"", def.qualified()),
            None => def.qualified(),
        };
        let scope = match namespace {
            Some(namespace) => format!("in the namespace \"{namespace}\""),
            None => "at the cluster scope".into(),
        };
        let message = format!(
            "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}",
            def.group
        );
        Self::status(403, "Forbidden", message, Some(details(def, name)))
    }

    pub fn expired(message: impl Into<String>) -> ApiError {
        Self::status(410, "Expired", message.into(), None)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        Self::status(500, "InternalError", message.into(), None)
    }
}

fn details(def: &ResourceDef, name: Option<&str>) -> Value {
    let mut details = serde_json::Map::new();
    if let Some(name) = name {
        details.insert("name".into(), json!(name));
    }
    if !def.group.is_empty() {
        details.insert("group".into(), json!(def.group));
    }
    details.insert("kind".into(), json!(def.plural));
    Value::Object(details)
}

/// The cause type for a field message (`Required value: …` → `FieldValueRequired`).
fn cause_reason(message: &str) -> &'static str {
    if message.starts_with("Required value") {
        "FieldValueRequired"
    } else if message.starts_with("Unsupported value") {
        "FieldValueNotSupported"
    } else if message.starts_with("Forbidden") {
        "FieldValueForbidden"
    } else if message.starts_with("Too long") {
        "FieldValueTooLong"
    } else {
        "FieldValueInvalid"
    }
}

/// The success `Status` returned when a custom resource is deleted.
pub fn deleted(def: &ResourceDef, name: &str, uid: &str) -> Value {
    let mut details = details(def, Some(name));
    details["uid"] = json!(uid);
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}
