//! Driving the cockpit as a user does: key presses, typed text, and the screen they produce.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use flightdeck::ui::app::App;
use flightdeck::ui::msg::{Effect, Msg};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A key press without modifiers.
pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// A character key press.
pub fn char_key(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

/// Presses `code`; returns every effect it asked for.
pub fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(key(code)))
}

/// Presses `code`; returns the one effect (or none) it asked for, failing on more.
pub fn press_one(app: &mut App, code: KeyCode) -> Option<Effect> {
    super::single(press(app, code))
}

/// Presses ctrl+`c`.
pub fn press_ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

/// Types `text` one character at a time.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The app drawn on a `width` × `height` test terminal.
pub fn screen(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| flightdeck::ui::draw::draw(frame, app))
        .expect("draw");
    terminal
}

/// The text of the app drawn on a `width` × `height` test terminal.
pub fn screen_text(app: &App, width: u16, height: u16) -> String {
    screen(app, width, height).backend().to_string()
}
