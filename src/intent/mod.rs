//! Write intents: every change flightdeck can make, as a closed enum, and the pure planning that
//! turns an intent plus the objects it read into the exact requests the upstream CLI would send
//! (`../shared/design/argo-kargo-semantics.md` gives each one; the per-tool modules cite it).
//! The executor (`kube::execute`) reads, plans, confirms and sends; nothing here does I/O.

pub mod argocd;
pub mod kargo;
pub mod request;
pub mod rollouts;
pub mod workflows;

use serde_json::Value;

use crate::model::{Kind, ObjectKey};
use request::WriteRequest;

/// Something the user asked flightdeck to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Promote a paused canary to its next step (`kubectl argo rollouts promote`).
    PromoteRollout(ObjectKey),
    /// Skip the remaining steps and analyses (`kubectl argo rollouts promote --full`).
    PromoteRolloutFully(ObjectKey),
    /// Abort the update and go back to the stable ReplicaSet (`kubectl argo rollouts abort`).
    AbortRollout(ObjectKey),
    /// Retry an aborted update (`kubectl argo rollouts retry rollout`).
    RetryRollout(ObjectKey),
    /// Roll back to the previous revision, or to the given one (`kubectl argo rollouts undo`).
    UndoRollout(ObjectKey, Option<i64>),
    /// Restart the pods (`kubectl argo rollouts restart`).
    RestartRollout(ObjectKey),
    /// Hold the rollout where it is (`kubectl argo rollouts pause`).
    PauseRollout(ObjectKey),
    /// Let a paused rollout continue (Argo CD's `resume` action).
    ResumeRollout(ObjectKey),
    /// Stop an AnalysisRun (`kubectl argo rollouts terminate analysisrun`).
    TerminateAnalysisRun(ObjectKey),
    /// Start a Workflow from a WorkflowTemplate with these parameters (`argo submit --from`).
    SubmitWorkflow(ObjectKey, Vec<(String, String)>),
    /// Stop a Workflow, still running its exit handlers (`argo stop`).
    StopWorkflow(ObjectKey),
    /// Terminate a Workflow at once, without exit handlers (`argo terminate`).
    TerminateWorkflow(ObjectKey),
    /// Suspend a Workflow (`argo suspend`).
    SuspendWorkflow(ObjectKey),
    /// Resume a suspended Workflow (`argo resume`).
    ResumeWorkflow(ObjectKey),
    /// Run a finished Workflow again as a new one (`argo resubmit`).
    ResubmitWorkflow(ObjectKey),
    /// Sync an Application to its target revision (`argocd app sync [--prune] [--dry-run]`).
    SyncApplication {
        application: ObjectKey,
        prune: bool,
        dry_run: bool,
    },
    /// Ask Argo CD to compare again (`argocd app get --refresh` or `--hard-refresh`).
    RefreshApplication { application: ObjectKey, hard: bool },
    /// Sync an Application back to a revision from its history (`argocd app rollback`).
    RollbackApplication { application: ObjectKey, id: i64 },
    /// Stop the running sync (`argocd app terminate-op`).
    TerminateSync(ObjectKey),
    /// Turn automated sync off so a rollback stays (`argocd app set --sync-policy none`).
    DisableAutoSync(ObjectKey),
    /// Promote Freight into a Stage (`kargo promote --stage S --freight F`).
    PromoteFreight { stage: ObjectKey, freight: String },
    /// Approve Freight for a Stage (`kargo approve --freight F --stage S`).
    ApproveFreight { freight: ObjectKey, stage: String },
    /// Abort a running Promotion (`kargo abort promotion`).
    AbortPromotion(ObjectKey),
    /// Verify a Stage's current Freight again (`kargo verify stage`).
    Reverify(ObjectKey),
    /// Revert a commit of the GitOps repository and push (`git revert`), for an Application.
    RevertCommit {
        application: ObjectKey,
        commit: String,
    },
    /// Set an image's tag in an Application's kustomize overlay `dir` and push
    /// (`kustomize edit set image IMAGE:TAG`).
    SetImageTag {
        application: ObjectKey,
        dir: String,
        /// The image repository, without a tag (`registry/app`).
        image: String,
        tag: String,
    },
}

