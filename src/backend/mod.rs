//! The async `Backend` trait the terminal UI and lessons talk to, and `WorldControls`,
//! the simulator's world controls (principals, key states, the clock, a fresh world),
//! which the simulator backend offers through `Backend::world` and the AWS backend does
//! not. `model` holds the data both speak, `error` the `BackendError` every call answers
//! with.
//!
//! The UI holds an `Arc<dyn Backend>` and calls it only from spawned tasks. Implementations:
//! `sim` (the bundled simulator) and `aws` (aws-sdk-kms against an account, or a
//! KMS-compatible endpoint such as `grantscope serve`).

pub mod aws;
mod error;
mod model;
pub mod sim;
mod sim_regions;
mod sim_test;
mod sim_test_asymmetric;
mod test_call;

use std::time::Duration;

use async_trait::async_trait;

use crate::kms::inventory::Inventory;
use crate::kms::{GrantId, KeyRef, Timestamp};
use crate::sim::World;

pub use aws::AwsBackend;
pub use error::{BackendError, BackendResult, ErrorKind};
pub use model::*;
pub use sim::SimBackend;
pub use test_call::*;

/// The backend the UI runs on. Object-safe: the UI holds `Arc<dyn Backend>`.
#[async_trait]
pub trait Backend: Send + Sync {
    /// Static facts for the status line.
    fn info(&self) -> BackendInfo;

    /// The backend's idea of now (the simulator's clock may be manual or advanced).
    fn now(&self) -> Timestamp;

    /// The world's controls, when this backend is a world of its own (the simulator).
    fn world(&self) -> Option<&dyn WorldControls> {
        None
    }

    /// The keys of the account, with aliases, state and grant counts (or, when
    /// `details_later`, only what a quick listing gives).
    async fn list_keys(&self) -> BackendResult<KeyList>;

    /// Does this backend span several scopes (accounts and regions of an organization)?
    /// Then the UI asks for its `scopes` and lists each one's keys with `list_keys_in`,
    /// so the first scope read is shown while the others load.
    fn spans_scopes(&self) -> bool {
        false
    }

    /// The scopes this backend reads (discovered on the first call), and those it cannot.
    /// Empty for a backend of one account and region.
    async fn scopes(&self) -> BackendResult<ScopePlan> {
        Ok(ScopePlan::default())
    }

    /// The keys of one scope, complete (no `details_later`), for a backend that spans
    /// scopes; by default the backend's own keys.
    async fn list_keys_in(&self, scope: &Scope) -> BackendResult<KeyList> {
        let _ = scope;
        self.list_keys().await
    }

    /// The full summaries of these keys (DescribeKey and grant counts), for a `KeyList`
    /// that said `details_later`. The UI asks in small batches and shows its progress.
    async fn describe_keys(&self, _key_ids: Vec<String>) -> BackendResult<Vec<KeyDetail>> {
        Ok(vec![])
    }

    /// One page of the grants of a key (`marker` from the previous page).
    async fn list_grants(&self, key: &KeyRef, marker: Option<String>) -> BackendResult<GrantPage>;

    /// Principals of the account (and the ones grants name), with how many grants each holds.
    async fn list_principals(&self) -> BackendResult<PrincipalList>;

    /// The grants a principal holds as grantee, across all keys (`principal` as grants
    /// name it: an ARN, a service principal, or a deleted principal's unique id).
    async fn grants_of_principal(&self, principal: &str) -> BackendResult<Vec<GrantSummary>>;

    async fn create_grant(&self, input: CreateGrantInput) -> BackendResult<CreatedGrant>;

    async fn revoke_grant(&self, key: &KeyRef, grant: &GrantId) -> BackendResult<()>;

    /// Retire a grant, as `actor` when given (the retiring principal or grantee),
    /// otherwise as the operator.
    async fn retire_grant(
        &self,
        key: &KeyRef,
        grant: &GrantId,
        actor: Option<&Actor>,
    ) -> BackendResult<()>;

    /// Test a grant operation as `call.actor` (a principal of the simulator, or a profile
    /// configured on this machine on AWS): make the call, or ask with DryRun whether it
    /// would be allowed. `Err` only when the test could not be made (the sample ciphertext
    /// could not be made, the profile cannot connect); a denial is the outcome's result.
    async fn test_operation(&self, call: TestCall) -> BackendResult<TestOutcome>;

    /// The profiles a grant test (and retire) may act as, when acting as someone else means
    /// using their credentials (AWS). Empty: act as any principal (the simulator).
    fn acting_profiles(&self) -> Vec<String> {
        Vec::new()
    }

    /// Backend calls after sequence number `seq`, oldest first.
    async fn activity_since(&self, seq: u64) -> BackendResult<Vec<ActivityEvent>>;

    /// Every key of the account with its grants (the stale-grant audit's input). Heavy: the
    /// simulator builds it on a blocking thread, AWS lists every key's grants.
    async fn inventory(&self) -> BackendResult<Inventory>;

    /// The inventory a chunk of keys at a time, so that an audit of a big world never holds
    /// it whole: at most `limit` keys after `after` (none: from the first), and where the
    /// next chunk starts after (none: this was the last), an opaque position the backend
    /// gave with the previous chunk. The first chunk names
    /// the principals known to exist; later ones leave them out. By default the whole
    /// inventory comes as one chunk (AWS lists it key by key anyway).
    async fn inventory_chunk(
        &self,
        after: Option<String>,
        limit: usize,
    ) -> BackendResult<(Inventory, Option<String>)> {
        let _ = (after, limit);
        Ok((self.inventory().await?, None))
    }

    /// Look up evidence of use for the grants of `inv` and write it into them (usage
    /// becomes `principals`), with `crate::evidence::gather`, the code `inventory` and
    /// `report --evidence cloudtrail` use; `progress(done, total)` as keys complete. None:
    /// this backend has no such source (the simulator records every use itself, per grant).
    /// Never fails as a whole: what could not be read is "not determined" on each grant.
    async fn usage_evidence(
        &self,
        inv: &mut Inventory,
        opts: crate::evidence::EvidenceOptions,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Option<crate::evidence::Tally> {
        let _ = (inv, opts, progress);
        None
    }
}

/// The controls of a simulated world, which no AWS account has: principals come and go,
/// keys change state, the clock moves, and a lesson starts over on a fresh world.
#[async_trait]
pub trait WorldControls: Send + Sync {
    /// A new user (`user`) or role in the home account; its ARN.
    async fn create_principal(&self, user: bool, name: &str) -> BackendResult<String>;

    async fn delete_principal(&self, principal: &str) -> BackendResult<()>;

    /// Create a symmetric key with the default key policy, and an alias if given; its id.
    async fn create_key(&self, description: &str, alias: Option<String>) -> BackendResult<String>;

    async fn change_key_state(&self, key: &KeyRef, change: KeyStateChange) -> BackendResult<()>;

    async fn advance_clock(&self, by: Duration) -> BackendResult<()>;

    /// Stop the clock (grants wait to propagate, removals to take effect) or let it run.
    async fn freeze_clock(&self, frozen: bool) -> BackendResult<()>;

    /// Does the world's clock stand still?
    fn clock_frozen(&self) -> bool;

    /// Replace the whole world (a lesson going back to its start).
    async fn replace_world(&self, world: World) -> BackendResult<()>;
}
