//! Identifiers and ARNs: accounts, key references in their four input forms, alias names
//! and principals, with parsing and the validity rules AWS applies to them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `arn:aws:iam::ACCOUNT:root`
    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.0)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The generic parts of an ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(s: &'a str) -> Option<Self> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?;
        let service = parts.next()?;
        let region = parts.next()?;
        let account = parts.next()?;
        let resource = parts.next()?;
        (!partition.is_empty() && !service.is_empty()).then_some(Self {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

/// `arn:aws:kms:REGION:ACCOUNT:key/KEY_ID`
pub fn key_arn(region: &str, account: &AccountId, key_id: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{key_id}")
}

/// `arn:aws:kms:REGION:ACCOUNT:alias/NAME` (the alias name includes `alias/`).
pub fn alias_arn(region: &str, account: &AccountId, alias_name: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:{alias_name}")
}

/// Is this a key id in AWS's form (a lowercase UUID)?
pub fn is_key_id(s: &str) -> bool {
    (uuid::Uuid::try_parse(s).is_ok() && s.len() == 36) || is_multi_region_key_id(s)
}

/// A multi-Region key id: `mrk-` and 32 lowercase hex digits. AWS (Developer Guide,
/// "Multi-Region keys in AWS KMS"): "Multi-Region keys have a distinctive key ID that
/// begins with mrk-".
pub fn is_multi_region_key_id(s: &str) -> bool {
    s.strip_prefix("mrk-").is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A reference to a key as callers give it: key id, key ARN, alias name or alias ARN.
/// It writes itself back exactly as it was parsed (`Display`), so it can travel typed
/// and still be sent as the `KeyId` string AWS's API takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyRef {
    Id(String),
    KeyArn {
        partition: String,
        region: String,
        account: String,
        key_id: String,
    },
    AliasName(String),
    AliasArn {
        partition: String,
        region: String,
        account: String,
        alias_name: String,
    },
}

impl KeyRef {
    /// Classify a `KeyId` input. Anything unrecognisable is kept as an `Id`, which then
    /// simply does not match any key (AWS answers NotFoundException for it).
    pub fn parse(s: &str) -> Self {
        if let Some(arn) = Arn::parse(s) {
            if arn.service == "kms" {
                if let Some(id) = arn.resource.strip_prefix("key/") {
                    return KeyRef::KeyArn {
                        partition: arn.partition.to_string(),
                        region: arn.region.to_string(),
                        account: arn.account.to_string(),
                        key_id: id.to_string(),
                    };
                }
                if arn.resource.starts_with("alias/") {
                    return KeyRef::AliasArn {
                        partition: arn.partition.to_string(),
                        region: arn.region.to_string(),
                        account: arn.account.to_string(),
                        alias_name: arn.resource.to_string(),
                    };
                }
            }
            return KeyRef::Id(s.to_string());
        }
        if s.starts_with("alias/") {
            KeyRef::AliasName(s.to_string())
        } else {
            KeyRef::Id(s.to_string())
        }
    }

    pub fn is_alias(&self) -> bool {
        matches!(self, KeyRef::AliasName(_) | KeyRef::AliasArn { .. })
    }

    /// The key id, when the reference names the key itself (an id or a key ARN).
    pub fn key_id(&self) -> Option<&str> {
        match self {
            KeyRef::Id(id) | KeyRef::KeyArn { key_id: id, .. } => Some(id),
            KeyRef::AliasName(_) | KeyRef::AliasArn { .. } => None,
        }
    }
}

impl fmt::Display for KeyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyRef::Id(s) | KeyRef::AliasName(s) => f.write_str(s),
            KeyRef::KeyArn {
                partition,
                region,
                account,
                key_id,
            } => write!(f, "arn:{partition}:kms:{region}:{account}:key/{key_id}"),
            KeyRef::AliasArn {
                partition,
                region,
                account,
                alias_name,
            } => write!(f, "arn:{partition}:kms:{region}:{account}:{alias_name}"),
        }
    }
}

/// Is `name` a valid alias name for CreateAlias? (`alias/` + `[a-zA-Z0-9/_-]+`, at most 256.)
pub fn is_valid_alias_name(name: &str) -> bool {
    match name.strip_prefix("alias/") {
        Some(rest) => {
            !rest.is_empty()
                && name.len() <= 256
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'))
        }
        None => false,
    }
}

