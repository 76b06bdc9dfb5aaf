//! The embedded API server against the real kubectl (an independent client): apply, create with
//! generateName, get (tables, YAML, all namespaces), patch of every type, the status subresource,
//! watch, delete, logs and auth can-i. Skips with a message where kubectl is missing; `.ci/run`
//! requires it.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::cluster::{TestCluster, kubectl_available, text};
use flightdeck_apiserver::access::Policy;

const ROLLOUT: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: demo-app
  namespace: default
  labels: {app: demo-app}
spec:
  replicas: 5
  selector: {matchLabels: {app: demo-app}}
  template:
    metadata: {labels: {app: demo-app}}
    spec:
      containers:
      - name: demo-app
        image: localhost:30087/demo-app:abc123
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {duration: 2m}
"#;

const WORKFLOW: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: demo-app-ci-
  namespace: default
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [echo, hi]}
"#;

/// A test cluster, or `None` (with a SKIPPED message) where kubectl is missing.
fn cluster() -> Option<TestCluster> {
    kubectl_available().then(TestCluster::start)
}

fn ok(cluster: &TestCluster, args: &[&str]) -> String {
    let output = cluster.kubectl(args);
    let (stdout, stderr) = text(&output);
    assert!(
        output.status.success(),
        "kubectl {args:?} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

#[test]
fn apply_get_patch_delete() {
    let Some(cluster) = cluster() else { return };
    let rollout = cluster.file("rollout.yaml", ROLLOUT);
    let rollout = rollout.to_str().expect("path");
    assert_eq!(
        ok(&cluster, &["apply", "-f", rollout]).trim(),
        "rollout.argoproj.io/demo-app created"
    );
    assert_eq!(
        ok(&cluster, &["apply", "-f", rollout]).trim(),
        "rollout.argoproj.io/demo-app unchanged"
    );

    let table = ok(&cluster, &["get", "rollouts", "-A"]);
    assert!(
        table
            .starts_with("NAMESPACE   NAME       DESIRED   CURRENT   UP-TO-DATE   AVAILABLE   AGE"),
        "{table}"
    );
    assert!(table.contains("default     demo-app   5"), "{table}");

    assert_eq!(
        ok(
            &cluster,
            &[
                "patch",
                "ro",
                "demo-app",
                "--type",
                "merge",
                "-p",
                r#"{"spec":{"replicas":3}}"#
            ]
        )
        .trim(),
        "rollout.argoproj.io/demo-app patched"
    );
    assert_eq!(
        ok(
            &cluster,
            &[
                "patch",
                "ro",
                "demo-app",
                "--type",
                "json",
                "-p",
                r#"[{"op":"replace","path":"/spec/replicas","value":2}]"#
            ]
        )
        .trim(),
        "rollout.argoproj.io/demo-app patched"
    );
    ok(
        &cluster,
        &[
            "patch",
            "ro",
            "demo-app",
            "--subresource",
            "status",
            "--type",
            "merge",
            "-p",
            r#"{"status":{"phase":"Paused"}}"#,
        ],
    );
    let fields = ok(
        &cluster,
        &[
            "get",
            "ro",
            "demo-app",
            "-o",
            "jsonpath={.spec.replicas} {.status.phase} {.metadata.generation}",
        ],
    );
    assert_eq!(
        fields, "2 Paused 3",
        "spec patches bump generation, the status patch does not"
    );

    let output = cluster.kubectl(&[
        "patch",
        "ro",
        "demo-app",
        "-p",
        r#"{"spec":{"replicas":4}}"#,
    ]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert_eq!(
        stderr.trim(),
        "error: application/strategic-merge-patch+json is not supported by argoproj.io/v1alpha1, Kind=Rollout: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    );

    let output = cluster.kubectl(&[
        "patch",
        "wf",
        "nope",
        "--subresource",
        "status",
        "--type",
        "merge",
        "-p",
        "{}",
    ]);
    assert!(!output.status.success());

    assert_eq!(
        ok(&cluster, &["delete", "ro", "demo-app"]).trim(),
        "rollout.argoproj.io \"demo-app\" deleted"
    );
    let output = cluster.kubectl(&["get", "ro", "demo-app"]);
    assert_eq!(
        text(&output).1.trim(),
        "Error from server (NotFound): rollouts.argoproj.io \"demo-app\" not found"
    );
}

#[test]
fn create_with_generate_name_and_yaml_output() {
    let Some(cluster) = cluster() else { return };
    let workflow = cluster.file("workflow.yaml", WORKFLOW);
    let created = ok(
        &cluster,
        &["create", "-f", workflow.to_str().expect("path")],
    );
    let name = created
        .trim()
        .strip_prefix("workflow.argoproj.io/")
        .and_then(|r| r.strip_suffix(" created"))
        .expect("created line")
        .to_string();
    assert!(
        name.starts_with("demo-app-ci-") && name.len() == "demo-app-ci-".len() + 5,
        "{name}"
    );
    let named = cluster.file(
        "named.yaml",
        &WORKFLOW.replace("generateName: demo-app-ci-", "name: demo-app-ci-manual"),
    );
    assert_eq!(
        ok(&cluster, &["apply", "-f", named.to_str().expect("path")]).trim(),
        "workflow.argoproj.io/demo-app-ci-manual created"
    );
    let yaml = ok(&cluster, &["get", "wf", "-o", "yaml"]);
    assert!(
        yaml.contains("kind: List")
            && yaml.contains(&format!("name: {name}"))
            && yaml.contains("generation: 1"),
        "{yaml}"
    );
    // Workflows have no status subresource: status written through the main endpoint is kept.
    ok(
        &cluster,
        &[
            "patch",
            "wf",
            &name,
            "--type",
            "merge",
            "-p",
            r#"{"status":{"phase":"Running"}}"#,
        ],
    );
    assert_eq!(
        ok(
            &cluster,
            &["get", "wf", &name, "-o", "jsonpath={.status.phase}"]
        ),
        "Running"
    );
    let output = cluster.kubectl(&[
        "patch",
        "wf",
        &name,
        "--subresource",
        "status",
        "--type",
        "merge",
        "-p",
        r#"{"status":{"phase":"Failed"}}"#,
    ]);
    // as the real server (1.36) answers, naming the object
    assert_eq!(
        text(&output).1.trim(),
        format!("Error from server (NotFound): workflows.argoproj.io \"{name}\" not found")
    );
}

#[test]
fn invalid_objects_get_the_real_422() {
    let Some(cluster) = cluster() else { return };
    let bad = cluster.file(
        "bad.yaml",
        &ROLLOUT.replace("replicas: 5", "replicas: five"),
    );
    let output = cluster.kubectl(&["apply", "-f", bad.to_str().expect("path")]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    // kubectl renders the 422's details as it does for a real API server (1.36's causes: the
    // schema, the scale subresource's reading of the replicas, the CEL rules not run)
    assert_eq!(
        stderr.trim(),
        "The Rollout \"demo-app\" is invalid: \n\
         * spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"\n\
         * .spec.replicas: Invalid value: 0: .spec.replicas accessor error: five is of the type string, expected int64\n\
         * <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"
    );
}

#[test]
fn watch_sees_a_later_change() {
    let Some(cluster) = cluster() else { return };
    let rollout = cluster.file("rollout.yaml", ROLLOUT);
    ok(&cluster, &["apply", "-f", rollout.to_str().expect("path")]);
    let mut watcher = Command::new("kubectl")
        .args(["get", "ro", "-w", "--request-timeout=20s"])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("KUBECACHEDIR", cluster.dir.path().join("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl get -w");
    std::thread::sleep(Duration::from_millis(1500));
    ok(
        &cluster,
        &[
            "patch",
            "ro",
            "demo-app",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"replicas":7}}"#,
        ],
    );
    std::thread::sleep(Duration::from_millis(1500));
    let _ = watcher.kill();
    let output = watcher.wait_with_output().expect("watch output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<&str> = stdout.lines().collect();
    assert!(rows.len() >= 3, "{stdout}");
    assert!(rows[1].starts_with("demo-app   5"), "{stdout}");
    assert!(
        rows.last().is_some_and(|r| r.starts_with("demo-app   7")),
        "{stdout}"
    );
    assert_eq!(
        rows.iter().filter(|r| r.starts_with("NAME")).count(),
        1,
        "one header block: {stdout}"
    );
}

#[test]
fn pod_logs() {
    let Some(cluster) = cluster() else { return };
    let pod = cluster.file("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p1, namespace: default}\nspec:\n  containers: [{name: main, image: busybox}, {name: wait, image: argoexec}]\n");
    ok(&cluster, &["apply", "-f", pod.to_str().expect("path")]);
    {
        let mut logs = cluster.server.state.pod_logs.lock().expect("logs");
        for line in [
            "cloning",
            "building",
            "pushed localhost:30087/demo-app:abc123",
        ] {
            logs.append("default", "p1", "main", line);
        }
        logs.finish("default", "p1", "main");
    }
    assert_eq!(
        ok(&cluster, &["logs", "p1", "-c", "main"]),
        "cloning\nbuilding\npushed localhost:30087/demo-app:abc123\n"
    );
    assert_eq!(
        ok(&cluster, &["logs", "p1", "-c", "main", "--tail", "1"]),
        "pushed localhost:30087/demo-app:abc123\n"
    );
    assert_eq!(
        ok(&cluster, &["logs", "p1", "-c", "main", "-f"]),
        "cloning\nbuilding\npushed localhost:30087/demo-app:abc123\n",
        "follow ends when the container has ended"
    );
    let output = cluster.kubectl(&["logs", "p1", "-c", "nope"]);
    assert!(
        text(&output)
            .1
            .contains("container nope is not valid for pod p1"),
        "{:?}",
        text(&output)
    );
}

#[test]
fn auth_can_i_follows_the_policy() {
    let Some(cluster) = cluster() else { return };
    let output = cluster.kubectl(&["auth", "can-i", "patch", "rollouts.argoproj.io"]);
    assert_eq!(text(&output).0.trim(), "yes");
    cluster
        .server
        .add_user("viewer-token", "demo-viewer", Policy::ReadOnly);
    let viewer = cluster.kubeconfig_for("viewer-token");
    let output = cluster.kubectl_as(&viewer, &["auth", "can-i", "patch", "rollouts.argoproj.io"]);
    assert_eq!(text(&output).0.trim(), "no - demo: read-only user");
    assert!(!output.status.success());
    let output = cluster.kubectl_as(&viewer, &["auth", "can-i", "list", "rollouts.argoproj.io"]);
    assert_eq!(text(&output).0.trim(), "yes");
    let rollout = cluster.file("rollout.yaml", ROLLOUT);
    let output = cluster.kubectl_as(&viewer, &["create", "-f", rollout.to_str().expect("path")]);
    assert!(
        text(&output).1.contains("rollouts.argoproj.io is forbidden: User \"demo-viewer\" cannot create resource \"rollouts\" in API group \"argoproj.io\" in the namespace \"default\""),
        "{:?}",
        text(&output)
    );
}

#[test]
fn kubectl_follows_continue_tokens() {
    let Some(cluster) = cluster() else { return };
    let three: Vec<String> = ["one", "two", "three"]
        .iter()
        .map(|name| {
            ROLLOUT.replace(
                "name: demo-app\n  namespace",
                &format!("name: {name}\n  namespace"),
            )
        })
        .collect();
    let file = cluster.file("three.yaml", &three.join("---\n"));
    ok(&cluster, &["apply", "-f", file.to_str().expect("path")]);
    let names = ok(
        &cluster,
        &["get", "ro", "-A", "--chunk-size=1", "-o", "name"],
    );
    assert_eq!(
        names.lines().collect::<Vec<_>>(),
        [
            "rollout.argoproj.io/one",
            "rollout.argoproj.io/three",
            "rollout.argoproj.io/two"
        ]
    );
    let table = ok(&cluster, &["get", "ro", "--chunk-size=2"]);
    assert_eq!(
        table.lines().filter(|l| l.starts_with("NAME")).count(),
        1,
        "{table}"
    );
    assert_eq!(table.lines().count(), 4, "a header and three rows: {table}");
}

#[test]
fn deletes_cascade_as_their_propagation_policy_says() {
    let Some(cluster) = cluster() else { return };
    let run = |line: &str| ok(&cluster, &line.split(' ').collect::<Vec<_>>());
    let replica_sets = || {
        let each = "jsonpath={range .items[*]}{.metadata.name}:{.metadata.ownerReferences[0].kind}{\"\\n\"}{end}";
        ok(
            &cluster,
            &["-n", "cascade", "get", "replicasets", "-o", each],
        )
    };
    run("create namespace cascade");
    // orphan: kubectl waits until the Deployment is gone; its ReplicaSet stays, unowned
    run("-n cascade create deployment kept --image=nginx:1.27");
    assert!(replica_sets().contains(":Deployment"));
    run("-n cascade delete deployment kept --cascade=orphan");
    let orphans = replica_sets();
    assert!(
        orphans.starts_with("kept-") && !orphans.contains("Deployment"),
        "{orphans}"
    );
    // foreground: the Deployment shows its finalizer until its dependents are gone
    run("-n cascade create deployment gone --image=nginx:1.27");
    run("-n cascade delete deployment gone --cascade=foreground --wait=false");
    let marked = run("-n cascade get deployment gone -o jsonpath={.metadata.finalizers}");
    assert_eq!(marked, "[\"foregroundDeletion\"]");
    run("-n cascade wait --for=delete deployment/gone --timeout=10s");
    let left = replica_sets();
    assert!(!left.contains("gone-"), "{left}");
    // background: at once
    run("-n cascade delete replicaset --all");
    assert_eq!(replica_sets(), "");
}
