//! The app state and `update`: the only code that changes what the screen shows. Messages come in,
//! the state changes, `dirty` says whether anything visible changed, and effects go out.

use std::time::{Duration, Instant};

use super::input::InputLine;
use super::msg::{Effect, Msg};
use super::palette::Palette;
use super::screen::{Screens, View};
use super::symbols::Symbols;
use crate::keymap::{Action, Keymap, Layer};
use crate::kube::target::ClusterTarget;
use crate::settings::{Loaded, Warning};
use crate::theme::Theme;

/// How long a toast stays in the footer.
const TOAST_TIME: Duration = Duration::from_secs(5);

/// What sits on top of the current view.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// The key bindings, scrolled by `scroll` lines.
    Help { scroll: u16 },
    /// Problems found in settings files.
    Warnings { scroll: u16 },
    /// The `:` command palette.
    Palette(Palette),
    /// The `/` filter prompt.
    Filter(InputLine),
    /// The confirmation of a planned change.
    Confirm(Box<super::prompts::Confirmation>),
    /// A choice among intents (a revision, a stage, a history entry).
    Choose(super::prompts::Choice),
    /// The parameters of a Workflow to submit.
    Form(super::prompts::ParameterForm),
    /// Text to read, scrolled by `scroll` lines (`:why`).
    Text {
        title: String,
        lines: Vec<String>,
        scroll: u16,
    },
    /// An object's YAML: loading (`None`), or the text, or why it could not be fetched.
    Yaml {
        key: crate::model::ObjectKey,
        text: Option<Result<String, String>>,
        scroll: u16,
    },
}

/// How serious a toast is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastLevel {
    Info,
    Warning,
    Error,
}

/// A short message in the footer that goes away by itself.
#[derive(Debug, Clone)]
pub struct Toast {
    pub text: String,
    pub level: ToastLevel,
    pub until: Instant,
}

/// Where the data would come from; shown on the first screen.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub prometheus_url: Option<String>,
    pub gitops_repo: Option<String>,
}

/// Everything the UI shows, owned by the event loop.
pub struct App {
    pub theme: Theme,
    pub keymap: Keymap,
    pub symbols: Symbols,
    pub target: ClusterTarget,
    pub sources: Sources,
    /// Writes are refused (flag, config, or a read-only context rule).
    pub read_only: bool,
    /// The context is marked as production: the title bar turns into a banner.
    pub production: bool,
    pub warnings: Vec<Warning>,
    pub overlay: Option<Overlay>,
    pub toast: Option<Toast>,
    /// Something visible changed since the last frame.
    pub dirty: bool,
    /// Terminal size (columns, rows), for scrolling limits.
    pub size: (u16, u16),
    /// Rows and watch states from the cluster.
    pub store: crate::store::Store,
    /// Why the cluster cannot be reached at all, if it cannot.
    pub cluster_problem: Option<String>,
    /// A fixed "now" (Unix seconds) for ages, in tests; `None` reads the clock.
    pub frozen_time: Option<i64>,
    /// The views stack, each screen with its own cursor, sort, filter and subject.
    pub screens: Screens,
    /// The layered settings (kept to switch contexts).
    pub settings: crate::settings::Settings,
    /// Which cluster connection is current (each context switch starts a new one).
    pub connection: u64,
    /// A new connection was asked for and has not reported yet.
    pub connecting: bool,
    /// The current table's rows as last built.
    pub table_cache: super::table::TableCache,
    /// The pipeline view as last built.
    pub pipeline_cache: super::pipeline_cache::PipelineCache,
    /// The user the connection acts as (SelfSubjectReview), once known.
    pub identity: Option<String>,
    /// Changes asked for: in flight, logged, being asked again.
    pub actions: super::actions::Actions,
    /// Scraped series, Prometheus's answers and what the poller was last asked for.
    pub metrics: super::metrics::Metrics,
    /// What the session was last asked to watch where.
    pub(super) plan: super::watch_plan::PlanSent,
    /// Effects asked for while handling a message besides the one its handler returns
    /// (`update` hands them all out, in order).
    queued: Vec<Effect>,
}

