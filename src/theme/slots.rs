//! The semantic slots a theme fills: UI chrome and the states of every GitOps object. Widgets ask
//! for a slot (`Slot::HealthDegraded`), never for a colour.

macro_rules! slots {
    ($( $section:literal { $( $variant:ident = $key:literal ),* $(,)? } )*) => {
        /// One themable meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Slot { $( $( $variant, )* )* }

        impl Slot {
            pub const ALL: &'static [Slot] = &[$( $( Slot::$variant, )* )*];

            /// `(section, key)` as written in theme files.
            pub fn path(self) -> (&'static str, &'static str) {
                match self { $( $( Slot::$variant => ($section, $key), )* )* }
            }
        }

        /// The theme file sections that hold slots.
        pub const SECTIONS: &[&str] = &[$( $section ),*];
    };
}

slots! {
    "ui" {
        Text = "text",
        Muted = "muted",
        Border = "border",
        BorderFocused = "border_focused",
        Title = "title",
        Header = "header",
        Selection = "selection",
        KeyHint = "key_hint",
        Info = "info",
        Success = "success",
        Warning = "warning",
        Error = "error",
        Input = "input",
        Match = "match",
        TitleBar = "title_bar",
        Context = "context",
        Namespace = "namespace",
        ReadOnlyBadge = "read_only_badge",
        ProductionBanner = "production_banner",
    }
    "health" {
        HealthHealthy = "healthy",
        HealthProgressing = "progressing",
        HealthDegraded = "degraded",
        HealthSuspended = "suspended",
        HealthMissing = "missing",
        HealthUnknown = "unknown",
    }
    "sync" {
        SyncSynced = "synced",
        SyncOutOfSync = "out_of_sync",
        SyncUnknown = "unknown",
    }
    "workflow" {
        WorkflowPending = "pending",
        WorkflowRunning = "running",
        WorkflowSucceeded = "succeeded",
        WorkflowFailed = "failed",
        WorkflowError = "error",
        WorkflowSkipped = "skipped",
    }
    "rollout" {
        RolloutHealthy = "healthy",
        RolloutProgressing = "progressing",
        RolloutPaused = "paused",
        RolloutDegraded = "degraded",
    }
    "analysis" {
        AnalysisPending = "pending",
        AnalysisRunning = "running",
        AnalysisSuccessful = "successful",
        AnalysisFailed = "failed",
        AnalysisError = "error",
        AnalysisInconclusive = "inconclusive",
    }
    "promotion" {
        PromotionPending = "pending",
        PromotionRunning = "running",
        PromotionSucceeded = "succeeded",
        PromotionFailed = "failed",
        PromotionErrored = "errored",
        PromotionAborted = "aborted",
    }
    "chart" {
        ChartStable = "stable",
        ChartCanary = "canary",
        ChartThreshold = "threshold",
        ChartAxis = "axis",
    }
}

impl Slot {
    /// Looks a slot up by section and key.
    pub fn find(section: &str, key: &str) -> Option<Slot> {
        Slot::ALL
            .iter()
            .copied()
            .find(|slot| slot.path() == (section, key))
    }
}
