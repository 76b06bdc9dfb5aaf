//! The commit-to-production chain, joined from the store: for each application, its environments
//! in promotion order, each with its Argo CD Application, Rollout, current AnalysisRun, Kargo Stage
//! and Freight, the Workflow that built the running image, and the Stage's latest Promotion. Pure;
//! borrows from the store.

use crate::model::ObjectKey;
use crate::model::image::ImageRef;
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
    /// Which rule linked the Rollout, the Freight and the build (or why none did).
    pub links: Links,
}

/// Why a lane's cells show what they show: the rule that linked each, or why none did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Links {
    pub rollout: &'static str,
    pub freight: &'static str,
    pub build: &'static str,
}

/// One application with its environments.
#[derive(Debug, Clone)]
pub struct AppPipeline<'a> {
    pub app: String,
    /// The newest Workflow of the application's CI.
    pub latest_workflow: Option<&'a WorkflowRow>,
    pub lanes: Vec<EnvironmentLane<'a>>,
}

/// Where an environment sorts: dev, staging, prod, then the rest — by any of its `-` parts, so
/// `eu-prod-1` sorts with prod.
fn env_rank(env: &str) -> u8 {
    let rank = |part: &str| match part {
        "dev" | "development" | "test" => 0,
        "staging" | "stage" | "qa" | "uat" => 1,
        "prod" | "production" => 2,
        _ => 3,
    };
    env.split('-').map(rank).min().unwrap_or(3)
}

/// The newest of two Workflows (created, then name, then namespace: the later one on a tie).
fn newer<'a>(a: &'a WorkflowRow, b: &'a WorkflowRow) -> &'a WorkflowRow {
    let order = |w: &WorkflowRow| (w.created, w.key.name.clone(), w.key.namespace.clone());
    if order(b) >= order(a) { b } else { a }
}

/// Every application's Argo CD Applications with their environments, by application name,
/// from the store's index (each application's list made only when it is iterated to).
pub fn applications_by_app(
    store: &Store,
) -> impl ExactSizeIterator<Item = (String, Vec<(String, &ApplicationRow)>)> {
    store
        .index()
        .applications_by_app()
        .map(|(app, environments)| {
            let applications = environments
                .iter()
                .filter_map(|(key, env)| Some((env.clone(), store.application(key)?)))
                .collect();
            (app.clone(), applications)
        })
}

/// Joins applications into pipelines, one at a time (so a view can join only what it shows),
/// through the store's index: a join costs what it shows, not what the store holds
/// (performance.md §8.4).
pub struct Join<'a> {
    store: &'a Store,
}

