//! `flightdeck themes`: every theme name that `--theme` accepts, with its description.

use std::fmt::Write;

use crate::settings::sources::Catalog;
use crate::theme::Theme;

/// The listing, marking `active`.
pub fn render(catalog: &Catalog, active: &str) -> String {
    let mut out = String::new();
    for name in catalog.names() {
        let (origin, description) = match catalog.find(&name) {
            Ok(source) => (
                if source.builtin { "built-in" } else { "user" },
                Theme::describe(&source).unwrap_or_default(),
            ),
            Err(warning) => ("unreadable", warning.message),
        };
        let marker = if name == active { "*" } else { " " };
        let _ = writeln!(out, "{marker} {name:<16} {origin:<9} {description}");
    }
    out
}
