//! `grantscope history` (the saved runs) and `--save` / `--store PATH` on `inventory` and
//! `report`: where the store is, saving a run, and answering windows longer than
//! CloudTrail's 90 days from remembered evidence (`crate::history`).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::audit::Report;
use crate::history::{self, record, Store};
use crate::kms::inventory::Inventory;

use super::inventory::{iso, Format};

/// `--save` and `--store PATH`.
#[derive(Debug, Clone, Default)]
pub struct Persist {
    pub save: bool,
    pub store: Option<PathBuf>,
    /// `--refresh` (and not `--full`): list again only the keys CloudTrail shows changed.
    pub refresh: bool,
}

/// The store's path: `--store`, or the platform's data directory.
pub fn store_path(store: Option<&Path>) -> anyhow::Result<PathBuf> {
    match store {
        Some(p) => Ok(p.to_path_buf()),
        None => history::default_path().ok_or_else(|| {
            anyhow::anyhow!(
                "no data directory for the history store (no home directory): pass --store PATH"
            )
        }),
    }
}

/// Open the store at `store` (or the default place).
pub fn open(store: Option<&Path>) -> anyhow::Result<Store> {
    let path = store_path(store)?;
    Store::open(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

impl Persist {
    /// The store, when this run is to be saved.
    pub fn open(&self) -> anyhow::Result<Option<Store>> {
        (self.save || self.refresh)
            .then(|| open(self.store.as_deref()))
            .transpose()
    }
}

/// Before the audit: answer from the store the grants whose window reached past
/// CloudTrail's retention.
pub fn remember(store: &Store, inv: &mut Inventory, window_days: u32) -> anyhow::Result<()> {
    record::remember(store, inv, window_days)?;
    Ok(())
}

/// After the audit: save the run, and say so on stderr.
pub fn save(store: &mut Store, inv: &Inventory, report: &Report) -> anyhow::Result<i64> {
    let id = record::save(store, inv, report)?;
    eprintln!("saved as run {id} in the history store");
    Ok(id)
}

/// `grantscope history`: the saved runs.
pub fn run(store: Option<&Path>, format: Format) -> anyhow::Result<String> {
    let runs = open(store)?.runs()?;
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&runs)? + "\n",
        Format::Csv => {
            let mut w = ::csv::Writer::from_writer(Vec::new());
            w.write_record([
                "run", "taken_at", "backend", "account", "region", "keys", "grants", "findings",
                "usage",
            ])?;
            for r in &runs {
                w.write_record([
                    r.id.to_string(),
                    iso(Some(r.taken_at)),
                    r.backend.clone(),
                    r.account.clone(),
                    r.region.clone(),
                    r.keys.to_string(),
                    r.grants.to_string(),
                    r.findings.to_string(),
                    r.usage.clone(),
                ])?;
            }
            String::from_utf8(w.into_inner()?)?
        }
        Format::Table => {
            let mut out = String::new();
            if runs.is_empty() {
                out.push_str("No saved runs (save one with `grantscope report --save`).\n");
            } else {
                let _ = writeln!(
                    out,
                    "{:>4}  {:<20}  {:<9}  {:<12}  {:<14}  {:>5}  {:>7}  {:>8}  USAGE",
                    "RUN", "TAKEN", "BACKEND", "ACCOUNT", "REGION", "KEYS", "GRANTS", "FINDINGS"
                );
            }
            for r in &runs {
                let _ = writeln!(
                    out,
                    "{:>4}  {:<20}  {:<9}  {:<12}  {:<14}  {:>5}  {:>7}  {:>8}  {}",
                    r.id,
                    iso(Some(r.taken_at)),
                    r.backend,
                    r.account,
                    r.region,
                    r.keys,
                    r.grants,
                    r.findings,
                    r.usage
                );
            }
            out
        }
    })
}
