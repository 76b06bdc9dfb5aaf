//! Slim rows: the fields the views need, projected from API objects where they arrive (in the
//! watcher task), so the store never holds whole objects.

pub mod analysis_run;
pub mod application;
pub mod argo_events;
pub mod event;
pub mod experiment;
pub mod kargo;
pub mod pod;
pub mod readiness;
pub mod replica_set;
pub mod rollout;
pub mod rollout_phase;
pub mod workflow;
pub mod workflow_template;

use serde_json::Value;

pub use analysis_run::AnalysisRunRow;
pub use application::ApplicationRow;
pub use argo_events::{EventSourceRow, SensorRow};
pub use event::EventRow;
pub use experiment::ExperimentRow;
pub use kargo::{FreightRow, PromotionRow, StageRow, WarehouseRow};
pub use pod::PodRow;
pub use replica_set::ReplicaSetRow;
pub use rollout::RolloutRow;
pub use workflow::WorkflowRow;
pub use workflow_template::WorkflowTemplateRow;

use super::Labels;
use super::key::{Kind, ObjectKey};

/// A row of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Workflow(WorkflowRow),
    // The three largest rows are boxed: every row of the store is as large as the largest
    // variant, and Pods, Events and ReplicaSets (the most numerous) are half their size.
    Application(Box<ApplicationRow>),
    Rollout(Box<RolloutRow>),
    AnalysisRun(AnalysisRunRow),
    Freight(Box<FreightRow>),
    Stage(StageRow),
    Promotion(PromotionRow),
    ReplicaSet(ReplicaSetRow),
    Pod(PodRow),
    Event(EventRow),
    WorkflowTemplate(WorkflowTemplateRow),
    EventSource(EventSourceRow),
    Sensor(SensorRow),
    Warehouse(WarehouseRow),
    Experiment(ExperimentRow),
}

/// Evaluates `$body` with `$row` bound to the inner row struct, whatever the kind.
macro_rules! each_row {
    ($value:expr, $row:ident => $body:expr) => {
        match $value {
            Row::Workflow($row) => $body,
            Row::Application($row) => $body,
            Row::Rollout($row) => $body,
            Row::AnalysisRun($row) => $body,
            Row::Freight($row) => $body,
            Row::Stage($row) => $body,
            Row::Promotion($row) => $body,
            Row::ReplicaSet($row) => $body,
            Row::Pod($row) => $body,
            Row::Event($row) => $body,
            Row::WorkflowTemplate($row) => $body,
            Row::EventSource($row) => $body,
            Row::Sensor($row) => $body,
            Row::Warehouse($row) => $body,
            Row::Experiment($row) => $body,
        }
    };
}

impl Row {
    /// Projects an object of `kind` (managedFields and everything else unused are dropped).
    pub fn from_object(kind: Kind, object: &Value) -> Row {
        match kind {
            Kind::Workflow => Row::Workflow(WorkflowRow::from_object(object)),
            Kind::Application => Row::Application(Box::new(ApplicationRow::from_object(object))),
            Kind::Rollout => Row::Rollout(Box::new(RolloutRow::from_object(object))),
            Kind::AnalysisRun => Row::AnalysisRun(AnalysisRunRow::from_object(object)),
            Kind::Freight => Row::Freight(Box::new(FreightRow::from_object(object))),
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
            Kind::Warehouse => Row::Warehouse(WarehouseRow::from_object(object)),
            Kind::Experiment => Row::Experiment(ExperimentRow::from_object(object)),
        }
    }

    pub fn key(&self) -> &ObjectKey {
        each_row!(self, row => &row.key)
    }

    /// The object's labels (for `-l` filters).
    pub fn labels(&self) -> &Labels {
        each_row!(self, row => &row.labels)
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
            Row::Warehouse(_) => Kind::Warehouse,
            Row::Experiment(_) => Kind::Experiment,
        }
    }
}
