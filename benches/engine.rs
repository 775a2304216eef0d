//! Engine benchmarks: what a user of the simulator feels.
//! - one authorization decision for a grantee whose grant sits on a key holding 50,000
//!   grants held by others (the raw `sim::authorize::authorize` call, and a whole
//!   `Simulator::encrypt` of a small plaintext, which adds validation, AES-GCM and the
//!   activity log);
//! - Encrypt + Decrypt of 4 KiB through the engine;
//! - the worst case: a grantee whose own 49,998 grants on the key all fail to fit;
//! - asymmetric and HMAC keys: Sign and Verify (RSA_2048, ECC_NIST_P256), GenerateMac
//!   (HMAC_256) and GenerateDataKeyPair (ECC_NIST_P256, RSA_2048) as whole calls, through
//!   a grant (each call loads the key's PKCS #8 private key: that cost is in the figures).
//!
//! Run: `cargo bench --bench engine -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use chrono::TimeZone;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use grantscope::kms::api::{DecryptRequest, EncryptRequest};
use grantscope::kms::api_asymmetric::{
    GenerateDataKeyPairRequest, GenerateMacRequest, SignRequest, VerifyRequest,
};
use grantscope::kms::{
    DataKeyPairSpec, EncryptionContext, GrantOperation, MacAlgorithm, SigningAlgorithm,
};
use grantscope::sim::authorize::{authorize, AuthRequest, GrantUse};
use grantscope::sim::conditions::RequestFacts;
use grantscope::sim::{Caller, Clock, Scenario, Simulator};

const KEY: &str = "11111111-1111-4111-8111-111111111111";

/// One key with 50,000 grants: 49,998 held by a crowd, one Encrypt+Decrypt grant for
/// alice, one constrained grant for carol.
const WORLD: &str = r#"
name = "bench"
region = "eu-west-1"

[[accounts]]
id = "111122223333"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "alice"

[[principals]]
name = "carol"

[[principals]]
name = "crowd"

[[keys]]
id = "11111111-1111-4111-8111-111111111111"
aliases = ["alias/bench"]

[[grants]]
key = "alias/bench"
grantee = "crowd"
operations = ["Encrypt", "Decrypt"]
name = "crowd-{n}"
constraints = { subset = { tenant = "t-{n}" } }
count = 49998

[[grants]]
key = "alias/bench"
grantee = "alice"
operations = ["Encrypt", "Decrypt"]

[[grants]]
key = "alias/bench"
grantee = "carol"
operations = ["Encrypt"]
constraints = { subset = { dept = "it" } }
"#;

fn simulator() -> Simulator {
    let start = chrono::Utc
        .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
        .single()
        .expect("a valid date");
    let world = Scenario::parse(WORLD, "bench.toml", true)
        .and_then(|s| s.build_with_clock(Clock::manual(start)))
        .expect("the bench world builds");
    let sim = Simulator::new(world);
    assert_eq!(sim.world().listed_grant_count(KEY), 50_000);
    sim
}

fn encrypt_req(plaintext: Vec<u8>, context: &EncryptionContext) -> EncryptRequest {
    EncryptRequest {
        key_id: KEY.to_string(),
        plaintext,
        encryption_context: Some(context.clone()),
        ..Default::default()
    }
}

