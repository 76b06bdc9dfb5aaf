//! Draws the prompts of an action over the view: the confirmation (what will change, the exact
//! requests with their bodies, the equivalent command, and the name to type on production), the
//! choice among options, and the parameter form of a Workflow submit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::centered;
use crate::theme::Slot;
use crate::ui::app::App;
use crate::ui::prompts::{Choice, Confirmation, ParameterForm};

fn popup(frame: &mut Frame<'_>, app: &App, area: Rect, title: String, lines: Vec<Line<'static>>) {
    let width = area.width.saturating_sub(4).min(110);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, width, height);
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(app.theme.style(Slot::BorderFocused))
        .title(Span::styled(title, app.theme.style(Slot::Title)));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

pub fn confirmation(frame: &mut Frame<'_>, app: &App, area: Rect, confirm: &Confirmation) {
    let theme = &app.theme;
    let plan = &confirm.plan;
    let mut lines = Vec::new();
    if let Some(note) = &confirm.note {
        lines.push(Line::styled(note.clone(), theme.style(Slot::Warning)));
    }
    if let Some(warning) = &plan.warning {
        lines.push(Line::styled(warning.clone(), theme.style(Slot::Warning)));
    }
    for request in &plan.requests {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", request.method.as_str()),
                theme.style(Slot::Header),
            ),
            Span::styled(request.path.clone(), theme.style(Slot::Text)),
            Span::styled(
                format!("  ({})", request.content_type),
                theme.style(Slot::Muted),
            ),
        ]));
        let body = serde_json::to_string_pretty(&request.body).unwrap_or_default();
        lines.extend(
            body.lines()
                .map(|line| Line::styled(format!("  {line}"), theme.style(Slot::Input))),
        );
    }
    if let Some(git) = &plan.git {
        lines.push(Line::styled(
            format!("commit on {}:", &git.base[..git.base.len().min(7)]),
            theme.style(Slot::Header),
        ));
        lines.extend(
            git.message
                .lines()
                .map(|line| Line::styled(format!("  {line}"), theme.style(Slot::Text))),
        );
        lines.extend(git.diff.lines().map(|line| {
            let slot = match line.chars().next() {
                Some('+') => Slot::Success,
                Some('-') => Slot::Error,
                _ => Slot::Muted,
            };
            Line::styled(line.to_string(), theme.style(slot))
        }));
        lines.push(Line::styled(
            "then pushed (never forced)",
            theme.style(Slot::Muted),
        ));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("same as  ", theme.style(Slot::Muted)),
        Span::styled(plan.cli.clone(), theme.style(Slot::Text)),
    ]));
    let accept = app.key_hint(crate::keymap::Layer::Confirm, crate::keymap::Action::Accept);
    let cancel = app.key_hint(crate::keymap::Layer::Confirm, crate::keymap::Action::Cancel);
    if confirm.needs_name {
        let name = plan.intent.target().1.name.clone();
        lines.push(Line::styled(
            format!("Production: type {name} and press {accept} to confirm, {cancel} to cancel"),
            theme.style(Slot::Warning),
        ));
        lines.push(Line::from(vec![
            Span::styled("> ", theme.style(Slot::KeyHint)),
            Span::styled(confirm.typed.text().to_string(), theme.style(Slot::Input)),
            Span::styled(app.symbols.cursor, theme.style(Slot::Input)),
        ]));
    } else {
        lines.push(Line::styled(
            format!("{accept} sends it, {cancel} cancels"),
            theme.style(Slot::KeyHint),
        ));
    }
    let title = format!(" {} ", crate::ui::actions::describe(&plan.intent));
    popup(frame, app, area, title, lines);
}

pub fn choice(frame: &mut Frame<'_>, app: &App, area: Rect, choice: &Choice) {
    let theme = &app.theme;
    let mut lines = vec![Line::from(vec![
        Span::styled("filter ", theme.style(Slot::Muted)),
        Span::styled(choice.input.text().to_string(), theme.style(Slot::Input)),
        Span::styled(app.symbols.cursor, theme.style(Slot::Input)),
    ])];
    for (index, (label, _)) in choice.visible().into_iter().enumerate() {
        let style = if index == choice.highlighted {
            theme.style(Slot::Selection)
        } else {
            theme.style(Slot::Text)
        };
        lines.push(Line::styled(
            format!(
                "{} {label}",
                if index == choice.highlighted {
                    app.symbols.pointer
                } else {
                    " "
                }
            ),
            style,
        ));
    }
    popup(frame, app, area, format!(" {} ", choice.title), lines);
}

pub fn form(frame: &mut Frame<'_>, app: &App, area: Rect, form: &ParameterForm) {
    let theme = &app.theme;
    let width = form
        .fields
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line<'static>> = form
        .fields
        .iter()
        .enumerate()
        .map(|(index, (name, input))| {
            let focused = index == form.focused;
            let mut spans = vec![
                Span::styled(format!("{name:<width$}  "), theme.style(Slot::Header)),
                Span::styled(input.text().to_string(), theme.style(Slot::Input)),
            ];
            if focused {
                spans.push(Span::styled(app.symbols.cursor, theme.style(Slot::Input)));
            }
            if let Some(choices) = form.choices.get(index).filter(|c| !c.is_empty()) {
                let complete = app.key_hint(
                    crate::keymap::Layer::Choose,
                    crate::keymap::Action::Complete,
                );
                spans.push(Span::styled(
                    format!("   ({complete}: {})", choices.join(" | ")),
                    theme.style(Slot::Muted),
                ));
            }
            Line::from(spans)
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("(no parameters)", theme.style(Slot::Muted)));
    }
    let next = app.key_hint(
        crate::keymap::Layer::Choose,
        crate::keymap::Action::NextSuggestion,
    );
    let accept = app.key_hint(crate::keymap::Layer::Choose, crate::keymap::Action::Accept);
    lines.push(Line::default());
    lines.push(Line::styled(
        format!("{next} next field, {accept} to review the Workflow"),
        theme.style(Slot::KeyHint),
    ));
    popup(
        frame,
        app,
        area,
        format!(" Submit from {} ", form.template),
        lines,
    );
}
