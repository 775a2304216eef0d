//! Authorization: grant constraints, CreateGrant through a grant, explicit denies in key
//! and IAM policies, the "no resource-based policy" variant, cross-account access, policy
//! conditions (including ones the simulator cannot evaluate), key states, roles, and
//! deleted principals.

mod common;

use std::time::Duration;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::AccountId;
use grantscope::kms::{ErrorCode, GrantConstraints, KmsResult};
use grantscope::sim::{Caller, Outcome, PrincipalKind, Simulator};

const ROOT_DELEGATION: &str = r#"{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}"#;

/// Replace a key's policy with these statements (as the admin, bypassing the lockout check).
fn set_policy(sim: &mut Simulator, key: &str, statements: &[&str]) {
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    sim.put_key_policy(
        &admin(),
        PutKeyPolicyRequest {
            key_id: key.into(),
            policy_name: None,
            policy,
            bypass_policy_lockout_safety_check: Some(true),
        },
    )
    .expect("admin sets the key policy");
}

fn subset(pairs: &[(&str, &str)]) -> Option<GrantConstraints> {
    Some(GrantConstraints {
        source_arn: None,
        encryption_context_subset: Some(ctx(pairs)),
        encryption_context_equals: None,
    })
}

fn equals(pairs: &[(&str, &str)]) -> Option<GrantConstraints> {
    Some(GrantConstraints {
        source_arn: None,
        encryption_context_subset: None,
        encryption_context_equals: Some(ctx(pairs)),
    })
}

fn constrained_grant(
    sim: &mut Simulator,
    grantee: &str,
    operations: &[&str],
    constraints: Option<GrantConstraints>,
) -> CreateGrantResponse {
    let mut req = grant_req(K1, &user_arn(grantee), operations);
    req.constraints = constraints;
    sim.create_grant(&admin(), req)
        .expect("admin creates the grant")
}

fn is_denied<T: std::fmt::Debug>(r: KmsResult<T>) -> bool {
    match r {
        Ok(_) => false,
        Err(e) if e.code == ErrorCode::AccessDeniedException => true,
        Err(e) => panic!("expected AccessDenied, got {e}"),
    }
}

fn generate_data_key(
    sim: &mut Simulator,
    caller: &str,
    context: &[(&str, &str)],
) -> KmsResult<GenerateDataKeyResponse> {
    sim.generate_data_key(
        &who(caller),
        GenerateDataKeyRequest {
            key_id: K1.into(),
            encryption_context: Some(ctx(context)),
            key_spec: Some("AES_256".into()),
            ..Default::default()
        },
    )
}

// ------------------------------------------------------------------ grant constraints

#[test]
fn subset_constraint_allows_extra_pairs_and_denies_a_wrong_context() {
    let mut sim = lab();
    constrained_grant(
        &mut sim,
        "alice",
        &["Encrypt", "Decrypt", "GenerateDataKey"],
        subset(&[("dept", "it")]),
    );
    encrypt_ctx(&mut sim, "alice", K1, ctx(&[("dept", "it")])).unwrap();
    encrypt_ctx(
        &mut sim,
        "alice",
        K1,
        ctx(&[("dept", "it"), ("extra", "fine")]),
    )
    .unwrap();
    assert!(is_denied(encrypt_ctx(
        &mut sim,
        "alice",
        K1,
        ctx(&[("dept", "hr")])
    )));
    assert!(is_denied(encrypt_ctx(
        &mut sim,
        "alice",
        K1,
        ctx(&[("other", "it")])
    )));
    assert!(is_denied(encrypt(&mut sim, "alice", K1)));
    generate_data_key(&mut sim, "alice", &[("dept", "it"), ("x", "y")]).unwrap();
    assert!(is_denied(generate_data_key(
        &mut sim,
        "alice",
        &[("dept", "hr")]
    )));
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[("dept", "it"), ("x", "y")]));
    let plain = sim
        .decrypt(
            &who("alice"),
            decrypt_req(&blob, ctx(&[("dept", "it"), ("x", "y")])),
        )
        .unwrap();
    assert_eq!(plain.plaintext, b"hello");
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[("dept", "hr")]));
    assert!(is_denied(sim.decrypt(
        &who("alice"),
        decrypt_req(&blob, ctx(&[("dept", "hr")]))
    )));
}