/// Why an intent cannot be planned now, and the intent that would make it possible, if there is
/// one (the UI offers it instead of matching the reason's words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal {
    pub reason: String,
    /// What would lift the refusal, e.g. turning auto-sync off before a rollback.
    pub remedy: Option<Box<Intent>>,
}

impl From<String> for Refusal {
    fn from(reason: String) -> Refusal {
        Refusal {
            reason,
            remedy: None,
        }
    }
}

impl From<&str> for Refusal {
    fn from(reason: &str) -> Refusal {
        Refusal::from(reason.to_string())
    }
}

/// What planning knows besides the objects: the time, randomness for generated names, and who
/// the user is (for the actor fields the upstream tools fill in).
#[derive(Debug, Clone)]
pub struct Context {
    /// Now, RFC 3339 in UTC.
    pub now: String,
    /// Now, milliseconds since the Unix epoch (for ULIDs).
    pub now_millis: u64,
    /// Random bytes for ULIDs.
    pub random: [u8; 10],
    /// The Kubernetes user name, if known.
    pub user: Option<String>,
    /// A time zone's offset from UTC now, in seconds (sync windows); 0 for UTC or an unknown
    /// zone, as Argo CD falls back to UTC.
    pub zone_offset: fn(&str) -> i64,
}

/// The exact change an intent makes, shown before it is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub intent: Intent,
    pub requests: Vec<WriteRequest>,
    /// The equivalent upstream command.
    pub cli: String,
    /// Something the user should know before confirming (e.g. auto-sync will undo it).
    pub warning: Option<String>,
    /// The Git commit to make instead of Kubernetes requests (Git intents).
    pub git: Option<crate::git::GitChange>,
    /// Permissions the upstream tool requires besides the requests' own (Kargo's `promote`
    /// verb on the Stage), checked before confirming.
    pub also_allowed: Vec<request::Access>,
}

/// The objects an intent's plan depends on, read just before planning.
#[derive(Debug, Clone, Default)]
pub struct Reads {
    /// The intent's target object.
    pub target: Value,
    /// Others it needs: a Rollout's ReplicaSets for undo, the Stage or Freight for Kargo.
    pub related: Vec<Value>,
}

/// What a read-only session or the user needs to know about an intent.
impl Intent {
    /// The object the intent acts on.
    pub fn target(&self) -> (Kind, &ObjectKey) {
        match self {
            Intent::PromoteRollout(key)
            | Intent::PromoteRolloutFully(key)
            | Intent::AbortRollout(key)
            | Intent::RetryRollout(key)
            | Intent::UndoRollout(key, _)
            | Intent::RestartRollout(key)
            | Intent::PauseRollout(key)
            | Intent::ResumeRollout(key) => (Kind::Rollout, key),
            Intent::TerminateAnalysisRun(key) => (Kind::AnalysisRun, key),
            Intent::SubmitWorkflow(key, _) => (Kind::WorkflowTemplate, key),
            Intent::StopWorkflow(key)
            | Intent::TerminateWorkflow(key)
            | Intent::SuspendWorkflow(key)
            | Intent::ResumeWorkflow(key)
            | Intent::ResubmitWorkflow(key) => (Kind::Workflow, key),
            Intent::SyncApplication { application, .. }
            | Intent::RefreshApplication { application, .. }
            | Intent::RollbackApplication { application, .. } => (Kind::Application, application),
            Intent::TerminateSync(key) | Intent::DisableAutoSync(key) => (Kind::Application, key),
            Intent::RevertCommit { application, .. } | Intent::SetImageTag { application, .. } => {
                (Kind::Application, application)
            }
            Intent::PromoteFreight { stage, .. } => (Kind::Stage, stage),
            Intent::ApproveFreight { freight, .. } => (Kind::Freight, freight),
            Intent::AbortPromotion(key) => (Kind::Promotion, key),
            Intent::Reverify(key) => (Kind::Stage, key),
        }
    }

