//! Acting on the selected object: which intent a key means for it (with a choice where there is
//! one), then the round trip — `Effect::Prepare` (read, plan, permission check) →
//! `Msg::Prepared` (a confirmation with the exact requests and the equivalent command) → accept
//! (the object's name typed on production contexts for destructive intents) → `Effect::Execute`
//! → `Msg::Executed` (toast, action log, audit; a 409 reads and asks again). A read-only session
//! refuses at once and sends nothing.

use std::time::Instant;

use super::app::{App, Overlay, ToastLevel};
use super::msg::Effect;
use super::prompts::{Choice, Confirmation, ParameterForm};
use super::screen::View;
use crate::audit::AuditEntry;
use crate::intent::{Intent, Plan};
use crate::keymap::Action;
use crate::kube::execute::Failure;
use crate::model::{Kind, ObjectKey};

/// The changes of this session: in flight, logged, and one being asked again.
#[derive(Debug, Default)]
pub struct Actions {
    /// Changes sent whose effect the watch has not shown yet.
    pub pending: Vec<Pending>,
    /// Every change asked for in this session.
    pub log: Vec<AuditEntry>,
    /// Where the audit log is appended (`None`: memory only).
    pub audit_path: Option<std::path::PathBuf>,
    /// An intent being planned again after a conflict, and what to tell the user.
    reasking: Option<(Intent, String)>,
}

impl Actions {
    /// No change yet; the audit log appended to `audit_path`.
    pub fn new(audit_path: Option<std::path::PathBuf>) -> Actions {
        Actions {
            audit_path,
            ..Actions::default()
        }
    }
}

/// A change sent, waiting for the watch to show its effect.
#[derive(Debug, Clone)]
pub struct Pending {
    pub kind: Kind,
    pub key: ObjectKey,
    pub verb: &'static str,
    pub since: Instant,
}

