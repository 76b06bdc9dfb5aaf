//! The demo world at high speed, checked only through the Kubernetes API and the Git repositories
//! (as a user with kubectl and git would see it).

mod common;

use common::eventually;
use flightdeck::model::Kind;
use std::time::Duration;

use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

use flightdeck::demo::world::metrics::Quality;
use flightdeck::demo::world::{World, WorldOptions};

async fn world() -> (World, tempfile::TempDir) {
    world_at(WorldOptions::for_tests(Default::default()).speed).await
}

/// A world whose clock runs `speed` times faster than real time.
async fn world_at(speed: f64) -> (World, tempfile::TempDir) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp");
    let options = WorldOptions {
        speed,
        ..WorldOptions::for_tests(dir.path().to_path_buf())
    };
    (World::start(options).await.expect("world starts"), dir)
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
    let sensors = world.context.api_for(Kind::Sensor, Some("argo-events"));
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
    let workflows: Api<DynamicObject> = world
        .context
        .api_for(Kind::Workflow, Some("argo-workflows"));
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

    // The repositories are served by git daemon where git is installed: clone over git://.
    if let Some(daemon) = &world.git_daemon {
        let work = tempfile::tempdir().expect("work");
        let url = format!("{}/custom-apps.git", daemon.url);
        let mut cloned = false;
        for _ in 0..50 {
            let status = std::process::Command::new("git")
                .args(["clone", "-q", &url, "c"])
                .current_dir(work.path())
                .status()
                .expect("git");
            if status.success() {
                cloned = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(cloned, "git clone {url}");
    }

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
    // Kargo may already have committed the dev promotion on top of the CI commit.
    let messages: Vec<String> = world
        .context
        .repos
        .custom_apps
        .log(5)
        .expect("log")
        .into_iter()
        .map(|c| c.message)
        .collect();
    assert!(
        messages.contains(&format!("ci: build demo-app {}", &commit[..7])),
        "{messages:?}"
    );

    // Pods with logs, one per step.
    let pods: Api<DynamicObject> = world.context.api_for(Kind::Pod, Some("argo-workflows"));
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
    // Ten times slower than the other tests: the stop must land while the first step (15 world
    // seconds, then failing on the unknown commit) still runs, however loaded the machine.
    let (world, _dir) = world_at(10.0).await;
    let workflows: Api<DynamicObject> = world
        .context
        .api_for(Kind::Workflow, Some("argo-workflows"));
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
    let running_pod = eventually("the first step to run", 10, || async {
        let wf = workflows.get(&name).await.ok()?;
        let nodes = wf.data.pointer("/status/nodes")?.as_object()?;
        nodes.iter().find_map(|(id, node)| {
            (node["type"] == "Pod" && node["phase"] == "Running").then(|| id.clone())
        })
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
    let pod_node = &stopped.data["status"]["nodes"][&running_pod];
    assert_eq!(
        (&pod_node["phase"], &pod_node["message"]),
        (
            &Value::from("Failed"),
            &Value::from("workflow shutdown with strategy:  Stop")
        )
    );

    // Stopped before its first step ran, so before it had any node.
    let mut early = submit("demo-app-ci");
    early.data["spec"]["shutdown"] = serde_json::json!("Stop");
    let early = workflows
        .create(&Default::default(), &early)
        .await
        .expect("create");
    let early_name = early.metadata.name.clone().expect("name");
    let stopped = eventually("the workflow stopped before its first step", 10, || async {
        let wf = workflows.get(&early_name).await.ok()?;
        (text(&wf, "/status/phase") == "Failed").then_some(wf)
    })
    .await;
    assert_eq!(
        text(&stopped, "/status/message"),
        "Stopped with strategy 'Stop'"
    );
}

/// Commits a new image tag into an environment's overlay (what a Kargo promotion writes).
fn set_overlay_tag(world: &World, env: &str, tag: &str) {
    let path = format!("demo-app/overlays/{env}/kustomization.yaml");
    let repo = &world.context.repos.custom_apps;
    let current = repo.read(&path).expect("read").expect("overlay");
    let updated = flightdeck::demo::world::git::set_kustomize_tag(&current, tag).expect("tag line");
    repo.commit(
        &[(path.as_str(), Some(&updated))],
        &format!("deploy {tag} to {env}"),
        ("tester", "t@demo.local"),
    )
    .expect("commit");
}

async fn rollout_state(world: &World, namespace: &str) -> Option<(String, String, String)> {
    let rollouts = world.context.api_for(Kind::Rollout, Some(namespace));
    let rollout = rollouts.get_opt("demo-app").await.ok()??;
    Some((
        text(&rollout, "/status/phase").to_string(),
        text(&rollout, "/spec/template/spec/containers/0/image").to_string(),
        text(&rollout, "/status/message").to_string(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn argo_cd_syncs_dev_and_the_canary_promotes_a_good_build() {
    let (world, _dir) = world().await;
    let apps = world.context.api_for(Kind::Application, Some("argocd"));
    eventually("dev to be synced and healthy on v1.0.0", 20, || async {
        let app = apps.get("demo-app-dev").await.ok()?;
        let state = rollout_state(&world, "demo-app-dev").await?;
        (text(&app, "/status/sync/status") == "Synced"
            && text(&app, "/status/health/status") == "Healthy"
            && state.1.ends_with(":v1.0.0"))
        .then_some(())
    })
    .await;
    eventually("staging and prod to start on v1.0.0 too", 20, || async {
        let staging = rollout_state(&world, "demo-app-staging").await?;
        let prod = rollout_state(&world, "demo-app-prod").await?;
        (staging.0 == "Healthy" && prod.0 == "Healthy").then_some(())
    })
    .await;
    let dev = apps.get("demo-app-dev").await.expect("dev");
    assert_eq!(
        dev.data
            .pointer("/status/history")
            .and_then(Value::as_array)
            .map(Vec::len),
        Some(1)
    );

    world.context.registry.push("good1", Quality::Good);
    set_overlay_tag(&world, "dev", "good1");
    let analysis = eventually("the canary to reach its first analysis", 30, || async {
        let runs = world
            .context
            .api_for(Kind::AnalysisRun, Some("demo-app-dev"));
        runs.list(&ListParams::default())
            .await
            .ok()?
            .items
            .into_iter()
            .next()
    })
    .await;
    assert!(
        analysis
            .metadata
            .name
            .as_deref()
            .is_some_and(|n| n.starts_with("demo-app-") && n.ends_with("-2")),
        "{:?}",
        analysis.metadata.name
    );
    let (phase, image, _) = eventually("the good build to be promoted", 60, || async {
        let state = rollout_state(&world, "demo-app-dev").await?;
        (state.0 == "Healthy" && state.1.ends_with(":good1")).then_some(state)
    })
    .await;
    assert_eq!(
        (phase.as_str(), image.as_str()),
        ("Healthy", "localhost:30087/demo-app:good1")
    );
    let replica_sets = world
        .context
        .api_for(Kind::ReplicaSet, Some("demo-app-dev"))
        .list(&ListParams::default())
        .await
        .expect("rs")
        .items;
    let mut revisions: Vec<(String, i64)> = replica_sets
        .iter()
        .map(|rs| {
            (
                rs.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("rollout.argoproj.io/revision"))
                    .cloned()
                    .unwrap_or_default(),
                rs.data
                    .pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(-1),
            )
        })
        .collect();
    revisions.sort();
    assert_eq!(
        revisions,
        [("1".to_string(), 0), ("2".to_string(), 5)],
        "the old ReplicaSet is scaled down"
    );

    // Rollback to the first history entry, as `argocd app rollback` writes it (auto-sync off
    // first, or Argo CD would sync straight back to HEAD).
    let app = apps.get("demo-app-dev").await.expect("dev");
    let first = app
        .data
        .pointer("/status/history/0")
        .cloned()
        .expect("history");
    let patch = serde_json::json!({
        "spec": {"syncPolicy": {"automated": null}},
        "operation": {"sync": {"revision": first["revision"], "source": first["source"], "syncStrategy": {"apply": {}}}, "initiatedBy": {"username": "tester"}},
        "status": {"operationState": null}
    });
    apps.patch(
        "demo-app-dev",
        &Default::default(),
        &kube::api::Patch::Merge(patch),
    )
    .await
    .expect("rollback");
    let rolled_back = eventually("the rollback to finish", 30, || async {
        let app = apps.get("demo-app-dev").await.ok()?;
        (text(&app, "/status/operationState/phase") == "Succeeded"
            && app.data.get("operation").is_none())
        .then_some(app)
    })
    .await;
    assert_eq!(
        Some(text(
            &rolled_back,
            "/status/operationState/syncResult/revision"
        )),
        first["revision"].as_str()
    );
    eventually(
        "dev to show OutOfSync (HEAD still says good1)",
        10,
        || async {
            (text(&apps.get("demo-app-dev").await.ok()?, "/status/sync/status") == "OutOfSync")
                .then_some(())
        },
    )
    .await;
    eventually("dev back on v1.0.0", 30, || async {
        let state = rollout_state(&world, "demo-app-dev").await?;
        (state.0 == "Healthy" && state.1.ends_with(":v1.0.0")).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_build_fails_analysis_aborts_and_a_git_revert_recovers() {
    let (world, _dir) = world().await;
    eventually("dev healthy on v1.0.0", 20, || async {
        let state = rollout_state(&world, "demo-app-dev").await?;
        (state.0 == "Healthy" && state.1.ends_with(":v1.0.0")).then_some(())
    })
    .await;
    world.context.registry.push("bad1", Quality::Bad);
    set_overlay_tag(&world, "dev", "bad1");
    let (_, _, message) = eventually("the bad canary to be aborted", 60, || async {
        let state = rollout_state(&world, "demo-app-dev").await?;
        (state.0 == "Degraded").then_some(state)
    })
    .await;
    assert!(
        message.starts_with("RolloutAborted: Rollout aborted update to revision 2"),
        "{message}"
    );
    let serving = world
        .context
        .traffic
        .lock()
        .expect("traffic")
        .serving("demo-app-dev")
        .to_vec();
    assert_eq!(
        serving.len(),
        1,
        "the stable version keeps serving alone: {serving:?}"
    );
    assert_eq!(serving[0].quality, Quality::Good);

    // git revert of the bad image commit in custom-apps: the app syncs back to the old image.
    let repo = &world.context.repos.custom_apps;
    let bad_commit = repo.log(1).expect("log")[0].id.clone();
    let git_dir = repo.path.display().to_string();
    let work = tempfile::tempdir().expect("work");
    let run = |args: &[&str], dir: &std::path::Path| {
        let output = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "ops")
            .env("GIT_AUTHOR_EMAIL", "ops@demo.local")
            .env("GIT_COMMITTER_NAME", "ops")
            .env("GIT_COMMITTER_EMAIL", "ops@demo.local")
            .output()
            .expect("git");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&["clone", "-q", &git_dir, "clone"], work.path());
    let clone = work.path().join("clone");
    run(&["revert", "--no-edit", &bad_commit], &clone);
    run(&["push", "-q", "origin", "HEAD:main"], &clone);
    let (phase, image, _) = eventually("dev back to healthy on v1.0.0", 30, || async {
        let state = rollout_state(&world, "demo-app-dev").await?;
        (state.0 == "Healthy" && state.1.ends_with(":v1.0.0")).then_some(state)
    })
    .await;
    assert_eq!(
        (phase.as_str(), image.as_str()),
        ("Healthy", "localhost:30087/demo-app:v1.0.0")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_commit_flows_to_dev_and_a_manual_promotion_reaches_staging() {
    let (world, _dir) = world().await;
    let kargo = |kind: &str, plural: &str| {
        world.context.api(
            "kargo.akuity.io",
            "v1alpha1",
            kind,
            plural,
            Some("demo-app"),
        )
    };
    let (freights, stages, promotions) = (
        kargo("Freight", "freights"),
        kargo("Stage", "stages"),
        kargo("Promotion", "promotions"),
    );
    eventually("every stage to start on the v1.0.0 Freight", 20, || async {
        let list = stages.list(&ListParams::default()).await.ok()?.items;
        (list.len() == 3
            && list
                .iter()
                .all(|s| !text(s, "/status/freightSummary").is_empty()))
        .then_some(())
    })
    .await;

    let commit = world
        .push_commit(Quality::Good, "feat: a good change")
        .expect("push");
    let freight = eventually("Freight for the new image", 30, || async {
        freights
            .list(&ListParams::default())
            .await
            .ok()?
            .items
            .into_iter()
            .find(|f| text(f, "/images/0/tag") == commit)
    })
    .await;
    let freight_name = freight.metadata.name.clone().expect("name");
    assert_eq!(freight_name.len(), 40, "Freight is named by its SHA-1 ID");
    assert!(
        freight
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kargo.akuity.io/alias"))
            .is_some_and(|a| a.contains('-'))
    );

    let dev_promotion = eventually("dev to auto-promote the Freight", 30, || async {
        promotions
            .list(&ListParams::default())
            .await
            .ok()?
            .items
            .into_iter()
            .find(|p| text(p, "/spec/stage") == "dev" && text(p, "/spec/freight") == freight_name)
    })
    .await;
    let promotion_name = dev_promotion.metadata.name.clone().expect("name");
    assert!(
        promotion_name.starts_with("dev.")
            && promotion_name.ends_with(&format!(".{}", &freight_name[..7])),
        "{promotion_name}"
    );
    let finished = eventually("the dev promotion to finish", 30, || async {
        let p = promotions.get(&promotion_name).await.ok()?;
        matches!(
            text(&p, "/status/phase"),
            "Succeeded" | "Failed" | "Errored"
        )
        .then_some(p)
    })
    .await;
    assert_eq!(
        text(&finished, "/status/phase"),
        "Succeeded",
        "{:?}",
        finished.data.get("status")
    );
    let overlay = world
        .context
        .repos
        .custom_apps
        .read("demo-app/overlays/dev/kustomization.yaml")
        .expect("read")
        .expect("overlay");
    assert!(overlay.contains(&format!("newTag: {commit}")), "{overlay}");

    let verified = eventually(
        "dev to run the new image and verify the Freight",
        60,
        || async {
            let f = freights.get(&freight_name).await.ok()?;
            f.data
                .pointer("/status/verifiedIn/dev")
                .is_some()
                .then_some(f)
        },
    )
    .await;
    assert!(verified.data.pointer("/status/currentlyIn/dev").is_some());
    let (phase, image, _) = rollout_state(&world, "demo-app-dev")
        .await
        .expect("rollout");
    assert_eq!(
        (phase.as_str(), image),
        ("Healthy", format!("localhost:30087/demo-app:{commit}"))
    );

    // A manual promotion to staging, created through the API as `kargo promote` would.
    let staging = stages.get("staging").await.expect("staging");
    let steps = staging
        .data
        .pointer("/spec/promotionTemplate/spec/steps")
        .cloned()
        .expect("steps");
    let vars = staging
        .data
        .pointer("/spec/promotionTemplate/spec/vars")
        .cloned()
        .unwrap_or_default();
    let promotion: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "kargo.akuity.io/v1alpha1", "kind": "Promotion",
        "metadata": {"name": format!("staging.{}.{}", flightdeck::demo::world::kargo::ulid(), &freight_name[..7]), "namespace": "demo-app"},
        "spec": {"stage": "staging", "freight": freight_name, "vars": vars, "steps": steps}
    }))
    .expect("promotion");
    let created = promotions
        .create(&Default::default(), &promotion)
        .await
        .expect("create promotion");
    let name = created.metadata.name.clone().expect("name");
    eventually("the staging promotion to succeed", 30, || async {
        (text(&promotions.get(&name).await.ok()?, "/status/phase") == "Succeeded").then_some(())
    })
    .await;
    let in_staging = eventually("the Freight to be current in staging", 60, || async {
        let f = freights.get(&freight_name).await.ok()?;
        f.data
            .pointer("/status/currentlyIn/staging")
            .is_some()
            .then_some(f)
    })
    .await;
    assert!(
        in_staging.data.pointer("/status/currentlyIn/dev").is_some(),
        "still in dev too"
    );
    let (_, image, _) = eventually("staging to run the image", 60, || async {
        let state = rollout_state(&world, "demo-app-staging").await?;
        (state.0 == "Healthy" && state.1.ends_with(&commit)).then_some(state)
    })
    .await;
    assert_eq!(image, format!("localhost:30087/demo-app:{commit}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_made_mistakes_are_reported_in_status_and_the_world_carries_on() {
    let (world, _dir) = world().await;
    // A Promotion for Freight that does not exist.
    let promotions = world.context.api_for(Kind::Promotion, Some("demo-app"));
    let bogus: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "kargo.akuity.io/v1alpha1", "kind": "Promotion",
        "metadata": {"name": "staging.manual.nothere", "namespace": "demo-app"},
        "spec": {"stage": "staging", "freight": "0000000000000000000000000000000000000000", "steps": [{"uses": "git-clone"}]}
    }))
    .expect("object");
    promotions
        .create(&Default::default(), &bogus)
        .await
        .expect("create");
    let errored = eventually("the bogus promotion to be Errored", 20, || async {
        let p = promotions.get("staging.manual.nothere").await.ok()?;
        (!text(&p, "/status/phase").is_empty()).then_some(p)
    })
    .await;
    assert_eq!(text(&errored, "/status/phase"), "Errored");
    assert!(
        text(&errored, "/status/message").contains("not found"),
        "{:?}",
        errored.data.get("status")
    );

    // A commit that breaks the overlay YAML: Argo CD reports a comparison error.
    let repo = &world.context.repos.custom_apps;
    repo.commit(
        &[(
            "demo-app/overlays/prod/kustomization.yaml",
            Some("resources: [unclosed\n"),
        )],
        "oops",
        ("tester", "t@demo.local"),
    )
    .expect("commit");
    let apps = world.context.api_for(Kind::Application, Some("argocd"));
    let broken = eventually("prod to report the broken overlay", 20, || async {
        let app = apps.get("demo-app-prod").await.ok()?;
        (text(&app, "/status/conditions/0/type") == "ComparisonError").then_some(app)
    })
    .await;
    assert_eq!(text(&broken, "/status/sync/status"), "Unknown");
    assert!(
        text(&broken, "/status/conditions/0/message").contains("kustomization.yaml"),
        "{:?}",
        broken.data.pointer("/status/conditions")
    );

    // A Rollout deleted by hand: the rest keeps working and Argo CD (self-heal) puts it back.
    eventually("dev healthy", 20, || async {
        (rollout_state(&world, "demo-app-dev").await?.0 == "Healthy").then_some(())
    })
    .await;
    world
        .context
        .api_for(Kind::Rollout, Some("demo-app-dev"))
        .delete("demo-app", &Default::default())
        .await
        .expect("delete");
    eventually("self-heal to recreate the Rollout", 30, || async {
        (rollout_state(&world, "demo-app-dev").await?.0 == "Healthy").then_some(())
    })
    .await;

    // A workflow whose parameters are missing.
    let workflows = world
        .context
        .api_for(Kind::Workflow, Some("argo-workflows"));
    let missing: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": "no-params", "namespace": "argo-workflows"},
        "spec": {"workflowTemplateRef": {"name": "demo-app-ci"}}
    }))
    .expect("object");
    workflows
        .create(&Default::default(), &missing)
        .await
        .expect("create");
    let failed = eventually("the workflow to error", 20, || async {
        let wf = workflows.get("no-params").await.ok()?;
        (!text(&wf, "/status/phase").is_empty()).then_some(wf)
    })
    .await;
    assert_eq!(text(&failed, "/status/phase"), "Error");
    assert_eq!(
        text(&failed, "/status/message"),
        "spec.arguments.commitSha.value is required"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_made_dag_waits_at_its_suspend_node_and_runs_its_exit_handler() {
    let (world, _dir) = world().await;
    let workflows: Api<DynamicObject> = world
        .context
        .api_for(Kind::Workflow, Some("argo-workflows"));
    let container = |name: &str| serde_json::json!({"name": name, "container": {"image": "alpine:3.20", "command": ["sh", "-c", "true"]}});
    let workflow: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": "release-train", "namespace": "argo-workflows"},
        "spec": {"entrypoint": "main", "onExit": "report", "templates": [
            {"name": "main", "dag": {"tasks": [
                {"name": "build", "template": "work"},
                {"name": "test", "template": "work", "dependencies": ["build"]},
                {"name": "scan", "template": "work", "dependencies": ["build"]},
                {"name": "approve", "template": "gate", "depends": "test && scan"},
                {"name": "rollback", "template": "work", "depends": "test.Failed"}]}},
            {"name": "gate", "suspend": {}},
            {"name": "report", "steps": [[
                {"name": "notify", "template": "work"},
                {"name": "page", "template": "work", "when": "{{workflow.status}} != Succeeded"}]]},
            container("work")]}
    }))
    .expect("object");
    workflows
        .create(&Default::default(), &workflow)
        .await
        .expect("create");
    let id = |name: &str| flightdeck::demo::world::workflows::node_id("release-train", name);
    let node_phase = |wf: &DynamicObject, name: &str| {
        text(wf, &format!("/status/nodes/{}/phase", id(name))).to_string()
    };
    let waiting = eventually("the DAG to reach its suspend node", 30, || async {
        let wf = workflows.get("release-train").await.ok()?;
        (node_phase(&wf, "release-train.approve") == "Running").then_some(wf)
    })
    .await;
    assert_eq!(text(&waiting, "/status/phase"), "Running");
    for task in ["build", "test", "scan"] {
        assert_eq!(
            node_phase(&waiting, &format!("release-train.{task}")),
            "Succeeded"
        );
    }
    assert_eq!(
        node_phase(&waiting, "release-train.rollback"),
        "Omitted",
        "test did not fail"
    );
    let pods: Api<DynamicObject> = world.context.api_for(Kind::Pod, Some("argo-workflows"));
    let pod = pods
        .get(&format!(
            "release-train-work-{}",
            flightdeck::demo::world::workflows::fnv32a("release-train.scan")
        ))
        .await
        .expect("the scan task's pod");
    assert_eq!(text(&pod, "/status/phase"), "Succeeded");

    // What `argo resume` writes: the active suspend node Succeeded.
    let resumed = serde_json::json!({"status": {"nodes": {id("release-train.approve"): {"phase": "Succeeded"}}}});
    workflows
        .patch(
            "release-train",
            &Default::default(),
            &kube::api::Patch::Merge(resumed),
        )
        .await
        .expect("resume");
    let done = eventually("the workflow and its exit handler to end", 30, || async {
        let wf = workflows.get("release-train").await.ok()?;
        (text(&wf, "/status/phase") == "Succeeded").then_some(wf)
    })
    .await;
    assert_eq!(node_phase(&done, "release-train.onExit"), "Succeeded");
    assert_eq!(
        node_phase(&done, "release-train.onExit[0].notify"),
        "Succeeded"
    );
    assert_eq!(node_phase(&done, "release-train.onExit[0].page"), "Skipped");
    assert_eq!(text(&done, "/status/progress"), "5/5");
}
