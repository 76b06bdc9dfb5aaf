//! Tolerant reads from API objects: a missing or mistyped field reads as `None`, never a panic.

use serde_json::Value;

/// The string at a JSON pointer.
pub fn text<'a>(object: &'a Value, pointer: &str) -> Option<&'a str> {
    object.pointer(pointer).and_then(Value::as_str)
}

/// The string at a JSON pointer, or empty.
pub fn str_at<'a>(object: &'a Value, pointer: &str) -> &'a str {
    text(object, pointer).unwrap_or_default()
}

/// The string at a JSON pointer, owned, or empty.
pub fn string(object: &Value, pointer: &str) -> String {
    text(object, pointer).unwrap_or_default().to_string()
}

/// An integer at a JSON pointer (numbers or numeric strings).
pub fn integer(object: &Value, pointer: &str) -> Option<i64> {
    match object.pointer(pointer)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A boolean at a JSON pointer.
pub fn flag(object: &Value, pointer: &str) -> bool {
    object
        .pointer(pointer)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// A label's value (keys with `/` are escaped for the pointer).
pub fn label<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object.get("metadata")?.get("labels")?.get(key)?.as_str()
}

/// An annotation's value.
pub fn annotation<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object
        .get("metadata")?
        .get("annotations")?
        .get(key)?
        .as_str()
}

/// A timestamp at a JSON pointer, as Unix seconds.
pub fn time(object: &Value, pointer: &str) -> Option<i64> {
    text(object, pointer).and_then(super::time::parse_timestamp)
}

/// The keys of an object at a pointer (empty for anything else).
pub fn keys(object: &Value, pointer: &str) -> Vec<String> {
    object
        .pointer(pointer)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The name of the owner of `kind` in `metadata.ownerReferences`.
pub fn owner(object: &Value, kind: &str) -> Option<String> {
    object
        .pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("kind").and_then(Value::as_str) == Some(kind))?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

/// A `matchLabels` map at `pointer` as a label selector (`app=demo,tier=web`); empty if none.
pub fn match_labels(object: &Value, pointer: &str) -> String {
    object
        .pointer(pointer)
        .and_then(Value::as_object)
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}
