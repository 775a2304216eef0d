//! `--evidence cloudtrail` for `inventory` and `report` on AWS: after the inventory, look
//! up CloudTrail's evidence of use for every grant (`crate::evidence`), with a progress
//! bar on a terminal (nothing on a pipe or with `--quiet`) and a one-line tally after.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::backend::aws::{AwsConnection, CloudTrail};
use crate::evidence::{self, EvidenceOptions, Tally};
use crate::kms::inventory::Inventory;

/// Where usage evidence comes from (`--evidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum EvidenceSource {
    /// No look-up: on AWS the `unused` rule is not evaluated.
    #[default]
    None,
    /// CloudTrail's LookupEvents (management events, the last 90 days).
    Cloudtrail,
}

/// What was asked of the look-up.
#[derive(Debug, Clone, Copy)]
pub struct EvidenceRequest {
    /// The `unused` window (`--unused-for`).
    pub window: Duration,
    /// Pages per key at most (`--evidence-pages`).
    pub max_pages: u32,
    /// No progress bar and no tally (`--quiet`).
    pub quiet: bool,
}

impl EvidenceRequest {
    /// The window in whole days, rounded up (at least one).
    pub fn window_days(&self) -> u32 {
        evidence::window_days(self.window)
    }
}

/// Look the evidence up for `inv` through `conn`'s CloudTrail.
pub async fn gather(conn: &AwsConnection, inv: &mut Inventory, req: &EvidenceRequest) -> Tally {
    let bar = if req.quiet {
        ProgressBar::hidden()
    } else {
        // indicatif draws on stderr only when it is a terminal.
        ProgressBar::with_draw_target(Some(inv.keys.len() as u64), ProgressDrawTarget::stderr())
    };
    if let Ok(style) = ProgressStyle::with_template(
        "CloudTrail evidence {bar:30} {pos}/{len} keys, {elapsed} (2 look-ups a second)",
    ) {
        bar.set_style(style);
    }
    let progress = |done: usize, _total: usize| bar.set_position(done as u64);
    let opts = EvidenceOptions::new(req.window_days(), req.max_pages);
    let tally = evidence::gather(&CloudTrail::new(conn), inv, opts, &progress).await;
    bar.finish_and_clear();
    if !req.quiet {
        eprintln!("{}", tally_line(&tally));
    }
    tally
}

/// The tally for people: requests made and grants decided.
pub fn tally_line(t: &Tally) -> String {
    t.line()
}
