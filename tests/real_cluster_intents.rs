//! Every Kubernetes write intent against the real kube-apiserver: realistic objects of our own
//! (the real CRD schemas decide what is valid), the intent read, planned and sent as the cockpit
//! does, and the API server's own audit log compared with the plan — verb, URI with subresource,
//! body — and with a success answer. The plans themselves are held to the upstream CLIs by the
//! intents' unit tests; here the real server is the oracle that they arrive as planned and work.
//! Also: a stale resourceVersion answered 409, the viewer refused before anything is sent, and
//! `--read-only` sending nothing. Skipped, saying so, without Go.

mod common;

use serde_json::{Value, json};

use common::real_cluster::{RealCluster, block_on};
use flightdeck::intent::request::{JSON_PATCH, Method};
use flightdeck::intent::{Intent, Plan};
use flightdeck::kube::execute::{Failure, context_now, execute, prepare};
use flightdeck::model::ObjectKey;

const ADMIN: &str = "flightdeck-real";
const ADMIN_USER: &str = "flightdeck-admin";
const VIEWER: &str = "flightdeck-real-viewer";
const VIEWER_USER: &str = "flightdeck-viewer";

struct Tier {
    cluster: RealCluster,
    client: kube::Client,
}

/// The writes `user` made, from the audit log (access reviews left out).
fn writes_by(cluster: &RealCluster, user: &str) -> Vec<Value> {
    cluster.audited(|event| {
        event["user"]["username"] == user
            && matches!(
                event["verb"].as_str(),
                Some("create" | "update" | "patch" | "delete")
            )
            && !event["objectRef"]["resource"]
                .as_str()
                .unwrap_or_default()
                .ends_with("reviews")
    })
}

fn verb(method: Method) -> &'static str {
    match method {
        Method::Post => "create",
        Method::Put => "update",
        Method::Patch => "patch",
        Method::Delete => "delete",
    }
}

impl Tier {
    /// `kubectl create -f` of a JSON object.
    fn create(&self, object: Value) {
        let path = self.cluster.dir.path().join("object.json");
        std::fs::write(&path, object.to_string()).expect("write");
        self.cluster
            .kubectl_ok(ADMIN, &["create", "-f", &path.to_string_lossy()]);
    }

    /// `kubectl patch --type merge` (of the status subresource when `status`).
    fn patch(&self, resource: &str, namespace: &str, body: Value, status: bool) {
        let mut args = vec!["patch", resource, "-n", namespace, "--type", "merge"];
        if status {
            args.push("--subresource=status");
        }
        let body = body.to_string();
        args.extend(["-p", &body]);
        self.cluster.kubectl_ok(ADMIN, &args);
    }

    fn get(&self, resource: &str, namespace: &str) -> Value {
        serde_json::from_str(
            &self
                .cluster
                .kubectl_ok(ADMIN, &["get", resource, "-n", namespace, "-o", "json"]),
        )
        .expect("json")
    }

    /// Reads, plans and sends `intent` as the admin; asserts the audit log shows exactly the
    /// plan's requests, each answered with success. Returns the plan and the created names.
    async fn act(&self, intent: Intent) -> (Plan, Vec<String>) {
        let before = writes_by(&self.cluster, ADMIN_USER).len();
        let plan = prepare(&self.client, &intent, &context_now())
            .await
            .unwrap_or_else(|e| panic!("{intent:?}: {e}"));
        let created = execute(&self.client, &plan, false)
            .await
            .unwrap_or_else(|e| panic!("{intent:?}: {e:?}"));
        let audited = writes_by(&self.cluster, ADMIN_USER).split_off(before);
        assert_eq!(
            audited.len(),
            plan.requests.len(),
            "{intent:?}: audited {audited:#?}"
        );
        for (request, event) in plan.requests.iter().zip(&audited) {
            let uri = event["requestURI"].as_str().unwrap_or_default();
            let path = uri.split('?').next().unwrap_or_default();
            assert_eq!(
                (event["verb"].as_str(), path),
                (Some(verb(request.method)), request.path.as_str()),
                "{intent:?}"
            );
            assert_eq!(event["requestObject"], request.body, "{intent:?}: the body");
            // The audit log has no content type; what the server accepted tells it: a JSON
            // patch is a list of operations, and an object patch of a custom resource without a
            // field manager can only be a merge patch (strategic merge is refused for them, see
            // below; server-side apply needs `fieldManager`).
            if request.method == Method::Patch {
                assert_eq!(
                    request.body.is_array(),
                    request.content_type == JSON_PATCH,
                    "{intent:?}"
                );
                assert!(!uri.contains("fieldManager"), "{intent:?}: {uri}");
            }
            let code = event["responseStatus"]["code"].as_i64().unwrap_or_default();
            assert!(
                (200..300).contains(&code),
                "{intent:?}: answered {code}: {event}"
            );
        }
        (plan, created)
    }
}

