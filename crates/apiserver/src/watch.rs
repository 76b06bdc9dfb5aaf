//! WATCH: a chunked stream of one-line JSON events. Starts with synthetic ADDED events (RV unset
//! or "0", or `sendInitialEvents`), or replays the history after an RV; a too-old (or future,
//! or garbage) RV gets the in-stream ERROR 410 that makes kube-rs relist. Label/field selector
//! transitions become ADDED/DELETED as in the watch cache; bookmarks only when asked for; the
//! stream ends cleanly at `timeoutSeconds`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::Response;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::handler::ResourceRequest;
use super::http::{Body, stream};
use super::read::Filter;
use super::registry::ResourceDef;
use super::state::State;
use super::status::ApiError;
use super::store::{Change, ChangeType, Stored};
use super::table;

/// How events are encoded for this client.
#[derive(Clone)]
struct Encoder {
    def: ResourceDef,
    table: bool,
}

impl Encoder {
    fn line(&self, kind: &str, object: &Stored, first_table: &mut bool) -> Bytes {
        let table;
        let json = if self.table && kind != "ERROR" && kind != "BOOKMARK" {
            let rv = object
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let headers = std::mem::replace(first_table, false);
            table = serde_json::to_vec(&table::table(&self.def, [object.value()], rv, headers))
                .unwrap_or_default();
            &table
        } else {
            object.json()
        };
        // Written around the stored object's JSON rather than copying it into an event value.
        let mut line = format!(r#"{{"type":"{kind}","object":"#).into_bytes();
        line.extend_from_slice(json);
        line.extend_from_slice(b"}\n");
        Bytes::from(line)
    }

    fn bookmark(&self, rv: u64, initial_events_end: bool) -> Stored {
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        Stored::new(
            json!({"kind": self.def.kind, "apiVersion": self.def.api_version(), "metadata": metadata}),
        )
    }
}

/// What a change means to a watcher with `filter`: the event type and object to send, if any.
fn translate(
    filter: &Filter,
    def: &ResourceDef,
    change: &Change,
) -> Option<(&'static str, Arc<Stored>)> {
    if change.group != def.group || change.plural != def.plural {
        return None;
    }
    let now = filter.matches(&change.object);
    let before = change.previous.as_ref().is_some_and(|p| filter.matches(p));
    match change.change {
        ChangeType::Deleted => before.then(|| ("DELETED", change.object.clone())),
        ChangeType::Added => now.then(|| ("ADDED", change.object.clone())),
        ChangeType::Modified => match (before, now) {
            (true, true) => Some(("MODIFIED", change.object.clone())),
            (false, true) => Some(("ADDED", change.object.clone())),
            (true, false) => {
                // Left the selection: the previous content with the new resourceVersion.
                let mut previous = change
                    .previous
                    .as_ref()
                    .map(|p| p.value().clone())
                    .unwrap_or_default();
                previous["metadata"]["resourceVersion"] = json!(change.rv.to_string());
                Some(("DELETED", Arc::new(Stored::new(previous))))
            }
            (false, false) => None,
        },
    }
}

/// Starts a watch. Selector errors come back as HTTP errors before the stream starts.
pub fn watch(state: Arc<State>, request: &ResourceRequest<'_>) -> Result<Response<Body>, ApiError> {
    let mut filter = Filter::from_request(request)?;
    if let Some(name) = &request.path.name {
        filter.fields = super::selectors::FieldSelector::parse(
            &format!("metadata.name={name}"),
            &["metadata.name"],
            |field| request.def.unsupported_field(field),
        )
        .map_err(ApiError::bad_request)?;
    }
    let encoder = Encoder {
        def: request.def.clone(),
        table: table::wanted(request.accept.as_deref()),
    };
    let bookmarks = request.query.flag("allowWatchBookmarks");
    let send_initial = request.query.flag("sendInitialEvents");
    let timeout = request
        .query
        .number("timeoutSeconds")
        .map(Duration::from_secs)
        .unwrap_or(state.options.default_watch_timeout);
    let requested_rv = request
        .query
        .get("resourceVersion")
        .unwrap_or_default()
        .to_string();

    // Under the store lock: the starting events and the subscription, so nothing falls between.
    let (initial, start_error, receiver, snapshot_rv) = {
        let store = state.store();
        let receiver = state.changes.subscribe();
        let current = store.current_rv();
        let mut initial: Vec<(&'static str, Arc<Stored>)> = Vec::new();
        let mut start_error = None;
        if send_initial || requested_rv.is_empty() || requested_rv == "0" {
            initial = store
                .list(&encoder.def, filter.namespace.as_deref())
                .into_iter()
                .filter(|o| filter.matches(o))
                .map(|o| ("ADDED", o))
                .collect();
        } else {
            match requested_rv.parse::<u64>() {
                Ok(rv) if rv > current => {
                    start_error = Some(format!("too old resource version: {rv} ({current})"))
                }
                Ok(rv) => match store.changes_since(rv) {
                    Ok(changes) => {
                        initial = changes
                            .iter()
                            .filter_map(|c| translate(&filter, &encoder.def, c))
                            .collect()
                    }
                    Err(oldest) => {
                        start_error = Some(format!("too old resource version: {rv} ({oldest})"))
                    }
                },
                Err(_) => {
                    start_error = Some(format!(
                        "too old resource version: {requested_rv} ({current})"
                    ))
                }
            }
        }
        (initial, start_error, receiver, current)
    };

    let (sender, response) = stream("application/json");
    tokio::spawn(async move {
        let mut first_table = true;
        let send = |sender: &mpsc::Sender<Bytes>, line: Bytes| {
            let sender = sender.clone();
            async move { sender.send(line).await.is_ok() }
        };
        if let Some(message) = start_error {
            let error = ApiError::expired(message);
            let _ = send(
                &sender,
                encoder.line("ERROR", &Stored::new(error.body), &mut first_table),
            )
            .await;
            return;
        }
        let mut last_rv = snapshot_rv;
        for (kind, object) in &initial {
            if !send(&sender, encoder.line(kind, object, &mut first_table)).await {
                return;
            }
        }
        if send_initial
            && bookmarks
            && !send(
                &sender,
                encoder.line(
                    "BOOKMARK",
                    &encoder.bookmark(snapshot_rv, true),
                    &mut first_table,
                ),
            )
            .await
        {
            return;
        }
        stream_changes(
            &state,
            &encoder,
            &filter,
            receiver,
            &sender,
            timeout,
            bookmarks,
            &mut last_rv,
            &mut first_table,
        )
        .await;
    });
    Ok(response)
}

/// Live phase of a watch: changes as they happen, periodic bookmarks, clean end at the timeout.
#[allow(clippy::too_many_arguments)]
async fn stream_changes(
    state: &State,
    encoder: &Encoder,
    filter: &Filter,
    mut receiver: tokio::sync::broadcast::Receiver<Arc<Change>>,
    sender: &mpsc::Sender<Bytes>,
    timeout: Duration,
    bookmarks: bool,
    last_rv: &mut u64,
    first_table: &mut bool,
) {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut served = state.served.subscribe();
    let mut bookmark_timer = tokio::time::interval(state.options.bookmark_interval);
    bookmark_timer.tick().await;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {
                if bookmarks {
                    let rv = state.store().current_rv();
                    let _ = sender.send(encoder.line("BOOKMARK", &encoder.bookmark(rv, false), first_table)).await;
                }
                return;
            }
            _ = bookmark_timer.tick(), if bookmarks => {
                let rv = state.store().current_rv();
                if sender.send(encoder.line("BOOKMARK", &encoder.bookmark(rv, false), first_table)).await.is_err() {
                    return;
                }
            }
            () = sender.closed() => return,
            // A removed CRD ends its watches (after the DELETED events already queued).
            Ok(()) = served.changed() => {
                if !state.is_served(&encoder.def) {
                    while let Ok(change) = receiver.try_recv() {
                        if let Some((kind, object)) = translate(filter, &encoder.def, &change) {
                            let _ = sender.send(encoder.line(kind, &object, first_table)).await;
                        }
                    }
                    return;
                }
            }
            received = receiver.recv() => match received {
                Ok(change) => {
                    *last_rv = change.rv;
                    if let Some((kind, object)) = translate(filter, &encoder.def, &change)
                        && sender.send(encoder.line(kind, &object, first_table)).await.is_err()
                    {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // This watcher fell too far behind: tell it to relist, as for a too-old RV.
                    let error = ApiError::expired(format!("too old resource version: {last_rv} ({})", state.store().current_rv()));
                    let _ = sender.send(encoder.line("ERROR", &Stored::new(error.body), first_table)).await;
                    return;
                }
                Err(RecvError::Closed) => return,
            }
        }
    }
}
