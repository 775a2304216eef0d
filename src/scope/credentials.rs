//! Credentials for each account: the caller's own for the caller's account, and for any
//! other, a session of `--role-name` in it through STS AssumeRole from the caller's
//! profile (aws-config's `AssumeRoleProvider`).
//!
//! Cached and refreshed: the provider is made once per account and shared by every client
//! of that account (all its regions), so the SDK's identity cache holds one session per
//! account and renews it before it expires (aws-config: the lazy identity cache "caches
//! [credentials] until they expire", refreshing within its buffer time of expiry).
//! Decision: each account's first AssumeRole is also made up front (`check`), so a refusal
//! (AccessDenied, an external id that does not match) is reported for that account's
//! scopes by name, instead of as a failed request deep in its inventory; it costs one
//! AssumeRole per account more.
//! Decision: a refusal is not kept. The account's next scope, or a refresh in the UI, asks
//! STS again, so a trust policy fixed while grantscope runs is seen without a restart; a
//! provider that worked is kept for the life of the process.

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_kms::error::DisplayErrorContext;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::ScopeSpec;

/// STS's own answer (its code and message) behind a credentials error, when there is
/// one: what a person needs, without the SDK's wrapping and request ids.
fn sts_reason(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    use aws_sdk_sts::error::ProvideErrorMetadata;
    type AssumeRoleFailure = aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::assume_role::AssumeRoleError,
        aws_sdk_sts::config::http::HttpResponse,
    >;
    let mut source = Some(e);
    while let Some(s) = source {
        if let Some(failure) = s.downcast_ref::<AssumeRoleFailure>() {
            let code = failure.code()?;
            return Some(match failure.message() {
                Some(m) => format!("{code}: {m}"),
                None => code.to_string(),
            });
        }
        source = s.source();
    }
    None
}

/// An account's provider, made once it works.
type ProviderCell = OnceCell<SharedCredentialsProvider>;

/// Hands out each account's SDK configuration.
pub struct AccountCredentials {
    base: SdkConfig,
    caller_account: String,
    role_name: String,
    external_id: Option<String>,
    session_name: String,
    region_endpoints: HashMap<String, String>,
    /// One cell per account: its provider is made once even when its regions ask at once,
    /// and accounts do not wait for each other.
    providers: Mutex<HashMap<String, Arc<ProviderCell>>>,
}

impl AccountCredentials {
    pub fn new(base: SdkConfig, caller_account: String, spec: &ScopeSpec) -> Self {
        Self {
            base,
            caller_account,
            role_name: spec.role_name.clone(),
            external_id: spec.external_id.clone(),
            session_name: spec.session_name.clone(),
            region_endpoints: spec.region_endpoints.iter().cloned().collect(),
            providers: Mutex::new(HashMap::new()),
        }
    }

    pub fn caller_account(&self) -> &str {
        &self.caller_account
    }

    pub fn base(&self) -> &SdkConfig {
        &self.base
    }

    /// The role ARN assumed in `account`.
    pub fn role_arn(&self, account: &str) -> String {
        format!("arn:aws:iam::{account}:role/{}", self.role_name)
    }

    /// The configuration for `account` in `region`, or why the account cannot be entered.
    pub async fn config(&self, account: &str, region: &str) -> Result<SdkConfig, String> {
        let mut builder = self.base.to_builder();
        if let Some(url) = self.region_endpoints.get(region) {
            builder.set_endpoint_url(Some(url.clone()));
        }
        builder.set_region(Some(aws_config::Region::new(region.to_string())));
        if account != self.caller_account {
            builder.set_credentials_provider(Some(self.provider(account).await?));
        }
        Ok(builder.build())
    }

    /// The account's credentials provider, made (and checked) on first use.
    async fn provider(&self, account: &str) -> Result<SharedCredentialsProvider, String> {
        let cell = {
            // A poisoned map is still a map of cells: a panic elsewhere loses nothing here.
            let mut cells = self.providers.lock().unwrap_or_else(|e| e.into_inner());
            cells.entry(account.to_string()).or_default().clone()
        };
        cell.get_or_try_init(|| self.assume(account)).await.cloned()
    }

    async fn assume(&self, account: &str) -> Result<SharedCredentialsProvider, String> {
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(self.role_arn(account))
            .session_name(&self.session_name)
            .configure(&self.base);
        if let Some(id) = &self.external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        match provider.provide_credentials().await {
            Ok(_) => Ok(SharedCredentialsProvider::new(provider)),
            Err(e) => Err(format!(
                "AssumeRole {}: {}",
                self.role_arn(account),
                sts_reason(&e).unwrap_or_else(|| DisplayErrorContext(&e).to_string())
            )),
        }
    }
}
