//! Sets of field paths, as server-side apply tracks ownership: a path steps through struct and
//! map fields (`f:name`), items of map lists by their key fields (`k:{"name":"web"}`), items of
//! set lists by value (`v:"a"`) and items of atomic lists by index (`i:0`). Reads and writes the
//! `FieldsV1` form of `metadata.managedFields`, and derives sets from objects through their
//! `Shape`: the fields an applied configuration sets, and what changed between two objects.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::shape::{ListType, Shape};

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Element {
    Field(String),
    /// A map list's item: the JSON object of its key fields (keys sorted).
    Key(String),
    /// A set list's item: its JSON.
    Value(String),
    Index(usize),
}

impl Element {
    fn encoded(&self) -> String {
        match self {
            Element::Field(name) => format!("f:{name}"),
            Element::Key(key) => format!("k:{key}"),
            Element::Value(value) => format!("v:{value}"),
            Element::Index(index) => format!("i:{index}"),
        }
    }

    fn decoded(text: &str) -> Option<Element> {
        let (kind, rest) = text.split_at_checked(2)?;
        Some(match kind {
            "f:" => Element::Field(rest.into()),
            "k:" => Element::Key(rest.into()),
            "v:" => Element::Value(rest.into()),
            "i:" => Element::Index(rest.parse().ok()?),
            _ => return None,
        })
    }

    /// As upstream prints a path in a conflict: `.name`, `[name="web"]`, `[="a"]`, `[0]`.
    fn display(&self) -> String {
        match self {
            Element::Field(name) => format!(".{name}"),
            Element::Key(key) => {
                let fields: Map<String, Value> = serde_json::from_str(key).unwrap_or_default();
                let pairs: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("[{}]", pairs.join(","))
            }
            Element::Value(value) => format!("[={value}]"),
            Element::Index(index) => format!("[{index}]"),
        }
    }
}

pub type Path = Vec<Element>;

/// A path as upstream prints it in a conflict (`.spec.containers[name="web"].image`).
pub fn display(path: &Path) -> String {
    path.iter().map(Element::display).collect()
}

/// A set of field paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet(BTreeSet<Path>);

impl FieldSet {
    pub fn insert(&mut self, path: Path) {
        self.0.insert(path);
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.0.contains(path)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Path> {
        self.0.iter()
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.union(&other.0).cloned().collect())
    }

    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.difference(&other.0).cloned().collect())
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.intersection(&other.0).cloned().collect())
    }

    pub fn retain(&mut self, keep: impl FnMut(&Path) -> bool) {
        self.0.retain(keep);
    }

    /// Whether some path of the set lies strictly below `prefix`.
    pub fn has_below(&self, prefix: &Path) -> bool {
        self.0
            .range(prefix.clone()..)
            .skip_while(|path| *path == prefix)
            .take_while(|path| path.starts_with(prefix))
            .next()
            .is_some()
    }

    /// The `FieldsV1` form: a tree of encoded elements, `"."` marking a path that is itself in
    /// the set and has paths below it.
    pub fn to_fields_v1(&self) -> Value {
        #[derive(Default)]
        struct Node {
            member: bool,
            children: BTreeMap<String, Node>,
        }
        fn to_json(node: &Node) -> Value {
            let mut object = Map::new();
            if node.member && !node.children.is_empty() {
                object.insert(".".into(), json!({}));
            }
            for (key, child) in &node.children {
                object.insert(key.clone(), to_json(child));
            }
            Value::Object(object)
        }
        let mut root = Node::default();
        for path in &self.0 {
            let mut node = &mut root;
            for element in path {
                node = node.children.entry(element.encoded()).or_default();
            }
            node.member = true;
        }
        to_json(&root)
    }

    /// Reads the `FieldsV1` form; what does not parse is left out.
    pub fn from_fields_v1(value: &Value) -> FieldSet {
        fn walk(value: &Value, path: &mut Path, out: &mut FieldSet) {
            let Some(object) = value.as_object() else {
                return;
            };
            if object.is_empty() && !path.is_empty() {
                out.insert(path.clone());
            }
            for (key, child) in object {
                if key == "." {
                    out.insert(path.clone());
                } else if let Some(element) = Element::decoded(key) {
                    path.push(element);
                    walk(child, path, out);
                    path.pop();
                }
            }
        }
        let mut out = FieldSet::default();
        walk(value, &mut Vec::new(), &mut out);
        out
    }
}

/// The element that names `item` in a list of `list_type` at `index`.
pub fn item_element(item: &Value, index: usize, list_type: &ListType, items: Shape<'_>) -> Element {
    match list_type {
        ListType::Set => Element::Value(item.to_string()),
        ListType::Map(keys) => {
            let key: Map<String, Value> = keys
                .iter()
                .filter_map(|k| {
                    let value = item
                        .get(k)
                        .or_else(|| items.field(k).default_value())?
                        .clone();
                    Some((k.clone(), value))
                })
                .collect();
            Element::Key(Value::Object(key).to_string())
        }
        ListType::Atomic => Element::Index(index),
    }
}

/// Whether `value` of `shape` is owned whole (a leaf of the field tree).
fn is_leaf(value: &Value, shape: &Shape<'_>) -> bool {
    match value {
        Value::Object(map) => map.is_empty() || shape.is_atomic_object(),
        Value::Array(items) => items.is_empty() || shape.list_type() == ListType::Atomic,
        _ => true,
    }
}

