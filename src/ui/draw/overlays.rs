//! Overlays drawn over the current view: the help (generated from the keymap), the list of
//! settings problems, the `:` command palette, YAML and `:why` text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::centered;
use crate::theme::Slot;
use crate::ui::app::{App, Overlay};
use crate::ui::help::help_sections;
use crate::ui::palette::Palette;
use crate::ui::scroll::clamp_scroll;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    match &app.overlay {
        // Help rows are aligned columns: cut long ones rather than wrap them (wrapping would
        // also break the scroll range). Warnings are sentences: wrap them.
        Some(Overlay::Help { scroll }) => {
            draw_scrolling(frame, app, area, " Keys ", help_lines(app), *scroll, false)
        }
        Some(Overlay::Warnings { scroll }) => draw_scrolling(
            frame,
            app,
            area,
            " Problems in settings files ",
            warning_lines(app),
            *scroll,
            true,
        ),
        Some(Overlay::Palette(palette)) => draw_palette(frame, app, area, palette),
        Some(Overlay::Yaml { key, text, scroll }) => {
            let lines: Vec<Line<'static>> = match text {
                None => vec![Line::styled("loading...", app.theme.style(Slot::Muted))],
                Some(Ok(yaml)) => yaml
                    .lines()
                    .map(|l| Line::styled(l.to_string(), app.theme.style(Slot::Text)))
                    .collect(),
                Some(Err(error)) => vec![Line::styled(
                    format!("cannot fetch {key}: {error}"),
                    app.theme.style(Slot::Error),
                )],
            };
            let title = format!(" {key} ");
            draw_scrolling(frame, app, area, &title, lines, *scroll, false)
        }
        Some(Overlay::Text {
            title,
            lines,
            scroll,
        }) => {
            let style = app.theme.style(Slot::Text);
            let lines = lines
                .iter()
                .map(|l| Line::styled(l.clone(), style))
                .collect();
            draw_scrolling(frame, app, area, title, lines, *scroll, false)
        }
        Some(Overlay::Confirm(confirm)) => super::prompts::confirmation(frame, app, area, confirm),
        Some(Overlay::Choose(choice)) => super::prompts::choice(frame, app, area, choice),
        Some(Overlay::Form(form)) => super::prompts::form(frame, app, area, form),
        Some(Overlay::Filter(_)) | None => {}
    }
}

/// Lines of the help overlay.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = vec![Line::from(vec![
        Span::styled("keymap ", theme.style(Slot::Muted)),
        Span::styled(app.keymap.name.clone(), theme.style(Slot::Text)),
        Span::styled(" · theme ", theme.style(Slot::Muted)),
        Span::styled(app.theme.name.clone(), theme.style(Slot::Text)),
    ])];
    for section in help_sections(&app.keymap, app.view_layer()) {
        lines.push(Line::default());
        lines.push(Line::styled(section.title, theme.style(Slot::Header)));
        let width = section
            .rows
            .iter()
            .map(|(keys, _, _)| keys.chars().count())
            .max()
            .unwrap_or(0)
            .min(24);
        for (keys, _, description) in section.rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<width$}  "), theme.style(Slot::KeyHint)),
                Span::styled(description, theme.style(Slot::Text)),
            ]));
        }
    }
    lines
}

/// Lines of the warnings overlay.
pub fn warning_lines(app: &App) -> Vec<Line<'static>> {
    app.warnings
        .iter()
        .map(|warning| {
            Line::styled(
                format!("{} {warning}", app.symbols.warning),
                app.theme.style(Slot::Warning),
            )
        })
        .collect()
}

fn draw_scrolling(
    frame: &mut Frame<'_>,
    app: &App,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
    wrap: bool,
) {
    let width = area.width.saturating_sub(4).min(100);
    let height = area.height.saturating_sub(2);
    let popup = centered(area, width, height);
    let scroll = clamp_scroll(lines.len(), popup.height, scroll);
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(app.theme.style(Slot::BorderFocused))
        .title(Span::styled(title, app.theme.style(Slot::Title)));
    frame.render_widget(Clear, popup);
    let mut paragraph = Paragraph::new(lines).block(block).scroll((scroll, 0));
    if wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    }
    frame.render_widget(paragraph, popup);
}

fn draw_palette(frame: &mut Frame<'_>, app: &App, area: Rect, palette: &Palette) {
    let theme = &app.theme;
    let suggestions = palette.suggestions();
    let width = area.width.saturating_sub(4).min(72);
    let height = (suggestions.len() as u16 + 3).min(area.height);
    let popup = Rect {
        y: area.y,
        ..centered(area, width, height)
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(":", theme.style(Slot::KeyHint)),
        Span::styled(palette.input.text().to_string(), theme.style(Slot::Input)),
        Span::styled(app.symbols.cursor, theme.style(Slot::Input)),
    ])];
    for (index, command) in suggestions.iter().enumerate() {
        let selected = index == palette.highlighted;
        let style = if selected {
            theme.style(Slot::Selection)
        } else {
            Style::default()
        };
        let key = match command {
            crate::ui::palette::Command::Action(action) => app
                .keymap
                .first_key(app.view_layer(), *action)
                .map(|k| k.to_string())
                .unwrap_or_default(),
            crate::ui::palette::Command::Show(_) => String::new(),
        };
        lines.push(
            Line::from(vec![
                Span::styled(
                    format!("{:<16}", command.name()),
                    if selected {
                        style
                    } else {
                        theme.style(Slot::Text)
                    },
                ),
                Span::styled(
                    format!("{:<8}", key),
                    if selected {
                        style
                    } else {
                        theme.style(Slot::KeyHint)
                    },
                ),
                Span::styled(
                    command.description(),
                    if selected {
                        style
                    } else {
                        theme.style(Slot::Muted)
                    },
                ),
            ])
            .style(style),
        );
    }
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(theme.style(Slot::BorderFocused))
        .title(Span::styled(" Command ", theme.style(Slot::Title)));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
