//! The demo application's traffic, as a model: per environment, the pods of each
//! pod-template-hash serve their share of the requests (by the Rollout's canary weight), and each
//! build's quality sets its error ratio and latency. A "bad" build raises errors and latency on
//! the canary only. Counters grow with real time, so a real Prometheus computes rates from them;
//! the text exposition uses the seed's names (`http_requests_total`,
//! `http_request_duration_milliseconds_bucket`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Instant;

use rand::{Rng, SeedableRng};

/// Histogram bucket bounds (ms).
pub const BUCKETS: &[f64] = &[
    10.0, 25.0, 50.0, 100.0, 200.0, 300.0, 500.0, 750.0, 1000.0, 2500.0,
];

/// How a build behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    Good,
    Bad,
}

impl Quality {
    /// Fraction of requests answered with a 5xx.
    pub fn error_ratio(self) -> f64 {
        match self {
            Quality::Good => 0.01,
            Quality::Bad => 0.30,
        }
    }

    /// Typical latency in ms (the median; the tail is longer).
    pub fn latency_ms(self) -> f64 {
        match self {
            Quality::Good => 60.0,
            Quality::Bad => 420.0,
        }
    }
}

/// One serving version in an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Serving {
    pub pod_template_hash: String,
    pub quality: Quality,
    /// Share of the traffic, 0–100.
    pub weight: u32,
}

/// Counters of one (environment, hash) series.
#[derive(Debug, Clone, Default)]
struct Series {
    ok: f64,
    errors: f64,
    /// Cumulative bucket counts, aligned with [`BUCKETS`], plus +Inf last.
    buckets: Vec<f64>,
    sum_ms: f64,
}

/// The traffic model of every environment.
pub struct TrafficModel {
    /// Requests per second per environment (real seconds).
    pub request_rate: f64,
    serving: BTreeMap<String, Vec<Serving>>,
    series: BTreeMap<(String, String), Series>,
    last_advance: Option<Instant>,
    rng: rand::rngs::StdRng,
}

impl TrafficModel {
    pub fn new(request_rate: f64, seed: u64) -> TrafficModel {
        TrafficModel {
            request_rate,
            serving: BTreeMap::new(),
            series: BTreeMap::new(),
            last_advance: None,
            rng: rand::rngs::StdRng::seed_from_u64(seed),
        }
    }

    /// Sets what serves `namespace` now (weights should add up to 100).
    pub fn set_serving(&mut self, namespace: &str, serving: Vec<Serving>) {
        self.advance(Instant::now());
        self.serving.insert(namespace.to_string(), serving);
    }

