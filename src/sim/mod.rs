//! The bundled AWS KMS simulator: a world of accounts, principals, keys and grants that
//! answers KMS API calls as AWS does, enforcing key policies, IAM policies and grants,
//! with grant tokens, constraints, eventual consistency, key states and AWS's errors.
//!
//! `Simulator` is synchronous and owns its `World`; `SharedSimulator` shares one between
//! async callers. Each operation lives in the file for its role: `keys.rs`, `grants.rs`,
//! `crypto_ops.rs`; authorization in `authorize.rs`.

pub mod activity;
mod asymmetric;
pub mod authorize;
pub mod changes;
pub mod clock;
pub mod conditions;
pub mod crypto;
mod crypto_ops;
pub mod custom_key_stores;
pub mod grant_index;
pub(crate) mod grants;
pub mod import;
pub mod import_wrapping;
pub mod inventory;
pub mod journal;
pub mod key_material;
mod key_pairs;
mod keys;
mod keys_admin;
mod mac;
pub mod managed_keys;
pub mod material;
pub mod multi_region;
pub mod organization;
pub mod principals;
pub mod regions;
pub mod related_keys;
pub mod rotation;
pub mod scenario;
mod signing;
pub mod snapshot;
pub mod tags;
pub mod validate;
pub mod world;

use std::sync::{Arc, Mutex, MutexGuard};

use crate::kms::{ApiOperation, ErrorCode, KmsResult, Timestamp};

pub use activity::{ActivityEntry, ActivityLog, Outcome};
pub use authorize::{Decision, Why};
pub use clock::Clock;
pub use principals::{Caller, ResolvedCaller};
pub use scenario::Scenario;
pub use world::{PrincipalKind, World};

use authorize::{authorize, AuthRequest};

/// The simulator: a world and the KMS operations over it.
#[derive(Debug, Clone)]
pub struct Simulator {
    world: World,
}

/// What one call did, for the activity log.
pub(crate) struct CallRecord {
    pub caller: ResolvedCaller,
    pub key_arn: Option<String>,
    pub decisions: Vec<Decision>,
}

impl CallRecord {
    /// Decide a request; a denial becomes AWS's AccessDeniedException.
    pub fn authorize(&mut self, world: &World, req: &AuthRequest) -> KmsResult<()> {
        let decision = authorize(world, &self.caller, req, world.now());
        let result = if decision.allowed {
            Ok(())
        } else {
            let resource = req.key.map_or("*", |k| k.arn.as_str());
            Err(decision.denial(&self.caller.arn, req.action, resource))
        };
        self.decisions.push(decision);
        result
    }
}

impl Simulator {
    /// The simulator over `world`, indexed (unless a scenario or snapshot load already did).
    pub fn new(mut world: World) -> Self {
        if !world.idx.built {
            world.rebuild_indexes();
        }
        Self { world }
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// Direct access to the world for the simulator's own controls (principals, clock).
    /// KMS operations go through the methods, which authorize and log.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    pub fn now(&self) -> Timestamp {
        self.world.now()
    }

    /// Move the clock forward (grant propagation, deletion windows).
    pub fn advance_clock(&mut self, by: std::time::Duration) {
        self.world.clock.advance(by);
        self.world.settle();
    }

    /// Activity entries after sequence number `seq`.
    pub fn activity_since(&self, seq: u64) -> Vec<ActivityEntry> {
        self.world.activity.since(seq).cloned().collect()
    }

    /// Run one operation: settle time, resolve the caller, run `f`, record grant use and
    /// the activity entry.
    pub(crate) fn call<T>(
        &mut self,
        caller: &Caller,
        op: ApiOperation,
        f: impl FnOnce(&mut World, &mut CallRecord) -> KmsResult<T>,
    ) -> KmsResult<T> {
        self.world.settle();
        let now = self.world.now();
        let resolved = match self.world.resolve_caller(caller) {
            Ok(c) => c,
            Err(e) => {
                self.world.activity.push(ActivityEntry {
                    seq: 0,
                    time: now,
                    caller: caller.principal.clone(),
                    operation: op,
                    key: None,
                    outcome: Outcome::Failed { code: e.code },
                    why: e.message.clone(),
                    grant: None,
                    unevaluated: vec![],
                });
                return Err(e);
            }
        };
        let mut rec = CallRecord {
            caller: resolved,
            key_arn: None,
            decisions: Vec::new(),
        };
        let result = f(&mut self.world, &mut rec);
        let mut grant = None;
        if result.is_ok() {
            for d in &rec.decisions {
                if let Some(id) = d.grant() {
                    self.world.touch_grant(id);
                    if let Some(g) = self.world.grants.get_mut(id) {
                        g.last_used = Some(now);
                        g.use_count += 1;
                    }
                    grant = Some(id.clone());
                }
            }
        }
        let mut why: Vec<String> = rec.decisions.iter().map(|d| d.to_string()).collect();
        let outcome = match &result {
            Ok(_) => Outcome::Allowed,
            Err(e) if e.code == ErrorCode::AccessDeniedException => Outcome::Denied,
            Err(e) => {
                why.push(format!("{}: {}", e.code, e.message));
                Outcome::Failed { code: e.code }
            }
        };
        self.world.activity.push(ActivityEntry {
            seq: 0,
            time: now,
            caller: rec.caller.arn.clone(),
            operation: op,
            key: rec.key_arn.clone(),
            outcome,
            why: why.join("; "),
            grant,
            unevaluated: rec
                .decisions
                .iter()
                .flat_map(|d| d.unevaluated.clone())
                .collect(),
        });
        result
    }
}

/// One simulator shared by many async callers. Every operation holds the lock only for
/// its own (short, non-async) work, so concurrent calls serialize into some order.
#[derive(Debug, Clone)]
pub struct SharedSimulator(Arc<Mutex<Simulator>>);

impl SharedSimulator {
    pub fn new(sim: Simulator) -> Self {
        Self(Arc::new(Mutex::new(sim)))
    }

    /// Lock the simulator. A panic while the lock was held cannot leave a half-applied
    /// change (operations validate before they mutate), so a poisoned lock is recovered.
    pub fn lock(&self) -> MutexGuard<'_, Simulator> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Run `f` with the simulator on tokio's blocking-aware path, from async code.
    pub async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Simulator) -> T + Send + 'static,
    ) -> T {
        let this = self.clone();
        match tokio::task::spawn_blocking(move || f(&mut this.lock())).await {
            Ok(v) => v,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}
