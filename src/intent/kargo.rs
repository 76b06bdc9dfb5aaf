//! Kargo actions written straight to the Kubernetes API (semantics doc §4.5–4.8): a Promotion
//! created with the full body older Kargo needs (name `<stage>.<ulid>.<freight[0:7]>`, the
//! Stage's steps and vars — 1.11+ overwrites them, so it is accepted by 1.0 through 1.11) after
//! the availability check the API server makes; approval as a merge patch of `freights/status`;
//! abort and reverify as annotations. Pure.

use serde_json::{Value, json};

use super::request::{Access, create, merge_patch};
use super::{Context, Intent, Planned, Reads};
use crate::model::Kind;
use crate::model::freight_availability::{
    Availability, FreightRecord, FreightRequest, availability,
};
use crate::model::json::{str_at, text};
use crate::model::time::human_age;

pub fn plan(intent: &Intent, reads: &Reads, context: &Context) -> Result<Planned, String> {
    let (_, key) = intent.target();
    let project = &key.namespace;
    Ok(match intent {
        Intent::PromoteFreight { stage, freight } => {
            let stage_object = &reads.target;
            let freight_object = reads
                .related
                .first()
                .ok_or_else(|| format!("freight {freight} not found"))?;
            let steps = stage_object
                .pointer("/spec/promotionTemplate/spec/steps")
                .and_then(Value::as_array)
                .filter(|steps| !steps.is_empty())
                .ok_or("the stage has no promotion steps (a control-flow stage cannot be promoted into)")?;
            available(stage_object, freight_object, context)?;
            let mut vars: Vec<Value> = Vec::new();
            for pointer in ["/spec/vars", "/spec/promotionTemplate/spec/vars"] {
                if let Some(more) = stage_object.pointer(pointer).and_then(Value::as_array) {
                    vars.extend(more.iter().cloned());
                }
            }
            let short: String = freight.chars().take(7).collect();
            let name = format!("{}.{}.{short}", stage.name, ulid(context)).to_lowercase();
            let mut spec = json!({"stage": stage.name, "freight": freight, "steps": steps});
            if !vars.is_empty() {
                spec["vars"] = json!(vars);
            }
            let promotion = json!({
                "apiVersion": "kargo.akuity.io/v1alpha1",
                "kind": "Promotion",
                "metadata": {"name": name, "namespace": project},
                "spec": spec,
            });
            (
                vec![create(Kind::Promotion, project, promotion)],
                format!(
                    "kargo promote --project {project} --freight {freight} --stage {}",
                    stage.name
                ),
                None,
            )
        }
        // pkg/server/approve_freight_v1alpha1.go, then kubeclient.PatchStatus.
        Intent::ApproveFreight { freight, stage } => {
            let freight_object = &reads.target;
            let stage_object = reads
                .related
                .first()
                .ok_or_else(|| format!("stage {stage} not found"))?;
            if !requests_origin(stage_object, freight_object) {
                return Err(format!(
                    "stage {stage} does not request freight from this freight's origin"
                ));
            }
            if freight_object
                .pointer(&format!("/status/approvedFor/{stage}"))
                .is_some()
            {
                return Err(format!("the freight is already approved for {stage}"));
            }
            (
                vec![merge_patch(
                    Kind::Freight,
                    freight,
                    "status",
                    json!({"status": {"approvedFor": {stage.as_str(): {"approvedAt": context.now}}}}),
                )],
                format!(
                    "kargo approve --project {project} --freight {} --stage {stage}",
                    freight.name
                ),
                None,
            )
        }
        // pkg/api/promotion.go `AbortPromotion`.
        Intent::AbortPromotion(promotion) => {
            let phase = str_at(&reads.target, "/status/phase");
            if matches!(phase, "Succeeded" | "Failed" | "Errored" | "Aborted") {
                return Err(format!("the promotion already ended ({phase})"));
            }
            (
                vec![merge_patch(
                    Kind::Promotion,
                    promotion,
                    "",
                    json!({"metadata": {"annotations": {"kargo.akuity.io/abort": json!({"action": "terminate"}).to_string()}}}),
                )],
                format!(
                    "kargo abort promotion --project {project} {}",
                    promotion.name
                ),
                None,
            )
        }
        // pkg/api/stage.go `ReverifyStageFreight`.
        Intent::Reverify(stage) => {
            let id = text(
                &reads.target,
                "/status/freightHistory/0/verificationHistory/0/id",
            )
            .filter(|id| !id.is_empty())
            .ok_or("the stage has no current verification to run again")?;
            (
                vec![merge_patch(
                    Kind::Stage,
                    stage,
                    "",
                    json!({"metadata": {"annotations": {"kargo.akuity.io/reverify": json!({"id": id}).to_string()}}}),
                )],
                format!("kargo verify stage --project {project} {}", stage.name),
                None,
            )
        }
        _ => return Err(format!("{} is not a Kargo action", intent.verb())),
    })
}

