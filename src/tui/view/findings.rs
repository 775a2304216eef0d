//! The findings view: every stale-grant finding across all keys, most severe first, over
//! the whole main area. On top the summary (counts by severity and by rule, the thresholds,
//! the rules this backend cannot evaluate); then the findings, building rows only for the
//! visible window (a big account has tens of thousands); below, the selected finding in
//! full. Also the severity markers the panes and the detail share.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

use crate::audit::{AuditConfig, Finding, Rule, Severity};
use crate::tui::app::App;
use crate::tui::audit_state::AuditOutcome;

use super::widgets::{pane_block, ACCENT};

/// The colour of a severity, everywhere it is shown.
pub fn severity_style(s: Severity) -> Style {
    match s {
        Severity::High => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        Severity::Medium => Style::default().fg(Color::LightRed),
        Severity::Low => Style::default().fg(Color::Yellow),
        Severity::Info => Style::default().fg(Color::DarkGray),
    }
}

/// The grants pane's marker: the worst severity, upper case when the grant is stale.
pub fn marker(s: Severity) -> &'static str {
    match s {
        Severity::High => "HIGH",
        Severity::Medium => "MED",
        Severity::Low => "LOW",
        Severity::Info => "info",
    }
}

/// One finding as detail lines: severity, rule and reason, then what to do.
pub fn finding_lines(f: &Finding) -> [Line<'static>; 2] {
    [
        Line::from(vec![
            Span::styled(
                format!("{:<7}", f.severity.as_str()),
                severity_style(f.severity),
            ),
            Span::styled(
                f.rule.id().to_string(),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(": {}", f.reason())),
        ]),
        Line::from(Span::styled(
            format!("       -> {}", f.action()),
            Style::default().fg(Color::Gray),
        )),
    ]
}

fn days(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    if secs % 86_400 == 0 {
        format!("{}d", secs / 86_400)
    } else {
        humantime::format_duration(d).to_string()
    }
}

fn thresholds(cfg: &AuditConfig) -> String {
    format!(
        "old: older than {} · unused: not used for {} · near-quota: {} grants · trusted accounts: {}",
        days(cfg.older_than),
        days(cfg.unused_for),
        cfg.near_quota,
        if cfg.trusted_accounts.is_empty() {
            "none".to_string()
        } else {
            cfg.trusted_accounts.join(", ")
        }
    )
}

/// Why a rule is not evaluated on this backend.
fn unavailable_reason(rule: Rule) -> &'static str {
    match rule {
        Rule::Unused => "no usage data (AWS does not say which grant authorized a call)",
        _ => "this backend does not provide its data",
    }
}

