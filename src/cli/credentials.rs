//! `grantscope credentials`: an AWS shared-credentials file with one profile per principal
//! of a simulator world (profile name = principal name), with the region and the endpoint
//! of `grantscope serve`, so the AWS CLI and SDKs work with `--profile NAME`; and a
//! `[default]` profile for the administrator (the one the UI acts as), so commands
//! without `--profile`, as the walkthrough types them, work too.

use std::fmt::Write;

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
