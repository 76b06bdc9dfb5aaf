//! Tolerant reads from API objects: a missing or mistyped field reads as `None`, never a panic.

use std::borrow::Cow;

use serde_json::Value;

/// JSON pointer lookups without an allocation per step (`Value::pointer` unescapes every token
/// into a new string; rows are projected from thousands of objects a second).
pub trait At {
    /// The value at a JSON pointer (RFC 6901: `/a/b/0`, `~1` for `/`, `~0` for `~`).
    fn at(&self, pointer: &str) -> Option<&Value>;
}

impl At for Value {
    fn at(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut tokens = pointer.strip_prefix('/')?.split('/');
        tokens.try_fold(self, |value, token| {
            let token: Cow<str> = if token.bytes().any(|byte| byte == b'~') {
                Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
            } else {
                Cow::Borrowed(token)
            };
            match value {
                Value::Object(map) => map.get(token.as_ref()),
                Value::Array(items) => {
                    // As RFC 6901: decimal digits, no leading zeros, no sign.
                    let index_ok =
                        !token.starts_with('+') && (token.len() == 1 || !token.starts_with('0'));
                    items.get(token.parse::<usize>().ok().filter(|_| index_ok)?)
                }
                _ => None,
            }
        })
    }
}

/// The string at a JSON pointer.
pub fn text<'a>(object: &'a Value, pointer: &str) -> Option<&'a str> {
    object.at(pointer).and_then(Value::as_str)
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
    match object.at(pointer)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A boolean at a JSON pointer.
pub fn flag(object: &Value, pointer: &str) -> bool {
    object.at(pointer).and_then(Value::as_bool).unwrap_or(false)
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
        .at(pointer)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The strings of an array at a pointer (other items and anything else: none).
pub fn strings(object: &Value, pointer: &str) -> Vec<String> {
    object
        .at(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The name of the owner of `kind` in `metadata.ownerReferences`.
pub fn owner(object: &Value, kind: &str) -> Option<String> {
    object
        .at("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("kind").and_then(Value::as_str) == Some(kind))?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

pub use flightdeck_apimachinery::match_labels;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn at_reads_pointers_as_value_pointer_does() {
        let object = json!({
            "metadata": {"annotations": {"a/b": "slash", "c~d": "tilde"}},
            "items": [{"name": "zero"}, {"name": "one"}],
            "": {"empty": true}
        });
        for pointer in [
            "",
            "/metadata/annotations/a~1b",
            "/metadata/annotations/c~0d",
            "/items/1/name",
            "/items/01/name",
            "/items/+1/name",
            "/items/9",
            "/missing/deeper",
            "/items/0/name/more",
            "//empty",
            "no-leading-slash",
        ] {
            assert_eq!(object.at(pointer), object.pointer(pointer), "{pointer}");
        }
        assert_eq!(str_at(&object, "/items/0/name"), "zero");
    }
}
