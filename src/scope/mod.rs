//! Scopes: the account-regions organization-wide work reads. A [`ScopeSpec`] says which
//! accounts (`--accounts ID,ID|org`) and regions (`--regions R1,R2|all`), and how to get
//! into each account (`--role-name`, `--external-id`, `--role-session-name`), from flags
//! or the `[scope]` section of the config file. `discover.rs` turns it into a list of
//! [`Scope`]s (asking Organizations and Account, never a list compiled in),
//! `credentials.rs` gets each account's credentials through STS AssumeRole, and
//! `scheduler.rs` reads every scope in parallel, each held to its own request rate.
//!
//! Layers: this sits beside the AWS backend and uses it (`backend::aws`); the CLI
//! (`cli::scoped`) and the UI (through `backend.rs`, a `Backend` across scopes) use this.

pub mod backend;
pub mod credentials;
pub mod discover;
pub mod rates;
pub mod scheduler;

use serde::Deserialize;

/// The role AWS Organizations creates in the accounts it creates.
pub const DEFAULT_ROLE_NAME: &str = "OrganizationAccountAccessRole";
/// The session name AssumeRole is called with unless told otherwise.
pub const DEFAULT_SESSION_NAME: &str = "grantscope";

pub use crate::backend::Scope;

/// Which accounts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Accounts {
    /// The caller's own account only.
    #[default]
    Caller,
    List(Vec<String>),
    /// Every account of the organization (Organizations ListAccounts).
    Organization,
}

/// Which regions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Regions {
    /// The caller's configured region only.
    #[default]
    Configured,
    List(Vec<String>),
    /// The regions enabled for each account (Account ListRegions).
    Enabled,
}

/// What to read and how to get in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeSpec {
    pub accounts: Accounts,
    pub regions: Regions,
    pub role_name: String,
    pub external_id: Option<String>,
    pub session_name: String,
    /// Requests per second per account-region by operation, over the defaults.
    pub rates: Vec<(crate::kms::ApiOperation, u32)>,
    /// An endpoint URL per region (`--region-endpoint R=URL`), for KMS in that region;
    /// other regions use the configured endpoint (or AWS's).
    pub region_endpoints: Vec<(String, String)>,
}

impl Default for ScopeSpec {
    fn default() -> Self {
        Self {
            accounts: Accounts::Caller,
            regions: Regions::Configured,
            role_name: DEFAULT_ROLE_NAME.to_string(),
            external_id: None,
            session_name: DEFAULT_SESSION_NAME.to_string(),
            rates: Vec::new(),
            region_endpoints: Vec::new(),
        }
    }
}

impl ScopeSpec {
    /// Does this spec ask for more than the caller's account in its region?
    pub fn is_wide(&self) -> bool {
        self.accounts != Accounts::Caller || self.regions != Regions::Configured
    }
}

/// `--accounts`: `org`, or account ids separated by commas.
pub fn parse_accounts(text: &str) -> Result<Accounts, String> {
    if text.trim() == "org" {
        return Ok(Accounts::Organization);
    }
    let ids: Vec<String> = text
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err("--accounts: expected org or account ids (ID,ID)".into());
    }
    if let Some(bad) = ids
        .iter()
        .find(|id| crate::kms::AccountId::parse(id).is_none())
    {
        return Err(format!(
            "--accounts: {bad:?} is not an account id (12 digits)"
        ));
    }
    Ok(Accounts::List(ids))
}

/// `--regions`: `all`, or region names separated by commas.
pub fn parse_regions(text: &str) -> Result<Regions, String> {
    if text.trim() == "all" {
        return Ok(Regions::Enabled);
    }
    let names: Vec<String> = text
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if names.is_empty() {
        return Err("--regions: expected all or region names (R1,R2)".into());
    }
    if let Some(bad) = names.iter().find(|r| {
        !r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }) {
        return Err(format!("--regions: {bad:?} is not a region name"));
    }
    Ok(Regions::List(names))
}

/// `--rate OPERATION=N`: a request rate per account-region over AWS's default.
pub fn parse_rate(text: &str) -> Result<(crate::kms::ApiOperation, u32), String> {
    let (op, n) = text
        .split_once('=')
        .ok_or_else(|| format!("--rate {text:?}: expected OPERATION=N (ListGrants=50)"))?;
    let op: crate::kms::ApiOperation = op
        .trim()
        .parse()
        .map_err(|_| format!("--rate {text:?}: {op:?} is not a KMS operation"))?;
    let n: u32 = n.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
        format!("--rate {text:?}: N must be a positive number of requests per second")
    })?;
    Ok((op, n))
}

/// `--region-endpoint REGION=URL`.
pub fn parse_region_endpoint(text: &str) -> Result<(String, String), String> {
    let (region, url) = text
        .split_once('=')
        .ok_or_else(|| format!("--region-endpoint {text:?}: expected REGION=URL"))?;
    match parse_regions(region)? {
        Regions::List(r) if r.len() == 1 && url.starts_with("http") => {
            Ok((r[0].clone(), url.to_string()))
        }
        _ => Err(format!(
            "--region-endpoint {text:?}: expected one region and an http(s) URL"
        )),
    }
}

