//! The `:` command palette: a prompt whose suggestions are the palette actions of the registry
//! (plus short aliases), narrowed as you type, completed with `complete`, run with `accept`.

use super::input::InputLine;
use crate::keymap::Action;

/// Extra names the palette accepts for an action (k9s and vim habits).
const ALIASES: &[(&str, Action)] = &[
    ("q", Action::Quit),
    ("q!", Action::Quit),
    ("exit", Action::Quit),
    ("h", Action::Help),
    ("warn", Action::ShowWarnings),
];

/// State of an open palette.
#[derive(Debug, Clone, Default)]
pub struct Palette {
    pub input: InputLine,
    /// Index into `suggestions()` of the highlighted one.
    pub highlighted: usize,
}

/// What `accept` resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteOutcome {
    Run(Action),
    Unknown(String),
    Empty,
}

impl Palette {
    /// Palette actions whose name contains the typed text (prefix matches first).
    pub fn suggestions(&self) -> Vec<Action> {
        let typed = self.input.text().trim().to_ascii_lowercase();
        let candidates = Action::ALL
            .iter()
            .copied()
            .filter(|action| action.in_palette());
        let mut prefix: Vec<Action> = Vec::new();
        let mut inner: Vec<Action> = Vec::new();
        for action in candidates {
            if action.name().starts_with(&typed) {
                prefix.push(action);
            } else if action.name().contains(&typed)
                || action.description().to_ascii_lowercase().contains(&typed)
            {
                inner.push(action);
            }
        }
        prefix.extend(inner);
        prefix
    }

    pub fn move_highlight(&mut self, forward: bool) {
        let count = self.suggestions().len();
        if count == 0 {
            self.highlighted = 0;
        } else if forward {
            self.highlighted = (self.highlighted + 1) % count;
        } else {
            self.highlighted = (self.highlighted + count - 1) % count;
        }
    }

    /// Replaces the typed text with the highlighted suggestion's name.
    pub fn complete(&mut self) {
        if let Some(action) = self.suggestions().get(self.highlighted) {
            self.input.set(action.name());
            self.highlighted = 0;
        }
    }

    /// Typing changes the suggestions, so the highlight goes back to the best one.
    pub fn edited(&mut self) {
        self.highlighted = 0;
    }

    /// The action an exact name or alias names, else the highlighted suggestion.
    pub fn accept(&self) -> PaletteOutcome {
        let typed = self.input.text().trim();
        if typed.is_empty() {
            return PaletteOutcome::Empty;
        }
        if let Some(action) = Action::from_name(typed).filter(|a| a.in_palette()) {
            return PaletteOutcome::Run(action);
        }
        if let Some((_, action)) = ALIASES.iter().find(|(alias, _)| *alias == typed) {
            return PaletteOutcome::Run(*action);
        }
        match self.suggestions().get(self.highlighted) {
            Some(action) => PaletteOutcome::Run(*action),
            None => PaletteOutcome::Unknown(typed.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Palette {
        Palette {
            input: InputLine::new(text),
            highlighted: 0,
        }
    }

    #[test]
    fn narrows_completes_and_accepts() {
        let mut palette = typed("he");
        assert_eq!(palette.suggestions().first(), Some(&Action::Help));
        palette.complete();
        assert_eq!(palette.input.text(), "help");
        assert_eq!(typed("q").accept(), PaletteOutcome::Run(Action::Quit));
        assert_eq!(
            typed("warn").accept(),
            PaletteOutcome::Run(Action::ShowWarnings)
        );
        assert_eq!(typed("zzz").accept(), PaletteOutcome::Unknown("zzz".into()));
        assert_eq!(typed("  ").accept(), PaletteOutcome::Empty);
        // Navigation actions are keys, not commands.
        assert_eq!(
            typed("select-next").accept(),
            PaletteOutcome::Unknown("select-next".into())
        );
    }

    #[test]
    fn highlight_wraps() {
        let mut palette = typed("");
        let count = palette.suggestions().len();
        assert!(count > 2);
        palette.move_highlight(false);
        assert_eq!(palette.highlighted, count - 1);
        palette.move_highlight(true);
        assert_eq!(palette.highlighted, 0);
    }
}
