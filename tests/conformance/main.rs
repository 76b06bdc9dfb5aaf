//! The differential conformance suite: every case of `corpus.rs` run with the real kubectl
//! against the real control plane (the oracle) and against the embedded API server; exit codes,
//! the requests made with their HTTP status, what kubectl printed (objects, tables, Status
//! errors, watch events) compared after normalising what two correct servers may answer
//! differently. Prints (and writes to `target/tmp/conformance.txt`) `conformance: N cases, M
//! identical` and the first difference of every other case. Cases once identical must stay so
//! (`IDENTICAL`). Runs in the real-cluster tier: skipped, saying so, without Go or kubectl.

#[path = "../common/mod.rs"]
mod common;
mod corpus;
mod normalise;
mod run;

use std::path::Path;

use common::cluster::{TestCluster, kubectl_available};
use common::real_cluster::RealCluster;
use corpus::{NAMESPACE, Step};
use run::{Side, first_difference};

/// Cases the embedded server answers as the real one does: a change that breaks one fails here.
const IDENTICAL: &[&str] = &[
    "create namespace",
    "create configmap",
    "create secret generic",
    "create deployment",
    "run",
    "expose",
    "label and annotate",
    "scale",
    "rollout restart, status and history",
    "replace",
    "delete --cascade=background",
    "delete --cascade=foreground --wait",
    "delete --cascade=orphan",
    "get -w",
    "explain",
    "auth can-i",
    "diff",
    "apply client-side",
    "apply --server-side with a conflict",
    "errors",
    "service account and RBAC",
    "jobs and cronjobs",
    "ingress",
    "statefulset and daemonset",
    "apply a Rollout",
    "create a Workflow by generateName",
    "patch types on a custom resource",
    "status subresource",
    "an invalid custom resource",
    "get tables",
    "chunked lists",
    "selectors",
];

/// Makes the case's namespace (a JSON apply: every server under test takes it).
fn prepare(side: &Side, namespace: &str) {
    let setup = Step::Run {
        line: "apply -f -",
        stdin: Some(NAMESPACE),
    };
    let outcome = side.step(&setup, namespace);
    assert_eq!(
        outcome.exit, "0",
        "{}: namespace {namespace}: {outcome:?}",
        side.name
    );
}

#[test]
fn kubectl_meets_the_same_server_on_both_sides() {
    if !kubectl_available() {
        return;
    }
    let Some(real) = RealCluster::start("conformance", &[]) else {
        return;
    };
    let crds = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/crds");
    real.kubectl_ok(
        "flightdeck-real",
        &[
            "apply",
            "--server-side",
            "-R",
            "-f",
            &crds.to_string_lossy(),
        ],
    );
    real.wait_established(&["crd", "--all"]);
    let embedded = TestCluster::start();
    let sides = [
        Side {
            name: "real",
            kubeconfig: real.kubeconfig.clone(),
            context: "flightdeck-real".into(),
            home: real.dir.path().join("conformance"),
        },
        Side {
            name: "embedded",
            kubeconfig: embedded.kubeconfig.clone(),
            context: "flightdeck-demo".into(),
            home: embedded.dir.path().join("conformance"),
        },
    ];

    let cases = corpus::cases();
    let mut identical = Vec::new();
    let mut report = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let namespace = format!("conformance-{}", index + 1);
        // The two servers are independent: both sides run at once.
        let [real_outcomes, embedded_outcomes] = std::thread::scope(|scope| {
            let runs = sides.each_ref().map(|side| {
                let namespace = &namespace;
                scope.spawn(move || {
                    prepare(side, namespace);
                    side.run(case, namespace)
                })
            });
            runs.map(|run| run.join().expect("case ran"))
        });
        match first_difference(case, &real_outcomes, &embedded_outcomes) {
            None => identical.push(case.name),
            Some(difference) => report.push(format!("{}:\n{difference}", case.name)),
        }
    }

    let summary = format!(
        "conformance: {} cases, {} identical",
        cases.len(),
        identical.len()
    );
    let text = format!(
        "{summary}\nidentical: {}\n\n{}\n",
        identical.join(", "),
        report.join("\n\n")
    );
    let _ = std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance.txt"),
        &text,
    );
    println!("{text}");
    eprintln!("{summary}");

    let regressed: Vec<&&str> = IDENTICAL
        .iter()
        .filter(|name| !identical.contains(name))
        .collect();
    assert!(
        regressed.is_empty(),
        "cases no longer identical: {regressed:?}\n{text}"
    );
}
