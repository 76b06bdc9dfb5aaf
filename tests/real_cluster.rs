//! flightdeck against a real Kubernetes control plane (`tests/realcluster/up`: etcd,
//! kube-apiserver, kube-controller-manager, kube-scheduler and kwok built from upstream Go
//! modules). Skipped, saying so, when Go is not installed.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use common::real_cluster::{RealCluster, block_on};
use flightdeck::model::Kind;
use flightdeck::store::WatchState;
use flightdeck::ui::app::App;
use flightdeck::ui::msg::Msg;

const ADMIN: &str = "flightdeck-real";
const VIEWER: &str = "flightdeck-real-viewer";
const TEAM: &str = "flightdeck-real-team";

/// The cockpit's store, fed by its watchers acting as `context`, across all namespaces.
async fn watched_as(
    cluster: &RealCluster,
    context: &str,
) -> (App, mpsc::Receiver<Msg>, kube::Client) {
    let client = cluster.client(context).await;
    let mut app = common::app();
    app.set_namespace("all");
    let (sender, receiver) = mpsc::channel(4096);
    let _ = flightdeck::kube::watch::watch_all(client.clone(), sender);
    (app, receiver, client)
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

    // Watched cluster-wide (`watch_all`, what the cockpit does for a user who may), every kind
    // is forbidden to the team user — even the Rollouts and Pods of demo-app-dev it may read.
    // The cockpit therefore asks first (below).
    block_on(async {
        let (mut app, mut receiver, _) = watched_as(&cluster, TEAM).await;
        common::until_app(&mut app, &mut receiver, "every kind answered", 60, |app| {
            Kind::ALL.iter().all(|kind| {
                !matches!(
                    app.store.state(*kind),
                    WatchState::Starting | WatchState::Syncing(_)
                )
            })
        })
        .await;
        for kind in Kind::ALL {
            let state = app.store.state(*kind);
            assert!(
                matches!(&state, WatchState::Forbidden(why) if why.contains("flightdeck-team") && why.contains("cluster scope")),
                "{kind:?}: {}",
                state.describe()
            );
        }
    });

    // The cockpit as the team user: kinds it may not watch cluster-wide are watched in the
    // namespaces that matter — Argo CD's (for the Applications it may read), its context's
    // (demo-app-dev) and the Applications' destinations — so the dev Application, its Rollout and
    // the pipeline row joining them are live; namespaces outside its RBAC say forbidden there.
    block_on(async {
        let options = flightdeck::cli::Options {
            kubeconfig: Some(cluster.kubeconfig.clone()),
            context: Some(TEAM.into()),
            ..Default::default()
        };
        let loaded = common::loaded(&options, &[]);
        let target = flightdeck::kube::target::ClusterTarget::from_settings(&loaded.settings);
        let mut app = App::new(loaded, target);
        let (sender, mut receiver) = mpsc::channel(4096);
        let mut host = flightdeck::ui::host::CockpitHost::new(None, sender);
        host.connect(app.settings.clone(), app.connection);
        let dev_rollout = flightdeck::model::ObjectKey::new("demo-app-dev", "demo-app");
        let wait = ("the dev Application and its Rollout", 60);
        common::until_hosted(&mut app, &mut receiver, &mut host, wait, |app| {
            app.store.rollout(&dev_rollout).is_some()
                && app.store.state(Kind::Application) == WatchState::Live
                && app.store.state(Kind::Rollout) == WatchState::Live
        })
        .await;
        let watched: Vec<&str> = app
            .store
            .watches(Kind::Rollout)
            .map(|watches| watches.namespaces().collect())
            .unwrap_or_default();
        assert!(
            watched.contains(&"demo-app-dev") && watched.contains(&"argocd"),
            "{watched:?}"
        );
        assert_eq!(
            store_names(&app, Kind::Application),
            kubectl_names(&cluster, Kind::Application),
            "every Application, read in argocd"
        );
        let dev_rollouts: BTreeSet<String> = kubectl_names(&cluster, Kind::Rollout)
            .into_iter()
            .filter(|name| name.starts_with("demo-app-dev/"))
            .collect();
        assert_eq!(store_names(&app, Kind::Rollout), dev_rollouts);
        let line = app.store.describe_watch(Kind::Rollout);
        assert!(line.starts_with("live in 1 of "), "{line}");
        let pipeline = app.pipeline_view();
        let dev = pipeline
            .sections
            .iter()
            .flat_map(|section| &section.rows)
            .find(|row| row[0].text == "dev")
            .map(|row| {
                row.iter()
                    .map(|cell| cell.text.clone())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .expect("a dev row");
        // No Argo CD or Rollouts controller runs here: the Application's status is unknown, and
        // the row's image and phase are the Rollout's own (the dev overlay's v1.0.0).
        assert!(
            dev.contains("v1.0.0") && dev.contains("Progressing"),
            "the dev row shows its Rollout: {dev}"
        );

        // Only the watches that are needed: the home lists no Pod or Event anywhere (the
        // cluster-wide lists above were `watch_all`'s); ReplicaSets where its Rollouts run.
        let team_lists = |resource: &str| {
            cluster
                .audited(|event| {
                    event["user"]["username"] == "flightdeck-team"
                        && event["objectRef"]["resource"] == resource
                        && event["objectRef"]["namespace"].is_string()
                })
                .len()
        };
        assert_eq!(team_lists("pods") + team_lists("events"), 0);
        assert_eq!(app.store.state(Kind::Pod), WatchState::NotNeeded);
        assert_eq!(app.store.state(Kind::Event), WatchState::NotNeeded);
        assert!(team_lists("replicasets") >= 1);
        // The Rollout's detail draws its Pods and Events: they are watched in its namespace.
        use flightdeck::ui::event_loop::Host;
        use flightdeck::ui::screen::{Screen, View};
        app.screens
            .push(Screen::about(View::Detail(Kind::Rollout), dev_rollout));
        for effect in app.update(Msg::Resize(120, 40)) {
            host.handle(effect);
        }
        let wait = ("the detail's Pods and Events", 60);
        common::until_hosted(&mut app, &mut receiver, &mut host, wait, |app| {
            [Kind::Pod, Kind::Event].iter().all(|kind| {
                app.store.describe_watch(*kind) == "live in 1 namespace"
                    && app
                        .store
                        .watches(*kind)
                        .is_some_and(|watches| watches.namespaces().eq(["demo-app-dev"]))
            })
        })
        .await;
        let asked = common::eventually("the namespaced Pod list audited", 20, || async {
            (team_lists("pods") >= 1 && team_lists("events") >= 1).then_some(())
        });
        asked.await;
    });

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
    // A Deployment, for live ReplicaSets and Pods.
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
    block_on(async {
        let (mut app, mut receiver, _) = watched_as(&cluster, ADMIN).await;
        common::until_app(&mut app, &mut receiver, "every kind live", 60, |app| {
            Kind::ALL
                .iter()
                .all(|kind| app.store.state(*kind) == WatchState::Live)
        })
        .await;
        common::until_app(&mut app, &mut receiver, "the web pod", 60, |app| {
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
    reached_through_proxies_compressed(&cluster);
}

/// The transport a real cluster may need: the kubeconfig's `proxy-url` as an HTTP CONNECT proxy
/// and as a SOCKS5 proxy, TLS end to end through both, and list responses compressed by the
/// server (the bytes carried are a fraction of the JSON decoded).
fn reached_through_proxies_compressed(cluster: &RealCluster) {
    let items: Vec<Value> = (0..300)
        .map(|i| {
            json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("bulk-{i}"), "namespace": "default"},
            "data": {"text": "flightdeck ".repeat(100)}})
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp");
    let list = dir.path().join("bulk.json");
    std::fs::write(
        &list,
        json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string(),
    )
    .expect("write");
    cluster.kubectl_ok(ADMIN, &["create", "-f", &list.to_string_lossy()]);
    let config = kubectl_json(cluster, &["config", "view", "--raw"]);
    let server = config["clusters"][0]["cluster"]["server"]
        .as_str()
        .expect("server")
        .to_string();
    let port = server.rsplit(':').next().expect("port").to_string();
    block_on(async {
        for (scheme, how) in [("http", "CONNECT"), ("socks5", "SOCKS5")] {
            let tunnel = common::tunnel::Tunnel::start().await;
            let mut proxied = config.clone();
            for cluster in proxied["clusters"].as_array_mut().expect("clusters") {
                cluster["cluster"]["proxy-url"] = json!(format!("{scheme}://{}", tunnel.address));
            }
            let path = dir.path().join(format!("kubeconfig-{scheme}"));
            std::fs::write(&path, proxied.to_string()).expect("write");
            let settings = flightdeck::settings::Settings {
                kubeconfig: Some(path),
                context: Some(ADMIN.into()),
                ..Default::default()
            };
            let client = flightdeck::kube::client::connect(&settings)
                .await
                .expect("a client through the proxy");
            let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
                kube::Api::namespaced(client, "default");
            let before = tunnel.received();
            let listed = api
                .list(&kube::api::ListParams::default())
                .await
                .expect("listed through the proxy");
            let carried = tunnel.received() - before;
            let decoded = serde_json::to_vec(&listed.items).expect("json").len() as u64;
            assert!(listed.items.len() >= 300);
            eprintln!("{scheme} proxy: {carried} bytes carried for {decoded} bytes of JSON");
            assert!(
                tunnel
                    .asked()
                    .iter()
                    .any(|asked| asked.starts_with(how) && asked.ends_with(&format!(":{port}"))),
                "{scheme}: {:?}",
                tunnel.asked()
            );
            assert!(
                carried * 4 < decoded,
                "{scheme}: compressed, {carried} bytes carried for {decoded} bytes of JSON"
            );
        }
    });
}

fn workflow(name: &str) -> Value {
    serde_json::json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": name, "namespace": "argo-workflows"},
        "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "alpine:3.20", "command": ["true"]}}]}})
}

/// Waits until the store's rows of every kind are kubectl's (and every kind is live).
async fn until_rows_match(
    cluster: &RealCluster,
    app: &mut App,
    receiver: &mut mpsc::Receiver<Msg>,
    what: &str,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let live = Kind::ALL
            .iter()
            .all(|kind| app.store.state(*kind) == WatchState::Live);
        let differing: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|kind| store_names(app, *kind) != kubectl_names(cluster, *kind))
            .collect();
        if live && differing.is_empty() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: live {live}, rows differ for {differing:?}"
        );
        let wait = tokio::time::Instant::now() + Duration::from_millis(500);
        while let Ok(Some(message)) = tokio::time::timeout_at(wait, receiver.recv()).await {
            app.update(message);
        }
    }
}

#[test]
fn the_watchers_page_relist_and_survive_a_crd_reinstall_and_a_server_restart() {
    // Lists and watches from etcd, compacted every 2 s: old resource versions expire fast.
    let flags = ["--watch-cache=false", "--etcd-compaction-interval=2s"];
    let Some(cluster) = RealCluster::start("real_cluster", &flags) else {
        return;
    };
    cluster.install_demo();
    // More Workflows than the watchers' page (100): the list comes in pages.
    let items: Vec<Value> = (0..250)
        .map(|i| workflow(&format!("load-{i:03}")))
        .collect();
    let list = cluster.dir.path().join("workflows.json");
    std::fs::write(
        &list,
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string(),
    )
    .expect("write");
    cluster.kubectl_ok(ADMIN, &["create", "-f", &list.to_string_lossy()]);
    block_on(async {
        let (mut app, mut receiver, client) = watched_as(&cluster, ADMIN).await;
        until_rows_match(&cluster, &mut app, &mut receiver, "the first lists").await;
        assert_eq!(app.store.count(Kind::Workflow), 250);
        let continued = cluster
            .audited(|event| {
                event["verb"] == "list"
                    && event["objectRef"]["resource"] == "workflows"
                    && event["requestURI"]
                        .as_str()
                        .is_some_and(|uri| uri.contains("continue="))
            })
            .len();
        assert!(
            continued >= 2,
            "pages 2 and 3 asked with continue tokens: {continued}"
        );

        // A watch from a compacted resource version: the real server's answer.
        let old = kubectl_json(
            &cluster,
            &["get", "workflow", "load-000", "-n", "argo-workflows"],
        );
        let old_version = old["metadata"]["resourceVersion"]
            .as_str()
            .expect("rv")
            .to_string();
        for i in 0..5 {
            cluster.kubectl_ok(
                ADMIN,
                &[
                    "label",
                    "workflow",
                    &format!("load-{i:03}"),
                    "-n",
                    "argo-workflows",
                    "touched=yes",
                ],
            );
        }
        tokio::time::sleep(Duration::from_secs(6)).await;
        let request = http::Request::get(format!(
            "/apis/argoproj.io/v1alpha1/namespaces/argo-workflows/workflows?watch=true&timeoutSeconds=5&allowWatchBookmarks=true&resourceVersion={old_version}"
        ))
        .body(Vec::new())
        .expect("request");
        let body = client.request_text(request).await.expect("watch");
        let first: Value =
            serde_json::from_str(body.lines().next().expect("a line")).expect("json");
        assert_eq!(first["type"], "ERROR", "{body}");
        assert_eq!(first["object"]["code"], 410, "{body}");
        assert_eq!(first["object"]["reason"], "Expired", "{body}");
        // Served from etcd (no watch cache), the words are etcd storage's, not the cache's
        // "too old resource version: X (Y)" that the embedded server (and a cached real one) says.
        assert_eq!(
            first["object"]["message"], "The resourceVersion for the provided watch is too old.",
            "{body}"
        );
        assert_eq!(
            (&first["object"]["kind"], &first["object"]["status"]),
            (&json!("Status"), &json!("Failure"))
        );
        until_rows_match(&cluster, &mut app, &mut receiver, "after labels").await;

        // The API server restarts; changes made after it are seen, nothing lost or doubled. A
        // quiet kind's watch resumes from its list's resource version, compacted long since: the
        // server answers 410 in the stream and the watcher lists again.
        let sensor_lists = || {
            cluster
                .audited(|event| {
                    event["verb"] == "list"
                        && event["objectRef"]["resource"] == "sensors"
                        && event["user"]["username"] == "flightdeck-admin"
                })
                .len()
        };
        let lists_before = sensor_lists();
        cluster.restart_apiserver();
        cluster.kubectl_ok(
            ADMIN,
            &["delete", "workflow", "load-001", "-n", "argo-workflows"],
        );
        let fresh = cluster.dir.path().join("fresh.json");
        std::fs::write(&fresh, workflow("after-restart").to_string()).expect("write");
        cluster.kubectl_ok(ADMIN, &["create", "-f", &fresh.to_string_lossy()]);
        until_rows_match(&cluster, &mut app, &mut receiver, "after the restart").await;
        assert_eq!(app.store.count(Kind::Workflow), 250);
        assert!(
            sensor_lists() > lists_before,
            "Sensors listed again after the restart"
        );

        // A CRD deleted (its objects go with it) and installed again.
        let experiment = serde_json::json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment",
            "metadata": {"name": "baseline-vs-canary", "namespace": "demo-app-dev"},
            "spec": {"duration": "5m", "templates": [{"name": "baseline", "replicas": 1,
                "selector": {"matchLabels": {"app": "exp"}},
                "template": {"metadata": {"labels": {"app": "exp"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}]}});
        let experiment_file = cluster.dir.path().join("experiment.json");
        std::fs::write(&experiment_file, experiment.to_string()).expect("write");
        cluster.kubectl_ok(ADMIN, &["create", "-f", &experiment_file.to_string_lossy()]);
        until_rows_match(&cluster, &mut app, &mut receiver, "the experiment").await;
        cluster.kubectl_ok(
            ADMIN,
            &["delete", "crd", "experiments.argoproj.io", "--wait=true"],
        );
        common::until_app(&mut app, &mut receiver, "experiments not live", 60, |app| {
            app.store.state(Kind::Experiment) != WatchState::Live
                || app.store.count(Kind::Experiment) == 0
        })
        .await;
        let crd = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("demo/crds/argo-rollouts/experiment-crd.yaml");
        cluster.kubectl_ok(
            ADMIN,
            &["apply", "--server-side", "-f", &crd.to_string_lossy()],
        );
        cluster.wait_established(&["crd/experiments.argoproj.io"]);
        cluster.kubectl_ok(ADMIN, &["create", "-f", &experiment_file.to_string_lossy()]);
        until_rows_match(&cluster, &mut app, &mut receiver, "the CRD installed again").await;
        assert_eq!(app.store.count(Kind::Experiment), 1);
    });
}

fn kubectl_json(cluster: &RealCluster, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    serde_json::from_str(&cluster.kubectl_ok(ADMIN, &all)).expect("json")
}
