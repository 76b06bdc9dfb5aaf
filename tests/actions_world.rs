//! Every intent against the embedded API server and the demo world: the executor reads, plans
//! and sends, and the server's request log shows exactly what the upstream CLI would send
//! (method, path with subresource, content type, body); the simulated controllers react as the
//! real ones do. A read-only session sends no write at all.

mod common;

use std::time::Duration;

use common::eventually;

use flightdeck::demo::world::metrics::Quality;
use flightdeck::demo::world::{World, WorldOptions};
use flightdeck::intent::Intent;
use flightdeck::kube::execute::{context_now, execute, prepare};
use flightdeck::model::{Kind, ObjectKey};
use flightdeck_apiserver::access::Policy;
use flightdeck_apiserver::request_log::LoggedRequest;
use kube::api::{Api, DynamicObject};
use serde_json::{Value, json};

/// The user the test acts as, so its requests stand apart from the controllers'.
const USER: &str = "operator";

struct Harness {
    world: World,
    client: kube::Client,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn start() -> Harness {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().expect("temp");
        let world = World::start(WorldOptions::for_tests(dir.path().join("world")))
            .await
            .expect("world");
        world
            .server
            .add_user("operator-token", USER, Policy::AllowAll);
        let path = dir.path().join("kubeconfig");
        world
            .server
            .write_kubeconfig(&path, "default", Some("operator-token"))
            .expect("kubeconfig");
        let kubeconfig = kube::config::Kubeconfig::read_from(&path).expect("read kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .expect("config");
        let client = kube::Client::try_from(config).expect("client");
        Harness {
            world,
            client,
            _dir: dir,
        }
    }

    /// A client for another user of the world's API server, with `policy`.
    async fn client_as(&self, user: &str, policy: Policy) -> kube::Client {
        let token = format!("{user}-token");
        self.world.server.add_user(&token, user, policy);
        let path = self._dir.path().join(format!("kubeconfig-{user}"));
        self.world
            .server
            .write_kubeconfig(&path, "default", Some(&token))
            .expect("kubeconfig");
        let kubeconfig = kube::config::Kubeconfig::read_from(&path).expect("read kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .expect("config");
        kube::Client::try_from(config).expect("client")
    }

    /// The operator's writes so far (not the SelfSubjectAccessReviews).
    fn writes(&self) -> Vec<LoggedRequest> {
        self.world
            .server
            .state
            .requests
            .writes()
            .into_iter()
            .filter(|r| r.user == USER && !r.uri.contains("selfsubjectaccessreviews"))
            .collect()
    }

    /// Prepares and executes `intent`; returns the writes it made.
    async fn act(&self, intent: Intent) -> Vec<LoggedRequest> {
        self.act_creating(intent).await.0
    }

    /// Prepares and executes `intent`; returns the writes it made and the names of the objects
    /// the server created.
    async fn act_creating(&self, intent: Intent) -> (Vec<LoggedRequest>, Vec<String>) {
        // A controller may change the object between our read and our write: as the UI does,
        // a 409 means read again and plan again.
        for _ in 0..10 {
            let before = self.writes().len();
            let plan = prepare(&self.client, &intent, &context_now())
                .await
                .unwrap_or_else(|e| panic!("{intent:?}: {e}"));
            match execute(&self.client, &plan, false).await {
                Ok(created) => return (self.writes().split_off(before), created),
                Err(flightdeck::kube::execute::Failure::Conflict(_)) => continue,
                Err(e) => panic!("{intent:?}: {e}"),
            }
        }
        panic!("{intent:?}: conflicted ten times")
    }

    /// The objects of `kind` in `namespace`, as the test's user.
    fn api(&self, kind: Kind, namespace: &str) -> Api<DynamicObject> {
        let (group, version, kind, plural) = kind.resource();
        let resource = kube::api::ApiResource::from_gvk_with_plural(
            &kube::api::GroupVersionKind::gvk(group, version, kind),
            plural,
        );
        Api::namespaced_with(self.client.clone(), namespace, &resource)
    }

    async fn get(&self, kind: Kind, key: &ObjectKey) -> Value {
        match self.api(kind, &key.namespace).get(&key.name).await {
            Ok(object) => serde_json::to_value(object).expect("json"),
            // Not created yet (the world is still starting): nothing to look at.
            Err(_) => Value::Null,
        }
    }

    async fn rollout(&self, env: &str) -> Value {
        self.get(Kind::Rollout, &rollout_key(env)).await
    }

    /// Polls `check` on the Rollout of `env` until it holds.
    async fn until_rollout(&self, env: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        self.until(Kind::Rollout, &rollout_key(env), what, check)
            .await
    }

    /// Polls `check` on an object until it holds (a minute at most).
    async fn until(
        &self,
        kind: Kind,
        key: &ObjectKey,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let object = self.get(kind, key).await;
            if check(&object) {
                return object;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}: {}",
                object["status"]
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn rollout_key(env: &str) -> ObjectKey {
    ObjectKey::new(format!("demo-app-{env}"), "demo-app")
}

fn one(writes: &[LoggedRequest]) -> (&str, &str, Option<&str>, Value) {
    assert_eq!(writes.len(), 1, "{writes:?}");
    let write = &writes[0];
    (
        write.method.as_str(),
        write.uri.as_str(),
        write.content_type.as_deref(),
        serde_json::from_str(&write.body).expect("JSON body"),
    )
}

const MERGE: Option<&str> = Some("application/merge-patch+json");

fn phase(rollout: &Value) -> &str {
    rollout["status"]["phase"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollout_actions_send_exact_requests_and_the_controller_reacts() {
    let h = Harness::start().await;
    let dev = rollout_key("dev");
    let status = "/apis/argoproj.io/v1alpha1/namespaces/demo-app-dev/rollouts/demo-app/status";
    let main = "/apis/argoproj.io/v1alpha1/namespaces/demo-app-dev/rollouts/demo-app";
    h.until_rollout("dev", "a healthy dev rollout", |r| phase(r) == "Healthy")
        .await;
    let first_image =
        h.rollout("dev").await["spec"]["template"]["spec"]["containers"][0]["image"].clone();

    // A bad build: pause it, resume it, abort it, retry it.
    h.world
        .push_commit(Quality::Bad, "feat: risky")
        .expect("push");
    h.until_rollout("dev", "the canary to start", |r| {
        r["spec"]["template"]["spec"]["containers"][0]["image"] != first_image
    })
    .await;
    let writes = h.act(Intent::PauseRollout(dev.clone())).await;
    assert_eq!(
        one(&writes),
        ("PATCH", main, MERGE, json!({"spec": {"paused": true}}))
    );
    h.until_rollout("dev", "manually paused", |r| phase(r) == "Paused")
        .await;
    let writes = h.act(Intent::ResumeRollout(dev.clone())).await;
    assert_eq!(writes.last().map(|w| w.uri.as_str()), Some(main));
    assert_eq!(
        serde_json::from_str::<Value>(&writes.last().expect("write").body).expect("json"),
        json!({"spec": {"paused": false}})
    );
    let writes = h.act(Intent::AbortRollout(dev.clone())).await;
    assert_eq!(
        one(&writes),
        ("PATCH", status, MERGE, json!({"status": {"abort": true}}))
    );
    let aborted = h
        .until_rollout("dev", "aborted and degraded", |r| phase(r) == "Degraded")
        .await;
    assert!(
        aborted["status"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("RolloutAborted")
    );
    let writes = h.act(Intent::RetryRollout(dev.clone())).await;
    assert_eq!(
        one(&writes),
        ("PATCH", status, MERGE, json!({"status": {"abort": false}}))
    );
    h.until_rollout("dev", "retried", |r| phase(r) != "Degraded")
        .await;

    // Promote it fully, then undo to the previous revision: a new revision with the old template.
    let writes = h.act(Intent::PromoteRolloutFully(dev.clone())).await;
    assert_eq!(
        one(&writes),
        (
            "PATCH",
            status,
            MERGE,
            json!({"status": {"promoteFull": true}})
        )
    );
    let promoted = h
        .until_rollout("dev", "fully promoted", |r| {
            r["status"]["stableRS"] == r["status"]["currentPodHash"] && phase(r) == "Healthy"
        })
        .await;
    let writes = h.act(Intent::UndoRollout(dev.clone(), None)).await;
    let (method, uri, content_type, body) = one(&writes);
    assert_eq!(
        (method, uri, content_type),
        ("PATCH", main, Some("application/json-patch+json"))
    );
    assert_eq!(body[0]["op"], "replace");
    assert_eq!(body[0]["path"], "/spec/template");
    assert_eq!(
        body[0]["value"]["spec"]["containers"][0]["image"],
        first_image
    );
    assert!(
        body[0]["value"]["metadata"]["labels"]
            .get("rollouts-pod-template-hash")
            .is_none()
    );
    h.until_rollout("dev", "the old template as a new revision", |r| {
        r["spec"]["template"]["spec"]["containers"][0]["image"] == first_image
            && r["status"]["currentPodHash"] != promoted["status"]["currentPodHash"]
    })
    .await;

    // Restart: the controller records it.
    let writes = h.act(Intent::RestartRollout(dev.clone())).await;
    let (method, uri, _, body) = one(&writes);
    assert_eq!((method, uri), ("PATCH", main));
    let restart_at = body["spec"]["restartAt"]
        .as_str()
        .expect("restartAt")
        .to_string();
    assert!(
        restart_at.ends_with('Z') && restart_at.len() == 20,
        "{restart_at}"
    );
    h.until_rollout("dev", "the restart recorded", |r| {
        r["status"]["restartedAt"].as_str() == Some(restart_at.as_str())
    })
    .await;

    // A paused canary is promoted a step: the status patch then the spec patch.
    h.world
        .push_commit(Quality::Good, "feat: steady")
        .expect("push");
    h.until_rollout("dev", "a canary", |r| {
        r["status"]["stableRS"] != r["status"]["currentPodHash"]
    })
    .await;
    h.act(Intent::PauseRollout(dev.clone())).await;
    h.until_rollout("dev", "paused", |r| phase(r) == "Paused")
        .await;
    let writes = h.act(Intent::PromoteRollout(dev.clone())).await;
    assert_eq!(
        writes.last().map(|w| w.uri.as_str()),
        Some(main),
        "unpause last: {writes:?}"
    );
    assert!(writes.len() <= 2 && writes.iter().all(|w| w.content_type.as_deref() == MERGE));
    if writes.len() == 2 {
        assert_eq!(writes[0].uri, status);
    }

    // An AnalysisRun of the canary is terminated through its spec.
    let runs = h.api(Kind::AnalysisRun, "demo-app-dev");
    let run = eventually("an AnalysisRun", 60, || async {
        runs.list(&Default::default())
            .await
            .ok()?
            .items
            .into_iter()
            .next()
    })
    .await;
    let run_key = ObjectKey::new(
        "demo-app-dev",
        run.metadata.name.clone().unwrap_or_default(),
    );
    let writes = h.act(Intent::TerminateAnalysisRun(run_key.clone())).await;
    assert_eq!(
        one(&writes),
        (
            "PATCH",
            format!(
                "/apis/argoproj.io/v1alpha1/namespaces/demo-app-dev/analysisruns/{}",
                run_key.name
            )
            .as_str(),
            MERGE,
            json!({"spec": {"terminate": true}})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workflow_actions_send_exact_requests() {
    let h = Harness::start().await;
    // Submit from the CI template: a Workflow that runs.
    let template = ObjectKey::new("argo-workflows", "demo-app-ci");
    let commit = h
        .world
        .push_commit(Quality::Good, "feat: to build")
        .expect("push");
    let (writes, created) = h
        .act_creating(Intent::SubmitWorkflow(
            template,
            vec![("commitSha".into(), commit.clone())],
        ))
        .await;
    let (method, uri, content_type, body) = one(&writes);
    assert!(
        created.len() == 1 && created[0].starts_with("demo-app-ci-") && created[0].len() > 12,
        "the name the server generated is returned: {created:?}"
    );
    assert_eq!(
        (method, uri, content_type),
        (
            "POST",
            "/apis/argoproj.io/v1alpha1/namespaces/argo-workflows/workflows",
            Some("application/json")
        )
    );
    assert_eq!(body["metadata"]["generateName"], "demo-app-ci-");
    assert_eq!(
        body["spec"]["workflowTemplateRef"],
        json!({"name": "demo-app-ci"})
    );
    assert_eq!(
        body["spec"]["arguments"]["parameters"],
        json!([{"name": "commitSha", "value": commit}])
    );
    // The submitted Workflow: suspend, resume and terminate it, then resubmit it.
    let workflows = h.api(Kind::Workflow, "argo-workflows");
    let ours = eventually("the submitted Workflow to run", 30, || async {
        let list = workflows.list(&Default::default()).await.ok()?;
        let running = list.items.into_iter().find(|w| {
            let value = serde_json::to_value(w).unwrap_or_default();
            value["spec"]["workflowTemplateRef"]["name"] == "demo-app-ci"
                && value["spec"]["arguments"]["parameters"][0]["value"] == commit.as_str()
                && value["metadata"]["labels"]["workflows.argoproj.io/workflow-template"]
                    == "demo-app-ci"
                && value["status"]["phase"] == "Running"
                && value["metadata"]["generateName"] == "demo-app-ci-"
                && w.metadata.annotations.is_none()
        });
        running
            .map(|found| ObjectKey::new("argo-workflows", found.metadata.name.unwrap_or_default()))
    })
    .await;
    let wf_path = format!(
        "/apis/argoproj.io/v1alpha1/namespaces/argo-workflows/workflows/{}",
        ours.name
    );
    // `argo suspend`/`argo resume` update (PUT) the whole Workflow as read.
    let writes = h.act(Intent::SuspendWorkflow(ours.clone())).await;
    let (method, uri, content_type, body) = one(&writes);
    assert_eq!(
        (method, uri, content_type),
        ("PUT", wf_path.as_str(), Some("application/json"))
    );
    assert_eq!(body["spec"]["suspend"], true);
    assert_eq!(body["spec"]["workflowTemplateRef"]["name"], "demo-app-ci");
    assert!(
        body["metadata"]["resourceVersion"].is_string(),
        "guarded by what was read"
    );
    let writes = h.act(Intent::ResumeWorkflow(ours.clone())).await;
    let (method, uri, _, body) = one(&writes);
    assert_eq!((method, uri), ("PUT", wf_path.as_str()));
    assert!(body["spec"].get("suspend").is_none(), "{}", body["spec"]);
    let writes = h.act(Intent::TerminateWorkflow(ours.clone())).await;
    assert_eq!(
        one(&writes),
        (
            "PATCH",
            wf_path.as_str(),
            MERGE,
            json!({"spec": {"shutdown": "Terminate"}})
        )
    );
    h.until(
        Kind::Workflow,
        &ours,
        "the Workflow to be terminated",
        |now| now["status"]["phase"] == "Failed",
    )
    .await;
    let writes = h.act(Intent::ResubmitWorkflow(ours.clone())).await;
    let (method, uri, _, body) = one(&writes);
    assert_eq!(
        (method, uri),
        (
            "POST",
            "/apis/argoproj.io/v1alpha1/namespaces/argo-workflows/workflows"
        )
    );
    assert_eq!(
        body["metadata"]["labels"]["workflows.argoproj.io/resubmitted-from-workflow"],
        ours.name.as_str()
    );
    assert!(body["spec"].get("shutdown").is_none());
    // The resubmitted one runs; stop it.
    let again = eventually("the resubmitted Workflow to run", 30, || async {
        let list = workflows.list(&Default::default()).await.ok()?;
        let found = list.items.into_iter().find(|w| {
            let value = serde_json::to_value(w).unwrap_or_default();
            value["metadata"]["labels"]["workflows.argoproj.io/resubmitted-from-workflow"]
                == ours.name.as_str()
                && value["status"]["phase"] == "Running"
        });
        found.map(|found| ObjectKey::new("argo-workflows", found.metadata.name.unwrap_or_default()))
    })
    .await;
    let writes = h.act(Intent::StopWorkflow(again.clone())).await;
    let (_, uri, _, body) = one(&writes);
    assert!(uri.ends_with(&format!("/workflows/{}", again.name)));
    assert_eq!(body, json!({"spec": {"shutdown": "Stop"}}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn argo_cd_actions_send_exact_requests() {
    let h = Harness::start().await;
    // Argo CD: refresh, sync, disable auto-sync, roll back.
    let app = ObjectKey::new("argocd", "demo-app-prod");
    let app_path = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/demo-app-prod";
    let writes = h
        .act(Intent::RefreshApplication {
            application: app.clone(),
            hard: false,
        })
        .await;
    assert_eq!(
        one(&writes),
        (
            "PATCH",
            app_path,
            MERGE,
            json!({"metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal"}}})
        )
    );
    // The world's first sync must be over: flightdeck refuses while an operation runs.
    let before = h
        .until(Kind::Application, &app, "the first sync to end", |now| {
            now.is_object() && now.get("operation").is_none_or(Value::is_null)
        })
        .await;
    let writes = h
        .act(Intent::SyncApplication {
            application: app.clone(),
            prune: false,
            dry_run: false,
        })
        .await;
    let (_, uri, content_type, body) = one(&writes);
    assert_eq!((uri, content_type), (app_path, MERGE));
    // Guarded by the version read just before planning: the one seen above, or a newer one
    // when the world's Argo CD touched the Application in between.
    let version = |v: &Value| {
        v["metadata"]["resourceVersion"]
            .as_str()
            .and_then(|rv| rv.parse::<u64>().ok())
            .unwrap_or_default()
    };
    assert!(
        version(&body) >= version(&before) && version(&before) > 0,
        "{body}"
    );
    assert_eq!(
        body["operation"]["sync"]["syncStrategy"],
        json!({"hook": {}})
    );
    assert_eq!(
        body["operation"]["sync"]["source"],
        before["spec"]["source"]
    );
    assert_eq!(body["status"], json!({"operationState": null}));
    let synced = h
        .until(Kind::Application, &app, "the sync to finish", |now| {
            now.get("operation").is_none_or(Value::is_null)
                && now["status"]["operationState"]["phase"] == "Succeeded"
        })
        .await;
    let history = synced["status"]["history"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!history.is_empty());
    let automated = synced["spec"]["syncPolicy"]["automated"].is_object();
    if automated {
        let writes = h.act(Intent::DisableAutoSync(app.clone())).await;
        assert_eq!(
            one(&writes),
            (
                "PATCH",
                app_path,
                MERGE,
                json!({"spec": {"syncPolicy": {"automated": null}}})
            )
        );
    }
    // A sync that is still running can be terminated.
    let mut terminated = false;
    'tries: for _ in 0..20 {
        h.act(Intent::SyncApplication {
            application: app.clone(),
            prune: false,
            dry_run: false,
        })
        .await;
        loop {
            match prepare(
                &h.client,
                &Intent::TerminateSync(app.clone()),
                &context_now(),
            )
            .await
            {
                Ok(plan) => {
                    if execute(&h.client, &plan, false).await.is_err() {
                        // It changed in between (409): the sync is probably over; try again.
                        break;
                    }
                    let last = h.writes().pop().expect("the terminate write");
                    assert_eq!(last.uri, app_path);
                    let body: Value = serde_json::from_str(&last.body).expect("json");
                    assert_eq!(
                        body["status"],
                        json!({"operationState": {"phase": "Terminating"}})
                    );
                    assert!(body["metadata"]["resourceVersion"].is_string());
                    terminated = true;
                    break 'tries;
                }
                // Not running yet, or already over.
                Err(_) => {
                    let now = h.get(Kind::Application, &app).await;
                    if now.get("operation").is_none_or(Value::is_null) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        }
    }
    assert!(terminated, "no running sync to terminate in 20 tries");
    h.until(
        Kind::Application,
        &app,
        "the terminated sync to end",
        |now| now.get("operation").is_none_or(Value::is_null),
    )
    .await;
    // dev is auto-synced: turning it off removes `automated`, as `--sync-policy none` does.
    let dev_app = ObjectKey::new("argocd", "demo-app-dev");
    let writes = h.act(Intent::DisableAutoSync(dev_app.clone())).await;
    assert_eq!(
        one(&writes),
        (
            "PATCH",
            "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/demo-app-dev",
            MERGE,
            json!({"spec": {"syncPolicy": {"automated": null}}})
        )
    );
    let dev_now = h.get(Kind::Application, &dev_app).await;
    assert!(
        dev_now["spec"]["syncPolicy"].get("automated").is_none(),
        "{}",
        dev_now["spec"]
    );
    let oldest = history[0]["id"].as_i64().expect("id");
    let writes = h
        .act(Intent::RollbackApplication {
            application: app.clone(),
            id: oldest,
        })
        .await;
    let (_, _, _, body) = one(&writes);
    assert_eq!(
        body["operation"]["sync"]["revision"],
        history[0]["revision"]
    );
    assert_eq!(
        body["operation"]["sync"]["syncStrategy"],
        json!({"apply": {}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kargo_actions_send_exact_requests() {
    let h = Harness::start().await;
    // A new build: its Freight is what gets approved and promoted (the push triggers CI).
    let commit = h
        .world
        .push_commit(Quality::Good, "feat: for kargo")
        .expect("push");
    // Kargo: approve the newest Freight for prod, then promote it into staging once it is
    // verified in dev; reverify dev.
    let freight_api = h.api(Kind::Freight, "demo-app");
    let freight = eventually("the commit's Freight to be verified in dev", 60, || async {
        let list = freight_api.list(&Default::default()).await.ok()?;
        let found = list.items.into_iter().find(|f| {
            let value = serde_json::to_value(f).unwrap_or_default();
            value["images"][0]["tag"] == commit.as_str()
                && value["status"]["verifiedIn"]["dev"].is_object()
        });
        found.map(|found| found.metadata.name.unwrap_or_default())
    })
    .await;
    let freight_key = ObjectKey::new("demo-app", freight.clone());
    // Kargo's custom verb: a user who may patch freights/status and create Promotions but not
    // `promote` the Stage is refused, as Kargo's API server and webhook refuse them.
    let no_promote = h
        .client_as(
            "no-promote",
            Policy::Deny(vec![("promote".into(), "stages".into())]),
        )
        .await;
    for intent in [
        Intent::ApproveFreight {
            freight: freight_key.clone(),
            stage: "prod".into(),
        },
        Intent::PromoteFreight {
            stage: ObjectKey::new("demo-app", "staging"),
            freight: freight.clone(),
        },
    ] {
        let refused = prepare(&no_promote, &intent, &context_now())
            .await
            .expect_err("no promote verb");
        assert!(
            refused
                .reason
                .starts_with("forbidden: you may not promote stages in demo-app"),
            "{intent:?}: {refused}"
        );
    }
    let writes = h
        .act(Intent::ApproveFreight {
            freight: freight_key.clone(),
            stage: "prod".into(),
        })
        .await;
    let (method, uri, content_type, body) = one(&writes);
    assert_eq!(
        (method, uri, content_type),
        (
            "PATCH",
            format!("/apis/kargo.akuity.io/v1alpha1/namespaces/demo-app/freights/{freight}/status")
                .as_str(),
            MERGE
        )
    );
    assert!(body["status"]["approvedFor"]["prod"]["approvedAt"].is_string());
    let staging = ObjectKey::new("demo-app", "staging");
    let writes = h
        .act(Intent::PromoteFreight {
            stage: staging.clone(),
            freight: freight.clone(),
        })
        .await;
    let (method, uri, _, body) = one(&writes);
    assert_eq!(
        (method, uri),
        (
            "POST",
            "/apis/kargo.akuity.io/v1alpha1/namespaces/demo-app/promotions"
        )
    );
    let name = body["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        name.starts_with("staging.") && name.ends_with(&freight[..7]),
        "{name}"
    );
    let stage = h.get(Kind::Stage, &staging).await;
    assert_eq!(
        body["spec"]["steps"],
        stage["spec"]["promotionTemplate"]["spec"]["steps"]
    );
    h.until(
        Kind::Freight,
        &freight_key,
        "the Freight to reach staging",
        |now| now["status"]["currentlyIn"]["staging"].is_object(),
    )
    .await;
    // Promoting it into prod (approved above), then aborting that Promotion while it runs.
    let writes = h
        .act(Intent::PromoteFreight {
            stage: ObjectKey::new("demo-app", "prod"),
            freight: freight.clone(),
        })
        .await;
    let (_, _, _, body) = one(&writes);
    let promotion = ObjectKey::new(
        "demo-app",
        body["metadata"]["name"].as_str().unwrap_or_default(),
    );
    match prepare(
        &h.client,
        &Intent::AbortPromotion(promotion.clone()),
        &context_now(),
    )
    .await
    {
        Ok(plan) => {
            execute(&h.client, &plan, false).await.expect("abort");
            let last = h.writes().pop().expect("the abort write");
            assert_eq!(
                last.uri,
                format!(
                    "/apis/kargo.akuity.io/v1alpha1/namespaces/demo-app/promotions/{}",
                    promotion.name
                )
            );
            let body: Value = serde_json::from_str(&last.body).expect("json");
            assert_eq!(
                body,
                json!({"metadata": {"annotations": {"kargo.akuity.io/abort": "{\"action\":\"terminate\"}"}}})
            );
        }
        Err(reason) => assert!(reason.reason.contains("already ended"), "{reason}"),
    }
    let dev = ObjectKey::new("demo-app", "dev");
    let writes = h.act(Intent::Reverify(dev)).await;
    let (_, uri, _, body) = one(&writes);
    assert_eq!(
        uri,
        "/apis/kargo.akuity.io/v1alpha1/namespaces/demo-app/stages/dev"
    );
    let value = body["metadata"]["annotations"]["kargo.akuity.io/reverify"]
        .as_str()
        .unwrap_or_default();
    assert!(
        serde_json::from_str::<Value>(value).is_ok_and(|v| v["id"].is_string()),
        "{value}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_no_write_at_all() {
    let h = Harness::start().await;
    let dev = rollout_key("dev");
    h.until_rollout("dev", "a healthy dev rollout", |r| phase(r) == "Healthy")
        .await;
    for intent in [
        Intent::AbortRollout(dev.clone()),
        Intent::PauseRollout(dev.clone()),
        Intent::RestartRollout(dev.clone()),
        Intent::RefreshApplication {
            application: ObjectKey::new("argocd", "demo-app-dev"),
            hard: true,
        },
    ] {
        let plan = prepare(&h.client, &intent, &context_now())
            .await
            .expect("plan");
        assert_eq!(
            execute(&h.client, &plan, true).await,
            Err(flightdeck::kube::execute::Failure::ReadOnly)
        );
    }
    let writes: Vec<LoggedRequest> = h
        .world
        .server
        .state
        .requests
        .writes()
        .into_iter()
        .filter(|r| r.user == USER && !r.uri.contains("selfsubjectaccessreviews"))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_missing_and_changed_objects_are_explained() {
    let h = Harness::start().await;
    let dev = rollout_key("dev");
    h.until_rollout("dev", "a healthy dev rollout", |r| phase(r) == "Healthy")
        .await;

    // A user who may not patch rollouts/status: the permission check says so, nothing is sent.
    h.world.server.add_user(
        "viewer-token",
        "viewer",
        Policy::Deny(vec![("patch".into(), "rollouts/status".into())]),
    );
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("kubeconfig");
    h.world
        .server
        .write_kubeconfig(&path, "default", Some("viewer-token"))
        .expect("kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(&path).expect("read"),
        &Default::default(),
    )
    .await
    .expect("config");
    let viewer = kube::Client::try_from(config).expect("client");
    let refused = prepare(&viewer, &Intent::AbortRollout(dev.clone()), &context_now())
        .await
        .expect_err("forbidden");
    assert!(
        refused
            .reason
            .starts_with("forbidden: you may not patch rollouts/status in demo-app-dev"),
        "{refused}"
    );
    assert!(
        prepare(&viewer, &Intent::PauseRollout(dev.clone()), &context_now())
            .await
            .is_ok(),
        "patching the Rollout itself is allowed"
    );

    // An object that is gone.
    let gone = prepare(
        &h.client,
        &Intent::AbortRollout(ObjectKey::new("demo-app-dev", "nope")),
        &context_now(),
    )
    .await
    .expect_err("404");
    assert!(
        gone.reason.starts_with("cannot read demo-app-dev/nope")
            && gone.reason.contains("not found"),
        "{gone}"
    );

    // A precondition that no longer holds: the object changed after it was read.
    let app = ObjectKey::new("argocd", "demo-app-dev");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let plan = loop {
        match prepare(
            &h.client,
            &Intent::SyncApplication {
                application: app.clone(),
                prune: false,
                dry_run: false,
            },
            &context_now(),
        )
        .await
        {
            Ok(plan) => break plan,
            Err(reason) => {
                assert!(tokio::time::Instant::now() < deadline, "{reason}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    h.act(Intent::RefreshApplication {
        application: app.clone(),
        hard: false,
    })
    .await;
    let failure = execute(&h.client, &plan, false).await.expect_err("409");
    assert!(
        matches!(failure, flightdeck::kube::execute::Failure::Conflict(_)),
        "{failure:?}"
    );
}

/// Argo CD's sync windows: a deny window on the AppProject refuses the sync before anything is
/// written, with the window's description; `manualSync: true` lets it through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_window_refuses_the_sync_before_anything_is_written() {
    let h = Harness::start().await;
    let resource = kube::api::ApiResource::from_gvk_with_plural(
        &kube::api::GroupVersionKind::gvk("argoproj.io", "v1alpha1", "AppProject"),
        "appprojects",
    );
    let projects: Api<DynamicObject> = Api::namespaced_with(h.client.clone(), "argocd", &resource);
    let window = |manual: bool| json!({"spec": {"syncWindows": [{"kind": "deny", "schedule": "* * * * *", "duration": "1h", "applications": ["demo-app-prod"], "manualSync": manual, "description": "release freeze CHG-42"}]}});
    projects
        .patch(
            "applications",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(window(false)),
        )
        .await
        .expect("add a deny window");
    let sync = |name: &str| Intent::SyncApplication {
        application: ObjectKey::new("argocd", name),
        prune: false,
        dry_run: false,
    };
    let before = h.writes().len();
    let refused = prepare(&h.client, &sync("demo-app-prod"), &context_now())
        .await
        .expect_err("blocked");
    assert_eq!(
        refused.reason,
        "cannot sync: blocked by sync window (deny * * * * * for 1h: release freeze CHG-42)"
    );
    assert_eq!(h.writes().len(), before, "nothing was written");
    let dev = prepare(&h.client, &sync("demo-app-dev"), &context_now()).await;
    assert!(
        dev.is_ok() || dev.as_ref().is_err_and(|e| e.reason.contains("operation")),
        "another application is not in the window: {dev:?}"
    );
    projects
        .patch(
            "applications",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(window(true)),
        )
        .await
        .expect("allow manual syncs");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        match prepare(&h.client, &sync("demo-app-prod"), &context_now()).await {
            Ok(_) => break,
            // The world's Argo CD may be syncing it right now; that is not the window.
            Err(e) if e.reason.contains("operation") && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("manualSync should allow it: {e}"),
        }
    }
}

/// Who acted: the user is found with a SelfSubjectReview and written where upstream writes its
/// actor (Argo CD's `initiatedBy.username`, Workflow actor labels).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authenticated_user_is_the_actor_of_operations() {
    let h = Harness::start().await;
    let user = flightdeck::kube::identity::who_am_i(&h.client).await;
    assert_eq!(user.as_deref(), Some(USER));
    let context = flightdeck::intent::Context {
        user,
        ..context_now()
    };
    let sync = Intent::SyncApplication {
        application: ObjectKey::new("argocd", "demo-app-dev"),
        prune: false,
        dry_run: true,
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let plan = loop {
        match prepare(&h.client, &sync, &context).await {
            Ok(plan) => break plan,
            Err(e) if e.reason.contains("operation") && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(
        plan.requests[0].body["operation"]["initiatedBy"],
        json!({"username": USER})
    );
}
