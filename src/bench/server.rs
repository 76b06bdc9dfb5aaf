//! The benchmark's API server, run in a process of its own (`flightdeck bench-server`) so the
//! cockpit's memory is measured alone: the embedded server preloaded with the fixtures, its URL
//! printed on the first line of stdout, serving until stdin closes.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncBufReadExt;

use super::fixtures::{namespaces, objects};
use crate::model::Kind;
use flightdeck_apiserver::ApiServer;
use flightdeck_apiserver::registry::ResourceDef;
use flightdeck_apiserver::state::State;
use flightdeck_apiserver::store::{Stored, key_of};
use flightdeck_apiserver::write::create_object;

/// Starts the server with `count` fixtures stored (validated as any create is).
pub async fn preloaded(count: usize) -> Result<ApiServer, String> {
    let server = ApiServer::start(Default::default())
        .await
        .map_err(|e| format!("cannot start the API server: {e}"))?;
    let state = &server.state;
    let find = |group: &str, version: &str, plural: &str| {
        state
            .registry
            .find(group, version, plural)
            .ok_or_else(|| format!("the server does not serve {plural}"))
    };
    let namespace_def = find("", "v1", "namespaces")?;
    for name in namespaces() {
        create_object(
            state,
            namespace_def,
            None,
            serde_json::json!({"metadata": {"name": name}}),
            false,
            None,
        )
        .map_err(|e| format!("namespace {name}: {}", e.body))?;
    }
    for (kind, object) in objects(count) {
        let (group, version, _, plural) = kind.resource();
        let def = find(group, version, plural)?;
        let namespace = object["metadata"]["namespace"].as_str().map(str::to_string);
        // fixtures carry no managedFields: the ingest figures stay comparable across runs
        create_object(state, def, namespace.as_deref(), object, false, None)
            .map_err(|e| format!("{kind:?}: {}", e.body))?;
    }
    Ok(server)
}

/// `flightdeck bench-server --objects N`: serve until stdin closes. A line `churn RATE SECONDS`
/// on stdin changes RATE stored objects a second for SECONDS (each one a MODIFIED watch event),
/// then prints `churned N`.
pub async fn serve(count: usize) -> Result<(), String> {
    let server = preloaded(count).await?;
    println!("{}", server.url());
    answer_churn(|rate, seconds| churn(&server.state, rate, seconds)).await;
    Ok(())
}

/// Reads `churn RATE SECONDS` lines from stdin until it closes, answering each with `churned N`
/// once `churn(rate, seconds)` made N changes.
pub(super) async fn answer_churn<F: Future<Output = u64>>(mut churn: impl FnMut(u64, u64) -> F) {
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let ["churn", rate, seconds] = words[..] {
            let (Ok(rate), Ok(seconds)) = (rate.parse(), seconds.parse()) else {
                eprintln!("churn RATE SECONDS: numbers expected, got {line:?}");
                continue;
            };
            println!("churned {}", churn(rate, seconds).await);
        }
    }
}

/// Changes `rate` objects a second, every kind in turn, for `seconds`: each a field its row
/// shows (`touch`) and a new resourceVersion. Returns how many.
async fn churn(state: &State, rate: u64, seconds: u64) -> u64 {
    let objects: Vec<(&ResourceDef, Arc<Stored>)> = {
        let store = state.store();
        let mut lists: Vec<_> = Kind::ALL
            .iter()
            .filter_map(|kind| {
                let (group, version, _, plural) = kind.resource();
                let def = state.registry.find(group, version, plural)?;
                let objects = store.list(def, None);
                Some(objects.into_iter().map(move |object| (def, object)))
            })
            .collect();
        // Interleaved, so every kind's watch carries its share of the load.
        let mut interleaved = Vec::new();
        while !lists.is_empty() {
            lists.retain_mut(|list| list.next().map(|item| interleaved.push(item)).is_some());
        }
        interleaved
    };
    if objects.is_empty() {
        return 0;
    }
    const TICKS_PER_SECOND: u64 = 100;
    let mut ticks = tokio::time::interval(Duration::from_millis(1000 / TICKS_PER_SECOND));
    let mut changed = 0u64;
    for tick in 0..seconds * TICKS_PER_SECOND {
        ticks.tick().await;
        // Spread so the total after each tick is exactly the rate's share so far.
        let due = rate * (tick + 1) / TICKS_PER_SECOND;
        while changed < due {
            let (def, current) = &objects[(changed as usize) % objects.len()];
            let (namespace, name) = key_of(current);
            let def = *def;
            let mut store = state.store();
            let Some(mut object) = store.get(def, &namespace, &name).map(|o| o.value().clone())
            else {
                changed += 1;
                continue;
            };
            touch(&def.plural, &mut object, changed);
            let change = store.put(def, &namespace, &name, object);
            drop(store);
            state.publish(change);
            changed += 1;
        }
    }
    changed
}

/// The field of a `plural` object that churn change number `counter` sets, and its new value:
/// one that the kind's row shows (so the change reaches the screen, as real churn does) — a
/// message, a sync revision, available replicas, an alias, a health.
pub(super) fn touched(plural: &str, counter: u64) -> (&'static [&'static str], Value) {
    let text = Value::String(format!("churn {counter}"));
    match plural {
        "applications" => (&["status", "sync", "revision"], text),
        // At most the 5 ready replicas: a real API server refuses more.
        "replicasets" => (&["status", "availableReplicas"], Value::from(counter % 5)),
        "freights" => (&["alias"], text),
        "stages" => (&["status", "health", "status"], text),
        "pods" => (&["status", "reason"], text),
        "events" => (&["message"], text),
        _ => (&["status", "message"], text),
    }
}

/// Sets the field `touched` names in `object`.
fn touch(plural: &str, object: &mut Value, counter: u64) {
    let (path, value) = touched(plural, counter);
    // Missing objects on the way are made (a Stage or Promotion without a status yet).
    let Some((field, parents)) = path.split_last() else {
        return;
    };
    let mut at = object;
    for key in parents {
        let Some(map) = at.as_object_mut() else {
            return;
        };
        at = map
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Default::default()));
    }
    if let Some(map) = at.as_object_mut() {
        map.insert(field.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Row;

    #[test]
    fn every_kind_churned_changes_its_row() {
        for (kind, object) in objects(1) {
            let (_, _, _, plural) = kind.resource();
            let mut touched = object.clone();
            touch(plural, &mut touched, 3);
            assert_ne!(
                Row::from_object(kind, &touched),
                Row::from_object(kind, &object),
                "{kind:?}"
            );
        }
    }
}
