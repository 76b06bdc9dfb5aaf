//! `flightdeck config check`: validates the config file, the chosen theme and keymap, and every
//! user theme and keymap file, printing each problem as `file:line: message`.

use std::fmt::Write;

use crate::keymap::Keymap;
use crate::settings::{Loaded, Warning};
use crate::theme::Theme;

/// All problems: those found while loading, plus those in user files that were not chosen.
pub fn problems(loaded: &Loaded) -> Vec<Warning> {
    let mut problems = loaded.warnings.clone();
    let themes = Theme::catalog(loaded.config_dir.clone());
    for path in themes.user_files() {
        let spec = path.display().to_string();
        let (_, warnings) = Theme::load(&themes, &spec, loaded.theme.depth);
        problems.extend(warnings);
    }
    let keymaps = Keymap::catalog(loaded.config_dir.clone());
    for path in keymaps.user_files() {
        let (_, warnings) = Keymap::load(&keymaps, &path.display().to_string(), None);
        problems.extend(warnings);
    }
    let mut seen = Vec::new();
    problems.retain(|problem| {
        let new = !seen.contains(problem);
        seen.push(problem.clone());
        new
    });
    problems
}

/// The report printed by `config check`.
pub fn render(loaded: &Loaded, problems: &[Warning]) -> String {
    let mut out = String::new();
    let file = loaded
        .config_file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(no config directory)".into());
    let exists = loaded.config_file.as_ref().is_some_and(|p| p.exists());
    let _ = writeln!(
        out,
        "config file: {file}{}",
        if exists {
            ""
        } else {
            " (not present; built-in defaults)"
        }
    );
    let _ = writeln!(
        out,
        "theme: {}   keymap: {}",
        loaded.theme.name, loaded.keymap.name
    );
    for problem in problems {
        let _ = writeln!(out, "{problem}");
    }
    if problems.is_empty() {
        let _ = writeln!(out, "ok: no problems found");
    } else {
        let _ = writeln!(out, "{} problem(s) found", problems.len());
    }
    out
}
