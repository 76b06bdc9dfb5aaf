//! A test cluster: the embedded API server on a runtime of its own, a kubeconfig for it, and a
//! way to run the real kubectl against it.

use std::path::PathBuf;
use std::process::{Command, Output};

use flightdeck_apiserver::{ApiServer, ServerOptions};

pub struct TestCluster {
    pub server: ApiServer,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    pub runtime: tokio::runtime::Runtime,
}

impl TestCluster {
    pub fn start() -> TestCluster {
        Self::start_with(ServerOptions::default())
    }

    pub fn start_with(options: ServerOptions) -> TestCluster {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime
            .block_on(ApiServer::start(options))
            .expect("server starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        server
            .write_kubeconfig(&kubeconfig, "default", None)
            .expect("kubeconfig");
        TestCluster {
            server,
            dir,
            kubeconfig,
            runtime,
        }
    }

    /// Writes a kubeconfig that authenticates with `token`.
    pub fn kubeconfig_for(&self, token: &str) -> PathBuf {
        let path = self.dir.path().join(format!("kubeconfig-{token}"));
        self.server
            .write_kubeconfig(&path, "default", Some(token))
            .expect("kubeconfig");
        path
    }

    /// Writes `text` to a file in the cluster's temp dir and returns its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }

    /// `kubectl ARGS` against this cluster (own discovery cache, no user config).
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_as(&self.kubeconfig, args)
    }

    pub fn kubectl_as(&self, kubeconfig: &std::path::Path, args: &[&str]) -> Output {
        Command::new("kubectl")
            .args(args)
            .env("KUBECONFIG", kubeconfig)
            .env("KUBECACHEDIR", self.dir.path().join("cache"))
            .env("HOME", self.dir.path())
            .output()
            .expect("run kubectl")
    }
}

/// Whether kubectl is on the PATH; prints why a test is skipped when not.
pub fn kubectl_available() -> bool {
    let found = Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!(
            "SKIPPED: kubectl is not on the PATH (the development image has v1.32; .ci/run requires it)"
        );
    }
    found
}

/// stdout and stderr of an output, for assertion messages.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
