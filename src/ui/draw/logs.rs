//! Draws the log view: the pod and container, whether the stream is open and the view follows
//! it, and the window of lines (the end while following), filtered by `/` when a filter is set.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::theme::Slot;
use crate::ui::app::App;
use crate::ui::logs::LogState;
use crate::view::cell::Cell;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let Some(logs) = app.logs() else {
        return;
    };
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if app.filter().is_empty() {
        let first = logs.first_shown(height);
        lines.extend(
            logs.lines
                .iter()
                .skip(first)
                .take(height)
                .map(|line| Line::styled(line.clone(), theme.style(Slot::Text))),
        );
    } else {
        // Filtered: the newest matching lines.
        let matching: Vec<&String> = logs
            .lines
            .iter()
            .filter(|line| {
                app.filter()
                    .matches(&[Cell::new(line.as_str(), Slot::Text)], None)
            })
            .collect();
        let skip = matching.len().saturating_sub(height);
        lines.extend(
            matching
                .into_iter()
                .skip(skip)
                .map(|line| Line::styled(line.clone(), theme.style(Slot::Text))),
        );
    }
    let (state, slot) = match &logs.state {
        LogState::Connecting => ("connecting…".to_string(), Slot::Info),
        LogState::Streaming if logs.scroll.is_none() => ("following".to_string(), Slot::Success),
        LogState::Streaming => {
            let key = app.key_hint(
                crate::keymap::Layer::Detail,
                crate::keymap::Action::SelectLast,
            );
            (format!("paused — {key} follows"), Slot::Warning)
        }
        LogState::Ended => ("stream ended".to_string(), Slot::Muted),
        LogState::Failed(error) => (format!("failed: {error}"), Slot::Error),
    };
    if lines.is_empty() && matches!(logs.state, LogState::Ended | LogState::Streaming) {
        lines.push(Line::styled("(no log lines)", theme.style(Slot::Muted)));
    }
    let mut title = vec![
        Span::styled(
            format!(" {} ", super::list::breadcrumbs(app, area.width)),
            theme.style(Slot::Title),
        ),
        Span::styled(format!("[{}] ", logs.container), theme.style(Slot::Muted)),
        Span::styled(format!("{state} "), theme.style(slot)),
    ];
    if logs.dropped > 0 {
        title.push(Span::styled(
            format!("({} older lines dropped) ", logs.dropped),
            theme.style(Slot::Muted),
        ));
    }
    title.extend(super::list::filter_title(app));
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(theme.style(Slot::BorderFocused))
        .title(Line::from(title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
