//! Keys and aliases: CreateKey and its default policy, the four ways to name a key, key
//! states (disabled, pending deletion, cancelled, deleted) and what grants do in each, the
//! key policy lockout check, and alias rules.

mod common;

use std::time::Duration;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::policy::PolicyDocument;
use grantscope::kms::{ErrorCode, KeySpec, KeyState, KeyUsage};
use grantscope::sim::{Caller, Simulator};

fn describe(sim: &mut Simulator, key: &str) -> grantscope::kms::KmsResult<KeyMetadataResponse> {
    sim.describe_key(
        &admin(),
        DescribeKeyRequest {
            key_id: key.into(),
            grant_tokens: None,
        },
    )
}

fn state(sim: &mut Simulator, key: &str) -> KeyState {
    describe(sim, key).unwrap().key_metadata.key_state
}

fn schedule(
    sim: &mut Simulator,
    key: &str,
    days: i64,
) -> grantscope::kms::KmsResult<ScheduleKeyDeletionResponse> {
    sim.schedule_key_deletion(
        &admin(),
        ScheduleKeyDeletionRequest {
            key_id: key.into(),
            pending_window_in_days: Some(days),
        },
    )
}

#[test]
fn create_key_uses_the_default_key_policy() {
    let mut sim = lab();
    let meta = sim
        .create_key(
            &admin(),
            CreateKeyRequest {
                description: Some("made in a test".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .key_metadata;
    assert_eq!(meta.key_state, KeyState::Enabled);
    assert!(meta.enabled);
    assert_eq!(meta.key_spec, KeySpec::SymmetricDefault);
    assert_eq!(meta.key_usage, KeyUsage::EncryptDecrypt);
    assert_eq!(meta.arn, key_arn(&meta.key_id));
    assert_eq!(meta.aws_account_id, HOME);
    assert_eq!(meta.description, "made in a test");
    assert_eq!(
        meta.encryption_algorithms,
        Some(vec![grantscope::kms::EncryptionAlgorithm::SymmetricDefault])
    );
    let policy = sim
        .get_key_policy(
            &admin(),
            GetKeyPolicyRequest {
                key_id: meta.key_id.clone(),
                policy_name: None,
            },
        )
        .unwrap();
    assert_eq!(policy.policy_name, "default");
    let doc: serde_json::Value = serde_json::from_str(&policy.policy).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [{
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "kms:*",
                "Resource": "*"
            }]
        })
    );
    // Without IAM permissions nobody but the root can create keys.
    let e = expect_err(sim.create_key(&who("alice"), CreateKeyRequest::default()));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(
        e.message.contains("kms:CreateKey on resource: *"),
        "{}",
        e.message
    );
}

#[test]
fn create_key_makes_asymmetric_and_hmac_keys_with_their_metadata() {
    let mut sim = lab();
    let create = |sim: &mut Simulator, spec, usage| {
        sim.create_key(
            &admin(),
            CreateKeyRequest {
                key_spec: Some(spec),
                key_usage: usage,
                ..Default::default()
            },
        )
        .map(|r| r.key_metadata)
    };
    let hmac = create(&mut sim, KeySpec::Hmac256, None).unwrap();
    assert_eq!(hmac.key_usage, KeyUsage::GenerateVerifyMac);
    assert_eq!(
        hmac.mac_algorithms,
        Some(vec![grantscope::kms::MacAlgorithm::HmacSha256])
    );
    let rsa = create(&mut sim, KeySpec::Rsa2048, Some(KeyUsage::SignVerify)).unwrap();
    assert_eq!(rsa.key_usage, KeyUsage::SignVerify);
    assert!(rsa.signing_algorithms.is_some());
    let e = create(&mut sim, KeySpec::Hmac256, Some(KeyUsage::EncryptDecrypt)).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationException);
    // Encrypting with a MAC key is the wrong usage.
    let e = expect_err(encrypt(&mut sim, "admin", &hmac.key_id));
    assert_eq!(e.code, ErrorCode::InvalidKeyUsageException);
}

#[test]
fn describe_key_accepts_all_four_key_forms() {
    let mut sim = lab();
    let forms = [
        K1.to_string(),
        key_arn(K1),
        "alias/k1".to_string(),
        format!("arn:aws:kms:{REGION}:{HOME}:alias/k1"),
    ];
    for form in forms {
        assert_eq!(
            describe(&mut sim, &form).unwrap().key_metadata.key_id,
            K1,
            "{form}"
        );
    }
    for bad in [
        "alias/nope",
        "not-a-key",
        &format!("arn:aws:kms:us-east-1:{HOME}:key/{K1}"),
    ] {
        assert_eq!(
            expect_err(describe(&mut sim, bad)).code,
            ErrorCode::NotFoundException,
            "{bad}"
        );
    }
}

