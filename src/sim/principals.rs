//! IAM in the simulator: users and roles with unique ids, identity policies and access
//! keys; deleting and re-creating principals; and resolving who a caller is.

use std::sync::Arc;

use rand::Rng;

use crate::kms::ids::PrincipalArn;
use crate::kms::policy::PolicyDocument;
use crate::kms::{AccountId, ErrorCode, KmsError, KmsResult};

use super::world::{AccessKey, DeletedPrincipal, IdentityPolicy, Principal, PrincipalKind, World};

/// Who is calling: a principal ARN (user, role, role session, account root), the bare
/// name of a user or role in the world, or a service principal (`ec2.amazonaws.com`)
/// calling on its own behalf. A role ARN acts as a session of that role.
///
/// Decision (AWS cannot be asked to sign as a service): service principals call only
/// in-process (lessons, the UI's "test a grant", tests), never over the wire, where every
/// caller signs with an IAM access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub principal: String,
    /// The AWS service the call came through (`kms:ViaService`), if any.
    pub via_service: Option<String>,
    /// The AWS resource the call is made on behalf of (`aws:SourceArn`), as a service
    /// principal's calls carry it. Direct calls by IAM identities never do.
    pub source_arn: Option<String>,
    /// The region the call is made in (a wire request's SigV4 credential scope); `None`:
    /// the world's default region (the UI, lessons, in-process tests).
    pub region: Option<String>,
}

impl Caller {
    pub fn new(principal: impl Into<String>) -> Self {
        Self {
            principal: principal.into(),
            via_service: None,
            source_arn: None,
            region: None,
        }
    }

    /// The same caller, calling in `region`.
    pub fn in_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    pub fn via(mut self, service: impl Into<String>) -> Self {
        self.via_service = Some(service.into());
        self
    }

    /// A call made on behalf of the resource `arn` (`aws:SourceArn`, and the account in
    /// it as `aws:SourceAccount`).
    pub fn on_behalf_of(mut self, arn: impl Into<String>) -> Self {
        self.source_arn = Some(arn.into());
        self
    }
}

impl From<&str> for Caller {
    fn from(s: &str) -> Self {
        Caller::new(s)
    }
}

/// The session name a role ARN acts under when given as a caller.
pub const DEFAULT_ROLE_SESSION: &str = "grantscope";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerKind {
    Root,
    User,
    RoleSession,
    /// An AWS service principal (`ec2.amazonaws.com`) calling on its own behalf.
    Service,
}

/// A caller resolved against the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedCaller {
    /// The ARN AWS would name the caller by (`assumed-role/...` for role sessions).
    pub arn: String,
    pub account: AccountId,
    pub kind: CallerKind,
    /// The IAM unique id of the user or role (none for the root and services).
    pub unique_id: Option<String>,
    /// `aws:PrincipalArn`: the user's or role's IAM ARN with its path (for a role session,
    /// the role's), the root's ARN, or the service principal's name.
    pub principal_arn: String,
    pub via_service: Option<String>,
    /// `aws:SourceArn`: the resource the call is made on behalf of.
    pub source_arn: Option<String>,
    /// The region the call is made in: keys, aliases and grants are looked up there.
    pub region: String,
}

impl ResolvedCaller {
    /// The keys under which grants to this caller are indexed: its unique id (grants to
    /// the user or role) and its exact ARN (grants to the root or to this role session).
    pub fn grant_match_keys(&self) -> impl Iterator<Item = &str> {
        self.unique_id
            .as_deref()
            .into_iter()
            .chain(std::iter::once(self.arn.as_str()))
    }
}

