//! `grantscope inventory --format scenario`: an account's keys (ids, aliases, state,
//! description, age), key policies, grants (ids, grantees, operations, constraints, names,
//! ages) and the principals they name, written as a scenario file
//! (`assets/scenarios/README.md`), so the same topology opens in the simulator
//! (`grantscope --scenario FILE`) for a rehearsal: revoke a grant there and test-use the key
//! as the grantee to see what would break, before doing it on AWS. `scenario_source.rs`
//! reads what this file writes.
//!
//! No key material and no secrets: the simulator makes new keys under the same ids, and
//! derives its own access keys. Decisions where the export cannot say everything:
//! - IAM identity policies: a principal of the account keeps the AWS managed policies the
//!   simulator knows (`AdministratorAccess`, `AWSKeyManagementServicePowerUser`) when the
//!   caller may list its attachments (ListAttachedUserPolicies / ListAttachedRolePolicies;
//!   AWS allows at most 20 managed policies per principal, so one page). Other managed
//!   policies and inline policy documents are not exported; the header names what is
//!   missing. The caller is exported too, so the rehearsal has its operator.
//! - A key policy the caller may not read gets the default key policy; the header names
//!   the keys. Keys whose grants could not be listed are exported without grants, named too.
//! - A grantee deleted from IAM (ListGrants shows its unique id) becomes a principal
//!   `deleted-<id>` marked `deleted`, so the grant shows the same unique id.
//! - A key in a state the simulator does not model (e.g. `Unavailable`) is exported
//!   `Enabled`, named in the header.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use serde::Serialize;

use crate::kms::ids::{is_iam_unique_id, Arn, PrincipalArn};
use crate::kms::inventory::{Inventory, KeyRead};
use crate::kms::KeyState;

/// Each key's policy by key ARN: the document, or why it could not be read.
pub type Policies = HashMap<String, Result<String, String>>;

/// What IAM said of the principals: the caller's ARN, and each principal's attached
/// managed policies (by kind and name: their ARNs, or why they could not be listed).
#[derive(Debug, Default)]
pub struct IamFacts {
    pub caller: Option<String>,
    pub attached: HashMap<(&'static str, String), Result<Vec<String>, String>>,
}

/// The AWS managed policies the simulator knows by name.
const KNOWN_MANAGED: [&str; 2] = ["AdministratorAccess", "AWSKeyManagementServicePowerUser"];

#[derive(Serialize)]
struct File {
    name: String,
    description: String,
    region: String,
    accounts: Vec<AccountOut>,
    principals: Vec<PrincipalOut>,
    keys: Vec<KeyOut>,
    grants: Vec<GrantOut>,
}

#[derive(Serialize)]
struct AccountOut {
    id: String,
}

#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct PrincipalOut {
    name: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    unique_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    managed_policies: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deleted: bool,
}

#[derive(Serialize)]
struct KeyOut {
    id: String,
    account: String,
    aliases: Vec<String>,
    description: String,
    state: KeyState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pending_window_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age: Option<String>,
}

#[derive(Serialize)]
struct ConstraintsOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    subset: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    equals: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_arn: Option<String>,
}

#[derive(Serialize)]
struct GrantOut {
    id: String,
    key: String,
    grantee: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    retiring: Option<String>,
    operations: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    constraints: Option<ConstraintsOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age: Option<String>,
}

/// An age for the scenario ("123456s"), from an epoch time before `now`.
fn age(now: f64, then: Option<f64>) -> Option<String> {
    then.map(|t| format!("{}s", (now - t).max(0.0).floor() as u64))
}

/// The IAM path of a user or role ARN (`/` when none).
fn path_of(arn: &str) -> Option<String> {
    let resource = Arn::parse(arn)?.resource;
    let rest = resource.split_once('/')?.1;
    rest.rsplit_once('/').map(|(p, _)| format!("/{p}/"))
}

