//! Multi-Region keys: ReplicateKey and UpdatePrimaryRegion (CreateKey with `MultiRegion`
//! is in `keys.rs`), with the transient Creating and Updating states and a primary's
//! deletion waiting for its replicas (PendingReplicaDeletion); the state related keys
//! share, and its upkeep, is in `related_keys.rs`.
//!
//! What AWS documents, and we follow:
//! - ReplicateKey: "A primary key and its replica keys share properties that make them
//!   interoperable. They have the same key ID and key material. They also have the same
//!   key spec, key usage, key material origin, and automatic key rotation status. ... All
//!   other properties of a replica key can differ, including its key policy, tags,
//!   aliases, and Key states". So a replica has its own policy (the default key policy
//!   when none is given), description and tags; ciphertext of one related key decrypts
//!   with another (same id and material: `crypto_ops.rs` finds the key in the caller's
//!   region).
//! - Grants are not shared either: "Each multi-Region key is an independent resource with
//!   a unique key ARN and key policy" (Developer Guide, "Control access to multi-Region
//!   keys"); a grant names one key ARN, so each related key has its own grants (its slot,
//!   `regions.rs`).
//! - "You can create multiple replicas of a primary key, but each must be in a different
//!   Region." "When this operation completes, the new replica key has a transient key
//!   state of Creating. This key state changes to Enabled ... after a few seconds"; "While
//!   the key state is Creating, you can manage key, but you cannot yet use it in
//!   cryptographic operations."
//! - UpdatePrimaryRegion: "The key ID and primary Region that you specify uniquely
//!   identify the replica key that will become the primary key. The primary Region must
//!   already have a replica key." (NotFoundException otherwise.) "It's the only key that
//!   can be replicated. You cannot delete the primary key until all replica keys are
//!   deleted." "Both the primary key and the replica key must be in the Enabled
//!   key state when the operation starts." "During this time, the old and new primary
//!   keys have a transient key state of Updating. While the key state is Updating, you can
//!   use the keys in cryptographic operations".
//! - ScheduleKeyDeletion: "KMS will not delete a multi-Region primary key with existing
//!   replica keys. If you schedule the deletion of a primary key with replicas, its key
//!   state changes to PendingReplicaDeletion ... When the last of its replicas keys is
//!   deleted (not just scheduled), the key state of the primary key changes to
//!   PendingDeletion" (and its waiting period begins then).
//!
//! Decisions where AWS is silent:
//! - "A few seconds" is the world's propagation delay (a scenario's `propagation_delay`
//!   or `--propagation-delay`: 5 s in the classroom; with none, the next call sees the
//!   replica Enabled).
//! - ReplicateKey into the primary's own Region is a ValidationException; into a Region
//!   that already holds a related key (even one pending deletion), AlreadyExistsException;
//!   of a single-Region key or of a replica, UnsupportedOperationException.
//! - UpdatePrimaryRegion takes the current primary key (called in its Region) and a
//!   Region holding a replica; naming the current primary Region is a ValidationException.
//! - Authorization. ReplicateKey: `kms:ReplicateKey` on the primary key and `kms:CreateKey`
//!   (with `kms:TagResource` when tags are given) for the caller in the replica Region.
//!   UpdatePrimaryRegion: `kms:UpdatePrimaryRegion` on the current primary and on the
//!   replica that becomes primary. IAM is global, so both checks see the same principal.

use crate::kms::api::{Empty, Tag};
use crate::kms::error::quoted;
use crate::kms::ids::key_arn;
use crate::kms::multi_region::{
    ReplicateKeyRequest, ReplicateKeyResponse, UpdatePrimaryRegionRequest,
};
use crate::kms::policy::PolicyDocument;
use crate::kms::{ApiOperation, ErrorCode, KeyState, KmsError, KmsResult};

use super::keys::{
    admin_key, auth, key_metadata, lockout_error, parse_key_policy, passes_lockout_check,
    pending_deletion,
};
use super::validate;
use super::world::{Key, World};
use super::{Caller, Simulator};

/// `ReplicaRegion` / `PrimaryRegion`: the service model's RegionType (1-32,
/// `^([a-z]+-){2,3}\d+$`), then a region this endpoint serves.
fn check_region(world: &World, field: &str, region: &str) -> KmsResult<()> {
    validate::length(field, region, 1, 32)?;
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = (3..=4).contains(&parts.len())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(KmsError::validation(
            &quoted(region),
            field,
            "Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$",
        ));
    }
    if !world.serves_region(region) {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!("{region} is not a Region this endpoint serves."),
        ));
    }
    Ok(())
}

fn not_multi_region(k: &Key) -> KmsError {
    KmsError::new(
        ErrorCode::UnsupportedOperationException,
        format!("{} is not a multi-Region key.", k.arn),
    )
}

fn not_primary(k: &Key) -> KmsError {
    KmsError::new(
        ErrorCode::UnsupportedOperationException,
        format!("{} is not a multi-Region primary key.", k.arn),
    )
}

fn invalid_state(k: &Key) -> KmsError {
    match k.state {
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => pending_deletion(k),
        s => KmsError::new(
            ErrorCode::KmsInvalidStateException,
            format!("{} is {s}.", k.arn),
        ),
    }
}

