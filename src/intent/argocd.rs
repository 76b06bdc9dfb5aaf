//! Argo CD actions written straight to the Application (semantics doc §3.3–3.6): sync and
//! rollback set the top-level `operation` (refused while another is in progress or while a sync
//! window of the AppProject blocks it, with the resourceVersion read as precondition,
//! `status.operationState` cleared), refresh sets the
//! refresh annotation, terminate marks the running operation `Terminating`, and disabling
//! auto-sync removes `spec.syncPolicy.automated` (what `argocd app set --sync-policy none` does).
//! Pure.

use serde_json::{Value, json};

use super::request::merge_patch;
use super::{Context, Intent, Planned, Reads, Refusal, resource_version};
use crate::model::Kind;
use crate::model::json::{integer, str_at};
use crate::model::sync_windows::{Destination, SyncWindow, manual_sync_allowed};

pub fn plan(intent: &Intent, reads: &Reads, context: &Context) -> Result<Planned, Refusal> {
    let app = &reads.target;
    let (_, key) = intent.target();
    let name = format!("{}/{}", key.namespace, key.name);
    let initiated_by =
        json!({"username": context.user.clone().unwrap_or_else(|| "flightdeck".into())});
    Ok(match intent {
        Intent::SyncApplication { prune, dry_run, .. } => {
            sync_windows_allow(app, reads, context)?;
            no_operation_running(app)?;
            let mut sync = json!({"revision": "", "syncStrategy": {"hook": {}}});
            if *prune {
                sync["prune"] = json!(true);
            }
            if *dry_run {
                sync["dryRun"] = json!(true);
            }
            copy_sources(app, &mut sync, "/spec");
            if let Some(options) = app.pointer("/spec/syncPolicy/syncOptions") {
                sync["syncOptions"] = options.clone();
            }
            let mut operation = json!({"sync": sync, "initiatedBy": initiated_by});
            if let Some(retry) = app.pointer("/spec/syncPolicy/retry") {
                operation["retry"] = retry.clone();
            }
            let flags = match (prune, dry_run) {
                (true, true) => " --prune --dry-run",
                (true, false) => " --prune",
                (false, true) => " --dry-run",
                (false, false) => "",
            };
            (
                vec![operation_patch(key, app, operation)],
                format!("argocd app sync {name}{flags}"),
                None,
            )
        }
        // util/argo/argo.go `RefreshApp`.
        // util/argo/argo.go `RefreshApp` as `argocd app get --refresh` calls it: since v3.0 it
        // also asks for hydration (`argocd.argoproj.io/hydrate`; v3.5: `hard` on a hard
        // refresh), which flightdeck sends only to Applications that use the source hydrator.
        Intent::RefreshApplication { hard, .. } => {
            let (value, flag) = if *hard {
                ("hard", "--hard-refresh")
            } else {
                ("normal", "--refresh")
            };
            let mut annotations = json!({"argocd.argoproj.io/refresh": value});
            if app
                .pointer("/spec/sourceHydrator")
                .is_some_and(Value::is_object)
            {
                annotations["argocd.argoproj.io/hydrate"] = json!(value);
            }
            (
                vec![merge_patch(
                    Kind::Application,
                    key,
                    "",
                    json!({"metadata": {"annotations": annotations}}),
                )],
                format!("argocd app get {name} {flag}"),
                None,
            )
        }
        // server/application/application.go `Rollback`.
        Intent::RollbackApplication { id, .. } => {
            if auto_sync(app) {
                return Err(Refusal {
                    reason: "rollback cannot be initiated when auto-sync is enabled: Argo CD would sync it straight back — disable auto-sync first, or revert the commit in Git".into(),
                    remedy: Some(Box::new(Intent::DisableAutoSync(key.clone()))),
                });
            }
            sync_windows_allow(app, reads, context)?;
            no_operation_running(app)?;
            let entry = app
                .pointer("/status/history")
                .and_then(Value::as_array)
                .and_then(|history| history.iter().find(|h| integer(h, "/id") == Some(*id)))
                .ok_or_else(|| format!("application has no history entry with id {id}"))?;
            if entry.get("source").is_none() && entry.get("sources").is_none() {
                return Err("that history entry names no source (too old to roll back to)".into());
            }
            let mut sync = json!({"revision": entry.get("revision").cloned().unwrap_or(json!("")), "syncStrategy": {"apply": {}}});
            if let Some(revisions) = entry.get("revisions") {
                sync["revisions"] = revisions.clone();
            }
            if let Some(options) = app.pointer("/spec/syncPolicy/syncOptions") {
                sync["syncOptions"] = options.clone();
            }
            copy_sources(entry, &mut sync, "");
            let operation = json!({"sync": sync, "initiatedBy": initiated_by});
            (
                vec![operation_patch(key, app, operation)],
                format!("argocd app rollback {name} {id}"),
                None,
            )
        }
        // server/application/application.go `TerminateOperation`.
        Intent::TerminateSync(_) => {
            if app.get("operation").is_none_or(Value::is_null)
                || app
                    .pointer("/status/operationState")
                    .is_none_or(Value::is_null)
            {
                return Err("no operation is in progress".into());
            }
            (
                vec![merge_patch(
                    Kind::Application,
                    key,
                    "",
                    json!({"metadata": {"resourceVersion": resource_version(app)}, "status": {"operationState": {"phase": "Terminating"}}}),
                )],
                format!("argocd app terminate-op {name}"),
                None,
            )
        }
        Intent::DisableAutoSync(_) => {
            if !auto_sync(app) {
                return Err("auto-sync is already off".into());
            }
            (
                vec![merge_patch(
                    Kind::Application,
                    key,
                    "",
                    json!({"spec": {"syncPolicy": {"automated": null}}}),
                )],
                format!("argocd app set {name} --sync-policy none"),
                None,
            )
        }
        _ => return Err(format!("{} is not an Argo CD action", intent.verb()).into()),
    })
}

