//! Building the Kubernetes client from the settings, as kubectl would: `--kubeconfig` (else
//! `$KUBECONFIG`, else `~/.kube/config`) and `--context` (else the current context).

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::settings::Settings;

/// A client for the configured cluster, or a message saying why there is none.
pub async fn connect(settings: &Settings) -> Result<kube::Client, String> {
    let options = KubeConfigOptions {
        context: settings.context.clone(),
        ..KubeConfigOptions::default()
    };
    let config = match &settings.kubeconfig {
        Some(path) => {
            let kubeconfig = Kubeconfig::read_from(path)
                .map_err(|e| format!("cannot read kubeconfig {}: {e}", path.display()))?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| format!("kubeconfig {}: {e}", path.display()))?
        }
        None => kube::Config::from_kubeconfig(&options)
            .await
            .map_err(|e| format!("kubeconfig: {e}"))?,
    };
    kube::Client::try_from(config).map_err(|e| format!("cannot build a Kubernetes client: {e}"))
}
