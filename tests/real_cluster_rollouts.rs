//! Rollback drills against the real Argo Rollouts controller (`tests/realcluster/up --with
//! rollouts`): flightdeck's Rollout intents, read, planned and sent as the keys send them, and
//! what the controller then did — status.phase and message, the step, the ReplicaSets' scale and
//! revision annotations, the pods. At every state a drill waits through, the phase and message
//! flightdeck derives (`RolloutRow`) must equal the ones the controller wrote. Analysis runs use
//! the `web` metric provider against a small HTTP endpoint of the test's own. Skipped, saying
//! so, without Go.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::real_cluster::{RealCluster, block_on};
use flightdeck::intent::Intent;
use flightdeck::kube::execute::{context_now, execute, prepare};
use flightdeck::model::ObjectKey;
use flightdeck::model::rows::rollout::RolloutRow;

const ADMIN: &str = "flightdeck-real";

struct Drill {
    cluster: RealCluster,
    client: kube::Client,
    namespace: String,
}

impl Drill {
    fn kubectl(&self, args: &[&str]) -> String {
        let mut all = vec!["-n", &self.namespace];
        all.extend_from_slice(args);
        self.cluster.kubectl_ok(ADMIN, &all)
    }

    fn apply(&self, object: &Value) {
        let path = self.cluster.dir.path().join("object.json");
        std::fs::write(&path, object.to_string()).expect("write");
        self.kubectl(&["apply", "--server-side", "-f", &path.to_string_lossy()]);
    }

    fn get(&self, what: &str) -> Value {
        serde_json::from_str(&self.kubectl(&["get", what, "-o", "json"])).expect("json")
    }

    fn key(&self, name: &str) -> ObjectKey {
        ObjectKey::new(&self.namespace, name)
    }

    /// Reads, plans and sends `intent` as the cockpit does when its key is pressed.
    async fn act(&self, intent: Intent) {
        let plan = prepare(&self.client, &intent, &context_now())
            .await
            .unwrap_or_else(|e| panic!("{intent:?}: {e}"));
        execute(&self.client, &plan, false)
            .await
            .unwrap_or_else(|e| panic!("{intent:?}: {e:?}"));
    }

