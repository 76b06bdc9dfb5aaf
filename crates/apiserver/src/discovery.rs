//! Discovery: `/version`; in its legacy form (what kube-rs `Discovery::run` reads) `/api`,
//! `/apis`, `/apis/G`, `/api/v1` and `/apis/G/V`; and aggregated (apidiscovery.k8s.io/v2, what
//! kubectl asks for first): every group's versions and resources in one answer to `/api` and to
//! `/apis`, when the Accept header asks for an `APIGroupDiscoveryList`.

use serde_json::{Value, json};

use super::registry::{Registry, ResourceDef, discovery_entries};

/// `/version`: a 1.33 server (within kubectl 1.32's skew).
pub fn version() -> Value {
    json!({
        "major": "1", "minor": "33", "gitVersion": "v1.33.0-flightdeck-demo",
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24", "compiler": "gc", "platform": "linux/amd64"
    })
}

/// `/api`.
pub fn core_versions(address: &str) -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]})
}

fn group_entry(group: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({"name": group, "versions": versions, "preferredVersion": versions.first().cloned().unwrap_or(Value::Null)})
}

/// `/apis`.
pub fn groups(registry: &Registry) -> Value {
    let groups: Vec<Value> = registry
        .groups()
        .iter()
        .map(|(group, versions)| group_entry(group, versions))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/G`, if the group is served.
pub fn group(registry: &Registry, name: &str) -> Option<Value> {
    registry
        .groups()
        .iter()
        .find(|(group, _)| group == name)
        .map(|(group, versions)| {
            let mut entry = group_entry(group, versions);
            entry["kind"] = json!("APIGroup");
            entry["apiVersion"] = json!("v1");
            entry
        })
}

/// `/api/v1` or `/apis/G/V`, if served: the resources for which `served` holds.
pub fn resources(
    registry: &Registry,
    group: &str,
    version: &str,
    served: impl Fn(&ResourceDef) -> bool,
) -> Option<Value> {
    let resources: Vec<Value> = registry
        .in_group_version(group, version)
        .filter(|def| served(def))
        .flat_map(discovery_entries)
        .collect();
    if resources.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}),
    )
}

/// The Content-Type of an aggregated discovery answer.
pub const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether `accept` asks for aggregated discovery (v2) before anything else it accepts.
pub fn wants_aggregated(accept: Option<&str>) -> bool {
    accept
        .and_then(|accept| accept.split(',').next())
        .is_some_and(|first| {
            let parameters: Vec<&str> = first.split(';').map(str::trim).collect();
            parameters.contains(&"g=apidiscovery.k8s.io")
                && parameters.contains(&"v=v2")
                && parameters.contains(&"as=APIGroupDiscoveryList")
        })
}

/// One resource as aggregated discovery lists it, with its subresources.
fn aggregated_resource(def: &ResourceDef) -> Value {
    let same_group = json!({"group": "", "version": "", "kind": def.kind});
    let mut resource = json!({
        "resource": def.plural,
        "responseKind": same_group,
        "scope": if def.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": def.singular,
        "verbs": def.verbs,
    });
    if !def.short_names.is_empty() {
        resource["shortNames"] = json!(def.short_names);
    }
    if !def.categories.is_empty() {
        resource["categories"] = json!(def.categories);
    }
    let mut subresources = Vec::new();
    if def.plural == "pods" && def.group.is_empty() {
        subresources
            .push(json!({"subresource": "log", "responseKind": same_group, "verbs": ["get"]}));
    }
    if def.scale.is_some() {
        subresources.push(json!({"subresource": "scale", "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}, "verbs": ["get", "patch", "update"]}));
    }
    if def.status_subresource {
        subresources.push(json!({"subresource": "status", "responseKind": same_group, "verbs": ["get", "patch", "update"]}));
    }
    if !subresources.is_empty() {
        resource["subresources"] = json!(subresources);
    }
    resource
}

/// The aggregated answer to `/api` (`core`) or `/apis`: the resources for which `served` holds.
pub fn aggregated(registry: &Registry, core: bool, served: impl Fn(&ResourceDef) -> bool) -> Value {
    let groups: Vec<(String, Vec<String>)> = if core {
        vec![(String::new(), vec!["v1".to_string()])]
    } else {
        registry.groups()
    };
    let items: Vec<Value> = groups
        .iter()
        .filter_map(|(group, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .filter_map(|version| {
                    let mut resources: Vec<Value> = registry
                        .in_group_version(group, version)
                        .filter(|def| served(def))
                        .map(aggregated_resource)
                        .collect();
                    resources.sort_by(|a, b| a["resource"].as_str().cmp(&b["resource"].as_str()));
                    // a version (and a group) whose CRDs are gone is not listed
                    (!resources.is_empty()).then(
                        || json!({"version": version, "resources": resources, "freshness": "Current"}),
                    )
                })
                .collect();
            if versions.is_empty() {
                return None;
            }
            let metadata = if group.is_empty() {
                json!({})
            } else {
                json!({"name": group})
            };
            Some(json!({"metadata": metadata, "versions": versions}))
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::core_kinds;

    #[test]
    fn aggregated_discovery_answers_only_who_asks_for_it_first() {
        let kubectl = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert!(wants_aggregated(Some(kubectl)));
        assert!(!wants_aggregated(Some("application/json")));
        assert!(!wants_aggregated(Some(
            "application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        )));
        assert!(!wants_aggregated(None));
    }

    #[test]
    fn aggregated_discovery_lists_resources_with_their_subresources() {
        let registry = Registry { defs: core_kinds() };
        let apis = aggregated(&registry, false, |def| def.kind != "CronJob");
        let apps = apis["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|g| g["metadata"]["name"] == "apps")
            .expect("apps");
        let deployments = apps["versions"][0]["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .find(|r| r["resource"] == "deployments")
            .expect("deployments");
        assert_eq!(deployments["scope"], "Namespaced");
        assert_eq!(deployments["shortNames"], json!(["deploy"]));
        assert_eq!(
            deployments["subresources"][0]["responseKind"],
            json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})
        );
        let batch = apis["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|g| g["metadata"]["name"] == "batch")
            .expect("batch");
        assert!(
            batch.to_string().contains("\"jobs\"") && !batch.to_string().contains("cronjobs"),
            "only served resources"
        );
        let core = aggregated(&registry, true, |_| true);
        assert_eq!(core["items"][0]["metadata"], json!({}));
        assert_eq!(core["items"][0]["versions"][0]["version"], "v1");
    }
}
