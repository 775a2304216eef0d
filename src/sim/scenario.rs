//! Scenarios: worlds described in TOML (or JSON) data files under `assets/scenarios/`,
//! loaded by name (the bundled ones) or by path. The schema is documented in
//! `assets/scenarios/README.md`; a bad file gets an error naming the file and the field.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::kms::policy::PolicyDocument;
use crate::kms::{AccountId, GrantConstraints, GrantId, KeyManager, KeySpec, KeyState, KeyUsage};

pub use crate::kms::time::parse_duration;
use crate::kms::time::{checked_earlier, later_saturating};

use super::clock::Clock;
use super::grants::{parse_operations, principal_ref};
use super::world::{AccessKey, Account, Alias, Grant, Key, PrincipalKind, World};

/// The scenarios shipped inside the binary.
const BUILTIN: &[(&str, &str)] = &[
    (
        "classroom",
        include_str!("../../assets/scenarios/classroom.toml"),
    ),
    (
        "stale-grants",
        include_str!("../../assets/scenarios/stale-grants.toml"),
    ),
];

/// A scenario that could not be loaded: which file, and what is wrong (with the field).
#[derive(Debug, thiserror::Error)]
#[error("scenario {file}: {message}")]
pub struct ScenarioError {
    pub file: String,
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub region: String,
    /// How long grant changes take to propagate, e.g. "5s" (default: none).
    #[serde(default)]
    pub propagation_delay: Option<String>,
    pub accounts: Vec<AccountSpec>,
    #[serde(default)]
    pub principals: Vec<PrincipalSpec>,
    #[serde(default)]
    pub keys: Vec<KeySpecEntry>,
    #[serde(default)]
    pub grants: Vec<GrantSpec>,
    /// Services whose AWS managed keys (`alias/aws/SERVICE`) exist in the first account
    /// (`managed_keys.rs`).
    #[serde(default)]
    pub aws_managed_keys: Vec<String>,
    /// `[organization]`: the accounts as an AWS Organization (`organization.rs`).
    #[serde(default)]
    pub organization: Option<super::organization::OrganizationSpec>,
    /// Where it was loaded from (for messages).
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    pub name: String,
    /// The policy JSON.
    pub document: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrincipalSpec {
    pub name: String,
    #[serde(default = "default_kind")]
    pub kind: PrincipalKind,
    /// The IAM path (`/service-role/`; default `/`): the ARN carries it, as
    /// `arn:aws:iam::ACCOUNT:role/service-role/NAME`.
    #[serde(default)]
    pub path: Option<String>,
    /// Defaults to the first account.
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub unique_id: Option<String>,
    #[serde(default)]
    pub access_key_id: Option<String>,
    #[serde(default)]
    pub secret_access_key: Option<String>,
    /// Names of AWS managed policies to attach (`AdministratorAccess`).
    #[serde(default)]
    pub managed_policies: Vec<String>,
    #[serde(default)]
    pub policies: Vec<PolicySpec>,
    /// Deleted after the grants are created: its grants then name its unique id.
    #[serde(default)]
    pub deleted: bool,
}

fn default_kind() -> PrincipalKind {
    PrincipalKind::User
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpecEntry {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub spec: Option<KeySpec>,
    #[serde(default)]
    pub usage: Option<KeyUsage>,
    #[serde(default)]
    pub state: Option<KeyState>,
    /// For `PendingDeletion`: days until deletion (7-30, default 30).
    #[serde(default)]
    pub pending_window_days: Option<u32>,
    /// Key policy JSON (default: the default key policy).
    #[serde(default)]
    pub policy: Option<String>,
    /// How long ago the key was created, e.g. "400d".
    #[serde(default)]
    pub age: Option<String>,
    #[serde(default)]
    pub manager: Option<KeyManager>,
    // Issue #15 part C: regions.
    /// The region the key (and its aliases) is in; default: the scenario's `region`.
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstraintSpec {
    #[serde(default)]
    pub subset: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub equals: Option<BTreeMap<String, String>>,
    /// The AWS resource on whose behalf alone the grant may be used.
    #[serde(default)]
    pub source_arn: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantSpec {
    /// Key id, key ARN or alias name.
    pub key: String,
    /// Principal ARN, service principal, or the name of a principal of the scenario.
    pub grantee: String,
    /// The grantee is a service principal named as `GranteeServicePrincipal` (the grant
    /// then needs `constraints.source_arn` and a retiring principal, as CreateGrant asks).
    #[serde(default)]
    pub service_principal: bool,
    #[serde(default)]
    pub retiring: Option<String>,
    pub operations: Vec<crate::kms::OperationInput>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub constraints: Option<ConstraintSpec>,
    /// How long ago it was created, e.g. "200d" (default: just now).
    #[serde(default)]
    pub age: Option<String>,
    /// How long ago the grantee last used it, e.g. "2d" (default: never).
    #[serde(default)]
    pub last_used: Option<String>,
    /// A fixed grant id (64 hex).
    #[serde(default)]
    pub id: Option<String>,
    /// Create this many such grants; `{n}` in the name and constraint values becomes 1..=count.
    #[serde(default)]
    pub count: Option<u32>,
    /// Who created it (for explanations; default: the key account's root).
    #[serde(default)]
    pub created_by: Option<String>,
}

/// Where AWS's own managed policies live: `arn:aws:iam::aws:policy/AdministratorAccess`.
pub(super) const AWS_MANAGED_POLICY_ARN: &str = "arn:aws:iam::aws:policy/";

/// AWS managed policies the scenarios may attach by name (both at path `/`).
pub(super) fn managed_policy(name: &str) -> Option<&'static str> {
    match name {
        "AdministratorAccess" => Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        ),
        "AWSKeyManagementServicePowerUser" => Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:CreateAlias","kms:CreateKey","kms:DeleteAlias","kms:Describe*","kms:GenerateRandom","kms:Get*","kms:List*","kms:TagResource","kms:UntagResource","iam:ListGroups","iam:ListRoles","iam:ListUsers"],"Resource":"*"}]}"#,
        ),
        _ => None,
    }
}

impl Scenario {
    /// The names of the bundled scenarios.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// Load a bundled scenario by name, or a file by path.
    pub fn load(name_or_path: &str) -> Result<Self, ScenarioError> {
        if let Some((name, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return Self::parse(text, &format!("assets/scenarios/{name}.toml"), true);
        }
        let path = PathBuf::from(name_or_path);
        if !path.exists() {
            return Err(ScenarioError {
                file: name_or_path.to_string(),
                message: format!(
                    "no such file, and not a bundled scenario (bundled: {})",
                    Self::builtin_names().join(", ")
                ),
            });
        }
        Self::from_file(&path)
    }

    pub fn from_file(path: &Path) -> Result<Self, ScenarioError> {
        let file = path.display().to_string();
        let text = crate::files::read_regular(path).map_err(|e| ScenarioError {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let toml = path.extension().is_none_or(|e| e != "json");
        Self::parse(&text, &file, toml)
    }

    /// Parse scenario text (TOML, or JSON when `toml` is false).
    pub fn parse(text: &str, file: &str, toml: bool) -> Result<Self, ScenarioError> {
        let err = |message: String| ScenarioError {
            file: file.to_string(),
            message,
        };
        let mut s: Scenario = if toml {
            // Where and what was expected, never the failing line: a lesson may name any
            // file on the machine as its scenario.
            toml::from_str(text).map_err(|e| {
                err(format!(
                    "not a scenario (TOML): {}",
                    crate::files::toml_error_at(&e, text)
                ))
            })?
        } else {
            let de = &mut serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                // serde_json ends its message with the position; say it once, up front.
                let inner = e.inner();
                let at = format!(" at line {} column {}", inner.line(), inner.column());
                let text = inner.to_string();
                let what = text.strip_suffix(&at).unwrap_or(&text);
                err(format!(
                    "field {} (line {}, column {}): {what}",
                    e.path(),
                    inner.line(),
                    inner.column()
                ))
            })?
        };
        s.source = file.to_string();
        Ok(s)
    }

    pub(super) fn error(&self, field: String, message: impl std::fmt::Display) -> ScenarioError {
        ScenarioError {
            file: self.source.clone(),
            message: format!("{field}: {message}"),
        }
    }

    /// Build the world this scenario describes, on a system clock.
    pub fn build(&self) -> Result<World, ScenarioError> {
        self.build_with_clock(Clock::default())
    }

    /// Build the world with the given clock (ages count back from its `now`).
    pub fn build_with_clock(&self, clock: Clock) -> Result<World, ScenarioError> {
        let mut accounts = Vec::new();
        for (i, a) in self.accounts.iter().enumerate() {
            let id = AccountId::parse(&a.id)
                .ok_or_else(|| self.error(format!("accounts[{i}].id"), "must be 12 digits"))?;
            accounts.push(Account {
                id,
                name: a.name.clone(),
            });
        }
        if accounts.is_empty() {
            return Err(self.error("accounts".into(), "at least one account is needed"));
        }
        if self.region.is_empty()
            || !self
                .region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(self.error(
                "region".into(),
                format!("{:?} is not a region name", self.region),
            ));
        }
        let mut world = World::new(&self.region, accounts);
        world.clock = clock;
        if let Some(d) = &self.propagation_delay {
            world.propagation_delay =
                parse_duration(d).map_err(|e| self.error("propagation_delay".into(), e))?;
        }
        let now = world.now();
        let home = world.accounts[0].id.clone();
        let account_of = |field: String, a: &Option<String>| -> Result<AccountId, ScenarioError> {
            match a {
                None => Ok(home.clone()),
                Some(a) => AccountId::parse(a)
                    .filter(|id| self.accounts.iter().any(|x| x.id == id.as_str()))
                    .ok_or_else(|| {
                        self.error(field, format!("{a} is not one of the scenario's accounts"))
                    }),
            }
        };

        for (i, p) in self.principals.iter().enumerate() {
            let field = |f: &str| format!("principals[{i}].{f}");
            let account = account_of(field("account"), &p.account)?;
            if let Some(path) = &p.path {
                if !super::principals::is_valid_iam_path(path) {
                    return Err(self.error(
                        field("path"),
                        format!("{path:?} is not an IAM path: it starts and ends with / (\"/service-role/\")"),
                    ));
                }
            }
            let created = world
                .create_principal_at(
                    &account,
                    p.kind,
                    p.path.as_deref().unwrap_or("/"),
                    &p.name,
                    Some(
                        p.unique_id
                            .clone()
                            .unwrap_or_else(|| self.derived_unique_id(&account, p)),
                    ),
                )
                .map_err(|e| self.error(field("name"), e.message))?;
            let arn = created.arn.clone();
            match (&p.access_key_id, &p.secret_access_key) {
                (Some(id), Some(secret)) => {
                    world
                        .add_access_key(
                            &arn,
                            Some(AccessKey {
                                access_key_id: id.clone(),
                                secret_access_key: secret.clone(),
                            }),
                        )
                        .map_err(|e| self.error(field("access_key_id"), e.message))?;
                }
                (None, None) => {
                    // Derived, not random: `grantscope credentials` and `grantscope serve`
                    // then agree on every principal's keys without sharing a file.
                    let key = derived_access_key(&self.name, &arn);
                    world
                        .add_access_key(&arn, Some(key))
                        .map_err(|e| self.error(field("name"), e.message))?;
                }
                _ => {
                    return Err(self.error(
                        field("secret_access_key"),
                        "access_key_id and secret_access_key go together",
                    ))
                }
            }
            for (j, m) in p.managed_policies.iter().enumerate() {
                let doc = managed_policy(m).ok_or_else(|| {
                    self.error(
                        format!("principals[{i}].managed_policies[{j}]"),
                        format!("unknown managed policy {m}"),
                    )
                })?;
                world
                    .attach_managed_policy(&arn, &format!("{AWS_MANAGED_POLICY_ARN}{m}"), doc)
                    .map_err(|e| self.error(field("managed_policies"), e.message))?;
            }
            for (j, pol) in p.policies.iter().enumerate() {
                world
                    .put_identity_policy(&arn, &pol.name, &pol.document)
                    .map_err(|e| {
                        self.error(format!("principals[{i}].policies[{j}].document"), e.message)
                    })?;
            }
        }

        if let Some(spec) = &self.organization {
            world.organization = Some(self.build_organization(spec, &mut world)?);
        }

        let mut default_policies: HashMap<AccountId, String> = HashMap::new();
        for (i, k) in self.keys.iter().enumerate() {
            let field = |f: &str| format!("keys[{i}].{f}");
            let account = account_of(field("account"), &k.account)?;
            let region = k.region.clone().unwrap_or_else(|| world.region.clone());
            if !world.serves_region(&region) {
                return Err(self.error(
                    field("region"),
                    format!(
                        "{region:?} is not an AWS commercial Region (nor the scenario's region)"
                    ),
                ));
            }
            let id = match &k.id {
                // Decision: multi-Region keys are made by CreateKey and ReplicateKey, not by
                // scenarios (a scenario key is one single-Region key).
                Some(id) if crate::kms::ids::is_multi_region_key_id(id) => {
                    return Err(self.error(
                        field("id"),
                        format!(
                        "{id:?} is a multi-Region key id; scenario keys are single-Region (a UUID)"
                    ),
                    ))
                }
                Some(id) if crate::kms::ids::is_key_id(id) => id.clone(),
                Some(id) => {
                    return Err(self.error(field("id"), format!("{id:?} is not a key id (a UUID)")))
                }
                None => self.derived_key_id(i),
            };
            if world.keys.contains_key(&id) {
                return Err(self.error(field("id"), format!("key {id} is declared twice")));
            }
            let spec = k.spec.unwrap_or(KeySpec::SymmetricDefault);
            let usage = k.usage.unwrap_or(spec.default_usage());
            if !spec.allowed_usages().contains(&usage) {
                return Err(self.error(field("usage"), format!("{usage} does not go with {spec}")));
            }
            // A policy given by the scenario is checked here; the default one (built once
            // per account) is known to be good. `rebuild_indexes` parses each distinct text
            // once for the keys that share it.
            let policy = match &k.policy {
                Some(p) => {
                    PolicyDocument::parse(p).map_err(|e| self.error(field("policy"), e.message))?;
                    p.clone()
                }
                // An AWS managed key named by its alias gets AWS's policy for it.
                None if k.manager == Some(KeyManager::Aws) => {
                    match k
                        .aliases
                        .iter()
                        .find_map(|a| super::managed_keys::service_of_alias(a))
                    {
                        Some(service) => super::managed_keys::default_policy(
                            account.as_str(),
                            &self.region,
                            service,
                        ),
                        None => PolicyDocument::default_key_policy_json(account.as_str()),
                    }
                }
                None => default_policies
                    .entry(account.clone())
                    .or_insert_with(|| PolicyDocument::default_key_policy_json(account.as_str()))
                    .clone(),
            };
            let age = match &k.age {
                Some(a) => parse_duration(a).map_err(|e| self.error(field("age"), e))?,
                None => std::time::Duration::ZERO,
            };
            let created = checked_earlier(now, age).ok_or_else(|| {
                self.error(
                    field("age"),
                    "reaches before the earliest date grantscope holds",
                )
            })?;
            let state = k.state.unwrap_or(KeyState::Enabled);
            let (deletion_date, window) = match state {
                KeyState::Enabled | KeyState::Disabled => (None, None),
                KeyState::PendingDeletion => {
                    let days = k.pending_window_days.unwrap_or(30);
                    if !(7..=30).contains(&days) {
                        return Err(self.error(field("pending_window_days"), "must be 7 to 30"));
                    }
                    (
                        Some(later_saturating(
                            now,
                            std::time::Duration::from_secs(u64::from(days) * 86_400),
                        )),
                        Some(days),
                    )
                }
                other => {
                    return Err(self.error(
                        field("state"),
                        format!("{other} is not a state a scenario can start in"),
                    ))
                }
            };
            if let Some(d) = deletion_date {
                world.idx.deletion_queue.insert((d, id.clone()));
            }
            world.keys.insert(
                id.clone(),
                Key {
                    id: id.clone(),
                    arn: crate::kms::ids::key_arn(&region, &account, &id),
                    account: account.clone(),
                    description: k.description.clone(),
                    spec,
                    usage,
                    state,
                    manager: k.manager.unwrap_or(KeyManager::Customer),
                    created,
                    deletion_date,
                    pending_window_days: window,
                    policy,
                    parsed_policy: None,
                    // RSA keys get their material on first use (`asymmetric::
                    // ensure_material`): generating hundreds of RSA 4096 keys would make a
                    // scenario slow to load. Every other spec is generated here (fast).
                    material: if spec.is_rsa() {
                        Vec::new()
                    } else {
                        super::key_material::generate(spec).map_err(|e| {
                            self.error(
                                field("spec"),
                                format!("{spec} keys cannot be made here: {e:?}"),
                            )
                        })?
                    },
                    tags: BTreeMap::new(),
                    // AWS rotates its managed keys yearly.
                    rotation: if k.manager == Some(KeyManager::Aws) {
                        super::rotation::Rotation::aws_managed(created)
                    } else {
                        Default::default()
                    },
                    imported: None,
                    multi_region: None,
                    transition: None,
                },
            );
            for (j, alias) in k.aliases.iter().enumerate() {
                if !crate::kms::ids::is_valid_alias_name(alias) {
                    return Err(self.error(
                        format!("keys[{i}].aliases[{j}]"),
                        format!("{alias:?} is not an alias name (alias/NAME)"),
                    ));
                }
                let slot = world.alias_slot_in(&region, account.as_str(), alias);
                if world.aliases.contains_key(&slot) {
                    return Err(self.error(
                        format!("keys[{i}].aliases[{j}]"),
                        format!("{alias} is used twice"),
                    ));
                }
                world.aliases.insert(
                    slot,
                    Alias {
                        name: alias.clone(),
                        account: account.clone(),
                        target_key_id: id.clone(),
                        created,
                        updated: created,
                    },
                );
            }
        }
        for (i, service) in self.aws_managed_keys.iter().enumerate() {
            let alias = format!("alias/aws/{service}");
            if super::managed_keys::service_of_alias(&alias).is_none() {
                return Err(self.error(
                    format!("aws_managed_keys[{i}]"),
                    format!("{service:?} is not a service name (s3, ebs, secretsmanager...)"),
                ));
            }
            let home = world.accounts[0].id.clone();
            let id = self.derived_key_id(self.keys.len() + i);
            let now = world.now();
            world.ensure_aws_managed_key(&home, service, Some(id), now);
        }
        world.rebuild_indexes();

        // Room for every grant at once: growing the map by rehashing moves each grant
        // several times (a quarter of a large world's load time).
        let total: usize = self
            .grants
            .iter()
            .map(|g| {
                g.count
                    .unwrap_or(1)
                    .min(super::grants::MAX_GRANTS_PER_KEY as u32) as usize
            })
            .sum();
        world.grants.reserve(total);
        for (i, g) in self.grants.iter().enumerate() {
            self.add_grants(&mut world, i, g)?;
        }

        for p in self.principals.iter().filter(|p| p.deleted) {
            let account = account_of("principals".into(), &p.account)?;
            let arn = format!(
                "arn:aws:iam::{account}:{}{}{}",
                p.kind.as_str(),
                p.path.as_deref().unwrap_or("/"),
                p.name
            );
            world
                .delete_principal(&arn)
                .map_err(|e| self.error(format!("principals ({})", p.name), e.message))?;
        }
        Ok(world)
    }

