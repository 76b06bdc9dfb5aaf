//! Controller-internal timers (as a real controller keeps requeue times in memory): when a phase
//! of an object began, in real time, read back as elapsed world seconds. Status timestamps have
//! one-second precision, too coarse for a world running 100× faster than real time.

use std::collections::HashMap;
use std::time::Instant;

/// Start times by key (e.g. `"<uid>/<step>"`).
#[derive(Debug, Default)]
pub struct Timers {
    started: HashMap<String, Instant>,
}

impl Timers {
    /// World seconds since `key` started (starting it now if it was not running).
    pub fn elapsed(&mut self, key: &str, speed: f64) -> f64 {
        let start = *self
            .started
            .entry(key.to_string())
            .or_insert_with(Instant::now);
        start.elapsed().as_secs_f64() * speed
    }

    /// Whether `key` has been running for at least `world_seconds`.
    pub fn done(&mut self, key: &str, speed: f64, world_seconds: f64) -> bool {
        self.elapsed(key, speed) >= world_seconds
    }

    /// Forgets `key` (and everything under `key/`).
    pub fn clear(&mut self, key: &str) {
        let prefix = format!("{key}/");
        self.started
            .retain(|k, _| k != key && !k.starts_with(&prefix));
    }

    /// Restarts `key` now.
    pub fn restart(&mut self, key: &str) {
        self.started.insert(key.to_string(), Instant::now());
    }
}
