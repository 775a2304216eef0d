//! The test-a-grant dialog on signing, HMAC and key agreement keys (and GenerateDataKeyPair
//! on a symmetric key), at every size people use (80x24, 100x30, 160x45): the operations
//! each key offers, what the test does, its result and the equivalent AWS CLI lines.
//! Answers are chosen so nothing random shows: DryRuns and denials.

mod tui_common;

use crossterm::event::{KeyCode, KeyModifiers};
use insta::assert_snapshot;

use grantscope::kms::GrantOperation as Op;
use grantscope::tui::dialogs::TestField;
use grantscope::tui::pane::Pane;
use tui_common::Harness;

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (160, 45)];

fn screens(h: &Harness) -> String {
    SIZES
        .iter()
        .map(|&(w, hgt)| format!("── {w}x{hgt} ──\n{}", h.screen(w, hgt)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The classroom with a signing key, an HMAC key and a key agreement key, a user with no
/// rights (outsider) and, on each, a grant for granttestuser of every operation it offers.
fn world() -> Harness {
    let mut text = include_str!("../assets/scenarios/classroom.toml").to_string();
    text.push_str(
        r#"
    [[principals]]
    name = "outsider"
    kind = "user"

    [[keys]]
    id = "aaaa1111-56ef-78ab-90cd-567890abcdef"
    aliases = ["alias/signing"]
    spec = "ECC_NIST_P256"
    usage = "SIGN_VERIFY"

    [[keys]]
    id = "bbbb2222-56ef-78ab-90cd-567890abcdef"
    aliases = ["alias/hmac"]
    spec = "HMAC_256"

    [[keys]]
    id = "cccc3333-56ef-78ab-90cd-567890abcdef"
    aliases = ["alias/agreement"]
    spec = "ECC_NIST_P384"
    usage = "KEY_AGREEMENT"

    [[keys]]
    id = "dddd4444-56ef-78ab-90cd-567890abcdef"
    aliases = ["alias/rsa"]
    spec = "RSA_2048"
    usage = "ENCRYPT_DECRYPT"

    [[grants]]
    key = "alias/rsa"
    grantee = "granttestuser"
    operations = ["Encrypt", "Decrypt"]
    name = "rsa-user"
    id = "6161616161616161616161616161616161616161616161616161616161616161"
    age = "1h"

    [[grants]]
    key = "alias/signing"
    grantee = "granttestuser"
    operations = ["Sign", "Verify", "GetPublicKey"]
    name = "signer"
    id = "5151515151515151515151515151515151515151515151515151515151515151"
    age = "1h"

    [[grants]]
    key = "alias/hmac"
    grantee = "granttestuser"
    operations = ["GenerateMac", "VerifyMac"]
    name = "macer"
    id = "3131313131313131313131313131313131313131313131313131313131313131"
    age = "1h"

    [[grants]]
    key = "alias/agreement"
    grantee = "granttestuser"
    operations = ["DeriveSharedSecret", "GetPublicKey"]
    name = "agreer"
    id = "4141414141414141414141414141414141414141414141414141414141414141"
    age = "1h"

    [[grants]]
    key = "alias/classroom"
    grantee = "granttestuser"
    operations = ["GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"]
    name = "pairs"
    id = "2121212121212121212121212121212121212121212121212121212121212121"
    age = "1h"
    "#,
    );
    Harness::from_toml(&text, "classroom")
}

fn select_key(h: &mut Harness, alias: &str) {
    h.focus(Pane::Keys);
    h.key(KeyCode::Home);
    for _ in 0..10 {
        if h.app
            .selected_key()
            .is_some_and(|k| k.aliases.iter().any(|a| a == alias))
        {
            return;
        }
        h.press('j');
    }
    panic!("{alias} is not in the keys pane");
}

#[test]
fn each_key_offers_only_the_operations_its_grants_can_allow() {
    let mut h = world();
    select_key(&mut h, "alias/signing");
    h.select_grant("signer");
    h.press('e');
    assert_eq!(
        h.grant_test().operations,
        vec![
            Op::Sign,
            Op::Verify,
            Op::GetPublicKey,
            Op::DescribeKey,
            Op::CreateGrant,
            Op::RetireGrant
        ]
    );
    assert_eq!(h.grant_test().operation, Op::Sign);
    h.key(KeyCode::Esc);
    select_key(&mut h, "alias/hmac");
    h.select_grant("macer");
    h.press('e');
    assert_eq!(h.grant_test().operation, Op::GenerateMac);
    assert!(!h.grant_test().operations.contains(&Op::Encrypt));
}

#[test]
fn a_granted_sign_is_performed_as_the_grantee() {
    let mut h = world();
    select_key(&mut h, "alias/signing");
    h.select_grant("signer");
    h.press('e');
    h.key(KeyCode::Enter);
    let out = h.grant_test().result.clone().unwrap().unwrap();
    assert!(out.allowed(), "{out:?}");
    assert!(out.caller.ends_with(":user/granttestuser"));
}

#[test]
fn test_a_grant_on_signing_mac_and_agreement_keys_at_every_size() {
    // (snapshot, key, grant, operation, turn DryRun on, act as)
    let cases = [
        (
            "sign_dry_run",
            "alias/signing",
            "signer",
            Op::Sign,
            true,
            None,
        ),
        (
            "verify_mac_denied",
            "alias/hmac",
            "macer",
            Op::VerifyMac,
            false,
            Some("outsider"),
        ),
        (
            "derive_shared_secret_dry_run",
            "alias/agreement",
            "agreer",
            Op::DeriveSharedSecret,
            true,
            None,
        ),
        (
            "data_key_pair_dry_run",
            "alias/classroom",
            "pairs",
            Op::GenerateDataKeyPair,
            true,
            None,
        ),
    ];
    for (name, key, grant, op, dry_run, actor) in cases {
        let mut h = world();
        select_key(&mut h, key);
        h.select_grant(grant);
        h.press('e');
        for _ in 0..20 {
            if h.grant_test().operation == op {
                break;
            }
            h.key(KeyCode::Right);
        }
        assert_eq!(h.grant_test().operation, op, "{name}");
        if dry_run {
            h.tab_to(TestField::DryRun);
            h.press(' ');
        }
        if let Some(who) = actor {
            h.tab_to(TestField::ActAs);
            h.key_with(KeyCode::Char('u'), KeyModifiers::CONTROL);
            h.type_text(who);
        }
        h.key(KeyCode::Enter);
        let result = h.grant_test().result.clone().expect("a result");
        let out = result.expect("the test ran");
        assert_eq!(out.allowed(), actor.is_none(), "{name}: {out:?}");
        assert_snapshot!(format!("test_a_grant_{name}"), screens(&h));
    }
}

#[test]
fn an_rsa_encryption_key_is_tested_with_rsaes_oaep() {
    use grantscope::backend::TestAnswer;
    let mut h = world();
    select_key(&mut h, "alias/rsa");
    h.select_grant("rsa-user");
    h.press('e');
    assert!(!h.grant_test().operations.contains(&Op::ReEncryptFrom));
    for op in [Op::Encrypt, Op::Decrypt] {
        for _ in 0..10 {
            if h.grant_test().operation == op {
                break;
            }
            h.key(KeyCode::Right);
        }
        h.key(KeyCode::Enter);
        let out = h.grant_test().result.clone().unwrap().unwrap();
        match out.result {
            Ok(TestAnswer::Encrypted { round_trip, .. }) => {
                assert_eq!(round_trip.as_deref(), Ok("hello"))
            }
            Ok(TestAnswer::Decrypted { plaintext }) => assert_eq!(plaintext, "hello"),
            other => panic!("{op}: {other:?}"),
        }
        assert!(h
            .grant_test()
            .cli_commands()
            .iter()
            .all(|c| !c.contains("re-encrypt")));
    }
}
