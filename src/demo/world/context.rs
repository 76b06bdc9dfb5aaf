//! What every simulated controller shares: the Kubernetes client it acts through (the only way it
//! changes objects), the time scale, and the world's infrastructure that has no Kubernetes API —
//! the Git repositories, the image registry, the traffic model and the pods' log files.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};

use super::git::GitRepos;
use super::metrics::{Quality, TrafficModel};
use flightdeck_apiserver::state::State;

/// The simulated image registry (`localhost:30087/demo-app`): pushed tags with their quality.
#[derive(Debug, Default)]
pub struct ImageRegistry {
    tags: Mutex<Vec<(String, Quality)>>,
}

impl ImageRegistry {
    pub const REPOSITORY: &'static str = "localhost:30087/demo-app";

    pub fn push(&self, tag: &str, quality: Quality) {
        let mut tags = self.tags.lock().unwrap_or_else(|e| e.into_inner());
        if !tags.iter().any(|(t, _)| t == tag) {
            tags.push((tag.to_string(), quality));
        }
    }

    /// Tags in push order.
    pub fn tags(&self) -> Vec<(String, Quality)> {
        self.tags.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The quality of a pushed tag (unknown tags behave like good builds).
    pub fn quality(&self, tag: &str) -> Quality {
        self.tags()
            .into_iter()
            .find(|(t, _)| t == tag)
            .map(|(_, q)| q)
            .unwrap_or(Quality::Good)
    }
}

/// The digest the simulated registry reports for a tag (stable per tag).
pub fn image_digest(tag: &str) -> String {
    use sha1::Digest;
    let hash = sha1::Sha1::digest(format!("{}:{tag}", ImageRegistry::REPOSITORY).as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}{}", &hex[..24])
}

/// Shared by all controllers.
#[derive(Clone)]
pub struct WorldContext {
    pub client: kube::Client,
    /// World seconds per real second.
    pub speed: f64,
    pub repos: Arc<GitRepos>,
    pub registry: Arc<ImageRegistry>,
    pub traffic: Arc<Mutex<TrafficModel>>,
    /// The API server's state, used only for container logs (what a kubelet would write).
    pub server: Arc<State>,
}

impl WorldContext {
    /// The real duration of `world` at this speed.
    pub fn real(&self, world: Duration) -> Duration {
        world.div_f64(self.speed.max(0.001))
    }

    /// Real seconds elapsed since an RFC 3339 timestamp, scaled to world seconds.
    pub fn world_seconds_since(&self, timestamp: &str) -> f64 {
        seconds_since(timestamp) * self.speed
    }

    /// The API of a kind by group, version, kind and plural.
    pub fn api(
        &self,
        group: &str,
        version: &str,
        kind: &str,
        plural: &str,
        namespace: Option<&str>,
    ) -> Api<DynamicObject> {
        let resource =
            ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
        match namespace {
            Some(namespace) => Api::namespaced_with(self.client.clone(), namespace, &resource),
            None => Api::all_with(self.client.clone(), &resource),
        }
    }

    /// A dynamic API for one of the watched kinds, in `namespace` or across all.
    pub fn api_for(&self, kind: crate::model::Kind, namespace: Option<&str>) -> Api<DynamicObject> {
        let (group, version, kind, plural) = kind.resource();
        self.api(group, version, kind, plural, namespace)
    }

    /// Appends a line to a container's log.
    pub fn log(&self, namespace: &str, pod: &str, container: &str, line: &str) {
        self.server
            .pod_logs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .append(namespace, pod, container, line);
    }

    /// Marks a container's log as complete (the container ended).
    pub fn end_log(&self, namespace: &str, pod: &str, container: &str) {
        self.server
            .pod_logs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .finish(namespace, pod, container);
    }
}

/// Real seconds since an RFC 3339 UTC timestamp (0 for unreadable ones).
pub fn seconds_since(timestamp: &str) -> f64 {
    let Some(then) = flightdeck_apiserver::writes::parse_timestamp(timestamp) else {
        return 0.0;
    };
    (crate::model::time::now_precise() - then as f64).max(0.0)
}

/// Now as RFC 3339 UTC (second precision).
pub fn now() -> String {
    flightdeck_apiserver::writes::timestamp_now()
}
