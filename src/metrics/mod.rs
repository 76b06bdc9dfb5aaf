//! Metrics beside the GitOps objects: the arithmetic Prometheus does (for direct scrape mode),
//! the scraped history per application and pod-template hash, and the signals the views draw
//! (request rate, error %, p95 latency; canary vs stable).

pub mod analysis;
pub mod history;
pub mod math;
pub mod poller;
pub mod prometheus;
pub mod queried;
pub mod queries;
pub mod scraper;

/// Whether an answer is an HTML page (a login page, a proxy's error) rather than metrics.
pub fn looks_like_html(text: &str) -> bool {
    let start: String = text.trim_start().chars().take(15).collect();
    let start = start.to_ascii_lowercase();
    start.starts_with("<!doctype") || start.starts_with("<html")
}
