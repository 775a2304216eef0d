//! Principals in AWS mode: everyone the account's grants name (as grantee or retiring
//! principal) and everyone its key policies name, plus IAM users and roles, with the names
//! of their policies (attached managed policies, then inline ones), when the caller may
//! list them. IAM is optional: when users and roles cannot be listed (AccessDenied, or an
//! endpoint that does not implement IAM) the list says why and holds the rest; when the
//! policy names cannot all be, the users and roles stay with the names that could be
//! listed, and the note says what is missing.

use std::collections::{BTreeMap, HashMap};

use futures::StreamExt;

use crate::backend::{
    BackendError, BackendResult, PrincipalKindLabel, PrincipalList, PrincipalSummary,
};
use crate::kms::ids::display_name;
use crate::kms::ids::PrincipalArn;
use crate::kms::policy::{PolicyDocument, PrincipalSpec};

use super::connection::{sdk_error, AwsConnection, Pager};
use super::CONCURRENCY;

/// The kind and short name of a principal string as grants and policies show it.
pub fn classify(s: &str) -> (PrincipalKindLabel, String) {
    let kind = match PrincipalArn::parse(s) {
        Some(PrincipalArn::Root { .. }) => PrincipalKindLabel::Root,
        Some(PrincipalArn::Service(_)) => PrincipalKindLabel::Service,
        Some(PrincipalArn::AssumedRole { .. }) => PrincipalKindLabel::AssumedRole,
        Some(PrincipalArn::User { .. }) => PrincipalKindLabel::User,
        Some(PrincipalArn::Role { .. }) => PrincipalKindLabel::Role,
        // A bare unique id (AIDA..., AROA...): grants name a deleted principal this way.
        None => PrincipalKindLabel::Deleted,
    };
    (kind, display_name(s))
}

/// The AWS principals a key policy names (`"*"` and non-AWS principals aside).
pub fn policy_principals(policy: &str) -> Vec<String> {
    let Ok(doc) = PolicyDocument::parse(policy) else {
        return vec![];
    };
    let mut out = Vec::new();
    for st in &doc.statement {
        for spec in [&st.principal, &st.not_principal].into_iter().flatten() {
            if let PrincipalSpec::Map(m) = spec {
                for (kind, who) in m {
                    if kind == "AWS" || kind == "Service" {
                        out.extend(who.iter().filter(|w| *w != "*").map(str::to_string));
                    }
                }
            }
        }
    }
    out
}

/// What one key contributes: grantees (counted), retiring principals, policy principals.
#[derive(Default)]
struct Named {
    grantees: Vec<String>,
    others: Vec<String>,
    /// Why the key policy could not be read, unless it was AccessDenied (a caller may
    /// list grants without reading policies; that needs no note).
    policy_error: Option<BackendError>,
}

impl AwsConnection {
    async fn named_by_key(&self, key_id: &str, key_arn: &str) -> BackendResult<Named> {
        let grants = self.list_all_grants(key_id, key_arn).await?;
        let mut named = Named::default();
        for g in grants {
            named.others.extend(g.retiring().map(str::to_string));
            named.grantees.push(g.grantee().to_string());
        }
        // The key policy is optional: a caller may list grants but not read the policy.
        match self
            .kms
            .get_key_policy()
            .key_id(key_id)
            .policy_name("default")
            .send()
            .await
            .map_err(sdk_error)
        {
            Ok(out) => named
                .others
                .extend(out.policy().map(policy_principals).unwrap_or_default()),
            Err(e) if e.is_access_denied() => {}
            Err(e) => named.policy_error = Some(e),
        }
        Ok(named)
    }

