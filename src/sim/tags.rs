//! Tags: TagResource, UntagResource, ListResourceTags, the checks CreateKey's `Tags` share
//! with them, and the tag condition keys of attribute-based access control
//! (`aws:ResourceTag/KEY`, `aws:RequestTag/KEY`, `aws:TagKeys`).
//!
//! AWS's rules, from the API Reference and the Developer Guide:
//! - TagResource: "You can use this operation to tag a customer managed key, but you cannot
//!   tag an AWS managed key, an AWS owned key, a custom key store, or an alias." "The tag
//!   value can be an empty (null) string. To add a tag, specify a new tag key and a tag
//!   value. To edit a tag, specify an existing tag key and a new tag value."
//! - UntagResource: "if the specified tag key isn't found on the KMS key, it doesn't throw
//!   an exception or return a response."
//! - "Tags in AWS KMS": "Each resource can have up to 50 user-created tags." "tag or untag
//!   existing KMS keys unless they are pending deletion."
//! - "Using tags to control access to KMS keys": "In AWS KMS, the aws:ResourceTag/tag-key
//!   condition key is supported only in IAM policies. It isn't supported in key policies,
//!   which apply only to one KMS key, or on operations that don't use a particular KMS key,
//!   such as the ListKeys or ListAliases operations." So `aws:ResourceTag/KEY` is absent
//!   in key policies and for requests without a key (the resource `*`).
//! - "It might take up to five minutes for tag and alias changes to affect KMS key
//!   authorization. Recent changes might be visible in API operations before they affect
//!   authorization." Decision: the simulator applies a tag change to authorization at
//!   once (its propagation delay models grants, the subject it teaches); a test that
//!   relies on the delay would pass on AWS only by luck.
//!
//! Decisions where AWS documents no wording: a bad tag is TagException with AWS's
//! "Invalid tag" (what CloudTrail records for it) followed by the rule it breaks; the
//! 50-tag quota is TagException too (the tag, not the request rate, is what is refused);
//! lengths are the service model's ValidationException. A ListResourceTags marker names
//! the next tag key, so tags added or removed between pages never shift the rest.

use std::collections::BTreeMap;

use crate::kms::api::{Empty, Tag};
use crate::kms::api_admin::*;
use crate::kms::{ApiOperation, ErrorCode, KeyManager, KeyState, KmsError, KmsResult};

use super::conditions::{PolicyScope, RequestFacts};
use super::keys::pending_deletion;
use super::keys_admin::{admin_key_with, key_auth};
use super::validate;
use super::world::{Key, World};
use super::{crypto, CallRecord, Caller, Simulator};

/// "Each resource can have up to 50 user-created tags."
pub const MAX_TAGS_PER_KEY: usize = 50;

fn tag_error(why: String) -> KmsError {
    KmsError::new(ErrorCode::TagException, format!("Invalid tag: {why}"))
}

/// Characters of "Tagging AWS resources": letters, numbers, spaces, and `_ . : / = + - @`.
fn tag_chars_ok(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_alphanumeric()
            || c.is_whitespace()
            || matches!(c, '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@')
    })
}

/// A tag key as TagResource, UntagResource and CreateKey take it.
fn check_tag_key(field: &str, key: &str) -> KmsResult<()> {
    validate::length(field, key, 1, 128)?;
    if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return Err(tag_error(format!(
            "the tag key {key} begins with aws:, which is reserved for AWS use."
        )));
    }
    if !tag_chars_ok(key) {
        return Err(tag_error(format!(
            "the tag key {key} may contain only letters, numbers, spaces and _ . : / = + - @"
        )));
    }
    Ok(())
}

/// Check a list of tags (lengths, prefix, characters, duplicates); the map it sets.
pub fn check_tags(tags: &[Tag]) -> KmsResult<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for t in tags {
        check_tag_key("tags.member.tagKey", &t.tag_key)?;
        validate::length("tags.member.tagValue", &t.tag_value, 0, 256)?;
        if !tag_chars_ok(&t.tag_value) {
            return Err(tag_error(format!(
                "the value of tag {} may contain only letters, numbers, spaces and _ . : / = + - @",
                t.tag_key
            )));
        }
        if map.insert(t.tag_key.clone(), t.tag_value.clone()).is_some() {
            return Err(tag_error(format!(
                "the tag key {} appears more than once in the request.",
                t.tag_key
            )));
        }
    }
    if map.len() > MAX_TAGS_PER_KEY {
        return Err(quota_error(map.len()));
    }
    Ok(map)
}

fn quota_error(n: usize) -> KmsError {
    tag_error(format!(
        "a KMS key can have up to {MAX_TAGS_PER_KEY} tags; this request would give it {n}."
    ))
}

/// The tag condition keys. `Some(values)` when `lower` is one of them (no values: the key
/// is absent from the request), `None` for every other condition key.
pub fn tag_condition(
    key: &str,
    lower: &str,
    target: Option<&Key>,
    facts: &RequestFacts,
    scope: PolicyScope,
) -> Option<Vec<String>> {
    // The tag key part is matched as the policy writes it.
    let tail = |prefix: &str| {
        lower
            .strip_prefix(prefix)
            .map(|t| &key[key.len() - t.len()..])
    };
    if let Some(tag) = tail("aws:resourcetag/") {
        let value = match (scope, target) {
            (PolicyScope::Identity, Some(k)) => k.tags.get(tag).cloned(),
            _ => None,
        };
        return Some(value.into_iter().collect());
    }
    if let Some(tag) = tail("aws:requesttag/") {
        return Some(
            facts
                .request_tags
                .and_then(|t| t.get(tag).cloned())
                .into_iter()
                .collect(),
        );
    }
    if lower == "aws:tagkeys" {
        return Some(facts.tag_keys.clone().unwrap_or_default());
    }
    None
}

