//! The detail panel: every field of whatever the focused pane has selected, with full
//! ARNs, and for a grant or key its stale-grant findings (severity, rule, why, what to do);
//! a grant's `LastSeen` (`last_seen`) follows its findings.
//! The same lines fill the larger detail dialog that Enter opens; the panel shows their
//! top (a grant's: what it allows and to whom, then its findings) with `▼` when cut.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::backend::{ActivityEvent, EventOutcome, GrantSummary, KeySummary, PrincipalSummary};
use crate::kms::time::format_utc;
use crate::kms::GrantConstraints;
use crate::tui::app::App;
use crate::tui::findings::finding_lines;
use crate::tui::last_seen;
use crate::tui::pane::Pane;
use crate::tui::widgets::{age, pane_block, render_from};

fn field(name: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("{name:<17} "),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(value.into()),
    ])
}

fn key_lines(app: &App, k: &KeySummary) -> Vec<Line<'static>> {
    let mut v = vec![field("KeyId", k.key_id.clone())];
    // An AWS managed key says so first: its rules differ from a customer's key.
    if k.manager == "AWS" {
        v.push(field(
            "Managed by",
            "AWS: an AWS managed key, usable only through its AWS service; its policy and yearly rotation are AWS's",
        ));
    }
    v.extend([
        field("Arn", k.arn.clone()),
        field(
            "Aliases",
            if k.aliases.is_empty() {
                "-".into()
            } else {
                k.aliases.join(", ")
            },
        ),
    ]);
    v.extend(super::key_regions::region_lines(app, k, field));
    // A quick key list (AWS) knows only ids and aliases until the key is described.
    if app.key_details.pending.contains(&k.key_id) {
        v.push(field(
            "Details",
            "details loading… (DescribeKey, ListGrants)",
        ));
        return v;
    }
    if let Some(why) = app.key_details.failed.get(&k.key_id) {
        v.push(field("Details", format!("could not be read: {why}")));
        return v;
    }
    v.extend([
        field("Description", k.description.clone()),
        field("KeyState", k.state.as_str()),
        field("KeySpec", k.spec.as_str()),
        field("KeyUsage", k.usage.clone()),
        field("KeyManager", k.manager.clone()),
        field(
            "CreationDate",
            format!(
                "{} ({} ago)",
                format_utc(k.created),
                age(app.now, k.created)
            ),
        ),
        field("Grants", k.grant_count.to_string()),
    ]);
    if let Some(o) = app.findings.outcome.as_deref() {
        let kf = o.key(&k.arn);
        v.push(field(
            "Stale grants",
            kf.map_or(0, |kf| kf.stale_grants).to_string(),
        ));
        for &i in kf.map(|kf| kf.key_level.as_slice()).unwrap_or_default() {
            if let Some(f) = o.finding(i as usize) {
                v.extend(finding_lines(f));
            }
        }
    }
    if let Some(d) = k.deletion_date {
        v.push(field("DeletionDate", format_utc(d)));
    }
    v
}

fn constraints_text(c: &Option<GrantConstraints>) -> Vec<Line<'static>> {
    let Some(c) = c.as_ref().filter(|c| !c.is_empty()) else {
        return vec![field("Constraints", "none")];
    };
    let fmt = |m: &crate::kms::EncryptionContext| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut v = Vec::new();
    if let Some(m) = &c.encryption_context_subset {
        v.push(field("EncContextSubset", fmt(m)));
    }
    if let Some(m) = &c.encryption_context_equals {
        v.push(field("EncContextEquals", fmt(m)));
    }
    if let Some(arn) = &c.source_arn {
        v.push(field("SourceArn", format!("{arn} (only on its behalf)")));
    }
    v
}

