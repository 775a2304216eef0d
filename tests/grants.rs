//! CreateGrant and ListGrants: AWS's validation and its wording, per-key-type operations,
//! idempotency by Name, grant tokens, propagation, the quota, DryRun and the fields
//! ListGrants reports.

mod common;

use std::time::Duration;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::time::epoch_seconds;
use grantscope::kms::{ErrorCode, GrantConstraints, GrantOperation, KeySpec, KeyUsage};
use grantscope::sim::Caller;

// ------------------------------------------------------------------ validation

#[test]
fn unknown_operation_is_rejected_with_aws_enum_message() {
    let mut sim = lab();
    let e = expect_err(sim.create_grant(
        &admin(),
        grant_req(K1, &user_arn("alice"), &["Encrypt", "Encrypt*"]),
    ));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert_eq!(
        e.message,
        "1 validation error detected: Value '[Encrypt, Encrypt*]' at 'operations' failed to satisfy constraint: \
         Member must satisfy constraint: [Member must satisfy enum value set: [Decrypt, Encrypt, GenerateDataKey, \
         GenerateDataKeyWithoutPlaintext, ReEncryptFrom, ReEncryptTo, Sign, Verify, GetPublicKey, CreateGrant, \
         RetireGrant, DescribeKey, GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, GenerateMac, VerifyMac, \
         DeriveSharedSecret]]"
    );
    assert!(grant_ids(&mut sim, K1).is_empty());
}