impl App {
    /// What `action` means for the selected object.
    pub(super) fn act(&mut self, action: Action) -> Option<Effect> {
        if action == Action::ShowActionLog {
            self.show(View::ActionLog);
            return None;
        }
        let Some((kind, key)) = self.selected_object() else {
            self.notify(ToastLevel::Info, "select an object first");
            return None;
        };
        let same = |name: &str| ObjectKey::new(key.namespace.clone(), name);
        let intent = match (action, kind) {
            (Action::Promote, Kind::Rollout) => Intent::PromoteRollout(key),
            (Action::PromoteFull, Kind::Rollout) => Intent::PromoteRolloutFully(key),
            (Action::Abort, Kind::Rollout) => Intent::AbortRollout(key),
            (Action::Abort, Kind::Promotion) => Intent::AbortPromotion(key),
            (Action::Abort, Kind::AnalysisRun) => Intent::TerminateAnalysisRun(key),
            (Action::Abort, Kind::Application) => Intent::TerminateSync(key),
            (Action::Retry, Kind::Rollout) => Intent::RetryRollout(key),
            (Action::Retry, Kind::Workflow) => {
                self.notify(
                    ToastLevel::Info,
                    crate::intent::workflows::RETRY_NOT_OFFERED,
                );
                return None;
            }
            (Action::Restart, Kind::Rollout) => Intent::RestartRollout(key),
            (Action::Pause, Kind::Rollout) => Intent::PauseRollout(key),
            (Action::Pause, Kind::Workflow) => Intent::SuspendWorkflow(key),
            (Action::Resume, Kind::Rollout) => Intent::ResumeRollout(key),
            (Action::Resume, Kind::Workflow) => Intent::ResumeWorkflow(key),
            (Action::Refresh, Kind::Application) => Intent::RefreshApplication {
                application: key,
                hard: false,
            },
            (Action::HardRefresh, Kind::Application) => Intent::RefreshApplication {
                application: key,
                hard: true,
            },
            (Action::DisableAutoSync, Kind::Application) => Intent::DisableAutoSync(key),
            (Action::Reverify, Kind::Stage) => Intent::Reverify(key),
            (Action::Stop, Kind::Workflow) => Intent::StopWorkflow(key),
            (Action::Terminate, Kind::Workflow) => Intent::TerminateWorkflow(key),
            (Action::Resubmit, Kind::Workflow) => Intent::ResubmitWorkflow(key),
            (Action::Submit, Kind::WorkflowTemplate) => {
                let (parameters, choices) = self
                    .store
                    .workflow_template(&key)
                    .map(|t| (t.parameters.clone(), t.choices.clone()))
                    .unwrap_or_default();
                self.overlay = Some(Overlay::Form(ParameterForm::new(
                    key,
                    &parameters,
                    &choices,
                )));
                return None;
            }
            (Action::Sync, Kind::Application) => {
                let sync = |prune, dry_run| Intent::SyncApplication {
                    application: key.clone(),
                    prune,
                    dry_run,
                };
                return self.choose(
                    format!("Sync {key}"),
                    vec![
                        ("sync".into(), sync(false, false)),
                        (
                            "sync --prune (delete what Git no longer has)".into(),
                            sync(true, false),
                        ),
                        (
                            "sync --dry-run (show what would change)".into(),
                            sync(false, true),
                        ),
                    ],
                );
            }
            (Action::Undo, Kind::Rollout) => {
                let options = self.rollout_revisions(&key);
                let title = match self.auto_synced_application(&key.namespace) {
                    Some(app) => format!(
                        "Undo {key} to (Argo CD auto-sync of {app} will put Git's version back: press {} on it to revert in Git instead)",
                        self.key_hint(crate::keymap::Layer::List, Action::Revert)
                    ),
                    None => format!("Undo {key} to"),
                };
                return self.choose(title, options);
            }
            (Action::Revert, Kind::Application) => {
                self.notify(ToastLevel::Info, "reading the GitOps repository's log…");
                return Some(Effect::GitLog(key));
            }
            (Action::SetImage, Kind::Application) => {
                let dir = self
                    .store
                    .application(&key)
                    .map(|app| app.path.clone())
                    .unwrap_or_default();
                if dir.is_empty() {
                    self.notify(
                        ToastLevel::Info,
                        "the Application names no source path to edit",
                    );
                    return None;
                }
                let options = self
                    .built_images()
                    .into_iter()
                    .map(|(image, tag)| {
                        (
                            format!("{image}:{tag}"),
                            Intent::SetImageTag {
                                application: key.clone(),
                                dir: dir.clone(),
                                image,
                                tag,
                            },
                        )
                    })
                    .collect();
                return self.choose(format!("Set the image in {dir} to"), options);
            }
            (Action::Undo, Kind::Application) => {
                let options = self.application_history(&key);
                if options.is_empty() {
                    self.notify(
                        ToastLevel::Info,
                        "open the Application (enter) to choose from its history",
                    );
                    return None;
                }
                return self.choose(format!("Roll {key} back to"), options);
            }
            (Action::Promote, Kind::Freight) | (Action::Approve, Kind::Freight) => {
                let approve = action == Action::Approve;
                let options: Vec<(String, Intent)> = self
                    .project_stages(&key.namespace)
                    .into_iter()
                    .map(|stage| {
                        let intent = if approve {
                            Intent::ApproveFreight {
                                freight: key.clone(),
                                stage: stage.clone(),
                            }
                        } else {
                            Intent::PromoteFreight {
                                stage: same(&stage),
                                freight: key.name.clone(),
                            }
                        };
                        (stage, intent)
                    })
                    .collect();
                let verb = if approve { "Approve" } else { "Promote" };
                return self.choose(format!("{verb} {} into stage", key.name), options);
            }
            (Action::Promote, Kind::Stage) | (Action::Approve, Kind::Stage) => {
                let approve = action == Action::Approve;
                let options: Vec<(String, Intent)> = self
                    .project_freight(&key.namespace)
                    .into_iter()
                    .map(|(name, label)| {
                        let intent = if approve {
                            Intent::ApproveFreight {
                                freight: same(&name),
                                stage: key.name.clone(),
                            }
                        } else {
                            Intent::PromoteFreight {
                                stage: key.clone(),
                                freight: name,
                            }
                        };
                        (label, intent)
                    })
                    .collect();
                let verb = if approve {
                    "Approve for"
                } else {
                    "Promote into"
                };
                return self.choose(format!("{verb} {}: which Freight", key.name), options);
            }
            (action, kind) => {
                self.notify(
                    ToastLevel::Info,
                    format!("{} does nothing on {}", action.name(), kind.title()),
                );
                return None;
            }
        };
        self.ask(intent)
    }

