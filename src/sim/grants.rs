//! Grant operations: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and
//! RevokeGrant, with AWS's validation, idempotency by Name, tokens, the per-key quota,
//! DryRun and eventual consistency.
//!
//! Decisions where AWS documents nothing (kept consistent everywhere):
//! - the same Name with different parameters creates a new grant (only identical
//!   parameters are an idempotent repeat);
//! - a token of a retired or revoked grant is still a well-formed token: it authorizes
//!   nothing, and RetireGrant with it answers NotFoundException;
//! - a malformed GrantId is InvalidGrantIdException ("Invalid grant ID: X"); a well-formed
//!   unknown one is NotFoundException;
//! - grant operations take a key ID or key ARN, not an alias (NotFoundException);
//! - ListRetirableGrants lists in creation order across keys, and its marker names the
//!   next grant, so grants retired between pages never make others be skipped;
//! - the rules between `GranteePrincipal`, `GranteeServicePrincipal`, `RetiringPrincipal`,
//!   `RetiringServicePrincipal` and `SourceArn` (API Reference, CreateGrant: "You must
//!   specify either GranteePrincipal or GranteeServicePrincipal, but not both"; "When you
//!   specify a GranteeServicePrincipal, you must also specify a SourceArn grant constraint.
//!   In addition, you must specify either a RetiringPrincipal or a
//!   RetiringServicePrincipal"; "You can specify either RetiringPrincipal or
//!   RetiringServicePrincipal, but not both") are refused with ValidationException in
//!   those sentences' words, checked after the members' own patterns;
//! - `Limit` is held to each operation's documented range ("between 1 and 100" for
//!   ListGrants and ListRetirableGrants), stricter than the service model's shared
//!   LimitType (1-1000), with the model's validation wording.

use crate::kms::api::*;
use crate::kms::error::quoted;
use crate::kms::grant::is_valid_grant_name;
use crate::kms::ids::{is_service_principal, is_valid_principal_string, PrincipalArn};
use crate::kms::{
    ApiOperation, ErrorCode, GrantConstraints, GrantId, GrantListEntry, GrantOperation, KeyState,
    KmsError, KmsResult, OperationInput,
};

use super::authorize::{authorize_retire, AuthRequest, GrantUse};
use super::conditions::RequestFacts;
use super::keys::read_marker;
use super::principals::CallerKind;
use super::validate::{self, GRANTS};
use super::world::{Grant, PrincipalRef, Removal, RemovalKind, World};
use super::{crypto, Caller, Simulator};
use crate::kms::time::epoch_seconds;
use crate::kms::Timestamp;

/// Grants per key (AWS's quota).
pub const MAX_GRANTS_PER_KEY: usize = 50_000;

/// A ListGrants entry for a grant.
pub fn grant_entry(world: &World, g: &Grant, key_arn: &str) -> GrantListEntry {
    GrantListEntry {
        key_id: key_arn.to_string(),
        grant_id: g.id.to_string(),
        name: g.name.clone().unwrap_or_default(),
        creation_date: Some(epoch_seconds(g.created)),
        grantee_principal: (!is_service_ref(&g.grantee))
            .then(|| world.principal_display(&g.grantee)),
        retiring_principal: g
            .retiring
            .as_ref()
            .filter(|r| !is_service_ref(r))
            .map(|r| world.principal_display(r)),
        issuing_account: Some(g.issuing_account.root_arn()),
        operations: g.operations.clone(),
        constraints: g.constraints.clone(),
        grantee_service_principal: is_service_ref(&g.grantee)
            .then(|| world.principal_display(&g.grantee)),
        retiring_service_principal: g
            .retiring
            .as_ref()
            .filter(|r| is_service_ref(r))
            .map(|r| world.principal_display(r)),
    }
}

fn is_service_ref(r: &PrincipalRef) -> bool {
    matches!(r, PrincipalRef::Service { .. })
}

/// `GranteeServicePrincipal` / `RetiringServicePrincipal`: the service model's
/// ServicePrincipalType (1-128, `^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$`).
fn validate_service_principal_field(field: &str, value: &str) -> KmsResult<()> {
    validate::length(field, value, 1, 128)?;
    let labels: Vec<&str> = value.split('.').collect();
    let ok = labels.len() >= 3
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if !ok {
        return Err(KmsError::validation(
            &quoted(value),
            field,
            "Member must satisfy regular expression pattern: ^([A-Za-z0-9\\-]+)\\.([A-Za-z0-9\\-]+)(\\.[A-Za-z0-9\\-]+)+$",
        ));
    }
    Ok(())
}

