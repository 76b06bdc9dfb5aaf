//! What the watchers decode objects into: the object's JSON with the heavy parts no row reads
//! (managedFields, the last-applied annotation, Workflow templates and node maps, Application
//! resource lists and history, …) skipped by the parser — never built, so a 30k-object listing
//! does not allocate them only to drop them (performance.md §8.1). The row is projected from
//! what is kept; the detail and YAML views fetch the whole object.

use std::borrow::Cow;
use std::fmt;

use kube::api::{ApiResource, ObjectMeta};
use kube::core::DynamicResourceScope;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::model::rows::workflow::{ACTIVE_SUSPEND_NODE, is_active_suspend};

/// Paths of object keys, from the object's root, that the parser skips. No row reads them
/// (`tests/row_fixtures.rs` projects every fixture both ways and compares).
const SKIPPED: &[&[&str]] = &[
    &["metadata", "managedFields"],
    &[
        "metadata",
        "annotations",
        "kubectl.kubernetes.io/last-applied-configuration",
    ],
    // Workflows and WorkflowTemplates
    &["spec", "templates"],
    &["status", "nodes"],
    &["status", "storedTemplates"],
    &["status", "storedWorkflowTemplateSpec"],
    // Applications
    &["status", "resources"],
    &["status", "history"],
    &["status", "operationState", "syncResult"],
    // AnalysisRuns (the metric definitions; results are kept)
    &["spec", "metrics"],
    // Stages
    &["spec", "promotionTemplate"],
    // Pods
    &["spec", "volumes"],
];

// Paths are tracked as bits of a u32.
const _: () = assert!(SKIPPED.len() < 32);

/// An object as the watchers keep it until its row is projected.
#[derive(Debug, Clone)]
pub struct SlimObject {
    /// Name, namespace and resourceVersion (what the watcher itself reads).
    pub metadata: ObjectMeta,
    /// The object without the skipped parts.
    pub value: Value,
}

impl SlimObject {
    /// Parses JSON text the way the watchers do.
    pub fn from_json(text: &str) -> serde_json::Result<SlimObject> {
        serde_json::from_str(text)
    }
}

impl<'de> Deserialize<'de> for SlimObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let every_path = (1u32 << SKIPPED.len()) - 1;
        let value = Pruned {
            paths: every_path,
            depth: 0,
        }
        .deserialize(deserializer)?;
        let field = |name: &str| {
            value
                .get("metadata")
                .and_then(|metadata| metadata.get(name))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let metadata = ObjectMeta {
            name: field("name"),
            namespace: field("namespace"),
            resource_version: field("resourceVersion"),
            ..ObjectMeta::default()
        };
        Ok(SlimObject { metadata, value })
    }
}

impl kube::Resource for SlimObject {
    type DynamicType = ApiResource;
    type Scope = DynamicResourceScope;

    fn kind(resource: &ApiResource) -> Cow<'_, str> {
        resource.kind.as_str().into()
    }
    fn group(resource: &ApiResource) -> Cow<'_, str> {
        resource.group.as_str().into()
    }
    fn version(resource: &ApiResource) -> Cow<'_, str> {
        resource.version.as_str().into()
    }
    fn api_version(resource: &ApiResource) -> Cow<'_, str> {
        resource.api_version.as_str().into()
    }
    fn plural(resource: &ApiResource) -> Cow<'_, str> {
        resource.plural.as_str().into()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

/// Decodes a value at `depth` keys from the root; `paths` has a bit set for each skipped path
/// whose first `depth` keys are the ones that led here.
#[derive(Clone, Copy)]
struct Pruned {
    paths: u32,
    depth: usize,
}

