//! The benchmark's load phase: the server process changes objects at a set rate (each change a
//! MODIFIED watch event) while the cockpit applies the events and draws as its event loop does —
//! at most one frame per `FRAME_INTERVAL`. Figures: events received per second, frame time
//! under load, how long applying one batch took (a key waits at most that long), and relists
//! (a watcher that falls too far behind is told to list again).

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdin, ChildStdout};
use tokio::sync::mpsc;

use super::measure::percentile;
use super::run::{Screen, draw};
use crate::store::{Delta, WatchState};
use crate::ui::app::App;
use crate::ui::event_loop::FRAME_INTERVAL;
use crate::ui::msg::Msg;

/// How hard the server pushes: changes a second, for how long.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub rate: u64,
    pub seconds: u64,
}

/// How long without a change, after the server finished, before the phase ends anyway.
const QUIET: Duration = Duration::from_secs(2);

/// What the load phase counts while it runs.
#[derive(Default)]
struct Tally {
    received: u64,
    relists: u64,
    frames_ms: Vec<f64>,
    batches_ms: Vec<f64>,
}

impl Tally {
    fn count(&mut self, message: &Msg) {
        if let Msg::Kube(deltas) = message {
            for delta in deltas {
                match delta {
                    Delta::Apply(_) => self.received += 1,
                    Delta::State(_, _, WatchState::Syncing(0)) => self.relists += 1,
                    _ => {}
                }
            }
        }
    }
}

/// Asks the server for `load` and measures the cockpit until every change arrived (or none came
/// for two seconds after the server finished: those were replaced by a relist).
pub async fn measure(
    app: &mut App,
    terminal: &mut Screen,
    receiver: &mut mpsc::Receiver<Msg>,
    server_input: &mut ChildStdin,
    server_output: &mut Lines<BufReader<ChildStdout>>,
    load: Load,
) -> Result<Value, String> {
    server_input
        .write_all(format!("churn {} {}\n", load.rate, load.seconds).as_bytes())
        .await
        .map_err(|e| format!("cannot ask the server for load: {e}"))?;
    server_input.flush().await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    let give_up = tokio::time::Instant::now() + Duration::from_secs(load.seconds + 60);
    let mut tally = Tally::default();
    let mut sent: Option<u64> = None;
    let mut last_event = started;
    let mut last_frame: Option<Instant> = None;
    while sent.is_none_or(|sent| tally.received < sent && last_event.elapsed() < QUIET) {
        let frame_due = last_frame.map_or(Instant::now(), |at| at + FRAME_INTERVAL);
        tokio::select! {
            line = server_output.next_line() => {
                let line = line.map_err(|e| e.to_string())?.ok_or("the server process ended")?;
                if let Some(count) = line.strip_prefix("churned ") {
                    sent = Some(count.trim().parse().map_err(|_| format!("server said {line:?}"))?);
                }
            }
            message = receiver.recv() => {
                let message = message.ok_or("the watchers stopped")?;
                let applying = Instant::now();
                let before = tally.received;
                tally.count(&message);
                app.update(message);
                while let Ok(message) = receiver.try_recv() {
                    tally.count(&message);
                    app.update(message);
                }
                tally.batches_ms.push(applying.elapsed().as_secs_f64() * 1000.0);
                if tally.received > before {
                    last_event = Instant::now();
                }
            }
            () = tokio::time::sleep_until(frame_due.into()), if app.dirty => {
                let drawing = Instant::now();
                draw(terminal, app)?;
                app.dirty = false;
                tally.frames_ms.push(drawing.elapsed().as_secs_f64() * 1000.0);
                last_frame = Some(Instant::now());
            }
            // Once the server is done, two quiet seconds end it (missed changes were relisted).
            () = tokio::time::sleep_until((last_event + QUIET).into()), if sent.is_some() => {}
            () = tokio::time::sleep_until(give_up) => return Err("the load phase did not finish".into()),
        }
    }
    let seconds = last_event.duration_since(started).as_secs_f64().max(0.001);
    Ok(json!({
        "load_rate_asked": load.rate,
        "load_events_sent": sent,
        "load_events_received": tally.received,
        "load_events_per_second": tally.received as f64 / seconds,
        "load_relists": tally.relists,
        "load_frames": tally.frames_ms.len(),
        "load_frame_p50_ms": percentile(&mut tally.frames_ms, 0.5),
        "load_frame_p99_ms": percentile(&mut tally.frames_ms, 0.99),
        "load_batch_p99_ms": percentile(&mut tally.batches_ms, 0.99),
    }))
}
