//! The `/` filter of a view: a case-insensitive regular expression over a row's text (plain text
//! works as a substring; text that is not a valid expression is matched literally), `!` in front
//! to invert, or `-l SELECTOR` to match labels with the Kubernetes selector grammar. Pure.

use regex::Regex;

use crate::model::{LabelSelector, Labels};

use super::cell::Cell;

#[derive(Debug, Clone, Default)]
enum Matcher {
    /// No filter.
    #[default]
    All,
    /// A row matches when any cell's text does.
    Text(Regex),
    /// A row matches when its object's labels do.
    Labels(LabelSelector),
}

/// A parsed filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    text: String,
    matcher: Matcher,
    inverted: bool,
    problem: Option<String>,
}

impl Filter {
    /// Parses what was typed after `/` (surrounding spaces ignored).
    pub fn parse(typed: &str) -> Filter {
        let text = typed.trim().to_string();
        let (inverted, body) = match text.strip_prefix('!') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text.as_str()),
        };
        let mut problem = None;
        let matcher = if body.is_empty() {
            Matcher::All
        } else if let Some(selector) = body.strip_prefix("-l").map(str::trim) {
            match LabelSelector::parse(selector) {
                Ok(selector) => Matcher::Labels(selector),
                Err(error) => {
                    problem = Some(format!("label selector: {error}"));
                    Matcher::All
                }
            }
        } else {
            let regex = Regex::new(&format!("(?i){body}")).or_else(|error| {
                problem = Some(format!(
                    "not a regular expression ({}); matching the text literally",
                    error.to_string().lines().last().unwrap_or_default().trim()
                ));
                Regex::new(&format!("(?i){}", regex::escape(body)))
            });
            match regex {
                Ok(regex) => Matcher::Text(regex),
                Err(_) => Matcher::All,
            }
        };
        Filter {
            text,
            matcher,
            inverted,
            problem,
        }
    }

    /// The text as typed (trimmed), for the title bar and the prompt.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Why the filter is not applied as typed (a bad selector or expression).
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Whether everything this filter keeps was kept by `shorter` too: both a plain run of
    /// single-character atoms (letters, digits, `-_ /:@`, and `.` for any one character; not
    /// inverted, not a selector) and this one extends it — a match of the longer then always
    /// contains a match of the shorter.
    pub fn narrows(&self, shorter: &str) -> bool {
        let plain = |text: &str| {
            !text.is_empty()
                && !text.starts_with('!')
                && !text.starts_with("-l")
                && text
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_ ./:@".contains(c))
        };
        plain(shorter) && plain(&self.text) && self.text.starts_with(shorter)
    }

    /// Whether this filter looks at labels (rows without labels are then kept).
    pub fn is_label_selector(&self) -> bool {
        matches!(self.matcher, Matcher::Labels(_))
    }

    /// Whether a row with these cells (and the object's labels, where the row is one object)
    /// passes the filter.
    pub fn matches(&self, cells: &[Cell], labels: Option<&Labels>) -> bool {
        self.matches_parts(&[cells], labels)
    }

    /// As `matches`, for a row whose cells come in parts (a pipeline row and its section's
    /// title): the text is looked for in every part.
    pub fn matches_parts(&self, parts: &[&[Cell]], labels: Option<&Labels>) -> bool {
        let found = match &self.matcher {
            Matcher::All => return true,
            Matcher::Text(regex) => parts
                .iter()
                .flat_map(|cells| cells.iter())
                .any(|cell| regex.is_match(&cell.text)),
            Matcher::Labels(selector) => match labels {
                Some(labels) => selector.matches(|key| labels.get(key)),
                None => return true,
            },
        };
        found != self.inverted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::Slot;
    use serde_json::json;

    fn cells(texts: &[&str]) -> Vec<Cell> {
        texts.iter().map(|t| Cell::new(*t, Slot::Text)).collect()
    }

    #[test]
    fn only_plain_text_typed_further_narrows() {
        assert!(Filter::parse("app-1").narrows("app-"));
        assert!(Filter::parse("demo app").narrows("demo"));
        assert!(
            !Filter::parse("app-1").narrows(""),
            "nothing was filtered before"
        );
        assert!(!Filter::parse("ab").narrows("b"), "not an extension");
        assert!(!Filter::parse("a|b").narrows("a"), "alternation widens");
        assert!(
            !Filter::parse("ab*").narrows("ab"),
            "a quantifier changes the last atom"
        );
        assert!(
            !Filter::parse("!ab").narrows("!a"),
            "inverse filters widen as they grow"
        );
        assert!(
            !Filter::parse("-l app=x").narrows("-l app"),
            "selectors are not text"
        );
    }

    #[test]
    fn text_regex_inverse_and_literal_fallback() {
        let row = cells(&["demo-app-prod", "Degraded"]);
        assert!(Filter::parse("").matches(&row, None));
        assert!(Filter::parse("PROD").matches(&row, None));
        assert!(Filter::parse("prod|staging").matches(&row, None));
        assert!(Filter::parse("^degr").matches(&row, None));
        assert!(!Filter::parse("^prod").matches(&row, None));
        assert!(!Filter::parse("!prod").matches(&row, None));
        assert!(Filter::parse("!healthy").matches(&row, None));
        let literal = Filter::parse("app-(");
        assert!(literal.problem().is_some_and(|p| p.contains("literally")));
        assert!(literal.matches(&cells(&["x app-( y"]), None));
        assert!(!literal.matches(&row, None));
    }

    #[test]
    fn label_selector_filters_objects_and_keeps_rows_without_labels() {
        let labels = Labels::of(&json!({"metadata": {"labels": {"app": "demo", "env": "prod"}}}));
        let row = cells(&["x"]);
        assert!(Filter::parse("-l app=demo").matches(&row, Some(&labels)));
        assert!(Filter::parse("-l env in (prod,staging)").matches(&row, Some(&labels)));
        assert!(!Filter::parse("-l app=other").matches(&row, Some(&labels)));
        assert!(Filter::parse("!-l app=other").matches(&row, Some(&labels)));
        assert!(Filter::parse("-l app=other").matches(&row, None));
        let bad = Filter::parse("-l app in demo");
        assert!(
            bad.problem()
                .is_some_and(|p| p.starts_with("label selector"))
        );
        assert!(bad.matches(&row, Some(&labels)));
    }
}
