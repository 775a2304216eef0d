//! The simulator's world: accounts, IAM principals, keys, aliases and grants, with the
//! indexes that keep lookups independent of how many grants others hold. The world is
//! plain data: it serializes whole (snapshots) and rebuilds its indexes on load.

use std::collections::{BTreeMap, BTreeSet};

// A fast non-cryptographic hasher: the world's maps are keyed by ids it made or read once.
use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::kms::grant::GrantConstraints;
use crate::kms::ids::{alias_arn, key_arn};
use crate::kms::policy::PolicyDocument;
use crate::kms::{AccountId, GrantId, GrantOperation, KeyManager, KeySpec, KeyState, KeyUsage};

use super::activity::ActivityLog;
use super::changes::ChangeTracker;
use super::clock::Clock;
use super::grant_index::GranteeGrants;
use super::import::Imported;
use super::rotation::Rotation;
use crate::kms::Timestamp;

/// Base64 for secret byte strings in snapshots.
pub(crate) mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    /// A friendly name (shown in the UI).
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    User,
    Role,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
        }
    }
}

/// An IAM identity policy of a user or role: inline (embedded in the principal), or an AWS
/// managed policy attached to it. Both kinds authorize alike; IAM lists them apart
/// (ListUserPolicies vs ListAttachedUserPolicies).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdentityPolicy {
    pub name: String,
    pub document: String,
    /// The ARN of the AWS managed policy this is (`arn:aws:iam::aws:policy/...`); `None`
    /// for an inline policy. Absent in state files written before managed policies were
    /// told apart: those load as inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_arn: Option<String>,
    #[serde(skip)]
    pub parsed: Option<Arc<PolicyDocument>>,
}

impl IdentityPolicy {
    pub fn is_managed(&self) -> bool {
        self.managed_arn.is_some()
    }
}

impl PartialEq for IdentityPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.document == other.document
            && self.managed_arn == other.managed_arn
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessKey {
    pub access_key_id: String,
    /// The secret never leaves the world except into a credentials file its owner asks for.
    pub secret_access_key: String,
}

/// An IAM user or role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    /// `AIDA...` for users, `AROA...` for roles.
    pub unique_id: String,
    pub account: AccountId,
    pub kind: PrincipalKind,
    pub name: String,
    pub arn: String,
    pub created: Timestamp,
    #[serde(default)]
    pub policies: Vec<IdentityPolicy>,
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
}

impl Principal {
    /// The IAM path its ARN carries: `/` or `/service-role/`.
    pub fn path(&self) -> &str {
        let resource = self.arn.splitn(6, ':').nth(5).unwrap_or_default();
        let after_kind = resource.split_once('/').map_or("", |(_, rest)| rest);
        match after_kind.rsplit_once('/') {
            // The ARN holds "/path/" between the kind and the name.
            Some((path, _)) => {
                let start = resource.len() - after_kind.len() - 1;
                &resource[start..start + path.len() + 2]
            }
            None => "/",
        }
    }
}

/// What remains known of a deleted principal (for explanations and the audit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletedPrincipal {
    pub unique_id: String,
    pub arn: String,
    pub deleted: Timestamp,
}

/// How a grant names a principal. IAM users and roles are held by unique id, as AWS does:
/// a deleted principal's grants then show that id, and a principal re-created under the
/// same name (a new unique id) does not inherit them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrincipalRef {
    Iam {
        unique_id: String,
    },
    /// Account roots, role sessions, service principals given as `GranteePrincipal`:
    /// matched by their exact string.
    Other {
        arn: String,
    },
    /// A service principal given as `GranteeServicePrincipal` or
    /// `RetiringServicePrincipal` (listed under those names).
    Service {
        name: String,
    },
}

impl PrincipalRef {
    /// The key this principal is indexed and matched under.
    pub fn match_key(&self) -> &str {
        match self {
            PrincipalRef::Iam { unique_id } => unique_id,
            PrincipalRef::Other { arn } => arn,
            PrincipalRef::Service { name } => name,
        }
    }
}

