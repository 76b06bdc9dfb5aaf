//! Parsing one theme file: `[meta]` (parent, description, monochrome), `[palette]` (named
//! colours) and one section per slot group. A style is a colour (`"green"`) or a table
//! (`{ fg = "red", bg = "bg", bold = true }`). Problems become warnings with their lines.

use toml::Spanned;
use toml::de::DeValue;

use super::color::parse_color;
use super::slots::{SECTIONS, Slot};
use crate::settings::toml_doc::{TomlDoc, expect_bool, expect_string, line_of, type_name};
use crate::settings::warning::Warning;

/// A colour reference as written: a palette name or a colour literal, with its line.
#[derive(Debug, Clone)]
pub struct ColorRef {
    pub text: String,
    pub line: usize,
}

/// A style as written in a theme file, before palette names are resolved.
#[derive(Debug, Clone, Default)]
pub struct StyleSpec {
    pub fg: Option<ColorRef>,
    pub bg: Option<ColorRef>,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underlined: bool,
    pub reversed: bool,
}

/// What one theme file says.
#[derive(Debug, Default)]
pub struct ThemeFile {
    pub label: String,
    pub parent: Option<String>,
    pub description: Option<String>,
    /// Strip all colours, whatever the terminal supports.
    pub monochrome: Option<bool>,
    pub palette: Vec<(String, ColorRef)>,
    pub slots: Vec<(Slot, StyleSpec)>,
    pub warnings: Vec<Warning>,
}

/// Parses a theme file. `label` names the file in warnings.
pub fn parse(label: &str, text: &str) -> ThemeFile {
    let mut doc = TomlDoc::parse(label, text);
    let root = std::mem::take(&mut doc.root);
    let mut theme = ThemeFile {
        label: label.to_string(),
        ..ThemeFile::default()
    };
    for (section, value) in root.iter() {
        let name = section.get_ref().as_ref();
        let DeValue::Table(table) = value.get_ref() else {
            doc.warn(
                section.span(),
                format!("`{name}` must be a [section]; ignored"),
            );
            continue;
        };
        match name {
            "meta" => {
                for (key, value) in table.iter() {
                    match key.get_ref().as_ref() {
                        "parent" => theme.parent = expect_string(&mut doc, "parent", value),
                        "description" => {
                            theme.description = expect_string(&mut doc, "description", value)
                        }
                        "monochrome" => {
                            theme.monochrome = expect_bool(&mut doc, "monochrome", value)
                        }
                        "name" => {}
                        other => {
                            doc.warn(key.span(), format!("unknown [meta] key `{other}`; ignored"))
                        }
                    }
                }
            }
            "palette" => {
                for (key, value) in table.iter() {
                    let key_text = key.get_ref().as_ref();
                    if let Some(color) = color_ref(&mut doc, text, key_text, value) {
                        if parse_color(&color.text).is_none() {
                            doc.warn(value.span(), format!("[palette] `{key_text}`: `{}` is not a colour (#rrggbb, #rgb, an ANSI name or reset); ignored", color.text));
                            continue;
                        }
                        theme.palette.push((key_text.to_string(), color));
                    }
                }
            }
            section_name if SECTIONS.contains(&section_name) => {
                for (key, value) in table.iter() {
                    let key_text = key.get_ref().as_ref();
                    let Some(slot) = Slot::find(section_name, key_text) else {
                        let known: Vec<_> = Slot::ALL
                            .iter()
                            .filter(|slot| slot.path().0 == section_name)
                            .map(|slot| slot.path().1)
                            .collect();
                        doc.warn(
                            key.span(),
                            format!(
                                "unknown slot `{section_name}.{key_text}` (known: {}); ignored",
                                known.join(", ")
                            ),
                        );
                        continue;
                    };
                    if let Some(spec) = style_spec(&mut doc, text, section_name, key_text, value) {
                        theme.slots.push((slot, spec));
                    }
                }
            }
            other => {
                doc.warn(
                    section.span(),
                    format!(
                        "unknown section [{other}] (known: meta, palette, {}); ignored",
                        SECTIONS.join(", ")
                    ),
                );
            }
        }
    }
    theme.warnings = doc.warnings;
    theme
}

fn color_ref(
    doc: &mut TomlDoc<'_>,
    text: &str,
    key: &str,
    value: &Spanned<DeValue<'_>>,
) -> Option<ColorRef> {
    let color = expect_string(doc, key, value)?;
    Some(ColorRef {
        text: color,
        line: line_of(text, value.span().start),
    })
}

fn style_spec(
    doc: &mut TomlDoc<'_>,
    text: &str,
    section: &str,
    key: &str,
    value: &Spanned<DeValue<'_>>,
) -> Option<StyleSpec> {
    match value.get_ref() {
        DeValue::String(_) => Some(StyleSpec {
            fg: color_ref(doc, text, key, value),
            ..StyleSpec::default()
        }),
        DeValue::Table(table) => {
            let mut spec = StyleSpec::default();
            for (field, field_value) in table.iter() {
                let field_name = field.get_ref().as_ref();
                match field_name {
                    "fg" => spec.fg = color_ref(doc, text, "fg", field_value),
                    "bg" => spec.bg = color_ref(doc, text, "bg", field_value),
                    "bold" | "dim" | "italic" | "underlined" | "underline" | "reversed" | "reverse" => {
                        let flag = expect_bool(doc, field_name, field_value).unwrap_or(false);
                        match field_name {
                            "bold" => spec.bold = flag,
                            "dim" => spec.dim = flag,
                            "italic" => spec.italic = flag,
                            "underlined" | "underline" => spec.underlined = flag,
                            _ => spec.reversed = flag,
                        }
                    }
                    other => doc.warn(
                        field.span(),
                        format!("`{section}.{key}`: unknown style field `{other}` (fg, bg, bold, dim, italic, underlined, reversed); ignored"),
                    ),
                }
            }
            Some(spec)
        }
        other => {
            let found = type_name(other);
            doc.warn(
                value.span(),
                format!(
                    "`{section}.{key}` must be a colour or a style table, found {found}; ignored"
                ),
            );
            None
        }
    }
}