fn key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey::new(namespace, name)
}

fn rollout(image: &str) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 2, "revisionHistoryLimit": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 8080}]}]}},
            "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}, {"setWeight": 50}, {"pause": {"duration": "1m"}}]}}}})
}

/// A ReplicaSet of revision `revision` of the Rollout, as the controller leaves them.
fn replica_set(owner_uid: &str, revision: u32, hash: &str, image: &str) -> Value {
    let labels = json!({"app": "web", "rollouts-pod-template-hash": hash});
    json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("web-{hash}"), "namespace": "shop", "labels": labels,
            "annotations": {"rollout.argoproj.io/revision": revision.to_string()},
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "web",
                "uid": owner_uid, "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"replicas": 0, "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 8080}]}]}}}})
}

async fn rollout_intents(tier: &Tier) {
    tier.cluster
        .kubectl_ok(ADMIN, &["create", "namespace", "shop"]);
    tier.create(rollout("ghcr.io/acme/web:1.4.2"));
    let uid = tier.get("rollout/web", "shop")["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_string();
    tier.create(replica_set(&uid, 1, "6d4b8f7c9", "ghcr.io/acme/web:1.4.1"));
    tier.create(replica_set(&uid, 2, "7f9c6b5d4", "ghcr.io/acme/web:1.4.2"));
    // A canary at its first pause, as the controller reports it.
    tier.patch(
        "rollout/web",
        "shop",
        json!({"status": {"currentPodHash": "7f9c6b5d4", "stableRS": "6d4b8f7c9", "currentStepIndex": 1,
            "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-11-30T10:00:00Z"}],
            "controllerPause": true, "phase": "Paused", "replicas": 2, "updatedReplicas": 1,
            "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": "1"}}),
        true,
    );
    let strategic = tier.cluster.kubectl(
        ADMIN,
        &[
            "patch",
            "rollout/web",
            "-n",
            "shop",
            "--type",
            "strategic",
            "-p",
            r#"{"spec":{"paused":true}}"#,
        ],
    );
    assert!(
        String::from_utf8_lossy(&strategic.stderr)
            .contains("application/strategic-merge-patch+json is not supported"),
        "a custom resource takes no strategic merge patch: {strategic:?}"
    );
    let web = key("shop", "web");
    tier.act(Intent::PromoteRollout(web.clone())).await;
    let promoted = tier.get("rollout/web", "shop");
    assert_eq!(promoted["status"]["pauseConditions"], Value::Null);
    tier.act(Intent::PauseRollout(web.clone())).await;
    assert_eq!(tier.get("rollout/web", "shop")["spec"]["paused"], true);
    tier.act(Intent::ResumeRollout(web.clone())).await;
    assert_eq!(tier.get("rollout/web", "shop")["spec"]["paused"], false);
    tier.act(Intent::AbortRollout(web.clone())).await;
    assert_eq!(tier.get("rollout/web", "shop")["status"]["abort"], true);
    tier.act(Intent::RetryRollout(web.clone())).await;
    assert_eq!(tier.get("rollout/web", "shop")["status"]["abort"], false);
    tier.act(Intent::PromoteRolloutFully(web.clone())).await;
    assert_eq!(
        tier.get("rollout/web", "shop")["status"]["promoteFull"],
        true
    );
    tier.act(Intent::RestartRollout(web.clone())).await;
    assert!(tier.get("rollout/web", "shop")["spec"]["restartAt"].is_string());
    // Undo to the previous revision: the template of revision 1, as a JSON patch.
    tier.act(Intent::UndoRollout(web.clone(), None)).await;
    assert_eq!(
        tier.get("rollout/web", "shop")["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/acme/web:1.4.1"
    );

    tier.create(json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "web-7f9c6b5d4-2", "namespace": "shop"},
        "spec": {"metrics": [{"name": "success-rate", "interval": "30s", "successCondition": "result[0] >= 0.95",
            "provider": {"prometheus": {"address": "http://prometheus.monitoring:9090",
                "query": "sum(rate(http_requests_total{status!~\"5..\"}[1m])) / sum(rate(http_requests_total[1m]))"}}}]}}));
    tier.act(Intent::TerminateAnalysisRun(key("shop", "web-7f9c6b5d4-2")))
        .await;
    assert_eq!(
        tier.get("analysisrun/web-7f9c6b5d4-2", "shop")["spec"]["terminate"],
        true
    );
}

