//! The title bar: product name, context, namespace scope, the read-only badge, the warnings
//! count, and a production banner when the context is marked as production.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::theme::Slot;
use crate::ui::app::App;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let base = if app.production {
        theme.style(Slot::ProductionBanner)
    } else {
        theme.style(Slot::TitleBar)
    };
    let separator = Span::styled(
        format!(" {} ", app.symbols.separator),
        base.patch(theme.style(Slot::Muted)),
    );
    let context = app.target.context.as_deref().unwrap_or("no context");
    let mut spans = vec![
        Span::styled(" flightdeck", base.patch(theme.style(Slot::Title))),
        separator.clone(),
        Span::styled("ctx ", base),
        Span::styled(context.to_string(), base.patch(theme.style(Slot::Context))),
        separator.clone(),
        Span::styled("ns ", base),
        Span::styled(
            app.target.scope().to_string(),
            base.patch(theme.style(Slot::Namespace)),
        ),
    ];
    if app.production {
        spans.push(separator.clone());
        spans.push(Span::styled("PRODUCTION", base));
    }
    if app.read_only {
        spans.push(Span::styled(" ", base));
        spans.push(Span::styled(
            " READ-ONLY ",
            theme.style(Slot::ReadOnlyBadge),
        ));
    }
    if let Some(pending) = app.actions.pending.last() {
        let more = match app.actions.pending.len() {
            1 => String::new(),
            n => format!(" (+{})", n - 1),
        };
        spans.push(Span::styled(" ", base));
        spans.push(Span::styled(
            format!("pending: {} {}{more}", pending.verb, pending.key.name),
            base.patch(theme.style(Slot::Info)),
        ));
    }
    if !app.warnings.is_empty() {
        spans.push(Span::styled(" ", base));
        spans.push(Span::styled(
            format!("{} {}", app.symbols.warning, app.warnings.len()),
            base.patch(theme.style(Slot::Warning)),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}