    fn choose(&mut self, title: String, options: Vec<(String, Intent)>) -> Option<Effect> {
        if options.is_empty() {
            self.notify(ToastLevel::Info, format!("{title}: nothing to choose from"));
            return None;
        }
        self.overlay = Some(Overlay::Choose(Choice::new(title, options)));
        None
    }

    /// The GitOps log arrived: choose the commit to revert.
    pub(super) fn on_git_log(
        &mut self,
        application: ObjectKey,
        log: Result<Vec<crate::git::LoggedCommit>, String>,
    ) {
        match log {
            Ok(commits) => {
                let options = commits
                    .into_iter()
                    .map(|commit| {
                        (
                            format!(
                                "{}  {}  ({})",
                                &commit.id[..7.min(commit.id.len())],
                                commit.summary,
                                commit.author
                            ),
                            Intent::RevertCommit {
                                application: application.clone(),
                                commit: commit.id,
                            },
                        )
                    })
                    .collect();
                self.toast = None;
                let _ = self.choose(format!("Revert which commit (for {application})"), options);
            }
            Err(reason) => self.notify(ToastLevel::Error, format!("GitOps repository: {reason}")),
        }
        self.dirty = true;
    }

    /// An auto-synced Application deploying into `namespace`, if there is one.
    fn auto_synced_application(&self, namespace: &str) -> Option<ObjectKey> {
        self.store
            .applications()
            .find(|app| app.auto_sync && app.destination_namespace == namespace)
            .map(|app| app.key.clone())
    }

    /// Images that were built, as (repository, tag): Freight newest first, then the images
    /// ReplicaSets ran; each once.
    fn built_images(&self) -> Vec<(String, String)> {
        let mut freight: Vec<_> = self.store.freights().collect();
        freight.sort_by_key(|f| std::cmp::Reverse(f.created));
        let mut images: Vec<(String, String)> = Vec::new();
        let candidates = freight
            .into_iter()
            .map(|f| (f.image_repository.clone(), f.image_tag.clone()))
            .chain(self.store.replica_sets().filter_map(|rs| {
                let (repository, tag) = rs.image.rsplit_once(':')?;
                (!tag.contains('/') && !repository.contains('@'))
                    .then(|| (repository.to_string(), tag.to_string()))
            }));
        for candidate in candidates {
            if !candidate.0.is_empty() && !candidate.1.is_empty() && !images.contains(&candidate) {
                images.push(candidate);
            }
        }
        images
    }

    /// Starts the round trip for `intent`, unless the session is read-only.
    pub(super) fn ask(&mut self, intent: Intent) -> Option<Effect> {
        let what = describe(&intent);
        if self.read_only {
            self.notify(
                ToastLevel::Warning,
                format!("read-only: {what} was not sent"),
            );
            self.record(what, None, "refused: read-only".into());
            return None;
        }
        self.notify(ToastLevel::Info, format!("reading {}…", intent.target().1));
        Some(Effect::Prepare(intent))
    }

