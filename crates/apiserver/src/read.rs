//! GET of one object and LIST (one namespace or all, label and field selectors), answered as
//! JSON or, when kubectl asks for it, as a Table.

use hyper::Response;
use serde_json::{Value, json};

use super::handler::ResourceRequest;
use super::http::{self, Body};
use super::selectors::FieldSelector;
use super::state::State;
use super::status::ApiError;
use super::store::key_of;
use super::table;
use flightdeck_apimachinery::LabelSelector;

/// Both selectors of a list or watch request.
pub struct Filter {
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Filter {
    /// Parses the selectors of `request` (400 on a bad one, as the API server checks first).
    pub fn from_request(request: &ResourceRequest<'_>) -> Result<Filter, ApiError> {
        let labels = LabelSelector::parse(request.query.get("labelSelector").unwrap_or_default())
            .map_err(ApiError::bad_request)?;
        let fields = FieldSelector::parse(
            request.query.get("fieldSelector").unwrap_or_default(),
            &request.def.selectable_fields(),
            |field| request.def.unsupported_field(field),
        )
        .map_err(ApiError::bad_request)?;
        Ok(Filter {
            namespace: request.path.namespace.clone(),
            labels,
            fields,
        })
    }

    /// Whether `object` passes the namespace and both selectors. Only what a selector names is
    /// looked up (no lookup at all without selectors: a list of every object reads none of them).
    pub fn matches(&self, object: &Value) -> bool {
        let metadata = |name: &str| object.get("metadata").and_then(|m| m.get(name));
        self.namespace
            .as_deref()
            .is_none_or(|ns| metadata("namespace").and_then(Value::as_str) == Some(ns))
            && self.labels.matches(|key| {
                metadata("labels")
                    .and_then(|labels| labels.get(key))
                    .and_then(Value::as_str)
            })
            && self.fields.matches(object)
    }
}

/// GET `…/NAME` (and `…/NAME/status`, which returns the whole object as the API server does).
pub fn get(
    state: &State,
    request: &ResourceRequest<'_>,
    name: &str,
) -> Result<(u16, Value), ApiError> {
    let namespace = request.path.namespace.as_deref().unwrap_or_default();
    let object = state
        .store()
        .get(request.def, namespace, name)
        .ok_or_else(|| ApiError::not_found(request.def, name))?;
    if table::wanted(request.accept.as_deref()) {
        let rv = object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        return Ok((200, table::table(request.def, [object.value()], &rv, true)));
    }
    Ok((200, object.value().clone()))
}

/// LIST of a collection, in pages when the client sends `limit` (as kube-rs's watcher and kubectl
/// do): each page is cut from the same snapshot, named by the opaque `continue` token it returns
/// (embedded-apiserver.md LS-3). A token older than the change history kept is 410 Expired.
pub fn list(state: &State, request: &ResourceRequest<'_>) -> Result<Response<Body>, ApiError> {
    let filter = Filter::from_request(request)?;
    let after = request
        .query
        .get("continue")
        .filter(|token| !token.is_empty())
        .map(ContinueToken::parse)
        .transpose()?;
    let limit = request.query.number("limit").unwrap_or(0) as usize;
    let keep = |object: &Value| filter.matches(object);
    // One more than a page, to know whether another follows.
    let wanted = if limit == 0 { 0 } else { limit + 1 };
    // A first page is cut from the current state, the next ones from the first one's.
    let start = (String::new(), String::new());
    let store = state.store();
    let (last, rv) = match &after {
        Some(token) => (&token.last, token.rv),
        None => (&start, store.current_rv()),
    };
    let mut page = store
        .list_at(
            request.def,
            (filter.namespace.as_deref(), last),
            rv,
            (wanted, &keep),
        )
        .map_err(|_| ApiError::expired(TOO_OLD))?;
    drop(store);
    let next = match (limit, page.len() > limit) {
        (1.., true) => {
            page.truncate(limit);
            page.last().map(|last| ContinueToken::after(rv, last))
        }
        _ => None,
    };
    let rv = rv.to_string();
    if table::wanted(request.accept.as_deref()) {
        let mut table = table::table(request.def, page.iter().map(|o| o.value()), &rv, true);
        if let Some(next) = &next {
            table["metadata"]["continue"] = Value::String(next.clone());
        }
        return Ok(http::json(200, &table));
    }
    // Written item by item from the shared objects: a 30k-object list is never copied first.
    let mut metadata = json!({"resourceVersion": rv});
    if let Some(next) = next {
        metadata["continue"] = Value::String(next);
    }
    let mut body = format!(
        r#"{{"kind":{},"apiVersion":{},"metadata":{},"items":["#,
        Value::String(request.def.list_kind.clone()),
        Value::String(request.def.api_version()),
        metadata
    )
    .into_bytes();
    body.reserve(
        page.iter()
            .map(|object| object.json().len() + 1)
            .sum::<usize>()
            + 2,
    );
    for (i, object) in page.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(object.json());
    }
    body.extend_from_slice(b"]}");
    Ok(http::bytes_response(200, "application/json", body.into()))
}

const TOO_OLD: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.";

/// Where the next page starts: the snapshot's resourceVersion and the last key returned.
struct ContinueToken {
    rv: u64,
    /// (namespace, name) of the last object returned.
    last: (String, String),
}

impl ContinueToken {
    /// The opaque token for the page after `last` (hex, so it needs no escaping in a query).
    fn after(rv: u64, last: &Value) -> String {
        let (namespace, name) = key_of(last);
        format!("{rv}/{namespace}/{name}")
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn parse(token: &str) -> Result<ContinueToken, ApiError> {
        let invalid = || ApiError::bad_request(format!("continue key is not valid: {token}"));
        let bytes: Option<Vec<u8>> = (0..token.len())
            .step_by(2)
            .map(|i| {
                token
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
        let text = String::from_utf8(bytes.ok_or_else(invalid)?).map_err(|_| invalid())?;
        let mut parts = text.splitn(3, '/');
        let rv = parts
            .next()
            .and_then(|rv| rv.parse().ok())
            .ok_or_else(invalid)?;
        let (Some(namespace), Some(name)) = (parts.next(), parts.next()) else {
            return Err(invalid());
        };
        Ok(ContinueToken {
            rv,
            last: (namespace.to_string(), name.to_string()),
        })
    }
}
