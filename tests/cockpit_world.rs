//! The cockpit's watchers against the demo world at high speed: deltas flow into the store and the
//! pipeline view shows a commit's Workflow succeed and its Rollout reach Healthy; a CRD that is not
//! served shows "not installed".

mod common;

use std::time::Duration;

use tokio::sync::mpsc;

use common::keys::{press, press_one, screen_text, type_text};
use crossterm::event::KeyCode;

use flightdeck::demo::world::metrics::Quality;
use flightdeck::demo::world::{World, WorldOptions};
use flightdeck::model::Kind;
use flightdeck::store::{Store, WatchState};
use flightdeck::ui::msg::Msg;
use flightdeck::view::pipeline::{PipelineView, Window, build};

/// A demo world in `dir` with the cockpit's watchers on it: the world, their messages, the sender
/// they share (for a host), and the watchers (dropping them does not stop them).
async fn watched_world(
    dir: &std::path::Path,
) -> (
    World,
    mpsc::Receiver<Msg>,
    mpsc::Sender<Msg>,
    Vec<tokio::task::JoinHandle<()>>,
) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let world = World::start(WorldOptions::for_tests(dir.to_path_buf()))
        .await
        .expect("world");
    let (sender, receiver) = mpsc::channel(1024);
    let watchers = flightdeck::kube::watch::watch_all(world.client.clone(), sender.clone());
    (world, receiver, sender, watchers)
}

