//! Label selectors with the Kubernetes grammar (`labels.Parse`):
//! `a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`. The API server filters with them, and so does the
//! cockpit's `/-l …` filter. Pure.

use serde_json::Value;

/// One label requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelRequirement {
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    GreaterThan(String, i64),
    LessThan(String, i64),
}

/// A parsed label selector (all requirements must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<LabelRequirement>,
}

impl LabelSelector {
    /// Parses a label selector; the error text is what the API server returns in a 400.
    pub fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut requirements = Vec::new();
        for term in split_top_level(text) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(term)?);
        }
        Ok(LabelSelector { requirements })
    }

    /// Whether an object with `labels` (a JSON map, as in `metadata.labels`) matches.
    pub fn matches_json(&self, labels: Option<&serde_json::Map<String, Value>>) -> bool {
        self.matches(|key| labels.and_then(|l| l.get(key)).and_then(Value::as_str))
    }

    /// Whether an object whose label `key` reads `get(key)` matches.
    pub fn matches<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.requirements
            .iter()
            .all(|requirement| match requirement {
                LabelRequirement::Exists(key) => get(key).is_some(),
                LabelRequirement::NotExists(key) => get(key).is_none(),
                LabelRequirement::In(key, values) => {
                    get(key).is_some_and(|v| values.iter().any(|x| x == v))
                }
                LabelRequirement::NotIn(key, values) => {
                    get(key).is_none_or(|v| values.iter().all(|x| x != v))
                }
                LabelRequirement::GreaterThan(key, n) => get(key)
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v > *n),
                LabelRequirement::LessThan(key, n) => get(key)
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v < *n),
            })
    }
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(term: &str) -> Result<LabelRequirement, String> {
    let invalid = |why: &str| format!("unable to parse requirement: {why}: {term:?}");
    if let Some(key) = term.strip_prefix('!') {
        let key = key.trim();
        check_key(key).map_err(|e| invalid(&e))?;
        return Ok(LabelRequirement::NotExists(key.to_string()));
    }
    for (operator, is_in) in [(" notin ", false), (" in ", true)] {
        if let Some(index) = term.find(operator) {
            let key = term[..index].trim();
            check_key(key).map_err(|e| invalid(&e))?;
            let rest = term[index + operator.len()..].trim();
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| invalid("expected a parenthesised set of values"))?;
            let values: Vec<String> = inner.split(',').map(|v| v.trim().to_string()).collect();
            for value in &values {
                check_value(value).map_err(|e| invalid(&e))?;
            }
            return Ok(if is_in {
                LabelRequirement::In(key.to_string(), values)
            } else {
                LabelRequirement::NotIn(key.to_string(), values)
            });
        }
    }
    for operator in ["==", "!=", "=", ">", "<"] {
        if let Some(index) = term.find(operator) {
            let key = term[..index].trim();
            let value = term[index + operator.len()..].trim();
            check_key(key).map_err(|e| invalid(&e))?;
            return match operator {
                ">" | "<" => {
                    let number: i64 = value.parse().map_err(|_| {
                        invalid(&format!(
                            "for 'Gt', 'Lt' operators, the value must be an integer, got {value:?}"
                        ))
                    })?;
                    Ok(if operator == ">" {
                        LabelRequirement::GreaterThan(key.to_string(), number)
                    } else {
                        LabelRequirement::LessThan(key.to_string(), number)
                    })
                }
                "!=" => {
                    check_value(value).map_err(|e| invalid(&e))?;
                    Ok(LabelRequirement::NotIn(
                        key.to_string(),
                        vec![value.to_string()],
                    ))
                }
                _ => {
                    check_value(value).map_err(|e| invalid(&e))?;
                    Ok(LabelRequirement::In(
                        key.to_string(),
                        vec![value.to_string()],
                    ))
                }
            };
        }
    }
    check_key(term).map_err(|e| invalid(&e))?;
    Ok(LabelRequirement::Exists(term.to_string()))
}

/// `[prefix/]name`: prefix a DNS subdomain, name ≤ 63 of `[A-Za-z0-9_.-]`, alphanumeric ends.
fn check_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && (prefix.is_empty()
            || prefix.len() > 253
            || !prefix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'))
    {
        return Err(format!(
            "invalid label key {key:?}: prefix part must be a DNS-1123 subdomain"
        ));
    }
    if name.is_empty() || name.len() > 63 || !is_label_text(name) {
        return Err(format!(
            "invalid label key {key:?}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ));
    }
    Ok(())
}

fn check_value(value: &str) -> Result<(), String> {
    if value.is_empty() || (value.len() <= 63 && is_label_text(value)) {
        Ok(())
    } else {
        Err(format!(
            "invalid label value: {value:?}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

fn is_label_text(text: &str) -> bool {
    let ends_ok = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && text
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    ends_ok
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(value: Value) -> serde_json::Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn label_selector_grammar() {
        let l = labels(json!({"app": "demo", "tier": "web", "n": "5"}));
        let yes = [
            "app=demo",
            "app==demo",
            "app",
            "!missing",
            "app in (demo, other)",
            "tier notin (db)",
            "missing!=x",
            "n>3",
            "n<6",
            "app=demo,tier=web",
            "",
        ];
        for text in yes {
            assert!(
                LabelSelector::parse(text)
                    .expect(text)
                    .matches_json(Some(&l)),
                "{text}"
            );
        }
        let no = [
            "app=other",
            "!app",
            "missing",
            "missing in (x)",
            "app notin (demo)",
            "n>5",
            "app=demo,tier=db",
        ];
        for text in no {
            assert!(
                !LabelSelector::parse(text)
                    .expect(text)
                    .matches_json(Some(&l)),
                "{text}"
            );
        }
        for bad in ["app in demo", "-bad=x", "n>x", "a=b c"] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad}");
        }
    }
}