impl<'a> Join<'a> {
    pub fn new(store: &'a Store) -> Join<'a> {
        Join { store }
    }

    /// The newest Workflow of the application's CI: one named for it (its template or name is
    /// the application's name or starts with it and `-`, the longest application name winning,
    /// so `web-api-ci` is not `web`'s), or one with a parameter naming the application or the
    /// repository of an image its Rollouts run.
    fn latest_workflow(&self, app: &str, lanes: &[EnvironmentLane<'a>]) -> Option<&'a WorkflowRow> {
        let (store, index) = (self.store, self.store.index());
        if let Some(rule) = store.correlation().rule(app) {
            return store.workflows().filter(|w| rule.selects(w)).reduce(newer);
        }
        let named = index
            .workflows_named_like(app)
            .filter_map(|key| store.workflow(key))
            .filter(|workflow| self.named_for(workflow, app));
        let repositories = lanes
            .iter()
            .filter_map(|lane| lane.rollout)
            .map(|rollout| ImageRef::parse(store.rollout_image(rollout)).repository)
            .filter(|repository| !repository.is_empty());
        let by_parameter = std::iter::once(app)
            .chain(repositories)
            .flat_map(|value| index.workflows_with_parameter(value))
            .filter_map(|key| store.workflow(key));
        named.chain(by_parameter).reduce(newer)
    }

    /// The pipeline of `app`, whose Applications (with their environments) are `applications`:
    /// a lane for each Rollout an Application runs (one without a Rollout when it runs none).
    pub fn pipeline(
        &self,
        app: String,
        applications: Vec<(String, &'a ApplicationRow)>,
    ) -> AppPipeline<'a> {
        let mut lanes: Vec<EnvironmentLane<'a>> = Vec::new();
        for (env, application) in applications {
            let (rollouts, why) = rollouts_of(self.store, &app, application);
            if rollouts.is_empty() {
                lanes.push(self.lane(&app, env.clone(), application, (None, why)));
            }
            for rollout in rollouts {
                lanes.push(self.lane(&app, env.clone(), application, (Some(rollout), why)));
            }
        }
        lanes.sort_by(|a, b| (env_rank(&a.env), &a.env).cmp(&(env_rank(&b.env), &b.env)));
        AppPipeline {
            latest_workflow: self.latest_workflow(&app, &lanes),
            app,
            lanes,
        }
    }

    fn lane(
        &self,
        app: &str,
        env: String,
        application: &'a ApplicationRow,
        (rollout, rollout_link): (Option<&'a RolloutRow>, &'static str),
    ) -> EnvironmentLane<'a> {
        let store = self.store;
        let analysis = rollout.and_then(|r| {
            let (name, _) = r.analysis.as_ref()?;
            store.analysis_run(&ObjectKey::new(r.key.namespace.clone(), name.clone()))
        });
        let stage = application
            .kargo_stage
            .as_ref()
            .and_then(|(project, stage)| {
                store.stage(&ObjectKey::new(project.clone(), stage.clone()))
            });
        let image = ImageRef::parse(rollout.map_or("", |r| store.rollout_image(r)));
        let current = stage.and_then(|s| {
            let name = s.current_freight.as_ref()?;
            store.freight(&ObjectKey::new(s.key.namespace.clone(), name.clone()))
        });
        let (freight, freight_link) = match current {
            Some(freight) => (Some(freight), "the Kargo Stage's current Freight"),
            None if image.tag.is_empty() && image.digest.is_empty() => (
                None,
                "no running image to look up (and no Kargo Stage with Freight)",
            ),
            None => match store.index().freight_with_image(&image) {
                Some(key) => (
                    store.freight(key),
                    "carries the running image (repository and digest, else tag)",
                ),
                None => (None, "no Freight carries the running image"),
            },
        };
        let promotion = stage.and_then(|s| {
            store
                .promotions_in(&s.key.namespace)
                .filter(|p| p.stage == s.key.name)
                .max_by_key(|p| (p.created, p.key.name.clone()))
        });
        let (build, build_link) = self.build_of(app, &image);
        EnvironmentLane {
            env,
            application,
            rollout,
            analysis,
            stage,
            freight,
            build,
            promotion,
            links: Links {
                rollout: rollout_link,
                freight: freight_link,
                build: build_link,
            },
        }
    }

    /// Whether `workflow`'s template or name is `app`'s (the longest application name it is or
    /// starts with, followed by `-`).
    fn named_for(&self, workflow: &WorkflowRow, app: &str) -> bool {
        let index = self.store.index();
        [
            workflow.template.as_deref(),
            Some(workflow.key.name.as_str()),
        ]
        .into_iter()
        .flatten()
        .any(|text| index.application_named_in(text) == Some(app))
    }

    /// The newest Workflow that built `image`: as the application's `[apps."NAME"]` rule says
    /// when it has one; else by the strongest rule that finds one: a parameter is the image
    /// reference; a parameter is its tag and the Workflow is the application's (named for it,
    /// or with a parameter that is the image's repository); its `commitSha` parameter is the
    /// tag.
    fn build_of(&self, app: &str, image: &ImageRef<'_>) -> (Option<&'a WorkflowRow>, &'static str) {
        let (store, index) = (self.store, self.store.index());
        if image.tag.is_empty() && image.digest.is_empty() {
            return (None, "no running image to look up");
        }
        if let Some(rule) = store.correlation().rule(app) {
            let built = |w: &&WorkflowRow| rule.selects(w) && rule.built(w, image);
            return match store.workflows().filter(built).reduce(newer) {
                Some(workflow) => (
                    Some(workflow),
                    "[apps] rule: selected, and its image parameter names the image",
                ),
                None => (None, "[apps] rule: no Workflow it selects names the image"),
            };
        }
        let with = |value: &str| {
            let keys = index.workflows_with_parameter(value);
            keys.filter_map(|key| store.workflow(key))
        };
        if let Some(workflow) = image.keys().find_map(|key| with(&key).next()) {
            return (Some(workflow), "a parameter is the image reference");
        }
        let tagged: Vec<&WorkflowRow> = with(image.tag).collect();
        let applications = tagged.iter().find(|workflow| {
            self.named_for(workflow, app)
                || (workflow.parameters.iter()).any(|(_, v)| v == image.repository)
        });
        if let Some(workflow) = applications {
            return (
                Some(workflow),
                "a parameter is the image tag, and the Workflow is named for the application or names the image repository",
            );
        }
        match tagged
            .iter()
            .find(|w| w.commit.as_deref() == Some(image.tag))
        {
            Some(workflow) => (Some(workflow), "its commitSha parameter is the image tag"),
            None if tagged.is_empty() => {
                (None, "no Workflow parameter is the image reference or tag")
            }
            None => (
                None,
                "Workflows have the tag as a parameter, but none is the application's (not named for it, no parameter names the image repository): no guess",
            ),
        }
    }
}

/// The Rollouts an Application runs: those Argo CD lists among the resources it manages, when
/// it lists them; else (an Application never compared yet) the one in its destination namespace
/// named like the application, else the first there.
fn rollouts_of<'a>(
    store: &'a Store,
    app: &str,
    application: &'a ApplicationRow,
) -> (Vec<&'a RolloutRow>, &'static str) {
    if let Some(managed) = &application.managed {
        let rollouts: Vec<&RolloutRow> = (managed.rollouts.iter())
            .filter_map(|key| store.rollout(key))
            .collect();
        let why = match (managed.rollouts.is_empty(), rollouts.is_empty()) {
            (true, _) => "Argo CD lists what the Application manages, and no Rollout is among it",
            (false, true) => {
                "listed by Argo CD as managed, but not seen here (not watched, or not created yet)"
            }
            (false, false) => "listed by Argo CD among the resources the Application manages",
        };
        return (rollouts, why);
    }
    let namespace = application.destination_namespace.as_str();
    if let Some(named) = store.rollouts_in(namespace).find(|r| r.key.name == app) {
        return (
            vec![named],
            "named like the application in its destination namespace (Argo CD lists no resources yet)",
        );
    }
    match store.rollouts_in(namespace).next() {
        Some(first) => (
            vec![first],
            "the first in its destination namespace (Argo CD lists no resources yet)",
        ),
        None => (
            Vec::new(),
            "none in its destination namespace (Argo CD lists no resources yet)",
        ),
    }
}

/// Every application's Rollouts (each environment's, in promotion order), without the rest of
/// the join: what the metrics ask about.
pub fn rollouts_by_app(store: &Store) -> Vec<(String, &RolloutRow)> {
    applications_by_app(store)
        .flat_map(|(app, mut applications)| {
            applications.sort_by(|a, b| (env_rank(&a.0), &a.0).cmp(&(env_rank(&b.0), &b.0)));
            let rollouts: Vec<&RolloutRow> = applications
                .into_iter()
                .flat_map(|(_, application)| rollouts_of(store, &app, application).0)
                .collect();
            rollouts
                .into_iter()
                .map(move |rollout| (app.clone(), rollout))
        })
        .collect()
}

/// Why the pipeline of `app` shows what it shows: for each Argo CD Application what grouped it
/// under `app`, and for each lane the rule that linked its Rollout, Freight and build (or why
/// none did). `None` when there is no such application.
pub fn explain(store: &Store, app: &str) -> Option<Vec<String>> {
    let (_, applications) = applications_by_app(store).find(|(name, _)| name == app)?;
    let app_label = &store.correlation().app_label;
    let mut lines = vec![format!(
        "{app}: why each cell of its pipeline shows what it shows"
    )];
    for (env, application) in &applications {
        let (_, _, grouped) = application.grouping(app_label);
        lines.push(format!(
            "Application {} (environment {env}): grouped by {grouped}",
            application.key
        ));
    }
    let join = Join::new(store);
    let pipeline = join.pipeline(app.to_string(), applications);
    match pipeline.latest_workflow {
        Some(workflow) => lines.push(format!("latest build {}: the newest Workflow of the application's CI", workflow.key)),
        None => lines.push("latest build: no Workflow is named for the application, names it or its images, or matches its [apps] rule".into()),
    }
    for lane in &pipeline.lanes {
        let named = |key: Option<&ObjectKey>| key.map_or("none".to_string(), ObjectKey::to_string);
        lines.push(String::new());
        lines.push(format!("{} · {}", lane.env, lane.application.key));
        lines.push(format!(
            "  Rollout {}: {}",
            named(lane.rollout.map(|r| &r.key)),
            lane.links.rollout
        ));
        lines.push(format!(
            "  Freight {}: {}",
            named(lane.freight.map(|f| &f.key)),
            lane.links.freight
        ));
        lines.push(format!(
            "  Build {}: {}",
            named(lane.build.map(|w| &w.key)),
            lane.links.build
        ));
    }
    Some(lines)
}

/// Builds the pipelines of every application in the store.
pub fn pipelines(store: &Store) -> Vec<AppPipeline<'_>> {
    let join = Join::new(store);
    applications_by_app(store)
        .map(|(app, applications)| join.pipeline(app, applications))
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

