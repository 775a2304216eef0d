//! `grantscope diff [RUN_A] [RUN_B]`: grants created, removed and changed between two saved
//! runs (the two latest when none is named), and the findings new in the later run; as a
//! table, JSON or CSV. Exit status for CI: 0 when no new finding reaches `--fail-on`, 1
//! when one does, 2 on error.

use std::fmt::Write;
use std::path::PathBuf;

use crate::audit::Severity;
use crate::history::diff::{self, Diff, DiffGrant};
use crate::kms::words::count;

use super::inventory::Format;

/// What `grantscope diff` was asked.
pub struct DiffOptions {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub store: Option<PathBuf>,
    pub format: Format,
    pub fail_on: String,
}

/// Run the diff; the exit status.
pub fn run(opts: DiffOptions) -> u8 {
    match compare(&opts) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("grantscope diff: {e:#}");
            2
        }
    }
}

fn compare(opts: &DiffOptions) -> anyhow::Result<u8> {
    let fail_on = Severity::parse(&opts.fail_on).ok_or_else(|| {
        anyhow::anyhow!(
            "--fail-on {:?}: expected info, low, medium or high",
            opts.fail_on
        )
    })?;
    let store = super::history::open(opts.store.as_deref())?;
    let (a, b) = diff::resolve(&store, opts.from, opts.to)?;
    let d = diff::diff(&store, a, b)?;
    super::emit(&render(&d, opts.format)?)?;
    Ok(u8::from(d.fails(fail_on)))
}

fn ops(g: &DiffGrant) -> String {
    let names: Vec<&str> = g.grant.operations.iter().map(|o| o.as_str()).collect();
    names.join(";")
}

pub fn render(d: &Diff, format: Format) -> anyhow::Result<String> {
    let rows = [
        ("created", &d.created),
        ("removed", &d.removed),
        ("changed", &d.changed),
    ];
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(d)? + "\n",
        Format::Csv => {
            let mut w = ::csv::Writer::from_writer(Vec::new());
            w.write_record([
                "change",
                "key",
                "grant_id",
                "grant_name",
                "grantee",
                "operations",
                "detail",
            ])?;
            for (change, list) in rows {
                for g in list {
                    let detail = match &g.before {
                        Some(b) => format!("grantee was {}", b.grantee()),
                        None => String::new(),
                    };
                    w.write_record([
                        change,
                        &g.key,
                        &g.grant_id,
                        &g.grant.name,
                        g.grant.grantee(),
                        &ops(g),
                        &detail,
                    ])?;
                }
            }
            for f in &d.new_findings {
                w.write_record([
                    "new-finding",
                    &f.key,
                    f.grant_id.as_deref().unwrap_or_default(),
                    "",
                    "",
                    "",
                    &format!("{} {}: {}", f.severity, f.rule, f.reason),
                ])?;
            }
            String::from_utf8(w.into_inner()?)?
        }
        Format::Table => {
            let mut out = String::new();
            let _ = writeln!(out, "From run {} to run {}:", d.from_run, d.to_run);
            for (change, list) in rows {
                for g in list {
                    let _ = writeln!(
                        out,
                        "  {change:<8} {}  {}  {}  {}",
                        crate::kms::short_grant_id(&g.grant_id),
                        g.key,
                        g.grant.grantee(),
                        ops(g)
                    );
                    if let Some(b) = &g.before {
                        let _ = writeln!(out, "           grantee was {}", b.grantee());
                    }
                }
            }
            for f in &d.new_findings {
                let _ = writeln!(
                    out,
                    "  new      {:<8} {:<22} {}",
                    f.severity.as_str(),
                    f.rule,
                    f.reason
                );
            }
            let _ = writeln!(
                out,
                "{} created, {} removed, {} changed; {}.",
                count(d.created.len(), "grant"),
                d.removed.len(),
                d.changed.len(),
                count(d.new_findings.len(), "new finding")
            );
            out
        }
    })
}