    /// A plan (or why there is none) arrived: ask for confirmation.
    pub(super) fn on_prepared(
        &mut self,
        intent: Intent,
        result: Result<Box<Plan>, crate::intent::Refusal>,
    ) {
        let note = self
            .actions
            .reasking
            .take()
            .filter(|(asked, _)| *asked == intent);
        match result {
            Ok(plan) => {
                let needs_name = self.production && intent.is_destructive();
                self.overlay = Some(Overlay::Confirm(Box::new(Confirmation {
                    plan: *plan,
                    typed: Default::default(),
                    needs_name,
                    note: note.map(|(_, note)| note),
                })));
                self.toast = None;
            }
            Err(refusal) => {
                let what = describe(&intent);
                let reason = &refusal.reason;
                self.record(what.clone(), None, format!("not possible: {reason}"));
                match (&intent, refusal.remedy) {
                    // A rollback that auto-sync would undo: offer to turn auto-sync off first.
                    (Intent::RollbackApplication { application, .. }, Some(remedy)) => {
                        let revert = self.key_hint(crate::keymap::Layer::List, Action::Revert);
                        let _ = self.choose(
                            format!("Auto-sync would undo a rollback of {application}: turn it off first, or press {revert} on the Application for a Git revert"),
                            vec![(
                                format!("disable auto-sync of {application}, then roll back again"),
                                *remedy,
                            )],
                        );
                    }
                    (_, Some(remedy)) => {
                        let offer = format!("{} instead", describe(&remedy));
                        let _ = self.choose(format!("{what}: {reason}"), vec![(offer, *remedy)]);
                    }
                    (_, None) => self.notify(ToastLevel::Error, format!("{what}: {reason}")),
                }
            }
        }
        self.dirty = true;
    }

    /// Accepting the confirmation: send it, if the name was typed where required.
    pub(super) fn confirm(&mut self, confirmation: Box<Confirmation>) -> Option<Effect> {
        if !confirmation.ready() {
            let name = confirmation.plan.intent.target().1.name.clone();
            self.overlay = Some(Overlay::Confirm(confirmation));
            self.notify(
                ToastLevel::Warning,
                format!("production: type `{name}` to confirm"),
            );
            return None;
        }
        if self.read_only {
            let what = describe(&confirmation.plan.intent);
            self.record(what, Some(&confirmation.plan), "refused: read-only".into());
            return None;
        }
        self.notify(
            ToastLevel::Info,
            format!("sending {}…", describe(&confirmation.plan.intent)),
        );
        Some(Effect::Execute {
            plan: Box::new(confirmation.plan),
            read_only: self.read_only,
        })
    }

    /// The confirmation was cancelled.
    pub(super) fn cancel_confirmation(&mut self, confirmation: &Confirmation) {
        let what = describe(&confirmation.plan.intent);
        self.record(what, Some(&confirmation.plan), "cancelled".into());
    }

    /// The outcome of a sent plan.
    pub(super) fn on_executed(
        &mut self,
        plan: Plan,
        result: Result<Vec<String>, Failure>,
    ) -> Option<Effect> {
        let what = describe(&plan.intent);
        self.dirty = true;
        match result {
            Ok(created) => {
                let (kind, key) = plan.intent.target();
                self.actions.pending.push(Pending {
                    kind,
                    key: key.clone(),
                    verb: plan.intent.verb(),
                    since: Instant::now(),
                });
                // Tracked by the name the server gave it (Kargo ≥ 1.11 renames Promotions).
                let mut outcome = "sent".to_string();
                if let Some(created_kind) = plan.intent.creates() {
                    for name in &created {
                        outcome
                            .push_str(&format!("; created {} {name}", created_kind.resource().2));
                        self.actions.pending.push(Pending {
                            kind: created_kind,
                            key: ObjectKey::new(key.namespace.clone(), name.clone()),
                            verb: plan.intent.verb(),
                            since: Instant::now(),
                        });
                    }
                }
                self.notify(
                    ToastLevel::Info,
                    format!("{what}: {outcome}; waiting for the cluster"),
                );
                self.record(what, Some(&plan), format!("confirmed: {outcome}"));
                None
            }
            Err(Failure::Conflict(message)) => {
                // The object changed after it was read: read it again and ask again.
                self.record(what.clone(), Some(&plan), format!("conflict: {message}"));
                self.actions.reasking = Some((
                    plan.intent.clone(),
                    "the object changed since it was read; this is the change planned from what it is now".into(),
                ));
                Some(Effect::Prepare(plan.intent))
            }
            Err(failure) => {
                self.notify(ToastLevel::Error, format!("{what}: {failure}"));
                self.record(what, Some(&plan), format!("failed: {failure}"));
                None
            }
        }
    }

