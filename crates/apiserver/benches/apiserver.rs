//! Scale figures of the embedded API server (run: `cargo bench --bench apiserver`):
//! holding 100k objects, listing 10k objects of ~5 KB over HTTP, 20 concurrent watchers each
//! receiving every event, and 1k writes/s while watched. Prints one JSON document.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use flightdeck_apiserver::write::create_object;
use flightdeck_apiserver::{ApiServer, ServerOptions};

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// A ConfigMap of about `size` bytes.
fn config_map(namespace: &str, name: &str, size: usize) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace, "labels": {"app": "bench"}}, "data": {"payload": "x".repeat(size)}})
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let started = Instant::now();
    let server = ApiServer::start(ServerOptions {
        history: 200_000,
        ..ServerOptions::default()
    })
    .await
    .expect("server");
    let start_ms = started.elapsed().as_millis();
    let state = server.state.clone();
    let registry = &state.registry;
    let namespaces = registry
        .find("", "v1", "namespaces")
        .expect("namespaces")
        .clone();
    let config_maps = registry
        .find("", "v1", "configmaps")
        .expect("configmaps")
        .clone();
    for namespace in ["bench", "big"] {
        create_object(
            &state,
            &namespaces,
            None,
            json!({"metadata": {"name": namespace}}),
            false,
            None,
        )
        .expect("namespace");
    }
    let rss_before = rss_mib();

    // 100k objects of ~1 KB held in memory.
    let load = Instant::now();
    for index in 0..100_000 {
        create_object(
            &state,
            &config_maps,
            Some("bench"),
            config_map("bench", &format!("cm-{index}"), 1_000),
            false,
            None,
        )
        .expect("create");
    }
    let load_100k_ms = load.elapsed().as_millis();
    let rss_100k = rss_mib();

    // 10k objects of ~5 KB, listed over HTTP.
    for index in 0..10_000 {
        create_object(
            &state,
            &config_maps,
            Some("big"),
            config_map("big", &format!("big-{index}"), 5_000),
            false,
            None,
        )
        .expect("create");
    }
    let client = reqwest::Client::new();
    let list_url = format!(
        "{}/api/v1/namespaces/big/configmaps?&limit=500",
        server.url()
    );
    let mut list_ms = Vec::new();
    let mut list_bytes = 0;
    for _ in 0..5 {
        let at = Instant::now();
        let body = client
            .get(&list_url)
            .send()
            .await
            .expect("list")
            .bytes()
            .await
            .expect("body");
        list_ms.push(at.elapsed().as_secs_f64() * 1000.0);
        list_bytes = body.len();
    }
    list_ms.sort_by(f64::total_cmp);

    // 20 watchers, then 1k writes/s for 10 s.
    let watchers = 20;
    let writes_per_second = 1_000;
    let seconds = 10;
    let received: Arc<Vec<AtomicU64>> =
        Arc::new((0..watchers).map(|_| AtomicU64::new(0)).collect());
    let watch_url = format!(
        "{}/api/v1/namespaces/bench/configmaps?&watch=true&resourceVersion={}&allowWatchBookmarks=true&timeoutSeconds=60",
        server.url(),
        state.store().current_rv()
    );
    let mut handles = Vec::new();
    for index in 0..watchers {
        let received = received.clone();
        let mut response = client.get(&watch_url).send().await.expect("watch");
        handles.push(tokio::spawn(async move {
            let mut pending = Vec::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                pending.extend_from_slice(&chunk);
                while let Some(end) = pending.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = pending.drain(..=end).collect();
                    let needle = b"\"type\":\"MODIFIED\"";
                    if line.windows(needle.len()).any(|w| w == needle) {
                        received[index].fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let total_writes = writes_per_second * seconds;
    let write_latencies = Arc::new(std::sync::Mutex::new(Vec::with_capacity(total_writes)));
    let writing = Instant::now();
    let mut ticker =
        tokio::time::interval(Duration::from_micros(1_000_000 / writes_per_second as u64));
    let mut in_flight = Vec::new();
    for index in 0..total_writes {
        ticker.tick().await;
        let client = client.clone();
        let url = format!(
            "{}/api/v1/namespaces/bench/configmaps/cm-{}",
            server.url(),
            index % 1_000
        );
        let latencies = write_latencies.clone();
        in_flight.push(tokio::spawn(async move {
            let at = Instant::now();
            let response = client
                .patch(&url)
                .header("content-type", "application/merge-patch+json")
                .body(json!({"data": {"n": index.to_string()}}).to_string())
                .send()
                .await;
            if response.is_ok_and(|r| r.status().is_success()) {
                latencies
                    .lock()
                    .expect("latencies")
                    .push(at.elapsed().as_secs_f64() * 1000.0);
            }
        }));
    }
    for task in in_flight {
        let _ = task.await;
    }
    let write_seconds = writing.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(10);
    while received
        .iter()
        .any(|r| r.load(Ordering::Relaxed) < total_writes as u64)
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let delivered: Vec<u64> = received.iter().map(|r| r.load(Ordering::Relaxed)).collect();
    let mut latencies = write_latencies.lock().expect("latencies").clone();
    latencies.sort_by(f64::total_cmp);
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let report = json!({
        "server_start_ms": start_ms,
        "objects_held": state.store().len(),
        "load_100k_objects_ms": load_100k_ms,
        "rss_mib_empty": rss_before,
        "rss_mib_with_100k_1kb_objects": rss_100k,
        "rss_mib_final": rss_mib(),
        "list_10k_5kb_over_http": {"bytes": list_bytes, "ms_min": list_ms.first(), "ms_median": list_ms.get(2)},
        "watchers": watchers,
        "writes": total_writes,
        "write_rate_per_s": total_writes as f64 / write_seconds,
        "write_latency_ms": {"p50": percentile(0.5), "p99": percentile(0.99)},
        "events_received_per_watcher": {"min": delivered.iter().min(), "max": delivered.iter().max()},
        "every_watcher_got_every_event": delivered.iter().all(|d| *d == total_writes as u64),
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
    for handle in handles {
        handle.abort();
    }
}
