//! The metric cells of the views: a sparkline of the error rate and the newest request rate,
//! error % and p95 latency of a Rollout's canary (or, without one, of all its pods), from the
//! scraped history. "no data" and "error: …" are told apart from zero. Pure.

use crate::metrics::history::{History, Signals};
use crate::metrics::queried::Answer;
use crate::model::rows::RolloutRow;
use crate::theme::Slot;

use super::cell::Cell;

/// Sparkline levels, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// The same in ASCII terminals.
const ASCII_BARS: [char; 8] = ['_', '.', '-', '~', '=', '+', '*', '#'];
/// Points in a pipeline cell's sparkline.
pub const SPARK_WIDTH: usize = 8;

/// How a metrics source draws, apart from its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsMode {
    /// Prometheus's answers (else direct scrapes).
    pub prometheus: bool,
    /// Any source is configured at all.
    pub configured: bool,
    pub ascii: bool,
}

/// Where metrics come from, for the views.
pub struct MetricsSource<'a> {
    pub history: &'a History,
    /// Prometheus's answers, in Prometheus mode.
    pub queried: Option<&'a crate::metrics::queried::Queried>,
    /// Whether any metrics source is configured at all.
    pub configured: bool,
    pub ascii: bool,
}

impl MetricsSource<'_> {
    /// Everything but the values: views built from this source are stale when it changes.
    pub fn mode(&self) -> MetricsMode {
        MetricsMode {
            prometheus: self.queried.is_some(),
            configured: self.configured,
            ascii: self.ascii,
        }
    }
}

/// A sparkline of the newest `width` values, scaled from 0 to their maximum; gaps are spaces.
pub fn sparkline(values: &[Option<f64>], width: usize, ascii: bool) -> String {
    let bars = if ascii { &ASCII_BARS } else { &BARS };
    let shown = &values[values.len().saturating_sub(width)..];
    let max = shown.iter().flatten().copied().fold(0.0_f64, f64::max);
    shown
        .iter()
        .map(|value| match value {
            Some(v) if v.is_finite() && max > 0.0 => {
                let level = ((v / max) * (bars.len() - 1) as f64).round() as usize;
                bars[level.min(bars.len() - 1)]
            }
            Some(_) => bars[0],
            None => ' ',
        })
        .collect()
}

/// How alarming an error percentage is.
fn error_slot(percent: f64) -> Slot {
    if percent >= 5.0 {
        Slot::Error
    } else if percent >= 1.0 {
        Slot::Warning
    } else {
        Slot::Success
    }
}

/// The pipeline's METRICS cell for a Rollout (its canary when it has one).
pub fn cell(source: Option<&MetricsSource<'_>>, rollout: Option<&RolloutRow>) -> Cell {
    let Some(source) = source.filter(|s| s.configured) else {
        return Cell::muted("no metrics source");
    };
    let Some(rollout) = rollout else {
        return Cell::muted("-");
    };
    let namespace = &rollout.key.namespace;
    let canary = !rollout.current_hash.is_empty() && rollout.current_hash != rollout.stable_hash;
    if let Some(queried) = source.queried {
        let hash = if canary {
            &rollout.current_hash
        } else {
            &rollout.stable_hash
        };
        return match queried.signals(namespace, hash) {
            None => Cell::muted("asking Prometheus…"),
            Some(Answer::Failed(problem)) => Cell::new(format!("error: {problem}"), Slot::Error),
            Some(Answer::Stale(signals, _)) => describe(&signals, canary, true, source.ascii),
            Some(Answer::Fresh(signals)) => describe(&signals, canary, false, source.ascii),
        };
    }
    if !source.history.knows(namespace) {
        return match &source.history.problem {
            Some(problem) => Cell::new(format!("error: {problem}"), Slot::Error),
            None => Cell::muted("no data yet"),
        };
    }
    let signals: Signals = if canary {
        source
            .history
            .signals(namespace, Some(&rollout.current_hash))
    } else {
        source.history.signals(namespace, None)
    };
    describe(
        &signals,
        canary,
        source.history.problem.is_some(),
        source.ascii,
    )
}

