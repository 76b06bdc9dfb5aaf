//! What the session should watch where, decided from what the cockpit shows, and sent to the
//! host only when it changes:
//! - the namespaces to watch kinds in that the user may not watch cluster-wide: the targeted
//!   namespace (`-n` or the context's), those named by `:ns` and by `namespaces = [...]` in the
//!   config, Argo CD's namespace, and the destinations and Kargo Projects of the Applications seen;
//! - where the on-demand kinds are needed: ReplicaSets where the pipeline's Rollouts run (their
//!   weights), and for every screen on the stack what it draws — a list of ReplicaSets, Pods or
//!   Events in the namespace shown, a detail's Events (and a Rollout's ReplicaSets and Pods), a
//!   followed log's Pod. The home screen needs no Pod or Event.

use std::collections::BTreeSet;

use super::app::App;
use super::msg::Effect;
use super::screen::{Screen, View};
use crate::model::{Kind, ObjectKey};
use crate::store::WatchPlan;

/// Where Argo CD keeps its Applications unless told otherwise (its install manifests' namespace).
const ARGO_CD_NAMESPACE: &str = "argocd";

/// What a plan was made from: the generation of the Applications' namespaces, the target
/// (namespace, all), and each screen's view and object — the plan is made again only when one
/// of them changed.
type MadeFrom = (u64, (String, bool), Vec<(View, Option<ObjectKey>)>);

/// The plan last sent, what it was made from, and the namespaces named by `:ns` in this session.
#[derive(Debug, Default)]
pub struct PlanSent {
    sent: Option<WatchPlan>,
    from: Option<MadeFrom>,
    named: BTreeSet<String>,
}

impl PlanSent {
    /// Sends the plan again at the next chance (a new connection starts from nothing).
    pub fn resend(&mut self) {
        self.from = None;
        self.sent = None;
    }

    /// Remembers a namespace named by `:ns` (watched in from now on, for this session).
    pub fn name(&mut self, namespace: &str) {
        self.named.insert(namespace.to_string());
    }
}

impl App {
    /// The namespaces to watch in, as the store and the target say now.
    pub fn wanted_namespaces(&self) -> BTreeSet<String> {
        let mut namespaces = BTreeSet::from([ARGO_CD_NAMESPACE.to_string()]);
        if !self.target.namespace.is_empty() {
            namespaces.insert(self.target.namespace.clone());
        }
        namespaces.extend(self.plan.named.iter().cloned());
        namespaces.extend(self.settings.namespaces.iter().cloned());
        // A Kargo Project's Stages, Freight and Promotions live in the namespace named like the
        // Project.
        let index = self.store.index();
        namespaces.extend(index.destination_namespaces().cloned());
        namespaces.extend(index.project_namespaces().cloned());
        namespaces
    }

    /// The namespaces `:ns` completes from: those watched in and those of every row seen.
    pub fn known_namespaces(&self) -> Vec<String> {
        let mut namespaces = self.wanted_namespaces();
        for kind in Kind::ALL {
            namespaces.extend(self.store.namespaces(*kind).map(str::to_string));
        }
        namespaces.into_iter().filter(|n| !n.is_empty()).collect()
    }

    /// What to watch where, as the store, the target and the screens say now.
    pub fn watch_plan(&self) -> WatchPlan {
        let mut plan = WatchPlan {
            namespaces: self.wanted_namespaces(),
            ..WatchPlan::default()
        };
        // The namespace a list shows; `None` for all of them.
        let shown = (!self.target.all_namespaces).then_some(self.target.namespace.as_str());
        for screen in self.screens.iter() {
            self.ask_for(screen, shown, &mut plan);
        }
        plan
    }

    /// Adds what `screen` draws to `plan`.
    fn ask_for(&self, screen: &Screen, shown: Option<&str>, plan: &mut WatchPlan) {
        let namespace = screen.subject_key().map(|key| key.namespace.as_str());
        match screen.view {
            View::Pipeline | View::Waiting | View::Kargo => {
                for namespace in self.store.index().destination_namespaces() {
                    plan.ask(Kind::ReplicaSet, Some(namespace));
                }
            }
            View::List(kind) if kind.on_demand() => plan.ask(kind, shown),
            View::List(Kind::Rollout) => plan.ask(Kind::ReplicaSet, shown),
            View::List(_) | View::ActionLog => {}
            View::Detail(kind) => {
                let Some(namespace) = namespace else { return };
                let mut kinds = vec![Kind::Event, kind];
                if matches!(kind, Kind::Rollout | Kind::ReplicaSet | Kind::Workflow) {
                    kinds.extend([Kind::ReplicaSet, Kind::Pod]);
                }
                for kind in kinds.into_iter().filter(|kind| kind.on_demand()) {
                    plan.ask(kind, Some(namespace));
                }
            }
            View::Metrics(_) => {
                if let Some(namespace) = namespace {
                    plan.ask(Kind::ReplicaSet, Some(namespace));
                }
            }
            View::Logs => {
                if let Some(logs) = &screen.logs {
                    plan.ask(Kind::Pod, Some(&logs.pod.namespace));
                }
            }
        }
    }

    /// The plan, when it changed since last sent.
    pub(super) fn new_watch_plan(&mut self) -> Option<Effect> {
        let from = (
            self.store.index().namespaces_generation(),
            (self.target.namespace.clone(), self.target.all_namespaces),
            self.screens
                .iter()
                .map(|screen| {
                    let object = screen.subject_key().cloned();
                    let pod = screen.logs.as_ref().map(|logs| logs.pod.clone());
                    (screen.view, object.or(pod))
                })
                .collect(),
        );
        if self.plan.from.as_ref() == Some(&from) {
            return None;
        }
        self.plan.from = Some(from);
        let plan = self.watch_plan();
        if self.plan.sent.as_ref() == Some(&plan) {
            return None;
        }
        self.plan.sent = Some(plan.clone());
        Some(Effect::Watch(plan))
    }
}
