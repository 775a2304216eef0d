//! The AWS backend: aws-sdk-kms with credentials, region and endpoint resolved by
//! aws-config exactly as the AWS CLI resolves them (environment, shared config and
//! credentials files, SSO, IMDS; `--endpoint-url`, `AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_KMS`). Requests run with bounded concurrency and the SDK's standard
//! retry with backoff on throttling (a bounded number of attempts, never forever).
//!
//! Here: the connection, caller identity, error mapping and the paged listings. Fields that
//! KMS-compatible endpoints may omit (CreationDate, IssuingAccount, Name) are optional.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::kms::grant::GrantConstraints;
use crate::kms::{AwsErrorCode, GrantListEntry, GrantOperation};

use super::profiles::ProfileSources;
use crate::backend::{BackendError, BackendResult};

/// How many KMS requests run at once while taking an inventory.
pub const CONCURRENCY: usize = 16;
/// Keys in progress at once when each sends two requests together (DescribeKey and
/// ListGrants), so that at most `CONCURRENCY` requests are in flight.
pub const KEYS_AT_ONCE: usize = CONCURRENCY / 2;
/// Attempts per request (the first and the retries) before an error is reported.
pub const MAX_ATTEMPTS: u32 = 8;

/// Where to connect: any field left out is resolved by aws-config's default chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Who the credentials belong to (STS GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// A connection to KMS (and STS) in one account and region.
#[derive(Clone)]
pub struct AwsConnection {
    pub kms: aws_sdk_kms::Client,
    pub sts: aws_sdk_sts::Client,
    pub config: SdkConfig,
    pub region: String,
    pub options: AwsOptions,
    /// Holds each KMS request back to its account-region's rate (organization-wide work,
    /// `scope::scheduler`); none for one account and region.
    pub pacer: Option<std::sync::Arc<dyn Pacer>>,
    /// The account the credentials act in, when it is known without asking STS (a scope's
    /// account, whose role was assumed); the inventory asks GetCallerIdentity otherwise.
    pub account: Option<String>,
}

/// Holds a request back until its account-region's request rate allows it.
#[async_trait::async_trait]
pub trait Pacer: Send + Sync {
    async fn ready(&self, op: crate::kms::ApiOperation);
}

/// An SDK error as a readable message with AWS's code.
pub fn sdk_error<E, R>(e: SdkError<E, R>) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    match &e {
        // An error answer without a code is not one we can name: say what came back.
        SdkError::ServiceError(se) => match se.err().code() {
            Some(code) => BackendError::aws(
                AwsErrorCode::parse(code),
                se.err().message().unwrap_or_default(),
            ),
            None => BackendError::response(DisplayErrorContext(&e).to_string()),
        },
        SdkError::DispatchFailure(df) if df.is_io() || df.is_timeout() => {
            BackendError::network(format!("The endpoint could not be reached: {}", causes(&e)))
        }
        SdkError::DispatchFailure(_) if causes(&e).contains("credential") => {
            BackendError::configuration(format!("No usable AWS credentials: {}", causes(&e)))
        }
        SdkError::DispatchFailure(_) => {
            BackendError::network(format!("The request could not be sent: {}", causes(&e)))
        }
        SdkError::TimeoutError(_) => BackendError::network("The request timed out."),
        SdkError::ConstructionFailure(_) => {
            BackendError::configuration(format!("The request could not be made: {}", causes(&e)))
        }
        _ => BackendError::response(DisplayErrorContext(&e).to_string()),
    }
}

/// An error and its causes, innermost last, without debug dumps.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Load the SDK configuration as the AWS CLI would.
pub async fn load_config(opts: &AwsOptions) -> SdkConfig {
    load_config_with(opts, &ProfileSources::default()).await
}

/// Load the SDK configuration, reading profiles from `sources`. A named profile's own
/// credentials are used even when credentials are set in the environment (as the AWS CLI
/// does with `--profile`).
pub async fn load_config_with(opts: &AwsOptions, sources: &ProfileSources) -> SdkConfig {
    // Adaptive retry: the standard retry with backoff, plus a client-side rate limiter
    // that slows the client down when KMS answers ThrottlingException (ListGrants has a
    // quota of 100 requests per second), shared by every request of the connection.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(MAX_ATTEMPTS))
        .http_client(super::http::shared());
    if let Some(files) = sources.files() {
        loader = loader.profile_files(files);
    }
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
        let mut creds =
            aws_config::profile::ProfileFileCredentialsProvider::builder().profile_name(p);
        if let Some(files) = sources.files() {
            creds = creds.profile_files(files);
        }
        loader = loader.credentials_provider(creds.build());
    }
    if let Some(r) = &opts.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(u) = &opts.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    loader.load().await
}

impl AwsConnection {
    pub async fn connect(opts: AwsOptions) -> BackendResult<Self> {
        Self::connect_with(opts, &ProfileSources::default()).await
    }