#[test]
fn equals_constraint_requires_the_exact_context() {
    let mut sim = lab();
    constrained_grant(
        &mut sim,
        "alice",
        &["Encrypt", "Decrypt", "GenerateDataKey"],
        equals(&[("dept", "it")]),
    );
    encrypt_ctx(&mut sim, "alice", K1, ctx(&[("dept", "it")])).unwrap();
    assert!(is_denied(encrypt_ctx(
        &mut sim,
        "alice",
        K1,
        ctx(&[("dept", "it"), ("extra", "no")])
    )));
    assert!(is_denied(encrypt(&mut sim, "alice", K1)));
    generate_data_key(&mut sim, "alice", &[("dept", "it")]).unwrap();
    assert!(is_denied(generate_data_key(
        &mut sim,
        "alice",
        &[("dept", "it"), ("x", "y")]
    )));
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[("dept", "it")]));
    sim.decrypt(&who("alice"), decrypt_req(&blob, ctx(&[("dept", "it")])))
        .unwrap();
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[("dept", "it"), ("x", "y")]));
    assert!(is_denied(sim.decrypt(
        &who("alice"),
        decrypt_req(&blob, ctx(&[("dept", "it"), ("x", "y")]))
    )));
}

#[test]
fn constraints_do_not_apply_to_describe_key() {
    let mut sim = lab();
    constrained_grant(
        &mut sim,
        "alice",
        &["DescribeKey", "Encrypt"],
        subset(&[("dept", "it")]),
    );
    let d = sim
        .describe_key(
            &who("alice"),
            DescribeKeyRequest {
                key_id: "alias/k1".into(),
                grant_tokens: None,
            },
        )
        .unwrap();
    assert_eq!(d.key_metadata.arn, key_arn(K1));
    assert!(is_denied(encrypt(&mut sim, "alice", K1)));
}

#[test]
fn an_operation_outside_the_grant_is_denied() {
    let mut sim = lab();
    grant(&mut sim, K1, "alice", &["GenerateDataKey"]);
    generate_data_key(&mut sim, "alice", &[]).unwrap();
    let e = expect_err(encrypt(&mut sim, "alice", K1));
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:Encrypt",
            &key_arn(K1),
            &no_identity_policy("kms:Encrypt")
        )
    );
    // A grant on one key gives nothing on another.
    assert!(is_denied(sim.generate_data_key(
        &who("alice"),
        GenerateDataKeyRequest {
            key_id: K2.into(),
            number_of_bytes: Some(16),
            ..Default::default()
        }
    )));
}

// ------------------------------------------------------------------ CreateGrant through a grant

fn alice_creates(
    sim: &mut Simulator,
    grantee: &str,
    operations: &[&str],
    constraints: Option<GrantConstraints>,
    tokens: Option<Vec<String>>,
) -> KmsResult<CreateGrantResponse> {
    let mut req = grant_req(K1, &user_arn(grantee), operations);
    req.constraints = constraints;
    req.grant_tokens = tokens;
    sim.create_grant(&who("alice"), req)
}

