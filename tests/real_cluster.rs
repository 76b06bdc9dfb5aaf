//! flightdeck against a real Kubernetes control plane (`tests/realcluster/up`: etcd,
//! kube-apiserver, kube-controller-manager, kube-scheduler and kwok built from upstream Go
//! modules). Skipped, saying so, when Go is not installed.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use common::real_cluster::RealCluster;
use flightdeck::model::Kind;
use flightdeck::store::WatchState;
use flightdeck::ui::app::App;
use flightdeck::ui::msg::Msg;

const ADMIN: &str = "flightdeck-real";
const VIEWER: &str = "flightdeck-real-viewer";
const TEAM: &str = "flightdeck-real-team";

/// Applies messages until `check` holds (or panics after `seconds`).
async fn until(
    app: &mut App,
    receiver: &mut mpsc::Receiver<Msg>,
    what: &str,
    seconds: u64,
    check: impl Fn(&App) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while !check(app) {
        let message = tokio::time::timeout_at(deadline, receiver.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
            .expect("message");
        app.update(message);
    }
}

/// `namespace/name` of every object of `kind`, as kubectl lists them.
fn kubectl_names(cluster: &RealCluster, kind: Kind) -> BTreeSet<String> {
    let (group, _, _, plural) = kind.resource();
    let resource = if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    };
    let listed: Value =
        serde_json::from_str(&cluster.kubectl_ok(ADMIN, &["get", &resource, "-A", "-o", "json"]))
            .expect("kubectl json");
    listed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            format!(
                "{}/{}",
                item["metadata"]["namespace"].as_str().unwrap_or_default(),
                item["metadata"]["name"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn store_names(app: &App, kind: Kind) -> BTreeSet<String> {
    app.store
        .rows(kind)
        .map(|row| format!("{}/{}", row.key().namespace, row.key().name))
        .collect()
}

#[test]
fn three_users_a_real_version_and_fake_nodes_that_run_pods() {
    let Some(cluster) = RealCluster::start("real_cluster", &[]) else {
        return;
    };
    let version: Value =
        serde_json::from_str(&cluster.kubectl_ok(ADMIN, &["version", "-o", "json"])).expect("json");
    assert_eq!(version["serverVersion"]["gitVersion"], "v1.36.3");
    cluster.install_demo();

    let can = |context: &str, args: &[&str]| {
        let mut all = vec!["auth", "can-i"];
        all.extend_from_slice(args);
        cluster.kubectl(context, &all).status.success()
    };
    assert!(can(VIEWER, &["list", "rollouts.argoproj.io", "-A"]));
    assert!(can(VIEWER, &["list", "stages.kargo.akuity.io", "-A"]));
    assert!(can(VIEWER, &["list", "pods", "-A"]));
    assert!(!can(
        VIEWER,
        &["patch", "rollouts.argoproj.io", "-n", "demo-app-dev"]
    ));
    assert!(
        !can(VIEWER, &["get", "secrets", "-n", "argocd"]),
        "view never reads Secrets"
    );
    assert!(can(
        TEAM,
        &["patch", "rollouts.argoproj.io", "-n", "demo-app-dev"]
    ));
    assert!(can(
        TEAM,
        &["list", "applications.argoproj.io", "-n", "argocd"]
    ));
    assert!(!can(
        TEAM,
        &["patch", "applications.argoproj.io", "-n", "argocd"]
    ));
    assert!(!can(TEAM, &["list", "pods", "-A"]), "nothing cluster-wide");
    assert!(!can(TEAM, &["list", "pods", "-n", "default"]));

    // The controller manager, the scheduler and kwok: a Deployment's pods run on the fake nodes.
    cluster.kubectl_ok(
        ADMIN,
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx:1.27",
            "--replicas=2",
            "-n",
            "default",
        ],
    );
    cluster.kubectl_ok(
        ADMIN,
        &[
            "rollout",
            "status",
            "deployment/web",
            "-n",
            "default",
            "--timeout=90s",
        ],
    );
    let pods: Value = serde_json::from_str(
        &cluster.kubectl_ok(ADMIN, &["get", "pods", "-n", "default", "-o", "json"]),
    )
    .expect("json");
    let pods = pods["items"].as_array().expect("items");
    assert_eq!(pods.len(), 2);
    for pod in pods {
        assert_eq!(pod["status"]["phase"], "Running");
        assert!(
            pod["spec"]["nodeName"]
                .as_str()
                .is_some_and(|node| node.starts_with("kwok-node-")),
            "{pod}"
        );
    }
}

#[test]
fn the_watchers_list_what_kubectl_lists() {
    let Some(cluster) = RealCluster::start("real_cluster", &[]) else {
        return;
    };
    cluster.install_demo();
    // A Workflow from the demo's template, and pods for the ReplicaSet kinds.
    cluster.kubectl_ok(
        ADMIN,
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx:1.27",
            "-n",
            "demo-app-dev",
        ],
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = cluster.client(ADMIN).await;
        let mut app = common::app();
        app.set_namespace("all");
        let (sender, mut receiver) = mpsc::channel(4096);
        let _watchers = flightdeck::kube::watch::watch_all(client, sender);
        until(&mut app, &mut receiver, "every kind live", 60, |app| {
            Kind::ALL
                .iter()
                .all(|kind| app.store.state(*kind) == WatchState::Live)
        })
        .await;
        until(&mut app, &mut receiver, "the web pod", 60, |app| {
            app.store.count(Kind::Pod) >= 1
        })
        .await;
        for kind in Kind::ALL {
            let expected = kubectl_names(&cluster, *kind);
            let mut seen = store_names(&app, *kind);
            // Let changes made since (events, pods turning Ready) arrive.
            let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
            while seen != expected && tokio::time::Instant::now() < deadline {
                if let Ok(Some(message)) =
                    tokio::time::timeout(Duration::from_millis(500), receiver.recv()).await
                {
                    app.update(message);
                }
                seen = store_names(&app, *kind);
            }
            assert_eq!(seen, kubectl_names(&cluster, *kind), "{kind:?}");
        }
        assert!(
            app.store.count(Kind::Rollout) >= 1,
            "the dev overlay's Rollout"
        );
        assert!(app.store.count(Kind::Application) >= 1);
        assert!(app.store.count(Kind::Stage) >= 1);
    });
}
