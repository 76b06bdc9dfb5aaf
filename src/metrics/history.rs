//! Direct scrape mode's memory: each scrape of a `/metrics` endpoint reduced to totals per
//! (namespace, pod-template hash) — requests, 5xx errors, latency buckets — kept in a ring of
//! the last `KEEP_SECONDS`, and the signals drawn from it: request rate, error % and p95 latency
//! at each scrape, computed over a trailing window as `rate(…[2m])` would. Pure.

use std::collections::{BTreeMap, VecDeque};

use prometheus_parse::{Scrape, Value};

use super::math::{histogram_quantile, rate};

/// How much history is kept.
pub const KEEP_SECONDS: f64 = 15.0 * 60.0;
/// The trailing window rates are computed over (the seed's `[2m]`).
pub const WINDOW_SECONDS: f64 = 120.0;

/// A scrape's totals for one (namespace, pod-template hash).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesTotals {
    pub namespace: String,
    pub hash: String,
    pub requests: f64,
    pub errors: f64,
    /// Cumulative latency buckets (upper bound in ms, count).
    pub buckets: Vec<(f64, f64)>,
}

#[cfg(test)]
impl History {
    /// Records one scrape of (hash, requests, errors) totals in namespace `dev`.
    pub fn record_counts(&mut self, at: f64, counts: &[(&str, f64, f64)]) {
        let totals = counts
            .iter()
            .map(|(hash, requests, errors)| SeriesTotals {
                namespace: "dev".into(),
                hash: hash.to_string(),
                requests: *requests,
                errors: *errors,
                buckets: Vec::new(),
            })
            .collect();
        self.record(at, totals, None);
    }
}

/// Reduces a parsed scrape to totals per (namespace, hash), from `http_requests_total{status}`
/// and the `http_request_duration_milliseconds` histogram (the seed's metric names).
pub fn totals(scrape: &Scrape) -> Vec<SeriesTotals> {
    let mut by_series: BTreeMap<(String, String), SeriesTotals> = BTreeMap::new();
    for sample in &scrape.samples {
        let namespace = sample
            .labels
            .get("namespace")
            .unwrap_or_default()
            .to_string();
        let hash = sample
            .labels
            .get("rollouts_pod_template_hash")
            .or_else(|| sample.labels.get("pod_template_hash"))
            .unwrap_or_default()
            .to_string();
        let entry = by_series
            .entry((namespace.clone(), hash.clone()))
            .or_insert_with(|| SeriesTotals {
                namespace,
                hash,
                requests: 0.0,
                errors: 0.0,
                buckets: Vec::new(),
            });
        match (sample.metric.as_str(), &sample.value) {
            ("http_requests_total", Value::Counter(v) | Value::Untyped(v)) if v.is_finite() => {
                entry.requests += v;
                if sample
                    .labels
                    .get("status")
                    .is_some_and(|s| s.starts_with('5'))
                {
                    entry.errors += v;
                }
            }
            ("http_request_duration_milliseconds", Value::Histogram(buckets)) => {
                for bucket in buckets {
                    match entry
                        .buckets
                        .iter_mut()
                        .find(|(bound, _)| *bound == bucket.less_than)
                    {
                        Some((_, count)) => *count += bucket.count,
                        None => entry.buckets.push((bucket.less_than, bucket.count)),
                    }
                }
            }
            _ => {}
        }
    }
    by_series
        .into_values()
        .filter(|s| s.requests > 0.0 || !s.buckets.is_empty())
        .collect()
}

/// One scrape of one series.
#[derive(Debug, Clone, PartialEq)]
struct Point {
    at: f64,
    totals: SeriesTotals,
}

/// The signals of a series over time: one value per scrape (None where it cannot be computed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    /// When each value was measured (Unix seconds).
    pub times: Vec<f64>,
    pub request_rate: Vec<Option<f64>>,
    pub error_percent: Vec<Option<f64>>,
    pub p95_ms: Vec<Option<f64>>,
}

