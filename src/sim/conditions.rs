//! Policy conditions: the condition keys KMS requests carry and the IAM condition
//! operators over them. A condition the simulator cannot evaluate (an unknown operator or
//! key) yields `Truth::Unknown`: an Allow then does not apply and a Deny does (fail closed),
//! and the decision reports it.

use crate::kms::policy::ConditionBlock;
use crate::kms::{EncryptionContext, GrantOperation};

use super::principals::{CallerKind, ResolvedCaller};
use super::world::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

/// The request facts that condition keys read.
#[derive(Debug, Clone, Default)]
pub struct RequestFacts<'a> {
    pub encryption_context: Option<&'a EncryptionContext>,
    pub grant_operations: Option<&'a [GrantOperation]>,
    pub grantee_principal: Option<&'a str>,
    pub retiring_principal: Option<&'a str>,
    /// CreateGrant's `GranteeServicePrincipal` (`kms:GranteeServicePrincipal`).
    pub grantee_service_principal: Option<&'a str>,
    /// The new grant's constraint types (`kms:GrantConstraintType`, a multivalued key).
    pub grant_constraint_types: Vec<&'static str>,
    /// The new grant's `SourceArn` constraint (`kms:GrantConstraintSourceArn`).
    pub grant_source_arn: Option<&'a str>,
    pub encryption_algorithm: Option<&'a str>,
    pub request_alias: Option<&'a str>,
    pub key_aliases: Option<Vec<String>>,
    /// The tags a request sets (`aws:RequestTag/KEY`: TagResource, CreateKey's Tags).
    pub request_tags: Option<&'a std::collections::BTreeMap<String, String>>,
    /// The tag keys a request names (`aws:TagKeys`: TagResource, UntagResource, CreateKey).
    pub tag_keys: Option<Vec<String>>,
}

/// Which kind of policy a condition sits in: some condition keys exist only in one
/// (`aws:ResourceTag/KEY` is honoured in IAM policies only, see `tags.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyScope {
    KeyPolicy,
    Identity,
}

enum Lookup {
    Values(Vec<String>),
    Absent,
    Unknown,
}

