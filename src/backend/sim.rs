//! The simulator backend: `Backend` over a `SharedSimulator`. KMS calls go through the
//! simulator's API as the operator (so they are authorized and logged with their WHY);
//! what KMS has no API for (principals, friendly names, grant counts) is read from the
//! world. The operator is the home account's first principal with AdministratorAccess,
//! unless another is chosen.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;

use crate::kms::api::{
    CreateAliasRequest, CreateGrantRequest, CreateKeyRequest, KeyIdRequest, ListGrantsRequest,
    RetireGrantRequest, RevokeGrantRequest, ScheduleKeyDeletionRequest,
};
use crate::kms::ids::{display_name, PrincipalArn};
use crate::kms::inventory::Inventory;
use crate::kms::{ErrorCode, GrantId, GrantListEntry, KeyRef, OperationInput, Timestamp};
use crate::sim::world::{PrincipalKind, PrincipalRef, World};
use crate::sim::{Caller, Outcome, SharedSimulator, Simulator};

use super::sim_regions::caller_for_key;

use super::{
    ActivityEvent, Actor, Backend, BackendError, BackendInfo, BackendResult, CreateGrantInput,
    CreatedGrant, EventOutcome, GrantPage, GrantSummary, KeyList, KeyStateChange,
    PrincipalKindLabel, PrincipalList, PrincipalSummary, TestCall, TestOutcome, WorldControls,
};

/// ListGrants page size the UI asks for (AWS's maximum).
const GRANT_PAGE: i64 = 100;

#[derive(Debug, Clone)]
pub struct SimBackend {
    sim: SharedSimulator,
    operator: String,
    info: BackendInfo,
}

impl SimBackend {
    /// A backend acting as `operator` (ARN or name), or as the scenario's admin.
    pub fn new(sim: SharedSimulator, source: &str, operator: Option<&str>) -> BackendResult<Self> {
        let (identity, account, region) = {
            let s = sim.lock();
            let w = s.world();
            let home = w
                .home_account()
                .ok_or_else(|| BackendError::configuration("The world has no account."))?
                .clone();
            let identity = match operator {
                Some(who) => w.resolve_caller(&Caller::new(who))?.arn,
                None => default_operator(w).unwrap_or_else(|| home.root_arn()),
            };
            (identity, home.to_string(), w.region.clone())
        };
        Ok(Self {
            sim,
            operator: identity.clone(),
            info: BackendInfo {
                kind: "simulator".into(),
                source: source.to_string(),
                account,
                region,
                identity,
                endpoint: None,
            },
        })
    }

    pub fn simulator(&self) -> &SharedSimulator {
        &self.sim
    }

    fn caller(&self) -> Caller {
        Caller::new(self.operator.clone())
    }

    /// The caller an actor is: a principal as itself. The simulator has no profiles.
    fn caller_for(&self, actor: &Actor) -> BackendResult<Caller> {
        match actor {
            Actor::Principal(p) => Ok(Caller::new(p.as_str())),
            Actor::Profile(name) => Err(BackendError::configuration(format!(
                "The simulator acts as principals, not profiles (profile {name})."
            ))),
        }
    }
}

/// The home account's first principal with AdministratorAccess, else its first principal.
pub fn default_operator(w: &World) -> Option<String> {
    let home = w.home_account()?;
    let mine = || w.principals.values().filter(|p| &p.account == home);
    mine()
        .find(|p| {
            p.policies
                .iter()
                .any(|pol| pol.name == "AdministratorAccess")
        })
        .or_else(|| mine().next())
        .map(|p| p.arn.clone())
}

/// The kind and short name of a principal string as grants show it; the world knows
/// more than the string: that a principal was deleted, or is a user rather than a role
/// in an account of its own.
pub fn principal_name(w: &World, s: &str) -> (PrincipalKindLabel, String) {
    if let Some(id) = w.idx.principal_by_arn.get(s) {
        if let Some(p) = w.principals.get(id) {
            let kind = match p.kind {
                PrincipalKind::User => PrincipalKindLabel::User,
                PrincipalKind::Role => PrincipalKindLabel::Role,
            };
            return (kind, p.name.clone());
        }
    }
    if let Some(d) = w.deleted_principals.get(s) {
        return (
            PrincipalKindLabel::Deleted,
            format!("{} (deleted)", display_name(&d.arn)),
        );
    }
    let kind = match PrincipalArn::parse(s) {
        Some(PrincipalArn::Root { .. }) => PrincipalKindLabel::Root,
        Some(PrincipalArn::Service(_)) => PrincipalKindLabel::Service,
        Some(PrincipalArn::AssumedRole { .. }) => PrincipalKindLabel::AssumedRole,
        // An IAM ARN the world does not hold: a principal that no longer exists.
        Some(PrincipalArn::User { .. } | PrincipalArn::Role { .. }) | None => {
            PrincipalKindLabel::Deleted
        }
    };
    (kind, display_name(s))
}

