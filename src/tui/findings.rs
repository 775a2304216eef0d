//! The findings view, a feature of its own: the stale-grant audit's result as the UI
//! holds it (the latest indexed report, why the last run failed, the stale-only toggle
//! of the grants pane, whether the view is open and its selection), its keys (move, go to
//! the finding's grant, revoke it through the usual confirmation, close) and its drawing:
//! every finding across all keys, most severe first, over the whole main area. On top the
//! summary (counts by severity and by rule, the thresholds, the rules this backend cannot
//! evaluate); then the findings, rows built only for the visible window (a big account
//! has tens of thousands); below, the selected finding in full. Also the severity markers
//! the panes and the detail share. Whether a run is in flight is the job's (`jobs`).

use std::sync::Arc;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::audit::{AuditConfig, Finding, IndexedReport, Rule, Severity};
use crate::backend::BackendResult;
use crate::kms::words::count;
use crate::kms::{short_grant_id, GrantId, KeyRef};

use super::actions::Action;
use super::effect::{ConfirmAction, ConfirmRequest, Effect};
use super::list_view::{self, Column, Width};
use super::message::{AuditRequest, Work};
use super::theme::Theme;
use super::widgets::pane_block;

/// The audit in the UI.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub config: AuditConfig,
    /// The latest result (kept, and shown, while a rerun is in flight).
    pub outcome: Option<Arc<IndexedReport>>,
    /// Why the latest run failed.
    pub error: Option<String>,
    /// The grants pane shows only stale grants.
    pub stale_only: bool,
    /// The findings view is open.
    pub view_open: bool,
    /// The selected row of the findings view.
    pub selected: usize,
    /// Every audit looks up CloudTrail's evidence of use (`--evidence cloudtrail`).
    pub evidence: Option<crate::evidence::EvidenceOptions>,
    /// The running audit's CloudTrail look-up: keys done of all.
    pub evidence_progress: Option<(usize, usize)>,
}

/// A finding's identity across runs (indexes move when findings come and go).
fn identity(f: &Finding) -> (Rule, String, Option<String>) {
    (
        f.rule,
        f.key.to_string(),
        f.grant_id.as_deref().map(str::to_string),
    )
}