#[test]
fn a_disabled_key_refuses_use_but_grants_can_still_be_listed_retired_and_revoked() {
    let mut sim = lab();
    let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
    req.retiring_principal = Some(user_arn("bob"));
    let retirable = sim.create_grant(&admin(), req).unwrap();
    let revocable = grant(&mut sim, K1, "alice", &["Decrypt"]);
    sim.disable_key(&admin(), KeyIdRequest { key_id: K1.into() })
        .unwrap();
    assert_eq!(state(&mut sim, K1), KeyState::Disabled);
    assert!(!describe(&mut sim, K1).unwrap().key_metadata.enabled);
    let disabled = format!("{} is disabled.", key_arn(K1));
    for caller in ["admin", "alice"] {
        let e = expect_err(encrypt(&mut sim, caller, K1));
        assert_eq!(e.code, ErrorCode::DisabledException, "{caller}");
        assert_eq!(e.message, disabled);
    }
    let e = expect_err(sim.create_grant(&admin(), grant_req(K1, &user_arn("carol"), &["Encrypt"])));
    assert_eq!(e.code, ErrorCode::DisabledException);
    assert_eq!(e.message, disabled);
    assert_eq!(all_grants(&mut sim, K1, None).len(), 2);
    sim.retire_grant(
        &who("bob"),
        RetireGrantRequest {
            grant_token: Some(retirable.grant_token),
            ..Default::default()
        },
    )
    .unwrap();
    sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: revocable.grant_id,
            dry_run: None,
        },
    )
    .unwrap();
    assert!(all_grants(&mut sim, K1, None).is_empty());
    sim.enable_key(&admin(), KeyIdRequest { key_id: K1.into() })
        .unwrap();
    encrypt(&mut sim, "admin", K1).unwrap();
}

#[test]
fn a_key_pending_deletion_refuses_use_and_lists_its_grants() {
    let mut sim = lab();
    let g = grant(&mut sim, K1, "alice", &["Encrypt"]);
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[]));
    let out = schedule(&mut sim, K1, 7).unwrap();
    assert_eq!(out.key_state, KeyState::PendingDeletion);
    assert_eq!(out.pending_window_in_days, 7);
    assert_eq!(out.key_id, key_arn(K1));
    assert_eq!(
        out.deletion_date,
        Some(grantscope::kms::time::epoch_seconds(
            start() + chrono::Duration::days(7)
        ))
    );
    let pending = format!("{} is pending deletion.", key_arn(K1));
    let e = expect_err(encrypt(&mut sim, "alice", K1));
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    assert_eq!(e.message, pending);
    let e = expect_err(sim.decrypt(&admin(), decrypt_req(&blob, ctx(&[]))));
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    let e = expect_err(sim.create_grant(&admin(), grant_req(K1, &user_arn("bob"), &["Encrypt"])));
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    assert_eq!(e.message, pending);
    assert_eq!(grant_ids(&mut sim, K1), vec![g.grant_id.clone()]);
    let meta = describe(&mut sim, K1).unwrap().key_metadata;
    assert_eq!(meta.key_state, KeyState::PendingDeletion);
    assert_eq!(meta.pending_deletion_window_in_days, Some(7));
    // Scheduling again, enabling or disabling: the key is pending deletion.
    assert_eq!(
        expect_err(schedule(&mut sim, K1, 7)).code,
        ErrorCode::KmsInvalidStateException
    );
    assert_eq!(
        expect_err(sim.enable_key(&admin(), KeyIdRequest { key_id: K1.into() })).code,
        ErrorCode::KmsInvalidStateException
    );
    // Revoking works in this state too.
    sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: g.grant_id,
            dry_run: None,
        },
    )
    .unwrap();
    assert!(grant_ids(&mut sim, K1).is_empty());
}