/// The principal forms KMS knows, parsed from an ARN or service principal name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PrincipalArn {
    /// `arn:aws:iam::ACCOUNT:root`
    Root { account: String },
    /// `arn:aws:iam::ACCOUNT:user/[PATH/]NAME`
    User { account: String, name: String },
    /// `arn:aws:iam::ACCOUNT:role/[PATH/]NAME`
    Role { account: String, name: String },
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`
    AssumedRole {
        account: String,
        role: String,
        session: String,
    },
    /// `ec2.amazonaws.com` and friends.
    Service(String),
}

impl PrincipalArn {
    pub fn parse(s: &str) -> Option<Self> {
        if let Some(arn) = Arn::parse(s) {
            AccountId::parse(arn.account)?;
            let account = arn.account.to_string();
            return match arn.service {
                "iam" if arn.region.is_empty() => {
                    if arn.resource == "root" {
                        Some(PrincipalArn::Root { account })
                    } else if let Some(rest) = arn.resource.strip_prefix("user/") {
                        last_segment(rest).map(|name| PrincipalArn::User { account, name })
                    } else if let Some(rest) = arn.resource.strip_prefix("role/") {
                        last_segment(rest).map(|name| PrincipalArn::Role { account, name })
                    } else {
                        None
                    }
                }
                "sts" if arn.region.is_empty() => {
                    let rest = arn.resource.strip_prefix("assumed-role/")?;
                    let (role, session) = rest.split_once('/')?;
                    (!role.is_empty() && !session.is_empty()).then(|| PrincipalArn::AssumedRole {
                        account,
                        role: role.to_string(),
                        session: session.to_string(),
                    })
                }
                _ => None,
            };
        }
        is_service_principal(s).then(|| PrincipalArn::Service(s.to_string()))
    }

    /// Is this an STS session of `role` (`assumed-role/R/...` of the role `R` in the same
    /// account)? How a caller's session ARN meets the role ARN grants and policies name.
    pub fn is_session_of(&self, role: &PrincipalArn) -> bool {
        match (self, role) {
            (
                PrincipalArn::AssumedRole {
                    account, role: r, ..
                },
                PrincipalArn::Role { account: a, name },
            ) => account == a && r == name,
            _ => false,
        }
    }

    pub fn account(&self) -> Option<&str> {
        match self {
            PrincipalArn::Root { account }
            | PrincipalArn::User { account, .. }
            | PrincipalArn::Role { account, .. }
            | PrincipalArn::AssumedRole { account, .. } => Some(account),
            PrincipalArn::Service(_) => None,
        }
    }
}

fn last_segment(path_and_name: &str) -> Option<String> {
    let name = path_and_name.rsplit('/').next()?;
    (!name.is_empty()).then(|| name.to_string())
}

/// `something.amazonaws.com` (optionally with more dots).
pub fn is_service_principal(s: &str) -> bool {
    s.strip_suffix(".amazonaws.com").is_some_and(|svc| {
        !svc.is_empty()
            && svc
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
    })
}

/// AWS's syntactic rule for grantee and retiring principals: `^[\w+=,.@:/-]+$`, 1-256.
pub fn is_valid_principal_string(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | ':' | '/' | '-')
        })
}

/// Is this an IAM unique id (`AIDA`/`AROA` + 17 upper-case letters or digits)?
pub fn is_iam_unique_id(s: &str) -> bool {
    (s.starts_with("AIDA") || s.starts_with("AROA"))
        && s.len() == 21
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A principal as grants and callers name it: an IAM or STS ARN, a service principal, or
/// the IAM unique id that stands for a deleted principal. Checked once where it enters
/// (a form, a lesson or scenario file, an AWS answer) and carried as written, since an
/// ARN with a path does not survive a round trip through `PrincipalArn`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Principal(String);

impl Principal {
    /// A principal string KMS could name, or None.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        (PrincipalArn::parse(s).is_some() || is_iam_unique_id(s)).then(|| Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn arn(&self) -> Option<PrincipalArn> {
        PrincipalArn::parse(&self.0)
    }

    /// The short name people read (`display_name`).
    pub fn display_name(&self) -> String {
        display_name(&self.0)
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The short name of a principal string, one rule for every screen and report: a user's
/// or role's name (its path aside), `ROLE/SESSION` for an STS session, `ACCOUNT (root)`,
/// a service principal or an IAM unique id as written, anything else as given.
pub fn display_name(principal: &str) -> String {
    match PrincipalArn::parse(principal) {
        Some(PrincipalArn::Root { account }) => format!("{account} (root)"),
        Some(PrincipalArn::User { name, .. } | PrincipalArn::Role { name, .. }) => name,
        Some(PrincipalArn::AssumedRole { role, session, .. }) => format!("{role}/{session}"),
        Some(PrincipalArn::Service(svc)) => svc,
        None => principal.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ref_recognises_the_four_forms() {
        let id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(KeyRef::parse(id), KeyRef::Id(id.into()));
        assert!(matches!(
            KeyRef::parse(&format!("arn:aws:kms:eu-west-1:111122223333:key/{id}")),
            KeyRef::KeyArn { ref key_id, .. } if key_id == id
        ));
        for text in [
            id.to_string(),
            format!("arn:aws-cn:kms:cn-north-1:111122223333:key/{id}"),
            "alias/classroom".to_string(),
            "arn:aws:kms:eu-west-1:111122223333:alias/classroom".to_string(),
            "arn:aws:iam::111122223333:user/not-a-key".to_string(),
        ] {
            assert_eq!(
                KeyRef::parse(&text).to_string(),
                text,
                "written back as parsed"
            );
        }
        assert_eq!(
            KeyRef::parse(&format!("arn:aws:kms:eu-west-1:111122223333:key/{id}")).key_id(),
            Some(id)
        );
        assert_eq!(KeyRef::parse("alias/classroom").key_id(), None);
        assert_eq!(
            KeyRef::parse("alias/classroom"),
            KeyRef::AliasName("alias/classroom".into())
        );
        assert!(matches!(
            KeyRef::parse("arn:aws:kms:eu-west-1:111122223333:alias/classroom"),
            KeyRef::AliasArn { ref alias_name, .. } if alias_name == "alias/classroom"
        ));
    }

    #[test]
    fn principal_arns_parse_with_paths_and_sessions() {
        assert_eq!(
            PrincipalArn::parse("arn:aws:iam::111122223333:user/dev/alice"),
            Some(PrincipalArn::User {
                account: "111122223333".into(),
                name: "alice".into()
            })
        );
        assert_eq!(
            PrincipalArn::parse("arn:aws:sts::111122223333:assumed-role/Ops/bob"),
            Some(PrincipalArn::AssumedRole {
                account: "111122223333".into(),
                role: "Ops".into(),
                session: "bob".into()
            })
        );
        assert_eq!(
            PrincipalArn::parse("ec2.amazonaws.com"),
            Some(PrincipalArn::Service("ec2.amazonaws.com".into()))
        );
        assert_eq!(PrincipalArn::parse("*"), None);
        assert_eq!(PrincipalArn::parse("arn:aws:iam::12:user/x"), None);
    }

    #[test]
    fn display_names_follow_one_rule() {
        assert_eq!(
            display_name("arn:aws:iam::111122223333:user/dev/alice"),
            "alice"
        );
        assert_eq!(
            display_name("arn:aws:iam::111122223333:root"),
            "111122223333 (root)"
        );
        assert_eq!(
            display_name("arn:aws:sts::111122223333:assumed-role/Ops/bob"),
            "Ops/bob"
        );
        assert_eq!(display_name("ec2.amazonaws.com"), "ec2.amazonaws.com");
        assert_eq!(
            display_name("AIDAEXAMPLE0000000001"),
            "AIDAEXAMPLE0000000001"
        );
        let p = Principal::parse(" arn:aws:iam::111122223333:role/app/writer ").expect("a role");
        assert_eq!(p.as_str(), "arn:aws:iam::111122223333:role/app/writer");
        assert_eq!(p.display_name(), "writer");
        assert_eq!(Principal::parse("granttestuser"), None);
        assert_eq!(Principal::parse("*"), None);
    }

    #[test]
    fn principal_string_rule_rejects_wildcards() {
        assert!(is_valid_principal_string(
            "arn:aws:iam::111122223333:user/a+b=c,d.e@f"
        ));
        assert!(!is_valid_principal_string("*"));
        assert!(!is_valid_principal_string(""));
    }

    #[test]
    fn alias_names() {
        assert!(is_valid_alias_name("alias/classroom"));
        assert!(is_valid_alias_name("alias/a/b_c-d"));
        assert!(!is_valid_alias_name("classroom"));
        assert!(!is_valid_alias_name("alias/"));
        assert!(!is_valid_alias_name("alias/with space"));
    }
}
