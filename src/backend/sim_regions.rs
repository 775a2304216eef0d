//! Regions for the simulator backend: the UI lists the keys of every region the world
//! holds keys in (ListKeys in each, as a person with one profile and `--region` would),
//! and a call about a key is made in that key's region (the UI names keys by ARN), so an
//! action on a us-east-1 key from a world whose default region is eu-west-1 reaches it.
//! Callers of calls that name no key act in the world's default region.

use crate::kms::api::ListKeysRequest;
use crate::kms::{KeyRef, KmsResult};
use crate::sim::{Caller, Simulator};

use super::KeySummary;

/// The region a key reference names, if it is an ARN.
pub fn region_of(key: &KeyRef) -> Option<&str> {
    match key {
        KeyRef::KeyArn { region, .. } | KeyRef::AliasArn { region, .. } => Some(region),
        KeyRef::Id(_) | KeyRef::AliasName(_) => None,
    }
}

/// `caller`, calling in the region `key` names (else as it is).
pub fn caller_for_key(caller: Caller, key: &KeyRef) -> Caller {
    match region_of(key) {
        Some(region) => caller.in_region(region),
        None => caller,
    }
}

/// Every key `caller` lists, region by region (the world's default region first), as
/// the keys pane shows them.
pub fn list_all_regions(s: &mut Simulator, caller: &Caller) -> KmsResult<Vec<KeySummary>> {
    let default = s.world().region.clone();
    let mut regions = s.world().regions_in_use();
    regions.sort_by_key(|r| *r != default);
    let mut slots = Vec::new();
    for region in regions {
        let caller = caller.clone().in_region(region.as_str());
        let mut marker = None;
        loop {
            let page = s.list_keys(
                &caller,
                ListKeysRequest {
                    limit: Some(1000),
                    marker,
                },
            )?;
            slots.extend(
                page.keys
                    .into_iter()
                    .map(|k| crate::sim::regions::key_slot(&region, &k.key_id).into_owned()),
            );
            if !page.truncated || page.next_marker.is_none() {
                break;
            }
            marker = page.next_marker;
        }
    }
    let w = s.world();
    let aliases = w.alias_names_by_key();
    Ok(slots
        .iter()
        .filter_map(|slot| w.keys.get(slot).map(|k| (slot, k)))
        .map(|(slot, k)| {
            let mut names: Vec<String> = aliases
                .get(slot.as_str())
                .map(|v| v.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default();
            names.sort();
            KeySummary {
                key_id: k.id.clone(),
                arn: k.arn.clone(),
                aliases: names,
                description: k.description.clone(),
                state: k.state,
                spec: k.spec,
                usage: k.usage.as_str().to_string(),
                manager: k.manager.as_str().to_string(),
                created: k.created,
                deletion_date: k.deletion_date,
                grant_count: w.listed_grant_count(slot),
                multi_region: k.multi_region.as_ref().map(|c| c.describe(k)),
            }
        })
        .collect())
}
