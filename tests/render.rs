//! Screen snapshots (ratatui TestBackend + insta) of the first screen and the overlays, and
//! cell-level checks that meaning reaches the screen as theme styles.

mod common;

use common::keys::{press, press_ctrl, press_one, screen, screen_text, type_text};
use crossterm::event::KeyCode;
use flightdeck::cli::Options;
use flightdeck::model::Kind;
use flightdeck::theme::Slot;
use flightdeck::ui::app::App;
use flightdeck::ui::msg::{Effect, Msg};
use flightdeck::ui::screen::{Screen, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn text(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

#[test]
fn first_screen_80x24() {
    insta::assert_snapshot!(screen(&common::app(), 80, 24).backend());
}

#[test]
fn first_screen_160x48() {
    insta::assert_snapshot!(screen(&common::app(), 160, 48).backend());
}

#[test]
fn help_overlay_80x24() {
    let mut app = common::app();
    app.size = (80, 24);
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&app, 80, 24).backend());
}

#[test]
fn help_overlay_160x48() {
    let mut app = common::app();
    app.size = (160, 48);
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&app, 160, 48).backend());
}

#[test]
fn help_scrolls_to_its_end_and_back() {
    let mut app = common::app();
    app.size = (80, 24);
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::Char('G'));
    let bottom = screen_text(&app, 80, 24);
    assert!(bottom.contains("Clear the prompt"), "{bottom}");
    assert!(!bottom.contains("keymap default"), "{bottom}");
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('g'));
    let top = screen_text(&app, 80, 24);
    assert!(top.contains("keymap default"), "{top}");
}

#[test]
fn palette_80x24() {
    let mut app = common::app();
    press(&mut app, KeyCode::Char(':'));
    press(&mut app, KeyCode::Char('h'));
    insta::assert_snapshot!(screen(&app, 80, 24).backend());
}

#[test]
fn palette_runs_a_command_and_reports_unknown_ones() {
    let mut app = common::app();
    for code in [
        KeyCode::Char(':'),
        KeyCode::Char('h'),
        KeyCode::Char('e'),
        KeyCode::Tab,
        KeyCode::Enter,
    ] {
        press(&mut app, code);
    }
    assert!(
        screen_text(&app, 80, 24).contains("Show or hide the key bindings"),
        "help opened from the palette"
    );
    press(&mut app, KeyCode::Esc);
    for code in [
        KeyCode::Char(':'),
        KeyCode::Char('z'),
        KeyCode::Char('z'),
        KeyCode::Enter,
    ] {
        press(&mut app, code);
    }
    assert!(screen_text(&app, 80, 24).contains("unknown command `zz` (tab completes)"));
}

#[test]
fn filter_prompt_and_applied_filter_are_visible() {
    let mut app = common::app();
    for code in [KeyCode::Char('/'), KeyCode::Char('q'), KeyCode::Char('a')] {
        press(&mut app, code);
    }
    assert!(
        screen_text(&app, 80, 24).contains("/qa█"),
        "q is typed, not quit"
    );
    press(&mut app, KeyCode::Enter);
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("Pipeline /qa"), "{shown}");
    assert!(shown.contains("esc clear filter"), "{shown}");
    press(&mut app, KeyCode::Esc);
    assert!(!screen_text(&app, 80, 24).contains("/qa"));
}

#[test]
fn too_small_terminal_says_so() {
    let shown = text(&screen(&common::app(), 39, 9));
    assert!(shown.contains("terminal too small: 39×9"), "{shown}");
    assert!(shown.contains("need at least 40×10"), "{shown}");
}

#[test]
fn production_context_turns_the_title_into_a_banner() {
    let loaded = common::loaded(&Options::default(), &[]);
    let banner = loaded.theme.style(Slot::ProductionBanner);
    let app = App::new(loaded, common::target("gke-prod-eu", "shop"));
    let terminal = screen(&app, 80, 24);
    assert!(text(&terminal).contains("PRODUCTION"));
    let cell = &terminal.backend().buffer()[(70, 0)];
    assert_eq!(cell.bg, banner.bg.expect("banner has a background"));
    let plain = screen(&common::app(), 80, 24);
    assert!(!text(&plain).contains("PRODUCTION"));
    assert_ne!(plain.backend().buffer()[(70, 0)].bg, cell.bg);
}

#[test]
fn read_only_badge_and_warnings_count() {
    let options = Options {
        read_only: true,
        theme: Some("no-such-theme".into()),
        ..Options::default()
    };
    let app = App::new(
        common::loaded(&options, &[]),
        common::target("kind-dev", "demo"),
    );
    let shown = screen_text(&app, 100, 24);
    assert!(shown.contains("READ-ONLY"), "{shown}");
    assert!(shown.contains("⚠ 2"), "{shown}");
    assert!(
        shown.contains("2 problems in settings files; press ! to see them"),
        "{shown}"
    );
}

#[test]
fn ascii_locale_draws_without_unicode() {
    let app = App::new(
        common::loaded(&Options::default(), &[("LANG", "C")]),
        common::target("kind-dev", "demo"),
    );
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("+ Pipeline -"), "{shown}");
    assert!(shown.is_ascii(), "{shown}");
}

/// The demo's three environments in a fixed state: dev mid-canary, staging and prod healthy.
/// An app at a fixed time, and the deltas that make every kind's watch live.
fn live_app() -> (App, Vec<flightdeck::store::Delta>) {
    use flightdeck::model::Kind;
    use flightdeck::store::{Delta, Scope, WatchState};
    let mut app = common::app();
    app.frozen_time = Some(1_795_000_000);
    let live = Kind::ALL
        .iter()
        .map(|k| Delta::State(*k, Scope::Cluster, WatchState::Live))
        .collect();
    (app, live)
}