#[test]
fn cancelling_deletion_leaves_the_key_disabled() {
    let mut sim = lab();
    grant(&mut sim, K1, "alice", &["Encrypt"]);
    schedule(&mut sim, K1, 30).unwrap();
    let out = sim
        .cancel_key_deletion(&admin(), KeyIdRequest { key_id: K1.into() })
        .unwrap();
    assert_eq!(out.key_id, key_arn(K1));
    let meta = describe(&mut sim, K1).unwrap().key_metadata;
    assert_eq!(meta.key_state, KeyState::Disabled);
    assert_eq!(meta.deletion_date, None);
    assert_eq!(meta.pending_deletion_window_in_days, None);
    // The old deletion date no longer deletes it.
    sim.advance_clock(Duration::from_secs(31 * 86_400));
    assert_eq!(state(&mut sim, K1), KeyState::Disabled);
    assert_eq!(
        expect_err(encrypt(&mut sim, "alice", K1)).code,
        ErrorCode::DisabledException
    );
    sim.enable_key(&admin(), KeyIdRequest { key_id: K1.into() })
        .unwrap();
    encrypt(&mut sim, "alice", K1).unwrap();
    assert_eq!(
        expect_err(sim.cancel_key_deletion(&admin(), KeyIdRequest { key_id: K1.into() })).code,
        ErrorCode::KmsInvalidStateException
    );
}

