//! Input validation in AWS's words: lengths, limits, grant tokens, key references.

use crate::kms::error::quoted;
use crate::kms::ids::{is_key_id, KeyRef};
use crate::kms::{GrantId, KmsError, KmsResult};

use super::crypto;
use super::principals::ResolvedCaller;
use super::regions::slot_key_id;
use super::world::{Key, World};

pub fn length(field: &str, value: &str, min: usize, max: usize) -> KmsResult<()> {
    let n = value.chars().count();
    if n < min {
        return Err(KmsError::validation(
            &quoted(value),
            field,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(KmsError::validation(
            &quoted(&truncate(value)),
            field,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

fn truncate(value: &str) -> String {
    if value.chars().count() > 64 {
        let head: String = value.chars().take(64).collect();
        format!("{head}...")
    } else {
        value.to_string()
    }
}

/// Validate `Limit` and turn it into a page size: `default` when absent, else 1 to `max`,
/// the operation's documented range ("If you include a value, it must be between 1 and
/// 100, inclusive" for ListGrants, ListRetirableGrants and ListAliases; 1 to 1000 for
/// ListKeys), in the service model's validation words.
pub fn page_size(limit: Option<i64>, default: usize, max: usize) -> KmsResult<usize> {
    match limit {
        None => Ok(default),
        Some(n) if n < 1 => Err(KmsError::validation(
            &quoted(&n.to_string()),
            "limit",
            "Member must have value greater than or equal to 1",
        )),
        Some(n) if n > max as i64 => Err(KmsError::validation(
            &quoted(&n.to_string()),
            "limit",
            &format!("Member must have value less than or equal to {max}"),
        )),
        Some(n) => Ok(n as usize),
    }
}

/// Validate `GrantTokens` (at most 10, each 1-8192) and read each one. A token this world
/// never issued is InvalidGrantTokenException. Returns the grants the tokens stand for.
pub fn grant_tokens(world: &World, tokens: Option<&[String]>) -> KmsResult<Vec<GrantId>> {
    let Some(tokens) = tokens else {
        return Ok(Vec::new());
    };
    if tokens.len() > 10 {
        return Err(KmsError::validation(
            &quoted(&truncate(&format!("[{}]", tokens.join(", ")))),
            "grantTokens",
            "Member must have length less than or equal to 10",
        ));
    }
    let mut grants = Vec::with_capacity(tokens.len());
    for t in tokens {
        length("grantTokens.member", t, 1, 8192)?;
        match crypto::read_token(&world.token_secret, t) {
            Some((grant, _key)) => grants.push(grant),
            None => {
                return Err(KmsError::new(
                    crate::kms::ErrorCode::InvalidGrantTokenException,
                    "The grant token is not valid.",
                ))
            }
        }
    }
    Ok(grants)
}

/// Where a key reference may point.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeyRefRules {
    /// Alias names and alias ARNs are accepted (crypto operations, DescribeKey).
    pub aliases: bool,
    /// A key ARN in another account is accepted (grant and crypto operations).
    pub cross_account: bool,
}

pub const CRYPTO: KeyRefRules = KeyRefRules {
    aliases: true,
    cross_account: true,
};
pub const GRANTS: KeyRefRules = KeyRefRules {
    aliases: false,
    cross_account: true,
};
pub const ADMIN: KeyRefRules = KeyRefRules {
    aliases: false,
    cross_account: false,
};

/// Resolve a `KeyId` input to a key, with AWS's errors.
pub fn resolve_key<'w>(
    world: &'w World,
    caller: &ResolvedCaller,
    field: &str,
    input: &str,
    rules: KeyRefRules,
) -> KmsResult<&'w Key> {
    length(field, input, 1, 2048)?;
    // Keys and aliases are looked up in the caller's region only (`regions.rs`).
    let region = caller.region.as_str();
    let invalid = || KmsError::not_found(format!("Invalid keyId {input}"));
    let key_missing = |region: &str, account: &str, id: &str| {
        KmsError::not_found(format!(
            "Key 'arn:aws:kms:{region}:{account}:key/{id}' does not exist"
        ))
    };
    let find = |account: &str, id: &str| -> KmsResult<&'w Key> {
        if !is_key_id(id) {
            return Err(invalid());
        }
        match world.key_in(region, id) {
            Some(k) if k.account.as_str() == account => Ok(k),
            _ => Err(key_missing(region, account, id)),
        }
    };
    let alias = |account: &str, name: &str| -> KmsResult<&'w Key> {
        let arn = format!("arn:aws:kms:{region}:{account}:{name}");
        let slot = world.alias_slot_in(region, account, name);
        let target = world
            .aliases
            .get(&slot)
            .ok_or_else(|| KmsError::not_found(format!("Alias {arn} is not found.")))?;
        match world.keys.get(&target.target_key_id) {
            Some(k) if k.account.as_str() == account => Ok(k),
            _ => Err(key_missing(
                region,
                account,
                slot_key_id(&target.target_key_id),
            )),
        }
    };
    let own = caller.account.as_str();
    match KeyRef::parse(input) {
        KeyRef::Id(id) => find(own, &id),
        KeyRef::KeyArn {
            region,
            account,
            key_id,
            ..
        } => {
            // Decision: a key ARN naming another region is answered as AWS answers a
            // key it cannot find, naming the ARN asked for. AWS: "To specify a KMS key
            // in a different AWS account, you must use the key ARN or alias ARN" (KeyId),
            // and a key is a regional resource: a request is served by one region's
            // endpoint, which holds no other region's keys.
            if region != caller.region || (!rules.cross_account && account != own) {
                return Err(key_missing(&region, &account, &key_id));
            }
            find(&account, &key_id)
        }
        KeyRef::AliasName(name) if rules.aliases => alias(own, &name),
        KeyRef::AliasArn {
            region,
            account,
            alias_name,
            ..
        } if rules.aliases => {
            if region != caller.region {
                return Err(KmsError::not_found(format!("Alias {input} is not found.")));
            }
            alias(&account, &alias_name)
        }
        // Decision (undocumented by AWS): key-management and grant operations take a key
        // ID or key ARN only; an alias there is an invalid key id.
        _ => Err(invalid()),
    }
}

/// DryRun: the request would have succeeded; say so instead of doing it.
pub fn dry_run(flag: Option<bool>) -> KmsResult<()> {
    if flag == Some(true) {
        return Err(KmsError::new(
            crate::kms::ErrorCode::DryRunOperationException,
            "The request would have succeeded, but the DryRun option is set.",
        ));
    }
    Ok(())
}
