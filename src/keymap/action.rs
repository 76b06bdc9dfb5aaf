//! The action registry: every named thing a key can do, with its one-line description and the
//! layers where it means something. Keymap files, the help overlay, the footer hints and the `:`
//! palette are all generated from this one table, so they cannot drift apart.

use super::layer::Layer;

/// Where an action may be bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere keys are commands (views and read-only overlays), not in text prompts.
    Command,
    /// In lists, views and scrollable overlays.
    Navigation,
    /// In text prompts (the `:` palette and the `/` filter).
    Input,
}

macro_rules! actions {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $scope:ident, palette: $palette:literal; )*) => {
        /// Every action a key can be bound to. The serde-style name is the public API of keymaps.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Action {
            /// Every action, in registry order (the order of the help overlay).
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The name used in keymap files and the palette (`"select-next"`).
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// One line saying what the action does.
            pub fn description(self) -> &'static str {
                match self { $(Action::$variant => concat!($($doc),*).trim_ascii(),)* }
            }

            /// Where the action can be bound.
            pub fn scope(self) -> Scope {
                match self { $(Action::$variant => Scope::$scope,)* }
            }

            /// Whether the `:` palette offers the action as a command.
            pub fn in_palette(self) -> bool {
                match self { $(Action::$variant => $palette,)* }
            }
        }
    };
}

