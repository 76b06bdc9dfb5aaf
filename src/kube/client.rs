//! Building the Kubernetes client from the settings, as kubectl would: `--kubeconfig` (else
//! `$KUBECONFIG`, else `~/.kube/config`) and `--context` (else the current context).

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::settings::Settings;

/// Why there is no client for the configured cluster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The kubeconfig file given cannot be read or parsed.
    #[error("cannot read kubeconfig {path}: {reason}")]
    Unreadable { path: String, reason: String },
    /// The kubeconfig does not give a usable cluster (no such context, no current context, a
    /// missing credential file…); `path` is empty when found the way kubectl finds it.
    #[error("kubeconfig{}: {reason}", if path.is_empty() { String::new() } else { format!(" {path}") })]
    Kubeconfig { path: String, reason: String },
    /// The configuration could not make an HTTP client (TLS material…).
    #[error("cannot build a Kubernetes client: {0}")]
    Client(String),
}

/// A client for the configured cluster, or why there is none.
pub async fn connect(settings: &Settings) -> Result<kube::Client, ConnectError> {
    let options = KubeConfigOptions {
        context: settings.context.clone(),
        ..KubeConfigOptions::default()
    };
    let config = match &settings.kubeconfig {
        Some(path) => {
            let path_text = path.display().to_string();
            let kubeconfig = Kubeconfig::read_from(path).map_err(|e| ConnectError::Unreadable {
                path: path_text.clone(),
                reason: e.to_string(),
            })?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| ConnectError::Kubeconfig {
                    path: path_text,
                    reason: e.to_string(),
                })?
        }
        None => {
            kube::Config::from_kubeconfig(&options)
                .await
                .map_err(|e| ConnectError::Kubeconfig {
                    path: String::new(),
                    reason: e.to_string(),
                })?
        }
    };
    kube::Client::try_from(identified(config, "flightdeck"))
        .map_err(|e| ConnectError::Client(e.to_string()))
}

/// `config` sending `User-Agent: AGENT/VERSION`: the API server names the field manager of a
/// write without `fieldManager` after it, and audit logs name the client by it.
pub fn identified(mut config: kube::Config, agent: &str) -> kube::Config {
    if let Ok(value) =
        http::HeaderValue::from_str(&format!("{agent}/{}", env!("CARGO_PKG_VERSION")))
    {
        config.headers.push((http::header::USER_AGENT, value));
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(kubeconfig: &std::path::Path, context: Option<&str>) -> Settings {
        Settings {
            kubeconfig: Some(kubeconfig.to_path_buf()),
            context: context.map(str::to_string),
            ..Settings::default()
        }
    }

    #[tokio::test]
    async fn a_missing_file_and_an_unknown_context_say_which() {
        let dir = tempfile::tempdir().expect("temp");
        let missing = dir.path().join("nope.yaml");
        let Err(error) = connect(&settings(&missing, None)).await else {
            panic!("a missing kubeconfig connects");
        };
        assert!(
            matches!(&error, ConnectError::Unreadable { path, .. } if *path == missing.display().to_string()),
            "{error:?}"
        );
        let file = dir.path().join("kubeconfig.yaml");
        std::fs::write(
            &file,
            "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]\n\
             users: [{name: u, user: {token: t}}]\ncontexts: [{name: real, context: {cluster: c, user: u}}]\n\
             current-context: real\n",
        )
        .expect("write");
        let Err(error) = connect(&settings(&file, Some("prod"))).await else {
            panic!("an unknown context connects");
        };
        assert!(
            matches!(&error, ConnectError::Kubeconfig { reason, .. } if reason.contains("prod")),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with(&format!("kubeconfig {}: ", file.display()))
        );
        assert!(connect(&settings(&file, Some("real"))).await.is_ok());
    }
}
