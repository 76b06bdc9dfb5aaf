//! SelfSubjectAccessReview: "may I do this?", and SelfSubjectRulesReview: "what may I do?",
//! answered from the same policy that guards real requests; SelfSubjectReview: "who am I?" (`kubectl auth whoami`). Takes the JSON body kube-rs
//! sends and the protobuf body `kubectl auth can-i` sends (`write::decode_body`); answers 201.

use serde_json::{Value, json};

use super::access::Policy;
use super::handler::ResourceRequest;
use super::state::State;
use super::status::ApiError;
use super::write::decode_body;

/// SelfSubjectReview (authentication.k8s.io/v1): the user the request was authenticated as.
pub fn who_am_i(request: &ResourceRequest<'_>) -> (u16, Value) {
    (
        201,
        json!({
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "SelfSubjectReview",
            "metadata": {"creationTimestamp": null},
            "status": {"userInfo": {"username": request.user.name, "groups": ["system:authenticated"]}},
        }),
    )
}

pub fn review(_state: &State, request: &ResourceRequest<'_>) -> Result<(u16, Value), ApiError> {
    let body = decode_body(request)?;
    let spec = body.get("spec").cloned().unwrap_or_else(|| json!({}));
    let resource = spec.get("resourceAttributes").filter(|v| v.is_object());
    let non_resource = spec.get("nonResourceAttributes").filter(|v| v.is_object());
    let decision = match (resource, non_resource) {
        (Some(attributes), None) => {
            let text = |key: &str| {
                attributes
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            };
            let resource = if text("subresource").is_empty() {
                text("resource").to_string()
            } else {
                format!("{}/{}", text("resource"), text("subresource"))
            };
            request.user.policy.decide(text("verb"), &resource)
        }
        (None, Some(attributes)) => request.user.policy.decide(
            attributes
                .get("verb")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            "nonresource",
        ),
        _ => {
            let def = request.def;
            return Err(ApiError::invalid(def, "SelfSubjectAccessReview.authorization.k8s.io", "", &[("spec".into(), "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified".into())]));
        }
    };
    let status = match decision {
        Ok(()) => json!({"allowed": true}),
        Err(reason) => json!({"allowed": false, "denied": true, "reason": reason}),
    };
    Ok((
        201,
        json!({"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1", "metadata": {"creationTimestamp": null}, "spec": spec, "status": status}),
    ))
}

/// SelfSubjectRulesReview (`kubectl auth can-i --list`): the caller's policy as rules, plus what
/// every authenticated user may do on a real cluster (system:basic-user, system:discovery,
/// system:public-info-viewer).
pub fn rules(request: &ResourceRequest<'_>) -> Result<(u16, Value), ApiError> {
    let body = decode_body(request)?;
    let everything = json!(["*"]);
    let mut resource_rules = match &request.user.policy {
        Policy::AllowAll => {
            vec![json!({"verbs": everything, "apiGroups": everything, "resources": everything})]
        }
        Policy::ReadOnly => vec![
            json!({"verbs": ["get", "list", "watch"], "apiGroups": everything, "resources": everything}),
        ],
        // the allowed set is "everything but": not expressible as rules
        Policy::Deny(_) => vec![],
    };
    resource_rules.extend([
        json!({"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]}),
        json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}),
    ]);
    let mut non_resource_rules = match &request.user.policy {
        Policy::AllowAll => vec![json!({"verbs": everything, "nonResourceURLs": everything})],
        _ => vec![],
    };
    non_resource_rules.extend([
        json!({"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]}),
        json!({"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]}),
    ]);
    Ok((
        201,
        json!({
            "kind": "SelfSubjectRulesReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": null},
            "spec": body.get("spec").cloned().unwrap_or_else(|| json!({})),
            "status": {
                "resourceRules": resource_rules,
                "nonResourceRules": non_resource_rules,
                "incomplete": matches!(request.user.policy, Policy::Deny(_)),
            },
        }),
    ))
}
