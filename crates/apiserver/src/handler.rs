//! One request, start to finish: read and size-check the body, log it, route it, check the
//! caller's permission, and run the handler for its verb. Every failure is a Status response;
//! nothing a client sends can panic the server.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Request, Response};

use super::access::User;
use super::http::{self, Body};
use super::query::Query;
use super::registry::ResourceDef;
use super::request_log::LoggedRequest;
use super::routes::{self, ResourcePath, Route};
use super::state::State;
use super::status::ApiError;
use super::{discovery, logs, openapi, read, review, scale, watch, write};

/// The largest request body accepted (the API server's limit).
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// A request to a resource path, with its definition resolved.
pub struct ResourceRequest<'a> {
    pub method: Method,
    pub path: ResourcePath,
    pub def: &'a ResourceDef,
    pub query: Query,
    pub content_type: Option<String>,
    pub accept: Option<String>,
    /// Names the field manager of writes that give no `fieldManager`.
    pub user_agent: Option<String>,
    pub body: Bytes,
    pub user: User,
}

/// Serves one HTTP request.
pub async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
    address: String,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let header = |name: hyper::header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header(hyper::header::CONTENT_TYPE);
    let accept = header(hyper::header::ACCEPT);
    let user_agent = header(hyper::header::USER_AGENT);
    let impersonate = parts
        .headers
        .get("impersonate-user")
        .and_then(|v| v.to_str().ok());
    let user = state
        .access
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .user(header(hyper::header::AUTHORIZATION).as_deref(), impersonate)
        .clone();
    let body = read_body(body).await;
    let uri = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string());
    state.requests.record(LoggedRequest {
        method: parts.method.to_string(),
        uri,
        content_type: content_type.clone(),
        body: body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_else(|| "<too large>".into()),
        user: user.name.clone(),
    });
    let Some(body) = body else {
        return http::error(&ApiError::too_large());
    };
    let query = Query::parse(parts.uri.query());
    let route = routes::parse(parts.uri.path());
    let method = parts.method.clone();
    let json = |value: Option<serde_json::Value>| match value {
        Some(value) => http::json(200, &value),
        None => http::error(&ApiError::no_such_resource()),
    };
    match route {
        Route::Version => http::json(200, &discovery::version()),
        Route::Health => http::bytes_response(200, "text/plain", Bytes::from_static(b"ok")),
        Route::CoreVersions | Route::Groups if discovery::wants_aggregated(accept.as_deref()) => {
            let core = route == Route::CoreVersions;
            let list = discovery::aggregated(&state.registry, core, |def| state.is_served(def));
            http::bytes_response(200, discovery::AGGREGATED, Bytes::from(list.to_string()))
        }
        Route::CoreVersions => http::json(200, &discovery::core_versions(&address)),
        Route::Groups => http::json(200, &discovery::groups(&state.registry)),
        Route::Group(group) => json(discovery::group(&state.registry, &group)),
        Route::GroupVersion { group, version } => json(discovery::resources(
            &state.registry,
            &group,
            &version,
            |def| state.is_served(def),
        )),
        Route::OpenApiIndex => http::json(200, &openapi::index(&state.registry)),
        Route::OpenApiDocument { group, version } => match openapi::built_in(&group, &version) {
            Some(document) => {
                http::bytes_response(200, "application/json", Bytes::from_static(document))
            }
            None => json(openapi::document(&state.registry, &group, &version)),
        },
        Route::NotFound => http::error(&ApiError::no_such_resource()),
        Route::ServiceProxy {
            namespace,
            service,
            path,
        } => super::proxy::service(&state, &namespace, &service, &path).await,
        Route::Resource(path) => {
            let Some(def) = state
                .registry
                .find(&path.group, &path.version, &path.plural)
                .filter(|def| state.is_served(def))
            else {
                return http::error(&ApiError::no_such_resource());
            };
            let request = ResourceRequest {
                method,
                path,
                def,
                query,
                content_type,
                accept,
                user_agent,
                body,
                user,
            };
            match resource(state.clone(), &request).await {
                Ok(response) => response,
                Err(error) => http::error(&error),
            }
        }
    }
}

/// Reads the body, or `None` when it is over [`MAX_BODY`]. An oversized body is still read (and
/// thrown away) up to [`DRAIN_LIMIT`], so the client gets the 413 rather than a reset connection.
async fn read_body(mut body: Incoming) -> Option<Bytes> {
    let mut collected: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return None };
        if let Ok(data) = frame.into_data() {
            total += data.len();
            if total > DRAIN_LIMIT {
                return None;
            }
            if total <= MAX_BODY {
                collected.extend_from_slice(&data);
            }
        }
    }
    (total <= MAX_BODY).then(|| Bytes::from(collected))
}

