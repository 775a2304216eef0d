//! RetireGrant and RevokeGrant: who may retire (the retiring principal, the grantee holding
//! RetireGrant, the issuing account, and IAM principals to whom the key's account delegates
//! kms:RetireGrant), that a key policy gives no right to retire, that revoking is an
//! ordinary key permission, and what removal does to authorization.

mod common;

use std::time::Duration;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::ErrorCode;
use grantscope::sim::{Caller, Outcome, Simulator};

fn retire_by_id(
    sim: &mut Simulator,
    caller: &Caller,
    key: &str,
    id: &str,
) -> grantscope::kms::KmsResult<Empty> {
    sim.retire_grant(
        caller,
        RetireGrantRequest {
            key_id: Some(key.into()),
            grant_id: Some(id.into()),
            ..Default::default()
        },
    )
}

fn revoke(
    sim: &mut Simulator,
    caller: &Caller,
    key: &str,
    id: &str,
) -> grantscope::kms::KmsResult<Empty> {
    sim.revoke_grant(
        caller,
        RevokeGrantRequest {
            key_id: key.into(),
            grant_id: id.into(),
            dry_run: None,
        },
    )
}

/// Alice's Encrypt grant on K1, retirable by Bob.
fn alice_grant_retirable_by_bob(sim: &mut Simulator, extra_ops: &[&str]) -> CreateGrantResponse {
    let mut operations = vec!["Encrypt"];
    operations.extend_from_slice(extra_ops);
    let mut req = grant_req(K1, &user_arn("alice"), &operations);
    req.retiring_principal = Some(user_arn("bob"));
    sim.create_grant(&admin(), req).unwrap()
}

#[test]
fn the_retiring_principal_may_retire() {
    let mut sim = lab();
    let g = alice_grant_retirable_by_bob(&mut sim, &[]);
    retire_by_id(&mut sim, &who("bob"), K1, &g.grant_id).unwrap();
    let entry = last_activity(&sim);
    assert_eq!(entry.outcome, Outcome::Allowed);
    assert!(entry.why.contains("retiring principal"), "{}", entry.why);
    assert!(grant_ids(&mut sim, K1).is_empty());
    assert_eq!(
        expect_err(encrypt(&mut sim, "alice", K1)).code,
        ErrorCode::AccessDeniedException
    );
}

#[test]
fn the_grantee_may_retire_only_when_the_grant_includes_retire_grant() {
    let mut sim = lab();
    let plain = alice_grant_retirable_by_bob(&mut sim, &[]);
    let e = expect_err(retire_by_id(&mut sim, &who("alice"), K1, &plain.grant_id));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:RetireGrant",
            &key_arn(K1),
            "because no identity-based policy allows the kms:RetireGrant action"
        )
    );
    let with_retire = alice_grant_retirable_by_bob(&mut sim, &["RetireGrant"]);
    retire_by_id(&mut sim, &who("alice"), K1, &with_retire.grant_id).unwrap();
    assert!(last_activity(&sim).why.contains("includes RetireGrant"));
    assert_eq!(grant_ids(&mut sim, K1), vec![plain.grant_id]);
}

#[test]
fn the_issuing_account_root_may_retire() {
    let mut sim = lab();
    let g = alice_grant_retirable_by_bob(&mut sim, &[]);
    retire_by_id(&mut sim, &Caller::new(root_arn(HOME)), K1, &g.grant_id).unwrap();
    assert!(last_activity(&sim).why.contains("account that issued"));
    assert!(grant_ids(&mut sim, K1).is_empty());
}