/// The `SourceArn` constraint: the service model's GrantConstraintSourceArnType (20-512,
/// `^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$`).
fn validate_source_arn(value: &str) -> KmsResult<()> {
    const FIELD: &str = "constraints.sourceArn";
    validate::length(FIELD, value, 20, 512)?;
    let lower_dash = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && lower_dash(parts[1])
        && !parts[2].is_empty()
        && lower_dash(parts[2])
        && lower_dash(parts[3])
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && !parts[5].is_empty();
    if !ok {
        return Err(KmsError::validation(
            &quoted(value),
            FIELD,
            "Member must satisfy regular expression pattern: ^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$",
        ));
    }
    Ok(())
}

fn validate_principal_field(field: &str, value: &str) -> KmsResult<()> {
    validate::length(field, value, 1, 256)?;
    if !is_valid_principal_string(value) {
        return Err(KmsError::validation(
            &quoted(value),
            field,
            "Member must satisfy regular expression pattern: ^[\\w+=,.@:/-]+$",
        ));
    }
    Ok(())
}

/// Resolve a grantee or retiring principal: it must exist (service principals aside).
pub(crate) fn principal_ref(world: &World, value: &str) -> KmsResult<PrincipalRef> {
    let invalid = || {
        KmsError::new(
            ErrorCode::InvalidArnException,
            format!("ARN does not refer to a valid principal: {value}"),
        )
    };
    match PrincipalArn::parse(value) {
        Some(PrincipalArn::Service(s)) if is_service_principal(&s) => {
            Ok(PrincipalRef::Other { arn: s })
        }
        Some(PrincipalArn::Root { account }) => match world.account(&account) {
            Some(a) => Ok(PrincipalRef::Other {
                arn: a.id.root_arn(),
            }),
            None => Err(invalid()),
        },
        Some(PrincipalArn::User { .. } | PrincipalArn::Role { .. }) => {
            let p = world.find_principal(value).map_err(|_| invalid())?;
            // The ARN given must name this very principal (not a bare-name look-up).
            if PrincipalArn::parse(&p.arn) != PrincipalArn::parse(value) {
                return Err(invalid());
            }
            Ok(PrincipalRef::Iam {
                unique_id: p.unique_id.clone(),
            })
        }
        // AWS's own infrastructure roles (`aws:ec2-infrastructure`) exist in every account.
        Some(PrincipalArn::AssumedRole {
            ref account,
            ref role,
            ..
        }) if role.starts_with("aws:") && world.account(account).is_some() => {
            Ok(PrincipalRef::Other {
                arn: value.to_string(),
            })
        }
        Some(PrincipalArn::AssumedRole { .. }) => {
            world.find_principal(value).map_err(|_| invalid())?;
            Ok(PrincipalRef::Other {
                arn: value.to_string(),
            })
        }
        _ => Err(invalid()),
    }
}

pub(crate) fn parse_operations(ops: &[OperationInput]) -> KmsResult<Vec<GrantOperation>> {
    if ops.is_empty() {
        return Err(KmsError::validation(
            "'[]'",
            "operations",
            "Member must have length greater than or equal to 1",
        ));
    }
    let mut out: Vec<GrantOperation> = Vec::with_capacity(ops.len());
    for o in ops {
        let OperationInput::Known(op) = *o else {
            let all: Vec<String> = ops.iter().map(ToString::to_string).collect();
            return Err(KmsError::validation(
                &quoted(&format!("[{}]", all.join(", "))),
                "operations",
                &format!(
                    "Member must satisfy constraint: [Member must satisfy enum value set: {}]",
                    GrantOperation::enum_list()
                ),
            ));
        };
        if !out.contains(&op) {
            out.push(op);
        }
    }
    Ok(out)
}

fn validate_constraints(c: &GrantConstraints) -> KmsResult<()> {
    for (field, map) in [
        (
            "constraints.encryptionContextSubset",
            &c.encryption_context_subset,
        ),
        (
            "constraints.encryptionContextEquals",
            &c.encryption_context_equals,
        ),
    ] {
        if let Some(m) = map {
            if m.len() > 8 {
                return Err(KmsError::invalid(format!(
                    "1 validation error detected: Value at '{field}' failed to satisfy constraint: Map must have at most 8 entries"
                )));
            }
        }
    }
    Ok(())
}

