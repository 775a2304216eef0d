//! An AWS Organization in the simulated world: the management account, its member
//! accounts (every account of the world), the role that lets the management account into
//! each member, and the regions enabled for the accounts. `serve` answers Organizations
//! ListAccounts, Account ListRegions and STS AssumeRole from it (`wire::organizations`,
//! `wire::account`, `wire::sts`).
//!
//! Decisions where AWS is silent or the simulator simplifies:
//! - Every account of the world is a member; the management account is one of them.
//! - The access role: AWS documents that an account created in an organization gets
//!   `OrganizationAccountAccessRole`, "an IAM role that grants full administrator
//!   permissions in the member account" and "trusts the management account". A scenario
//!   that declares an organization gets that role (AdministratorAccess, named by
//!   `access_role`) in every member account that does not declare it itself.
//! - The simulator has no role trust policies: a role may be assumed by principals of its
//!   own account, and the access role also by principals of the management account
//!   (`may_assume`). With `external_id` set, assuming the access role requires it.
//! - Temporary credentials are stateless (`wire::sessions`): they are authenticated with
//!   `session_secret`, derived from the scenario, so several `serve` processes of one
//!   scenario accept each other's sessions. A simulator secret, not a real one.

use serde::{Deserialize, Serialize};

use crate::kms::AccountId;

use super::scenario::{Scenario, ScenarioError, AWS_MANAGED_POLICY_ARN};
use super::world::{PrincipalKind, World};

/// The role AWS Organizations creates in accounts it creates.
pub const DEFAULT_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

/// The organization as the world keeps it (snapshots included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// `o-` and 10 lowercase letters or digits.
    pub id: String,
    pub management_account: AccountId,
    pub access_role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The regions enabled for every account, in the order declared.
    pub enabled_regions: Vec<String>,
    #[serde(with = "super::world::b64")]
    pub session_secret: Vec<u8>,
}

impl Organization {
    /// The ARN of a member account, as Organizations names it.
    pub fn account_arn(&self, account: &AccountId) -> String {
        format!(
            "arn:aws:organizations::{}:account/{}/{account}",
            self.management_account, self.id
        )
    }

    /// May `caller_account` assume `role_name` in `target`? (Decision above.)
    pub fn may_assume(&self, caller_account: &AccountId, target: &AccountId, role: &str) -> bool {
        caller_account == target
            || (caller_account == &self.management_account && role == self.access_role)
    }
}

/// `[organization]` in a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSpec {
    pub management_account: String,
    #[serde(default)]
    pub access_role: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    /// Default: the scenario's region and every region the scenario puts a key in.
    #[serde(default)]
    pub enabled_regions: Vec<String>,
}

