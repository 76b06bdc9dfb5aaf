//! How each kind is watched: over the whole cluster, or namespace by namespace (for a user whose
//! RBAC covers only some namespaces), each watch with its own state, and the kind's state summed
//! up for the watch line. Pure.

use std::collections::BTreeMap;

/// How a watch is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum WatchState {
    /// Not started yet.
    #[default]
    Starting,
    /// The cluster does not serve this kind (its CRD is not installed).
    NotInstalled,
    /// Listing: this many objects so far.
    Syncing(usize),
    /// Listed, and watching for changes.
    Live,
    /// The watch failed (why) and is listed again after this many seconds.
    Retrying(String, u64),
    /// The user may not list or watch this kind.
    Forbidden(String),
    /// Watched only on demand, and nothing shown needs it now.
    NotNeeded,
}

impl WatchState {
    /// Short text for the UI.
    pub fn describe(&self) -> String {
        match self {
            WatchState::Starting => "starting".into(),
            WatchState::NotInstalled => "not installed".into(),
            WatchState::Syncing(n) => format!("syncing {n}"),
            WatchState::Live => "live".into(),
            WatchState::Retrying(error, seconds) => format!("retrying in {seconds}s: {error}"),
            WatchState::Forbidden(error) => format!("forbidden: {error}"),
            WatchState::NotNeeded => "not needed".into(),
        }
    }
}

/// Where a watch looks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Every namespace at once (the user may list the kind cluster-wide).
    Cluster,
    /// One namespace.
    Namespace(String),
}

impl Scope {
    /// Whether an object in `namespace` is in this scope.
    pub fn holds(&self, namespace: &str) -> bool {
        match self {
            Scope::Cluster => true,
            Scope::Namespace(scoped) => scoped == namespace,
        }
    }
}

/// The watches of one kind and their states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindWatches(BTreeMap<Scope, WatchState>);

impl KindWatches {
    /// Records a watch's state; says whether it changed. `NotNeeded` ends the scope's watch;
    /// when no watch is left the kind as a whole is not needed.
    pub fn set(&mut self, scope: Scope, state: WatchState) -> bool {
        let before = self.clone();
        if state == WatchState::NotNeeded {
            self.0.remove(&scope);
            if self.0.is_empty() {
                self.0.insert(Scope::Cluster, WatchState::NotNeeded);
            }
        } else {
            if self.0.get(&Scope::Cluster) == Some(&WatchState::NotNeeded) {
                self.0.remove(&Scope::Cluster);
            }
            self.0.insert(scope, state);
        }
        *self != before
    }

    /// The namespaces watched one by one (none when the kind is watched cluster-wide).
    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.0.keys().filter_map(|scope| match scope {
            Scope::Namespace(namespace) => Some(namespace.as_str()),
            Scope::Cluster => None,
        })
    }

    /// The kind's state as a whole: the cluster-wide watch's; or, watched by namespace, syncing
    /// while any lists (with all their counts), live when any is live, and otherwise the most
    /// telling failure (retrying, then forbidden, then not installed).
    pub fn summary(&self) -> WatchState {
        if let Some(state) = self.0.get(&Scope::Cluster) {
            return state.clone();
        }
        let states: Vec<&WatchState> = self.0.values().collect();
        let syncing: Option<usize> = states
            .iter()
            .filter_map(|state| match state {
                WatchState::Syncing(n) => Some(*n),
                _ => None,
            })
            .reduce(|a, b| a + b);
        if let Some(count) = syncing {
            return WatchState::Syncing(count);
        }
        let first = |wanted: fn(&WatchState) -> bool| states.iter().find(|s| wanted(s));
        [
            first(|s| *s == WatchState::Live),
            first(|s| matches!(s, WatchState::Retrying(..))),
            first(|s| matches!(s, WatchState::Forbidden(_))),
            first(|s| *s == WatchState::NotInstalled),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|state| (*state).clone())
        .unwrap_or_default()
    }

    /// The watch line's words: the state, and for namespace watches in how many namespaces
    /// ("live in 3 namespaces", "live in 1 of 2 namespaces").
    pub fn describe(&self) -> String {
        let summary = self.summary();
        let total = self.namespaces().count();
        let live = self.0.values().filter(|s| **s == WatchState::Live).count();
        let noun = if total == 1 {
            "namespace"
        } else {
            "namespaces"
        };
        match (total, &summary) {
            (0, _) => summary.describe(),
            (_, WatchState::Live) if live < total => format!("live in {live} of {total} {noun}"),
            _ => format!("{} in {total} {noun}", summary.describe()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn namespace(name: &str) -> Scope {
        Scope::Namespace(name.into())
    }

    #[test]
    fn namespace_watches_sum_up_to_one_state() {
        let mut watches = KindWatches::default();
        assert_eq!(watches.summary(), WatchState::Starting);
        assert!(watches.set(namespace("dev"), WatchState::Syncing(3)));
        assert!(watches.set(namespace("staging"), WatchState::Syncing(2)));
        assert_eq!(watches.summary(), WatchState::Syncing(5));
        watches.set(namespace("dev"), WatchState::Live);
        watches.set(
            namespace("staging"),
            WatchState::Forbidden("no access".into()),
        );
        assert_eq!(watches.summary(), WatchState::Live, "one live namespace");
        assert_eq!(watches.describe(), "live in 1 of 2 namespaces");
        assert!(
            !watches.set(namespace("dev"), WatchState::Live),
            "unchanged"
        );
        watches.set(namespace("dev"), WatchState::Retrying("dropped".into(), 2));
        assert_eq!(watches.summary(), WatchState::Retrying("dropped".into(), 2));
        assert_eq!(watches.namespaces().collect::<Vec<_>>(), ["dev", "staging"]);
        watches.set(namespace("dev"), WatchState::Live);
        watches.set(namespace("staging"), WatchState::Live);
        assert_eq!(watches.describe(), "live in 2 namespaces");
    }

    #[test]
    fn watches_no_longer_needed_leave_the_kind_not_needed() {
        let mut watches = KindWatches::default();
        assert!(watches.set(Scope::Cluster, WatchState::NotNeeded));
        assert_eq!(watches.describe(), "not needed");
        assert!(watches.set(namespace("dev"), WatchState::Syncing(0)));
        assert_eq!(watches.summary(), WatchState::Syncing(0), "needed again");
        watches.set(namespace("prod"), WatchState::Live);
        assert!(watches.set(namespace("dev"), WatchState::NotNeeded));
        assert_eq!(watches.describe(), "live in 1 namespace");
        assert!(watches.set(namespace("prod"), WatchState::NotNeeded));
        assert_eq!(watches.summary(), WatchState::NotNeeded);
        assert_eq!(watches.namespaces().count(), 0);
        assert!(
            !watches.set(namespace("prod"), WatchState::NotNeeded),
            "unchanged"
        );
    }

    #[test]
    fn a_cluster_watch_speaks_for_the_kind() {
        let mut watches = KindWatches::default();
        watches.set(Scope::Cluster, WatchState::NotInstalled);
        assert_eq!(watches.describe(), "not installed");
        assert!(Scope::Cluster.holds("anything"));
        assert!(namespace("dev").holds("dev") && !namespace("dev").holds("prod"));
    }
}
