//! The embedded API server against kube-rs, the client the cockpit uses: a `watcher` sees
//! create/modify/delete in order, a too-old resourceVersion gets the in-stream ERROR 410 that
//! makes it relist, it recovers when the server restarts on the same port, and the write rules
//! (conflicts, status subresource, generation) hold through `Api`.

use std::time::Duration;

use futures::StreamExt;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde_json::json;

use flightdeck_apiserver::{ApiServer, ServerOptions};

fn rollouts() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
        "rollouts",
    )
}

fn client(server: &ApiServer) -> kube::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = kube::Config::new(server.url().parse().expect("url"));
    kube::Client::try_from(config).expect("client")
}

fn rollout(name: &str, replicas: i64) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": "demo:1"}]}}}
    }))
    .expect("object")
}

/// Merge-patches a Rollout's replicas.
async fn set_replicas(api: &Api<DynamicObject>, name: &str, replicas: i64) {
    api.patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": replicas}})),
    )
    .await
    .expect("patch");
}

/// A short description of a watcher event, for comparing sequences.
fn describe(event: &Event<DynamicObject>) -> String {
    let name = |o: &DynamicObject| o.metadata.name.clone().unwrap_or_default();
    let replicas = |o: &DynamicObject| {
        o.data
            .pointer("/spec/replicas")
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    match event {
        Event::Init => "init".into(),
        Event::InitApply(o) => format!("init-apply {}", name(o)),
        Event::InitDone => "init-done".into(),
        Event::Apply(o) => format!("apply {} {}", name(o), replicas(o)),
        Event::Delete(o) => format!("delete {}", name(o)),
    }
}

async fn next_events(
    stream: &mut (impl futures::Stream<Item = Result<Event<DynamicObject>, watcher::Error>> + Unpin),
    count: usize,
) -> Vec<String> {
    let mut seen = Vec::new();
    while seen.len() < count {
        match tokio::time::timeout(Duration::from_secs(20), stream.next()).await {
            Ok(Some(Ok(event))) => seen.push(describe(&event)),
            Ok(Some(Err(_))) => {}
            Ok(None) => panic!("watch stream ended; seen {seen:?}"),
            Err(_) => panic!("timed out; seen {seen:?}"),
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_sees_changes_in_order() {
    let server = ApiServer::start(ServerOptions::default())
        .await
        .expect("server");
    let api: Api<DynamicObject> = Api::namespaced_with(client(&server), "default", &rollouts());
    api.create(&PostParams::default(), &rollout("before", 1))
        .await
        .expect("create");
    let mut events = watcher::watcher(api.clone(), watcher::Config::default()).boxed();
    assert_eq!(
        next_events(&mut events, 3).await,
        ["init", "init-apply before", "init-done"]
    );
    api.create(&PostParams::default(), &rollout("r1", 1))
        .await
        .expect("create");
    set_replicas(&api, "r1", 3).await;
    api.delete("r1", &Default::default()).await.expect("delete");
    assert_eq!(
        next_events(&mut events, 3).await,
        ["apply r1 1", "apply r1 3", "delete r1"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_selector_transitions() {
    let server = ApiServer::start(ServerOptions::default())
        .await
        .expect("server");
    let api: Api<DynamicObject> = Api::namespaced_with(client(&server), "default", &rollouts());
    let mut events =
        watcher::watcher(api.clone(), watcher::Config::default().labels("tier=web")).boxed();
    assert_eq!(next_events(&mut events, 2).await, ["init", "init-done"]);
    api.create(&PostParams::default(), &rollout("r1", 1))
        .await
        .expect("create");
    api.patch(
        "r1",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"tier": "web"}}})),
    )
    .await
    .expect("label");
    api.patch(
        "r1",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"tier": "db"}}})),
    )
    .await
    .expect("relabel");
    assert_eq!(
        next_events(&mut events, 2).await,
        ["apply r1 1", "delete r1"],
        "entering and leaving the selection"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_old_resource_version_is_an_in_stream_410() {
    let options = ServerOptions {
        history: 2,
        ..ServerOptions::default()
    };
    let server = ApiServer::start(options).await.expect("server");
    let api: Api<DynamicObject> = Api::namespaced_with(client(&server), "default", &rollouts());
    let first = api
        .create(&PostParams::default(), &rollout("a", 1))
        .await
        .expect("create");
    for replicas in 2..6 {
        set_replicas(&api, "a", replicas).await;
    }
    let old_rv = first.metadata.resource_version.clone().expect("rv");
    let url = format!(
        "{}/apis/argoproj.io/v1alpha1/namespaces/default/rollouts?&watch=true&timeoutSeconds=5&allowWatchBookmarks=true&resourceVersion={old_rv}",
        server.url()
    );
    let body = reqwest_get(&url).await;
    let line: serde_json::Value =
        serde_json::from_str(body.lines().next().expect("one line")).expect("json");
    assert_eq!(line["type"], "ERROR");
    assert_eq!(line["object"]["code"], 410);
    assert_eq!(line["object"]["reason"], "Expired");
    assert!(
        line["object"]["message"]
            .as_str()
            .expect("message")
            .starts_with(&format!("too old resource version: {old_rv} ("))
    );
}

/// A plain HTTP GET returning the whole body (the stream ends after the ERROR line).
async fn reqwest_get(url: &str) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
        .get(url)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_relists_after_the_server_restarts_on_the_same_port() {
    let server = ApiServer::start(ServerOptions::default())
        .await
        .expect("server");
    let port = server.address.port();
    let client = client(&server);
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &rollouts());
    api.create(&PostParams::default(), &rollout("old", 1))
        .await
        .expect("create");
    let mut events = watcher::watcher(api.clone(), watcher::Config::default().timeout(2))
        .default_backoff()
        .boxed();
    assert_eq!(
        next_events(&mut events, 3).await,
        ["init", "init-apply old", "init-done"]
    );
    server.stop();
    drop(server);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let restarted = ApiServer::start(ServerOptions {
        port,
        ..ServerOptions::default()
    })
    .await
    .expect("restart on the same port");
    let api2: Api<DynamicObject> = Api::namespaced_with(client, "default", &rollouts());
    api2.create(&PostParams::default(), &rollout("new", 1))
        .await
        .expect("create on the new server");
    let seen = next_events(&mut events, 3).await;
    assert_eq!(
        seen,
        ["init", "init-apply new", "init-done"],
        "a fresh list of the new server"
    );
    drop(restarted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_rules_through_kube_rs() {
    let server = ApiServer::start(ServerOptions::default())
        .await
        .expect("server");
    let api: Api<DynamicObject> = Api::namespaced_with(client(&server), "default", &rollouts());
    let created = api
        .create(&PostParams::default(), &rollout("r", 1))
        .await
        .expect("create");
    assert_eq!(created.metadata.generation, Some(1));
    assert!(created.metadata.uid.is_some() && created.metadata.creation_timestamp.is_some());

    let mut stale = created.clone();
    set_replicas(&api, "r", 2).await;
    stale.data["spec"]["replicas"] = json!(9);
    let error = api
        .replace("r", &PostParams::default(), &stale)
        .await
        .expect_err("stale update");
    assert!(
        matches!(&error, kube::Error::Api(status) if status.code == 409 && status.reason == "Conflict"),
        "{error:?}"
    );

    let status = api
        .patch_status(
            "r",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"phase": "Paused"}, "spec": {"replicas": 7}})),
        )
        .await
        .expect("status patch");
    assert_eq!(status.data["status"]["phase"], "Paused");
    assert_eq!(
        status.data["spec"]["replicas"], 2,
        "a status write changes only status"
    );
    assert_eq!(
        status.metadata.generation,
        Some(2),
        "and does not bump generation"
    );

    let unchanged = api
        .patch(
            "r",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 2}})),
        )
        .await
        .expect("no-op");
    assert_eq!(
        unchanged.metadata.resource_version, status.metadata.resource_version,
        "a no-op write keeps the resourceVersion"
    );

    let applied = api.patch("r", &PatchParams::apply("flightdeck-test").force(), &Patch::Apply(json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "spec": {"replicas": 4}}))).await.expect("apply");
    assert_eq!(applied.data["spec"]["replicas"], 4);

    let list = api.list(&Default::default()).await.expect("list");
    let names: Vec<String> = list
        .items
        .into_iter()
        .map(|o| o.metadata.name.unwrap_or_default())
        .collect();
    assert_eq!(names, ["r"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_lists_and_finalizers() {
    let server = ApiServer::start(ServerOptions::default())
        .await
        .expect("server");
    let api: Api<DynamicObject> = Api::namespaced_with(client(&server), "default", &rollouts());
    let mut guarded = rollout("guarded", 1);
    guarded.metadata.finalizers = Some(vec!["demo/hold".into()]);
    api.create(&PostParams::default(), &guarded)
        .await
        .expect("create");
    let mut events =
        watcher::watcher(api.clone(), watcher::Config::default().streaming_lists()).boxed();
    assert_eq!(
        next_events(&mut events, 3).await,
        ["init", "init-apply guarded", "init-done"],
        "sendInitialEvents ends with the annotated bookmark"
    );
    api.delete("guarded", &Default::default())
        .await
        .expect("delete");
    let marked = api
        .get("guarded")
        .await
        .expect("still there while a finalizer holds it");
    assert!(marked.metadata.deletion_timestamp.is_some());
    api.patch(
        "guarded",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .expect("release");
    assert!(
        api.get_opt("guarded").await.expect("get").is_none(),
        "gone once the last finalizer is removed"
    );
    assert_eq!(
        next_events(&mut events, 3).await,
        ["apply guarded 1", "apply guarded 1", "delete guarded"]
    );
}

/// `(name, replicas)` of a list page's items, its `continue` token and resourceVersion.
fn page(body: &str) -> (Vec<String>, Option<String>, String) {
    let list: serde_json::Value = serde_json::from_str(body).expect("list json");
    let items = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| {
            format!(
                "{}={}",
                o["metadata"]["name"].as_str().unwrap_or("?"),
                o["spec"]["replicas"]
            )
        })
        .collect();
    let token = list["metadata"]["continue"].as_str().map(str::to_string);
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (items, token, rv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paged_lists_come_from_one_snapshot() {
    let server = ApiServer::start(ServerOptions::default())
        .await
        .expect("server");
    let api: Api<DynamicObject> = Api::namespaced_with(client(&server), "default", &rollouts());
    for name in ["a", "b", "c", "d", "e"] {
        api.create(&PostParams::default(), &rollout(name, 1))
            .await
            .expect("create");
    }
    let collection = format!("{}/apis/argoproj.io/v1alpha1/rollouts", server.url());
    let (first, token, rv) = page(&reqwest_get(&format!("{collection}?&limit=2")).await);
    assert_eq!(first, ["a=1", "b=1"]);
    let token = token.expect("a continue token while items remain");

    // Changes after the first page do not show in the later pages: they list the same snapshot.
    set_replicas(&api, "c", 3).await;
    api.delete("d", &Default::default()).await.expect("delete");
    api.create(&PostParams::default(), &rollout("f", 1))
        .await
        .expect("create");
    let (second, token, second_rv) =
        page(&reqwest_get(&format!("{collection}?&limit=2&continue={token}")).await);
    assert_eq!(
        (second, second_rv.as_str()),
        (vec!["c=1".to_string(), "d=1".into()], rv.as_str())
    );
    let (last, token, _) = page(
        &reqwest_get(&format!(
            "{collection}?&limit=2&continue={}",
            token.expect("more")
        ))
        .await,
    );
    assert_eq!(
        (last, token),
        (vec!["e=1".to_string()], None),
        "the last page has no token"
    );

    // A fresh list sees the changes; kube-rs's watcher pages through it (page size 2).
    let config = watcher::Config::default().page_size(2);
    let mut events = watcher::watcher(api.clone(), config).boxed();
    let seen = next_events(&mut events, 6).await;
    assert_eq!(
        seen,
        [
            "init",
            "init-apply a",
            "init-apply b",
            "init-apply c",
            "init-apply e",
            "init-apply f"
        ]
    );

    // A malformed token is a 400; one older than the history kept is 410 Expired.
    let bad: serde_json::Value =
        serde_json::from_str(&reqwest_get(&format!("{collection}?limit=2&continue=zz")).await)
            .expect("json");
    assert_eq!(
        (bad["code"].as_i64(), bad["reason"].as_str()),
        (Some(400), Some("BadRequest"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continue_token_older_than_the_history_is_expired() {
    let options = ServerOptions {
        history: 2,
        ..ServerOptions::default()
    };
    let server = ApiServer::start(options).await.expect("server");
    let api: Api<DynamicObject> = Api::namespaced_with(client(&server), "default", &rollouts());
    for name in ["a", "b", "c"] {
        api.create(&PostParams::default(), &rollout(name, 1))
            .await
            .expect("create");
    }
    let collection = format!("{}/apis/argoproj.io/v1alpha1/rollouts", server.url());
    let (_, token, _) = page(&reqwest_get(&format!("{collection}?limit=1")).await);
    for replicas in 2..5 {
        set_replicas(&api, "a", replicas).await;
    }
    let url = format!("{collection}?limit=1&continue={}", token.expect("token"));
    let expired: serde_json::Value = serde_json::from_str(&reqwest_get(&url).await).expect("json");
    assert_eq!(
        (expired["code"].as_i64(), expired["reason"].as_str()),
        (Some(410), Some("Expired"))
    );
    assert!(
        expired["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("The provided continue parameter is too old")
    );
}

/// A status patch answered 404 (a CRD without the status subresource, as Rollouts ≤ v0.9
/// declared it) is sent again as the plugin's unified patch on the main resource, which then
/// stands for the rest of the plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_patch_without_the_subresource_falls_back_to_the_main_resource() {
    use flightdeck::intent::request::{merge_patch, rollout_status_patch};
    use flightdeck::model::{Kind, ObjectKey};
    let server = ApiServer::start(ServerOptions::default())
        .await
        .expect("server");
    let workflows = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Workflow"),
        "workflows",
    );
    let api: Api<DynamicObject> = Api::namespaced_with(client(&server), "default", &workflows);
    let workflow: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": "old", "namespace": "default"},
        "spec": {"entrypoint": "main", "templates": [{"name": "main"}]},
    }))
    .expect("object");
    api.create(&PostParams::default(), &workflow)
        .await
        .expect("create");
    // The request helpers take a Kind for the path; a Workflow has no status subresource, so
    // its `/status` path stands for an old Rollout CRD's.
    let key = ObjectKey::new("default", "old");
    let mut status = rollout_status_patch(&key, json!({"status": {"abort": true}}), json!({}));
    status.path = format!(
        "{}/status",
        merge_patch(Kind::Workflow, &key, "", json!({})).path
    );
    status.instead_when_not_found = Some(Box::new(merge_patch(
        Kind::Workflow,
        &key,
        "",
        json!({"spec": {"suspend": true}, "status": {"message": "aborted"}}),
    )));
    let plan = flightdeck::intent::Plan {
        intent: flightdeck::intent::Intent::AbortRollout(key.clone()),
        requests: vec![
            status,
            merge_patch(
                Kind::Workflow,
                &key,
                "",
                json!({"spec": {"shutdown": "Stop"}}),
            ),
        ],
        cli: String::new(),
        warning: None,
        git: None,
        also_allowed: Vec::new(),
    };
    flightdeck::kube::execute::execute(&client(&server), &plan, false)
        .await
        .expect("executed through the fallback");
    let writes: Vec<(String, String)> = server
        .state
        .requests
        .writes()
        .into_iter()
        .map(|w| (w.method, w.uri))
        .collect();
    let main = "/apis/argoproj.io/v1alpha1/namespaces/default/workflows/old";
    assert_eq!(
        writes[1..],
        [
            ("PATCH".to_string(), format!("{main}/status")),
            ("PATCH".to_string(), main.to_string()),
        ],
        "the 404 is followed by the unified patch, and nothing after it"
    );
    let stored = api.get("old").await.expect("get");
    assert_eq!(stored.data["spec"]["suspend"], true);
    assert_eq!(stored.data["status"]["message"], "aborted");
    assert!(stored.data["spec"].get("shutdown").is_none());
}
