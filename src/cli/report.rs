//! `grantscope report`: the stale-grant findings headless, for pipelines. Table, JSON
//! (`{"findings": [...], "summary": {...}}`) or CSV; the exit status says whether any finding
//! reaches `--fail-on`.

use std::collections::HashMap;
use std::fmt::Write;

use crate::audit::{Report, Severity};
use crate::kms::distinct_prefix_len;
use crate::kms::inventory::Inventory;
use crate::kms::words::count;

pub use super::inventory::Format;
use super::inventory::Source;

/// What `grantscope report` was asked.
pub struct ReportOptions {
    pub source: Source,
    pub format: Format,
    pub fail_on: String,
    pub older_than: Option<String>,
    pub unused_for: Option<String>,
    pub trusted_accounts: Vec<String>,
    pub config: Option<std::path::PathBuf>,
    /// `--evidence cloudtrail`: look CloudTrail's evidence up for the `unused` rule.
    pub evidence: super::evidence::EvidenceSource,
    pub evidence_pages: u32,
    pub quiet: bool,
    /// `--save` / `--store PATH`: keep this run in the history store.
    pub persist: super::history::Persist,
}

/// Run the report; the exit status (0 clean, 1 findings at or above --fail-on, 2 error).
pub fn run(opts: ReportOptions) -> u8 {
    match report(&opts) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("grantscope report: {e:#}");
            2
        }
    }
}

fn report(opts: &ReportOptions) -> anyhow::Result<u8> {
    let fail_on = Severity::parse(&opts.fail_on).ok_or_else(|| {
        anyhow::anyhow!(
            "--fail-on {:?}: expected info, low, medium or high",
            opts.fail_on
        )
    })?;
    let cfg = audit_config(
        opts.config.as_deref(),
        opts.older_than.as_deref(),
        opts.unused_for.as_deref(),
        &opts.trusted_accounts,
    )
    .map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let evidence = (opts.evidence == super::evidence::EvidenceSource::Cloudtrail).then_some(
        super::evidence::EvidenceRequest {
            window: cfg.unused_for,
            max_pages: opts.evidence_pages,
            quiet: opts.quiet,
        },
    );
    let mut store = opts.persist.open()?;
    let refresh = store.as_ref().filter(|_| opts.persist.refresh);
    let mut inv = runtime.block_on(super::inventory::load_with(
        &opts.source,
        evidence.as_ref(),
        refresh,
    ))?;
    if let (Some(store), Some(req)) = (&store, &evidence) {
        super::history::remember(store, &mut inv, req.window_days())?;
    }
    let report = crate::audit::audit(&inv, &cfg);
    if let Some(store) = store.as_mut().filter(|_| opts.persist.save) {
        super::history::save(store, &inv, &report)?;
    }
    match opts.format {
        Format::Json => super::emit_json(&report)?,
        format => super::emit(&render(&report, &inv, format)?)?,
    }
    Ok(exit_status(&report, fail_on))
}

/// The audit's configuration from the flags `report` (and the UI) take: the defaults, the
/// config file over them, the flags over that.
pub fn audit_config(
    config: Option<&std::path::Path>,
    older_than: Option<&str>,
    unused_for: Option<&str>,
    trusted_accounts: &[String],
) -> Result<crate::audit::AuditConfig, String> {
    let base = match config {
        Some(path) => crate::audit::AuditConfig::from_file(path)?,
        None => crate::audit::AuditConfig::default(),
    };
    base.with_flags(older_than, unused_for, trusted_accounts)
}

/// Exit status: 0 when no finding reaches the threshold, 1 when some do (2 is for errors).
pub fn exit_status(report: &Report, fail_on: Severity) -> u8 {
    u8::from(crate::audit::fails(report, fail_on))
}

pub fn render(report: &Report, inv: &Inventory, format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(report)? + "\n",
        Format::Csv => {
            let mut w = ::csv::Writer::from_writer(Vec::new());
            w.write_record([
                "rule", "severity", "key", "grant_id", "grantee", "reason", "action",
            ])?;
            for f in &report.findings {
                w.write_record([
                    f.rule.id(),
                    f.severity.as_str(),
                    &f.key,
                    f.grant_id.as_deref().unwrap_or_default(),
                    f.grantee.as_deref().unwrap_or_default(),
                    &f.reason(),
                    &f.action(),
                ])?;
            }
            String::from_utf8(w.into_inner()?)?
        }
        Format::Table => table(report, inv),
    })
}

