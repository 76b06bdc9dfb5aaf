//! Themes: semantic slots resolved once into ratatui styles. Built-ins are embedded; user themes
//! live in `<config>/themes/NAME.toml` and inherit from `parent` (the built-in `default` when no
//! parent is given). Colours are adapted to what the terminal can show.

pub mod builtin;
pub mod color;
pub mod file;
pub mod slots;

use std::collections::HashMap;
use std::path::PathBuf;

use ratatui::style::{Modifier, Style};

pub use color::ColorDepth;
pub use slots::Slot;

use crate::settings::sources::{Catalog, Source, load_chain};
use crate::settings::warning::Warning;
use file::{ColorRef, StyleSpec, ThemeFile};

/// A resolved theme: one style per slot.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    pub depth: ColorDepth,
    styles: HashMap<Slot, Style>,
}

impl Theme {
    /// The themes family: built-ins plus `<config>/themes/*.toml`.
    pub fn catalog(config_dir: Option<PathBuf>) -> Catalog {
        Catalog {
            kind: "theme",
            builtins: builtin::BUILTIN_THEMES,
            folder: "themes",
            user_dir: config_dir.map(|dir| dir.join("themes")),
        }
    }

    /// Loads theme `spec` (a name or a path) for a terminal of `depth`, collecting warnings.
    /// An unknown theme falls back to `default`.
    pub fn load(catalog: &Catalog, spec: &str, depth: ColorDepth) -> (Theme, Vec<Warning>) {
        let parse = |source: &Source| {
            let mut parsed = file::parse(&source.label, &source.text);
            if parsed.parent.is_none() && !(source.builtin && source.name == "default") {
                parsed.parent = Some("default".to_string());
            }
            parsed
        };
        let (files, mut warnings, name) =
            load_chain(catalog, spec, "default", parse, |parsed: &ThemeFile| {
                parsed.parent.clone()
            });
        let mut palette: HashMap<&str, &ColorRef> = HashMap::new();
        let mut specs: HashMap<Slot, (&StyleSpec, &str)> = HashMap::new();
        let mut monochrome = false;
        for parsed in &files {
            warnings.extend(parsed.warnings.iter().cloned());
            monochrome = parsed.monochrome.unwrap_or(monochrome);
            for (name, color) in &parsed.palette {
                palette.insert(name, color);
            }
            for (slot, spec) in &parsed.slots {
                specs.insert(*slot, (spec, &parsed.label));
            }
        }
        let depth = if monochrome { ColorDepth::None } else { depth };
        let mut styles = HashMap::new();
        let mut missing = Vec::new();
        for slot in Slot::ALL {
            let Some((spec, label)) = specs.get(slot) else {
                missing.push(format!("{}.{}", slot.path().0, slot.path().1));
                styles.insert(*slot, Style::default());
                continue;
            };
            let mut resolve = |color: &Option<ColorRef>| {
                let color = color.as_ref()?;
                let text = palette
                    .get(color.text.as_str())
                    .map(|c| c.text.as_str())
                    .unwrap_or(&color.text);
                match color::parse_color(text) {
                    Some(parsed) => depth.adapt(parsed),
                    None => {
                        warnings.push(Warning::new(
                            *label,
                            Some(color.line),
                            format!("`{}` is neither a palette name nor a colour; using the terminal's colour", color.text),
                        ));
                        None
                    }
                }
            };
            let mut style = Style::default();
            if let Some(fg) = resolve(&spec.fg) {
                style = style.fg(fg);
            }
            if let Some(bg) = resolve(&spec.bg) {
                style = style.bg(bg);
            }
            for (on, modifier) in [
                (spec.bold, Modifier::BOLD),
                (spec.dim, Modifier::DIM),
                (spec.italic, Modifier::ITALIC),
                (spec.underlined, Modifier::UNDERLINED),
                (spec.reversed, Modifier::REVERSED),
            ] {
                if on {
                    style = style.add_modifier(modifier);
                }
            }
            styles.insert(*slot, style);
        }
        if !missing.is_empty() {
            let label = files.last().map(|f| f.label.clone()).unwrap_or_default();
            warnings.push(Warning::new(
                label,
                None,
                format!("slots not set (plain text used): {}", missing.join(", ")),
            ));
        }
        let theme = Theme {
            name,
            depth,
            styles,
        };
        (theme, warnings)
    }

    /// The style of a slot.
    pub fn style(&self, slot: Slot) -> Style {
        self.styles.get(&slot).copied().unwrap_or_default()
    }

    /// The description of a theme file, for `flightdeck themes`.
    pub fn describe(source: &Source) -> Option<String> {
        file::parse(&source.label, &source.text).description
    }
}