impl App {
    /// Builds the app from loaded settings and the cluster target.
    pub fn new(loaded: Loaded, target: ClusterTarget) -> App {
        let context = target.context.clone().unwrap_or_default();
        let mut app = App {
            queued: Vec::new(),
            read_only: loaded.settings.is_read_only(&context),
            production: target.context.is_some() && loaded.settings.is_production(&context),
            sources: Sources {
                prometheus_url: loaded.settings.prometheus_url.clone(),
                gitops_repo: loaded.settings.gitops_repo.clone(),
            },
            symbols: Symbols::new(loaded.ascii),
            theme: loaded.theme,
            keymap: loaded.keymap,
            target,
            warnings: loaded.warnings,
            overlay: None,
            toast: None,
            dirty: true,
            size: (80, 24),
            store: crate::store::Store::new(loaded.settings.correlation.clone()),
            cluster_problem: None,
            frozen_time: None,
            screens: Screens::default(),
            settings: loaded.settings,
            connection: 0,
            connecting: false,
            table_cache: Default::default(),
            pipeline_cache: Default::default(),
            identity: None,
            actions: super::actions::Actions::new(crate::audit::default_path()),
            metrics: Default::default(),
            plan: Default::default(),
        };
        if !app.warnings.is_empty() {
            let key = app.key_hint(Layer::Pipeline, Action::ShowWarnings);
            let count = app.warnings.len();
            let noun = if count == 1 { "problem" } else { "problems" };
            app.notify(
                ToastLevel::Warning,
                format!("{count} {noun} in settings files; press {key} to see them"),
            );
        }
        app
    }

    /// The layer keys are looked up in now.
    pub fn active_layer(&self) -> Layer {
        match &self.overlay {
            Some(Overlay::Help { .. }) => Layer::Help,
            Some(Overlay::Yaml { .. } | Overlay::Text { .. }) => Layer::Detail,
            Some(Overlay::Warnings { .. }) => Layer::Warnings,
            Some(Overlay::Palette(_)) => Layer::Palette,
            Some(Overlay::Filter(_)) => Layer::Filter,
            Some(Overlay::Confirm(_)) => Layer::Confirm,
            Some(Overlay::Choose(_) | Overlay::Form(_)) => Layer::Choose,
            None => self.view_layer(),
        }
    }

    /// The first key for `action` in `layer` as text, or `:action-name` when it has no key.
    pub fn key_hint(&self, layer: Layer, action: Action) -> String {
        match self.keymap.first_key(layer, action) {
            Some(key) => key.to_string(),
            None => format!(":{}", action.name()),
        }
    }

    /// When the loop must wake up even if no message arrives (a toast expiring).
    pub fn deadline(&self) -> Option<Instant> {
        self.toast.as_ref().map(|toast| toast.until)
    }

    /// Called when `deadline` has passed.
    pub fn on_time(&mut self, now: Instant) {
        if self.toast.as_ref().is_some_and(|toast| toast.until <= now) {
            self.toast = None;
            self.dirty = true;
        }
    }

