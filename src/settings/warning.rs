//! A problem found in a user-supplied file or setting: where it is (file and line) and what is
//! wrong. Warnings never stop flightdeck; they are listed by `config check` and shown in the UI.

use std::fmt;

/// One problem in a config, theme or keymap file (or in the environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Path of the file (or a label such as `environment` for settings without a file).
    pub file: String,
    /// 1-based line of the offending entry, when known.
    pub line: Option<usize>,
    /// What is wrong and what was used instead.
    pub message: String,
}

impl Warning {
    pub fn new(file: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}