#[test]
fn a_grantee_may_delegate_a_subset_with_equal_or_stricter_constraints() {
    let mut sim = lab();
    let parent = constrained_grant(
        &mut sim,
        "alice",
        &["Encrypt", "Decrypt", "CreateGrant"],
        subset(&[("team", "data")]),
    );
    let same = alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        subset(&[("team", "data")]),
        None,
    )
    .unwrap();
    let entry = last_activity(&sim);
    assert_eq!(
        entry.grant.map(|g| g.to_string()),
        Some(parent.grant_id.clone())
    );
    let stricter = alice_creates(
        &mut sim,
        "bob",
        &["Decrypt", "Encrypt"],
        subset(&[("team", "data"), ("app", "x")]),
        None,
    )
    .unwrap();
    let exact = alice_creates(
        &mut sim,
        "carol",
        &["Encrypt"],
        equals(&[("team", "data")]),
        None,
    )
    .unwrap();
    alice_creates(
        &mut sim,
        "carol",
        &["CreateGrant"],
        subset(&[("team", "data")]),
        None,
    )
    .unwrap();
    assert_eq!(grant_ids(&mut sim, K1).len(), 5);
    let delegated = all_grants(&mut sim, K1, None);
    for g in delegated.iter().filter(|g| {
        g.grant_id == same.grant_id
            || g.grant_id == exact.grant_id
            || g.grant_id == stricter.grant_id
    }) {
        assert_eq!(g.issuing_account.as_deref(), Some(root_arn(HOME).as_str()));
    }
    encrypt_ctx(&mut sim, "bob", K1, ctx(&[("team", "data"), ("app", "x")])).unwrap();
    encrypt_ctx(&mut sim, "carol", K1, ctx(&[("team", "data")])).unwrap();
    assert!(is_denied(encrypt_ctx(
        &mut sim,
        "carol",
        K1,
        ctx(&[("team", "data"), ("app", "x")])
    )));
}

#[test]
fn a_grantee_may_not_delegate_wider_than_its_grant() {
    let mut sim = lab();
    constrained_grant(
        &mut sim,
        "alice",
        &["Encrypt", "CreateGrant"],
        subset(&[("team", "data")]),
    );
    // More operations.
    let e = expect_err(alice_creates(
        &mut sim,
        "bob",
        &["Encrypt", "Decrypt"],
        subset(&[("team", "data")]),
        None,
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:CreateGrant",
            &key_arn(K1),
            &no_identity_policy("kms:CreateGrant")
        )
    );
    // No constraints, other constraints, or a looser kind of constraint.
    assert!(is_denied(alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        None,
        None
    )));
    assert!(is_denied(alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        subset(&[("team", "ops")]),
        None
    )));
    assert!(is_denied(alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        subset(&[("app", "x")]),
        None
    )));
    assert_eq!(grant_ids(&mut sim, K1).len(), 1);

    // Equals in the parent: the child must carry the same Equals.
    let mut sim = lab();
    constrained_grant(
        &mut sim,
        "alice",
        &["Encrypt", "CreateGrant"],
        equals(&[("team", "data")]),
    );
    assert!(is_denied(alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        subset(&[("team", "data")]),
        None
    )));
    assert!(is_denied(alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        equals(&[("team", "data"), ("x", "y")]),
        None
    )));
    alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        equals(&[("team", "data")]),
        None,
    )
    .unwrap();
}

#[test]
fn delegation_needs_create_grant_in_the_grant() {
    let mut sim = lab();
    grant(&mut sim, K1, "alice", &["Encrypt", "Decrypt"]);
    assert!(is_denied(alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        None,
        None
    )));
}

#[test]
fn delegation_through_a_new_grant_works_with_its_token() {
    let mut sim = lab_with_delay(Duration::from_secs(60));
    let parent = grant(&mut sim, K1, "alice", &["Encrypt", "CreateGrant"]);
    assert!(is_denied(alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        None,
        None
    )));
    alice_creates(
        &mut sim,
        "bob",
        &["Encrypt"],
        None,
        Some(vec![parent.grant_token]),
    )
    .unwrap();
}

#[test]
fn through_a_policy_any_grant_operation_may_be_granted() {
    let mut sim = lab();
    let g = grant(
        &mut sim,
        K1,
        "alice",
        &[
            "Encrypt",
            "Decrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
            "CreateGrant",
            "RetireGrant",
            "DescribeKey",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
        ],
    );
    let listed = all_grants(&mut sim, K1, None);
    assert_eq!(listed[0].grant_id, g.grant_id);
    assert_eq!(listed[0].operations.len(), 11);
    // The grantee may pass CreateGrant itself on (a subset of its unconstrained grant).
    let child = sim
        .create_grant(
            &who("alice"),
            grant_req(K1, &user_arn("bob"), &["CreateGrant", "Encrypt"]),
        )
        .unwrap();
    assert_ne!(child.grant_id, g.grant_id);
}

