//! Key and alias operations: CreateKey, DescribeKey, ListKeys, ListAliases, CreateAlias,
//! DeleteAlias, EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
//! GetKeyPolicy and PutKeyPolicy.
//!
//! Decision where AWS documents nothing but an opaque `NextMarker`: a ListKeys or
//! ListAliases marker names the next key id (alias) in the listing's order, signed for that
//! listing, so keys created or deleted between pages never shift the rest (no item is
//! skipped or repeated), and each page costs the page, not the keys before it.

use std::sync::Arc;

use chrono::Duration;

use crate::kms::api::*;
use crate::kms::error::quoted;
use crate::kms::ids::is_valid_alias_name;
use crate::kms::policy::{PolicyDocument, MAX_KEY_POLICY_BYTES};
use crate::kms::{
    ApiOperation, ErrorCode, KeyManager, KeyMetadata, KeySpec, KeyState, KmsError, KmsResult,
};

use super::authorize::{AuthRequest, GrantUse};
use super::conditions::RequestFacts;
use super::principals::ResolvedCaller;
use super::regions::slot_key_id;
use super::validate::{self, ADMIN, CRYPTO};
use super::world::{Alias, Key, World};
use super::{crypto, CallRecord, Caller, Simulator};
use crate::kms::time::epoch_seconds;

/// `KeyMetadata` for a key: the algorithm lists come from the key spec reference
/// (`kms::algorithms::key_algorithms`), each omitted where it does not apply.
pub fn key_metadata(k: &Key) -> KeyMetadata {
    let algs = crate::kms::algorithms::key_algorithms(k.spec, k.usage);
    let (valid_to, expiration_model) = super::import::metadata_of(k);
    KeyMetadata {
        aws_account_id: k.account.to_string(),
        key_id: k.id.clone(),
        arn: k.arn.clone(),
        creation_date: epoch_seconds(k.created),
        enabled: k.state == KeyState::Enabled,
        description: k.description.clone(),
        key_usage: k.usage,
        key_state: k.state,
        deletion_date: k.deletion_date.map(epoch_seconds),
        pending_deletion_window_in_days: k.pending_window_days.filter(|_| {
            matches!(
                k.state,
                KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
            )
        }),
        origin: k.origin_str().to_string(),
        key_manager: k.manager,
        customer_master_key_spec: k.spec,
        key_spec: k.spec,
        encryption_algorithms: algs.encryption,
        signing_algorithms: algs.signing,
        mac_algorithms: algs.mac,
        key_agreement_algorithms: algs.key_agreement,
        multi_region: k.multi_region.is_some(),
        multi_region_configuration: k.multi_region.as_ref().map(|c| c.describe(k)),
        valid_to,
        expiration_model,
    }
}

/// Key-state errors for operations that need a usable key.
pub fn require_enabled(k: &Key) -> KmsResult<()> {
    match k.state {
        // "While the key state is Updating, you can use the keys in cryptographic
        // operations" (Developer Guide, "Change the primary key in a set of multi-Region
        // keys").
        KeyState::Enabled | KeyState::Updating => Ok(()),
        KeyState::Disabled => Err(KmsError::new(
            ErrorCode::DisabledException,
            format!("{} is disabled.", k.arn),
        )),
        KeyState::PendingDeletion => Err(pending_deletion(k)),
        other => Err(KmsError::new(
            ErrorCode::KmsInvalidStateException,
            format!("{} is {}.", k.arn, other),
        )),
    }
}

pub fn pending_deletion(k: &Key) -> KmsError {
    KmsError::new(
        ErrorCode::KmsInvalidStateException,
        format!("{} is pending deletion.", k.arn),
    )
}

pub(super) fn auth<'a>(action: &'a str, key: Option<&'a Key>) -> AuthRequest<'a> {
    AuthRequest {
        action,
        key,
        grant_use: GrantUse::Never,
        token_grants: &[],
        facts: RequestFacts::default(),
    }
}

