//! The write rules of the real API server, as pure functions from (stored, incoming) to the
//! object to store: metadata filled on create (uid, creationTimestamp, generation, generateName),
//! name/namespace checks, optimistic concurrency, the status-subresource rules and generation
//! bumps (embedded-apiserver.md §2.2, §5.1). The HTTP layer stamps the resourceVersion.

use rand::Rng;
use serde_json::{Map, Value, json};

use super::defaults;
use super::registry::ResourceDef;
use super::status::ApiError;

/// Characters of generated name suffixes (no vowels, as the API server uses).
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Which endpoint a write came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// The resource itself (`…/NAME`).
    Main,
    /// The status subresource (`…/NAME/status`).
    Status,
}

pub use flightdeck_apimachinery::time::{format_timestamp, parse_timestamp};

/// RFC 3339 UTC with second precision, as `metav1.Time` serialises.
pub fn timestamp_now() -> String {
    format_timestamp(flightdeck_apimachinery::time::now_seconds().max(0) as u64)
}

fn metadata_mut(object: &mut Value) -> Result<&mut Map<String, Value>, ApiError> {
    let map = object
        .as_object_mut()
        .ok_or_else(|| ApiError::bad_request("the request body must be a JSON object"))?;
    map.entry("metadata")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| ApiError::bad_request("metadata must be an object"))
}

