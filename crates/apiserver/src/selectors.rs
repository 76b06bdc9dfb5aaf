//! Field selectors with the Kubernetes grammar (`fields.ParseSelector`):
//! `metadata.name=x,status.phase!=Running`. Label selectors are `flightdeck_apimachinery::LabelSelector`.

use serde_json::Value;

/// A parsed field selector: `field=value` / `field!=value` terms, all of which must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    terms: Vec<(String, bool, String)>,
}

impl FieldSelector {
    /// Parses a field selector, checking each field against `supported`; `unsupported` words
    /// the refusal of a field that is not (its wording differs by kind).
    pub fn parse(
        text: &str,
        supported: &[&str],
        unsupported: impl Fn(&str) -> String,
    ) -> Result<FieldSelector, String> {
        let mut terms = Vec::new();
        for term in split_unescaped(text, ',') {
            if term.is_empty() {
                continue;
            }
            let (field, equal, value) = if let Some(index) = find_unescaped(&term, "!=") {
                (&term[..index], false, &term[index + 2..])
            } else if let Some(index) = find_unescaped(&term, "==") {
                (&term[..index], true, &term[index + 2..])
            } else if let Some(index) = find_unescaped(&term, "=") {
                (&term[..index], true, &term[index + 1..])
            } else {
                return Err(format!(
                    "invalid selector: '{text}'; can't understand '{term}'"
                ));
            };
            if find_unescaped(value, "=").is_some() {
                return Err(format!(
                    "invalid selector: '{text}'; can't understand '{term}'"
                ));
            }
            let field = field.trim();
            if !supported.contains(&field) {
                return Err(unsupported(field));
            }
            terms.push((field.to_string(), equal, unescape(value)));
        }
        Ok(FieldSelector { terms })
    }

    /// Whether `object` matches (a missing field reads as the empty string).
    pub fn matches(&self, object: &Value) -> bool {
        self.terms.iter().all(|(field, equal, value)| {
            let actual = field_value(object, field);
            (actual == *value) == *equal
        })
    }

    /// The `metadata.name=X` value, if the selector pins one name.
    pub fn pinned_name(&self) -> Option<&str> {
        self.terms
            .iter()
            .find(|(field, equal, _)| field == "metadata.name" && *equal)
            .map(|(_, _, value)| value.as_str())
    }
}

/// The text of a dotted field path in an object (numbers and booleans as text).
fn field_value(object: &Value, field: &str) -> String {
    let mut current = object;
    for part in field.split('.') {
        match current.get(part) {
            Some(next) => current = next,
            None => return String::new(),
        }
    }
    match current {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn split_unescaped(text: &str, separator: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            if let Some(part) = parts.last_mut() {
                part.push('\\');
                part.push(c);
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == separator {
            parts.push(String::new());
        } else if let Some(part) = parts.last_mut() {
            part.push(c);
        }
    }
    parts
}

fn find_unescaped(text: &str, pattern: &str) -> Option<usize> {
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if text[index..].starts_with(pattern) {
            return Some(index);
        }
    }
    None
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if escaped || c != '\\' {
            out.push(c);
            escaped = false;
        } else {
            escaped = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_selector_grammar() {
        let object =
            json!({"metadata": {"name": "a,b", "namespace": "ns"}, "status": {"phase": "Running"}});
        let fields = ["metadata.name", "metadata.namespace", "status.phase"];
        let refused = |field: &str| format!("field label not supported: {field}");
        let selector =
            FieldSelector::parse("metadata.name=a\\,b,status.phase!=Failed", &fields, refused)
                .expect("parse");
        assert!(selector.matches(&object));
        assert_eq!(selector.pinned_name(), Some("a,b"));
        assert!(
            !FieldSelector::parse("status.phase==Failed", &fields, refused)
                .expect("parse")
                .matches(&object)
        );
        assert_eq!(
            FieldSelector::parse("spec.foo=x", &fields, refused),
            Err("field label not supported: spec.foo".into())
        );
        assert!(FieldSelector::parse("metadata.name", &fields, refused).is_err());
        assert!(
            FieldSelector::parse("", &fields, refused)
                .expect("empty")
                .matches(&object)
        );
    }
}
