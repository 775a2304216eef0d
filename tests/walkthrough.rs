//! The grants walkthrough (shared/seed/kms-grants-walkthrough.txt) played against the
//! engine, on the bundled `classroom` scenario with a manual clock: the user is denied, the
//! admin grants Encrypt, the token makes the grant work at once, propagation makes it work
//! without the token, and revoking takes it away again after propagation.

mod common;

use std::time::Duration;

use grantscope::kms::api::*;
use grantscope::kms::time::epoch_seconds;
use grantscope::kms::{ErrorCode, GrantOperation};
use grantscope::sim::{Caller, Clock, Outcome, Scenario, Simulator};

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN: &str = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER_ARN: &str = "arn:aws:iam::111122223333:user/granttestuser";
const ADMIN_ARN: &str = "arn:aws:iam::111122223333:user/admin";

fn denied_message(action: &str) -> String {
    format!(
        "User: {USER_ARN} is not authorized to perform: {action} on resource: {KEY_ARN} because no identity-based policy allows the {action} action"
    )
}

fn classroom() -> Simulator {
    let world = Scenario::load("classroom")
        .expect("the classroom scenario loads")
        .build_with_clock(Clock::manual(common::start()))
        .expect("the classroom scenario builds");
    Simulator::new(world)
}

fn user() -> Caller {
    Caller::new(USER_ARN)
}

fn admin() -> Caller {
    Caller::new(ADMIN_ARN)
}

fn hello(key: &str, tokens: &[&str]) -> EncryptRequest {
    common::encrypt_req(key, common::ctx(&[]), tokens)
}

#[test]
fn the_grants_walkthrough() -> Result<(), Box<dyn std::error::Error>> {
    let mut sim = classroom();
    assert_eq!(sim.world().propagation_delay, Duration::from_secs(5));

    // 1. The test user has no permissions: Encrypt is denied, by alias and by ARN, with
    //    AWS's exact words.
    for key in ["alias/classroom", KEY_ARN] {
        let e = common::expect_err(sim.encrypt(&user(), hello(key, &[])));
        assert_eq!(e.code, ErrorCode::AccessDeniedException, "{key}");
        assert_eq!(e.message, denied_message("kms:Encrypt"), "{key}");
        assert_eq!(e.http_status(), 400);
    }
    assert_eq!(
        denied_message("kms:Encrypt"),
        "User: arn:aws:iam::111122223333:user/granttestuser is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Encrypt action"
    );
    let entry = common::last_activity(&sim);
    assert_eq!(entry.outcome, Outcome::Denied);
    assert_eq!(entry.caller, USER_ARN);
    assert_eq!(entry.key.as_deref(), Some(KEY_ARN));
    assert_eq!(entry.grant, None);
    assert!(
        entry.why.contains("delegates to IAM") && entry.why.contains("no IAM policy"),
        "the denial explains itself: {}",
        entry.why
    );

    // 2. The admin grants Encrypt to the user.
    let created = sim.create_grant(
        &admin(),
        CreateGrantRequest {
            key_id: KEY_ARN.into(),
            grantee_principal: Some(USER_ARN.into()),
            operations: vec!["Encrypt".into()],
            ..Default::default()
        },
    )?;
    assert_eq!(created.grant_id.len(), 64);
    assert!(created.grant_id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(created
        .grant_token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let entry = common::last_activity(&sim);
    assert_eq!(entry.outcome, Outcome::Allowed);
    assert!(
        entry.why.contains("AdministratorAccess")
            && entry.why.contains("\"Enable IAM User Permissions\""),
        "the admin's CreateGrant names the IAM policy and the key policy statement: {}",
        entry.why
    );

    // 3. With the token, Encrypt works at once.
    let token = created.grant_token.as_str();
    let out = sim.encrypt(&user(), hello(KEY_ARN, &[token]))?;
    assert_eq!(out.key_id, KEY_ARN);
    assert_eq!(out.encryption_algorithm, "SYMMETRIC_DEFAULT");
    let entry = common::last_activity(&sim);
    assert_eq!(entry.outcome, Outcome::Allowed);
    assert_eq!(
        entry.grant.as_ref().map(|g| g.to_string()),
        Some(created.grant_id.clone())
    );
    assert!(
        entry.why.contains(&created.grant_id[..12]) && entry.why.contains("grant token"),
        "{}",
        entry.why
    );

    // 4. Without the token it is denied until the grant has propagated (5 s).
    let e = common::expect_err(sim.encrypt(&user(), hello("alias/classroom", &[])));
    assert_eq!(e.message, denied_message("kms:Encrypt"));
    sim.advance_clock(Duration::from_secs(4));
    let e = common::expect_err(sim.encrypt(&user(), hello(KEY_ARN, &[])));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    sim.advance_clock(Duration::from_secs(1));
    let ciphertext = sim
        .encrypt(&user(), hello("alias/classroom", &[]))?
        .ciphertext_blob;
    let entry = common::last_activity(&sim);
    assert!(entry.why.contains("propagated"), "{}", entry.why);
    assert_eq!(
        entry.grant.as_ref().map(|g| g.to_string()),
        Some(created.grant_id.clone())
    );

    // 5. The grant allows Encrypt only: Decrypt is still denied.
    let e = common::expect_err(
        sim.decrypt(&user(), common::decrypt_req(&ciphertext, common::ctx(&[]))),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(e.message, denied_message("kms:Decrypt"));
    let plain = sim.decrypt(&admin(), common::decrypt_req(&ciphertext, common::ctx(&[])))?;
    assert_eq!(plain.plaintext, b"hello");

    // 6. ListGrants shows the grant with every field AWS returns.
    let listed = sim.list_grants(
        &admin(),
        ListGrantsRequest {
            key_id: KEY_ARN.into(),
            ..Default::default()
        },
    )?;
    assert!(!listed.truncated);
    assert_eq!(listed.next_marker, None);
    assert_eq!(listed.grants.len(), 1);
    let g = &listed.grants[0];
    assert_eq!(g.key_id, KEY_ARN);
    assert_eq!(g.grant_id, created.grant_id);
    assert_eq!(g.name, "");
    assert_eq!(g.creation_date, Some(epoch_seconds(common::start())));
    assert_eq!(g.grantee(), USER_ARN);
    assert_eq!(g.retiring_principal, None);
    assert_eq!(
        g.issuing_account.as_deref(),
        Some("arn:aws:iam::111122223333:root")
    );
    assert_eq!(g.operations, vec![GrantOperation::Encrypt]);
    assert_eq!(g.constraints, None);
    let json = serde_json::to_value(g)?;
    let mut members: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    members.sort_unstable();
    assert_eq!(
        members,
        [
            "CreationDate",
            "GrantId",
            "GranteePrincipal",
            "IssuingAccount",
            "KeyId",
            "Name",
            "Operations"
        ]
    );
    assert!(json["CreationDate"].is_number());
    assert_eq!(json["Operations"], serde_json::json!(["Encrypt"]));

    // 7. RevokeGrant: gone from the list at once...
    sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: KEY_ARN.into(),
            grant_id: created.grant_id.clone(),
            dry_run: None,
        },
    )?;
    assert!(common::grant_ids(&mut sim, KEY_ID).is_empty());
    // ...but until the revocation propagates the grant may still authorize.
    sim.advance_clock(Duration::from_secs(2));
    sim.encrypt(&user(), hello(KEY_ARN, &[]))?;
    let entry = common::last_activity(&sim);
    assert_eq!(
        entry.grant.as_ref().map(|g| g.to_string()),
        Some(created.grant_id.clone())
    );
    // After propagation Encrypt is denied again, token or not.
    sim.advance_clock(Duration::from_secs(3));
    let e = common::expect_err(sim.encrypt(&user(), hello(KEY_ARN, &[])));
    assert_eq!(e.message, denied_message("kms:Encrypt"));
    let e = common::expect_err(sim.encrypt(&user(), hello(KEY_ARN, &[token])));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(e.message, denied_message("kms:Encrypt"));
    Ok(())
}

#[test]
fn revoked_grant_no_longer_authorizes_encrypt() -> Result<(), Box<dyn std::error::Error>> {
    let mut sim = classroom();
    let created = sim.create_grant(
        &admin(),
        CreateGrantRequest {
            key_id: KEY_ID.into(),
            grantee_principal: Some(USER_ARN.into()),
            operations: vec!["Encrypt".into()],
            ..Default::default()
        },
    )?;
    sim.advance_clock(Duration::from_secs(5));
    sim.encrypt(&user(), hello(KEY_ID, &[]))?;
    sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: KEY_ID.into(),
            grant_id: created.grant_id,
            dry_run: None,
        },
    )?;
    sim.advance_clock(Duration::from_secs(5));
    let e = common::expect_err(sim.encrypt(&user(), hello(KEY_ID, &[])));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    Ok(())
}

