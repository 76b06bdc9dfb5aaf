//! Key bindings: which action a key triggers in each layer. A keymap is built from a built-in or
//! user file (following `parent` links), then the user's `keymap.toml` overrides on top.
//! Lookups try the active layer, then `global`.

pub mod action;
pub mod builtin;
pub mod file;
pub mod key;
pub mod layer;

use std::collections::HashMap;
use std::path::PathBuf;

pub use action::Action;
pub use key::KeyChord;
pub use layer::Layer;

use crate::settings::sources::{Catalog, Source, load_chain, read_file};
use crate::settings::warning::Warning;

/// Resolved key bindings, per layer, in definition order.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    /// Name of the keymap the bindings came from.
    pub name: String,
    layers: HashMap<Layer, Vec<(KeyChord, Action)>>,
}

impl Keymap {
    /// The keymaps family: built-ins plus `<config>/keymaps/*.toml`.
    pub fn catalog(config_dir: Option<PathBuf>) -> Catalog {
        Catalog {
            kind: "keymap",
            builtins: builtin::BUILTIN_KEYMAPS,
            folder: "keymaps",
            user_dir: config_dir.map(|dir| dir.join("keymaps")),
        }
    }

    /// Loads the keymap `spec` (name or path) and then the user's override file, collecting
    /// warnings. Falls back to the built-in default when `spec` cannot be found.
    pub fn load(
        catalog: &Catalog,
        spec: &str,
        overrides: Option<PathBuf>,
    ) -> (Keymap, Vec<Warning>) {
        let (mut files, mut warnings, name) = load_chain(
            catalog,
            spec,
            "default",
            |source: &Source| file::parse(&source.label, &source.text),
            |parsed| parsed.parent.clone(),
        );
        if let Some(path) = overrides.filter(|path| path.exists()) {
            match read_file(&path) {
                Ok(source) => files.push(file::parse(&source.label, &source.text)),
                Err(warning) => warnings.push(warning),
            }
        }
        let mut keymap = Keymap {
            name,
            layers: HashMap::new(),
        };
        for parsed in &files {
            warnings.extend(parsed.warnings.iter().cloned());
            keymap.apply(parsed);
        }
        (keymap, warnings)
    }

    /// Applies a file's bindings on top of the current ones.
    fn apply(&mut self, file: &file::KeymapFile) {
        for (layer, chord, action) in &file.bindings {
            let bindings = self.layers.entry(*layer).or_default();
            match action {
                Some(action) => match bindings.iter_mut().find(|(key, _)| key == chord) {
                    Some(existing) => existing.1 = *action,
                    None => bindings.push((*chord, *action)),
                },
                None => bindings.retain(|(key, _)| key != chord),
            }
        }
    }

    /// The action `chord` triggers in `layer` (falling back to `global` where that applies).
    pub fn lookup(&self, layer: Layer, chord: KeyChord) -> Option<Action> {
        let find = |layer: Layer| {
            self.layers
                .get(&layer)
                .and_then(|bindings| bindings.iter().find(|(key, _)| *key == chord))
                .map(|(_, action)| *action)
        };
        find(layer).or_else(|| {
            if layer.falls_back_to_global() {
                find(Layer::Global)
            } else {
                None
            }
        })
    }

    /// The bindings defined directly in `layer`, in order.
    pub fn bindings(&self, layer: Layer) -> &[(KeyChord, Action)] {
        self.layers.get(&layer).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Keys that trigger `action` in `layer`, including global keys not shadowed by the layer.
    pub fn keys_for(&self, layer: Layer, action: Action) -> Vec<KeyChord> {
        let mut keys: Vec<KeyChord> = self
            .bindings(layer)
            .iter()
            .filter(|(_, bound)| *bound == action)
            .map(|(key, _)| *key)
            .collect();
        if layer.falls_back_to_global() && layer != Layer::Global {
            keys.extend(
                self.bindings(Layer::Global)
                    .iter()
                    .filter(|(key, bound)| {
                        *bound == action && self.lookup(layer, *key) == Some(action)
                    })
                    .map(|(key, _)| *key),
            );
        }
        keys
    }

    /// The first key for `action` in `layer`, for footer hints.
    pub fn first_key(&self, layer: Layer, action: Action) -> Option<KeyChord> {
        self.keys_for(layer, action).into_iter().next()
    }

    /// Every (action, keys) pair that is reachable in `layer`, in registry order.
    pub fn reachable(&self, layer: Layer) -> Vec<(Action, Vec<KeyChord>)> {
        Action::ALL
            .iter()
            .map(|action| (*action, self.keys_for(layer, *action)))
            .filter(|(_, keys)| !keys.is_empty())
            .collect()
    }
}
