//! The type of each field as server-side apply sees it: a struct or map whose fields are owned
//! one by one, an atomic value owned whole, and lists that are atomic, sets, or maps keyed by
//! some of their items' fields. Read from OpenAPI schemas — the real documents of the built-in
//! group-versions (`openapi::built_in`, descriptions dropped) and a CRD's `openAPIV3Schema` — by
//! their `x-kubernetes-list-type`, `x-kubernetes-list-map-keys` and `x-kubernetes-map-type`
//! extensions. Where no schema says, objects are granular and lists atomic, as upstream deduces.

use serde_json::{Map, Value};

use super::openapi;
use super::registry::ResourceDef;

/// How a list is merged and owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListType {
    /// Replaced and owned whole.
    Atomic,
    /// Items are scalars owned one by one.
    Set,
    /// Items are objects identified by these fields.
    Map(Vec<String>),
}

/// One schema node, with the components its `$ref`s point into.
#[derive(Clone, Copy)]
pub struct Shape<'a> {
    node: Option<&'a Value>,
    components: Option<&'a Map<String, Value>>,
}

impl<'a> Shape<'a> {
    /// No schema: objects granular, lists atomic.
    pub const UNKNOWN: Shape<'static> = Shape {
        node: None,
        components: None,
    };

    /// The shape of a kind's objects.
    pub fn of(def: &'a ResourceDef) -> Shape<'a> {
        if def.custom {
            return Shape {
                node: def.schema.as_ref(),
                components: None,
            };
        }
        let Some(components) = openapi::built_in_schemas(&def.group, &def.version) else {
            return Shape::UNKNOWN;
        };
        let node = components.values().find(|schema| {
            schema
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array)
                .is_some_and(|kinds| {
                    kinds.iter().any(|gvk| {
                        gvk["group"] == def.group.as_str()
                            && gvk["version"] == def.version.as_str()
                            && gvk["kind"] == def.kind.as_str()
                    })
                })
        });
        Shape {
            node,
            components: Some(components),
        }
    }

    /// This node with `$ref` (directly or as the one `allOf`) followed.
    fn resolved(self) -> Shape<'a> {
        let mut shape = self;
        for _ in 0..8 {
            let Some(node) = shape.node else { break };
            let reference = node.get("$ref").or_else(|| {
                node.get("allOf")
                    .and_then(Value::as_array)
                    .and_then(|all| all.first())
                    .and_then(|first| first.get("$ref"))
            });
            let Some(name) = reference
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            else {
                break;
            };
            shape.node = shape.components.and_then(|c| c.get(name));
        }
        shape
    }

    fn with(self, node: Option<&'a Value>) -> Shape<'a> {
        Shape {
            node,
            components: self.components,
        }
        .resolved()
    }

    fn extension(&self, name: &str) -> Option<&'a str> {
        self.resolved().node?.get(name)?.as_str()
    }

    /// The shape of field `name` of an object (a named property, else the map's values).
    pub fn field(&self, name: &str) -> Shape<'a> {
        let Some(node) = self.resolved().node else {
            return Shape::UNKNOWN;
        };
        let child = node
            .get("properties")
            .and_then(|p| p.get(name))
            .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()));
        self.with(child)
    }

    /// The shape of a list's items.
    pub fn items(&self) -> Shape<'a> {
        let node = self.resolved().node.and_then(|n| n.get("items"));
        self.with(node)
    }

    /// How a list of this shape merges.
    pub fn list_type(&self) -> ListType {
        match self.extension("x-kubernetes-list-type") {
            Some("set") => ListType::Set,
            Some("map") => {
                let keys = self
                    .resolved()
                    .node
                    .and_then(|n| n.get("x-kubernetes-list-map-keys"))
                    .and_then(Value::as_array)
                    .map(|keys| {
                        keys.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                ListType::Map(keys)
            }
            _ => ListType::Atomic,
        }
    }

    /// Whether an object of this shape is replaced and owned whole.
    pub fn is_atomic_object(&self) -> bool {
        self.extension("x-kubernetes-map-type") == Some("atomic")
    }

    /// The schema's default value, if it has one (list map keys such as a port's protocol).
    pub fn default_value(&self) -> Option<&'a Value> {
        self.resolved().node?.get("default")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::core_kinds;
    use serde_json::json;

    #[test]
    fn built_in_kinds_read_their_list_and_map_types_from_the_real_documents() {
        let kinds = core_kinds();
        let deployment = kinds
            .iter()
            .find(|d| d.kind == "Deployment")
            .expect("served");
        let spec = Shape::of(deployment).field("spec");
        assert!(spec.field("selector").is_atomic_object());
        let containers = spec.field("template").field("spec").field("containers");
        assert_eq!(containers.list_type(), ListType::Map(vec!["name".into()]));
        let ports = containers.items().field("ports");
        assert_eq!(
            ports.list_type(),
            ListType::Map(vec!["containerPort".into(), "protocol".into()])
        );
        assert_eq!(
            ports.items().field("protocol").default_value(),
            Some(&json!("TCP"))
        );
        assert_eq!(
            containers.items().field("args").list_type(),
            ListType::Atomic
        );
        let configmap = kinds
            .iter()
            .find(|d| d.kind == "ConfigMap")
            .expect("served");
        // a map's values
        assert!(
            !Shape::of(configmap)
                .field("data")
                .field("any")
                .is_atomic_object()
        );
    }

    #[test]
    fn without_a_schema_lists_are_atomic() {
        assert_eq!(Shape::UNKNOWN.field("x").list_type(), ListType::Atomic);
        assert!(!Shape::UNKNOWN.is_atomic_object());
    }
}
