//! `tests/realcluster/up` when things go wrong: a port in use, a component that dies, state left
//! by a killed run, no Go to build with. Each time it says what happened, exits non-zero (or
//! carries on, for the stale state) and leaves no process and no state directory behind.
//! Skipped, saying so, without Go.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::real_cluster::go_available;

fn up() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realcluster/up")
}

/// Builds the harness if needed (so the tests below time only `up` itself).
fn built(test: &str) -> bool {
    go_available(test)
        && Command::new(up())
            .arg("--build-only")
            .status()
            .is_ok_and(|s| s.success())
}

/// Processes whose command line names `needle`.
fn processes_naming(needle: &str) -> Vec<String> {
    let output = Command::new("pgrep")
        .arg("-af")
        .arg(needle)
        .output()
        .expect("pgrep");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.contains("pgrep"))
        .map(str::to_string)
        .collect()
}

/// Waits for `child` to exit (at most `seconds`); its exit code and stderr.
fn finish(mut child: Child, seconds: u64) -> (Option<i32>, String) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                std::io::Read::read_to_string(&mut pipe, &mut stderr).expect("stderr");
            }
            return (status.code(), stderr);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("up did not exit within {seconds} s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_port_in_use_is_said_and_nothing_starts() {
    if !built("real_cluster_up") {
        return;
    }
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let dir = tempfile::tempdir().expect("temp");
    let child = Command::new(up())
        .arg("--kubeconfig-out")
        .arg(dir.path().join("kubeconfig"))
        .args(["--port", &port])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("up");
    let (code, stderr) = finish(child, 60);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("port {port} is in use")),
        "{stderr}"
    );
    assert!(!dir.path().join("kubeconfig").exists());
}

#[test]
fn a_dying_component_stops_everything_and_says_which() {
    if !built("real_cluster_up") {
        return;
    }
    // State left by a run that was killed: removed at start.
    let stale = std::env::temp_dir().join("flightdeck-realcluster-left-by-a-killed-run");
    std::fs::create_dir_all(stale.join("etcd")).expect("stale dir");
    std::fs::write(stale.join("pid"), "2147483646").expect("pid");

    let dir = tempfile::tempdir().expect("temp");
    let mut child = Command::new(up())
        .arg("--kubeconfig-out")
        .arg(dir.path().join("kubeconfig"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("up");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut audit = String::new();
    for line in stdout.lines().map_while(Result::ok) {
        if let Some(path) = line.strip_prefix("audit log: ") {
            audit = path.to_string();
        }
        if line == "READY" {
            break;
        }
    }
    let state = Path::new(&audit).parent().expect("state dir").to_path_buf();
    assert!(state.exists());
    assert!(!stale.exists(), "the killed run's state is removed");

    // The scheduler dies.
    let scheduler = processes_naming("realcluster kube-scheduler");
    assert_eq!(scheduler.len(), 1, "{scheduler:?}");
    let pid = scheduler[0].split_whitespace().next().expect("pid");
    Command::new("kill")
        .args(["-KILL", pid])
        .status()
        .expect("kill");
    let (code, stderr) = finish(child, 60);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("kube-scheduler exited (signal: killed)"),
        "{stderr}"
    );
    assert!(stderr.contains("the end of its log"), "{stderr}");
    let left = processes_naming(&state.to_string_lossy());
    assert!(left.is_empty(), "nothing of the run is left: {left:?}");
    assert!(!state.exists(), "its state directory is removed");
}

#[test]
fn without_go_a_build_is_refused_with_the_reason() {
    if !go_available("real_cluster_up") {
        return;
    }
    // A copy of the script beside no binary, on a PATH without Go.
    let dir = tempfile::tempdir().expect("temp");
    let harness = dir.path().join("tests/realcluster");
    std::fs::create_dir_all(&harness).expect("dir");
    std::fs::copy(up(), harness.join("up")).expect("copy");
    let output = Command::new("bash")
        .arg(harness.join("up"))
        .arg("--build-only")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("up");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Go is not on the PATH"), "{stderr}");
}
