//! The simulated developer: pushes a commit to demo-app's `main` every so often (world time),
//! every `bad_every`-th one a bad build, with messages picked by the world's seed — so a demo left
//! running keeps producing pipelines, and some canaries fail.

use std::time::Duration;

use rand::{Rng, SeedableRng};

use super::context::WorldContext;
use super::metrics::Quality;

const MESSAGES: &[&str] = &[
    "feat: friendlier greeting",
    "fix: handle empty names",
    "perf: cache the template",
    "feat: add /version",
    "chore: bump node",
    "refactor: split the handler",
    "fix: trailing newline",
    "feat: dark mode banner",
];

/// Pushes one commit of `quality`; returns its id.
pub fn push(ctx: &WorldContext, quality: Quality, message: &str) -> Result<String, String> {
    let text = match quality {
        Quality::Good => "good\n",
        Quality::Bad => "bad\n",
    };
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let changelog = format!("{message} ({stamp})\n");
    ctx.repos
        .demo_app
        .commit(
            &[
                ("BUILD_QUALITY", Some(text)),
                ("CHANGELOG", Some(&changelog)),
            ],
            message,
            ("demo developer", "dev@demo.local"),
        )
        .map(|id| id.to_string())
        .map_err(|e| e.to_string())
}

/// Runs forever: a commit every `every` world seconds.
pub async fn run(ctx: WorldContext, every: Duration, bad_every: u32, seed: u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut count: u32 = 0;
    loop {
        tokio::time::sleep(ctx.real(every)).await;
        count += 1;
        let quality = if bad_every > 0 && count % bad_every == 0 {
            Quality::Bad
        } else {
            Quality::Good
        };
        let message = MESSAGES[rng.gen_range(0..MESSAGES.len())];
        match push(&ctx, quality, message) {
            Ok(id) => tracing::info!(commit = %id, ?quality, "developer pushed"),
            Err(error) => tracing::warn!(%error, "developer push failed"),
        }
    }
}
