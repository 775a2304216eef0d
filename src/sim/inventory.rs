//! The simulator's inventory: the home account's keys with aliases, state and grants as
//! ListGrants shows them, the principals that exist, and each grant's last use.

use crate::kms::ids::display_name;
use crate::kms::inventory::{Inventory, InventoryGrant, InventoryKey, UsageSource};

use super::grants::grant_entry;
use super::world::{PrincipalRef, World};
use crate::kms::time::epoch_seconds;

/// The inventory of the world's home account.
pub fn inventory(world: &World) -> Inventory {
    let account = world.home_account().cloned();
    let aliases = world.alias_names_by_key();
    let keys = world
        .keys
        .values()
        .filter(|k| Some(&k.account) == account.as_ref())
        .map(|k| InventoryKey {
            key_id: k.id.clone(),
            arn: k.arn.clone(),
            aliases: aliases
                .get(k.id.as_str())
                .map(|a| a.iter().map(|n| n.to_string()).collect())
                .unwrap_or_default(),
            state: k.state,
            manager: k.manager,
            description: k.description.clone(),
            creation_date: Some(epoch_seconds(k.created)),
            grants: world
                .listed_grants_of(&k.id)
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
    Inventory {
        backend: "simulator".to_string(),
        account: account.map(|a| a.to_string()).unwrap_or_default(),
        region: world.region.clone(),
        generated_at: epoch_seconds(world.now()),
        usage: UsageSource::Grants,
        principals: Some(world.principals.values().map(|p| p.arn.clone()).collect()),
        keys,
    }
}

fn name_of(world: &World, r: &PrincipalRef) -> String {
    display_name(&world.principal_display(r))
}
