//! The object store: every object by (group, resource) and (namespace, name), one global
//! resourceVersion counter, and a bounded history of changes that watches resume from. Pure and
//! synchronous; the HTTP layer wraps it in a mutex and fans changes out to watchers.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ops::Bound;
use std::sync::Arc;

use serde_json::Value;

use super::registry::ResourceDef;

/// A stored object and its JSON, encoded once when it is written (as etcd keeps objects
/// encoded): a list or a watch of 100k objects copies bytes instead of serialising every object
/// again.
#[derive(Debug)]
pub struct Stored {
    value: Value,
    json: Box<[u8]>,
}

impl Stored {
    pub fn new(value: Value) -> Stored {
        // A Value always serialises.
        let json = serde_json::to_vec(&value).unwrap_or_default().into();
        Stored { value, json }
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The object as JSON.
    pub fn json(&self) -> &[u8] {
        &self.json
    }
}

impl std::ops::Deref for Stored {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.value
    }
}

/// Which kind of change a watch event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

/// One stored change, as watches replay it.
#[derive(Debug, Clone)]
pub struct Change {
    pub rv: u64,
    pub group: String,
    pub plural: String,
    pub namespace: String,
    pub change: ChangeType,
    /// The object after the change (for a delete: its last content with the deletion's RV).
    pub object: Arc<Stored>,
    /// The object before the change, to compute selector transitions.
    pub previous: Option<Arc<Stored>>,
}

type Objects = BTreeMap<(String, String), Arc<Stored>>;

/// All objects plus the change history.
#[derive(Debug)]
pub struct Store {
    rv: u64,
    objects: HashMap<(String, String), Objects>,
    history: VecDeque<Arc<Change>>,
    history_limit: usize,
}

impl Store {
    /// An empty store whose first write gets `start_rv + 1` (start above 0: "0" means "any").
    pub fn new(start_rv: u64, history_limit: usize) -> Store {
        Store {
            rv: start_rv.max(1),
            objects: HashMap::new(),
            history: VecDeque::new(),
            history_limit: history_limit.max(1),
        }
    }

    /// The current global resourceVersion.
    pub fn current_rv(&self) -> u64 {
        self.rv
    }

    fn bucket(&self, def: &ResourceDef) -> Option<&Objects> {
        self.objects.get(&(def.group.clone(), def.plural.clone()))
    }

    pub fn get(&self, def: &ResourceDef, namespace: &str, name: &str) -> Option<Arc<Stored>> {
        self.bucket(def)
            .and_then(|objects| objects.get(&(namespace.to_string(), name.to_string())))
            .cloned()
    }

    /// Objects of a kind, in one namespace or all, sorted by (namespace, name).
    pub fn list(&self, def: &ResourceDef, namespace: Option<&str>) -> Vec<Arc<Stored>> {
        let Some(objects) = self.bucket(def) else {
            return Vec::new();
        };
        match namespace {
            Some(namespace) => objects
                .range((namespace.to_string(), String::new())..)
                .take_while(|((ns, _), _)| ns == namespace)
                .map(|(_, object)| object.clone())
                .collect(),
            None => objects.values().cloned().collect(),
        }
    }

    /// Objects of a kind as they were at `rv` (the current ones with every later change undone),
    /// from just after the key `after` on, sorted by (namespace, name), only those `keep` keeps
    /// and at most `wanted` of them (0: all); `Err(oldest)` when the history no longer reaches
    /// back to `rv` (the API server's compaction: a continue token that old gets 410 Expired).
    /// Only the page asked for is looked at, so paging through a kind stays linear.
    pub fn list_at(
        &self,
        def: &ResourceDef,
        (namespace, after): (Option<&str>, &(String, String)),
        rv: u64,
        (wanted, keep): (usize, &dyn Fn(&Value) -> bool),
    ) -> Result<Vec<Arc<Stored>>, u64> {
        let in_scope =
            |key: &(String, String)| key > after && namespace.is_none_or(|ns| key.0 == ns);
        // The state at `rv` of each key changed since: the content before its first later change.
        let mut before: BTreeMap<(String, String), Option<Arc<Stored>>> = BTreeMap::new();
        if rv < self.rv {
            for change in self.changes_since(rv)? {
                if change.group == def.group && change.plural == def.plural {
                    let key = key_of(&change.object);
                    if in_scope(&key) {
                        before.entry(key).or_insert_with(|| change.previous.clone());
                    }
                }
            }
        }
        let wanted = if wanted == 0 { usize::MAX } else { wanted };
        let rest = self.bucket(def).into_iter().flat_map(|objects| {
            objects
                .range((Bound::Excluded(after.clone()), Bound::Unbounded))
                .skip_while(|(key, _)| namespace.is_some_and(|ns| key.0.as_str() < ns))
                .take_while(|(key, _)| namespace.is_none_or(|ns| key.0 == ns))
                .filter(|(key, _)| !before.contains_key(*key))
                .map(|(_, object)| object)
                .filter(|object| keep(object))
                .cloned()
        });
        // The first `wanted` of the snapshot are among the first `wanted` unchanged objects and
        // the changed ones.
        let mut snapshot: Vec<Arc<Stored>> = rest.take(wanted).collect();
        if !before.is_empty() {
            snapshot.extend(before.into_values().flatten().filter(|object| keep(object)));
            snapshot.sort_by_cached_key(|object| key_of(object));
            snapshot.truncate(wanted);
        }
        Ok(snapshot)
    }

