//! `grantscope inventory`: every key with its aliases, state and grants, headless. JSON is
//! one document, CSV one row per grant, the table is for people.

use std::fmt::Write;

use crate::backend::aws::{AwsConnection, AwsOptions};
use crate::kms::inventory::Inventory;
use crate::kms::short_grant_id;
use crate::kms::time::from_epoch_seconds;
use crate::kms::words::count;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Table,
}

/// `inventory`'s formats: the shared ones, and a scenario file for the simulator
/// (`scenario_export.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InventoryFormat {
    Json,
    Csv,
    Table,
    Scenario,
}

/// Where an inventory comes from.
#[derive(Debug, Clone)]
pub enum Source {
    Scenario(String),
    Aws(AwsOptions),
}

/// Take the inventory. Progress goes to stderr, and only when stderr is a terminal.
pub async fn load(source: &Source) -> anyhow::Result<Inventory> {
    load_with(source, None, None).await
}

/// Take the inventory and, on AWS with `evidence` asked, CloudTrail's evidence of use
/// (`cli::evidence`). The simulator records every use itself: it needs no look-up.
pub async fn load_with(
    source: &Source,
    evidence: Option<&super::evidence::EvidenceRequest>,
    refresh: Option<&crate::history::Store>,
) -> anyhow::Result<Inventory> {
    match source {
        Source::Scenario(name) => {
            if refresh.is_some() {
                eprintln!("refresh: the simulator is read whole: full listing");
            }
            let world = crate::sim::Scenario::load(name)?.build()?;
            Ok(crate::sim::inventory::inventory(&world))
        }
        Source::Aws(opts) => {
            use std::io::IsTerminal;
            let conn = AwsConnection::connect(opts.clone()).await?;
            let tty = std::io::stderr().is_terminal();
            let progress = move |done: usize, total: usize| {
                if tty {
                    eprint!("\rreading keys and grants: {done}/{total}");
                    if done == total {
                        eprintln!();
                    }
                }
            };
            let mut inv = match refresh {
                Some(store) => super::refresh::inventory(&conn, store, &progress).await?,
                None => conn.inventory(&progress).await?,
            };
            if let Some(req) = evidence {
                super::evidence::gather(&conn, &mut inv, req).await;
            }
            Ok(inv)
        }
    }
}

/// `grantscope inventory`: take it (with CloudTrail's evidence when asked), save it when
/// asked (audited with the default thresholds and `--unused-for`, so that `diff` can
/// compare findings), print it.
pub fn command(
    source: &Source,
    format: InventoryFormat,
    evidence: Option<super::evidence::EvidenceRequest>,
    persist: &super::history::Persist,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let format = match format {
        InventoryFormat::Json => Format::Json,
        InventoryFormat::Csv => Format::Csv,
        InventoryFormat::Table => Format::Table,
        InventoryFormat::Scenario => {
            let text = runtime.block_on(super::scenario_source::export(source))?;
            return Ok(super::emit(&text)?);
        }
    };
    let mut store = persist.open()?;
    let refresh = store.as_ref().filter(|_| persist.refresh);
    let mut inv = runtime.block_on(load_with(source, evidence.as_ref(), refresh))?;
    if let Some(store) = store.as_mut().filter(|_| persist.save) {
        let mut cfg = crate::audit::AuditConfig::default();
        if let Some(req) = &evidence {
            super::history::remember(store, &mut inv, req.window_days())?;
            cfg.unused_for = req.window;
        }
        let report = crate::audit::audit(&inv, &cfg);
        super::history::save(store, &inv, &report)?;
    }
    match format {
        Format::Json => super::emit_json(&inv)?,
        format => super::emit(&render(&inv, format)?)?,
    }
    Ok(())
}

pub fn iso(epoch: Option<f64>) -> String {
    epoch
        .and_then(from_epoch_seconds)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

pub fn render(inv: &Inventory, format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(inv)? + "\n",
        Format::Csv => csv(inv)?,
        Format::Table => table(inv),
    })
}

fn csv(inv: &Inventory) -> anyhow::Result<String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "key_id",
        "key_arn",
        "aliases",
        "key_state",
        "grant_id",
        "grant_name",
        "grantee",
        "grantee_name",
        "retiring_principal",
        "operations",
        "constraints",
        "creation_date",
        "last_used",
    ])?;
    for k in &inv.keys {
        for g in &k.grants {
            let ops: Vec<&str> = g.entry.operations.iter().map(|o| o.as_str()).collect();
            let constraints = match &g.entry.constraints {
                Some(c) => serde_json::to_string(c)?,
                None => String::new(),
            };
            w.write_record([
                k.key_id.as_str(),
                &k.arn,
                &k.aliases.join(";"),
                k.state.as_str(),
                &g.entry.grant_id,
                &g.entry.name,
                g.entry.grantee(),
                &g.grantee_name,
                g.entry.retiring().unwrap_or_default(),
                &ops.join(";"),
                &constraints,
                &iso(g.entry.creation_date),
                &iso(g.last_used),
            ])?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// CloudTrail's evidence after a grant's line (`--evidence cloudtrail`): when the grantee
/// was last seen, or that it was not in the window, or why nobody knows.
fn evidence_note(e: Option<&crate::kms::usage::UsageEvidence>) -> String {
    use crate::kms::usage::UsageEvidence;
    match e {
        None => String::new(),
        Some(UsageEvidence::PossiblyUsed {
            last_seen,
            operation,
        }) => format!("  last seen {} ({operation})", iso(Some(*last_seen))),
        Some(UsageEvidence::Unused { window_days, .. }) => {
            format!("  not seen in {window_days} days")
        }
        Some(UsageEvidence::NotDetermined { reason }) => {
            format!("  usage not determined: {}", reason.sentence())
        }
    }
}

fn table(inv: &Inventory) -> String {
    let mut out = String::new();
    let grants: usize = inv.keys.iter().map(|k| k.grants.len()).sum();
    let _ = writeln!(
        out,
        "{} account {} in {}: {}, {}",
        inv.backend,
        inv.account,
        inv.region,
        count(inv.keys.len(), "key"),
        count(grants, "grant")
    );
    for k in &inv.keys {
        let label = if k.aliases.is_empty() {
            "(no alias)".to_string()
        } else {
            k.aliases.join(", ")
        };
        let _ = writeln!(
            out,
            "\n{}  {}  {}  {}",
            k.key_id,
            k.state,
            label,
            count(k.grants.len(), "grant")
        );
        for u in &k.unreadable {
            let _ = writeln!(out, "  not readable: {}: {}", u.operation, u.error);
        }
        for g in k.grants.iter().take(50) {
            let ops: Vec<&str> = g.entry.operations.iter().map(|o| o.as_str()).collect();
            let _ = writeln!(
                out,
                "  {}  {:<24} {:<40} {}{}",
                short_grant_id(&g.entry.grant_id),
                if g.entry.name.is_empty() {
                    "-"
                } else {
                    g.entry.name.as_str()
                },
                g.grantee_name,
                ops.join(","),
                evidence_note(g.evidence.as_ref())
            );
        }
        if k.grants.len() > 50 {
            let _ = writeln!(
                out,
                "  ... and {} more (use --format csv or json for all)",
                k.grants.len() - 50
            );
        }
    }
    out
}
