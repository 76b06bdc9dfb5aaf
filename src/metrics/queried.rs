//! Prometheus mode's memory: the newest range-query answers per namespace, as signals per
//! pod-template hash (request rate, error %, p95). When a round fails, the answers before it are
//! kept and marked stale, with the reason. Pure.

use std::collections::BTreeMap;

use super::history::Signals;
use super::prometheus::RangeSeries;
use super::queries::HASH_LABEL;

/// The three answers for one namespace: request rate, error %, p95 (in that order).
pub type Answers = [Vec<RangeSeries>; 3];

/// A namespace's newest answers, and why the latest round failed if it did.
#[derive(Debug, Clone, Default)]
struct Known {
    by_hash: Option<BTreeMap<String, Signals>>,
    problem: Option<String>,
}

/// What is known about a hash's signals.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Fresh(Signals),
    /// Older answers: the latest query failed (why).
    Stale(Signals, String),
    /// No answer yet, and the query failed (why).
    Failed(String),
}

/// Queried signals by namespace.
#[derive(Debug, Clone, Default)]
pub struct Queried {
    by_namespace: BTreeMap<String, Known>,
    pub generation: u64,
}

impl Queried {
    /// Records the answers for `namespace` (or why there are none this round).
    pub fn record(
        &mut self,
        namespace: &str,
        answers: Result<Answers, super::prometheus::PrometheusError>,
    ) {
        self.generation += 1;
        let known = self.by_namespace.entry(namespace.to_string()).or_default();
        let [rate, errors, p95] = match answers {
            Ok(answers) => answers,
            Err(problem) => {
                known.problem = Some(problem.to_string());
                return;
            }
        };
        let mut by_hash: BTreeMap<String, Signals> = BTreeMap::new();
        let mut fill = |series: &[RangeSeries], pick: fn(&mut Signals) -> &mut Vec<Option<f64>>| {
            for s in series {
                let hash = s.label(HASH_LABEL).unwrap_or_default().to_string();
                *pick(by_hash.entry(hash).or_default()) = s
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
            let hash = s.label(HASH_LABEL).unwrap_or_default();
            if let Some(signals) = by_hash.get_mut(hash) {
                signals.times = s.points.iter().map(|(t, _)| *t).collect();
            }
        }
        known.by_hash = Some(by_hash);
        known.problem = None;
    }

    /// What is known about `hash` in `namespace`: `None` before any answer.
    pub fn signals(&self, namespace: &str, hash: &str) -> Option<Answer> {
        let known = self.by_namespace.get(namespace)?;
        let signals = known
            .by_hash
            .as_ref()
            .map(|by_hash| by_hash.get(hash).cloned().unwrap_or_default());
        Some(match (signals, &known.problem) {
            (Some(signals), None) => Answer::Fresh(signals),
            (Some(signals), Some(problem)) => Answer::Stale(signals, problem.clone()),
            (None, Some(problem)) => Answer::Failed(problem.clone()),
            (None, None) => Answer::Fresh(Signals::default()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::prometheus::PrometheusError;

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
    fn answers_become_signals_per_hash_and_failures_keep_them_stale() {
        let mut queried = Queried::default();
        assert_eq!(queried.signals("dev", "a"), None);
        let unreachable = PrometheusError::Unreachable {
            url: "http://prometheus:9090".into(),
        };
        queried.record("dev", Err(unreachable));
        assert_eq!(
            queried.signals("dev", "a"),
            Some(Answer::Failed(
                "Prometheus is unreachable at http://prometheus:9090".into()
            ))
        );
        queried.record(
            "dev",
            Ok([
                vec![series("a", &[1.0, 2.0])],
                vec![series("a", &[0.0, f64::NAN])],
                vec![],
            ]),
        );
        let Some(Answer::Fresh(signals)) = queried.signals("dev", "a") else {
            panic!("answered");
        };
        assert_eq!(signals.request_rate, vec![Some(1.0), Some(2.0)]);
        assert_eq!(signals.times, vec![0.0, 1.0]);
        assert_eq!(
            signals.error_percent,
            vec![Some(0.0), None],
            "NaN is no data"
        );
        assert!(signals.p95_ms.is_empty());
        queried.record("dev", Err(PrometheusError::Timeout));
        assert_eq!(
            queried.signals("dev", "a"),
            Some(Answer::Stale(
                signals,
                "Prometheus did not answer in time".into()
            )),
            "older answers are kept, marked stale"
        );
    }
}