/// Kargo's custom verb `promote` on the Stage: its API server checks it before promoting or
/// approving (`promote_to_stage_v1alpha1.go`, `approve_freight_v1alpha1.go`), and its Promotion
/// webhook on create and on update (an abort). Kubernetes RBAC alone would let an approval
/// through `freights/status` skip it.
pub fn promote_permission(intent: &Intent, reads: &Reads) -> Option<Access> {
    let (namespace, stage) = match intent {
        Intent::PromoteFreight { stage, .. } => (&stage.namespace, stage.name.as_str()),
        Intent::ApproveFreight { freight, stage } => (&freight.namespace, stage.as_str()),
        Intent::AbortPromotion(promotion) => {
            (&promotion.namespace, str_at(&reads.target, "/spec/stage"))
        }
        _ => return None,
    };
    Some(Access {
        group: "kargo.akuity.io",
        resource: "stages",
        subresource: "",
        verb: "promote",
        namespace: namespace.clone(),
        name: stage.to_string(),
    })
}

/// Whether `stage` asks for Freight from `freight`'s origin.
fn requests_origin(stage: &Value, freight: &Value) -> bool {
    let origin = (
        str_at(freight, "/origin/kind"),
        str_at(freight, "/origin/name"),
    );
    stage
        .pointer("/spec/requestedFreight")
        .and_then(Value::as_array)
        .is_some_and(|requests| {
            requests
                .iter()
                .any(|r| (str_at(r, "/origin/kind"), str_at(r, "/origin/name")) == origin)
        })
}

/// `Stage.IsFreightAvailable` (the API server's check, and the Promotion webhook's refusal
/// "Freight is not available to this Stage"); a Freight that only waits on a soak time is
/// refused with how long is left.
fn available(stage: &Value, freight: &Value, context: &Context) -> Result<(), String> {
    let now = i64::try_from(context.now_millis / 1000).unwrap_or(i64::MAX);
    match availability(
        str_at(stage, "/metadata/namespace"),
        str_at(stage, "/metadata/name"),
        &FreightRequest::of_stage(stage),
        &FreightRecord::of_freight(freight),
        now,
    ) {
        Availability::Available => Ok(()),
        Availability::Soaking(left) => Err(format!(
            "Freight is not available to this Stage yet: it must soak upstream for {} more (requiredSoakTime)",
            human_age(left)
        )),
        Availability::NotAvailable => Err("Freight is not available to this Stage".into()),
    }
}

