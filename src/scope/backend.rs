//! `ScopedBackend`: the UI's `Backend` across the scopes of a [`ScopeSpec`] (accounts and
//! regions of an organization). It holds one `AwsBackend` per scope, each made from
//! `AccountCredentials::config(account, region)` (the caller's own credentials in the
//! caller's account, an AssumeRole session of `--role-name` in any other) and paced to
//! that account-region's request rates (`scheduler::ScopePacer`). Scopes are discovered
//! with `discover::plan` on the UI's first ask (`scopes`), so the screen is up before
//! Organizations and Account answer.
//!
//! Decisions where AWS is silent:
//! - Routing: a call about a key (its grants, CreateGrant, RevokeGrant, RetireGrant, a
//!   grant test) goes to the scope its key ARN names, and so is made with that account's
//!   credentials. A key named by bare id or alias goes to the scope it was listed in;
//!   one never listed, to the home scope (the caller's account, configured region).
//! - A scope's keys are shown complete: `list_keys_in` lists them (ListKeys, ListAliases)
//!   and describes each (DescribeKey, ListGrants) before answering. The UI asks every
//!   scope at once and shows each as it answers: the first scope is usable before the
//!   last is read; at most `UI_SCOPES_AT_ONCE` scopes are read at once.
//! - A scope that cannot be entered or read (AssumeRole refused, region not enabled) is
//!   never fatal: its own listing fails with why (the UI shows it unread), and listings
//!   across scopes (principals, a principal's grants, the audit's inventory) leave it out.
//! - Principals: each scope's principals (IAM's users and roles of the account, those
//!   its keys' grants and policies name), merged by ARN, each one's grant count summed
//!   over every scope: a role of account B holding grants on keys of account A counts
//!   them. A principal's grants are gathered from every scope's keys.
//! - The event log merges every scope's log, numbered again in the order collected.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::StreamExt;
use tokio::sync::OnceCell;

use crate::backend::aws::{load_config_with, AwsConnection, AwsOptions, Pacer, ProfileSources};
use crate::backend::{
    ActivityEvent, Actor, AwsBackend, Backend, BackendError, BackendInfo, BackendResult,
    CreateGrantInput, CreatedGrant, GrantPage, GrantSummary, KeyDetail, KeyList, PrincipalList,
    PrincipalSummary, Scope, ScopePlan, TestCall, TestOutcome,
};
use crate::kms::inventory::Inventory;
use crate::kms::{GrantId, KeyRef, Timestamp};

use super::credentials::AccountCredentials;
use super::discover;
use super::rates::Rates;
use super::scheduler::ScopePacer;
use super::ScopeSpec;

/// How many scopes the UI reads at once: fewer than a headless read
/// (`scheduler::SCOPES_AT_ONCE`), so that the first scopes are whole, and usable, while
/// the later ones are still waiting.
pub const UI_SCOPES_AT_ONCE: usize = 64;

/// How many events the merged log keeps.
const LOG_CAPACITY: usize = 1000;

type BackendCell = OnceCell<Arc<AwsBackend>>;

/// The merged event log: every scope's events, numbered again.
#[derive(Default)]
struct MergedLog {
    seq: u64,
    events: VecDeque<ActivityEvent>,
    /// The last event taken from each scope's own log.
    seen: HashMap<Scope, u64>,
}

pub struct ScopedBackend {
    info: BackendInfo,
    spec: ScopeSpec,
    creds: Arc<AccountCredentials>,
    options: AwsOptions,
    sources: ProfileSources,
    rates: Rates,
    home: Scope,
    plan: OnceCell<ScopePlan>,
    /// One backend per scope, made on first use (a failure is not kept: asked again later).
    backends: Mutex<HashMap<Scope, Arc<BackendCell>>>,
    /// The scope each listed key was listed in, by key id and by alias name.
    listed: Mutex<HashMap<String, Scope>>,
    log: tokio::sync::Mutex<MergedLog>,
    /// Scopes whose keys are being read at once (the UI asks every scope together).
    reading: tokio::sync::Semaphore,
}

/// The scope a call about `key` goes to: the one its ARN names; else the one it was
/// listed in (by id or alias name); else `home`.
pub fn route(key: &KeyRef, listed: &HashMap<String, Scope>, home: &Scope) -> Scope {
    match key {
        KeyRef::KeyArn {
            account, region, ..
        }
        | KeyRef::AliasArn {
            account, region, ..
        } => Scope {
            account: account.clone(),
            region: region.clone(),
        },
        other => {
            let name = other.to_string();
            listed.get(&name).cloned().unwrap_or_else(|| home.clone())
        }
    }
}