/// Find, authorize and return the slot of a key for an administrative operation (its id,
/// but for a multi-Region key: `regions.rs`).
pub(super) fn admin_key(
    world: &World,
    rec: &mut CallRecord,
    input: &str,
    action: &str,
) -> KmsResult<String> {
    admin_key_at(world, rec, "keyId", input, action)
}

/// `admin_key` for a key given in another member (`targetKeyId`).
fn admin_key_at(
    world: &World,
    rec: &mut CallRecord,
    field: &str,
    input: &str,
    action: &str,
) -> KmsResult<String> {
    let key = validate::resolve_key(world, &rec.caller, field, input, ADMIN)?;
    rec.key_arn = Some(key.arn.clone());
    rec.authorize(world, &auth(action, Some(key)))?;
    Ok(key.slot().into_owned())
}

/// Would `policy` still let `caller` change the key policy? (AWS's lockout safety check.)
pub(super) fn passes_lockout_check(
    world: &World,
    caller: &ResolvedCaller,
    key: &Key,
    policy: &Arc<PolicyDocument>,
) -> bool {
    let mut probe = key.clone();
    probe.parsed_policy = Some(policy.clone());
    super::authorize::authorize(
        world,
        caller,
        &auth("kms:PutKeyPolicy", Some(&probe)),
        world.now(),
    )
    .allowed
}

pub(super) fn parse_key_policy(text: &str) -> KmsResult<Arc<PolicyDocument>> {
    validate::length("policy", text, 1, MAX_KEY_POLICY_BYTES)?;
    Ok(Arc::new(PolicyDocument::parse(text)?))
}

pub(super) fn lockout_error() -> KmsError {
    KmsError::new(
        ErrorCode::MalformedPolicyDocumentException,
        "The new key policy will not allow you to update the key policy in the future.",
    )
}

/// An alias name as CreateAlias takes it. API Reference, CreateAlias: "This value must
/// begin with alias/ followed by a name" and "It can contain only alphanumeric
/// characters, forward slashes (/), underscores (_), and dashes (-)". The service model's
/// pattern (`^[a-zA-Z0-9:/_-]+$`) admits both `wrongprefix/x` and `alias/a:b`, so citing
/// it would name a rule the value meets; each error names the rule the value breaks,
/// with AWS's wording for the prefix and the documented character set for the rest.
fn check_alias_name(name: &str) -> KmsResult<()> {
    if is_valid_alias_name(name) {
        return Ok(());
    }
    match name.strip_prefix("alias/") {
        None => Err(KmsError::validation(
            &quoted(name),
            "aliasName",
            "Member must begin with 'alias/' (Alias must start with the prefix \"alias/\")",
        )),
        Some("") => Err(KmsError::validation(
            &quoted(name),
            "aliasName",
            "Member must name an alias after 'alias/'",
        )),
        Some(rest) => {
            let bad: String = rest
                .chars()
                .filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-')))
                .take(1)
                .collect();
            Err(KmsError::validation(
                &quoted(name),
                "aliasName",
                &format!(
                    "Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$ ('{bad}' is not allowed in an alias name)"
                ),
            ))
        }
    }
}

