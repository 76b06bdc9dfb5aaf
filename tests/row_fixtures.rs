//! Row projections from YAML fixtures (`tests/fixtures/rows.yaml`): for each kind an object as
//! clusters serve it today, older and newer upstream shapes, and malformed ones — each projects
//! into the fields the views need, and nothing panics.

use std::collections::BTreeMap;

use flightdeck::model::phase::{
    AnalysisPhase, Health, PromotionPhase, RolloutPhase, SyncStatus, WorkflowPhase,
};
use flightdeck::model::{Kind, Row};
use serde_json::Value;

/// Every fixture document with its `fixture` annotation and kind.
fn documents() -> Vec<(String, Kind, Value)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rows.yaml"
    ))
    .expect("fixtures");
    let documents: Vec<Value> = serde_saphyr::from_multiple(&text).expect("YAML documents");
    documents
        .into_iter()
        .map(|object| {
            let name = object["metadata"]["annotations"]["fixture"]
                .as_str()
                .expect("a fixture annotation")
                .to_string();
            let kind = Kind::ALL
                .iter()
                .copied()
                .find(|kind| object["kind"] == kind.resource().2)
                .unwrap_or_else(|| panic!("{name}: kind {}", object["kind"]));
            (name, kind, object)
        })
        .collect()
}

/// Every fixture document by its `fixture` annotation, projected into its kind's row.
fn fixtures() -> BTreeMap<String, Row> {
    documents()
        .into_iter()
        .map(|(name, kind, object)| (name, Row::from_object(kind, &object)))
        .collect()
}

#[test]
fn the_watchers_slim_decoding_keeps_everything_rows_read() {
    let bench = flightdeck::bench::fixtures::objects(200)
        .into_iter()
        .map(|(kind, object)| (format!("bench {kind:?}"), kind, object));
    let mut compared = 0;
    for (name, kind, object) in documents().into_iter().chain(bench) {
        let slim = flightdeck::kube::slim::decode(kind, &object.to_string()).expect("parses");
        assert_eq!(
            Row::from_object(kind, &slim),
            Row::from_object(kind, &object),
            "{name}"
        );
        compared += 1;
    }
    assert!(compared > 200, "{compared}");
}

macro_rules! row {
    ($rows:expr, $name:literal, $variant:ident) => {
        match $rows.get($name) {
            Some(Row::$variant(row)) => row,
            other => panic!("{}: {other:?}", $name),
        }
    };
}

