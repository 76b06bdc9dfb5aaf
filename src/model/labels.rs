//! An object's labels, kept on its slim row so `/-l app=demo` filters without refetching. Pure.

use crate::model::json::At;
use serde_json::Value;

/// Labels sorted by key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels(Vec<(String, String)>);

impl Labels {
    /// Reads `metadata.labels` (values that are not strings are skipped).
    pub fn of(object: &Value) -> Labels {
        let mut pairs: Vec<(String, String)> = object
            .at("/metadata/labels")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        pairs.sort();
        Labels(pairs)
    }

    /// The value of label `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|index| self.0[index].1.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_read_strings_only_and_look_up_by_key() {
        let labels = Labels::of(&json!({"metadata": {"labels": {"b": "2", "a": "1", "n": 3}}}));
        assert_eq!(labels.get("a"), Some("1"));
        assert_eq!(labels.get("b"), Some("2"));
        assert_eq!(labels.get("n"), None);
        assert_eq!(
            Labels::of(&json!({"metadata": {"labels": "garbage"}})),
            Labels::default()
        );
    }
}
