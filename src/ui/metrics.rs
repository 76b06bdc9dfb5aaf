//! Which (app, namespace) pairs Prometheus mode asks about: those the pipeline shows, sent to
//! the poller only when they change.

use super::app::App;
use super::msg::Effect;

impl App {
    /// Where the views read metrics from.
    pub fn metrics_source(&self) -> crate::view::metrics::MetricsSource<'_> {
        crate::view::metrics::MetricsSource {
            history: &self.metrics,
            queried: self.prometheus_mode().then_some(&self.queried),
            configured: self.settings.metrics_scrape.is_some() || self.prometheus_mode(),
            ascii: self.symbols.pointer == ">",
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
        let targets: Vec<(String, String)> = crate::pipeline::pipelines(&self.store)
            .iter()
            .flat_map(|pipeline| {
                pipeline.lanes.iter().filter_map(|lane| {
                    lane.rollout
                        .map(|rollout| (pipeline.app.clone(), rollout.key.namespace.clone()))
                })
            })
            .collect();
        if targets == self.metric_targets {
            return None;
        }
        self.metric_targets = targets.clone();
        Some(Effect::MetricTargets(targets))
    }
}
