//! Moving around the cockpit: the views stack (pipeline, waiting, lists, details), the namespace
//! scope, the selection in lists, and opening the selected object (its detail view or YAML).

use super::app::{App, Overlay, View};
use super::msg::Effect;
use crate::keymap::{Action, Layer};
use crate::view::pipeline::Window;

/// The action log's columns.
pub const ACTION_LOG_COLUMNS: &[&str] = &["TIME", "CONTEXT", "WHAT", "OUTCOME", "COMMAND"];

impl App {
    /// Now, in Unix seconds (frozen in tests).
    pub fn now(&self) -> i64 {
        self.frozen_time
            .unwrap_or_else(crate::model::time::now_seconds)
    }

    /// The namespace lists are scoped to (`None`: all namespaces).
    pub fn scope(&self) -> Option<&str> {
        (!self.target.all_namespaces).then_some(self.target.namespace.as_str())
    }

    /// Scopes the views to `namespace` (`all`, `-A` or `*` for every namespace).
    pub fn set_namespace(&mut self, namespace: &str) {
        if matches!(namespace, "all" | "-A" | "*") {
            self.target.all_namespaces = true;
        } else {
            self.target.all_namespaces = false;
            self.target.namespace = namespace.to_string();
        }
        self.selected = 0;
        self.dirty = true;
    }

    /// The view shown (under any overlay).
    pub fn view(&self) -> View {
        self.views.last().copied().unwrap_or(View::Pipeline)
    }

    /// Shows `view` on top of the current one (or brings it back if it is already current).
    pub fn show(&mut self, view: View) {
        if self.view() != view {
            self.views.push(view);
            self.selected = 0;
            self.sort = Default::default();
        }
        self.dirty = true;
    }

    /// The keymap layer of the current view.
    pub fn view_layer(&self) -> Layer {
        match self.view() {
            View::Pipeline => Layer::Pipeline,
            View::Waiting | View::List(_) | View::Kargo | View::ActionLog => Layer::List,
            View::Logs | View::Metrics(_) => Layer::Detail,
            View::Detail(_) => Layer::Detail,
        }
    }

    /// Column titles of the current table (none outside tables).
    pub fn table_columns(&self) -> Vec<String> {
        let owned = |titles: &[&str]| titles.iter().map(|t| t.to_string()).collect();
        match self.view() {
            View::Waiting => owned(crate::view::waiting::COLUMNS),
            View::ActionLog => owned(ACTION_LOG_COLUMNS),
            View::List(kind) => owned(crate::view::lists::columns(kind)),
            View::Kargo => crate::view::kargo::columns(&crate::view::kargo::stage_columns(
                &self.store,
                self.scope(),
            )),
            View::Pipeline | View::Detail(_) | View::Logs | View::Metrics(_) => Vec::new(),
        }
    }

    /// The kind and key of the selected row in a list view, or of the object a detail view shows.
    pub fn selected_object(&self) -> Option<(crate::model::Kind, crate::model::ObjectKey)> {
        match self.view() {
            View::Pipeline | View::ActionLog => None,
            View::Detail(kind) => self.detail.clone().map(|key| (kind, key)),
            View::Metrics(kind) => self.detail.clone().map(|key| (kind, key)),
            View::Logs => self
                .logs
                .as_ref()
                .map(|logs| (crate::model::Kind::Pod, logs.pod.clone())),
            View::Waiting | View::List(_) | View::Kargo => self
                .table_rows()
                .get(self.selected)
                .map(|row| (row.kind, row.key.clone())),
        }
    }

    /// Opens the selected object: its detail view where there is one, else its YAML.
    pub(super) fn open_selected(&mut self) -> Option<Effect> {
        let (kind, key) = self.selected_object()?;
        if matches!(
            kind,
            crate::model::Kind::Rollout
                | crate::model::Kind::Workflow
                | crate::model::Kind::Application
                | crate::model::Kind::AnalysisRun
        ) && !matches!(self.view(), View::Detail(_))
        {
            self.detail = Some(key.clone());
            self.detail_object = None;
            self.show(View::Detail(kind));
            return (kind != crate::model::Kind::Rollout).then_some(Effect::Fetch(kind, key));
        }
        self.show_yaml(kind, key)
    }

