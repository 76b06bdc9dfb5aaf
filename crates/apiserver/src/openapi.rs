//! A minimal OpenAPI v3 so that `kubectl apply -f` and `kubectl create -f` work with their default
//! strict validation: an index of group-versions, and per group-version a document with a PATCH
//! operation per kind that carries the GVK extension and the `fieldValidation` parameter, and no
//! strategic-merge content type for custom resources (embedded-apiserver.md §8.3).

use serde_json::{Map, Value, json};

use super::registry::Registry;

/// Stable hash of a group-version's document, for the `?hash=` links.
fn hash(group: &str, version: &str) -> String {
    format!(
        "{:016x}",
        group
            .bytes()
            .chain(version.bytes())
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b))
                .wrapping_mul(0x100_0000_01b3))
    )
}

fn path_key(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`.
pub fn index(registry: &Registry) -> Value {
    let mut paths = Map::new();
    let mut add = |group: &str, version: &str| {
        let key = path_key(group, version);
        paths.insert(key.clone(), json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash={}", hash(group, version))}));
    };
    add("", "v1");
    for def in &registry.defs {
        if !def.group.is_empty() {
            add(&def.group, &def.version);
        }
    }
    json!({"paths": paths})
}

/// `/openapi/v3/apis/G/V`, if served.
pub fn document(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for def in registry.in_group_version(group, version) {
        let base = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        let path = if def.namespaced {
            format!("{base}/namespaces/{{namespace}}/{}/{{name}}", def.plural)
        } else {
            format!("{base}/{}/{{name}}", def.plural)
        };
        let mut content = Map::new();
        for media in [
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/apply-patch+yaml",
        ] {
            content.insert(media.into(), json!({"schema": {"type": "object"}}));
        }
        let gvk = json!({"group": group, "version": version, "kind": def.kind});
        paths.insert(
            path,
            json!({
                "patch": {
                    "operationId": format!("patch{}", def.kind),
                    "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}, {"name": "fieldManager", "in": "query", "schema": {"type": "string"}}],
                    "requestBody": {"content": content},
                    "responses": {"200": {"description": "OK"}},
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": gvk,
                }
            }),
        );
        let schema_name = format!(
            "{}.{}.{}",
            if group.is_empty() {
                "io.k8s.api.core"
            } else {
                group
            },
            version,
            def.kind
        );
        let mut schema = def.schema.clone().unwrap_or_else(
            || json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
        );
        schema["x-kubernetes-group-version-kind"] = json!([gvk]);
        schemas.insert(schema_name, schema);
    }
    if paths.is_empty() {
        return None;
    }
    Some(
        json!({"openapi": "3.0.0", "info": {"title": "flightdeck demo", "version": "v1.33.0"}, "paths": paths, "components": {"schemas": schemas}}),
    )
}
