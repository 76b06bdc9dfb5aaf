//! Warehouse discovery: a Freight for every image of the simulated registry, named and aliased as
//! Kargo does, and the Warehouse's status.

use crate::model::Kind;
use crate::model::json::str_at as text;
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{GROUP, VERSION, value_of};
use crate::demo::world::context::{ImageRegistry, image_digest};
use crate::demo::world::context::{WorldContext, now};

use super::{alias, freight_name};

/// Creates Freight for every image the registry has that the Warehouse has not seen.
pub(super) async fn discover(
    ctx: &WorldContext,
    project: &str,
    warehouse: &DynamicObject,
) -> Result<(), kube::Error> {
    let name = warehouse.metadata.name.clone().unwrap_or_default();
    let value = value_of(warehouse);
    let subscribed = value
        .pointer("/spec/subscriptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|s| text(s, "/image/repoURL") == ImageRegistry::REPOSITORY);
    if !subscribed {
        return Ok(());
    }
    let freights = ctx.api_for(Kind::Freight, Some(project));
    let existing = freights.list(&Default::default()).await?.items;
    let mut aliases: Vec<String> = existing
        .iter()
        .filter_map(|f| {
            f.data
                .get("alias")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    let mut last = text(&value, "/status/lastFreightID").to_string();
    let tags = ctx.registry.tags();
    for (tag, _) in &tags {
        let freight = freight_name(&name, tag);
        if existing
            .iter()
            .any(|f| f.metadata.name.as_deref() == Some(freight.as_str()))
        {
            continue;
        }
        let alias = alias(&freight, &aliases);
        aliases.push(alias.clone());
        let object = json!({
            "apiVersion": format!("{GROUP}/{VERSION}"), "kind": "Freight",
            "metadata": {"name": freight, "namespace": project, "labels": {"kargo.akuity.io/alias": alias}},
            "alias": alias,
            "origin": {"kind": "Warehouse", "name": name},
            "images": [{"repoURL": ImageRegistry::REPOSITORY, "tag": tag, "digest": image_digest(tag)}],
        });
        let object: DynamicObject =
            serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
        match freights.create(&PostParams::default(), &object).await {
            Ok(_) | Err(kube::Error::Api(_)) => {}
            Err(error) => return Err(error),
        }
        last = freight;
    }
    let references: Vec<Value> = tags
        .iter()
        .rev()
        .map(|(tag, _)| json!({"tag": tag, "digest": image_digest(tag)}))
        .collect();
    let status = json!({
        "conditions": [{"type": "Ready", "status": "True", "reason": "Ready", "message": "", "lastTransitionTime": text(&value, "/status/conditions/0/lastTransitionTime").is_empty().then(now).unwrap_or_else(|| text(&value, "/status/conditions/0/lastTransitionTime").to_string())}],
        "lastFreightID": last,
        "observedGeneration": warehouse.metadata.generation.unwrap_or(1),
        "discoveredArtifacts": {"images": [{"repoURL": ImageRegistry::REPOSITORY, "references": references}]},
    });
    if !value
        .get("status")
        .is_some_and(|s| crate::demo::world::argocd::contains(s, &status))
    {
        ctx.api_for(Kind::Warehouse, Some(project))
            .patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": status})),
            )
            .await?;
    }
    Ok(())
}
