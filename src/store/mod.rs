//! The single-writer store the UI loop owns: slim rows per kind keyed by object, each kind's
//! watch state, and a generation counter that changes whenever anything does (so views rebuild
//! only then). Pure: deltas in, queries out.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};

use crate::model::correlation::Correlation;
use crate::model::rows::{
    AnalysisRunRow, ApplicationRow, EventRow, EventSourceRow, ExperimentRow, FreightRow, PodRow,
    PromotionRow, ReplicaSetRow, RolloutRow, SensorRow, StageRow, WarehouseRow, WorkflowRow,
    WorkflowTemplateRow,
};
use crate::model::{Kind, ObjectKey, Row};

mod join_index;
mod key_set;
mod keyed;
mod plan;
mod watches;

use join_index::Change;
pub use join_index::JoinIndex;
use keyed::Keyed;
pub use plan::{Need, WatchPlan};
pub use watches::{KindWatches, Scope, WatchState};

/// A change from a watcher.
#[derive(Debug, Clone, PartialEq)]
pub enum Delta {
    /// An object was added or changed.
    Apply(Row),
    /// An object was deleted.
    Delete(Kind, ObjectKey),
    /// A (re)list in a scope finished: these are all the objects of the kind there.
    Replace(Kind, Scope, Vec<Row>),
    /// A watch of the kind changed state.
    State(Kind, Scope, WatchState),
}

/// Rows and watch states.
#[derive(Debug, Default)]
pub struct Store {
    rows: HashMap<Kind, BTreeSet<Keyed>>,
    states: HashMap<Kind, KindWatches>,
    generation: u64,
    /// The generation at which each kind's rows last changed, and its set of keys.
    rows_changed: HashMap<Kind, u64>,
    keys_changed: HashMap<Kind, u64>,
    /// What the pipeline joins through, kept up to date with every row.
    index: JoinIndex,
    /// What the user told the pipeline (the grouping label, per-application build rules).
    correlation: Correlation,
}

impl Store {
    /// An empty store joining as `correlation` says.
    pub fn new(correlation: Correlation) -> Store {
        Store {
            index: JoinIndex::new(&correlation.app_label),
            correlation,
            ..Store::default()
        }
    }

    /// What the user told the pipeline.
    pub fn correlation(&self) -> &Correlation {
        &self.correlation
    }

    /// Applies a batch of deltas; returns whether anything changed.
    pub fn apply(&mut self, deltas: impl IntoIterator<Item = Delta>) -> bool {
        let before = self.generation;
        for delta in deltas {
            match delta {
                Delta::Apply(row) => {
                    let kind = row.kind();
                    let bucket = self.rows.entry(kind).or_default();
                    let old = bucket.get(row.key()).map(|stored| &stored.0);
                    if old != Some(&row) {
                        match old {
                            Some(old) => self.index.replace(old, &row),
                            None => self.index.update(&row, Change::Add),
                        }
                        let added = bucket.replace(Keyed(row)).is_none();
                        self.changed(kind, added);
                    }
                }
                Delta::Delete(kind, key) => {
                    if let Some(old) = self.rows.entry(kind).or_default().take(&key) {
                        self.index.update(&old.0, Change::Remove);
                        self.changed(kind, true);
                    }
                }
                Delta::Replace(kind, scope, rows) => {
                    if self.replace(kind, &scope, rows) {
                        self.changed(kind, true);
                    }
                }
                Delta::State(kind, scope, state) => {
                    if self.states.entry(kind).or_default().set(scope, state) {
                        self.generation += 1;
                    }
                }
            }
        }
        self.generation != before
    }

    /// Puts `rows` in place of the kind's rows in `scope`; says whether anything changed.
    fn replace(&mut self, kind: Kind, scope: &Scope, rows: Vec<Row>) -> bool {
        let bucket = self.rows.entry(kind).or_default();
        let replacement: BTreeSet<Keyed> = rows.into_iter().map(Keyed).collect();
        let current = bucket
            .iter()
            .filter(|stored| scope.holds(&stored.0.key().namespace));
        if current.clone().count() == replacement.len()
            && current.zip(&replacement).all(|(a, b)| a.0 == b.0)
        {
            return false;
        }
        let index = &mut self.index;
        bucket.retain(|stored| {
            let kept = !scope.holds(&stored.0.key().namespace);
            if !kept {
                index.update(&stored.0, Change::Remove);
            }
            kept
        });
        for stored in &replacement {
            index.update(&stored.0, Change::Add);
        }
        bucket.extend(replacement);
        true
    }

