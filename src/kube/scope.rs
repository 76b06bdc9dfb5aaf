//! Where each kind is watched: over the whole cluster when the user may list and watch it there
//! (a SelfSubjectAccessReview per verb), otherwise namespace by namespace — over the namespaces
//! the cockpit cares about, which the UI sends as they become known (a watch starts when its
//! namespace appears). A namespace the user may not read shows as forbidden there, not for the
//! whole kind.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::watch::{Changes, watch_kind};
use crate::model::Kind;
use crate::store::{Scope, WatchPlan};

/// What the UI asks to watch where, as it changes.
pub type Plan = watch::Receiver<WatchPlan>;

/// Whether the user may list and watch `kind` across all namespaces. A server that cannot
/// answer is not taken as a refusal: the watch itself will say.
pub async fn may_watch_cluster_wide(client: &kube::Client, kind: Kind) -> bool {
    let (group, _, _, plural) = kind.resource();
    for verb in ["list", "watch"] {
        let attributes = json!({"group": group, "resource": plural, "verb": verb});
        let answer = super::identity::access_review(client, attributes).await;
        if answer.and_then(|a| a.pointer("/status/allowed").and_then(Value::as_bool)) == Some(false)
        {
            return false;
        }
    }
    true
}

/// Watches `kind` cluster-wide if the user may, else in each namespace of the plan's as they
/// arrive, until the receiver is gone.
pub async fn watch_where_allowed<M: From<Changes> + Send + 'static>(
    client: kube::Client,
    kind: Kind,
    mut plan: Plan,
    sender: mpsc::Sender<M>,
) {
    if may_watch_cluster_wide(&client, kind).await {
        return watch_kind(client, kind, Scope::Cluster, sender).await;
    }
    let mut watching = NamespaceWatches::default();
    loop {
        let wanted = plan.borrow_and_update().namespaces.clone();
        for namespace in wanted {
            watching.0.entry(namespace.clone()).or_insert_with(|| {
                let scope = Scope::Namespace(namespace);
                tokio::spawn(watch_kind(client.clone(), kind, scope, sender.clone()))
            });
        }
        if sender.is_closed() || plan.changed().await.is_err() {
            return;
        }
    }
}

/// A kind's watches by namespace, stopped when the kind's task ends (or is aborted).
#[derive(Default)]
struct NamespaceWatches(BTreeMap<String, tokio::task::JoinHandle<()>>);

impl Drop for NamespaceWatches {
    fn drop(&mut self) {
        for task in self.0.values() {
            task.abort();
        }
    }
}
