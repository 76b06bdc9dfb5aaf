//! The footer: an open filter prompt, else a toast, else key hints for the active layer, all
//! generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::keymap::{Action, Layer};
use crate::theme::Slot;
use crate::ui::app::{App, Overlay, ToastLevel};

/// The actions hinted in the footer of each layer, most important first.
fn hinted(layer: Layer) -> &'static [Action] {
    match layer {
        Layer::Help | Layer::Warnings | Layer::Detail => &[
            Action::Back,
            Action::SelectNext,
            Action::SelectPrev,
            Action::Quit,
        ],
        Layer::Palette => &[
            Action::Accept,
            Action::Complete,
            Action::NextSuggestion,
            Action::Cancel,
        ],
        Layer::Filter | Layer::Confirm => &[Action::Accept, Action::Cancel, Action::ClearInput],
        Layer::Choose => &[
            Action::Accept,
            Action::NextSuggestion,
            Action::PrevSuggestion,
            Action::Cancel,
        ],
        Layer::Global | Layer::Pipeline | Layer::List => &[
            Action::Help,
            Action::CommandPalette,
            Action::Filter,
            Action::ShowWaiting,
            Action::ShowWarnings,
            Action::Back,
            Action::Quit,
        ],
    }
}

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    if let Some(Overlay::Filter(input)) = &app.overlay {
        let line = Line::from(vec![
            Span::styled("/", theme.style(Slot::KeyHint)),
            Span::styled(input.text().to_string(), theme.style(Slot::Input)),
            Span::styled(app.symbols.cursor, theme.style(Slot::Input)),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if let Some(toast) = &app.toast {
        let slot = match toast.level {
            ToastLevel::Info => Slot::Info,
            ToastLevel::Warning => Slot::Warning,
            ToastLevel::Error => Slot::Error,
        };
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {}", toast.text), theme.style(slot))),
            area,
        );
        return;
    }
    let layer = app.active_layer();
    let mut spans = Vec::new();
    for action in hinted(layer) {
        if *action == Action::ShowWarnings && app.warnings.is_empty() {
            continue;
        }
        if *action == Action::Back && layer == Layer::Pipeline && app.filter().is_empty() {
            continue;
        }
        let Some(key) = app.keymap.first_key(layer, *action) else {
            continue;
        };
        spans.push(Span::styled(format!(" {key}"), theme.style(Slot::KeyHint)));
        spans.push(Span::styled(
            format!(" {} ", label(*action, app)),
            theme.style(Slot::Muted),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Short footer label of an action.
fn label(action: Action, app: &App) -> &'static str {
    match action {
        Action::CommandPalette => "command",
        Action::ShowWarnings => "warnings",
        Action::NextSuggestion => "next",
        Action::ClearInput => "clear",
        Action::Back if !app.filter().is_empty() && app.overlay.is_none() => "clear filter",
        Action::SelectNext => "down",
        Action::SelectPrev => "up",
        other => other.name(),
    }
}