    fn add_grants(&self, world: &mut World, i: usize, g: &GrantSpec) -> Result<(), ScenarioError> {
        let field = |f: &str| format!("grants[{i}].{f}");
        let home = world.accounts[0].id.clone();
        let key_id = self.resolve_key(world, &g.key).ok_or_else(|| {
            self.error(field("key"), format!("no key {:?} in the scenario", g.key))
        })?;
        let (key_account, spec, usage) = {
            let k = &world.keys[&key_id];
            (k.account.clone(), k.spec, k.usage)
        };
        let operations = parse_operations(&g.operations)
            .map_err(|e| self.error(field("operations"), e.message))?;
        if let Some(bad) = operations.iter().find(|o| !o.valid_for(spec, usage)) {
            return Err(self.error(
                field("operations"),
                format!("{bad} is not valid for a {spec} key"),
            ));
        }
        let resolve = |who: &str, f: &str| {
            let arn = self.principal_arn(world, who, &home);
            principal_ref(world, &arn).map_err(|e| self.error(field(f), e.message))
        };
        let grantee = if g.service_principal {
            if !crate::kms::ids::is_service_principal(&g.grantee) {
                return Err(self.error(
                    field("grantee"),
                    "with service_principal = true, the grantee must be a service principal such as ec2.amazonaws.com",
                ));
            }
            if g.constraints
                .as_ref()
                .and_then(|c| c.source_arn.as_ref())
                .is_none()
            {
                return Err(self.error(
                    field("constraints.source_arn"),
                    "a grant to a service principal needs a source_arn constraint",
                ));
            }
            if g.retiring.is_none() {
                return Err(self.error(
                    field("retiring"),
                    "a grant to a service principal needs a retiring principal",
                ));
            }
            super::world::PrincipalRef::Service {
                name: g.grantee.clone(),
            }
        } else {
            resolve(&g.grantee, "grantee")?
        };
        let retiring = match &g.retiring {
            Some(r) => Some(resolve(r, "retiring")?),
            None => None,
        };
        let age = match &g.age {
            Some(a) => parse_duration(a).map_err(|e| self.error(field("age"), e))?,
            None => std::time::Duration::ZERO,
        };
        let last_used = match &g.last_used {
            Some(a) => Some(parse_duration(a).map_err(|e| self.error(field("last_used"), e))?),
            None => None,
        };
        if last_used.is_some_and(|u| u > age) {
            return Err(self.error(
                field("last_used"),
                "a grant cannot be used before it was created",
            ));
        }
        let count = g.count.unwrap_or(1);
        if count == 0 || count as usize > super::grants::MAX_GRANTS_PER_KEY {
            return Err(self.error(field("count"), "must be 1 to 50000"));
        }
        if count > 1 && g.id.is_some() {
            return Err(self.error(field("id"), "a fixed id cannot be used with count"));
        }
        let now = world.now();
        let before = |d: std::time::Duration, f: &str| {
            checked_earlier(now, d).ok_or_else(|| {
                self.error(
                    field(f),
                    "reaches before the earliest date grantscope holds",
                )
            })
        };
        let created = before(age, "age")?;
        let last_used = last_used.map(|u| before(u, "last_used")).transpose()?;
        let fill = |s: &str, n: u32| s.replace("{n}", &n.to_string());
        let created_by = g
            .created_by
            .clone()
            .unwrap_or_else(|| key_account.root_arn());
        for n in 1..=count {
            let name = g.name.as_ref().map(|s| fill(s, n));
            if let Some(name) = &name {
                if !crate::kms::grant::is_valid_grant_name(name) {
                    return Err(
                        self.error(field("name"), format!("{name:?} is not a valid grant name"))
                    );
                }
            }
            let constraints = g.constraints.as_ref().map(|c| {
                let map = |m: &Option<BTreeMap<String, String>>| {
                    m.as_ref()
                        .map(|m| m.iter().map(|(k, v)| (k.clone(), fill(v, n))).collect())
                };
                GrantConstraints {
                    encryption_context_subset: map(&c.subset),
                    encryption_context_equals: map(&c.equals),
                    source_arn: c.source_arn.clone(),
                }
            });
            let id = match &g.id {
                Some(id) => GrantId::parse(id)
                    .ok_or_else(|| self.error(field("id"), "must be 64 hex characters"))?,
                None => self.derived_grant_id(i, n),
            };
            if world.grants.contains_key(&id) {
                return Err(self.error(field("id"), format!("grant {id} is declared twice")));
            }
            if world.listed_grant_count(&key_id) >= super::grants::MAX_GRANTS_PER_KEY {
                return Err(self.error(field("count"), "the key would hold more than 50000 grants"));
            }
            let seq = world.next_grant_seq;
            world.next_grant_seq += 1;
            world.insert_grant(Grant {
                id,
                key_id: key_id.clone(),
                seq,
                name,
                created,
                effective_at: later_saturating(created, world.propagation_delay),
                grantee: grantee.clone(),
                retiring: retiring.clone(),
                issuing_account: key_account.clone(),
                operations: operations.clone(),
                constraints,
                created_by: created_by.clone(),
                last_used,
                use_count: u64::from(last_used.is_some()),
                removal: None,
            });
        }
        Ok(())
    }

