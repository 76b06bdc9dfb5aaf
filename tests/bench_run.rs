//! The benchmark runs headless end to end at 1,000 objects: the server in its own process, every
//! object ingested and drawn, and the figures printed as JSON. Figures are reported, not judged
//! here — except that an idle cockpit writes nothing.

use std::process::Command;

#[test]
fn the_benchmark_completes_at_a_thousand_objects() {
    let output = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args([
            "bench",
            "--objects",
            "1000",
            "--idle-seconds",
            "1",
            "--json",
        ])
        .output()
        .expect("flightdeck bench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
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
}