fn pipeline_app() -> App {
    use flightdeck::model::{Kind, Row};
    use flightdeck::store::Delta;
    use serde_json::json;
    let (mut app, mut deltas) = live_app();
    let row = |kind: Kind, object: serde_json::Value| Delta::Apply(Row::from_object(kind, &object));
    for (env, tag, phase, step) in [
        ("dev", "abc1234def56", "Paused", 1),
        ("staging", "v1.0.0", "Healthy", 7),
        ("prod", "v1.0.0", "Healthy", 7),
    ] {
        deltas.push(row(Kind::Application, json!({"metadata": {"name": format!("demo-app-{env}"), "namespace": "argocd", "labels": {"app": "demo-app", "env": env}, "annotations": {"kargo.akuity.io/authorized-stage": format!("demo-app:{env}")}}, "spec": {"destination": {"namespace": format!("demo-app-{env}")}}, "status": {"sync": {"status": "Synced", "revision": "0123456789abcdef"}, "health": {"status": if phase == "Paused" { "Suspended" } else { "Healthy" }}}})));
        deltas.push(row(Kind::Rollout, json!({"metadata": {"name": "demo-app", "namespace": format!("demo-app-{env}")}, "spec": {"template": {"spec": {"containers": [{"image": format!("localhost:30087/demo-app:{tag}")}]}}, "replicas": 5, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}, {"analysis": {}}, {"setWeight": 50}, {"pause": {}}, {"analysis": {}}, {"setWeight": 100}]}}}, "status": {"phase": phase, "currentStepIndex": step, "stableRS": "stablehash", "currentPodHash": if env == "dev" { "canaryhash" } else { "stablehash" }, "replicas": 5, "updatedReplicas": if env == "dev" { 1 } else { 5 }, "readyReplicas": 5, "availableReplicas": 5}})));
        let upstream = match env {
            "dev" => json!({"direct": true}),
            "staging" => json!({"stages": ["dev"]}),
            _ => json!({"stages": ["staging"]}),
        };
        deltas.push(row(Kind::Stage, json!({"metadata": {"name": env, "namespace": "demo-app"}, "spec": {"requestedFreight": [{"origin": {"kind": "Warehouse", "name": "w"}, "sources": upstream}]}, "status": {"health": {"status": "Healthy"}, "freightHistory": [{"items": {"Warehouse/w": {"name": if env == "dev" { "f2" } else { "f1" }}}}]}})));
    }
    deltas.push(row(Kind::Freight, json!({"metadata": {"name": "f1", "namespace": "demo-app", "creationTimestamp": "2026-11-17T09:00:00Z"}, "alias": "witty-badger", "images": [{"tag": "v1.0.0"}], "status": {"currentlyIn": {"staging": {}, "prod": {}}, "verifiedIn": {"dev": {}, "staging": {}, "prod": {}}}})));
    deltas.push(row(Kind::Warehouse, json!({"metadata": {"name": "w", "namespace": "demo-app"}, "spec": {"subscriptions": [{"image": {"repoURL": "localhost:30087/demo-app"}}]}, "status": {"lastFreightID": "f2", "conditions": [{"type": "Ready", "status": "True"}]}})));
    for (revision, hash, image, replicas) in [
        (1, "stablehash", "v1.0.0", 4),
        (2, "canaryhash", "abc1234def56", 1),
    ] {
        deltas.push(row(Kind::ReplicaSet, json!({"metadata": {"name": format!("demo-app-{hash}"), "namespace": "demo-app-dev", "labels": {"rollouts-pod-template-hash": hash}, "annotations": {"rollout.argoproj.io/revision": revision.to_string()}, "ownerReferences": [{"kind": "Rollout", "name": "demo-app"}]}, "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"image": format!("localhost:30087/demo-app:{image}")}]}}}, "status": {"availableReplicas": replicas}})));
    }
    deltas.push(row(Kind::Freight, json!({"metadata": {"name": "f2", "namespace": "demo-app", "creationTimestamp": "2026-11-18T08:04:30Z"}, "alias": "mighty-otter", "images": [{"tag": "abc1234def56"}], "status": {"currentlyIn": {"dev": {}}}})));
    deltas.push(row(Kind::Workflow, json!({"metadata": {"name": "demo-app-ci-x7k2q", "namespace": "argo-workflows", "creationTimestamp": "2026-11-18T08:03:20Z", "labels": {"workflows.argoproj.io/workflow-template": "demo-app-ci"}}, "spec": {"arguments": {"parameters": [{"name": "commitSha", "value": "abc1234def56"}]}}, "status": {"phase": "Succeeded", "progress": "4/4"}})));
    deltas.push(row(Kind::Promotion, json!({"metadata": {"name": "dev.01.f2", "namespace": "demo-app", "creationTimestamp": "2026-11-18T08:05:00Z"}, "spec": {"stage": "dev", "freight": "f2", "steps": [{}, {}, {}, {}, {}]}, "status": {"phase": "Succeeded"}})));
    app.update(flightdeck::ui::msg::Msg::Kube(deltas));
    app
}

#[test]
fn pipeline_view_120x40() {
    insta::assert_snapshot!(screen(&pipeline_app(), 120, 40).backend());
}

#[test]
fn e_and_why_explain_what_linked_each_cell() {
    let mut app = pipeline_app();
    press(&mut app, KeyCode::Char('e'));
    let shown = screen_text(&app, 160, 48);
    for line in [
        "Why: demo-app",
        "Application argocd/demo-app-dev (environment dev): grouped by its Kargo Project",
        "latest build argo-workflows/demo-app-ci-x7k2q: the newest Workflow of the application's CI",
        "dev · argocd/demo-app-dev",
        "Rollout demo-app-dev/demo-app: named like the application in its",
        "Freight demo-app/f2: the Kargo Stage's current Freight",
        "Build argo-workflows/demo-app-ci-x7k2q: a parameter is the image tag",
        "Build none: no Workflow parameter is the image reference or tag",
    ] {
        assert!(shown.contains(line), "{line}\n{shown}");
    }
    press(&mut app, KeyCode::Esc);
    for code in ":why nothing-here"
        .chars()
        .map(KeyCode::Char)
        .chain([KeyCode::Enter])
    {
        press(&mut app, code);
    }
    assert!(
        screen_text(&app, 120, 40).contains("no application `nothing-here` in the pipeline"),
        "{}",
        screen_text(&app, 120, 40)
    );
}

#[test]
fn pipeline_colours_come_from_theme_slots() {
    let app = pipeline_app();
    let terminal = screen(&app, 160, 40);
    let buffer = terminal.backend().buffer();
    let text = text(&terminal);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("│dev "))
        .expect("dev row");
    let column = line.find("Paused").expect("Paused");
    let x = line[..column].chars().count() as u16 - 1;
    let paused = app.theme.style(flightdeck::theme::Slot::RolloutPaused);
    assert_eq!(
        buffer[(x, row as u16)].fg,
        paused.fg.expect("colour"),
        "{line}"
    );
}

#[test]
fn waiting_and_list_views_120x40() {
    let mut app = pipeline_app();
    app.size = (120, 40);
    press(&mut app, KeyCode::Char('w'));
    let waiting = screen_text(&app, 120, 40);
    assert!(waiting.contains("Pipeline › Waiting on me"), "{waiting}");
    assert!(
        waiting.contains("demo-app-dev/demo-app") && waiting.contains("paused at step 1/7"),
        "{waiting}"
    );
    for code in [
        KeyCode::Char(':'),
        KeyCode::Char('r'),
        KeyCode::Char('o'),
        KeyCode::Enter,
    ] {
        press(&mut app, code);
    }
    let scoped = screen_text(&app, 120, 40);
    assert!(
        scoped.contains("Rollouts [1]"),
        "scoped to the namespace demo-app-dev: {scoped}"
    );
    press(&mut app, KeyCode::Char(':'));
    for c in "ns all".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(screen(&app, 120, 40).backend());
    press(&mut app, KeyCode::Char('j'));
    let after = screen(&app, 120, 40);
    let selected_row = after.backend().buffer()[(2, 4)].style();
    assert_eq!(
        selected_row.bg,
        app.theme.style(flightdeck::theme::Slot::Selection).bg,
        "the second rollout is selected"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert!(
        screen_text(&app, 120, 40).contains(" Pipeline "),
        "back twice returns home"
    );
}

/// The NAME cells of the list's rows, top to bottom.
fn listed_names(app: &App) -> Vec<String> {
    app.table_rows()
        .iter()
        .map(|row| row.key.name.clone())
        .collect()
}

#[test]
fn lists_sort_by_column_and_filter_by_regex_and_labels() {
    let mut app = pipeline_app();
    app.size = (120, 40);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ns all");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "app");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        listed_names(&app),
        ["demo-app-dev", "demo-app-prod", "demo-app-staging"]
    );
    // `>` twice: sorted by NAME ascending, marked in the header; `=` reverses.
    press(&mut app, KeyCode::Char('>'));
    press(&mut app, KeyCode::Char('>'));
    assert!(screen_text(&app, 120, 40).contains("NAME↑"));
    press(&mut app, KeyCode::Char('='));
    assert_eq!(
        listed_names(&app),
        ["demo-app-staging", "demo-app-prod", "demo-app-dev"]
    );
    assert!(screen_text(&app, 120, 40).contains("NAME↓"));
    // HEALTH (`<` from NAME goes left to NAMESPACE, `>` goes right): sort by SYNC, then HEALTH.
    press(&mut app, KeyCode::Char('>'));
    press(&mut app, KeyCode::Char('>'));
    press(&mut app, KeyCode::Char('='));
    assert_eq!(
        listed_names(&app)[2],
        "demo-app-dev",
        "Suspended sorts after Healthy"
    );
    // A regular expression (case-insensitive), its inverse, and a label selector.
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "PROD|staging");
    press(&mut app, KeyCode::Enter);
    assert_eq!(listed_names(&app).len(), 2);
    press(&mut app, KeyCode::Char('/'));
    press_ctrl(&mut app, 'u');
    type_text(&mut app, "!-l env in (dev,prod)");
    press(&mut app, KeyCode::Enter);
    assert_eq!(listed_names(&app), ["demo-app-staging"]);
    let shown = screen_text(&app, 120, 40);
    assert!(
        shown.contains("Applications [1] /!-l env in (dev,prod)"),
        "{shown}"
    );
    // A selector that does not parse says why and filters nothing out.
    press(&mut app, KeyCode::Char('/'));
    press_ctrl(&mut app, 'u');
    type_text(&mut app, "-l env in dev");
    press(&mut app, KeyCode::Enter);
    assert_eq!(listed_names(&app).len(), 3);
    let shown = screen_text(&app, 120, 40);
    assert!(
        shown.contains("(label selector: unable to parse requirement"),
        "{shown}"
    );
    // Leaving the view forgets its sort.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "app");
    press(&mut app, KeyCode::Enter);
    assert!(!screen_text(&app, 120, 40).contains('↓'));
}

#[test]
fn table_rows_are_built_once_per_change() {
    use flightdeck::model::{Kind, Row};
    use flightdeck::store::Delta;
    use std::sync::Arc;
    let mut app = pipeline_app();
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "app");
    press(&mut app, KeyCode::Enter);
    let before = app.table_rows();
    press(&mut app, KeyCode::Char('j'));
    let _ = screen(&app, 120, 40);
    assert!(
        Arc::ptr_eq(&before, &app.table_rows()),
        "moving and drawing reuse the rows"
    );
    app.update(Msg::Kube(vec![Delta::Apply(Row::from_object(
        Kind::Application,
        &serde_json::json!({"metadata": {"name": "new-app", "namespace": "demo-app-dev"}}),
    ))]));
    let after = app.table_rows();
    assert!(
        !Arc::ptr_eq(&before, &after),
        "a store change rebuilds them"
    );
    assert_eq!(after.len(), before.len() + 1);

    // Typing a filter further matches only what the shorter one kept, with the same result as
    // the whole filter typed at once; a store change in between starts from every row again.
    let add = |app: &mut App, name: &str| {
        app.update(Msg::Kube(vec![Delta::Apply(Row::from_object(
            Kind::Application,
            &serde_json::json!({"metadata": {"name": name, "namespace": "demo-app-dev"}}),
        ))]));
    };
    let names = |app: &App| -> Vec<String> {
        app.table_rows()
            .iter()
            .map(|row| row.key.name.clone())
            .collect()
    };
    add(&mut app, "web-staging");
    add(&mut app, "web-prod");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "web-");
    press(&mut app, KeyCode::Enter);
    assert_eq!(names(&app), ["web-prod", "web-staging"]);
    // The prompt opens with the filter applied; typing goes on from it.
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "st");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.filter().text(), "web-st");
    let narrowed = names(&app);
    assert_eq!(narrowed, ["web-staging"]);
    // The same filter typed at once, from every row.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "web-st");
    press(&mut app, KeyCode::Enter);
    assert_eq!(names(&app), narrowed);
    add(&mut app, "web-stable");
    assert_eq!(names(&app), ["web-stable", "web-staging"]);
}

