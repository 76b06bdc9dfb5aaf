//! What arrives from the cluster, applied to the app: batches of watched changes (and the
//! effects they call for: a re-fetch of the shown object, new metric targets) and whole objects
//! fetched for the detail, YAML and analysis views.

use super::app::{App, Overlay, View};
use super::msg::Effect;

impl App {
    pub(super) fn on_changes(&mut self, deltas: Vec<crate::store::Delta>) -> Vec<Effect> {
        // A detail view built from the whole object re-fetches it when it changes.
        let refetch = match (self.view(), &self.detail) {
            (View::Detail(kind), Some(key)) if kind != crate::model::Kind::Rollout => deltas
                .iter()
                .any(|delta| matches!(delta, crate::store::Delta::Apply(row) if row.key() == key))
                .then(|| Effect::Fetch(kind, key.clone())),
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
        if let View::Metrics(crate::model::Kind::AnalysisRun) = self.view()
            && self.detail.as_ref() == Some(&key)
        {
            let queries = answer
                .as_ref()
                .map(crate::metrics::analysis::queries)
                .unwrap_or_default();
            self.detail_object = Some(answer);
            self.dirty = true;
            return self.query_analysis(key, queries).into_iter().collect();
        }
        if let View::Detail(kind) = self.view()
            && self.detail.as_ref() == Some(&key)
        {
            let mut answer = answer;
            if kind == crate::model::Kind::Workflow
                && let Ok(workflow) = &mut answer
            {
                crate::model::workflow_nodes::inflate(workflow);
            }
            self.detail_object = Some(answer);
            self.dirty = true;
        }
        Vec::new()
    }
}
