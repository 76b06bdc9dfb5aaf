//! End to end in a real terminal: tmux runs the binary in a shell; we press keys, read the screen,
//! and check the terminal is back in normal mode afterwards (quit, SIGTERM, ctrl-z + fg).
//! Skips with a message where tmux is missing; `.ci/run` installs it so CI always runs these.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One tmux server (own socket) with one shell session, killed on drop.
struct Tmux {
    socket: String,
    _home: tempfile::TempDir,
}

impl Tmux {
    fn start(name: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("SKIPPED: tmux is not installed (apt-get install tmux); .ci/run installs it");
            return None;
        }
        let home = tempfile::tempdir().expect("temp home");
        let socket = format!("flightdeck-test-{name}-{}", std::process::id());
        let tmux = Tmux {
            socket,
            _home: home,
        };
        let home = tmux._home.path();
        let status = Command::new("tmux")
            .args([
                "-L",
                &tmux.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "30",
                "-s",
                "t",
            ])
            .arg("env")
            .arg("-i")
            .arg(format!("HOME={}", home.display()))
            .arg(format!(
                "PATH={}",
                std::env::var("PATH").unwrap_or_default()
            ))
            .arg("TERM=xterm-256color")
            .arg("LANG=C.UTF-8")
            .arg("PS1=READY$ ")
            .args(["bash", "--norc", "--noprofile", "-i"])
            .status()
            .expect("tmux new-session");
        assert!(status.success());
        // Forward Escape at once, as a terminal does (tmux otherwise waits to see whether it
        // starts an Alt sequence, and two quick Escapes arrive as Alt-Escape).
        tmux.tmux(&["set", "-s", "escape-time", "0"]);
        tmux.wait_for("READY$", |screen| screen.contains("READY$"));
        Some(tmux)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let output = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Presses Escape, then lets the app read it on its own (so the next key is not taken as
    /// part of an escape sequence).
    fn escape(&self) {
        self.send(&["Escape"]);
        std::thread::sleep(Duration::from_millis(80));
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-t", "t", "-p"])
    }

    fn alternate_screen_on(&self) -> bool {
        self.tmux(&["display-message", "-t", "t", "-p", "#{alternate_on}"])
            .trim()
            == "1"
    }

    /// Waits up to 20 s for `ready(screen)`, panicking with the screen if it never happens.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn home(&self) -> &Path {
        self._home.path()
    }

    /// Starts flightdeck in the shell and waits for its first screen.
    fn launch(&self) {
        let binary = PathBuf::from(env!("CARGO_BIN_EXE_flightdeck"));
        let log = self.home().join("flightdeck.log");
        let command = format!(
            "{} --log-file {}; echo EXIT=$?",
            binary.display(),
            log.display()
        );
        self.send(&[&command, "Enter"]);
        self.wait_for("the first screen", |s| {
            s.contains("flightdeck │ ctx") && s.contains("No cluster to connect to")
        });
        assert!(self.alternate_screen_on());
    }