    #[test]
    fn an_application_named_like_the_start_of_another_keeps_its_own_builds() {
        let mut store = Store::default();
        let mut deltas = Vec::new();
        for app in ["app-1", "app-10"] {
            deltas.push(row(Kind::Application, json!({"metadata": {"name": format!("{app}-dev"), "namespace": "argocd", "labels": {"app": app, "env": "dev"}}, "spec": {"destination": {"namespace": app}}})));
        }
        for (name, template, created) in [
            ("app-1-ci-a", "app-1-ci", "2026-11-26T10:00:00Z"),
            ("app-1-ci-b", "app-1-ci", "2026-11-26T11:00:00Z"),
            ("app-10-ci-a", "app-10-ci", "2026-11-26T12:00:00Z"),
        ] {
            deltas.push(row(Kind::Workflow, json!({"metadata": {"name": name, "namespace": "argo", "creationTimestamp": created, "labels": {"workflows.argoproj.io/workflow-template": template}}})));
        }
        store.apply(deltas);
        let latest: Vec<(String, Option<&str>)> = pipelines(&store)
            .iter()
            .map(|p| {
                (
                    p.app.clone(),
                    p.latest_workflow.map(|w| w.key.name.as_str()),
                )
            })
            .collect();
        assert_eq!(
            latest,
            [
                ("app-1".to_string(), Some("app-1-ci-b")),
                ("app-10".to_string(), Some("app-10-ci-a"))
            ]
        );
    }
}
