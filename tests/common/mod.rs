//! Shared fixtures for the simulator's integration tests: a small "lab" world on a manual
//! clock, request builders, and helpers that page through listings.
#![allow(dead_code)]

use std::time::Duration;

use chrono::TimeZone;
use grantscope::kms::api::*;
use grantscope::kms::Timestamp;
use grantscope::kms::{EncryptionContext, GrantListEntry, KmsError, KmsResult, OperationInput};
use grantscope::sim::{Caller, Clock, Scenario, Simulator};

pub const REGION: &str = "eu-west-1";
pub const HOME: &str = "111122223333";
pub const PARTNER: &str = "444455556666";
pub const K1: &str = "11111111-1111-4111-8111-111111111111";
pub const K2: &str = "22222222-2222-4222-8222-222222222222";

/// A world for grant tests: an administrator, three users with no permissions, a role, a
/// user in a partner account and two symmetric keys with the default key policy. Grant
/// changes propagate at once unless a test sets a delay.
pub const LAB: &str = r#"
name = "lab"
region = "eu-west-1"

[[accounts]]
id = "111122223333"
name = "home"

[[accounts]]
id = "444455556666"
name = "partner"

[[principals]]
name = "admin"
unique_id = "AIDAADMIN000000000001"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "alice"
unique_id = "AIDAALICE000000000001"

[[principals]]
name = "bob"
unique_id = "AIDABOB00000000000001"

[[principals]]
name = "carol"
unique_id = "AIDACAROL000000000001"

[[principals]]
name = "app-role"
kind = "role"
unique_id = "AROAAPPROLE000000001"

[[principals]]
name = "partner-user"
account = "444455556666"
unique_id = "AIDAPARTNER000000001"

[[keys]]
id = "11111111-1111-4111-8111-111111111111"
aliases = ["alias/k1"]
description = "first key"

[[keys]]
id = "22222222-2222-4222-8222-222222222222"
aliases = ["alias/k2"]
description = "second key"
"#;

/// The moment every test world starts at.
pub fn start() -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
        .single()
        .expect("a valid date")
}

/// A simulator for a scenario written inline, on a manual clock at `start()`.
pub fn sim_from_toml(text: &str) -> Simulator {
    let scenario = Scenario::parse(text, "inline.toml", true).expect("scenario parses");
    Simulator::new(
        scenario
            .build_with_clock(Clock::manual(start()))
            .expect("scenario builds"),
    )
}

pub fn lab() -> Simulator {
    sim_from_toml(LAB)
}

/// The lab with a propagation delay.
pub fn lab_with_delay(delay: Duration) -> Simulator {
    let mut sim = lab();
    sim.world_mut().propagation_delay = delay;
    sim
}

pub fn key_arn(id: &str) -> String {
    format!("arn:aws:kms:{REGION}:{HOME}:key/{id}")
}

pub fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{HOME}:user/{name}")
}

pub fn root_arn(account: &str) -> String {
    format!("arn:aws:iam::{account}:root")
}

pub fn admin() -> Caller {
    Caller::new("admin")
}

pub fn who(name: &str) -> Caller {
    Caller::new(name)
}

pub fn ctx(pairs: &[(&str, &str)]) -> EncryptionContext {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn ops(list: &[&str]) -> Vec<OperationInput> {
    list.iter().map(|s| OperationInput::parse(s)).collect()
}

pub fn grant_req(key: &str, grantee: &str, operations: &[&str]) -> CreateGrantRequest {
    CreateGrantRequest {
        key_id: key.to_string(),
        grantee_principal: Some(grantee.to_string()),
        operations: ops(operations),
        ..Default::default()
    }
}

/// The admin grants `operations` on `key` (an id) to the user `grantee` (a name).
pub fn grant(
    sim: &mut Simulator,
    key: &str,
    grantee: &str,
    operations: &[&str],
) -> CreateGrantResponse {
    sim.create_grant(&admin(), grant_req(key, &user_arn(grantee), operations))
        .expect("admin creates the grant")
}

pub fn encrypt_req(key: &str, context: EncryptionContext, tokens: &[&str]) -> EncryptRequest {
    EncryptRequest {
        key_id: key.to_string(),
        plaintext: b"hello".to_vec(),
        encryption_context: (!context.is_empty()).then_some(context),
        grant_tokens: (!tokens.is_empty()).then(|| tokens.iter().map(|t| t.to_string()).collect()),
        ..Default::default()
    }
}

pub fn encrypt(sim: &mut Simulator, caller: &str, key: &str) -> KmsResult<EncryptResponse> {
    sim.encrypt(&who(caller), encrypt_req(key, ctx(&[]), &[]))
}

pub fn encrypt_ctx(
    sim: &mut Simulator,
    caller: &str,
    key: &str,
    context: EncryptionContext,
) -> KmsResult<EncryptResponse> {
    sim.encrypt(&who(caller), encrypt_req(key, context, &[]))
}

pub fn encrypt_with_token(
    sim: &mut Simulator,
    caller: &str,
    key: &str,
    token: &str,
) -> KmsResult<EncryptResponse> {
    sim.encrypt(&who(caller), encrypt_req(key, ctx(&[]), &[token]))
}

pub fn decrypt_req(blob: &[u8], context: EncryptionContext) -> DecryptRequest {
    DecryptRequest {
        ciphertext_blob: blob.to_vec(),
        encryption_context: (!context.is_empty()).then_some(context),
        ..Default::default()
    }
}

/// Admin's ciphertext of "hello" under `key` with `context`.
pub fn admin_ciphertext(sim: &mut Simulator, key: &str, context: EncryptionContext) -> Vec<u8> {
    sim.encrypt(&admin(), encrypt_req(key, context, &[]))
        .expect("admin encrypts")
        .ciphertext_blob
}

pub fn expect_err<T: std::fmt::Debug>(r: KmsResult<T>) -> KmsError {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

/// AWS's AccessDeniedException message.
pub fn denied(caller_arn: &str, action: &str, resource: &str, because: &str) -> String {
    format!("User: {caller_arn} is not authorized to perform: {action} on resource: {resource} {because}")
}

pub fn no_identity_policy(action: &str) -> String {
    format!("because no identity-based policy allows the {action} action")
}

pub fn no_resource_policy(action: &str) -> String {
    format!("because no resource-based policy allows the {action} action")
}

/// Every grant of a key, paging with `limit`; asserts the paging protocol on the way.
pub fn all_grants(sim: &mut Simulator, key: &str, limit: Option<i64>) -> Vec<GrantListEntry> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = sim
            .list_grants(
                &admin(),
                ListGrantsRequest {
                    key_id: key.to_string(),
                    limit,
                    marker: marker.take(),
                    ..Default::default()
                },
            )
            .expect("admin lists grants");
        assert_eq!(page.truncated, page.next_marker.is_some());
        if let Some(l) = limit {
            assert!(page.grants.len() <= l as usize);
        }
        out.extend(page.grants);
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => return out,
        }
    }
}

pub fn grant_ids(sim: &mut Simulator, key: &str) -> Vec<String> {
    all_grants(sim, key, None)
        .into_iter()
        .map(|g| g.grant_id)
        .collect()
}

/// The last activity entry.
pub fn last_activity(sim: &Simulator) -> grantscope::sim::ActivityEntry {
    sim.world()
        .activity
        .last()
        .cloned()
        .expect("the call was recorded")
}