/// Collects the principals grants name, and says how a grant names each.
#[derive(Default)]
struct Principals {
    out: BTreeMap<(String, String, &'static str), PrincipalOut>,
    accounts: BTreeSet<String>,
}

impl Principals {
    /// The principal string for a grant in the scenario; adds what it names.
    fn name(&mut self, account: &str, p: &str) -> String {
        if is_iam_unique_id(p) {
            let kind = if p.starts_with("AROA") {
                "role"
            } else {
                "user"
            };
            let name = format!("deleted-{}", p.to_ascii_lowercase());
            self.out
                .entry((account.to_string(), name.clone(), kind))
                .or_insert_with(|| PrincipalOut {
                    name: name.clone(),
                    kind,
                    path: None,
                    account: account.to_string(),
                    unique_id: Some(p.to_string()),
                    managed_policies: vec![],
                    deleted: true,
                });
            return name;
        }
        let (acct, name, kind, path) = match PrincipalArn::parse(p) {
            Some(PrincipalArn::User { account, name }) => (account, name, "user", path_of(p)),
            Some(PrincipalArn::Role { account, name }) => (account, name, "role", path_of(p)),
            Some(PrincipalArn::AssumedRole { account, role, .. }) => (account, role, "role", None),
            Some(PrincipalArn::Root { account }) => {
                self.accounts.insert(account);
                return p.to_string();
            }
            _ => return p.to_string(),
        };
        self.accounts.insert(acct.clone());
        self.out
            .entry((acct.clone(), name.clone(), kind))
            .or_insert(PrincipalOut {
                name,
                kind,
                path: path.filter(|p| p != "/"),
                account: acct,
                unique_id: None,
                managed_policies: vec![],
                deleted: false,
            });
        p.to_string()
    }
}

/// The users and roles of `inv`'s account that grants name (and the caller): kind and name,
/// for the IAM look-ups `IamFacts` holds.
pub fn named_principals(inv: &Inventory, caller: Option<&str>) -> Vec<(&'static str, String)> {
    let mut people = Principals::default();
    collect(inv, caller, &mut people);
    people
        .out
        .into_values()
        .filter(|p| !p.deleted && p.account == inv.account)
        .map(|p| (p.kind, p.name))
        .collect()
}

fn collect(inv: &Inventory, caller: Option<&str>, people: &mut Principals) {
    for k in &inv.keys {
        let account = k.arn.split(':').nth(4).unwrap_or(&inv.account).to_string();
        for g in &k.grants {
            people.name(&account, g.entry.grantee());
            if let Some(r) = g.entry.retiring() {
                people.name(&account, r);
            }
        }
    }
    if let Some(c) = caller {
        people.name(&inv.account, c);
    }
}

/// The scenario file for `inv`, with the key policies read (`policies`) and what IAM said.
pub fn render(inv: &Inventory, policies: &Policies, iam: &IamFacts) -> anyhow::Result<String> {
    let mut people = Principals::default();
    people.accounts.insert(inv.account.clone());
    collect(inv, iam.caller.as_deref(), &mut people);
    let mut keys = Vec::new();
    let mut grants = Vec::new();
    let mut notes = Vec::new();
    for k in &inv.keys {
        let account = k.arn.split(':').nth(4).unwrap_or(&inv.account).to_string();
        people.accounts.insert(account.clone());
        let modelled = matches!(
            k.state,
            KeyState::Enabled | KeyState::Disabled | KeyState::PendingDeletion
        );
        if !modelled {
            notes.push(format!(
                "key {} is {} on AWS, Enabled here",
                k.key_id, k.state
            ));
        }
        let policy = match policies.get(&k.arn) {
            Some(Ok(p)) => Some(p.clone()),
            Some(Err(e)) => {
                notes.push(format!(
                    "key {}: policy not readable ({e}); default key policy here",
                    k.key_id
                ));
                None
            }
            None => None,
        };
        if k.unreadable
            .iter()
            .any(|u| u.operation == KeyRead::ListGrants)
        {
            notes.push(format!(
                "key {}: grants not listable; none exported",
                k.key_id
            ));
        }
        let state = if modelled { k.state } else { KeyState::Enabled };
        keys.push(KeyOut {
            id: k.key_id.clone(),
            account: account.clone(),
            aliases: k.aliases.clone(),
            description: k.description.clone(),
            state,
            pending_window_days: (state == KeyState::PendingDeletion).then_some(30),
            policy,
            age: age(inv.generated_at, k.creation_date),
        });
        for g in &k.grants {
            let e = &g.entry;
            let constraints =
                e.constraints
                    .as_ref()
                    .filter(|c| !c.is_empty())
                    .map(|c| ConstraintsOut {
                        subset: c
                            .encryption_context_subset
                            .clone()
                            .map(|m| m.into_iter().collect()),
                        equals: c
                            .encryption_context_equals
                            .clone()
                            .map(|m| m.into_iter().collect()),
                        source_arn: c.source_arn.clone(),
                    });
            grants.push(GrantOut {
                id: e.grant_id.clone(),
                key: k.key_id.clone(),
                grantee: people.name(&account, e.grantee()),
                retiring: e.retiring().map(|r| people.name(&account, r)),
                operations: e.operations.iter().map(|o| o.as_str()).collect(),
                name: Some(e.name.clone()).filter(|n| !n.is_empty()),
                constraints,
                age: age(inv.generated_at, e.creation_date),
            });
        }
    }
    for p in people.out.values_mut().filter(|p| !p.deleted) {
        match iam.attached.get(&(p.kind, p.name.clone())) {
            Some(Ok(arns)) => {
                for arn in arns {
                    let name = arn.rsplit('/').next().unwrap_or(arn);
                    let aws_managed = arn.starts_with("arn:aws:iam::aws:policy/");
                    if aws_managed && KNOWN_MANAGED.contains(&name) {
                        p.managed_policies.push(name.to_string());
                    } else {
                        notes.push(format!("policy {arn} attached to {} {}", p.kind, p.name));
                    }
                }
            }
            Some(Err(e)) => notes.push(format!(
                "the managed policies of {} {} (not listable: {e})",
                p.kind, p.name
            )),
            None => {}
        }
    }
    let file = File {
        name: format!("exported-{}-{}", inv.account, inv.region),
        description: format!(
            "Keys, key policies, grants and the principals they name, exported from {} account {} in {}.",
            inv.backend, inv.account, inv.region
        ),
        region: inv.region.clone(),
        accounts: std::iter::once(inv.account.clone())
            .chain(people.accounts.iter().filter(|a| **a != inv.account).cloned())
            .map(|id| AccountOut { id })
            .collect(),
        principals: people.out.into_values().collect(),
        keys,
        grants,
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# A grantscope scenario exported from {} account {} in {} (`grantscope inventory --format scenario`).",
        inv.backend, inv.account, inv.region
    );
    out.push_str("# Open it with `grantscope --scenario FILE` to rehearse: revoke a grant, then test-use the key as the grantee.\n");
    out.push_str("# No key material and no secrets: the simulator makes new keys under the same ids and its own access keys.\n");
    out.push_str("# Not exported: inline IAM policies and customer managed policies (grantscope does not read IAM policy documents).\n");
    for n in &notes {
        let _ = writeln!(out, "# Not exported: {n}.");
    }
    out.push('\n');
    out.push_str(&toml::to_string(&file)?);
    Ok(out)
}