impl Findings {
    /// Number of findings of the latest result.
    pub fn len(&self) -> usize {
        self.outcome.as_ref().map_or(0, |o| o.report.findings.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The finding selected in the findings view.
    pub fn selected_finding(&self) -> Option<&Finding> {
        self.outcome.as_ref()?.finding(self.selected)
    }

    /// What the next audit run is asked: the thresholds, the look-up, the evidence it may
    /// reuse.
    pub fn request(&self) -> AuditRequest {
        AuditRequest {
            config: self.config.clone(),
            evidence: self.evidence,
            previous: self.evidence.and(self.outcome.clone()),
        }
    }

    /// The running look-up's progress for people: `CloudTrail: 12/200 keys`.
    pub fn evidence_progress_text(&self) -> Option<String> {
        self.evidence_progress
            .map(|(done, total)| format!("CloudTrail: {done}/{total} keys"))
    }

    /// An audit run's answer: the selection stays on its finding when it is still there.
    pub fn audited(&mut self, result: &BackendResult<Arc<IndexedReport>>) {
        self.evidence_progress = None;
        match result {
            Ok(outcome) => {
                let kept = self.selected_finding().map(identity);
                let findings = &outcome.report.findings;
                self.selected = kept
                    .and_then(|k| findings.iter().position(|f| identity(f) == k))
                    .unwrap_or_else(|| self.selected.min(findings.len().saturating_sub(1)));
                self.error = None;
                self.outcome = Some(outcome.clone());
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Move the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.len().saturating_sub(1) as isize;
        let target = (self.selected as isize).saturating_add(delta);
        self.selected = target.clamp(0, last.max(0)) as usize;
    }

    /// The findings view's and the stale-only toggle's actions.
    pub fn on_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Findings => {
                self.view_open = true;
                vec![]
            }
            Action::CloseFindings => {
                self.view_open = false;
                vec![]
            }
            Action::StaleOnly | Action::AllGrants => self.toggle_stale_only(),
            Action::JumpToFinding => self.go_to_selected(),
            Action::RevokeFinding => self.revoke_selected(),
            _ => vec![],
        }
    }

    fn toggle_stale_only(&mut self) -> Vec<Effect> {
        self.stale_only = !self.stale_only;
        let text = if !self.stale_only {
            "Showing all grants".to_string()
        } else if self.outcome.is_none() {
            "Showing stale grants only (the audit is still running); s shows all grants".into()
        } else {
            "Showing stale grants only; s shows all grants".into()
        };
        vec![Effect::Info(text)]
    }

    /// Close the view and go to the selected finding's key, then its grant.
    fn go_to_selected(&mut self) -> Vec<Effect> {
        let Some(f) = self.selected_finding().cloned() else {
            return vec![];
        };
        self.view_open = false;
        // The grant as the view names it (its name, or the part of its id that tells it
        // apart).
        let label = self
            .outcome
            .as_ref()
            .and_then(|o| o.labels(self.selected))
            .map(|l| l.grant);
        let note = match (&f.grant_id, label) {
            (Some(_), Some(label)) => format!("Grant {label}: {} {}", f.severity, f.rule),
            (Some(g), None) => format!("Grant {}", short_grant_id(g)),
            (None, _) => format!("{}: {}", f.rule, f.reason()),
        };
        vec![Effect::GoToGrant {
            key_arn: f.key.to_string(),
            grant_id: f.grant_id.as_deref().map(str::to_string),
            note,
            informational: f.severity <= Severity::Info,
        }]
    }

    /// Revoke the selected finding's grant: the usual confirmation, whose default is Cancel.
    fn revoke_selected(&mut self) -> Vec<Effect> {
        let Some(f) = self.selected_finding().cloned() else {
            return vec![];
        };
        let Some(grant) = f.grant_id.as_deref().and_then(GrantId::parse) else {
            return vec![];
        };
        let labels = self
            .outcome
            .as_ref()
            .and_then(|o| o.labels(self.selected))
            .unwrap_or_default();
        let lines = vec![
            format!("Grant  {grant}"),
            format!("Key    {} ({})", labels.key, f.key),
            format!(
                "Grantee {} ({})",
                labels.grantee,
                f.grantee.as_deref().unwrap_or("-")
            ),
            format!("Finding {} {}: {}", f.severity, f.rule, f.reason()),
            "RevokeGrant is made as you, the operator.".into(),
        ];
        vec![Effect::Confirm(ConfirmRequest {
            // As the view names it (its name, or the part of its id that tells it apart).
            title: format!(
                "Revoke grant {}?",
                if labels.grant.is_empty() {
                    grant.short().to_string()
                } else {
                    labels.grant.clone()
                }
            ),
            lines,
            verb: "Revoke",
            action: ConfirmAction::Run(Work::RevokeGrant {
                key: KeyRef::parse(&f.key),
                grant,
            }),
        })]
    }

    /// Draw the view; `running`: an audit is in flight.
    pub fn render(&self, frame: &mut Frame, area: Rect, running: bool, t: &Theme) {
        let mut title = "Findings: stale and risky grants, all keys".to_string();
        if running {
            match self.evidence_progress_text() {
                Some(p) => title.push_str(&format!(" (auditing, {p}…)")),
                None => title.push_str(" (auditing…)"),
            }
        }
        let block = pane_block(title, true, t);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let failed = Style::default().fg(Color::White).bg(t.denied);
        let Some(outcome) = self.outcome.as_deref() else {
            let text = match &self.error {
                Some(e) => Line::from(Span::styled(format!("The audit failed: {e}"), failed)),
                None => Line::from("Auditing every key's grants…"),
            };
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
            return;
        };
        let mut summary = summary_lines(&self.config, outcome, t);
        // A small screen keeps room for the list: the counts and what cannot be evaluated
        // stay, the rule counts and the thresholds go.
        let compact = inner.height < 24;
        if compact {
            summary.drain(1..3);
        }
        if let Some(e) = &self.error {
            summary.push(Line::from(Span::styled(
                format!("The latest rerun failed ({e}); these findings are from the run before."),
                failed,
            )));
        }
        let summary_height = Paragraph::new(summary.clone())
            .wrap(Wrap { trim: true })
            .line_count(inner.width.max(1)) as u16;
        // A small terminal keeps room for the list: the selected finding gets fewer lines.
        let bottom_height = match inner.height {
            h if h >= 30 => 10,
            h if h >= 16 => 5,
            _ => 3,
        };
        let [top, list, bottom] = Layout::vertical([
            Constraint::Length(summary_height + u16::from(!compact)),
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
        self.render_list(frame, list, outcome, t);
        let detail = Paragraph::new(selected_lines(outcome, self.selected, t))
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(Style::default().fg(t.border)),
            );
        frame.render_widget(detail, bottom);
    }

    /// The findings table: the severity, the rule and where first, then who and why.
    fn render_list(&self, frame: &mut Frame, area: Rect, o: &IndexedReport, t: &Theme) {
        let finding = |i: &usize| o.finding(*i);
        let label = |i: &usize| o.labels(*i).unwrap_or_default();
        let plain = Style::default();
        let columns = vec![
            Column::new("Sev", Width::Fixed(6), 0, move |i: &usize| {
                match finding(i) {
                    Some(f) => (f.severity.as_str().to_string(), severity_style(f.severity)),
                    None => (String::new(), plain),
                }
            }),
            Column::new(
                "Rule",
                Width::Flex { min: 8, max: 21 },
                0,
                move |i: &usize| {
                    (
                        finding(i)
                            .map(|f| f.rule.id().to_string())
                            .unwrap_or_default(),
                        plain,
                    )
                },
            ),
            Column::new(
                "Key",
                Width::Flex { min: 10, max: 24 },
                1,
                move |i: &usize| (label(i).key, plain),
            ),
            Column::new(
                "Grant",
                Width::Flex { min: 12, max: 24 },
                2,
                move |i: &usize| (label(i).grant, plain),
            ),
            Column::new(
                "Grantee",
                Width::Flex { min: 10, max: 24 },
                4,
                move |i: &usize| (label(i).grantee, plain),
            ),
            Column::new("Reason", Width::Text { min: 16 }, 3, move |i: &usize| {
                (finding(i).map(|f| f.reason()).unwrap_or_default(), plain)
            }),
        ];
        list_view::render_indexed(
            frame,
            area,
            Block::default(),
            (self.len(), self.selected),
            &columns,
            t,
        );
        let position = format!(" {}/{} ", self.selected + 1, self.len());
        let width = position.chars().count() as u16;
        if area.width > width && area.height > 0 {
            let corner = Rect {
                x: area.x + area.width - width,
                y: area.y,
                width,
                height: 1,
            };
            frame.render_widget(
                Paragraph::new(position).style(Style::default().fg(t.border)),
                corner,
            );
        }
    }
}

/// The colour of a severity, everywhere it is shown.
pub fn severity_style(s: Severity) -> Style {
    match s {
        Severity::High => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        // Orange (xterm 208), between HIGH's red and LOW's yellow.
        Severity::Medium => Style::default().fg(Color::Indexed(208)),
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
    if secs.is_multiple_of(86_400) {
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
        Rule::Unused => {
            "no usage data (AWS does not say which grant authorized a call; --evidence cloudtrail looks up who called each key)"
        }
        _ => "this backend does not provide its data",
    }
}

fn summary_lines(config: &AuditConfig, o: &IndexedReport, t: &Theme) -> Vec<Line<'static>> {
    let s = &o.report.summary;
    let mut by_sev = vec![Span::styled(
        format!(
            "{} over {} and {}: ",
            count(s.findings, "finding"),
            count(s.keys, "key"),
            count(s.grants, "grant")
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
            Span::styled("By rule: ", t.fg(t.heading)),
            Span::raw(if rules.is_empty() {
                "-".to_string()
            } else {
                rules.join(" · ")
            }),
        ]),
        Line::from(vec![
            Span::styled("Thresholds: ", t.fg(t.heading)),
            Span::raw(thresholds(config)),
        ]),
    ];
    if let Some(tally) = &o.usage.tally {
        lines.push(Line::from(Span::raw(tally.line())));
    }
    let undetermined = o.usage.undetermined_reasons();
    if !undetermined.is_empty() {
        let reasons: Vec<String> = undetermined
            .iter()
            .map(|(r, n)| format!("{}: {r}", count(*n, "grant")))
            .collect();
        lines.push(Line::from(Span::styled(
            format!(
                "Rule unused: usage of {} not determined ({}).",
                count(s.usage_not_determined, "grant"),
                reasons.join("; ")
            ),
            Style::default().fg(Color::Black).bg(t.warning),
        )));
    }
    for r in &s.unavailable {
        lines.push(Line::from(Span::styled(
            format!(
                "Rule {r} not evaluated on this backend: {}.",
                unavailable_reason(*r)
            ),
            Style::default().fg(Color::Black).bg(t.warning),
        )));
    }
    lines
}

fn selected_lines(o: &IndexedReport, i: usize, t: &Theme) -> Vec<Line<'static>> {
    let Some(f) = o.finding(i) else {
        return vec![];
    };
    let label = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(
                format!("{name:<8}"),
                t.fg(t.heading).add_modifier(Modifier::BOLD),
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
