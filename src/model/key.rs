//! Object identity and the kinds the cockpit watches.

use std::fmt;

/// Namespace and name of an object (namespace empty for cluster-scoped kinds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// Reads `metadata.namespace`/`metadata.name` of an object.
    pub fn of(object: &serde_json::Value) -> Self {
        Self::new(
            super::json::string(object, "/metadata/namespace"),
            super::json::string(object, "/metadata/name"),
        )
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

/// A kind the cockpit watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Workflow,
    Application,
    Rollout,
    AnalysisRun,
    Freight,
    Stage,
    Promotion,
    ReplicaSet,
    Pod,
    Event,
    WorkflowTemplate,
    EventSource,
    Sensor,
    Warehouse,
    Experiment,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Workflow,
        Kind::Application,
        Kind::Rollout,
        Kind::AnalysisRun,
        Kind::Freight,
        Kind::Stage,
        Kind::Promotion,
        Kind::ReplicaSet,
        Kind::Pod,
        Kind::Event,
        Kind::WorkflowTemplate,
        Kind::EventSource,
        Kind::Sensor,
        Kind::Warehouse,
        Kind::Experiment,
    ];

    /// The kinds watched only where something shown needs them (a real cluster's Pods and
    /// Events outnumber everything else).
    pub const ON_DEMAND: &'static [Kind] = &[Kind::ReplicaSet, Kind::Pod, Kind::Event];

    /// Whether the kind is watched only where needed.
    pub fn on_demand(self) -> bool {
        Self::ON_DEMAND.contains(&self)
    }

    /// (group, version, kind, plural).
    pub fn resource(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Kind::Workflow => ("argoproj.io", "v1alpha1", "Workflow", "workflows"),
            Kind::Application => ("argoproj.io", "v1alpha1", "Application", "applications"),
            Kind::Rollout => ("argoproj.io", "v1alpha1", "Rollout", "rollouts"),
            Kind::AnalysisRun => ("argoproj.io", "v1alpha1", "AnalysisRun", "analysisruns"),
            Kind::Freight => ("kargo.akuity.io", "v1alpha1", "Freight", "freights"),
            Kind::Stage => ("kargo.akuity.io", "v1alpha1", "Stage", "stages"),
            Kind::Promotion => ("kargo.akuity.io", "v1alpha1", "Promotion", "promotions"),
            Kind::ReplicaSet => ("apps", "v1", "ReplicaSet", "replicasets"),
            Kind::Pod => ("", "v1", "Pod", "pods"),
            Kind::Event => ("", "v1", "Event", "events"),
            Kind::WorkflowTemplate => (
                "argoproj.io",
                "v1alpha1",
                "WorkflowTemplate",
                "workflowtemplates",
            ),
            Kind::EventSource => ("argoproj.io", "v1alpha1", "EventSource", "eventsources"),
            Kind::Sensor => ("argoproj.io", "v1alpha1", "Sensor", "sensors"),
            Kind::Warehouse => ("kargo.akuity.io", "v1alpha1", "Warehouse", "warehouses"),
            Kind::Experiment => ("argoproj.io", "v1alpha1", "Experiment", "experiments"),
        }
    }

    /// The name shown in the UI ("Workflows").
    pub fn title(self) -> &'static str {
        match self {
            Kind::Workflow => "Workflows",
            Kind::Application => "Applications",
            Kind::Rollout => "Rollouts",
            Kind::AnalysisRun => "AnalysisRuns",
            Kind::Freight => "Freight",
            Kind::Stage => "Stages",
            Kind::Promotion => "Promotions",
            Kind::ReplicaSet => "ReplicaSets",
            Kind::Pod => "Pods",
            Kind::Event => "Events",
            Kind::WorkflowTemplate => "WorkflowTemplates",
            Kind::EventSource => "EventSources",
            Kind::Sensor => "Sensors",
            Kind::Warehouse => "Warehouses",
            Kind::Experiment => "Experiments",
        }
    }
}
