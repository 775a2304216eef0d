//! From a [`ScopeSpec`] to the list of scopes to read: the accounts (the caller's, a list,
//! or the organization's through Organizations ListAccounts) and each account's regions
//! (the configured one, a list, or the account's enabled regions through Account
//! ListRegions). An account that cannot be entered or asked is reported, not fatal.
//!
//! AWS's words: ListAccounts "can be called only from the organization's management
//! account or by a member account that is a delegated administrator", and "Organizations
//! might return fewer results than the maximum even when there are more results
//! available": the SDK's paginator follows NextToken to the end. ListRegions filters by
//! `RegionOptStatusContains`; ENABLED and ENABLED_BY_DEFAULT are the regions an account
//! can use. Decision: suspended accounts (Status other than ACTIVE) are skipped, as no
//! role can be assumed in them.

use aws_sdk_kms::error::DisplayErrorContext;
use futures::StreamExt;

use super::credentials::AccountCredentials;
use super::{Accounts, Regions, Scope, ScopeSpec};

/// A scope (or a whole account, `region` None) that could not be read, and why.
pub use crate::backend::UnreadScope as Unread;

/// The scopes to read, and the accounts that could not even be listed.
pub use crate::backend::ScopePlan as Plan;

/// The accounts of `spec`. Only the organization's listing can fail (then nothing can be
/// read, and the error says why).
pub async fn accounts(creds: &AccountCredentials, spec: &ScopeSpec) -> Result<Vec<String>, String> {
    match &spec.accounts {
        Accounts::Caller => Ok(vec![creds.caller_account().to_string()]),
        Accounts::List(ids) => Ok(ids.clone()),
        Accounts::Organization => organization_accounts(creds.base()).await,
    }
}

/// The active accounts of the organization, asked with the caller's own credentials
/// (`base`).
pub async fn organization_accounts(base: &aws_config::SdkConfig) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    let mut pages = std::pin::pin!(organization_account_pages(base));
    while let Some(page) = pages.next().await {
        ids.extend(page?);
    }
    Ok(ids)
}

/// The active accounts of the organization, a page at a time as ListAccounts answers, so
/// that a reader can start on the first accounts while the next page is asked; it needs
/// nothing but the caller's own credentials (`base`). The stream ends after an error.
pub fn organization_account_pages(
    base: &aws_config::SdkConfig,
) -> impl futures::Stream<Item = Result<Vec<String>, String>> {
    let client = aws_sdk_organizations::Client::new(base);
    let pages = client.list_accounts().into_paginator().send();
    futures::stream::unfold(Some(pages), |pages| async move {
        let mut pages = pages?;
        let page = pages.next().await?;
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                let why = format!("Organizations ListAccounts: {}", DisplayErrorContext(&e));
                return Some((Err(why), None));
            }
        };
        let ids = page
            .accounts()
            .iter()
            .filter(|a| {
                a.status()
                    .is_none_or(|s| *s == aws_sdk_organizations::types::AccountStatus::Active)
            })
            .filter_map(|a| a.id().map(str::to_string))
            .collect();
        Some((Ok(ids), Some(pages)))
    })
}

/// The enabled regions of `account`, asked with the account's own credentials.
async fn enabled_regions(
    creds: &AccountCredentials,
    account: &str,
    configured: &str,
) -> Result<Vec<String>, String> {
    use aws_sdk_account::types::RegionOptStatus;
    let config = creds.config(account, configured).await?;
    let client = aws_sdk_account::Client::new(&config);
    let mut pages = client
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .into_paginator()
        .send();
    let mut names = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| format!("Account ListRegions: {}", DisplayErrorContext(&e)))?;
        names.extend(
            page.regions()
                .iter()
                .filter_map(|r| r.region_name())
                .map(str::to_string),
        );
    }
    Ok(names)
}

/// Every scope of `spec`, accounts in the order listed, regions in each account's order.
pub async fn plan(
    creds: &AccountCredentials,
    spec: &ScopeSpec,
    configured_region: &str,
) -> Result<Plan, String> {
    let accounts = accounts(creds, spec).await?;
    Ok(plan_of(creds, spec, configured_region, accounts).await)
}

/// The scopes of `accounts` (already listed), each with the regions of `spec`.
pub async fn plan_of(
    creds: &AccountCredentials,
    spec: &ScopeSpec,
    configured_region: &str,
    accounts: Vec<String>,
) -> Plan {
    let mut plan = Plan::default();
    let regions_of = |account: String| async move {
        let regions = match &spec.regions {
            Regions::Configured => Ok(vec![configured_region.to_string()]),
            Regions::List(r) => Ok(r.clone()),
            Regions::Enabled => enabled_regions(creds, &account, configured_region).await,
        };
        (account, regions)
    };
    // Accounts are asked together (each ListRegions runs under its own credentials).
    let answers = futures::future::join_all(accounts.into_iter().map(regions_of)).await;
    for (account, regions) in answers {
        match regions {
            Ok(regions) => plan.scopes.extend(regions.into_iter().map(|region| Scope {
                account: account.clone(),
                region,
            })),
            Err(why) => plan.unread.push(Unread {
                account,
                region: None,
                why,
            }),
        }
    }
    plan
}

/// The scopes of an organization's accounts as its pages of accounts come (see
/// `organization_account_pages`), each page's with the regions of `spec`. What cannot be
/// read goes to `unread`: an account whose regions could not be asked, and a page that
/// failed (the accounts listed before it are still read; the rest is reported unread).
pub fn scopes_of_pages<'a>(
    creds: &'a AccountCredentials,
    spec: &'a ScopeSpec,
    configured_region: &'a str,
    pages: impl futures::Stream<Item = Result<Vec<String>, String>> + 'a,
    unread: &'a std::sync::Mutex<Vec<Unread>>,
) -> impl futures::Stream<Item = Scope> + 'a {
    let unread_too = |more: Vec<Unread>| {
        // A poisoned list still holds whole entries.
        unread
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(more)
    };
    pages
        .then(move |page| async move {
            let scopes = match page {
                Ok(accounts) => {
                    let plan = plan_of(creds, spec, configured_region, accounts).await;
                    unread_too(plan.unread);
                    plan.scopes
                }
                Err(why) => {
                    unread_too(vec![Unread {
                        account: "organization (the accounts not yet listed)".into(),
                        region: None,
                        why,
                    }]);
                    Vec::new()
                }
            };
            futures::stream::iter(scopes)
        })
        .flatten()
}
