//! `inventory` and `report` across scopes (`--accounts`, `--regions`, the `[scope]` section
//! of `--config`): every account-region read by the scheduler (`scope::scheduler`), the
//! scopes that could not be read listed with why, account and region columns in the
//! outputs. Exit status: 2 when no scope could be read (or, with `--fail-on-unread`, when
//! any could not); otherwise the command's own (report: 1 for findings at `--fail-on`).

use std::fmt::Write;
use std::sync::Arc;

use futures::StreamExt;

use crate::backend::aws::{load_config, AwsOptions};
use crate::kms::ids::Arn;
use crate::kms::inventory::Inventory;
use crate::kms::words::count;
use crate::scope::credentials::AccountCredentials;
use crate::scope::discover::{self, Unread};
use crate::scope::rates::Rates;
use crate::scope::scheduler::{self, ScopedInventory, Stats};
use crate::scope::{Accounts, ScopeFlags, ScopeSection, ScopeSpec};

use super::inventory::Format;

/// The scope flags of the UI, `inventory` and `report`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ScopeFlagArgs {
    /// Accounts to read: account ids (ID,ID) or org (every account of the AWS Organization,
    /// from the management or a delegated-administrator account)
    #[arg(long, value_name = "ID,ID|org")]
    pub accounts: Option<String>,
    /// Regions to read: R1,R2 or all (the regions enabled for each account)
    #[arg(long, value_name = "R1,R2|all")]
    pub regions: Option<String>,
    /// The role assumed in each account [default: OrganizationAccountAccessRole]
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// The external id the role's trust policy requires
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// The session name of each AssumeRole [default: grantscope]
    #[arg(long, value_name = "NAME")]
    pub role_session_name: Option<String>,
    /// A request rate per account-region over AWS's default (repeatable): ListGrants=50
    #[arg(long = "rate", value_name = "OPERATION=N")]
    pub rates: Vec<String>,
    /// The KMS endpoint URL of a region (repeatable): us-east-1=https://...
    #[arg(long = "region-endpoint", value_name = "REGION=URL")]
    pub region_endpoints: Vec<String>,
}

impl ScopeFlagArgs {
    fn flags(&self) -> ScopeFlags {
        ScopeFlags {
            accounts: self.accounts.clone(),
            regions: self.regions.clone(),
            role_name: self.role_name.clone(),
            external_id: self.external_id.clone(),
            role_session_name: self.role_session_name.clone(),
            rates: self.rates.clone(),
            region_endpoints: self.region_endpoints.clone(),
        }
    }

    /// The spec from the config file's `[scope]` with the flags over it, when it asks for
    /// more than one account and region (None: the single-scope commands apply).
    pub fn spec(&self, config: Option<&std::path::Path>) -> anyhow::Result<Option<ScopeSpec>> {
        let section = match config {
            Some(path) => ScopeSection::from_file(path).map_err(anyhow::Error::msg)?,
            None => ScopeSection::default(),
        };
        let spec = section.merge(self.flags()).map_err(anyhow::Error::msg)?;
        Ok(spec.is_wide().then_some(spec))
    }
}

/// The scope flags of `inventory` and `report`: the UI's, and what a headless run adds.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ScopeArgs {
    #[command(flatten)]
    pub scope: ScopeFlagArgs,
    /// Exit 2 when any scope could not be read (for CI)
    #[arg(long)]
    pub fail_on_unread: bool,
    /// No progress bar
    #[arg(long, short)]
    pub quiet: bool,
}

impl ScopeArgs {
    /// See [`ScopeFlagArgs::spec`].
    pub fn spec(&self, config: Option<&std::path::Path>) -> anyhow::Result<Option<ScopeSpec>> {
        self.scope.spec(config)
    }
}

/// `report`'s scope spec; an error is said on stderr and is exit status 2 (as every
/// error of `report` is).
pub fn report_spec(
    args: &ScopeArgs,
    config: Option<&std::path::Path>,
) -> Result<Option<ScopeSpec>, u8> {
    args.spec(config).map_err(|e| {
        eprintln!("grantscope report: {e:#}");
        2
    })
}