// ------------------------------------------------------------------ explicit denies

#[test]
fn an_explicit_deny_in_the_key_policy_wins_over_a_grant() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"NoAliceEncrypt","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"}"#,
        ],
    );
    let g = grant(&mut sim, K1, "alice", &["Encrypt", "Decrypt"]);
    let e = expect_err(encrypt_with_token(&mut sim, "alice", K1, &g.grant_token));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:Encrypt",
            &key_arn(K1),
            "with an explicit deny in a resource-based policy"
        )
    );
    assert!(last_activity(&sim).why.contains("\"NoAliceEncrypt\""));
    // The deny is for Encrypt only.
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[]));
    sim.decrypt(&who("alice"), decrypt_req(&blob, ctx(&[])))
        .unwrap();
}

#[test]
fn an_explicit_deny_in_an_iam_policy_wins_over_a_grant() {
    let mut sim = lab();
    sim.world_mut()
        .put_identity_policy(
            "alice",
            "no-encrypt",
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoEncrypt","Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}]}"#,
        )
        .unwrap();
    grant(&mut sim, K1, "alice", &["Encrypt"]);
    let e = expect_err(encrypt(&mut sim, "alice", K1));
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:Encrypt",
            &key_arn(K1),
            "with an explicit deny in an identity-based policy"
        )
    );
    let entry = last_activity(&sim);
    assert_eq!(entry.outcome, Outcome::Denied);
    assert!(
        entry.why.contains("no-encrypt") && entry.why.contains("\"NoEncrypt\""),
        "{}",
        entry.why
    );
    // The admin's Allow * does not beat his own Deny either.
    sim.world_mut()
        .put_identity_policy(
            "admin",
            "no-k1",
            &format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"kms:*","Resource":"{}"}}]}}"#, key_arn(K1)),
        )
        .unwrap();
    assert!(is_denied(encrypt(&mut sim, "admin", K1)));
    encrypt(&mut sim, "admin", K2).unwrap();
}

#[test]
fn a_key_policy_that_does_not_delegate_to_iam_denies_with_no_resource_based_policy() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K1,
        &[
            r#"{"Sid":"AdminOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/admin"},"Action":"kms:*","Resource":"*"}"#,
        ],
    );
    sim.world_mut()
        .put_identity_policy(
            "alice",
            "all-kms",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#,
        )
        .unwrap();
    let e = expect_err(encrypt(&mut sim, "alice", K1));
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:Encrypt",
            &key_arn(K1),
            &no_resource_policy("kms:Encrypt")
        )
    );
    // IAM is honoured on K2, whose key policy delegates.
    encrypt(&mut sim, "alice", K2).unwrap();
    // The admin is allowed by the key policy itself...
    encrypt(&mut sim, "admin", K1).unwrap();
    assert!(last_activity(&sim)
        .why
        .contains("key policy statement \"AdminOnly\""));
    // ...and grants work without any delegation.
    grant(&mut sim, K1, "bob", &["Encrypt"]);
    encrypt(&mut sim, "bob", K1).unwrap();
}

// ------------------------------------------------------------------ cross-account

const PARTNER_USER: &str = "arn:aws:iam::444455556666:user/partner-user";

fn partner_encrypt(sim: &mut Simulator, key: &str) -> KmsResult<EncryptResponse> {
    sim.encrypt(&Caller::new(PARTNER_USER), encrypt_req(key, ctx(&[]), &[]))
}