fn summarize_grant(w: &World, e: GrantListEntry, alias: Option<String>) -> GrantSummary {
    GrantSummary::from_entry(e, alias, |p| principal_name(w, p).1)
}

fn event_of(e: &crate::sim::ActivityEntry) -> ActivityEvent {
    ActivityEvent {
        seq: e.seq,
        time: e.time,
        caller: e.caller.clone(),
        operation: e.operation.as_str().to_string(),
        key: e.key.clone(),
        outcome: match &e.outcome {
            Outcome::Allowed => EventOutcome::Allowed,
            Outcome::Denied => EventOutcome::Denied,
            Outcome::Failed {
                code: ErrorCode::DryRunOperationException,
            } => EventOutcome::DryRun,
            Outcome::Failed { code } => EventOutcome::Failed(code.as_str().to_string()),
        },
        why: e.why.clone(),
    }
}

#[async_trait]
impl Backend for SimBackend {
    fn info(&self) -> BackendInfo {
        self.info.clone()
    }

    fn now(&self) -> Timestamp {
        self.sim.lock().now()
    }

    async fn list_keys(&self) -> BackendResult<KeyList> {
        let caller = self.caller();
        self.sim
            .with(move |s| {
                Ok(KeyList {
                    keys: super::sim_regions::list_all_regions(s, &caller)?,
                    details_later: false,
                })
            })
            .await
    }

    fn world(&self) -> Option<&dyn WorldControls> {
        Some(self)
    }

    async fn list_grants(&self, key: &KeyRef, marker: Option<String>) -> BackendResult<GrantPage> {
        let caller = caller_for_key(self.caller(), key);
        let key_id = key.to_string();
        let bare_id = key.key_id().unwrap_or_default().to_string();
        self.sim
            .with(move |s| {
                let page = s.list_grants(
                    &caller,
                    ListGrantsRequest {
                        key_id: key_id.clone(),
                        limit: Some(GRANT_PAGE),
                        marker,
                        ..Default::default()
                    },
                )?;
                let w = s.world();
                let slot = crate::sim::regions::key_slot(
                    caller.region.as_deref().unwrap_or(&w.region),
                    &bare_id,
                );
                let alias = w.aliases_of(&slot).first().map(|a| a.name.clone());
                Ok(GrantPage {
                    grants: page
                        .grants
                        .into_iter()
                        .map(|e| summarize_grant(w, e, alias.clone()))
                        .collect(),
                    next_marker: if page.truncated {
                        page.next_marker
                    } else {
                        None
                    },
                })
            })
            .await
    }

    async fn list_principals(&self) -> BackendResult<PrincipalList> {
        self.sim
            .with(|s| {
                let w = s.world();
                // Counted by grantee reference first (no string built per grant), then
                // named once per grantee.
                let mut by_ref: HashMap<&str, (&PrincipalRef, usize)> = HashMap::new();
                for g in w.grants.values().filter(|g| g.is_listed()) {
                    by_ref
                        .entry(g.grantee.match_key())
                        .or_insert((&g.grantee, 0))
                        .1 += 1;
                }
                let mut counts: HashMap<String, usize> = HashMap::new();
                for (r, n) in by_ref.into_values() {
                    *counts.entry(w.principal_display(r)).or_default() += n;
                }
                let mut out: Vec<PrincipalSummary> = w
                    .principals
                    .values()
                    .map(|p| PrincipalSummary {
                        kind: match p.kind {
                            PrincipalKind::User => PrincipalKindLabel::User,
                            PrincipalKind::Role => PrincipalKindLabel::Role,
                        },
                        name: p.name.clone(),
                        arn: p.arn.clone(),
                        unique_id: Some(p.unique_id.clone()),
                        account: Some(p.account.to_string()),
                        policies: p.policies.iter().map(|x| x.name.clone()).collect(),
                        grant_count: counts.remove(&p.arn).unwrap_or(0),
                    })
                    .collect();
                // Principals that only grants name: roots, services, sessions, deleted ones.
                let mut others: Vec<(String, usize)> = counts.into_iter().collect();
                others.sort();
                for (arn, n) in others {
                    let (kind, name) = principal_name(w, &arn);
                    out.push(PrincipalSummary {
                        kind,
                        name,
                        unique_id: w.deleted_principals.contains_key(&arn).then(|| arn.clone()),
                        account: PrincipalArn::parse(&arn)
                            .and_then(|p| p.account().map(str::to_string)),
                        arn,
                        policies: vec![],
                        grant_count: n,
                    });
                }
                PrincipalSummary::sort(&mut out);
                Ok(PrincipalList {
                    principals: out,
                    note: None,
                })
            })
            .await
    }