impl ScopedBackend {
    /// Connect as the AWS CLI would (`opts`, profiles from `sources`) and resolve who we
    /// are; the scopes of `spec` are discovered later, on the UI's first ask.
    pub async fn connect(
        opts: AwsOptions,
        sources: ProfileSources,
        spec: ScopeSpec,
    ) -> BackendResult<Self> {
        let base = load_config_with(&opts, &sources).await;
        let region = base.region().map(|r| r.to_string()).ok_or_else(|| {
            BackendError::configuration(
                "No AWS region: pass --region, set AWS_REGION, or set region in the profile.",
            )
        })?;
        let me = aws_sdk_sts::Client::new(&base)
            .get_caller_identity()
            .send()
            .await
            .map_err(crate::backend::aws::sdk_error)?;
        let account = me.account().unwrap_or_default().to_string();
        let info = BackendInfo {
            kind: "aws".into(),
            source: opts.profile.clone().unwrap_or_else(|| "default".into()),
            account: account.clone(),
            region: region.clone(),
            identity: me.arn().unwrap_or_default().to_string(),
            endpoint: base.endpoint_url().map(str::to_string),
        };
        let creds = Arc::new(AccountCredentials::new(base, account.clone(), &spec));
        Ok(Self {
            info,
            rates: Rates::new(&spec.rates),
            spec,
            creds,
            options: opts,
            sources,
            home: Scope { account, region },
            plan: OnceCell::new(),
            backends: Mutex::new(HashMap::new()),
            listed: Mutex::new(HashMap::new()),
            log: Default::default(),
            reading: tokio::sync::Semaphore::new(UI_SCOPES_AT_ONCE),
        })
    }

    async fn plan(&self) -> BackendResult<&ScopePlan> {
        self.plan
            .get_or_try_init(|| async {
                discover::plan(&self.creds, &self.spec, &self.home.region)
                    .await
                    .map_err(BackendError::configuration)
            })
            .await
    }

    /// The backend of `scope`, made on first use.
    async fn backend(&self, scope: &Scope) -> BackendResult<Arc<AwsBackend>> {
        let cell = {
            // A poisoned map is still a map of cells.
            let mut cells = self.backends.lock().unwrap_or_else(|p| p.into_inner());
            cells.entry(scope.clone()).or_default().clone()
        };
        cell.get_or_try_init(|| self.connect_scope(scope))
            .await
            .cloned()
    }

    async fn connect_scope(&self, scope: &Scope) -> BackendResult<Arc<AwsBackend>> {
        let config = self
            .creds
            .config(&scope.account, &scope.region)
            .await
            .map_err(BackendError::configuration)?;
        let kms = aws_sdk_kms::Client::new(&config);
        let pacer: Arc<dyn Pacer> = Arc::new(ScopePacer::new(&self.rates));
        let mut conn = AwsConnection::from_parts(
            config,
            kms,
            (scope.account.clone(), scope.region.clone()),
            Some(pacer),
        );
        // Acting as another profile (a grant test) reaches the same endpoint and region.
        conn.options = AwsOptions {
            profile: self.options.profile.clone(),
            region: Some(scope.region.clone()),
            endpoint_url: self
                .spec
                .region_endpoints
                .iter()
                .find(|(r, _)| *r == scope.region)
                .map(|(_, u)| u.clone())
                .or_else(|| self.options.endpoint_url.clone()),
        };
        let b = AwsBackend::over(conn, self.info.source.clone(), self.sources.clone()).await?;
        Ok(Arc::new(b))
    }

    /// The backend of the scope a call about `key` goes to.
    async fn routed(&self, key: &KeyRef) -> BackendResult<Arc<AwsBackend>> {
        let scope = {
            let listed = self.listed.lock().unwrap_or_else(|p| p.into_inner());
            route(key, &listed, &self.home)
        };
        self.backend(&scope).await
    }

    /// The backends of every scope that can be entered, in the plan's order.
    async fn readable(&self) -> BackendResult<Vec<(Scope, Arc<AwsBackend>)>> {
        let scopes = self.plan().await?.scopes.clone();
        let made: Vec<(Scope, BackendResult<Arc<AwsBackend>>)> =
            futures::stream::iter(scopes.into_iter().map(|s| async move {
                let b = self.backend(&s).await;
                (s, b)
            }))
            .buffered(UI_SCOPES_AT_ONCE)
            .collect()
            .await;
        Ok(made
            .into_iter()
            .filter_map(|(s, b)| b.ok().map(|b| (s, b)))
            .collect())
    }

