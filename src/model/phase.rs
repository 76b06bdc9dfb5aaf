//! The states of GitOps objects, as the upstream projects name them. Unknown values are kept as
//! `Unknown` rather than failing.

macro_rules! states {
    ($(#[$doc:meta])* $name:ident { $($variant:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $($variant,)*
            #[default]
            Unknown,
        }

        impl $name {
            /// Reads the upstream spelling; anything else is `Unknown`.
            pub fn parse(text: &str) -> Self {
                match text {
                    $(stringify!($variant) => Self::$variant,)*
                    _ => Self::Unknown,
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant),)*
                    Self::Unknown => "Unknown",
                }
            }
        }
    };
}

states! {
    /// Argo CD application health (gitops-engine).
    Health { Healthy, Progressing, Degraded, Suspended, Missing }
}

states! {
    /// Argo CD sync status.
    SyncStatus { Synced, OutOfSync }
}

states! {
    /// Argo Workflows workflow phase.
    WorkflowPhase { Pending, Running, Succeeded, Failed, Error }
}

states! {
    /// Argo Rollouts phase.
    RolloutPhase { Healthy, Progressing, Paused, Degraded }
}

states! {
    /// AnalysisRun phase.
    AnalysisPhase { Pending, Running, Successful, Failed, Error, Inconclusive }
}

states! {
    /// Kargo Promotion phase.
    PromotionPhase { Pending, Running, Succeeded, Failed, Errored, Aborted }
}

impl WorkflowPhase {
    pub fn is_done(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Error)
    }
}

impl PromotionPhase {
    pub fn is_done(self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::Failed | Self::Errored | Self::Aborted
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_unknown() {
        assert_eq!(Health::parse("Degraded"), Health::Degraded);
        assert_eq!(Health::parse("degraded"), Health::Unknown);
        assert_eq!(SyncStatus::parse("OutOfSync").as_str(), "OutOfSync");
        assert_eq!(WorkflowPhase::parse(""), WorkflowPhase::Unknown);
        assert!(PromotionPhase::parse("Aborted").is_done());
    }
}
