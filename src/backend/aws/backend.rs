//! `AwsBackend`: the UI's `Backend` over one AWS account and region. Keys come in two
//! steps so that a big account shows its key list at once: `list_keys` (ListKeys and
//! ListAliases) and then `describe_keys` (DescribeKey and ListGrants per key, at most
//! `CONCURRENCY` requests at a time) for the batches the UI asks for. A grant test and
//! retire act as another profile configured on this machine. The event log records every change and test call
//! (allowed, denied or failed) and every read that failed; successful reads are not logged,
//! so a thousand DescribeKeys do not bury what the person did.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use futures::StreamExt;
use tokio::sync::Mutex;

use crate::backend::{
    ActivityEvent, Actor, Backend, BackendInfo, BackendResult, CreateGrantInput, CreatedGrant,
    GrantPage, GrantSummary, KeyDetail, KeyList, PrincipalList, TestCall, TestOutcome,
};
use crate::kms::ids::display_name;
use crate::kms::{GrantId, GrantListEntry, KeyRef, Timestamp};

use super::activity::ActivityLog;
use super::connection::{grant_entry, next_marker, sdk_error, AwsConnection, AwsOptions};
use super::keys::placeholder;
use super::profiles::{ActingProfile, ProfileSources};
use super::{CONCURRENCY, KEYS_AT_ONCE};

/// ListGrants page size (AWS's maximum).
pub(super) const GRANT_PAGE: i32 = 100;

pub struct AwsBackend {
    pub(super) conn: AwsConnection,
    pub(super) info: BackendInfo,
    pub(super) sources: ProfileSources,
    pub(super) profiles: Vec<String>,
    /// Alias names by key id, from the latest `list_keys`.
    pub(super) aliases: std::sync::Mutex<HashMap<String, Vec<String>>>,
    /// Profiles acted as so far (their clients and identities), by profile name.
    /// Ordered, so the profile chosen for an ARN several profiles resolve to is always the same.
    pub(super) actors: Mutex<BTreeMap<String, ActingProfile>>,
    pub(super) log: ActivityLog,
}

impl AwsBackend {
    /// Connect as the AWS CLI would and resolve who we are (STS GetCallerIdentity).
    pub async fn connect(opts: AwsOptions) -> BackendResult<Self> {
        Self::connect_with(opts, ProfileSources::default()).await
    }

    /// Connect reading profiles from `sources` (explicit files, no environment needed).
    pub async fn connect_with(opts: AwsOptions, sources: ProfileSources) -> BackendResult<Self> {
        let conn = AwsConnection::connect_with(opts.clone(), &sources).await?;
        let me = conn.caller_identity().await?;
        let info = BackendInfo {
            kind: "aws".into(),
            source: opts.profile.clone().unwrap_or_else(|| "default".into()),
            account: me.account,
            region: conn.region.clone(),
            identity: me.arn,
            endpoint: conn.config.endpoint_url().map(str::to_string),
        };
        Ok(Self {
            profiles: sources.profile_names(),
            conn,
            info,
            sources,
            aliases: Default::default(),
            actors: Default::default(),
            log: ActivityLog::default(),
        })
    }

    /// A backend over a prepared connection (an account's credentials in a region, as a
    /// backend across an organization makes one per scope); `source` names the profile
    /// it started from. Resolves who the connection is (STS GetCallerIdentity).
    pub async fn over(
        conn: AwsConnection,
        source: String,
        sources: ProfileSources,
    ) -> BackendResult<Self> {
        let me = conn.caller_identity().await?;
        let info = BackendInfo {
            kind: "aws".into(),
            source,
            account: me.account,
            region: conn.region.clone(),
            identity: me.arn,
            endpoint: conn.config.endpoint_url().map(str::to_string),
        };
        Ok(Self {
            profiles: sources.profile_names(),
            conn,
            info,
            sources,
            aliases: Default::default(),
            actors: Default::default(),
            log: ActivityLog::default(),
        })
    }

    pub fn connection(&self) -> &AwsConnection {
        &self.conn
    }

    pub(super) fn me(&self) -> &str {
        &self.info.identity
    }

    fn alias_of(&self, key_id: &str) -> Option<String> {
        let aliases = self.aliases.lock().unwrap_or_else(|p| p.into_inner());
        aliases.get(key_id).and_then(|a| a.first().cloned())
    }