/// Developer Guide, "Retiring and revoking grants": "The AWS account that owns the KMS key
/// can delegate the kms:RetireGrant permission to an IAM principal in the account."
#[test]
fn an_iam_principal_of_the_key_account_retires_by_delegation_others_may_not() {
    let mut sim = lab();
    let g = alice_grant_retirable_by_bob(&mut sim, &[]);
    let e = expect_err(retire_by_id(&mut sim, &who("carol"), K1, &g.grant_id));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(last_activity(&sim).outcome, Outcome::Denied);
    // Another account's root did not issue it.
    let e = expect_err(retire_by_id(
        &mut sim,
        &Caller::new(root_arn(PARTNER)),
        &key_arn(K1),
        &g.grant_id,
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(grant_ids(&mut sim, K1), vec![g.grant_id.clone()]);
    // The admin's AdministratorAccess allows kms:RetireGrant in the key's account.
    retire_by_id(&mut sim, &admin(), K1, &g.grant_id).unwrap();
    let why = last_activity(&sim).why;
    assert!(
        why.contains("the account that owns the key delegates kms:RetireGrant"),
        "{why}"
    );
    assert!(grant_ids(&mut sim, K1).is_empty());
}

#[test]
fn kms_retire_grant_in_a_key_policy_gives_nothing_by_itself() {
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
        {"Sid":"Carol retires","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/carol"},"Action":"kms:RetireGrant","Resource":"*"}
    ]}"#;
    let mut sim = lab();
    sim.put_key_policy(
        &admin(),
        PutKeyPolicyRequest {
            key_id: K1.into(),
            policy_name: None,
            policy: policy.into(),
            bypass_policy_lockout_safety_check: None,
        },
    )
    .unwrap();
    let g = alice_grant_retirable_by_bob(&mut sim, &[]);
    let e = expect_err(retire_by_id(&mut sim, &who("carol"), K1, &g.grant_id));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(grant_ids(&mut sim, K1), vec![g.grant_id]);
}

