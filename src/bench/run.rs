//! `flightdeck bench`: the API server preloaded with N fixtures in a separate process (or an
//! existing cluster they are written into, `cluster.rs`), the cockpit headless at 200×50 drawing into a byte-counting terminal, and the figures — first
//! frame, everything ingested and drawn, RSS, frame times while scrolling and filtering, bytes for
//! a one-row change, the load phase (`load.rs`), bytes and CPU while idle, and the same objects
//! listed by kubectl.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;

use super::cluster::Cluster;
use super::load::Load;
use super::measure::{CountingWriter, cpu_seconds, memory, percentile};
use crate::model::Kind;
use crate::store::WatchState;
use crate::ui::app::App;
use crate::ui::msg::Msg;

pub(super) type Screen = Terminal<CrosstermBackend<CountingWriter>>;

pub(super) fn draw(terminal: &mut Screen, app: &App) -> Result<(), String> {
    terminal
        .draw(|frame| crate::ui::draw::draw(frame, app))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// What to measure: how many objects, the load phase, how long to idle at the end, and where
/// (the embedded server, or an existing cluster the fixtures are loaded into).
#[derive(Debug, Clone)]
pub struct Options {
    pub objects: usize,
    pub load: Load,
    pub idle_seconds: u64,
    pub cluster: Option<Cluster>,
}

/// Runs the benchmark and returns its figures.
pub async fn run(options: Options) -> Result<Value, String> {
    let Options {
        objects: count,
        load,
        idle_seconds,
        cluster,
    } = options;
    // Counted, not built: building 30k fixtures here would be charged to the cockpit's memory.
    let expected = super::fixtures::count(count);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut server_args = vec![
        "bench-server".to_string(),
        "--objects".into(),
        count.to_string(),
    ];
    if let Some(cluster) = &cluster {
        server_args.push("--cluster".into());
        server_args.extend(cluster.kubectl_args());
    }
    let mut server = tokio::process::Command::new(exe)
        .args(&server_args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start the server process: {e}"))?;
    let mut server_input = server.stdin.take().ok_or("no server stdin")?;
    let mut server_output =
        tokio::io::BufReader::new(server.stdout.take().ok_or("no server stdout")?).lines();
    let url = server_output
        .next_line()
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    if url.is_empty() {
        return Err("the server process printed no URL".into());
    }

    let start = Instant::now();
    // The cockpit's own CPU while ingesting, and the server process's apart.
    let cpu_at_start = cpu_seconds(None);
    let server_pid = server.id();
    let server_cpu = || server_pid.map_or(0.0, |pid| cpu_seconds(Some(pid)));
    let server_cpu_at_start = server_cpu();
    let config = match &cluster {
        Some(cluster) => cluster.config().await?,
        None => kube::Config::new(url.parse().map_err(|e| format!("{e}"))?),
    };
    let client = kube::Client::try_from(config).map_err(|e| e.to_string())?;
    let loaded = crate::settings::load(
        &Default::default(),
        &crate::settings::Environment::from_lookup(|_| None),
        None,
    );
    let target = crate::kube::target::ClusterTarget {
        context: Some("bench".into()),
        server: Some(url.clone()),
        namespace: "default".into(),
        all_namespaces: true,
        problem: None,
        contexts: Vec::new(),
        user: None,
    };
    let mut app = App::new(loaded, target);
    app.size = (200, 50);
    app.actions.audit_path = None;
    let writer = CountingWriter::default();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 200, 50)),
    };
    let mut terminal = Terminal::with_options(CrosstermBackend::new(writer.clone()), options)
        .map_err(|e| e.to_string())?;
    draw(&mut terminal, &app)?;
    let first_frame = start.elapsed();

    let (sender, mut receiver) = mpsc::channel(crate::ui::event_loop::CHANNEL_CAPACITY);
    let watchers = crate::kube::watch::watch_all(client, sender);
    let done = |app: &App| {
        // A cluster without one of the rarer CRDs (Sensors, Experiments…) is measured without it.
        Kind::ALL.iter().all(|k| {
            matches!(
                app.store.state(*k),
                WatchState::Live | WatchState::NotInstalled
            )
        }) && Kind::ALL.iter().map(|k| app.store.count(*k)).sum::<usize>() >= expected
    };
    while !done(&app) {
        let message = tokio::time::timeout(Duration::from_secs(120), receiver.recv())
            .await
            .map_err(|_| "timed out waiting for the watchers")?
            .ok_or("the watchers stopped")?;
        app.update(message);
        while let Ok(message) = receiver.try_recv() {
            app.update(message);
        }
    }
    draw(&mut terminal, &app)?;
    let ingested = start.elapsed();
    let ingest_cpu = cpu_seconds(None) - cpu_at_start;
    let ingest_server_cpu = server_cpu() - server_cpu_at_start;
    let (rss_steady, _) = memory();
    let objects_by_kind: serde_json::Map<String, Value> = Kind::ALL
        .iter()
        .map(|kind| (kind.title().to_string(), app.store.count(*kind)))
        .filter(|(_, count)| *count > 0)
        .map(|(kind, count)| (kind, Value::from(count)))
        .collect();

    // Scrolling through the Applications, then filtering them, a frame per key.
    let timed = |app: &mut App, terminal: &mut Screen, code| -> Result<f64, String> {
        let started = Instant::now();
        app.update(key(code));
        draw(terminal, app)?;
        Ok(started.elapsed().as_secs_f64() * 1000.0)
    };
    for code in ":app".chars().map(KeyCode::Char).chain([KeyCode::Enter]) {
        timed(&mut app, &mut terminal, code)?;
    }
    let mut scrolling = Vec::new();
    for _ in 0..200 {
        scrolling.push(timed(&mut app, &mut terminal, KeyCode::Char('j'))?);
    }
    // The selection moves up one row: the smallest visible change a key makes.
    let before = writer.bytes();
    timed(&mut app, &mut terminal, KeyCode::Char('k'))?;
    let one_row = writer.bytes() - before;
    // A filter typed and applied, typed further and applied, then a regular expression, then
    // cleared: every key a frame.
    let mut filtering = Vec::new();
    for typed in [
        "/app-1\n",
        "/0\n",
        "/\x08\x08\x08\x08\x08\x08(ns-1|ns-2)$\n",
        "\x1b",
    ] {
        for c in typed.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\x08' => KeyCode::Backspace,
                '\x1b' => KeyCode::Esc,
                c => KeyCode::Char(c),
            };
            filtering.push(timed(&mut app, &mut terminal, code)?);
        }
    }

    if !app.filter().is_empty() {
        return Err(format!(
            "the filter {:?} was not cleared",
            app.filter().text()
        ));
    }
    // Under load, on the pipeline (the view that joins every kind).
    for code in ":pipeline"
        .chars()
        .map(KeyCode::Char)
        .chain([KeyCode::Enter])
    {
        timed(&mut app, &mut terminal, code)?;
    }
    let load = super::load::measure(
        &mut app,
        &mut terminal,
        &mut receiver,
        &mut server_input,
        &mut server_output,
        load,
    )
    .await?;

    // Idle: messages are applied, but nothing changes, so nothing is drawn.
    let idle_bytes_before = writer.bytes();
    let cpu_before = cpu_seconds(None);
    let idle_until = tokio::time::Instant::now() + Duration::from_secs(idle_seconds);
    while let Ok(Some(message)) = tokio::time::timeout_at(idle_until, receiver.recv()).await {
        app.dirty = false;
        app.update(message);
        if app.dirty {
            draw(&mut terminal, &app)?;
        }
    }
    let idle_bytes = writer.bytes() - idle_bytes_before;
    let idle_cpu = (cpu_seconds(None) - cpu_before) / idle_seconds.max(1) as f64 * 100.0;
    let (_, rss_peak) = memory();
    for watcher in &watchers {
        watcher.abort();
    }

    let kubectl = kubectl_listing(&url, cluster.as_ref()).await;
    let _ = server.kill().await;
    let ingested_ms = ingested.as_secs_f64() * 1000.0;
    let mut figures = json!({
        "server": if cluster.is_some() { url.clone() } else { "embedded".to_string() },
        "objects": expected,
        "objects_by_kind": objects_by_kind,
        "first_frame_ms": first_frame.as_secs_f64() * 1000.0,
        "ingested_and_drawn_ms": ingested_ms,
        "ingest_cockpit_cpu_ms": ingest_cpu * 1000.0,
        // The embedded server's process (a real cluster's API server is not ours to measure).
        "ingest_server_cpu_ms": cluster.is_none().then_some(ingest_server_cpu * 1000.0),
        "rss_steady_mb": rss_steady as f64 / 1024.0,
        "rss_peak_mb": rss_peak as f64 / 1024.0,
        "scroll_frame_p50_ms": percentile(&mut scrolling, 0.5),
        "scroll_frame_p99_ms": percentile(&mut scrolling, 0.99),
        "filter_frame_p50_ms": percentile(&mut filtering, 0.5),
        "filter_frame_p99_ms": percentile(&mut filtering, 0.99),
        "bytes_one_row_change": one_row,
        "idle_seconds": idle_seconds,
        "idle_bytes": idle_bytes,
        "idle_cpu_percent": idle_cpu,
        "kubectl_list_ms": kubectl.as_ref().ok(),
        "kubectl_error": kubectl.as_ref().err(),
        "ingest_vs_kubectl": kubectl.as_ref().ok().map(|k| ingested_ms / k),
    });
    if let (Some(figures), Value::Object(load)) = (figures.as_object_mut(), load) {
        figures.extend(load);
    }
    Ok(figures)
}

/// `kubectl get <kind> -A -o name` for every watched kind, one after the other (milliseconds).
async fn kubectl_listing(url: &str, cluster: Option<&Cluster>) -> Result<f64, String> {
    let dir = std::env::temp_dir().join(format!("flightdeck-bench-{}", std::process::id()));
    let cluster = match cluster {
        Some(cluster) => cluster.clone(),
        None => {
            let kubeconfig = dir.join("kubeconfig");
            flightdeck_apiserver::kubeconfig::write(&kubeconfig, url, "default", None)
                .map_err(|e| e.to_string())?;
            Cluster {
                kubeconfig,
                context: None,
            }
        }
    };
    let started = Instant::now();
    for kind in Kind::ALL {
        let (group, _, _, plural) = kind.resource();
        let resource = if group.is_empty() {
            plural.to_string()
        } else {
            format!("{plural}.{group}")
        };
        let output = tokio::process::Command::new("kubectl")
            .args(["get", &resource, "-A", "-o", "name"])
            .args(cluster.kubectl_args())
            .env("KUBECACHEDIR", dir.join("cache"))
            .output()
            .await
            .map_err(|e| format!("kubectl: {e}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
        }
    }
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(elapsed)
}
