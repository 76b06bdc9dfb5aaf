//! `equality.Semantic.DeepDerivative` of apimachinery, on JSON: whether `derived` agrees with
//! every field `original` sets. Fields `original` leaves unset, empty or null are ignored, so an
//! object written sparsely still equals what the API server stored with its defaults filled in
//! (argo-rollouts `cmd/undo/undo.go` `equalIgnoreHash` compares a Rollout's template with a
//! ReplicaSet's this way). Pure.

use serde_json::Value;

/// Whether every field set in `original` has the same value in `derived`. Lists compare item
/// by item over `original`'s length; `derived` may be longer, as upstream allows.
pub fn deep_derivative(original: &Value, derived: &Value) -> bool {
    match (original, derived) {
        (Value::Null, _) => true,
        (Value::Object(a), _) if a.is_empty() => true,
        (Value::Array(a), _) if a.is_empty() => true,
        (Value::String(a), _) if a.is_empty() => true,
        (Value::Object(a), Value::Object(b)) => {
            a.len() <= b.len()
                && a.iter().all(|(key, value)| {
                    b.get(key)
                        .is_some_and(|other| deep_derivative(value, other))
                })
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() <= b.len() && a.iter().zip(b).all(|(x, y)| deep_derivative(x, y))
        }
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unset_fields_of_the_original_are_ignored() {
        let written = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:v2", "resources": {}}]}});
        let stored = json!({"metadata": {"creationTimestamp": null, "labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:v2", "imagePullPolicy": "IfNotPresent", "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}], "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {}, "terminationGracePeriodSeconds": 30}});
        assert!(deep_derivative(&written, &stored));
        assert!(!deep_derivative(&stored, &written), "not symmetric");
        let other_image = json!({"spec": {"containers": [{"image": "web:v1"}]}});
        assert!(!deep_derivative(&other_image, &stored));
        assert!(
            !deep_derivative(&json!({"a": 1}), &json!({})),
            "a set field must be there"
        );
        assert!(
            !deep_derivative(&json!({"a": 1}), &json!({"a": 1.0})),
            "types differ"
        );
        assert!(deep_derivative(
            &json!({"a": "", "b": [], "c": null}),
            &json!({"a": "x", "b": [1], "c": 3})
        ));
        assert!(
            !deep_derivative(&json!({"a": ""}), &json!({"b": 1})),
            "a key the original names must be there (an invalid value in Go)"
        );
        assert!(!deep_derivative(&json!([1, 2]), &json!([1])), "longer list");
        assert!(deep_derivative(&json!([1]), &json!([1, 2])));
        assert!(!deep_derivative(&json!({"a": false}), &json!({"a": true})));
    }
}
