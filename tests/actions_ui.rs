//! The action round trip in the UI, without a cluster: a key on the selected object asks the
//! host to prepare the intent; the plan is shown with its exact requests and the equivalent
//! command; enter sends it (on production only after the name is typed); the outcome lands in the
//! action log and the audit file, and a pending badge stays until the watch shows the change.
//! Read-only sessions refuse at once.

mod common;

use common::keys::{press_one, screen_text, type_text};
use crossterm::event::KeyCode;
use flightdeck::intent::{Context, Intent, Reads, plan};
use flightdeck::model::{Kind, ObjectKey, Row};
use flightdeck::store::{Delta, Scope, WatchState};
use flightdeck::ui::app::{App, Overlay};
use flightdeck::ui::msg::{Effect, Msg};
use serde_json::json;

fn rollout() -> serde_json::Value {
    json!({"metadata": {"name": "demo-app", "namespace": "demo-app-dev", "resourceVersion": "5"}, "spec": {"strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}]}}}, "status": {"phase": "Paused", "currentStepIndex": 1, "pauseConditions": [{"reason": "CanaryPauseStep"}]}})
}

/// The app showing the Rollouts list with one Rollout selected, auditing into `audit`.
fn app_on_rollouts(audit: &std::path::Path) -> App {
    let mut app = common::app();
    app.actions.audit_path = Some(audit.to_path_buf());
    let mut deltas: Vec<Delta> = Kind::ALL
        .iter()
        .map(|k| Delta::State(*k, Scope::Cluster, WatchState::Live))
        .collect();
    deltas.push(Delta::Apply(Row::from_object(Kind::Rollout, &rollout())));
    app.update(Msg::Kube(deltas));
    press_one(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ro");
    press_one(&mut app, KeyCode::Enter);
    app
}

fn planned(intent: &Intent) -> flightdeck::intent::Plan {
    let context = Context {
        now: "2026-11-26T12:00:00Z".into(),
        now_millis: 0,
        random: [0; 10],
        user: None,
        zone_offset: |_| 0,
    };
    plan(
        intent,
        &Reads {
            target: rollout(),
            related: vec![],
        },
        &context,
    )
    .expect("plan")
}

#[test]
fn abort_is_prepared_confirmed_sent_logged_and_settled() {
    let dir = tempfile::tempdir().expect("temp");
    let audit = dir.path().join("audit.jsonl");
    let mut app = app_on_rollouts(&audit);
    let target = ObjectKey::new("demo-app-dev", "demo-app");
    let intent = Intent::AbortRollout(target.clone());
    assert_eq!(
        press_one(&mut app, KeyCode::Char('A')),
        Some(Effect::Prepare(intent.clone()))
    );
    app.update(Msg::Prepared(
        intent.clone(),
        Ok(Box::new(planned(&intent))),
    ));
    let shown = screen_text(&app, 120, 40);
    assert!(
        shown.contains("abort rollout demo-app-dev/demo-app"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "PATCH /apis/argoproj.io/v1alpha1/namespaces/demo-app-dev/rollouts/demo-app/status"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("application/merge-patch+json") && shown.contains("\"abort\": true"),
        "{shown}"
    );
    assert!(
        shown.contains("kubectl argo rollouts abort demo-app -n demo-app-dev"),
        "{shown}"
    );
    let Some(Effect::Execute { plan: sent, .. }) = press_one(&mut app, KeyCode::Enter) else {
        panic!("enter sends the plan");
    };
    assert_eq!(sent.intent, intent);
    app.update(Msg::Executed(sent, Ok(Vec::new())));
    assert!(screen_text(&app, 120, 40).contains("pending: abort rollout demo-app"));
    // The watch reports the Rollout changed: the badge goes.
    app.update(Msg::Kube(vec![Delta::Apply(Row::from_object(
        Kind::Rollout,
        &json!({"metadata": {"name": "demo-app", "namespace": "demo-app-dev"}, "status": {"abort": true, "phase": "Degraded"}}),
    ))]));
    assert!(!screen_text(&app, 120, 40).contains("pending:"));
    // Cancelled confirmations are logged too.
    press_one(&mut app, KeyCode::Char('A'));
    app.update(Msg::Prepared(
        intent.clone(),
        Ok(Box::new(planned(&intent))),
    ));
    press_one(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    let log: Vec<serde_json::Value> = std::fs::read_to_string(&audit)
        .expect("audit")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let outcomes: Vec<&str> = log
        .iter()
        .map(|e| e["outcome"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(outcomes, ["confirmed: sent", "cancelled"]);
    assert_eq!(
        log[0]["requests"][0]["body"],
        json!({"status": {"abort": true}})
    );
    assert_eq!(log[0]["context"], "kind-dev");
    assert_eq!(
        log[0]["user"], "developer",
        "the kubeconfig user of the context"
    );
    press_one(&mut app, KeyCode::Char('L'));
    let shown = screen_text(&app, 120, 40);
    assert!(
        shown.contains("Action log")
            && shown.contains("confirmed: sent")
            && shown.contains("cancelled"),
        "{shown}"
    );
}

#[test]
fn production_needs_the_name_and_read_only_sends_nothing() {
    let dir = tempfile::tempdir().expect("temp");
    let audit = dir.path().join("audit.jsonl");
    let mut app = app_on_rollouts(&audit);
    app.production = true;
    let intent = Intent::AbortRollout(ObjectKey::new("demo-app-dev", "demo-app"));
    press_one(&mut app, KeyCode::Char('A'));
    app.update(Msg::Prepared(
        intent.clone(),
        Ok(Box::new(planned(&intent))),
    ));
    assert!(screen_text(&app, 120, 40).contains("Production: type demo-app"));
    assert_eq!(
        press_one(&mut app, KeyCode::Enter),
        None,
        "not without the name"
    );
    assert!(matches!(app.overlay, Some(Overlay::Confirm(_))));
    type_text(&mut app, "demo-app");
    assert!(matches!(
        press_one(&mut app, KeyCode::Enter),
        Some(Effect::Execute { .. })
    ));

    let mut app = app_on_rollouts(&audit);
    app.read_only = true;
    for action in ['P', 'F', 'A', 'R', '-', '+'] {
        assert_eq!(press_one(&mut app, KeyCode::Char(action)), None, "{action}");
    }
    assert!(
        app.actions
            .log
            .iter()
            .all(|e| e.outcome == "refused: read-only")
    );
    assert_eq!(app.actions.log.len(), 6);
    // Even a plan that got as far as the confirmation is not sent.
    app.update(Msg::Prepared(
        intent.clone(),
        Ok(Box::new(planned(&intent))),
    ));
    assert_eq!(press_one(&mut app, KeyCode::Enter), None);
}

#[test]
fn a_conflict_reads_again_and_asks_again() {
    let dir = tempfile::tempdir().expect("temp");
    let mut app = app_on_rollouts(&dir.path().join("audit.jsonl"));
    let intent = Intent::PromoteRollout(ObjectKey::new("demo-app-dev", "demo-app"));
    let plan = planned(&intent);
    let effect = common::single(app.update(Msg::Executed(
        Box::new(plan.clone()),
        Err(flightdeck::kube::execute::Failure::Conflict(
            "the object has been modified".into(),
        )),
    )));
    assert_eq!(effect, Some(Effect::Prepare(intent.clone())));
    app.update(Msg::Prepared(intent, Ok(Box::new(plan))));
    assert!(screen_text(&app, 120, 40).contains("the object changed since it was read"));
}

#[test]
fn a_rollback_auto_sync_would_undo_offers_to_turn_auto_sync_off() {
    let dir = tempfile::tempdir().expect("temp");
    let mut app = app_on_rollouts(&dir.path().join("audit.jsonl"));
    let application = ObjectKey::new("argocd", "demo-app-prod");
    let refused = flightdeck::intent::argocd::plan(
        &Intent::RollbackApplication {
            application: application.clone(),
            id: 0,
        },
        &Reads {
            target: json!({"spec": {"syncPolicy": {"automated": {}}}}),
            related: vec![],
        },
        &Context {
            now: String::new(),
            now_millis: 0,
            random: [0; 10],
            user: None,
            zone_offset: |_| 0,
        },
    )
    .expect_err("auto-sync");
    app.update(Msg::Prepared(
        Intent::RollbackApplication {
            application: application.clone(),
            id: 0,
        },
        Err(refused),
    ));
    let shown = screen_text(&app, 120, 40);
    assert!(shown.contains("Auto-sync would undo a rollback"), "{shown}");
    assert!(
        shown.contains("disable auto-sync of argocd/demo-app-prod"),
        "{shown}"
    );
    assert_eq!(
        press_one(&mut app, KeyCode::Enter),
        Some(Effect::Prepare(Intent::DisableAutoSync(application)))
    );
}

#[test]
fn submit_form_prefills_defaults_and_picks_enum_values() {
    let dir = tempfile::tempdir().expect("temp");
    let mut app = app_on_rollouts(&dir.path().join("audit.jsonl"));
    app.update(Msg::Kube(vec![Delta::Apply(Row::from_object(
        Kind::WorkflowTemplate,
        &json!({"metadata": {"name": "ci", "namespace": "demo-app-dev"}, "spec": {"arguments": {"parameters": [{"name": "commitSha"}, {"name": "push", "value": "true", "enum": ["true", "false"]}]}}}),
    ))]));
    press_one(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "wftmpl");
    press_one(&mut app, KeyCode::Enter);
    press_one(&mut app, KeyCode::Char('n'));
    let shown = screen_text(&app, 120, 40);
    assert!(shown.contains("Submit from demo-app-dev/ci"), "{shown}");
    assert!(
        shown.contains("push") && shown.contains("(tab: true | false)"),
        "{shown}"
    );
    type_text(&mut app, "abc");
    press_one(&mut app, KeyCode::Down);
    press_one(&mut app, KeyCode::Tab);
    assert_eq!(
        press_one(&mut app, KeyCode::Enter),
        Some(Effect::Prepare(Intent::SubmitWorkflow(
            ObjectKey::new("demo-app-dev", "ci"),
            vec![
                ("commitSha".into(), "abc".into()),
                ("push".into(), "false".into())
            ]
        )))
    );
}

#[test]
fn a_created_object_is_tracked_by_the_name_the_server_gave_it() {
    let dir = tempfile::tempdir().expect("temp");
    let audit = dir.path().join("audit.jsonl");
    let mut app = app_on_rollouts(&audit);
    let intent = Intent::PromoteFreight {
        stage: ObjectKey::new("demo-app", "staging"),
        freight: "abcdef1234".into(),
    };
    let sent = flightdeck::intent::Plan {
        intent,
        requests: Vec::new(),
        cli: String::new(),
        warning: None,
        git: None,
        also_allowed: Vec::new(),
    };
    // Kargo ≥ 1.11's webhook names the Promotion itself, whatever name was sent.
    let named = "staging.01jdxk3q5p9v8a7b6c5d4e3f2g.abcdef1";
    app.update(Msg::Executed(Box::new(sent), Ok(vec![named.to_string()])));
    let log = std::fs::read_to_string(&audit).expect("audit");
    let entry: serde_json::Value =
        serde_json::from_str(log.lines().last().expect("a line")).expect("json");
    assert_eq!(
        entry["outcome"],
        format!("confirmed: sent; created Promotion {named}")
    );
    assert!(
        app.actions
            .pending
            .iter()
            .any(|p| p.kind == Kind::Promotion && p.key == ObjectKey::new("demo-app", named)),
        "the returned name is what the pending badge waits for"
    );
}
