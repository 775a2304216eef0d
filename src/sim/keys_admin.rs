//! Key administration added for issue #15 part B: UpdateAlias, UpdateKeyDescription and
//! ListKeyPolicies, with the authorization helper that the tag, rotation and import
//! operations share (key policy and IAM; never grants).
//!
//! None of these are grant operations. Developer Guide, "Using grants": "You can use a
//! grant to allow access, but not to deny it. Grants can only allow access to grant
//! operations." Tags, aliases, descriptions, rotation, key policies, imported material and
//! custom key stores are none of them, so every operation here is authorized by the key
//! policy and IAM alone (`GrantUse::Never`), and its activity entry says which policy
//! statement allowed it or why none did.
//!
//! UpdateAlias, in the API Reference's words: "The current and new KMS key must be the same
//! type (both symmetric or both asymmetric or both HMAC), and they must have the same key
//! usage." "The alias and the KMS key must be in the same AWS account and Region." Its
//! required permissions: "kms:UpdateAlias on the alias (IAM policy)", "kms:UpdateAlias on
//! the current KMS key (key policy)", "kms:UpdateAlias on the new KMS key (key policy)".
//! Decision (AWS gives no wording): a key of another type or usage is a
//! ValidationException that names both; an alias in `alias/aws/` is refused as CreateAlias
//! refuses it.

use crate::kms::api::Empty;
use crate::kms::api_admin::*;
use crate::kms::{ApiOperation, ErrorCode, KeyState, KmsError, KmsResult};

use super::authorize::{AuthRequest, GrantUse};
use super::conditions::RequestFacts;
use super::keys::pending_deletion;
use super::validate::{self, ADMIN};
use super::world::{Key, World};
use super::{CallRecord, Caller, Simulator};

/// An authorization request that grants never satisfy.
pub fn key_auth<'a>(action: &'a str, key: Option<&'a Key>) -> AuthRequest<'a> {
    AuthRequest {
        action,
        key,
        grant_use: GrantUse::Never,
        token_grants: &[],
        facts: RequestFacts::default(),
    }
}

/// Resolve a key given by id or ARN in the caller's account (`field` names the member),
/// authorize `action` on it with these request facts, and return its slot in the world's
/// key map (its id; a multi-Region key's is region-qualified: `regions.rs`).
pub fn admin_key_with(
    world: &World,
    rec: &mut CallRecord,
    field: &str,
    input: &str,
    action: &str,
    facts: RequestFacts,
) -> KmsResult<String> {
    let key = validate::resolve_key(world, &rec.caller, field, input, ADMIN)?;
    rec.key_arn = Some(key.arn.clone());
    let mut auth = key_auth(action, Some(key));
    auth.facts = facts;
    rec.authorize(world, &auth)?;
    Ok(key.slot().into_owned())
}

/// `admin_key_with` without request facts.
pub fn admin_key(
    world: &World,
    rec: &mut CallRecord,
    input: &str,
    action: &str,
) -> KmsResult<String> {
    admin_key_with(world, rec, "keyId", input, action, RequestFacts::default())
}

/// The key type as UpdateAlias compares it.
fn key_type(k: &Key) -> &'static str {
    if k.spec.is_symmetric_encryption() {
        "symmetric"
    } else if k.spec.is_hmac() {
        "HMAC"
    } else {
        "asymmetric"
    }
}

impl Simulator {
    pub fn update_alias(&mut self, caller: &Caller, req: UpdateAliasRequest) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::UpdateAlias, |world, rec| {
            validate::length("aliasName", &req.alias_name, 1, 256)?;
            validate::length("targetKeyId", &req.target_key_id, 1, 2048)?;
            if req.alias_name.starts_with("alias/aws/") {
                return Err(KmsError::new(
                    ErrorCode::InvalidAliasNameException,
                    "Alias must not begin with 'alias/aws/'. The 'alias/aws/' prefix is reserved for AWS managed keys.",
                ));
            }
            let account = rec.caller.account.clone();
            let slot = World::alias_slot(&account, &req.alias_name);
            let Some(alias) = world.aliases.get(&slot) else {
                return Err(KmsError::not_found(format!(
                    "Alias {} is not found.",
                    world.alias_arn(&account, &req.alias_name)
                )));
            };
            let current = world
                .keys
                .get(&alias.target_key_id)
                .ok_or_else(|| KmsError::internal("alias points at a missing key"))?;
            rec.authorize(world, &key_auth("kms:UpdateAlias", Some(current)))?;
            let new_id = admin_key_with(
                world,
                rec,
                "targetKeyId",
                &req.target_key_id,
                "kms:UpdateAlias",
                RequestFacts::default(),
            )?;
            let new = &world.keys[&new_id];
            if new.state == KeyState::PendingDeletion {
                return Err(pending_deletion(new));
            }
            if key_type(new) != key_type(current) || new.usage != current.usage {
                return Err(KmsError::invalid(format!(
                    "{} is a {} key with key usage {}, and {} currently points to a {} key with key usage {}. The current and new KMS key must be the same type and have the same key usage.",
                    new.arn,
                    key_type(new),
                    new.usage,
                    req.alias_name,
                    key_type(current),
                    current.usage
                )));
            }
            let now = world.now();
            world.touch_alias(&slot);
            if let Some(a) = world.aliases.get_mut(&slot) {
                a.target_key_id = new_id;
                a.updated = now;
            }
            Ok(Empty {})
        })
    }

    /// Key states (API Reference's key-state table): Enabled, Disabled and PendingImport
    /// allow it; PendingDeletion is KMSInvalidStateException.
    pub fn update_key_description(
        &mut self,
        caller: &Caller,
        req: UpdateKeyDescriptionRequest,
    ) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::UpdateKeyDescription, |world, rec| {
            validate::length("description", &req.description, 0, 8192)?;
            let id = admin_key(world, rec, &req.key_id, "kms:UpdateKeyDescription")?;
            let key = &world.keys[&id];
            if key.state == KeyState::PendingDeletion {
                return Err(pending_deletion(key));
            }
            world.touch_key(&id);
            if let Some(k) = world.keys.get_mut(&id) {
                k.description = req.description.clone();
            }
            Ok(Empty {})
        })
    }

    /// API Reference: "Gets the names of the key policies that are attached to a KMS key.
    /// This operation is designed to get policy names that you can use in a GetKeyPolicy
    /// operation. However, the only valid policy name is default." Every key state.
    /// Decision: the one-name listing never has a next page, so no marker is ever issued
    /// and any marker is InvalidMarkerException.
    pub fn list_key_policies(
        &mut self,
        caller: &Caller,
        req: ListKeyPoliciesRequest,
    ) -> KmsResult<ListKeyPoliciesResponse> {
        self.call(caller, ApiOperation::ListKeyPolicies, |world, rec| {
            // "If you include a value, it must be between 1 and 1000, inclusive. If you do
            // not include a value, it defaults to 100."
            validate::page_size(req.limit, 100, 1000)?;
            if let Some(m) = &req.marker {
                validate::length("marker", m, 1, 1024)?;
            }
            admin_key(world, rec, &req.key_id, "kms:ListKeyPolicies")?;
            if req.marker.is_some() {
                return Err(KmsError::new(
                    ErrorCode::InvalidMarkerException,
                    "Invalid marker",
                ));
            }
            Ok(ListKeyPoliciesResponse {
                policy_names: vec!["default".to_string()],
                next_marker: None,
                truncated: false,
            })
        })
    }
}
