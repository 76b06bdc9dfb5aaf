//! Switching the cluster context while running (`:ctx NAME`): the kubeconfig is read again for
//! that context, the read-only and production rules are applied to it, everything shown from
//! the old cluster is dropped, and the host is asked for a new connection.

use super::app::{App, ToastLevel};
use super::msg::Effect;
use super::screen::{Screen, View};
use crate::kube::target::ClusterTarget;

impl App {
    /// Switches to context `name`; a context the kubeconfig does not have changes nothing.
    pub fn switch_context(&mut self, name: &str) -> Option<Effect> {
        let mut settings = self.settings.clone();
        settings.context = Some(name.to_string());
        // The new context's own namespace, unless a namespace was given on the command line.
        let target = ClusterTarget::from_settings(&settings);
        if let Some(problem) = target.problem {
            self.notify(
                ToastLevel::Error,
                format!("cannot switch context: {problem}"),
            );
            return None;
        }
        let all_namespaces = self.target.all_namespaces;
        self.target = ClusterTarget {
            all_namespaces,
            ..target
        };
        self.read_only = settings.is_read_only(name);
        self.production = settings.is_production(name);
        self.store = crate::store::Store::new(self.settings.correlation.clone());
        self.cluster_problem = None;
        // The new cluster's objects are not the ones the screens were about.
        if self
            .screens
            .pop_to_home()
            .iter()
            .any(|screen| screen.logs.is_some())
        {
            self.queue(Effect::StopLogs);
        }
        *self.screen_mut() = Screen::new(View::Pipeline);
        self.connection += 1;
        self.identity = None;
        self.connecting = true;
        self.settings = settings.clone();
        self.notify(ToastLevel::Info, format!("switched to context {name}"));
        Some(Effect::Connect {
            settings: Box::new(settings),
            connection: self.connection,
        })
    }

    /// Says which contexts the kubeconfig has (for `:ctx` without a name).
    pub fn list_contexts(&mut self) {
        let current = self.target.context.clone().unwrap_or_default();
        let names: Vec<String> = self
            .target
            .contexts
            .iter()
            .map(|name| {
                if *name == current {
                    format!("{name} (current)")
                } else {
                    name.clone()
                }
            })
            .collect();
        let text = if names.is_empty() {
            "the kubeconfig has no contexts".to_string()
        } else {
            format!("contexts: {} — :ctx NAME switches", names.join(", "))
        };
        self.notify(ToastLevel::Info, text);
    }
}