fn not_found_grant(id: &str) -> KmsError {
    KmsError::not_found(format!("Grant ID {id} not found"))
}

fn parse_grant_id(id: &str) -> KmsResult<GrantId> {
    validate::length("grantId", id, 1, 128)?;
    GrantId::parse(id).ok_or_else(|| {
        KmsError::new(
            ErrorCode::InvalidGrantIdException,
            format!("Invalid grant ID: {id}"),
        )
    })
}

fn removal(world: &World, kind: RemovalKind, by: &str, now: Timestamp) -> Removal {
    Removal {
        kind,
        by: by.to_string(),
        at: now,
        effective_at: crate::kms::time::later_saturating(now, world.propagation_delay),
    }
}

impl Simulator {
    pub fn create_grant(
        &mut self,
        caller: &Caller,
        req: CreateGrantRequest,
    ) -> KmsResult<CreateGrantResponse> {
        self.call(caller, ApiOperation::CreateGrant, |world, rec| {
            validate::length("keyId", &req.key_id, 1, 2048)?;
            if let Some(g) = &req.grantee_principal {
                validate_principal_field("granteePrincipal", g)?;
            }
            if let Some(r) = &req.retiring_principal {
                validate_principal_field("retiringPrincipal", r)?;
            }
            if let Some(g) = &req.grantee_service_principal {
                validate_service_principal_field("granteeServicePrincipal", g)?;
            }
            if let Some(r) = &req.retiring_service_principal {
                validate_service_principal_field("retiringServicePrincipal", r)?;
            }
            if let Some(arn) = req.constraints.as_ref().and_then(|c| c.source_arn.as_deref()) {
                validate_source_arn(arn)?;
            }
            let operations = parse_operations(&req.operations)?;
            if let Some(name) = &req.name {
                validate::length("name", name, 1, 256)?;
                if !is_valid_grant_name(name) {
                    return Err(KmsError::validation(
                        &quoted(name),
                        "name",
                        "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
                    ));
                }
            }
            let constraints = req.constraints.clone().filter(|c| !c.is_empty());
            if let Some(c) = &constraints {
                validate_constraints(c)?;
            }
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let grantee_name = match (&req.grantee_principal, &req.grantee_service_principal) {
                (Some(p), None) | (None, Some(p)) => p.as_str(),
                _ => {
                    return Err(KmsError::invalid(
                        "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.",
                    ))
                }
            };
            if req.retiring_principal.is_some() && req.retiring_service_principal.is_some() {
                return Err(KmsError::invalid(
                    "You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both.",
                ));
            }
            if req.grantee_service_principal.is_some() {
                if req
                    .constraints
                    .as_ref()
                    .and_then(|c| c.source_arn.as_ref())
                    .is_none()
                {
                    return Err(KmsError::invalid(
                        "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant constraint.",
                    ));
                }
                if req.retiring_principal.is_none() && req.retiring_service_principal.is_none() {
                    return Err(KmsError::invalid(
                        "When you specify a GranteeServicePrincipal, you must also specify either a RetiringPrincipal or a RetiringServicePrincipal.",
                    ));
                }
            }
            let key = validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, GRANTS)?;
            rec.key_arn = Some(key.arn.clone());
            if let Some(bad) = operations.iter().find(|o| !o.valid_for(key.spec, key.usage)) {
                return Err(KmsError::invalid(format!(
                    "Grant operation {bad} is not valid for a KMS key with KeySpec {} and KeyUsage {}.",
                    key.spec, key.usage
                )));
            }
            if constraints.as_ref().is_some_and(|c| c.has_context_constraint())
                && !key.spec.is_symmetric_encryption()
            {
                return Err(KmsError::invalid(
                    "Grant constraints (encryption context) are supported only for symmetric encryption KMS keys.",
                ));
            }
            let grantee = match &req.grantee_service_principal {
                Some(name) => PrincipalRef::Service { name: name.clone() },
                None => principal_ref(world, grantee_name)?,
            };
            let retiring = match (&req.retiring_principal, &req.retiring_service_principal) {
                (Some(r), _) => Some(principal_ref(world, r)?),
                (None, Some(name)) => Some(PrincipalRef::Service { name: name.clone() }),
                (None, None) => None,
            };
            let constraint_types = constraints
                .as_ref()
                .map(GrantConstraints::type_names)
                .unwrap_or_default();
            rec.authorize(
                world,
                &AuthRequest {
                    action: "kms:CreateGrant",
                    key: Some(key),
                    grant_use: GrantUse::Delegate {
                        operations: &operations,
                        constraints: constraints.as_ref(),
                    },
                    token_grants: &tokens,
                    facts: RequestFacts {
                        grant_operations: Some(&operations),
                        grantee_principal: req.grantee_principal.as_deref(),
                        grantee_service_principal: req.grantee_service_principal.as_deref(),
                        retiring_principal: req
                            .retiring_principal
                            .as_deref()
                            .or(req.retiring_service_principal.as_deref()),
                        grant_constraint_types: constraint_types,
                        grant_source_arn: constraints
                            .as_ref()
                            .and_then(|c| c.source_arn.as_deref()),
                        ..Default::default()
                    },
                },
            )?;
            match key.state {
                KeyState::Enabled => {}
                KeyState::Disabled => {
                    return Err(KmsError::new(ErrorCode::DisabledException, format!("{} is disabled.", key.arn)))
                }
                KeyState::PendingDeletion => return Err(super::keys::pending_deletion(key)),
                other => {
                    return Err(KmsError::new(
                        ErrorCode::KmsInvalidStateException,
                        format!("{} is {other}.", key.arn),
                    ))
                }
            }
            let key_id = key.slot().into_owned();
            let key_account = key.account.clone();
            // Idempotency: the same Name and identical parameters on this key.
            if let Some(name) = &req.name {
                let same = world.listed_grants_of(&key_id).find(|g| {
                    g.name.as_deref() == Some(name.as_str())
                        && g.grantee == grantee
                        && g.retiring == retiring
                        && same_set(&g.operations, &operations)
                        && g.constraints == constraints
                });
                if let Some(g) = same {
                    validate::dry_run(req.dry_run)?;
                    let id = g.id.clone();
                    return Ok(CreateGrantResponse {
                        grant_token: crypto::issue_token(&world.token_secret, &id, &key_id),
                        grant_id: id.to_string(),
                    });
                }
            }
            if world.listed_grant_count(&key_id) >= MAX_GRANTS_PER_KEY {
                return Err(KmsError::new(
                    ErrorCode::LimitExceededException,
                    format!(
                        "The request was rejected because the KMS key {} already has {MAX_GRANTS_PER_KEY} grants, the maximum allowed.",
                        world.keys[&key_id].arn
                    ),
                ));
            }
            validate::dry_run(req.dry_run)?;
            let now = world.now();
            let id = GrantId::random();
            let seq = world.next_grant_seq;
            world.next_grant_seq += 1;
            world.insert_grant(Grant {
                id: id.clone(),
                key_id: key_id.clone(),
                seq,
                name: req.name.clone(),
                created: now,
                effective_at: crate::kms::time::later_saturating(now, world.propagation_delay),
                grantee,
                retiring,
                issuing_account: key_account,
                operations,
                constraints,
                created_by: rec.caller.arn.clone(),
                last_used: None,
                use_count: 0,
                removal: None,
            });
            Ok(CreateGrantResponse {
                grant_token: crypto::issue_token(&world.token_secret, &id, &key_id),
                grant_id: id.to_string(),
            })
        })
    }

    pub fn list_grants(
        &mut self,
        caller: &Caller,
        req: ListGrantsRequest,
    ) -> KmsResult<ListGrantsResponse> {
        self.call(caller, ApiOperation::ListGrants, |world, rec| {
            let size = validate::page_size(req.limit, 50, 100)?;
            let grant_filter = match &req.grant_id {
                Some(id) => Some(parse_grant_id(id)?),
                None => None,
            };
            if let Some(p) = &req.grantee_principal {
                validate_principal_field("granteePrincipal", p)?;
            }
            if let Some(p) = &req.grantee_service_principal {
                validate_service_principal_field("granteeServicePrincipal", p)?;
            }
            let key = validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, GRANTS)?;
            rec.key_arn = Some(key.arn.clone());
            rec.authorize(
                world,
                &AuthRequest {
                    action: "kms:ListGrants",
                    key: Some(key),
                    grant_use: GrantUse::Never,
                    token_grants: &[],
                    facts: RequestFacts {
                        grantee_principal: req.grantee_principal.as_deref(),
                        ..Default::default()
                    },
                },
            )?;
            let scope = format!("grants:{}", key.slot());
            let start = match &req.marker {
                Some(m) => read_marker(world, &scope, m)?,
                None => 0,
            };
            let mut matching = world
                .idx
                .grants_by_key
                .get(key.slot().as_ref())
                .into_iter()
                .flat_map(|m| m.range(start..))
                .filter_map(|(seq, id)| world.grants.get(id).map(|g| (*seq, g)))
                .filter(|(_, g)| g.is_listed())
                .filter(|(_, g)| grant_filter.as_ref().is_none_or(|f| &g.id == f))
                .filter(|(_, g)| {
                    let named_as = |service: bool, p: &String| {
                        is_service_ref(&g.grantee) == service
                            && &world.principal_display(&g.grantee) == p
                    };
                    req.grantee_principal
                        .as_ref()
                        .is_none_or(|p| named_as(false, p))
                        && req
                            .grantee_service_principal
                            .as_ref()
                            .is_none_or(|p| named_as(true, p))
                });
            let page: Vec<GrantListEntry> = matching
                .by_ref()
                .take(size)
                .map(|(_, g)| grant_entry(world, g, &key.arn))
                .collect();
            let next = matching.next().map(|(seq, _)| seq);
            Ok(ListGrantsResponse {
                grants: page,
                next_marker: next.map(|seq| crypto::issue_marker(&world.token_secret, &scope, seq)),
                truncated: next.is_some(),
            })
        })
    }

    pub fn list_retirable_grants(
        &mut self,
        caller: &Caller,
        req: ListRetirableGrantsRequest,
    ) -> KmsResult<ListGrantsResponse> {
        self.call(caller, ApiOperation::ListRetirableGrants, |world, rec| {
            let size = validate::page_size(req.limit, 50, 100)?;
            if let Some(p) = &req.retiring_principal {
                validate_principal_field("retiringPrincipal", p)?;
            }
            if let Some(p) = &req.retiring_service_principal {
                validate_service_principal_field("retiringServicePrincipal", p)?;
            }
            let (retiring, service) =
                match (&req.retiring_principal, &req.retiring_service_principal) {
                    (Some(p), None) => (p.as_str(), false),
                    (None, Some(p)) => (p.as_str(), true),
                    _ => {
                        return Err(KmsError::invalid(
                            "You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.",
                        ))
                    }
                };
            rec.authorize(
                world,
                &AuthRequest {
                    action: "kms:ListRetirableGrants",
                    key: None,
                    grant_use: GrantUse::Never,
                    token_grants: &[],
                    facts: RequestFacts::default(),
                },
            )?;
            // "The retiring principal for which to list grants. Enter a principal in your
            // AWS account." (API Reference.) Decision: another account's principal is a
            // ValidationException that says so; a service principal has no account.
            if let Some(other) = PrincipalArn::parse(retiring)
                .as_ref()
                .and_then(PrincipalArn::account)
                .filter(|a| *a != rec.caller.account.as_str())
            {
                return Err(KmsError::invalid(format!(
                    "RetiringPrincipal must be a principal in your AWS account ({}); {retiring} is in account {other}.",
                    rec.caller.account
                )));
            }
            // "This filter is only usable by callers in a service principal."
            if service && rec.caller.kind != CallerKind::Service {
                return Err(KmsError::access_denied(format!(
                    "User: {} is not authorized to use the RetiringServicePrincipal filter: it is only usable by callers in a service principal.",
                    rec.caller.arn
                )));
            }
            let account = rec.caller.account.clone();
            let scope = format!("retirable:{account}:{retiring}");
            // Creation order (grant sequence numbers are unique in the world), and the
            // marker names the next grant's sequence number: grants retired or created
            // between pages never shift the others.
            let start = match &req.marker {
                Some(m) => read_marker(world, &scope, m)?,
                None => 0,
            };
            // The grants naming this retiring principal, from the index: by ARN (or service
            // name) as written, and by the unique id of the live principal with that ARN.
            let mut seqs: Vec<(u64, &GrantId)> = [
                Some(retiring),
                world.idx.principal_by_arn.get(retiring).map(String::as_str),
            ]
            .into_iter()
            .flatten()
            .filter_map(|k| world.idx.grants_by_retiring.get(k))
            .flat_map(|m| m.range(start..))
            .map(|(seq, id)| (*seq, id))
            .collect();
            seqs.sort_unstable_by_key(|(seq, _)| *seq);
            seqs.dedup_by_key(|(seq, _)| *seq);
            let all: Vec<(&str, &Grant)> = seqs
                .into_iter()
                .filter_map(|(_, id)| world.grants.get(id))
                .filter(|g| g.is_listed())
                .filter(|g| {
                    g.retiring.as_ref().is_some_and(|r| {
                        is_service_ref(r) == service && world.principal_display(r) == retiring
                    })
                })
                .filter_map(|g| {
                    let k = world.keys.get(&g.key_id)?;
                    // Per region, like every KMS listing (`regions.rs`).
                    (k.account == account && k.region() == rec.caller.region)
                        .then_some((k.arn.as_str(), &**g))
                })
                .take(size + 1)
                .collect();
            let page: Vec<GrantListEntry> = all
                .iter()
                .take(size)
                .map(|(arn, g)| grant_entry(world, g, arn))
                .collect();
            let next = all.get(size).map(|(_, g)| g.seq);
            Ok(ListGrantsResponse {
                grants: page,
                next_marker: next.map(|seq| crypto::issue_marker(&world.token_secret, &scope, seq)),
                truncated: next.is_some(),
            })
        })
    }

    pub fn retire_grant(&mut self, caller: &Caller, req: RetireGrantRequest) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::RetireGrant, |world, rec| {
            let grant_id = match (&req.grant_token, &req.key_id, &req.grant_id) {
                (Some(token), _, _) => {
                    validate::length("grantToken", token, 1, 8192)?;
                    let (id, _) =
                        crypto::read_token(&world.token_secret, token).ok_or_else(|| {
                            KmsError::new(
                                ErrorCode::InvalidGrantTokenException,
                                "The grant token is not valid.",
                            )
                        })?;
                    let g = world
                        .grants
                        .get(&id)
                        .filter(|g| g.is_listed())
                        .ok_or_else(|| not_found_grant(id.as_str()))?;
                    if let Some(k) = &req.key_id {
                        let key = validate::resolve_key(world, &rec.caller, "keyId", k, GRANTS)?;
                        if key.slot() != g.key_id.as_str() {
                            return Err(not_found_grant(id.as_str()));
                        }
                    }
                    id
                }
                (None, Some(key_id), Some(grant_id)) => {
                    let id = parse_grant_id(grant_id)?;
                    let key = validate::resolve_key(world, &rec.caller, "keyId", key_id, GRANTS)?;
                    rec.key_arn = Some(key.arn.clone());
                    match world.grants.get(&id) {
                        Some(g) if g.is_listed() && g.key_id == key.slot() => id,
                        _ => return Err(not_found_grant(grant_id)),
                    }
                }
                _ => {
                    return Err(KmsError::invalid(
                        "Either GrantToken, or both KeyId and GrantId, must be specified.",
                    ))
                }
            };
            let g = &world.grants[&grant_id];
            let key = world
                .keys
                .get(&g.key_id)
                .ok_or_else(|| KmsError::internal("grant without key"))?;
            rec.key_arn = Some(key.arn.clone());
            let decision = authorize_retire(world, &rec.caller, g, key);
            let denied = (!decision.allowed)
                .then(|| decision.denial(&rec.caller.arn, "kms:RetireGrant", &key.arn));
            rec.decisions.push(decision);
            if let Some(denial) = denied {
                return Err(denial);
            }
            validate::dry_run(req.dry_run)?;
            let now = world.now();
            let r = removal(world, RemovalKind::Retired, &rec.caller.arn, now);
            world.mark_removed(&grant_id, r);
            Ok(Empty {})
        })
    }

    pub fn revoke_grant(&mut self, caller: &Caller, req: RevokeGrantRequest) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::RevokeGrant, |world, rec| {
            let id = parse_grant_id(&req.grant_id)?;
            let key = validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, GRANTS)?;
            rec.key_arn = Some(key.arn.clone());
            rec.authorize(
                world,
                &AuthRequest {
                    action: "kms:RevokeGrant",
                    key: Some(key),
                    grant_use: GrantUse::Never,
                    token_grants: &[],
                    facts: RequestFacts::default(),
                },
            )?;
            match world.grants.get(&id) {
                Some(g) if g.is_listed() && g.key_id == key.slot() => {}
                _ => return Err(not_found_grant(&req.grant_id)),
            }
            validate::dry_run(req.dry_run)?;
            let now = world.now();
            let r = removal(world, RemovalKind::Revoked, &rec.caller.arn, now);
            world.mark_removed(&id, r);
            Ok(Empty {})
        })
    }
}

fn same_set(a: &[GrantOperation], b: &[GrantOperation]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}