async fn workflow_intents(tier: &Tier) {
    let template = key("argo-workflows", "demo-app-ci");
    let parameters = vec![("commitSha".to_string(), "4f2a9c1e7b3d".to_string())];
    let (_, created) = tier.act(Intent::SubmitWorkflow(template, parameters)).await;
    let name = created
        .first()
        .expect("the server names the Workflow")
        .clone();
    let workflow = key("argo-workflows", &name);
    let resource = format!("workflow/{name}");
    // Running, as the controller would have it by now.
    tier.patch(
        &resource,
        "argo-workflows",
        json!({"metadata": {"labels": {"workflows.argoproj.io/phase": "Running"}},
            "status": {"phase": "Running", "startedAt": "2026-11-30T10:00:00Z", "progress": "0/1"}}),
        false,
    );
    tier.act(Intent::SuspendWorkflow(workflow.clone())).await;
    assert_eq!(
        tier.get(&resource, "argo-workflows")["spec"]["suspend"],
        true
    );
    tier.act(Intent::ResumeWorkflow(workflow.clone())).await;
    assert_eq!(
        tier.get(&resource, "argo-workflows")["spec"].get("suspend"),
        None
    );
    tier.act(Intent::StopWorkflow(workflow.clone())).await;
    assert_eq!(
        tier.get(&resource, "argo-workflows")["spec"]["shutdown"],
        "Stop"
    );
    tier.act(Intent::TerminateWorkflow(workflow.clone())).await;
    assert_eq!(
        tier.get(&resource, "argo-workflows")["spec"]["shutdown"],
        "Terminate"
    );
    // Failed and completed, as the controller leaves it; resubmit makes a new Workflow.
    tier.patch(
        &resource,
        "argo-workflows",
        json!({"metadata": {"labels": {"workflows.argoproj.io/phase": "Failed", "workflows.argoproj.io/completed": "true"}},
            "status": {"phase": "Failed", "finishedAt": "2026-11-30T10:05:00Z", "message": "Stopped with strategy 'Terminate'"}}),
        false,
    );
    let (_, created) = tier.act(Intent::ResubmitWorkflow(workflow)).await;
    let again = created.first().expect("a new Workflow");
    assert_ne!(again, &name);
    let resubmitted = tier.get(&format!("workflow/{again}"), "argo-workflows");
    assert_eq!(
        resubmitted["metadata"]["labels"]["workflows.argoproj.io/resubmitted-from-workflow"],
        name.as_str()
    );
}