#[test]
fn every_kind_projects_from_current_old_and_malformed_objects() {
    let rows = fixtures();
    let covered: std::collections::BTreeSet<Kind> = rows.values().map(Row::kind).collect();
    assert_eq!(covered.len(), Kind::ALL.len(), "a fixture for every kind");

    let workflow = row!(rows, "workflow-current", Workflow);
    assert_eq!(workflow.phase, WorkflowPhase::Succeeded);
    assert_eq!(workflow.progress, Some((4, 4)));
    assert_eq!(workflow.template.as_deref(), Some("demo-app-ci"));
    assert_eq!(
        workflow.commit.as_deref(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
    assert_eq!(
        workflow.labels.get("workflows.argoproj.io/completed"),
        Some("true")
    );
    let old = row!(rows, "workflow-old", Workflow);
    assert_eq!((old.phase, old.progress), (WorkflowPhase::Unknown, None));
    let broken = row!(rows, "workflow-malformed", Workflow);
    assert_eq!(
        (broken.phase, broken.progress, broken.commit.as_deref()),
        (WorkflowPhase::Unknown, None, None)
    );

    let app = row!(rows, "application-current", Application);
    assert_eq!(
        (app.sync, app.health),
        (SyncStatus::Synced, Health::Healthy)
    );
    assert!(app.auto_sync);
    assert_eq!(app.kargo_stage, Some(("demo-app".into(), "prod".into())));
    assert_eq!(app.path, "demo-app/overlays/prod");
    let multi = row!(rows, "application-multi-source", Application);
    assert_eq!(
        (multi.revision.as_str(), multi.path.as_str()),
        ("aaaaaaa1", "charts/app")
    );
    assert!(!multi.auto_sync, "automated.enabled: false");
    let managed = |app: &flightdeck::model::rows::ApplicationRow| {
        app.managed.as_ref().map(|m| {
            let rollouts: Vec<String> = m.rollouts.iter().map(|key| key.to_string()).collect();
            (rollouts, m.others)
        })
    };
    assert_eq!(
        managed(app),
        Some((vec!["demo-app-prod/demo-app".to_string()], 2))
    );
    assert_eq!(
        managed(multi),
        Some((vec!["api".to_string(), "odd".to_string()], 2)),
        "a namespace left out is the destination's (none here); the others counted"
    );
    let garbage = row!(rows, "application-malformed", Application);
    assert_eq!(
        (garbage.sync, garbage.health),
        (SyncStatus::Unknown, Health::Unknown)
    );
    assert_eq!(managed(garbage), None, "a resource list that is not a list");

    let experiment = row!(rows, "experiment-running", Experiment);
    assert_eq!(
        (experiment.rollout.as_deref(), experiment.analyses.len()),
        (Some("demo-app"), 1)
    );

    let paused = row!(rows, "rollout-paused", Rollout);
    assert_eq!(paused.phase, RolloutPhase::Paused);
    assert_eq!(paused.step, Some((1, 5)));
    // No traffic routing: the plugin's actual weight is the canary's share of available pods.
    assert_eq!(
        (
            paused.set_weight,
            paused.actual_weight(Some(1)),
            paused.actual_weight(Some(0))
        ),
        (20, 20, 0)
    );
    assert_eq!(paused.pause_reasons, ["CanaryPauseStep"]);
    let old = row!(rows, "rollout-old", Rollout);
    assert_eq!(
        old.phase,
        RolloutPhase::Healthy,
        "computed without status.phase"
    );
    let bad = row!(rows, "rollout-malformed", Rollout);
    assert_eq!(bad.step, None);

    let run = row!(rows, "analysis-run-failed", AnalysisRun);
    assert_eq!(run.phase, AnalysisPhase::Failed);
    assert_eq!(run.metrics[0].last_value.as_deref(), Some("[0.81]"));
    assert_eq!(run.metrics[0].failed, 3);

    let freight = row!(rows, "freight-current", Freight);
    assert_eq!(
        (freight.label(), freight.image_tag.as_str()),
        ("mighty-otter".into(), "abc123")
    );
    assert_eq!(
        (
            freight.record.currently_in.len(),
            freight.record.is_in("dev"),
            freight.record.approved_for.clone()
        ),
        (1, true, vec!["prod".to_string()])
    );
    assert_eq!(row!(rows, "freight-old", Freight).label(), "sleepy-sloth");

    let stage = row!(rows, "stage-current", Stage);
    assert_eq!(stage.current_freight.as_deref(), Some("0c5f3a9e1d2b"));
    assert_eq!(
        (stage.upstream.clone(), stage.verification.as_deref()),
        (vec!["dev".to_string()], Some("Successful"))
    );
    let old = row!(rows, "stage-old", Stage);
    assert_eq!(old.current_freight.as_deref(), Some("9e8d7c6b5a4f"));
    assert_eq!(old.upstream, ["staging"]);
    assert_eq!(old.health, "Unhealthy");

    let promotion = row!(rows, "promotion-running", Promotion);
    assert_eq!(
        (promotion.phase, promotion.step),
        (PromotionPhase::Running, (2, 5))
    );

    let warehouse = row!(rows, "warehouse-current", Warehouse);
    assert_eq!(warehouse.readiness.ready, Some(false));
    assert!(warehouse.readiness.problem.contains("registry unreachable"));
    assert_eq!(warehouse.freight_creation, "Manual");
    assert_eq!(warehouse.subscriptions.len(), 2);

    let replica_set = row!(rows, "replica-set", ReplicaSet);
    assert_eq!(
        (replica_set.revision, replica_set.rollout.as_deref()),
        (12, Some("demo-app"))
    );

    let pod = row!(rows, "pod-crashing", Pod);
    assert_eq!(
        (pod.status.as_str(), pod.restarts, pod.ready),
        ("CrashLoopBackOff", 7, 0)
    );

    let event = row!(rows, "event-warning", Event);
    assert!(event.warning);
    assert_eq!((event.count, event.object_kind.as_str()), (3, "Rollout"));
    let new_style = row!(rows, "event-new-style", Event);
    assert_eq!(new_style.count, 1);
    assert!(new_style.last_seen.is_some(), "eventTime with microseconds");
    assert_eq!(
        new_style.object.namespace, "demo-app-dev",
        "the Event's own namespace"
    );

    let template = row!(rows, "workflow-template", WorkflowTemplate);
    assert_eq!(template.entrypoint, "ci");
    assert_eq!(template.parameters.len(), 3);

    assert_eq!(
        row!(rows, "event-source", EventSource).events,
        ["webhook/demo-app"]
    );
    let sensor = row!(rows, "sensor-failing", Sensor);
    assert_eq!(sensor.readiness.ready, Some(false));
    assert!(sensor.readiness.problem.contains("deployment failed"));
}
