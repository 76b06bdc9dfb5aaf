//! Prometheus mode's memory: the newest range-query answers per namespace, as signals per
//! pod-template hash (request rate, error %, p95), or why the namespace could not be queried.
//! Pure.

use std::collections::BTreeMap;

use super::history::Signals;
use super::prometheus::RangeSeries;
use super::queries::HASH_LABEL;

/// The three answers for one namespace: request rate, error %, p95 (in that order).
pub type Answers = [Vec<RangeSeries>; 3];

/// Queried signals by namespace.
#[derive(Debug, Clone, Default)]
pub struct Queried {
    by_namespace: BTreeMap<String, Result<BTreeMap<String, Signals>, String>>,
    pub generation: u64,
}

impl Queried {
    /// Records the answers for `namespace` (or why there are none).
    pub fn record(&mut self, namespace: &str, answers: Result<Answers, String>) {
        self.generation += 1;
        let signals = answers.map(|[rate, errors, p95]| {
            let mut by_hash: BTreeMap<String, Signals> = BTreeMap::new();
            let mut fill =
                |series: &[RangeSeries], pick: fn(&mut Signals) -> &mut Vec<Option<f64>>| {
                    for s in series {
                        let hash = s.label(HASH_LABEL).unwrap_or_default().to_string();
                        let values = pick(by_hash.entry(hash).or_default());
                        *values = s
                            .points
                            .iter()
                            .map(|(_, v)| Some(*v).filter(|v| v.is_finite()))
                            .collect();
                    }
                };
            fill(&rate, |s| &mut s.request_rate);
            fill(&errors, |s| &mut s.error_percent);
            fill(&p95, |s| &mut s.p95_ms);
            // The request-rate answer's timestamps stand for all three (same range and step).
            for s in &rate {
                let hash = s.label(HASH_LABEL).unwrap_or_default().to_string();
                if let Some(signals) = by_hash.get_mut(&hash) {
                    signals.times = s.points.iter().map(|(t, _)| *t).collect();
                }
            }
            by_hash
        });
        self.by_namespace.insert(namespace.to_string(), signals);
    }

    /// The signals of `hash` in `namespace`: `None` before any answer, `Err` when the query failed.
    pub fn signals(&self, namespace: &str, hash: &str) -> Option<Result<Signals, String>> {
        match self.by_namespace.get(namespace)? {
            Ok(by_hash) => Some(Ok(by_hash.get(hash).cloned().unwrap_or_default())),
            Err(problem) => Some(Err(problem.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(hash: &str, values: &[f64]) -> RangeSeries {
        RangeSeries {
            labels: vec![(HASH_LABEL.to_string(), hash.to_string())],
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64, *v))
                .collect(),
        }
    }

    #[test]
    fn answers_become_signals_per_hash_and_failures_are_kept() {
        let mut queried = Queried::default();
        assert_eq!(queried.signals("dev", "a"), None);
        queried.record(
            "dev",
            Ok([
                vec![series("a", &[1.0, 2.0])],
                vec![series("a", &[0.0, f64::NAN])],
                vec![],
            ]),
        );
        let signals = queried.signals("dev", "a").expect("answered").expect("ok");
        assert_eq!(signals.request_rate, vec![Some(1.0), Some(2.0)]);
        assert_eq!(
            signals.error_percent,
            vec![Some(0.0), None],
            "NaN is no data"
        );
        assert!(signals.p95_ms.is_empty());
        queried.record("dev", Err("Prometheus is unreachable".into()));
        assert_eq!(
            queried.signals("dev", "a"),
            Some(Err("Prometheus is unreachable".into()))
        );
    }
}
