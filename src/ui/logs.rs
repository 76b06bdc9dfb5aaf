//! The log view's state: which pod and container, the lines received so far (the newest
//! `MAX_LINES`, made safe to print), whether the stream is still open, and whether the view
//! follows the end or was scrolled up to read.

use std::collections::VecDeque;

use crate::model::ObjectKey;

/// Lines kept; older ones are dropped (and counted).
pub const MAX_LINES: usize = 10_000;

/// How the stream is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogState {
    Connecting,
    Streaming,
    /// The container stopped writing and the server closed the stream.
    Ended,
    Failed(String),
}

/// A pod's followed log.
#[derive(Debug, Clone)]
pub struct Logs {
    pub pod: ObjectKey,
    pub container: String,
    pub lines: VecDeque<String>,
    /// Lines dropped from the front to stay within `MAX_LINES`.
    pub dropped: usize,
    pub state: LogState,
    /// The first line shown when scrolled up; `None` follows the end.
    pub scroll: Option<usize>,
}

impl Logs {
    pub fn new(pod: ObjectKey, container: String) -> Logs {
        Logs {
            pod,
            container,
            lines: VecDeque::new(),
            dropped: 0,
            state: LogState::Connecting,
            scroll: None,
        }
    }

    /// Appends lines as they arrived, made printable.
    pub fn push(&mut self, lines: impl IntoIterator<Item = String>) {
        self.state = LogState::Streaming;
        for line in lines {
            self.lines.push_back(printable(&line));
            if self.lines.len() > MAX_LINES {
                self.lines.pop_front();
                self.dropped += 1;
                // Keep a paused view on the same text while the front is dropped.
                if let Some(scroll) = &mut self.scroll {
                    *scroll = scroll.saturating_sub(1);
                }
            }
        }
    }

    /// The first line to show in a window of `height` lines.
    pub fn first_shown(&self, height: usize) -> usize {
        let last_page = self.lines.len().saturating_sub(height);
        self.scroll
            .map_or(last_page, |scroll| scroll.min(last_page))
    }
}

/// A log line as it may be drawn: escape sequences removed (a log must not drive the
/// terminal), tabs expanded, other control characters shown as `�`.
pub fn printable(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                // CSI `ESC [ … final` and OSC `ESC ] … BEL|ST`; any other escape drops one char.
                match chars.next() {
                    Some('[') => {
                        for next in chars.by_ref() {
                            if ('@'..='~').contains(&next) {
                                break;
                            }
                        }
                    }
                    Some(']') => {
                        while let Some(next) = chars.next() {
                            if next == '\u{7}'
                                || (next == '\u{1b}' && chars.next_if_eq(&'\\').is_some())
                            {
                                break;
                            }
                        }
                    }
                    _ => {}
                }
            }
            '\t' => out.push_str("    "),
            '\r' | '\n' => {}
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_cannot_reach_the_terminal() {
        assert_eq!(printable("\u{1b}[31mred\u{1b}[0m ok"), "red ok");
        assert_eq!(printable("\u{1b}]0;title\u{7}text"), "text");
        assert_eq!(printable("\u{1b}]8;;http://x\u{1b}\\link"), "link");
        assert_eq!(printable("a\tb\r"), "a    b");
        assert_eq!(printable("bell\u{7}"), "bell\u{fffd}");
        assert_eq!(printable("ünïcödé ✓"), "ünïcödé ✓");
    }

    #[test]
    fn keeps_the_newest_lines_and_a_paused_view_on_its_text() {
        let mut logs = Logs::new(ObjectKey::new("ns", "pod"), "main".into());
        logs.push((0..MAX_LINES).map(|i| i.to_string()));
        assert_eq!(logs.first_shown(10), MAX_LINES - 10, "follows the end");
        logs.scroll = Some(100);
        logs.push(["new".to_string(), "newer".to_string()]);
        assert_eq!((logs.lines.len(), logs.dropped), (MAX_LINES, 2));
        assert_eq!(logs.lines[logs.first_shown(10)], "100");
        assert_eq!(logs.state, LogState::Streaming);
    }
}