/// `SyncPolicy.IsAutomatedSyncEnabled`: `automated` set and not `enabled: false`.
pub fn auto_sync(app: &Value) -> bool {
    app.pointer("/spec/syncPolicy/automated")
        .is_some_and(|a| a.is_object() && a.get("enabled").and_then(Value::as_bool) != Some(false))
}

/// `SetAppOperation` refuses while `operation` is set; so does flightdeck.
fn no_operation_running(app: &Value) -> Result<(), String> {
    if app.pointer("/metadata/deletionTimestamp").is_some() {
        return Err("the application is being deleted".into());
    }
    if app.get("operation").is_some_and(|o| !o.is_null()) {
        return Err("another operation is already in progress".into());
    }
    Ok(())
}

/// Single-source apps carry `source`, multi-source ones `sources` (never the zero source).
fn copy_sources(from: &Value, sync: &mut Value, prefix: &str) {
    if let Some(sources) = from
        .pointer(&format!("{prefix}/sources"))
        .filter(|s| s.is_array())
    {
        sync["sources"] = sources.clone();
    } else if let Some(source) = from.pointer(&format!("{prefix}/source")) {
        sync["source"] = source.clone();
    }
}

/// The operation written as `SetAppOperation` does, atomic through the resourceVersion read.
fn operation_patch(
    key: &crate::model::ObjectKey,
    app: &Value,
    operation: Value,
) -> super::request::WriteRequest {
    merge_patch(
        Kind::Application,
        key,
        "",
        json!({"metadata": {"resourceVersion": resource_version(app)}, "operation": operation, "status": {"operationState": null}}),
    )
}

