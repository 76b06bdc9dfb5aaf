//! The real control plane (`tests/realcluster/up`) for the tests: started as a child, ready when
//! it prints READY, stopped with SIGTERM (so it stops its own children and removes its files)
//! when dropped. Absent Go, `start` says SKIPPED and gives `None`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

pub struct RealCluster {
    child: Child,
    /// `up`'s stdout, line by line.
    lines: mpsc::Receiver<String>,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    pub audit_log: PathBuf,
}

/// Whether Go is on the PATH (the harness is built from Go modules).
pub fn go_available(test: &str) -> bool {
    let found = Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!(
            "SKIPPED {test}: Go is not on the PATH, so the real control plane cannot be built"
        );
    }
    found
}

impl RealCluster {
    /// Starts a control plane with `up`'s extra `flags`; `None` when Go is missing.
    pub fn start(test: &str, flags: &[&str]) -> Option<RealCluster> {
        if !go_available(test) {
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        let up = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realcluster/up");
        let mut child = Command::new(up)
            .arg("--kubeconfig-out")
            .arg(&kubeconfig)
            .args(flags)
            .stdout(Stdio::piped())
            .spawn()
            .expect("run tests/realcluster/up");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut audit_log = None;
        loop {
            // The first run builds Kubernetes: allow for it.
            match received.recv_timeout(Duration::from_secs(1800)) {
                Ok(line) if line == "READY" => break,
                Ok(line) => {
                    if let Some(path) = line.strip_prefix("audit log: ") {
                        audit_log = Some(PathBuf::from(path));
                    }
                }
                Err(_) => {
                    let status = child.try_wait().ok().flatten();
                    let _ = child.kill();
                    panic!(
                        "tests/realcluster/up did not print READY (exit: {status:?}); its messages are above"
                    );
                }
            }
        }
        Some(RealCluster {
            child,
            lines: received,
            dir,
            kubeconfig,
            audit_log: audit_log.expect("up prints the audit log's path"),
        })
    }

    /// Restarts kube-apiserver (SIGUSR1 to `up`) and waits until it is ready again.
    pub fn restart_apiserver(&self) {
        let _ = Command::new("kill")
            .arg("-USR1")
            .arg(self.child.id().to_string())
            .status();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(180)) {
                Ok(line) if line == "RESTARTED" => return,
                Ok(_) => {}
                Err(_) => panic!("kube-apiserver did not come back; up's messages are above"),
            }
        }
    }

    /// `kubectl --context CONTEXT ARGS` (own discovery cache, no user config).
    pub fn kubectl(&self, context: &str, args: &[&str]) -> Output {
        Command::new("kubectl")
            .arg("--context")
            .arg(context)
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("KUBECACHEDIR", self.dir.path().join("cache"))
            .env("HOME", self.dir.path())
            .output()
            .expect("run kubectl")
    }

    /// kubectl that must succeed; its stdout.
    pub fn kubectl_ok(&self, context: &str, args: &[&str]) -> String {
        let output = self.kubectl(context, args);
        assert!(
            output.status.success(),
            "kubectl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// A kube client for a context of the kubeconfig.
    pub async fn client(&self, context: &str) -> kube::Client {
        let kubeconfig = kube::config::Kubeconfig::read_from(&self.kubeconfig).expect("kubeconfig");
        let options = kube::config::KubeConfigOptions {
            context: Some(context.to_string()),
            ..Default::default()
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .expect("config");
        kube::Client::try_from(config).expect("client")
    }

    /// Waits until the CRDs named by `which` are Established. `kubectl wait` fails at once on a
    /// CRD whose status has no conditions yet (just created): that is asked again.
    pub fn wait_established(&self, which: &[&str]) {
        let mut args = vec!["wait", "--for=condition=Established", "--timeout=60s"];
        args.extend_from_slice(which);
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let output = self.kubectl("flightdeck-real", &args);
            let said = String::from_utf8_lossy(&output.stderr);
            if output.status.success()
                || !said.contains(".status.conditions accessor error")
                || std::time::Instant::now() > deadline
            {
                assert!(output.status.success(), "kubectl {args:?} failed: {said}");
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The demo's CRDs, its cluster manifests and the dev overlay's Rollout and
    /// AnalysisTemplates, installed with kubectl as a user would (server-side: the Workflow CRDs
    /// are too big for the last-applied annotation of client-side apply).
    pub fn install_demo(&self) {
        let repo = |path: &str| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(path)
                .to_string_lossy()
                .into_owned()
        };
        let admin = "flightdeck-real";
        self.kubectl_ok(
            admin,
            &["apply", "--server-side", "-R", "-f", &repo("demo/crds")],
        );
        self.wait_established(&["crd", "--all"]);
        self.kubectl_ok(
            admin,
            &["apply", "--server-side", "-f", &repo("demo/manifests")],
        );
        let dev = repo("demo/gitops/custom-apps/demo-app/overlays/dev");
        self.kubectl_ok(admin, &["apply", "--server-side", "-k", &dev]);
    }

    /// The completed requests of the audit log so far that `keep` selects.
    pub fn audited(&self, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.audit_events()
            .into_iter()
            .filter(|event| event["stage"] == "ResponseComplete" && keep(event))
            .collect()
    }

    /// The audit events so far (one JSON object per line).
    pub fn audit_events(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.audit_log)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }
}

/// Runs `future` on a runtime of its own (the tests here are plain `#[test]`s: the cluster's
/// child process and its helper threads outlive any one async task).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

impl Drop for RealCluster {
    fn drop(&mut self) {
        // SIGTERM, so `up` stops its components and removes its state directory.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
