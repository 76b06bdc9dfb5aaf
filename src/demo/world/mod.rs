//! The demo world: the seed's GitOps stack simulated end to end on the embedded API server. Real
//! Git repositories, a simulated image registry and traffic model, and one small controller per
//! component that acts only through the Kubernetes API, as the real one would — so kubectl sees
//! exactly what the cockpit sees.

pub mod analysis;
pub mod argocd;
pub mod context;
pub mod driver;
pub mod events;
pub mod git;
pub mod kargo;
pub mod kustomize;
pub mod manifests;
pub mod metrics;
pub mod rollouts;
pub mod timers;
pub mod workflows;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

use crate::demo::apiserver::{ApiServer, ServerOptions};
use context::{ImageRegistry, WorldContext};
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
}

/// A running world.
pub struct World {
    pub server: ApiServer,
    pub client: kube::Client,
    pub context: WorldContext,
    pub kubeconfig: PathBuf,
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
        let tasks = vec![
            tokio::spawn(events::run(context.clone())),
            tokio::spawn(workflows::run(context.clone())),
            tokio::spawn(argocd::run(context.clone())),
            tokio::spawn(rollouts::run(context.clone())),
            tokio::spawn(analysis::run(context.clone())),
            tokio::spawn(kargo::run(context.clone())),
        ];
        Ok(World {
            server,
            client,
            context,
            kubeconfig,
            tasks,
        })
    }

    /// Pushes a commit to demo-app's `main` as the developer would (a "bad" one makes a build that
    /// fails its canary analysis). Returns the commit id.
    pub fn push_commit(&self, quality: Quality, message: &str) -> Result<String, String> {
        let text = match quality {
            Quality::Good => "good\n",
            Quality::Bad => "bad\n",
        };
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
            .to_string();
        let id = self
            .context
            .repos
            .demo_app
            .commit(
                &[
                    ("BUILD_QUALITY", Some(text)),
                    ("CHANGELOG", Some(&format!("{message} ({stamp})\n"))),
                ],
                message,
                ("demo developer", "dev@demo.local"),
            )
            .map_err(|e| e.to_string())?;
        Ok(id.to_string())
    }
}

impl Drop for World {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
