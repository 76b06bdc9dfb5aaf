//! Direct scrape mode's loop: every `INTERVAL`, GET each `/metrics` endpoint, parse it with
//! prometheus-parse, reduce it to totals (`history::totals`) and send them to the UI loop. A
//! slow, failing or garbage endpoint becomes a message; the others still count.

use std::time::Duration;

use tokio::sync::mpsc;

use super::history::{SeriesTotals, totals};

/// Time between scrapes.
pub const INTERVAL: Duration = Duration::from_secs(5);
/// Longest wait for one endpoint.
const TIMEOUT: Duration = Duration::from_secs(4);

/// A round of scrapes at (seconds): the totals got, and what failed (the UI makes it a `Msg`).
#[derive(Debug, Clone)]
pub struct Scraped(
    pub f64,
    pub Vec<crate::metrics::history::SeriesTotals>,
    pub Option<String>,
);

/// Scrapes `urls` until the UI loop is gone (`service://NAMESPACE/NAME:PORT/PATH` ones through
/// the cluster's service proxy, with the current cluster client).
pub async fn run<M: From<Scraped>>(
    urls: Vec<String>,
    cluster: crate::kube::session::ClientSlot,
    sender: mpsc::Sender<M>,
) {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => {
            let _ = sender
                .send(
                    Scraped(
                        crate::model::time::now_precise(),
                        Vec::new(),
                        Some(format!("cannot scrape: {error}")),
                    )
                    .into(),
                )
                .await;
            return;
        }
    };
    let mut ticks = tokio::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        let at = crate::model::time::now_precise();
        let mut all = Vec::new();
        let mut problems = Vec::new();
        for url in &urls {
            let kube = cluster.lock().ok().and_then(|c| c.clone());
            match scrape_any(&client, kube.as_ref(), url).await {
                Ok(series) => all.extend(series),
                Err(problem) => problems.push(format!("{url}: {problem}")),
            }
        }
        let problem = (!problems.is_empty()).then(|| problems.join("; "));
        if sender.send(Scraped(at, all, problem).into()).await.is_err() {
            return;
        }
    }
}

/// One endpoint's totals, by URL or through the service proxy (`service://…`).
pub async fn scrape_any(
    http: &reqwest::Client,
    cluster: Option<&kube::Client>,
    url: &str,
) -> Result<Vec<SeriesTotals>, String> {
    let Some(rest) = url.strip_prefix("service://") else {
        return scrape(http, url).await;
    };
    let cluster = cluster.ok_or("not connected to a cluster")?;
    let (namespace, rest) = rest
        .split_once('/')
        .ok_or("expected service://NAMESPACE/NAME:PORT/PATH")?;
    let (service, path) = rest.split_once('/').unwrap_or((rest, "metrics"));
    let request = http::Request::get(format!(
        "/api/v1/namespaces/{namespace}/services/{service}/proxy/{path}"
    ))
    .body(Vec::new())
    .map_err(|e| e.to_string())?;
    let text = cluster.request_text(request).await.map_err(|e| match e {
        kube::Error::Api(status) => format!("{} ({})", status.message, status.code),
        other => other.to_string(),
    })?;
    parse(&text)
}

/// One endpoint's totals, or what was wrong with it.
pub async fn scrape(client: &reqwest::Client, url: &str) -> Result<Vec<SeriesTotals>, String> {
    let response = client.get(url).send().await.map_err(|e| {
        if e.is_timeout() {
            "timed out".to_string()
        } else if e.is_connect() {
            "unreachable".to_string()
        } else {
            e.to_string()
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    let text = response.text().await.map_err(|e| e.to_string())?;
    parse(&text)
}

/// Parses exposition text (refusing HTML and text without samples).
pub fn parse(text: &str) -> Result<Vec<SeriesTotals>, String> {
    if super::looks_like_html(text) {
        return Err("answered HTML, not Prometheus text".into());
    }
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .map_err(|e| format!("not Prometheus text: {e}"))?;
    // An endpoint with nothing to report yet still says what it would report (# HELP/# TYPE).
    if scrape.samples.is_empty() && !text.lines().any(|line| line.starts_with("# ")) {
        return Err("no samples in the answer (not Prometheus text?)".into());
    }
    Ok(totals(&scrape))
}