    /// What the pipeline joins through.
    pub fn index(&self) -> &JoinIndex {
        &self.index
    }

    fn changed(&mut self, kind: Kind, keys: bool) {
        self.generation += 1;
        self.rows_changed.insert(kind, self.generation);
        if keys {
            self.keys_changed.insert(kind, self.generation);
        }
    }

    /// Changes when a row of `kind` does (0: never).
    pub fn rows_generation(&self, kind: Kind) -> u64 {
        self.rows_changed.get(&kind).copied().unwrap_or(0)
    }

    /// Changes when a row of `kind` is added or removed (0: never).
    pub fn keys_generation(&self, kind: Kind) -> u64 {
        self.keys_changed.get(&kind).copied().unwrap_or(0)
    }

    /// Changes whenever anything in the store does.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The kind's watch state as a whole.
    pub fn state(&self, kind: Kind) -> WatchState {
        self.states
            .get(&kind)
            .map(KindWatches::summary)
            .unwrap_or_default()
    }

    /// The kind's watches (over the cluster, or one per namespace) and their states.
    pub fn watches(&self, kind: Kind) -> Option<&KindWatches> {
        self.states.get(&kind)
    }

    /// The kind's watch state in words, with the namespaces it is watched in when it is watched
    /// namespace by namespace ("live in 3 namespaces").
    pub fn describe_watch(&self, kind: Kind) -> String {
        self.watches(kind)
            .map_or_else(|| WatchState::default().describe(), KindWatches::describe)
    }

    /// Whether the kind is watched namespace by namespace (the user may not list it
    /// cluster-wide).
    pub fn watched_by_namespace(&self, kind: Kind) -> bool {
        self.watches(kind)
            .is_some_and(|watches| watches.namespaces().next().is_some())
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.rows.get(&kind).map(BTreeSet::len).unwrap_or(0)
    }

    /// Every row of a kind, in key order.
    pub fn rows(&self, kind: Kind) -> impl Iterator<Item = &Row> {
        self.rows
            .get(&kind)
            .into_iter()
            .flat_map(|rows| rows.iter().map(|stored| &stored.0))
    }

    pub fn get(&self, kind: Kind, key: &ObjectKey) -> Option<&Row> {
        self.rows.get(&kind)?.get(key).map(|stored| &stored.0)
    }

    /// The Rollouts in one namespace, in name order.
    pub fn rollouts_in<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a RolloutRow> {
        self.rows_in(Kind::Rollout, namespace)
            .filter_map(|row| match row {
                Row::Rollout(rollout) => Some(&**rollout),
                _ => None,
            })
    }

    /// The Promotions in one namespace, in name order.
    pub fn promotions_in<'a>(
        &'a self,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a PromotionRow> {
        self.rows_in(Kind::Promotion, namespace)
            .filter_map(|row| match row {
                Row::Promotion(promotion) => Some(promotion),
                _ => None,
            })
    }

    /// The actual canary weight of `rollout` as the plugin computes it, from the available
    /// replicas of its canary ReplicaSet.
    pub fn actual_weight(&self, rollout: &RolloutRow) -> u32 {
        let canary = rollout
            .canary_hash()
            .and_then(|hash| self.rollout_replica_set(rollout, hash))
            .map(|rs| rs.available);
        rollout.actual_weight(canary)
    }

    /// The image `rollout` runs: its template's, or for a `workloadRef` Rollout (no template of
    /// its own) the current ReplicaSet's.
    pub fn rollout_image<'a>(&'a self, rollout: &'a RolloutRow) -> &'a str {
        if !rollout.image.is_empty() {
            return &rollout.image;
        }
        self.rollout_replica_set(rollout, &rollout.current_hash)
            .map_or("", |rs| rs.image.as_str())
    }

    /// The ReplicaSet of `rollout` with pod-template hash `hash`.
    fn rollout_replica_set<'a>(
        &'a self,
        rollout: &'a RolloutRow,
        hash: &str,
    ) -> Option<&'a ReplicaSetRow> {
        if hash.is_empty() {
            return None;
        }
        self.rows_in(Kind::ReplicaSet, &rollout.key.namespace)
            .find_map(|row| match row {
                Row::ReplicaSet(rs)
                    if rs.pod_template_hash == hash
                        && rs.rollout.as_deref() == Some(rollout.key.name.as_str()) =>
                {
                    Some(rs)
                }
                _ => None,
            })
    }

    /// The namespaces the kind has rows in, in order: one lookup per namespace (rows are kept
    /// in namespace order), not a walk over every row.
    pub fn namespaces(&self, kind: Kind) -> impl Iterator<Item = &str> {
        let rows = self.rows.get(&kind);
        let mut next = rows.and_then(BTreeSet::first);
        std::iter::from_fn(move || {
            let namespace = next?.0.key().namespace.as_str();
            // Every namespace after this one sorts at or after it followed by a NUL.
            let after = ObjectKey::new(format!("{namespace}\0"), "");
            next = rows.and_then(|rows| rows.range::<ObjectKey, _>(after..).next());
            Some(namespace)
        })
    }

    /// The rows of a kind in one namespace, in name order (a range of the key order).
    pub fn rows_in<'a>(&'a self, kind: Kind, namespace: &'a str) -> impl Iterator<Item = &'a Row> {
        let start = ObjectKey::new(namespace, "");
        self.rows
            .get(&kind)
            .into_iter()
            .flat_map(move |rows| rows.range::<ObjectKey, _>(start.clone()..))
            .map(|stored| &stored.0)
            .take_while(move |row| row.key().namespace == namespace)
    }
}

