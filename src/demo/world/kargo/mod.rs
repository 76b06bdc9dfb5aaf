//! Simulated Kargo controllers (v1 shapes). The Warehouse turns each image in the registry into
//! Freight (name = SHA-1 of origin and artifacts, a random adjective-animal alias); Stages track
//! their current Freight (`status.freightHistory`), health (from their Argo CD app) and
//! verification (AnalysisRuns from `spec.verification`, → Freight `verifiedIn`); dev
//! auto-promotes (ProjectConfig); Promotions — made by the world or by anyone through the API —
//! run their steps (git-clone, kustomize-set-image, git-commit, git-push, argocd-update) with a
//! real commit to the stage's overlay, and honour the abort, reverify and refresh annotations.

mod promotion;
mod stage;
mod warehouse;

use crate::model::Kind;
use std::sync::{Arc, Mutex};

use crate::model::json::str_at as text;
use kube::api::{DynamicObject, Patch, PatchParams};
use rand::Rng;
use serde_json::{Value, json};
use sha1::Digest;

use promotion::advance_promotion;
pub use promotion::create_promotion;
use stage::reconcile_stage;
use warehouse::discover;

use super::context::{ImageRegistry, WorldContext, image_digest, now};
use super::driver;
use super::timers::Timers;

pub(super) const GROUP: &str = "kargo.akuity.io";
pub(super) const VERSION: &str = "v1alpha1";
/// World seconds each promotion step takes.
const STEP_SECONDS: f64 = 2.0;

pub(super) fn sha1_hex(text: &str) -> String {
    sha1::Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Kargo's Freight ID for one image from a Warehouse.
pub fn freight_name(warehouse: &str, tag: &str) -> String {
    sha1_hex(&format!(
        "Warehouse/{warehouse}:{}:{tag}@{}",
        ImageRegistry::REPOSITORY,
        image_digest(tag)
    ))
}

/// A lowercase ULID (time-ordered), as Kargo names Promotions and verification runs.
pub fn ulid() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let random: u128 = rand::thread_rng().r#gen::<u128>() & ((1u128 << 80) - 1);
    let value = (millis << 80) | random;
    (0..26)
        .rev()
        .map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// An adjective-animal alias chosen from `seed`.
pub(super) fn alias(seed: &str, taken: &[String]) -> String {
    const ADJECTIVES: &[&str] = &[
        "mighty", "wonky", "sleepy", "brave", "clever", "fuzzy", "jolly", "nimble", "quiet",
        "rusty", "shiny", "witty",
    ];
    const ANIMALS: &[&str] = &[
        "fox", "wombat", "otter", "heron", "lynx", "badger", "gecko", "koala", "puffin", "tapir",
        "yak", "zebra",
    ];
    let hash = u64::from_str_radix(&sha1_hex(seed)[..12], 16).unwrap_or(0);
    (0..)
        .map(|n| {
            let pick = hash.wrapping_add(n * 7919);
            let candidate = format!(
                "{}-{}",
                ADJECTIVES[(pick % 12) as usize],
                ANIMALS[(pick / 12 % 12) as usize]
            );
            if n < 144 {
                candidate
            } else {
                format!("{candidate}-{n}")
            }
        })
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_default()
}

pub(super) fn value_of(object: &DynamicObject) -> Value {
    serde_json::to_value(object).unwrap_or_default()
}

pub async fn run(ctx: WorldContext) {
    let apis = ["warehouses", "stages", "freights", "promotions", "projects"].map(|plural| {
        let kind = match plural {
            "warehouses" => "Warehouse",
            "stages" => "Stage",
            "freights" => "Freight",
            "promotions" => "Promotion",
            _ => "Project",
        };
        ctx.api(GROUP, VERSION, kind, plural, None)
    });
    let watched = vec![
        apis[0].clone(),
        apis[1].clone(),
        apis[2].clone(),
        apis[3].clone(),
        ctx.api_for(Kind::AnalysisRun, None),
    ];
    let timers = Arc::new(Mutex::new(Timers::default()));
    driver::run("kargo", watched, driver::TICK, || {
        let ctx = ctx.clone();
        let timers = timers.clone();
        async move {
            for project in ctx.api(GROUP, VERSION, "Project", "projects", None).list(&Default::default()).await?.items {
                let name = project.metadata.name.clone().unwrap_or_default();
                if project.data.pointer("/status/conditions").is_none() {
                    let conditions = json!([{"type": "Ready", "status": "True", "reason": "Ready", "message": "", "lastTransitionTime": now()}]);
                    ctx.api(GROUP, VERSION, "Project", "projects", None).patch_status(&name, &PatchParams::default(), &Patch::Merge(json!({"status": {"conditions": conditions}}))).await?;
                }
                if let Err(error) = reconcile_project(&ctx, &timers, &name).await {
                    tracing::debug!(%error, project = name, "kargo reconcile failed");
                }
            }
            Ok(())
        }
    })
    .await;
}

async fn reconcile_project(
    ctx: &WorldContext,
    timers: &Mutex<Timers>,
    project: &str,
) -> Result<(), kube::Error> {
    let warehouses = ctx.api_for(Kind::Warehouse, Some(project));
    for warehouse in warehouses.list(&Default::default()).await?.items {
        discover(ctx, project, &warehouse).await?;
    }
    let promotions = ctx.api_for(Kind::Promotion, Some(project));
    let mut running_stages: Vec<String> = Vec::new();
    let mut list = promotions.list(&Default::default()).await?.items;
    list.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    for promotion in &list {
        let stage = text(&promotion.data, "/spec/stage").to_string();
        let phase = text(&promotion.data, "/status/phase").to_string();
        if matches!(
            phase.as_str(),
            "Succeeded" | "Failed" | "Errored" | "Aborted"
        ) {
            continue;
        }
        // One promotion per stage at a time, oldest first.
        if running_stages.contains(&stage) {
            continue;
        }
        running_stages.push(stage);
        advance_promotion(ctx, timers, project, promotion).await?;
    }
    let stages = ctx.api_for(Kind::Stage, Some(project));
    for stage in stages.list(&Default::default()).await?.items {
        reconcile_stage(ctx, project, &stage, &running_stages).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::promotion::expand;
    use super::stage::available;
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn names_aliases_and_expansion() {
        assert_eq!(freight_name("w", "t").len(), 40);
        assert_eq!(freight_name("w", "t"), freight_name("w", "t"));
        let id = ulid();
        assert_eq!(id.len(), 26);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        let first = alias("abc", &[]);
        assert!(first.contains('-'));
        assert_ne!(alias("abc", std::slice::from_ref(&first)), first);
        let vars = BTreeMap::from([("gitRepo".to_string(), "http://x/repo.git".to_string())]);
        assert_eq!(
            expand(
                &json!({"repoURL": "${{ vars.gitRepo }}", "path": "./src/overlays/${{ ctx.stage }}"}),
                &vars,
                "dev"
            ),
            json!({"repoURL": "http://x/repo.git", "path": "./src/overlays/dev"})
        );
        let requested = json!({"sources": {"stages": ["dev"]}});
        assert!(available(
            &json!({"status": {"verifiedIn": {"dev": {}}}}),
            &requested,
            "staging"
        ));
        assert!(!available(&json!({"status": {}}), &requested, "staging"));
        assert!(available(
            &json!({"status": {"approvedFor": {"staging": {}}}}),
            &requested,
            "staging"
        ));
    }
}