    /// Ids a scenario leaves out are derived from the scenario and the entry, so the same
    /// scenario always builds the same world (in-process and behind `grantscope serve`).
    pub(super) fn digest(&self, what: &str) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        Sha256::new()
            .chain_update("grantscope:")
            .chain_update(self.name.as_bytes())
            .chain_update(":")
            .chain_update(what.as_bytes())
            .finalize()
            .into()
    }

    pub(super) fn derived_unique_id(&self, account: &AccountId, p: &PrincipalSpec) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let d = self.digest(&format!(
            "principal:{account}:{}:{}",
            p.kind.as_str(),
            p.name
        ));
        let suffix: String = d[..17]
            .iter()
            .map(|b| ALPHABET[(*b as usize) % 32] as char)
            .collect();
        let prefix = match p.kind {
            PrincipalKind::User => "AIDA",
            PrincipalKind::Role => "AROA",
        };
        format!("{prefix}{suffix}")
    }

    fn derived_key_id(&self, index: usize) -> String {
        let d = self.digest(&format!("key:{index}"));
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&d[..16]);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    fn derived_grant_id(&self, index: usize, n: u32) -> GrantId {
        GrantId::from_bytes(&self.digest(&format!("grant:{index}:{n}")))
    }

    /// A grant's `key`: a key id, key ARN, alias name (the home account's first, in the
    /// scenario's region) or alias ARN (in its region), looked up by index (never a scan of every key or alias: a scenario of 100k
    /// keys resolves each grant in constant time).
    fn resolve_key(&self, world: &World, key: &str) -> Option<String> {
        if world.keys.contains_key(key) {
            return Some(key.to_string());
        }
        let by_slot = |region: &str, account: &str, name: &str| {
            world
                .aliases
                .get(&world.alias_slot_in(region, account, name))
                .map(|a| a.target_key_id.clone())
        };
        match crate::kms::KeyRef::parse(key) {
            crate::kms::KeyRef::KeyArn { key_id, .. } => world
                .keys
                .get(&key_id)
                .filter(|k| k.arn == key)
                .map(|k| k.id.clone()),
            crate::kms::KeyRef::AliasArn {
                account,
                alias_name,
                region,
                ..
            } => by_slot(&region, &account, &alias_name),
            crate::kms::KeyRef::AliasName(name) => world
                .accounts
                .iter()
                .find_map(|a| by_slot(&world.region, a.id.as_str(), &name)),
            _ => None,
        }
    }

    /// A principal given by name resolves to its ARN; anything else is taken as written.
    fn principal_arn(&self, world: &World, who: &str, _home: &AccountId) -> String {
        if who.contains(':') || who.ends_with(".amazonaws.com") {
            return who.to_string();
        }
        world
            .find_principal(who)
            .map(|p| p.arn.clone())
            .unwrap_or_else(|_| who.to_string())
    }
}

/// A stable access key for a scenario principal declared without one. Scenario keys are
/// classroom credentials for a local simulator, not secrets.
fn derived_access_key(scenario: &str, arn: &str) -> AccessKey {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("grantscope:{scenario}:{arn}").as_bytes());
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let id: String = digest[..16]
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    let secret = base64::engine::general_purpose::STANDARD.encode(&digest[2..32]);
    AccessKey {
        access_key_id: format!("AKIA{id}"),
        secret_access_key: secret,
    }
}
