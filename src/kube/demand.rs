//! Kinds watched only where something shown needs them (ReplicaSets, Pods, Events): a watch per
//! namespace the plan names, or one cluster-wide watch when a list is shown for every namespace
//! (namespace by namespace over the plan's namespaces if the user may not watch the whole
//! cluster). A watch no longer needed keeps running for a while (going back to a view finds its
//! rows at once), then stops, takes its rows with it and leaves the kind "not needed".

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::scope::{Plan, may_watch_cluster_wide};
use super::watch::{Changes, watch_kind};
use crate::model::Kind;
use crate::store::{Delta, Scope, WatchState};

/// How long a watch nothing needs keeps running, in the cockpit.
pub const LINGER: Duration = Duration::from_secs(60);

/// A running watch, and since when nothing needs it.
struct Running {
    task: JoinHandle<()>,
    unneeded_since: Option<Instant>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Watches `kind` where the plan needs it, stopping a watch `linger` after it is no longer
/// needed, until the plan's sender or the receiver is gone.
pub async fn watch_on_demand<M: From<Changes> + Send + 'static>(
    client: kube::Client,
    (kind, linger): (Kind, Duration),
    mut plan: Plan,
    sender: mpsc::Sender<M>,
) {
    let mut running: BTreeMap<Scope, Running> = BTreeMap::new();
    let mut cluster_allowed: Option<bool> = None;
    let not_needed = |scope: Scope| Delta::State(kind, scope, WatchState::NotNeeded);
    if send(&sender, vec![not_needed(Scope::Cluster)])
        .await
        .is_err()
    {
        return;
    }
    loop {
        let (need, plan_namespaces) = {
            let plan = plan.borrow_and_update();
            (plan.need(kind), plan.namespaces.clone())
        };
        if need.everywhere && cluster_allowed.is_none() {
            cluster_allowed = Some(may_watch_cluster_wide(&client, kind).await);
        }
        let wanted: BTreeSet<Scope> = if need.everywhere && cluster_allowed == Some(true) {
            BTreeSet::from([Scope::Cluster])
        } else if running.contains_key(&Scope::Cluster) {
            // A cluster watch still running covers every namespace until it stops.
            BTreeSet::new()
        } else {
            let extra = if need.everywhere {
                plan_namespaces
            } else {
                BTreeSet::new()
            };
            (need.namespaces.into_iter().chain(extra))
                .map(Scope::Namespace)
                .collect()
        };
        let mut ended = Vec::new();
        if wanted.contains(&Scope::Cluster) {
            // The cluster-wide list replaces every row: the namespace watches stop at once.
            running.retain(|scope, _| {
                let covered = *scope != Scope::Cluster;
                if covered {
                    ended.push(not_needed(scope.clone()));
                }
                !covered
            });
        }
        let now = Instant::now();
        for scope in &wanted {
            running
                .entry(scope.clone())
                .or_insert_with(|| Running {
                    task: tokio::spawn(watch_kind(
                        client.clone(),
                        kind,
                        scope.clone(),
                        sender.clone(),
                    )),
                    unneeded_since: None,
                })
                .unneeded_since = None;
        }
        let mut expired = Vec::new();
        for (scope, watch) in running.iter_mut().filter(|(s, _)| !wanted.contains(s)) {
            let since = *watch.unneeded_since.get_or_insert(now);
            if now.duration_since(since) >= linger {
                expired.push(scope.clone());
            }
        }
        for scope in &expired {
            running.remove(scope);
            ended.push(Delta::Replace(kind, scope.clone(), Vec::new()));
            ended.push(not_needed(scope.clone()));
        }
        if !ended.is_empty() && send(&sender, ended).await.is_err() {
            return;
        }
        if expired.contains(&Scope::Cluster) {
            // The namespaces the cluster watch covered are watched on their own now.
            continue;
        }
        let next_expiry = running
            .values()
            .filter_map(|watch| watch.unneeded_since)
            .min()
            .map(|since| since + linger);
        tokio::select! {
            changed = plan.changed() => if changed.is_err() { return },
            () = sleep_until(next_expiry) => {}
        }
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Sends deltas to the UI; `Err` when it is gone.
async fn send<M: From<Changes>>(sender: &mpsc::Sender<M>, deltas: Vec<Delta>) -> Result<(), ()> {
    sender.send(Changes(deltas).into()).await.map_err(|_| ())
}