/// The paths an applied configuration sets: its leaves and its list items.
pub fn of_config(config: &Value, shape: Shape<'_>) -> FieldSet {
    let mut out = FieldSet::default();
    paths(config, shape, false, &mut Vec::new(), &mut out);
    out
}

/// The paths of `value` at `path`: its leaves and list items, or with `every` also each object
/// and list on the way (`value` itself included).
fn paths(value: &Value, shape: Shape<'_>, every: bool, path: &mut Path, out: &mut FieldSet) {
    let leaf = is_leaf(value, &shape);
    if every || leaf {
        out.insert(path.clone());
    }
    if leaf {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(Element::Field(key.clone()));
                paths(child, shape.field(key), every, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            let list_type = shape.list_type();
            for (index, item) in items.iter().enumerate() {
                path.push(item_element(item, index, &list_type, shape.items()));
                // a list item is owned as such, whatever it holds
                out.insert(path.clone());
                paths(item, shape.items(), every, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// What changed from one object to the next.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Paths only the new object has (each with everything below it).
    pub added: FieldSet,
    /// Leaves whose value changed.
    pub modified: FieldSet,
    /// Paths only the old object had.
    pub removed: FieldSet,
}

pub fn compare(old: &Value, new: &Value, shape: Shape<'_>) -> Comparison {
    let mut comparison = Comparison::default();
    compare_at(
        Some(old),
        Some(new),
        shape,
        &mut Vec::new(),
        &mut comparison,
    );
    comparison
}

fn compare_at(
    old: Option<&Value>,
    new: Option<&Value>,
    shape: Shape<'_>,
    path: &mut Path,
    out: &mut Comparison,
) {
    let (old, new) = match (old, new) {
        (None, None) => return,
        (None, Some(new)) => return paths(new, shape, true, path, &mut out.added),
        (Some(old), None) => return paths(old, shape, true, path, &mut out.removed),
        (Some(old), Some(new)) => (old, new),
    };
    // a null that becomes an object or a list (a Go zero value's nil) is an empty one
    let empty_object = Value::Object(Map::new());
    let empty_list = Value::Array(Vec::new());
    let old = match (old, new) {
        (Value::Null, Value::Object(_)) => &empty_object,
        (Value::Null, Value::Array(_)) => &empty_list,
        _ => old,
    };
    match (old, new) {
        (Value::Object(before), Value::Object(after)) if !shape.is_atomic_object() => {
            let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            for key in keys {
                path.push(Element::Field(key.clone()));
                compare_at(before.get(key), after.get(key), shape.field(key), path, out);
                path.pop();
            }
        }
        (Value::Array(before), Value::Array(after)) if shape.list_type() != ListType::Atomic => {
            let list_type = shape.list_type();
            let items = shape.items();
            let named = |list: &[Value]| -> BTreeMap<Element, Value> {
                list.iter()
                    .enumerate()
                    .map(|(i, item)| (item_element(item, i, &list_type, items), item.clone()))
                    .collect()
            };
            let (before, after) = (named(before), named(after));
            let elements: BTreeSet<&Element> = before.keys().chain(after.keys()).collect();
            for element in elements {
                path.push(element.clone());
                compare_at(before.get(element), after.get(element), items, path, out);
                path.pop();
            }
        }
        (old, new) if old != new => {
            out.modified.insert(path.clone());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(paths: &[&[&str]]) -> FieldSet {
        let mut out = FieldSet::default();
        for path in paths {
            out.insert(
                path.iter()
                    .map(|e| Element::decoded(e).expect("an element"))
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn fields_v1_marks_members_that_have_paths_below_them() {
        let fields = set(&[
            &["f:data"],
            &["f:data", "f:a"],
            &["f:spec", "f:containers", r#"k:{"name":"web"}"#],
            &["f:spec", "f:containers", r#"k:{"name":"web"}"#, "f:image"],
        ]);
        let encoded = fields.to_fields_v1();
        assert_eq!(
            encoded,
            json!({"f:data": {".": {}, "f:a": {}},
                   "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}}})
        );
        assert_eq!(FieldSet::from_fields_v1(&encoded), fields);
    }

    #[test]
    fn a_created_object_owns_what_it_added_and_changed() {
        let old = json!({"spec": {"template": {"spec": {"containers": null}}}});
        let new = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [
            {"name": "web", "image": "nginx", "args": ["a"]}]}}}});
        let comparison = compare(&old, &new, Shape::UNKNOWN);
        // without a schema the containers list is atomic: changed as a whole
        let containers = set(&[&["f:spec", "f:template", "f:spec", "f:containers"]]);
        assert_eq!(comparison.modified, containers);
        assert!(comparison.added.contains(&vec![
            Element::Field("spec".into()),
            Element::Field("replicas".into())
        ]));
        assert!(comparison.removed.is_empty());
    }

    #[test]
    fn conflict_paths_print_as_upstream() {
        let path = vec![
            Element::Field("spec".into()),
            Element::Field("containers".into()),
            Element::Key(r#"{"name":"web"}"#.into()),
            Element::Field("image".into()),
        ];
        assert_eq!(display(&path), r#".spec.containers[name="web"].image"#);
    }

    #[test]
    fn an_applied_configuration_owns_its_leaves_and_list_items() {
        let config = json!({"data": {"mode": "fast"}, "spec": {"args": ["a", "b"], "empty": {}}});
        let owned = of_config(&config, Shape::UNKNOWN);
        assert_eq!(
            owned.to_fields_v1(),
            json!({"f:data": {"f:mode": {}}, "f:spec": {"f:args": {}, "f:empty": {}}})
        );
    }
}
