//! The service proxy (`/api/v1/namespaces/NS/services/NAME[:PORT]/proxy/PATH`): a GET passed to
//! the backend registered for the service — in the demo, the demo app's `/metrics` — as the real
//! API server passes it to the service's endpoints. A missing service is 404; one with nothing
//! behind it is 503, as on a real cluster.

use bytes::Bytes;
use hyper::Response;

use super::http::{Body, bytes_response, error};
use super::state::State;
use super::status::ApiError;

pub async fn service(state: &State, namespace: &str, service: &str, path: &str) -> Response<Body> {
    let Some(services) = state.registry.find("", "v1", "services") else {
        return error(&ApiError::no_such_resource());
    };
    if state.store().get(services, namespace, service).is_none() {
        return error(&ApiError::not_found(services, service));
    }
    let backend = state
        .service_backends
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(namespace.to_string(), service.to_string()))
        .cloned();
    let Some(backend) = backend else {
        return error(&ApiError::no_endpoints(service));
    };
    let url = format!("{}/{path}", backend.trim_end_matches('/'));
    let answer = async {
        let response = reqwest::get(&url).await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("text/plain")
            .to_string();
        let body = response.bytes().await?;
        Ok::<_, reqwest::Error>((status, content_type, body))
    };
    match answer.await {
        Ok((status, content_type, body)) => {
            bytes_response(status, &content_type, Bytes::from(body.to_vec()))
        }
        Err(_) => error(&ApiError::no_endpoints(service)),
    }
}
