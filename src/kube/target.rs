//! Which cluster the cockpit targets: the kubeconfig (as kubectl finds it: `--kubeconfig`,
//! `$KUBECONFIG`, `~/.kube/config`), the context and the namespace. Reading it never fails; a
//! missing or broken kubeconfig is reported in `problem`.

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::settings::Settings;

/// The context and namespace flightdeck shows and would connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterTarget {
    /// The context in use, if a kubeconfig was found.
    pub context: Option<String>,
    /// The cluster server URL of that context.
    pub server: Option<String>,
    /// The namespace shown (ignored when `all_namespaces`).
    pub namespace: String,
    pub all_namespaces: bool,
    /// Why no context could be chosen, for the UI.
    pub problem: Option<String>,
    /// Every context the kubeconfig names (for switching).
    pub contexts: Vec<String>,
    /// The kubeconfig user of the context (for the audit log).
    pub user: Option<String>,
}

impl ClusterTarget {
    /// Reads the kubeconfig named by `settings` (or the standard ones).
    pub fn from_settings(settings: &Settings) -> ClusterTarget {
        let kubeconfig = match &settings.kubeconfig {
            Some(path) => Kubeconfig::read_from(path)
                .map_err(|e| format!("cannot read kubeconfig {}: {e}", path.display())),
            None => Kubeconfig::read().map_err(|e| match std::env::var_os("KUBECONFIG") {
                Some(paths) => format!("cannot read $KUBECONFIG ({}): {e}", paths.to_string_lossy()),
                None if default_kubeconfig_exists() => format!("cannot read ~/.kube/config: {e}"),
                None => "no kubeconfig: ~/.kube/config does not exist and $KUBECONFIG is not set (or pass --kubeconfig)".to_string(),
            }),
        };
        let options = KubeConfigOptions {
            context: settings.context.clone(),
            ..KubeConfigOptions::default()
        };
        Self::resolve(kubeconfig, &options, settings)
    }

    fn resolve(
        kubeconfig: Result<Kubeconfig, String>,
        options: &KubeConfigOptions,
        settings: &Settings,
    ) -> ClusterTarget {
        let mut target = ClusterTarget {
            context: None,
            server: None,
            namespace: settings
                .namespace
                .clone()
                .unwrap_or_else(|| "default".into()),
            all_namespaces: settings.all_namespaces,
            problem: None,
            contexts: Vec::new(),
            user: None,
        };
        let kubeconfig = match kubeconfig {
            Ok(kubeconfig) => kubeconfig,
            Err(problem) => {
                target.problem = Some(problem);
                return target;
            }
        };
        target.contexts = kubeconfig
            .contexts
            .iter()
            .map(|named| named.name.clone())
            .collect();
        let Some(name) = options
            .context
            .clone()
            .or_else(|| kubeconfig.current_context.clone())
        else {
            target.problem = Some("the kubeconfig has no current-context; pass --context".into());
            return target;
        };
        let Some(context) = kubeconfig.contexts.iter().find(|named| named.name == name) else {
            target.problem = Some(format!("context `{name}` is not in the kubeconfig"));
            return target;
        };
        let details = context.context.as_ref();
        if settings.namespace.is_none()
            && let Some(namespace) = details.and_then(|c| c.namespace.clone())
        {
            target.namespace = namespace;
        }
        target.server = details
            .and_then(|c| {
                kubeconfig
                    .clusters
                    .iter()
                    .find(|cluster| cluster.name == c.cluster)
            })
            .and_then(|cluster| cluster.cluster.as_ref())
            .and_then(|cluster| cluster.server.clone());
        target.user = details
            .and_then(|c| c.user.clone())
            .filter(|u| !u.is_empty());
        target.context = Some(name);
        target
    }

    /// How the title bar names the namespace scope.
    pub fn scope(&self) -> &str {
        if self.all_namespaces {
            "all namespaces"
        } else {
            &self.namespace
        }
    }
}

fn default_kubeconfig_exists() -> bool {
    std::env::var_os("HOME")
        .is_some_and(|home| std::path::Path::new(&home).join(".kube/config").exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster: { server: "https://127.0.0.1:6443" }
contexts:
- name: dev
  context: { cluster: c1, user: u1, namespace: team-a }
- name: prod-eu
  context: { cluster: c1, user: u1 }
users:
- name: u1
  user: { token: secret-token }
"#;

    fn target(context: Option<&str>, namespace: Option<&str>) -> ClusterTarget {
        let kubeconfig = Kubeconfig::from_yaml(KUBECONFIG).map_err(|e| e.to_string());
        let settings = Settings {
            namespace: namespace.map(str::to_string),
            ..Settings::default()
        };
        let options = KubeConfigOptions {
            context: context.map(str::to_string),
            ..KubeConfigOptions::default()
        };
        ClusterTarget::resolve(kubeconfig, &options, &settings)
    }

    #[test]
    fn current_context_and_its_namespace() {
        let t = target(None, None);
        assert_eq!(t.context.as_deref(), Some("dev"));
        assert_eq!(t.namespace, "team-a");
        assert_eq!(t.server.as_deref(), Some("https://127.0.0.1:6443"));
        assert_eq!(t.problem, None);
    }

    #[test]
    fn flags_override_and_unknown_contexts_are_reported() {
        let t = target(Some("prod-eu"), Some("x"));
        assert_eq!(
            (t.context.as_deref(), t.namespace.as_str()),
            (Some("prod-eu"), "x")
        );
        let t = target(Some("nope"), None);
        assert_eq!(t.context, None);
        assert_eq!(
            t.problem.as_deref(),
            Some("context `nope` is not in the kubeconfig")
        );
    }
}
