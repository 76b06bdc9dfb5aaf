//! The upstream CRDs served by the embedded API server, embedded unmodified from `demo/crds/`.

use std::sync::OnceLock;

use super::registry::Registry;

/// The registry of the core kinds and every embedded CRD, parsed once per process (parsing the
/// 16 MB of CRDs is the slow part of starting a server).
pub fn embedded_registry() -> Result<Registry, String> {
    static REGISTRY: OnceLock<Result<Registry, String>> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry::load(CRDS)).clone()
}

/// (repository path, YAML text) of every CRD the server loads at start.
pub const CRDS: &[(&str, &str)] = &[
    (
        "demo/crds/argo-cd/application-crd.yaml",
        include_str!("../../../demo/crds/argo-cd/application-crd.yaml"),
    ),
    (
        "demo/crds/argo-cd/applicationset-crd.yaml",
        include_str!("../../../demo/crds/argo-cd/applicationset-crd.yaml"),
    ),
    (
        "demo/crds/argo-cd/appproject-crd.yaml",
        include_str!("../../../demo/crds/argo-cd/appproject-crd.yaml"),
    ),
    (
        "demo/crds/argo-events/argoproj.io_eventbus.yaml",
        include_str!("../../../demo/crds/argo-events/argoproj.io_eventbus.yaml"),
    ),
    (
        "demo/crds/argo-events/argoproj.io_eventsources.yaml",
        include_str!("../../../demo/crds/argo-events/argoproj.io_eventsources.yaml"),
    ),
    (
        "demo/crds/argo-events/argoproj.io_sensors.yaml",
        include_str!("../../../demo/crds/argo-events/argoproj.io_sensors.yaml"),
    ),
    (
        "demo/crds/argo-rollouts/analysis-run-crd.yaml",
        include_str!("../../../demo/crds/argo-rollouts/analysis-run-crd.yaml"),
    ),
    (
        "demo/crds/argo-rollouts/analysis-template-crd.yaml",
        include_str!("../../../demo/crds/argo-rollouts/analysis-template-crd.yaml"),
    ),
    (
        "demo/crds/argo-rollouts/cluster-analysis-template-crd.yaml",
        include_str!("../../../demo/crds/argo-rollouts/cluster-analysis-template-crd.yaml"),
    ),
    (
        "demo/crds/argo-rollouts/experiment-crd.yaml",
        include_str!("../../../demo/crds/argo-rollouts/experiment-crd.yaml"),
    ),
    (
        "demo/crds/argo-rollouts/rollout-crd.yaml",
        include_str!("../../../demo/crds/argo-rollouts/rollout-crd.yaml"),
    ),
    (
        "demo/crds/argo-workflows/argoproj.io_clusterworkflowtemplates.yaml",
        include_str!("../../../demo/crds/argo-workflows/argoproj.io_clusterworkflowtemplates.yaml"),
    ),
    (
        "demo/crds/argo-workflows/argoproj.io_cronworkflows.yaml",
        include_str!("../../../demo/crds/argo-workflows/argoproj.io_cronworkflows.yaml"),
    ),
    (
        "demo/crds/argo-workflows/argoproj.io_workflows.yaml",
        include_str!("../../../demo/crds/argo-workflows/argoproj.io_workflows.yaml"),
    ),
    (
        "demo/crds/argo-workflows/argoproj.io_workflowtemplates.yaml",
        include_str!("../../../demo/crds/argo-workflows/argoproj.io_workflowtemplates.yaml"),
    ),
    (
        "demo/crds/kargo/kargo.akuity.io_clusterpromotiontasks.yaml",
        include_str!("../../../demo/crds/kargo/kargo.akuity.io_clusterpromotiontasks.yaml"),
    ),
    (
        "demo/crds/kargo/kargo.akuity.io_freights.yaml",
        include_str!("../../../demo/crds/kargo/kargo.akuity.io_freights.yaml"),
    ),
    (
        "demo/crds/kargo/kargo.akuity.io_projectconfigs.yaml",
        include_str!("../../../demo/crds/kargo/kargo.akuity.io_projectconfigs.yaml"),
    ),
    (
        "demo/crds/kargo/kargo.akuity.io_projects.yaml",
        include_str!("../../../demo/crds/kargo/kargo.akuity.io_projects.yaml"),
    ),
    (
        "demo/crds/kargo/kargo.akuity.io_promotions.yaml",
        include_str!("../../../demo/crds/kargo/kargo.akuity.io_promotions.yaml"),
    ),
    (
        "demo/crds/kargo/kargo.akuity.io_promotiontasks.yaml",
        include_str!("../../../demo/crds/kargo/kargo.akuity.io_promotiontasks.yaml"),
    ),
    (
        "demo/crds/kargo/kargo.akuity.io_stages.yaml",
        include_str!("../../../demo/crds/kargo/kargo.akuity.io_stages.yaml"),
    ),
    (
        "demo/crds/kargo/kargo.akuity.io_warehouses.yaml",
        include_str!("../../../demo/crds/kargo/kargo.akuity.io_warehouses.yaml"),
    ),
];
