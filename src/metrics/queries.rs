//! The PromQL flightdeck asks for an application in an environment: the seed's defaults
//! (request rate, error %, p95 latency from `http_requests_total` and
//! `http_request_duration_milliseconds_bucket`), split by pod-template hash so canary and stable
//! are told apart. Pure.

/// What a query measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    RequestRate,
    ErrorPercent,
    P95Latency,
}

/// The label that tells a Rollout's ReplicaSets apart.
pub const HASH_LABEL: &str = "rollouts_pod_template_hash";

/// The query for `signal` of `app` in `namespace`, one series per pod-template hash.
pub fn query(signal: Signal, app: &str, namespace: &str) -> String {
    let selector = format!("app=\"{app}\",namespace=\"{namespace}\"");
    match signal {
        Signal::RequestRate => {
            format!("sum by ({HASH_LABEL}) (rate(http_requests_total{{{selector}}}[2m]))")
        }
        Signal::ErrorPercent => format!(
            "100 * sum by ({HASH_LABEL}) (rate(http_requests_total{{{selector},status=~\"5..\"}}[2m])) / sum by ({HASH_LABEL}) (rate(http_requests_total{{{selector}}}[2m]))"
        ),
        Signal::P95Latency => format!(
            "histogram_quantile(0.95, sum by (le, {HASH_LABEL}) (rate(http_request_duration_milliseconds_bucket{{{selector}}}[2m])))"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_queries_per_hash() {
        assert_eq!(
            query(Signal::RequestRate, "demo-app", "demo-app-dev"),
            "sum by (rollouts_pod_template_hash) (rate(http_requests_total{app=\"demo-app\",namespace=\"demo-app-dev\"}[2m]))"
        );
        assert!(query(Signal::ErrorPercent, "a", "n").contains("status=~\"5..\""));
        assert!(
            query(Signal::P95Latency, "a", "n")
                .starts_with("histogram_quantile(0.95, sum by (le, rollouts_pod_template_hash)")
        );
    }
}