    /// Connect, reading profiles from `sources` instead of the standard locations.
    pub async fn connect_with(opts: AwsOptions, sources: &ProfileSources) -> BackendResult<Self> {
        let config = load_config_with(&opts, sources).await;
        let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
            BackendError::configuration(
                "No AWS region: pass --region, set AWS_REGION, or set region in the profile.",
            )
        })?;
        Ok(Self {
            kms: aws_sdk_kms::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            config,
            region,
            options: opts,
            pacer: None,
            account: None,
        })
    }

    /// A connection with a prepared configuration (credentials acting in `account`, a
    /// region) and KMS client, paced by `pacer`.
    pub fn from_parts(
        config: SdkConfig,
        kms: aws_sdk_kms::Client,
        (account, region): (String, String),
        pacer: Option<std::sync::Arc<dyn Pacer>>,
    ) -> Self {
        Self {
            account: Some(account),
            sts: aws_sdk_sts::Client::new(&config),
            kms,
            region: region.clone(),
            options: AwsOptions {
                region: Some(region),
                ..AwsOptions::default()
            },
            config,
            pacer,
        }
    }

    /// Wait for the pacer, if any, to let a request of `op` go.
    pub async fn pace(&self, op: crate::kms::ApiOperation) {
        if let Some(p) = &self.pacer {
            p.ready(op).await;
        }
    }

    pub async fn caller_identity(&self) -> BackendResult<CallerIdentity> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(CallerIdentity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        })
    }

    /// Every key (id, ARN) of the account, all pages.
    pub async fn list_keys(&self) -> BackendResult<Vec<(String, String)>> {
        let mut keys = Vec::new();
        let mut pages = Pager::default();
        loop {
            self.pace(crate::kms::ApiOperation::ListKeys).await;
            let out = self
                .kms
                .list_keys()
                .limit(1000)
                .set_marker(pages.marker())
                .send()
                .await
                .map_err(sdk_error)?;
            for k in out.keys() {
                let Some(id) = k.key_id() else { continue };
                let arn = k
                    .key_arn()
                    .map(str::to_string)
                    .unwrap_or_else(|| id.to_string());
                keys.push((id.to_string(), arn));
            }
            if !pages.advance(out.truncated(), out.next_marker())? {
                return Ok(keys);
            }
        }
    }

    /// Alias names by target key id, all pages.
    pub async fn list_aliases(
        &self,
    ) -> BackendResult<std::collections::HashMap<String, Vec<String>>> {
        let mut by_key: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut pages = Pager::default();
        loop {
            self.pace(crate::kms::ApiOperation::ListAliases).await;
            let out = self
                .kms
                .list_aliases()
                .limit(100)
                .set_marker(pages.marker())
                .send()
                .await
                .map_err(sdk_error)?;
            for a in out.aliases() {
                if let (Some(name), Some(target)) = (a.alias_name(), a.target_key_id()) {
                    by_key
                        .entry(target.to_string())
                        .or_default()
                        .push(name.to_string());
                }
            }
            if !pages.advance(out.truncated(), out.next_marker())? {
                for names in by_key.values_mut() {
                    names.sort();
                }
                return Ok(by_key);
            }
        }
    }

    /// DescribeKey: the key's ARN (the id stands in when the endpoint gives none) and its
    /// metadata, if any.
    pub async fn describe_key(
        &self,
        key_id: &str,
    ) -> BackendResult<(String, Option<aws_sdk_kms::types::KeyMetadata>)> {
        self.pace(crate::kms::ApiOperation::DescribeKey).await;
        let out = self
            .kms
            .describe_key()
            .key_id(key_id)
            .send()
            .await
            .map_err(sdk_error)?;
        let meta = out.key_metadata().cloned();
        let arn = meta
            .as_ref()
            .and_then(|m| m.arn())
            .unwrap_or(key_id)
            .to_string();
        Ok((arn, meta))
    }

    /// Every grant of a key, all pages (Limit 100).
    pub async fn list_all_grants(
        &self,
        key_id: &str,
        key_arn: &str,
    ) -> BackendResult<Vec<GrantListEntry>> {
        Ok(self
            .list_grant_pages(key_id)
            .await?
            .iter()
            .map(|g| grant_entry(g, key_arn))
            .collect())
    }

    /// Every grant of a key as the SDK gives it, all pages (Limit 100).
    pub(super) async fn list_grant_pages(
        &self,
        key_id: &str,
    ) -> BackendResult<Vec<aws_sdk_kms::types::GrantListEntry>> {
        let mut grants = Vec::new();
        let mut pages = Pager::default();
        loop {
            self.pace(crate::kms::ApiOperation::ListGrants).await;
            let mut out = self
                .kms
                .list_grants()
                .key_id(key_id)
                .limit(100)
                .set_marker(pages.marker())
                .send()
                .await
                .map_err(sdk_error)?;
            let more = pages.advance(out.truncated(), out.next_marker())?;
            grants.append(out.grants.get_or_insert_with(Vec::new));
            if !more {
                return Ok(grants);
            }
        }
    }
}

