//! The simulator's inventory: the home account's keys with aliases, state and grants as
//! ListGrants shows them, the principals that exist, and each grant's last use.

use crate::kms::ids::display_name;
use crate::kms::inventory::{Inventory, InventoryGrant, InventoryKey, UsageSource};

use super::grants::grant_entry;
use super::world::{PrincipalRef, World};
use crate::kms::time::epoch_seconds;

/// The inventory of the world's home account.
pub fn inventory(world: &World) -> Inventory {
    inventory_chunk(world, None, usize::MAX).0
}

/// At most `limit` keys of the home account after key slot `after` (none: from the first;
/// a slot is a key id, region-qualified for a multi-Region key: `regions.rs`), in slot
/// order, and the slot the next chunk starts after (none: no keys are left). The
/// principals known to exist come with the first chunk only. A chunk is never smaller than
/// an eighth of the world's keys: each chunk reads the aliases once, and a bounded number
/// of chunks keeps a whole inventory linear in keys + aliases.
pub fn inventory_chunk(
    world: &World,
    after: Option<&str>,
    limit: usize,
) -> (Inventory, Option<String>) {
    use std::ops::Bound::{Excluded, Unbounded};
    let account = world.home_account().cloned();
    let aliases = world.alias_names_by_key();
    let start = after.map_or(Unbounded, |a| Excluded(a.to_string()));
    let mut home_keys = world
        .keys
        .range((start, Unbounded))
        .filter(|(_, k)| Some(&k.account) == account.as_ref());
    let limit = limit.max(world.keys.len().div_ceil(8)).max(1);
    let chunk: Vec<_> = home_keys.by_ref().take(limit).collect();
    let next = match (home_keys.next(), chunk.last()) {
        (Some(_), Some((slot, _))) => Some(slot.to_string()),
        _ => None,
    };
    let keys = chunk
        .into_iter()
        .map(|(_, k)| InventoryKey {
            key_id: k.id.clone(),
            arn: k.arn.clone(),
            aliases: aliases
                .get(k.slot().as_ref())
                .map(|a| a.iter().map(|n| n.to_string()).collect())
                .unwrap_or_default(),
            state: k.state,
            manager: k.manager,
            description: k.description.clone(),
            creation_date: Some(epoch_seconds(k.created)),
            grants: world
                .listed_grants_of(&k.slot())
                .map(|g| InventoryGrant {
                    entry: grant_entry(world, g, &k.arn),
                    grantee_name: name_of(world, &g.grantee),
                    retiring_name: g.retiring.as_ref().map(|r| name_of(world, r)),
                    last_used: g.last_used.map(epoch_seconds),
                    evidence: None,
                })
                .collect(),
            unreadable: vec![],
        })
        .collect();
    let inventory = Inventory {
        backend: "simulator".to_string(),
        account: account.map(|a| a.to_string()).unwrap_or_default(),
        region: world.region.clone(),
        generated_at: epoch_seconds(world.now()),
        usage: UsageSource::Grants,
        principals: after
            .is_none()
            .then(|| world.principals.values().map(|p| p.arn.clone()).collect()),
        keys,
    };
    (inventory, next)
}

fn name_of(world: &World, r: &PrincipalRef) -> String {
    display_name(&world.principal_display(r))
}
