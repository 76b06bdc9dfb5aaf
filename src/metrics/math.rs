//! The arithmetic Prometheus does, done client-side for direct scrape mode: a counter's rate over
//! a window (counter resets count as restarts from zero, as `rate()` treats them; no
//! extrapolation to the window's edges), `histogram_quantile` with Prometheus's interpolation,
//! and the `step` of a range query for a sparkline of a given width. Pure.

/// Per-second rate of a counter from its samples `(seconds, value)` in time order, or `None`
/// with fewer than two samples or no time between them.
pub fn rate(samples: &[(f64, f64)]) -> Option<f64> {
    let (first, last) = (samples.first()?, samples.last()?);
    let elapsed = last.0 - first.0;
    if samples.len() < 2 || elapsed <= 0.0 {
        return None;
    }
    let increase: f64 = samples
        .windows(2)
        .map(|pair| {
            let (before, after) = (pair[0].1, pair[1].1);
            // A drop is a reset: the counter started again from zero.
            if after < before {
                after
            } else {
                after - before
            }
        })
        .sum();
    Some(increase / elapsed)
}

/// `histogram_quantile(q, …)` over cumulative buckets `(upper bound, count)`, as Prometheus
/// computes it (`bucketQuantile`): NaN without a `+Inf` bucket or without observations; the
/// highest finite bound when the rank falls in `+Inf`; else linear interpolation inside the
/// bucket (the first one starting at 0).
pub fn histogram_quantile(q: f64, buckets: &[(f64, f64)]) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    let mut sorted: Vec<(f64, f64)> = buckets
        .iter()
        .copied()
        .filter(|(bound, _)| !bound.is_nan())
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Merge duplicate bounds and make counts monotonic, as Prometheus does with scrapes that
    // raced.
    sorted.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            earlier.1 = earlier.1.max(later.1);
            true
        } else {
            false
        }
    });
    let mut highest = 0.0_f64;
    for bucket in &mut sorted {
        highest = highest.max(bucket.1);
        bucket.1 = highest;
    }
    if sorted.len() < 2
        || sorted
            .last()
            .is_none_or(|(bound, _)| *bound != f64::INFINITY)
    {
        return f64::NAN;
    }
    let observations = sorted[sorted.len() - 1].1;
    if observations == 0.0 {
        return f64::NAN;
    }
    let rank = q * observations;
    let index = sorted
        .iter()
        .position(|(_, count)| *count >= rank)
        .unwrap_or(sorted.len() - 1);
    if index == sorted.len() - 1 {
        return sorted[sorted.len() - 2].0;
    }
    if index == 0 && sorted[0].0 <= 0.0 {
        return sorted[0].0;
    }
    let (start, below) = if index == 0 {
        (0.0, 0.0)
    } else {
        sorted[index - 1]
    };
    let (end, count) = sorted[index];
    let in_bucket = count - below;
    if in_bucket <= 0.0 {
        return end;
    }
    start + (end - start) * ((rank - below) / in_bucket)
}

/// The step of a range query for `width` sparkline cells over `range_seconds` (at least 1 s).
pub fn step_seconds(range_seconds: u64, width: u16) -> u64 {
    (range_seconds / u64::from(width.max(1))).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_counts_resets_as_restarts() {
        assert_eq!(rate(&[(0.0, 10.0), (10.0, 30.0)]), Some(2.0));
        // 10 → 30 (+20), reset to 5 (+5), 5 → 15 (+10): 35 over 30 s.
        let reset = [(0.0, 10.0), (10.0, 30.0), (20.0, 5.0), (30.0, 15.0)];
        assert!((rate(&reset).expect("rate") - 35.0 / 30.0).abs() < 1e-12);
        assert_eq!(rate(&[(0.0, 1.0)]), None);
        assert_eq!(rate(&[(5.0, 1.0), (5.0, 2.0)]), None);
        assert_eq!(rate(&[]), None);
    }

    #[test]
    fn histogram_quantile_interpolates_like_prometheus() {
        let buckets = [
            (50.0, 50.0),
            (100.0, 90.0),
            (250.0, 100.0),
            (f64::INFINITY, 100.0),
        ];
        // p50: rank 50 ends bucket 0..50 exactly.
        assert_eq!(histogram_quantile(0.5, &buckets), 50.0);
        // p95: rank 95 is 5 of the 10 in 100..250 → 100 + 150 × 0.5.
        assert_eq!(histogram_quantile(0.95, &buckets), 175.0);
        // p20: rank 20 in the first bucket, which starts at 0 → 50 × 20/50.
        assert_eq!(histogram_quantile(0.2, &buckets), 20.0);
        // The rank lands in +Inf: the highest finite bound.
        let tail = [(100.0, 10.0), (f64::INFINITY, 20.0)];
        assert_eq!(histogram_quantile(0.99, &tail), 100.0);
        // Missing +Inf, no observations, out-of-range q.
        assert!(histogram_quantile(0.5, &[(100.0, 10.0)]).is_nan());
        assert!(histogram_quantile(0.5, &[(100.0, 0.0), (f64::INFINITY, 0.0)]).is_nan());
        assert_eq!(histogram_quantile(1.5, &buckets), f64::INFINITY);
        assert_eq!(histogram_quantile(-1.0, &buckets), f64::NEG_INFINITY);
        // Unsorted and non-monotonic input is repaired first.
        let messy = [
            (f64::INFINITY, 100.0),
            (100.0, 85.0),
            (50.0, 90.0),
            (250.0, 100.0),
        ];
        assert_eq!(
            histogram_quantile(0.5, &messy),
            100.0 * 0.0 + 50.0 * (50.0 / 90.0)
        );
    }

    #[test]
    fn step_divides_the_range_by_the_width() {
        assert_eq!(step_seconds(3600, 60), 60);
        assert_eq!(step_seconds(600, 24), 25);
        assert_eq!(step_seconds(10, 40), 1);
        assert_eq!(step_seconds(600, 0), 600);
    }
}