    /// Number of objects of all kinds.
    pub fn len(&self) -> usize {
        self.objects.values().map(BTreeMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores `object` (whose metadata the caller prepared), stamping the next resourceVersion.
    pub fn put(
        &mut self,
        def: &ResourceDef,
        namespace: &str,
        name: &str,
        mut object: Value,
    ) -> Arc<Change> {
        self.rv += 1;
        set_rv(&mut object, self.rv);
        let object = Arc::new(Stored::new(object));
        let key = (namespace.to_string(), name.to_string());
        let previous = self
            .objects
            .entry((def.group.clone(), def.plural.clone()))
            .or_default()
            .insert(key, object.clone());
        let change = if previous.is_some() {
            ChangeType::Modified
        } else {
            ChangeType::Added
        };
        self.record(def, namespace, change, object, previous)
    }

    /// Removes an object; the DELETED change carries its last content with the new RV.
    pub fn remove(
        &mut self,
        def: &ResourceDef,
        namespace: &str,
        name: &str,
    ) -> Option<Arc<Change>> {
        let key = (namespace.to_string(), name.to_string());
        let previous = self
            .objects
            .get_mut(&(def.group.clone(), def.plural.clone()))?
            .remove(&key)?;
        self.rv += 1;
        let mut last = previous.value().clone();
        set_rv(&mut last, self.rv);
        Some(self.record(
            def,
            namespace,
            ChangeType::Deleted,
            Arc::new(Stored::new(last)),
            Some(previous),
        ))
    }

    fn record(
        &mut self,
        def: &ResourceDef,
        namespace: &str,
        change: ChangeType,
        object: Arc<Stored>,
        previous: Option<Arc<Stored>>,
    ) -> Arc<Change> {
        let change = Arc::new(Change {
            rv: self.rv,
            group: def.group.clone(),
            plural: def.plural.clone(),
            namespace: namespace.to_string(),
            change,
            object,
            previous,
        });
        if self.history.len() == self.history_limit {
            self.history.pop_front();
        }
        self.history.push_back(change.clone());
        change
    }

    /// Every change after `rv`, or `Err(oldest)` when `rv` is older than the history kept.
    pub fn changes_since(&self, rv: u64) -> Result<Vec<Arc<Change>>, u64> {
        let oldest_known = self
            .history
            .front()
            .map(|c| c.rv.saturating_sub(1))
            .unwrap_or(self.rv);
        if rv < oldest_known {
            return Err(oldest_known);
        }
        Ok(self
            .history
            .iter()
            .filter(|change| change.rv > rv)
            .cloned()
            .collect())
    }
}

/// (namespace, name) of a stored object.
pub fn key_of(object: &Value) -> (String, String) {
    let field = |name: &str| {
        object
            .get("metadata")
            .and_then(|m| m.get(name))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (field("namespace"), field("name"))
}

fn set_rv(object: &mut Value, rv: u64) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert("resourceVersion".into(), Value::String(rv.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::core_kinds;
    use serde_json::json;

    fn pods() -> ResourceDef {
        core_kinds()
            .into_iter()
            .find(|d| d.plural == "pods")
            .expect("pods")
    }

    #[test]
    fn one_counter_ordered_lists_and_history() {
        let def = pods();
        let mut store = Store::new(100, 3);
        for (ns, name) in [("b", "x"), ("a", "y"), ("a", "x")] {
            store.put(
                &def,
                ns,
                name,
                json!({"metadata": {"name": name, "namespace": ns}}),
            );
        }
        assert_eq!(store.current_rv(), 103);
        let names: Vec<String> = store
            .list(&def, None)
            .iter()
            .map(|o| format!("{}/{}", o["metadata"]["namespace"], o["metadata"]["name"]))
            .collect();
        assert_eq!(names, ["\"a\"/\"x\"", "\"a\"/\"y\"", "\"b\"/\"x\""]);
        assert_eq!(store.list(&def, Some("a")).len(), 2);
        let deleted = store.remove(&def, "a", "x").expect("present");
        assert_eq!(deleted.object["metadata"]["resourceVersion"], "104");
        assert_eq!(deleted.change, ChangeType::Deleted);
        assert_eq!(store.changes_since(102).expect("kept").len(), 2);
        assert_eq!(
            store.changes_since(100).err(),
            Some(101),
            "history holds the last 3 changes only"
        );
        assert!(store.changes_since(104).expect("current").is_empty());
    }

    /// Every object, unfiltered.
    const ALL: (usize, &dyn Fn(&Value) -> bool) = (0, &|_| true);

    #[test]
    fn a_page_is_cut_after_the_filter_from_its_namespace_only() {
        let def = pods();
        let mut store = Store::new(10, 100);
        for (namespace, name, image) in [
            ("a", "x", "v1"),
            ("b", "one", "v1"),
            ("b", "two", "v2"),
            ("b", "three", "v1"),
            ("c", "y", "v1"),
        ] {
            store.put(&def, namespace, name, json!({"metadata": {"name": name, "namespace": namespace}, "spec": {"image": image}}));
        }
        let names = |objects: Vec<Arc<Stored>>| -> Vec<String> {
            objects
                .iter()
                .map(|o| {
                    o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        };
        let start = (String::new(), String::new());
        let v1 = |object: &Value| object["spec"]["image"] == "v1";
        let rv = store.current_rv();
        assert_eq!(
            names(
                store
                    .list_at(&def, (Some("b"), &start), rv, (0, &v1))
                    .expect("now")
            ),
            ["one", "three"]
        );
        assert_eq!(
            names(
                store
                    .list_at(&def, (Some("b"), &start), rv, (1, &v1))
                    .expect("now")
            ),
            ["one"]
        );
        assert_eq!(
            names(
                store
                    .list_at(&def, (None, &start), rv, (2, &|_| true))
                    .expect("now")
            ),
            ["x", "one"]
        );
        // With changes since the snapshot, the page still holds the snapshot's first objects.
        store.put(
            &def,
            "a",
            "x",
            json!({"metadata": {"name": "x", "namespace": "a"}, "spec": {"image": "v3"}}),
        );
        assert_eq!(
            names(
                store
                    .list_at(&def, (None, &start), rv, (2, &v1))
                    .expect("kept")
            ),
            ["x", "one"]
        );
    }

    #[test]
    fn a_list_at_an_older_version_undoes_later_changes() {
        let def = pods();
        let mut store = Store::new(10, 100);
        let pod = |name: &str, image: &str| json!({"metadata": {"name": name, "namespace": "a"}, "spec": {"image": image}});
        store.put(&def, "a", "one", pod("one", "v1"));
        store.put(&def, "a", "two", pod("two", "v1"));
        let snapshot = store.current_rv();
        store.put(&def, "a", "one", pod("one", "v2"));
        store.remove(&def, "a", "two");
        store.put(&def, "a", "three", pod("three", "v1"));
        let listed = |objects: Vec<Arc<Stored>>| -> Vec<String> {
            objects
                .iter()
                .map(|o| format!("{}={}", o["metadata"]["name"], o["spec"]["image"]))
                .collect()
        };
        let start = (String::new(), String::new());
        assert_eq!(
            listed(
                store
                    .list_at(&def, (None, &start), snapshot, ALL)
                    .expect("kept")
            ),
            ["\"one\"=\"v1\"", "\"two\"=\"v1\""]
        );
        let after_one = ("a".to_string(), "one".to_string());
        assert_eq!(
            listed(
                store
                    .list_at(&def, (Some("a"), &after_one), snapshot, ALL)
                    .expect("kept")
            ),
            ["\"two\"=\"v1\""],
            "only what comes after the key"
        );
        assert_eq!(
            listed(
                store
                    .list_at(&def, (Some("a"), &start), snapshot + 1, ALL)
                    .expect("kept")
            ),
            ["\"one\"=\"v2\"", "\"two\"=\"v1\""],
            "between the changes"
        );
        assert_eq!(
            listed(
                store
                    .list_at(&def, (Some("a"), &start), store.current_rv(), ALL)
                    .expect("now")
            ),
            ["\"one\"=\"v2\"", "\"three\"=\"v1\""]
        );
        let mut short = Store::new(10, 1);
        short.put(&def, "a", "one", pod("one", "v1"));
        short.put(&def, "a", "one", pod("one", "v2"));
        assert!(
            short.list_at(&def, (None, &start), 10, ALL).is_err(),
            "compacted away"
        );
    }
}
