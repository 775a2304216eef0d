//! `grantscope credentials`: an AWS shared-credentials file with one profile per principal
//! of a simulator world (profile name = principal name), with the region and the endpoint
//! of `grantscope serve`, so the AWS CLI and SDKs work with `--profile NAME`; and a
//! `[default]` profile for the administrator (the one the UI acts as), so commands
//! without `--profile`, as the walkthrough types them, work too.
//!
//! The file holds secret access keys, so `--output FILE` writes it readable by its owner
//! only (0600) and never widens that, and printing it to a terminal says so on stderr.

use std::fmt::Write;
use std::io::{IsTerminal, Write as _};
use std::path::Path;

use crate::sim::World;

/// Render the credentials file. Principals of other accounts get `NAME@ACCOUNT` profiles
/// when their plain name is already taken.
pub fn render(world: &World, scenario: &str, endpoint_url: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# AWS shared credentials for the grantscope KMS simulator (scenario {scenario}, region {}).",
        world.region
    );
    let _ = writeln!(
        out,
        "# These keys exist only in the simulator. Use them with:\n#   export AWS_SHARED_CREDENTIALS_FILE=/path/to/this/file\n#   aws --profile NAME kms list-keys   (endpoint_url below points at grantscope serve)"
    );
    let _ = writeln!(
        out,
        "# Each profile's region is the world's default; the same endpoint serves every AWS\n# commercial Region, each with its own keys: add --region NAME for another."
    );
    let section = |out: &mut String, profile: &str, p: &crate::sim::world::Principal| {
        let Some(key) = p.access_keys.first() else {
            return;
        };
        let _ = writeln!(out, "\n# {} ({})", p.arn, p.unique_id);
        let _ = writeln!(out, "[{profile}]");
        let _ = writeln!(out, "aws_access_key_id = {}", key.access_key_id);
        let _ = writeln!(out, "aws_secret_access_key = {}", key.secret_access_key);
        let _ = writeln!(out, "region = {}", world.region);
        let _ = writeln!(out, "endpoint_url = {endpoint_url}");
    };
    let admin = crate::backend::sim::default_operator(world)
        .and_then(|arn| world.principals.values().find(|p| p.arn == arn));
    let named_default = world.principals.values().any(|p| p.name == "default");
    if let (Some(admin), false) = (admin, named_default) {
        section(&mut out, "default", admin);
    }
    let mut used = std::collections::BTreeSet::new();
    let mut principals: Vec<_> = world.principals.values().collect();
    principals.sort_by_key(|p| {
        (
            p.account != *world.home_account().unwrap_or(&p.account),
            p.name.clone(),
        )
    });
    for p in principals {
        if p.access_keys.is_empty() {
            continue;
        }
        let profile = if used.contains(&p.name) {
            format!("{}@{}", p.name, p.account)
        } else {
            p.name.clone()
        };
        used.insert(profile.clone());
        section(&mut out, &profile, p);
    }
    out
}

/// The profile names `render` writes, in order.
pub fn profile_names(world: &World) -> Vec<String> {
    render(world, "", "")
        .lines()
        .filter_map(|l| l.strip_prefix('[').and_then(|l| l.strip_suffix(']')))
        .map(str::to_string)
        .collect()
}

/// Print the credentials on stdout; when stdout is a terminal, first say on stderr that
/// what follows is secret (redirected or piped, nothing is added).
pub fn print(text: &str) -> std::io::Result<()> {
    if std::io::stdout().is_terminal() {
        eprintln!(
            "grantscope credentials: printing credentials (secret access keys) to the terminal; \
             --output FILE writes them to a file only you can read"
        );
    }
    super::emit(text)
}

/// Why `--output FILE` was not written.
#[derive(Debug, thiserror::Error)]
#[error("--output {path}: {reason}")]
pub struct OutputError {
    pub path: String,
    pub reason: String,
}

/// Write the credentials to `path` with mode 0600: into a new temporary file in the same
/// directory (created 0600, so the secrets are never readable by others, not even for a
/// moment), then renamed over `path`. An existing regular file is replaced, so its old
/// mode is never kept; a symbolic link at `path` is replaced, not followed; anything else
/// (a directory, a FIFO, a device) is refused.
pub fn write_file(path: &Path, text: &str) -> Result<(), OutputError> {
    let fail = |reason: String| OutputError {
        path: path.display().to_string(),
        reason,
    };
    crate::files::check_regular_or_absent(path).map_err(|e| fail(e.to_string()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".grantscope-credentials-")
        .tempfile_in(dir)
        .map_err(|e| fail(format!("cannot create a file in {}: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile creates 0600 already; say it here too, where it matters.
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| fail(e.to_string()))?;
    }
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| fail(e.to_string()))?;
    tmp.persist(path).map_err(|e| fail(e.error.to_string()))?;
    Ok(())
}
