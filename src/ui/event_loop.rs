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
    /// Stops the process until `fg` (ctrl-z); the loop restores and repaints the terminal.
    fn suspend(&mut self) -> io::Result<()>;
    /// Starts the background work `effect` asks for; its answers arrive as messages. Gets every
    /// effect but `Quit`, `Redraw` and `Suspend`, which the loop does itself.
    fn handle(&mut self, effect: Effect);
}

/// For tests and headless runs: ctrl-z and fetches do nothing.
pub struct Headless;

impl Host for Headless {
    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn handle(&mut self, _effect: Effect) {}
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
            for effect in app.update(message) {
                match effect {
                    Effect::Quit => return Ok(frames),
                    Effect::Redraw => {
                        repaint_everything(terminal)?;
                        app.dirty = true;
                    }
                    Effect::Suspend => {
                        host.suspend()?;
                        repaint_everything(terminal)?;
                        app.dirty = true;
                    }
                    other => host.handle(other),
                }
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