/// A ULID (48 bits of milliseconds, 80 random bits) in Crockford base32, as Kargo names
/// Promotions.
pub fn ulid(context: &Context) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut value: u128 = u128::from(context.now_millis & 0xFFFF_FFFF_FFFF) << 80;
    for (index, byte) in context.random.iter().enumerate() {
        value |= u128::from(*byte) << (72 - 8 * index);
    }
    (0..26)
        .rev()
        .map(|index| ALPHABET[((value >> (5 * index)) & 31) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectKey;

    fn context() -> Context {
        Context {
            now: "2026-11-26T12:00:00Z".into(),
            now_millis: 1_795_000_000_000,
            random: [0xff; 10],
            user: None,
            zone_offset: |_| 0,
        }
    }

    fn stage(name: &str, sources: Value) -> Value {
        json!({"metadata": {"name": name, "namespace": "p"}, "spec": {"vars": [{"name": "a", "value": "1"}], "requestedFreight": [{"origin": {"kind": "Warehouse", "name": "w"}, "sources": sources}], "promotionTemplate": {"spec": {"vars": [{"name": "b", "value": "2"}], "steps": [{"uses": "git-clone"}]}}}})
    }

    fn freight(status: Value) -> Value {
        json!({"metadata": {"name": "abcdef1234", "namespace": "p"}, "origin": {"kind": "Warehouse", "name": "w"}, "status": status})
    }

    fn planned(intent: Intent, target: Value, related: Vec<Value>) -> Result<Planned, String> {
        plan(&intent, &Reads { target, related }, &context())
    }

    #[test]
    fn ulid_is_26_crockford_characters_led_by_time() {
        let id = ulid(&context());
        assert_eq!(id.len(), 26);
        assert!(
            id.ends_with("ZZZZZZZZZZZZZZZZ"),
            "80 random bits of ones: {id}"
        );
        assert!(
            id.chars()
                .all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c))
        );
    }

    #[test]
    fn promote_checks_availability_and_sends_the_full_body() {
        let promote = Intent::PromoteFreight {
            stage: ObjectKey::new("p", "staging"),
            freight: "abcdef1234".into(),
        };
        let upstream = stage("staging", json!({"stages": ["dev"]}));
        let (requests, cli, _) = planned(
            promote.clone(),
            upstream.clone(),
            vec![freight(json!({"verifiedIn": {"dev": {}}}))],
        )
        .expect("promote");
        let body = &requests[0].body;
        assert_eq!(
            requests[0].path,
            "/apis/kargo.akuity.io/v1alpha1/namespaces/p/promotions"
        );
        let name = body["metadata"]["name"].as_str().unwrap_or_default();
        assert!(
            name.starts_with("staging.") && name.ends_with(".abcdef1") && name.len() == 8 + 26 + 8,
            "{name}"
        );
        assert_eq!(name, name.to_lowercase());
        assert_eq!(
            body["spec"],
            json!({"stage": "staging", "freight": "abcdef1234", "steps": [{"uses": "git-clone"}], "vars": [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}]})
        );
        assert_eq!(
            cli,
            "kargo promote --project p --freight abcdef1234 --stage staging"
        );
        assert_eq!(
            planned(promote.clone(), upstream.clone(), vec![freight(json!({}))]).err(),
            Some("Freight is not available to this Stage".into())
        );
        assert!(
            planned(
                promote.clone(),
                upstream,
                vec![freight(json!({"approvedFor": {"staging": {}}}))]
            )
            .is_ok()
        );
        assert!(
            planned(
                promote.clone(),
                stage("staging", json!({"direct": true})),
                vec![freight(json!({}))]
            )
            .is_ok()
        );
        // v1.11: the origin first, then approvals; an empty strategy is OneOf; soak times count.
        let mut other_origin = freight(json!({"approvedFor": {"staging": {}}}));
        other_origin["origin"]["name"] = json!("other");
        assert_eq!(
            planned(
                promote.clone(),
                stage("staging", json!({"stages": ["dev"]})),
                vec![other_origin]
            )
            .err(),
            Some("Freight is not available to this Stage".into())
        );
        assert!(
            planned(
                promote.clone(),
                stage("staging", json!({"stages": ["dev", "qa"]})),
                vec![freight(json!({"verifiedIn": {"qa": {}}}))]
            )
            .is_ok(),
            "OneOf"
        );
        assert_eq!(
            planned(
                promote.clone(),
                stage("staging", json!({"stages": ["dev"], "requiredSoakTime": "1h"})),
                vec![freight(json!({"verifiedIn": {"dev": {"longestSoak": "35m0s"}}}))]
            )
            .err(),
            Some("Freight is not available to this Stage yet: it must soak upstream for 25m more (requiredSoakTime)".into())
        );
        let control_flow = json!({"metadata": {"name": "staging", "namespace": "p"}, "spec": {}});
        assert!(
            planned(promote, control_flow, vec![freight(json!({}))])
                .is_err_and(|e| e.contains("control-flow"))
        );
    }

    #[test]
    fn promote_approve_and_abort_need_the_promote_verb_on_the_stage() {
        let stage_of = |intent: Intent, target: Value| {
            let reads = Reads {
                target,
                related: vec![],
            };
            promote_permission(&intent, &reads)
                .map(|a| (a.group, a.resource, a.verb, a.namespace, a.name))
        };
        let promote = |name: &str| {
            Some((
                "kargo.akuity.io",
                "stages",
                "promote",
                "p".to_string(),
                name.to_string(),
            ))
        };
        assert_eq!(
            stage_of(
                Intent::PromoteFreight {
                    stage: ObjectKey::new("p", "staging"),
                    freight: "f".into()
                },
                json!({})
            ),
            promote("staging")
        );
        assert_eq!(
            stage_of(
                Intent::ApproveFreight {
                    freight: ObjectKey::new("p", "f"),
                    stage: "prod".into()
                },
                json!({})
            ),
            promote("prod")
        );
        assert_eq!(
            stage_of(
                Intent::AbortPromotion(ObjectKey::new("p", "prod.x.f")),
                json!({"spec": {"stage": "prod"}})
            ),
            promote("prod")
        );
        assert_eq!(
            stage_of(Intent::Reverify(ObjectKey::new("p", "prod")), json!({})),
            None
        );
    }

    #[test]
    fn approve_abort_reverify() {
        let approve = Intent::ApproveFreight {
            freight: ObjectKey::new("p", "abcdef1234"),
            stage: "prod".into(),
        };
        let (requests, cli, _) = planned(
            approve.clone(),
            freight(json!({})),
            vec![stage("prod", json!({"stages": ["staging"]}))],
        )
        .expect("approve");
        assert_eq!(
            requests[0].path,
            "/apis/kargo.akuity.io/v1alpha1/namespaces/p/freights/abcdef1234/status"
        );
        assert_eq!(
            requests[0].body,
            json!({"status": {"approvedFor": {"prod": {"approvedAt": "2026-11-26T12:00:00Z"}}}})
        );
        assert_eq!(
            cli,
            "kargo approve --project p --freight abcdef1234 --stage prod"
        );
        assert!(
            planned(
                approve.clone(),
                freight(json!({"approvedFor": {"prod": {}}})),
                vec![stage("prod", json!({}))]
            )
            .is_err()
        );
        let other_origin = json!({"metadata": {"name": "prod", "namespace": "p"}, "spec": {"requestedFreight": [{"origin": {"kind": "Warehouse", "name": "other"}}]}});
        assert!(
            planned(approve, freight(json!({})), vec![other_origin])
                .is_err_and(|e| e.contains("origin"))
        );
        let abort = Intent::AbortPromotion(ObjectKey::new("p", "prod.x.abc"));
        let (requests, _, _) = planned(
            abort.clone(),
            json!({"status": {"phase": "Running"}}),
            vec![],
        )
        .expect("abort");
        assert_eq!(
            requests[0].body,
            json!({"metadata": {"annotations": {"kargo.akuity.io/abort": "{\"action\":\"terminate\"}"}}})
        );
        assert!(planned(abort, json!({"status": {"phase": "Succeeded"}}), vec![]).is_err());
        let reverify = Intent::Reverify(ObjectKey::new("p", "dev"));
        let (requests, _, _) = planned(
            reverify.clone(),
            json!({"status": {"freightHistory": [{"verificationHistory": [{"id": "v1"}]}]}}),
            vec![],
        )
        .expect("reverify");
        assert_eq!(
            requests[0].body,
            json!({"metadata": {"annotations": {"kargo.akuity.io/reverify": "{\"id\":\"v1\"}"}}})
        );
        assert!(planned(reverify, json!({}), vec![]).is_err());
    }
}