fn random_suffix(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A fresh IAM unique id: `AIDA` (users) or `AROA` (roles) and 17 characters.
pub fn new_unique_id(kind: PrincipalKind) -> String {
    let prefix = match kind {
        PrincipalKind::User => "AIDA",
        PrincipalKind::Role => "AROA",
    };
    format!("{prefix}{}", random_suffix(17))
}

/// A fresh access key pair.
pub fn new_access_key() -> AccessKey {
    use base64::Engine;
    let secret: [u8; 30] = rand::random();
    AccessKey {
        access_key_id: format!("AKIA{}", random_suffix(16)),
        secret_access_key: base64::engine::general_purpose::STANDARD.encode(secret),
    }
}

fn is_valid_iam_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// Is this a valid IAM path (`/` or `/a/b/`, printable ASCII, at most 512)? IAM's pattern:
/// `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`.
pub fn is_valid_iam_path(path: &str) -> bool {
    path.len() <= 512
        && path.starts_with('/')
        && path.ends_with('/')
        && path.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

impl World {
    /// Create a user or role at the path `/`. `unique_id` may be fixed (scenarios);
    /// otherwise generated.
    pub fn create_principal(
        &mut self,
        account: &AccountId,
        kind: PrincipalKind,
        name: &str,
        unique_id: Option<String>,
    ) -> KmsResult<&Principal> {
        self.create_principal_at(account, kind, "/", name, unique_id)
    }

    /// Create a user or role at an IAM path (`/service-role/`): its ARN carries the path
    /// (`arn:aws:iam::ACCOUNT:role/service-role/NAME`), its name does not, and its role
    /// sessions are named without it (`assumed-role/NAME/SESSION`), as IAM and STS do.
    pub fn create_principal_at(
        &mut self,
        account: &AccountId,
        kind: PrincipalKind,
        path: &str,
        name: &str,
        unique_id: Option<String>,
    ) -> KmsResult<&Principal> {
        if !is_valid_iam_path(path) {
            return Err(KmsError::invalid(format!(
                "1 validation error detected: Value '{path}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"
            )));
        }
        if self.account(account.as_str()).is_none() {
            return Err(KmsError::not_found(format!(
                "Account {account} is not part of this world."
            )));
        }
        if !is_valid_iam_name(name) {
            return Err(KmsError::invalid(format!(
                "1 validation error detected: Value '{name}' at '{}Name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
                kind.as_str()
            )));
        }
        let arn = format!("arn:aws:iam::{account}:{}{path}{name}", kind.as_str());
        if self.idx.principal_by_arn.contains_key(&arn) {
            return Err(KmsError::new(
                ErrorCode::AlreadyExistsException,
                format!("{} with name {name} already exists.", capitalized(kind)),
            ));
        }
        let unique_id = unique_id.unwrap_or_else(|| new_unique_id(kind));
        if self.principals.contains_key(&unique_id)
            || self.deleted_principals.contains_key(&unique_id)
        {
            return Err(KmsError::new(
                ErrorCode::AlreadyExistsException,
                format!("Unique id {unique_id} is already in use."),
            ));
        }
        let principal = Principal {
            unique_id: unique_id.clone(),
            account: account.clone(),
            kind,
            name: name.to_string(),
            arn: arn.clone(),
            created: self.now(),
            policies: Vec::new(),
            access_keys: Vec::new(),
        };
        self.idx.principal_by_arn.insert(arn, unique_id.clone());
        Ok(self.principals.entry(unique_id).or_insert(principal))
    }

    /// Delete a user or role by ARN or name. Its grants stay, naming its unique id.
    pub fn delete_principal(&mut self, who: &str) -> KmsResult<DeletedPrincipal> {
        let unique_id = self.find_principal(who)?.unique_id.clone();
        let p = self
            .principals
            .remove(&unique_id)
            .ok_or_else(|| no_such_entity(who))?;
        self.idx.principal_by_arn.remove(&p.arn);
        for k in &p.access_keys {
            self.idx.principal_by_access_key.remove(&k.access_key_id);
        }
        let gone = DeletedPrincipal {
            unique_id: p.unique_id.clone(),
            arn: p.arn.clone(),
            deleted: self.now(),
        };
        self.deleted_principals.insert(p.unique_id, gone.clone());
        Ok(gone)
    }

    /// Put (or replace) an inline identity policy.
    pub fn put_identity_policy(&mut self, who: &str, name: &str, document: &str) -> KmsResult<()> {
        self.set_identity_policy(who, name, document, None)
    }

    /// Attach (or re-attach) the AWS managed policy `policy_arn`
    /// (`arn:aws:iam::aws:policy/AdministratorAccess`), whose document is `document`. It
    /// is named by the last part of its ARN, as IAM names it.
    pub fn attach_managed_policy(
        &mut self,
        who: &str,
        policy_arn: &str,
        document: &str,
    ) -> KmsResult<()> {
        let name = policy_arn.rsplit('/').next().unwrap_or(policy_arn);
        self.set_identity_policy(who, name, document, Some(policy_arn))
    }

    /// Put an identity policy, replacing the one of the same kind and name (an inline
    /// policy and a managed one may share a name, as on AWS).
    fn set_identity_policy(
        &mut self,
        who: &str,
        name: &str,
        document: &str,
        managed_arn: Option<&str>,
    ) -> KmsResult<()> {
        let parsed = PolicyDocument::parse(document)?;
        if parsed
            .statement
            .iter()
            .any(|s| s.principal.is_some() || s.not_principal.is_some())
        {
            return Err(KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                "Identity policies must not contain a Principal element.",
            ));
        }
        let unique_id = self.find_principal(who)?.unique_id.clone();
        let p = self
            .principals
            .get_mut(&unique_id)
            .ok_or_else(|| no_such_entity(who))?;
        p.policies
            .retain(|pol| !(pol.name == name && pol.managed_arn.as_deref() == managed_arn));
        p.policies.push(IdentityPolicy {
            name: name.to_string(),
            document: document.to_string(),
            managed_arn: managed_arn.map(str::to_string),
            parsed: Some(Arc::new(parsed)),
        });
        Ok(())
    }

    /// Delete an inline identity policy (managed policies are not deleted by name).
    pub fn delete_identity_policy(&mut self, who: &str, name: &str) -> KmsResult<()> {
        let unique_id = self.find_principal(who)?.unique_id.clone();
        let p = self
            .principals
            .get_mut(&unique_id)
            .ok_or_else(|| no_such_entity(who))?;
        let before = p.policies.len();
        p.policies
            .retain(|pol| pol.name != name || pol.is_managed());
        if p.policies.len() == before {
            return Err(KmsError::not_found(format!(
                "The policy with name {name} cannot be found."
            )));
        }
        Ok(())
    }

    /// Give a principal an access key (fixed in scenarios, generated otherwise).
    pub fn add_access_key(&mut self, who: &str, key: Option<AccessKey>) -> KmsResult<AccessKey> {
        let key = key.unwrap_or_else(new_access_key);
        if self
            .idx
            .principal_by_access_key
            .contains_key(&key.access_key_id)
        {
            return Err(KmsError::new(
                ErrorCode::AlreadyExistsException,
                format!("Access key {} is already in use.", key.access_key_id),
            ));
        }
        let unique_id = self.find_principal(who)?.unique_id.clone();
        let p = self
            .principals
            .get_mut(&unique_id)
            .ok_or_else(|| no_such_entity(who))?;
        p.access_keys.push(key.clone());
        self.idx
            .principal_by_access_key
            .insert(key.access_key_id.clone(), unique_id);
        Ok(key)
    }

    /// A live user or role by ARN (user/role/assumed-role), unique id, or bare name.
    pub fn find_principal(&self, who: &str) -> KmsResult<&Principal> {
        if let Some(p) = self.principals.get(who) {
            return Ok(p);
        }
        if let Some(id) = self.idx.principal_by_arn.get(who) {
            if let Some(p) = self.principals.get(id) {
                return Ok(p);
            }
        }
        if let Some(PrincipalArn::AssumedRole { account, role, .. }) = PrincipalArn::parse(who) {
            let arn = format!("arn:aws:iam::{account}:role/{role}");
            if let Some(p) = self
                .idx
                .principal_by_arn
                .get(&arn)
                .and_then(|id| self.principals.get(id))
            {
                return Ok(p);
            }
            // A session ARN names its role without the role's path.
            if let Some(p) = self.principals.values().find(|p| {
                p.kind == PrincipalKind::Role && p.name == role && p.account.as_str() == account
            }) {
                return Ok(p);
            }
        }
        if !who.contains(':') {
            // A bare name: prefer the home account, then any account.
            let mut named = self.principals.values().filter(|p| p.name == who);
            let first = named.next();
            let home = self.home_account();
            if let Some(p) = first {
                if Some(&p.account) == home {
                    return Ok(p);
                }
                return Ok(self
                    .principals
                    .values()
                    .find(|q| q.name == who && Some(&q.account) == home)
                    .unwrap_or(p));
            }
        }
        Err(no_such_entity(who))
    }

    /// The principal an access key belongs to.
    pub fn principal_for_access_key(
        &self,
        access_key_id: &str,
    ) -> Option<(&Principal, &AccessKey)> {
        let id = self.idx.principal_by_access_key.get(access_key_id)?;
        let p = self.principals.get(id)?;
        let k = p
            .access_keys
            .iter()
            .find(|k| k.access_key_id == access_key_id)?;
        Some((p, k))
    }

    /// Resolve a caller. Unknown callers get AWS's answer for an unknown identity.
    pub fn resolve_caller(&self, caller: &Caller) -> KmsResult<ResolvedCaller> {
        let who = caller.principal.as_str();
        let unknown = || {
            KmsError::new(
                ErrorCode::UnrecognizedClientException,
                "The security token included in the request is invalid.",
            )
        };
        let via_service = caller.via_service.clone();
        let source_arn = caller.source_arn.clone();
        let region = caller.region.clone().unwrap_or_else(|| self.region.clone());
        match PrincipalArn::parse(who) {
            Some(PrincipalArn::Root { account }) => {
                let account = AccountId::parse(&account).ok_or_else(unknown)?;
                if self.account(account.as_str()).is_none() {
                    return Err(unknown());
                }
                return Ok(ResolvedCaller {
                    arn: account.root_arn(),
                    principal_arn: account.root_arn(),
                    account,
                    kind: CallerKind::Root,
                    unique_id: None,
                    via_service,
                    source_arn,
                    region,
                });
            }
            Some(PrincipalArn::Service(service)) => {
                // A service acts in the account of the resource it acts for (else the
                // world's first account).
                let account = source_arn
                    .as_deref()
                    .and_then(crate::kms::ids::Arn::parse)
                    .and_then(|a| AccountId::parse(a.account))
                    .or_else(|| self.home_account().cloned())
                    .ok_or_else(unknown)?;
                return Ok(ResolvedCaller {
                    arn: service.clone(),
                    principal_arn: service,
                    account,
                    kind: CallerKind::Service,
                    unique_id: None,
                    via_service,
                    source_arn,
                    region,
                });
            }
            _ => {}
        }
        let p = self.find_principal(who).map_err(|_| unknown())?;
        Ok(match p.kind {
            PrincipalKind::User => ResolvedCaller {
                arn: p.arn.clone(),
                principal_arn: p.arn.clone(),
                account: p.account.clone(),
                kind: CallerKind::User,
                unique_id: Some(p.unique_id.clone()),
                via_service,
                source_arn,
                region,
            },
            PrincipalKind::Role => {
                let session = match PrincipalArn::parse(who) {
                    Some(PrincipalArn::AssumedRole { session, .. }) => session,
                    _ => DEFAULT_ROLE_SESSION.to_string(),
                };
                ResolvedCaller {
                    arn: format!(
                        "arn:aws:sts::{}:assumed-role/{}/{session}",
                        p.account, p.name
                    ),
                    account: p.account.clone(),
                    principal_arn: p.arn.clone(),
                    kind: CallerKind::RoleSession,
                    unique_id: Some(p.unique_id.clone()),
                    via_service,
                    source_arn,
                    region,
                }
            }
        })
    }
}

fn capitalized(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::User => "User",
        PrincipalKind::Role => "Role",
    }
}

fn no_such_entity(who: &str) -> KmsError {
    KmsError::not_found(format!("The principal {who} cannot be found."))
}
