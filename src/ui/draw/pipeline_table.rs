//! Draws the pipeline view model: per application a title line, a header and one aligned row per
//! environment, then the watch state of every kind. Columns that do not fit the width are
//! dropped, least important first; nothing wraps.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::theme::Slot;
use crate::ui::app::App;
use crate::view::cell::Cell;
use crate::view::pipeline::{COLUMNS, PipelineView};

/// Column indices (into `COLUMNS`) in the order they are dropped when the screen is narrow.
const DROP_ORDER: &[usize] = &[3, 11, 10, 5, 4, 9, 12, 8, 7, 1, 2];

pub fn draw(
    frame: &mut Frame<'_>,
    app: &App,
    area: Rect,
    view: &PipelineView,
    mut title: Vec<Span<'static>>,
) {
    let theme = &app.theme;
    // Widths fit the sections on screen (the view holds only those, already filtered).
    let mut widths: Vec<usize> = COLUMNS.iter().map(|c| c.chars().count()).collect();
    for row in view.sections.iter().flat_map(|section| &section.rows) {
        for (index, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(index) {
                // The metrics (last) column says the most: it may grow further.
                let cap = if index + 1 == COLUMNS.len() { 44 } else { 24 };
                *width = (*width).max(cell.text.chars().count()).min(cap);
            }
        }
    }
    // Columns that do not fit are dropped, least important first (ENV stays).
    let mut shown: Vec<usize> = (0..COLUMNS.len()).collect();
    let available = usize::from(area.width.saturating_sub(2));
    let total = |shown: &[usize]| shown.iter().map(|i| widths[*i] + 2).sum::<usize>();
    for drop in DROP_ORDER {
        if total(&shown) <= available {
            break;
        }
        shown.retain(|i| i != drop);
    }
    let cells_line = |cells: &[Cell], header: bool| {
        let spans: Vec<Span<'static>> = cells
            .iter()
            .enumerate()
            .filter(|(index, _)| shown.contains(index))
            .map(|(index, cell)| {
                let width = widths.get(index).copied().unwrap_or(8);
                let text: String = cell.text.chars().take(width).collect();
                let slot = if header { Slot::Header } else { cell.slot };
                Span::styled(format!("{text:<width$}  "), theme.style(slot))
            })
            .collect();
        Line::from(spans)
    };
    let header: Vec<Cell> = COLUMNS
        .iter()
        .map(|c| Cell::new(*c, Slot::Header))
        .collect();
    let mut lines: Vec<Line<'static>> = Vec::new();
    for section in &view.sections {
        lines.push(Line::from(
            section
                .title
                .iter()
                .map(|c| Span::styled(c.text.clone(), theme.style(c.slot)))
                .collect::<Vec<_>>(),
        ));
        lines.push(cells_line(&header, true));
        lines.extend(section.rows.iter().map(|row| cells_line(row, false)));
        lines.push(Line::default());
    }
    if view.total == 0 && app.filter().is_empty() {
        lines.push(Line::styled(
            "No Argo CD Applications found yet.",
            theme.style(Slot::Warning),
        ));
    }
    // Where the window is, when not everything fits.
    let inner_height = usize::from(area.height.saturating_sub(2));
    if view.first > 0 || lines.len() + 1 > inner_height {
        title.push(Span::styled(
            format!(
                " applications {}–{} of {} ",
                view.first + 1,
                view.first + view.sections.len(),
                view.total
            ),
            theme.style(Slot::Muted),
        ));
    }
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(theme.style(Slot::BorderFocused))
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // The watch line stays at the bottom, however many applications there are.
    let [sections_area, watches_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), sections_area);
    let mut watch_spans = vec![Span::styled("watching: ", theme.style(Slot::Muted))];
    for (index, cell) in view.watches.iter().enumerate() {
        if index > 0 {
            watch_spans.push(Span::styled(" · ", theme.style(Slot::Muted)));
        }
        watch_spans.push(Span::styled(cell.text.clone(), theme.style(cell.slot)));
    }
    frame.render_widget(Paragraph::new(Line::from(watch_spans)), watches_area);
}