#[test]
fn the_activity_log_says_why_each_call_was_decided() -> Result<(), Box<dyn std::error::Error>> {
    let mut sim = classroom();
    let before = sim.world().activity.last().map_or(0, |e| e.seq);
    let _ = sim.encrypt(&user(), hello(KEY_ID, &[]));
    sim.encrypt(&admin(), hello(KEY_ID, &[]))?;
    let created = sim.create_grant(
        &admin(),
        CreateGrantRequest {
            key_id: KEY_ID.into(),
            grantee_principal: Some(USER_ARN.into()),
            operations: vec!["Encrypt".into()],
            ..Default::default()
        },
    )?;
    sim.encrypt(&user(), hello(KEY_ID, &[&created.grant_token]))?;
    let entries = sim.activity_since(before);
    assert_eq!(entries.len(), 4);
    let outcomes: Vec<&Outcome> = entries.iter().map(|e| &e.outcome).collect();
    assert_eq!(
        outcomes,
        [
            &Outcome::Denied,
            &Outcome::Allowed,
            &Outcome::Allowed,
            &Outcome::Allowed
        ]
    );
    assert!(entries[0].why.starts_with("denied"), "{}", entries[0].why);
    assert!(
        entries[1]
            .why
            .contains("key policy delegates to IAM in statement \"Enable IAM User Permissions\""),
        "{}",
        entries[1].why
    );
    assert_eq!(entries[1].grant, None);
    assert_eq!(
        entries[3].grant.as_ref().map(|g| g.to_string()),
        Some(created.grant_id.clone())
    );
    // The grant records its use.
    let g = sim
        .world()
        .grants
        .values()
        .find(|g| g.id.as_str() == created.grant_id)
        .expect("the grant exists");
    assert_eq!(g.use_count, 1);
    assert_eq!(g.last_used, Some(common::start()));
    Ok(())
}