    /// What serves `namespace`.
    pub fn serving(&self, namespace: &str) -> &[Serving] {
        self.serving
            .get(namespace)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Adds the requests served between the last advance and `now`.
    pub fn advance(&mut self, now: Instant) {
        let elapsed = self
            .last_advance
            .map(|at| now.saturating_duration_since(at).as_secs_f64())
            .unwrap_or(0.0);
        self.last_advance = Some(now);
        if elapsed <= 0.0 {
            return;
        }
        let serving: Vec<(String, Serving)> = self
            .serving
            .iter()
            .flat_map(|(ns, list)| list.iter().map(move |s| (ns.clone(), s.clone())))
            .collect();
        for (namespace, serving) in serving {
            let noise = 0.9 + 0.2 * self.rng.r#gen::<f64>();
            let requests = self.request_rate * elapsed * f64::from(serving.weight) / 100.0 * noise;
            let error_ratio =
                (serving.quality.error_ratio() * (0.8 + 0.4 * self.rng.r#gen::<f64>())).min(1.0);
            let median = serving.quality.latency_ms();
            let series = self
                .series
                .entry((namespace, serving.pod_template_hash.clone()))
                .or_insert_with(|| Series {
                    buckets: vec![0.0; BUCKETS.len() + 1],
                    ..Series::default()
                });
            series.ok += requests * (1.0 - error_ratio);
            series.errors += requests * error_ratio;
            series.sum_ms += requests * median * 1.2;
            for (index, bound) in BUCKETS.iter().enumerate() {
                series.buckets[index] += requests * latency_cdf(*bound, median);
            }
            series.buckets[BUCKETS.len()] += requests;
        }
    }

    /// The Prometheus text exposition of every series, after advancing to now.
    pub fn exposition(&mut self) -> String {
        self.advance(Instant::now());
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP http_requests_total Requests served by demo-app.\n# TYPE http_requests_total counter"
        );
        for ((namespace, hash), series) in &self.series {
            for (status, value) in [("200", series.ok), ("500", series.errors)] {
                let _ = writeln!(
                    out,
                    "http_requests_total{{app=\"demo-app\",namespace=\"{namespace}\",rollouts_pod_template_hash=\"{hash}\",status=\"{status}\"}} {}",
                    value.floor()
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP http_request_duration_milliseconds Request latency of demo-app.\n# TYPE http_request_duration_milliseconds histogram"
        );
        for ((namespace, hash), series) in &self.series {
            let labels = format!(
                "app=\"demo-app\",namespace=\"{namespace}\",rollouts_pod_template_hash=\"{hash}\""
            );
            for (index, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "http_request_duration_milliseconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    series.buckets[index].floor()
                );
            }
            let total = series.buckets[BUCKETS.len()];
            let _ = writeln!(
                out,
                "http_request_duration_milliseconds_bucket{{{labels},le=\"+Inf\"}} {}",
                total.floor()
            );
            let _ = writeln!(
                out,
                "http_request_duration_milliseconds_sum{{{labels}}} {}",
                series.sum_ms.floor()
            );
            let _ = writeln!(
                out,
                "http_request_duration_milliseconds_count{{{labels}}} {}",
                total.floor()
            );
        }
        out
    }

    /// The success ratio and p95 latency (ms) an environment serves now, as the seed's
    /// AnalysisTemplate queries would measure them (all pods of the app together).
    pub fn current_signals(&self, namespace: &str) -> (f64, f64) {
        let serving = self.serving(namespace);
        let total: f64 = serving.iter().map(|s| f64::from(s.weight)).sum();
        if total == 0.0 {
            return (1.0, 0.0);
        }
        let errors: f64 = serving
            .iter()
            .map(|s| f64::from(s.weight) * s.quality.error_ratio())
            .sum::<f64>()
            / total;
        // p95 of the mixture: search the combined CDF.
        let cdf = |x: f64| {
            serving
                .iter()
                .map(|s| f64::from(s.weight) / total * latency_cdf(x, s.quality.latency_ms()))
                .sum::<f64>()
        };
        let (mut low, mut high) = (0.0, 10_000.0);
        for _ in 0..60 {
            let mid = (low + high) / 2.0;
            if cdf(mid) < 0.95 {
                low = mid
            } else {
                high = mid
            }
        }
        (1.0 - errors, high)
    }
}

/// Share of requests faster than `x` ms for a log-normal-ish latency with median `median`.
fn latency_cdf(x: f64, median: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    // Logistic in log space with a spread that puts p95 at about 2.2 × the median.
    let z = (x / median).ln() / 0.27;
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_canary_shows_in_the_signals() {
        let mut model = TrafficModel::new(50.0, 1);
        model.set_serving(
            "dev",
            vec![Serving {
                pod_template_hash: "aaa".into(),
                quality: Quality::Good,
                weight: 100,
            }],
        );
        let (success, p95) = model.current_signals("dev");
        assert!(success >= 0.95 && p95 <= 500.0, "{success} {p95}");
        model.set_serving(
            "dev",
            vec![
                Serving {
                    pod_template_hash: "aaa".into(),
                    quality: Quality::Good,
                    weight: 80,
                },
                Serving {
                    pod_template_hash: "bbb".into(),
                    quality: Quality::Bad,
                    weight: 20,
                },
            ],
        );
        let (success, _) = model.current_signals("dev");
        assert!(
            success < 0.95,
            "20% of a bad build fails the success-rate check: {success}"
        );
        model.set_serving(
            "dev",
            vec![
                Serving {
                    pod_template_hash: "aaa".into(),
                    quality: Quality::Good,
                    weight: 50,
                },
                Serving {
                    pod_template_hash: "bbb".into(),
                    quality: Quality::Bad,
                    weight: 50,
                },
            ],
        );
        let (_, p95) = model.current_signals("dev");
        assert!(
            p95 > 500.0,
            "half of a bad build fails the latency check: {p95}"
        );
    }

    #[test]
    fn exposition_is_parseable_prometheus_text() {
        let mut model = TrafficModel::new(100.0, 1);
        model.set_serving(
            "dev",
            vec![Serving {
                pod_template_hash: "aaa".into(),
                quality: Quality::Good,
                weight: 100,
            }],
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        let text = model.exposition();
        let lines: Vec<Result<String, std::io::Error>> =
            text.lines().map(|l| Ok(l.to_string())).collect();
        let scrape = prometheus_parse::Scrape::parse(lines.into_iter()).expect("parses");
        assert!(scrape.samples.iter().any(|s| s.metric == "http_requests_total" && s.labels.get("status") == Some("200")));
        assert!(
            scrape
                .samples
                .iter()
                .any(|s| s.metric == "http_request_duration_milliseconds_bucket"
                    || s.metric == "http_request_duration_milliseconds")
        );
    }
}
