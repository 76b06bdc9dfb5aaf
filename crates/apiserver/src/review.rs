//! SelfSubjectAccessReview: "may I do this?", answered from the same policy that guards real
//! requests; SelfSubjectReview: "who am I?" (`kubectl auth whoami`). Accepts the JSON body kube-rs sends and the protobuf body `kubectl auth can-i`
//! sends; always answers in JSON with 201.

use serde_json::{Value, json};

use super::handler::ResourceRequest;
use super::state::State;
use super::status::ApiError;
use super::write::decode_body;

/// The magic prefix of Kubernetes protobuf bodies.
const PROTOBUF_MAGIC: &[u8] = b"k8s\0";

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
    let is_protobuf = request
        .content_type
        .as_deref()
        .is_some_and(|c| c.starts_with("application/vnd.kubernetes.protobuf"));
    let body = if is_protobuf {
        decode_protobuf(&request.body).ok_or_else(|| {
            ApiError::bad_request("cannot decode the protobuf SelfSubjectAccessReview")
        })?
    } else {
        decode_body(request)?
    };
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

/// Reads a protobuf varint at `*at`.
fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The length-delimited fields of a protobuf message, as (field number, bytes).
fn fields(bytes: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < bytes.len() {
        let key = varint(bytes, &mut at)?;
        match key & 7 {
            0 => {
                varint(bytes, &mut at)?;
            }
            2 => {
                let length = usize::try_from(varint(bytes, &mut at)?).ok()?;
                let end = at.checked_add(length).filter(|end| *end <= bytes.len())?;
                out.push((key >> 3, &bytes[at..end]));
                at = end;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn field<'a>(message: &[(u64, &'a [u8])], number: u64) -> Option<&'a [u8]> {
    message
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, bytes)| *bytes)
}

/// Decodes the protobuf SelfSubjectAccessReview envelope (`k8s\0` + runtime.Unknown) into the
/// JSON shape.
pub fn decode_protobuf(body: &[u8]) -> Option<Value> {
    let unknown = fields(body.strip_prefix(PROTOBUF_MAGIC)?)?;
    let review = fields(field(&unknown, 2)?)?;
    let spec = fields(field(&review, 2).unwrap_or_default())?;
    let text = |message: &[(u64, &[u8])], number: u64| {
        field(message, number)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    if let Some(attributes) = field(&spec, 1) {
        let a = fields(attributes)?;
        let names = [
            "namespace",
            "verb",
            "group",
            "version",
            "resource",
            "subresource",
            "name",
        ];
        let mut object = serde_json::Map::new();
        for (index, key) in names.iter().enumerate() {
            object.insert((*key).into(), json!(text(&a, index as u64 + 1)));
        }
        return Some(json!({"spec": {"resourceAttributes": object}}));
    }
    let attributes = fields(field(&spec, 2)?)?;
    Some(
        json!({"spec": {"nonResourceAttributes": {"path": text(&attributes, 1), "verb": text(&attributes, 2)}}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length_delimited(number: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | 2) as u8, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn decodes_kubectl_protobuf() {
        let mut attributes = Vec::new();
        attributes.extend(length_delimited(1, b"argo"));
        attributes.extend(length_delimited(2, b"patch"));
        attributes.extend(length_delimited(3, b"argoproj.io"));
        attributes.extend(length_delimited(5, b"workflows"));
        let spec = length_delimited(1, &attributes);
        let review = length_delimited(2, &spec);
        let mut body = b"k8s\0".to_vec();
        body.extend(length_delimited(
            1,
            &length_delimited(2, b"SelfSubjectAccessReview"),
        ));
        body.extend(length_delimited(2, &review));
        let decoded = decode_protobuf(&body).expect("decodes");
        assert_eq!(decoded["spec"]["resourceAttributes"]["verb"], "patch");
        assert_eq!(
            decoded["spec"]["resourceAttributes"]["resource"],
            "workflows"
        );
        assert_eq!(decoded["spec"]["resourceAttributes"]["namespace"], "argo");
        assert!(decode_protobuf(b"k8s\0\xff\xff").is_none());
        assert!(decode_protobuf(b"garbage").is_none());
    }
}
