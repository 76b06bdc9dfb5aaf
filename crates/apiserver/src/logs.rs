//! `GET …/pods/NAME/log`: plain text, `container` rules of the real API server, `tailLines`,
//! `timestamps`, `limitBytes`, and `follow` streaming until the container ends.

use std::sync::Arc;

use bytes::Bytes;
use hyper::Response;
use serde_json::Value;

use super::handler::ResourceRequest;
use super::http::{self, Body};
use super::state::State;
use super::status::ApiError;

fn container_names(pod: &Value, field: &str) -> Vec<String> {
    pod.pointer(&format!("/spec/{field}"))
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Formats one line (with an RFC 3339 nanosecond timestamp when asked).
fn format_line(nanos: u128, line: &str, timestamps: bool) -> String {
    if !timestamps {
        return format!("{line}\n");
    }
    let seconds = (nanos / 1_000_000_000) as u64;
    let stamp = super::writes::format_timestamp(seconds);
    format!(
        "{}.{:09}Z {line}\n",
        stamp.trim_end_matches('Z'),
        nanos % 1_000_000_000
    )
}

pub fn read(
    state: &Arc<State>,
    request: &ResourceRequest<'_>,
    name: &str,
) -> Result<Response<Body>, ApiError> {
    let namespace = request.path.namespace.as_deref().unwrap_or_default();
    let pod = state
        .store()
        .get(request.def, namespace, name)
        .ok_or_else(|| ApiError::not_found(request.def, name))?;
    let containers = container_names(&pod, "containers");
    let init = container_names(&pod, "initContainers");
    let container = match request.query.get("container").filter(|c| !c.is_empty()) {
        Some(wanted) if containers.iter().chain(&init).any(|c| c == wanted) => wanted.to_string(),
        Some(wanted) => {
            return Err(ApiError::bad_request(format!(
                "container {wanted} is not valid for pod {name}"
            )));
        }
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            let mut message = format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            );
            if !init.is_empty() {
                message.push_str(&format!(
                    " or one of the init containers: [{}]",
                    init.join(" ")
                ));
            }
            return Err(ApiError::bad_request(message));
        }
    };
    let timestamps = request.query.flag("timestamps");
    let (lines, updates) = state
        .pod_logs
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .read(namespace, name, &container);
    let skip = request
        .query
        .number("tailLines")
        .map(|tail| lines.len().saturating_sub(tail as usize))
        .unwrap_or(0);
    let mut text: String = lines[skip..]
        .iter()
        .map(|(nanos, line)| format_line(*nanos, line, timestamps))
        .collect();
    if let Some(limit) = request.query.number("limitBytes") {
        let mut cut = (limit as usize).min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    let follow = request.query.flag("follow");
    let Some(mut updates) = updates.filter(|_| follow) else {
        return Ok(http::bytes_response(200, "text/plain", Bytes::from(text)));
    };
    let (sender, response) = http::stream("text/plain");
    tokio::spawn(async move {
        if !text.is_empty() && sender.send(Bytes::from(text)).await.is_err() {
            return;
        }
        while let Ok(Some((nanos, line))) = updates.recv().await {
            if sender
                .send(Bytes::from(format_line(nanos, &line, timestamps)))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    Ok(response)
}