/// Feeds watcher messages into `store` until `check` holds (or panics after `seconds`).
async fn until(
    store: &mut Store,
    receiver: &mut mpsc::Receiver<Msg>,
    what: &str,
    seconds: u64,
    check: impl Fn(&Store) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while !check(store) {
        let message = tokio::time::timeout_at(deadline, receiver.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
        if let Some(Msg::Kube(deltas)) = message {
            store.apply(deltas);
        }
    }
}

fn row_text(view: &PipelineView, env: &str) -> String {
    view.sections
        .iter()
        .flat_map(|s| &s.rows)
        .find(|r| r[0].text == env)
        .map(|r| {
            r.iter()
                .map(|c| c.text.clone())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pipeline_view_follows_a_commit_through_the_world() {
    let dir = tempfile::tempdir().expect("temp");
    let (world, mut receiver, _, _watchers) = watched_world(dir.path()).await;
    let mut store = Store::default();
    until(
        &mut store,
        &mut receiver,
        "every watch to be live",
        20,
        |s| Kind::ALL.iter().all(|k| s.state(*k) == WatchState::Live),
    )
    .await;
    until(
        &mut store,
        &mut receiver,
        "three healthy environments",
        30,
        |s| {
            let view = build(s, None, 0, Window::ALL);
            ["dev", "staging", "prod"]
                .iter()
                .all(|env| row_text(&view, env).contains("Healthy | 7/7"))
        },
    )
    .await;

    let commit = world
        .push_commit(Quality::Good, "feat: watched by the cockpit")
        .expect("push");
    let short = &commit[..7];
    until(
        &mut store,
        &mut receiver,
        "the new build in the section title",
        30,
        |s| {
            let view = build(s, None, 0, Window::ALL);
            view.sections
                .first()
                .is_some_and(|section| section.title.iter().any(|c| c.text.contains(short)))
        },
    )
    .await;
    until(
        &mut store,
        &mut receiver,
        "dev to run the new image, built by a succeeded workflow",
        90,
        |s| {
            let view = build(s, None, 0, Window::ALL);
            let dev = row_text(&view, "dev");
            let cells: Vec<&str> = dev.split(" | ").collect();
            // ENV SYNC HEALTH REV FREIGHT IMAGE ROLLOUT STEP WEIGHT ANALYSIS BUILD PROMOTION METRICS
            cells.len() == 13
                && cells[1] == "Synced"
                && cells[5] == &commit[..12]
                && cells[6] == "Healthy"
                && cells[10].starts_with("Succeeded 4/4")
        },
    )
    .await;
    let view = build(&store, None, 0, Window::ALL);
    let dev = row_text(&view, "dev");
    assert!(dev.starts_with("dev | Synced"), "{dev}");
    assert!(dev.contains("100/100"), "{dev}");
    assert!(
        view.watches.iter().all(|w| w.text.ends_with("live")),
        "{:?}",
        view.watches
    );
    // The Kargo matrix: the Warehouse is ready, and the new Freight is current in dev.
    until(
        &mut store,
        &mut receiver,
        "the Kargo matrix to show the new Freight current in dev",
        30,
        |s| {
            let kargo = flightdeck::view::kargo::build(
                s,
                None,
                &flightdeck::view::filter::Filter::default(),
                0,
            );
            let dev = kargo.stages.iter().position(|stage| stage == "dev");
            kargo.stages.len() == 3
                && kargo.warehouses.iter().any(|w| w[2].text == "Ready")
                && kargo.freight.first().is_some_and(|row| {
                    row.cells[2].text == commit[..12]
                        && dev.is_some_and(|d| row.cells[4 + d].text.starts_with("current"))
                })
        },
    )
    .await;
    // The controllers' Kubernetes Events about the objects the commit went through.
    until(
        &mut store,
        &mut receiver,
        "Events from the Workflows, Argo CD, Kargo and Rollouts controllers",
        30,
        |s| {
            [
                ("Workflow", "WorkflowSucceeded"),
                ("Application", "OperationCompleted"),
                ("Promotion", "PromotionSucceeded"),
                ("Rollout", "RolloutCompleted"),
            ]
            .iter()
            .all(|(kind, reason)| {
                s.events()
                    .any(|e| e.object_kind == *kind && e.reason == *reason && !e.warning)
            })
        },
    )
    .await;
    // What starts the pipeline: the push EventSource, the Sensor and the CI WorkflowTemplate.
    until(
        &mut store,
        &mut receiver,
        "the Argo Events objects ready and the CI template",
        30,
        |s| {
            s.event_sources().any(|source| {
                source.readiness.ready == Some(true)
                    && source.events.contains(&"webhook/demo-app".to_string())
            }) && s.sensors().any(|sensor| {
                sensor.readiness.ready == Some(true)
                    && sensor
                        .dependencies
                        .contains(&"gitea-eventsource/demo-app".to_string())
            }) && s
                .workflow_templates()
                .any(|template| !template.entrypoint.is_empty() && !template.parameters.is_empty())
        },
    )
    .await;
    // The new image's pods, watched like everything else, owned by their ReplicaSet.
    until(
        &mut store,
        &mut receiver,
        "a running pod of the new ReplicaSet",
        30,
        |s| {
            s.pods().any(|pod| {
                pod.status == "Running"
                    && pod.key.namespace == "demo-app-dev"
                    && pod
                        .owner
                        .as_deref()
                        .is_some_and(|o| o.starts_with("ReplicaSet/demo-app-"))
            })
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_the_cluster_does_not_serve_is_not_installed() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // A server with only the core kinds: no Argo or Kargo CRDs at all.
    let registry = flightdeck_apiserver::registry::Registry::load(&[]).expect("core kinds");
    let server = flightdeck_apiserver::ApiServer::start_with(registry, Default::default())
        .await
        .expect("server");
    let client = kube::Client::try_from(kube::Config::new(server.url().parse().expect("url")))
        .expect("client");
    let (sender, mut receiver) = mpsc::channel(1024);
    let _watchers = flightdeck::kube::watch::watch_all(client, sender);
    let mut store = Store::default();
    until(
        &mut store,
        &mut receiver,
        "every Argo and Kargo kind to be not installed",
        20,
        |s| {
            Kind::ALL.iter().all(|k| {
                // Core kinds (Pods, Events, ReplicaSets) are always served.
                if matches!(k.resource().0, "" | "apps") {
                    s.state(*k) == WatchState::Live
                } else {
                    s.state(*k) == WatchState::NotInstalled
                }
            })
        },
    )
    .await;
    let view = build(&store, None, 0, Window::ALL);
    assert!(view.sections.is_empty());
    assert!(
        view.watches
            .iter()
            .skip(1)
            .filter(|w| !["ReplicaSets", "Pods", "Events"]
                .iter()
                .any(|core| w.text.starts_with(core)))
            .all(|w| w.text.ends_with("not installed")),
        "{:?}",
        view.watches
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_views_show_the_fetched_workflow_and_analysis_run() {
    let dir = tempfile::tempdir().expect("temp");
    let (world, mut receiver, sender, _watchers) = watched_world(dir.path()).await;
    let mut host = flightdeck::ui::host::CockpitHost::new(Some(world.client.clone()), sender);
    let mut app = common::app();
    app.set_namespace("all");
    world
        .push_commit(Quality::Good, "feat: inspect me")
        .expect("push");
    common::until_app(&mut app, &mut receiver, "a succeeded workflow", 30, |app| {
        app.store
            .workflows()
            .next()
            .is_some_and(|w| w.phase == flightdeck::model::phase::WorkflowPhase::Succeeded)
    })
    .await;
    let shown = open_detail(&mut app, &mut host, &mut receiver, "wf").await;
    for step in ["checkout", "build-image", "push-image", "update-manifests"] {
        assert!(shown.contains(step), "{step} in:\n{shown}");
    }
    assert!(
        shown.contains("Succeeded") && shown.contains("Progress      4/4"),
        "{shown}"
    );
    // The checkout step's pod log, followed through the real host (`l` on the step's line).
    let checkout = app
        .detail_lines()
        .iter()
        .position(|line| {
            line.iter()
                .any(|cell| cell.text.trim_start().starts_with("checkout"))
        })
        .expect("a checkout line");
    for _ in 0..checkout {
        press(&mut app, KeyCode::Char('j'));
    }
    let effect = press_one(&mut app, KeyCode::Char('l'));
    let Some(flightdeck::ui::msg::Effect::FollowLogs { pod, container }) = effect else {
        panic!("l on a step follows its pod's log: {effect:?}");
    };
    assert_eq!(container, "main");
    let step_pod = app.store.pod(&pod);
    assert!(
        step_pod.is_some(),
        "the pod name is derived as Argo names pods: {pod}"
    );
    assert!(
        step_pod
            .and_then(|p| p.owner.as_deref())
            .is_some_and(|owner| owner.starts_with("Workflow/demo-app-ci-")),
        "owned by its Workflow: {step_pod:?}"
    );
    {
        host.follow_logs(pod, container);
    }
    common::until_app(&mut app, &mut receiver, "the checkout log", 20, |app| {
        app.logs().is_some_and(|logs| {
            logs.lines
                .iter()
                .any(|line| line.contains("Cloning into '/workspace'"))
        })
    })
    .await;
    // Leaving the log view closes the stream, and the Workflow detail found under it is
    // fetched again: the Workflow kept running while the log covered it.
    let effects = press(&mut app, KeyCode::Esc);
    assert!(
        matches!(&effects[..], [
            flightdeck::ui::msg::Effect::StopLogs,
            flightdeck::ui::msg::Effect::Fetch(Kind::Workflow, key),
        ] if app.subject().is_some_and(|shown| shown.key == *key)),
        "{effects:?}"
    );

    // The canary's analysis: its metrics, conditions and measurements from Prometheus queries.
    common::until_app(
        &mut app,
        &mut receiver,
        "an AnalysisRun with a measurement",
        60,
        |app| {
            app.store
                .analysis_runs()
                .any(|run| run.metrics.iter().any(|m| m.last_value.is_some()))
        },
    )
    .await;
    while app.view() != flightdeck::ui::screen::View::Pipeline {
        press(&mut app, KeyCode::Esc);
    }
    let shown = open_detail(&mut app, &mut host, &mut receiver, "ar").await;
    for expected in [
        "Rollout demo-app",
        "Metric success-rate",
        "Success when  result[0] >= 0.95",
        "every 30s, 4 measurements, failure limit 3",
        "1 successful",
        "Successful  [0.",
    ] {
        assert!(shown.contains(expected), "{expected} in:\n{shown}");
    }
}

/// Opens the first object of the list `alias` (`:alias`, enter, enter), fetches it through the
/// real host, and returns the drawn detail view.
async fn open_detail(
    app: &mut flightdeck::ui::app::App,
    host: &mut flightdeck::ui::host::CockpitHost,
    receiver: &mut mpsc::Receiver<Msg>,
    alias: &str,
) -> String {
    use flightdeck::ui::msg::Effect;
    type_text(app, &format!(":{alias}"));
    press(app, KeyCode::Enter);
    let effect = press_one(app, KeyCode::Enter);
    let Some(Effect::Fetch(kind, object)) = effect else {
        panic!("opening from :{alias} fetches the object: {effect:?}")
    };
    host.fetch(kind, object);
    common::until_app(app, receiver, "the fetched object", 10, |app| {
        app.subject()
            .is_some_and(|subject| matches!(subject.object, Some(Ok(_))))
    })
    .await;
    screen_text(app, 120, 30)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crd_deleted_while_running_shows_not_installed_and_comes_back() {
    let dir = tempfile::tempdir().expect("temp");
    let (world, mut receiver, _, _watchers) = watched_world(dir.path()).await;
    let mut store = Store::default();
    until(&mut store, &mut receiver, "the Rollouts", 20, |s| {
        s.state(Kind::Rollout) == WatchState::Live && s.count(Kind::Rollout) == 3
    })
    .await;
    assert!(world.server.uninstall_crd("argoproj.io", "rollouts"));
    until(
        &mut store,
        &mut receiver,
        "Rollouts gone and not installed",
        20,
        |s| s.state(Kind::Rollout) == WatchState::NotInstalled && s.count(Kind::Rollout) == 0,
    )
    .await;
    let view = build(&store, None, 0, Window::ALL);
    assert!(
        view.watches
            .iter()
            .any(|w| w.text.contains("Rollouts") && w.text.contains("not installed")),
        "{:?}",
        view.watches
    );
    assert_eq!(
        store.state(Kind::Application),
        WatchState::Live,
        "the rest keeps working"
    );
    assert!(
        build(&store, None, 0, Window::ALL)
            .sections
            .iter()
            .any(|s| !s.rows.is_empty()),
        "the pipeline still shows the Applications"
    );
    // Installed again: the watch finds it by itself.
    assert!(world.server.reinstall_crd("argoproj.io", "rollouts"));
    until(&mut store, &mut receiver, "Rollouts live again", 40, |s| {
        s.state(Kind::Rollout) == WatchState::Live
    })
    .await;
}
