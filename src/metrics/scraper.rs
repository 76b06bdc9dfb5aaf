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

/// What can go wrong scraping an endpoint, in the words the metrics line shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScrapeError {
    #[error("timed out")]
    Timeout,
    #[error("unreachable")]
    Unreachable,
    /// Any other failure of the request or of reading the answer.
    #[error("{0}")]
    Transport(String),
    #[error("HTTP {0}")]
    Status(String),
    #[error("not connected to a cluster")]
    NotConnected,
    #[error("expected service://NAMESPACE/NAME:PORT/PATH")]
    BadServiceUrl,
    /// The API server's service proxy refused (its Status message and code).
    #[error("{message} ({code})")]
    Proxy { message: String, code: u16 },
    #[error("answered HTML, not Prometheus text")]
    Html,
    #[error("not Prometheus text: {0}")]
    NotExposition(String),
    #[error("no samples in the answer (not Prometheus text?)")]
    NoSamples,
}

/// One endpoint's totals, by URL or through the service proxy (`service://…`).
pub async fn scrape_any(
    http: &reqwest::Client,
    cluster: Option<&kube::Client>,
    url: &str,
) -> Result<Vec<SeriesTotals>, ScrapeError> {
    let Some(rest) = url.strip_prefix("service://") else {
        return scrape(http, url).await;
    };
    let cluster = cluster.ok_or(ScrapeError::NotConnected)?;
    let (namespace, rest) = rest.split_once('/').ok_or(ScrapeError::BadServiceUrl)?;
    let (service, path) = rest.split_once('/').unwrap_or((rest, "metrics"));
    let request = http::Request::get(format!(
        "/api/v1/namespaces/{namespace}/services/{service}/proxy/{path}"
    ))
    .body(Vec::new())
    .map_err(|_| ScrapeError::BadServiceUrl)?;
    let text = cluster.request_text(request).await.map_err(|e| match e {
        kube::Error::Api(status) => ScrapeError::Proxy {
            message: status.message.clone(),
            code: status.code,
        },
        other => ScrapeError::Transport(other.to_string()),
    })?;
    parse(&text)
}

/// One endpoint's totals, or what was wrong with it.
pub async fn scrape(client: &reqwest::Client, url: &str) -> Result<Vec<SeriesTotals>, ScrapeError> {
    let response = client.get(url).send().await.map_err(|e| {
        if e.is_timeout() {
            ScrapeError::Timeout
        } else if e.is_connect() {
            ScrapeError::Unreachable
        } else {
            ScrapeError::Transport(e.to_string())
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(ScrapeError::Status(status.to_string()));
    }
    let text = response
        .text()
        .await
        .map_err(|e| ScrapeError::Transport(e.to_string()))?;
    parse(&text)
}

/// Parses exposition text (refusing HTML and text without samples).
pub fn parse(text: &str) -> Result<Vec<SeriesTotals>, ScrapeError> {
    if super::looks_like_html(text) {
        return Err(ScrapeError::Html);
    }
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .map_err(|e| ScrapeError::NotExposition(e.to_string()))?;
    // An endpoint with nothing to report yet still says what it would report (# HELP/# TYPE).
    if scrape.samples.is_empty() && !text.lines().any(|line| line.starts_with("# ")) {
        return Err(ScrapeError::NoSamples);
    }
    Ok(totals(&scrape))
}
