//! Slim rows: the fields the views need, projected from API objects where they arrive (in the
//! watcher task), so the store never holds whole objects.

pub mod analysis_run;
pub mod application;
pub mod argo_events;
pub mod event;
pub mod kargo;
pub mod pod;
pub mod replica_set;
pub mod rollout;
pub mod workflow;
pub mod workflow_template;

use serde_json::Value;

pub use analysis_run::AnalysisRunRow;
pub use application::ApplicationRow;
pub use argo_events::{EventSourceRow, SensorRow};
pub use event::EventRow;
pub use kargo::{FreightRow, PromotionRow, StageRow};
pub use pod::PodRow;
pub use replica_set::ReplicaSetRow;
pub use rollout::RolloutRow;
pub use workflow::WorkflowRow;
pub use workflow_template::WorkflowTemplateRow;

use super::key::{Kind, ObjectKey};

/// A row of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Workflow(WorkflowRow),
    Application(ApplicationRow),
    Rollout(RolloutRow),
    AnalysisRun(AnalysisRunRow),
    Freight(FreightRow),
    Stage(StageRow),
    Promotion(PromotionRow),
    ReplicaSet(ReplicaSetRow),
    Pod(PodRow),
    Event(EventRow),
    WorkflowTemplate(WorkflowTemplateRow),
    EventSource(EventSourceRow),
    Sensor(SensorRow),
}

impl Row {
    /// Projects an object of `kind` (managedFields and everything else unused are dropped).
    pub fn from_object(kind: Kind, object: &Value) -> Row {
        match kind {
            Kind::Workflow => Row::Workflow(WorkflowRow::from_object(object)),
            Kind::Application => Row::Application(ApplicationRow::from_object(object)),
            Kind::Rollout => Row::Rollout(RolloutRow::from_object(object)),
            Kind::AnalysisRun => Row::AnalysisRun(AnalysisRunRow::from_object(object)),
            Kind::Freight => Row::Freight(FreightRow::from_object(object)),
            Kind::Stage => Row::Stage(StageRow::from_object(object)),
            Kind::Promotion => Row::Promotion(PromotionRow::from_object(object)),
            Kind::ReplicaSet => Row::ReplicaSet(ReplicaSetRow::from_object(object)),
            Kind::Pod => Row::Pod(PodRow::from_object(object)),
            Kind::Event => Row::Event(EventRow::from_object(object)),
            Kind::WorkflowTemplate => {
                Row::WorkflowTemplate(WorkflowTemplateRow::from_object(object))
            }
            Kind::EventSource => Row::EventSource(EventSourceRow::from_object(object)),
            Kind::Sensor => Row::Sensor(SensorRow::from_object(object)),
        }
    }

    pub fn key(&self) -> &ObjectKey {
        match self {
            Row::Workflow(r) => &r.key,
            Row::Application(r) => &r.key,
            Row::Rollout(r) => &r.key,
            Row::AnalysisRun(r) => &r.key,
            Row::Freight(r) => &r.key,
            Row::Stage(r) => &r.key,
            Row::Promotion(r) => &r.key,
            Row::ReplicaSet(r) => &r.key,
            Row::Pod(r) => &r.key,
            Row::Event(r) => &r.key,
            Row::WorkflowTemplate(r) => &r.key,
            Row::EventSource(r) => &r.key,
            Row::Sensor(r) => &r.key,
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Row::Workflow(_) => Kind::Workflow,
            Row::Application(_) => Kind::Application,
            Row::Rollout(_) => Kind::Rollout,
            Row::AnalysisRun(_) => Kind::AnalysisRun,
            Row::Freight(_) => Kind::Freight,
            Row::Stage(_) => Kind::Stage,
            Row::Promotion(_) => Kind::Promotion,
            Row::ReplicaSet(_) => Kind::ReplicaSet,
            Row::Pod(_) => Kind::Pod,
            Row::Event(_) => Kind::Event,
            Row::WorkflowTemplate(_) => Kind::WorkflowTemplate,
            Row::EventSource(_) => Kind::EventSource,
            Row::Sensor(_) => Kind::Sensor,
        }
    }
}