#[test]
fn wide_columns_give_way_so_the_message_stays_on_screen() {
    use flightdeck::model::{Kind, Row};
    use flightdeck::store::Delta;
    let mut app = pipeline_app();
    app.update(Msg::Kube(vec![Delta::Apply(Row::from_object(
        Kind::Event,
        &serde_json::json!({"metadata": {"name": "e1", "namespace": "demo-app-dev"}, "involvedObject": {"kind": "Promotion", "name": "staging.01jdz8q4w7v3c5e2k9m6n1p0r.0c5f3a9e1d2b4c6d"}, "type": "Normal", "reason": "PromotionSucceeded", "message": "Promotion succeeded for Freight 0c5f3a9e"}),
    ))]));
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ev");
    press(&mut app, KeyCode::Enter);
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("Promotion succeeded"), "{shown}");
}

#[test]
fn kargo_view_120x40() {
    let mut app = pipeline_app();
    app.size = (120, 40);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "kargo");
    press(&mut app, KeyCode::Enter);
    let shown = screen_text(&app, 120, 40);
    assert!(shown.contains("Pipeline › Kargo"), "{shown}");
    // The scope is the test context's namespace; the demo's project is `demo-app`.
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ns all");
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(screen(&app, 120, 40).backend());
    assert_eq!(listed_names(&app), ["f2", "f1"], "Freight newest first");
}

