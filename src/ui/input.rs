//! A one-line text prompt (used by the `:` palette and the `/` filter). The cursor stays at the
//! end: typing appends, backspace deletes, and word/line deletion are bindable actions.

/// The text typed into a prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputLine {
    text: String,
}

impl InputLine {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_string(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn push(&mut self, c: char) {
        if !c.is_control() {
            self.text.push(c);
        }
    }

    pub fn backspace(&mut self) {
        self.text.pop();
    }

    /// Deletes trailing spaces and then the word before them.
    pub fn delete_word(&mut self) {
        let trimmed = self.text.trim_end_matches(' ').len();
        self.text.truncate(trimmed);
        let start = self.text.rfind(' ').map(|i| i + 1).unwrap_or(0);
        self.text.truncate(start);
    }

    pub fn clear(&mut self) {
        self.text.clear();
    }

    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing() {
        let mut line = InputLine::new("rollout demo ");
        line.delete_word();
        assert_eq!(line.text(), "rollout ");
        line.push('x');
        line.push('\u{7}');
        assert_eq!(line.text(), "rollout x");
        line.backspace();
        line.delete_word();
        assert_eq!(line.text(), "");
        line.backspace();
        assert_eq!(line.text(), "");
    }
}