/// Whether `name` is a DNS-1123 subdomain (what object names must be).
pub fn is_dns_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Prepares a new object for storage: checks kind and names, fills uid, creationTimestamp,
/// namespace and generation, drops status where the kind has a status subresource.
/// `taken` says whether a name is already used (for generateName retries).
pub fn prepare_create(
    def: &ResourceDef,
    url_namespace: Option<&str>,
    mut object: Value,
    taken: impl Fn(&str) -> bool,
) -> Result<(String, Value), ApiError> {
    check_type(def, &object)?;
    let object_map = object
        .as_object_mut()
        .ok_or_else(|| ApiError::bad_request("the request body must be a JSON object"))?;
    object_map.insert("apiVersion".into(), json!(def.api_version()));
    object_map.insert("kind".into(), json!(def.kind));
    if def.status_subresource {
        object_map.remove("status");
    }
    let metadata = metadata_mut(&mut object)?;
    if metadata
        .get("resourceVersion")
        .and_then(Value::as_str)
        .is_some_and(|rv| !rv.is_empty())
    {
        return Err(ApiError::internal(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    if def.namespaced {
        let body_namespace = metadata
            .get("namespace")
            .and_then(Value::as_str)
            .map(str::to_string);
        match (url_namespace, body_namespace.as_deref()) {
            (Some(url), Some(body)) if url != body => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            (Some(url), _) => {
                metadata.insert("namespace".into(), json!(url));
            }
            (None, _) => {
                return Err(ApiError::bad_request(
                    "a namespace is required to create a namespaced resource",
                ));
            }
        }
    } else {
        metadata.remove("namespace");
    }
    let mut name = metadata
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if name.is_empty() {
        let Some(prefix) = metadata
            .get("generateName")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
        else {
            return Err(ApiError::invalid(
                def,
                &format!("{}.{}", def.kind, def.group),
                "",
                &[(
                    "metadata.name".into(),
                    "Required value: name or generateName is required".into(),
                )],
            ));
        };
        name = generate_name(&prefix, &taken).ok_or_else(|| {
            let mut error = ApiError::already_exists(def, &prefix);
            error.body["message"] = json!(format!("{} \"{prefix}\" already exists, the server was not able to generate a unique name for the object", def.qualified()));
            error
        })?;
        metadata.insert("name".into(), json!(name));
    } else if taken(&name) {
        return Err(ApiError::already_exists(def, &name));
    }
    if !is_dns_subdomain(&name) {
        let kind_label = kind_label(def);
        return Err(ApiError::invalid(
            def,
            &kind_label,
            &name,
            &[(
                "metadata.name".into(),
                format!(
                    "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                ),
            )],
        ));
    }
    metadata.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    metadata.insert("creationTimestamp".into(), json!(timestamp_now()));
    if tracks_generation(def) {
        metadata.insert("generation".into(), json!(1));
    }
    defaults::apply(def, &mut object);
    if def.plural == "pods" && def.group.is_empty() {
        let volume = generate_name("kube-api-access-", &|_| false).unwrap_or_default();
        defaults::admit_pod(&mut object, &volume);
    }
    Ok((name, object))
}

/// `Kind.group` (or `Kind` for the core group), as 422 messages name a kind.
pub fn kind_label(def: &ResourceDef) -> String {
    if def.group.is_empty() {
        def.kind.clone()
    } else {
        format!("{}.{}", def.kind, def.group)
    }
}

fn generate_name(prefix: &str, taken: &impl Fn(&str) -> bool) -> Option<String> {
    let base: String = prefix.chars().take(58).collect();
    let mut rng = rand::thread_rng();
    (0..8).find_map(|_| {
        let suffix: String = (0..5)
            .map(|_| SUFFIX_ALPHABET[rng.gen_range(0..SUFFIX_ALPHABET.len())] as char)
            .collect();
        let name = format!("{base}{suffix}");
        (!taken(&name)).then_some(name)
    })
}

/// A body's `apiVersion`/`kind`, when present, must be this resource's.
fn check_type(def: &ResourceDef, object: &Value) -> Result<(), ApiError> {
    let api_version = object.get("apiVersion").and_then(Value::as_str);
    let kind = object.get("kind").and_then(Value::as_str);
    if api_version.is_some_and(|v| v != def.api_version()) || kind.is_some_and(|k| k != def.kind) {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({}) does not match the expected API version ({})",
            api_version.unwrap_or_default(),
            def.api_version()
        )));
    }
    Ok(())
}

/// Prepares an update (PUT, or the result of a patch) of `stored` through `endpoint`.
/// Returns `None` when nothing would change (no new resourceVersion, no event).
pub fn prepare_update(
    def: &ResourceDef,
    endpoint: Endpoint,
    name: &str,
    stored: &Value,
    mut incoming: Value,
) -> Result<Option<Value>, ApiError> {
    check_type(def, &incoming)?;
    let incoming_map = incoming
        .as_object_mut()
        .ok_or_else(|| ApiError::bad_request("the request body must be a JSON object"))?;
    incoming_map.insert("apiVersion".into(), json!(def.api_version()));
    incoming_map.insert("kind".into(), json!(def.kind));
    let metadata = metadata_mut(&mut incoming)?;
    let body_name = metadata
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let stored_rv = stored
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match metadata
        .get("resourceVersion")
        .and_then(Value::as_str)
        .filter(|rv| !rv.is_empty())
    {
        Some(rv) if rv != stored_rv => return Err(ApiError::conflict(def, name)),
        Some(_) => {}
        None if def.custom => {
            return Err(ApiError::invalid(
                def,
                &def.qualified(),
                name,
                &[(
                    "metadata.resourceVersion".into(),
                    "Invalid value: 0x0: must be specified for an update".into(),
                )],
            ));
        }
        None => {}
    }
    let mut next = match endpoint {
        // Only .status comes from the request; everything else stays as stored.
        Endpoint::Status => {
            let mut next = stored.clone();
            match incoming.get("status") {
                Some(status) => next["status"] = status.clone(),
                None => {
                    next.as_object_mut().map(|o| o.remove("status"));
                }
            }
            next
        }
        Endpoint::Main => {
            let mut next = incoming;
            if def.status_subresource {
                match stored.get("status") {
                    Some(status) => next["status"] = status.clone(),
                    None => {
                        next.as_object_mut().map(|o| o.remove("status"));
                    }
                }
            }
            // System fields are not the client's to change.
            for field in [
                "uid",
                "creationTimestamp",
                "generation",
                "namespace",
                "deletionTimestamp",
            ] {
                match stored.pointer(&format!("/metadata/{field}")) {
                    Some(value) => next["metadata"][field] = value.clone(),
                    None => {
                        next["metadata"].as_object_mut().map(|m| m.remove(field));
                    }
                }
            }
            next
        }
    };
    next["metadata"]["resourceVersion"] = json!(stored_rv);
    defaults::apply(def, &mut next);
    if &next == stored {
        return Ok(None);
    }
    if bumps_generation(def, stored, &next) {
        let generation = stored
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        next["metadata"]["generation"] = json!(generation + 1);
    }
    Ok(Some(next))
}

/// Built-in kinds whose strategy keeps `metadata.generation` (bumped when the spec changes).
const SPEC_GENERATION: &[&str] = &[
    "pods",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "ingresses",
];

fn tracks_generation(def: &ResourceDef) -> bool {
    def.custom || SPEC_GENERATION.contains(&def.plural.as_str())
}

/// Custom resources bump generation when anything outside metadata changed (status excluded
/// where it is a subresource); built-in kinds that keep a generation when the spec changed.
pub fn bumps_generation(def: &ResourceDef, stored: &Value, next: &Value) -> bool {
    let without_metadata = |object: &Value| -> Value {
        let mut copy = object.clone();
        if let Some(map) = copy.as_object_mut() {
            map.remove("metadata");
            if def.status_subresource {
                map.remove("status");
            }
        }
        copy
    };
    if def.custom {
        without_metadata(stored) != without_metadata(next)
    } else if tracks_generation(def) {
        stored.get("spec") != next.get("spec")
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    fn registry() -> Registry {
        Registry::load(&[
            (
                "rollout",
                include_str!("../../../demo/crds/argo-rollouts/rollout-crd.yaml"),
            ),
            (
                "application",
                include_str!("../../../demo/crds/argo-cd/application-crd.yaml"),
            ),
        ])
        .expect("load")
    }

    #[test]
    fn create_fills_metadata_and_generates_names() {
        let registry = registry();
        let rollouts = registry
            .find("argoproj.io", "v1alpha1", "rollouts")
            .expect("rollouts");
        let body =
            json!({"metadata": {"generateName": "demo-"}, "spec": {}, "status": {"phase": "x"}});
        let (name, object) = prepare_create(rollouts, Some("ns"), body, |_| false).expect("create");
        assert!(name.starts_with("demo-") && name.len() == 10, "{name}");
        assert!(name[5..].bytes().all(|b| SUFFIX_ALPHABET.contains(&b)));
        assert_eq!(object["metadata"]["namespace"], "ns");
        assert_eq!(object["metadata"]["generation"], 1);
        assert_eq!(object["kind"], "Rollout");
        assert!(
            object.get("status").is_none(),
            "create drops status when the kind has a status subresource"
        );
        let error = prepare_create(
            rollouts,
            Some("ns"),
            json!({"metadata": {"name": "Bad"}}),
            |_| false,
        )
        .expect_err("invalid");
        assert_eq!(error.code, 422);
        let error = prepare_create(
            rollouts,
            Some("ns"),
            json!({"metadata": {"name": "a", "namespace": "other"}}),
            |_| false,
        )
        .expect_err("mismatch");
        assert_eq!(error.code, 400);
        let error = prepare_create(
            rollouts,
            Some("ns"),
            json!({"metadata": {"name": "a"}}),
            |n| n == "a",
        )
        .expect_err("taken");
        assert_eq!(error.body["reason"], "AlreadyExists");
        assert_eq!(
            error.body["message"],
            "rollouts.argoproj.io \"a\" already exists"
        );
    }

    #[test]
    fn status_subresource_rules_and_generation() {
        let registry = registry();
        let rollouts = registry
            .find("argoproj.io", "v1alpha1", "rollouts")
            .expect("rollouts");
        let stored = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r", "namespace": "n", "resourceVersion": "7", "generation": 1, "uid": "u"}, "spec": {"replicas": 1}, "status": {"phase": "Healthy"}});
        let mut incoming = stored.clone();
        incoming["status"]["phase"] = json!("Degraded");
        assert_eq!(
            prepare_update(rollouts, Endpoint::Main, "r", &stored, incoming.clone()).expect("ok"),
            None,
            "main endpoint keeps the stored status: no change"
        );
        let next = prepare_update(rollouts, Endpoint::Status, "r", &stored, incoming)
            .expect("ok")
            .expect("changed");
        assert_eq!(next["status"]["phase"], "Degraded");
        assert_eq!(
            next["metadata"]["generation"], 1,
            "status writes do not bump generation"
        );
        let mut incoming = stored.clone();
        incoming["spec"]["replicas"] = json!(3);
        let next = prepare_update(rollouts, Endpoint::Main, "r", &stored, incoming.clone())
            .expect("ok")
            .expect("changed");
        assert_eq!(next["metadata"]["generation"], 2);
        incoming["metadata"]["resourceVersion"] = json!("6");
        assert_eq!(
            prepare_update(rollouts, Endpoint::Main, "r", &stored, incoming.clone())
                .expect_err("stale")
                .code,
            409
        );
        incoming["metadata"]
            .as_object_mut()
            .expect("metadata")
            .remove("resourceVersion");
        let error = prepare_update(rollouts, Endpoint::Main, "r", &stored, incoming)
            .expect_err("missing rv");
        assert_eq!(
            error.body["message"],
            "rollouts.argoproj.io \"r\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"
        );
    }

    #[test]
    fn status_through_the_main_endpoint_bumps_generation_without_a_subresource() {
        let registry = registry();
        let applications = registry
            .find("argoproj.io", "v1alpha1", "applications")
            .expect("applications");
        let stored = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a", "namespace": "n", "resourceVersion": "3", "generation": 4}, "spec": {}});
        let mut incoming = stored.clone();
        incoming["status"] = json!({"sync": {"status": "Synced"}});
        let next = prepare_update(applications, Endpoint::Main, "a", &stored, incoming)
            .expect("ok")
            .expect("changed");
        assert_eq!(next["status"]["sync"]["status"], "Synced");
        assert_eq!(next["metadata"]["generation"], 5);
    }
}