/// The `[scope]` section of the config file (`--config`); flags win over it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSection {
    pub accounts: Option<StringOrList>,
    pub regions: Option<StringOrList>,
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    #[serde(default)]
    pub rates: std::collections::BTreeMap<String, u32>,
}

/// `"org"` or `["111122223333", ...]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    One(String),
    Many(Vec<String>),
}

impl StringOrList {
    fn joined(&self) -> String {
        match self {
            Self::One(s) => s.clone(),
            Self::Many(v) => v.join(","),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct FileWithScope {
    #[serde(default)]
    scope: Option<ScopeSection>,
}

impl ScopeSection {
    /// The `[scope]` section of a TOML config file (absent: empty).
    pub fn from_file(path: &std::path::Path) -> Result<Self, String> {
        let text =
            crate::files::read_regular(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value: toml::Value = toml::from_str(&text).map_err(|e| {
            format!(
                "{}: {}",
                path.display(),
                crate::files::toml_error_at(&e, &text)
            )
        })?;
        let only_scope = toml::Value::Table(
            value
                .as_table()
                .and_then(|t| t.get("scope"))
                .map(|s| {
                    let mut t = toml::map::Map::new();
                    t.insert("scope".into(), s.clone());
                    t
                })
                .unwrap_or_default(),
        );
        let file: FileWithScope = only_scope
            .try_into()
            .map_err(|e| format!("{}: [scope]: {e}", path.display()))?;
        Ok(file.scope.unwrap_or_default())
    }

    /// The spec of this section with `flags` over it.
    pub fn merge(self, flags: ScopeFlags) -> Result<ScopeSpec, String> {
        let mut spec = ScopeSpec::default();
        if let Some(a) = flags.accounts.or(self.accounts.map(|a| a.joined())) {
            spec.accounts = parse_accounts(&a)?;
        }
        if let Some(r) = flags.regions.or(self.regions.map(|r| r.joined())) {
            spec.regions = parse_regions(&r)?;
        }
        if let Some(r) = flags.role_name.or(self.role_name) {
            spec.role_name = r;
        }
        spec.external_id = flags.external_id.or(self.external_id);
        if let Some(s) = flags.role_session_name.or(self.role_session_name) {
            spec.session_name = s;
        }
        for (op, n) in &self.rates {
            spec.rates.push(parse_rate(&format!("{op}={n}"))?);
        }
        for r in &flags.rates {
            spec.rates.push(parse_rate(r)?);
        }
        for e in &flags.region_endpoints {
            spec.region_endpoints.push(parse_region_endpoint(e)?);
        }
        Ok(spec)
    }
}

/// The scope flags as given (strings, parsed by `merge`).
#[derive(Debug, Clone, Default)]
pub struct ScopeFlags {
    pub accounts: Option<String>,
    pub regions: Option<String>,
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    pub rates: Vec<String>,
    pub region_endpoints: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_regions_parse_from_their_flags() {
        assert_eq!(parse_accounts("org"), Ok(Accounts::Organization));
        assert_eq!(
            parse_accounts("111122223333, 444455556666"),
            Ok(Accounts::List(vec![
                "111122223333".into(),
                "444455556666".into()
            ]))
        );
        assert!(parse_accounts("1234").is_err());
        assert!(parse_accounts(",").is_err());
        assert_eq!(parse_regions("all"), Ok(Regions::Enabled));
        assert_eq!(
            parse_regions("eu-west-1,us-east-1"),
            Ok(Regions::List(vec!["eu-west-1".into(), "us-east-1".into()]))
        );
        assert!(parse_regions("EU West").is_err());
        assert_eq!(
            parse_rate("ListGrants=50"),
            Ok((crate::kms::ApiOperation::ListGrants, 50))
        );
        for bad in ["ListGrants", "Nope=5", "ListGrants=0", "ListGrants=x"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_region_endpoint("us-east-1=http://127.0.0.1:4599"),
            Ok(("us-east-1".into(), "http://127.0.0.1:4599".into()))
        );
        assert!(parse_region_endpoint("us-east-1").is_err());
        assert!(parse_region_endpoint("all=http://x").is_err());
    }

    #[test]
    fn the_config_section_is_read_and_flags_win_over_it() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("grantscope.toml");
        std::fs::write(
            &path,
            "older_than = \"30d\"\n[scope]\naccounts = \"org\"\nregions = [\"eu-west-1\", \"us-east-1\"]\nrole_name = \"Auditor\"\nexternal_id = \"x-1\"\n[scope.rates]\nListGrants = 20\n",
        )
        .expect("write");
        let section = ScopeSection::from_file(&path).expect("read");
        let spec = section
            .merge(ScopeFlags {
                regions: Some("all".into()),
                ..ScopeFlags::default()
            })
            .expect("merged");
        assert_eq!(spec.accounts, Accounts::Organization);
        assert_eq!(spec.regions, Regions::Enabled);
        assert_eq!(spec.role_name, "Auditor");
        assert_eq!(spec.external_id.as_deref(), Some("x-1"));
        assert_eq!(spec.session_name, DEFAULT_SESSION_NAME);
        assert_eq!(spec.rates, [(crate::kms::ApiOperation::ListGrants, 20)]);
        std::fs::write(&path, "[scope]\nrole = \"typo\"\n").expect("write");
        assert!(ScopeSection::from_file(&path).unwrap_err().contains("role"));
    }
}
