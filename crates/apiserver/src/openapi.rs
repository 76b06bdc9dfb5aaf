//! OpenAPI v3: an index of group-versions; for the built-in group-versions the documents the real
//! API server serves (`proto/openapi/`, from k8s.io/kubernetes' `api/openapi-spec/v3` at the
//! real control plane's version), so `kubectl explain deployment.spec` reads what it reads there;
//! for custom group-versions a document with a PATCH operation per kind that carries the GVK
//! extension and the `fieldValidation` parameter, no strategic-merge content type, and the CRD's
//! schema (embedded-apiserver.md §8.3).

use std::io::Read;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use super::registry::Registry;

/// The built-in group-versions with a document: (group, version, gzipped document).
const BUILT_IN: &[(&str, &str, &[u8])] = &[
    ("", "v1", include_bytes!("../proto/openapi/api__v1.json.gz")),
    (
        "apps",
        "v1",
        include_bytes!("../proto/openapi/apis__apps__v1.json.gz"),
    ),
    (
        "batch",
        "v1",
        include_bytes!("../proto/openapi/apis__batch__v1.json.gz"),
    ),
    (
        "networking.k8s.io",
        "v1",
        include_bytes!("../proto/openapi/apis__networking.k8s.io__v1.json.gz"),
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        include_bytes!("../proto/openapi/apis__rbac.authorization.k8s.io__v1.json.gz"),
    ),
    (
        "authorization.k8s.io",
        "v1",
        include_bytes!("../proto/openapi/apis__authorization.k8s.io__v1.json.gz"),
    ),
    (
        "authentication.k8s.io",
        "v1",
        include_bytes!("../proto/openapi/apis__authentication.k8s.io__v1.json.gz"),
    ),
];

fn built_in_position(group: &str, version: &str) -> Option<usize> {
    BUILT_IN
        .iter()
        .position(|(g, v, _)| *g == group && *v == version)
}

/// The real document of a built-in group-version, unpacked on first use.
pub fn built_in(group: &str, version: &str) -> Option<&'static [u8]> {
    static UNPACKED: [OnceLock<Vec<u8>>; BUILT_IN.len()] =
        [const { OnceLock::new() }; BUILT_IN.len()];
    let index = built_in_position(group, version)?;
    let document = UNPACKED[index].get_or_init(|| {
        let mut out = Vec::new();
        // the documents are part of the build; one that does not unpack is served empty
        let _ = flate2::read::GzDecoder::new(BUILT_IN[index].2).read_to_end(&mut out);
        out
    });
    Some(document.as_slice())
}

/// The schemas (`components.schemas`) of a built-in group-version's document, read on first
/// use without their descriptions (server-side apply needs only their structure).
pub fn built_in_schemas(group: &str, version: &str) -> Option<&'static Map<String, Value>> {
    static READ: [OnceLock<Option<Map<String, Value>>>; BUILT_IN.len()] =
        [const { OnceLock::new() }; BUILT_IN.len()];
    let index = built_in_position(group, version)?;
    READ[index]
        .get_or_init(|| {
            let document: Value = serde_json::from_slice(built_in(group, version)?).ok()?;
            let Value::Object(mut schemas) = document.pointer("/components/schemas")?.clone()
            else {
                return None;
            };
            for schema in schemas.values_mut() {
                drop_descriptions(schema);
            }
            Some(schemas)
        })
        .as_ref()
}

fn drop_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("description");
            map.values_mut().for_each(drop_descriptions);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_descriptions),
        _ => {}
    }
}

/// Stable hash of a group-version's document, for the `?hash=` links.
fn hash(group: &str, version: &str) -> String {
    let built_in = BUILT_IN
        .iter()
        .find(|(g, v, _)| *g == group && *v == version)
        .map_or(&[][..], |(_, _, document)| *document);
    format!(
        "{:016x}",
        group
            .bytes()
            .chain(version.bytes())
            .chain(built_in.iter().copied())
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
    for (group, version, _) in BUILT_IN {
        add(group, version);
    }
    for def in &registry.defs {
        add(&def.group, &def.version);
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