impl Simulator {
    pub fn create_key(
        &mut self,
        caller: &Caller,
        req: CreateKeyRequest,
    ) -> KmsResult<KeyMetadataResponse> {
        self.call(caller, ApiOperation::CreateKey, |world, rec| {
            let spec = req.key_spec.or(req.customer_master_key_spec).unwrap_or(KeySpec::SymmetricDefault);
            let usage = req.key_usage.unwrap_or(spec.default_usage());
            if !spec.allowed_usages().contains(&usage) {
                return Err(KmsError::invalid(format!(
                    "KeyUsage {usage} is not compatible with KeySpec {spec}"
                )));
            }
            if let Some(d) = &req.description {
                validate::length("description", d, 0, 8192)?;
            }
            if let Some(id) = &req.custom_key_store_id {
                validate::length("customKeyStoreId", id, 1, 64)?;
            }
            if let Some(id) = &req.xks_key_id {
                validate::length("xksKeyId", id, 1, 128)?;
            }
            // Decision: the simulator has no custom key stores, so any store id names one
            // that does not exist (AWS's CustomKeyStoreNotFoundException); an XksKeyId
            // needs an external key store, so without one it is refused too.
            if let Some(id) = &req.custom_key_store_id {
                return Err(KmsError::new(
                    ErrorCode::CustomKeyStoreNotFoundException,
                    format!("Custom key store {id} does not exist."),
                ));
            }
            if req.xks_key_id.is_some() {
                return Err(KmsError::invalid(
                    "XksKeyId is valid only with the CustomKeyStoreId of an external key store.",
                ));
            }
            let tags = super::tags::check_tags(req.tags.as_deref().unwrap_or_default())?;
            let external = req.origin.as_deref() == Some("EXTERNAL");
            if external && !spec.is_symmetric_encryption() {
                return Err(KmsError::new(
                    ErrorCode::UnsupportedOperationException,
                    format!("The grantscope simulator imports symmetric key material only; use KeySpec SYMMETRIC_DEFAULT with Origin EXTERNAL (not {spec})."),
                ));
            }
            match req.origin.as_deref() {
                None | Some("AWS_KMS" | "EXTERNAL") => {}
                Some(o @ ("AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE")) => {
                    return Err(KmsError::new(
                        ErrorCode::UnsupportedOperationException,
                        format!("Origin {o} is not supported by the grantscope simulator; use AWS_KMS."),
                    ))
                }
                Some(o) => {
                    return Err(KmsError::validation(
                        &quoted(o),
                        "origin",
                        "Member must satisfy enum value set: [EXTERNAL_KEY_STORE, AWS_CLOUDHSM, AWS_KMS, EXTERNAL]",
                    ))
                }
            }
            let multi_region = req.multi_region == Some(true);
            let account = rec.caller.account.clone();
            let id = if multi_region {
                super::related_keys::new_multi_region_key_id()
            } else {
                uuid::Uuid::new_v4().hyphenated().to_string()
            };
            let policy_text = req
                .policy
                .clone()
                .unwrap_or_else(|| PolicyDocument::default_key_policy_json(account.as_str()));
            let parsed = parse_key_policy(&policy_text)?;
            let now = world.now();
            let key = Key {
                id: id.clone(),
                account: account.clone(),
                arn: crate::kms::ids::key_arn(&rec.caller.region, &account, &id),
                description: req.description.clone().unwrap_or_default(),
                spec,
                usage,
                state: if external {
                    KeyState::PendingImport
                } else {
                    KeyState::Enabled
                },
                manager: KeyManager::Customer,
                created: now,
                deletion_date: None,
                pending_window_days: None,
                policy: policy_text,
                parsed_policy: Some(parsed.clone()),
                // Generated after every check below (an EXTERNAL key waits for its import).
                material: Vec::new(),
                tags: tags.clone(),
                rotation: Default::default(),
                imported: external.then(super::import::Imported::default),
                multi_region: multi_region
                    .then(|| super::related_keys::MultiRegionConfig::primary_in(&rec.caller.region)),
                transition: None,
            };
            // CreateKey is authorized by IAM alone (the resource is "*"); its tags also
            // need kms:TagResource (`tags.rs`).
            let mut create = auth("kms:CreateKey", None);
            create.facts.request_tags = Some(&tags);
            create.facts.tag_keys = (!tags.is_empty()).then(|| tags.keys().cloned().collect());
            rec.authorize(world, &create)?;
            super::tags::authorize_create_key_tags(world, rec, &tags)?;
            // The key spec reference: "SM2 (China Regions only)"; the simulator's regions
            // are not China Regions.
            if spec == KeySpec::Sm2 {
                return Err(KmsError::new(
                    ErrorCode::UnsupportedOperationException,
                    format!("KeySpec SM2 is not supported in {}: SM2 keys are available only in China Regions.", world.region),
                ));
            }
            if req.policy.is_some()
                && req.bypass_policy_lockout_safety_check != Some(true)
                && !passes_lockout_check(world, &rec.caller, &key, &parsed)
            {
                return Err(lockout_error());
            }
            rec.key_arn = Some(key.arn.clone());
            let mut key = key;
            // Generated after every check, so a refused request costs no RSA key generation.
            if !external {
                key.material = super::key_material::generate(spec)
                    .map_err(super::asymmetric::crypto_error)?;
            }
            let meta = key_metadata(&key);
            let slot = key.slot().into_owned();
            world.touch_key(&slot);
            world.keys.insert(slot, key);
            Ok(KeyMetadataResponse { key_metadata: meta })
        })
    }

