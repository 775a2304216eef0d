//! A plain-text summary of a simulator world: accounts, principals, keys and grant counts.
//! What `grantscope` prints when asked for `--summary` (and, until the TUI, by default).

use std::fmt::Write;

use crate::sim::World;

/// Describe the world for a person reading a terminal.
pub fn describe(world: &World) -> String {
    let mut out = String::new();
    let delay = world.propagation_delay;
    let _ = writeln!(
        out,
        "grantscope simulator, region {}, grant propagation delay {}",
        world.region,
        humantime::format_duration(delay)
    );
    for a in &world.accounts {
        let _ = writeln!(out, "\naccount {} ({})", a.id, a.name);
        let _ = writeln!(out, "  principals:");
        for p in world.principals.values().filter(|p| p.account == a.id) {
            let policies: Vec<&str> = p.policies.iter().map(|x| x.name.as_str()).collect();
            let _ = writeln!(
                out,
                "    {:<5} {:<20} {}  {}  policies: {}",
                p.kind.as_str(),
                p.name,
                p.unique_id,
                p.arn,
                if policies.is_empty() {
                    "none".to_string()
                } else {
                    policies.join(", ")
                }
            );
        }
        let _ = writeln!(out, "  keys:");
        let by_key = world.alias_names_by_key();
        for k in world.keys.values().filter(|k| k.account == a.id) {
            let aliases: Vec<&str> = by_key.get(k.id.as_str()).cloned().unwrap_or_default();
            let _ = writeln!(
                out,
                "    {}  {:<15} {:<18} grants: {:<6} {}",
                k.id,
                k.state.as_str(),
                k.spec.as_str(),
                world.listed_grant_count(&k.id),
                aliases.join(", ")
            );
        }
    }
    out
}