fn summary_lines(app: &App, o: &AuditOutcome) -> Vec<Line<'static>> {
    let s = &o.report.summary;
    let mut by_sev = vec![Span::styled(
        format!(
            "{} findings over {} keys and {} grants: ",
            s.findings, s.keys, s.grants
        ),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    for sev in [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        let n = s.by_severity.get(&sev).copied().unwrap_or(0);
        by_sev.push(Span::styled(format!("{n} {sev}"), severity_style(sev)));
        by_sev.push(Span::raw("  "));
    }
    let rules: Vec<String> = s.by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
    let mut lines = vec![
        Line::from(by_sev),
        Line::from(vec![
            Span::styled("By rule: ", Style::default().fg(Color::Yellow)),
            Span::raw(if rules.is_empty() {
                "-".to_string()
            } else {
                rules.join(" · ")
            }),
        ]),
        Line::from(vec![
            Span::styled("Thresholds: ", Style::default().fg(Color::Yellow)),
            Span::raw(thresholds(&app.audit.config)),
        ]),
    ];
    for r in &s.unavailable {
        lines.push(Line::from(Span::styled(
            format!(
                "Rule {r} not evaluated on this backend: {}.",
                unavailable_reason(*r)
            ),
            Style::default().fg(Color::Black).bg(Color::Yellow),
        )));
    }
    lines
}

fn selected_lines(o: &AuditOutcome, i: usize) -> Vec<Line<'static>> {
    let Some(f) = o.finding(i) else {
        return vec![];
    };
    let label = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(
                format!("{name:<8}"),
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw(value),
        ])
    };
    let [what, todo] = finding_lines(f);
    let mut lines = vec![what, label("Key", f.key.to_string())];
    match &f.grant_id {
        Some(g) => {
            lines.push(label("Grant", g.to_string()));
            lines.push(label(
                "Grantee",
                f.grantee.as_deref().unwrap_or_default().to_string(),
            ));
        }
        None => lines.push(label("Grant", "- (a finding about the key itself)".into())),
    }
    lines.push(todo);
    lines
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let audit = &app.audit;
    let mut title = "Findings: stale and risky grants, all keys".to_string();
    if audit.running {
        title.push_str(" (auditing…)");
    }
    let block = pane_block(title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(outcome) = audit.outcome.as_deref() else {
        let text = match &audit.error {
            Some(e) => Line::from(Span::styled(
                format!("The audit failed: {e}"),
                Style::default().fg(Color::White).bg(Color::Red),
            )),
            None => Line::from("Auditing every key's grants…"),
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        return;
    };
    let mut summary = summary_lines(app, outcome);
    if let Some(e) = &audit.error {
        summary.push(Line::from(Span::styled(
            format!("The latest rerun failed ({e}); these findings are from the run before."),
            Style::default().fg(Color::White).bg(Color::Red),
        )));
    }
    // The summary's height once wrapped (word wrapping may take a line more: one spare).
    let width = inner.width.max(1) as usize;
    let summary_height: usize = summary
        .iter()
        .map(|l| l.width().div_ceil(width).max(1))
        .sum();
    // A small terminal keeps room for the list: the selected finding gets fewer lines.
    let bottom_height = if inner.height >= 30 { 10 } else { 5 };
    let [top, list, bottom] = Layout::vertical([
        Constraint::Length(summary_height as u16 + 1),
        Constraint::Fill(1),
        Constraint::Length(bottom_height),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(summary).wrap(Wrap { trim: true }), top);
    if outcome.report.findings.is_empty() {
        frame.render_widget(
            Paragraph::new("No findings: every grant passes every rule."),
            list,
        );
        return;
    }
    render_list(frame, list, app, outcome);
    let detail = Paragraph::new(selected_lines(outcome, audit.selected))
        .wrap(Wrap { trim: false })
        .block(
            ratatui::widgets::Block::default()
                .borders(ratatui::widgets::Borders::TOP)
                .border_style(Style::default().fg(Color::DarkGray)),
        );
    frame.render_widget(detail, bottom);
}

/// The findings table, rows built only for the visible window.
fn render_list(frame: &mut Frame, area: Rect, app: &App, o: &AuditOutcome) {
    let height = area.height.saturating_sub(1) as usize;
    let (offset, count) = app.audit.window(height);
    let rows: Vec<Row> = (offset..offset + count)
        .filter_map(|i| Some((o.finding(i)?, o.labels.get(i)?)))
        .map(|(f, l)| {
            Row::new(vec![
                Cell::from(f.severity.as_str()).style(severity_style(f.severity)),
                Cell::from(f.rule.id()),
                Cell::from(l.key.clone()),
                Cell::from(l.grant.clone()),
                Cell::from(l.grantee.clone()),
                Cell::from(f.reason()),
            ])
        })
        .collect();
    let header = Row::new(["Sev", "Rule", "Key", "Grant", "Grantee", "Reason"]).style(
        Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD),
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(6),
            Constraint::Length(21),
            Constraint::Length(18),
            Constraint::Length(16),
            Constraint::Length(16),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .column_spacing(1)
    .row_highlight_style(Style::default().bg(ACCENT).fg(Color::Black));
    let mut state = TableState::default();
    state.select(Some(app.audit.selected.saturating_sub(offset)));
    frame.render_stateful_widget(table, area, &mut state);
    let position = format!(" {}/{} ", app.audit.selected + 1, app.audit.len());
    let width = position.chars().count() as u16;
    if area.width > width && area.height > 0 {
        let corner = Rect {
            x: area.x + area.width - width,
            y: area.y,
            width,
            height: 1,
        };
        frame.render_widget(
            Paragraph::new(position).style(Style::default().fg(Color::DarkGray)),
            corner,
        );
    }
}