#[test]
fn pod_logs_follow_pause_filter_and_close() {
    use flightdeck::model::{Kind, ObjectKey, Row};
    use flightdeck::store::Delta;
    use flightdeck::ui::msg::Effect;
    let mut app = pipeline_app();
    app.size = (100, 20);
    app.update(Msg::Kube(vec![Delta::Apply(Row::from_object(
        Kind::Pod,
        &serde_json::json!({"metadata": {"name": "ci-build-1", "namespace": "demo-app-dev"}, "spec": {"containers": [{"name": "wait"}, {"name": "main"}]}, "status": {"phase": "Running"}}),
    ))]));
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "po");
    press(&mut app, KeyCode::Enter);
    let effect = press_one(&mut app, KeyCode::Char('l'));
    let pod = ObjectKey::new("demo-app-dev", "ci-build-1");
    assert_eq!(
        effect,
        Some(Effect::FollowLogs {
            pod: pod.clone(),
            container: "main".into()
        })
    );
    assert!(screen_text(&app, 100, 20).contains("connecting…"));
    let lines: Vec<String> = (1..=40)
        .map(|i| {
            format!(
                "\u{1b}[32mline {i}\u{1b}[0m{}",
                if i % 10 == 0 { " error" } else { "" }
            )
        })
        .collect();
    app.update(Msg::LogLines(pod.clone(), lines));
    app.update(Msg::LogLines(
        ObjectKey::new("x", "other"),
        vec!["not ours".into()],
    ));
    let shown = screen_text(&app, 100, 20);
    assert!(shown.contains("[main] following"), "{shown}");
    assert!(
        shown.contains("line 40") && !shown.contains("line 20 "),
        "the end: {shown}"
    );
    assert!(!shown.contains("not ours") && !shown.contains('\u{1b}'));
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('k'));
    let shown = screen_text(&app, 100, 20);
    assert!(shown.contains("paused — G follows"), "{shown}");
    assert!(!shown.contains("line 40"), "scrolled up: {shown}");
    press(&mut app, KeyCode::Char('G'));
    assert!(screen_text(&app, 100, 20).contains("following"));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "error");
    press(&mut app, KeyCode::Enter);
    let shown = screen_text(&app, 100, 20);
    assert!(
        shown.contains("line 10 error") && !shown.contains("line 11"),
        "{shown}"
    );
    app.update(Msg::LogEnded(
        pod,
        Err("pods \"ci-build-1\" not found".into()),
    ));
    assert!(screen_text(&app, 100, 20).contains("failed: pods \"ci-build-1\" not found"));
    press(&mut app, KeyCode::Esc);
    let effect = press_one(&mut app, KeyCode::Esc);
    assert_eq!(
        effect,
        Some(Effect::StopLogs),
        "esc clears the filter, then leaves"
    );
    assert!(app.logs().is_none());
}