    /// A short name for the log and the confirmation title ("abort rollout").
    pub fn verb(&self) -> &'static str {
        match self {
            Intent::PromoteRollout(_) => "promote rollout",
            Intent::PromoteRolloutFully(_) => "promote rollout fully",
            Intent::AbortRollout(_) => "abort rollout",
            Intent::RetryRollout(_) => "retry rollout",
            Intent::UndoRollout(..) => "undo rollout",
            Intent::RestartRollout(_) => "restart rollout",
            Intent::PauseRollout(_) => "pause rollout",
            Intent::ResumeRollout(_) => "resume rollout",
            Intent::TerminateAnalysisRun(_) => "terminate analysis run",
            Intent::SubmitWorkflow(..) => "submit workflow",
            Intent::StopWorkflow(_) => "stop workflow",
            Intent::TerminateWorkflow(_) => "terminate workflow",
            Intent::SuspendWorkflow(_) => "suspend workflow",
            Intent::ResumeWorkflow(_) => "resume workflow",
            Intent::ResubmitWorkflow(_) => "resubmit workflow",
            Intent::SyncApplication { .. } => "sync application",
            Intent::RefreshApplication { .. } => "refresh application",
            Intent::RollbackApplication { .. } => "roll back application",
            Intent::TerminateSync(_) => "terminate sync",
            Intent::DisableAutoSync(_) => "disable auto-sync",
            Intent::PromoteFreight { .. } => "promote freight",
            Intent::ApproveFreight { .. } => "approve freight",
            Intent::AbortPromotion(_) => "abort promotion",
            Intent::Reverify(_) => "reverify stage",
            Intent::RevertCommit { .. } => "git revert for",
            Intent::SetImageTag { .. } => "set image tag for",
        }
    }

    /// Whether it undoes or stops work (on production contexts the object's name must be typed).
    pub fn is_destructive(&self) -> bool {
        matches!(
            self,
            Intent::AbortRollout(_)
                | Intent::UndoRollout(..)
                | Intent::RestartRollout(_)
                | Intent::PromoteRolloutFully(_)
                | Intent::TerminateAnalysisRun(_)
                | Intent::TerminateWorkflow(_)
                | Intent::StopWorkflow(_)
                | Intent::RollbackApplication { .. }
                | Intent::TerminateSync(_)
                | Intent::SyncApplication { prune: true, .. }
                | Intent::PromoteFreight { .. }
                | Intent::AbortPromotion(_)
                | Intent::RevertCommit { .. }
                | Intent::SetImageTag { .. }
        )
    }

    /// The kind of object it creates, if it creates one.
    pub fn creates(&self) -> Option<Kind> {
        match self {
            Intent::PromoteFreight { .. } => Some(Kind::Promotion),
            Intent::SubmitWorkflow(..) | Intent::ResubmitWorkflow(_) => Some(Kind::Workflow),
            _ => None,
        }
    }

    /// Whether it is a Git change (planned and made by `git`, not the Kubernetes API).
    pub fn is_git(&self) -> bool {
        matches!(
            self,
            Intent::RevertCommit { .. } | Intent::SetImageTag { .. }
        )
    }

    /// The equivalent Git commands of a Git intent.
    pub fn git_cli(&self) -> Option<String> {
        match self {
            Intent::RevertCommit { commit, .. } => Some(format!(
                "git revert --no-edit {commit} && git push origin HEAD"
            )),
            Intent::SetImageTag {
                dir, image, tag, ..
            } => Some(format!(
                "cd {dir} && kustomize edit set image {image}:{tag}\ngit commit -am 'set image {image}:{tag}' && git push origin HEAD"
            )),
            _ => None,
        }
    }

    /// Whether planning needs related objects, and which: (kind, namespace, label selector).
    pub fn related(&self, target: &Value) -> Option<(Kind, String, String)> {
        match self {
            Intent::UndoRollout(key, _) => Some((
                Kind::ReplicaSet,
                key.namespace.clone(),
                crate::model::json::match_labels(target, "/spec/selector/matchLabels"),
            )),
            _ => None,
        }
    }

    /// The Argo CD AppProject whose sync windows a sync or rollback of `target` must respect:
    /// `spec.project` (or `default`) in the Argo CD namespace.
    pub fn project(&self, target: &Value) -> Option<ObjectKey> {
        if !matches!(
            self,
            Intent::SyncApplication { .. } | Intent::RollbackApplication { .. }
        ) {
            return None;
        }
        let text =
            |pointer| crate::model::json::text(target, pointer).filter(|value| !value.is_empty());
        Some(ObjectKey::new(
            text("/status/controllerNamespace")
                .or_else(|| text("/metadata/namespace"))
                .unwrap_or_default(),
            text("/spec/project").unwrap_or("default"),
        ))
    }

    /// The Kargo object read besides the target (the Freight to promote, the Stage to approve
    /// for), by kind and key.
    pub fn also_read(&self) -> Option<(Kind, ObjectKey)> {
        match self {
            Intent::PromoteFreight { stage, freight } => Some((
                Kind::Freight,
                ObjectKey::new(stage.namespace.clone(), freight.clone()),
            )),
            Intent::ApproveFreight { freight, stage } => Some((
                Kind::Stage,
                ObjectKey::new(freight.namespace.clone(), stage.clone()),
            )),
            _ => None,
        }
    }
}