fn grant_lines(app: &App, g: &GrantSummary) -> Vec<Line<'static>> {
    // What the grant allows, and to whom, first (the panel may show only its top rows);
    // then its findings and when it was last seen in use; then the ids and dates.
    let ops: Vec<&str> = g.operations.iter().map(|o| o.as_str()).collect();
    let mut v = vec![
        field(
            "Name",
            if g.name.is_empty() {
                "-".into()
            } else {
                g.name.clone()
            },
        ),
        field("Operations", ops.join(", ")),
        if g.grantee_is_service {
            field("GranteeServicePrincipal", g.grantee.clone())
        } else {
            field(
                "GranteePrincipal",
                format!("{} ({})", g.grantee, g.grantee_name),
            )
        },
        field(
            "RetiringPrincipal",
            match (&g.retiring, &g.retiring_name) {
                (Some(r), Some(n)) => format!("{r} ({n})"),
                (Some(r), None) => r.clone(),
                _ => "-".into(),
            },
        ),
    ];
    v.extend(constraints_text(&g.constraints));
    v.extend(grant_findings(app, g));
    v.push(field("LastSeen", {
        let known = last_seen::known(app.findings.outcome.as_deref(), &g.key_arn, &g.grant_id);
        let progress = app.findings.evidence_progress_text();
        last_seen::sentence(known, app.now, progress.as_deref())
    }));
    v.extend([
        field("GrantId", g.grant_id.clone()),
        field("KeyId", g.key_arn.clone()),
        field("IssuingAccount", g.issuing_account.clone()),
    ]);
    if let Some(c) = g.created {
        v.push(field(
            "CreationDate",
            format!("{} ({} ago)", format_utc(c), age(app.now, c)),
        ));
    }
    v
}

/// The grant's findings, most severe first, or why there are none to show.
fn grant_findings(app: &App, g: &GrantSummary) -> Vec<Line<'static>> {
    let Some(o) = app.findings.outcome.as_deref() else {
        return vec![field(
            "Findings",
            match &app.findings.error {
                Some(e) => format!("the audit failed: {e}"),
                None => "auditing…".to_string(),
            },
        )];
    };
    let mut v: Vec<Line<'static>> = Vec::new();
    for f in o.grant_findings(&g.key_arn, &g.grant_id) {
        if v.is_empty() {
            v.push(field("Findings", ""));
        }
        v.extend(finding_lines(f));
    }
    if v.is_empty() {
        v.push(field("Findings", "none"));
    }
    v
}

fn principal_lines(p: &PrincipalSummary) -> Vec<Line<'static>> {
    vec![
        field("Kind", p.kind.as_str()),
        field("Name", p.name.clone()),
        field("Arn", p.arn.clone()),
        field(
            "UniqueId",
            p.unique_id.clone().unwrap_or_else(|| "-".into()),
        ),
        field("Account", p.account.clone().unwrap_or_else(|| "-".into())),
        field(
            "Policies",
            if p.policies.is_empty() {
                "none".into()
            } else {
                p.policies.join(", ")
            },
        ),
        field("Grants held", p.grant_count.to_string()),
    ]
}

fn event_lines(e: &ActivityEvent) -> Vec<Line<'static>> {
    let outcome = match &e.outcome {
        EventOutcome::Allowed => "allowed".to_string(),
        EventOutcome::Denied => "denied (AccessDeniedException)".to_string(),
        EventOutcome::DryRun => "DryRun: would be allowed (nothing was done)".to_string(),
        EventOutcome::Failed(code) => format!("failed ({code})"),
    };
    vec![
        field(
            "Time",
            e.time.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string(),
        ),
        field("Caller", e.caller.clone()),
        field("Operation", e.operation.clone()),
        field("Key", e.key.clone().unwrap_or_else(|| "-".into())),
        field("Outcome", outcome),
        field("Why", e.why.clone()),
    ]
}

/// The lines describing the focused pane's selection.
pub fn lines(app: &App) -> (String, Vec<Line<'static>>) {
    let none = || vec![Line::from("Nothing selected.")];
    match app.focus {
        Pane::Keys => (
            "Key".into(),
            app.selected_key()
                .map(|k| key_lines(app, k))
                .unwrap_or_else(none),
        ),
        Pane::Grants => (
            "Grant".into(),
            app.selected_grant()
                .map(|g| grant_lines(app, g))
                .unwrap_or_else(none),
        ),
        Pane::Principals => (
            "Principal".into(),
            app.selected_principal()
                .map(principal_lines)
                .unwrap_or_else(none),
        ),
        Pane::Events => (
            "Event".into(),
            app.events.selected().map(event_lines).unwrap_or_else(none),
        ),
    }
}

/// The panel shows the top of the lines, with `▼` when there is more (Enter opens them
/// all in the detail dialog).
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let (what, lines) = lines(app);
    let block = pane_block(format!("Detail: {what}"), false, &app.theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    render_from(frame, inner, lines, 0);
}
