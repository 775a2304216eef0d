//! Audit thresholds and the trusted-accounts allow-list: defaults, an optional TOML config
//! file, and command-line flags on top.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    /// `old`: grants older than this.
    pub older_than: Duration,
    /// `unused`: not used for this long.
    pub unused_for: Duration,
    /// `cross-account`: accounts whose principals may hold grants without a finding.
    pub trusted_accounts: Vec<String>,
    /// `near-quota`: a key holding at least this many grants (of 50,000).
    pub near_quota: usize,
    /// `orphaned-grantee`: grants younger than this are skipped (new principals briefly show
    /// unique ids too).
    pub orphan_grace: Duration,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            older_than: Duration::from_secs(90 * 86_400),
            unused_for: Duration::from_secs(30 * 86_400),
            trusted_accounts: Vec::new(),
            near_quota: 45_000,
            orphan_grace: Duration::from_secs(5 * 60),
        }
    }
}

/// The config file: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    older_than: Option<String>,
    unused_for: Option<String>,
    #[serde(default)]
    trusted_accounts: Vec<String>,
    near_quota: Option<usize>,
    orphan_grace: Option<String>,
    /// Which accounts and regions to read: `scope::ScopeSection` reads it.
    #[serde(default)]
    #[allow(dead_code)]
    scope: Option<toml::Value>,
}

/// A threshold as written in `field` (a config key or a flag), at most 100 years.
fn duration(field: &str, text: &str) -> Result<Duration, String> {
    crate::kms::time::parse_duration(text).map_err(|e| format!("{field}: {e}"))
}

impl AuditConfig {
    /// Read a TOML config file over the defaults.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text =
            crate::files::read_regular(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| {
            format!(
                "{}: {}",
                path.display(),
                crate::files::toml_error_at(&e, &text)
            )
        })?;
        let mut cfg = Self::default();
        let at = |r: Result<Duration, String>| r.map_err(|e| format!("{}: {e}", path.display()));
        if let Some(t) = &file.older_than {
            cfg.older_than = at(duration("older_than", t))?;
        }
        if let Some(t) = &file.unused_for {
            cfg.unused_for = at(duration("unused_for", t))?;
        }
        if let Some(t) = &file.orphan_grace {
            cfg.orphan_grace = at(duration("orphan_grace", t))?;
        }
        if let Some(n) = file.near_quota {
            cfg.near_quota = n;
        }
        cfg.trusted_accounts = file.trusted_accounts;
        for a in &cfg.trusted_accounts {
            if crate::kms::AccountId::parse(a).is_none() {
                return Err(format!(
                    "{}: trusted_accounts: {a:?} is not a 12-digit account id",
                    path.display()
                ));
            }
        }
        Ok(cfg)
    }

    /// Apply command-line overrides.
    pub fn with_flags(
        mut self,
        older_than: Option<&str>,
        unused_for: Option<&str>,
        trusted: &[String],
    ) -> Result<Self, String> {
        if let Some(t) = older_than {
            self.older_than = duration("--older-than", t)?;
        }
        if let Some(t) = unused_for {
            self.unused_for = duration("--unused-for", t)?;
        }
        for a in trusted {
            if crate::kms::AccountId::parse(a).is_none() {
                return Err(format!(
                    "--trusted-account {a:?} is not a 12-digit account id"
                ));
            }
            self.trusted_accounts.push(a.clone());
        }
        Ok(self)
    }
}
