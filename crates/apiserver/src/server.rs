//! Running the server: bind 127.0.0.1 (port 0 = any free port), accept connections, serve each
//! with hyper's HTTP/1.1 and the handler; stop on request. Also the kubeconfig that points
//! kube-rs and kubectl at it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::access::{Policy, User};
use super::crds::embedded_registry;
use super::handler::handle;
use super::registry::Registry;
use super::state::{ServerOptions, State};

/// A running embedded API server. Dropping it stops accepting connections.
pub struct ApiServer {
    pub address: SocketAddr,
    pub state: Arc<State>,
    stop: watch::Sender<bool>,
}

impl ApiServer {
    /// Loads the CRDs and starts serving. Needs a tokio runtime.
    pub async fn start(options: ServerOptions) -> std::io::Result<ApiServer> {
        let registry = embedded_registry().map_err(std::io::Error::other)?;
        Self::start_with(registry, options).await
    }

    /// Starts serving `registry`.
    pub async fn start_with(
        registry: Registry,
        options: ServerOptions,
    ) -> std::io::Result<ApiServer> {
        let listener = TcpListener::bind(("127.0.0.1", options.port)).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(State::new(registry, options));
        if let Some(namespaces) = state.registry.find("", "v1", "namespaces") {
            // made by the API server itself, as a real one records
            let manager = super::managed_fields::Manager {
                name: "kube-apiserver".into(),
                operation: super::managed_fields::Operation::Update,
                api_version: "v1".into(),
                subresource: None,
            };
            for name in ["default", "kube-system", "kube-public"] {
                let object =
                    serde_json::json!({"metadata": {"name": name}, "status": {"phase": "Active"}});
                let _ = super::write::create_object(
                    &state,
                    namespaces,
                    None,
                    object,
                    false,
                    Some(&manager),
                );
            }
        }
        let (stop, mut stopped) = watch::channel(false);
        let accept_state = state.clone();
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = stopped.changed() => return,
                };
                let Ok((stream, _)) = accepted else { continue };
                let state = accept_state.clone();
                let mut connection_stopped = stopped.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let state = state.clone();
                        async move {
                            Ok::<_, std::convert::Infallible>(
                                handle(state, request, address.to_string()).await,
                            )
                        }
                    });
                    let connection = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        result = connection => {
                            if let Err(error) = result {
                                tracing::debug!(%error, "connection ended with an error");
                            }
                        }
                        _ = connection_stopped.changed() => {}
                    }
                });
            }
        });
        Ok(ApiServer {
            address,
            state,
            stop,
        })
    }

    /// Deletes the CRD of `group`/`plural` as `kubectl delete crd` would (its objects go, its
    /// watches end, it answers 404); `false` if the server has no such resource.
    pub fn uninstall_crd(&self, group: &str, plural: &str) -> bool {
        self.crd(group, plural)
            .map(|def| self.state.uninstall(def))
            .is_some()
    }

    /// Installs a deleted CRD again (with no objects).
    pub fn reinstall_crd(&self, group: &str, plural: &str) -> bool {
        self.crd(group, plural)
            .map(|def| self.state.reinstall(def))
            .is_some()
    }

    fn crd(&self, group: &str, plural: &str) -> Option<&super::registry::ResourceDef> {
        self.state
            .registry
            .defs
            .iter()
            .find(|def| def.group == group && def.plural == plural && !group.is_empty())
    }

    /// Makes the service proxy pass requests for `namespace/service` to `base_url`.
    pub fn add_service_backend(&self, namespace: &str, service: &str, base_url: &str) {
        self.state
            .service_backends
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                (namespace.to_string(), service.to_string()),
                base_url.to_string(),
            );
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Writes a kubeconfig for this server (context `flightdeck-demo`); with `token`, requests
    /// act as the user registered for that token.
    pub fn write_kubeconfig(
        &self,
        path: &Path,
        namespace: &str,
        token: Option<&str>,
    ) -> std::io::Result<()> {
        let access = self.state.access.read().unwrap_or_else(|e| e.into_inner());
        let user = token.map(|token| {
            (
                token,
                access
                    .tokens
                    .get(token)
                    .map(|u| u.name.as_str())
                    .unwrap_or(token),
            )
        });
        super::kubeconfig::write(path, &self.url(), namespace, user)
    }

    /// Registers a user reachable with bearer `token`.
    pub fn add_user(&self, token: &str, name: &str, policy: Policy) {
        let user = User {
            name: name.into(),
            policy,
        };
        self.state
            .access
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .tokens
            .insert(token.into(), user);
    }

    /// Sets the policy of requests without a known token.
    pub fn set_default_policy(&self, policy: Policy) {
        self.state
            .access
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .default_user
            .policy = policy;
    }

    /// Stops accepting and closes open connections.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.stop();
    }
}
