//! Sync windows against realistic AppProjects: a nightly deny window, a business-hours allow
//! window in a zone, manualSync, andOperator, globs, and invalid schedules.

use serde_json::{Value, json};

use super::*;
use crate::model::time::parse_timestamp;

fn at(text: &str) -> i64 {
    parse_timestamp(text).expect("timestamp")
}

fn utc(_: &str) -> i64 {
    0
}

/// Berlin in winter.
fn zones(zone: &str) -> i64 {
    if zone == "Europe/Berlin" { 3600 } else { 0 }
}

const PROD: Destination<'static> = Destination {
    application: "shop-prod",
    name: "in-cluster",
    server: "https://kubernetes.default.svc",
    namespace: "shop-prod",
};

fn windows(list: Value) -> Vec<SyncWindow> {
    SyncWindow::of_project(&json!({"spec": {"syncWindows": list}}))
}

#[test]
fn an_active_deny_window_blocks_with_its_description_unless_manual_sync() {
    let freeze = windows(
        json!([{"kind": "deny", "schedule": "0 22 * * *", "duration": "8h", "applications": ["*-prod"], "description": "nightly freeze"}]),
    );
    assert_eq!(
        manual_sync_allowed(&freeze, &PROD, at("2026-11-30T23:30:00Z"), &utc),
        Err("cannot sync: blocked by sync window (deny 0 22 * * * for 8h: nightly freeze)".into())
    );
    assert!(
        manual_sync_allowed(&freeze, &PROD, at("2026-12-01T06:30:00Z"), &utc).is_ok(),
        "it ended at 06:00"
    );
    assert!(manual_sync_allowed(&freeze, &PROD, at("2026-11-30T21:59:00Z"), &utc).is_ok());
    let staging = Destination {
        application: "shop-staging",
        ..PROD
    };
    let ns_other = Destination {
        namespace: "shop-staging",
        ..staging
    };
    assert!(
        manual_sync_allowed(&freeze, &ns_other, at("2026-11-30T23:30:00Z"), &utc).is_ok(),
        "not matched"
    );
    let manual = windows(
        json!([{"kind": "deny", "schedule": "0 22 * * *", "duration": "8h", "namespaces": ["shop-*"], "manualSync": true}]),
    );
    assert!(
        manual_sync_allowed(&manual, &PROD, at("2026-11-30T23:30:00Z"), &utc).is_ok(),
        "manualSync lets a manual sync through"
    );
}

#[test]
fn outside_every_allow_window_a_sync_is_blocked() {
    let office = windows(
        json!([{"kind": "allow", "schedule": "0 9 * * mon-fri", "duration": "8h", "clusters": ["in-cluster"], "timeZone": "Europe/Berlin", "description": "office hours"}]),
    );
    // 09:00 Berlin is 08:00 UTC.
    assert!(manual_sync_allowed(&office, &PROD, at("2026-11-30T08:30:00Z"), &zones).is_ok());
    assert_eq!(
        manual_sync_allowed(&office, &PROD, at("2026-11-30T07:30:00Z"), &zones),
        Err("cannot sync: blocked by sync window (outside the allow window: allow 0 9 * * mon-fri for 8h (Europe/Berlin): office hours)".into())
    );
    assert!(
        manual_sync_allowed(&office, &PROD, at("2026-11-29T10:00:00Z"), &zones).is_err(),
        "a Sunday"
    );
    // An active deny wins over an active allow.
    let mut both = office.clone();
    both.extend(windows(json!([{"kind": "deny", "schedule": "0 12 * * *", "duration": "1h", "applications": ["shop-*"]}])));
    assert!(manual_sync_allowed(&both, &PROD, at("2026-11-30T12:30:00Z"), &zones).is_err());
}

#[test]
fn and_operator_needs_every_list_that_is_set() {
    let both = windows(
        json!([{"kind": "deny", "schedule": "* * * * *", "duration": "1h", "applications": ["shop-*"], "namespaces": ["other"], "andOperator": true}]),
    );
    assert!(manual_sync_allowed(&both, &PROD, at("2026-11-30T12:00:00Z"), &utc).is_ok());
    let or = windows(
        json!([{"kind": "deny", "schedule": "* * * * *", "duration": "1h", "applications": ["shop-*"], "namespaces": ["other"]}]),
    );
    assert!(manual_sync_allowed(&or, &PROD, at("2026-11-30T12:00:00Z"), &utc).is_err());
    let server = windows(
        json!([{"kind": "deny", "schedule": "* * * * *", "duration": "1h", "clusters": ["https://kubernetes.*"]}]),
    );
    assert!(manual_sync_allowed(&server, &PROD, at("2026-11-30T12:00:00Z"), &utc).is_err());
}

#[test]
fn an_invalid_window_refuses_with_the_reason() {
    let broken = windows(
        json!([{"kind": "deny", "schedule": "0 25 * * *", "duration": "1h", "applications": ["*"]}]),
    );
    assert!(
        manual_sync_allowed(&broken, &PROD, 0, &utc).is_err_and(|e| e
            .starts_with("cannot sync: invalid sync window: cannot parse schedule '0 25 * * *'"))
    );
    let duration = windows(
        json!([{"kind": "deny", "schedule": "0 1 * * *", "duration": "1d", "applications": ["*"]}]),
    );
    assert!(
        manual_sync_allowed(&duration, &PROD, 0, &utc)
            .is_err_and(|e| e.contains("cannot parse duration '1d'"))
    );
}

#[test]
fn globs_as_gobwas_matches_them() {
    assert!(glob("*", ""));
    assert!(glob("shop-*", "shop-prod"));
    assert!(!glob("shop-*", "web-prod"));
    assert!(glob("shop-?rod", "shop-prod"));
    assert!(glob("{shop,web}-prod", "web-prod"));
    assert!(glob("shop-[a-p]rod", "shop-prod"));
    assert!(!glob("shop-[!p]rod", "shop-prod"));
    assert!(glob("https://*.example.com", "https://eu.example.com"));
}
