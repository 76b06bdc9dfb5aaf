//! The demo world at high speed, checked only through the Kubernetes API and the Git repositories
//! (as a user with kubectl and git would see it).

use std::time::Duration;

use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

use flightdeck::demo::world::metrics::Quality;
use flightdeck::demo::world::{World, WorldOptions};

async fn world() -> (World, tempfile::TempDir) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp");
    let options = WorldOptions {
        speed: 100.0,
        seed: 7,
        state_dir: dir.path().to_path_buf(),
        port: 0,
    };
    (World::start(options).await.expect("world starts"), dir)
}

/// Polls `check` until it returns `Some`, for up to `seconds` real seconds.
async fn eventually<T, F, Fut>(what: &str, seconds: u64, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn text<'a>(object: &'a DynamicObject, pointer: &str) -> &'a str {
    object
        .data
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_runs_the_ci_workflow_to_the_end() {
    let (world, _dir) = world().await;
    let sensors = world.context.api(
        "argoproj.io",
        "v1alpha1",
        "Sensor",
        "sensors",
        Some("argo-events"),
    );
    eventually("the sensor to be deployed", 10, || async {
        let sensor = sensors.get("gitea-workflow-trigger").await.ok()?;
        (sensor
            .data
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .map(Vec::len)
            == Some(3))
        .then_some(())
    })
    .await;

    let commit = world
        .push_commit(Quality::Good, "feat: faster greeting")
        .expect("push");
    let workflows: Api<DynamicObject> = world.context.api(
        "argoproj.io",
        "v1alpha1",
        "Workflow",
        "workflows",
        Some("argo-workflows"),
    );
    let workflow = eventually("a workflow for the push", 10, || async {
        workflows
            .list(&ListParams::default())
            .await
            .ok()?
            .items
            .into_iter()
            .next()
    })
    .await;
    let name = workflow.metadata.name.clone().expect("name");
    assert!(name.starts_with("demo-app-ci-"), "{name}");
    assert_eq!(
        workflow
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("workflows.argoproj.io/workflow-template"))
            .map(String::as_str),
        Some("demo-app-ci")
    );
    assert_eq!(
        text(&workflow, "/spec/arguments/parameters/0/value"),
        commit
    );

    let done = eventually("the workflow to succeed", 30, || async {
        let wf = workflows.get(&name).await.ok()?;
        matches!(text(&wf, "/status/phase"), "Succeeded" | "Failed" | "Error").then_some(wf)
    })
    .await;
    assert_eq!(
        text(&done, "/status/phase"),
        "Succeeded",
        "{:?}",
        done.data.get("status")
    );
    assert_eq!(text(&done, "/status/progress"), "4/4");
    let nodes = done
        .data
        .pointer("/status/nodes")
        .and_then(Value::as_object)
        .expect("nodes");
    assert_eq!(
        nodes
            .get(&name)
            .and_then(|n| n.get("type"))
            .and_then(Value::as_str),
        Some("Steps")
    );
    let pods_done = nodes
        .values()
        .filter(|n| {
            n.get("type").and_then(Value::as_str) == Some("Pod")
                && n.get("phase").and_then(Value::as_str) == Some("Succeeded")
        })
        .count();
    assert_eq!(pods_done, 4);

    // Real side effects: the image is in the registry and the GitOps repo has the CI commit.
    assert!(
        world
            .context
            .registry
            .tags()
            .iter()
            .any(|(tag, quality)| tag == &commit && *quality == Quality::Good)
    );
    let base = world
        .context
        .repos
        .custom_apps
        .read("demo-app/base/kustomization.yaml")
        .expect("read")
        .expect("present");
    assert!(base.contains(&format!("newTag: {commit}")), "{base}");
    assert_eq!(
        world.context.repos.custom_apps.log(1).expect("log")[0].message,
        format!("ci: build demo-app {}", &commit[..7])
    );

    // Pods with logs, one per step.
    let pods: Api<DynamicObject> =
        world
            .context
            .api("", "v1", "Pod", "pods", Some("argo-workflows"));
    let pods = pods
        .list(&ListParams::default().labels(&format!("workflows.argoproj.io/workflow={name}")))
        .await
        .expect("pods")
        .items;
    assert_eq!(pods.len(), 4);
    let build = pods
        .iter()
        .find(|p| {
            p.metadata
                .name
                .as_deref()
                .is_some_and(|n| n.contains("docker-build"))
        })
        .expect("build pod");
    assert_eq!(text(build, "/status/phase"), "Succeeded");
    let logs =
        Api::<k8s_openapi::api::core::v1::Pod>::namespaced(world.client.clone(), "argo-workflows")
            .logs(
                build.metadata.name.as_deref().unwrap_or_default(),
                &Default::default(),
            )
            .await
            .expect("logs");
    assert!(
        logs.contains(&format!("Built image localhost:30087/demo-app:{commit}")),
        "{logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_and_a_missing_template_are_reported_like_argo() {
    let (world, _dir) = world().await;
    let workflows: Api<DynamicObject> = world.context.api(
        "argoproj.io",
        "v1alpha1",
        "Workflow",
        "workflows",
        Some("argo-workflows"),
    );
    let submit = |template: &str| -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": {"generateName": format!("{template}-"), "namespace": "argo-workflows", "labels": {"workflows.argoproj.io/workflow-template": template}},
            "spec": {"workflowTemplateRef": {"name": template}, "arguments": {"parameters": [{"name": "commitSha", "value": "0000000"}]}}
        }))
        .expect("object")
    };
    let missing = workflows
        .create(&Default::default(), &submit("no-such-template"))
        .await
        .expect("create");
    let missing_name = missing.metadata.name.clone().expect("name");
    let failed = eventually("the missing template to be reported", 10, || async {
        let wf = workflows.get(&missing_name).await.ok()?;
        (!text(&wf, "/status/phase").is_empty()).then_some(wf)
    })
    .await;
    assert_eq!(text(&failed, "/status/phase"), "Error");
    assert_eq!(
        text(&failed, "/status/message"),
        "workflowtemplates.argoproj.io \"no-such-template\" not found"
    );

    let running = workflows
        .create(&Default::default(), &submit("demo-app-ci"))
        .await
        .expect("create");
    let name = running.metadata.name.clone().expect("name");
    eventually("the workflow to run", 10, || async {
        (text(&workflows.get(&name).await.ok()?, "/status/phase") == "Running").then_some(())
    })
    .await;
    workflows
        .patch(
            &name,
            &Default::default(),
            &kube::api::Patch::Merge(serde_json::json!({"spec": {"shutdown": "Stop"}})),
        )
        .await
        .expect("stop");
    let stopped = eventually("the workflow to stop", 10, || async {
        let wf = workflows.get(&name).await.ok()?;
        (text(&wf, "/status/phase") == "Failed").then_some(wf)
    })
    .await;
    assert_eq!(
        text(&stopped, "/status/message"),
        "Stopped with strategy 'Stop'"
    );
}
