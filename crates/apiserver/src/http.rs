//! HTTP plumbing: JSON and text responses, error Status responses, and streaming (chunked)
//! bodies fed from a channel, flushed per chunk.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::Response;
use hyper::body::Frame;
use serde_json::Value;
use tokio::sync::mpsc;

use super::protobuf;
use super::status::ApiError;

pub type Body = BoxBody<Bytes, Infallible>;

/// A JSON response.
pub fn json(code: u16, value: &Value) -> Response<Body> {
    bytes_response(
        code,
        "application/json",
        Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
    )
}

/// A single object in the form the client asked for first: protobuf for built-in kinds when
/// `Accept` puts it first (client-go's typed clients), JSON otherwise.
pub fn negotiated(code: u16, value: &Value, accept: Option<&str>) -> Response<Body> {
    let first = accept.and_then(|a| a.split(',').next()).unwrap_or_default();
    if protobuf::is_protobuf(first)
        && let Some(body) = protobuf::encode(value)
    {
        return bytes_response(code, protobuf::MEDIA_TYPE, Bytes::from(body));
    }
    json(code, value)
}

/// A response with a fixed body.
pub fn bytes_response(code: u16, content_type: &str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body).boxed());
    *response.status_mut() =
        hyper::StatusCode::from_u16(code).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

/// The Status response of an error.
pub fn error(error: &ApiError) -> Response<Body> {
    json(error.code, &error.body)
}

/// A 200 streaming response: each chunk sent on the returned channel is written and flushed;
/// dropping the sender ends the stream cleanly.
pub fn stream(content_type: &str) -> (mpsc::Sender<Bytes>, Response<Body>) {
    let (sender, receiver) = mpsc::channel::<Bytes>(256);
    let frames = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|chunk| (Ok::<_, Infallible>(Frame::data(chunk)), receiver))
    });
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    (sender, response)
}
