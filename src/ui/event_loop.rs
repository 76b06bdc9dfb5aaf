//! The event loop: the single writer of the app state. It waits for messages, drains everything
//! that is ready, applies it, and draws only when something visible changed — at most one frame
//! per `FRAME_INTERVAL`, inside synchronized-output brackets, and nothing at all while idle.

use std::io::{self, Write};
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::{execute, queue};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::app::App;
use super::draw::draw;
use super::msg::{Effect, Msg};

/// Shortest time between two frames (about 60 frames a second).
pub const FRAME_INTERVAL: Duration = Duration::from_millis(16);

/// Capacity of the message channel; senders wait when the UI falls behind.
pub const CHANNEL_CAPACITY: usize = 1024;

/// What the loop asks of its surroundings: stopping the process on ctrl-z, and background
/// fetches whose answers come back as messages. The real terminal and cluster do both; tests and
/// headless runs do neither.
pub trait Host {
    fn suspend(&mut self) -> io::Result<()>;
    /// Starts fetching a whole object; the answer arrives as `Msg::Object`.
    fn fetch(&mut self, kind: crate::model::Kind, key: crate::model::ObjectKey);
    /// Starts streaming a pod container's log (closing any open stream); lines arrive as
    /// `Msg::LogLines`, the end as `Msg::LogEnded`.
    fn follow_logs(&mut self, pod: crate::model::ObjectKey, container: String);
    /// Closes the log stream, if one is open.
    fn stop_logs(&mut self);
    /// Replaces the cluster connection (watchers, client) with one made from `settings`; the
    /// outcome arrives as `Msg::Connected(connection, …)`.
    fn connect(&mut self, settings: crate::settings::Settings, connection: u64);
    /// Reads and plans `intent`; the answer arrives as `Msg::Prepared`.
    fn prepare(&mut self, intent: crate::intent::Intent);
    /// Sends a confirmed plan (refused in a read-only session); the outcome arrives as
    /// `Msg::Executed`.
    fn execute(&mut self, plan: crate::intent::Plan, read_only: bool);
    /// Reads the GitOps repository's log; it arrives as `Msg::GitLog`.
    fn git_log(&mut self, application: crate::model::ObjectKey);
    /// The (app, namespace) pairs to ask Prometheus about.
    fn metric_targets(&mut self, targets: Vec<crate::metrics::queries::MetricTarget>);
    /// Runs an AnalysisRun's queries (metric, query, start); answers arrive as
    /// `Msg::AnalysisSeries`.
    fn query_analysis(&mut self, run: crate::model::ObjectKey, queries: Vec<(String, String, f64)>);
}

/// For tests and headless runs: ctrl-z and fetches do nothing.
pub struct Headless;

impl Host for Headless {
    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn fetch(&mut self, _kind: crate::model::Kind, _key: crate::model::ObjectKey) {}

    fn follow_logs(&mut self, _pod: crate::model::ObjectKey, _container: String) {}

    fn stop_logs(&mut self) {}

    fn connect(&mut self, _settings: crate::settings::Settings, _connection: u64) {}

    fn prepare(&mut self, _intent: crate::intent::Intent) {}

    fn execute(&mut self, _plan: crate::intent::Plan, _read_only: bool) {}

    fn git_log(&mut self, _application: crate::model::ObjectKey) {}

    fn metric_targets(&mut self, _targets: Vec<crate::metrics::queries::MetricTarget>) {}

    fn query_analysis(
        &mut self,
        _run: crate::model::ObjectKey,
        _queries: Vec<(String, String, f64)>,
    ) {
    }
}

/// Runs until a `Quit` effect or until every sender is gone. Returns the number of frames drawn.
pub async fn run<W: Write>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
    app: &mut App,
    messages: &mut mpsc::Receiver<Msg>,
    host: &mut impl Host,
) -> io::Result<u64> {
    let mut frames = 0;
    let mut last_frame: Option<Instant> = None;
    loop {
        if app.dirty {
            let due = last_frame.map(|at| at + FRAME_INTERVAL);
            if due.is_none_or(|due| Instant::now() >= due) {
                draw_frame(terminal, app)?;
                frames += 1;
                last_frame = Some(Instant::now());
            }
        }
        let frame_due = app
            .dirty
            .then(|| last_frame.map(|at| at + FRAME_INTERVAL))
            .flatten();
        let toast_due = app.deadline().map(Instant::from_std);
        let wake = [frame_due, toast_due].into_iter().flatten().min();
        let first = tokio::select! {
            message = messages.recv() => match message {
                Some(message) => Some(message),
                None => return Ok(frames),
            },
            () = sleep_or_never(wake) => None,
        };
        app.on_time(std::time::Instant::now());
        let mut batch: Vec<Msg> = first.into_iter().collect();
        while let Ok(message) = messages.try_recv() {
            batch.push(message);
        }
        for message in batch {
            match app.update(message) {
                Some(Effect::Quit) => return Ok(frames),
                Some(Effect::Redraw) => {
                    repaint_everything(terminal)?;
                    app.dirty = true;
                }
                Some(Effect::Suspend) => {
                    host.suspend()?;
                    repaint_everything(terminal)?;
                    app.dirty = true;
                }
                Some(Effect::Fetch(kind, key)) => host.fetch(kind, key),
                Some(Effect::FollowLogs { pod, container }) => host.follow_logs(pod, container),
                Some(Effect::StopLogs) => host.stop_logs(),
                Some(Effect::Connect {
                    settings,
                    connection,
                }) => host.connect(*settings, connection),
                Some(Effect::Prepare(intent)) => host.prepare(intent),
                Some(Effect::Execute(plan)) => host.execute(*plan, app.read_only),
                Some(Effect::GitLog(application)) => host.git_log(application),
                Some(Effect::MetricTargets(targets)) => host.metric_targets(targets),
                Some(Effect::QueryAnalysis(run, queries)) => host.query_analysis(run, queries),
                None => {}
            }
        }
    }
}

/// Clears the screen and forgets what is on it, so the next frame is drawn in full.
/// (`Terminal::clear` would query the cursor position, which races with the input reader.)
fn repaint_everything<W: Write>(terminal: &mut Terminal<CrosstermBackend<W>>) -> io::Result<()> {
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

async fn sleep_or_never(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Draws one frame between synchronized-output brackets, so terminals show it at once.
fn draw_frame<W: Write>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
    app: &mut App,
) -> io::Result<()> {
    queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|frame| draw(frame, app))?;
    execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    app.dirty = false;
    Ok(())
}

/// Forwards terminal input to the loop until the terminal closes or the loop is gone.
pub async fn forward_terminal_input(sender: mpsc::Sender<Msg>) {
    let mut events = EventStream::new();
    while let Some(event) = events.next().await {
        let message = match event {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
            Ok(Event::Resize(columns, rows)) => Msg::Resize(columns, rows),
            Ok(_) => continue,
            Err(error) => Msg::InputClosed(error.to_string()),
        };
        let closed = matches!(message, Msg::InputClosed(_));
        if sender.send(message).await.is_err() || closed {
            return;
        }
    }
    let _ = sender.send(Msg::InputClosed("end of input".into())).await;
}

/// Forwards SIGTERM, SIGHUP and SIGINT to the loop as `Msg::Signal`.
pub async fn forward_signals(sender: mpsc::Sender<Msg>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut hangup), Ok(mut interrupt)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for signals");
        return;
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = hangup.recv() => "SIGHUP",
        _ = interrupt.recv() => "SIGINT",
    };
    let _ = sender.send(Msg::Signal(name)).await;
}
