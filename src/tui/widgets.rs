//! Drawing helpers the panes, views and dialogs share: the pane frame with its focus
//! colour, a table that builds rows only for the visible window, the dialog frame, its
//! labels and buttons, ages, and cutting text to a width. All of them draw in a `Theme`.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Row, Table, TableState};
use ratatui::Frame;

use crate::kms::Timestamp;

use super::rows::Rows;
use super::theme::Theme;

/// A pane's frame: bold accent and thick when focused.
pub fn pane_block(title: String, focused: bool, t: &Theme) -> Block<'static> {
    let block = Block::bordered().title(Line::from(format!(" {title} ")));
    if focused {
        block
            .border_type(BorderType::Thick)
            .border_style(Style::default().fg(t.accent))
            .title_style(Style::default().fg(t.accent).add_modifier(Modifier::BOLD))
    } else {
        block.border_style(Style::default().fg(t.border))
    }
}

/// A list pane's title: `Keys (12)`, or `Keys (3/12) /alias` while filtered.
pub fn list_title<T>(name: &str, rows: &Rows<T>) -> String {
    if rows.filter().is_empty() {
        format!("{name} ({})", rows.len())
    } else {
        format!(
            "{name} ({}/{}) /{}",
            rows.len(),
            rows.total(),
            rows.filter()
        )
    }
}

/// The columns of a table and whether its pane has the focus.
pub struct Columns<'a> {
    pub header: &'a [&'static str],
    pub widths: &'a [Constraint],
    pub focused: bool,
}

/// Draw `rows` as a table, building `Row`s only for the rows that fit.
pub fn render_table<T>(
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    rows: &Rows<T>,
    columns: Columns<'_>,
    t: &Theme,
    build: impl Fn(&T) -> Row<'static>,
) {
    let Columns {
        header,
        widths,
        focused,
    } = columns;
    // Inside the borders, one line goes to the header.
    let height = area.height.saturating_sub(3) as usize;
    let (offset, count) = rows.window(height);
    let visible: Vec<Row> = (offset..offset + count)
        .filter_map(|i| rows.row(i))
        .map(&build)
        .collect();
    let header = Row::new(header.iter().copied())
        .style(Style::default().fg(t.heading).add_modifier(Modifier::BOLD));
    let table = Table::new(visible, widths.iter().copied())
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(highlight(t, focused));
    let mut state = TableState::default();
    if !rows.is_empty() {
        state.select(Some(rows.selected_index() - offset));
    }
    frame.render_stateful_widget(table, area, &mut state);
}

/// The selected row's style: the accent when the list has the focus.
pub fn highlight(t: &Theme, focused: bool) -> Style {
    if focused {
        Style::default().bg(t.accent).fg(Color::Black)
    } else {
        Style::default().add_modifier(Modifier::REVERSED)
    }
}

/// A `width` x `height` dialog frame centred in `area` (clamped to it), cleared; the
/// area inside its border.
pub fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16, title: &str) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(Style::default().fg(Color::Cyan))
        .title(
            Line::from(format!(" {title} ")).style(Style::default().add_modifier(Modifier::BOLD)),
        );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

/// Width of a form's labels.
pub const LABEL_WIDTH: usize = 18;

/// A form field's label, highlighted when the field has the focus.
pub fn label_span(label: &str, focused: bool) -> Span<'static> {
    let style = if focused {
        Style::default().fg(Color::Black).bg(Color::Cyan)
    } else {
        Style::default().fg(Color::Yellow)
    };
    Span::styled(format!("{label:<LABEL_WIDTH$}"), style)
}

/// A row of buttons; `focused` is the index of the focused one, if any.
pub fn buttons(labels: &[&str], focused: Option<usize>) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        let style = if Some(i) == focused {
            Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Gray)
        };
        spans.push(Span::styled(format!("[ {l} ]"), style));
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}

/// An error line in a dialog (white on red).
pub fn error_line(error: &Option<String>) -> Option<Line<'static>> {
    error.as_ref().map(|e| {
        Line::from(Span::styled(
            e.clone(),
            Style::default().fg(Color::White).bg(Color::Red),
        ))
    })
}

/// A compact age: `42s`, `5m`, `3h`, `12d`, `2y`.
pub fn age(now: Timestamp, then: Timestamp) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s if s < 2 * 365 * 86_400 => format!("{}d", s / 86_400),
        s => format!("{}y", s / (365 * 86_400)),
    }
}

/// Cut `s` to at most `max` characters, marking the cut with `…`.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else if max == 0 {
        String::new()
    } else {
        let head: String = s.chars().take(max - 1).collect();
        format!("{head}…")
    }
}

/// The last path segment of an ARN (`user/admin` -> `admin`), for narrow columns.
pub fn short_arn(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}