/// A key. Its `material` (an AES key, an HMAC key or a PKCS #8 private key) is secret:
/// `Debug` shows its length only.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Key {
    pub id: String,
    pub account: AccountId,
    pub arn: String,
    pub description: String,
    pub spec: KeySpec,
    pub usage: KeyUsage,
    pub state: KeyState,
    pub manager: KeyManager,
    pub created: Timestamp,
    #[serde(default)]
    pub deletion_date: Option<Timestamp>,
    #[serde(default)]
    pub pending_window_days: Option<u32>,
    pub policy: String,
    #[serde(skip)]
    pub parsed_policy: Option<Arc<PolicyDocument>>,
    #[serde(with = "b64")]
    pub material: Vec<u8>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    // Issue #15 part B: rotation (older material versions, schedule, history) and imported
    // key material (Origin EXTERNAL). Absent in state files written before them: a key of
    // AWS_KMS origin that never rotated.
    #[serde(default, skip_serializing_if = "Rotation::is_unset")]
    pub rotation: Rotation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<Imported>,
    // --- Multi-Region keys (issue #15, part C; `multi_region.rs`, `related_keys.rs`) ---
    /// Set on each related key of a multi-Region key: where its primary is and which
    /// regions hold replicas. Absent for single-Region keys (and in older snapshots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_region: Option<super::related_keys::MultiRegionConfig>,
    /// A transient key state (Creating, Updating) and the state it ends in, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<super::related_keys::Transition>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("account", &self.account)
            .field("arn", &self.arn)
            .field("description", &self.description)
            .field("spec", &self.spec)
            .field("usage", &self.usage)
            .field("state", &self.state)
            .field("manager", &self.manager)
            .field("created", &self.created)
            .field("deletion_date", &self.deletion_date)
            .field("pending_window_days", &self.pending_window_days)
            .field("policy", &self.policy)
            .field(
                "material",
                &format_args!("<{} bytes, not shown>", self.material.len()),
            )
            .field("tags", &self.tags)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    /// `alias/NAME`
    pub name: String,
    pub account: AccountId,
    pub target_key_id: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalKind {
    Retired,
    Revoked,
}

/// A retired or revoked grant that may still authorize until its removal propagates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Removal {
    pub kind: RemovalKind,
    pub by: String,
    pub at: Timestamp,
    pub effective_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub id: GrantId,
    pub key_id: String,
    /// Creation order on its key (ListGrants order and paging position).
    pub seq: u64,
    #[serde(default)]
    pub name: Option<String>,
    pub created: Timestamp,
    /// When the new grant has propagated (authorizes without its token).
    pub effective_at: Timestamp,
    pub grantee: PrincipalRef,
    #[serde(default)]
    pub retiring: Option<PrincipalRef>,
    pub issuing_account: AccountId,
    pub operations: Vec<GrantOperation>,
    #[serde(default)]
    pub constraints: Option<GrantConstraints>,
    /// Who created it (ARN), for explanations.
    pub created_by: String,
    #[serde(default)]
    pub last_used: Option<Timestamp>,
    #[serde(default)]
    pub use_count: u64,
    #[serde(default)]
    pub removal: Option<Removal>,
}

impl Grant {
    pub fn allows_operation(&self, op: GrantOperation) -> bool {
        self.operations.contains(&op)
    }

    /// Listed grants are the ones not retired or revoked.
    pub fn is_listed(&self) -> bool {
        self.removal.is_none()
    }

    /// Does this grant authorize at `now` (with or without its token presented)?
    pub fn is_effective(&self, now: Timestamp, token_presented: bool) -> bool {
        match &self.removal {
            // A removed grant authorizes until the removal propagates, and only if it had
            // propagated itself; a token of a removed grant brings nothing back.
            Some(r) => now < r.effective_at && self.effective_at <= now,
            None => token_presented || self.effective_at <= now,
        }
    }
}

