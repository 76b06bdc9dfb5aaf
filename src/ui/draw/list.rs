//! Draws the list views ("waiting on me" and one table per kind): column titles, the visible
//! window of rows around the selection (only those are laid out), the selection highlighted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::theme::Slot;
use crate::ui::app::{App, View};
use crate::view::pipeline::Cell;
use crate::view::{lists, waiting};

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let now = app.now();
    let (titles, rows): (Vec<&str>, Vec<Vec<Cell>>) = match app.view() {
        View::Waiting => {
            let filter = app.filter.to_lowercase();
            let items = waiting::build(&app.store, app.scope());
            let rows = items
                .iter()
                .filter(|item| {
                    filter.is_empty()
                        || item.what.to_lowercase().contains(&filter)
                        || item.key.to_string().contains(&filter)
                })
                .map(|item| {
                    vec![
                        Cell::new(format!("{:?}", item.kind), Slot::Muted),
                        Cell::new(item.key.to_string(), Slot::Text),
                        Cell::new(item.what.clone(), item.slot),
                        Cell::new(item.age(now), Slot::Muted),
                    ]
                })
                .collect();
            (vec!["KIND", "OBJECT", "WAITING FOR", "AGE"], rows)
        }
        View::List(kind) => (
            lists::columns(kind).to_vec(),
            lists::rows(&app.store, kind, app.scope(), &app.filter, now)
                .into_iter()
                .map(|r| r.cells)
                .collect(),
        ),
        View::Pipeline | View::Detail(_) => (Vec::new(), Vec::new()),
    };
    let theme = &app.theme;
    let visible = usize::from(area.height.saturating_sub(3));
    let selected = app.selected.min(rows.len().saturating_sub(1));
    let first = selected.saturating_sub(visible.saturating_sub(1));
    let window = &rows[first.min(rows.len())..(first + visible).min(rows.len())];
    let mut widths: Vec<usize> = titles.iter().map(|t| t.chars().count()).collect();
    for row in window {
        for (index, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(index) {
                *width = (*width).max(cell.text.chars().count()).min(48);
            }
        }
    }
    let line = |cells: Vec<(String, Slot)>, highlight: bool| {
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
        titles
            .iter()
            .map(|t| (t.to_string(), Slot::Header))
            .collect(),
        false,
    )];
    for (offset, row) in window.iter().enumerate() {
        lines.push(line(
            row.iter().map(|c| (c.text.clone(), c.slot)).collect(),
            first + offset == selected,
        ));
    }
    if rows.is_empty() {
        let empty = match app.view() {
            View::Waiting => "Nothing is waiting on you.".to_string(),
            View::List(kind) => format!(
                "No {} ({}).",
                kind.title(),
                app.store.state(kind).describe()
            ),
            View::Pipeline | View::Detail(_) => String::new(),
        };
        lines.push(Line::styled(empty, theme.style(Slot::Muted)));
    }
    let mut title = vec![Span::styled(
        format!(" {} ", breadcrumbs(app)),
        theme.style(Slot::Title),
    )];
    title.push(Span::styled(
        format!("[{}] ", rows.len()),
        theme.style(Slot::Muted),
    ));
    if !app.filter.is_empty() {
        title.push(Span::styled(
            format!("/{} ", app.filter),
            theme.style(Slot::Match),
        ));
    }
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(theme.style(Slot::BorderFocused))
        .title(Line::from(title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// "Pipeline › Rollouts".
pub fn breadcrumbs(app: &App) -> String {
    let separator = if app.symbols.pointer == ">" {
        " > "
    } else {
        " › "
    };
    app.views
        .iter()
        .map(|view| match (view, &app.detail) {
            (View::Detail(_), Some(key)) => key.to_string(),
            (view, _) => view.title().to_string(),
        })
        .collect::<Vec<_>>()
        .join(separator)
}
