//! Helpers shared by the integration tests: a deterministic app and terminal environment, wait
//! loops, keys and screens (`keys`), a test cluster on the embedded API server (`cluster`) and the
//! real control plane (`real_cluster`).

#![allow(dead_code)]

pub mod cluster;
pub mod keys;
pub mod real_cluster;
pub mod tunnel;

use std::ffi::OsString;

use flightdeck::cli::Options;
use flightdeck::kube::target::ClusterTarget;
use flightdeck::settings::{self, Environment, Loaded};
use flightdeck::ui::app::App;

/// A truecolor, UTF-8 terminal environment with nothing else set.
pub fn environment(extra: &[(&str, &str)]) -> Environment {
    let mut pairs = vec![
        ("COLORTERM".to_string(), "truecolor".to_string()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Environment::from_lookup(move |name| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| OsString::from(v))
    })
}

/// Settings loaded with no user config directory.
pub fn loaded(options: &Options, extra_env: &[(&str, &str)]) -> Loaded {
    settings::load(options, &environment(extra_env), None)
}

/// A cluster target as if the kubeconfig named `context`.
pub fn target(context: &str, namespace: &str) -> ClusterTarget {
    ClusterTarget {
        context: Some(context.to_string()),
        server: Some("https://127.0.0.1:6443".to_string()),
        namespace: namespace.to_string(),
        all_namespaces: false,
        problem: None,
        contexts: vec![context.to_string()],
        user: Some("developer".to_string()),
    }
}

/// The app as `flightdeck` starts it with default settings against context `kind-dev`.
pub fn app() -> App {
    App::new(
        loaded(&Options::default(), &[]),
        target("kind-dev", "demo-app-dev"),
    )
}

/// Applies the watchers' messages to `app` until `check` holds (or panics after `seconds`);
/// the effects they ask for are dropped.
pub async fn until_app(
    app: &mut App,
    receiver: &mut tokio::sync::mpsc::Receiver<flightdeck::ui::msg::Msg>,
    what: &str,
    seconds: u64,
    check: impl Fn(&App) -> bool,
) {
    let mut nowhere = RecordingHost::default();
    until_hosted(app, receiver, &mut nowhere, (what, seconds), check).await;
}

/// Applies messages to `app` and hands every effect they ask for to `host` (as the event loop
/// does), until `check` holds (or panics after `seconds`).
pub async fn until_hosted(
    app: &mut App,
    receiver: &mut tokio::sync::mpsc::Receiver<flightdeck::ui::msg::Msg>,
    host: &mut impl flightdeck::ui::event_loop::Host,
    (what, seconds): (&str, u64),
    check: impl Fn(&App) -> bool,
) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while !check(app) {
        let message = tokio::time::timeout_at(deadline, receiver.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
            .expect("message");
        for effect in app.update(message) {
            host.handle(effect);
        }
    }
}

/// Polls `check` every 100 ms until it returns `Some`, for up to `seconds` real seconds.
pub async fn eventually<T, F, Fut>(what: &str, seconds: u64, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The one effect (or none) a message asked for besides a new watch plan (which follows every
/// change of screen, and is tested on its own); more than one fails the test.
pub fn single(effects: Vec<flightdeck::ui::msg::Effect>) -> Option<flightdeck::ui::msg::Effect> {
    let mut effects: Vec<_> = effects
        .into_iter()
        .filter(|effect| !matches!(effect, flightdeck::ui::msg::Effect::Watch(_)))
        .collect();
    assert!(effects.len() <= 1, "more than one effect: {effects:?}");
    effects.pop()
}

/// A host that records what the loop hands it instead of doing it.
#[derive(Default)]
pub struct RecordingHost {
    pub suspended: usize,
    pub effects: Vec<flightdeck::ui::msg::Effect>,
}

impl flightdeck::ui::event_loop::Host for RecordingHost {
    fn suspend(&mut self) -> std::io::Result<()> {
        self.suspended += 1;
        Ok(())
    }

    fn handle(&mut self, effect: flightdeck::ui::msg::Effect) {
        self.effects.push(effect);
    }
}

/// `flightdeck bench ARGS --json`, which must succeed: its figures.
pub fn bench_figures(args: &[&str]) -> serde_json::Value {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("bench")
        .args(args)
        .arg("--json")
        .output()
        .expect("flightdeck bench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).expect("JSON figures")
}