/// The Rollout detail's metric lines: stable and, during an update, canary.
pub fn roles(source: &MetricsSource<'_>, rollout: &RolloutRow) -> Vec<Vec<Cell>> {
    if !source.configured {
        return vec![vec![Cell::muted(
            "  no metrics source (--prometheus-url or --metrics-scrape)",
        )]];
    }
    let namespace = &rollout.key.namespace;
    let mut roles = vec![("stable", &rollout.stable_hash)];
    if !rollout.current_hash.is_empty() && rollout.current_hash != rollout.stable_hash {
        roles.push((rollout.update_role(), &rollout.current_hash));
    }
    roles
        .into_iter()
        .map(|(role, hash)| {
            let cell = match source.queried {
                Some(queried) => match queried.signals(namespace, hash) {
                    None => Cell::muted("asking Prometheus…"),
                    Some(Answer::Failed(problem)) => {
                        Cell::new(format!("error: {problem}"), Slot::Error)
                    }
                    Some(Answer::Stale(signals, problem)) => {
                        let mut cell = describe(&signals, false, true, source.ascii);
                        cell.text = format!("{}: {problem}", cell.text);
                        cell
                    }
                    Some(Answer::Fresh(signals)) => describe(&signals, false, false, source.ascii),
                },
                None => describe(
                    &source.history.signals(namespace, Some(hash)),
                    false,
                    source.history.problem.is_some(),
                    source.ascii,
                ),
            };
            vec![Cell::muted(format!("  {role:<8}")), cell]
        })
        .collect()
}

/// "▁▂▅█ canary 12.0/s 4.2% 180ms": the error-rate sparkline and the newest values.
fn describe(signals: &Signals, canary: bool, stale: bool, ascii: bool) -> Cell {
    let (rate, errors, p95) = signals.latest();
    let Some(rate) = rate else {
        return Cell::muted("no data yet");
    };
    let errors = errors.unwrap_or(0.0);
    let p95 = p95.map_or("-".to_string(), |v| format!("{v:.0}ms"));
    let who = if canary { "canary " } else { "" };
    let stale = if stale { " (stale)" } else { "" };
    Cell::new(
        format!(
            "{} {who}{rate:.1}/s {errors:.1}% {p95}{stale}",
            sparkline(&signals.error_percent, SPARK_WIDTH, ascii)
        ),
        error_slot(errors),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectKey;

    #[test]
    fn sparklines_scale_to_the_maximum_and_keep_gaps() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(5.0), Some(10.0), None], 8, false),
            "▁▅█ "
        );
        assert_eq!(sparkline(&[Some(1.0); 12], 8, true), "########");
        assert_eq!(sparkline(&[Some(0.0), Some(0.0)], 8, false), "▁▁");
        assert_eq!(sparkline(&[], 8, false), "");
    }

    #[test]
    fn cells_tell_no_source_no_data_errors_and_values_apart() {
        let rollout = RolloutRow {
            key: ObjectKey::new("dev", "app"),
            stable_hash: "a".into(),
            current_hash: "b".into(),
            ..Default::default()
        };
        let mut history = History::default();
        fn source(history: &History) -> MetricsSource<'_> {
            MetricsSource {
                history,
                queried: None,
                configured: true,
                ascii: false,
            }
        }
        assert_eq!(cell(None, Some(&rollout)).text, "no metrics source");
        assert_eq!(
            cell(Some(&source(&history)), Some(&rollout)).text,
            "no data yet"
        );
        history.record(
            0.0,
            Vec::new(),
            Some("http://x/metrics: unreachable".into()),
        );
        assert_eq!(
            cell(Some(&source(&history)), Some(&rollout)).text,
            "error: http://x/metrics: unreachable"
        );
        history.record_counts(10.0, &[("a", 0.0, 0.0), ("b", 0.0, 0.0)]);
        history.record_counts(20.0, &[("a", 100.0, 0.0), ("b", 50.0, 25.0)]);
        let shown = cell(Some(&source(&history)), Some(&rollout));
        assert_eq!(shown.text, " █ canary 5.0/s 50.0% -");
        assert_eq!(shown.slot, Slot::Error);
    }
}
