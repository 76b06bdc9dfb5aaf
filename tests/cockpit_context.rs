//! Switching the cluster context while running, through the real host: two embedded API servers
//! named by one kubeconfig; `:ctx` moves the cockpit from one to the other, drops what the first
//! one showed, applies the production rule to the new context, and refuses an unknown context.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kube::api::{Api, PostParams};
use tokio::sync::mpsc;

use flightdeck::model::{Kind, ObjectKey};
use flightdeck::store::WatchState;
use flightdeck::ui::app::App;
use flightdeck::ui::host::CockpitHost;
use flightdeck::ui::msg::{Effect, Msg};
use flightdeck_apiserver::ApiServer;
use flightdeck_apiserver::registry::Registry;

async fn server_with_pod(name: &str) -> ApiServer {
    let registry = Registry::load(&[]).expect("core kinds");
    let server = ApiServer::start_with(registry, Default::default())
        .await
        .expect("server");
    let client = kube::Client::try_from(kube::Config::new(server.url().parse().expect("url")))
        .expect("client");
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": "apps"}}))
        .expect("namespace");
    let _ = namespaces.create(&PostParams::default(), &namespace).await;
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client, "apps");
    let pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "namespace": "apps"},
        "spec": {"containers": [{"name": "main", "image": "x"}]}
    }))
    .expect("pod");
    pods.create(&PostParams::default(), &pod)
        .await
        .expect("pod");
    server
}

fn kubeconfig(alpha: &str, beta: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: alpha\nclusters:\n- name: a\n  cluster: {{server: {alpha}}}\n- name: b\n  cluster: {{server: {beta}}}\ncontexts:\n- name: alpha\n  context: {{cluster: a, user: u, namespace: apps}}\n- name: beta-prod\n  context: {{cluster: b, user: u, namespace: apps}}\nusers:\n- name: u\n  user: {{}}\n"
    )
}

fn type_command(app: &mut App, command: &str) -> Option<Effect> {
    let key = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    app.update(key(KeyCode::Char(':')));
    for c in command.chars() {
        app.update(key(KeyCode::Char(c)));
    }
    common::single(app.update(key(KeyCode::Enter)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctx_switches_clusters_live() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let alpha = server_with_pod("only-in-alpha").await;
    let beta = server_with_pod("only-in-beta").await;
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, kubeconfig(&alpha.url(), &beta.url())).expect("kubeconfig");
    let options = flightdeck::cli::Options {
        kubeconfig: Some(path),
        ..Default::default()
    };
    let loaded = common::loaded(&options, &[]);
    let target = flightdeck::kube::target::ClusterTarget::from_settings(&loaded.settings);
    assert_eq!(target.contexts, ["alpha", "beta-prod"]);
    let mut app = App::new(loaded, target);
    // Pods are watched where a screen shows them.
    app.show(flightdeck::ui::screen::View::List(Kind::Pod));
    let (sender, mut receiver) = mpsc::channel(1024);
    let mut host = CockpitHost::new(None, sender);
    host.connect(app.settings.clone(), app.connection);
    let pod = |name: &str| ObjectKey::new("apps", name);
    common::until_hosted(
        &mut app,
        &mut receiver,
        &mut host,
        ("alpha's pod", 20),
        |app| app.store.pod(&pod("only-in-alpha")).is_some(),
    )
    .await;
    assert!(!app.production);
    // Who the connection acts as: the server's SelfSubjectReview answer, not the kubeconfig's
    // user entry (`u`).
    common::until_hosted(
        &mut app,
        &mut receiver,
        &mut host,
        ("the identity", 20),
        |app| app.identity.is_some(),
    )
    .await;
    assert_eq!(app.identity.as_deref(), Some("demo-admin"));

    // An unknown context changes nothing and says why.
    assert_eq!(type_command(&mut app, "ctx nowhere"), None);
    let toast = app
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(
        toast.contains("context `nowhere` is not in the kubeconfig"),
        "{toast}"
    );
    assert!(app.store.pod(&pod("only-in-alpha")).is_some());

    let Some(Effect::Connect {
        settings,
        connection,
    }) = type_command(&mut app, "ctx beta-prod")
    else {
        panic!("ctx beta-prod asks for a new connection");
    };
    assert_eq!(app.target.context.as_deref(), Some("beta-prod"));
    assert!(app.production, "the *prod* rule applies to the new context");
    assert_eq!(app.store.count(Kind::Pod), 0, "nothing from alpha is shown");
    assert_eq!(
        app.view(),
        flightdeck::ui::screen::View::Pipeline,
        "back home"
    );
    app.show(flightdeck::ui::screen::View::List(Kind::Pod));
    host.connect(*settings, connection);
    common::until_hosted(
        &mut app,
        &mut receiver,
        &mut host,
        ("beta's pods live", 20),
        |app| {
            app.store.state(Kind::Pod) == WatchState::Live
                && app.store.pod(&pod("only-in-beta")).is_some()
        },
    )
    .await;
    assert!(app.store.pod(&pod("only-in-alpha")).is_none());
    assert!(app.cluster_problem.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_shows_retrying_and_keeps_what_it_had() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = server_with_pod("kept").await;
    let client = kube::Client::try_from(kube::Config::new(server.url().parse().expect("url")))
        .expect("client");
    let mut app = common::app();
    app.set_namespace("all");
    let (sender, mut receiver) = mpsc::channel(1024);
    let _watchers = flightdeck::kube::watch::watch_all(client, sender);
    common::until_app(&mut app, &mut receiver, "the pod live", 20, |app| {
        app.store.state(Kind::Pod) == WatchState::Live
    })
    .await;
    drop(server);
    common::until_app(&mut app, &mut receiver, "pods retrying", 20, |app| {
        matches!(app.store.state(Kind::Pod), WatchState::Retrying(..))
    })
    .await;
    let said = app.store.state(Kind::Pod).describe();
    assert!(said.starts_with("retrying in "), "{said}");
    assert!(
        app.store.pod(&ObjectKey::new("apps", "kept")).is_some(),
        "what was listed stays visible while retrying"
    );
}
