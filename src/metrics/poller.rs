//! Prometheus mode's loop: for each (app, namespace) the pipeline shows, ask Prometheus for the
//! last 15 minutes of the three signals (one range query each, `step` from the sparkline's
//! width), every `INTERVAL` and at once when the shown set changes — which also abandons the
//! round in progress (latest wins). Answers go to the UI loop; the loop is never blocked.

use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::math::step_seconds;
use super::prometheus::Prometheus;
use super::queried::Answers;
use super::queries::{MetricTarget, Signal, query_for};

/// Time between rounds.
pub const INTERVAL: Duration = Duration::from_secs(15);
/// The range each sparkline covers.
const RANGE_SECONDS: u64 = 15 * 60;

/// Prometheus's answers for a namespace (rate, error %, p95), or why there are none (the UI
/// makes it a `Msg`).
#[derive(Debug, Clone)]
pub struct Queried(
    pub String,
    pub Result<crate::metrics::queried::Answers, super::prometheus::PrometheusError>,
);

/// Queries until the UI loop is gone.
pub async fn run<M: From<Queried>>(
    prometheus: Prometheus,
    overrides: Vec<crate::settings::config::QueryOverride>,
    mut targets: watch::Receiver<Vec<MetricTarget>>,
    sender: mpsc::Sender<M>,
) {
    loop {
        let shown = targets.borrow_and_update().clone();
        for target in shown {
            if targets.has_changed().unwrap_or(true) {
                break;
            }
            let answers = ask(&prometheus, &overrides, &target).await;
            if sender
                .send(Queried(target.namespace, answers).into())
                .await
                .is_err()
            {
                return;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(INTERVAL) => {}
            changed = targets.changed() => if changed.is_err() { return },
        }
    }
}

async fn ask(
    prometheus: &Prometheus,
    overrides: &[crate::settings::config::QueryOverride],
    target: &MetricTarget,
) -> Result<Answers, super::prometheus::PrometheusError> {
    let end = crate::model::time::now_precise();
    let start = end - RANGE_SECONDS as f64;
    let step = step_seconds(
        RANGE_SECONDS,
        super::super::view::metrics::SPARK_WIDTH as u16 * 4,
    );
    let range = |signal| {
        let query = query_for(overrides, signal, target);
        async move { prometheus.query_range(&query, start, end, step).await }
    };
    Ok([
        range(Signal::RequestRate).await?,
        range(Signal::ErrorPercent).await?,
        range(Signal::P95Latency).await?,
    ])
}