#[test]
fn cross_account_use_needs_the_key_policy_and_the_callers_iam_policy() {
    let mut sim = lab();
    let arn = key_arn(K1);
    // Only the home account is trusted by the default key policy.
    let e = expect_err(partner_encrypt(&mut sim, &arn));
    assert_eq!(
        e.message,
        denied(
            PARTNER_USER,
            "kms:Encrypt",
            &arn,
            &no_resource_policy("kms:Encrypt")
        )
    );
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}"#,
        ],
    );
    // The key policy lets the account in; the partner's IAM must let the user out.
    let e = expect_err(partner_encrypt(&mut sim, &arn));
    assert_eq!(
        e.message,
        denied(
            PARTNER_USER,
            "kms:Encrypt",
            &arn,
            &no_identity_policy("kms:Encrypt")
        )
    );
    sim.world_mut()
        .put_identity_policy(
            PARTNER_USER,
            "use-partner-key",
            &format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"{arn}"}}]}}"#),
        )
        .unwrap();
    let out = partner_encrypt(&mut sim, &arn).unwrap();
    assert_eq!(out.key_id, arn);
    // Cross-account callers name the key by ARN: a bare key id means their own account.
    assert_eq!(
        expect_err(partner_encrypt(&mut sim, K1)).code,
        ErrorCode::NotFoundException
    );
    // The key policy allowed Encrypt and Decrypt only.
    let e = expect_err(sim.generate_data_key(
        &Caller::new(PARTNER_USER),
        GenerateDataKeyRequest {
            key_id: arn.clone(),
            number_of_bytes: Some(32),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    // The partner's root needs no IAM policy.
    sim.encrypt(
        &Caller::new(root_arn(PARTNER)),
        encrypt_req(&arn, ctx(&[]), &[]),
    )
    .unwrap();
}

#[test]
fn a_cross_account_grant_authorizes_without_policies() {
    let mut sim = lab();
    let arn = key_arn(K1);
    sim.create_grant(&admin(), grant_req(K1, PARTNER_USER, &["Encrypt"]))
        .unwrap();
    partner_encrypt(&mut sim, &arn).unwrap();
    assert!(last_activity(&sim).grant.is_some());
    // An explicit deny in the partner's own IAM still wins.
    sim.world_mut()
        .put_identity_policy(
            PARTNER_USER,
            "no-kms",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}"#,
        )
        .unwrap();
    let e = expect_err(partner_encrypt(&mut sim, &arn));
    assert!(
        e.message
            .ends_with("with an explicit deny in an identity-based policy"),
        "{}",
        e.message
    );
}

// ------------------------------------------------------------------ conditions

#[test]
fn encryption_context_condition_in_the_key_policy() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"AliceIt","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:dept":"it"}}}"#,
        ],
    );
    encrypt_ctx(&mut sim, "alice", K1, ctx(&[("dept", "it"), ("x", "y")])).unwrap();
    assert!(last_activity(&sim).why.contains("\"AliceIt\""));
    assert!(is_denied(encrypt_ctx(
        &mut sim,
        "alice",
        K1,
        ctx(&[("dept", "hr")])
    )));
    assert!(is_denied(encrypt(&mut sim, "alice", K1)));
}

#[test]
fn grant_operations_condition_limits_what_may_be_granted() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"BobGrantsCrypto","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:CreateGrant","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:GrantOperations":["Encrypt","Decrypt"]}}}"#,
        ],
    );
    let bob = who("bob");
    sim.create_grant(&bob, grant_req(K1, &user_arn("alice"), &["Encrypt"]))
        .unwrap();
    sim.create_grant(
        &bob,
        grant_req(K1, &user_arn("alice"), &["Decrypt", "Encrypt"]),
    )
    .unwrap();
    assert!(is_denied(sim.create_grant(
        &bob,
        grant_req(K1, &user_arn("alice"), &["Encrypt", "ReEncryptFrom"])
    )));
    assert!(is_denied(sim.create_grant(
        &bob,
        grant_req(K1, &user_arn("alice"), &["CreateGrant"])
    )));
    assert_eq!(grant_ids(&mut sim, K1).len(), 2);
}