    /// Shows a message in the footer for a few seconds.
    pub fn notify(&mut self, level: ToastLevel, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: text.into(),
            level,
            until: Instant::now() + TOAST_TIME,
        });
        self.dirty = true;
    }

    /// Applies one message; returns every effect it asks for, in order.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        // An overlay opened, closed or replaced is drawn in the same frame, whichever path
        // changed it (a picker opened by a key, a confirmation arriving from the host…).
        let overlay = self.overlay.as_ref().map(std::mem::discriminant);
        let returned = self.handle(msg);
        if self.overlay.as_ref().map(std::mem::discriminant) != overlay {
            self.dirty = true;
        }
        let mut effects = std::mem::take(&mut self.queued);
        effects.extend(returned);
        // Whatever the message changed (the screens, the target, the Applications), the watches
        // follow.
        if !self.connecting && self.cluster_problem.is_none() {
            effects.extend(self.new_watch_plan());
        }
        effects
    }

    fn handle(&mut self, msg: Msg) -> Vec<Effect> {
        let one = match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Resize(columns, rows) => {
                self.size = (columns, rows);
                self.dirty = true;
                None
            }
            Msg::Signal(name) => {
                tracing::info!(signal = name, "quitting on signal");
                Some(Effect::Quit)
            }
            // Until a new connection reports, what arrives is from the one it replaced.
            Msg::Kube(_) if self.connecting => None,
            Msg::Kube(deltas) => return self.on_changes(deltas),
            Msg::Object(key, answer) => return self.on_object(key, answer),
            Msg::LogLines(pod, lines) => {
                if let Some(logs) = self.followed_logs(&pod) {
                    logs.push(lines);
                    self.dirty = true;
                }
                None
            }
            Msg::LogEnded(pod, result) => {
                if let Some(logs) = self.followed_logs(&pod) {
                    logs.state = match result {
                        Ok(()) => super::logs::LogState::Ended,
                        Err(error) => super::logs::LogState::Failed(error),
                    };
                    self.dirty = true;
                }
                None
            }
            Msg::Connected(connection, result) => {
                if connection != self.connection {
                    return Vec::new();
                }
                self.connecting = false;
                self.dirty = true;
                self.plan.resend();
                match result {
                    Ok(()) => {
                        self.cluster_problem = None;
                        None
                    }
                    Err(problem) => {
                        self.cluster_problem = Some(problem.to_string());
                        None
                    }
                }
            }
            Msg::Identity(connection, user) => {
                if connection == self.connection {
                    self.identity = Some(user);
                }
                None
            }
            Msg::Prepared(intent, result) => {
                self.on_prepared(intent, result);
                None
            }
            Msg::Executed(plan, result) => self.on_executed(*plan, result),
            Msg::AnalysisSeries(key, metric, series) => {
                if let Some(subject) = self.screen_mut().subject.as_mut()
                    && subject.key == key
                {
                    subject.analysis_series.insert(metric, series);
                    self.dirty = true;
                }
                None
            }
            Msg::Queried(namespace, answers) => {
                self.metrics.queried.record(&namespace, answers);
                self.metrics.revision += 1;
                self.dirty = true;
                None
            }
            Msg::Scraped(at, totals, problem) => {
                self.metrics.history.record(at, totals, problem);
                self.metrics.revision += 1;
                self.dirty = true;
                None
            }
            Msg::GitLog(application, log) => {
                self.on_git_log(application, log);
                None
            }
            Msg::InputClosed(reason) => {
                tracing::warn!(%reason, "terminal input closed; quitting");
                Some(Effect::Quit)
            }
        };
        one.into_iter().collect()
    }

    /// Asks for `effect` besides the one a handler returns (`update` hands out both).
    pub(super) fn queue(&mut self, effect: Effect) {
        self.queued.push(effect);
    }

    /// Does what `action` says in the current state.
    pub fn perform(&mut self, action: Action) -> Option<Effect> {
        let effect = match action {
            Action::Quit => return Some(Effect::Quit),
            Action::Suspend => return Some(Effect::Suspend),
            Action::Redraw => return Some(Effect::Redraw),
            Action::Help => self.toggle(
                |o| matches!(o, Overlay::Help { .. }),
                Overlay::Help { scroll: 0 },
            ),
            Action::Why => {
                self.explain_pipeline(None);
                None
            }
            Action::ShowWarnings => {
                if self.warnings.is_empty()
                    && !matches!(self.overlay, Some(Overlay::Warnings { .. }))
                {
                    self.notify(ToastLevel::Info, "no problems in settings files");
                } else {
                    self.toggle(
                        |o| matches!(o, Overlay::Warnings { .. }),
                        Overlay::Warnings { scroll: 0 },
                    );
                }
                None
            }
            Action::CommandPalette => {
                self.overlay = Some(Overlay::Palette(Palette::new(
                    self.target.contexts.clone(),
                    self.known_namespaces(),
                )));
                None
            }
            Action::Filter => {
                self.overlay = Some(Overlay::Filter(InputLine::new(self.filter().text())));
                None
            }
            Action::Back | Action::Cancel => {
                if let Some(Overlay::Confirm(confirmation)) = &self.overlay {
                    let confirmation = confirmation.clone();
                    self.cancel_confirmation(&confirmation);
                }
                if self.overlay.take().is_none() {
                    if !self.filter().is_empty() {
                        self.screen_mut().filter = Default::default();
                    } else if !self.back() {
                        return None;
                    }
                }
                None
            }
            Action::ShowPipeline => {
                self.back_home();
                None
            }
            Action::ShowWaiting => {
                self.show(View::Waiting);
                None
            }
            Action::ShowKargo => {
                self.show(View::Kargo);
                None
            }
            Action::Accept => self.accept(),
            Action::SelectNext
            | Action::SelectPrev
            | Action::SelectFirst
            | Action::SelectLast
            | Action::PageDown
            | Action::PageUp => {
                self.scroll(action);
                None
            }
            Action::Open => return self.open_selected(),
            Action::ShowLogs => return self.show_logs(),
            Action::ShowYaml => {
                let (kind, key) = self.selected_object()?;
                return self.show_yaml(kind, key);
            }
            Action::SortNextColumn | Action::SortPrevColumn | Action::SortReverse => {
                let columns = self.table_columns().len();
                if columns == 0 {
                    return None;
                }
                let sort = &mut self.screen_mut().sort;
                *sort = match action {
                    Action::SortNextColumn => sort.next_column(columns),
                    Action::SortPrevColumn => sort.prev_column(columns),
                    _ => sort.reversed(),
                };
                None
            }
            Action::NextPane | Action::PrevPane => return None,
            Action::Complete | Action::NextSuggestion | Action::PrevSuggestion => {
                let forward = action != Action::PrevSuggestion;
                match &mut self.overlay {
                    Some(Overlay::Palette(palette)) => match action {
                        Action::Complete => palette.complete(),
                        _ => palette.move_highlight(forward),
                    },
                    Some(Overlay::Choose(choice)) => choice.move_highlight(forward),
                    Some(Overlay::Form(form)) if action == Action::Complete => form.next_choice(),
                    Some(Overlay::Form(form)) => form.move_focus(forward),
                    _ => {}
                }
                None
            }
            Action::Promote
            | Action::PromoteFull
            | Action::Abort
            | Action::Retry
            | Action::Undo
            | Action::Restart
            | Action::Pause
            | Action::Resume
            | Action::Sync
            | Action::Refresh
            | Action::HardRefresh
            | Action::DisableAutoSync
            | Action::Approve
            | Action::Reverify
            | Action::Submit
            | Action::Stop
            | Action::Terminate
            | Action::Resubmit
            | Action::Revert
            | Action::SetImage
            | Action::ShowActionLog => return self.act(action),
            Action::ShowMetrics => return self.show_metrics(),
            Action::DeleteWord | Action::ClearInput => {
                let input = match &mut self.overlay {
                    Some(Overlay::Palette(palette)) => {
                        palette.edited();
                        &mut palette.input
                    }
                    Some(Overlay::Filter(input)) => input,
                    Some(Overlay::Confirm(confirmation)) => &mut confirmation.typed,
                    Some(Overlay::Choose(choice)) => &mut choice.input,
                    Some(Overlay::Form(form)) => form.focused_input()?,
                    _ => return None,
                };
                if action == Action::DeleteWord {
                    input.delete_word();
                } else {
                    input.clear();
                }
                None
            }
        };
        self.dirty = true;
        effect
    }

    /// The log screen following `pod`'s log, if one is on the stack.
    fn followed_logs(&mut self, pod: &crate::model::ObjectKey) -> Option<&mut super::logs::Logs> {
        self.screens
            .iter_mut()
            .filter_map(|screen| screen.logs.as_mut())
            .find(|logs| logs.pod == *pod)
    }

    /// Opens `overlay`, or closes it if an overlay of that kind is open.
    fn toggle(&mut self, is_same: impl Fn(&Overlay) -> bool, overlay: Overlay) -> Option<Effect> {
        if self.overlay.as_ref().is_some_and(is_same) {
            self.overlay = None;
        } else {
            self.overlay = Some(overlay);
        }
        None
    }
}
