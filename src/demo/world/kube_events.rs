//! Kubernetes Events the simulated controllers record about their objects: core/v1 Events with
//! the involved object, reason, message, type, count and timestamps, as client-go's event
//! recorder writes them — so `kubectl get events` and the cockpit show the history a real
//! cluster would. Recording is best effort, as in client-go: a failed write is only logged.

use std::sync::atomic::{AtomicU64, Ordering};

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams};
use serde_json::json;

use super::context::now;

/// The object an Event is about.
pub struct Involved<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
}

/// Records a Normal (or Warning) Event from `component` about `involved`.
pub async fn record(
    client: kube::Client,
    component: &str,
    involved: Involved<'_>,
    warning: bool,
    reason: &str,
    message: &str,
) {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let at = now();
    let event = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": format!("{}.{:x}", involved.name, nanos.wrapping_add(sequence)), "namespace": involved.namespace},
        "involvedObject": {"apiVersion": involved.api_version, "kind": involved.kind, "namespace": involved.namespace, "name": involved.name},
        "reason": reason,
        "message": message,
        "type": if warning { "Warning" } else { "Normal" },
        "source": {"component": component},
        "reportingComponent": component,
        "firstTimestamp": at,
        "lastTimestamp": at,
        "count": 1,
    });
    let resource =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("", "v1", "Event"), "events");
    let api: Api<DynamicObject> = Api::namespaced_with(client, involved.namespace, &resource);
    let object = match serde_json::from_value::<DynamicObject>(event) {
        Ok(object) => object,
        Err(error) => {
            tracing::debug!(%error, "event not built");
            return;
        }
    };
    if let Err(error) = api.create(&PostParams::default(), &object).await {
        tracing::debug!(%error, reason, "event not recorded");
    }
}