    async fn grants_of_principal(&self, principal: &str) -> BackendResult<Vec<GrantSummary>> {
        let principal = principal.to_string();
        self.sim
            .with(move |s| {
                let w = s.world();
                // From the index by (key, grantee): the grantee is named by its unique id
                // when it is a live IAM principal, else by the ARN or service name itself.
                let refs: Vec<&str> = [
                    Some(principal.as_str()),
                    w.idx.principal_by_arn.get(&principal).map(String::as_str),
                ]
                .into_iter()
                .flatten()
                .collect();
                let mut held: Vec<_> = w
                    .idx
                    .grants_by_grantee
                    .values()
                    .flat_map(|by_grantee| refs.iter().filter_map(|r| by_grantee.get(*r)))
                    .flat_map(|grants| grants.ids())
                    .filter_map(|id| w.grants.get(id))
                    .filter(|g| g.is_listed() && w.principal_display(&g.grantee) == principal)
                    .filter_map(|g| w.keys.get(&g.key_id).map(|k| (k, g)))
                    .collect();
                held.sort_by(|a, b| (&a.0.arn, a.1.seq).cmp(&(&b.0.arn, b.1.seq)));
                let aliases = w.alias_names_by_key();
                Ok(held
                    .into_iter()
                    .map(|(k, g)| {
                        let alias = aliases
                            .get(k.id.as_str())
                            .and_then(|a| a.first())
                            .map(|a| a.to_string());
                        summarize_grant(w, crate::sim::grants::grant_entry(w, g, &k.arn), alias)
                    })
                    .collect())
            })
            .await
    }

    async fn create_grant(&self, input: CreateGrantInput) -> BackendResult<CreatedGrant> {
        let caller = caller_for_key(self.caller(), &input.key);
        self.sim
            .with(move |s| {
                let r = s.create_grant(
                    &caller,
                    CreateGrantRequest {
                        key_id: input.key.to_string(),
                        grantee_principal: Some(input.grantee.to_string()),
                        retiring_principal: input.retiring.map(|r| r.to_string()),
                        operations: input
                            .operations
                            .into_iter()
                            .map(OperationInput::from)
                            .collect(),
                        constraints: input.constraints,
                        grant_tokens: None,
                        name: input.name,
                        ..Default::default()
                    },
                )?;
                Ok(CreatedGrant {
                    grant_id: r.grant_id,
                    grant_token: r.grant_token,
                })
            })
            .await
    }

    async fn revoke_grant(&self, key: &KeyRef, grant: &GrantId) -> BackendResult<()> {
        let caller = caller_for_key(self.caller(), key);
        let req = RevokeGrantRequest {
            key_id: key.to_string(),
            grant_id: grant.to_string(),
            dry_run: None,
        };
        self.sim
            .with(move |s| s.revoke_grant(&caller, req).map(|_| ()).map_err(Into::into))
            .await
    }

    async fn retire_grant(
        &self,
        key: &KeyRef,
        grant: &GrantId,
        actor: Option<&Actor>,
    ) -> BackendResult<()> {
        let caller = match actor {
            Some(a) => self.caller_for(a)?,
            None => self.caller(),
        };
        let caller = caller_for_key(caller, key);
        let req = RetireGrantRequest {
            key_id: Some(key.to_string()),
            grant_id: Some(grant.to_string()),
            ..Default::default()
        };
        self.sim
            .with(move |s| s.retire_grant(&caller, req).map(|_| ()).map_err(Into::into))
            .await
    }