#[test]
fn y_opens_the_yaml_of_the_selected_object() {
    let mut app = pipeline_app();
    for code in [
        KeyCode::Char(':'),
        KeyCode::Char('r'),
        KeyCode::Char('o'),
        KeyCode::Enter,
    ] {
        press(&mut app, code);
    }
    let effect = press_one(&mut app, KeyCode::Char('y'));
    let key = flightdeck::model::ObjectKey::new("demo-app-dev", "demo-app");
    assert_eq!(
        effect,
        Some(flightdeck::ui::msg::Effect::Fetch(
            flightdeck::model::Kind::Rollout,
            key.clone()
        ))
    );
    assert!(screen_text(&app, 100, 30).contains("loading..."));
    app.update(Msg::Object(
        key,
        Ok(serde_json::json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout"})),
    ));
    let shown = screen_text(&app, 100, 30);
    assert!(
        shown.contains("demo-app-dev/demo-app") && shown.contains("kind: Rollout"),
        "{shown}"
    );
    press(&mut app, KeyCode::Esc);
    assert!(!screen_text(&app, 100, 30).contains("kind: Rollout"));
}

#[test]
fn going_back_finds_the_list_as_it_was_left() {
    let mut app = pipeline_app();
    app.size = (120, 40);
    app.set_namespace("all");
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "app");
    press(&mut app, KeyCode::Enter);
    // Sorted by NAME descending, filtered to two rows, the cursor on the second.
    for key in ['>', '>', '='] {
        press(&mut app, KeyCode::Char(key));
    }
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "prod|dev");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(listed_names(&app), ["demo-app-prod", "demo-app-dev"]);
    let opened = press_one(&mut app, KeyCode::Enter);
    assert!(
        matches!(&opened, Some(Effect::Fetch(Kind::Application, key)) if key.name == "demo-app-dev"),
        "{opened:?}"
    );
    // The detail starts at its first line, unfiltered.
    assert_eq!((app.cursor(), app.filter().is_empty()), (0, true));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view(), View::List(Kind::Application));
    assert_eq!(app.cursor(), 1);
    assert_eq!(listed_names(&app), ["demo-app-prod", "demo-app-dev"]);
    let shown = screen_text(&app, 120, 40);
    assert!(shown.contains("NAME↓"), "{shown}");
    assert!(shown.contains("Applications [2] /prod|dev"), "{shown}");
    // The home screen keeps its own state under the list: no filter there.
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.filter().text(),
        "",
        "esc first clears the list's filter"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view(), View::Pipeline);
}

#[test]
fn a_namespace_named_with_ns_is_watched_there() {
    let mut app = common::app();
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ns shop");
    let effects = press(&mut app, KeyCode::Enter);
    let wanted = ["argocd", "shop"].map(String::from);
    assert!(
        matches!(&effects[..], [Effect::Watch(plan)] if plan.namespaces.iter().eq(wanted.iter())),
        "{effects:?}"
    );
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ns web");
    let effects = press(&mut app, KeyCode::Enter);
    let wanted = ["argocd", "shop", "web"].map(String::from);
    assert!(
        matches!(&effects[..], [Effect::Watch(plan)] if plan.namespaces.iter().eq(wanted.iter())),
        "a namespace named before stays watched: {effects:?}"
    );
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ns all");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        [],
        "all namespaces names none: nothing new to watch"
    );
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ns w");
    press(&mut app, KeyCode::Tab);
    assert!(
        screen_text(&app, 100, 30).contains(":ns web"),
        "`:ns` completes from the namespaces watched"
    );
}

#[test]
fn pods_events_and_replica_sets_are_watched_only_where_a_screen_needs_them() {
    use flightdeck::store::Need;
    let mut app = pipeline_app();
    let home = app.watch_plan();
    assert_eq!(
        home.need(Kind::Pod),
        Need::default(),
        "the home needs no Pod"
    );
    assert_eq!(home.need(Kind::Event), Need::default(), "nor any Event");
    let environments = ["demo-app-dev", "demo-app-prod", "demo-app-staging"];
    assert!(
        home.need(Kind::ReplicaSet)
            .namespaces
            .iter()
            .eq(environments.iter()),
        "ReplicaSets where the pipeline's Rollouts run: {home:?}"
    );
    // The Rollout detail draws its ReplicaSets, Pods and Events.
    for code in [KeyCode::Char(':'), KeyCode::Char('r'), KeyCode::Char('o')] {
        press(&mut app, code);
    }
    press(&mut app, KeyCode::Enter);
    let effects = press(&mut app, KeyCode::Enter);
    let [Effect::Watch(detail), ..] = &effects[..] else {
        panic!("opening a detail asks for what it draws: {effects:?}");
    };
    let shown = app.subject().expect("a Rollout").key.namespace.clone();
    for kind in [Kind::Pod, Kind::Event, Kind::ReplicaSet] {
        assert!(
            detail.need(kind).namespaces.contains(&shown),
            "{kind:?} in {detail:?}"
        );
    }
    // Back home, they are no longer asked for (the host stops them a while later).
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.watch_plan(), home);
    // The Pods list of every namespace needs them everywhere.
    app.set_namespace("all");
    for code in [KeyCode::Char(':'), KeyCode::Char('p'), KeyCode::Char('o')] {
        press(&mut app, code);
    }
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::Watch(plan)] if plan.need(Kind::Pod).everywhere),
        "{effects:?}"
    );
}