    /// Polls the Rollout `web` until `done` holds (60 s at most). At every state seen with its
    /// generation observed, flightdeck's derived phase, message and step must be the
    /// controller's.
    fn wait(&self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let rollout = self.get("rollout/web");
            check_derivation(&rollout);
            if done(&rollout) {
                return rollout;
            }
            assert!(
                Instant::now() < deadline,
                "{}: no {what} within 60 s; the Rollout: {rollout:#}",
                self.namespace
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// (revision annotation, replicas, image) of each ReplicaSet, by revision.
    fn replica_sets(&self) -> Vec<(String, i64, String)> {
        let list = self.get("replicasets");
        let mut sets: Vec<(String, i64, String)> = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|rs| {
                (
                    rs["metadata"]["annotations"]["rollout.argoproj.io/revision"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    rs["spec"]["replicas"].as_i64().unwrap_or_default(),
                    rs["spec"]["template"]["spec"]["containers"][0]["image"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect();
        sets.sort_by_key(|(revision, ..)| revision.parse::<u32>().unwrap_or_default());
        sets
    }

    /// Running pods of the Rollout (name, image).
    fn pods(&self) -> Vec<(String, String)> {
        let list = self.get("pods");
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|pod| {
                pod["status"]["phase"] == "Running"
                    && pod["metadata"].get("deletionTimestamp").is_none()
            })
            .map(|pod| {
                (
                    pod["metadata"]["name"].as_str().unwrap_or_default().into(),
                    pod["spec"]["containers"][0]["image"]
                        .as_str()
                        .unwrap_or_default()
                        .into(),
                )
            })
            .collect()
    }

    fn set_image(&self, image: &str) {
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": image}]}}}});
        self.kubectl(&[
            "patch",
            "rollout/web",
            "--type",
            "merge",
            "-p",
            &patch.to_string(),
        ]);
    }
}

/// flightdeck's phase, message and step equal what the controller wrote, once it has observed
/// the spec (before that, both flightdeck and the plugin say Progressing on their own).
fn check_derivation(rollout: &Value) {
    let observed = rollout["status"]["observedGeneration"].as_str()
        == rollout["metadata"]["generation"]
            .as_i64()
            .map(|g| g.to_string())
            .as_deref();
    let written = rollout["status"]["phase"].as_str().unwrap_or_default();
    if !observed || written.is_empty() {
        return;
    }
    let row = RolloutRow::from_object(rollout);
    assert_eq!(
        (row.phase.as_str(), row.message.as_str()),
        (
            written,
            rollout["status"]["message"].as_str().unwrap_or_default()
        ),
        "flightdeck's phase and message against the controller's: {rollout:#}"
    );
    if let Some(index) = rollout["status"]["currentStepIndex"].as_u64() {
        assert_eq!(
            row.step.map(|(at, _)| at as u64),
            Some(index),
            "the step against the controller's currentStepIndex"
        );
    }
}

fn phase(rollout: &Value) -> &str {
    rollout["status"]["phase"].as_str().unwrap_or_default()
}

fn step(rollout: &Value) -> Option<u64> {
    rollout["status"]["currentStepIndex"].as_u64()
}

fn settled(rollout: &Value) -> bool {
    phase(rollout) == "Healthy"
        && rollout["status"]["stableRS"] == rollout["status"]["currentPodHash"]
        && rollout["status"]["availableReplicas"] == 5
}

fn paused_at(index: u64) -> impl Fn(&Value) -> bool {
    move |rollout| {
        phase(rollout) == "Paused"
            && step(rollout) == Some(index)
            && rollout["status"]["pauseConditions"][0]["reason"] == "CanaryPauseStep"
    }
}

fn rollout(namespace: &str, image: &str, steps: Value) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {"replicas": 5, "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image}]}},
            "strategy": {"canary": {"steps": steps}}}})
}

/// Answers every HTTP request with `body` (the analysis runs' `web` metric).
fn metric_endpoint(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut stream = &stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{address}/")
}

async fn canary_steps_promote_abort_retry_undo_restart(drill: &Drill) {
    let steps =
        json!([{"setWeight": 20}, {"pause": {}}, {"setWeight": 60}, {"pause": {"duration": "2s"}}]);
    drill.apply(&rollout(&drill.namespace, "demo:v1", steps));
    drill.wait("first revision Healthy", settled);
    let web = drill.key("web");

    // a new build stops at the first pause with one canary pod of five
    drill.set_image("demo:v2");
    drill.wait("the first pause", paused_at(1));
    assert_eq!(
        drill.replica_sets(),
        vec![
            ("1".into(), 4, "demo:v1".into()),
            ("2".into(), 1, "demo:v2".into())
        ]
    );
    // promote a step: on to 60 %, the timed pause, then the end
    drill.act(Intent::PromoteRollout(web.clone())).await;
    let promoted = drill.wait("the second revision stable", settled);
    assert_eq!(promoted["status"]["pauseConditions"], Value::Null);
    assert_eq!(
        drill.replica_sets(),
        vec![
            ("1".into(), 0, "demo:v1".into()),
            ("2".into(), 5, "demo:v2".into())
        ]
    );

    // pause and resume by hand
    drill.act(Intent::PauseRollout(web.clone())).await;
    let paused = drill.wait("a manual pause", |r| phase(r) == "Paused");
    assert_eq!(paused["spec"]["paused"], true);
    drill.act(Intent::ResumeRollout(web.clone())).await;
    drill.wait("Healthy after resuming", settled);

    // abort a canary: back to the stable revision, Degraded, the canary scaled away
    drill.set_image("demo:v3");
    drill.wait("the first pause of v3", paused_at(1));
    drill.act(Intent::AbortRollout(web.clone())).await;
    let aborted = drill.wait("the abort", |r| {
        phase(r) == "Degraded" && r["status"]["availableReplicas"] == 5
    });
    assert_eq!(aborted["status"]["abort"], true);
    assert_eq!(
        aborted["status"]["message"],
        "RolloutAborted: Rollout aborted update to revision 3"
    );
    let after_abort = drill.replica_sets();
    assert_eq!(after_abort[1], ("2".into(), 5, "demo:v2".into()));
    assert_eq!(after_abort[2], ("3".into(), 0, "demo:v3".into()));
    // retry: the canary starts again
    drill.act(Intent::RetryRollout(web.clone())).await;
    let retried = drill.wait("the first pause again", paused_at(1));
    assert_ne!(retried["status"]["abort"], true);
    // promote fully: every step skipped
    drill.act(Intent::PromoteRolloutFully(web.clone())).await;
    drill.wait("v3 stable", settled);
    assert!(drill.pods().iter().all(|(_, image)| image == "demo:v3"));

    // undo to the previous revision: the controller makes a new revision from v2's template
    drill.act(Intent::UndoRollout(web.clone(), None)).await;
    let undone = drill.wait("the undo's first pause", paused_at(1));
    assert_eq!(
        undone["spec"]["template"]["spec"]["containers"][0]["image"],
        "demo:v2"
    );
    drill.act(Intent::PromoteRolloutFully(web.clone())).await;
    drill.wait("v2 stable again", settled);
    let revisions = drill.replica_sets();
    assert_eq!(
        revisions.last(),
        Some(&("4".into(), 5, "demo:v2".into())),
        "{revisions:?}"
    );
    // undo to an older one (revision 1)
    drill.act(Intent::UndoRollout(web.clone(), Some(1))).await;
    drill.wait("the undo to revision 1", paused_at(1));
    drill.act(Intent::PromoteRolloutFully(web.clone())).await;
    drill.wait("v1 stable again", settled);
    assert_eq!(
        drill.replica_sets().last(),
        Some(&("5".into(), 5, "demo:v1".into()))
    );

    // restart: every pod replaced. The controller restarts the pods created before restartAt,
    // to the second: a restart in the second the pods were made restarts none of them.
    std::thread::sleep(Duration::from_secs(2));
    let before: Vec<String> = drill.pods().into_iter().map(|(name, _)| name).collect();
    drill.act(Intent::RestartRollout(web.clone())).await;
    let restarted = drill.wait("the restart", |r| {
        r["status"]["restartedAt"].is_string() && settled(r)
    });
    assert!(restarted["spec"]["restartAt"].is_string());
    let deadline = Instant::now() + Duration::from_secs(60);
    while drill.pods().iter().any(|(name, _)| before.contains(name)) {
        assert!(
            Instant::now() < deadline,
            "pods not replaced: {:?}",
            drill.pods()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

async fn a_failing_analysis_aborts_and_a_run_can_be_terminated(drill: &Drill) {
    let failing = metric_endpoint(r#"{"errors": 7}"#);
    let template = |name: &str, url: &str, count: u32| {
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
            "metadata": {"name": name, "namespace": drill.namespace},
            "spec": {"metrics": [{"name": "errors", "interval": "1s", "count": count,
                "failureCondition": "result > 0", "failureLimit": 0,
                "provider": {"web": {"url": url, "jsonPath": "{$.errors}"}}}]}})
    };
    drill.apply(&template("errors", &failing, 1));
    let steps = json!([{"setWeight": 20}, {"analysis": {"templates": [{"templateName": "errors"}]}}, {"pause": {}}]);
    drill.apply(&rollout(&drill.namespace, "demo:v1", steps));
    drill.wait("first revision Healthy", settled);
    drill.set_image("demo:bad");
    let aborted = drill.wait("the analysis to abort the update", |r| {
        phase(r) == "Degraded" && r["status"]["abort"] == true
    });
    assert_eq!(
        aborted["status"]["message"],
        "RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: Metric \"errors\" assessed Failed due to failed (1) > failureLimit (0)"
    );
    let runs = drill.get("analysisruns");
    assert_eq!(runs["items"][0]["status"]["phase"], "Failed", "{runs:#}");

    // a long run (no failures) terminated from flightdeck
    let passing = metric_endpoint(r#"{"errors": 0}"#);
    drill.apply(&template("calm", &passing, 600));
    let run = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "long", "namespace": drill.namespace},
        "spec": {"metrics": [{"name": "errors", "interval": "1s", "count": 600,
            "failureCondition": "result > 0",
            "provider": {"web": {"url": passing, "jsonPath": "{$.errors}"}}}]}});
    drill.apply(&run);
    let deadline = Instant::now() + Duration::from_secs(60);
    while drill.get("analysisrun/long")["status"]["phase"] != "Running" {
        assert!(Instant::now() < deadline, "the run never started");
        std::thread::sleep(Duration::from_millis(250));
    }
    drill
        .act(Intent::TerminateAnalysisRun(drill.key("long")))
        .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let long = drill.get("analysisrun/long");
        if long["status"]["phase"] == "Successful" {
            assert_eq!(long["spec"]["terminate"], true);
            assert_eq!(long["status"]["message"], "Run Terminated", "{long:#}");
            break;
        }
        assert!(Instant::now() < deadline, "not terminated: {long:#}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn rollback_drills_on_the_real_argo_rollouts_controller() {
    let Some(cluster) = RealCluster::start("real_cluster_rollouts", &["--with", "rollouts"]) else {
        return;
    };
    block_on(async {
        let client = cluster.client(ADMIN).await;
        let mut drill = Drill {
            cluster,
            client,
            namespace: String::new(),
        };
        for namespace in ["drill-canary", "drill-analysis"] {
            drill
                .cluster
                .kubectl_ok(ADMIN, &["create", "namespace", namespace]);
        }
        drill.namespace = "drill-canary".into();
        canary_steps_promote_abort_retry_undo_restart(&drill).await;
        drill.namespace = "drill-analysis".into();
        a_failing_analysis_aborts_and_a_run_can_be_terminated(&drill).await;
    });
}