actions! {
    /// Quit flightdeck
    Quit = "quit", Command, palette: true;
    /// Show or hide the key bindings of the current view
    Help = "help", Command, palette: true;
    /// Open the command palette
    CommandPalette = "command-palette", Command, palette: false;
    /// Filter the current view by the typed text
    Filter = "filter", Command, palette: true;
    /// Go back: close the overlay or clear the filter
    Back = "back", Command, palette: false;
    /// Suspend flightdeck to the shell (resume with `fg`)
    Suspend = "suspend", Command, palette: true;
    /// Redraw the whole screen
    Redraw = "redraw", Command, palette: true;
    /// Show problems found in config, theme and keymap files
    ShowWarnings = "show-warnings", Command, palette: true;
    /// Show the pipeline: every app's environments from commit to production
    ShowPipeline = "show-pipeline", Command, palette: true;
    /// Show everything waiting on a person (paused rollouts, failed analyses, freight to promote…)
    ShowWaiting = "show-waiting", Command, palette: true;
    /// Show Kargo: warehouses, where each Freight is in each Stage, the newest Promotions
    ShowKargo = "show-kargo", Command, palette: true;
    /// Explain the pipeline: what grouped an application and which rule linked each cell
    Why = "why", Command, palette: true;
    /// Move the selection down one row
    SelectNext = "select-next", Navigation, palette: false;
    /// Move the selection up one row
    SelectPrev = "select-prev", Navigation, palette: false;
    /// Jump to the first row
    SelectFirst = "select-first", Navigation, palette: false;
    /// Jump to the last row
    SelectLast = "select-last", Navigation, palette: false;
    /// Move down half a page
    PageDown = "page-down", Navigation, palette: false;
    /// Move up half a page
    PageUp = "page-up", Navigation, palette: false;
    /// Open the selected object: its detail view, or its YAML
    Open = "open", Navigation, palette: false;
    /// Show the selected object's YAML (fetched from the cluster)
    ShowYaml = "show-yaml", Navigation, palette: false;
    /// Follow the log of the selected Pod, or of the selected step's pod in a Workflow
    ShowLogs = "show-logs", Navigation, palette: false;
    /// Promote: a paused Rollout to its next step, or Freight into a Stage (pick the Stage)
    Promote = "promote", Navigation, palette: true;
    /// Promote a Rollout fully, skipping its remaining steps and analyses
    PromoteFull = "promote-full", Navigation, palette: true;
    /// Abort: a Rollout's update, a running Promotion, an AnalysisRun, an Application's sync
    Abort = "abort", Navigation, palette: true;
    /// Retry an aborted Rollout (Workflows: says why not, and offers resubmit)
    Retry = "retry", Navigation, palette: true;
    /// Undo: a Rollout to an earlier revision, an Application to a history entry (pick one)
    Undo = "undo", Navigation, palette: true;
    /// Restart a Rollout's pods
    Restart = "restart", Navigation, palette: true;
    /// Pause a Rollout, or suspend a Workflow
    Pause = "pause", Navigation, palette: true;
    /// Resume a paused Rollout or a suspended Workflow
    Resume = "resume", Navigation, palette: true;
    /// Sync an Application (choose plain, prune or dry run)
    Sync = "sync", Navigation, palette: true;
    /// Refresh an Application (compare with Git again)
    Refresh = "refresh", Navigation, palette: true;
    /// Hard-refresh an Application (also drop Argo CD's manifest cache)
    HardRefresh = "hard-refresh", Navigation, palette: true;
    /// Turn an Application's automated sync off
    DisableAutoSync = "disable-auto-sync", Navigation, palette: true;
    /// Approve Freight for a Stage (pick the Stage)
    Approve = "approve", Navigation, palette: true;
    /// Verify a Stage's current Freight again
    Reverify = "reverify", Navigation, palette: true;
    /// Submit a Workflow from the selected WorkflowTemplate (parameters pre-filled)
    Submit = "submit", Navigation, palette: true;
    /// Stop a Workflow (exit handlers still run)
    Stop = "stop", Navigation, palette: true;
    /// Terminate a Workflow at once
    Terminate = "terminate", Navigation, palette: true;
    /// Run a finished Workflow again as a new Workflow
    Resubmit = "resubmit", Navigation, palette: true;
    /// Revert a commit of the GitOps repository for an Application (pick it from the log)
    Revert = "revert", Navigation, palette: true;
    /// Set the image tag in an Application's overlay in Git (pick a built tag)
    SetImage = "set-image", Navigation, palette: true;
    /// Show a Rollout's metrics as charts: request rate, error rate, p95; stable and canary
    ShowMetrics = "show-metrics", Navigation, palette: true;
    /// Show every change asked for in this session and its outcome
    ShowActionLog = "show-action-log", Command, palette: true;
    /// Sort by the next column to the right (after the last: the default order)
    SortNextColumn = "sort-next-column", Navigation, palette: true;
    /// Sort by the next column to the left
    SortPrevColumn = "sort-prev-column", Navigation, palette: true;
    /// Reverse the sort direction
    SortReverse = "sort-reverse", Navigation, palette: true;
    /// Focus the next pane
    NextPane = "next-pane", Navigation, palette: false;
    /// Focus the previous pane
    PrevPane = "prev-pane", Navigation, palette: false;
    /// Run the typed command or apply the typed filter
    Accept = "accept", Input, palette: false;
    /// Close the prompt without applying it
    Cancel = "cancel", Input, palette: false;
    /// Complete the typed command with the highlighted suggestion
    Complete = "complete", Input, palette: false;
    /// Highlight the next suggestion
    NextSuggestion = "next-suggestion", Input, palette: false;
    /// Highlight the previous suggestion
    PrevSuggestion = "prev-suggestion", Input, palette: false;
    /// Delete the word before the cursor
    DeleteWord = "delete-word", Input, palette: false;
    /// Clear the prompt
    ClearInput = "clear-input", Input, palette: false;
}

impl Action {
    /// Looks an action up by its keymap name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL
            .iter()
            .copied()
            .find(|action| action.name() == name)
    }

    /// Whether binding this action in `layer` makes sense.
    pub fn allowed_in(self, layer: Layer) -> bool {
        match self.scope() {
            Scope::Command => !layer.is_text_input(),
            Scope::Navigation => layer.has_navigation(),
            Scope::Input => layer.is_text_input(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(*action));
            assert!(
                !action.description().is_empty(),
                "{action:?} has no description"
            );
        }
        let mut names: Vec<_> = Action::ALL.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }

    #[test]
    fn descriptions_come_from_doc_comments() {
        assert_eq!(Action::Quit.description(), "Quit flightdeck");
        assert_eq!(Action::from_name("no-such-action"), None);
    }
}