#[test]
fn grantee_principal_condition_limits_who_may_receive_grants() {
    let mut sim = lab();
    let role = format!("arn:aws:iam::{HOME}:role/app-role");
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            &format!(
                r#"{{"Sid":"CarolGrantsToApp","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:user/carol"}},"Action":"kms:CreateGrant","Resource":"*","Condition":{{"StringEquals":{{"kms:GranteePrincipal":"{role}"}}}}}}"#
            ),
        ],
    );
    sim.create_grant(&who("carol"), grant_req(K1, &role, &["Encrypt"]))
        .unwrap();
    assert!(is_denied(sim.create_grant(
        &who("carol"),
        grant_req(K1, &user_arn("alice"), &["Encrypt"])
    )));
    // The role's sessions use the grant.
    sim.encrypt(&Caller::new("app-role"), encrypt_req(K1, ctx(&[]), &[]))
        .unwrap();
    sim.encrypt(
        &Caller::new(format!("arn:aws:sts::{HOME}:assumed-role/app-role/nightly")),
        encrypt_req(K1, ctx(&[]), &[]),
    )
    .unwrap();
}

#[test]
fn caller_account_condition() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K2,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"AnyoneInPartner","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:DescribeKey","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"444455556666"}}}"#,
        ],
    );
    sim.world_mut()
        .put_identity_policy(
            PARTNER_USER,
            "describe",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}]}"#,
        )
        .unwrap();
    let describe = |sim: &mut Simulator, caller: &str| {
        sim.describe_key(
            &Caller::new(caller),
            DescribeKeyRequest {
                key_id: key_arn(K2),
                grant_tokens: None,
            },
        )
    };
    describe(&mut sim, PARTNER_USER).unwrap();
    // Alice is in the home account: the statement's condition is false for her.
    assert!(is_denied(describe(&mut sim, &user_arn("alice"))));
    set_policy(
        &mut sim,
        K2,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"AnyoneInHome","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:DescribeKey","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}"#,
        ],
    );
    describe(&mut sim, &user_arn("alice")).unwrap();
    assert!(is_denied(describe(&mut sim, PARTNER_USER)));
}

#[test]
fn via_service_condition() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"AliceThroughEc2","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"ec2.eu-west-1.amazonaws.com"}}}"#,
        ],
    );
    let via = |svc: &str| Caller::new("alice").via(svc);
    sim.encrypt(
        &via("ec2.eu-west-1.amazonaws.com"),
        encrypt_req(K1, ctx(&[]), &[]),
    )
    .unwrap();
    assert!(is_denied(sim.encrypt(
        &via("s3.eu-west-1.amazonaws.com"),
        encrypt_req(K1, ctx(&[]), &[])
    )));
    assert!(is_denied(encrypt(&mut sim, "alice", K1)));
}

#[test]
fn an_unevaluable_condition_fails_closed_for_allow_and_is_reported() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"OfficeOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#,
        ],
    );
    let e = expect_err(encrypt(&mut sim, "alice", K1));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let entry = last_activity(&sim);
    assert_eq!(entry.outcome, Outcome::Denied);
    assert!(!entry.unevaluated.is_empty());
    assert!(
        entry
            .unevaluated
            .iter()
            .any(|n| n.contains("\"OfficeOnly\"") && n.contains("IpAddress")),
        "{:?}",
        entry.unevaluated
    );
    // A StringEquals on an unknown key fails closed too.
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"FromVpc","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}"#,
        ],
    );
    assert!(is_denied(encrypt(&mut sim, "alice", K1)));
    assert!(last_activity(&sim)
        .unevaluated
        .iter()
        .any(|n| n.contains("aws:SourceVpc")));
}

#[test]
fn an_unevaluable_condition_applies_for_deny_and_is_reported() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"OutsideNetwork","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#,
        ],
    );
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[]));
    let e = expect_err(sim.decrypt(&admin(), decrypt_req(&blob, ctx(&[]))));
    assert_eq!(
        e.message,
        denied(
            &user_arn("admin"),
            "kms:Decrypt",
            &key_arn(K1),
            "with an explicit deny in a resource-based policy"
        )
    );
    let entry = last_activity(&sim);
    assert!(
        entry.unevaluated.iter().any(|n| n.contains("NotIpAddress")),
        "{:?}",
        entry.unevaluated
    );
    // Allowed calls that met no unevaluable condition report nothing.
    encrypt(&mut sim, "admin", K1).unwrap();
    assert!(last_activity(&sim).unevaluated.is_empty());
}