/// The distinct reasons usage was not determined, with how many grants each.
fn undetermined_reasons(inv: &Inventory) -> Vec<String> {
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    for g in inv.keys.iter().flat_map(|k| &k.grants) {
        if let Some(crate::kms::usage::UsageEvidence::NotDetermined { reason }) = &g.evidence {
            *reasons.entry(reason.sentence()).or_default() += 1;
        }
    }
    reasons
        .into_iter()
        .map(|(r, n)| format!("{}: {r}", count(n, "grant")))
        .collect()
}

fn table(report: &Report, inv: &Inventory) -> String {
    let labels: HashMap<&str, &str> = inv
        .keys
        .iter()
        .map(|k| {
            (
                k.arn.as_str(),
                k.aliases
                    .first()
                    .map_or(k.key_id.get(..8).unwrap_or(&k.key_id), String::as_str),
            )
        })
        .collect();
    // A grant by its name, or by as much of its id as tells it from the others listed.
    let names: HashMap<(&str, &str), &str> = inv
        .keys
        .iter()
        .flat_map(|k| {
            k.grants
                .iter()
                .filter(|g| !g.entry.name.is_empty())
                .map(move |g| {
                    (
                        (k.arn.as_str(), g.entry.grant_id.as_str()),
                        g.entry.name.as_str(),
                    )
                })
        })
        .collect();
    let id_len = distinct_prefix_len(report.findings.iter().filter_map(|f| f.grant_id.as_deref()));
    let grant_label = |f: &crate::audit::Finding| -> String {
        match f.grant_id.as_deref() {
            None => "-".into(),
            Some(g) => match names.get(&(&*f.key, g)) {
                Some(name) => name.to_string(),
                None => g.chars().take(id_len).collect(),
            },
        }
    };
    let grants: Vec<String> = report.findings.iter().map(grant_label).collect();
    let width = grants
        .iter()
        .map(|g| g.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let mut out = String::new();
    if !report.findings.is_empty() {
        let _ = writeln!(
            out,
            "{:<8} {:<22} {:<22} {:<width$} REASON",
            "SEVERITY", "RULE", "KEY", "GRANT"
        );
    }
    for (f, grant) in report.findings.iter().zip(&grants) {
        let _ = writeln!(
            out,
            "{:<8} {:<22} {:<22} {:<width$} {}",
            f.severity.as_str(),
            f.rule.id(),
            labels.get(&*f.key).copied().unwrap_or(&f.key),
            grant,
            f.reason()
        );
        let _ = writeln!(out, "{:<w$} -> {}", "", f.action(), w = 55 + width);
    }
    let s = &report.summary;
    let by: Vec<String> = [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .iter()
    .filter_map(|sev| s.by_severity.get(sev).map(|n| format!("{n} {sev}")))
    .collect();
    let _ = writeln!(
        out,
        "\n{} ({}) over {} and {}.",
        count(s.findings, "finding"),
        if by.is_empty() {
            "none".to_string()
        } else {
            by.join(", ")
        },
        count(s.keys, "key"),
        count(s.grants, "grant")
    );
    if s.unreadable_keys > 0 {
        let _ = writeln!(
            out,
            "{} could not be fully read (AccessDenied on DescribeKey or ListGrants): \
             their grants are not all audited; `grantscope inventory --format json` says which.",
            count(s.unreadable_keys, "key")
        );
    }
    for r in &s.unavailable {
        let _ = writeln!(
            out,
            "Rule {r} not evaluated: this backend has no usage data (--evidence cloudtrail looks it up)."
        );
    }
    if s.usage_not_determined > 0 {
        let reasons = undetermined_reasons(inv);
        let _ = writeln!(
            out,
            "Rule unused: usage of {} not determined ({}).",
            count(s.usage_not_determined, "grant"),
            reasons.join("; ")
        );
    }
    out
}