    /// Opens the YAML of an object (fetched in the background).
    pub(super) fn show_yaml(
        &mut self,
        kind: crate::model::Kind,
        key: crate::model::ObjectKey,
    ) -> Option<Effect> {
        self.overlay = Some(Overlay::Yaml {
            key: key.clone(),
            text: None,
            scroll: 0,
        });
        self.dirty = true;
        Some(Effect::Fetch(kind, key))
    }

    /// The lines of the open detail view.
    pub fn detail_lines(&self) -> Vec<Vec<crate::view::cell::Cell>> {
        match (self.view(), &self.detail) {
            (View::Detail(kind), Some(key)) => crate::view::detail::lines(
                &self.store,
                kind,
                key,
                self.detail_object.as_ref(),
                Some(&self.metrics_source()),
                self.now(),
            ),
            _ => Vec::new(),
        }
    }

    /// Rows of log text the log view shows at once (the screen less title, footer and borders).
    pub fn log_height(&self) -> usize {
        usize::from(self.size.1.saturating_sub(4)).max(1)
    }

    /// Opens the log view on the selected Pod, or on the pod of the Workflow step under the
    /// cursor.
    pub(super) fn show_logs(&mut self) -> Option<Effect> {
        if self.overlay.is_some() {
            return None;
        }
        let target = match (self.view(), &self.detail, &self.detail_object) {
            (View::List(crate::model::Kind::Pod), _, _) => {
                self.selected_object().and_then(|(_, key)| {
                    let container = self.store.pod(&key)?.log_container.clone()?;
                    Some((key, container))
                })
            }
            (View::Detail(crate::model::Kind::Workflow), Some(key), Some(Ok(workflow))) => {
                crate::view::workflow_detail::pod_on_line(workflow, self.selected).map(|pod| {
                    (
                        crate::model::ObjectKey::new(key.namespace.clone(), pod),
                        "main".to_string(),
                    )
                })
            }
            _ => None,
        };
        let Some((pod, container)) = target else {
            self.notify(
                super::app::ToastLevel::Info,
                "logs: select a Pod (:po), or a Pod step in a Workflow's detail",
            );
            return None;
        };
        self.logs = Some(super::logs::Logs::new(pod.clone(), container.clone()));
        self.show(View::Logs);
        Some(Effect::FollowLogs { pod, container })
    }

    /// Scrolls the log view: up pauses following, the end (or scrolling back to it) resumes.
    fn scroll_logs(&mut self, action: Action) {
        let height = self.log_height();
        let Some(logs) = self.logs.as_mut() else {
            return;
        };
        let first = logs.first_shown(height);
        let last_page = logs.lines.len().saturating_sub(height);
        let page = (height / 2).max(1);
        let wanted = match action {
            Action::SelectNext => first + 1,
            Action::SelectPrev => first.saturating_sub(1),
            Action::SelectFirst => 0,
            Action::SelectLast => last_page,
            Action::PageDown => first + page,
            _ => first.saturating_sub(page),
        };
        logs.scroll = (wanted < last_page).then_some(wanted);
    }

    pub(super) fn move_selection(&mut self, action: Action) {
        let count = match self.view() {
            View::Logs => return self.scroll_logs(action),
            View::Detail(_) => self.detail_lines().len(),
            // The selection is the first application shown; the last page ends with the last.
            View::Pipeline if action == Action::SelectLast => {
                self.selected = self.pipeline_view_from(Window::LAST).first;
                return;
            }
            View::Pipeline => self.pipeline_view().total,
            _ => self.table_rows().len(),
        };
        if count == 0 {
            self.selected = 0;
            return;
        }
        let page = usize::from(self.size.1.saturating_sub(6) / 2).max(1);
        self.selected = match action {
            Action::SelectNext => (self.selected + 1).min(count - 1),
            Action::SelectPrev => self.selected.saturating_sub(1),
            Action::SelectFirst => 0,
            Action::SelectLast => count - 1,
            Action::PageDown => (self.selected + page).min(count - 1),
            _ => self.selected.saturating_sub(page),
        };
    }
}
