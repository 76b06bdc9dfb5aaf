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
