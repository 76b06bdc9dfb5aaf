//! The server's shared state: registry, store, the fan-out of changes to watchers, compiled
//! schemas, access control, the request log and pod logs.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::Duration;

use tokio::sync::broadcast;

use super::access::AccessControl;
use super::pod_logs::PodLogs;
use super::registry::{Registry, ResourceDef};
use super::request_log::RequestLog;
use super::store::{Change, Store};
use super::validation::SchemaValidator;

/// Tunables of a server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Changes kept for watches to resume from.
    pub history: usize,
    /// Time between bookmarks on watches that asked for them.
    pub bookmark_interval: Duration,
    /// Watch length when the client gives no `timeoutSeconds`.
    pub default_watch_timeout: Duration,
    /// First resourceVersion (kept above earlier runs so clients never see one reused).
    pub start_rv: u64,
}

impl Default for ServerOptions {
    fn default() -> Self {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(1);
        ServerOptions {
            port: 0,
            history: 50_000,
            bookmark_interval: Duration::from_secs(60),
            default_watch_timeout: Duration::from_secs(45 * 60),
            start_rv: millis,
        }
    }
}

/// Everything request handlers share.
pub struct State {
    pub registry: Registry,
    store: Mutex<Store>,
    pub changes: broadcast::Sender<Arc<Change>>,
    validators: Vec<OnceLock<Result<SchemaValidator, String>>>,
    pub access: RwLock<AccessControl>,
    pub requests: RequestLog,
    pub pod_logs: Mutex<PodLogs>,
    pub options: ServerOptions,
    /// Resources whose CRD was removed, as (group, plural): they answer 404 until reinstalled.
    uninstalled: RwLock<std::collections::HashSet<(String, String)>>,
    /// Bumped when a resource stops being served, so its open watches end.
    pub served: tokio::sync::watch::Sender<u64>,
    /// Where the service proxy sends each (namespace, service): a base URL.
    pub service_backends: RwLock<std::collections::HashMap<(String, String), String>>,
}

impl State {
    pub fn new(registry: Registry, options: ServerOptions) -> State {
        let validators = registry.defs.iter().map(|_| OnceLock::new()).collect();
        State {
            store: Mutex::new(Store::new(options.start_rv, options.history)),
            changes: broadcast::channel(16_384).0,
            validators,
            access: RwLock::new(AccessControl::default()),
            requests: RequestLog::default(),
            pod_logs: Mutex::new(PodLogs::default()),
            registry,
            options,
            uninstalled: RwLock::default(),
            served: tokio::sync::watch::channel(0).0,
            service_backends: RwLock::default(),
        }
    }

    /// Whether `def` is served (its CRD installed).
    pub fn is_served(&self, def: &ResourceDef) -> bool {
        !self
            .uninstalled
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&(def.group.clone(), def.plural.clone()))
    }

    /// Removes a CRD as the real server does: every object of it is deleted (watchers see
    /// DELETED), its open watches end, and its endpoints answer 404 until `reinstall`.
    pub fn uninstall(&self, def: &ResourceDef) {
        {
            let mut store = self.store();
            let objects = store.list(def, None);
            for object in objects {
                let text = |pointer| {
                    object
                        .pointer(pointer)
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                let (namespace, name) = (text("/metadata/namespace"), text("/metadata/name"));
                if let Some(change) = store.remove(def, &namespace, &name) {
                    self.publish(change);
                }
            }
        }
        self.uninstalled
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert((def.group.clone(), def.plural.clone()));
        self.served.send_modify(|generation| *generation += 1);
    }

    /// Serves a removed CRD again (empty).
    pub fn reinstall(&self, def: &ResourceDef) {
        self.uninstalled
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(def.group.clone(), def.plural.clone()));
    }

    /// The store, locked. A panic while holding it cannot corrupt it (writes are single steps).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The compiled schema of `def`, compiled on first use.
    pub fn validator(&self, def: &ResourceDef) -> Option<&Result<SchemaValidator, String>> {
        let index = self.registry.defs.iter().position(|d| {
            d.group == def.group && d.version == def.version && d.plural == def.plural
        })?;
        let schema = def.schema.as_ref()?;
        Some(self.validators[index].get_or_init(|| SchemaValidator::compile(schema)))
    }

    /// Forgets the logs of `name` once it is gone, if it is a Pod.
    pub fn forget_pod_logs(&self, def: &ResourceDef, namespace: &str, name: &str) {
        if def.plural == "pods" && def.group.is_empty() {
            let mut logs = self.pod_logs.lock().unwrap_or_else(|e| e.into_inner());
            logs.remove_pod(namespace, name);
        }
    }

    /// Publishes a change to every watcher.
    pub fn publish(&self, change: Arc<Change>) {
        let _ = self.changes.send(change);
    }
}