    /// Changes seen by the watch clear the pending badges of their objects.
    pub(super) fn settle_pending(&mut self, deltas: &[crate::store::Delta]) {
        if self.actions.pending.is_empty() {
            return;
        }
        self.actions.pending.retain(|pending| {
            !deltas.iter().any(|delta| {
                matches!(delta, crate::store::Delta::Apply(row) if row.kind() == pending.kind && *row.key() == pending.key)
            })
        });
    }

    fn record(&mut self, what: String, plan: Option<&Plan>, outcome: String) {
        let context = self.target.context.clone().unwrap_or_default();
        let user = self
            .identity
            .clone()
            .or_else(|| self.target.user.clone())
            .unwrap_or_default();
        let entry = AuditEntry::new(&context, &user, what, plan, outcome);
        if let Some(path) = &self.actions.audit_path
            && let Err(error) = crate::audit::append(path, &entry)
        {
            self.notify(
                ToastLevel::Error,
                format!("cannot write the audit log: {error}"),
            );
        }
        self.actions.log.push(entry);
    }

    /// The Rollout's earlier revisions (newest first), from its ReplicaSets.
    fn rollout_revisions(&self, rollout: &ObjectKey) -> Vec<(String, Intent)> {
        let mut sets: Vec<_> = self
            .store
            .replica_sets()
            .filter(|rs| {
                rs.key.namespace == rollout.namespace
                    && rs.rollout.as_deref() == Some(rollout.name.as_str())
            })
            .collect();
        sets.sort_by_key(|rs| std::cmp::Reverse(rs.revision));
        sets.into_iter()
            .skip(1)
            .map(|rs| {
                (
                    format!("revision {}  {}", rs.revision, rs.image),
                    Intent::UndoRollout(rollout.clone(), Some(rs.revision)),
                )
            })
            .collect()
    }

    /// The Application's history (newest first), from the fetched object of its detail view.
    fn application_history(&self, application: &ObjectKey) -> Vec<(String, Intent)> {
        let Some(Ok(object)) = self
            .subject()
            .filter(|subject| subject.key == *application)
            .and_then(|subject| subject.object.as_ref())
        else {
            return Vec::new();
        };
        let mut entries: Vec<(String, Intent)> = object
            .pointer("/status/history")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let id = entry.get("id")?.as_i64()?;
                let revision = crate::model::json::str_at(entry, "/revision");
                let short: String = revision.chars().take(12).collect();
                let deployed = crate::model::json::str_at(entry, "/deployedAt");
                Some((
                    format!("id {id}  {short}  {deployed}"),
                    Intent::RollbackApplication {
                        application: application.clone(),
                        id,
                    },
                ))
            })
            .collect();
        entries.reverse();
        entries
    }

    /// The Stages of a Kargo project, upstream first.
    fn project_stages(&self, project: &str) -> Vec<String> {
        crate::view::kargo::stage_order(self.store.stages().filter(|s| s.key.namespace == project))
    }

    /// The Freight of a Kargo project, newest first: (name, label).
    fn project_freight(&self, project: &str) -> Vec<(String, String)> {
        let mut freight: Vec<_> = self
            .store
            .freights()
            .filter(|f| f.key.namespace == project)
            .collect();
        freight.sort_by_key(|f| std::cmp::Reverse(f.created));
        freight
            .into_iter()
            .map(|f| {
                (
                    f.key.name.clone(),
                    format!("{}  {}", f.label(), f.image_tag),
                )
            })
            .collect()
    }
}

/// "abort rollout demo-app-dev/demo-app".
pub fn describe(intent: &Intent) -> String {
    format!("{} {}", intent.verb(), intent.target().1)
}