#[test]
fn config_namespaces_and_kargo_projects_are_watched_too() {
    let mut app = pipeline_app();
    app.settings.namespaces = vec!["team-a".into()];
    let wanted = app.wanted_namespaces();
    for namespace in ["argocd", "team-a", "demo-app-dev", "demo-app"] {
        assert!(wanted.contains(namespace), "{namespace} in {wanted:?}");
    }
}

#[test]
fn rollout_detail_120x40() {
    let mut app = pipeline_app();
    for code in [
        KeyCode::Char(':'),
        KeyCode::Char('r'),
        KeyCode::Char('o'),
        KeyCode::Enter,
        KeyCode::Enter,
    ] {
        press(&mut app, code);
    }
    let shown = screen_text(&app, 120, 40);
    assert!(
        shown.contains("Pipeline › Rollouts › demo-app-dev/demo-app"),
        "{shown}"
    );
    assert!(
        shown.contains("[>] 1  pause (until promoted)"),
        "the current step is marked: {shown}"
    );
    assert!(
        shown.contains("rev 1") && shown.contains("rev 2"),
        "{shown}"
    );
    insta::assert_snapshot!(screen(&app, 120, 40).backend());
    let effect = press_one(&mut app, KeyCode::Char('y'));
    assert!(matches!(
        effect,
        Some(flightdeck::ui::msg::Effect::Fetch(
            flightdeck::model::Kind::Rollout,
            _
        ))
    ));
}

#[test]
fn application_detail_shows_history_for_rollback() {
    let mut app = pipeline_app();
    app.set_namespace("all");
    for code in [
        KeyCode::Char(':'),
        KeyCode::Char('a'),
        KeyCode::Char('p'),
        KeyCode::Char('p'),
        KeyCode::Enter,
    ] {
        press(&mut app, code);
    }
    let effect = press_one(&mut app, KeyCode::Enter);
    let Some(flightdeck::ui::msg::Effect::Fetch(flightdeck::model::Kind::Application, key)) =
        effect
    else {
        panic!("{effect:?}")
    };
    assert!(screen_text(&app, 100, 30).contains("loading argocd/demo-app-dev..."));
    let object = serde_json::json!({
        "metadata": {"name": "demo-app-dev", "namespace": "argocd"},
        "spec": {"source": {"repoURL": "http://gitea.gitea:3000/gitops/custom-apps.git", "path": "demo-app/overlays/dev", "targetRevision": "HEAD"}, "destination": {"namespace": "demo-app-dev"}},
        "status": {"sync": {"status": "Synced", "revision": "0123456789"}, "health": {"status": "Healthy"},
            "history": [{"id": 0, "revision": "fedcba9876", "initiatedBy": {"automated": true}}, {"id": 1, "revision": "0123456789", "initiatedBy": {"username": "ops"}}]}
    });
    app.update(Msg::Object(key, Ok(object)));
    let shown = screen_text(&app, 100, 30);
    assert!(
        shown.contains("Pipeline › Applications › argocd/demo-app-dev"),
        "{shown}"
    );
    assert!(
        shown.contains("1     0123456") && shown.contains("0     fedcba9"),
        "{shown}"
    );
}

