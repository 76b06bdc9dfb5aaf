//! The commit-to-production chain, joined from the store: for each application, its environments
//! in promotion order, each with its Argo CD Application, Rollout, current AnalysisRun, Kargo Stage
//! and Freight, the Workflow that built the running image, and the Stage's latest Promotion. Pure;
//! borrows from the store.

use std::collections::BTreeMap;

use crate::model::ObjectKey;
use crate::model::rows::{
    AnalysisRunRow, ApplicationRow, FreightRow, PromotionRow, RolloutRow, StageRow, WorkflowRow,
};
use crate::store::Store;

/// One environment of one application.
#[derive(Debug, Clone)]
pub struct EnvironmentLane<'a> {
    pub env: String,
    pub application: &'a ApplicationRow,
    pub rollout: Option<&'a RolloutRow>,
    pub analysis: Option<&'a AnalysisRunRow>,
    pub stage: Option<&'a StageRow>,
    pub freight: Option<&'a FreightRow>,
    /// The Workflow that built the image the Rollout runs.
    pub build: Option<&'a WorkflowRow>,
    /// The Stage's newest Promotion.
    pub promotion: Option<&'a PromotionRow>,
}

/// One application with its environments.
#[derive(Debug, Clone)]
pub struct AppPipeline<'a> {
    pub app: String,
    /// The newest Workflow of the application's CI.
    pub latest_workflow: Option<&'a WorkflowRow>,
    pub lanes: Vec<EnvironmentLane<'a>>,
}

/// Where an environment sorts: dev, staging, prod, then the rest.
fn env_rank(env: &str) -> u8 {
    match env {
        "dev" | "development" | "test" => 0,
        "staging" | "stage" | "qa" | "uat" => 1,
        "prod" | "production" => 2,
        _ => 3,
    }
}

/// The application an Argo CD Application belongs to and its environment.
fn app_and_env(application: &ApplicationRow) -> (String, String) {
    let name = &application.key.name;
    let env = application
        .env
        .clone()
        .or_else(|| {
            application
                .kargo_stage
                .as_ref()
                .map(|(_, stage)| stage.clone())
        })
        .unwrap_or_else(|| {
            name.rsplit_once('-')
                .map(|(_, e)| e.to_string())
                .unwrap_or_default()
        });
    let app = application.app.clone().unwrap_or_else(|| {
        name.strip_suffix(&format!("-{env}"))
            .unwrap_or(name)
            .to_string()
    });
    (app, env)
}

