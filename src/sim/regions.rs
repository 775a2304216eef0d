//! Regions in one world: which regions the simulator serves, and where keys and aliases
//! live. AWS KMS is a regional service ("AWS KMS keys are Regional resources", KMS API
//! Reference, `ListKeys`: "Gets a list of all KMS keys in the caller's AWS account and
//! Region"); IAM is global. So one world holds every region's keys, aliases and grants,
//! and its principals and policies once.
//!
//! Decisions (AWS documents nothing of a simulator's storage):
//! - The world's `region` is its *default* region: the one the UI, lessons and
//!   in-process callers without a region act in, and the one scenarios put keys in when
//!   a key names none. Old snapshots (every key in that region) load unchanged.
//! - Served regions: the `aws` partition's Regions, as the AWS SDK's endpoint partition
//!   data lists them (`assets/regions/aws-partition.json`, copied from aws-sdk-kms's
//!   `endpoint_lib.rs`), plus the world's default region (a scenario may name a made-up
//!   one). Any other region is refused at the signature check, as AWS refuses a request
//!   signed for a region the endpoint does not serve.
//! - A key's region is the one its ARN names. Its *slot* (its name in `World::keys`,
//!   `Grant::key_id`, `Alias::target_key_id` and the indexes) is its key id, because
//!   single-Region key ids are random UUIDs, unique across regions; only the related keys
//!   of a multi-Region key share an id ("The related multi-Region keys have the same key
//!   ID"), so a multi-Region key's slot is `mrk-...@REGION`. A lookup by (region, id) is
//!   one map lookup either way.
//! - An alias is in its target key's region ("The alias and its associated KMS key must be
//!   in the same account and Region", CreateAlias). Its slot is `ACCOUNT/alias/NAME` in the
//!   default region (as before) and `REGION/ACCOUNT/alias/NAME` elsewhere, so the names
//!   are unique per account and region and one region's aliases are one ordered range.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::world::{Key, World};
use crate::kms::ids::is_multi_region_key_id;

#[derive(Deserialize)]
struct PartitionFile {
    regions: BTreeMap<String, String>,
}

/// The `aws` partition's regions and their descriptions.
fn partition() -> &'static BTreeMap<String, String> {
    static REGIONS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    REGIONS.get_or_init(|| {
        // The file is compiled in and parsed by a test (`partition_data_parses`); should
        // it ever not parse, no commercial region is served beyond the world's own.
        serde_json::from_str::<PartitionFile>(include_str!(
            "../../assets/regions/aws-partition.json"
        ))
        .map(|f| f.regions)
        .unwrap_or_default()
    })
}

/// Is `region` one of AWS's commercial (`aws` partition) Regions?
pub fn is_commercial(region: &str) -> bool {
    partition().contains_key(region)
}

/// Every commercial region, in name order.
pub fn commercial() -> impl Iterator<Item = &'static str> {
    partition().keys().map(String::as_str)
}

/// The slot a key with `id` has in `region` (see the module comment).
pub fn key_slot<'a>(region: &str, id: &'a str) -> Cow<'a, str> {
    if is_multi_region_key_id(id) {
        Cow::Owned(format!("{id}@{region}"))
    } else {
        Cow::Borrowed(id)
    }
}

/// The key id a slot stands for.
pub fn slot_key_id(slot: &str) -> &str {
    slot.split_once('@').map_or(slot, |(id, _)| id)
}

impl Key {
    /// The region this key is in: the one its ARN names.
    pub fn region(&self) -> &str {
        self.arn.split(':').nth(3).unwrap_or_default()
    }

    /// This key's name in the world's maps and indexes.
    pub fn slot(&self) -> Cow<'_, str> {
        key_slot(self.region(), &self.id)
    }
}

impl World {
    /// Does this world answer requests signed for `region`?
    pub fn serves_region(&self, region: &str) -> bool {
        region == self.region || is_commercial(region)
    }

    /// The key with `id` in `region`, if there is one. One map lookup.
    pub fn key_in(&self, region: &str, id: &str) -> Option<&Key> {
        self.keys
            .get(key_slot(region, id).as_ref())
            .filter(|k| k.region() == region)
    }

    /// The slot of alias `name` of `account` in `region`.
    pub fn alias_slot_in(&self, region: &str, account: &str, name: &str) -> String {
        if region == self.region {
            format!("{account}/{name}")
        } else {
            format!("{region}/{account}/{name}")
        }
    }

    /// The prefix every alias slot of `account` in `region` starts with.
    pub fn alias_prefix_in(&self, region: &str, account: &str) -> String {
        self.alias_slot_in(region, account, "")
    }

    /// The region an alias slot is in.
    pub fn alias_slot_region<'a>(&'a self, slot: &'a str) -> &'a str {
        match slot.split_once('/') {
            Some((first, _)) if !first.bytes().all(|b| b.is_ascii_digit()) => first,
            _ => &self.region,
        }
    }

    /// The regions this world holds keys in, with its default region, in name order.
    /// Looks at every key: for views built once per refresh, not for per-request paths.
    pub fn regions_in_use(&self) -> Vec<String> {
        let mut set: std::collections::BTreeSet<&str> =
            self.keys.values().map(Key::region).collect();
        set.insert(&self.region);
        set.into_iter().map(str::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_data_parses_and_holds_the_commercial_regions() {
        assert!(is_commercial("us-east-1"));
        assert!(is_commercial("eu-west-1"));
        assert!(is_commercial("ap-southeast-2"));
        assert!(
            !is_commercial("aws-global"),
            "a pseudo-region is not served"
        );
        assert!(!is_commercial("cn-north-1"), "another partition");
        assert!(!is_commercial("xx-nowhere-1"));
        assert!(commercial().count() >= 30);
    }

    #[test]
    fn only_multi_region_keys_have_region_qualified_slots() {
        let uuid = "1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(key_slot("eu-west-1", uuid), uuid);
        let mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";
        assert_eq!(key_slot("eu-west-1", mrk), format!("{mrk}@eu-west-1"));
        assert_eq!(slot_key_id(&key_slot("eu-west-1", mrk)), mrk);
        assert_eq!(slot_key_id(uuid), uuid);
    }
}
