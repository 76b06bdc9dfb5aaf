//! Argo CD Application rows: sync, health, revision, operation, destination and the Kargo Stage
//! it is linked to (`kargo.akuity.io/authorized-stage`).

use crate::model::json::At;
use serde_json::Value;

use crate::model::Labels;
use crate::model::json::{annotation, integer, owner, string, text};
use crate::model::key::ObjectKey;
use crate::model::phase::{Health, SyncStatus};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplicationRow {
    pub key: ObjectKey,
    pub labels: Labels,
    pub sync: SyncStatus,
    pub health: Health,
    /// The revision compared against (a commit SHA).
    pub revision: String,
    pub destination_namespace: String,
    pub path: String,
    /// `status.operationState.phase` of the current or last operation.
    pub operation_phase: Option<String>,
    /// An operation is requested or running.
    pub operation_requested: bool,
    pub auto_sync: bool,
    /// The Kargo Stage allowed to sync it, as (project, stage).
    pub kargo_stage: Option<(String, String)>,
    /// The ApplicationSet that generated it (its controlling owner).
    pub application_set: Option<String>,
    /// `env` label.
    pub env: Option<String>,
    pub images: Vec<String>,
    /// Message of the first condition (a comparison error, say).
    pub condition: Option<String>,
    /// What Argo CD says it manages (`status.resources`), when it says.
    pub managed: Option<Managed>,
}

/// The compact projection of an Application's `status.resources`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Managed {
    /// Its Argo Rollouts (a namespace left out is the destination's).
    pub rollouts: Vec<ObjectKey>,
    /// How many other resources.
    pub others: usize,
}

/// The mark the watchers' decoder leaves in `status` for the resources it did not keep (only
/// the Rollout entries of `status.resources` are kept).
pub const OTHER_RESOURCES: &str = "flightdeckOtherResources";

/// Whether a `status.resources` entry is an Argo Rollout.
pub fn is_rollout_entry(group: Option<&str>, kind: Option<&str>) -> bool {
    group == Some("argoproj.io") && kind == Some("Rollout")
}

/// `status.resources` as [`Managed`], when it is a list.
fn managed(object: &Value, destination: &str) -> Option<Managed> {
    let entries = object.at("/status/resources")?.as_array()?;
    let mut managed = Managed {
        others: integer(object, &format!("/status/{OTHER_RESOURCES}"))
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0),
        ..Managed::default()
    };
    for entry in entries {
        let field = |name| entry.get(name).and_then(Value::as_str);
        if is_rollout_entry(field("group"), field("kind")) {
            let namespace = field("namespace")
                .filter(|n| !n.is_empty())
                .unwrap_or(destination);
            managed
                .rollouts
                .push(ObjectKey::new(namespace, field("name").unwrap_or_default()));
        } else {
            managed.others += 1;
        }
    }
    Some(managed)
}

impl ApplicationRow {
    /// The application this Argo CD Application belongs to and its environment, from the
    /// strongest grouping it carries: its Kargo Project (the environment: its Stage), the
    /// ApplicationSet that generated it (the environment: its name without the set's), the
    /// `app_label` label (the environment: its name without the application's), else its name
    /// (the environment: the name's last `-` part). An `env` label always names the environment.
    pub fn app_and_env(&self, app_label: &str) -> (String, String) {
        let (app, env, _) = self.grouping(app_label);
        (app, env)
    }

    /// [`Self::app_and_env`], with what grouped it.
    pub fn grouping(&self, app_label: &str) -> (String, String, &'static str) {
        let name = self.key.name.as_str();
        let without = |group: &str| {
            let rest = name
                .strip_prefix(group)
                .and_then(|rest| rest.strip_prefix('-'))
                .or_else(|| name.strip_suffix(group)?.strip_suffix('-'));
            rest.filter(|rest| !rest.is_empty()).map(str::to_string)
        };
        let last_part = || name.rsplit_once('-').map(|(_, e)| e.to_string());
        let (app, env, why) = if let Some((project, stage)) = &self.kargo_stage {
            let why = "its Kargo Project (the authorized-stage annotation)";
            (project.clone(), stage.clone(), why)
        } else if let Some(set) = &self.application_set {
            let env = without(set).unwrap_or_else(|| name.to_string());
            (set.clone(), env, "the ApplicationSet that generated it")
        } else if let Some(app) = self.labels.get(app_label).filter(|app| !app.is_empty()) {
            let env = without(app).or_else(last_part).unwrap_or_default();
            (app.to_string(), env, "its application label (app_label)")
        } else {
            let env = last_part().unwrap_or_default();
            let app = name.strip_suffix(&format!("-{env}")).unwrap_or(name);
            let why = "its name (the last `-` part is the environment)";
            (app.to_string(), env, why)
        };
        (app, self.env.clone().unwrap_or(env), why)
    }

    pub fn from_object(object: &Value) -> Self {
        let automated = object.at("/spec/syncPolicy/automated");
        let auto_sync = automated.is_some_and(|a| {
            a.is_object() && a.get("enabled").and_then(Value::as_bool) != Some(false)
        });
        let kargo_stage = annotation(object, "kargo.akuity.io/authorized-stage")
            .and_then(|v| v.split_once(':'))
            .map(|(p, s)| (p.to_string(), s.to_string()));
        let label = |key: &str| {
            object
                .at(&format!("/metadata/labels/{key}"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let destination_namespace = string(object, "/spec/destination/namespace");
        Self {
            key: ObjectKey::of(object),
            labels: Labels::of(object),
            managed: managed(object, &destination_namespace),
            sync: SyncStatus::parse(text(object, "/status/sync/status").unwrap_or_default()),
            health: Health::parse(text(object, "/status/health/status").unwrap_or_default()),
            // Multi-source Applications (Argo CD 2.6+) report `revisions`, one per source.
            revision: text(object, "/status/sync/revision")
                .or_else(|| text(object, "/status/sync/revisions/0"))
                .unwrap_or_default()
                .to_string(),
            destination_namespace,
            path: text(object, "/spec/source/path")
                .or_else(|| text(object, "/spec/sources/0/path"))
                .unwrap_or_default()
                .to_string(),
            operation_phase: text(object, "/status/operationState/phase").map(str::to_string),
            operation_requested: object.get("operation").is_some_and(Value::is_object),
            auto_sync,
            kargo_stage,
            application_set: owner(object, "ApplicationSet"),
            env: label("env"),
            images: object
                .at("/status/summary/images")
                .and_then(Value::as_array)
                .map(|i| {
                    i.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            condition: text(object, "/status/conditions/0/message").map(str::to_string),
        }
    }
}