/// The marker of the next page, or None at the end. A server that says "truncated" but
/// repeats the marker (or gives none) would loop forever: that is an error.
pub(super) fn next_marker(
    truncated: bool,
    next: Option<&str>,
    previous: &Option<String>,
) -> BackendResult<Option<String>> {
    match (truncated, next) {
        (false, _) => Ok(None),
        (true, Some(m)) if previous.as_deref() != Some(m) => Ok(Some(m.to_string())),
        (true, _) => Err(no_new_marker()),
    }
}

fn no_new_marker() -> BackendError {
    BackendError::response("The endpoint reported more pages but gave no new marker.")
}

/// More pages than any KMS or IAM listing has (50,000 grants of a key are 500 pages of
/// 100): past this a listing is taken to be broken rather than long.
pub(super) const MAX_PAGES: usize = 10_000;

/// Follows one listing's markers to its end. An endpoint that keeps saying "truncated"
/// with a marker it gave before (a cycle), or with none, or past [`MAX_PAGES`], gets an
/// error instead of a loop that never ends.
#[derive(Default)]
pub(super) struct Pager {
    current: Option<String>,
    seen: std::collections::HashSet<String>,
}

impl Pager {
    /// The marker to send for the next page (None for the first).
    pub fn marker(&self) -> Option<String> {
        self.current.clone()
    }

    /// Take in a page's `truncated` and next marker: true when another page follows.
    pub fn advance(&mut self, truncated: bool, next: Option<&str>) -> BackendResult<bool> {
        if !truncated {
            return Ok(false);
        }
        let next = next
            .filter(|m| !self.seen.contains(*m))
            .ok_or_else(no_new_marker)?;
        if self.seen.len() >= MAX_PAGES {
            return Err(BackendError::response(format!(
                "The endpoint reported more than {MAX_PAGES} pages for one listing."
            )));
        }
        self.seen.insert(next.to_string());
        self.current = Some(next.to_string());
        Ok(true)
    }
}

/// An SDK grant entry in the vocabulary's shape. KeyId may be a bare key id on
/// KMS-compatible endpoints: the key ARN we know is used instead.
pub(super) fn grant_entry(g: &aws_sdk_kms::types::GrantListEntry, key_arn: &str) -> GrantListEntry {
    let map = |m: Option<&std::collections::HashMap<String, String>>| {
        m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    };
    let constraints = g.constraints().map(|c| GrantConstraints {
        encryption_context_subset: map(c.encryption_context_subset()),
        encryption_context_equals: map(c.encryption_context_equals()),
        source_arn: c.source_arn().map(str::to_string),
    });
    GrantListEntry {
        key_id: g
            .key_id()
            .filter(|k| k.starts_with("arn:"))
            .unwrap_or(key_arn)
            .to_string(),
        grant_id: g.grant_id().unwrap_or_default().to_string(),
        name: g.name().unwrap_or_default().to_string(),
        creation_date: g.creation_date().map(|d| d.as_secs_f64()),
        grantee_principal: g.grantee_principal().map(str::to_string),
        retiring_principal: g.retiring_principal().map(str::to_string),
        grantee_service_principal: g.grantee_service_principal().map(str::to_string),
        retiring_service_principal: g.retiring_service_principal().map(str::to_string),
        issuing_account: g.issuing_account().map(str::to_string),
        operations: g
            .operations()
            .iter()
            .filter_map(|o| o.as_str().parse::<GrantOperation>().ok())
            .collect(),
        constraints: constraints.filter(|c| !c.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pager_follows_new_markers_to_the_end() {
        let mut pages = Pager::default();
        assert_eq!(pages.marker(), None);
        assert!(pages.advance(true, Some("a")).unwrap());
        assert_eq!(pages.marker().as_deref(), Some("a"));
        assert!(pages.advance(true, Some("b")).unwrap());
        assert!(!pages.advance(false, Some("ignored")).unwrap());
    }

    #[test]
    fn a_pager_refuses_a_marker_cycle_a_missing_marker_and_endless_pages() {
        let mut pages = Pager::default();
        pages.advance(true, Some("a")).unwrap();
        pages.advance(true, Some("b")).unwrap();
        let e = pages.advance(true, Some("a")).unwrap_err();
        assert_eq!(e.kind, crate::backend::ErrorKind::Response);
        assert!(e.message.contains("no new marker"), "{}", e.message);

        assert!(Pager::default().advance(true, None).is_err());

        let mut pages = Pager::default();
        for i in 0..MAX_PAGES {
            assert!(pages.advance(true, Some(&i.to_string())).unwrap());
        }
        let e = pages.advance(true, Some("one more")).unwrap_err();
        assert!(e.message.contains("more than 10000 pages"), "{}", e.message);
    }
}
