//! The on-demand watches (ReplicaSets, Pods, Events) against the embedded API server over real
//! HTTP: a kind nothing needs is not listed and says "not needed"; a namespace asked for is
//! watched there only; a list of every namespace takes one cluster-wide watch; a watch no longer
//! needed keeps its rows for a while, then stops and takes them with it.

mod common;

use std::time::Duration;

use kube::api::{Api, PostParams};
use tokio::sync::{mpsc, watch};

use flightdeck::kube::demand::watch_on_demand;
use flightdeck::kube::watch::Changes;
use flightdeck::model::Kind;
use flightdeck::store::{Scope, Store, WatchPlan, WatchState};
use flightdeck_apiserver::ApiServer;
use flightdeck_apiserver::registry::Registry;

/// How long a watch no longer needed keeps running here.
const LINGER: Duration = Duration::from_millis(500);

async fn server_with_pods(pods: &[(&str, &str)]) -> (ApiServer, kube::Client) {
    let server =
        ApiServer::start_with(Registry::load(&[]).expect("core kinds"), Default::default())
            .await
            .expect("server");
    let client = kube::Client::try_from(kube::Config::new(server.url().parse().expect("url")))
        .expect("client");
    for (namespace, name) in pods {
        let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
        let object = serde_json::json!({"metadata": {"name": namespace}});
        let _ = namespaces
            .create(
                &PostParams::default(),
                &serde_json::from_value(object).expect("ns"),
            )
            .await;
        let api: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client.clone(), namespace);
        let pod = serde_json::json!({"metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": [{"name": "main", "image": "x"}]}});
        api.create(
            &PostParams::default(),
            &serde_json::from_value(pod).expect("pod"),
        )
        .await
        .expect("pod");
    }
    (server, client)
}

/// Applies changes to `store` until `check` holds (or panics after 20 s).
async fn until(
    store: &mut Store,
    receiver: &mut mpsc::Receiver<Changes>,
    what: &str,
    check: impl Fn(&Store) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !check(store) {
        let Ok(Some(Changes(deltas))) = tokio::time::timeout_at(deadline, receiver.recv()).await
        else {
            panic!(
                "timed out waiting for {what}: {:?}",
                store.watches(Kind::Pod)
            );
        };
        store.apply(deltas);
    }
}

fn pod_names(store: &Store) -> Vec<String> {
    store
        .rows(Kind::Pod)
        .map(|row| row.key().to_string())
        .collect()
}

fn needing(namespace: Option<&str>) -> WatchPlan {
    let mut plan = WatchPlan::default();
    plan.ask(Kind::Pod, namespace);
    plan
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_are_watched_only_where_and_while_needed() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (_server, client) = server_with_pods(&[("dev", "web-1"), ("prod", "web-2")]).await;
    let (plan, plan_receiver) = watch::channel(WatchPlan::default());
    let (sender, mut receiver) = mpsc::channel::<Changes>(1024);
    let task = tokio::spawn(watch_on_demand(
        client,
        (Kind::Pod, LINGER),
        plan_receiver,
        sender,
    ));
    let mut store = Store::default();
    until(&mut store, &mut receiver, "not needed", |store| {
        store.state(Kind::Pod) == WatchState::NotNeeded
    })
    .await;
    assert_eq!(store.count(Kind::Pod), 0, "nothing listed while not needed");

    plan.send_replace(needing(Some("dev")));
    until(&mut store, &mut receiver, "dev live", |store| {
        store.state(Kind::Pod) == WatchState::Live
    })
    .await;
    assert_eq!(
        pod_names(&store),
        ["dev/web-1"],
        "only the namespace asked for"
    );
    assert_eq!(store.describe_watch(Kind::Pod), "live in 1 namespace");

    // Not needed any more: the rows stay for a while, then go with the watch.
    plan.send_replace(WatchPlan::default());
    let asked_off = tokio::time::Instant::now();
    until(&mut store, &mut receiver, "dev stopped", |store| {
        store.state(Kind::Pod) == WatchState::NotNeeded
    })
    .await;
    assert!(asked_off.elapsed() >= LINGER, "{:?}", asked_off.elapsed());
    assert_eq!(store.count(Kind::Pod), 0, "a stopped watch takes its rows");

    // A list of every namespace: one cluster-wide watch.
    plan.send_replace(needing(None));
    until(&mut store, &mut receiver, "every pod", |store| {
        store.count(Kind::Pod) == 2 && store.state(Kind::Pod) == WatchState::Live
    })
    .await;
    assert_eq!(
        store.watches(Kind::Pod).map(|w| w.namespaces().count()),
        Some(0),
        "watched cluster-wide, not namespace by namespace"
    );
    // Back to one namespace: the cluster watch covers it until it stops, then the namespace's
    // own watch takes over and the other namespace's rows go.
    plan.send_replace(needing(Some("prod")));
    until(&mut store, &mut receiver, "prod on its own", |store| {
        store.describe_watch(Kind::Pod) == "live in 1 namespace"
            && pod_names(store) == ["prod/web-2"]
    })
    .await;
    assert!(
        store
            .watches(Kind::Pod)
            .is_some_and(|w| w.namespaces().eq(["prod"])),
        "{:?}",
        store.watches(Kind::Pod)
    );
    assert!(
        store
            .rows(Kind::Pod)
            .all(|row| Scope::Namespace("prod".into()).holds(&row.key().namespace))
    );
    drop(plan);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the watcher ends with the plan")
        .expect("no panic");
}
