//! The metric detail view models: for a Rollout one panel per signal (request rate, error %, p95
//! latency), each with the stable and the canary series over the kept history (x = seconds
//! before now), its unit and the newest values; for an AnalysisRun one panel per Prometheus
//! metric with the run's own query live, its recorded measurements and its success threshold.
//! "no data" is said, never drawn as zero. Pure.

use crate::metrics::history::Signals;
use crate::metrics::queried::Answer;
use crate::model::rows::RolloutRow;
use crate::theme::Slot;

use super::metrics::MetricsSource;

/// One line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    pub label: String,
    pub slot: Slot,
    /// (seconds relative to now, value).
    pub points: Vec<(f64, f64)>,
}

/// One chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    pub unit: String,
    pub series: Vec<ChartSeries>,
    /// The newest value of each series, in words.
    pub last: String,
    /// A value drawn across the chart (an analysis's success threshold).
    pub threshold: Option<f64>,
}

/// The signals of one pod-template hash, or why there are none.
fn signals_of(source: &MetricsSource<'_>, namespace: &str, hash: &str) -> Result<Signals, String> {
    match source.queried {
        Some(queried) => match queried.signals(namespace, hash) {
            None => Err("asking Prometheus…".into()),
            Some(Answer::Failed(problem)) => Err(format!("error: {problem}")),
            Some(Answer::Fresh(signals) | Answer::Stale(signals, _)) => Ok(signals),
        },
        None => Ok(source.history.signals(namespace, Some(hash))),
    }
}

/// The panels for `rollout` at `now` (Unix seconds), or why there are none.
pub fn build(
    source: &MetricsSource<'_>,
    rollout: &RolloutRow,
    now: f64,
) -> Result<Vec<Panel>, String> {
    if !source.configured {
        return Err("no metrics source: set --prometheus-url or --metrics-scrape".into());
    }
    let namespace = &rollout.key.namespace;
    let mut roles = vec![("stable", Slot::Success, rollout.stable_hash.clone())];
    if !rollout.current_hash.is_empty() && rollout.current_hash != rollout.stable_hash {
        roles.push((
            rollout.update_role(),
            Slot::Warning,
            rollout.current_hash.clone(),
        ));
    }
    let mut by_role = Vec::new();
    for (role, slot, hash) in roles {
        by_role.push((role, slot, signals_of(source, namespace, &hash)?));
    }
    let panel = |title: &str, unit: &str, pick: fn(&Signals) -> &Vec<Option<f64>>| {
        let series: Vec<ChartSeries> = by_role
            .iter()
            .map(|(role, slot, signals)| ChartSeries {
                label: role.to_string(),
                slot: *slot,
                points: signals
                    .times
                    .iter()
                    .zip(pick(signals))
                    .filter_map(|(t, v)| v.map(|v| (t - now, v)))
                    .collect(),
            })
            .collect();
        let last = by_role
            .iter()
            .map(
                |(role, _, signals)| match pick(signals).last().copied().flatten() {
                    Some(value) => format!("{role} {value:.1}{unit}"),
                    None => format!("{role} no data"),
                },
            )
            .collect::<Vec<_>>()
            .join("  ");
        Panel {
            title: title.to_string(),
            unit: unit.to_string(),
            series,
            last,
            threshold: None,
        }
    };
    Ok(vec![
        panel("request rate", "/s", |s| &s.request_rate),
        panel("error rate", "%", |s| &s.error_percent),
        panel("p95 latency", "ms", |s| &s.p95_ms),
    ])
}

/// The panels of an AnalysisRun `run` at `now`: per Prometheus metric, the live series of its
/// query (`live`, by metric name) and its measurements, with the success threshold.
pub fn analysis(
    run: &serde_json::Value,
    live: &crate::metrics::analysis::LiveSeries,
    prometheus: bool,
    now: f64,
) -> Result<Vec<Panel>, String> {
    let queries = crate::metrics::analysis::queries(run);
    if queries.is_empty() {
        return Err("no Prometheus metric in this AnalysisRun".into());
    }
    Ok(queries
        .into_iter()
        .map(|query| {
            let mut series = vec![ChartSeries {
                label: "measurements".into(),
                slot: Slot::Info,
                points: query
                    .measurements
                    .iter()
                    .map(|(t, v)| (t - now, *v))
                    .collect(),
            }];
            let live_note = match (&query.query, live.get(&query.metric), prometheus) {
                (Err(why), _, _) => why.clone(),
                (_, _, false) => "the live query needs a Prometheus server".into(),
                (_, None, true) => "asking Prometheus…".into(),
                (_, Some(Err(why)), true) => format!("error: {why}"),
                (_, Some(Ok(points)), true) => {
                    series.push(ChartSeries {
                        label: "query now".into(),
                        slot: Slot::Text,
                        points: points
                            .iter()
                            .filter(|(_, v)| v.is_finite())
                            .map(|(t, v)| (t - now, *v))
                            .collect(),
                    });
                    match points.last() {
                        Some((_, value)) => format!("now {value:.3}"),
                        None => "no data".into(),
                    }
                }
            };
            let measured = query
                .measurements
                .last()
                .map_or("no measurement".to_string(), |(_, v)| {
                    format!("measured {v:.3}")
                });
            let threshold = query
                .threshold
                .as_ref()
                .map(|(op, value)| format!("  success when {op} {value}"))
                .unwrap_or_default();
            Panel {
                title: query.metric,
                unit: "result".into(),
                series,
                last: format!("{measured}  {live_note}{threshold}"),
                threshold: query.threshold.map(|(_, value)| value),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::history::History;
    use crate::model::ObjectKey;

    #[test]
    fn panels_split_stable_and_canary() {
        let mut history = History::default();
        history.record_counts(100.0, &[("s", 0.0, 0.0), ("c", 0.0, 0.0)]);
        history.record_counts(110.0, &[("s", 100.0, 1.0), ("c", 20.0, 6.0)]);
        let source = MetricsSource {
            history: &history,
            queried: None,
            configured: true,
            ascii: false,
        };
        let rollout = RolloutRow {
            key: ObjectKey::new("dev", "app"),
            stable_hash: "s".into(),
            current_hash: "c".into(),
            ..Default::default()
        };
        let panels = build(&source, &rollout, 120.0).expect("panels");
        assert_eq!(panels.len(), 3);
        let errors = &panels[1];
        assert_eq!(errors.series[0].label, "stable");
        assert_eq!(errors.series[1].points, vec![(-10.0, 30.0)]);
        assert_eq!(errors.last, "stable 1.0%  canary 30.0%");
        assert_eq!(panels[2].last, "stable no data  canary no data");
        let unconfigured = MetricsSource {
            configured: false,
            ..source
        };
        assert!(build(&unconfigured, &rollout, 120.0).is_err());
    }
}