/// Indexes rebuilt from the data; never serialized.
#[derive(Debug, Default, Clone)]
pub struct Indexes {
    /// principal ARN -> unique id, for live principals.
    pub principal_by_arn: HashMap<String, String>,
    /// access key id -> unique id.
    pub principal_by_access_key: HashMap<String, String>,
    /// key id -> (seq -> grant id), listed and removed-but-not-yet-propagated grants.
    pub grants_by_key: HashMap<String, BTreeMap<u64, GrantId>>,
    /// key id -> principal match key -> the grants held by that grantee on that key,
    /// indexed by what they allow (`grant_index`).
    pub grants_by_grantee: HashMap<String, HashMap<String, GranteeGrants>>,
    /// retiring principal match key -> (seq -> grant id), across keys (ListRetirableGrants).
    pub grants_by_retiring: HashMap<String, BTreeMap<u64, GrantId>>,
    /// Listed grants per key (quota and counts).
    pub listed_count: HashMap<String, usize>,
    /// Removed grants waiting for their removal to propagate, by propagation time.
    pub removal_queue: BTreeSet<(Timestamp, GrantId)>,
    /// Keys pending deletion, by deletion date.
    pub deletion_queue: BTreeSet<(Timestamp, String)>,
    /// Scheduled rotations and imported-material expiries, by time (`rotation.rs`,
    /// `import.rs`). Entries are checked against the key when due, never removed early.
    pub key_timers: BTreeSet<(Timestamp, String)>,
    /// Keys in a transient state (Creating, Updating), by when it ends (`related_keys.rs`).
    pub transition_queue: BTreeSet<(Timestamp, String)>,
    /// Set by `rebuild_indexes`; every change after that keeps the indexes current, so a
    /// world built by a scenario or loaded from a snapshot is not indexed twice.
    pub built: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct World {
    pub region: String,
    pub clock: Clock,
    /// How long a grant change takes to propagate.
    #[serde(with = "humantime_serde_ms")]
    pub propagation_delay: std::time::Duration,
    pub accounts: Vec<Account>,
    /// Live principals by unique id.
    pub principals: BTreeMap<String, Principal>,
    #[serde(default)]
    pub deleted_principals: BTreeMap<String, DeletedPrincipal>,
    pub keys: BTreeMap<String, Key>,
    /// (account, alias name) flattened as "ACCOUNT/alias/NAME".
    pub aliases: BTreeMap<String, Alias>,
    /// Serialized in id order, so the same world always snapshots to the same bytes.
    #[serde(serialize_with = "sorted_grants")]
    pub grants: HashMap<GrantId, Box<Grant>>,
    pub next_grant_seq: u64,
    /// Secret that authenticates grant tokens and paging markers.
    #[serde(with = "b64")]
    pub token_secret: Vec<u8>,
    #[serde(default)]
    pub activity: ActivityLog,
    /// How many durable changes this world has been through (`serve --state` counts them
    /// to know which journal records a snapshot already holds). Zero for a world that was
    /// never served with `--state`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u64,
    /// The accounts as an AWS Organization, when the scenario declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<super::organization::Organization>,
    /// What changed since the last durable record, when changes are tracked (`changes`).
    #[serde(skip)]
    pub changes: Option<ChangeTracker>,
    #[serde(skip)]
    pub idx: Indexes,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The grants map in id order (a `HashMap` iterates in a different order in every process).
fn sorted_grants<S: serde::Serializer>(
    grants: &HashMap<GrantId, Box<Grant>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    grants.iter().collect::<BTreeMap<_, _>>().serialize(s)
}

/// Durations in snapshots as milliseconds.
mod humantime_serde_ms {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<std::time::Duration, D::Error> {
        Ok(std::time::Duration::from_millis(u64::deserialize(d)?))
    }
}

impl World {
    /// An empty world in `region` with the given accounts.
    pub fn new(region: &str, accounts: Vec<Account>) -> Self {
        Self {
            region: region.to_string(),
            clock: Clock::default(),
            propagation_delay: std::time::Duration::ZERO,
            accounts,
            principals: BTreeMap::new(),
            deleted_principals: BTreeMap::new(),
            keys: BTreeMap::new(),
            aliases: BTreeMap::new(),
            grants: HashMap::new(),
            next_grant_seq: 1,
            token_secret: rand::random::<[u8; 32]>().to_vec(),
            activity: ActivityLog::default(),
            revision: 0,
            organization: None,
            changes: None,
            idx: Indexes::default(),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id.as_str() == id)
    }

    /// The first account is the world's home account (the one the UI acts in).
    pub fn home_account(&self) -> Option<&AccountId> {
        self.accounts.first().map(|a| &a.id)
    }

    pub fn key_arn(&self, account: &AccountId, key_id: &str) -> String {
        key_arn(&self.region, account, key_id)
    }

    pub fn alias_arn(&self, account: &AccountId, name: &str) -> String {
        alias_arn(&self.region, account, name)
    }

    pub fn alias_slot(account: &AccountId, name: &str) -> String {
        format!("{account}/{name}")
    }

    /// Re-derive parsed policies and every index from the data (after load).
    pub fn rebuild_indexes(&mut self) {
        let mut idx = Indexes::default();
        for p in self.principals.values_mut() {
            idx.principal_by_arn
                .insert(p.arn.clone(), p.unique_id.clone());
            for k in &p.access_keys {
                idx.principal_by_access_key
                    .insert(k.access_key_id.clone(), p.unique_id.clone());
            }
            for pol in &mut p.policies {
                pol.parsed = PolicyDocument::parse(&pol.document).ok().map(Arc::new);
            }
        }
        // Keys mostly share a few policy texts (the default policy of their account): each
        // distinct text is parsed once and its document shared.
        let parsed: Vec<Option<Arc<PolicyDocument>>> = {
            let mut cache: HashMap<&str, Option<Arc<PolicyDocument>>> = HashMap::new();
            self.keys
                .values()
                .map(|k| {
                    cache
                        .entry(k.policy.as_str())
                        .or_insert_with(|| PolicyDocument::parse(&k.policy).ok().map(Arc::new))
                        .clone()
                })
                .collect()
        };
        for ((slot, k), doc) in self.keys.iter_mut().zip(parsed) {
            k.parsed_policy = doc;
            if let (KeyState::PendingDeletion, Some(d)) = (k.state, k.deletion_date) {
                idx.deletion_queue.insert((d, slot.clone()));
            }
            if let Some(t) = &k.transition {
                idx.transition_queue.insert((t.until, slot.clone()));
            }
            for t in super::rotation::key_timer_times(k) {
                idx.key_timers.insert((t, k.id.clone()));
            }
        }
        idx.built = true;
        self.idx = idx;
        let grants = std::mem::take(&mut self.grants);
        for g in grants.values() {
            self.index_grant(g);
        }
        self.grants = grants;
    }

    pub fn index_grant(&mut self, g: &Grant) {
        self.idx
            .grants_by_key
            .entry(g.key_id.clone())
            .or_default()
            .insert(g.seq, g.id.clone());
        self.idx
            .grants_by_grantee
            .entry(g.key_id.clone())
            .or_default()
            .entry(g.grantee.match_key().to_string())
            .or_default()
            .insert(g.seq, &g.id, &g.operations, g.constraints.as_ref());
        if let Some(r) = &g.retiring {
            self.idx
                .grants_by_retiring
                .entry(r.match_key().to_string())
                .or_default()
                .insert(g.seq, g.id.clone());
        }
        match &g.removal {
            None => *self.idx.listed_count.entry(g.key_id.clone()).or_default() += 1,
            Some(r) => {
                self.idx
                    .removal_queue
                    .insert((r.effective_at, g.id.clone()));
            }
        }
    }

    /// Insert a new grant and index it.
    pub fn insert_grant(&mut self, g: Grant) {
        self.touch_grant(&g.id);
        self.index_grant(&g);
        self.grants.insert(g.id.clone(), Box::new(g));
    }

    /// Mark a grant removed (it stays until its removal propagates).
    pub fn mark_removed(&mut self, id: &GrantId, removal: Removal) {
        self.touch_grant(id);
        if let Some(g) = self.grants.get_mut(id) {
            if g.removal.is_none() {
                if let Some(n) = self.idx.listed_count.get_mut(&g.key_id) {
                    *n = n.saturating_sub(1);
                }
            }
            self.idx
                .removal_queue
                .insert((removal.effective_at, id.clone()));
            g.removal = Some(removal);
        }
        let purge_now = self
            .grants
            .get(id)
            .and_then(|g| g.removal.as_ref())
            .is_some_and(|r| r.effective_at <= self.now());
        if purge_now {
            self.purge_grant(id);
        }
    }

    /// Drop a grant entirely.
    pub fn purge_grant(&mut self, id: &GrantId) {
        if !self.grants.contains_key(id) {
            return;
        }
        self.touch_grant(id);
        let Some(g) = self.grants.remove(id) else {
            return;
        };
        if let Some(m) = self.idx.grants_by_key.get_mut(&g.key_id) {
            m.remove(&g.seq);
        }
        if let Some(by_grantee) = self.idx.grants_by_grantee.get_mut(&g.key_id) {
            let grantee = g.grantee.match_key();
            if let Some(v) = by_grantee.get_mut(grantee) {
                v.remove(g.seq, &g.operations, g.constraints.as_ref());
                if v.is_empty() {
                    by_grantee.remove(grantee);
                }
            }
        }
        if let Some(r) = &g.retiring {
            if let Some(m) = self.idx.grants_by_retiring.get_mut(r.match_key()) {
                m.remove(&g.seq);
                if m.is_empty() {
                    self.idx.grants_by_retiring.remove(r.match_key());
                }
            }
        }
        match &g.removal {
            None => {
                if let Some(n) = self.idx.listed_count.get_mut(&g.key_id) {
                    *n = n.saturating_sub(1);
                }
            }
            Some(r) => {
                self.idx
                    .removal_queue
                    .remove(&(r.effective_at, g.id.clone()));
            }
        }
    }

    /// Listed grants of a key, in creation order.
    pub fn listed_grants_of<'a>(&'a self, key_id: &str) -> impl Iterator<Item = &'a Grant> + 'a {
        self.idx
            .grants_by_key
            .get(key_id)
            .into_iter()
            .flat_map(|m| m.values())
            .filter_map(|id| self.grants.get(id).map(|g| &**g))
            .filter(|g| g.is_listed())
    }

    pub fn listed_grant_count(&self, key_id: &str) -> usize {
        self.idx.listed_count.get(key_id).copied().unwrap_or(0)
    }

    /// The string ListGrants shows for a principal: its ARN while it lives, its unique id
    /// once deleted.
    pub fn principal_display(&self, r: &PrincipalRef) -> String {
        match r {
            PrincipalRef::Iam { unique_id } => self
                .principals
                .get(unique_id)
                .map(|p| p.arn.clone())
                .unwrap_or_else(|| unique_id.clone()),
            PrincipalRef::Other { arn } => arn.clone(),
            PrincipalRef::Service { name } => name.clone(),
        }
    }

    /// Advance time-driven state: purge grants whose removal has propagated, delete keys
    /// whose deletion date has passed. Cost: only the due items (queues are ordered).
    pub fn settle(&mut self) {
        let now = self.now();
        while let Some((t, id)) = self.idx.removal_queue.first().cloned() {
            if t > now {
                break;
            }
            self.idx.removal_queue.pop_first();
            self.purge_grant(&id);
        }
        while let Some((t, key_id)) = self.idx.deletion_queue.first().cloned() {
            if t > now {
                break;
            }
            self.idx.deletion_queue.pop_first();
            let still_pending = self.keys.get(&key_id).is_some_and(|k| {
                k.state == KeyState::PendingDeletion && k.deletion_date == Some(t)
            });
            if still_pending {
                self.delete_key_now(&key_id);
            }
        }
        self.settle_key_timers(now);
        self.settle_transitions(now);
    }

    /// Remove a key with its aliases and grants (the end of its deletion window).
    pub fn delete_key_now(&mut self, key_id: &str) {
        self.touch_key(key_id);
        if let Some(removed) = self.keys.remove(key_id) {
            self.forget_related_key(&removed);
        }
        let slots: Vec<String> = self
            .aliases
            .iter()
            .filter(|(_, a)| a.target_key_id == key_id)
            .map(|(slot, _)| slot.clone())
            .collect();
        for slot in slots {
            self.touch_alias(&slot);
            self.aliases.remove(&slot);
        }
        let ids: Vec<GrantId> = self
            .idx
            .grants_by_key
            .get(key_id)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        for id in ids {
            self.purge_grant(&id);
        }
        self.idx.grants_by_key.remove(key_id);
        self.idx.grants_by_grantee.remove(key_id);
        self.idx.listed_count.remove(key_id);
    }

    /// Aliases that point at a key, sorted by name. One key: it looks at every alias, so
    /// code that wants the aliases of many keys takes `alias_names_by_key` once instead.
    pub fn aliases_of(&self, key_id: &str) -> Vec<&Alias> {
        self.aliases
            .values()
            .filter(|a| a.target_key_id == key_id)
            .collect()
    }

    /// Every key's alias names (in alias order), in one pass over the aliases.
    pub fn alias_names_by_key(&self) -> HashMap<&str, Vec<&str>> {
        let mut m: HashMap<&str, Vec<&str>> = HashMap::new();
        for a in self.aliases.values() {
            m.entry(a.target_key_id.as_str())
                .or_default()
                .push(a.name.as_str());
        }
        m
    }
}