fn authorization(c: &mut Criterion) {
    let mut sim = simulator();
    let context: EncryptionContext = [("dept".to_string(), "it".to_string())].into();
    let mut group = c.benchmark_group("authorize Encrypt, key with 50,000 grants");

    {
        let world = sim.world();
        let key = &world.keys[KEY];
        let now = world.now();
        let context = &context;
        let decide = |who: &str| {
            let caller = world.resolve_caller(&Caller::new(who)).expect("caller");
            move || {
                authorize(
                    world,
                    &caller,
                    &AuthRequest {
                        action: "kms:Encrypt",
                        key: Some(key),
                        grant_use: GrantUse::Operation {
                            op: GrantOperation::Encrypt,
                            context: Some(context),
                        },
                        token_grants: &[],
                        facts: RequestFacts {
                            encryption_context: Some(context),
                            encryption_algorithm: Some("SYMMETRIC_DEFAULT"),
                            ..Default::default()
                        },
                    },
                    now,
                )
            }
        };
        let alice = decide("alice");
        assert!(
            alice().allowed && alice().grant().is_some(),
            "alice's grant decides"
        );
        group.bench_function("decision: allowed by the grantee's grant", |b| {
            b.iter(|| black_box(alice()))
        });
        let carol = decide("carol");
        assert!(
            carol().grant().is_some(),
            "carol's constrained grant decides"
        );
        group.bench_function("decision: allowed by a constrained grant", |b| {
            b.iter(|| black_box(carol()))
        });
        let admin = decide("admin");
        assert!(admin().allowed && admin().grant().is_none());
        group.bench_function("decision: allowed by IAM through the key policy", |b| {
            b.iter(|| black_box(admin()))
        });
    }

    let alice = Caller::new("alice");
    sim.encrypt(&alice, encrypt_req(b"hello".to_vec(), &context))
        .expect("alice encrypts");
    group.bench_function("Simulator::encrypt of 5 bytes (whole call)", |b| {
        b.iter(|| {
            black_box(
                sim.encrypt(&alice, encrypt_req(b"hello".to_vec(), &context))
                    .expect("alice encrypts"),
            )
        })
    });
    group.finish();
}

fn crypto_4k(c: &mut Criterion) {
    let mut sim = simulator();
    let alice = Caller::new("alice");
    let context: EncryptionContext = [("file".to_string(), "report".to_string())].into();
    let plaintext = vec![0x5a; 4096];
    let mut group = c.benchmark_group("4 KiB through the engine");
    group.throughput(Throughput::Bytes(4096));
    group.bench_function("Encrypt + Decrypt", |b| {
        b.iter(|| {
            let blob = sim
                .encrypt(&alice, encrypt_req(plaintext.clone(), &context))
                .expect("alice encrypts")
                .ciphertext_blob;
            let out = sim
                .decrypt(
                    &alice,
                    DecryptRequest {
                        ciphertext_blob: blob,
                        encryption_context: Some(context.clone()),
                        ..Default::default()
                    },
                )
                .expect("alice decrypts");
            black_box(out.plaintext.len())
        })
    });
    group.finish();
}

/// The worst case, for the record: a grantee that itself holds 49,998 grants on the key,
/// none of which fits the request, so every one of its grants is looked at.
fn worst_case(c: &mut Criterion) {
    let sim = simulator();
    let world = sim.world();
    let key = &world.keys[KEY];
    let caller = world.resolve_caller(&Caller::new("crowd")).expect("caller");
    let wrong: EncryptionContext = [("tenant".to_string(), "none".to_string())].into();
    let decide = || {
        authorize(
            world,
            &caller,
            &AuthRequest {
                action: "kms:Encrypt",
                key: Some(key),
                grant_use: GrantUse::Operation {
                    op: GrantOperation::Encrypt,
                    context: Some(&wrong),
                },
                token_grants: &[],
                facts: RequestFacts {
                    encryption_context: Some(&wrong),
                    ..Default::default()
                },
            },
            world.now(),
        )
    };
    assert!(!decide().allowed);
    let mut group = c.benchmark_group("authorize Encrypt, worst case");
    group.sample_size(10);
    group.bench_function(
        "denied to a grantee holding 49,998 non-matching grants",
        |b| b.iter(|| black_box(decide())),
    );
    group.finish();
}

/// A small world: one key of each kind, and a grant of its operations to alice.
const ASYMMETRIC_WORLD: &str = r#"
name = "bench-asymmetric"
region = "eu-west-1"

[[accounts]]
id = "111122223333"

[[principals]]
name = "alice"

[[keys]]
id = "aaaaaaaa-1111-4111-8111-111111111111"
spec = "RSA_2048"
usage = "SIGN_VERIFY"