#[test]
fn retire_by_token_works_before_the_grant_has_propagated() {
    let mut sim = lab_with_delay(Duration::from_secs(300));
    let g = alice_grant_retirable_by_bob(&mut sim, &[]);
    sim.retire_grant(
        &who("bob"),
        RetireGrantRequest {
            grant_token: Some(g.grant_token.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(grant_ids(&mut sim, K1).is_empty());
    // It never propagated, so it never authorizes, token or not.
    let e = expect_err(encrypt_with_token(&mut sim, "alice", K1, &g.grant_token));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    sim.advance_clock(Duration::from_secs(600));
    assert_eq!(
        expect_err(encrypt(&mut sim, "alice", K1)).code,
        ErrorCode::AccessDeniedException
    );
}

#[test]
fn retire_by_token_checks_the_key_given_with_it() {
    let mut sim = lab();
    let g = alice_grant_retirable_by_bob(&mut sim, &[]);
    let e = expect_err(sim.retire_grant(
        &who("bob"),
        RetireGrantRequest {
            grant_token: Some(g.grant_token.clone()),
            key_id: Some(K2.into()),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert_eq!(grant_ids(&mut sim, K1), vec![g.grant_id]);
}

#[test]
fn retire_needs_a_token_or_key_and_grant_id() {
    let mut sim = lab();
    let g = alice_grant_retirable_by_bob(&mut sim, &[]);
    for req in [
        RetireGrantRequest::default(),
        RetireGrantRequest {
            grant_id: Some(g.grant_id.clone()),
            ..Default::default()
        },
        RetireGrantRequest {
            key_id: Some(K1.into()),
            ..Default::default()
        },
    ] {
        let e = expect_err(sim.retire_grant(&who("bob"), req));
        assert_eq!(e.code, ErrorCode::ValidationException);
    }
}

#[test]
fn revoke_grant_needs_kms_revoke_grant() {
    let mut sim = lab();
    let g = grant(
        &mut sim,
        K1,
        "alice",
        &["Encrypt", "RetireGrant", "CreateGrant"],
    );
    // Neither the grantee nor a bystander holds kms:RevokeGrant: grants cannot give it.
    for caller in ["alice", "bob"] {
        let e = expect_err(revoke(&mut sim, &who(caller), K1, &g.grant_id));
        assert_eq!(e.code, ErrorCode::AccessDeniedException, "{caller}");
        assert_eq!(
            e.message,
            denied(
                &user_arn(caller),
                "kms:RevokeGrant",
                &key_arn(K1),
                &no_identity_policy("kms:RevokeGrant")
            )
        );
    }
    assert_eq!(grant_ids(&mut sim, K1), vec![g.grant_id.clone()]);
    // An IAM policy with kms:RevokeGrant, where the key policy delegates to IAM, suffices.
    sim.world_mut()
        .put_identity_policy(
            "bob",
            "revoker",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:RevokeGrant","Resource":"*"}]}"#,
        )
        .unwrap();
    revoke(&mut sim, &who("bob"), K1, &g.grant_id).unwrap();
    assert!(last_activity(&sim).why.contains("revoker"));
    assert!(grant_ids(&mut sim, K1).is_empty());
    // Revoking it again: it is gone.
    assert_eq!(
        expect_err(revoke(&mut sim, &admin(), K1, &g.grant_id)).code,
        ErrorCode::NotFoundException
    );
}

#[test]
fn revoke_takes_a_key_id_or_arn_but_not_an_alias() {
    let mut sim = lab();
    let a = grant(&mut sim, K1, "alice", &["Encrypt"]);
    let b = grant(&mut sim, K1, "alice", &["Decrypt"]);
    assert_eq!(
        expect_err(revoke(&mut sim, &admin(), "alias/k1", &a.grant_id)).code,
        ErrorCode::NotFoundException
    );
    revoke(&mut sim, &admin(), K1, &a.grant_id).unwrap();
    revoke(&mut sim, &admin(), &key_arn(K1), &b.grant_id).unwrap();
    assert!(grant_ids(&mut sim, K1).is_empty());
}

#[test]
fn revoked_grant_no_longer_authorizes_encrypt() {
    let mut sim = lab_with_delay(Duration::from_secs(10));
    let g = grant(&mut sim, K1, "alice", &["Encrypt"]);
    sim.advance_clock(Duration::from_secs(10));
    encrypt(&mut sim, "alice", K1).unwrap();
    revoke(&mut sim, &admin(), K1, &g.grant_id).unwrap();
    // Listing shows the change at once; authorization catches up after propagation.
    assert!(grant_ids(&mut sim, K1).is_empty());
    encrypt(&mut sim, "alice", K1).expect("a revoked grant may authorize until propagated");
    sim.advance_clock(Duration::from_secs(10));
    let e = expect_err(encrypt(&mut sim, "alice", K1));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    // The grant is purged from the world once its removal has propagated.
    assert!(sim.world().grants.is_empty());
}

#[test]
fn retired_grant_no_longer_authorizes_after_propagation() {
    let mut sim = lab_with_delay(Duration::from_secs(10));
    let g = alice_grant_retirable_by_bob(&mut sim, &[]);
    sim.advance_clock(Duration::from_secs(10));
    encrypt(&mut sim, "alice", K1).unwrap();
    retire_by_id(&mut sim, &who("bob"), K1, &g.grant_id).unwrap();
    encrypt(&mut sim, "alice", K1).expect("may still authorize before propagation");
    sim.advance_clock(Duration::from_secs(10));
    assert_eq!(
        expect_err(encrypt(&mut sim, "alice", K1)).code,
        ErrorCode::AccessDeniedException
    );
}

#[test]
fn list_retirable_grants_lists_grants_across_keys_for_the_retiring_principal() {
    let mut sim = lab();
    let a = alice_grant_retirable_by_bob(&mut sim, &[]);
    let mut req = grant_req(K2, &user_arn("carol"), &["Decrypt"]);
    req.retiring_principal = Some(user_arn("bob"));
    let b = sim.create_grant(&admin(), req).unwrap();
    let _not_bobs = grant(&mut sim, K2, "carol", &["Encrypt"]);
    let listed = sim
        .list_retirable_grants(
            &admin(),
            ListRetirableGrantsRequest {
                retiring_principal: Some(user_arn("bob")),
                ..Default::default()
            },
        )
        .unwrap();
    let mut ids: Vec<String> = listed.grants.iter().map(|g| g.grant_id.clone()).collect();
    ids.sort();
    let mut want = vec![a.grant_id, b.grant_id];
    want.sort();
    assert_eq!(ids, want);
    assert!(listed
        .grants
        .iter()
        .all(|g| g.retiring_principal.as_deref() == Some(user_arn("bob").as_str())));
    // It is an IAM-only permission: Bob himself has none.
    let e = expect_err(sim.list_retirable_grants(
        &who("bob"),
        ListRetirableGrantsRequest {
            retiring_principal: Some(user_arn("bob")),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}