    pub fn describe_key(
        &mut self,
        caller: &Caller,
        req: DescribeKeyRequest,
    ) -> KmsResult<KeyMetadataResponse> {
        self.call(caller, ApiOperation::DescribeKey, |world, rec| {
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            // DescribeKey on a predefined AWS alias creates its AWS managed key.
            let account = rec.caller.account.clone();
            world.create_managed_key_on_reference(&account, &req.key_id);
            let key = validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, CRYPTO)?;
            rec.key_arn = Some(key.arn.clone());
            rec.authorize(
                world,
                &AuthRequest {
                    action: "kms:DescribeKey",
                    key: Some(key),
                    grant_use: GrantUse::Operation {
                        op: crate::kms::GrantOperation::DescribeKey,
                        context: None,
                    },
                    token_grants: &tokens,
                    facts: RequestFacts {
                        request_alias: req
                            .key_id
                            .starts_with("alias/")
                            .then_some(req.key_id.as_str()),
                        ..Default::default()
                    },
                },
            )?;
            Ok(KeyMetadataResponse {
                key_metadata: key_metadata(key),
            })
        })
    }

    pub fn list_keys(
        &mut self,
        caller: &Caller,
        req: ListKeysRequest,
    ) -> KmsResult<ListKeysResponse> {
        self.call(caller, ApiOperation::ListKeys, |world, rec| {
            let size = validate::page_size(req.limit, 100, 1000)?;
            rec.authorize(world, &auth("kms:ListKeys", None))?;
            let account = rec.caller.account.clone();
            let region = rec.caller.region.as_str();
            let scope = format!("keys:{account}:{region}");
            let start = match &req.marker {
                Some(m) => read_name_marker(world, &scope, m)?,
                None => String::new(),
            };
            let mut mine = world
                .keys
                .range::<str, _>((
                    std::ops::Bound::Included(start.as_str()),
                    std::ops::Bound::Unbounded,
                ))
                .map(|(_, k)| k)
                .filter(|k| k.account == account && k.region() == region);
            let page: Vec<KeyListEntry> = mine
                .by_ref()
                .take(size)
                .map(|k| KeyListEntry {
                    key_id: k.id.clone(),
                    key_arn: k.arn.clone(),
                })
                .collect();
            let next = mine.next().map(|k| k.slot());
            let truncated = next.is_some();
            Ok(ListKeysResponse {
                keys: page,
                next_marker: next
                    .map(|slot| crypto::issue_name_marker(&world.token_secret, &scope, &slot)),
                truncated,
            })
        })
    }

    pub fn list_aliases(
        &mut self,
        caller: &Caller,
        req: ListAliasesRequest,
    ) -> KmsResult<ListAliasesResponse> {
        self.call(caller, ApiOperation::ListAliases, |world, rec| {
            let size = validate::page_size(req.limit, 50, 100)?;
            let account = rec.caller.account.clone();
            let key_filter = match &req.key_id {
                Some(k) => {
                    let key = validate::resolve_key(world, &rec.caller, "keyId", k, ADMIN)?;
                    rec.key_arn = Some(key.arn.clone());
                    Some(key.slot().into_owned())
                }
                None => None,
            };
            rec.authorize(world, &auth("kms:ListAliases", None))?;
            let region = rec.caller.region.as_str();
            let scope = format!(
                "aliases:{account}:{region}:{}",
                key_filter.as_deref().unwrap_or("*")
            );
            let prefix = world.alias_prefix_in(region, account.as_str());
            let start = match &req.marker {
                Some(m) => read_name_marker(world, &scope, m)?,
                None => prefix.clone(),
            };
            let mut all = world
                .aliases
                .range::<str, _>((
                    std::ops::Bound::Included(start.as_str()),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(slot, _)| slot.starts_with(&prefix))
                .filter(|(_, a)| key_filter.as_ref().is_none_or(|k| &a.target_key_id == k));
            let page: Vec<AliasListEntry> = all
                .by_ref()
                .take(size)
                .map(|(_, a)| AliasListEntry {
                    alias_name: a.name.clone(),
                    alias_arn: crate::kms::ids::alias_arn(region, &a.account, &a.name),
                    target_key_id: Some(slot_key_id(&a.target_key_id).to_string()),
                    creation_date: Some(epoch_seconds(a.created)),
                    last_updated_date: Some(epoch_seconds(a.updated)),
                })
                .collect();
            let next = all.next().map(|(slot, _)| slot.as_str());
            let truncated = next.is_some();
            Ok(ListAliasesResponse {
                aliases: page,
                next_marker: next
                    .map(|slot| crypto::issue_name_marker(&world.token_secret, &scope, slot)),
                truncated,
            })
        })
    }

    pub fn create_alias(&mut self, caller: &Caller, req: CreateAliasRequest) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::CreateAlias, |world, rec| {
            validate::length("aliasName", &req.alias_name, 1, 256)?;
            check_alias_name(&req.alias_name)?;
            if req.alias_name.starts_with("alias/aws/") {
                return Err(KmsError::new(
                    ErrorCode::InvalidAliasNameException,
                    "Alias must not begin with 'alias/aws/'. The 'alias/aws/' prefix is reserved for AWS managed keys.",
                ));
            }
            let key_id =
                admin_key_at(world, rec, "targetKeyId", &req.target_key_id, "kms:CreateAlias")?;
            let account = rec.caller.account.clone();
            if world.keys.get(&key_id).is_some_and(|k| k.state == KeyState::PendingDeletion) {
                return Err(pending_deletion(&world.keys[&key_id]));
            }
            let region = rec.caller.region.as_str();
            let slot = world.alias_slot_in(region, account.as_str(), &req.alias_name);
            if world.aliases.contains_key(&slot) {
                return Err(KmsError::new(
                    ErrorCode::AlreadyExistsException,
                    format!(
                        "An alias with the name {} already exists",
                        crate::kms::ids::alias_arn(region, &account, &req.alias_name)
                    ),
                ));
            }
            let now = world.now();
            world.touch_alias(&slot);
            world.aliases.insert(
                slot,
                Alias {
                    name: req.alias_name.clone(),
                    account,
                    target_key_id: key_id,
                    created: now,
                    updated: now,
                },
            );
            Ok(Empty {})
        })
    }

    pub fn delete_alias(&mut self, caller: &Caller, req: DeleteAliasRequest) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::DeleteAlias, |world, rec| {
            validate::length("aliasName", &req.alias_name, 1, 256)?;
            let account = rec.caller.account.clone();
            let region = rec.caller.region.as_str();
            let slot = world.alias_slot_in(region, account.as_str(), &req.alias_name);
            let Some(alias) = world.aliases.get(&slot) else {
                return Err(KmsError::not_found(format!(
                    "Alias {} is not found.",
                    crate::kms::ids::alias_arn(region, &account, &req.alias_name)
                )));
            };
            let key = world
                .keys
                .get(&alias.target_key_id)
                .ok_or_else(|| KmsError::internal("alias points at a missing key"))?;
            rec.key_arn = Some(key.arn.clone());
            rec.authorize(world, &auth("kms:DeleteAlias", Some(key)))?;
            world.touch_alias(&slot);
            world.aliases.remove(&slot);
            Ok(Empty {})
        })
    }

    pub fn enable_key(&mut self, caller: &Caller, req: KeyIdRequest) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::EnableKey, |world, rec| {
            set_key_state(world, rec, &req.key_id, "kms:EnableKey", KeyState::Enabled)
        })
    }

    pub fn disable_key(&mut self, caller: &Caller, req: KeyIdRequest) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::DisableKey, |world, rec| {
            set_key_state(
                world,
                rec,
                &req.key_id,
                "kms:DisableKey",
                KeyState::Disabled,
            )
        })
    }

    pub fn schedule_key_deletion(
        &mut self,
        caller: &Caller,
        req: ScheduleKeyDeletionRequest,
    ) -> KmsResult<ScheduleKeyDeletionResponse> {
        self.call(caller, ApiOperation::ScheduleKeyDeletion, |world, rec| {
            let days = req.pending_window_in_days.unwrap_or(30);
            if !(7..=30).contains(&days) {
                let c = if days < 7 {
                    "Member must have value greater than or equal to 7"
                } else {
                    "Member must have value less than or equal to 30"
                };
                return Err(KmsError::validation(
                    &quoted(&days.to_string()),
                    "pendingWindowInDays",
                    c,
                ));
            }
            let id = admin_key(world, rec, &req.key_id, "kms:ScheduleKeyDeletion")?;
            let now = world.now();
            world.touch_key(&id);
            let key = world
                .keys
                .get_mut(&id)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            if matches!(
                key.state,
                KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
            ) {
                return Err(pending_deletion(key));
            }
            if key.has_replicas() {
                // "If you schedule the deletion of a primary key with replicas, its key
                // state changes to PendingReplicaDeletion ... When the last of its replicas
                // keys is deleted (not just scheduled), the key state of the primary key
                // changes to PendingDeletion" (ScheduleKeyDeletion): `related_keys.rs`.
                key.state = KeyState::PendingReplicaDeletion;
                key.pending_window_days = Some(days as u32);
                return Ok(ScheduleKeyDeletionResponse {
                    key_id: key.arn.clone(),
                    deletion_date: None,
                    key_state: KeyState::PendingReplicaDeletion,
                    pending_window_in_days: days as u32,
                });
            }
            let date = now + Duration::days(days);
            key.state = KeyState::PendingDeletion;
            key.deletion_date = Some(date);
            key.pending_window_days = Some(days as u32);
            let arn = key.arn.clone();
            world.idx.deletion_queue.insert((date, id));
            Ok(ScheduleKeyDeletionResponse {
                key_id: arn,
                deletion_date: Some(epoch_seconds(date)),
                key_state: KeyState::PendingDeletion,
                pending_window_in_days: days as u32,
            })
        })
    }

    pub fn cancel_key_deletion(
        &mut self,
        caller: &Caller,
        req: KeyIdRequest,
    ) -> KmsResult<CancelKeyDeletionResponse> {
        self.call(caller, ApiOperation::CancelKeyDeletion, |world, rec| {
            let id = admin_key(world, rec, &req.key_id, "kms:CancelKeyDeletion")?;
            world.touch_key(&id);
            let key = world
                .keys
                .get_mut(&id)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            if !matches!(
                key.state,
                KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
            ) {
                return Err(KmsError::new(
                    ErrorCode::KmsInvalidStateException,
                    format!("{} is not pending deletion.", key.arn),
                ));
            }
            if let Some(d) = key.deletion_date.take() {
                world.idx.deletion_queue.remove(&(d, id.clone()));
            }
            // As on AWS, a key whose deletion is cancelled comes back disabled.
            key.state = KeyState::Disabled;
            key.pending_window_days = None;
            Ok(CancelKeyDeletionResponse {
                key_id: key.arn.clone(),
            })
        })
    }

    pub fn get_key_policy(
        &mut self,
        caller: &Caller,
        req: GetKeyPolicyRequest,
    ) -> KmsResult<GetKeyPolicyResponse> {
        self.call(caller, ApiOperation::GetKeyPolicy, |world, rec| {
            check_policy_name(req.policy_name.as_deref())?;
            let id = admin_key(world, rec, &req.key_id, "kms:GetKeyPolicy")?;
            Ok(GetKeyPolicyResponse {
                policy: world.keys[&id].policy.clone(),
                policy_name: "default".to_string(),
            })
        })
    }

    pub fn put_key_policy(
        &mut self,
        caller: &Caller,
        req: PutKeyPolicyRequest,
    ) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::PutKeyPolicy, |world, rec| {
            check_policy_name(req.policy_name.as_deref())?;
            let parsed = parse_key_policy(&req.policy)?;
            let id = admin_key(world, rec, &req.key_id, "kms:PutKeyPolicy")?;
            if req.bypass_policy_lockout_safety_check != Some(true)
                && !passes_lockout_check(world, &rec.caller, &world.keys[&id], &parsed)
            {
                return Err(lockout_error());
            }
            world.touch_key(&id);
            let key = world
                .keys
                .get_mut(&id)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            key.policy = req.policy.clone();
            key.parsed_policy = Some(parsed);
            Ok(Empty {})
        })
    }
}

