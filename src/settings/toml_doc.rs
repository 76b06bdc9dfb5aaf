//! Reading TOML files while keeping line numbers, so every problem in a user's config, theme or
//! keymap file can be reported as `file:line: message` and the rest of the file still used.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::warning::Warning;

/// A parsed TOML document plus the warnings found while reading it.
pub struct TomlDoc<'a> {
    file: String,
    text: &'a str,
    pub root: DeTable<'a>,
    pub warnings: Vec<Warning>,
}

impl<'a> TomlDoc<'a> {
    /// Parses `text`; a syntax error yields an empty document and one warning at the error's line.
    pub fn parse(file: impl Into<String>, text: &'a str) -> Self {
        let file = file.into();
        match DeTable::parse(text) {
            Ok(root) => Self {
                file,
                text,
                root: root.into_inner(),
                warnings: Vec::new(),
            },
            Err(error) => {
                let line = error.span().map(|span| line_of(text, span.start));
                let message = format!(
                    "not valid TOML ({}); the whole file is ignored",
                    error.message().trim()
                );
                Self {
                    warnings: vec![Warning::new(file.clone(), line, message)],
                    file,
                    text,
                    root: DeTable::default(),
                }
            }
        }
    }

    /// Records a warning at the start of `span`.
    pub fn warn(&mut self, span: Range<usize>, message: impl Into<String>) {
        let line = line_of(self.text, span.start);
        self.warnings
            .push(Warning::new(self.file.clone(), Some(line), message));
    }

    /// The file name used in warnings.
    pub fn file(&self) -> &str {
        &self.file
    }
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Human name of a TOML value's type, for "expected a string, found an integer".
pub fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The string inside `value`, or a warning and `None`.
pub fn expect_string(
    doc: &mut TomlDoc<'_>,
    key: &str,
    value: &Spanned<DeValue<'_>>,
) -> Option<String> {
    match value.get_ref() {
        DeValue::String(text) => Some(text.to_string()),
        other => {
            let found = type_name(other);
            doc.warn(
                value.span(),
                format!("`{key}` must be a string, found {found}; ignored"),
            );
            None
        }
    }
}

/// The strings of an array of strings, or a warning and `None` (one wrong item spoils the list:
/// a half-read list would watch other namespaces than the user wrote).
pub fn expect_strings(
    doc: &mut TomlDoc<'_>,
    key: &str,
    value: &Spanned<DeValue<'_>>,
) -> Option<Vec<String>> {
    let DeValue::Array(items) = value.get_ref() else {
        let found = type_name(value.get_ref());
        doc.warn(
            value.span(),
            format!("`{key}` must be an array of strings, found {found}; ignored"),
        );
        return None;
    };
    let mut strings = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(text) => strings.push(text.to_string()),
            other => {
                let found = type_name(other);
                doc.warn(
                    item.span(),
                    format!("`{key}` must hold only strings, found {found}; ignored"),
                );
                return None;
            }
        }
    }
    Some(strings)
}

/// The boolean inside `value`, or a warning and `None`.
pub fn expect_bool(doc: &mut TomlDoc<'_>, key: &str, value: &Spanned<DeValue<'_>>) -> Option<bool> {
    match value.get_ref() {
        DeValue::Boolean(flag) => Some(*flag),
        other => {
            let found = type_name(other);
            doc.warn(
                value.span(),
                format!("`{key}` must be true or false, found {found}; ignored"),
            );
            None
        }
    }
}

/// The sections of a table of tables (`[KEY."NAME"]`, `word` standing for NAME in the warning)
/// as (name, table); a value that is not such a table, or a section that is not a table, is a
/// warning and left out.
pub fn named_sections<'v, 'de>(
    doc: &mut TomlDoc<'_>,
    (key, word): (&str, &str),
    value: &'v Spanned<DeValue<'de>>,
) -> Vec<(String, &'v DeTable<'de>)> {
    let DeValue::Table(table) = value.get_ref() else {
        doc.warn(
            value.span(),
            format!("`{key}` must be a table of [{key}.\"{word}\"] sections; ignored"),
        );
        return Vec::new();
    };
    let mut sections = Vec::new();
    for (name, section) in table.iter() {
        let name = name.get_ref().to_string();
        match section.get_ref() {
            DeValue::Table(fields) => sections.push((name, fields)),
            _ => doc.warn(
                section.span(),
                format!("[{key}.\"{name}\"] must be a table; ignored"),
            ),
        }
    }
    sections
}