async fn argocd_intents(tier: &Tier) {
    let dev = key("argocd", "demo-app-dev");
    tier.act(Intent::RefreshApplication {
        application: dev.clone(),
        hard: false,
    })
    .await;
    let app = tier.get("application/demo-app-dev", "argocd");
    assert_eq!(
        app["metadata"]["annotations"]["argocd.argoproj.io/refresh"],
        "normal"
    );
    tier.act(Intent::SyncApplication {
        application: dev.clone(),
        prune: true,
        dry_run: false,
    })
    .await;
    let app = tier.get("application/demo-app-dev", "argocd");
    assert_eq!(app["operation"]["sync"]["prune"], true);
    // The controller has started it.
    tier.patch(
        "application/demo-app-dev",
        "argocd",
        json!({"status": {"operationState": {"phase": "Running", "startedAt": "2026-11-30T10:00:00Z",
            "operation": app["operation"].clone(), "message": "one or more tasks are running"}}}),
        false,
    );
    tier.act(Intent::TerminateSync(dev.clone())).await;
    let app = tier.get("application/demo-app-dev", "argocd");
    assert_eq!(app["status"]["operationState"]["phase"], "Terminating");
    // The controller ends it and records a history entry.
    tier.patch(
        "application/demo-app-dev",
        "argocd",
        json!({"operation": null, "status": {"operationState": {"phase": "Failed", "finishedAt": "2026-11-30T10:01:00Z"},
            "history": [{"id": 3, "revision": "9b1f0c2d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
                "deployedAt": "2026-11-29T09:00:00Z", "deployStartedAt": "2026-11-29T08:59:50Z",
                "source": app["spec"]["source"].clone()}]}}),
        false,
    );
    tier.act(Intent::DisableAutoSync(dev.clone())).await;
    let app = tier.get("application/demo-app-dev", "argocd");
    assert_eq!(app["spec"]["syncPolicy"].get("automated"), None);
    tier.act(Intent::RollbackApplication {
        application: dev,
        id: 3,
    })
    .await;
    let app = tier.get("application/demo-app-dev", "argocd");
    assert_eq!(
        app["operation"]["sync"]["revision"],
        "9b1f0c2d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"
    );
}

async fn kargo_intents(tier: &Tier) {
    let freight = "2b9e4c7a1f3d5e6b8c0a9d2f4e6b8c0a1d3f5e7a";
    tier.create(json!({"apiVersion": "kargo.akuity.io/v1alpha1", "kind": "Freight",
        "metadata": {"name": freight, "namespace": "demo-app", "labels": {"kargo.akuity.io/alias": "lucky-otter"}},
        "alias": "lucky-otter",
        "origin": {"kind": "Warehouse", "name": "demo-app-images"},
        "images": [{"repoURL": "localhost:30087/demo-app", "tag": "4f2a9c1e7b3d",
            "digest": "sha256:6a1f0c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a"}]}));
    let (_, created) = tier
        .act(Intent::PromoteFreight {
            stage: key("demo-app", "dev"),
            freight: freight.to_string(),
        })
        .await;
    let promotion = created.first().expect("a Promotion").clone();
    let promoted = tier.get(&format!("promotion/{promotion}"), "demo-app");
    assert_eq!(promoted["spec"]["stage"], "dev");
    assert_eq!(promoted["spec"]["freight"], freight);
    // Running, as Kargo's controller reports it; then aborted.
    tier.patch(
        &format!("promotion/{promotion}"),
        "demo-app",
        json!({"status": {"phase": "Running", "startedAt": "2026-11-30T10:00:00Z", "currentStep": 1}}),
        true,
    );
    tier.act(Intent::AbortPromotion(key("demo-app", &promotion)))
        .await;
    let aborted = tier.get(&format!("promotion/{promotion}"), "demo-app");
    assert!(
        aborted["metadata"]["annotations"]["kargo.akuity.io/abort"].is_string(),
        "{aborted}"
    );
    tier.act(Intent::ApproveFreight {
        freight: key("demo-app", freight),
        stage: "staging".into(),
    })
    .await;
    let approved = tier.get(&format!("freight/{freight}"), "demo-app");
    assert!(approved["status"]["approvedFor"]["staging"].is_object());
    // dev holds the Freight and has verified it once: verify it again.
    tier.patch(
        "stage/dev",
        "demo-app",
        json!({"status": {"freightHistory": [{"id": "f1", "items": {"Warehouse/demo-app-images": {
            "name": freight, "origin": {"kind": "Warehouse", "name": "demo-app-images"}}},
            "verificationHistory": [{"id": "0d9e3f6a-7b2c-4e1d-9a8b-5c6d7e8f9a0b", "phase": "Successful",
                "startTime": "2026-11-30T10:02:00Z", "finishTime": "2026-11-30T10:03:00Z"}]}]}}),
        true,
    );
    tier.act(Intent::Reverify(key("demo-app", "dev"))).await;
    let stage = tier.get("stage/dev", "demo-app");
    assert!(
        stage["metadata"]["annotations"]["kargo.akuity.io/reverify"].is_string(),
        "{stage}"
    );
}

