//! `flightdeck keys`: the effective key bindings per view, from the same keymap the UI uses.

use std::fmt::Write;

use crate::keymap::{Action, Keymap, Layer};

/// The listing for `view` (all layers when `None`), plus unbound actions when `all`.
pub fn render(keymap: &Keymap, view: Option<Layer>, all: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "keymap: {}", keymap.name);
    let layers: Vec<Layer> = match view {
        Some(layer) if layer.falls_back_to_global() && layer != Layer::Global => {
            vec![layer, Layer::Global]
        }
        Some(layer) => vec![layer],
        None => Layer::ALL.to_vec(),
    };
    for layer in layers {
        let bindings = keymap.bindings(layer);
        let _ = writeln!(out, "\n[{}]  {}", layer.name(), layer.title());
        if bindings.is_empty() {
            let _ = writeln!(
                out,
                "  (no keys of its own{})",
                if layer.falls_back_to_global() {
                    "; [global] applies"
                } else {
                    ""
                }
            );
        }
        for (key, action) in bindings {
            let _ = writeln!(
                out,
                "  {:<12} {:<16} {}",
                key.to_string(),
                action.name(),
                action.description()
            );
        }
    }
    if all {
        let unbound: Vec<&Action> = Action::ALL
            .iter()
            .filter(|action| {
                Layer::ALL.iter().all(|layer| {
                    keymap
                        .bindings(*layer)
                        .iter()
                        .all(|(_, bound)| bound != *action)
                })
            })
            .collect();
        let _ = writeln!(
            out,
            "\nactions without a key{}",
            if unbound.is_empty() { ": none" } else { "" }
        );
        for action in unbound {
            let _ = writeln!(out, "  {:<29} {}", action.name(), action.description());
        }
        let _ = writeln!(out, "\nall actions");
        for action in Action::ALL {
            let _ = writeln!(out, "  {:<29} {}", action.name(), action.description());
        }
    }
    out
}

/// Parses the `view` argument.
pub fn parse_view(name: &str) -> Result<Layer, String> {
    Layer::from_name(name).ok_or_else(|| {
        let known: Vec<_> = Layer::ALL.iter().map(|layer| layer.name()).collect();
        format!("unknown view `{name}` (known: {})", known.join(", "))
    })
}