impl Pruned {
    /// The paths still matching after `key`, or the index of the skipped path that ends at `key`.
    fn enter(self, key: &str) -> Result<Pruned, usize> {
        let mut paths = 0;
        for (i, path) in SKIPPED.iter().enumerate() {
            if self.paths & (1 << i) != 0 && path.get(self.depth) == Some(&key) {
                if path.len() == self.depth + 1 {
                    return Err(i);
                }
                paths |= 1 << i;
            }
        }
        Ok(Pruned {
            paths,
            depth: self.depth + 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Pruned {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.paths == 0 {
            Value::deserialize(deserializer)
        } else {
            deserializer.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for Pruned {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<Cow<'de, str>>()? {
            match self.enter(&key) {
                Ok(inner) => {
                    let value = access.next_value_seed(inner)?;
                    map.insert(key.into_owned(), value);
                }
                // A Workflow's node map: only whether a suspend node is active is kept.
                Err(index) if SKIPPED[index] == ["status", "nodes"] => {
                    if access.next_value_seed(SuspendScan)? {
                        map.insert(ACTIVE_SUSPEND_NODE.into(), Value::Bool(true));
                    }
                }
                Err(_) => {
                    access.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(map))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = access.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// The visits of everything that is not a map, each giving `$value` (a list is read past).
macro_rules! anything_else_is {
    ($type:ty, $value:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<$type, A::Error> {
            while access.next_element::<IgnoredAny>()?.is_some() {}
            Ok($value)
        }
        fn visit_bool<E>(self, _: bool) -> Result<$type, E> {
            Ok($value)
        }
        fn visit_i64<E>(self, _: i64) -> Result<$type, E> {
            Ok($value)
        }
        fn visit_u64<E>(self, _: u64) -> Result<$type, E> {
            Ok($value)
        }
        fn visit_f64<E>(self, _: f64) -> Result<$type, E> {
            Ok($value)
        }
        fn visit_str<E>(self, _: &str) -> Result<$type, E> {
            Ok($value)
        }
        fn visit_unit<E>(self) -> Result<$type, E> {
            Ok($value)
        }
    };
}

/// Reads a node map without keeping it: whether any node is an active suspend node (each node
/// is read one at a time and dropped).
struct SuspendScan;

impl<'de> DeserializeSeed<'de> for SuspendScan {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SuspendScan {
    type Value = bool;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a node map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<bool, A::Error> {
        let mut active = false;
        while access.next_key::<IgnoredAny>()?.is_some() {
            active |= is_active_suspend(&access.next_value::<NodeBrief>()?.0);
        }
        Ok(active)
    }
    anything_else_is!(bool, false);
}

/// One node of the map with only its `type` and `phase` (anything else, or a node that is not a
/// map, is read past).
struct NodeBrief(Value);

impl<'de> Deserialize<'de> for NodeBrief {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Brief;
        impl<'de> Visitor<'de> for Brief {
            type Value = NodeBrief;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a node")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<NodeBrief, A::Error> {
                let mut node = Map::new();
                while let Some(key) = access.next_key::<Cow<'de, str>>()? {
                    if key == "type" || key == "phase" {
                        node.insert(key.into_owned(), access.next_value::<Value>()?);
                    } else {
                        access.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(NodeBrief(Value::Object(node)))
            }
            anything_else_is!(NodeBrief, NodeBrief(Value::Null));
        }
        deserializer.deserialize_any(Brief)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn skipped_paths_are_not_kept_and_everything_else_is() {
        let text = json!({
            "metadata": {
                "name": "a", "namespace": "n", "resourceVersion": "7",
                "managedFields": [{"manager": "kubectl"}],
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": "{…}",
                    "keep": "me"
                },
                "labels": {"managedFields": "a label of that name stays"}
            },
            "spec": {"templates": [{"name": "main"}], "entrypoint": "main"},
            "status": {
                "nodes": {"x": {}}, "phase": "Running",
                "operationState": {"phase": "Running", "syncResult": {"resources": []}},
                "items": [{"nodes": "arrays are kept whole"}]
            }
        })
        .to_string();
        let object = SlimObject::from_json(&text).expect("parses");
        assert_eq!(
            object.value,
            json!({
                "metadata": {
                    "name": "a", "namespace": "n", "resourceVersion": "7",
                    "annotations": {"keep": "me"},
                    "labels": {"managedFields": "a label of that name stays"}
                },
                "spec": {"entrypoint": "main"},
                "status": {
                    "phase": "Running",
                    "operationState": {"phase": "Running"},
                    "items": [{"nodes": "arrays are kept whole"}]
                }
            })
        );
        assert_eq!(object.metadata.name.as_deref(), Some("a"));
        assert_eq!(object.metadata.namespace.as_deref(), Some("n"));
        assert_eq!(object.metadata.resource_version.as_deref(), Some("7"));
    }

    #[test]
    fn a_node_map_leaves_only_whether_a_suspend_node_is_active() {
        use crate::model::rows::WorkflowRow;
        let workflow = |nodes: Value| json!({"metadata": {"name": "release", "namespace": "argo"}, "status": {"phase": "Running", "nodes": nodes}});
        let waiting = workflow(json!({
            "release": {"type": "DAG", "phase": "Running", "children": ["a"], "outputs": {"parameters": [{"name": "x"}]}},
            "a": {"type": "Suspend", "phase": "Running", "templateName": "approve"},
            "b": 7
        }));
        let slim = SlimObject::from_json(&waiting.to_string()).expect("parses");
        assert_eq!(
            slim.value["status"],
            json!({"phase": "Running", ACTIVE_SUSPEND_NODE: true})
        );
        for object in [&slim.value, &waiting] {
            assert_eq!(
                WorkflowRow::from_object(object).display_phase(),
                "Running (Suspended)"
            );
        }
        let resumed = workflow(json!({"a": {"type": "Suspend", "phase": "Succeeded"}}));
        let slim = SlimObject::from_json(&resumed.to_string()).expect("parses");
        assert_eq!(slim.value["status"], json!({"phase": "Running"}));
        assert_eq!(
            WorkflowRow::from_object(&slim.value).display_phase(),
            "Running"
        );
        let odd = workflow(json!([1, 2]));
        assert!(SlimObject::from_json(&odd.to_string()).is_ok());
    }

    #[test]
    fn odd_shapes_parse_as_they_are() {
        for text in [
            "[]",
            "null",
            "3",
            "\"text\"",
            r#"{"metadata": 5, "status": null}"#,
        ] {
            let object = SlimObject::from_json(text).expect(text);
            assert_eq!(
                object.value,
                serde_json::from_str::<Value>(text).expect("json")
            );
            assert_eq!(object.metadata.name, None);
        }
        assert!(SlimObject::from_json("{\"metadata\":").is_err());
    }
}
