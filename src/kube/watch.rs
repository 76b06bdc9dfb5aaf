//! One `kube::runtime::watcher` per kind (never polling): objects become slim rows here, at the
//! edge, and reach the UI loop as batches of deltas with the kind's watch state (syncing N, live,
//! retrying, forbidden, not installed). After an error the kind is listed again with a growing
//! delay, so a CRD installed later (or deleted and installed again) shows up by itself.

use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, ApiResource, GroupVersionKind};
use kube::runtime::watcher;
use tokio::sync::mpsc;

use super::slim::{Common, Pods, ReplicaSets, Rollouts, Shape, SlimObject};
use crate::model::{Kind, ObjectKey, Row};
use crate::store::{Delta, Scope, WatchState};

/// The state a watch error puts a kind in, when it is listed again after `retry`.
fn state_of(error: &watcher::Error, retry: Duration) -> WatchState {
    let status = match error {
        watcher::Error::InitialListFailed(kube::Error::Api(status))
        | watcher::Error::WatchStartFailed(kube::Error::Api(status))
        | watcher::Error::WatchFailed(kube::Error::Api(status)) => Some(status),
        _ => None,
    };
    match status {
        Some(status) if status.code == 404 => WatchState::NotInstalled,
        Some(status) if status.code == 403 => WatchState::Forbidden(status.message.clone()),
        _ => WatchState::Retrying(error.to_string(), retry.as_secs().max(1)),
    }
}

/// Longest wait before listing a failed kind again.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

/// A batch of changes from the watchers, for whoever listens (the UI makes it a `Msg`).
#[derive(Debug, Clone)]
pub struct Changes(pub Vec<Delta>);

/// Wait before listing again after a watch that was live dropped.
const AFTER_DROP: Duration = Duration::from_millis(250);

/// Watches `kind` in `scope` (all namespaces, or one) and sends deltas until the receiver is
/// gone. After any error the kind is listed afresh (after a growing delay), so its state is
/// "live" again exactly when a list succeeded — a CRD deleted and installed again comes back by
/// itself.
pub async fn watch_kind<M: From<Changes> + Send + 'static>(
    client: kube::Client,
    kind: Kind,
    scope: Scope,
    sender: mpsc::Sender<M>,
) {
    match kind {
        Kind::Pod => watch_in_shape::<Pods, M>(client, kind, scope, sender).await,
        Kind::ReplicaSet => watch_in_shape::<ReplicaSets, M>(client, kind, scope, sender).await,
        Kind::Rollout => watch_in_shape::<Rollouts, M>(client, kind, scope, sender).await,
        _ => watch_in_shape::<Common, M>(client, kind, scope, sender).await,
    }
}

/// [`watch_kind`], objects decoded in shape `S` (what `kind`'s rows read).
async fn watch_in_shape<S, M>(
    client: kube::Client,
    kind: Kind,
    scope: Scope,
    sender: mpsc::Sender<M>,
) where
    S: Shape + Clone + std::fmt::Debug + Send + Sync + 'static,
    M: From<Changes> + Send + 'static,
{
    debug_assert!(S::KIND.is_none_or(|shape| shape == kind));
    let (group, version, kind_name, plural) = kind.resource();
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(group, version, kind_name),
        plural,
    );
    let api: Api<SlimObject<S>> = match &scope {
        Scope::Cluster => Api::all_with(client, &resource),
        Scope::Namespace(namespace) => Api::namespaced_with(client, namespace, &resource),
    };
    // Waits before listing again: short after a dropped watch, growing while failures repeat.
    let mut delay = Duration::from_secs(1);
    loop {
        delay = match watch_until_error(&api, (kind, &scope), &sender, delay).await {
            Ended::ReceiverGone => return,
            Ended::AfterLive(retry) | Ended::BeforeLive(retry) => {
                tokio::time::sleep(retry).await;
                (retry * 2).min(MAX_RETRY_DELAY)
            }
        };
    }
}

/// How one watch run ended, and how long to wait before listing again.
enum Ended {
    ReceiverGone,
    /// Failed after the kind was listed (a dropped watch): listed again soon.
    AfterLive(Duration),
    /// Failed before a list succeeded (not installed, forbidden, unreachable).
    BeforeLive(Duration),
}

/// Lists and watches until the first error, reported as the kind's state with the wait before
/// the next list (`delay`, or a short one when this run got to live).
async fn watch_until_error<S, M>(
    api: &Api<SlimObject<S>>,
    (kind, scope): (Kind, &Scope),
    sender: &mpsc::Sender<M>,
    delay: Duration,
) -> Ended
where
    S: Shape + Clone + std::fmt::Debug + Send + Sync + 'static,
    M: From<Changes>,
{
    let state = |state| Delta::State(kind, scope.clone(), state);
    let mut events = watcher(api.clone(), watcher::Config::default().page_size(100))
        .ready_chunks(256)
        .boxed();
    let mut listing: Vec<Row> = Vec::new();
    let mut live = false;
    while let Some(batch) = events.next().await {
        let mut deltas = Vec::new();
        let mut failed = false;
        for event in batch {
            match event {
                Ok(watcher::Event::Init) => {
                    listing.clear();
                    deltas.push(state(WatchState::Syncing(0)));
                }
                Ok(watcher::Event::InitApply(object)) => {
                    listing.push(Row::from_object(kind, &object.value))
                }
                Ok(watcher::Event::InitDone) => {
                    let listed = std::mem::take(&mut listing);
                    deltas.push(Delta::Replace(kind, scope.clone(), listed));
                    deltas.push(state(WatchState::Live));
                    live = true;
                }
                Ok(watcher::Event::Apply(object)) => {
                    deltas.push(Delta::Apply(Row::from_object(kind, &object.value)))
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
                    let retry = if live { AFTER_DROP } else { delay };
                    let failure = state_of(&error, retry);
                    if failure == WatchState::NotInstalled {
                        deltas.push(Delta::Replace(kind, scope.clone(), Vec::new()));
                    }
                    deltas.push(state(failure));
                    failed = true;
                    break;
                }
            }
        }
        if !listing.is_empty() && !failed {
            deltas.push(state(WatchState::Syncing(listing.len())));
        }
        if !deltas.is_empty() && sender.send(Changes(deltas).into()).await.is_err() {
            return Ended::ReceiverGone;
        }
        if failed {
            break;
        }
    }
    if live {
        Ended::AfterLive(AFTER_DROP)
    } else {
        Ended::BeforeLive(delay)
    }
}

/// Starts a watcher per kind.
pub fn watch_all<M: From<Changes> + Send + 'static>(
    client: kube::Client,
    sender: mpsc::Sender<M>,
) -> Vec<tokio::task::JoinHandle<()>> {
    Kind::ALL
        .iter()
        .map(|kind| {
            let watch = watch_kind(client.clone(), *kind, Scope::Cluster, sender.clone());
            tokio::spawn(watch)
        })
        .collect()
}