    async fn test_operation(&self, call: TestCall) -> BackendResult<TestOutcome> {
        let caller = caller_for_key(self.caller_for(&call.actor)?, &call.key);
        let operator = caller_for_key(self.caller(), &call.key);
        self.sim
            .with(move |s| super::sim_test::test_call(s, &operator, &caller, &call))
            .await
    }

    async fn activity_since(&self, seq: u64) -> BackendResult<Vec<ActivityEvent>> {
        let s = self.sim.lock();
        Ok(s.world().activity.since(seq).map(event_of).collect())
    }

    async fn inventory(&self) -> BackendResult<Inventory> {
        // `with` runs on a blocking thread: 45,000 grants never stall the runtime.
        self.sim
            .with(|s| Ok(crate::sim::inventory::inventory(s.world())))
            .await
    }

    async fn inventory_chunk(
        &self,
        after: Option<String>,
        limit: usize,
    ) -> BackendResult<(Inventory, Option<String>)> {
        // One chunk per lock: the world stays free for other calls between chunks (a key
        // created meanwhile after the last chunk is read, as a listing on AWS would).
        self.sim
            .with(move |s| {
                Ok(crate::sim::inventory::inventory_chunk(
                    s.world(),
                    after.as_deref(),
                    limit,
                ))
            })
            .await
    }
}

#[async_trait]
impl WorldControls for SimBackend {
    async fn create_principal(&self, user: bool, name: &str) -> BackendResult<String> {
        let name = name.to_string();
        self.sim
            .with(move |s| {
                let w = s.world_mut();
                let home = w
                    .home_account()
                    .cloned()
                    .ok_or_else(|| BackendError::configuration("The world has no account."))?;
                let kind = if user {
                    PrincipalKind::User
                } else {
                    PrincipalKind::Role
                };
                Ok(w.create_principal(&home, kind, &name, None)?.arn.clone())
            })
            .await
    }

    async fn delete_principal(&self, principal: &str) -> BackendResult<()> {
        let who = principal.to_string();
        self.sim
            .with(move |s| {
                s.world_mut()
                    .delete_principal(&who)
                    .map(|_| ())
                    .map_err(Into::into)
            })
            .await
    }

    async fn create_key(&self, description: &str, alias: Option<String>) -> BackendResult<String> {
        let caller = self.caller();
        let description = description.to_string();
        self.sim
            .with(move |s| {
                let meta = s
                    .create_key(
                        &caller,
                        CreateKeyRequest {
                            description: Some(description),
                            ..Default::default()
                        },
                    )?
                    .key_metadata;
                if let Some(alias) = alias {
                    s.create_alias(
                        &caller,
                        CreateAliasRequest {
                            alias_name: alias,
                            target_key_id: meta.key_id.clone(),
                        },
                    )?;
                }
                Ok(meta.key_id)
            })
            .await
    }

    async fn change_key_state(&self, key: &KeyRef, change: KeyStateChange) -> BackendResult<()> {
        let caller = caller_for_key(self.caller(), key);
        let key_id = key.to_string();
        self.sim
            .with(move |s| {
                let req = KeyIdRequest {
                    key_id: key_id.clone(),
                };
                match change {
                    KeyStateChange::Enable => s.enable_key(&caller, req).map(|_| ()),
                    KeyStateChange::Disable => s.disable_key(&caller, req).map(|_| ()),
                    KeyStateChange::CancelDeletion => {
                        s.cancel_key_deletion(&caller, req).map(|_| ())
                    }
                    KeyStateChange::ScheduleDeletion { days } => s
                        .schedule_key_deletion(
                            &caller,
                            ScheduleKeyDeletionRequest {
                                key_id,
                                pending_window_in_days: Some(i64::from(days)),
                            },
                        )
                        .map(|_| ()),
                }
                .map_err(Into::into)
            })
            .await
    }

    async fn advance_clock(&self, by: Duration) -> BackendResult<()> {
        self.sim.with(move |s| s.advance_clock(by)).await;
        Ok(())
    }

    async fn freeze_clock(&self, frozen: bool) -> BackendResult<()> {
        self.sim
            .with(move |s| {
                let w = s.world_mut();
                w.clock.set_frozen(frozen);
                w.settle();
            })
            .await;
        Ok(())
    }

    fn clock_frozen(&self) -> bool {
        self.sim.lock().world().clock.is_frozen()
    }

    async fn replace_world(&self, world: World) -> BackendResult<()> {
        self.sim.with(move |s| *s = Simulator::new(world)).await;
        Ok(())
    }
}