/// How much of an oversized body is read before giving up on the connection.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// The verb a request is authorised as (embedded-apiserver.md S-3).
fn verb(request: &ResourceRequest<'_>) -> &'static str {
    let named = request.path.name.is_some();
    match (&request.method, named) {
        (&Method::GET, true) => "get",
        (&Method::GET, false) if request.query.flag("watch") => "watch",
        (&Method::GET, false) => "list",
        (&Method::POST, _) => "create",
        (&Method::PUT, _) => "update",
        (&Method::PATCH, _) => "patch",
        (&Method::DELETE, true) => "delete",
        (&Method::DELETE, false) => "deletecollection",
        _ => "unknown",
    }
}

async fn resource(
    state: Arc<State>,
    request: &ResourceRequest<'_>,
) -> Result<Response<Body>, ApiError> {
    let def = request.def;
    if def.namespaced && request.path.namespace.is_none() && request.path.name.is_some() {
        return Err(ApiError::no_such_resource());
    }
    if !def.namespaced && request.path.namespace.is_some() {
        return Err(ApiError::no_such_resource());
    }
    let verb = verb(request);
    if !def.serves(verb) {
        return Err(ApiError::method_not_allowed(def));
    }
    let resource = match &request.path.subresource {
        Some(sub) => format!("{}/{sub}", def.plural),
        None => def.plural.clone(),
    };
    // Everyone may ask what they may do (system:basic-user on a real cluster).
    let always_allowed = matches!(
        def.plural.as_str(),
        "selfsubjectaccessreviews" | "selfsubjectrulesreviews" | "selfsubjectreviews"
    );
    if !always_allowed && let Err(reason) = request.user.policy.decide(verb, &resource) {
        tracing::debug!(user = %request.user.name, verb, resource, reason, "forbidden");
        return Err(ApiError::forbidden(
            def,
            &request.user.name,
            verb,
            request.path.subresource.as_deref(),
            request.path.name.as_deref(),
            request.path.namespace.as_deref(),
        ));
    }
    let reply = |(code, value): (u16, serde_json::Value)| {
        http::negotiated(code, &value, request.accept.as_deref())
    };
    match (
        &request.method,
        request.path.name.as_deref(),
        request.path.subresource.as_deref(),
    ) {
        (&Method::GET, None, _) if request.query.flag("watch") => watch::watch(state, request),
        (&Method::GET, None, _) => read::list(&state, request),
        (&Method::GET, Some(name), Some("log")) if def.plural == "pods" => {
            logs::read(&state, request, name)
        }
        (&Method::GET, Some(_), _) if request.query.flag("watch") => watch::watch(state, request),
        (&Method::GET, Some(name), None) => read::get(&state, request, name).map(reply),
        (&Method::GET, Some(name), Some("status")) if def.status_subresource => {
            read::get(&state, request, name).map(reply)
        }
        // a custom resource without the subresource: the real server names the object
        (_, Some(name), Some("status")) if def.custom && !def.status_subresource => {
            Err(ApiError::not_found(def, name))
        }
        (&Method::GET, Some(name), Some("scale")) => scale::get(&state, request, name).map(reply),
        (&Method::PUT | &Method::PATCH, Some(name), Some("scale")) => {
            write::update_scale(&state, request, name).map(reply)
        }
        (&Method::POST, None, None) if def.plural == "selfsubjectaccessreviews" => {
            review::review(&state, request).map(reply)
        }
        (&Method::POST, None, None) if def.plural == "selfsubjectrulesreviews" => {
            review::rules(request).map(reply)
        }
        (&Method::POST, None, None) if def.plural == "selfsubjectreviews" => {
            Ok(reply(review::who_am_i(request)))
        }
        (&Method::POST, None, None) => write::create(&state, request).map(reply),
        (&Method::PUT, Some(name), _) => write::update(&state, request, name).map(reply),
        (&Method::PATCH, Some(name), _) => write::patch(&state, request, name).map(reply),
        (&Method::DELETE, Some(name), _) => write::delete(&state, request, name).map(reply),
        (&Method::DELETE, None, None) => write::delete_collection(&state, request).map(reply),
        (_, _, Some(_)) => Err(ApiError::no_such_resource()),
        _ => Err(ApiError::method_not_allowed(def)),
    }
}
