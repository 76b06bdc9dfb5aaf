//! Simulated Argo Events: EventSources and Sensors get the conditions their controllers set
//! (SourcesProvided/Deployed, DependenciesProvided/TriggersProvided/Deployed), and every push to
//! `main` of the demo-app repo — seen as Gitea's push webhook payload — fires each Sensor whose
//! dependency and data filters match: an `argoWorkflow` trigger with `operation: submit` creates
//! its Workflow with the trigger's parameters applied (`dest: spec.arguments.parameters.0.value`).

use crate::model::Kind;
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::context::{WorldContext, now};
use super::driver;

pub async fn run(ctx: WorldContext) {
    let sources = ctx.api_for(Kind::EventSource, None);
    let sensors = ctx.api_for(Kind::Sensor, None);
    let mut last_head = ctx.repos.demo_app.head().ok();
    driver::run(
        "events",
        vec![sources.clone(), sensors.clone()],
        driver::TICK,
        move || {
            let ctx = ctx.clone();
            let sources = sources.clone();
            let sensors = sensors.clone();
            let head = ctx.repos.demo_app.head().ok();
            let pushed = (head != last_head).then_some(head).flatten();
            let previous = last_head;
            last_head = head;
            async move {
                mark_ready(
                    &ctx,
                    &sources.list(&Default::default()).await?.items,
                    &["SourcesProvided", "Deployed"],
                    "eventsources",
                    "EventSource",
                )
                .await?;
                let sensor_list = sensors.list(&Default::default()).await?.items;
                mark_ready(
                    &ctx,
                    &sensor_list,
                    &["DependenciesProvided", "TriggersProvided", "Deployed"],
                    "sensors",
                    "Sensor",
                )
                .await?;
                if let Some(head) = pushed {
                    let payload = push_payload(
                        &ctx,
                        &head.to_string(),
                        previous.map(|p| p.to_string()).unwrap_or_default(),
                    );
                    for sensor in &sensor_list {
                        fire(&ctx, sensor, &payload).await?;
                    }
                }
                Ok(())
            }
        },
    )
    .await;
}

/// Sets every condition in `types` to True once (status subresource).
async fn mark_ready(
    ctx: &WorldContext,
    objects: &[DynamicObject],
    types: &[&str],
    plural: &str,
    kind: &str,
) -> Result<(), kube::Error> {
    for object in objects {
        let ready = object
            .data
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|c| c.len() == types.len());
        if ready {
            continue;
        }
        let namespace = object.metadata.namespace.clone().unwrap_or_default();
        let name = object.metadata.name.clone().unwrap_or_default();
        let conditions: Vec<Value> = types
            .iter()
            .map(|t| json!({"type": t, "status": "True", "lastTransitionTime": now()}))
            .collect();
        let api = ctx.api("argoproj.io", "v1alpha1", kind, plural, Some(&namespace));
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"conditions": conditions}})),
        )
        .await?;
    }
    Ok(())
}

/// Gitea's push webhook body for a push of `after` to main.
fn push_payload(ctx: &WorldContext, after: &str, before: String) -> Value {
    let head = ctx
        .repos
        .demo_app
        .log(1)
        .ok()
        .and_then(|log| log.into_iter().next());
    json!({"body": {
        "ref": "refs/heads/main",
        "before": before,
        "after": after,
        "repository": {"name": "demo-app", "full_name": "gitops/demo-app", "clone_url": super::git::DEMO_APP_URL},
        "pusher": {"login": head.as_ref().map(|c| c.author.clone()).unwrap_or_default()},
        "head_commit": {"id": after, "message": head.map(|c| c.message).unwrap_or_default()},
    }})
}

/// The value at a dotted path (`body.ref`) of the event.
fn lookup<'a>(event: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(event, |value, key| value.get(key))
}

/// Whether every data filter of `dependency` matches the event.
fn filters_match(dependency: &Value, event: &Value) -> bool {
    dependency
        .pointer("/filters/data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .all(|filter| {
            let Some(path) = filter.get("path").and_then(Value::as_str) else {
                return false;
            };
            let actual = lookup(event, path)
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .unwrap_or_default();
            filter
                .get("value")
                .and_then(Value::as_array)
                .is_some_and(|values| values.iter().any(|v| v.as_str() == Some(actual.as_str())))
        })
}

