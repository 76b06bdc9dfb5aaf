//! One `kube::runtime::watcher` per kind (never polling): objects become slim rows here, at the
//! edge, and reach the UI loop as batches of deltas with the kind's watch state (syncing N, live,
//! retrying, forbidden, not installed). A kind the cluster does not serve says "not installed" and
//! is retried with backoff, so a CRD installed later shows up by itself.

use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::mpsc;

use crate::model::{Kind, ObjectKey, Row};
use crate::store::{Delta, WatchState};
use crate::ui::msg::Msg;

/// The state a watch error puts a kind in.
fn state_of(error: &watcher::Error) -> WatchState {
    let status = match error {
        watcher::Error::InitialListFailed(kube::Error::Api(status))
        | watcher::Error::WatchStartFailed(kube::Error::Api(status))
        | watcher::Error::WatchFailed(kube::Error::Api(status)) => Some(status),
        _ => None,
    };
    match status {
        Some(status) if status.code == 404 => WatchState::NotInstalled,
        Some(status) if status.code == 403 => WatchState::Forbidden(status.message.clone()),
        _ => WatchState::Retrying(error.to_string()),
    }
}

/// Watches `kind` across all namespaces and sends deltas until the receiver is gone.
pub async fn watch_kind(client: kube::Client, kind: Kind, sender: mpsc::Sender<Msg>) {
    let (group, version, kind_name, plural) = kind.resource();
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(group, version, kind_name),
        plural,
    );
    let api: Api<DynamicObject> = Api::all_with(client, &resource);
    let mut events = watcher(api, watcher::Config::default())
        .default_backoff()
        .ready_chunks(256)
        .boxed();
    let mut listing: Vec<Row> = Vec::new();
    if sender
        .send(Msg::Kube(vec![Delta::State(kind, WatchState::Syncing(0))]))
        .await
        .is_err()
    {
        return;
    }
    while let Some(batch) = events.next().await {
        let mut deltas = Vec::new();
        for event in batch {
            match event {
                Ok(watcher::Event::Init) => {
                    listing.clear();
                    deltas.push(Delta::State(kind, WatchState::Syncing(0)));
                }
                Ok(watcher::Event::InitApply(object)) => listing.push(project(kind, &object)),
                Ok(watcher::Event::InitDone) => {
                    deltas.push(Delta::Replace(kind, std::mem::take(&mut listing)));
                    deltas.push(Delta::State(kind, WatchState::Live));
                }
                Ok(watcher::Event::Apply(object)) => {
                    deltas.push(Delta::Apply(project(kind, &object)))
                }
                Ok(watcher::Event::Delete(object)) => deltas.push(Delta::Delete(
                    kind,
                    ObjectKey::new(
                        object.metadata.namespace.clone().unwrap_or_default(),
                        object.metadata.name.clone().unwrap_or_default(),
                    ),
                )),
                Err(error) => {
                    tracing::debug!(?kind, %error, "watch error");
                    let state = state_of(&error);
                    if state == WatchState::NotInstalled {
                        deltas.push(Delta::Replace(kind, Vec::new()));
                    }
                    deltas.push(Delta::State(kind, state));
                }
            }
        }
        if !listing.is_empty() {
            deltas.push(Delta::State(kind, WatchState::Syncing(listing.len())));
        }
        if !deltas.is_empty() && sender.send(Msg::Kube(deltas)).await.is_err() {
            return;
        }
    }
}

/// The row of an object (managedFields never reach the store: only the row's fields are kept).
fn project(kind: Kind, object: &DynamicObject) -> Row {
    let value = serde_json::to_value(object).unwrap_or_default();
    Row::from_object(kind, &value)
}

/// Starts a watcher per kind.
pub fn watch_all(
    client: kube::Client,
    sender: mpsc::Sender<Msg>,
) -> Vec<tokio::task::JoinHandle<()>> {
    Kind::ALL
        .iter()
        .map(|kind| tokio::spawn(watch_kind(client.clone(), *kind, sender.clone())))
        .collect()
}
