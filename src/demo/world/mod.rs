//! The demo world: the seed's GitOps stack simulated end to end on the embedded API server. Real
//! Git repositories, a simulated image registry and traffic model, and one small controller per
//! component that acts only through the Kubernetes API, as the real one would — so kubectl sees
//! exactly what the cockpit sees.

pub mod analysis;
pub mod analysis_run;
pub mod argocd;
pub mod context;
pub mod developer;
pub mod driver;
pub mod endpoint;
pub mod events;
pub mod git;
pub mod git_daemon;
pub mod kargo;
pub mod kube_events;
pub mod kustomize;
pub mod manifests;
pub mod metrics;
pub mod rollouts;
pub mod timers;
pub mod workflows;

use crate::model::Kind;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

use context::{ImageRegistry, WorldContext};
use flightdeck_apiserver::{ApiServer, ServerOptions};
use git::GitRepos;
use metrics::{Quality, TrafficModel};

/// How to run the world.
#[derive(Debug, Clone)]
pub struct WorldOptions {
    /// World seconds per real second (1 = real time; tests use 100).
    pub speed: f64,
    /// Seed of every random choice (traffic noise, developer commits).
    pub seed: u64,
    /// Where the Git repositories and the kubeconfig go.
    pub state_dir: PathBuf,
    /// API server port (0 = any free port).
    pub port: u16,
    /// Port of the `/metrics` endpoint (0 = any free port).
    pub metrics_port: u16,
    /// World time between the simulated developer's commits (`None`: no automatic commits).
    pub commit_every: Option<std::time::Duration>,
    /// Every n-th automatic commit is a bad build (0: never).
    pub bad_every: u32,
}

impl WorldOptions {
    /// Options for tests: fast, deterministic, no automatic commits, any free ports.
    pub fn for_tests(state_dir: PathBuf) -> WorldOptions {
        WorldOptions {
            speed: 100.0,
            seed: 7,
            state_dir,
            port: 0,
            metrics_port: 0,
            commit_every: None,
            bad_every: 2,
        }
    }
}

/// A running world.
pub struct World {
    pub server: ApiServer,
    pub client: kube::Client,
    pub context: WorldContext,
    pub kubeconfig: PathBuf,
    /// Where `/metrics` is served.
    pub metrics_address: std::net::SocketAddr,
    /// `git daemon` serving the repositories, where git is installed.
    pub git_daemon: Option<git_daemon::GitDaemon>,
    tasks: Vec<JoinHandle<()>>,
}

impl World {
    /// Starts the API server, seeds the Git repositories, applies the manifests and starts every
    /// controller.
    pub async fn start(options: WorldOptions) -> Result<World, String> {
        let server = ApiServer::start(ServerOptions {
            port: options.port,
            ..ServerOptions::default()
        })
        .await
        .map_err(|e| format!("cannot start the API server: {e}"))?;
        let kubeconfig = options.state_dir.join("kubeconfig");
        server
            .write_kubeconfig(&kubeconfig, "demo-app-dev", None)
            .map_err(|e| format!("cannot write {}: {e}", kubeconfig.display()))?;
        let config = kube::Config::new(
            server
                .url()
                .parse()
                .map_err(|e| format!("bad server URL: {e}"))?,
        );
        // the simulated controllers' writes are theirs in managedFields
        let config = crate::kube::client::identified(config, "flightdeck-demo-world");
        let client =
            kube::Client::try_from(config).map_err(|e| format!("cannot build a client: {e}"))?;
        let repos = GitRepos::open_or_create(&options.state_dir.join("repos"))
            .map_err(|e| format!("cannot create the Git repositories: {e}"))?;
        let registry = ImageRegistry::default();
        registry.push("v1.0.0", Quality::Good);
        let context = WorldContext {
            client: client.clone(),
            speed: options.speed,
            repos: Arc::new(repos),
            registry: Arc::new(registry),
            traffic: Arc::new(Mutex::new(TrafficModel::new(40.0, options.seed))),
            server: server.state.clone(),
        };
        manifests::apply(&client, &manifests::all()?).await?;
        bootstrap_manual_environments(&context).await;
        let (metrics_address, metrics_task) =
            endpoint::serve(context.traffic.clone(), options.metrics_port)
                .await
                .map_err(|e| format!("cannot serve /metrics: {e}"))?;
        let mut tasks = vec![
            metrics_task,
            tokio::spawn(events::run(context.clone())),
            tokio::spawn(workflows::run(context.clone())),
            tokio::spawn(argocd::run(context.clone())),
            tokio::spawn(rollouts::run(context.clone())),
            tokio::spawn(analysis::run(context.clone())),
            tokio::spawn(kargo::run(context.clone())),
        ];
        if let Some(every) = options.commit_every {
            tasks.push(tokio::spawn(developer::run(
                context.clone(),
                every,
                options.bad_every,
                options.seed,
            )));
        }
        // The demo app's Services reach its metrics through the API server's service proxy.
        for env in ["dev", "staging", "prod"] {
            for service in ["demo-app-stable", "demo-app-canary"] {
                server.add_service_backend(
                    &format!("demo-app-{env}"),
                    service,
                    &format!("http://{metrics_address}"),
                );
            }
        }
        Ok(World {
            server,
            client,
            context,
            kubeconfig,
            metrics_address,
            git_daemon: git_daemon::GitDaemon::start(&options.state_dir.join("repos")),
            tasks,
        })
    }

    /// Pushes a commit to demo-app's `main` as the developer would (a "bad" one makes a build that
    /// fails its canary analysis). Returns the commit id.
    pub fn push_commit(&self, quality: Quality, message: &str) -> Result<String, String> {
        developer::push(&self.context, quality, message)
    }
}

/// Staging and prod sync only when asked: ask once at start, as an operator would have before
/// the demo began, so every environment starts out running v1.0.0.
async fn bootstrap_manual_environments(context: &WorldContext) {
    let apps = context.api_for(Kind::Application, Some("argocd"));
    for name in ["demo-app-staging", "demo-app-prod"] {
        let operation = serde_json::json!({"operation": {"sync": {"revision": "", "syncStrategy": {"hook": {}}}, "initiatedBy": {"username": "demo-bootstrap"}}});
        if let Err(error) = apps
            .patch(
                name,
                &Default::default(),
                &kube::api::Patch::Merge(operation),
            )
            .await
        {
            tracing::warn!(%error, app = name, "cannot request the initial sync");
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
