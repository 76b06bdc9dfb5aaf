//! Kargo's own table of cases for `IsFreightAvailable` (`api/v1alpha1/stage_types_test.go`,
//! v1.11.2), written as Stage and Freight objects of our own, plus what upstream's yes/no does
//! not say: an empty strategy is OneOf, the current soak counts, and how long is left.

use serde_json::{Value, json};

use super::*;

const NOW: i64 = 1_800_000_000;
const HOUR: i64 = 3600;

fn stage(requested: Value) -> (Vec<FreightRequest>, &'static str) {
    let object = json!({"metadata": {"namespace": "shop", "name": "prod"}, "spec": {"requestedFreight": requested}});
    (FreightRequest::of_stage(&object), "prod")
}

fn freight(namespace: &str, warehouse: &str, status: Value) -> FreightRecord {
    FreightRecord::of_freight(&json!({
        "metadata": {"namespace": namespace, "name": "f1"},
        "origin": {"kind": "Warehouse", "name": warehouse},
        "status": status,
    }))
}

fn upstream(sources: Value) -> Value {
    json!([{"origin": {"kind": "Warehouse", "name": "images"}, "sources": sources}])
}

fn check(requested: Value, freight: &FreightRecord) -> Availability {
    let (requests, name) = stage(requested);
    availability("shop", name, &requests, freight, NOW)
}

use Availability::{Available, NotAvailable, Soaking};

#[test]
fn kargo_cases() {
    let verified = |soak: Option<&str>| {
        let mut entry = json!({"verifiedAt": "2026-01-01T00:00:00Z"});
        if let Some(soak) = soak {
            entry["longestSoak"] = json!(soak);
        }
        entry
    };
    let one_upstream = upstream(json!({"stages": ["test"]}));
    let cases: Vec<(&str, Value, FreightRecord, Availability)> = vec![
        (
            "stage and freight are in different namespaces",
            one_upstream.clone(),
            freight("elsewhere", "images", json!({"verifiedIn": {"test": {}}})),
            NotAvailable,
        ),
        (
            "approved for the stage, but the stage does not request its origin",
            json!([]),
            freight("shop", "images", json!({"approvedFor": {"prod": {}}})),
            NotAvailable,
        ),
        (
            "approved for the stage, which requests its origin",
            one_upstream.clone(),
            freight("shop", "images", json!({"approvedFor": {"prod": {}}})),
            Available,
        ),
        (
            "the stage takes freight direct from the origin",
            upstream(json!({"direct": true})),
            freight("shop", "images", json!({})),
            Available,
        ),
        (
            "verified upstream; no soak required",
            one_upstream.clone(),
            freight(
                "shop",
                "images",
                json!({"verifiedIn": {"test": verified(None)}}),
            ),
            Available,
        ),
        (
            "verified upstream without a longest soak; soak required",
            upstream(json!({"stages": ["test"], "requiredSoakTime": "1h"})),
            freight(
                "shop",
                "images",
                json!({"verifiedIn": {"test": verified(None)}}),
            ),
            Soaking(HOUR),
        ),
        (
            "verified upstream, soaked 1h of the 2h required",
            upstream(json!({"stages": ["test"], "requiredSoakTime": "2h0m0s"})),
            freight(
                "shop",
                "images",
                json!({"verifiedIn": {"test": verified(Some("1h0m0s"))}}),
            ),
            Soaking(HOUR),
        ),
        (
            "verified upstream, soaked the 1h required",
            upstream(json!({"stages": ["test"], "requiredSoakTime": "1h"})),
            freight(
                "shop",
                "images",
                json!({"verifiedIn": {"test": verified(Some("1h0m0s"))}}),
            ),
            Available,
        ),
        (
            "strategy All: verified and soaked in one upstream stage of two",
            upstream(
                json!({"stages": ["test", "uat"], "requiredSoakTime": "1h", "availabilityStrategy": "All"}),
            ),
            freight(
                "shop",
                "images",
                json!({"verifiedIn": {"test": verified(Some("2h"))}}),
            ),
            NotAvailable,
        ),
        (
            "strategy All: verified and soaked in both",
            upstream(
                json!({"stages": ["test", "uat"], "requiredSoakTime": "1h", "availabilityStrategy": "All"}),
            ),
            freight(
                "shop",
                "images",
                json!({"verifiedIn": {"test": verified(Some("2h")), "uat": verified(Some("2h"))}}),
            ),
            Available,
        ),
        (
            "freight from an origin the stage does not request",
            one_upstream.clone(),
            freight(
                "shop",
                "other-warehouse",
                json!({"verifiedIn": {"test": {}}}),
            ),
            NotAvailable,
        ),
        // Beyond upstream's table.
        (
            "an empty strategy is OneOf: verified in one upstream stage of two is enough",
            upstream(json!({"stages": ["test", "uat"]})),
            freight("shop", "images", json!({"verifiedIn": {"uat": {}}})),
            Available,
        ),
        (
            "strategy All: verified in both, one still soaking; the longest wait is said",
            upstream(
                json!({"stages": ["test", "uat"], "requiredSoakTime": "1h", "availabilityStrategy": "All"}),
            ),
            freight(
                "shop",
                "images",
                json!({"verifiedIn": {"test": verified(Some("2h")), "uat": verified(Some("15m"))}}),
            ),
            Soaking(45 * 60),
        ),
        (
            "the current soak counts: in the upstream stage for 40 minutes of the hour",
            upstream(json!({"stages": ["test"], "requiredSoakTime": "1h"})),
            freight(
                "shop",
                "images",
                json!({"verifiedIn": {"test": verified(Some("10m"))}, "currentlyIn": {"test": {"since": "2027-01-15T07:20:00Z"}}}),
            ),
            Soaking(20 * 60),
        ),
        (
            "not verified anywhere",
            one_upstream,
            freight("shop", "images", json!({})),
            NotAvailable,
        ),
    ];
    for (name, requested, freight, expected) in cases {
        assert_eq!(check(requested, &freight), expected, "{name}");
    }
}

#[test]
fn the_current_soak_case_is_40_minutes_before_now() {
    assert_eq!(
        crate::model::time::parse_timestamp("2027-01-15T07:20:00Z"),
        Some(NOW - 40 * 60)
    );
}
