//! Which namespaces the session watches the kinds in that the user may not watch cluster-wide:
//! the targeted namespace (`-n`, the context's, or the last `:ns`), Argo CD's namespace, and the
//! destinations of the Applications seen — sent to the host only when the set changes.

use std::collections::BTreeSet;

use super::app::App;
use super::msg::Effect;

/// Where Argo CD keeps its Applications unless told otherwise (its install manifests' namespace).
const ARGO_CD_NAMESPACE: &str = "argocd";

/// The namespaces last sent, and the Application generation and target they were found at.
#[derive(Debug, Default)]
pub struct WatchedNamespaces {
    sent: BTreeSet<String>,
    from: Option<(u64, String)>,
}

impl WatchedNamespaces {
    /// Sends the set again at the next chance (a new connection starts from nothing).
    pub fn resend(&mut self) {
        self.from = None;
        self.sent.clear();
    }
}

impl App {
    /// The namespaces to watch in, as the store and the target say now.
    pub fn wanted_namespaces(&self) -> BTreeSet<String> {
        let mut namespaces = BTreeSet::from([ARGO_CD_NAMESPACE.to_string()]);
        if !self.target.namespace.is_empty() {
            namespaces.insert(self.target.namespace.clone());
        }
        namespaces.extend(
            self.store
                .applications()
                .map(|app| app.destination_namespace.clone())
                .filter(|namespace| !namespace.is_empty()),
        );
        namespaces
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