fn lookup(
    key: &str,
    caller: &ResolvedCaller,
    target: Option<&Key>,
    facts: &RequestFacts,
    scope: PolicyScope,
) -> Lookup {
    let lower = key.to_ascii_lowercase();
    if let Some(values) = super::tags::tag_condition(key, &lower, target, facts, scope) {
        return Lookup::Values(values);
    }
    let one = |v: Option<&str>| match v {
        Some(v) => Lookup::Values(vec![v.to_string()]),
        None => Lookup::Absent,
    };
    if let Some(ctx_key) = lower.strip_prefix("kms:encryptioncontext:") {
        // The context key itself is matched as written in the policy.
        let ctx_key = &key[key.len() - ctx_key.len()..];
        return one(facts
            .encryption_context
            .and_then(|c| c.get(ctx_key))
            .map(String::as_str));
    }
    match lower.as_str() {
        // A service principal's call carries none of the IAM identity keys; it carries
        // aws:PrincipalServiceName, and the source keys of the resource it acts for.
        "kms:calleraccount" | "aws:principalaccount" | "aws:principalarn" | "aws:principaltype"
            if caller.kind == CallerKind::Service =>
        {
            Lookup::Absent
        }
        "aws:principalservicename" => match caller.kind {
            CallerKind::Service => one(Some(&caller.arn)),
            _ => Lookup::Absent,
        },
        "aws:sourcearn" => one(caller.source_arn.as_deref()),
        "aws:sourceaccount" => one(caller
            .source_arn
            .as_deref()
            .and_then(crate::kms::ids::Arn::parse)
            .map(|a| a.account)),
        "kms:calleraccount" | "aws:principalaccount" => one(Some(caller.account.as_str())),
        "aws:principalarn" => one(Some(&caller.principal_arn)),
        "aws:principaltype" => one(Some(match caller.kind {
            CallerKind::Root => "Account",
            CallerKind::User => "User",
            CallerKind::RoleSession | CallerKind::Service => "AssumedRole",
        })),
        "aws:userid" => one(caller.unique_id.as_deref()),
        "aws:username" => match caller.kind {
            CallerKind::User => one(caller.arn.rsplit('/').next()),
            _ => Lookup::Absent,
        },
        "kms:viaservice" => one(caller.via_service.as_deref()),
        "kms:encryptioncontextkeys" => match facts.encryption_context {
            Some(c) if !c.is_empty() => Lookup::Values(c.keys().cloned().collect()),
            _ => Lookup::Absent,
        },
        "kms:grantoperations" => match facts.grant_operations {
            Some(ops) => Lookup::Values(ops.iter().map(|o| o.as_str().to_string()).collect()),
            None => Lookup::Absent,
        },
        "kms:granteeprincipal" => one(facts.grantee_principal),
        "kms:retiringprincipal" => one(facts.retiring_principal),
        "kms:granteeserviceprincipal" => one(facts.grantee_service_principal),
        "kms:grantconstraintsourcearn" => one(facts.grant_source_arn),
        "kms:grantconstrainttype" => match facts.grant_operations {
            Some(_) if !facts.grant_constraint_types.is_empty() => Lookup::Values(
                facts
                    .grant_constraint_types
                    .iter()
                    .map(|t| t.to_string())
                    .collect(),
            ),
            _ => Lookup::Absent,
        },
        "kms:grantisforawsresource" => match facts.grant_operations {
            Some(_) => one(Some(if caller.via_service.is_some() {
                "true"
            } else {
                "false"
            })),
            None => Lookup::Absent,
        },
        "kms:encryptionalgorithm" => one(facts.encryption_algorithm),
        "kms:requestalias" => one(facts.request_alias),
        "kms:resourcealiases" => match &facts.key_aliases {
            Some(a) if !a.is_empty() => Lookup::Values(a.clone()),
            _ => Lookup::Absent,
        },
        "kms:keyspec" => one(target.map(|k| k.spec.as_str())),
        "kms:keyusage" => one(target.map(|k| k.usage.as_str())),
        "kms:keyorigin" => one(target.map(|k| k.origin_str())),
        "kms:keymanager" => one(target.map(|k| k.manager.as_str())),
        // Regions and multi-Region keys (issue #15, part C; `multi_region.rs`).
        "kms:multiregion" => one(target.map(|k| {
            if k.multi_region.is_some() {
                "true"
            } else {
                "false"
            }
        })),
        "kms:multiregionkeytype" => one(target.and_then(|k| {
            let c = k.multi_region.as_ref()?;
            Some(if c.primary_region == k.region() {
                "PRIMARY"
            } else {
                "REPLICA"
            })
        })),
        "aws:requestedregion" => one(Some(caller.region.as_str())),
        _ => Lookup::Unknown,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Base {
    Equals,
    EqualsIgnoreCase,
    Like,
    Bool,
}

struct Operator {
    base: Base,
    negated: bool,
    if_exists: bool,
    set: Option<SetQualifier>,
    null_check: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetQualifier {
    ForAll,
    ForAny,
}

fn parse_operator(text: &str) -> Option<Operator> {
    let (set, rest) = if let Some(r) = text.strip_prefix("ForAllValues:") {
        (Some(SetQualifier::ForAll), r)
    } else if let Some(r) = text.strip_prefix("ForAnyValue:") {
        (Some(SetQualifier::ForAny), r)
    } else {
        (None, text)
    };
    let (rest, if_exists) = match rest.strip_suffix("IfExists") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let (base, negated, null_check) = match rest {
        "StringEquals" => (Base::Equals, false, false),
        "StringNotEquals" => (Base::Equals, true, false),
        "StringEqualsIgnoreCase" => (Base::EqualsIgnoreCase, false, false),
        "StringNotEqualsIgnoreCase" => (Base::EqualsIgnoreCase, true, false),
        "StringLike" | "ArnLike" | "ArnEquals" => (Base::Like, false, false),
        "StringNotLike" | "ArnNotLike" | "ArnNotEquals" => (Base::Like, true, false),
        "Bool" => (Base::Bool, false, false),
        "Null" if !if_exists && set.is_none() => (Base::Equals, false, true),
        _ => return None,
    };
    Some(Operator {
        base,
        negated,
        if_exists,
        set,
        null_check,
    })
}

fn matches(base: Base, pattern: &str, value: &str) -> bool {
    match base {
        Base::Equals => pattern == value,
        Base::EqualsIgnoreCase | Base::Bool => pattern.eq_ignore_ascii_case(value),
        Base::Like => wildcard_match(pattern, value, false),
    }
}

/// `*` and `?` wildcards, as IAM's StringLike, Action and Resource matching use them.
pub fn wildcard_match(pattern: &str, value: &str, case_insensitive: bool) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return if case_insensitive {
            pattern.eq_ignore_ascii_case(value)
        } else {
            pattern == value
        };
    }
    if case_insensitive {
        wildmatch::WildMatch::new_case_insensitive(pattern).matches(value)
    } else {
        wildmatch::WildMatch::new(pattern).matches(value)
    }
}

/// Evaluate a whole condition block (AND over operators and keys). Conditions that cannot
/// be evaluated are described in `unevaluated`.
pub fn evaluate(
    block: &ConditionBlock,
    caller: &ResolvedCaller,
    target: Option<&Key>,
    facts: &RequestFacts,
    unevaluated: &mut Vec<String>,
) -> Truth {
    evaluate_in(
        block,
        caller,
        target,
        facts,
        PolicyScope::Identity,
        unevaluated,
    )
}

/// `evaluate` for a condition in a policy of the given kind.
pub fn evaluate_in(
    block: &ConditionBlock,
    caller: &ResolvedCaller,
    target: Option<&Key>,
    facts: &RequestFacts,
    scope: PolicyScope,
    unevaluated: &mut Vec<String>,
) -> Truth {
    let mut result = Truth::True;
    for (op_text, entries) in block {
        let Some(op) = parse_operator(op_text) else {
            unevaluated.push(format!("unsupported condition operator {op_text}"));
            result = and(result, Truth::Unknown);
            continue;
        };
        for (key, values) in entries {
            let t = match lookup(key, caller, target, facts, scope) {
                Lookup::Unknown => {
                    unevaluated.push(format!(
                        "condition key {key} ({op_text}) cannot be evaluated"
                    ));
                    Truth::Unknown
                }
                found => evaluate_one(&op, values.iter().collect(), found),
            };
            result = and(result, t);
        }
    }
    result
}

fn and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::False, _) | (_, Truth::False) => Truth::False,
        (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
        _ => Truth::True,
    }
}

