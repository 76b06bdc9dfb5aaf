//! Key chords as written in keymap files (`"q"`, `"G"`, `"ctrl-d"`, `"shift-tab"`, `"alt-enter"`)
//! and as received from the terminal. Parsing normalises spelling, so `"C-d"`, `"Ctrl+D"` and
//! `"ctrl-d"` are the same chord (and count as duplicates in one section).

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key plus modifiers. Shift is folded into the character for printable keys (`G`, `?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyChord {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    pub key: Key,
}

/// The key itself, without modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Tab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

const NAMED: &[(&str, Key)] = &[
    ("enter", Key::Enter),
    ("return", Key::Enter),
    ("esc", Key::Esc),
    ("escape", Key::Esc),
    ("tab", Key::Tab),
    ("backspace", Key::Backspace),
    ("delete", Key::Delete),
    ("del", Key::Delete),
    ("insert", Key::Insert),
    ("up", Key::Up),
    ("down", Key::Down),
    ("left", Key::Left),
    ("right", Key::Right),
    ("home", Key::Home),
    ("end", Key::End),
    ("pageup", Key::PageUp),
    ("pgup", Key::PageUp),
    ("pagedown", Key::PageDown),
    ("pgdn", Key::PageDown),
    ("space", Key::Char(' ')),
    ("minus", Key::Char('-')),
    ("plus", Key::Char('+')),
];

impl KeyChord {
    pub const fn plain(key: Key) -> Self {
        Self {
            ctrl: false,
            alt: false,
            shift: false,
            key,
        }
    }

    /// Parses `"ctrl-d"`, `"C-d"`, `"alt+x"`, `"shift-tab"`, `"backtab"`, `"G"`, `"?"`, `"f5"`.
    pub fn parse(text: &str) -> Result<KeyChord, String> {
        if text.is_empty() {
            return Err("empty key".into());
        }
        if text.chars().count() == 1 {
            return Ok(Self::from_char(text.chars().next().unwrap_or(' ')));
        }
        let mut parts: Vec<&str> = text.split(['-', '+']).collect();
        // "ctrl--" or "alt-+" end with an empty part for the separator character itself.
        let last = if text.ends_with("--") || text.ends_with("-+") || text.ends_with("++") {
            parts.truncate(parts.len().saturating_sub(2));
            text[text.len() - 1..].to_string()
        } else {
            parts.pop().unwrap_or_default().to_string()
        };
        let mut chord = Self::plain(Key::Esc);
        for modifier in parts {
            match modifier.to_ascii_lowercase().as_str() {
                "ctrl" | "c" | "control" => chord.ctrl = true,
                "alt" | "a" | "m" | "meta" | "option" => chord.alt = true,
                "shift" | "s" => chord.shift = true,
                other => return Err(format!("unknown modifier `{other}` in key `{text}`")),
            }
        }
        let lower = last.to_ascii_lowercase();
        chord.key = if last.chars().count() == 1 {
            let c = last.chars().next().unwrap_or(' ');
            if chord.ctrl || chord.alt {
                // Terminals report ctrl-D as ctrl-d: letters under ctrl/alt are case-blind
                // unless `shift-` is written out.
                Key::Char(c.to_ascii_lowercase())
            } else {
                return Ok(Self::from_char(if chord.shift {
                    c.to_ascii_uppercase()
                } else {
                    c
                }));
            }
        } else if lower == "backtab" {
            chord.shift = true;
            Key::Tab
        } else if let Some(number) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            if !(1..=24).contains(&number) {
                return Err(format!("function key `{last}` out of range (f1 to f24)"));
            }
            Key::F(number)
        } else if let Some((_, key)) = NAMED.iter().find(|(name, _)| *name == lower) {
            *key
        } else {
            return Err(format!("unknown key `{last}` in `{text}`"));
        };
        if let Key::Char(c) = chord.key
            && !chord.ctrl
            && !chord.alt
        {
            return Ok(Self::from_char(c));
        }
        Ok(chord)
    }

    fn from_char(c: char) -> Self {
        Self::plain(Key::Char(c))
    }

    /// The chord a terminal key event stands for, or `None` for keys we never bind.
    pub fn from_event(event: &KeyEvent) -> Option<KeyChord> {
        let modifiers = event.modifiers;
        let ctrl = modifiers.contains(KeyModifiers::CONTROL);
        let alt = modifiers.contains(KeyModifiers::ALT);
        let shift = modifiers.contains(KeyModifiers::SHIFT);
        let key = match event.code {
            KeyCode::Char(c) => {
                if ctrl || alt {
                    let lowered = c.to_ascii_lowercase();
                    return Some(KeyChord {
                        ctrl,
                        alt,
                        shift: shift || c.is_ascii_uppercase(),
                        key: Key::Char(lowered),
                    });
                }
                return Some(Self::from_char(c));
            }
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => {
                return Some(KeyChord {
                    ctrl,
                    alt,
                    shift: true,
                    key: Key::Tab,
                });
            }
            KeyCode::Backspace => Key::Backspace,
            KeyCode::Delete => Key::Delete,
            KeyCode::Insert => Key::Insert,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::F(n) => Key::F(n),
            _ => return None,
        };
        Some(KeyChord {
            ctrl,
            alt,
            shift,
            key,
        })
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        let shift_shown =
            self.shift && (!matches!(self.key, Key::Char(_)) || self.ctrl || self.alt);
        if shift_shown {
            f.write_str("shift-")?;
        }
        match self.key {
            Key::Char(' ') => f.write_str("space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::F(n) => write!(f, "f{n}"),
            other => {
                let name = NAMED
                    .iter()
                    .find(|(_, key)| *key == other)
                    .map(|(name, _)| *name)
                    .unwrap_or("?");
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> KeyChord {
        KeyChord::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn spellings_normalise() {
        assert_eq!(parse("ctrl-d"), parse("C-d"));
        assert_eq!(parse("ctrl-d"), parse("Ctrl+D"));
        assert_eq!(parse("shift-tab"), parse("backtab"));
        assert_eq!(parse("shift-g"), parse("G"));
        assert_eq!(parse("pgdn"), parse("pagedown"));
        assert_ne!(parse("g"), parse("G"));
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "q",
            "?",
            ":",
            "G",
            "ctrl-d",
            "alt-x",
            "shift-tab",
            "enter",
            "f5",
            "space",
            "ctrl-shift-d",
        ] {
            assert_eq!(parse(text).to_string(), text);
            assert_eq!(parse(&parse(text).to_string()), parse(text));
        }
    }

    #[test]
    fn bad_keys_are_errors() {
        assert!(KeyChord::parse("").is_err());
        assert!(KeyChord::parse("hyper-x").is_err());
        assert!(KeyChord::parse("ctrl-nosuchkey").is_err());
        assert!(KeyChord::parse("f99").is_err());
    }

    #[test]
    fn terminal_events_match_parsed_chords() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(KeyChord::from_event(&event), Some(parse("G")));
        let event = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(KeyChord::from_event(&event), Some(parse("ctrl-d")));
        let event = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(KeyChord::from_event(&event), Some(parse("shift-tab")));
        let event = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(KeyChord::from_event(&event), Some(parse("?")));
    }
}
