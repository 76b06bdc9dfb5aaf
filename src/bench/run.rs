//! `flightdeck bench`: the API server preloaded with N fixtures in a separate process, the
//! cockpit headless at 200×50 drawing into a byte-counting terminal, and the figures — first
//! frame, everything ingested and drawn, RSS, frame times while scrolling and filtering, bytes for
//! a one-row change, bytes and CPU while idle, and the same objects listed by kubectl.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;

use crate::model::Kind;
use crate::store::WatchState;
use crate::ui::app::App;
use crate::ui::msg::Msg;

/// A terminal that counts the bytes written to it.
#[derive(Clone, Default)]
struct CountingWriter(Arc<AtomicUsize>);

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::SeqCst);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

type Screen = Terminal<CrosstermBackend<CountingWriter>>;

fn draw(terminal: &mut Screen, app: &App) -> Result<(), String> {
    terminal
        .draw(|frame| crate::ui::draw::draw(frame, app))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// `(kB of VmRSS, kB of VmHWM)` of this process.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU seconds used by this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are the 14th and 15th fields (12th and 13th after the command).
    (ticks(11) + ticks(12)) / 100.0
}

fn percentile(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times
        .get(((times.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Runs the benchmark with `count` objects; `idle_seconds` of idling at the end.
pub async fn run(count: usize, idle_seconds: u64) -> Result<Value, String> {
    // Counted, not built: building 30k fixtures here would be charged to the cockpit's memory.
    let expected = super::fixtures::count(count);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut server = tokio::process::Command::new(exe)
        .args(["bench-server", "--objects", &count.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start the server process: {e}"))?;
    let stdout = server.stdout.take().ok_or("no server stdout")?;
    let mut url = String::new();
    tokio::io::BufReader::new(stdout)
        .read_line(&mut url)
        .await
        .map_err(|e| e.to_string())?;
    let url = url.trim().to_string();
    if url.is_empty() {
        return Err("the server process printed no URL".into());
    }

    let start = Instant::now();
    let client =
        kube::Client::try_from(kube::Config::new(url.parse().map_err(|e| format!("{e}"))?))
            .map_err(|e| e.to_string())?;
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
    app.audit_path = None;
    let writer = CountingWriter::default();
    let bytes = writer.0.clone();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 200, 50)),
    };
    let mut terminal = Terminal::with_options(CrosstermBackend::new(writer), options)
        .map_err(|e| e.to_string())?;
    draw(&mut terminal, &app)?;
    let first_frame = start.elapsed();

    let (sender, mut receiver) = mpsc::channel(crate::ui::event_loop::CHANNEL_CAPACITY);
    let watchers = crate::kube::watch::watch_all(client, sender);
    let done = |app: &App| {
        Kind::ALL
            .iter()
            .all(|k| app.store.state(*k) == WatchState::Live)
            && Kind::ALL.iter().map(|k| app.store.count(*k)).sum::<usize>() >= expected
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
    let (rss_steady, _) = memory();

    // Scrolling through the Applications, then filtering them, a frame per key.
    let timed = |app: &mut App, terminal: &mut Screen, code| -> Result<f64, String> {
        let started = Instant::now();
        app.update(key(code));
        draw(terminal, app)?;
        Ok(started.elapsed().as_secs_f64() * 1000.0)
    };
    for code in [
        KeyCode::Char(':'),
        KeyCode::Char('a'),
        KeyCode::Char('p'),
        KeyCode::Char('p'),
        KeyCode::Enter,
    ] {
        timed(&mut app, &mut terminal, code)?;
    }
    let mut scrolling = Vec::new();
    for _ in 0..200 {
        scrolling.push(timed(&mut app, &mut terminal, KeyCode::Char('j'))?);
    }
    // The selection moves up one row: the smallest visible change a key makes.
    let before = bytes.load(Ordering::SeqCst);
    timed(&mut app, &mut terminal, KeyCode::Char('k'))?;
    let one_row = bytes.load(Ordering::SeqCst) - before;
    let mut filtering = vec![timed(&mut app, &mut terminal, KeyCode::Char('/'))?];
    for c in "app-1".chars() {
        filtering.push(timed(&mut app, &mut terminal, KeyCode::Char(c))?);
    }
    filtering.push(timed(&mut app, &mut terminal, KeyCode::Enter)?);

    // Idle: messages are applied, but nothing changes, so nothing is drawn.
    let idle_bytes_before = bytes.load(Ordering::SeqCst);
    let cpu_before = cpu_seconds();
    let idle_until = tokio::time::Instant::now() + Duration::from_secs(idle_seconds);
    while let Ok(Some(message)) = tokio::time::timeout_at(idle_until, receiver.recv()).await {
        app.dirty = false;
        app.update(message);
        if app.dirty {
            draw(&mut terminal, &app)?;
        }
    }
    let idle_bytes = bytes.load(Ordering::SeqCst) - idle_bytes_before;
    let idle_cpu = (cpu_seconds() - cpu_before) / idle_seconds.max(1) as f64 * 100.0;
    let (_, rss_peak) = memory();
    for watcher in &watchers {
        watcher.abort();
    }

    let kubectl = kubectl_listing(&url).await;
    let _ = server.kill().await;
    let ingested_ms = ingested.as_secs_f64() * 1000.0;
    Ok(json!({
        "objects": expected,
        "first_frame_ms": first_frame.as_secs_f64() * 1000.0,
        "ingested_and_drawn_ms": ingested_ms,
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
    }))
}

/// `kubectl get <kind> -A -o name` for every watched kind, one after the other (milliseconds).
async fn kubectl_listing(url: &str) -> Result<f64, String> {
    let dir = std::env::temp_dir().join(format!("flightdeck-bench-{}", std::process::id()));
    let kubeconfig = dir.join("kubeconfig");
    crate::demo::apiserver::kubeconfig::write(&kubeconfig, url, "default", None)
        .map_err(|e| e.to_string())?;
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
            .env("KUBECONFIG", &kubeconfig)
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