#[test]
fn empty_operations_are_rejected() {
    let mut sim = lab();
    let e = expect_err(sim.create_grant(&admin(), grant_req(K1, &user_arn("alice"), &[])));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert_eq!(
        e.message,
        "1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
}

#[test]
fn grant_name_must_match_aws_pattern() {
    let mut sim = lab();
    for bad in ["has space", "semi;colon", "star*"] {
        let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
        req.name = Some(bad.into());
        let e = expect_err(sim.create_grant(&admin(), req));
        assert_eq!(e.code, ErrorCode::ValidationException, "{bad}");
        assert!(
            e.message.contains("at 'name'") && e.message.contains("^[a-zA-Z0-9:/_-]+$"),
            "{}",
            e.message
        );
    }
    let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
    req.name = Some("a".repeat(257));
    let e = expect_err(sim.create_grant(&admin(), req));
    assert!(
        e.message.contains("less than or equal to 256"),
        "{}",
        e.message
    );
    let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
    req.name = Some("ebs:vol-1/attach_2".into());
    sim.create_grant(&admin(), req).expect("a valid name");
}

#[test]
fn more_than_eight_constraint_pairs_are_rejected() {
    let mut sim = lab();
    let pairs = |n: usize| -> grantscope::kms::EncryptionContext {
        (0..n).map(|i| (format!("k{i}"), format!("v{i}"))).collect()
    };
    for (subset, equals) in [(Some(pairs(9)), None), (None, Some(pairs(9)))] {
        let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
        req.constraints = Some(GrantConstraints {
            source_arn: None,
            encryption_context_subset: subset,
            encryption_context_equals: equals,
        });
        let e = expect_err(sim.create_grant(&admin(), req));
        assert_eq!(e.code, ErrorCode::ValidationException);
        assert!(e.message.contains("at most 8"), "{}", e.message);
    }
    let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
    req.constraints = Some(GrantConstraints {
        source_arn: None,
        encryption_context_subset: Some(pairs(8)),
        encryption_context_equals: None,
    });
    sim.create_grant(&admin(), req)
        .expect("eight pairs are fine");
}

#[test]
fn more_than_ten_grant_tokens_are_rejected() {
    let mut sim = lab();
    let tokens: Vec<String> = (0..11)
        .map(|_| grant(&mut sim, K1, "alice", &["Encrypt"]).grant_token)
        .collect();
    let mut req = encrypt_req(K1, ctx(&[]), &[]);
    req.grant_tokens = Some(tokens.clone());
    let e = expect_err(sim.encrypt(&who("alice"), req.clone()));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(
        e.message.contains("at 'grantTokens'")
            && e.message
                .contains("Member must have length less than or equal to 10"),
        "{}",
        e.message
    );
    let mut create = grant_req(K1, &user_arn("bob"), &["Encrypt"]);
    create.grant_tokens = Some(tokens.clone());
    let e = expect_err(sim.create_grant(&admin(), create));
    assert_eq!(e.code, ErrorCode::ValidationException);
    req.grant_tokens = Some(tokens[..10].to_vec());
    sim.encrypt(&who("alice"), req)
        .expect("ten tokens are fine");
}

#[test]
fn invalid_grant_token_is_invalid_grant_token_exception() {
    let mut sim = lab();
    let forged = "AQpAMWIyNTQ4MjBiNDM3ZGY4MmQ2YzE1ZGVkNzg1M2QzZTI0NDc0YTVkYjcxYTU3NWU4";
    let e = expect_err(sim.encrypt(&who("alice"), encrypt_req(K1, ctx(&[]), &[forged])));
    assert_eq!(e.code, ErrorCode::InvalidGrantTokenException);
    let e = expect_err(sim.describe_key(
        &who("alice"),
        DescribeKeyRequest {
            key_id: K1.into(),
            grant_tokens: Some(vec![forged.into()]),
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidGrantTokenException);
    let mut req = grant_req(K1, &user_arn("bob"), &["Encrypt"]);
    req.grant_tokens = Some(vec![forged.into()]);
    assert_eq!(
        expect_err(sim.create_grant(&admin(), req)).code,
        ErrorCode::InvalidGrantTokenException
    );
    let e = expect_err(sim.retire_grant(
        &admin(),
        RetireGrantRequest {
            grant_token: Some(forged.into()),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidGrantTokenException);
    // A token issued by another world is not valid here either.
    let mut other = lab();
    let foreign = grant(&mut other, K1, "alice", &["Encrypt"]).grant_token;
    let e = expect_err(encrypt_with_token(&mut sim, "alice", K1, &foreign));
    assert_eq!(e.code, ErrorCode::InvalidGrantTokenException);
}

#[test]
fn malformed_grant_id_is_invalid_grant_id_exception() {
    let mut sim = lab();
    let e = expect_err(sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: "not-a-grant-id".into(),
            dry_run: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidGrantIdException);
    assert_eq!(e.message, "Invalid grant ID: not-a-grant-id");
    let e = expect_err(sim.retire_grant(
        &admin(),
        RetireGrantRequest {
            key_id: Some(K1.into()),
            grant_id: Some("abc".into()),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidGrantIdException);
    let e = expect_err(sim.list_grants(
        &admin(),
        ListGrantsRequest {
            key_id: K1.into(),
            grant_id: Some("xyz".into()),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidGrantIdException);
}

#[test]
fn unknown_grant_id_is_not_found() {
    let mut sim = lab();
    let unknown = "ab".repeat(32);
    let e = expect_err(sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: unknown.clone(),
            dry_run: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert!(e.message.contains(&unknown), "{}", e.message);
    let e = expect_err(sim.retire_grant(
        &admin(),
        RetireGrantRequest {
            key_id: Some(K1.into()),
            grant_id: Some(unknown),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    // A grant of another key is unknown on this one.
    let g = grant(&mut sim, K2, "alice", &["Encrypt"]);
    let e = expect_err(sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: g.grant_id.clone(),
            dry_run: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert_eq!(grant_ids(&mut sim, K2), vec![g.grant_id]);
}

#[test]
fn unknown_key_is_not_found() {
    let mut sim = lab();
    let missing = "99999999-9999-4999-8999-999999999999";
    let e = expect_err(sim.create_grant(
        &admin(),
        grant_req(missing, &user_arn("alice"), &["Encrypt"]),
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert_eq!(
        e.message,
        format!("Key '{}' does not exist", key_arn(missing))
    );
    let e = expect_err(sim.list_grants(
        &admin(),
        ListGrantsRequest {
            key_id: key_arn(missing),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    let e = expect_err(encrypt(&mut sim, "admin", missing));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    let e = expect_err(encrypt(&mut sim, "admin", "alias/missing"));
    assert_eq!(e.code, ErrorCode::NotFoundException);
}

#[test]
fn grant_operations_reject_aliases_that_crypto_operations_accept() {
    let mut sim = lab();
    let alias_arn = format!("arn:aws:kms:{REGION}:{HOME}:alias/k1");
    for alias in ["alias/k1", alias_arn.as_str()] {
        let e = expect_err(
            sim.create_grant(&admin(), grant_req(alias, &user_arn("alice"), &["Encrypt"])),
        );
        assert_eq!(e.code, ErrorCode::NotFoundException, "{alias}");
        let e = expect_err(sim.list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: alias.into(),
                ..Default::default()
            },
        ));
        assert_eq!(e.code, ErrorCode::NotFoundException, "{alias}");
        let out = encrypt(&mut sim, "admin", alias).expect("Encrypt takes an alias");
        assert_eq!(out.key_id, key_arn(K1));
        let d = sim
            .describe_key(
                &admin(),
                DescribeKeyRequest {
                    key_id: alias.into(),
                    grant_tokens: None,
                },
            )
            .expect("DescribeKey takes an alias");
        assert_eq!(d.key_metadata.key_id, K1);
    }
}

#[test]
fn grantee_must_be_an_existing_principal() {
    let mut sim = lab();
    let ghost = user_arn("ghost");
    let e = expect_err(sim.create_grant(&admin(), grant_req(K1, &ghost, &["Encrypt"])));
    assert_eq!(e.code, ErrorCode::InvalidArnException);
    assert_eq!(
        e.message,
        format!("ARN does not refer to a valid principal: {ghost}")
    );
    let e = expect_err(sim.create_grant(&admin(), grant_req(K1, "*", &["Encrypt"])));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("granteePrincipal"), "{}", e.message);
    let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
    req.retiring_principal = Some(user_arn("ghost"));
    assert_eq!(
        expect_err(sim.create_grant(&admin(), req)).code,
        ErrorCode::InvalidArnException
    );
    // Roots of known accounts, roles and service principals are fine.
    for grantee in [
        root_arn(PARTNER),
        format!("arn:aws:iam::{HOME}:role/app-role"),
        "ec2.amazonaws.com".to_string(),
    ] {
        sim.create_grant(&admin(), grant_req(K1, &grantee, &["Encrypt"]))
            .unwrap_or_else(|e| panic!("{grantee}: {e}"));
    }
}

// ------------------------------------------------------------------ operations per key type

fn create_key(
    sim: &mut grantscope::sim::Simulator,
    spec: KeySpec,
    usage: Option<KeyUsage>,
) -> String {
    sim.create_key(
        &admin(),
        CreateKeyRequest {
            key_spec: Some(spec),
            key_usage: usage,
            ..Default::default()
        },
    )
    .expect("admin creates a key")
    .key_metadata
    .key_id
}

#[test]
fn sign_on_symmetric_key_is_rejected() {
    let mut sim = lab();
    for op in [
        "Sign",
        "Verify",
        "GetPublicKey",
        "GenerateMac",
        "DeriveSharedSecret",
    ] {
        let e = expect_err(sim.create_grant(
            &admin(),
            grant_req(K1, &user_arn("alice"), &["Encrypt", op]),
        ));
        assert_eq!(e.code, ErrorCode::ValidationException, "{op}");
        assert!(
            e.message.contains(op) && e.message.contains("SYMMETRIC_DEFAULT"),
            "{}",
            e.message
        );
    }
    assert!(grant_ids(&mut sim, K1).is_empty());
}

#[test]
fn grant_operations_follow_the_key_type() {
    let mut sim = lab();
    let rsa_sign = create_key(&mut sim, KeySpec::Rsa2048, Some(KeyUsage::SignVerify));
    grant(
        &mut sim,
        &rsa_sign,
        "alice",
        &["Sign", "Verify", "GetPublicKey", "DescribeKey"],
    );
    for bad in ["Encrypt", "GenerateDataKey", "GenerateMac"] {
        let e = expect_err(
            sim.create_grant(&admin(), grant_req(&rsa_sign, &user_arn("alice"), &[bad])),
        );
        assert_eq!(
            e.code,
            ErrorCode::ValidationException,
            "{bad} on RSA sign key"
        );
    }
    let rsa_enc = create_key(&mut sim, KeySpec::Rsa2048, None);
    grant(
        &mut sim,
        &rsa_enc,
        "alice",
        &["Encrypt", "Decrypt", "GetPublicKey"],
    );
    let e = expect_err(sim.create_grant(
        &admin(),
        grant_req(&rsa_enc, &user_arn("alice"), &["GenerateDataKey"]),
    ));
    assert_eq!(e.code, ErrorCode::ValidationException);
    let hmac = create_key(&mut sim, KeySpec::Hmac256, None);
    grant(
        &mut sim,
        &hmac,
        "alice",
        &["GenerateMac", "VerifyMac", "CreateGrant", "RetireGrant"],
    );
    let e =
        expect_err(sim.create_grant(&admin(), grant_req(&hmac, &user_arn("alice"), &["Encrypt"])));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("HMAC_256"), "{}", e.message);
    // Encryption-context constraints are for symmetric encryption keys only.
    let mut req = grant_req(&hmac, &user_arn("alice"), &["GenerateMac"]);
    req.constraints = Some(GrantConstraints {
        source_arn: None,
        encryption_context_subset: Some(ctx(&[("a", "1")])),
        encryption_context_equals: None,
    });
    assert_eq!(
        expect_err(sim.create_grant(&admin(), req)).code,
        ErrorCode::ValidationException
    );
}

// ------------------------------------------------------------------ idempotency by Name

fn named(key: &str, grantee: &str, operations: &[&str], name: &str) -> CreateGrantRequest {
    let mut req = grant_req(key, &user_arn(grantee), operations);
    req.name = Some(name.into());
    req
}

#[test]
fn repeating_a_named_grant_returns_the_same_grant_with_a_fresh_token() {
    let mut sim = lab_with_delay(Duration::from_secs(60));
    let first = sim
        .create_grant(&admin(), named(K1, "alice", &["Encrypt", "Decrypt"], "app"))
        .unwrap();
    let again = sim
        .create_grant(&admin(), named(K1, "alice", &["Decrypt", "Encrypt"], "app"))
        .unwrap();
    assert_eq!(again.grant_id, first.grant_id);
    assert_ne!(again.grant_token, first.grant_token);
    assert_eq!(grant_ids(&mut sim, K1), vec![first.grant_id.clone()]);
    // Both tokens stand for the one grant.
    encrypt_with_token(&mut sim, "alice", K1, &first.grant_token).unwrap();
    encrypt_with_token(&mut sim, "alice", K1, &again.grant_token).unwrap();
    let listed = all_grants(&mut sim, K1, None);
    assert_eq!(listed[0].name, "app");
}

#[test]
fn same_name_with_different_parameters_creates_a_new_grant() {
    let mut sim = lab();
    let first = sim
        .create_grant(&admin(), named(K1, "alice", &["Encrypt"], "app"))
        .unwrap();
    let other_ops = sim
        .create_grant(&admin(), named(K1, "alice", &["Decrypt"], "app"))
        .unwrap();
    let other_grantee = sim
        .create_grant(&admin(), named(K1, "bob", &["Encrypt"], "app"))
        .unwrap();
    let mut constrained = named(K1, "alice", &["Encrypt"], "app");
    constrained.constraints = Some(GrantConstraints {
        source_arn: None,
        encryption_context_subset: Some(ctx(&[("a", "1")])),
        encryption_context_equals: None,
    });
    let other_constraints = sim.create_grant(&admin(), constrained).unwrap();
    let ids = [
        &first.grant_id,
        &other_ops.grant_id,
        &other_grantee.grant_id,
        &other_constraints.grant_id,
    ];
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(grant_ids(&mut sim, K1).len(), 4);
    // The original is still found by an identical repeat.
    let again = sim
        .create_grant(&admin(), named(K1, "alice", &["Encrypt"], "app"))
        .unwrap();
    assert_eq!(again.grant_id, first.grant_id);
}

#[test]
fn same_name_on_another_key_is_another_grant() {
    let mut sim = lab();
    let on_k1 = sim
        .create_grant(&admin(), named(K1, "alice", &["Encrypt"], "app"))
        .unwrap();
    let on_k2 = sim
        .create_grant(&admin(), named(K2, "alice", &["Encrypt"], "app"))
        .unwrap();
    assert_ne!(on_k1.grant_id, on_k2.grant_id);
    assert_eq!(grant_ids(&mut sim, K1), vec![on_k1.grant_id]);
    assert_eq!(grant_ids(&mut sim, K2), vec![on_k2.grant_id]);
}

#[test]
fn a_retired_named_grant_is_not_returned_by_a_repeat() {
    let mut sim = lab();
    let mut req = named(K1, "alice", &["Encrypt"], "app");
    req.retiring_principal = Some(user_arn("alice"));
    let first = sim.create_grant(&admin(), req.clone()).unwrap();
    sim.retire_grant(
        &who("alice"),
        RetireGrantRequest {
            grant_token: Some(first.grant_token),
            ..Default::default()
        },
    )
    .unwrap();
    let second = sim.create_grant(&admin(), req).unwrap();
    assert_ne!(second.grant_id, first.grant_id);
    assert_eq!(grant_ids(&mut sim, K1), vec![second.grant_id]);
}

// ------------------------------------------------------------------ tokens and propagation

#[test]
fn new_grant_authorizes_with_its_token_at_once_and_without_it_after_propagation() {
    let mut sim = lab_with_delay(Duration::from_secs(300));
    let g = grant(&mut sim, K1, "alice", &["Encrypt"]);
    encrypt_with_token(&mut sim, "alice", K1, &g.grant_token).unwrap();
    assert_eq!(
        expect_err(encrypt(&mut sim, "alice", K1)).code,
        ErrorCode::AccessDeniedException
    );
    sim.advance_clock(Duration::from_secs(299));
    assert_eq!(
        expect_err(encrypt(&mut sim, "alice", K1)).code,
        ErrorCode::AccessDeniedException
    );
    sim.advance_clock(Duration::from_secs(1));
    encrypt(&mut sim, "alice", K1).unwrap();
    // Once propagated, KMS uses the grant: the token is not needed, and still accepted.
    encrypt_with_token(&mut sim, "alice", K1, &g.grant_token).unwrap();
}

#[test]
fn a_grant_token_authorizes_only_its_own_grant() {
    let mut sim = lab_with_delay(Duration::from_secs(300));
    let alices = grant(&mut sim, K1, "alice", &["Encrypt"]);
    let bobs_decrypt = grant(&mut sim, K1, "bob", &["Decrypt"]);
    let _bobs_k2 = grant(&mut sim, K2, "bob", &["Encrypt"]);
    // Bob presents Alice's token: it is a valid token, but not for a grant of Bob's.
    let e = expect_err(encrypt_with_token(&mut sim, "bob", K1, &alices.grant_token));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    // Bob's Decrypt grant token does not make Encrypt work.
    let e = expect_err(encrypt_with_token(
        &mut sim,
        "bob",
        K1,
        &bobs_decrypt.grant_token,
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    // Alice's token on another key does nothing there.
    let e = expect_err(encrypt_with_token(
        &mut sim,
        "alice",
        K2,
        &alices.grant_token,
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    // And for Alice on K1 it works.
    encrypt_with_token(&mut sim, "alice", K1, &alices.grant_token).unwrap();
}

#[test]
fn a_token_of_a_retired_grant_authorizes_nothing() {
    let mut sim = lab_with_delay(Duration::from_secs(60));
    let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
    req.retiring_principal = Some(user_arn("alice"));
    let g = sim.create_grant(&admin(), req).unwrap();
    sim.retire_grant(
        &who("alice"),
        RetireGrantRequest {
            grant_token: Some(g.grant_token.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    // Still a well-formed token: AccessDenied, not InvalidGrantToken.
    let e = expect_err(encrypt_with_token(&mut sim, "alice", K1, &g.grant_token));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    sim.advance_clock(Duration::from_secs(120));
    let e = expect_err(encrypt_with_token(&mut sim, "alice", K1, &g.grant_token));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let e = expect_err(sim.retire_grant(
        &who("alice"),
        RetireGrantRequest {
            grant_token: Some(g.grant_token),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
}

// ------------------------------------------------------------------ ListGrants

#[test]
fn list_grants_reports_creation_date_issuing_account_and_every_field() {
    let mut sim = lab();
    sim.advance_clock(Duration::from_secs(90));
    let mut req = grant_req(
        K1,
        &format!("arn:aws:iam::{HOME}:role/app-role"),
        &["Encrypt", "Decrypt"],
    );
    req.retiring_principal = Some(user_arn("admin"));
    req.name = Some("app-writer".into());
    req.constraints = Some(GrantConstraints {
        source_arn: None,
        encryption_context_subset: Some(ctx(&[("app", "orders")])),
        encryption_context_equals: None,
    });
    let g = sim.create_grant(&admin(), req).unwrap();
    let listed = all_grants(&mut sim, K1, None);
    assert_eq!(listed.len(), 1);
    let e = &listed[0];
    assert_eq!(e.key_id, key_arn(K1));
    assert_eq!(e.grant_id, g.grant_id);
    assert_eq!(e.name, "app-writer");
    assert_eq!(
        e.creation_date,
        Some(epoch_seconds(start() + chrono::Duration::seconds(90)))
    );
    assert_eq!(e.grantee(), format!("arn:aws:iam::{HOME}:role/app-role"));
    assert_eq!(
        e.retiring_principal.as_deref(),
        Some(user_arn("admin").as_str())
    );
    assert_eq!(e.issuing_account.as_deref(), Some(root_arn(HOME).as_str()));
    assert_eq!(
        e.operations,
        vec![GrantOperation::Encrypt, GrantOperation::Decrypt]
    );
    let json = serde_json::to_value(e).unwrap();
    assert_eq!(
        json["Constraints"],
        serde_json::json!({"EncryptionContextSubset": {"app": "orders"}})
    );
    assert_eq!(json["RetiringPrincipal"], user_arn("admin"));
}

#[test]
fn list_grants_filters_by_grant_id_and_grantee() {
    let mut sim = lab();
    let a = grant(&mut sim, K1, "alice", &["Encrypt"]);
    let b1 = grant(&mut sim, K1, "bob", &["Encrypt"]);
    let b2 = grant(&mut sim, K1, "bob", &["Decrypt"]);
    let by_grantee = sim
        .list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: K1.into(),
                grantee_principal: Some(user_arn("bob")),
                ..Default::default()
            },
        )
        .unwrap();
    let ids: Vec<String> = by_grantee
        .grants
        .iter()
        .map(|g| g.grant_id.clone())
        .collect();
    assert_eq!(ids, vec![b1.grant_id.clone(), b2.grant_id]);
    let by_id = sim
        .list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: K1.into(),
                grant_id: Some(a.grant_id.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(by_id.grants.len(), 1);
    assert_eq!(by_id.grants[0].grant_id, a.grant_id);
}

/// API Reference, ListGrants `Limit`: "This value is optional. If you include a value, it
/// must be between 1 and 100, inclusive. If you do not include a value, it defaults to 50."
#[test]
fn list_grants_limit_must_be_1_to_100_and_defaults_to_50() {
    let mut sim = lab();
    for (n, words) in [
        (0, "greater than or equal to 1"),
        (-1, "greater than or equal to 1"),
        (101, "less than or equal to 100"),
        (1000, "less than or equal to 100"),
    ] {
        let e = expect_err(sim.list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: K1.into(),
                limit: Some(n),
                ..Default::default()
            },
        ));
        assert_eq!(e.code, ErrorCode::ValidationException, "{n}");
        assert_eq!(
            e.message,
            format!("1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value {words}")
        );
    }
    for _ in 0..120 {
        grant(&mut sim, K1, "alice", &["Encrypt"]);
    }
    let page = sim
        .list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: K1.into(),
                limit: Some(100),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.grants.len(), 100);
    assert!(page.truncated);
    let page = sim
        .list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: K1.into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.grants.len(), 50, "the default page size");
}

#[test]
fn a_bad_marker_is_invalid_marker_exception() {
    let mut sim = lab();
    for _ in 0..3 {
        grant(&mut sim, K1, "alice", &["Encrypt"]);
        grant(&mut sim, K2, "alice", &["Encrypt"]);
    }
    let e = expect_err(sim.list_grants(
        &admin(),
        ListGrantsRequest {
            key_id: K1.into(),
            marker: Some("bm90IGEgbWFya2Vy".into()),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidMarkerException);
    // A marker of K2's listing is not a marker of K1's.
    let k2_page = sim
        .list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: K2.into(),
                limit: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
    let e = expect_err(sim.list_grants(
        &admin(),
        ListGrantsRequest {
            key_id: K1.into(),
            marker: k2_page.next_marker,
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidMarkerException);
}

#[test]
fn list_grants_needs_permission() {
    let mut sim = lab();
    let e = expect_err(sim.list_grants(
        &who("alice"),
        ListGrantsRequest {
            key_id: K1.into(),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:ListGrants",
            &key_arn(K1),
            &no_identity_policy("kms:ListGrants")
        )
    );
}

// ------------------------------------------------------------------ DryRun and quota

#[test]
fn dry_run_reports_success_and_creates_nothing() {
    let mut sim = lab();
    let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
    req.dry_run = Some(true);
    let e = expect_err(sim.create_grant(&admin(), req.clone()));
    assert_eq!(e.code, ErrorCode::DryRunOperationException);
    assert_eq!(
        e.message,
        "The request would have succeeded, but the DryRun option is set."
    );
    assert!(grant_ids(&mut sim, K1).is_empty());
    assert!(sim.world().grants.is_empty());
    assert_eq!(
        expect_err(encrypt(&mut sim, "alice", K1)).code,
        ErrorCode::AccessDeniedException
    );
    // A request that would fail answers its normal error, DryRun or not.
    let e = expect_err(sim.create_grant(&who("bob"), req.clone()));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let mut bad = req.clone();
    bad.operations = ops(&["Bogus"]);
    assert_eq!(
        expect_err(sim.create_grant(&admin(), bad)).code,
        ErrorCode::ValidationException
    );
    // An identical named repeat under DryRun answers DryRun too, and still creates nothing.
    let mut named = grant_req(K1, &user_arn("carol"), &["Encrypt"]);
    named.name = Some("once".into());
    let first = sim.create_grant(&admin(), named.clone()).unwrap();
    named.dry_run = Some(true);
    assert_eq!(
        expect_err(sim.create_grant(&admin(), named)).code,
        ErrorCode::DryRunOperationException
    );
    assert_eq!(grant_ids(&mut sim, K1), vec![first.grant_id.clone()]);
    sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: first.grant_id,
            dry_run: None,
        },
    )
    .unwrap();
    // DryRun on RevokeGrant and RetireGrant removes nothing.
    let g = grant(&mut sim, K1, "alice", &["Encrypt"]);
    let e = expect_err(sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: g.grant_id.clone(),
            dry_run: Some(true),
        },
    ));
    assert_eq!(e.code, ErrorCode::DryRunOperationException);
    let e = expect_err(sim.retire_grant(
        &Caller::new(root_arn(HOME)),
        RetireGrantRequest {
            key_id: Some(K1.into()),
            grant_id: Some(g.grant_id.clone()),
            dry_run: Some(true),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::DryRunOperationException);
    assert_eq!(grant_ids(&mut sim, K1), vec![g.grant_id]);
    encrypt(&mut sim, "alice", K1).unwrap();
}

#[test]
fn a_key_holds_at_most_fifty_thousand_grants() {
    let scenario = format!(
        "{LAB}\n[[grants]]\nkey = \"alias/k1\"\ngrantee = \"bob\"\noperations = [\"Decrypt\"]\nname = \"bulk-{{n}}\"\ncount = 50000\n"
    );
    let mut sim = sim_from_toml(&scenario);
    assert_eq!(sim.world().listed_grant_count(K1), 50_000);
    let e = expect_err(sim.create_grant(&admin(), grant_req(K1, &user_arn("alice"), &["Encrypt"])));
    assert_eq!(e.code, ErrorCode::LimitExceededException);
    assert!(
        e.message.contains(&key_arn(K1)) && e.message.contains("50000"),
        "{}",
        e.message
    );
    // The quota is per key.
    grant(&mut sim, K2, "alice", &["Encrypt"]);
    // Alice's own access is unaffected by the crowd: once a slot frees, she gets a grant.
    let first = sim
        .list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: K1.into(),
                limit: Some(1),
                ..Default::default()
            },
        )
        .unwrap()
        .grants
        .remove(0);
    sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: first.grant_id,
            dry_run: None,
        },
    )
    .unwrap();
    grant(&mut sim, K1, "alice", &["Encrypt"]);
    encrypt(&mut sim, "alice", K1).unwrap();
    assert_eq!(
        expect_err(sim.create_grant(&admin(), grant_req(K1, &user_arn("alice"), &["Decrypt"])))
            .code,
        ErrorCode::LimitExceededException
    );
}