    /// `call` on every readable scope at once; the answers of the scopes that gave one
    /// (in the plan's order), or the first error when none did.
    async fn across<T, F, Fut>(&self, call: F) -> BackendResult<Vec<(Scope, T)>>
    where
        F: Fn(Arc<AwsBackend>) -> Fut,
        Fut: std::future::Future<Output = BackendResult<T>>,
    {
        let backends = self.readable().await?;
        let answers: Vec<(Scope, BackendResult<T>)> =
            futures::stream::iter(backends.into_iter().map(|(s, b)| {
                let fut = call(b);
                async move { (s, fut.await) }
            }))
            .buffered(UI_SCOPES_AT_ONCE)
            .collect()
            .await;
        let mut out = Vec::new();
        let mut first_error = None;
        for (s, a) in answers {
            match a {
                Ok(a) => out.push((s, a)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if out.is_empty() => Err(e),
            _ => Ok(out),
        }
    }

    fn remember(&self, scope: &Scope, keys: &KeyList) {
        let mut listed = self.listed.lock().unwrap_or_else(|p| p.into_inner());
        for k in &keys.keys {
            listed.insert(k.key_id.clone(), scope.clone());
            for a in &k.aliases {
                listed.insert(a.clone(), scope.clone());
            }
        }
    }
}

/// Principals of several scopes as one list: merged by ARN, grant counts summed (each
/// scope counts the grants of its own keys), notes kept with their scope.
pub fn merge_principals(lists: Vec<(Scope, PrincipalList)>) -> PrincipalList {
    let mut by_arn: BTreeMap<String, PrincipalSummary> = BTreeMap::new();
    let mut notes = Vec::new();
    for (scope, list) in lists {
        if let Some(n) = list.note {
            notes.push(format!("{scope}: {n}"));
        }
        for p in list.principals {
            match by_arn.get_mut(&p.arn) {
                Some(known) => {
                    known.grant_count += p.grant_count;
                    if known.policies.is_empty() {
                        known.policies = p.policies;
                    }
                    if known.unique_id.is_none() {
                        known.unique_id = p.unique_id;
                    }
                }
                None => {
                    by_arn.insert(p.arn.clone(), p);
                }
            }
        }
    }
    let mut principals: Vec<PrincipalSummary> = by_arn.into_values().collect();
    PrincipalSummary::sort(&mut principals);
    PrincipalList {
        principals,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

#[async_trait]
impl Backend for ScopedBackend {
    fn info(&self) -> BackendInfo {
        self.info.clone()
    }

    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }

    fn spans_scopes(&self) -> bool {
        true
    }

    async fn scopes(&self) -> BackendResult<ScopePlan> {
        Ok(self.plan().await?.clone())
    }

    async fn list_keys_in(&self, scope: &Scope) -> BackendResult<KeyList> {
        // At most UI_SCOPES_AT_ONCE scopes are read at once.
        let _permit = self
            .reading
            .acquire()
            .await
            .map_err(|e| BackendError::internal(format!("reading scopes: {e}")))?;
        let b = self.backend(scope).await?;
        let quick = b.list_keys().await?;
        let ids = quick.keys.iter().map(|k| k.key_id.clone()).collect();
        let mut described: HashMap<String, _> = b
            .describe_keys(ids)
            .await?
            .into_iter()
            .filter_map(|d| d.result.ok().map(|k| (d.key_id, k)))
            .collect();
        // A key that could not be described keeps what the listing gave.
        let keys = quick
            .keys
            .into_iter()
            .map(|k| match described.remove(&k.key_id) {
                Some(mut full) => {
                    if full.aliases.is_empty() {
                        full.aliases = k.aliases;
                    }
                    full
                }
                None => k,
            })
            .collect();
        let list = KeyList {
            keys,
            details_later: false,
        };
        self.remember(scope, &list);
        Ok(list)
    }

    async fn list_keys(&self) -> BackendResult<KeyList> {
        let scopes = self.plan().await?.scopes.clone();
        let mut keys = Vec::new();
        let mut first_error = None;
        for s in scopes {
            match self.list_keys_in(&s).await {
                Ok(list) => keys.extend(list.keys),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if keys.is_empty() => Err(e),
            _ => Ok(KeyList {
                keys,
                details_later: false,
            }),
        }
    }

    async fn describe_keys(&self, key_ids: Vec<String>) -> BackendResult<Vec<KeyDetail>> {
        let mut out = Vec::new();
        for id in key_ids {
            let b = self.routed(&KeyRef::parse(&id)).await?;
            out.extend(b.describe_keys(vec![id]).await?);
        }
        Ok(out)
    }

    async fn list_grants(&self, key: &KeyRef, marker: Option<String>) -> BackendResult<GrantPage> {
        self.routed(key).await?.list_grants(key, marker).await
    }

    async fn list_principals(&self) -> BackendResult<PrincipalList> {
        let lists = self
            .across(|b| async move { b.list_principals().await })
            .await?;
        Ok(merge_principals(lists))
    }

    async fn grants_of_principal(&self, principal: &str) -> BackendResult<Vec<GrantSummary>> {
        let principal = principal.to_string();
        let held = self
            .across(|b| {
                let p = principal.clone();
                async move { b.grants_of_principal(&p).await }
            })
            .await?;
        Ok(held.into_iter().flat_map(|(_, g)| g).collect())
    }

    async fn create_grant(&self, input: CreateGrantInput) -> BackendResult<CreatedGrant> {
        self.routed(&input.key).await?.create_grant(input).await
    }

    async fn revoke_grant(&self, key: &KeyRef, grant: &GrantId) -> BackendResult<()> {
        self.routed(key).await?.revoke_grant(key, grant).await
    }

    async fn retire_grant(
        &self,
        key: &KeyRef,
        grant: &GrantId,
        actor: Option<&Actor>,
    ) -> BackendResult<()> {
        self.routed(key)
            .await?
            .retire_grant(key, grant, actor)
            .await
    }

    async fn test_operation(&self, call: TestCall) -> BackendResult<TestOutcome> {
        self.routed(&call.key).await?.test_operation(call).await
    }

    fn acting_profiles(&self) -> Vec<String> {
        self.sources.profile_names()
    }

    async fn activity_since(&self, seq: u64) -> BackendResult<Vec<ActivityEvent>> {
        let made: Vec<(Scope, Arc<AwsBackend>)> = {
            let cells = self.backends.lock().unwrap_or_else(|p| p.into_inner());
            cells
                .iter()
                .filter_map(|(s, c)| c.get().map(|b| (s.clone(), b.clone())))
                .collect()
        };
        let mut log = self.log.lock().await;
        for (scope, b) in made {
            let since = log.seen.get(&scope).copied().unwrap_or(0);
            for mut e in b.activity_since(since).await? {
                log.seen.insert(scope.clone(), e.seq);
                log.seq += 1;
                e.seq = log.seq;
                log.events.push_back(e);
            }
        }
        while log.events.len() > LOG_CAPACITY {
            log.events.pop_front();
        }
        Ok(log.events.iter().filter(|e| e.seq > seq).cloned().collect())
    }

    async fn inventory(&self) -> BackendResult<Inventory> {
        let read = self.across(|b| async move { b.inventory().await }).await?;
        let mut principals: Option<Vec<String>> = Some(Vec::new());
        for (_, inv) in &read {
            match (&mut principals, &inv.principals) {
                (Some(all), Some(these)) => all.extend(these.iter().cloned()),
                _ => principals = None,
            }
        }
        let scoped = super::scheduler::ScopedInventory {
            read,
            ..Default::default()
        };
        let mut merged = scoped.merged();
        merged.principals = principals.map(|mut p| {
            p.sort();
            p.dedup();
            p
        });
        Ok(merged)
    }

    /// CloudTrail's evidence, each scope's keys looked up in that account and region with
    /// its credentials (LookupEvents' quota is per account and region, so scopes run at
    /// once); a scope that cannot be entered leaves its grants "not determined", saying why.
    async fn usage_evidence(
        &self,
        inv: &mut Inventory,
        opts: crate::evidence::EvidenceOptions,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Option<crate::evidence::Tally> {
        let mut by_scope: BTreeMap<Scope, Vec<crate::kms::inventory::InventoryKey>> =
            BTreeMap::new();
        for key in std::mem::take(&mut inv.keys) {
            let scope = Scope::of_arn(&key.arn).unwrap_or_else(|| self.home.clone());
            by_scope.entry(scope).or_default().push(key);
        }
        // Each scope's (done, total), summed for the caller.
        let counts: Mutex<Vec<(usize, usize)>> = Mutex::new(vec![(0, 0); by_scope.len()]);
        let report = |i: usize, done: usize, total: usize| {
            let mut c = counts.lock().unwrap_or_else(|p| p.into_inner());
            c[i] = (done, total);
            let (d, t) = c.iter().fold((0, 0), |(d, t), (a, b)| (d + a, t + b));
            progress(d, t);
        };
        // The inventory's other fields, its keys taken out above.
        let template = inv.clone();
        let looked_up: Vec<(
            Vec<crate::kms::inventory::InventoryKey>,
            crate::evidence::Tally,
        )> = futures::stream::iter(by_scope.into_iter().enumerate().map(|(i, (scope, keys))| {
            let report = &report;
            let mut sub = Inventory {
                keys,
                ..template.clone()
            };
            async move {
                match self.backend(&scope).await {
                    Ok(b) => {
                        let progress = move |d: usize, t: usize| report(i, d, t);
                        let tally = b
                            .usage_evidence(&mut sub, opts, &progress)
                            .await
                            .unwrap_or_default();
                        (sub.keys, tally)
                    }
                    Err(e) => {
                        let mut tally = crate::evidence::Tally::default();
                        let why = crate::kms::usage::UsageEvidence::NotDetermined {
                            reason: crate::kms::usage::Undetermined::NotReadable {
                                error: format!(
                                    "{}/{} could not be entered: {}",
                                    scope.account, scope.region, e.message
                                ),
                            },
                        };
                        for g in sub.keys.iter_mut().flat_map(|k| k.grants.iter_mut()) {
                            g.evidence = Some(why.clone());
                            tally.undetermined += 1;
                        }
                        (sub.keys, tally)
                    }
                }
            }
        }))
        .buffered(UI_SCOPES_AT_ONCE)
        .collect()
        .await;
        let mut tally = crate::evidence::Tally::default();
        for (keys, t) in looked_up {
            inv.keys.extend(keys);
            tally += t;
        }
        Some(tally)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::PrincipalKindLabel;

    fn scope(account: &str, region: &str) -> Scope {
        Scope {
            account: account.into(),
            region: region.into(),
        }
    }

    #[test]
    fn a_call_about_a_key_goes_to_the_scope_of_its_arn() {
        let home = scope("111111111111", "eu-west-1");
        let mut listed = HashMap::new();
        listed.insert(
            "1234abcd-12ab-34cd-56ef-1234567890ab".to_string(),
            scope("333333333333", "us-east-1"),
        );
        listed.insert(
            "alias/payments".to_string(),
            scope("222222222222", "eu-west-1"),
        );
        let key_a = KeyRef::parse(
            "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        );
        // The ARN wins over where an id of the same name was listed.
        assert_eq!(
            route(&key_a, &listed, &home),
            scope("222222222222", "eu-west-1")
        );
        let us = KeyRef::parse("arn:aws:kms:us-east-1:222222222222:alias/payments-us");
        assert_eq!(
            route(&us, &listed, &home),
            scope("222222222222", "us-east-1")
        );
        assert_eq!(
            route(&KeyRef::parse("alias/payments"), &listed, &home),
            scope("222222222222", "eu-west-1")
        );
        assert_eq!(
            route(
                &KeyRef::parse("1234abcd-12ab-34cd-56ef-1234567890ab"),
                &listed,
                &home
            ),
            scope("333333333333", "us-east-1")
        );
        assert_eq!(route(&KeyRef::parse("alias/unknown"), &listed, &home), home);
    }

    #[test]
    fn a_principals_grants_are_counted_across_accounts() {
        let reader = |count| PrincipalSummary {
            kind: PrincipalKindLabel::Role,
            name: "reader".into(),
            arn: "arn:aws:iam::333333333333:role/reader".into(),
            unique_id: None,
            account: Some("333333333333".into()),
            policies: vec![],
            grant_count: count,
        };
        let merged = merge_principals(vec![
            (
                scope("222222222222", "eu-west-1"),
                PrincipalList {
                    principals: vec![reader(1)],
                    note: None,
                },
            ),
            (
                scope("333333333333", "eu-west-1"),
                PrincipalList {
                    principals: vec![PrincipalSummary {
                        unique_id: Some("AROAREADER".into()),
                        ..reader(0)
                    }],
                    note: Some("IAM: AccessDenied".into()),
                },
            ),
        ]);
        assert_eq!(merged.principals.len(), 1);
        assert_eq!(merged.principals[0].grant_count, 1);
        assert_eq!(
            merged.principals[0].unique_id.as_deref(),
            Some("AROAREADER")
        );
        assert_eq!(
            merged.note.as_deref(),
            Some("333333333333/eu-west-1: IAM: AccessDenied")
        );
    }
}
