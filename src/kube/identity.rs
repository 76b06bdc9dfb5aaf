//! Who a connection acts as, found once per connection: the API server's answer to a
//! SelfSubjectReview (authentication.k8s.io/v1, `kubectl auth whoami`), else the kubeconfig
//! context's user name. Upstream tools record it where an operation names its actor
//! (`initiatedBy.username`, Workflow actor labels) and flightdeck's audit log does too.

use serde_json::{Value, json};

/// Where the current session leaves the user it acts as.
pub type UserSlot = std::sync::Arc<std::sync::Mutex<Option<String>>>;

/// The authenticated user name, or `None` when the server cannot say (older than 1.28, or the
/// review is not allowed).
pub async fn who_am_i(client: &kube::Client) -> Option<String> {
    let review = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"});
    let answer = review_answer(
        client,
        "authentication.k8s.io/v1/selfsubjectreviews",
        &review,
    )
    .await?;
    answer
        .pointer("/status/userInfo/username")
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
}

/// The server's answer to a SelfSubjectAccessReview of `attributes` (its `resourceAttributes`:
/// group, resource, verb, namespace…); `None` when it cannot answer.
pub async fn access_review(client: &kube::Client, attributes: Value) -> Option<Value> {
    let review = json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": attributes},
    });
    let resource = "authorization.k8s.io/v1/selfsubjectaccessreviews";
    review_answer(client, resource, &review).await
}

/// POSTs a review (`GROUP/VERSION/PLURAL` under `/apis`) and returns the server's answer;
/// `None` when it cannot answer.
pub async fn review_answer(client: &kube::Client, resource: &str, review: &Value) -> Option<Value> {
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("/apis/{resource}"))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(review).ok()?)
        .ok()?;
    client.request(request).await.ok()
}
