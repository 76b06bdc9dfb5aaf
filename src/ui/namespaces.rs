//! Which namespaces the session watches the kinds in that the user may not watch cluster-wide:
//! the targeted namespace (`-n` or the context's), those named by `:ns` and by `namespaces = [...]`
//! in the config, Argo CD's namespace, and the destinations and Kargo Projects of the Applications
//! seen — sent to the host only when the set changes.

use std::collections::BTreeSet;

use super::app::App;
use super::msg::Effect;

/// Where Argo CD keeps its Applications unless told otherwise (its install manifests' namespace).
const ARGO_CD_NAMESPACE: &str = "argocd";

/// The namespaces last sent, the Application generation and target they were found at, and the
/// namespaces named by `:ns` in this session.
#[derive(Debug, Default)]
pub struct WatchedNamespaces {
    sent: BTreeSet<String>,
    from: Option<(u64, String)>,
    named: BTreeSet<String>,
}

impl WatchedNamespaces {
    /// Sends the set again at the next chance (a new connection starts from nothing).
    pub fn resend(&mut self) {
        self.from = None;
        self.sent.clear();
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
        namespaces.extend(self.namespaces.named.iter().cloned());
        namespaces.extend(self.settings.namespaces.iter().cloned());
        for app in self.store.applications() {
            if !app.destination_namespace.is_empty() {
                namespaces.insert(app.destination_namespace.clone());
            }
            // A Kargo Project's Stages, Freight and Promotions live in the namespace named
            // like the Project.
            if let Some((project, _)) = &app.kargo_stage {
                namespaces.insert(project.clone());
            }
        }
        namespaces
    }

    /// The namespaces `:ns` completes from: those watched in and those of every row seen.
    pub fn known_namespaces(&self) -> Vec<String> {
        let mut namespaces = self.wanted_namespaces();
        for kind in crate::model::Kind::ALL {
            for row in self.store.rows(*kind) {
                let namespace = &row.key().namespace;
                if !namespace.is_empty() && !namespaces.contains(namespace) {
                    namespaces.insert(namespace.clone());
                }
            }
        }
        namespaces.into_iter().collect()
    }

    /// The namespaces to watch in, when they changed since last sent.
    pub(super) fn new_watch_namespaces(&mut self) -> Option<Effect> {
        let from = (
            self.store.rows_generation(crate::model::Kind::Application),
            self.target.namespace.clone(),
        );
        if self.namespaces.from.as_ref() == Some(&from) {
            return None;
        }
        self.namespaces.from = Some(from);
        let wanted = self.wanted_namespaces();
        if wanted == self.namespaces.sent {
            return None;
        }
        self.namespaces.sent = wanted.clone();
        Some(Effect::WatchNamespaces(wanted))
    }
}
