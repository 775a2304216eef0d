//! The WHY of a decision says what a class needs to hear at the moments grants surprise
//! people: a new grant used before it has propagated (and without its token), a revoked
//! grant that still authorizes while its removal propagates, and a grant whose
//! encryption-context constraint does not hold for the request. AWS's own error text is
//! never changed: only the simulator's activity log (the UI's event log) says more.

mod common;

use std::time::Duration;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::{ErrorCode, GrantConstraints};

fn subset(pairs: &[(&str, &str)]) -> GrantConstraints {
    GrantConstraints {
        encryption_context_subset: Some(ctx(pairs)),
        ..Default::default()
    }
}

#[test]
fn a_grant_not_yet_propagated_is_named_with_when_and_what_to_do() {
    let mut sim = lab_with_delay(Duration::from_secs(5));
    let g = grant(&mut sim, K1, "alice", &["Encrypt"]);
    sim.advance_clock(Duration::from_secs(2));
    let e = expect_err(encrypt(&mut sim, "alice", K1));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(
        e.message
            .starts_with("User: arn:aws:iam::111122223333:user/alice is not authorized"),
        "AWS's text is unchanged: {}",
        e.message
    );
    assert!(!e.message.contains("propagated"), "{}", e.message);
    let why = last_activity(&sim).why;
    let short = &g.grant_id[..12];
    assert!(
        why.ends_with(&format!(
            "; grant {short} exists but has not propagated yet (effective in 3 s); pass its token to use it now"
        )),
        "{why}"
    );
    // With its token, at once; and once propagated, without.
    encrypt_with_token(&mut sim, "alice", K1, &g.grant_token).expect("the token works now");
    assert!(last_activity(&sim)
        .why
        .contains("effective now through its grant token"));
    sim.advance_clock(Duration::from_secs(3));
    encrypt(&mut sim, "alice", K1).expect("propagated");
    assert!(last_activity(&sim).why.ends_with("(propagated)"));
}

#[test]
fn a_revoked_grant_that_still_works_says_when_it_stops() {
    let mut sim = lab_with_delay(Duration::from_secs(5));
    let g = grant(&mut sim, K1, "alice", &["Encrypt"]);
    sim.advance_clock(Duration::from_secs(5));
    sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: g.grant_id.clone(),
            dry_run: None,
        },
    )
    .expect("revoked");
    sim.advance_clock(Duration::from_secs(2));
    encrypt(&mut sim, "alice", K1).expect("still authorizes while the removal propagates");
    let why = last_activity(&sim).why;
    assert!(
        why.ends_with(&format!(
            "allowed by grant {}, which was revoked 2 s ago and stops working in 3 s (a removal takes time to propagate)",
            &g.grant_id[..12]
        )),
        "{why}"
    );
    sim.advance_clock(Duration::from_secs(3));
    expect_err(encrypt(&mut sim, "alice", K1));
    assert!(
        !last_activity(&sim).why.contains(&g.grant_id[..12]),
        "a grant whose removal has propagated is gone from the story"
    );
}

#[test]
fn a_constraint_that_does_not_hold_is_named_with_the_pair_that_differs() {
    let mut sim = lab();
    let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt"]);
    req.constraints = Some(subset(&[("app", "orders")]));
    let g = sim.create_grant(&admin(), req).expect("granted");
    sim.advance_clock(Duration::from_secs(10));
    expect_err(encrypt_ctx(
        &mut sim,
        "alice",
        K1,
        ctx(&[("app", "billing")]),
    ));
    let why = last_activity(&sim).why;
    assert!(
        why.ends_with(&format!(
            "; grant {} would allow this but its EncryptionContextSubset {{app=orders}} does not match the request's context {{app=billing}} (app is billing, not orders)",
            &g.grant_id[..12]
        )),
        "{why}"
    );

    let mut req = grant_req(K2, &user_arn("alice"), &["Encrypt"]);
    req.constraints = Some(GrantConstraints {
        encryption_context_equals: Some(ctx(&[("app", "orders")])),
        ..Default::default()
    });
    sim.create_grant(&admin(), req).expect("granted");
    sim.advance_clock(Duration::from_secs(10));
    expect_err(encrypt_ctx(
        &mut sim,
        "alice",
        K2,
        ctx(&[("app", "orders"), ("env", "prod")]),
    ));
    let why = last_activity(&sim).why;
    assert!(
        why.ends_with(
            "does not match the request's context {app=orders, env=prod} (env=prod is extra)"
        ),
        "{why}"
    );
    expect_err(encrypt(&mut sim, "alice", K2));
    assert!(last_activity(&sim).why.ends_with("(app=orders is missing)"));
}
