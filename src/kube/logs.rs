//! Following a pod container's log as `kubectl logs -f --tail` does: the last lines, then new
//! ones as the container writes them, sent to the UI loop in batches of what is ready.

use kube::api::Api;
use tokio::sync::mpsc;

use crate::model::ObjectKey;

/// Lines of the log kept when a stream opens (like `kubectl logs --tail`).
const TAIL_LINES: i64 = 1_000;

/// New lines of a followed pod's log (the UI makes it a `Msg`).
#[derive(Debug, Clone)]
pub struct LogLines(pub ObjectKey, pub Vec<String>);

/// Streams the log until it ends (`Ok`) or fails, or the UI loop is gone.
pub async fn follow<M: From<LogLines>>(
    client: kube::Client,
    pod: &ObjectKey,
    container: String,
    sender: &mpsc::Sender<M>,
) -> Result<(), String> {
    use futures::{AsyncBufReadExt, StreamExt};
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client, &pod.namespace);
    let params = kube::api::LogParams {
        container: Some(container),
        follow: true,
        tail_lines: Some(TAIL_LINES),
        ..Default::default()
    };
    let reader = pods
        .log_stream(&pod.name, &params)
        .await
        .map_err(|e| e.to_string())?;
    let mut batches = reader.lines().ready_chunks(512);
    while let Some(batch) = batches.next().await {
        let mut lines = Vec::with_capacity(batch.len());
        for line in batch {
            lines.push(line.map_err(|e| e.to_string())?);
        }
        if sender
            .send(LogLines(pod.clone(), lines).into())
            .await
            .is_err()
        {
            break;
        }
    }
    Ok(())
}
