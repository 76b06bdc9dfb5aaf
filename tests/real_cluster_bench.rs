//! `flightdeck bench --write-fixtures --kubeconfig FILE` against the real control plane (etcd and
//! kube-apiserver only, so no controller acts on the fixtures): the fixtures are written into the
//! cluster, status through the subresource where the kind has one, the same phases are measured,
//! and a second run finds the fixtures there instead of writing them again.

mod common;

use std::path::Path;
use std::process::Command;

use common::real_cluster::RealCluster;
use serde_json::Value;

const ADMIN: &str = "flightdeck-real";

fn bench(cluster: &RealCluster) -> Value {
    let kubeconfig = cluster.kubeconfig.display().to_string();
    common::bench_figures(&[
        "--write-fixtures",
        "--kubeconfig",
        &kubeconfig,
        "--context",
        ADMIN,
        "--objects",
        "280",
        "--load-rate",
        "200",
        "--load-seconds",
        "2",
        "--idle-seconds",
        "1",
    ])
}

fn count(cluster: &RealCluster, resource: &str) -> usize {
    let output = cluster.kubectl_ok(ADMIN, &["get", resource, "-A", "-o", "name"]);
    output.lines().filter(|line| !line.is_empty()).count()
}

#[test]
fn the_bench_measures_a_real_api_server_loaded_with_the_fixtures() {
    let Some(cluster) = RealCluster::start(
        "real_cluster_bench",
        &["--controllers=false", "--audit=false"],
    ) else {
        return;
    };
    // Without the flag that allows writing, a kubeconfig alone measures the embedded server.
    let refused = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["bench", "--write-fixtures", "--objects", "14"])
        .env_remove("FLIGHTDECK_KUBECONFIG")
        .output()
        .expect("flightdeck bench");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("needs --kubeconfig"));

    let crds = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/crds");
    cluster.kubectl_ok(
        ADMIN,
        &[
            "apply",
            "--server-side",
            "-R",
            "-f",
            &crds.display().to_string(),
        ],
    );
    cluster.wait_established(&["crd", "--all"]);

    let first = bench(&cluster);
    assert_eq!(first["objects"], 280);
    let server = first["server"].as_str().expect("server");
    assert!(server.starts_with("https://127.0.0.1:"), "{server}");
    let held: u64 = first["objects_by_kind"]
        .as_object()
        .expect("objects_by_kind")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert!(held >= 280, "the cockpit holds every fixture: {first}");
    assert!(first["load_events_received"].as_u64() > Some(0), "{first}");
    assert_eq!(first["load_relists"], 0, "{first}");
    assert!(first["kubectl_list_ms"].is_number(), "{first}");

    // Written as a controller would: spec by create, status through the subresource.
    assert_eq!(count(&cluster, "rollouts.argoproj.io"), 20);
    assert_eq!(count(&cluster, "pods"), 60);
    let phases = cluster.kubectl_ok(
        ADMIN,
        &[
            "get",
            "rollouts.argoproj.io",
            "-A",
            "-o",
            "jsonpath={.items[*].status.phase}",
        ],
    );
    assert_eq!(
        phases.split_whitespace().collect::<Vec<_>>(),
        vec!["Healthy"; 20]
    );
    let pod_phases = cluster.kubectl_ok(
        ADMIN,
        &[
            "get",
            "pods",
            "-A",
            "-o",
            "jsonpath={.items[*].status.phase}",
        ],
    );
    assert_eq!(
        pod_phases.split_whitespace().collect::<Vec<_>>(),
        vec!["Running"; 60]
    );

    // A second run finds them: nothing is duplicated, and it measures the same.
    let second = bench(&cluster);
    assert_eq!(second["objects"], 280);
    assert_eq!(count(&cluster, "rollouts.argoproj.io"), 20);
    assert_eq!(count(&cluster, "pods"), 60);
}
