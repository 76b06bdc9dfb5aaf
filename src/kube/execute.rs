//! Carrying out write intents against the cluster: `prepare` reads what the intent depends on,
//! plans the exact requests (`intent::plan`) and asks the API server whether each is allowed
//! (SelfSubjectAccessReview); `execute` sends a confirmed plan request by request — never in a
//! read-only session, where it sends nothing at all.

use kube::api::{Api, ListParams};
use serde_json::{Value, json};

use crate::intent::request::{Access, Method, WriteRequest};
use crate::intent::{Context, Intent, Plan, Reads, Refusal};
use crate::model::Kind;

/// Why a plan was not (fully) carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The session is read-only: nothing was sent.
    ReadOnly,
    /// The object changed since it was read (409): read again and ask again.
    Conflict(String),
    /// Anything else the server or the network said, and how many requests had succeeded.
    Failed { message: String, done: usize },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::ReadOnly => f.write_str("read-only: nothing was sent"),
            Failure::Conflict(message) => write!(f, "changed since it was read: {message}"),
            Failure::Failed { message, done: 0 } => f.write_str(message),
            Failure::Failed { message, done } => {
                write!(f, "{message} (after {done} request(s) had succeeded)")
            }
        }
    }
}

/// The planning context now.
pub fn context_now() -> Context {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Context {
        now: crate::model::time::format_timestamp(now.as_secs()),
        now_millis: u64::try_from(now.as_millis()).unwrap_or(u64::MAX),
        random: rand::random(),
        user: None,
        zone_offset,
    }
}

/// The offset of a time zone from UTC now (Argo CD's `scheduleOffsetByTimeZone`), from the
/// system's zone database; UTC when the zone is unknown, as upstream.
fn zone_offset(zone: &str) -> i64 {
    if zone.is_empty() || zone == "UTC" {
        return 0;
    }
    jiff::tz::TimeZone::get(zone)
        .map(|tz| i64::from(tz.to_offset(jiff::Timestamp::now()).seconds()))
        .unwrap_or(0)
}

/// Reads, plans and checks permissions; the plan is what the confirmation shows.
pub async fn prepare(
    client: &kube::Client,
    intent: &Intent,
    context: &Context,
) -> Result<Plan, Refusal> {
    let (kind, key) = intent.target();
    let target = super::fetch::object(client.clone(), kind, key)
        .await
        .map_err(|e| format!("cannot read {key}: {e}"))?;
    let mut related = Vec::new();
    if let Some((kind, namespace, selector)) = intent.related(&target) {
        related.extend(list(client, kind, &namespace, &selector).await?);
    }
    if let Some((kind, key)) = intent.also_read() {
        related.push(
            super::fetch::object(client.clone(), kind, &key)
                .await
                .map_err(|e| format!("cannot read {key}: {e}"))?,
        );
    }
    // Argo CD's sync windows live in the AppProject; one that cannot be read is said, not fatal.
    let mut unchecked = None;
    if let Some(project) = intent.project(&target) {
        let app_project = ("argoproj.io", "v1alpha1", "AppProject", "appprojects");
        match super::fetch::resource(client.clone(), app_project, &project).await {
            Ok(object) => related.push(object),
            Err(e) => {
                unchecked = Some(format!(
                    "sync windows not checked: cannot read AppProject {project}: {e}"
                ))
            }
        }
    }
    let mut plan = crate::intent::plan(intent, &Reads { target, related }, context)?;
    if let Some(unchecked) = unchecked {
        plan.warning = Some(match plan.warning.take() {
            Some(warning) => format!("{warning}; {unchecked}"),
            None => unchecked,
        });
    }
    let checks = plan.requests.iter().map(|r| &r.access);
    for access in checks.chain(&plan.also_allowed) {
        if let Some(reason) = forbidden(client, access).await {
            return Err(reason.into());
        }
    }
    Ok(plan)
}

/// Sends the plan's requests in order; stops at the first failure. Returns the names of the
/// objects the server created, as it named them (a `generateName`, or Kargo ≥ 1.11's webhook
/// renaming a Promotion).
pub async fn execute(
    client: &kube::Client,
    plan: &Plan,
    read_only: bool,
) -> Result<Vec<String>, Failure> {
    if read_only {
        return Err(Failure::ReadOnly);
    }
    let failure = |error: kube::Error, done: usize| match error {
        kube::Error::Api(status) if status.code == 409 => Failure::Conflict(status.message),
        error => Failure::Failed {
            message: describe(&error),
            done,
        },
    };
    let mut created = Vec::new();
    for (done, request) in plan.requests.iter().enumerate() {
        match (send(client, request).await, &request.instead_when_not_found) {
            (Ok(answer), _) => {
                if request.method == Method::Post
                    && let Some(name) = answer.pointer("/metadata/name").and_then(Value::as_str)
                {
                    created.push(name.to_string());
                }
            }
            // No status subresource: the plugin's unified patch stands for the rest.
            (Err(kube::Error::Api(status)), Some(instead)) if status.code == 404 => {
                return send(client, instead)
                    .await
                    .map(|_| created)
                    .map_err(|error| failure(error, done));
            }
            (Err(error), _) => return Err(failure(error, done)),
        }
    }
    Ok(created)
}

async fn send(client: &kube::Client, request: &WriteRequest) -> Result<Value, kube::Error> {
    let body = serde_json::to_vec(&request.body).map_err(kube::Error::SerdeError)?;
    let http = http::Request::builder()
        .method(request.method.as_str())
        .uri(&request.path)
        .header(http::header::CONTENT_TYPE, request.content_type)
        .header(http::header::ACCEPT, "application/json")
        .body(body)
        .map_err(kube::Error::HttpError)?;
    client.request::<Value>(http).await
}

/// The server's words for an error (its Status message where there is one).
fn describe(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) => format!("{} ({})", status.message, status.code),
        other => other.to_string(),
    }
}

async fn list(
    client: &kube::Client,
    kind: Kind,
    namespace: &str,
    selector: &str,
) -> Result<Vec<Value>, String> {
    let (group, version, kind_name, plural) = kind.resource();
    let resource = kube::api::ApiResource::from_gvk_with_plural(
        &kube::api::GroupVersionKind::gvk(group, version, kind_name),
        plural,
    );
    let api: Api<kube::api::DynamicObject> =
        Api::namespaced_with(client.clone(), namespace, &resource);
    let objects = api
        .list(&ListParams::default().labels(selector))
        .await
        .map_err(|e| format!("cannot list {}: {}", kind.title(), describe(&e)))?;
    objects
        .items
        .iter()
        .map(|object| serde_json::to_value(object).map_err(|e| e.to_string()))
        .collect()
}

/// Asks the API server (SelfSubjectAccessReview) whether the request is allowed; the reason
/// when it is not. A server that cannot answer is not taken as a refusal: the write itself
/// will say.
async fn forbidden(client: &kube::Client, access: &Access) -> Option<String> {
    let attributes = json!({
        "group": access.group, "resource": access.resource, "subresource": access.subresource,
        "verb": access.verb, "namespace": access.namespace, "name": access.name,
    });
    let answer = super::identity::access_review(client, attributes).await?;
    if answer.pointer("/status/allowed").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let resource = if access.subresource.is_empty() {
        access.resource.to_string()
    } else {
        format!("{}/{}", access.resource, access.subresource)
    };
    let reason = answer
        .pointer("/status/reason")
        .and_then(Value::as_str)
        .filter(|r| !r.is_empty())
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    Some(format!(
        "forbidden: you may not {} {resource} in {}{reason}",
        access.verb, access.namespace
    ))
}
