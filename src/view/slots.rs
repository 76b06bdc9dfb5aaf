//! Which theme slot shows each state.

use crate::model::phase::{
    AnalysisPhase, Health, PromotionPhase, RolloutPhase, SyncStatus, WorkflowPhase,
};
use crate::store::WatchState;
use crate::theme::Slot;

pub fn health(health: Health) -> Slot {
    match health {
        Health::Healthy => Slot::HealthHealthy,
        Health::Progressing => Slot::HealthProgressing,
        Health::Degraded => Slot::HealthDegraded,
        Health::Suspended => Slot::HealthSuspended,
        Health::Missing => Slot::HealthMissing,
        Health::Unknown => Slot::HealthUnknown,
    }
}

pub fn sync(sync: SyncStatus) -> Slot {
    match sync {
        SyncStatus::Synced => Slot::SyncSynced,
        SyncStatus::OutOfSync => Slot::SyncOutOfSync,
        SyncStatus::Unknown => Slot::SyncUnknown,
    }
}

pub fn workflow(phase: WorkflowPhase) -> Slot {
    match phase {
        WorkflowPhase::Pending | WorkflowPhase::Unknown => Slot::WorkflowPending,
        WorkflowPhase::Running => Slot::WorkflowRunning,
        WorkflowPhase::Succeeded => Slot::WorkflowSucceeded,
        WorkflowPhase::Failed => Slot::WorkflowFailed,
        WorkflowPhase::Error => Slot::WorkflowError,
    }
}

pub fn rollout(phase: RolloutPhase) -> Slot {
    match phase {
        RolloutPhase::Healthy => Slot::RolloutHealthy,
        RolloutPhase::Progressing | RolloutPhase::Unknown => Slot::RolloutProgressing,
        RolloutPhase::Paused => Slot::RolloutPaused,
        RolloutPhase::Degraded => Slot::RolloutDegraded,
    }
}

pub fn analysis(phase: AnalysisPhase) -> Slot {
    match phase {
        AnalysisPhase::Pending | AnalysisPhase::Unknown => Slot::AnalysisPending,
        AnalysisPhase::Running => Slot::AnalysisRunning,
        AnalysisPhase::Successful => Slot::AnalysisSuccessful,
        AnalysisPhase::Failed => Slot::AnalysisFailed,
        AnalysisPhase::Error => Slot::AnalysisError,
        AnalysisPhase::Inconclusive => Slot::AnalysisInconclusive,
    }
}

pub fn promotion(phase: PromotionPhase) -> Slot {
    match phase {
        PromotionPhase::Pending | PromotionPhase::Unknown => Slot::PromotionPending,
        PromotionPhase::Running => Slot::PromotionRunning,
        PromotionPhase::Succeeded => Slot::PromotionSucceeded,
        PromotionPhase::Failed => Slot::PromotionFailed,
        PromotionPhase::Errored => Slot::PromotionErrored,
        PromotionPhase::Aborted => Slot::PromotionAborted,
    }
}

pub fn watch(state: &WatchState) -> Slot {
    match state {
        WatchState::Live => Slot::Success,
        WatchState::Starting | WatchState::Syncing(_) => Slot::Info,
        WatchState::NotInstalled | WatchState::NotNeeded => Slot::Muted,
        WatchState::Retrying(..) => Slot::Warning,
        WatchState::Forbidden(_) => Slot::Error,
    }
}

/// A Pod's kubectl-style status: running and completed are fine, starting is in progress,
/// anything else (CrashLoopBackOff, ImagePullBackOff, Error, OOMKilled…) is a failure.
pub fn pod(status: &str) -> Slot {
    match status {
        "Running" | "Succeeded" | "Completed" => Slot::Success,
        "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating" => Slot::Info,
        _ => Slot::Error,
    }
}
