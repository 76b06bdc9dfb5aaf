//! Garbage collection through `metadata.ownerReferences`, as kube-controller-manager's garbage
//! collector does it: deleting an owner with `propagationPolicy` Background deletes its
//! dependents (and theirs) at once; Foreground and Orphan mark the owner with their finalizer
//! and, a moment later (`DELAY`, as the collector takes a moment), delete the dependents or
//! take the owner's reference off them, then the owner. A dependent with finalizers is marked
//! for deletion instead of removed, as the API server does.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::registry::ResourceDef;
use super::state::State;
use super::store::Store;
use super::writes::timestamp_now;

/// What happens to an owner's dependents (DeleteOptions `propagationPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    Orphan,
    Background,
    Foreground,
}

impl Propagation {
    /// From DeleteOptions (or the `propagationPolicy` query parameter): the policy given, the
    /// deprecated `orphanDependents`, else Background (the default of every kind served here).
    pub fn of(options: &Value, query_policy: Option<&str>) -> Result<Propagation, String> {
        let policy = options
            .get("propagationPolicy")
            .and_then(Value::as_str)
            .or(query_policy);
        match policy {
            Some("Orphan") => Ok(Propagation::Orphan),
            Some("Background") => Ok(Propagation::Background),
            Some("Foreground") => Ok(Propagation::Foreground),
            Some(other) => Err(format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            )),
            None if options.get("orphanDependents") == Some(&json!(true)) => {
                Ok(Propagation::Orphan)
            }
            None => Ok(Propagation::Background),
        }
    }

    /// The finalizer a real server puts on the owner while its dependents are handled; the
    /// deleted owner is answered with it (as the real server answers at that moment).
    pub fn finalizer(self) -> Option<&'static str> {
        match self {
            Propagation::Orphan => Some("orphan"),
            Propagation::Foreground => Some("foregroundDeletion"),
            Propagation::Background => None,
        }
    }
}

/// How long the collector takes to see to an owner deleted with Foreground or Orphan.
pub const DELAY: Duration = Duration::from_millis(500);

/// After `DELAY`, handles the dependents of the owner `name` marked for deletion with
/// `propagation`'s finalizer, takes the finalizer off and removes the owner once it has no
/// other. Done at once outside a runtime.
pub fn finish_later(
    state: Arc<State>,
    def: ResourceDef,
    namespace: String,
    name: String,
    propagation: Propagation,
) {
    let finish = move || {
        let mut store = state.store();
        let Some(stored) = store.get(&def, &namespace, &name) else {
            return;
        };
        let Some(finalizer) = propagation.finalizer() else {
            return;
        };
        let mut owner = stored.value().clone();
        let Some(finalizers) = owner
            .pointer_mut("/metadata/finalizers")
            .and_then(Value::as_array_mut)
        else {
            return;
        };
        if !finalizers.iter().any(|f| f == finalizer) {
            return;
        }
        finalizers.retain(|f| f != finalizer);
        let finished = finalizers.is_empty();
        let uid = owner["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        collect(&state, &mut store, &namespace, &uid, propagation);
        let change = if finished {
            store.remove(&def, &namespace, &name)
        } else {
            Some(store.put(&def, &namespace, &name, owner))
        };
        if let Some(change) = change {
            state.publish(change);
        }
        drop(store);
        if finished {
            state.forget_pod_logs(&def, &namespace, &name);
        }
    };
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(async move {
                tokio::time::sleep(DELAY).await;
                finish();
            });
        }
        Err(_) => finish(),
    }
}

/// Whether `object` names `uid` among its owners (only as its controller, when `controller`).
pub fn is_owned_by(object: &Value, uid: &str, controller: bool) -> bool {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|owners| {
            owners
                .iter()
                .any(|o| o["uid"] == uid && (!controller || o["controller"] == true))
        })
}

/// The objects (definition, namespace, name) that name `uid` as an owner: in `namespace`, or
/// anywhere for a cluster-scoped owner.
fn dependents(
    state: &State,
    store: &Store,
    namespace: &str,
    uid: &str,
) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    for (index, def) in state.registry.defs.iter().enumerate() {
        if !def.namespaced && !namespace.is_empty() {
            continue;
        }
        let scope = (!namespace.is_empty()).then_some(namespace);
        for object in store.list(def, scope) {
            if is_owned_by(object.value(), uid, false) {
                let (ns, name) = super::store::key_of(object.value());
                found.push((index, ns, name));
            }
        }
    }
    found
}

/// Handles the dependents of the owner `uid` (in `namespace`) that was just deleted.
pub fn collect(
    state: &State,
    store: &mut Store,
    namespace: &str,
    uid: &str,
    propagation: Propagation,
) {
    let mut owners = vec![(namespace.to_string(), uid.to_string())];
    while let Some((namespace, uid)) = owners.pop() {
        for (index, ns, name) in dependents(state, store, &namespace, &uid) {
            let def: &ResourceDef = &state.registry.defs[index];
            let Some(stored) = store.get(def, &ns, &name) else {
                continue;
            };
            let mut object = stored.value().clone();
            if propagation == Propagation::Orphan {
                if let Some(references) = object
                    .pointer_mut("/metadata/ownerReferences")
                    .and_then(Value::as_array_mut)
                {
                    references.retain(|o| o["uid"] != uid.as_str());
                }
                super::defaults::apply(def, &mut object);
                let change = store.put(def, &ns, &name, object);
                state.publish(change);
                continue;
            }
            let own_uid = object
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let finalized = object
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty());
            if finalized {
                if object.pointer("/metadata/deletionTimestamp").is_none() {
                    object["metadata"]["deletionTimestamp"] = json!(timestamp_now());
                    let change = store.put(def, &ns, &name, object);
                    state.publish(change);
                }
                continue;
            }
            if let Some(change) = store.remove(def, &ns, &name) {
                state.publish(change);
            }
            owners.push((ns, own_uid));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_comes_from_the_options() {
        let of = |options: Value| Propagation::of(&options, None);
        assert_eq!(of(json!({})), Ok(Propagation::Background));
        assert_eq!(
            of(json!({"propagationPolicy": "Foreground"})),
            Ok(Propagation::Foreground)
        );
        assert_eq!(
            of(json!({"orphanDependents": true})),
            Ok(Propagation::Orphan)
        );
        assert_eq!(
            Propagation::of(&json!({}), Some("Orphan")),
            Ok(Propagation::Orphan)
        );
        assert!(of(json!({"propagationPolicy": "Sideways"})).is_err());
    }
}