#[test]
fn pipeline_metrics_come_from_prometheus_when_configured() {
    use flightdeck::metrics::prometheus::RangeSeries;
    use flightdeck::ui::msg::Effect;
    let mut app = pipeline_app();
    assert!(screen_text(&app, 160, 40).contains("no metrics source"));
    app.settings.prometheus_url = Some("http://prometheus:9090".into());
    let effect = common::single(app.update(Msg::Kube(Vec::new())));
    let Some(Effect::MetricTargets(targets)) = effect else {
        panic!("the pipeline's apps are given to the poller: {effect:?}");
    };
    assert!(
        targets.contains(&flightdeck::metrics::queries::MetricTarget {
            app: "demo-app".into(),
            namespace: "demo-app-dev".into(),
            rollout: "demo-app".into(),
        })
    );
    assert_eq!(
        app.update(Msg::Kube(Vec::new())),
        [],
        "only when they change"
    );
    {
        use flightdeck::model::{Kind, Row};
        use flightdeck::store::Delta;
        let row = |kind: Kind, object: serde_json::Value| {
            Msg::Kube(vec![Delta::Apply(Row::from_object(kind, &object))])
        };
        let status = serde_json::json!({"metadata": {"name": "demo-app", "namespace": "demo-app-dev"}, "status": {"phase": "Degraded"}});
        assert_eq!(
            app.update(row(Kind::Rollout, status)),
            [],
            "a Rollout's status is not a new target"
        );
        app.update(row(Kind::Application, serde_json::json!({"metadata": {"name": "demo-app-qa", "namespace": "argocd", "labels": {"app": "demo-app", "env": "qa"}}, "spec": {"destination": {"namespace": "demo-app-qa"}}})));
        let effect = common::single(app.update(row(
            Kind::Rollout,
            serde_json::json!({"metadata": {"name": "demo-app", "namespace": "demo-app-qa"}}),
        )));
        let Some(Effect::MetricTargets(targets)) = effect else {
            panic!("a new environment's Rollout is a new target: {effect:?}");
        };
        assert!(
            targets.iter().any(|t| t.namespace == "demo-app-qa"),
            "{targets:?}"
        );
        // One batch that asks for three things gets them all: the shown Application changed
        // (fetch it again), now deploys where another Rollout is (new metric targets), and to a
        // namespace not watched yet (new namespaces to watch in).
        let shown = flightdeck::model::ObjectKey::new("argocd", "demo-app-qa");
        app.screens.push(Screen::about(
            View::Detail(Kind::Application),
            shown.clone(),
        ));
        let changed = serde_json::json!({"metadata": {"name": "demo-app-qa", "namespace": "argocd", "labels": {"app": "demo-app", "env": "qa"}}, "spec": {"destination": {"namespace": "demo-app-uat"}}});
        let rollout =
            serde_json::json!({"metadata": {"name": "demo-app", "namespace": "demo-app-uat"}});
        let effects = app.update(Msg::Kube(vec![
            Delta::Apply(Row::from_object(Kind::Application, &changed)),
            Delta::Apply(Row::from_object(Kind::Rollout, &rollout)),
        ]));
        assert!(
            matches!(&effects[..], [Effect::Fetch(Kind::Application, key), Effect::MetricTargets(_), Effect::Watch(plan)]
                if *key == shown && plan.namespaces.contains("demo-app-uat")),
            "{effects:?}"
        );
        app.screens.pop();
    }
    assert!(screen_text(&app, 160, 40).contains("asking Prometheus"));
    let series = |values: &[f64]| {
        vec![RangeSeries {
            labels: vec![],
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64, *v))
                .collect(),
        }]
    };
    app.update(Msg::Queried(
        "demo-app-dev".into(),
        Ok([
            series(&[10.0, 12.0]),
            series(&[0.5, 7.5]),
            series(&[80.0, 95.0]),
        ]),
    ));
    app.update(Msg::Queried(
        "demo-app-prod".into(),
        Err(
            flightdeck::metrics::prometheus::PrometheusError::Unreachable {
                url: "http://prometheus:9090".into(),
            },
        ),
    ));
    let shown = screen_text(&app, 160, 40);
    assert!(shown.contains("12.0/s 7.5% 95ms"), "{shown}");
    assert!(shown.contains("error: Prometheus is"), "{shown}");
}

