//! Whether a Stage may take a piece of Freight: Kargo's `Stage.IsFreightAvailable`
//! (`api/v1alpha1/stage_types.go`, v1.11.2), the rule its API server and its Promotion webhook
//! apply. One port serves the promote pre-check, the Kargo matrix and "waiting on me". Upstream
//! answers yes or no; here a no that only waits on a soak time says how long is left. Pure.

use serde_json::Value;

use super::json::{At, flag, keys, str_at, string, strings, text};
use super::time::{parse_go_duration, parse_timestamp};

/// One `spec.requestedFreight` entry of a Stage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FreightRequest {
    /// `origin.kind` and `origin.name` (a Warehouse).
    pub origin: (String, String),
    /// `sources.direct`: straight from the origin.
    pub direct: bool,
    /// `sources.stages`: upstream Stages the Freight must be verified in.
    pub stages: Vec<String>,
    /// `sources.requiredSoakTime`, in seconds.
    pub required_soak: Option<i64>,
    /// `sources.availabilityStrategy == "All"`; anything else (empty included) is OneOf.
    pub all: bool,
}

impl FreightRequest {
    /// The requests of a Stage object.
    pub fn of_stage(stage: &Value) -> Vec<FreightRequest> {
        stage
            .at("/spec/requestedFreight")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|request| FreightRequest {
                origin: (
                    string(request, "/origin/kind"),
                    string(request, "/origin/name"),
                ),
                direct: flag(request, "/sources/direct"),
                stages: strings(request, "/sources/stages"),
                required_soak: text(request, "/sources/requiredSoakTime")
                    .and_then(parse_go_duration),
                all: str_at(request, "/sources/availabilityStrategy") == "All",
            })
            .collect()
    }
}

/// What a Freight's status says about the Stages it has been in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FreightRecord {
    pub namespace: String,
    /// `origin.kind` and `origin.name`.
    pub origin: (String, String),
    /// `status.approvedFor` keys.
    pub approved_for: Vec<String>,
    /// `status.verifiedIn`: Stage and its `longestSoak` in seconds (completed soaks).
    pub verified_in: Vec<(String, Option<i64>)>,
    /// `status.currentlyIn`: Stage and `since` (Unix seconds).
    pub currently_in: Vec<(String, Option<i64>)>,
}

impl FreightRecord {
    pub fn of_freight(freight: &Value) -> FreightRecord {
        let entries = |pointer: &str, field: &str, parse: fn(&str) -> Option<i64>| {
            freight
                .at(pointer)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(stage, entry)| {
                    let value = entry.get(field).and_then(Value::as_str).and_then(parse);
                    (stage.clone(), value)
                })
                .collect::<Vec<_>>()
        };
        FreightRecord {
            namespace: string(freight, "/metadata/namespace"),
            origin: (
                string(freight, "/origin/kind"),
                string(freight, "/origin/name"),
            ),
            approved_for: keys(freight, "/status/approvedFor"),
            verified_in: entries("/status/verifiedIn", "longestSoak", parse_go_duration),
            currently_in: entries("/status/currentlyIn", "since", parse_timestamp),
        }
    }

    pub fn is_verified_in(&self, stage: &str) -> bool {
        self.verified_in.iter().any(|(s, _)| s == stage)
    }

    pub fn is_in(&self, stage: &str) -> bool {
        self.currently_in.iter().any(|(s, _)| s == stage)
    }

    pub fn is_approved_for(&self, stage: &str) -> bool {
        self.approved_for.iter().any(|s| s == stage)
    }

    /// `GetLongestSoak`: zero unless verified there; else the longest completed soak or the
    /// current one, whichever is longer.
    fn longest_soak(&self, stage: &str, now: i64) -> i64 {
        let Some((_, completed)) = self.verified_in.iter().find(|(s, _)| s == stage) else {
            return 0;
        };
        let current = self
            .currently_in
            .iter()
            .find(|(s, _)| s == stage)
            .and_then(|(_, since)| *since)
            .map_or(0, |since| now - since);
        completed.unwrap_or(0).max(current)
    }

    /// How long the Freight still has to soak in `stage` (0: soaked; `HasSoakedIn`).
    fn soak_left(&self, stage: &str, required: Option<i64>, now: i64) -> i64 {
        required.map_or(0, |required| {
            (required - self.longest_soak(stage, now)).max(0)
        })
    }
}

/// The answer for one Freight and one Stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Available,
    /// Verified where it must be, but not soaked long enough yet: seconds left.
    Soaking(i64),
    NotAvailable,
}

/// `Stage.IsFreightAvailable` for the Stage `stage_name` in `namespace` with `requests`.
pub fn availability(
    namespace: &str,
    stage_name: &str,
    requests: &[FreightRequest],
    freight: &FreightRecord,
    now: i64,
) -> Availability {
    if namespace != freight.namespace {
        return Availability::NotAvailable;
    }
    let mut soaking: Option<i64> = None;
    for request in requests.iter().filter(|r| r.origin == freight.origin) {
        if freight.is_approved_for(stage_name) || request.direct {
            return Availability::Available;
        }
        let left = |upstream: &String| freight.soak_left(upstream, request.required_soak, now);
        if request.all {
            // Verified and soaked in every upstream Stage; upstream returns here either way.
            if request.stages.iter().any(|up| !freight.is_verified_in(up)) {
                return Availability::NotAvailable;
            }
            return match request.stages.iter().map(left).max().unwrap_or(0) {
                0 => Availability::Available,
                left => Availability::Soaking(left),
            };
        }
        for upstream in request
            .stages
            .iter()
            .filter(|up| freight.is_verified_in(up))
        {
            match left(upstream) {
                0 => return Availability::Available,
                left => soaking = Some(soaking.map_or(left, |s| s.min(left))),
            }
        }
    }
    soaking.map_or(Availability::NotAvailable, Availability::Soaking)
}

#[cfg(test)]
#[path = "freight_availability_tests.rs"]
mod tests;
