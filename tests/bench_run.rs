//! The benchmark runs headless end to end at 1,000 objects: the server in its own process, every
//! object ingested and drawn, a second of watch-event load, and the figures printed as JSON.
//! Figures are reported, not judged here — except that an idle cockpit writes nothing and no
//! change sent under load is lost.

mod common;

#[test]
fn the_benchmark_completes_at_a_thousand_objects() {
    let report = common::bench_figures(&[
        "--objects",
        "1000",
        "--idle-seconds",
        "1",
        "--load-seconds",
        "1",
    ]);
    assert_eq!(report["objects"], 1008);
    for figure in [
        "first_frame_ms",
        "ingested_and_drawn_ms",
        "rss_steady_mb",
        "rss_peak_mb",
        "scroll_frame_p50_ms",
        "scroll_frame_p99_ms",
        "filter_frame_p50_ms",
        "filter_frame_p99_ms",
        "idle_cpu_percent",
        "load_events_per_second",
        "load_frame_p50_ms",
        "load_frame_p99_ms",
        "load_batch_p99_ms",
    ] {
        assert!(
            report[figure].as_f64().is_some_and(|v| v >= 0.0),
            "{figure}: {report}"
        );
    }
    assert!(
        report["bytes_one_row_change"]
            .as_u64()
            .is_some_and(|b| b > 0)
    );
    assert_eq!(report["idle_bytes"], 0, "nothing is drawn while idle");
    // The load phase: a second at the default 12,000 changes a second, every one received (at
    // 1,000 objects no watcher falls behind far enough to be told to list again).
    assert_eq!(report["load_events_sent"], 12_000, "{report}");
    assert_eq!(report["load_relists"], 0, "{report}");
    assert_eq!(report["load_events_received"], 12_000, "{report}");
    assert!(
        report["load_frames"].as_u64().is_some_and(|f| f > 0),
        "{report}"
    );
}
