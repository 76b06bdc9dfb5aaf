//! Every Kubernetes write intent against the real kube-apiserver: realistic objects of our own
//! (the real CRD schemas decide what is valid), the intent read, planned and sent as the cockpit
//! does, and the API server's own audit log compared with the plan — verb, URI with subresource,
//! body — and with a success answer. The plans themselves are held to the upstream CLIs by the
//! intents' unit tests; here the real server is the oracle that they arrive as planned and work.
//! Also: a stale resourceVersion answered 409, the viewer refused before anything is sent, and
//! `--read-only` sending nothing. Skipped, saying so, without Go.

mod common;

use serde_json::{Value, json};

use common::real_cluster::RealCluster;
use flightdeck::intent::request::Method;
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
    cluster
        .audit_events()
        .into_iter()
        .filter(|event| {
            event["stage"] == "ResponseComplete"
                && event["user"]["username"] == user
                && matches!(
                    event["verb"].as_str(),
                    Some("create" | "update" | "patch" | "delete")
                )
                && !event["objectRef"]["resource"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with("reviews")
        })
        .collect()
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

#[test]
fn every_write_intent_reaches_the_real_server_as_planned() {
    let Some(cluster) = RealCluster::start("real_cluster_intents", &[]) else {
        return;
    };
    cluster.install_demo();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = cluster.client(ADMIN).await;
        let tier = Tier { cluster, client };
        rollout_intents(&tier).await;
    });
}
