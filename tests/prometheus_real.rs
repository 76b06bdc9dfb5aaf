//! Against a real Prometheus (Debian's `prometheus`, started here on 127.0.0.1 with a temporary
//! config scraping the demo world's `/metrics`): the series flightdeck reads for the seed's
//! queries equal what Prometheus's own API returns for the same request, and a broken query
//! comes back as Prometheus's error. Without the binary the test says SKIPPED; `.ci/run`
//! installs it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use flightdeck::demo::world::{World, WorldOptions};
use flightdeck::metrics::math::step_seconds;
use flightdeck::metrics::prometheus::{Prometheus, PrometheusConfig, PrometheusError};
use flightdeck::metrics::queries::{Signal, query};
use serde_json::Value;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flightdeck_reads_what_prometheus_answers() {
    if Command::new("prometheus")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "SKIPPED: prometheus is not installed (apt-get install prometheus); .ci/run installs it"
        );
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp");
    let world = World::start(WorldOptions::for_tests(dir.path().join("world")))
        .await
        .expect("world");
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n- job_name: demo-app\n  honor_labels: true\n  static_configs:\n  - targets: ['{}']\n",
            world.metrics_address
        ),
    )
    .expect("config");
    let port = free_port();
    let _server = Server(
        Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus starts"),
    );
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let prometheus = Prometheus::new(PrometheusConfig {
        url: url.clone(),
        ..Default::default()
    })
    .expect("client");
    let rate = query(Signal::RequestRate, "demo-app", "demo-app-dev");
    // Wait until Prometheus has scraped enough for a rate.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let answer = prometheus.query(&rate, now()).await;
        if answer.as_ref().is_ok_and(|series| {
            series
                .iter()
                .any(|s| s.points.first().is_some_and(|(_, v)| *v > 0.0))
        }) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no rate from Prometheus: {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // A few more scrapes, so the range below has several points with a rate.
    tokio::time::sleep(Duration::from_secs(6)).await;
    for signal in [
        Signal::RequestRate,
        Signal::ErrorPercent,
        Signal::P95Latency,
    ] {
        let promql = query(signal, "demo-app", "demo-app-dev");
        let end = now().floor();
        let start = end - 30.0;
        let step = step_seconds(30, 15);
        let ours = prometheus
            .query_range(&promql, start, end, step)
            .await
            .expect("query_range");
        // The same request, read independently.
        let raw: Value = http
            .get(format!(
                "{url}/api/v1/query_range?query={}&start={start:.3}&end={end:.3}&step={step}",
                urlencode(&promql)
            ))
            .send()
            .await
            .expect("raw request")
            .json()
            .await
            .expect("raw json");
        let theirs = raw["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(ours.len(), theirs.len(), "{signal:?}");
        assert!(!ours.is_empty(), "{signal:?}: no series: {raw}");
        for series in &ours {
            let hash = series
                .label("rollouts_pod_template_hash")
                .unwrap_or_default();
            let matching = theirs
                .iter()
                .find(|t| {
                    t["metric"]["rollouts_pod_template_hash"]
                        .as_str()
                        .unwrap_or_default()
                        == hash
                })
                .expect("the same series");
            let values: Vec<(f64, String)> = matching["values"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|v| {
                    (
                        v[0].as_f64().unwrap_or_default(),
                        v[1].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            assert_eq!(series.points.len(), values.len(), "{signal:?}");
            for ((time, value), (their_time, their_value)) in series.points.iter().zip(&values) {
                assert_eq!(time, their_time);
                let theirs: f64 = their_value.parse().unwrap_or(f64::NAN);
                assert!(
                    value == &theirs || (value.is_nan() && theirs.is_nan()),
                    "{signal:?} at {time}: {value} vs {their_value}"
                );
            }
        }
    }

    let broken = prometheus
        .query("sum(rate(", now())
        .await
        .expect_err("bad query");
    assert!(
        matches!(&broken, PrometheusError::Refused { kind, .. } if kind == "bad_data"),
        "{broken}"
    );
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