impl Signals {
    /// The newest value of each: (requests/s, error %, p95 ms).
    pub fn latest(&self) -> (Option<f64>, Option<f64>, Option<f64>) {
        let last = |values: &Vec<Option<f64>>| values.last().copied().flatten();
        (
            last(&self.request_rate),
            last(&self.error_percent),
            last(&self.p95_ms),
        )
    }
}

/// The chosen series summed at one scrape.
#[derive(Debug, Clone, Default)]
struct Summed {
    at: f64,
    requests: f64,
    errors: f64,
    buckets: Vec<(f64, f64)>,
}

/// Scraped history, and how scraping is going.
#[derive(Debug, Clone, Default)]
pub struct History {
    series: BTreeMap<(String, String), VecDeque<Point>>,
    /// When the last scrape succeeded (seconds).
    pub last_success: Option<f64>,
    /// Why the last scrape failed, if it did.
    pub problem: Option<String>,
    /// Changes with every scrape (so views rebuild only then).
    pub generation: u64,
}

impl History {
    /// Records a scrape made at `at` (seconds): the totals it got, and what failed (some
    /// endpoints may answer while others do not).
    pub fn record(&mut self, at: f64, totals: Vec<SeriesTotals>, problem: Option<String>) {
        self.generation += 1;
        let got_something = !totals.is_empty() || problem.is_none();
        self.problem = problem;
        if !got_something {
            return;
        }
        self.last_success = Some(at);
        for series in totals {
            let ring = self
                .series
                .entry((series.namespace.clone(), series.hash.clone()))
                .or_default();
            ring.push_back(Point { at, totals: series });
        }
        for ring in self.series.values_mut() {
            while ring.front().is_some_and(|p| p.at < at - KEEP_SECONDS) {
                ring.pop_front();
            }
        }
        self.series.retain(|_, ring| !ring.is_empty());
    }

    /// The pod-template hashes scraped in `namespace`.
    pub fn hashes(&self, namespace: &str) -> Vec<&str> {
        self.series
            .keys()
            .filter(|(ns, _)| ns == namespace)
            .map(|(_, hash)| hash.as_str())
            .collect()
    }

    /// Whether anything was ever scraped for `namespace`.
    pub fn knows(&self, namespace: &str) -> bool {
        self.series.keys().any(|(ns, _)| ns == namespace)
    }