/// server/application/application.go `Sync`: `SyncWindows.Matches(app).CanSync(true, nil)`
/// against the AppProject read with the Application (when it could be read). A rollback is a
/// sync operation the controller would hold the same way, so it is refused the same way.
fn sync_windows_allow(app: &Value, reads: &Reads, context: &Context) -> Result<(), String> {
    let Some(project) = reads
        .related
        .iter()
        .find(|object| str_at(object, "/kind") == "AppProject")
    else {
        return Ok(());
    };
    let destination = Destination {
        application: str_at(app, "/metadata/name"),
        name: str_at(app, "/spec/destination/name"),
        server: str_at(app, "/spec/destination/server"),
        namespace: str_at(app, "/spec/destination/namespace"),
    };
    let now = i64::try_from(context.now_millis / 1000).unwrap_or(i64::MAX);
    manual_sync_allowed(
        &SyncWindow::of_project(project),
        &destination,
        now,
        &context.zone_offset,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectKey;

    fn planned(intent: Intent, target: Value) -> Result<Planned, Refusal> {
        let context = Context {
            now: "2026-11-26T12:00:00Z".into(),
            now_millis: 0,
            random: [0; 10],
            user: Some("jane".into()),
            zone_offset: |_| 0,
        };
        plan(
            &intent,
            &Reads {
                target,
                related: vec![],
            },
            &context,
        )
    }

    fn key() -> ObjectKey {
        ObjectKey::new("argocd", "app")
    }

    #[test]
    fn a_sync_window_that_blocks_refuses_sync_and_rollback() {
        let app = json!({"metadata": {"name": "shop-prod", "resourceVersion": "7"}, "spec": {"destination": {"server": "https://kubernetes.default.svc", "namespace": "shop-prod"}, "source": {"repoURL": "r", "path": "p"}},
            "status": {"history": [{"id": 0, "revision": "a", "source": {"repoURL": "r", "path": "p"}}, {"id": 1, "revision": "b", "source": {"repoURL": "r", "path": "p"}}]}});
        let project = |manual: bool| json!({"kind": "AppProject", "spec": {"syncWindows": [{"kind": "deny", "schedule": "* * * * *", "duration": "1h", "namespaces": ["*-prod"], "manualSync": manual, "description": "release freeze"}]}});
        let context = Context {
            now: String::new(),
            now_millis: 1_795_000_000_000,
            random: [0; 10],
            user: None,
            zone_offset: |_| 0,
        };
        let sync = Intent::SyncApplication {
            application: key(),
            prune: false,
            dry_run: false,
        };
        let rollback = Intent::RollbackApplication {
            application: key(),
            id: 0,
        };
        for intent in [&sync, &rollback] {
            let blocked = Reads {
                target: app.clone(),
                related: vec![project(false)],
            };
            assert_eq!(
                plan(intent, &blocked, &context).err(),
                Some(
                    "cannot sync: blocked by sync window (deny * * * * * for 1h: release freeze)"
                        .into()
                ),
                "{intent:?}"
            );
            let manual = Reads {
                target: app.clone(),
                related: vec![project(true)],
            };
            assert!(
                plan(intent, &manual, &context).is_ok(),
                "manualSync: {intent:?}"
            );
        }
    }

    #[test]
    fn sync_writes_the_operation_with_a_precondition() {
        let app = json!({"metadata": {"resourceVersion": "7"}, "spec": {"source": {"repoURL": "r", "path": "p"}, "syncPolicy": {"syncOptions": ["CreateNamespace=true"]}}});
        let (requests, cli, _) = planned(
            Intent::SyncApplication {
                application: key(),
                prune: true,
                dry_run: false,
            },
            app.clone(),
        )
        .expect("sync");
        assert_eq!(
            requests[0].path,
            "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/app"
        );
        assert_eq!(
            requests[0].body,
            json!({"metadata": {"resourceVersion": "7"},
                "operation": {"sync": {"revision": "", "syncStrategy": {"hook": {}}, "prune": true, "source": {"repoURL": "r", "path": "p"}, "syncOptions": ["CreateNamespace=true"]}, "initiatedBy": {"username": "jane"}},
                "status": {"operationState": null}})
        );
        assert_eq!(cli, "argocd app sync argocd/app --prune");
        let busy = json!({"operation": {"sync": {}}});
        assert_eq!(
            planned(
                Intent::SyncApplication {
                    application: key(),
                    prune: false,
                    dry_run: false
                },
                busy
            )
            .err(),
            Some("another operation is already in progress".into())
        );
    }

    #[test]
    fn refresh_rollback_terminate_and_auto_sync() {
        let (requests, cli, _) = planned(
            Intent::RefreshApplication {
                application: key(),
                hard: true,
            },
            json!({}),
        )
        .expect("refresh");
        assert_eq!(
            requests[0].body,
            json!({"metadata": {"annotations": {"argocd.argoproj.io/refresh": "hard"}}})
        );
        assert_eq!(cli, "argocd app get argocd/app --hard-refresh");
        let hydrated = json!({"spec": {"sourceHydrator": {"drySource": {"repoURL": "r", "path": "p", "targetRevision": "main"}, "syncSource": {"targetBranch": "env/dev", "path": "p"}}}});
        for (hard, value) in [(false, "normal"), (true, "hard")] {
            let (requests, _, _) = planned(
                Intent::RefreshApplication {
                    application: key(),
                    hard,
                },
                hydrated.clone(),
            )
            .expect("refresh");
            assert_eq!(
                requests[0].body,
                json!({"metadata": {"annotations": {"argocd.argoproj.io/refresh": value, "argocd.argoproj.io/hydrate": value}}}),
                "a source-hydrator Application is also asked to hydrate"
            );
        }
        let history = json!([{"id": 0, "revision": "aaa", "source": {"repoURL": "r", "path": "p"}}, {"id": 1, "revision": "bbb", "source": {"repoURL": "r", "path": "p"}}]);
        let manual = json!({"metadata": {"resourceVersion": "9"}, "status": {"history": history}});
        let (requests, cli, _) = planned(
            Intent::RollbackApplication {
                application: key(),
                id: 0,
            },
            manual.clone(),
        )
        .expect("rollback");
        assert_eq!(
            requests[0].body,
            json!({"metadata": {"resourceVersion": "9"},
                "operation": {"sync": {"revision": "aaa", "syncStrategy": {"apply": {}}, "source": {"repoURL": "r", "path": "p"}}, "initiatedBy": {"username": "jane"}},
                "status": {"operationState": null}})
        );
        assert_eq!(cli, "argocd app rollback argocd/app 0");
        assert!(
            planned(
                Intent::RollbackApplication {
                    application: key(),
                    id: 5
                },
                manual
            )
            .is_err()
        );
        let automated = json!({"spec": {"syncPolicy": {"automated": {"prune": true}}}, "status": {"history": history}});
        assert!(
            planned(
                Intent::RollbackApplication {
                    application: key(),
                    id: 0
                },
                automated.clone()
            )
            .is_err_and(|e| e.reason.contains("auto-sync is enabled")
                && e.remedy == Some(Box::new(Intent::DisableAutoSync(key()))))
        );
        let (requests, cli, _) =
            planned(Intent::DisableAutoSync(key()), automated).expect("disable");
        assert_eq!(
            requests[0].body,
            json!({"spec": {"syncPolicy": {"automated": null}}})
        );
        assert_eq!(cli, "argocd app set argocd/app --sync-policy none");
        assert!(!auto_sync(
            &json!({"spec": {"syncPolicy": {"automated": {"enabled": false}}}})
        ));
        let running = json!({"metadata": {"resourceVersion": "3"}, "operation": {"sync": {}}, "status": {"operationState": {"phase": "Running"}}});
        let (requests, _, _) = planned(Intent::TerminateSync(key()), running).expect("terminate");
        assert_eq!(
            requests[0].body,
            json!({"metadata": {"resourceVersion": "3"}, "status": {"operationState": {"phase": "Terminating"}}})
        );
        assert!(planned(Intent::TerminateSync(key()), json!({})).is_err());
    }
}
