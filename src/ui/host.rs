//! The cockpit's host for the event loop: ctrl-z suspends to the shell; object fetches for the
//! YAML and detail views and the followed pod log run as background tasks on the cluster
//! client, answering with messages.

use std::io;

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use tokio::sync::mpsc;

use super::event_loop::Host;
use super::msg::Msg;
use crate::model::{Kind, ObjectKey};

/// The real terminal and cluster.
pub struct CockpitHost {
    pub client: Option<kube::Client>,
    pub sender: mpsc::Sender<Msg>,
    /// The open log stream's task.
    pub logs: Option<tokio::task::AbortHandle>,
}

impl CockpitHost {
    pub fn new(client: Option<kube::Client>, sender: mpsc::Sender<Msg>) -> CockpitHost {
        CockpitHost {
            client,
            sender,
            logs: None,
        }
    }
}

impl Drop for CockpitHost {
    fn drop(&mut self) {
        self.stop_logs();
    }
}

impl Host for CockpitHost {
    fn suspend(&mut self) -> io::Result<()> {
        super::terminal::suspend_to_shell()
    }

    fn fetch(&mut self, kind: Kind, key: ObjectKey) {
        let sender = self.sender.clone();
        let Some(client) = self.client.clone() else {
            let _ = sender.try_send(Msg::Object(key, Err("not connected to a cluster".into())));
            return;
        };
        tokio::spawn(async move {
            let answer = fetch(client, kind, &key).await;
            let _ = sender.send(Msg::Object(key, answer)).await;
        });
    }

    fn follow_logs(&mut self, pod: ObjectKey, container: String) {
        self.stop_logs();
        let sender = self.sender.clone();
        let Some(client) = self.client.clone() else {
            let _ = sender.try_send(Msg::LogEnded(pod, Err("not connected to a cluster".into())));
            return;
        };
        let task = tokio::spawn(async move {
            let ended = stream_logs(client, &pod, container, &sender).await;
            let _ = sender.send(Msg::LogEnded(pod, ended)).await;
        });
        self.logs = Some(task.abort_handle());
    }

    fn stop_logs(&mut self) {
        if let Some(task) = self.logs.take() {
            task.abort();
        }
    }
}

/// Lines of the log kept when a stream opens (like `kubectl logs --tail`).
const TAIL_LINES: i64 = 1_000;

/// Streams the log as `kubectl logs -f --tail` does, sending lines in batches of what is ready.
async fn stream_logs(
    client: kube::Client,
    pod: &ObjectKey,
    container: String,
    sender: &mpsc::Sender<Msg>,
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
            .send(Msg::LogLines(pod.clone(), lines))
            .await
            .is_err()
        {
            break;
        }
    }
    Ok(())
}

/// GETs the object, without `managedFields`.
async fn fetch(
    client: kube::Client,
    kind: Kind,
    key: &ObjectKey,
) -> Result<serde_json::Value, String> {
    let (group, version, kind_name, plural) = kind.resource();
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(group, version, kind_name),
        plural,
    );
    let api: Api<DynamicObject> = if key.namespace.is_empty() {
        Api::all_with(client, &resource)
    } else {
        Api::namespaced_with(client, &key.namespace, &resource)
    };
    let object = api.get(&key.name).await.map_err(|e| e.to_string())?;
    let mut value = serde_json::to_value(&object).map_err(|e| e.to_string())?;
    if let Some(metadata) = value
        .get_mut("metadata")
        .and_then(serde_json::Value::as_object_mut)
    {
        metadata.remove("managedFields");
    }
    Ok(value)
}