[[keys]]
id = "bbbbbbbb-1111-4111-8111-111111111111"
spec = "ECC_NIST_P256"
usage = "SIGN_VERIFY"

[[keys]]
id = "cccccccc-1111-4111-8111-111111111111"
spec = "HMAC_256"

[[keys]]
id = "dddddddd-1111-4111-8111-111111111111"

[[grants]]
key = "aaaaaaaa-1111-4111-8111-111111111111"
grantee = "alice"
operations = ["Sign", "Verify"]

[[grants]]
key = "bbbbbbbb-1111-4111-8111-111111111111"
grantee = "alice"
operations = ["Sign", "Verify"]

[[grants]]
key = "cccccccc-1111-4111-8111-111111111111"
grantee = "alice"
operations = ["GenerateMac"]

[[grants]]
key = "dddddddd-1111-4111-8111-111111111111"
grantee = "alice"
operations = ["GenerateDataKeyPair"]
"#;

fn asymmetric(c: &mut Criterion) {
    let world = Scenario::parse(ASYMMETRIC_WORLD, "bench.toml", true)
        .and_then(|s| s.build())
        .expect("the asymmetric bench world builds");
    let mut sim = Simulator::new(world);
    let alice = Caller::new("alice");
    let message = b"a 32-byte message to be signed!!".to_vec();
    let mut group = c.benchmark_group("asymmetric keys through the engine");
    for (name, key, alg) in [
        (
            "RSA_2048",
            "aaaaaaaa-1111-4111-8111-111111111111",
            SigningAlgorithm::RsassaPssSha256,
        ),
        (
            "ECC_NIST_P256",
            "bbbbbbbb-1111-4111-8111-111111111111",
            SigningAlgorithm::EcdsaSha256,
        ),
    ] {
        let sign = SignRequest {
            key_id: key.into(),
            message: message.clone(),
            message_type: None,
            grant_tokens: None,
            signing_algorithm: alg,
            dry_run: None,
        };
        let signature = sim
            .sign(&alice, sign.clone())
            .expect("alice signs")
            .signature;
        group.bench_function(format!("Sign {name}"), |b| {
            b.iter(|| black_box(sim.sign(&alice, sign.clone()).expect("alice signs")))
        });
        let verify = VerifyRequest {
            key_id: key.into(),
            message: message.clone(),
            message_type: None,
            signature,
            signing_algorithm: alg,
            grant_tokens: None,
            dry_run: None,
        };
        group.bench_function(format!("Verify {name}"), |b| {
            b.iter(|| black_box(sim.verify(&alice, verify.clone()).expect("alice verifies")))
        });
    }
    let mac = GenerateMacRequest {
        message: message.clone(),
        key_id: "cccccccc-1111-4111-8111-111111111111".into(),
        mac_algorithm: MacAlgorithm::HmacSha256,
        grant_tokens: None,
        dry_run: None,
    };
    group.bench_function("GenerateMac HMAC_256", |b| {
        b.iter(|| black_box(sim.generate_mac(&alice, mac.clone()).expect("alice MACs")))
    });
    for (name, spec) in [
        ("ECC_NIST_P256", DataKeyPairSpec::EccNistP256),
        ("RSA_2048", DataKeyPairSpec::Rsa2048),
    ] {
        let req = GenerateDataKeyPairRequest {
            encryption_context: None,
            key_id: "dddddddd-1111-4111-8111-111111111111".into(),
            key_pair_spec: spec,
            grant_tokens: None,
            recipient: None,
            dry_run: None,
        };
        if spec == DataKeyPairSpec::Rsa2048 {
            group.sample_size(10);
        }
        group.bench_function(format!("GenerateDataKeyPair {name}"), |b| {
            b.iter(|| {
                black_box(
                    sim.generate_data_key_pair(&alice, req.clone())
                        .expect("a pair"),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, authorization, crypto_4k, worst_case, asymmetric);
criterion_main!(benches);