/// A change between the read and the write: the server's 409 is a conflict the UI re-plans on.
async fn a_stale_read_is_a_conflict(tier: &Tier) {
    let web = key("shop", "web");
    let plan = prepare(
        &tier.client,
        &Intent::SuspendWorkflow(web.clone()),
        &context_now(),
    )
    .await;
    assert!(plan.is_err(), "a Rollout is not a Workflow");
    let workflow = writes_by(&tier.cluster, ADMIN_USER)
        .into_iter()
        .rev()
        .find_map(|event| {
            (event["objectRef"]["resource"] == "workflows" && event["verb"] == "create")
                .then(|| {
                    event["responseObject"]["metadata"]["name"]
                        .as_str()
                        .map(str::to_string)
                })
                .flatten()
        })
        .expect("a workflow was created");
    let key = key("argo-workflows", &workflow);
    tier.patch(
        &format!("workflow/{workflow}"),
        "argo-workflows",
        json!({"metadata": {"labels": {"workflows.argoproj.io/completed": null}}, "status": {"phase": "Running"}}),
        false,
    );
    // Suspend is a PUT of the object as read: someone else's change in between is refused.
    let plan = prepare(&tier.client, &Intent::SuspendWorkflow(key), &context_now())
        .await
        .expect("plan");
    tier.patch(
        &format!("workflow/{workflow}"),
        "argo-workflows",
        json!({"metadata": {"annotations": {"team": "payments"}}}),
        false,
    );
    match execute(&tier.client, &plan, false).await {
        Err(Failure::Conflict(message)) => {
            assert!(
                message.contains("the object has been modified"),
                "{message}"
            )
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// The viewer may read everything and change nothing: refused before sending (the access review
/// says no), so the audit log holds no write of theirs; read-only mode sends nothing at all.
async fn viewer_and_read_only_send_nothing(tier: &Tier) {
    let viewer = tier.cluster.client(VIEWER).await;
    let intents = [
        Intent::PauseRollout(key("shop", "web")),
        Intent::RefreshApplication {
            application: key("argocd", "demo-app-dev"),
            hard: true,
        },
        Intent::Reverify(key("demo-app", "dev")),
    ];
    for intent in &intents {
        let refused = prepare(&viewer, intent, &context_now())
            .await
            .expect_err("the viewer is refused before sending");
        assert!(
            refused.reason.contains("forbidden") || refused.reason.contains("not allowed"),
            "{intent:?}: {refused}"
        );
    }
    assert!(writes_by(&tier.cluster, VIEWER_USER).is_empty());
    let before = writes_by(&tier.cluster, ADMIN_USER).len();
    for intent in &intents {
        let plan = prepare(&tier.client, intent, &context_now())
            .await
            .expect("plan");
        assert!(matches!(
            execute(&tier.client, &plan, true).await,
            Err(Failure::ReadOnly)
        ));
    }
    assert_eq!(writes_by(&tier.cluster, ADMIN_USER).len(), before);
}

#[test]
fn every_write_intent_reaches_the_real_server_as_planned() {
    let Some(cluster) = RealCluster::start("real_cluster_intents", &[]) else {
        return;
    };
    cluster.install_demo();
    block_on(async {
        let client = cluster.client(ADMIN).await;
        let tier = Tier { cluster, client };
        rollout_intents(&tier).await;
        workflow_intents(&tier).await;
        argocd_intents(&tier).await;
        kargo_intents(&tier).await;
        a_stale_read_is_a_conflict(&tier).await;
        viewer_and_read_only_send_nothing(&tier).await;
    });
}