#[test]
fn metric_detail_view_120x40() {
    use flightdeck::metrics::history::SeriesTotals;
    use flightdeck::model::{Kind, Row};
    use flightdeck::store::Delta;
    let mut app = pipeline_app();
    app.size = (120, 40);
    app.settings.metrics_scrape = Some("http://127.0.0.1:9/metrics".into());
    app.update(Msg::Kube(vec![Delta::Apply(Row::from_object(
        Kind::Rollout,
        &serde_json::json!({"metadata": {"name": "demo-app", "namespace": "demo-app-dev"}, "spec": {"strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}]}}}, "status": {"phase": "Paused", "currentStepIndex": 1, "stableRS": "stablehash", "currentPodHash": "canaryhash", "availableReplicas": 5}}),
    ))]));
    let now = 1_795_000_000.0;
    let bucket =
        |fast: f64, total: f64| vec![(100.0, fast), (500.0, total), (f64::INFINITY, total)];
    for minute in 0..=10 {
        let at = now - 600.0 + 60.0 * f64::from(minute);
        let n = f64::from(minute);
        let totals = vec![
            SeriesTotals {
                namespace: "demo-app-dev".into(),
                hash: "stablehash".into(),
                requests: 600.0 * n,
                errors: 6.0 * n,
                buckets: bucket(570.0 * n, 600.0 * n),
            },
            SeriesTotals {
                namespace: "demo-app-dev".into(),
                hash: "canaryhash".into(),
                requests: 120.0 * n,
                errors: 12.0 * n * n / 10.0,
                buckets: bucket(60.0 * n, 120.0 * n),
            },
        ];
        app.update(Msg::Scraped(at, totals, None));
    }
    let pipeline = screen_text(&app, 160, 40);
    assert!(
        pipeline.contains("canary 2.0/s"),
        "the canary's rate in the pipeline: {pipeline}"
    );
    insta::assert_snapshot!(
        "pipeline_with_metrics_160x12",
        screen(&app, 160, 12).backend()
    );
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ro");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let detail = screen_text(&app, 120, 40);
    assert!(detail.contains("Metrics (m: charts)"), "{detail}");
    assert!(
        detail
            .lines()
            .any(|l| l.contains("canary") && l.contains("2.0/s")),
        "the Rollout detail shows the canary's signals: {detail}"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('m'));
    insta::assert_snapshot!(screen(&app, 120, 40).backend());
    let shown = screen_text(&app, 120, 40);
    assert!(
        shown.contains("error rate (%)") && shown.contains("stable 1.0%"),
        "{shown}"
    );
}

#[test]
fn analysis_run_chart_runs_its_own_query_with_the_threshold() {
    use flightdeck::model::{Kind, ObjectKey, Row};
    use flightdeck::store::Delta;
    use flightdeck::ui::msg::Effect;
    let mut app = pipeline_app();
    app.settings.prometheus_url = Some("http://prometheus:9090".into());
    let run = serde_json::json!({
        "metadata": {"name": "demo-app-abc-2-2", "namespace": "demo-app-dev"},
        "spec": {"args": [{"name": "service", "value": "demo-app"}],
                 "metrics": [{"name": "success-rate", "successCondition": "result[0] >= 0.95",
                              "provider": {"prometheus": {"query": "ratio{app=\"{{args.service}}\"}"}}}]},
        "status": {"phase": "Running", "startedAt": "2026-11-18T08:00:00Z",
                   "metricResults": [{"name": "success-rate", "measurements": [
                       {"value": "[0.97]", "finishedAt": "2026-11-18T08:00:30Z"}]}]}
    });
    app.update(Msg::Kube(vec![Delta::Apply(Row::from_object(
        Kind::AnalysisRun,
        &run,
    ))]));
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ar");
    press(&mut app, KeyCode::Enter);
    let key = ObjectKey::new("demo-app-dev", "demo-app-abc-2-2");
    let effect = press_one(&mut app, KeyCode::Char('m'));
    assert_eq!(effect, Some(Effect::Fetch(Kind::AnalysisRun, key.clone())));
    let Some(Effect::QueryAnalysis(asked, queries)) =
        common::single(app.update(Msg::Object(key.clone(), Ok(run))))
    else {
        panic!("the run's queries go to Prometheus");
    };
    assert_eq!(asked, key);
    assert_eq!(queries[0].0, "success-rate");
    assert_eq!(
        queries[0].1, "ratio{app=\"demo-app\"}",
        "arguments filled in"
    );
    let now = 1_795_000_000.0;
    app.update(Msg::AnalysisSeries(
        key,
        "success-rate".into(),
        Ok(vec![(now - 120.0, 0.99), (now - 60.0, 0.97)]),
    ));
    let shown = screen_text(&app, 120, 40);
    assert!(shown.contains("success-rate (result)"), "{shown}");
    assert!(
        shown.contains("measured 0.970  now 0.970  success when >= 0.95"),
        "{shown}"
    );
}

#[test]
fn a_long_pipeline_scrolls_by_application_and_keeps_the_watch_line() {
    use flightdeck::model::{Kind, ObjectKey, Row};
    use flightdeck::store::Delta;
    use serde_json::json;
    let (mut app, mut deltas) = live_app();
    for n in 0..40 {
        for env in ["dev", "prod"] {
            let object = json!({"metadata": {"name": format!("app-{n:02}-{env}"), "namespace": "argocd", "labels": {"app": format!("app-{n:02}"), "env": env}}, "spec": {"destination": {"namespace": format!("app-{n:02}-{env}")}}});
            deltas.push(Delta::Apply(Row::from_object(Kind::Application, &object)));
        }
    }
    app.update(Msg::Kube(deltas));
    let first = screen_text(&app, 120, 24);
    assert!(first.contains("applications 1–"), "{first}");
    assert!(first.contains("of 40"), "{first}");
    assert!(
        first.contains("app-00") && !first.contains("app-09"),
        "{first}"
    );
    assert!(first.contains("watching: 15/15 kinds live"), "{first}");

    app.size = (120, 24);
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('j'));
    }
    let scrolled = screen_text(&app, 120, 24);
    assert!(scrolled.contains("applications 4–"), "{scrolled}");
    assert!(
        scrolled.contains("app-03") && !scrolled.contains("app-02 "),
        "{scrolled}"
    );
    assert!(
        scrolled.contains("watching: 15/15 kinds live"),
        "{scrolled}"
    );

    press(&mut app, KeyCode::Char('G'));
    let last = screen_text(&app, 120, 24);
    assert!(last.contains("applications 37–40 of 40"), "{last}");
    assert!(
        last.contains("app-39") && !last.contains("app-35"),
        "{last}"
    );

    // Applications deleted while scrolled past them: the window stays on what is left.
    let gone = (20..40).flat_map(|n| {
        ["dev", "prod"].map(|env| {
            Delta::Delete(
                Kind::Application,
                ObjectKey::new("argocd", format!("app-{n:02}-{env}")),
            )
        })
    });
    app.update(Msg::Kube(gone.collect()));
    let shrunk = screen_text(&app, 120, 24);
    assert!(shrunk.contains("applications 20–20 of 20"), "{shrunk}");
    press(&mut app, KeyCode::Char('G'));
    let last_again = screen_text(&app, 120, 24);
    assert!(
        last_again.contains("applications 17–20 of 20"),
        "{last_again}"
    );
    assert!(shrunk.contains("app-19"), "{shrunk}");

    type_text(&mut app, "/app-1[0-2]");
    press(&mut app, KeyCode::Enter);
    let filtered = screen_text(&app, 120, 24);
    assert!(
        filtered.contains("app-10") && filtered.contains("app-12"),
        "{filtered}"
    );
    assert!(
        !filtered.contains("app-13") && !filtered.contains("app-00"),
        "{filtered}"
    );

    // An inverse filter drops the rows that match, title included.
    press(&mut app, KeyCode::Esc);
    type_text(&mut app, "/!prod|app-0");
    press(&mut app, KeyCode::Enter);
    let inverse = screen_text(&app, 120, 24);
    assert!(
        inverse.contains("app-10") && !inverse.contains("app-09"),
        "{inverse}"
    );
    assert!(
        inverse.contains("│dev ") && !inverse.contains("│prod "),
        "{inverse}"
    );
}