    fn summarize(&self, e: GrantListEntry) -> GrantSummary {
        let alias = KeyRef::parse(&e.key_id)
            .key_id()
            .and_then(|id| self.alias_of(id));
        GrantSummary::from_entry(e, alias, display_name)
    }

    /// The key's ARN for grant entries whose KeyId a compatible endpoint left bare.
    fn key_arn(&self, key_id: &str) -> String {
        if key_id.starts_with("arn:") {
            key_id.to_string()
        } else {
            format!(
                "arn:aws:kms:{}:{}:key/{key_id}",
                self.info.region, self.info.account
            )
        }
    }
}

pub(super) fn sdk_constraints(
    c: &crate::kms::GrantConstraints,
) -> aws_sdk_kms::types::GrantConstraints {
    let map = |m: &Option<crate::kms::EncryptionContext>| {
        m.as_ref()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    };
    aws_sdk_kms::types::GrantConstraints::builder()
        .set_encryption_context_subset(map(&c.encryption_context_subset))
        .set_encryption_context_equals(map(&c.encryption_context_equals))
        .build()
}

#[async_trait]
impl Backend for AwsBackend {
    fn info(&self) -> BackendInfo {
        self.info.clone()
    }

    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }

    async fn list_keys(&self) -> BackendResult<KeyList> {
        // Together; when both fail, ListKeys' error is the one shown, whichever answered first.
        let (keys, aliases) =
            futures::future::join(self.conn.list_keys(), self.conn.list_aliases()).await;
        let result = keys.and_then(|keys| Ok((keys, aliases?)));
        if result.is_err() {
            self.log.record(self.me(), "ListKeys", None, &result);
        }
        let (keys, aliases) = result?;
        let list = keys
            .into_iter()
            .map(|(id, arn)| {
                let names = aliases.get(&id).cloned().unwrap_or_default();
                placeholder(id, arn, names)
            })
            .collect();
        *self.aliases.lock().unwrap_or_else(|p| p.into_inner()) = aliases;
        Ok(KeyList {
            keys: list,
            details_later: true,
        })
    }

    async fn describe_keys(&self, key_ids: Vec<String>) -> BackendResult<Vec<KeyDetail>> {
        let details = futures::stream::iter(key_ids.into_iter().map(|key_id| async move {
            let result = self.describe(key_id.clone()).await;
            if result.is_err() {
                self.log
                    .record(self.me(), "DescribeKey", Some(&key_id), &result);
            }
            KeyDetail { key_id, result }
        }))
        // Two requests per key (DescribeKey and ListGrants together).
        .buffered(KEYS_AT_ONCE)
        .collect()
        .await;
        Ok(details)
    }

    async fn list_grants(&self, key: &KeyRef, marker: Option<String>) -> BackendResult<GrantPage> {
        let key_id = key.to_string();
        let key_id = key_id.as_str();
        let result = self
            .conn
            .kms
            .list_grants()
            .key_id(key_id)
            .limit(GRANT_PAGE)
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(sdk_error);
        if result.is_err() {
            self.log
                .record(self.me(), "ListGrants", Some(key_id), &result);
        }
        let out = result?;
        let arn = self.key_arn(key_id);
        let next = next_marker(out.truncated(), out.next_marker(), &marker)?;
        Ok(GrantPage {
            grants: out
                .grants()
                .iter()
                .map(|g| self.summarize(grant_entry(g, &arn)))
                .collect(),
            next_marker: next,
        })
    }

    async fn list_principals(&self) -> BackendResult<PrincipalList> {
        let mut list = self.conn.principals().await?;
        // You are a principal too, whether or not IAM could be listed.
        if !list.principals.iter().any(|p| p.arn == self.info.identity) {
            let (kind, name) = super::principals::classify(&self.info.identity);
            list.principals.push(crate::backend::PrincipalSummary {
                kind,
                name,
                arn: self.info.identity.clone(),
                unique_id: None,
                account: Some(self.info.account.clone()),
                policies: vec![],
                grant_count: 0,
            });
            crate::backend::PrincipalSummary::sort(&mut list.principals);
        }
        Ok(list)
    }

    async fn grants_of_principal(&self, principal: &str) -> BackendResult<Vec<GrantSummary>> {
        let keys = self.conn.list_keys().await?;
        // Each key keeps only this principal's grants; the first failure other than
        // AccessDenied ends the search (the keys still in progress are dropped).
        let mut per_key = futures::stream::iter(keys.into_iter().map(|(id, arn)| async move {
            match self.conn.list_all_grants(&id, &arn).await {
                Ok(grants) => Ok(grants
                    .into_iter()
                    .filter(|e| e.grantee() == principal)
                    .collect::<Vec<GrantListEntry>>()),
                // Keys whose grants we may not list cannot show this principal's grants.
                Err(e) if e.is_access_denied() => Ok(vec![]),
                Err(e) => Err(e),
            }
        }))
        .buffered(CONCURRENCY);
        let mut held = Vec::new();
        while let Some(grants) = per_key.next().await {
            held.extend(grants?.into_iter().map(|e| self.summarize(e)));
        }
        Ok(held)
    }

    async fn create_grant(&self, input: CreateGrantInput) -> BackendResult<CreatedGrant> {
        let result = self
            .conn
            .kms
            .create_grant()
            .key_id(input.key.to_string())
            .grantee_principal(input.grantee.as_str())
            .set_retiring_principal(input.retiring.as_ref().map(|r| r.to_string()))
            .set_operations(Some(
                input
                    .operations
                    .iter()
                    .map(|o| aws_sdk_kms::types::GrantOperation::from(o.as_str()))
                    .collect(),
            ))
            .set_constraints(input.constraints.as_ref().map(sdk_constraints))
            .set_name(input.name.clone())
            .send()
            .await
            .map_err(sdk_error)
            .map(|out| CreatedGrant {
                grant_id: out.grant_id().unwrap_or_default().to_string(),
                grant_token: out.grant_token().unwrap_or_default().to_string(),
            });
        self.log.record(
            self.me(),
            "CreateGrant",
            Some(&input.key.to_string()),
            &result,
        );
        result
    }

    async fn revoke_grant(&self, key: &KeyRef, grant: &GrantId) -> BackendResult<()> {
        let key_id = key.to_string();
        let result = self
            .conn
            .kms
            .revoke_grant()
            .key_id(&key_id)
            .grant_id(grant.as_str())
            .send()
            .await
            .map(|_| ())
            .map_err(sdk_error);
        self.log
            .record(self.me(), "RevokeGrant", Some(&key_id), &result);
        result
    }

    async fn retire_grant(
        &self,
        key: &KeyRef,
        grant: &GrantId,
        actor: Option<&Actor>,
    ) -> BackendResult<()> {
        let key_id = key.to_string();
        let (kms, caller) = match actor {
            Some(Actor::Principal(p)) if p.as_str() == self.me() => {
                (self.conn.kms.clone(), self.me().to_string())
            }
            Some(a) => {
                let a = self.actor(a).await?;
                (a.kms, a.identity.arn)
            }
            None => (self.conn.kms.clone(), self.me().to_string()),
        };
        let result = kms
            .retire_grant()
            .key_id(&key_id)
            .grant_id(grant.as_str())
            .send()
            .await
            .map(|_| ())
            .map_err(sdk_error);
        self.log
            .record(&caller, "RetireGrant", Some(&key_id), &result);
        result
    }

    async fn test_operation(&self, call: TestCall) -> BackendResult<TestOutcome> {
        self.test_call(call).await
    }

    async fn activity_since(&self, seq: u64) -> BackendResult<Vec<ActivityEvent>> {
        Ok(self.log.since(seq))
    }

    async fn inventory(&self) -> BackendResult<crate::kms::inventory::Inventory> {
        let result = self.conn.inventory(&|_, _| {}).await;
        if result.is_err() {
            self.log.record(self.me(), "Inventory", None, &result);
        }
        result
    }

    fn acting_profiles(&self) -> Vec<String> {
        self.profiles.clone()
    }

    async fn usage_evidence(
        &self,
        inv: &mut crate::kms::inventory::Inventory,
        opts: crate::evidence::EvidenceOptions,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Option<crate::evidence::Tally> {
        let trail = super::CloudTrail::new(&self.conn);
        Some(crate::evidence::gather(&trail, inv, opts, progress).await)
    }
}
