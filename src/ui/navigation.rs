//! Moving around the cockpit: the views stack (pipeline, waiting, lists, details), the namespace
//! scope, the selection in lists, and opening the selected object (its detail view or YAML).

use super::app::{App, Overlay};
use super::msg::Effect;
use super::screen::{Screen, Subject, View};
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
            self.plan.name(namespace);
        }
        self.screen_mut().cursor = 0;
        self.dirty = true;
    }

    /// The screen shown (under any overlay).
    pub fn screen(&self) -> &Screen {
        self.screens.top()
    }

    pub(super) fn screen_mut(&mut self) -> &mut Screen {
        self.screens.top_mut()
    }

    /// What the shown screen shows.
    pub fn view(&self) -> View {
        self.screen().view
    }

    /// The shown screen's filter.
    pub fn filter(&self) -> &crate::view::filter::Filter {
        &self.screen().filter
    }

    /// The shown screen's selected row (or detail line).
    pub fn cursor(&self) -> usize {
        self.screen().cursor
    }

    /// The object the shown screen is about (detail, charts).
    pub fn subject(&self) -> Option<&Subject> {
        self.screen().subject.as_ref()
    }

    /// The shown screen's followed log.
    pub fn logs(&self) -> Option<&super::logs::Logs> {
        self.screen().logs.as_ref()
    }

    /// Shows `view` on top of the current one (or stays if it is already current).
    pub fn show(&mut self, view: View) {
        if self.view() != view {
            self.screens.push(Screen::new(view));
        }
        self.dirty = true;
    }

    /// Shows `view` of the object `key` on top of the current one (or stays if it already shows
    /// it); says whether a new screen was pushed.
    pub(super) fn show_about(&mut self, view: View, key: crate::model::ObjectKey) -> bool {
        self.dirty = true;
        if self.view() == view && self.subject().is_some_and(|shown| shown.key == key) {
            return false;
        }
        self.screens.push(Screen::about(view, key));
        true
    }

    /// Goes back one screen, to the one below as it was left; says whether there was one.
    pub(super) fn back(&mut self) -> bool {
        let Some(left) = self.screens.pop() else {
            return false;
        };
        self.left([left]);
        true
    }

    /// Goes back to the home screen as it was left.
    pub(super) fn back_home(&mut self) {
        let left = self.screens.pop_to_home();
        self.left(left);
    }

    /// What leaving screens calls for: a log stream closed, and the object of the screen now
    /// shown fetched again (it may have changed while covered).
    fn left(&mut self, screens: impl IntoIterator<Item = Screen>) {
        if screens.into_iter().any(|screen| screen.logs.is_some()) {
            self.queue(Effect::StopLogs);
        }
        if let (View::Detail(kind) | View::Metrics(kind), Some(key)) = (
            self.view(),
            self.subject().map(|subject| subject.key.clone()),
        ) && self.needs_object(kind)
        {
            self.queue(Effect::Fetch(kind, key));
        }
        self.dirty = true;
    }

    /// Whether the shown screen is built from the whole object of `kind` (not only its row).
    fn needs_object(&self, kind: crate::model::Kind) -> bool {
        match self.view() {
            View::Detail(_) => kind != crate::model::Kind::Rollout,
            View::Metrics(_) => kind == crate::model::Kind::AnalysisRun,
            _ => false,
        }
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
            View::Detail(kind) | View::Metrics(kind) => {
                self.subject().map(|subject| (kind, subject.key.clone()))
            }
            View::Logs => self
                .logs()
                .map(|logs| (crate::model::Kind::Pod, logs.pod.clone())),
            View::Waiting | View::List(_) | View::Kargo => self
                .table_rows()
                .get(self.cursor())
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
            let pushed = self.show_about(View::Detail(kind), key.clone());
            return (pushed && self.needs_object(kind)).then_some(Effect::Fetch(kind, key));
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
        match (self.view(), self.subject()) {
            (View::Detail(kind), Some(subject)) => crate::view::detail::lines(
                &self.store,
                kind,
                &subject.key,
                subject.object.as_ref(),
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
        let subject = self
            .subject()
            .map(|subject| (&subject.key, &subject.object));
        let target = match (self.view(), subject) {
            (View::List(crate::model::Kind::Pod), _) => {
                self.selected_object().and_then(|(_, key)| {
                    let container = self.store.pod(&key)?.log_container.clone()?;
                    Some((key, container))
                })
            }
            (View::Detail(crate::model::Kind::Workflow), Some((key, Some(Ok(workflow))))) => {
                crate::view::workflow_detail::pod_on_line(workflow, self.cursor()).map(|pod| {
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
        self.screens.push(Screen {
            logs: Some(super::logs::Logs::new(pod.clone(), container.clone())),
            ..Screen::new(View::Logs)
        });
        self.dirty = true;
        Some(Effect::FollowLogs { pod, container })
    }

    /// Scrolls the log view: up pauses following, the end (or scrolling back to it) resumes.
    fn scroll_logs(&mut self, action: Action) {
        let height = self.log_height();
        let Some(logs) = self.screen_mut().logs.as_mut() else {
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
                self.screen_mut().cursor = self.pipeline_view_from(Window::LAST).first;
                return;
            }
            View::Pipeline => self.pipeline_view().total,
            _ => self.table_rows().len(),
        };
        let page = usize::from(self.size.1.saturating_sub(6) / 2).max(1);
        let cursor = &mut self.screen_mut().cursor;
        *cursor = match action {
            _ if count == 0 => 0,
            Action::SelectNext => (*cursor + 1).min(count - 1),
            Action::SelectPrev => cursor.saturating_sub(1),
            Action::SelectFirst => 0,
            Action::SelectLast => count - 1,
            Action::PageDown => (*cursor + page).min(count - 1),
            _ => cursor.saturating_sub(page),
        };
    }
}