#[test]
fn a_key_is_gone_once_its_deletion_date_passes() {
    let mut sim = lab();
    let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
    req.retiring_principal = Some(user_arn("bob"));
    sim.create_grant(&admin(), req).unwrap();
    schedule(&mut sim, K1, 7).unwrap();
    sim.advance_clock(Duration::from_secs(7 * 86_400 - 1));
    assert_eq!(state(&mut sim, K1), KeyState::PendingDeletion);
    sim.advance_clock(Duration::from_secs(1));
    let e = expect_err(describe(&mut sim, K1));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert_eq!(
        expect_err(describe(&mut sim, "alias/k1")).code,
        ErrorCode::NotFoundException
    );
    assert!(sim.world().grants.is_empty());
    let retirable = sim
        .list_retirable_grants(
            &admin(),
            ListRetirableGrantsRequest {
                retiring_principal: Some(user_arn("bob")),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(retirable.grants.is_empty());
    let keys = sim.list_keys(&admin(), ListKeysRequest::default()).unwrap();
    assert_eq!(keys.keys.len(), 1);
    assert_eq!(keys.keys[0].key_id, K2);
}

#[test]
fn the_deletion_window_is_7_to_30_days() {
    let mut sim = lab();
    for days in [6, 31] {
        let e = expect_err(schedule(&mut sim, K1, days));
        assert_eq!(e.code, ErrorCode::ValidationException, "{days}");
        assert!(e.message.contains("pendingWindowInDays"), "{}", e.message);
    }
    assert_eq!(state(&mut sim, K1), KeyState::Enabled);
    let e = expect_err(sim.schedule_key_deletion(
        &who("alice"),
        ScheduleKeyDeletionRequest {
            key_id: K1.into(),
            pending_window_in_days: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

#[test]
fn put_key_policy_refuses_a_policy_that_locks_the_caller_out() {
    let mut sim = lab();
    let lockout = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AliceOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}]}"#;
    let put = |sim: &mut Simulator, policy: &str, bypass: Option<bool>| {
        sim.put_key_policy(
            &admin(),
            PutKeyPolicyRequest {
                key_id: K1.into(),
                policy_name: None,
                policy: policy.into(),
                bypass_policy_lockout_safety_check: bypass,
            },
        )
    };
    let e = expect_err(put(&mut sim, lockout, None));
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    assert_eq!(
        e.message,
        "The new key policy will not allow you to update the key policy in the future."
    );
    // Nothing changed: the admin still works through IAM.
    encrypt(&mut sim, "admin", K1).unwrap();
    // A policy that keeps the delegation passes the check.
    put(
        &mut sim,
        &PolicyDocument::default_key_policy_json(HOME),
        None,
    )
    .unwrap();
    // Malformed JSON, and an unknown policy name.
    let e = expect_err(put(&mut sim, "{not json", None));
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    let e = expect_err(sim.get_key_policy(
        &admin(),
        GetKeyPolicyRequest {
            key_id: K1.into(),
            policy_name: Some("other".into()),
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    // With the bypass flag the lockout goes through, and the admin is locked out.
    put(&mut sim, lockout, Some(true)).unwrap();
    let e = expect_err(encrypt(&mut sim, "admin", K1));
    assert_eq!(
        e.message,
        denied(
            &user_arn("admin"),
            "kms:Encrypt",
            &key_arn(K1),
            &no_resource_policy("kms:Encrypt")
        )
    );
    encrypt(&mut sim, "alice", K1).unwrap();
    // CreateKey applies the same check to the policy it is given.
    let e = expect_err(sim.create_key(
        &admin(),
        CreateKeyRequest {
            policy: Some(lockout.into()),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
}

#[test]
fn aliases_are_created_listed_and_deleted_with_aws_rules() {
    let mut sim = lab();
    let create = |sim: &mut Simulator, name: &str, key: &str| {
        sim.create_alias(
            &admin(),
            CreateAliasRequest {
                alias_name: name.into(),
                target_key_id: key.into(),
            },
        )
    };
    create(&mut sim, "alias/extra", K1).unwrap();
    encrypt(&mut sim, "admin", "alias/extra").unwrap();
    let e = expect_err(create(&mut sim, "alias/extra", K2));
    assert_eq!(e.code, ErrorCode::AlreadyExistsException);
    assert_eq!(
        expect_err(create(&mut sim, "alias/aws/ebs", K1)).code,
        ErrorCode::InvalidAliasNameException
    );
    assert_eq!(
        expect_err(create(&mut sim, "no-prefix", K1)).code,
        ErrorCode::ValidationException
    );
    assert_eq!(
        expect_err(create(&mut sim, "alias/x", "alias/k1")).code,
        ErrorCode::NotFoundException
    );
    let listed = sim
        .list_aliases(
            &admin(),
            ListAliasesRequest {
                key_id: Some(K1.into()),
                ..Default::default()
            },
        )
        .unwrap();
    let names: Vec<&str> = listed
        .aliases
        .iter()
        .map(|a| a.alias_name.as_str())
        .collect();
    assert_eq!(names, vec!["alias/extra", "alias/k1"]);
    assert_eq!(
        listed.aliases[0].alias_arn,
        format!("arn:aws:kms:{REGION}:{HOME}:alias/extra")
    );
    assert_eq!(listed.aliases[0].target_key_id.as_deref(), Some(K1));
    sim.delete_alias(
        &admin(),
        DeleteAliasRequest {
            alias_name: "alias/extra".into(),
        },
    )
    .unwrap();
    assert_eq!(
        expect_err(encrypt(&mut sim, "admin", "alias/extra")).code,
        ErrorCode::NotFoundException
    );
    assert_eq!(
        expect_err(sim.delete_alias(
            &admin(),
            DeleteAliasRequest {
                alias_name: "alias/extra".into()
            }
        ))
        .code,
        ErrorCode::NotFoundException
    );
    // No alias may be added to a key pending deletion.
    schedule(&mut sim, K2, 7).unwrap();
    assert_eq!(
        expect_err(create(&mut sim, "alias/late", K2)).code,
        ErrorCode::KmsInvalidStateException
    );
}

#[test]
fn key_administration_is_authorized_like_any_key_operation() {
    let mut sim = lab();
    for (name, result) in [
        (
            "DisableKey",
            sim.disable_key(&who("alice"), KeyIdRequest { key_id: K1.into() })
                .err(),
        ),
        (
            "EnableKey",
            sim.enable_key(&who("alice"), KeyIdRequest { key_id: K1.into() })
                .err(),
        ),
        (
            "GetKeyPolicy",
            sim.get_key_policy(
                &who("alice"),
                GetKeyPolicyRequest {
                    key_id: K1.into(),
                    policy_name: None,
                },
            )
            .err(),
        ),
    ] {
        let e = result.unwrap_or_else(|| panic!("{name} should be denied"));
        assert_eq!(e.code, ErrorCode::AccessDeniedException, "{name}");
        assert!(e.message.contains(&format!("kms:{name}")), "{}", e.message);
    }
    // Grants never authorize key administration.
    grant(
        &mut sim,
        K1,
        "alice",
        &[
            "Encrypt",
            "Decrypt",
            "CreateGrant",
            "RetireGrant",
            "DescribeKey",
        ],
    );
    assert_eq!(
        expect_err(sim.disable_key(&who("alice"), KeyIdRequest { key_id: K1.into() })).code,
        ErrorCode::AccessDeniedException
    );
    // The account root may do it without any IAM policy.
    sim.disable_key(
        &Caller::new(root_arn(HOME)),
        KeyIdRequest { key_id: K1.into() },
    )
    .unwrap();
    assert_eq!(state(&mut sim, K1), KeyState::Disabled);
}
