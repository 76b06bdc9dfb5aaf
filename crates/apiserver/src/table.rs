//! `kubectl get` tables (`Accept: application/json;as=Table;…`): a Name column, then the built-in
//! kind's printed columns (`printers`) or the CRD's `additionalPrinterColumns` (cells from simple
//! JSONPath expressions), else Age; rows carry the object's metadata as `PartialObjectMetadata`.

use serde_json::{Value, json};

use super::registry::ResourceDef;
use super::writes::parse_timestamp;

/// Whether the client asked for a Table.
pub fn wanted(accept: Option<&str>) -> bool {
    accept.is_some_and(|accept| {
        accept
            .split(',')
            .next()
            .is_some_and(|first| first.contains("as=Table"))
    })
}

/// A Table of `objects`; `headers` false for watch events after the first.
pub fn table<'a>(
    def: &ResourceDef,
    objects: impl IntoIterator<Item = &'a Value>,
    resource_version: &str,
    headers: bool,
) -> Value {
    let columns = columns(def);
    let definitions: Vec<Value> = if headers {
        columns
            .iter()
            .map(|c| json!({"name": c.name, "type": c.kind, "format": if c.name == "Name" { "name" } else { "" }, "description": c.description, "priority": c.priority}))
            .collect()
    } else {
        Vec::new()
    };
    let rows: Vec<Value> = objects
        .into_iter()
        .map(|object| {
            let cells: Vec<Value> = columns.iter().map(|c| cell(c, object)).collect();
            json!({"cells": cells, "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object.get("metadata").cloned().unwrap_or(json!({}))}})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version}, "columnDefinitions": definitions, "rows": rows})
}

struct Column {
    name: String,
    kind: String,
    description: String,
    priority: i64,
    path: String,
    /// A built-in kind's computed cell (instead of `path`).
    computed: Option<fn(&Value) -> Value>,
}

fn columns(def: &ResourceDef) -> Vec<Column> {
    let mut columns = vec![Column {
        name: "Name".into(),
        kind: "string".into(),
        description: "Name must be unique within a namespace.".into(),
        priority: 0,
        path: ".metadata.name".into(),
        computed: None,
    }];
    if let Some(printed) = super::printers::columns(def) {
        for (name, kind, priority, cell) in printed {
            columns.push(Column {
                name: (*name).into(),
                kind: (*kind).into(),
                description: String::new(),
                priority: *priority,
                path: String::new(),
                computed: Some(*cell),
            });
        }
        return columns;
    }
    for column in &def.printer_columns {
        let text = |key: &str| {
            column
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        columns.push(Column {
            name: text("name"),
            kind: text("type"),
            description: text("description"),
            priority: column.get("priority").and_then(Value::as_i64).unwrap_or(0),
            path: text("jsonPath"),
            computed: None,
        });
    }
    if def.printer_columns.is_empty() {
        columns.push(Column {
            name: "Age".into(),
            kind: "date".into(),
            description: String::new(),
            priority: 0,
            path: ".metadata.creationTimestamp".into(),
            computed: None,
        });
    }
    columns
}

fn cell(column: &Column, object: &Value) -> Value {
    if let Some(computed) = column.computed {
        return computed(object);
    }
    let Some(value) = json_path(object, &column.path) else {
        return Value::Null;
    };
    match column.kind.as_str() {
        "date" => value.as_str().map(|t| json!(age(t))).unwrap_or(Value::Null),
        "integer" | "number" | "boolean" => value,
        _ => match value {
            Value::String(text) => json!(text),
            other => json!(other.to_string()),
        },
    }
}

/// Evaluates the JSONPath subset printer columns use: `.a.b`, `.a.b\.c`, `.a[0]`, and
/// `.a[?(@.type=="Ready")].b`.
pub fn json_path(object: &Value, path: &str) -> Option<Value> {
    let mut current = object.clone();
    let mut rest = path
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_start_matches('.');
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[?(@.") {
            let end = after.find(")]")?;
            let condition = &after[..end];
            let (field, wanted) = condition.split_once("==")?;
            let wanted = wanted.trim().trim_matches('"').trim_matches('\'');
            current = current
                .as_array()?
                .iter()
                .find(|item| item.get(field.trim()).and_then(Value::as_str) == Some(wanted))?
                .clone();
            rest = after[end + 2..].trim_start_matches('.');
            continue;
        }
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let index: usize = after[..end].parse().ok()?;
            current = current.as_array()?.get(index)?.clone();
            rest = after[end + 1..].trim_start_matches('.');
            continue;
        }
        let mut key = String::new();
        let mut chars = rest.char_indices().peekable();
        let mut consumed = rest.len();
        while let Some((index, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, next)) = chars.next() {
                        key.push(next);
                    }
                }
                '.' | '[' => {
                    consumed = index;
                    break;
                }
                other => key.push(other),
            }
        }
        current = current.get(&key)?.clone();
        rest = rest[consumed..].trim_start_matches('.');
    }
    Some(current)
}

/// A human age like kubectl's (`45s`, `5m`, `3h`, `2d`) for an RFC 3339 timestamp.
/// `5s`, `3m2s`, `4h`, `12d` since `timestamp`, as kubectl prints ages.
pub fn age(timestamp: &str) -> String {
    match parse_timestamp(timestamp) {
        Some(then) => flightdeck_apimachinery::time::human_age(
            flightdeck_apimachinery::time::now_seconds() - then,
        ),
        None => "<invalid>".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_of_printer_columns() {
        let object = json!({"metadata": {"labels": {"kargo.akuity.io/alias": "mighty-fox"}}, "status": {"conditions": [{"type": "Other", "status": "False"}, {"type": "Ready", "status": "True", "message": "ok"}], "replicas": 5}});
        assert_eq!(
            json_path(&object, ".metadata.labels.kargo\\.akuity\\.io/alias"),
            Some(json!("mighty-fox"))
        );
        assert_eq!(
            json_path(&object, ".status.conditions[?(@.type==\"Ready\")].message"),
            Some(json!("ok"))
        );
        assert_eq!(
            json_path(&object, ".status.conditions[0].type"),
            Some(json!("Other"))
        );
        assert_eq!(json_path(&object, ".status.replicas"), Some(json!(5)));
        assert_eq!(json_path(&object, ".status.missing"), None);
        assert!(age("2000-01-01T00:00:00Z").ends_with('d'));
        assert_eq!(age("garbage"), "<invalid>");
    }
}