/// Sets the value at a dotted destination path with numeric indices (`spec.arguments.parameters.0.value`).
fn set_path(target: &mut Value, path: &str, value: Value) {
    let mut current = target;
    let parts: Vec<&str> = path.split('.').collect();
    for (index, part) in parts.iter().enumerate() {
        let last = index + 1 == parts.len();
        let next = match part.parse::<usize>() {
            Ok(position) => current.get_mut(position),
            Err(_) => {
                if !current.is_object() {
                    return;
                }
                if last {
                    current[*part] = value;
                    return;
                }
                Some(&mut current[*part])
            }
        };
        match next {
            Some(next) if last => {
                *next = value;
                return;
            }
            Some(next) => current = next,
            None => return,
        }
    }
}

/// Runs the Sensor's triggers if one of its dependencies is the demo-app push and matches.
async fn fire(
    ctx: &WorldContext,
    sensor: &DynamicObject,
    event: &Value,
) -> Result<(), kube::Error> {
    let spec = sensor.data.get("spec").cloned().unwrap_or_default();
    let Some(dependency) = spec
        .get("dependencies")
        .and_then(Value::as_array)
        .and_then(|deps| {
            deps.iter()
                .find(|d| {
                    d.get("eventSourceName").and_then(Value::as_str) == Some("gitea-eventsource")
                        && d.get("eventName").and_then(Value::as_str) == Some("demo-app")
                })
                .cloned()
        })
    else {
        return Ok(());
    };
    if !filters_match(&dependency, event) {
        return Ok(());
    }
    let dependency_name = dependency
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let sensor_name = sensor.metadata.name.clone().unwrap_or_default();
    for trigger in spec
        .get("triggers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(workflow) = trigger.pointer("/template/argoWorkflow") else {
            continue;
        };
        if workflow
            .get("operation")
            .and_then(Value::as_str)
            .unwrap_or("submit")
            != "submit"
        {
            continue;
        }
        let Some(mut resource) = workflow.pointer("/source/resource").cloned() else {
            continue;
        };
        for parameter in workflow
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if parameter
                .pointer("/src/dependencyName")
                .and_then(Value::as_str)
                != Some(dependency_name)
            {
                continue;
            }
            let value = parameter
                .pointer("/src/dataKey")
                .and_then(Value::as_str)
                .and_then(|key| lookup(event, key))
                .cloned()
                .unwrap_or(Value::Null);
            if let Some(dest) = parameter.get("dest").and_then(Value::as_str) {
                set_path(&mut resource, dest, value);
            }
        }
        let trigger_name = trigger
            .pointer("/template/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        resource["metadata"]["labels"]["events.argoproj.io/sensor"] = json!(sensor_name);
        resource["metadata"]["labels"]["events.argoproj.io/trigger"] = json!(trigger_name);
        resource["metadata"]["labels"]["events.argoproj.io/action-timestamp"] = json!(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0)
                .to_string()
        );
        let namespace = resource
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("argo-workflows")
            .to_string();
        let object: DynamicObject =
            serde_json::from_value(resource).map_err(kube::Error::SerdeError)?;
        let workflows = ctx.api_for(Kind::Workflow, Some(&namespace));
        match workflows.create(&PostParams::default(), &object).await {
            Ok(created) => {
                tracing::info!(workflow = ?created.metadata.name, "sensor submitted a workflow")
            }
            Err(error) => tracing::warn!(%error, sensor = sensor_name, "trigger failed"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_land_at_their_destination() {
        let mut resource = json!({"spec": {"arguments": {"parameters": [{"name": "commitSha", "value": ""}, {"name": "branch", "value": "main"}]}}});
        set_path(
            &mut resource,
            "spec.arguments.parameters.0.value",
            json!("abc"),
        );
        assert_eq!(
            resource["spec"]["arguments"]["parameters"][0]["value"],
            "abc"
        );
        set_path(
            &mut resource,
            "spec.arguments.parameters.9.value",
            json!("x"),
        );
        assert_eq!(
            resource["spec"]["arguments"]["parameters"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        let event = json!({"body": {"ref": "refs/heads/main"}});
        assert!(filters_match(
            &json!({"filters": {"data": [{"path": "body.ref", "value": ["refs/heads/main"]}]}}),
            &event
        ));
        assert!(!filters_match(
            &json!({"filters": {"data": [{"path": "body.ref", "value": ["refs/heads/dev"]}]}}),
            &event
        ));
        assert!(filters_match(&json!({}), &event));
    }
}