macro_rules! typed {
    ($($method:ident, $getter:ident: $kind:ident => $row:ident;)*) => {
        impl Store {
            $(
                pub fn $method(&self) -> impl Iterator<Item = &$row> {
                    self.rows(Kind::$kind).filter_map(|row| match row { Row::$kind(r) => Some(Borrow::<$row>::borrow(r)), _ => None })
                }

                pub fn $getter(&self, key: &ObjectKey) -> Option<&$row> {
                    match self.get(Kind::$kind, key) { Some(Row::$kind(r)) => Some(Borrow::<$row>::borrow(r)), _ => None }
                }
            )*
        }
    };
}

typed! {
    workflows, workflow: Workflow => WorkflowRow;
    applications, application: Application => ApplicationRow;
    rollouts, rollout: Rollout => RolloutRow;
    analysis_runs, analysis_run: AnalysisRun => AnalysisRunRow;
    freights, freight: Freight => FreightRow;
    stages, stage: Stage => StageRow;
    promotions, promotion: Promotion => PromotionRow;
    replica_sets, replica_set: ReplicaSet => ReplicaSetRow;
    pods, pod: Pod => PodRow;
    events, event: Event => EventRow;
    workflow_templates, workflow_template: WorkflowTemplate => WorkflowTemplateRow;
    event_sources, event_source: EventSource => EventSourceRow;
    sensors, sensor: Sensor => SensorRow;
    warehouses, warehouse: Warehouse => WarehouseRow;
    experiments, experiment: Experiment => ExperimentRow;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn workflow(name: &str, phase: &str) -> Row {
        Row::from_object(
            Kind::Workflow,
            &json!({"metadata": {"name": name, "namespace": "argo"}, "status": {"phase": phase}}),
        )
    }

    #[test]
    fn the_namespaces_a_kind_has_rows_in() {
        let mut store = Store::default();
        assert_eq!(store.namespaces(Kind::Pod).count(), 0);
        let pod = |namespace: &str, name: &str| {
            Delta::Apply(Row::from_object(
                Kind::Pod,
                &json!({"metadata": {"name": name, "namespace": namespace}}),
            ))
        };
        store.apply([
            pod("dev", "a"),
            pod("dev", "b"),
            pod("dev-2", "a"),
            pod("de", "z"),
            pod("prod", "a"),
        ]);
        assert_eq!(
            store.namespaces(Kind::Pod).collect::<Vec<_>>(),
            ["de", "dev", "dev-2", "prod"]
        );
    }

    #[test]
    fn deltas_replay_into_rows_and_states() {
        let mut store = Store::default();
        assert!(store.apply([Delta::State(
            Kind::Workflow,
            Scope::Cluster,
            WatchState::Syncing(0)
        )]));
        assert!(store.apply([Delta::Replace(
            Kind::Workflow,
            Scope::Cluster,
            vec![workflow("a", "Running"), workflow("b", "Succeeded")]
        )]));
        assert_eq!(store.count(Kind::Workflow), 2);
        let generation = store.generation();
        assert!(
            !store.apply([Delta::Apply(workflow("a", "Running"))]),
            "an identical row changes nothing"
        );
        assert_eq!(store.generation(), generation);
        assert!(store.apply([
            Delta::Apply(workflow("a", "Succeeded")),
            Delta::Delete(Kind::Workflow, ObjectKey::new("argo", "b"))
        ]));
        let phases: Vec<String> = store
            .workflows()
            .map(|w| format!("{}={}", w.key.name, w.phase.as_str()))
            .collect();
        assert_eq!(phases, ["a=Succeeded"]);
        assert!(
            store.apply([Delta::Replace(Kind::Workflow, Scope::Cluster, vec![])]),
            "a relist replaces everything"
        );
        assert_eq!(store.count(Kind::Workflow), 0);
        let (rows, keys) = (
            store.rows_generation(Kind::Workflow),
            store.keys_generation(Kind::Workflow),
        );
        store.apply([Delta::Apply(workflow("c", "Running"))]);
        assert!(store.keys_generation(Kind::Workflow) > keys, "a row added");
        let keys = store.keys_generation(Kind::Workflow);
        store.apply([Delta::Apply(workflow("c", "Failed"))]);
        assert!(
            store.rows_generation(Kind::Workflow) > rows,
            "a row changed"
        );
        assert_eq!(store.keys_generation(Kind::Workflow), keys, "but no key");
        assert_eq!(store.rows_generation(Kind::Pod), 0, "other kinds untouched");
        assert_eq!(store.state(Kind::Rollout), WatchState::Starting);
        assert!(store.apply([Delta::State(
            Kind::Rollout,
            Scope::Cluster,
            WatchState::NotInstalled
        )]));
        assert_eq!(store.state(Kind::Rollout).describe(), "not installed");
    }

    #[test]
    fn a_namespace_relist_replaces_only_that_namespace() {
        let mut store = Store::default();
        let row = |namespace: &str, name: &str| {
            Row::from_object(
                Kind::Workflow,
                &json!({"metadata": {"name": name, "namespace": namespace}}),
            )
        };
        let listed = |namespace: &str, rows: Vec<Row>| {
            Delta::Replace(Kind::Workflow, Scope::Namespace(namespace.into()), rows)
        };
        store.apply([
            listed("dev", vec![row("dev", "a"), row("dev", "b")]),
            listed("prod", vec![row("prod", "c")]),
        ]);
        assert_eq!(store.count(Kind::Workflow), 3);
        let generation = store.generation();
        assert!(
            !store.apply([listed("prod", vec![row("prod", "c")])]),
            "the same listing changes nothing"
        );
        assert_eq!(store.generation(), generation);
        assert!(store.apply([listed("dev", vec![row("dev", "b")])]));
        let keys: Vec<(String, String)> = store
            .rows(Kind::Workflow)
            .map(|row| (row.key().namespace.clone(), row.key().name.clone()))
            .collect();
        assert_eq!(
            keys,
            [("dev".into(), "b".into()), ("prod".into(), "c".into())]
        );
    }

    #[test]
    fn a_workload_ref_rollout_runs_its_current_replica_sets_image_and_weights_count_its_pods() {
        let mut store = Store::default();
        let owned = json!([{"kind": "Rollout", "name": "web", "controller": true}]);
        let replica_set = |hash: &str, image: &str, available: i64| {
            Delta::Apply(Row::from_object(
                Kind::ReplicaSet,
                &json!({"metadata": {"name": format!("web-{hash}"), "namespace": "shop", "labels": {"rollouts-pod-template-hash": hash}, "ownerReferences": owned},
                        "spec": {"template": {"spec": {"containers": [{"image": image}]}}}, "status": {"availableReplicas": available}}),
            ))
        };
        store.apply([
            Delta::Apply(Row::from_object(
                Kind::Rollout,
                &json!({"metadata": {"name": "web", "namespace": "shop"}, "spec": {"workloadRef": {"kind": "Deployment", "name": "web"}, "strategy": {"canary": {"steps": [{"setWeight": 25}, {"pause": {}}]}}},
                        "status": {"phase": "Paused", "currentStepIndex": 1, "stableRS": "s1", "currentPodHash": "c2", "availableReplicas": 4}}),
            )),
            replica_set("s1", "registry/web:1.4.1", 3),
            replica_set("c2", "registry/web:1.4.2", 1),
        ]);
        let rollout = store
            .rollout(&ObjectKey::new("shop", "web"))
            .expect("rollout");
        assert_eq!(store.rollout_image(rollout), "registry/web:1.4.2");
        assert_eq!(store.actual_weight(rollout), 25, "1 of 4 available pods");
    }
}