    /// IAM users and roles of the account, all pages, with the names of their attached and
    /// inline policies. Users and roles that could be listed are kept when their policy
    /// names cannot be read; the note says so.
    async fn iam_principals(&self) -> BackendResult<(Vec<PrincipalSummary>, Option<String>)> {
        let iam = aws_sdk_iam::Client::new(&self.config);
        // Both listings go out together; when both fail, the users' error is the one named,
        // whichever answered first.
        let (users, roles) = futures::future::join(iam_users(&iam), iam_roles(&iam)).await;
        let mut out = users?;
        out.extend(roles?);
        // Two listings per principal, at most CONCURRENCY at a time; in order, so each
        // principal's attached policies come before its inline ones.
        let jobs: Vec<(usize, PrincipalKindLabel, String, PolicyListing)> = out
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                [PolicyListing::Attached, PolicyListing::Inline]
                    .map(|listing| (i, p.kind, p.name.clone(), listing))
            })
            .collect();
        let names: Vec<(usize, BackendResult<Vec<String>>)> =
            futures::stream::iter(jobs.into_iter().map(|(i, kind, name, listing)| {
                let iam = iam.clone();
                async move { (i, policy_names(&iam, kind, &name, listing).await) }
            }))
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let mut failed = None;
        for (i, names) in names {
            match names {
                Ok(names) => out[i].policies.extend(names),
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        Ok((
            out,
            failed.map(|e| format!("IAM policy names not listed: {e}")),
        ))
    }

    /// Every principal the account's grants and key policies name, and IAM's users and
    /// roles when they can be listed.
    pub async fn principals(&self) -> BackendResult<PrincipalList> {
        let keys = self.list_keys().await?;
        let per_key: Vec<BackendResult<Named>> = futures::stream::iter(
            keys.into_iter()
                .map(|(id, arn)| async move { self.named_by_key(&id, &arn).await }),
        )
        // In ListKeys' order (all are awaited anyway), so the note names the same key's
        // error on every run.
        .buffered(CONCURRENCY)
        .collect()
        .await;
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut skipped: Option<BackendError> = None;
        let mut unread_policy: Option<BackendError> = None;
        for named in per_key {
            match named {
                Ok(n) => {
                    if let Some(e) = n.policy_error {
                        unread_policy.get_or_insert(e);
                    }
                    for g in n.grantees {
                        *counts.entry(g).or_default() += 1;
                    }
                    for o in n.others {
                        counts.entry(o).or_default();
                    }
                }
                // Keys whose grants we may not list are left out, and the note says so.
                Err(e) if e.is_access_denied() => {
                    skipped.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        let mut notes = Vec::new();
        let mut by_arn: HashMap<String, PrincipalSummary> = HashMap::new();
        match self.iam_principals().await {
            Ok((list, note)) => {
                by_arn.extend(list.into_iter().map(|p| (p.arn.clone(), p)));
                notes.extend(note);
            }
            Err(e) => notes.push(format!("IAM users and roles not listed: {e}")),
        }
        if let Some(e) = skipped {
            notes.push(format!("some keys' grants not listed: {e}"));
        }
        if let Some(e) = unread_policy {
            notes.push(format!("some key policies not read: {e}"));
        }
        for (arn, n) in counts {
            let entry = by_arn.entry(arn.clone()).or_insert_with(|| {
                let (kind, name) = classify(&arn);
                PrincipalSummary {
                    kind,
                    name,
                    unique_id: (kind == PrincipalKindLabel::Deleted).then(|| arn.clone()),
                    account: PrincipalArn::parse(&arn)
                        .and_then(|p| p.account().map(str::to_string)),
                    arn,
                    policies: vec![],
                    grant_count: 0,
                }
            });
            entry.grant_count = n;
        }
        let mut principals: Vec<PrincipalSummary> = by_arn.into_values().collect();
        PrincipalSummary::sort(&mut principals);
        Ok(PrincipalList {
            principals,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        })
    }
}

/// An IAM user or role as the principals pane shows it (policies filled in later).
fn iam_summary(kind: PrincipalKindLabel, name: &str, arn: &str, id: &str) -> PrincipalSummary {
    PrincipalSummary {
        kind,
        name: name.to_string(),
        arn: arn.to_string(),
        unique_id: Some(id.to_string()),
        account: arn.split(':').nth(4).map(str::to_string),
        policies: vec![],
        grant_count: 0,
    }
}

/// Every IAM user of the account, all pages.
async fn iam_users(iam: &aws_sdk_iam::Client) -> BackendResult<Vec<PrincipalSummary>> {
    let mut out = Vec::new();
    let mut pages = Pager::default();
    loop {
        let page = iam
            .list_users()
            .set_marker(pages.marker())
            .send()
            .await
            .map_err(sdk_error)?;
        out.extend(page.users().iter().map(|u| {
            iam_summary(
                PrincipalKindLabel::User,
                u.user_name(),
                u.arn(),
                u.user_id(),
            )
        }));
        if !pages.advance(page.is_truncated(), page.marker())? {
            return Ok(out);
        }
    }
}

/// Every IAM role of the account, all pages.
async fn iam_roles(iam: &aws_sdk_iam::Client) -> BackendResult<Vec<PrincipalSummary>> {
    let mut out = Vec::new();
    let mut pages = Pager::default();
    loop {
        let page = iam
            .list_roles()
            .set_marker(pages.marker())
            .send()
            .await
            .map_err(sdk_error)?;
        out.extend(page.roles().iter().map(|r| {
            iam_summary(
                PrincipalKindLabel::Role,
                r.role_name(),
                r.arn(),
                r.role_id(),
            )
        }));
        if !pages.advance(page.is_truncated(), page.marker())? {
            return Ok(out);
        }
    }
}

/// IAM's two listings of a principal's policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PolicyListing {
    /// ListAttachedUserPolicies / ListAttachedRolePolicies: managed policies.
    Attached,
    /// ListUserPolicies / ListRolePolicies: inline policies.
    Inline,
}

/// The names of a user's or role's attached (managed) or inline policies, all pages.
async fn policy_names(
    iam: &aws_sdk_iam::Client,
    kind: PrincipalKindLabel,
    name: &str,
    listing: PolicyListing,
) -> BackendResult<Vec<String>> {
    let mut out = Vec::new();
    let mut pages = Pager::default();
    loop {
        let (names, truncated, next) =
            policy_page(iam, kind, name, listing, pages.marker()).await?;
        out.extend(names);
        if !pages.advance(truncated, next.as_deref())? {
            return Ok(out);
        }
    }
}

/// One page of a policy listing: the names, whether more follow, the next marker.
async fn policy_page(
    iam: &aws_sdk_iam::Client,
    kind: PrincipalKindLabel,
    name: &str,
    listing: PolicyListing,
    marker: Option<String>,
) -> BackendResult<(Vec<String>, bool, Option<String>)> {
    let attached_names = |policies: &[aws_sdk_iam::types::AttachedPolicy]| -> Vec<String> {
        policies
            .iter()
            .filter_map(|p| p.policy_name().map(str::to_string))
            .collect()
    };
    let role = kind == PrincipalKindLabel::Role;
    Ok(match (listing, role) {
        (PolicyListing::Attached, true) => {
            let page = iam
                .list_attached_role_policies()
                .role_name(name)
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_error)?;
            (
                attached_names(page.attached_policies()),
                page.is_truncated(),
                page.marker().map(str::to_string),
            )
        }
        (PolicyListing::Attached, false) => {
            let page = iam
                .list_attached_user_policies()
                .user_name(name)
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_error)?;
            (
                attached_names(page.attached_policies()),
                page.is_truncated(),
                page.marker().map(str::to_string),
            )
        }
        (PolicyListing::Inline, true) => {
            let page = iam
                .list_role_policies()
                .role_name(name)
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_error)?;
            (
                page.policy_names().to_vec(),
                page.is_truncated(),
                page.marker().map(str::to_string),
            )
        }
        (PolicyListing::Inline, false) => {
            let page = iam
                .list_user_policies()
                .user_name(name)
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_error)?;
            (
                page.policy_names().to_vec(),
                page.is_truncated(),
                page.marker().map(str::to_string),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_policy_principals_are_found_and_stars_ignored() {
        let policy = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
            {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/app","*"],"Service":"logs.amazonaws.com"},"Action":"kms:Encrypt","Resource":"*"},
            {"Effect":"Allow","Principal":"*","Action":"kms:Describe*","Resource":"*"}]}"#;
        let mut found = policy_principals(policy);
        found.sort();
        assert_eq!(
            found,
            [
                "arn:aws:iam::111122223333:role/app",
                "arn:aws:iam::111122223333:root",
                "logs.amazonaws.com"
            ]
        );
        assert!(policy_principals("not json").is_empty());
    }

    #[test]
    fn principal_strings_are_classified() {
        assert_eq!(
            classify("arn:aws:iam::111122223333:user/bob"),
            (PrincipalKindLabel::User, "bob".into())
        );
        assert_eq!(
            classify("AIDAEXAMPLEEXAMPLE").0,
            PrincipalKindLabel::Deleted
        );
        assert_eq!(classify("ec2.amazonaws.com").0, PrincipalKindLabel::Service);
    }
}
