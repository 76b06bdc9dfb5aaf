//! Direct scrape mode against real endpoints: the demo world's `/metrics` (a bad build spikes
//! its canary's error %), and a small local HTTP server answering what broken endpoints answer
//! (5xx, HTML, garbage, NaN, silence) — each a clear message, never a panic.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use flightdeck::demo::world::metrics::Quality;
use flightdeck::demo::world::{World, WorldOptions};
use flightdeck::metrics::history::History;
use flightdeck::metrics::scraper::{ScrapeError, scrape};

/// Serves `response` (raw HTTP) to every connection, after `delay`.
fn serve(response: &'static str, delay: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buffer = [0u8; 1024];
                let _ = stream.read(&mut buffer);
                std::thread::sleep(delay);
                let _ = stream.write_all(response.as_bytes());
            });
        }
    });
    format!("http://{address}/metrics")
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .expect("client")
}

#[tokio::test]
async fn broken_endpoints_are_explained() {
    let client = client();
    let cases = [
        (
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n",
            "HTTP 503",
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 28\r\n\r\n<html><body>login</body></html>",
            "HTML",
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-length: 14\r\n\r\n{{{ garbage }}",
            "no samples",
        ),
    ];
    for (response, says) in cases {
        let url = serve(response, Duration::ZERO);
        let problem = scrape(&client, &url).await.expect_err(says);
        assert!(problem.to_string().contains(says), "{problem}");
    }
    let silent = serve("HTTP/1.1 200 OK\r\n\r\n", Duration::from_secs(5));
    assert_eq!(scrape(&client, &silent).await, Err(ScrapeError::Timeout));
    assert_eq!(
        scrape(&client, "http://127.0.0.1:1/metrics").await,
        Err(ScrapeError::Unreachable)
    );
    // NaN and +Inf values are not counted as requests.
    let odd = serve(
        "HTTP/1.1 200 OK\r\ncontent-length: 127\r\n\r\nhttp_requests_total{namespace=\"dev\",status=\"200\"} NaN\nhttp_requests_total{namespace=\"dev\",status=\"500\"} +Inf\nup{namespace=\"dev\"} 1\n",
        Duration::ZERO,
    );
    let totals = scrape(&client, &odd).await.expect("parsed");
    assert!(totals.iter().all(|t| t.requests == 0.0), "{totals:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_build_spikes_the_canary_error_rate() {
    let client = client();
    let dir = tempfile::tempdir().expect("temp");
    let world = World::start(WorldOptions::for_tests(dir.path().to_path_buf()))
        .await
        .expect("world");
    let url = format!("http://{}/metrics", world.metrics_address);
    let mut history = History::default();
    let started = std::time::Instant::now();
    let at = || started.elapsed().as_secs_f64() * 100.0; // world seconds at speed 100
    world
        .push_commit(Quality::Bad, "feat: broken")
        .expect("push");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let totals = scrape(&client, &url)
            .await
            .expect("the demo endpoint scrapes");
        history.record(at(), totals, None);
        // Stable and canary are told apart by their pod-template hash: the bad canary's error
        // rate is far above the stable's 1 %.
        let errors: Vec<f64> = history
            .hashes("demo-app-dev")
            .iter()
            .filter_map(|hash| history.signals("demo-app-dev", Some(hash)).latest().1)
            .collect();
        if errors.len() == 2 && errors.iter().any(|e| *e > 20.0) && errors.iter().any(|e| *e < 5.0)
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no error spike in dev"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (rate, errors, p95) = history.signals("demo-app-dev", None).latest();
    assert!(rate.is_some_and(|r| r > 0.0), "{rate:?}");
    assert!(
        errors.is_some_and(|e| e > 2.0),
        "the whole namespace shows it too: {errors:?}"
    );
    assert!(p95.is_some_and(|p| p > 0.0), "{p95:?}");
}

#[tokio::test]
async fn a_broken_prometheus_is_explained() {
    use flightdeck::metrics::prometheus::{Prometheus, PrometheusConfig, PrometheusError};
    let _ = client();
    let prometheus = |url: String, timeout: u64| {
        Prometheus::new(PrometheusConfig {
            url: url.trim_end_matches("/metrics").to_string(),
            timeout: Some(Duration::from_secs(timeout)),
            ..Default::default()
        })
        .expect("client")
    };
    // A raw HTTP answer with the right content-length.
    let http = |status: &str, body: &str| -> &'static str {
        Box::leak(
            format!(
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_boxed_str(),
        )
    };
    let cases = [
        (
            http("503 Service Unavailable", "busy!"),
            "HTTP 503: the answer is not JSON",
        ),
        (
            http("200 OK", "<html><body>login</body></html>"),
            "answered HTML",
        ),
        (
            http(
                "400 Bad Request",
                r#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#,
            ),
            "Prometheus bad_data: parse error at char 5",
        ),
        (http("401 Unauthorized", "{}"), "HTTP 401"),
    ];
    for (response, says) in cases {
        let url = serve(response, Duration::ZERO);
        let error = prometheus(url, 2).query("up", 0.0).await.expect_err(says);
        assert!(error.to_string().contains(says), "{error}");
    }
    let empty = serve(
        http(
            "200 OK",
            r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
        ),
        Duration::ZERO,
    );
    assert_eq!(
        prometheus(empty, 2).query_range("up", 0.0, 60.0, 15).await,
        Ok(vec![])
    );
    let slow = serve("HTTP/1.1 200 OK\r\n\r\n", Duration::from_secs(5));
    assert_eq!(
        prometheus(slow, 1).query("up", 0.0).await,
        Err(PrometheusError::Timeout)
    );
    let down = prometheus("http://127.0.0.1:1".into(), 1)
        .query("up", 0.0)
        .await;
    assert_eq!(
        down,
        Err(PrometheusError::Unreachable {
            url: "http://127.0.0.1:1".into()
        })
    );
}

#[tokio::test]
async fn prometheus_gets_the_configured_credentials_and_headers() {
    use flightdeck::metrics::prometheus::{Prometheus, PrometheusConfig};
    use std::sync::{Arc, Mutex};
    let _ = client();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let seen = Arc::new(Mutex::new(String::new()));
    let recorded = seen.clone();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buffer = [0u8; 4096];
            let read = stream.read(&mut buffer).unwrap_or(0);
            *recorded.lock().expect("lock") = String::from_utf8_lossy(&buffer[..read]).to_string();
            let body = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    let access = flightdeck::settings::config::PrometheusAccess {
        user: Some("viewer".into()),
        headers: Some("X-Scope-OrgID: team-a; X-Other: 1".into()),
        ..Default::default()
    };
    let mut config = PrometheusConfig::from_settings(&format!("http://{address}"), &access);
    config.basic_auth = Some(("viewer".into(), "s3cret".into()));
    let prometheus = Prometheus::new(config).expect("client");
    assert_eq!(prometheus.query("up", 0.0).await, Ok(vec![]));
    let request = seen.lock().expect("lock").to_lowercase();
    assert!(request.contains("x-scope-orgid: team-a"), "{request}");
    assert!(request.contains("x-other: 1"), "{request}");
    // viewer:s3cret in base64.
    assert!(
        request.contains("authorization: basic dmlld2vyonmzy3jlda=="),
        "{request}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_through_the_cluster_service_proxy() {
    use flightdeck::metrics::scraper::scrape_any;
    let http = client();
    let dir = tempfile::tempdir().expect("temp");
    let world = World::start(WorldOptions::for_tests(dir.path().to_path_buf()))
        .await
        .expect("world");
    let url = "service://demo-app-dev/demo-app-stable:80/metrics";
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match scrape_any(&http, Some(&world.client), url).await {
            Ok(totals)
                if totals
                    .iter()
                    .any(|t| t.namespace == "demo-app-dev" && t.requests > 0.0) =>
            {
                break;
            }
            other => {
                assert!(std::time::Instant::now() < deadline, "{other:?}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    let missing = scrape_any(
        &http,
        Some(&world.client),
        "service://demo-app-dev/nope:80/metrics",
    )
    .await
    .expect_err("no such service");
    assert!(
        matches!(&missing, ScrapeError::Proxy { message, code: 404 } if message.contains("\"nope\" not found")),
        "{missing}"
    );
    assert_eq!(
        scrape_any(&http, None, url).await,
        Err(ScrapeError::NotConnected)
    );
    let requests = world.server.state.requests.entries();
    assert!(
        requests.iter().any(|r| r.uri
            == "/api/v1/namespaces/demo-app-dev/services/demo-app-stable:80/proxy/metrics")
    );
}