/// Builds the pipelines of every application in the store.
pub fn pipelines(store: &Store) -> Vec<AppPipeline<'_>> {
    let mut by_app: BTreeMap<String, Vec<EnvironmentLane<'_>>> = BTreeMap::new();
    for application in store.applications() {
        let (app, env) = app_and_env(application);
        let namespace = &application.destination_namespace;
        let rollouts: Vec<&RolloutRow> = store
            .rollouts()
            .filter(|r| &r.key.namespace == namespace)
            .collect();
        let rollout = rollouts
            .iter()
            .find(|r| r.key.name == app)
            .or(rollouts.first())
            .copied();
        let analysis = rollout
            .and_then(|r| r.analysis.as_ref())
            .and_then(|(name, _)| {
                store.analysis_run(&ObjectKey::new(namespace.clone(), name.clone()))
            });
        let stage = application
            .kargo_stage
            .as_ref()
            .and_then(|(project, stage)| {
                store.stage(&ObjectKey::new(project.clone(), stage.clone()))
            });
        let tag = rollout.map(RolloutRow::image_tag).unwrap_or_default();
        let freight = stage
            .and_then(|s| {
                s.current_freight.as_ref().and_then(|name| {
                    store.freight(&ObjectKey::new(s.key.namespace.clone(), name.clone()))
                })
            })
            .or_else(|| {
                store
                    .freights()
                    .find(|f| !tag.is_empty() && f.image_tag == tag)
            });
        let build = (!tag.is_empty())
            .then(|| {
                store
                    .workflows()
                    .filter(|w| w.commit.as_deref() == Some(tag))
                    .max_by_key(|w| w.created)
            })
            .flatten();
        let promotion = stage.and_then(|s| {
            store
                .promotions()
                .filter(|p| p.key.namespace == s.key.namespace && p.stage == s.key.name)
                .max_by_key(|p| (p.created, p.key.name.clone()))
        });
        by_app.entry(app).or_default().push(EnvironmentLane {
            env,
            application,
            rollout,
            analysis,
            stage,
            freight,
            build,
            promotion,
        });
    }
    by_app
        .into_iter()
        .map(|(app, mut lanes)| {
            lanes.sort_by(|a, b| (env_rank(&a.env), &a.env).cmp(&(env_rank(&b.env), &b.env)));
            let latest_workflow = store
                .workflows()
                .filter(|w| {
                    w.template.as_deref().is_some_and(|t| t.starts_with(&app))
                        || w.key.name.starts_with(&app)
                })
                .max_by_key(|w| (w.created, w.key.name.clone()));
            AppPipeline {
                app,
                latest_workflow,
                lanes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Row};
    use crate::store::Delta;
    use serde_json::{Value, json};

    fn row(kind: Kind, object: Value) -> Delta {
        Delta::Apply(Row::from_object(kind, &object))
    }

    #[test]
    fn joins_commit_to_production() {
        let mut store = Store::default();
        let mut deltas = Vec::new();
        for env in ["prod", "dev", "staging"] {
            deltas.push(row(Kind::Application, json!({"metadata": {"name": format!("demo-app-{env}"), "namespace": "argocd", "labels": {"app": "demo-app", "env": env}, "annotations": {"kargo.akuity.io/authorized-stage": format!("demo-app:{env}")}}, "spec": {"destination": {"namespace": format!("demo-app-{env}")}}, "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}}})));
        }
        deltas.push(row(Kind::Rollout, json!({"metadata": {"name": "demo-app", "namespace": "demo-app-dev"}, "spec": {"template": {"spec": {"containers": [{"image": "localhost:30087/demo-app:abc"}]}}}, "status": {"phase": "Progressing", "canary": {"currentStepAnalysisRunStatus": {"name": "demo-app-h-2-2", "status": "Running"}}}})));
        deltas.push(row(Kind::AnalysisRun, json!({"metadata": {"name": "demo-app-h-2-2", "namespace": "demo-app-dev"}, "status": {"phase": "Running"}})));
        deltas.push(row(Kind::Stage, json!({"metadata": {"name": "dev", "namespace": "demo-app"}, "status": {"freightHistory": [{"items": {"Warehouse/w": {"name": "f1"}}}]}})));
        deltas.push(row(Kind::Freight, json!({"metadata": {"name": "f1", "namespace": "demo-app"}, "alias": "mighty-fox", "images": [{"tag": "abc"}]})));
        deltas.push(row(Kind::Workflow, json!({"metadata": {"name": "demo-app-ci-1", "namespace": "argo", "creationTimestamp": "2026-11-26T10:00:00Z", "labels": {"workflows.argoproj.io/workflow-template": "demo-app-ci"}}, "spec": {"arguments": {"parameters": [{"name": "commitSha", "value": "abc"}]}}, "status": {"phase": "Succeeded"}})));
        deltas.push(row(Kind::Workflow, json!({"metadata": {"name": "demo-app-ci-2", "namespace": "argo", "creationTimestamp": "2026-11-26T11:00:00Z", "labels": {"workflows.argoproj.io/workflow-template": "demo-app-ci"}}, "spec": {"arguments": {"parameters": [{"name": "commitSha", "value": "def"}]}}, "status": {"phase": "Running"}})));
        deltas.push(row(Kind::Promotion, json!({"metadata": {"name": "dev.1.f1", "namespace": "demo-app", "creationTimestamp": "2026-11-26T10:05:00Z"}, "spec": {"stage": "dev", "freight": "f1"}, "status": {"phase": "Succeeded"}})));
        store.apply(deltas);
        let pipelines = pipelines(&store);
        assert_eq!(pipelines.len(), 1);
        let pipeline = &pipelines[0];
        assert_eq!(pipeline.app, "demo-app");
        assert_eq!(
            pipeline.latest_workflow.map(|w| w.key.name.as_str()),
            Some("demo-app-ci-2")
        );
        let envs: Vec<&str> = pipeline.lanes.iter().map(|l| l.env.as_str()).collect();
        assert_eq!(envs, ["dev", "staging", "prod"]);
        let dev = &pipeline.lanes[0];
        assert_eq!(dev.rollout.map(|r| r.image_tag()), Some("abc"));
        assert_eq!(
            dev.analysis.map(|a| a.key.name.as_str()),
            Some("demo-app-h-2-2")
        );
        assert_eq!(dev.freight.map(|f| f.alias.as_str()), Some("mighty-fox"));
        assert_eq!(
            dev.build.map(|w| w.key.name.as_str()),
            Some("demo-app-ci-1"),
            "the workflow that built the running image"
        );
        assert_eq!(dev.promotion.map(|p| p.key.name.as_str()), Some("dev.1.f1"));
        assert!(pipeline.lanes[1].rollout.is_none() && pipeline.lanes[1].stage.is_none());
    }
}
