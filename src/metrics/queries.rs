//! The PromQL flightdeck asks for an application in an environment: the seed's defaults
//! (request rate, error %, p95 latency from `http_requests_total` and
//! `http_request_duration_milliseconds_bucket`), split by pod-template hash so canary and stable
//! are told apart. Pure.

/// What Prometheus mode asks about: an application's Rollout in a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricTarget {
    pub app: String,
    pub namespace: String,
    pub rollout: String,
}

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

/// The query for `signal`: the first override for `app/namespace`, else for `app`, else the
/// seed's; `{{app}}`, `{{namespace}}` and `{{rollout}}` are filled in.
pub fn query_for(
    overrides: &[crate::settings::config::QueryOverride],
    signal: Signal,
    target: &MetricTarget,
) -> String {
    let (app, namespace) = (target.app.as_str(), target.namespace.as_str());
    let exact = format!("{app}/{namespace}");
    let chosen = [exact.as_str(), app].iter().find_map(|target| {
        overrides
            .iter()
            .filter(|o| o.target == *target)
            .find_map(|o| match signal {
                Signal::RequestRate => o.request_rate.clone(),
                Signal::ErrorPercent => o.error_percent.clone(),
                Signal::P95Latency => o.p95.clone(),
            })
    });
    match chosen {
        Some(template) => template
            .replace("{{app}}", app)
            .replace("{{namespace}}", namespace)
            .replace("{{rollout}}", &target.rollout),
        None => query(signal, app, namespace),
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

    #[test]
    fn overrides_by_app_and_namespace_are_templated() {
        use crate::settings::config::QueryOverride;
        let overrides = [
            QueryOverride {
                target: "shop".into(),
                request_rate: Some("sum by (rollouts_pod_template_hash) (rate(reqs{svc=\"{{app}}\",ns=\"{{namespace}}\",ro=\"{{rollout}}\"}[1m]))".into()),
                ..Default::default()
            },
            QueryOverride {
                target: "shop/shop-prod".into(),
                request_rate: Some("prod_rate".into()),
                ..Default::default()
            },
        ];
        let target = |namespace: &str| MetricTarget {
            app: "shop".into(),
            namespace: namespace.into(),
            rollout: "shop-web".into(),
        };
        assert_eq!(
            query_for(&overrides, Signal::RequestRate, &target("shop-prod")),
            "prod_rate"
        );
        assert_eq!(
            query_for(&overrides, Signal::RequestRate, &target("shop-dev")),
            "sum by (rollouts_pod_template_hash) (rate(reqs{svc=\"shop\",ns=\"shop-dev\",ro=\"shop-web\"}[1m]))"
        );
        assert_eq!(
            query_for(&overrides, Signal::ErrorPercent, &target("shop-dev")),
            query(Signal::ErrorPercent, "shop", "shop-dev"),
            "not overridden: the seed's"
        );
    }
}