/// Plans `intent` from what was read: the exact requests, or why it cannot be done now.
pub fn plan(intent: &Intent, reads: &Reads, context: &Context) -> Result<Plan, Refusal> {
    let (requests, cli, warning) = match intent {
        Intent::PromoteRollout(_)
        | Intent::PromoteRolloutFully(_)
        | Intent::AbortRollout(_)
        | Intent::RetryRollout(_)
        | Intent::UndoRollout(..)
        | Intent::RestartRollout(_)
        | Intent::PauseRollout(_)
        | Intent::ResumeRollout(_)
        | Intent::TerminateAnalysisRun(_) => rollouts::plan(intent, reads, context)?,
        Intent::SubmitWorkflow(..)
        | Intent::StopWorkflow(_)
        | Intent::TerminateWorkflow(_)
        | Intent::SuspendWorkflow(_)
        | Intent::ResumeWorkflow(_)
        | Intent::ResubmitWorkflow(_) => workflows::plan(intent, reads, context)?,
        Intent::SyncApplication { .. }
        | Intent::RefreshApplication { .. }
        | Intent::RollbackApplication { .. }
        | Intent::TerminateSync(_)
        | Intent::DisableAutoSync(_) => argocd::plan(intent, reads, context)?,
        Intent::PromoteFreight { .. }
        | Intent::ApproveFreight { .. }
        | Intent::AbortPromotion(_)
        | Intent::Reverify(_) => kargo::plan(intent, reads, context)?,
        Intent::RevertCommit { .. } | Intent::SetImageTag { .. } => {
            return Err("Git changes are planned against the repository (git::GitOps)".into());
        }
    };
    if requests.is_empty() {
        return Err(format!("nothing to do: {} would change nothing", intent.verb()).into());
    }
    Ok(Plan {
        intent: intent.clone(),
        requests,
        cli,
        warning,
        git: None,
        also_allowed: kargo::promote_permission(intent, reads)
            .into_iter()
            .collect(),
    })
}

/// What a tool's planner returns: the requests, the equivalent command, a warning.
pub type Planned = (Vec<WriteRequest>, String, Option<String>);

/// `metadata.resourceVersion` of what was read, for preconditions.
pub fn resource_version(object: &Value) -> String {
    crate::model::json::string(object, "/metadata/resourceVersion")
}