impl Simulator {
    pub fn replicate_key(
        &mut self,
        caller: &Caller,
        req: ReplicateKeyRequest,
    ) -> KmsResult<ReplicateKeyResponse> {
        self.call(caller, ApiOperation::ReplicateKey, |world, rec| {
            check_region(world, "replicaRegion", &req.replica_region)?;
            if let Some(d) = &req.description {
                validate::length("description", d, 0, 8192)?;
            }
            // The members are validated before the key is looked at, as AWS validates.
            let given_policy = req.policy.as_deref().map(parse_key_policy).transpose()?;
            let slot = admin_key(world, rec, &req.key_id, "kms:ReplicateKey")?;
            // `kms:CreateKey` (and `kms:TagResource`) in the replica Region, by IAM.
            rec.authorize(world, &auth("kms:CreateKey", None))?;
            if req.tags.as_ref().is_some_and(|t| !t.is_empty()) {
                rec.authorize(world, &auth("kms:TagResource", None))?;
            }
            let primary = world
                .keys
                .get(&slot)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            let mut config = primary
                .multi_region
                .clone()
                .ok_or_else(|| not_multi_region(primary))?;
            if config.primary_region != primary.region() {
                return Err(not_primary(primary));
            }
            if !matches!(primary.state, KeyState::Enabled | KeyState::Disabled) {
                return Err(invalid_state(primary));
            }
            let target = req.replica_region.as_str();
            if target == primary.region() {
                return Err(KmsError::invalid(format!(
                    "The replica Region must be a different Region than the primary key's ({target})."
                )));
            }
            let arn = key_arn(target, &primary.account, &primary.id);
            if world.key_in(target, &primary.id).is_some() {
                return Err(KmsError::new(
                    ErrorCode::AlreadyExistsException,
                    format!("Key '{arn}' already exists"),
                ));
            }
            let account = primary.account.clone();
            let policy = req
                .policy
                .clone()
                .unwrap_or_else(|| PolicyDocument::default_key_policy_json(account.as_str()));
            let parsed = match given_policy {
                Some(p) => p,
                None => parse_key_policy(&policy)?,
            };
            config.replica_regions.insert(target.to_string());
            let replica = Key {
                id: primary.id.clone(),
                account,
                arn: arn.clone(),
                description: req.description.clone().unwrap_or_default(),
                spec: primary.spec,
                usage: primary.usage,
                state: KeyState::Creating,
                manager: primary.manager,
                created: world.now(),
                deletion_date: None,
                pending_window_days: None,
                policy,
                parsed_policy: Some(parsed.clone()),
                material: primary.material.clone(),
                tags: req
                    .tags
                    .iter()
                    .flatten()
                    .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
                    .collect(),
                multi_region: Some(config.clone()),
                transition: None,
                // The same material versions as the primary, so ciphertext sealed under
                // older material before the replica existed decrypts in its region too.
                rotation: primary.rotation.clone(),
                // Decision: replicas of keys with imported material are not modeled.
                imported: None,
            };
            if req.policy.is_some()
                && req.bypass_policy_lockout_safety_check != Some(true)
                && !passes_lockout_check(world, &rec.caller, &replica, &parsed)
            {
                return Err(lockout_error());
            }
            let replica_slot = replica.slot().into_owned();
            let id = replica.id.clone();
            world.touch_key(&replica_slot);
            world.keys.insert(replica_slot.clone(), replica);
            world.set_config_everywhere(&id, &config, &[]);
            world.begin_transition(&replica_slot, KeyState::Creating, KeyState::Enabled);
            let replica = world
                .keys
                .get(&replica_slot)
                .ok_or_else(|| KmsError::internal("replica vanished"))?;
            Ok(ReplicateKeyResponse {
                replica_key_metadata: key_metadata(replica),
                replica_policy: replica.policy.clone(),
                replica_tags: replica
                    .tags
                    .iter()
                    .map(|(k, v)| Tag {
                        tag_key: k.clone(),
                        tag_value: v.clone(),
                    })
                    .collect(),
            })
        })
    }

    pub fn update_primary_region(
        &mut self,
        caller: &Caller,
        req: UpdatePrimaryRegionRequest,
    ) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::UpdatePrimaryRegion, |world, rec| {
            check_region(world, "primaryRegion", &req.primary_region)?;
            let slot = admin_key(world, rec, &req.key_id, "kms:UpdatePrimaryRegion")?;
            let primary = world
                .keys
                .get(&slot)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            let mut config = primary
                .multi_region
                .clone()
                .ok_or_else(|| not_multi_region(primary))?;
            if config.primary_region != primary.region() {
                return Err(not_primary(primary));
            }
            let target = req.primary_region.as_str();
            if target == primary.region() {
                return Err(KmsError::invalid(format!(
                    "{target} is already the primary Region of {}.",
                    primary.arn
                )));
            }
            let replica = world.key_in(target, &primary.id).ok_or_else(|| {
                KmsError::not_found(format!(
                    "Key '{}' does not exist",
                    key_arn(target, &primary.account, &primary.id)
                ))
            })?;
            rec.authorize(world, &auth("kms:UpdatePrimaryRegion", Some(replica)))?;
            for k in [primary, replica] {
                if k.state != KeyState::Enabled {
                    return Err(invalid_state(k));
                }
            }
            let (id, old_region) = (primary.id.clone(), primary.region().to_string());
            let replica_slot = replica.slot().into_owned();
            config.replica_regions.remove(target);
            config.replica_regions.insert(old_region);
            config.primary_region = target.to_string();
            world.set_config_everywhere(&id, &config, &[]);
            world.begin_transition(&slot, KeyState::Updating, KeyState::Enabled);
            world.begin_transition(&replica_slot, KeyState::Updating, KeyState::Enabled);
            Ok(Empty {})
        })
    }
}
