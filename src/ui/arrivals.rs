//! What arrives from the cluster, applied to the app: batches of watched changes (and the
//! effects they call for: a re-fetch of the shown object, new metric targets) and whole objects
//! fetched for the detail, YAML and analysis views.

use super::app::{App, Overlay};
use super::msg::Effect;
use super::screen::View;

impl App {
    pub(super) fn on_changes(&mut self, deltas: Vec<crate::store::Delta>) -> Vec<Effect> {
        // A detail view built from the whole object re-fetches it when it changes.
        let refetch = match (self.view(), self.subject()) {
            (View::Detail(kind), Some(subject)) if kind != crate::model::Kind::Rollout => deltas
                .iter()
                .any(|delta| matches!(delta, crate::store::Delta::Apply(row) if *row.key() == subject.key))
                .then(|| Effect::Fetch(kind, subject.key.clone())),
            _ => None,
        };
        self.settle_pending(&deltas);
        if self.store.apply(deltas) {
            self.dirty = true;
        }
        refetch
            .into_iter()
            .chain(self.new_metric_targets())
            .collect()
    }

    pub(super) fn on_object(
        &mut self,
        key: crate::model::ObjectKey,
        answer: Result<serde_json::Value, String>,
    ) -> Vec<Effect> {
        if let Some(Overlay::Yaml {
            key: shown, text, ..
        }) = &mut self.overlay
            && *shown == key
        {
            *text = Some(
                answer
                    .clone()
                    .and_then(|value| serde_saphyr::to_string(&value).map_err(|e| e.to_string())),
            );
            self.dirty = true;
        }
        let view = self.view();
        let Some(subject) = self.screen_mut().subject.as_mut() else {
            return Vec::new();
        };
        if subject.key != key {
            return Vec::new();
        }
        match view {
            View::Metrics(crate::model::Kind::AnalysisRun) => {
                let queries = answer
                    .as_ref()
                    .map(crate::metrics::analysis::queries)
                    .unwrap_or_default();
                subject.object = Some(answer);
                self.dirty = true;
                self.query_analysis(key, queries).into_iter().collect()
            }
            View::Detail(kind) => {
                let mut answer = answer;
                if kind == crate::model::Kind::Workflow
                    && let Ok(workflow) = &mut answer
                {
                    crate::model::workflow_nodes::inflate(workflow);
                }
                subject.object = Some(answer);
                self.dirty = true;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