fn truth(b: bool) -> Truth {
    if b {
        Truth::True
    } else {
        Truth::False
    }
}

fn evaluate_one(op: &Operator, patterns: Vec<&str>, found: Lookup) -> Truth {
    let values = match found {
        Lookup::Values(v) if !v.is_empty() => Some(v),
        _ => None,
    };
    if op.null_check {
        let want_absent = patterns.iter().any(|p| p.eq_ignore_ascii_case("true"));
        return truth(values.is_none() == want_absent);
    }
    let Some(values) = values else {
        // The key is not in the request.
        return truth(
            op.if_exists
                || op.set == Some(SetQualifier::ForAll)
                || (op.negated && op.set.is_none()),
        );
    };
    let hit = |v: &String| patterns.iter().any(|p| matches(op.base, p, v));
    let ok = match (op.set, op.negated) {
        (Some(SetQualifier::ForAll), false) => values.iter().all(hit),
        (Some(SetQualifier::ForAll), true) => values.iter().all(|v| !hit(v)),
        (Some(SetQualifier::ForAny), true) => values.iter().any(|v| !hit(v)),
        (_, false) => values.iter().any(hit),
        (None, true) => !values.iter().any(hit),
    };
    truth(ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::policy::OneOrMany;
    use crate::kms::AccountId;
    use std::collections::BTreeMap;

    fn caller() -> ResolvedCaller {
        ResolvedCaller {
            arn: "arn:aws:iam::111122223333:user/alice".into(),
            account: AccountId::parse("111122223333").unwrap(),
            kind: CallerKind::User,
            unique_id: Some("AIDAAAAAAAAAAAAAAAAAA".into()),
            principal_arn: "arn:aws:iam::111122223333:user/alice".into(),
            via_service: None,
            source_arn: None,
            region: "eu-west-1".into(),
        }
    }

    fn block(op: &str, key: &str, values: &[&str]) -> ConditionBlock {
        let mut inner = BTreeMap::new();
        inner.insert(
            key.to_string(),
            OneOrMany::Many(values.iter().map(|s| s.to_string()).collect()),
        );
        let mut b = BTreeMap::new();
        b.insert(op.to_string(), inner);
        b
    }

    fn eval(b: &ConditionBlock, facts: &RequestFacts) -> (Truth, Vec<String>) {
        let mut notes = vec![];
        let t = evaluate(b, &caller(), None, facts, &mut notes);
        (t, notes)
    }

    #[test]
    fn encryption_context_conditions() {
        let ctx: EncryptionContext = [("dept".to_string(), "it".to_string())].into();
        let facts = RequestFacts {
            encryption_context: Some(&ctx),
            ..Default::default()
        };
        let b = block("StringEquals", "kms:EncryptionContext:dept", &["it"]);
        assert_eq!(eval(&b, &facts).0, Truth::True);
        let b = block("StringEquals", "kms:EncryptionContext:dept", &["hr"]);
        assert_eq!(eval(&b, &facts).0, Truth::False);
        let b = block("StringEquals", "kms:EncryptionContext:other", &["x"]);
        assert_eq!(eval(&b, &facts).0, Truth::False);
        let b = block(
            "StringEqualsIfExists",
            "kms:EncryptionContext:other",
            &["x"],
        );
        assert_eq!(eval(&b, &facts).0, Truth::True);
        let b = block("Null", "kms:EncryptionContextKeys", &["false"]);
        assert_eq!(eval(&b, &facts).0, Truth::True);
        assert_eq!(eval(&b, &RequestFacts::default()).0, Truth::False);
    }

    #[test]
    fn grant_operations_set_qualifiers() {
        let ops = [GrantOperation::Encrypt, GrantOperation::Decrypt];
        let facts = RequestFacts {
            grant_operations: Some(&ops),
            ..Default::default()
        };
        let all = block(
            "ForAllValues:StringEquals",
            "kms:GrantOperations",
            &["Encrypt", "Decrypt", "GenerateDataKey"],
        );
        assert_eq!(eval(&all, &facts).0, Truth::True);
        let all = block(
            "ForAllValues:StringEquals",
            "kms:GrantOperations",
            &["Encrypt"],
        );
        assert_eq!(eval(&all, &facts).0, Truth::False);
        let any = block(
            "ForAnyValue:StringEquals",
            "kms:GrantOperations",
            &["Decrypt"],
        );
        assert_eq!(eval(&any, &facts).0, Truth::True);
    }

    #[test]
    fn negated_operator_on_missing_key_is_true() {
        let b = block(
            "StringNotEquals",
            "kms:ViaService",
            &["ec2.eu-west-1.amazonaws.com"],
        );
        assert_eq!(eval(&b, &RequestFacts::default()).0, Truth::True);
        let b = block("StringLike", "kms:CallerAccount", &["1111*"]);
        assert_eq!(eval(&b, &RequestFacts::default()).0, Truth::True);
    }

    #[test]
    fn unknown_keys_and_operators_are_reported_not_ignored() {
        let b = block("IpAddress", "aws:SourceIp", &["10.0.0.0/8"]);
        let (t, notes) = eval(&b, &RequestFacts::default());
        assert_eq!(t, Truth::Unknown);
        assert!(notes[0].contains("IpAddress"), "{notes:?}");
        let b = block("StringEquals", "aws:SourceVpce", &["vpce-1"]);
        let (t, notes) = eval(&b, &RequestFacts::default());
        assert_eq!(t, Truth::Unknown);
        assert!(notes[0].contains("aws:SourceVpce"), "{notes:?}");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("kms:*", "kms:Encrypt", true));
        assert!(wildcard_match("KMS:encrypt", "kms:Encrypt", true));
        assert!(wildcard_match("kms:Generate*", "kms:GenerateDataKey", true));
        assert!(!wildcard_match("kms:Generate*", "kms:Encrypt", true));
        assert!(wildcard_match(
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:eu-west-1:111122223333:key/abc",
            false
        ));
    }
}