/// Read every scope of `spec` from the credentials of `opts`.
pub async fn read(
    opts: &AwsOptions,
    spec: &ScopeSpec,
    quiet: bool,
) -> anyhow::Result<ScopedInventory> {
    let base = load_config(opts).await;
    let region = base.region().map(|r| r.to_string()).ok_or_else(|| {
        anyhow::anyhow!(
            "No AWS region: pass --region, set AWS_REGION, or set region in the profile."
        )
    })?;
    // Who is asking, and the organization's first page of accounts (when those are the
    // scopes): two questions of the caller's own credentials that need nothing of each
    // other. The scopes of each page are read as it arrives, while the next is asked.
    let sts = aws_sdk_sts::Client::new(&base);
    let mut pages = matches!(spec.accounts, Accounts::Organization)
        .then(|| Box::pin(discover::organization_account_pages(&base)));
    let first_page = async {
        match pages.as_mut() {
            Some(p) => p.next().await,
            None => None,
        }
    };
    let (me, first_page) =
        futures::future::join(sts.get_caller_identity().send(), first_page).await;
    let me = me.map_err(|e| {
        anyhow::anyhow!(
            "STS GetCallerIdentity: {}",
            crate::backend::aws::sdk_error(e)
        )
    })?;
    let account = me.account().unwrap_or_default().to_string();
    let creds = Arc::new(AccountCredentials::new(base.clone(), account, spec));
    let stats = Arc::new(Stats::default());
    let progress = super::progress::Progress::start(stats.clone(), super::progress::wanted(quiet));
    let rates = Rates::new(&spec.rates);
    let unread = std::sync::Mutex::new(Vec::new());
    let mut scoped = match pages {
        None => {
            let plan = discover::plan(&creds, spec, &region)
                .await
                .map_err(anyhow::Error::msg)?;
            let mut scoped = scheduler::read_all(creds.clone(), plan.scopes, rates, stats).await;
            scoped.unread.splice(0..0, plan.unread);
            scoped
        }
        Some(rest) => {
            // Not even the first page: nothing can be read, and the error says why.
            let first = first_page.unwrap_or_else(|| Ok(Vec::new()));
            let first = first.map_err(anyhow::Error::msg)?;
            let pages = futures::stream::iter([Ok(first)]).chain(rest);
            let scopes = discover::scopes_of_pages(&creds, spec, &region, pages, &unread);
            scheduler::read_stream(creds.clone(), scopes, rates, stats).await
        }
    };
    progress.finish();
    // What the organization's pages left unread comes first, as a plan's unread would.
    let unread = unread.into_inner().unwrap_or_else(|p| p.into_inner());
    scoped.unread.splice(0..0, unread);
    Ok(scoped)
}

/// The exit status the scopes alone call for: 2 when nothing was read, or when any scope
/// was not and `--fail-on-unread` is given; else None.
pub fn unread_status(scoped: &ScopedInventory, fail_on_unread: bool) -> Option<u8> {
    (scoped.read.is_empty() || (fail_on_unread && !scoped.unread.is_empty())).then_some(2)
}

fn unread_label(u: &Unread) -> String {
    format!("{}/{}", u.account, u.region.as_deref().unwrap_or("*"))
}

/// Say on stderr which scopes were not read (and a summary line of the run).
pub fn tell_unread(scoped: &ScopedInventory) {
    for u in &scoped.unread {
        eprintln!("not read: {}: {}", unread_label(u), u.why);
    }
}

