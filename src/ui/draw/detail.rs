//! Draws a detail view (`view::detail::lines`): the window of lines around the cursor, the
//! cursor line highlighted (on a Workflow step it picks the pod whose log `l` follows).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::theme::Slot;
use crate::ui::app::App;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let lines = app.detail_lines();
    let visible = usize::from(area.height.saturating_sub(2)).max(1);
    let cursor = app.cursor().min(lines.len().saturating_sub(1));
    let first = cursor.saturating_sub(visible - 1);
    let shown: Vec<Line<'static>> = lines
        .into_iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(index, cells)| {
            let line = Line::from(
                cells
                    .into_iter()
                    .map(|c| Span::styled(c.text, theme.style(c.slot)))
                    .collect::<Vec<_>>(),
            );
            if index == cursor {
                line.style(theme.style(Slot::Selection))
            } else {
                line
            }
        })
        .collect();
    let title = Span::styled(
        format!(" {} ", super::list::breadcrumbs(app, area.width)),
        theme.style(Slot::Title),
    );
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(theme.style(Slot::BorderFocused))
        .title(title);
    frame.render_widget(Paragraph::new(shown).block(block), area);
}
