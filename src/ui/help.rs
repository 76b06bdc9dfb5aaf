//! The content of the help overlay, built from the keymap and the action registry (so it always
//! shows the keys that really work): the current view's keys, then the global ones, then the
//! prompts'.

use crate::keymap::{Action, Keymap, Layer};

/// One group of bindings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpSection {
    pub title: &'static str,
    /// (keys as text, action name, description).
    pub rows: Vec<(String, &'static str, &'static str)>,
}

/// The sections for the help overlay opened over `view`.
pub fn help_sections(keymap: &Keymap, view: Layer) -> Vec<HelpSection> {
    let mut layers = vec![view];
    if view != Layer::Global {
        layers.push(Layer::Global);
    }
    layers.extend([Layer::Palette, Layer::Filter]);
    layers
        .into_iter()
        .map(|layer| HelpSection {
            title: layer.title(),
            rows: section_rows(keymap, layer, view),
        })
        .filter(|section| !section.rows.is_empty())
        .collect()
}

/// Actions bound in `layer` itself, each with all its keys there. Global actions shadowed in
/// `view` are left out, since those keys do something else in that view.
fn section_rows(
    keymap: &Keymap,
    layer: Layer,
    view: Layer,
) -> Vec<(String, &'static str, &'static str)> {
    Action::ALL
        .iter()
        .filter_map(|action| {
            let keys: Vec<String> = keymap
                .bindings(layer)
                .iter()
                .filter(|(key, bound)| {
                    *bound == *action
                        && (layer != Layer::Global || keymap.lookup(view, *key) == Some(*action))
                })
                .map(|(key, _)| key.to_string())
                .collect();
            (!keys.is_empty()).then(|| (keys.join(", "), action.name(), action.description()))
        })
        .collect()
}
