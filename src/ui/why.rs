//! `:why [APP]` (`e` on the pipeline): the explanation of an application's pipeline — what
//! grouped its Argo CD Applications and which rule linked each cell, or why none did — in a
//! scrolling overlay.

use super::app::{App, Overlay, ToastLevel};
use crate::ui::screen::View;

impl App {
    /// Explains `app`'s pipeline, or (without one) that of the first application shown on the
    /// pipeline.
    pub(super) fn explain_pipeline(&mut self, app: Option<String>) {
        let app = app.or_else(|| {
            if self.view() != View::Pipeline {
                return None;
            }
            let view = self.pipeline_view();
            let section = view.sections.first()?;
            section.title.first().map(|cell| cell.text.clone())
        });
        let Some(app) = app else {
            self.notify(
                ToastLevel::Info,
                "`:why APP` explains an application's pipeline (or open the pipeline first)",
            );
            return;
        };
        match crate::pipeline::explain(&self.store, &app) {
            Some(lines) => {
                self.overlay = Some(Overlay::Text {
                    title: format!(" Why: {app} "),
                    lines,
                    scroll: 0,
                })
            }
            None => self.notify(
                ToastLevel::Error,
                format!("no application `{app}` in the pipeline"),
            ),
        }
    }
}