/// The key a tagging operation changes: a customer managed key not pending deletion.
fn taggable<'w>(world: &'w World, id: &str) -> KmsResult<&'w Key> {
    let key = world
        .keys
        .get(id)
        .ok_or_else(|| KmsError::internal("key vanished"))?;
    if key.manager == KeyManager::Aws {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!(
                "{} is an AWS managed key. You can tag a customer managed key, but you cannot tag an AWS managed key.",
                key.arn
            ),
        ));
    }
    if key.state == KeyState::PendingDeletion {
        return Err(pending_deletion(key));
    }
    Ok(key)
}

fn authorize_tagging(
    world: &World,
    rec: &mut CallRecord,
    key_id: &str,
    action: &str,
    facts: RequestFacts,
) -> KmsResult<String> {
    admin_key_with(world, rec, "keyId", key_id, action, facts)
}

impl Simulator {
    pub fn tag_resource(&mut self, caller: &Caller, req: TagResourceRequest) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::TagResource, |world, rec| {
            let new = check_tags(&req.tags)?;
            let facts = RequestFacts {
                request_tags: Some(&new),
                tag_keys: Some(new.keys().cloned().collect()),
                ..Default::default()
            };
            let id = authorize_tagging(world, rec, &req.key_id, "kms:TagResource", facts)?;
            let key = taggable(world, &id)?;
            let total = key
                .tags
                .keys()
                .chain(new.keys().filter(|k| !key.tags.contains_key(*k)))
                .count();
            if total > MAX_TAGS_PER_KEY {
                return Err(quota_error(total));
            }
            world.touch_key(&id);
            if let Some(k) = world.keys.get_mut(&id) {
                k.tags.extend(new);
            }
            Ok(Empty {})
        })
    }

    pub fn untag_resource(
        &mut self,
        caller: &Caller,
        req: UntagResourceRequest,
    ) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::UntagResource, |world, rec| {
            for k in &req.tag_keys {
                check_tag_key("tagKeys.member", k)?;
            }
            let facts = RequestFacts {
                tag_keys: Some(req.tag_keys.clone()),
                ..Default::default()
            };
            let id = authorize_tagging(world, rec, &req.key_id, "kms:UntagResource", facts)?;
            taggable(world, &id)?;
            world.touch_key(&id);
            if let Some(k) = world.keys.get_mut(&id) {
                for t in &req.tag_keys {
                    k.tags.remove(t);
                }
            }
            Ok(Empty {})
        })
    }

    /// ListResourceTags works in every key state (it reads); tags come in key order.
    pub fn list_resource_tags(
        &mut self,
        caller: &Caller,
        req: ListResourceTagsRequest,
    ) -> KmsResult<ListResourceTagsResponse> {
        self.call(caller, ApiOperation::ListResourceTags, |world, rec| {
            // API Reference: "This value is optional. If you include a value, it must be
            // between 1 and 50, inclusive. If you do not include a value, it defaults to 50."
            let size = validate::page_size(req.limit, 50, 50)?;
            let id = authorize_tagging(
                world,
                rec,
                &req.key_id,
                "kms:ListResourceTags",
                RequestFacts::default(),
            )?;
            let key = &world.keys[&id];
            let scope = format!("tags:{id}");
            let start = match &req.marker {
                Some(m) => {
                    validate::length("marker", m, 1, 1024)?;
                    crypto::read_name_marker(&world.token_secret, &scope, m).ok_or_else(|| {
                        KmsError::new(ErrorCode::InvalidMarkerException, "Invalid marker")
                    })?
                }
                None => String::new(),
            };
            let mut rest = key.tags.range(start..);
            let tags: Vec<Tag> = rest
                .by_ref()
                .take(size)
                .map(|(k, v)| Tag {
                    tag_key: k.clone(),
                    tag_value: v.clone(),
                })
                .collect();
            let next = rest.next().map(|(k, _)| k.as_str());
            Ok(ListResourceTagsResponse {
                tags,
                truncated: next.is_some(),
                next_marker: next
                    .map(|k| crypto::issue_name_marker(&world.token_secret, &scope, k)),
            })
        })
    }
}

/// The authorization of CreateKey's tags: `kms:TagResource` on `*` (Developer Guide: "To
/// add tags while creating a KMS key, the principal must have permission in an IAM policy
/// that isn't restricted to particular KMS keys").
pub(crate) fn authorize_create_key_tags(
    world: &World,
    rec: &mut CallRecord,
    tags: &BTreeMap<String, String>,
) -> KmsResult<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let mut auth = key_auth("kms:TagResource", None);
    auth.facts = RequestFacts {
        request_tags: Some(tags),
        tag_keys: Some(tags.keys().cloned().collect()),
        ..Default::default()
    };
    rec.authorize(world, &auth)
}