    /// The signals of `namespace`, for one pod-template `hash` or (None) all of them summed.
    pub fn signals(&self, namespace: &str, hash: Option<&str>) -> Signals {
        // Sum the chosen series at each scrape time.
        let mut at_times: BTreeMap<u64, Summed> = BTreeMap::new();
        for ((ns, h), ring) in &self.series {
            if ns != namespace || hash.is_some_and(|wanted| wanted != h) {
                continue;
            }
            for point in ring {
                let entry = at_times
                    .entry((point.at * 1000.0) as u64)
                    .or_insert_with(|| Summed {
                        at: point.at,
                        ..Summed::default()
                    });
                entry.requests += point.totals.requests;
                entry.errors += point.totals.errors;
                for (bound, count) in &point.totals.buckets {
                    match entry.buckets.iter_mut().find(|(b, _)| b == bound) {
                        Some((_, total)) => *total += count,
                        None => entry.buckets.push((*bound, *count)),
                    }
                }
            }
        }
        let points: Vec<Summed> = at_times.into_values().collect();
        let mut signals = Signals::default();
        for (index, point) in points.iter().enumerate() {
            let window: Vec<&Summed> = points[..=index]
                .iter()
                .filter(|p| p.at >= point.at - WINDOW_SECONDS)
                .collect();
            let series = |pick: &dyn Fn(&Summed) -> f64| {
                window.iter().map(|p| (p.at, pick(p))).collect::<Vec<_>>()
            };
            let requests = rate(&series(&|p| p.requests));
            let errors = rate(&series(&|p| p.errors));
            signals.times.push(point.at);
            signals.request_rate.push(requests);
            signals.error_percent.push(match (requests, errors) {
                (Some(r), Some(e)) if r > 0.0 => Some(100.0 * e / r),
                (Some(_), Some(_)) => Some(0.0),
                _ => None,
            });
            // histogram_quantile(0.95, rate(…_bucket[2m])): per-bucket rates, then the quantile.
            let p95 = match (window.first(), window.last()) {
                (Some(first), Some(last)) if first.at < last.at => {
                    let buckets: Vec<(f64, f64)> = last
                        .buckets
                        .iter()
                        .map(|(bound, _)| {
                            let counts = series(&|p| {
                                p.buckets
                                    .iter()
                                    .find(|(b, _)| b == bound)
                                    .map_or(0.0, |(_, c)| *c)
                            });
                            (*bound, rate(&counts).unwrap_or(0.0))
                        })
                        .collect();
                    Some(histogram_quantile(0.95, &buckets)).filter(|v| v.is_finite())
                }
                _ => None,
            };
            signals.p95_ms.push(p95);
        }
        signals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrape(text: &str) -> Scrape {
        Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("parse")
    }

    fn exposition(ok: u64, errors: u64, fast: u64, slow: u64) -> String {
        format!(
            "# TYPE http_requests_total counter\n\
             http_requests_total{{namespace=\"dev\",rollouts_pod_template_hash=\"a\",status=\"200\"}} {ok}\n\
             http_requests_total{{namespace=\"dev\",rollouts_pod_template_hash=\"a\",status=\"500\"}} {errors}\n\
             # TYPE http_request_duration_milliseconds histogram\n\
             http_request_duration_milliseconds_bucket{{namespace=\"dev\",rollouts_pod_template_hash=\"a\",le=\"100\"}} {fast}\n\
             http_request_duration_milliseconds_bucket{{namespace=\"dev\",rollouts_pod_template_hash=\"a\",le=\"500\"}} {}\n\
             http_request_duration_milliseconds_bucket{{namespace=\"dev\",rollouts_pod_template_hash=\"a\",le=\"+Inf\"}} {}\n\
             http_request_duration_milliseconds_sum{{namespace=\"dev\",rollouts_pod_template_hash=\"a\"}} 0\n\
             http_request_duration_milliseconds_count{{namespace=\"dev\",rollouts_pod_template_hash=\"a\"}} {}\n",
            fast + slow,
            fast + slow,
            fast + slow
        )
    }

    #[test]
    fn totals_group_by_namespace_and_hash() {
        let reduced = totals(&scrape(&exposition(90, 10, 80, 20)));
        assert_eq!(reduced.len(), 1);
        assert_eq!((reduced[0].requests, reduced[0].errors), (100.0, 10.0));
        assert!(reduced[0].buckets.contains(&(100.0, 80.0)));
        assert!(totals(&scrape("garbage that is not prometheus text {{{")).is_empty());
    }

    #[test]
    fn signals_are_rates_over_the_window() {
        let mut history = History::default();
        history.record(0.0, totals(&scrape(&exposition(0, 0, 0, 0))), None);
        // 10 s later: 90 ok + 10 errors; 80 fast (≤100 ms), 20 slow (≤500 ms).
        history.record(10.0, totals(&scrape(&exposition(90, 10, 80, 20))), None);
        let signals = history.signals("dev", None);
        assert_eq!(signals.request_rate, vec![None, Some(10.0)]);
        assert_eq!(signals.error_percent, vec![None, Some(10.0)]);
        // p95: rank 9.5 of 10/s; 8/s ≤ 100, 2/s in 100..500 → 100 + 400 × 1.5/2.
        assert_eq!(signals.p95_ms[1], Some(400.0));
        assert_eq!(history.signals("dev", Some("a")), signals);
        assert_eq!(
            history.signals("dev", Some("other")).request_rate,
            Vec::<Option<f64>>::new()
        );
        history.record(11.0, Vec::new(), Some("connection refused".into()));
        assert_eq!(history.problem.as_deref(), Some("connection refused"));
        assert_eq!(history.last_success, Some(10.0));
        // Old points leave the ring.
        history.record(
            10.0 + KEEP_SECONDS + 1.0,
            totals(&scrape(&exposition(95, 10, 85, 20))),
            None,
        );
        assert_eq!(history.problem, None);
        assert_eq!(history.signals("dev", None).request_rate.len(), 1);
    }
}