/// EnableKey and DisableKey: authorize, refuse a key pending deletion, set the state.
fn set_key_state(
    world: &mut World,
    rec: &mut CallRecord,
    input: &str,
    action: &str,
    state: KeyState,
) -> KmsResult<Empty> {
    let id = admin_key(world, rec, input, action)?;
    world.touch_key(&id);
    let key = world
        .keys
        .get_mut(&id)
        .ok_or_else(|| KmsError::internal("key vanished"))?;
    match key.state {
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => {
            return Err(pending_deletion(key))
        }
        // Decision: a key in a transient state (a replica being created, keys whose
        // primary Region is being updated: "you cannot ... perform certain management
        // operations, such as enabling or disabling these keys") keeps its course.
        s @ (KeyState::Creating | KeyState::Updating) => {
            return Err(KmsError::new(
                ErrorCode::KmsInvalidStateException,
                format!("{} is {s}.", key.arn),
            ))
        }
        _ => {}
    }
    key.state = state;
    Ok(Empty {})
}

/// `PolicyName`: the service model's PolicyNameType (1-128, `[\w]+`), then the one name
/// KMS has ("default").
fn check_policy_name(name: Option<&str>) -> KmsResult<()> {
    if let Some(n) = name {
        validate::length("policyName", n, 1, 128)?;
        if !n.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(KmsError::validation(
                &quoted(n),
                "policyName",
                "Member must satisfy regular expression pattern: [\\w]+",
            ));
        }
    }
    match name {
        None | Some("default") => Ok(()),
        Some(other) => Err(KmsError::not_found(format!(
            "No such policy exists: {other}. The only valid policy name is \"default\"."
        ))),
    }
}

/// The item a ListKeys/ListAliases marker names (see `crypto::issue_name_marker`).
fn read_name_marker(world: &World, scope: &str, marker: &str) -> KmsResult<String> {
    validate::length("marker", marker, 1, 1024)?;
    crypto::read_name_marker(&world.token_secret, scope, marker)
        .ok_or_else(|| KmsError::new(ErrorCode::InvalidMarkerException, "Invalid marker"))
}

pub(crate) fn read_marker(world: &World, scope: &str, marker: &str) -> KmsResult<u64> {
    validate::length("marker", marker, 1, 1024)?;
    crypto::read_marker(&world.token_secret, scope, marker)
        .ok_or_else(|| KmsError::new(ErrorCode::InvalidMarkerException, "Invalid marker"))
}