// ------------------------------------------------------------------ key state beats grants

#[test]
fn a_disabled_key_refuses_crypto_whatever_the_grants_say() {
    let mut sim = lab();
    grant(&mut sim, K1, "alice", &["Encrypt"]);
    sim.disable_key(&admin(), KeyIdRequest { key_id: K1.into() })
        .unwrap();
    let e = expect_err(encrypt(&mut sim, "alice", K1));
    assert_eq!(e.code, ErrorCode::DisabledException);
    assert_eq!(e.message, format!("{} is disabled.", key_arn(K1)));
}

// ------------------------------------------------------------------ principals

#[test]
fn a_grant_to_one_role_session_is_not_a_grant_to_the_role() {
    let mut sim = lab();
    let session = format!("arn:aws:sts::{HOME}:assumed-role/app-role/batch");
    sim.create_grant(&admin(), grant_req(K1, &session, &["Encrypt"]))
        .unwrap();
    sim.encrypt(
        &Caller::new(session.as_str()),
        encrypt_req(K1, ctx(&[]), &[]),
    )
    .unwrap();
    assert!(is_denied(sim.encrypt(
        &Caller::new(format!("arn:aws:sts::{HOME}:assumed-role/app-role/other")),
        encrypt_req(K1, ctx(&[]), &[])
    )));
}

#[test]
fn a_deleted_principals_grants_show_its_unique_id() {
    let mut sim = lab();
    let mut req = grant_req(K1, &user_arn("bob"), &["Encrypt"]);
    req.retiring_principal = Some(user_arn("bob"));
    sim.create_grant(&admin(), req).unwrap();
    sim.world_mut().delete_principal("bob").unwrap();
    let listed = all_grants(&mut sim, K1, None);
    assert_eq!(listed[0].grantee(), "AIDABOB00000000000001");
    assert_eq!(
        listed[0].retiring_principal.as_deref(),
        Some("AIDABOB00000000000001")
    );
    // ListGrants can filter by that unique id.
    let by_id = sim
        .list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: K1.into(),
                grantee_principal: Some("AIDABOB00000000000001".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(by_id.grants.len(), 1);
    // The deleted user can no longer call at all, nor receive new grants.
    let e = expect_err(encrypt(&mut sim, &user_arn("bob"), K1));
    assert_eq!(e.code, ErrorCode::UnrecognizedClientException);
    let e = expect_err(sim.create_grant(&admin(), grant_req(K1, &user_arn("bob"), &["Encrypt"])));
    assert_eq!(e.code, ErrorCode::InvalidArnException);
}

#[test]
fn a_recreated_principal_does_not_inherit_the_old_grants() {
    let mut sim = lab();
    grant(&mut sim, K1, "bob", &["Encrypt"]);
    encrypt(&mut sim, "bob", K1).unwrap();
    sim.world_mut().delete_principal("bob").unwrap();
    let home = AccountId::parse(HOME).unwrap();
    let new_id = sim
        .world_mut()
        .create_principal(&home, PrincipalKind::User, "bob", None)
        .unwrap()
        .unique_id
        .clone();
    assert!(new_id.starts_with("AIDA") && new_id.len() == 21, "{new_id}");
    assert_ne!(new_id, "AIDABOB00000000000001");
    let e = expect_err(encrypt(&mut sim, "bob", K1));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(
        e.message,
        denied(
            &user_arn("bob"),
            "kms:Encrypt",
            &key_arn(K1),
            &no_identity_policy("kms:Encrypt")
        )
    );
    // The old grant still names the old identity.
    assert_eq!(
        all_grants(&mut sim, K1, None)[0].grantee(),
        "AIDABOB00000000000001"
    );
    // A new grant to the new bob works.
    grant(&mut sim, K1, "bob", &["Encrypt"]);
    encrypt(&mut sim, "bob", K1).unwrap();
}

#[test]
fn the_account_root_is_allowed_by_the_default_key_policy() {
    let mut sim = lab();
    sim.encrypt(&Caller::new(root_arn(HOME)), encrypt_req(K1, ctx(&[]), &[]))
        .unwrap();
    assert!(last_activity(&sim)
        .why
        .contains("\"Enable IAM User Permissions\""));
    // An unknown caller is not a principal at all.
    let e = expect_err(encrypt(&mut sim, "nobody", K1));
    assert_eq!(e.code, ErrorCode::UnrecognizedClientException);
    assert_eq!(
        last_activity(&sim).outcome,
        Outcome::Failed {
            code: ErrorCode::UnrecognizedClientException
        }
    );
}

#[test]
fn grant_is_for_aws_resource_condition_admits_grants_made_through_a_service() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"AliceThroughServices","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}"#,
        ],
    );
    let req = grant_req(K1, &user_arn("bob"), &["Decrypt"]);
    sim.create_grant(
        &Caller::new("alice").via("ec2.eu-west-1.amazonaws.com"),
        req.clone(),
    )
    .unwrap();
    assert!(is_denied(sim.create_grant(&who("alice"), req)));
}

