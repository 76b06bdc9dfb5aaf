//! Parsing one keymap file into checked bindings. Every problem (bad key, unknown action or
//! section, an action that means nothing in that section, the same key twice) becomes a warning
//! with its line; the valid entries are kept.

use toml::de::DeValue;

use super::action::Action;
use super::key::KeyChord;
use super::layer::Layer;
use crate::settings::toml_doc::{TomlDoc, expect_string};
use crate::settings::warning::Warning;

/// What one keymap file says.
#[derive(Debug, Default)]
pub struct KeymapFile {
    /// `[meta] parent`: the keymap this one starts from.
    pub parent: Option<String>,
    /// `[meta] description`.
    pub description: Option<String>,
    /// Bindings in file order; `None` unbinds a key inherited from the parent.
    pub bindings: Vec<(Layer, KeyChord, Option<Action>)>,
    pub warnings: Vec<Warning>,
}

/// Parses a keymap file. `label` names the file in warnings.
pub fn parse(label: &str, text: &str) -> KeymapFile {
    let mut doc = TomlDoc::parse(label, text);
    let root = std::mem::take(&mut doc.root);
    let mut file = KeymapFile::default();
    for (section, value) in root.iter() {
        let name = section.get_ref().as_ref();
        let DeValue::Table(table) = value.get_ref() else {
            doc.warn(
                section.span(),
                format!("`{name}` must be a [section]; ignored"),
            );
            continue;
        };
        if name == "meta" {
            for (key, value) in table.iter() {
                match key.get_ref().as_ref() {
                    "parent" => file.parent = expect_string(&mut doc, "parent", value),
                    "description" => {
                        file.description = expect_string(&mut doc, "description", value)
                    }
                    "name" => {}
                    other => doc.warn(key.span(), format!("unknown [meta] key `{other}`; ignored")),
                }
            }
            continue;
        }
        let Some(layer) = Layer::from_name(name) else {
            let known: Vec<_> = Layer::ALL.iter().map(|l| l.name()).collect();
            doc.warn(
                section.span(),
                format!(
                    "unknown section [{name}] (known: meta, {}); ignored",
                    known.join(", ")
                ),
            );
            continue;
        };
        let mut seen: Vec<(KeyChord, usize)> = Vec::new();
        for (key, value) in table.iter() {
            let key_text = key.get_ref().as_ref();
            let chord = match KeyChord::parse(key_text) {
                Ok(chord) => chord,
                Err(error) => {
                    doc.warn(key.span(), format!("[{name}] {error}; ignored"));
                    continue;
                }
            };
            let Some(action_name) = expect_string(&mut doc, key_text, value) else {
                continue;
            };
            let line = crate::settings::toml_doc::line_of(text, key.span().start);
            if let Some((_, first)) = seen.iter().find(|(seen_chord, _)| *seen_chord == chord) {
                doc.warn(
                    key.span(),
                    format!("[{name}] key `{chord}` is bound twice (also on line {first}); this one wins"),
                );
            }
            seen.push((chord, line));
            if action_name.is_empty() || action_name == "none" {
                file.bindings.push((layer, chord, None));
                continue;
            }
            let Some(action) = Action::from_name(&action_name) else {
                doc.warn(
                    value.span(),
                    format!("[{name}] `{key_text}`: unknown action `{action_name}`; ignored (see `flightdeck keys --all`)"),
                );
                continue;
            };
            if !action.allowed_in(layer) {
                doc.warn(
                    value.span(),
                    format!("[{name}] `{key_text}`: action `{action_name}` does nothing in this section; ignored"),
                );
                continue;
            }
            file.bindings.push((layer, chord, Some(action)));
        }
    }
    file.warnings = doc.warnings;
    file
}
