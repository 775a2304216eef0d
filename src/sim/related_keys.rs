//! The state related multi-Region keys share, and its upkeep: the configuration each of
//! them holds (primary Region, replica Regions), the transient states (Creating,
//! Updating) and when they end, and what a deleted related key leaves behind (a primary
//! in PendingReplicaDeletion starts its own waiting period when its last replica is
//! gone). The operations that change it are in `multi_region.rs`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::kms::ids::key_arn;
use crate::kms::multi_region::{MultiRegionConfiguration, MultiRegionKey, MultiRegionKeyType};
use crate::kms::{KeyState, Timestamp};

use super::regions::key_slot;
use super::world::{Key, World};

/// Held by each related key of a multi-Region key (the same on all of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiRegionConfig {
    pub primary_region: String,
    #[serde(default)]
    pub replica_regions: BTreeSet<String>,
}

impl MultiRegionConfig {
    /// A new primary key in `region`, without replicas.
    pub fn primary_in(region: &str) -> Self {
        Self {
            primary_region: region.to_string(),
            replica_regions: BTreeSet::new(),
        }
    }

    /// Every region holding a related key, the primary's first.
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.primary_region.as_str())
            .chain(self.replica_regions.iter().map(String::as_str))
    }

    /// `MultiRegionConfiguration` as DescribeKey shows it for `key`.
    pub fn describe(&self, key: &Key) -> MultiRegionConfiguration {
        let entry = |region: &str| MultiRegionKey {
            arn: key_arn(region, &key.account, &key.id),
            region: region.to_string(),
        };
        MultiRegionConfiguration {
            multi_region_key_type: if key.region() == self.primary_region {
                MultiRegionKeyType::Primary
            } else {
                MultiRegionKeyType::Replica
            },
            primary_key: entry(&self.primary_region),
            replica_keys: self.replica_regions.iter().map(|r| entry(r)).collect(),
        }
    }
}

/// A transient key state and the state it ends in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub until: Timestamp,
    pub then: KeyState,
}

/// A fresh multi-Region key id: `mrk-` and 32 hex digits.
pub fn new_multi_region_key_id() -> String {
    format!("mrk-{}", uuid::Uuid::new_v4().simple())
}

impl Key {
    /// Is this the primary key of a multi-Region key that has replicas?
    pub fn has_replicas(&self) -> bool {
        self.multi_region
            .as_ref()
            .is_some_and(|c| c.primary_region == self.region() && !c.replica_regions.is_empty())
    }
}

impl World {
    /// Put `slot` in a transient state ending in `then` after the propagation delay.
    pub(super) fn begin_transition(&mut self, slot: &str, state: KeyState, then: KeyState) {
        let until = crate::kms::time::later_saturating(self.now(), self.propagation_delay);
        self.touch_key(slot);
        if let Some(k) = self.keys.get_mut(slot) {
            k.state = state;
            k.transition = Some(Transition { until, then });
            self.idx.transition_queue.insert((until, slot.to_string()));
        }
    }

    /// Set the shared configuration on every related key of `id` in `account`.
    pub(super) fn set_config_everywhere(
        &mut self,
        id: &str,
        config: &MultiRegionConfig,
        also: &[&str],
    ) {
        let regions: BTreeSet<String> = config
            .regions()
            .chain(also.iter().copied())
            .map(str::to_string)
            .collect();
        for region in regions {
            let slot = key_slot(&region, id).into_owned();
            if self.keys.contains_key(&slot) {
                self.touch_key(&slot);
                if let Some(k) = self.keys.get_mut(&slot) {
                    k.multi_region = Some(config.clone());
                }
            }
        }
    }

    /// End the transient states that are due (from `settle`). Cost: the due items only.
    pub(super) fn settle_transitions(&mut self, now: Timestamp) {
        while let Some((t, slot)) = self.idx.transition_queue.first().cloned() {
            if t > now {
                break;
            }
            self.idx.transition_queue.pop_first();
            let due = self
                .keys
                .get(&slot)
                .and_then(|k| k.transition.as_ref())
                .is_some_and(|tr| tr.until == t);
            if due {
                self.touch_key(&slot);
                if let Some(k) = self.keys.get_mut(&slot) {
                    if let Some(tr) = k.transition.take() {
                        k.state = tr.then;
                    }
                }
            }
        }
    }

    /// A related key was deleted: the others forget its region; a primary waiting for its
    /// last replica starts its own waiting period.
    pub(super) fn forget_related_key(&mut self, removed: &Key) {
        let Some(mut config) = removed.multi_region.clone() else {
            return;
        };
        let region = removed.region().to_string();
        if !config.replica_regions.remove(&region) {
            return; // the primary itself (it has no replicas left)
        }
        self.set_config_everywhere(&removed.id, &config, &[]);
        let primary = key_slot(&config.primary_region, &removed.id).into_owned();
        let now = self.now();
        let starts = self.keys.get(&primary).is_some_and(|k| {
            k.state == KeyState::PendingReplicaDeletion && config.replica_regions.is_empty()
        });
        if starts {
            self.touch_key(&primary);
            if let Some(k) = self.keys.get_mut(&primary) {
                let days = k.pending_window_days.unwrap_or(30);
                let date = now + chrono::Duration::days(i64::from(days));
                k.state = KeyState::PendingDeletion;
                k.deletion_date = Some(date);
                self.idx.deletion_queue.insert((date, primary));
            }
        }
    }
}