#[test]
fn cross_account_callers_may_name_the_key_by_alias_arn() {
    let mut sim = lab();
    set_policy(
        &mut sim,
        K1,
        &[
            ROOT_DELEGATION,
            r#"{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Encrypt","Resource":"*"}"#,
        ],
    );
    sim.world_mut()
        .put_identity_policy(
            PARTNER_USER,
            "encrypt",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}"#,
        )
        .unwrap();
    let alias_arn = format!("arn:aws:kms:{REGION}:{HOME}:alias/k1");
    assert_eq!(
        partner_encrypt(&mut sim, &alias_arn).unwrap().key_id,
        key_arn(K1)
    );
    // A bare alias name means an alias of the caller's own account.
    assert_eq!(
        expect_err(partner_encrypt(&mut sim, "alias/k1")).code,
        ErrorCode::NotFoundException
    );
}

#[test]
fn describe_key_and_decrypt_accept_grant_tokens() {
    let mut sim = lab_with_delay(Duration::from_secs(60));
    let g = grant(&mut sim, K1, "alice", &["DescribeKey", "Decrypt"]);
    let describe = |sim: &mut Simulator, tokens: Option<Vec<String>>| {
        sim.describe_key(
            &who("alice"),
            DescribeKeyRequest {
                key_id: K1.into(),
                grant_tokens: tokens,
            },
        )
    };
    assert!(is_denied(describe(&mut sim, None)));
    describe(&mut sim, Some(vec![g.grant_token.clone()])).unwrap();
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[]));
    let mut req = decrypt_req(&blob, ctx(&[]));
    assert!(is_denied(sim.decrypt(&who("alice"), req.clone())));
    req.grant_tokens = Some(vec![g.grant_token]);
    assert_eq!(sim.decrypt(&who("alice"), req).unwrap().plaintext, b"hello");
}

#[test]
fn an_iam_policy_applies_only_to_the_resources_and_actions_it_names() {
    let mut sim = lab();
    sim.world_mut()
        .put_identity_policy(
            "alice",
            "k1-but-not-decrypt",
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","NotAction":"kms:Decrypt","Resource":"{}"}}]}}"#,
                key_arn(K1)
            ),
        )
        .unwrap();
    encrypt(&mut sim, "alice", K1).unwrap();
    assert!(last_activity(&sim).why.contains("k1-but-not-decrypt"));
    assert!(is_denied(encrypt(&mut sim, "alice", K2)));
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[]));
    assert!(is_denied(
        sim.decrypt(&who("alice"), decrypt_req(&blob, ctx(&[])))
    ));
}