/// `grantscope inventory` across scopes.
pub async fn inventory(
    opts: &AwsOptions,
    spec: &ScopeSpec,
    args: &ScopeArgs,
    format: Format,
) -> anyhow::Result<u8> {
    let scoped = read(opts, spec, args.quiet).await?;
    tell_unread(&scoped);
    let text = match format {
        Format::Json => {
            let scopes: Vec<serde_json::Value> = scoped
                .read
                .iter()
                .map(|(s, inv)| serde_json::json!({ "account": s.account, "region": s.region, "inventory": inv }))
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({
                "scopes": scopes,
                "unread": scoped.unread,
                "requests": scoped.requests,
                "throttles": scoped.throttles,
            }))? + "\n"
        }
        Format::Csv => scoped_csv(&scoped)?,
        Format::Table => {
            let mut out = String::new();
            for (_, inv) in &scoped.read {
                out.push_str(&super::inventory::render(inv, Format::Table)?);
                out.push('\n');
            }
            let _ = writeln!(out, "{}", summary_line(&scoped));
            out
        }
    };
    super::emit(&text)?;
    Ok(unread_status(&scoped, args.fail_on_unread).unwrap_or(0))
}

/// "Read 3 of 4 scopes ...": what was read, what was not, requests and throttles.
pub fn summary_line(scoped: &ScopedInventory) -> String {
    let total = scoped.read.len() + scoped.unread.len();
    format!(
        "Read {} of {} in {:.1}s ({}, {} throttled){}",
        scoped.read.len(),
        count(total, "scope"),
        scoped.elapsed.as_secs_f64(),
        count(scoped.requests as usize, "request"),
        scoped.throttles,
        if scoped.unread.is_empty() {
            ".".to_string()
        } else {
            format!(
                "; not read: {}.",
                scoped
                    .unread
                    .iter()
                    .map(unread_label)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    )
}

/// The inventory CSV with `account` and `region` columns first.
fn scoped_csv(scoped: &ScopedInventory) -> anyhow::Result<String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header_written = false;
    for (scope, inv) in &scoped.read {
        let text = super::inventory::render(inv, Format::Csv)?;
        let mut r = ::csv::Reader::from_reader(text.as_bytes());
        if !header_written {
            let mut header = vec!["account".to_string(), "region".to_string()];
            header.extend(r.headers()?.iter().map(str::to_string));
            w.write_record(&header)?;
            header_written = true;
        }
        for row in r.records() {
            let row = row?;
            let mut out = vec![scope.account.as_str(), scope.region.as_str()];
            out.extend(row.iter());
            w.write_record(&out)?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The account and region of a key ARN ("-" when it is not an ARN).
fn account_region(key: &str) -> (&str, &str) {
    Arn::parse(key).map_or(("-", "-"), |a| (a.account, a.region))
}

/// `grantscope report` across scopes: the audit over every scope read, with account and
/// region columns; the exit status of `report`, or 2 for the scopes (`unread_status`).
pub async fn report(
    opts: &AwsOptions,
    spec: &ScopeSpec,
    args: &ScopeArgs,
    format: Format,
    cfg: &crate::audit::AuditConfig,
    fail_on: crate::audit::Severity,
) -> anyhow::Result<u8> {
    let scoped = read(opts, spec, args.quiet).await?;
    tell_unread(&scoped);
    let inv: Inventory = scoped.merged();
    let report = crate::audit::audit(&inv, cfg);
    let text = match format {
        Format::Json => {
            let mut v = serde_json::to_value(&report)?;
            v["scopes"] = serde_json::json!({
                "read": scoped.read.iter().map(|(s, _)| s).collect::<Vec<_>>(),
                "unread": scoped.unread,
                "requests": scoped.requests,
                "throttles": scoped.throttles,
            });
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Csv => {
            let mut w = ::csv::Writer::from_writer(Vec::new());
            w.write_record([
                "account", "region", "rule", "severity", "key", "grant_id", "grantee", "reason",
                "action",
            ])?;
            for f in &report.findings {
                let (account, region) = account_region(&f.key);
                w.write_record([
                    account,
                    region,
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
        Format::Table => {
            let mut out = String::new();
            if !report.findings.is_empty() {
                let _ = writeln!(
                    out,
                    "{:<12} {:<14} {:<8} {:<22} {:<8} REASON",
                    "ACCOUNT", "REGION", "SEVERITY", "RULE", "GRANT"
                );
            }
            for f in &report.findings {
                let (account, region) = account_region(&f.key);
                let grant: String = f
                    .grant_id
                    .as_deref()
                    .unwrap_or("-")
                    .chars()
                    .take(8)
                    .collect();
                let _ = writeln!(
                    out,
                    "{account:<12} {region:<14} {:<8} {:<22} {grant:<8} {}",
                    f.severity.as_str(),
                    f.rule.id(),
                    f.reason()
                );
            }
            let _ = writeln!(
                out,
                "\n{} over {} and {}.",
                count(report.summary.findings, "finding"),
                count(report.summary.keys, "key"),
                count(report.summary.grants, "grant")
            );
            let _ = writeln!(out, "{}", summary_line(&scoped));
            out
        }
    };
    super::emit(&text)?;
    Ok(unread_status(&scoped, args.fail_on_unread)
        .unwrap_or_else(|| super::report::exit_status(&report, fail_on)))
}

/// What `report` across scopes was asked (the audit flags as `report` takes them).
pub struct ScopedReport<'a> {
    pub aws: AwsOptions,
    pub spec: ScopeSpec,
    pub args: &'a ScopeArgs,
    pub format: Format,
    pub fail_on: &'a str,
    pub older_than: Option<&'a str>,
    pub unused_for: Option<&'a str>,
    pub trusted_accounts: &'a [String],
    pub config: Option<&'a std::path::Path>,
}

/// Run `report` across scopes; the exit status (errors: 2, said on stderr).
pub fn run_report(r: ScopedReport<'_>) -> u8 {
    let run = || -> anyhow::Result<u8> {
        let fail_on = crate::audit::Severity::parse(r.fail_on).ok_or_else(|| {
            anyhow::anyhow!(
                "--fail-on {:?}: expected info, low, medium or high",
                r.fail_on
            )
        })?;
        let cfg =
            super::report::audit_config(r.config, r.older_than, r.unused_for, r.trusted_accounts)
                .map_err(anyhow::Error::msg)?;
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(report(&r.aws, &r.spec, r.args, r.format, &cfg, fail_on))
    };
    run().unwrap_or_else(|e| {
        eprintln!("grantscope report: {e:#}");
        2
    })
}

/// Run `inventory` across scopes; the exit status (errors: 2, said on stderr).
pub fn run_inventory(aws: AwsOptions, spec: ScopeSpec, args: &ScopeArgs, format: Format) -> u8 {
    let run = || -> anyhow::Result<u8> {
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(inventory(&aws, &spec, args, format))
    };
    run().unwrap_or_else(|e| {
        eprintln!("grantscope inventory: {e:#}");
        2
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;

    fn inv() -> Inventory {
        Inventory {
            backend: "aws".into(),
            account: "111111111111".into(),
            region: "eu-west-1".into(),
            generated_at: 0.0,
            usage: crate::kms::inventory::UsageSource::None,
            principals: None,
            keys: Vec::new(),
        }
    }

    fn scope(a: &str) -> Scope {
        Scope {
            account: a.into(),
            region: "eu-west-1".into(),
        }
    }

    #[test]
    fn nothing_read_is_exit_2_and_some_unread_only_with_the_flag() {
        let unread = Unread {
            account: "222222222222".into(),
            region: None,
            why: "AssumeRole: AccessDenied".into(),
        };
        let none = ScopedInventory {
            unread: vec![unread.clone()],
            ..Default::default()
        };
        assert_eq!(unread_status(&none, false), Some(2));
        let some = ScopedInventory {
            read: vec![(scope("111111111111"), inv())],
            unread: vec![unread],
            ..Default::default()
        };
        assert_eq!(unread_status(&some, false), None);
        assert_eq!(unread_status(&some, true), Some(2));
        let line = summary_line(&some);
        assert!(
            line.contains("Read 1 of 2 scopes") && line.contains("not read: 222222222222/*"),
            "{line}"
        );
    }

    #[test]
    fn key_arns_give_the_account_and_region_columns() {
        assert_eq!(
            account_region(
                "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
            ),
            ("222222222222", "eu-west-1")
        );
        assert_eq!(account_region("1234abcd"), ("-", "-"));
    }
}
