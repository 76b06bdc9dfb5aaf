//! What the session is asked to watch, as the UI decides from what it shows: the namespaces to
//! watch kinds in that the user may not watch cluster-wide, and where each kind watched only on
//! demand (ReplicaSets, Pods, Events) is needed now. Pure.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Kind;

/// Where an on-demand kind is needed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Need {
    /// In every namespace (a list shown for all namespaces).
    pub everywhere: bool,
    /// In these namespaces.
    pub namespaces: BTreeSet<String>,
}

/// What to watch where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchPlan {
    /// The namespaces to watch a kind in when it may not be watched cluster-wide.
    pub namespaces: BTreeSet<String>,
    /// Where the on-demand kinds are needed (a kind not here is not needed anywhere).
    pub needed: BTreeMap<Kind, Need>,
}

impl WatchPlan {
    /// Where `kind` is needed.
    pub fn need(&self, kind: Kind) -> Need {
        self.needed.get(&kind).cloned().unwrap_or_default()
    }

    /// Asks for `kind` in `namespace`, or everywhere for `None` (or an empty name).
    pub fn ask(&mut self, kind: Kind, namespace: Option<&str>) {
        let need = self.needed.entry(kind).or_default();
        match namespace.filter(|namespace| !namespace.is_empty()) {
            Some(namespace) => {
                need.namespaces.insert(namespace.to_string());
            }
            None => need.everywhere = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asking_collects_namespaces_or_everywhere() {
        let mut plan = WatchPlan::default();
        assert_eq!(plan.need(Kind::Pod), Need::default());
        plan.ask(Kind::Pod, Some("dev"));
        plan.ask(Kind::Pod, Some("dev"));
        plan.ask(Kind::Event, Some(""));
        assert_eq!(
            plan.need(Kind::Pod)
                .namespaces
                .into_iter()
                .collect::<Vec<_>>(),
            ["dev"]
        );
        assert!(!plan.need(Kind::Pod).everywhere);
        assert!(
            plan.need(Kind::Event).everywhere,
            "an empty namespace is every one"
        );
    }
}
