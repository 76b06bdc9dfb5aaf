//! The metrics the cockpit holds (direct scrapes or Prometheus's answers), and which (app,
//! namespace) pairs Prometheus mode asks about: those the pipeline shows, sent to the poller
//! only when they change.

use super::app::App;
use super::msg::Effect;
use super::screen::View;

/// Metrics as they arrive, and what the Prometheus poller was last asked for.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Scraped series (direct scrape mode).
    pub history: crate::metrics::history::History,
    /// Prometheus's answers (Prometheus mode).
    pub queried: crate::metrics::queried::Queried,
    /// The (app, namespace) pairs last given to the Prometheus poller.
    pub targets: Vec<crate::metrics::queries::MetricTarget>,
    /// The store's Application and Rollout-key generations they were found at.
    targets_from: (u64, u64),
    /// Counts metric updates (scrapes and Prometheus answers), so views built from them know.
    pub revision: u64,
}

impl App {
    /// Where the views read metrics from.
    pub fn metrics_source(&self) -> crate::view::metrics::MetricsSource<'_> {
        crate::view::metrics::MetricsSource {
            history: &self.metrics.history,
            queried: self.prometheus_mode().then_some(&self.metrics.queried),
            configured: self.settings.metrics_scrape.is_some() || self.prometheus_mode(),
            ascii: self.symbols.ascii,
        }
    }

    /// Whether metrics come from a Prometheus server (rather than direct scrapes).
    pub fn prometheus_mode(&self) -> bool {
        self.settings.prometheus_url.is_some() && self.settings.metrics_scrape.is_none()
    }

    /// The pipeline's (app, namespace) pairs, when they changed since last sent.
    pub(super) fn new_metric_targets(&mut self) -> Option<Effect> {
        if !self.prometheus_mode() {
            return None;
        }
        // They follow the Applications and which Rollouts exist, not every status change.
        let from = (
            self.store.rows_generation(crate::model::Kind::Application),
            self.store.keys_generation(crate::model::Kind::Rollout),
        );
        if from == self.metrics.targets_from {
            return None;
        }
        self.metrics.targets_from = from;
        let targets: Vec<crate::metrics::queries::MetricTarget> =
            crate::pipeline::rollouts_by_app(&self.store)
                .into_iter()
                .map(|(app, rollout)| crate::metrics::queries::MetricTarget {
                    app,
                    namespace: rollout.key.namespace.clone(),
                    rollout: rollout.key.name.clone(),
                })
                .collect();
        if targets == self.metrics.targets {
            return None;
        }
        self.metrics.targets = targets.clone();
        Some(Effect::MetricTargets(targets))
    }
}

impl App {
    /// Opens the metric charts of the selected Rollout or AnalysisRun (the run's own queries are
    /// run on Prometheus once the run is fetched).
    pub(super) fn show_metrics(&mut self) -> Option<Effect> {
        match self.selected_object() {
            Some((kind @ crate::model::Kind::Rollout, key)) => {
                self.show_about(View::Metrics(kind), key);
                None
            }
            Some((kind @ crate::model::Kind::AnalysisRun, key)) => self
                .show_about(View::Metrics(kind), key.clone())
                .then_some(Effect::Fetch(kind, key)),
            _ => {
                self.notify(
                    super::app::ToastLevel::Info,
                    "metrics: select a Rollout or an AnalysisRun",
                );
                None
            }
        }
    }

    /// Asks Prometheus for the run's queries, when there is a Prometheus to ask.
    pub(super) fn query_analysis(
        &mut self,
        run: crate::model::ObjectKey,
        queries: Vec<crate::metrics::analysis::AnalysisQuery>,
    ) -> Option<Effect> {
        if !self.prometheus_mode() {
            return None;
        }
        let now = self.now() as f64;
        let runnable: Vec<(String, String, f64)> = queries
            .into_iter()
            .filter_map(|q| {
                let query = q.query.ok()?;
                Some((
                    q.metric,
                    query,
                    q.started.unwrap_or(now - 900.0).min(now - 60.0),
                ))
            })
            .collect();
        (!runnable.is_empty()).then_some(Effect::QueryAnalysis(run, runnable))
    }
}
