//! `metadata.managedFields`: which manager owns which fields, kept as the real API server keeps it
//! (apimachinery's `managedfields` and structured-merge-diff's `Updater`). An update (create, PUT,
//! PATCH) hands the fields it added or changed to its manager and takes them from everyone else;
//! a server-side apply merges its configuration into the object, removes the fields its manager
//! applied last time and no longer applies (unless someone else owns them), and refuses with a
//! 409 to change a field another manager owns unless forced, which moves the field to it.

use serde_json::{Value, json};

use super::field_set::{self, Comparison, Element, FieldSet, Path};
use super::protobuf;
use super::registry::ResourceDef;
use super::shape::{ListType, Shape};
use super::status::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Apply,
    Update,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// Who writes, and how.
#[derive(Debug, Clone)]
pub struct Manager {
    pub name: String,
    pub operation: Operation,
    /// `group/version` of the request.
    pub api_version: String,
    /// `status` or `scale` when written through that subresource.
    pub subresource: Option<String>,
}

impl Manager {
    /// The manager of a request: its `fieldManager`, else what its User-Agent names before the
    /// first `/` (apiserver's `managerOrUserAgent`).
    pub fn of_request(
        field_manager: Option<&str>,
        user_agent: Option<&str>,
        operation: Operation,
        def: &ResourceDef,
        subresource: Option<&str>,
    ) -> Manager {
        let name = field_manager.filter(|m| !m.is_empty()).unwrap_or_else(|| {
            user_agent
                .unwrap_or_default()
                .split('/')
                .next()
                .unwrap_or_default()
        });
        Manager {
            name: name.chars().take(128).collect(),
            operation,
            api_version: def.api_version(),
            subresource: subresource.filter(|s| !s.is_empty()).map(str::to_string),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    subresource: Option<String>,
    time: Option<String>,
    set: FieldSet,
}

impl Entry {
    fn is(&self, manager: &Manager) -> bool {
        self.manager == manager.name
            && self.operation == manager.operation.as_str()
            && self.subresource == manager.subresource
            // appliers are one manager across versions
            && (manager.operation == Operation::Apply || self.api_version == manager.api_version)
    }

    /// As upstream prints a manager in a conflict (`printManager`).
    fn printed(&self) -> String {
        let mut text = format!("{:?}", self.manager);
        if let Some(subresource) = &self.subresource {
            text.push_str(&format!(" with subresource {subresource:?}"));
        }
        if self.operation == "Update" {
            text.push_str(&format!(" using {}", self.api_version));
        }
        text
    }

    fn to_json(&self) -> Value {
        let mut entry = json!({
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "fieldsType": "FieldsV1",
            "fieldsV1": self.set.to_fields_v1(),
        });
        if let Some(time) = &self.time {
            entry["time"] = json!(time);
        }
        if let Some(subresource) = &self.subresource {
            entry["subresource"] = json!(subresource);
        }
        entry
    }
}

fn entries(object: &Value) -> Vec<Entry> {
    let text =
        |entry: &Value, field: &str| entry.get(field).and_then(Value::as_str).map(str::to_string);
    object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|entry| Entry {
                    manager: text(entry, "manager").unwrap_or_default(),
                    operation: text(entry, "operation").unwrap_or_default(),
                    api_version: text(entry, "apiVersion").unwrap_or_default(),
                    subresource: text(entry, "subresource"),
                    time: text(entry, "time"),
                    set: FieldSet::from_fields_v1(entry.get("fieldsV1").unwrap_or(&Value::Null)),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `entries` (empty ones dropped) in upstream's order: appliers first, then by time,
/// manager, apiVersion, subresource.
fn set_entries(object: &mut Value, mut entries: Vec<Entry>) {
    entries.retain(|e| !e.set.is_empty());
    entries.sort_by(|p, q| {
        (
            &p.operation,
            &p.time,
            &p.manager,
            &p.api_version,
            &p.subresource,
        )
            .cmp(&(
                &q.operation,
                &q.time,
                &q.manager,
                &q.api_version,
                &q.subresource,
            ))
    });
    let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if entries.is_empty() {
        metadata.remove("managedFields");
    } else {
        metadata.insert(
            "managedFields".into(),
            entries.iter().map(Entry::to_json).collect(),
        );
    }
}

/// The object as ownership sees it: no managedFields.
fn without_managed_fields(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
    }
    object
}

/// Fields nobody owns (apimachinery's strip list), and what the endpoint written resets: the
/// status through the main resource of a kind with a status subresource, all but the status
/// (and metadata) through the status subresource.
fn tracked(path: &Path, def: &ResourceDef, subresource: Option<&str>) -> bool {
    let field = |i: usize| match path.get(i) {
        Some(Element::Field(name)) => Some(name.as_str()),
        _ => None,
    };
    match (field(0), field(1)) {
        (Some("apiVersion" | "kind"), _) | (Some("metadata"), None) => false,
        (
            Some("metadata"),
            Some(
                "name" | "namespace" | "creationTimestamp" | "selfLink" | "uid" | "clusterName"
                | "generation" | "managedFields" | "resourceVersion",
            ),
        ) => false,
        (Some("metadata"), _) => true,
        (Some("status"), _) => subresource == Some("status") || !def.status_subresource,
        _ => subresource != Some("status"),
    }
}

fn filtered(mut set: FieldSet, def: &ResourceDef, subresource: Option<&str>) -> FieldSet {
    set.retain(|path| tracked(path, def, subresource));
    set
}

fn filtered_comparison(
    comparison: Comparison,
    def: &ResourceDef,
    subresource: Option<&str>,
) -> Comparison {
    Comparison {
        added: filtered(comparison.added, def, subresource),
        modified: filtered(comparison.modified, def, subresource),
        removed: filtered(comparison.removed, def, subresource),
    }
}

/// The JSON of a kind's zero value, where a create starts from.
fn zero_object(def: &ResourceDef) -> Value {
    protobuf::zero_object(&def.api_version(), &def.kind).unwrap_or_else(|| json!({}))
}

/// Records an update (`before` is `None` for a create) in `after`'s managedFields: `manager`
/// owns what it added or changed, and no one else does. An object that has no managedFields is
/// not tracked on update (upstream's `skipNonAppliedManager`); managedFields the request itself
/// changed replace the stored ones.
pub fn record_update(
    def: &ResourceDef,
    before: Option<&Value>,
    after: &mut Value,
    manager: &Manager,
    now: &str,
) {
    let stored = before.map(entries).unwrap_or_default();
    let requested = after.pointer("/metadata/managedFields").cloned();
    let mut base = match (&requested, before) {
        (Some(list), Some(before)) if before.pointer("/metadata/managedFields") != Some(list) => {
            entries(after)
        }
        (Some(_), None) => entries(after),
        _ => stored,
    };
    if before.is_some() && base.is_empty() {
        set_entries(after, base);
        return;
    }
    let old = before.map_or_else(|| zero_object(def), without_managed_fields);
    let new = without_managed_fields(after);
    let subresource = manager.subresource.as_deref();
    let comparison = filtered_comparison(
        field_set::compare(&old, &new, Shape::of(def)),
        def,
        subresource,
    );
    let changed = comparison.modified.union(&comparison.added);
    for entry in &mut base {
        entry.set = entry
            .set
            .difference(&changed)
            .difference(&comparison.removed);
    }
    if !changed.is_empty() {
        let previous = base
            .iter()
            .position(|e| e.is(manager))
            .map(|i| base.remove(i));
        let set = previous.map(|p| p.set).unwrap_or_default().union(&changed);
        base.push(Entry {
            manager: manager.name.clone(),
            operation: Operation::Update.as_str().into(),
            api_version: manager.api_version.clone(),
            subresource: manager.subresource.clone(),
            time: Some(now.to_string()),
            set,
        });
    }
    set_entries(after, base);
}

/// A server-side apply of `config` by `manager` to `live` (`None`: the object does not exist
/// yet). Returns the object to store, managedFields included, or the 409 of the fields other
/// managers own that it would change when not `force`d.
pub fn apply(
    def: &ResourceDef,
    live: Option<&Value>,
    config: &Value,
    manager: &Manager,
    force: bool,
    now: &str,
) -> Result<Value, ApiError> {
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|m| !m.is_null())
    {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    let shape = Shape::of(def);
    let subresource = manager.subresource.as_deref();
    let mut managers = live.map(entries).unwrap_or_default();
    let last = managers
        .iter()
        .position(|e| e.is(manager))
        .map(|i| managers.remove(i));
    let applied = filtered(field_set::of_config(config, shape), def, subresource);
    let live = live.map_or_else(|| json!({}), without_managed_fields);
    let mut merged = live.clone();
    merge(&mut merged, config, shape);

    // what this manager applied before and no longer does goes, unless someone owns it
    let owned = managers
        .iter()
        .fold(applied.clone(), |owned, e| owned.union(&e.set));
    if let Some(last) = &last {
        let mut gone: Vec<Path> = last.set.difference(&owned).iter().cloned().collect();
        // deepest first, so an item's index or key still finds it
        gone.sort_by_key(|path| std::cmp::Reverse(path.len()));
        for path in gone.iter().filter(|p| !owned.has_below(p)) {
            remove(&mut merged, path, shape);
        }
    }

    let comparison =
        filtered_comparison(field_set::compare(&live, &merged, shape), def, subresource);
    let changed = comparison.modified.union(&comparison.added);
    let mut conflicts: Vec<(String, String)> = Vec::new();
    for entry in &mut managers {
        let taken = entry.set.intersection(&changed);
        for path in taken.iter() {
            conflicts.push((entry.printed(), field_set::display(path)));
        }
        entry.set = entry.set.difference(&taken).difference(&comparison.removed);
    }
    if !force && !conflicts.is_empty() {
        return Err(ApiError::apply_conflict(
            conflict_message(&conflicts),
            &conflicts,
        ));
    }
    let unchanged = merged == live && last.as_ref().is_some_and(|l| l.set == applied);
    managers.push(Entry {
        manager: manager.name.clone(),
        operation: Operation::Apply.as_str().into(),
        api_version: manager.api_version.clone(),
        subresource: manager.subresource.clone(),
        time: match &last {
            Some(last) if unchanged => last.time.clone(),
            _ => Some(now.to_string()),
        },
        set: applied,
    });
    set_entries(&mut merged, managers);
    Ok(merged)
}

/// `Apply failed with N conflicts: …` (apimachinery's `getConflictMessage`).
fn conflict_message(conflicts: &[(String, String)]) -> String {
    if let [(manager, path)] = conflicts {
        return format!("Apply failed with 1 conflict: conflict with {manager}: {path}");
    }
    let mut managers: Vec<&String> = conflicts.iter().map(|(m, _)| m).collect();
    managers.sort();
    managers.dedup();
    let mut lines = Vec::new();
    for manager in managers {
        lines.push(format!("conflicts with {manager}:"));
        for (_, path) in conflicts.iter().filter(|(m, _)| m == manager) {
            lines.push(format!("- {path}"));
        }
    }
    format!(
        "Apply failed with {} conflicts: {}",
        conflicts.len(),
        lines.join("\n")
    )
}

/// Merges an applied configuration into the live object: objects field by field, map and set
/// lists item by item, everything else (scalars, atomic lists and objects) replaced.
fn merge(live: &mut Value, config: &Value, shape: Shape<'_>) {
    match (live, config) {
        (Value::Object(live), Value::Object(config)) if !shape.is_atomic_object() => {
            for (key, value) in config {
                if value.is_null() {
                    continue;
                }
                match live.get_mut(key) {
                    Some(existing) => merge(existing, value, shape.field(key)),
                    None => {
                        live.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(live), Value::Array(config)) => match shape.list_type() {
            ListType::Atomic => *live = config.clone(),
            ListType::Set => {
                for item in config {
                    if !live.contains(item) {
                        live.push(item.clone());
                    }
                }
            }
            ListType::Map(keys) => {
                let key_of = |item: &Value| -> Vec<Value> {
                    keys.iter()
                        .map(|k| {
                            item.get(k)
                                .or_else(|| shape.items().field(k).default_value())
                                .cloned()
                                .unwrap_or(Value::Null)
                        })
                        .collect()
                };
                for item in config {
                    let key = key_of(item);
                    match live.iter_mut().find(|l| key_of(l) == key) {
                        Some(existing) => merge(existing, item, shape.items()),
                        None => live.push(item.clone()),
                    }
                }
            }
        },
        (live, config) => *live = config.clone(),
    }
}

/// Removes the field or list item at `path`.
fn remove(object: &mut Value, path: &Path, shape: Shape<'_>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = object;
    let mut shape = shape;
    for element in parents {
        let Some((child, child_shape)) = step(node, element, shape) else {
            return;
        };
        node = child;
        shape = child_shape;
    }
    match (node, last) {
        (Value::Object(map), Element::Field(name)) => {
            map.remove(name);
        }
        (Value::Array(items), element) => {
            let list_type = shape.list_type();
            let position = items
                .iter()
                .enumerate()
                .position(|(i, item)| item_matches(item, i, element, &list_type, shape.items()));
            if let Some(index) = position {
                items.remove(index);
            }
        }
        _ => {}
    }
}

fn step<'v, 's>(
    node: &'v mut Value,
    element: &Element,
    shape: Shape<'s>,
) -> Option<(&'v mut Value, Shape<'s>)> {
    match (node, element) {
        (Value::Object(map), Element::Field(name)) => Some((map.get_mut(name)?, shape.field(name))),
        (Value::Array(items), element) => {
            let list_type = shape.list_type();
            let index = items
                .iter()
                .enumerate()
                .position(|(i, item)| item_matches(item, i, element, &list_type, shape.items()))?;
            Some((items.get_mut(index)?, shape.items()))
        }
        _ => None,
    }
}

fn item_matches(
    item: &Value,
    index: usize,
    element: &Element,
    list_type: &ListType,
    items: Shape<'_>,
) -> bool {
    field_set::item_element(item, index, list_type, items) == *element
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::core_kinds;

    fn configmaps() -> ResourceDef {
        core_kinds()
            .into_iter()
            .find(|def| def.kind == "ConfigMap")
            .expect("a built-in kind")
    }

    fn manager(name: &str, operation: Operation) -> Manager {
        Manager::of_request(Some(name), None, operation, &configmaps(), None)
    }

    fn owners(object: &Value) -> Vec<(String, Value)> {
        entries(object)
            .into_iter()
            .map(|e| {
                (
                    format!("{} {}", e.manager, e.operation),
                    e.set.to_fields_v1(),
                )
            })
            .collect()
    }

    fn config(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": data})
    }

    #[test]
    fn a_second_applier_conflicts_until_forced_then_owns_the_field() {
        let def = configmaps();
        let first = manager("kubectl", Operation::Apply);
        let created = apply(
            &def,
            None,
            &config(json!({"mode": "fast", "x": "1"})),
            &first,
            false,
            "t1",
        )
        .expect("created");
        let other = manager("other", Operation::Apply);
        let changed = config(json!({"mode": "slow"}));
        let refused =
            apply(&def, Some(&created), &changed, &other, false, "t2").expect_err("conflict");
        assert_eq!(refused.code, 409);
        assert_eq!(
            refused.body["message"],
            "Apply failed with 1 conflict: conflict with \"kubectl\": .data.mode"
        );
        assert_eq!(
            refused.body["details"]["causes"],
            json!([{"type": "FieldManagerConflict", "message": "conflict with \"kubectl\"", "field": ".data.mode"}])
        );
        let forced = apply(&def, Some(&created), &changed, &other, true, "t2").expect("forced");
        assert_eq!(forced["data"], json!({"mode": "slow", "x": "1"}));
        assert_eq!(
            owners(&forced),
            vec![
                ("kubectl Apply".into(), json!({"f:data": {"f:x": {}}})),
                ("other Apply".into(), json!({"f:data": {"f:mode": {}}})),
            ]
        );
        // the same value is shared, not a conflict
        let same = apply(
            &def,
            Some(&forced),
            &config(json!({"x": "1"})),
            &other,
            false,
            "t3",
        )
        .expect("shared");
        assert_eq!(
            same["data"],
            json!({"x": "1"}),
            "other no longer applies mode"
        );
    }

    #[test]
    fn a_field_no_longer_applied_goes_unless_someone_else_owns_it() {
        let def = configmaps();
        let applier = manager("kubectl", Operation::Apply);
        let created = apply(
            &def,
            None,
            &config(json!({"a": "1", "b": "2"})),
            &applier,
            false,
            "t1",
        )
        .expect("created");
        let mut labelled = created.clone();
        labelled["data"]["b"] = json!("3");
        record_update(
            &def,
            Some(&created),
            &mut labelled,
            &manager("kubectl-edit", Operation::Update),
            "t2",
        );
        let reapplied = apply(
            &def,
            Some(&labelled),
            &config(json!({})),
            &applier,
            false,
            "t3",
        )
        .expect("applied");
        // a went with its applier; b was taken over by the edit and stays
        assert_eq!(reapplied["data"], json!({"b": "3"}));
    }

    #[test]
    fn an_update_takes_what_it_changed_and_an_untracked_object_stays_untracked() {
        let def = configmaps();
        let mut created = config(json!({"a": "1"}));
        record_update(
            &def,
            None,
            &mut created,
            &manager("kubectl-create", Operation::Update),
            "t1",
        );
        assert_eq!(
            owners(&created),
            vec![(
                "kubectl-create Update".into(),
                json!({"f:data": {".": {}, "f:a": {}}})
            )]
        );
        let mut changed = created.clone();
        changed["data"]["a"] = json!("2");
        record_update(
            &def,
            Some(&created),
            &mut changed,
            &manager("kubectl-edit", Operation::Update),
            "t2",
        );
        assert_eq!(
            owners(&changed),
            vec![
                // data itself (it made the map) stays its own
                ("kubectl-create Update".into(), json!({"f:data": {}})),
                ("kubectl-edit Update".into(), json!({"f:data": {"f:a": {}}})),
            ]
        );
        let untracked = config(json!({"a": "1"}));
        let mut next = config(json!({"a": "2"}));
        record_update(
            &def,
            Some(&untracked),
            &mut next,
            &manager("kubectl-edit", Operation::Update),
            "t3",
        );
        assert_eq!(next["metadata"].get("managedFields"), None);
    }
}
