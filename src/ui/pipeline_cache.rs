//! The pipeline view model, built once per change of what it shows (the store's generation, the
//! metrics, the filter, the window and the clock's second) and shared by the frame and scrolling,
//! so redrawing or moving never joins again.

use std::cell::RefCell;
use std::sync::Arc;

use super::app::App;
use crate::view::pipeline::{PipelineView, Window, build};

/// What the view was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PipelineKey {
    generation: u64,
    /// Metric updates (`App::metrics_revision`).
    metrics_revision: u64,
    metrics_mode: crate::view::metrics::MetricsMode,
    filter: String,
    first: usize,
    lines: usize,
    now: i64,
}

/// The last pipeline view built.
#[derive(Debug, Default)]
pub struct PipelineCache(RefCell<Option<(PipelineKey, Arc<PipelineView>)>>);

impl App {
    /// The pipeline's sections from the selected one (the first shown) for a screen's height.
    pub fn pipeline_view(&self) -> Arc<PipelineView> {
        self.pipeline_view_from(self.cursor())
    }

    /// The pipeline's sections from `first` (`Window::LAST`: the last that fit).
    pub fn pipeline_view_from(&self, first: usize) -> Arc<PipelineView> {
        let key = PipelineKey {
            generation: self.store.generation(),
            metrics_revision: self.metrics.revision,
            metrics_mode: self.metrics_source().mode(),
            filter: self.filter().text().to_string(),
            first,
            // The screen less the title and footer bars, the block's borders and the watch line.
            lines: usize::from(self.size.1.saturating_sub(5)),
            now: self.now(),
        };
        if let Some((built_from, view)) = self.pipeline_cache.0.borrow().as_ref()
            && *built_from == key
        {
            return view.clone();
        }
        let metrics = self.metrics_source();
        let window = Window {
            first: key.first,
            lines: key.lines,
            filter: Some(self.filter()),
        };
        let view = Arc::new(build(&self.store, Some(&metrics), key.now, window));
        *self.pipeline_cache.0.borrow_mut() = Some((key, view.clone()));
        view
    }
}
