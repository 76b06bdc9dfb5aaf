//! Draws the list views ("waiting on me" and one table per kind): column titles, the visible
//! window of rows around the selection (only those are laid out), the selection highlighted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::theme::Slot;
use crate::ui::app::App;
use crate::ui::screen::View;
use crate::view::cell::Cell;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let rows = app.table_rows();
    let theme = &app.theme;
    let mut lines = table_lines(app, &sorted_titles(app), &rows, Some(app.cursor()), area);
    if rows.is_empty() {
        let empty = match app.view() {
            View::List(kind) => {
                format!("No {} ({}).", kind.title(), app.store.describe_watch(kind))
            }
            View::ActionLog => "No actions yet in this session.".to_string(),
            _ => "Nothing is waiting on you.".to_string(),
        };
        lines.push(Line::styled(empty, theme.style(Slot::Muted)));
    }
    let mut title = vec![Span::styled(
        format!(" {} ", breadcrumbs(app, area.width)),
        theme.style(Slot::Title),
    )];
    title.push(Span::styled(
        format!("[{}] ", rows.len()),
        theme.style(Slot::Muted),
    ));
    title.extend(filter_title(app));
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(theme.style(Slot::BorderFocused))
        .title(Line::from(title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The current table's column titles, the sorted one marked.
pub fn sorted_titles(app: &App) -> Vec<String> {
    let ascii = app.symbols.ascii;
    app.table_columns()
        .iter()
        .enumerate()
        .map(|(index, title)| format!("{title}{}", app.screen().sort.marker(index, ascii)))
        .collect()
}

/// A table as lines for a bordered box `area`: the title row, then the window of rows that
/// keeps `selected` in view (highlighted). Columns are as wide as their widest shown cell (capped);
/// when they do not fit, the widest give way first, so the last columns stay on screen.
pub fn table_lines(
    app: &App,
    titles: &[String],
    rows: &[impl AsRef<[Cell]>],
    selected: Option<usize>,
    area: Rect,
) -> Vec<Line<'static>> {
    /// No column grows past this; longer text is cut.
    const MAX_WIDTH: usize = 48;
    /// Columns give way down to this width (or their title's).
    const MIN_WIDTH: usize = 6;
    /// Room kept for the last column (a message, usually), when it has that much to say.
    const LAST_ROOM: usize = 24;
    let visible = usize::from(area.height.saturating_sub(3));
    let available = usize::from(area.width.saturating_sub(2));
    let theme = &app.theme;
    let selected = selected.map(|s| s.min(rows.len().saturating_sub(1)));
    let first = selected.map_or(0, |s| s.saturating_sub(visible.saturating_sub(1)));
    let window = &rows[first.min(rows.len())..(first + visible).min(rows.len())];
    let mut widths: Vec<usize> = titles.iter().map(|t| t.chars().count()).collect();
    for row in window {
        for (index, cell) in row.as_ref().iter().enumerate() {
            if let Some(width) = widths.get_mut(index) {
                *width = (*width).max(cell.text.chars().count()).min(MAX_WIDTH);
            }
        }
    }
    let floor = |index: usize| titles[index].chars().count().max(MIN_WIDTH);
    // The last column may run off the edge past `LAST_ROOM`; the ones before it must fit.
    let needed = |widths: &[usize]| {
        let last = widths.last().map_or(0, |w| (*w).min(LAST_ROOM));
        widths.iter().rev().skip(1).map(|w| w + 2).sum::<usize>() + last
    };
    while needed(&widths) > available {
        let last = widths.len().saturating_sub(1);
        let widest = (0..last)
            .filter(|&index| widths[index] > floor(index))
            .max_by_key(|&index| widths[index]);
        match widest {
            Some(index) => widths[index] -= 1,
            None => break,
        }
    }
    let line = |cells: Vec<(&str, Slot)>, highlight: bool| {
        let spans: Vec<Span<'static>> = cells
            .into_iter()
            .enumerate()
            .map(|(index, (text, slot))| {
                let width = widths.get(index).copied().unwrap_or(8);
                let text: String = text.chars().take(width).collect();
                let style = if highlight {
                    theme.style(Slot::Selection)
                } else {
                    theme.style(slot)
                };
                Span::styled(format!("{text:<width$}  "), style)
            })
            .collect();
        let line = Line::from(spans);
        if highlight {
            line.style(theme.style(Slot::Selection))
        } else {
            line
        }
    };
    let mut lines = vec![line(
        titles.iter().map(|t| (t.as_str(), Slot::Header)).collect(),
        false,
    )];
    for (offset, row) in window.iter().enumerate() {
        lines.push(line(
            row.as_ref()
                .iter()
                .map(|c| (c.text.as_str(), c.slot))
                .collect(),
            selected == Some(first + offset),
        ));
    }
    lines
}

/// "Pipeline › Rollouts".
pub fn breadcrumbs(app: &App, width: u16) -> String {
    let separator = if app.symbols.ascii { " > " } else { " › " };
    let mut crumbs: Vec<String> = app
        .screens
        .iter()
        .map(
            |screen| match (screen.view, screen.subject_key(), &screen.logs) {
                (View::Detail(_), Some(key), _) => key.to_string(),
                (View::Metrics(_), Some(key), _) => format!("Metrics {key}"),
                (View::Logs, _, Some(logs)) => format!("Logs {}", logs.pod.name),
                (view, _, _) => view.title().to_string(),
            },
        )
        .collect();
    // Long trails lose their oldest crumbs first, so the title keeps room for what it says.
    let room = usize::from(width / 2).max(40);
    let mut elided = false;
    while crumbs.len() > 1 && crumbs.iter().map(|c| c.chars().count() + 3).sum::<usize>() > room {
        crumbs.remove(0);
        elided = true;
    }
    if elided {
        let ellipsis = if app.symbols.ascii { "..." } else { "…" };
        crumbs.insert(0, ellipsis.to_string());
    }
    crumbs.join(separator)
}

/// The filter as the title shows it ("/prod "), with a note when it is not applied as typed.
pub fn filter_title(app: &App) -> Vec<Span<'static>> {
    let filter = app.filter();
    if filter.is_empty() {
        return Vec::new();
    }
    let mut spans = vec![Span::styled(
        format!("/{} ", filter.text()),
        app.theme.style(Slot::Match),
    )];
    if let Some(problem) = filter.problem() {
        spans.push(Span::styled(
            format!("({problem}) "),
            app.theme.style(Slot::Warning),
        ));
    }
    spans
}