    /// The shell prompt is back, the alternate screen is off and the tty is in cooked mode.
    fn assert_terminal_restored(&self, exit: &str) {
        let screen = self.wait_for("the shell prompt", |s| {
            s.contains(exit) && s.trim_end().ends_with("READY$")
        });
        assert!(
            !screen.contains("No cluster to connect to"),
            "the cockpit is gone:\n{screen}"
        );
        assert!(!self.alternate_screen_on(), "alternate screen left on");
        self.send(&[
            "clear; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo",
            "Enter",
        ]);
        let screen = self.wait_for("stty", |s| s.contains("icanon echo"));
        assert!(
            !screen.contains("-icanon") && !screen.contains("-echo "),
            "tty not restored:\n{screen}"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

#[test]
fn help_then_quit_restores_the_shell() {
    let Some(tmux) = Tmux::start("quit") else {
        return;
    };
    tmux.launch();
    tmux.send(&["?"]);
    let screen = tmux.wait_for("the help overlay", |s| {
        s.contains("Keys") && s.contains("Quit flightdeck")
    });
    assert!(screen.contains("Open the command palette"), "{screen}");
    tmux.send(&["q"]);
    tmux.assert_terminal_restored("EXIT=0");
}

#[test]
fn sigterm_restores_the_terminal() {
    let Some(tmux) = Tmux::start("term") else {
        return;
    };
    tmux.launch();
    let pid = tmux.tmux(&["display-message", "-t", "t", "-p", "#{pane_pid}"]);
    let shell = pid.trim();
    let output = Command::new("pkill")
        .args(["-TERM", "-P", shell, "flightdeck"])
        .output()
        .expect("pkill");
    assert!(
        output.status.success(),
        "pkill found no flightdeck under the shell {shell}"
    );
    tmux.assert_terminal_restored("EXIT=0");
}

#[test]
fn ctrl_z_suspends_and_fg_resumes() {
    let Some(tmux) = Tmux::start("suspend") else {
        return;
    };
    tmux.launch();
    tmux.send(&["C-z"]);
    let screen = tmux.wait_for("the shell after ctrl-z", |s| {
        s.contains("Stopped") && s.trim_end().ends_with("READY$")
    });
    assert!(
        !tmux.alternate_screen_on(),
        "suspended with the alternate screen on:\n{screen}"
    );
    tmux.send(&["fg", "Enter"]);
    tmux.wait_for("the cockpit again", |s| {
        s.contains("No cluster to connect to")
    });
    assert!(tmux.alternate_screen_on());
    tmux.send(&["?"]);
    tmux.wait_for("keys work after resume", |s| s.contains("Quit flightdeck"));
    tmux.send(&["q"]);
    // The job's `; echo EXIT=…` already ran at ctrl-z; after `fg` only the prompt comes back.
    tmux.assert_terminal_restored("READY$ fg");
}

#[test]
fn demo_runs_the_world_and_the_cockpit_connects_to_it() {
    let Some(tmux) = Tmux::start("demo") else {
        return;
    };
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_flightdeck"));
    let state = tmux.home().join("world");
    let command = format!(
        // Fast enough that a commit reaches its canary analysis within the test's patience.
        "{} demo --speed 60 --commit-every 300 --log-file {} --state-dir {}; echo EXIT=$?",
        binary.display(),
        tmux.home().join("log").display(),
        state.display()
    );
    tmux.send(&[&command, "Enter"]);
    let screen = tmux.wait_for("the cockpit on the demo world", |s| {
        s.contains("ctx flightdeck-demo")
    });
    assert!(screen.contains("ns all namespaces"), "{screen}");
    let screen = tmux.wait_for("the pipeline of the demo app", |s| {
        s.contains("demo-app") && s.contains("staging") && s.contains("Healthy")
    });
    assert!(screen.contains("prod"), "{screen}");
    // Direct scrape mode: the demo app's request rate, error % and p95 beside each environment.
    tmux.wait_for("live metrics in the pipeline", |s| {
        s.lines()
            .any(|line| line.contains("/s ") && line.contains("% "))
    });
    tmux.send(&["w"]);
    tmux.wait_for("the waiting view", |s| s.contains("Waiting on me"));
    tmux.send(&[":"]);
    tmux.send(&["ro", "Enter"]);
    tmux.wait_for("the rollouts list", |s| {
        s.contains("Rollouts [3]") && s.contains("demo-app-staging")
    });
    tmux.send(&["Enter"]);
    tmux.wait_for("the rollout's detail", |s| {
        s.contains("Steps") && s.contains("ReplicaSets by revision")
    });
    tmux.send(&["y"]);
    tmux.wait_for("the YAML of the first rollout", |s| {
        s.contains("kind: Rollout") && s.contains("demo-app-dev/demo-app")
    });
    tmux.escape();
    tmux.escape();
    tmux.wait_for("the list again", |s| {
        !s.contains("kind: Rollout") && s.contains("Rollouts [3]")
    });
    tmux.send(&["/"]);
    tmux.send(&["prod", "Enter"]);
    tmux.wait_for("the filtered list", |s| {
        s.contains("Rollouts [1]") && s.contains("/prod")
    });
    tmux.escape();
    tmux.escape();
    tmux.escape();
    tmux.wait_for("home again", |s| {
        s.contains(" Pipeline ") && !s.contains("Rollouts [")
    });
    // An AnalysisRun of the first commit's canary: its metric, condition and measurements.
    tmux.send(&[":"]);
    tmux.send(&["ar", "Enter"]);
    tmux.wait_for("an AnalysisRun in the list", |s| {
        s.contains("AnalysisRuns [") && !s.contains("AnalysisRuns [0]")
    });
    tmux.send(&["Enter"]);
    tmux.wait_for("the AnalysisRun's detail", |s| {
        s.contains("Metric success-rate") && s.contains("result[0] >= 0.95")
    });
    tmux.escape();
    tmux.escape();
    // A build step's log, from the Workflow's step tree.
    tmux.send(&[":"]);
    tmux.send(&["wf", "Enter"]);
    tmux.wait_for("the workflows list", |s| {
        s.contains("Workflows [") && !s.contains("Workflows [0]")
    });
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("the workflow's step tree", |s| s.contains("checkout"));
    let checkout_line = screen
        .lines()
        .skip_while(|line| !line.contains("STEP"))
        .position(|line| line.contains("checkout"))
        .expect("checkout under STEP");
    // The cursor starts on the first line; the header block is 8 lines, STEP is the 8th.
    for _ in 0..(7 + checkout_line) {
        tmux.send(&["j"]);
    }
    tmux.send(&["l"]);
    tmux.wait_for("the checkout step's log", |s| {
        s.contains("[main]") && s.contains("Cloning into '/workspace'")
    });
    tmux.escape();
    tmux.wait_for("the step tree again", |s| {
        s.contains("checkout") && !s.contains("[main]")
    });
    tmux.send(&["q"]);
    tmux.assert_terminal_restored("EXIT=0");
}

#[test]
fn a_bad_canary_is_aborted_and_its_image_commit_reverted_with_keys() {
    let Some(tmux) = Tmux::start("actions") else {
        return;
    };
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: kubectl is not installed");
        return;
    }
    // The author of the revert comes from git config, as for any commit.
    std::fs::write(
        tmux.home().join(".gitconfig"),
        "[user]\n\tname = On Call\n\temail = oncall@example.com\n",
    )
    .expect("gitconfig");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_flightdeck"));
    let state = tmux.home().join("world");
    let kubeconfig = tmux.home().join("kubeconfig");
    // Every commit is a bad build; one every 15 s of real time.
    let command = format!(
        "{} demo --speed 60 --commit-every 900 --bad-every 1 --kubeconfig-out {} --log-file {} --state-dir {}; echo EXIT=$?",
        binary.display(),
        kubeconfig.display(),
        tmux.home().join("log").display(),
        state.display()
    );
    tmux.send(&[&command, "Enter"]);
    tmux.wait_for("the pipeline", |s| {
        s.contains("demo-app") && s.contains("Healthy")
    });
    tmux.send(&[":"]);
    tmux.send(&["ro", "Enter"]);
    tmux.wait_for("the rollouts", |s| s.contains("Rollouts [3]"));
    // dev sorts first and is selected: wait for its canary and abort it. A commit arrives every
    // 15 s: one that lands right after the abort starts a new canary (the controller clears
    // `abort` for a new template, as the real one does), so the abort is tried again then.
    let canary = |s: &str| {
        s.lines().any(|line| {
            line.contains("demo-app-dev")
                && (line.contains("Progressing") || line.contains("Paused"))
        })
    };
    let degraded = |s: &str| {
        s.lines()
            .any(|line| line.contains("demo-app-dev") && line.contains("Degraded"))
    };
    let mut aborts = 0;
    loop {
        let start = Instant::now();
        while !canary(&tmux.screen()) {
            assert!(
                start.elapsed() < Duration::from_secs(40),
                "no canary in dev:\n{}",
                tmux.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        tmux.send(&["A"]);
        tmux.wait_for("the confirmation", |s| {
            s.contains("abort rollout demo-app-dev/demo-app")
                && s.contains("kubectl argo rollouts abort demo-app -n demo-app-dev")
                && s.contains("/status")
        });
        tmux.send(&["Enter"]);
        aborts += 1;
        let start = Instant::now();
        while !degraded(&tmux.screen()) && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(50));
        }
        if degraded(&tmux.screen()) {
            break;
        }
        assert!(
            aborts < 3,
            "the rollout never showed aborted:\n{}",
            tmux.screen()
        );
    }
    let kubectl = |args: &[&str]| {
        let output = Command::new("kubectl")
            .args(args)
            .env("KUBECONFIG", &kubeconfig)
            .env("HOME", tmux.home())
            .output()
            .expect("kubectl");
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    let message = kubectl(&[
        "get",
        "rollouts.argoproj.io",
        "demo-app",
        "-n",
        "demo-app-dev",
        "-o",
        "jsonpath={.status.message}",
    ]);
    assert!(
        message.contains("RolloutAborted"),
        "kubectl says: {message}"
    );

    // Revert the image commit of dev in Git, from the Application.
    tmux.escape();
    tmux.send(&[":"]);
    tmux.send(&["app", "Enter"]);
    tmux.wait_for("the applications", |s| s.contains("Applications [3]"));
    tmux.send(&["v"]);
    tmux.wait_for("the commits", |s| s.contains("Revert which commit"));
    tmux.send(&["overlays/dev"]);
    tmux.send(&["Enter"]);
    tmux.wait_for("the revert's diff", |s| {
        s.contains("Revert \"Updated demo-app/overlays/dev to use new image\"")
            && s.contains("newTag:")
            && s.contains("git revert --no-edit")
    });
    tmux.send(&["Enter"]);
    let repo = state.join("repos").join("custom-apps.git");
    let start = Instant::now();
    loop {
        let output = Command::new("git")
            .arg("--git-dir")
            .arg(&repo)
            .args(["log", "-1", "--format=%s|%an"])
            .output()
            .expect("git log");
        let last = String::from_utf8_lossy(&output.stdout).to_string();
        if last.starts_with("Revert \"Updated demo-app/overlays/dev to use new image\"|On Call") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "git log -1: {last}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.send(&["L"]);
    tmux.wait_for("the action log", |s| {
        s.contains("Action log") && s.matches("confirmed: sent").count() == aborts + 1
    });
    tmux.send(&["q"]);
    tmux.assert_terminal_restored("EXIT=0");
}

/// On the real Argo Rollouts controller: `:ro`, abort the paused canary with `A` and its
/// confirmation, see Degraded; undo with `U` to the stable revision, see Healthy.
#[test]
fn the_real_controller_aborts_and_undoes_from_the_keys() {
    let Some(tmux) = Tmux::start("real-rollouts") else {
        return;
    };
    let Some(cluster) = common::real_cluster::RealCluster::start(
        "tmux_e2e real controller",
        &["--with", "rollouts"],
    ) else {
        return;
    };
    let admin = "flightdeck-real";
    cluster.kubectl_ok(admin, &["create", "namespace", "shop"]);
    let rollout = |image: &str| {
        serde_json::json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": image}]}},
                "strategy": {"canary": {"steps": [{"setWeight": 25}, {"pause": {}}]}}}})
        .to_string()
    };
    let apply = |image: &str| {
        let path = cluster.dir.path().join("rollout.json");
        std::fs::write(&path, rollout(image)).expect("write");
        cluster.kubectl_ok(
            admin,
            &["apply", "--server-side", "-f", &path.to_string_lossy()],
        );
    };
    let field = |path: &str| {
        let jsonpath = format!("jsonpath={{{path}}}");
        cluster.kubectl_ok(
            admin,
            &["-n", "shop", "get", "rollout", "web", "-o", &jsonpath],
        )
    };
    let phase = || field(".status.phase");
    let wait_phase = |wanted: &str| {
        let start = Instant::now();
        while phase() != wanted {
            assert!(start.elapsed() < Duration::from_secs(60), "never {wanted}");
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    apply("shop/web:1.0");
    wait_phase("Healthy");
    apply("shop/web:2.0");
    wait_phase("Paused");

    let binary = PathBuf::from(env!("CARGO_BIN_EXE_flightdeck"));
    let command = format!(
        "{} --kubeconfig {} --context {admin} --namespace shop --log-file {}; echo EXIT=$?",
        binary.display(),
        cluster.kubeconfig.display(),
        tmux.home().join("flightdeck.log").display()
    );
    tmux.send(&[&command, "Enter"]);
    tmux.wait_for("the cockpit", |s| s.contains("ctx flightdeck-real"));
    tmux.send(&[":"]);
    tmux.send(&["ro"]);
    tmux.wait_for("the command line", |s| s.contains(":ro"));
    tmux.send(&["Enter"]);
    let row = |word: &'static str| {
        move |s: &str| {
            s.lines()
                .any(|line| line.contains("web") && line.contains(word))
        }
    };
    tmux.wait_for("the paused canary", row("Paused"));
    tmux.send(&["A"]);
    tmux.wait_for("the confirmation", |s| {
        s.contains("abort rollout shop/web")
            && s.contains("kubectl argo rollouts abort web -n shop")
    });
    tmux.send(&["Enter"]);
    tmux.wait_for("Degraded", row("Degraded"));
    assert_eq!(phase(), "Degraded");
    tmux.send(&["U"]);
    tmux.wait_for("the revisions", |s| {
        s.contains("Undo shop/web to") && s.contains("revision 1")
    });
    tmux.send(&["Enter"]);
    tmux.wait_for("the undo's confirmation", |s| {
        s.contains("undo rollout shop/web")
    });
    tmux.send(&["Enter"]);
    tmux.wait_for("Healthy", row("Healthy"));
    assert_eq!(phase(), "Healthy");
    let image = field(".spec.template.spec.containers[0].image");
    assert_eq!(image, "shop/web:1.0");
    tmux.send(&["q"]);
    tmux.assert_terminal_restored("EXIT=0");
}