fn is_region_name(r: &str) -> bool {
    !r.is_empty()
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Scenario {
    /// The organization of `spec`, with the access role made in every member that lacks
    /// it. Called after the scenario's own principals are made.
    pub(super) fn build_organization(
        &self,
        spec: &OrganizationSpec,
        world: &mut World,
    ) -> Result<Organization, ScenarioError> {
        let field = |f: &str| format!("organization.{f}");
        let management = AccountId::parse(&spec.management_account)
            .filter(|id| world.account(id.as_str()).is_some())
            .ok_or_else(|| {
                self.error(
                    field("management_account"),
                    format!(
                        "{} is not one of the scenario's accounts",
                        spec.management_account
                    ),
                )
            })?;
        let access_role = spec
            .access_role
            .clone()
            .unwrap_or_else(|| DEFAULT_ACCESS_ROLE.to_string());
        let mut enabled_regions = spec.enabled_regions.clone();
        if enabled_regions.is_empty() {
            // Decision: an account has the regions it has keys in enabled (and the
            // scenario's), so `--regions all` reads every key a scenario declares.
            let mut with_keys: Vec<String> = self
                .keys
                .iter()
                .filter_map(|k| k.region.clone())
                .filter(|r| *r != world.region)
                .collect();
            with_keys.sort();
            with_keys.dedup();
            enabled_regions.push(world.region.clone());
            enabled_regions.extend(with_keys);
        }
        if let Some(bad) = enabled_regions
            .iter()
            .find(|r| !is_region_name(r) || !world.serves_region(r))
        {
            return Err(self.error(
                field("enabled_regions"),
                format!("{bad:?} is not a region this simulator serves (an AWS commercial Region or the scenario's)"),
            ));
        }
        let admin = super::scenario::managed_policy("AdministratorAccess")
            .ok_or_else(|| self.error(field("access_role"), "AdministratorAccess is not known"))?;
        let members: Vec<AccountId> = world.accounts.iter().map(|a| a.id.clone()).collect();
        for account in members.iter().filter(|a| **a != management) {
            let arn = format!("arn:aws:iam::{account}:role/{access_role}");
            if world.find_principal(&arn).is_ok() {
                continue;
            }
            let unique_id = self.derived_role_id(account, &access_role);
            world
                .create_principal(account, PrincipalKind::Role, &access_role, Some(unique_id))
                .map_err(|e| self.error(field("access_role"), e.message))?;
            world
                .attach_managed_policy(
                    &arn,
                    &format!("{AWS_MANAGED_POLICY_ARN}AdministratorAccess"),
                    admin,
                )
                .map_err(|e| self.error(field("access_role"), e.message))?;
        }
        let digest = self.digest("organization");
        const ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let id: String = digest[..10]
            .iter()
            .map(|b| ID_ALPHABET[(*b as usize) % ID_ALPHABET.len()] as char)
            .collect();
        Ok(Organization {
            id: format!("o-{id}"),
            management_account: management,
            access_role,
            external_id: spec.external_id.clone(),
            enabled_regions,
            session_secret: self.digest("organization:session-secret").to_vec(),
        })
    }

    /// The access role's unique id in `account`, the same on every build.
    fn derived_role_id(&self, account: &AccountId, role: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let d = self.digest(&format!("organization-role:{account}:{role}"));
        let suffix: String = d[..17]
            .iter()
            .map(|b| ALPHABET[(*b as usize) % 32] as char)
            .collect();
        format!("AROA{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(org: &str) -> Scenario {
        let text = format!(
            r#"
name = "org"
region = "eu-west-1"
[[accounts]]
id = "111111111111"
[[accounts]]
id = "222222222222"
[organization]
{org}
"#
        );
        toml::from_str(&text).expect("a scenario")
    }

    #[test]
    fn members_get_the_access_role_with_administrator_access() {
        let world = scenario("management_account = \"111111111111\"")
            .build()
            .expect("builds");
        let org = world.organization.as_ref().expect("an organization");
        assert_eq!(org.access_role, DEFAULT_ACCESS_ROLE);
        assert_eq!(org.enabled_regions, ["eu-west-1"]);
        assert!(org.id.starts_with("o-") && org.id.len() == 12, "{}", org.id);
        let role = world
            .find_principal("arn:aws:iam::222222222222:role/OrganizationAccountAccessRole")
            .expect("the access role in the member");
        assert!(role
            .policies
            .iter()
            .any(|p| p.name == "AdministratorAccess"));
        assert!(world
            .find_principal("arn:aws:iam::111111111111:role/OrganizationAccountAccessRole")
            .is_err());
    }

    #[test]
    fn enabled_regions_default_to_the_regions_with_keys() {
        let mut s = scenario("management_account = \"111111111111\"");
        let keys: Scenario = toml::from_str(
            r#"
name = "keys"
region = "eu-west-1"
accounts = []
[[keys]]
description = "a"
region = "us-east-1"
[[keys]]
description = "b"
region = "ap-south-1"
[[keys]]
description = "c"
region = "us-east-1"
[[keys]]
description = "d"
"#,
        )
        .expect("keys");
        s.keys = keys.keys;
        let world = s.build().expect("builds");
        let org = world.organization.as_ref().expect("an organization");
        assert_eq!(
            org.enabled_regions,
            ["eu-west-1", "ap-south-1", "us-east-1"]
        );
        let err =
            scenario("management_account = \"111111111111\"\nenabled_regions = [\"mars-north-1\"]")
                .build()
                .expect_err("refused");
        assert!(err.message.contains("mars-north-1"), "{err}");
    }

    #[test]
    fn a_management_account_outside_the_scenario_is_refused() {
        let err = scenario("management_account = \"333333333333\"")
            .build()
            .expect_err("refused");
        assert!(
            err.message.contains("organization.management_account"),
            "{err}"
        );
    }

    #[test]
    fn only_the_management_account_may_assume_the_access_role_across_accounts() {
        let world = scenario("management_account = \"111111111111\"")
            .build()
            .expect("builds");
        let org = world.organization.expect("an organization");
        let (a, b) = (
            AccountId::parse("111111111111").expect("id"),
            AccountId::parse("222222222222").expect("id"),
        );
        assert!(org.may_assume(&a, &b, DEFAULT_ACCESS_ROLE));
        assert!(!org.may_assume(&b, &a, DEFAULT_ACCESS_ROLE));
        assert!(!org.may_assume(&a, &b, "SomeOtherRole"));
        assert!(org.may_assume(&b, &b, "SomeOtherRole"));
    }
}
