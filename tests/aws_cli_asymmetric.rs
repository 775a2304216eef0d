//! Asymmetric, HMAC and key agreement keys through `grantscope serve`, as their users drive
//! them: the real AWS CLI creates RSA, ECC, Ed25519 and HMAC keys, signs, verifies, gets
//! public keys, makes and checks MACs, asks for random bytes and data key pairs, derives
//! shared secrets; OpenSSL (`/usr/bin/openssl`, installed by `.ci/run`, required by
//! `tests/run`) checks every signature, the RSA OAEP ciphertext and the ECDH secret with
//! nothing but the public key GetPublicKey returned; the Rust SDK signs, verifies and
//! makes MACs. A grantee without policy access is denied, allowed with a grant token,
//! and denied again once the grant is revoked.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use serde_json::Value;
use support::{AwsCli, Server};

const USER: &str = "arn:aws:iam::111122223333:user/granttestuser";

/// The OpenSSL binary; a test that needs it fails (never skips) without it.
fn openssl(args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl").args(args).output().expect(
        "openssl is needed by this test (tests/run checks for it; apt-get install openssl)",
    );
    out
}

fn openssl_ok(args: &[&str]) -> String {
    let out = openssl(args);
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a base64 blob"))
        .expect("base64")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn fileb(p: &Path) -> String {
    format!("fileb://{}", p.display())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct World {
    cli: AwsCli,
    dir: tempfile::TempDir,
    _server: Server,
}

fn world() -> World {
    let server = Server::start(&["--scenario", "classroom", "--propagation-delay", "0s"]);
    let dir = tempfile::tempdir().unwrap();
    let cli = AwsCli::for_server(&server, dir.path(), &[]);
    World {
        cli,
        dir,
        _server: server,
    }
}

impl World {
    fn key(&self, spec: &str, usage: &str) -> String {
        let k = self.cli.ok(
            "admin",
            &[
                "kms",
                "create-key",
                "--key-spec",
                spec,
                "--key-usage",
                usage,
            ],
        );
        k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string()
    }

    /// The key's public key, written as DER for OpenSSL.
    fn public_key(&self, key: &str) -> (PathBuf, Value) {
        let out = self
            .cli
            .ok("admin", &["kms", "get-public-key", "--key-id", key]);
        let der = b64(&out["PublicKey"]);
        (write(self.dir.path(), &format!("{key}.pub.der"), &der), out)
    }

    fn sign(&self, key: &str, alg: &str, msg: &Path) -> PathBuf {
        let out = self.cli.ok(
            "admin",
            &[
                "kms",
                "sign",
                "--key-id",
                key,
                "--message",
                &fileb(msg),
                "--message-type",
                "RAW",
                "--signing-algorithm",
                alg,
            ],
        );
        assert_eq!(out["SigningAlgorithm"], alg);
        write(
            self.dir.path(),
            &format!("{key}.{alg}.sig"),
            &b64(&out["Signature"]),
        )
    }
}

#[test]
fn signatures_from_serve_verify_with_openssl_and_with_verify() {
    let w = world();
    let msg = write(w.dir.path(), "msg", b"a message to sign");
    // (key spec, signing algorithm, openssl dgst options)
    let cases: [(&str, &str, &[&str]); 5] = [
        ("ECC_NIST_P256", "ECDSA_SHA_256", &["-sha256"]),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256", &["-sha256"]),
        ("ECC_NIST_P521", "ECDSA_SHA_512", &["-sha512"]),
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", &["-sha256"]),
        (
            "RSA_2048",
            "RSASSA_PSS_SHA_384",
            &[
                "-sha384",
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:-1",
            ],
        ),
    ];
    for (spec, alg, opts) in cases {
        let key = w.key(spec, "SIGN_VERIFY");
        let (public, meta) = w.public_key(&key);
        assert_eq!(meta["KeySpec"], spec);
        assert_eq!(meta["KeyUsage"], "SIGN_VERIFY");
        assert!(meta.get("EncryptionAlgorithms").is_none(), "{meta}");
        let sig = w.sign(&key, alg, &msg);
        let mut args = vec!["dgst"];
        args.extend_from_slice(opts);
        args.extend([
            "-keyform",
            "DER",
            "-verify",
            s(&public),
            "-signature",
            s(&sig),
            s(&msg),
        ]);
        assert!(openssl_ok(&args).contains("Verified OK"), "{spec} {alg}");
        let ok = w.cli.ok(
            "admin",
            &[
                "kms",
                "verify",
                "--key-id",
                &key,
                "--message",
                &fileb(&msg),
                "--signature",
                &fileb(&sig),
                "--signing-algorithm",
                alg,
            ],
        );
        assert_eq!(ok["SignatureValid"], true);
    }
    // Ed25519: OpenSSL verifies the raw message.
    let key = w.key("ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
    let (public, _) = w.public_key(&key);
    let sig = w.sign(&key, "ED25519_SHA_512", &msg);
    let out = openssl_ok(&[
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        s(&public),
        "-keyform",
        "DER",
        "-rawin",
        "-in",
        s(&msg),
        "-sigfile",
        s(&sig),
    ]);
    assert!(out.contains("Signature Verified Successfully"), "{out}");
    // A signature of another message fails Verify with AWS's error.
    let other = write(w.dir.path(), "other", b"another message");
    let key = w.key("ECC_NIST_P384", "SIGN_VERIFY");
    let sig = w.sign(&key, "ECDSA_SHA_384", &other);
    let err = w.cli.err(
        "admin",
        &[
            "kms",
            "verify",
            "--key-id",
            &key,
            "--message",
            &fileb(&msg),
            "--signature",
            &fileb(&sig),
            "--signing-algorithm",
            "ECDSA_SHA_384",
        ],
    );
    assert!(
        err.contains("(KMSInvalidSignatureException) when calling the Verify operation"),
        "{err}"
    );
}

#[test]
fn openssl_encrypts_with_the_public_key_and_decrypt_recovers_it() {
    let w = world();
    let key = w.key("RSA_3072", "ENCRYPT_DECRYPT");
    let (public, meta) = w.public_key(&key);
    assert_eq!(
        meta["EncryptionAlgorithms"],
        serde_json::json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    );
    let pt = write(w.dir.path(), "pt", b"for the key holder only");
    let ct = w.dir.path().join("ct");
    openssl_ok(&[
        "pkeyutl",
        "-encrypt",
        "-pubin",
        "-inkey",
        s(&public),
        "-keyform",
        "DER",
        "-pkeyopt",
        "rsa_padding_mode:oaep",
        "-pkeyopt",
        "rsa_oaep_md:sha256",
        "-pkeyopt",
        "rsa_mgf1_md:sha256",
        "-in",
        s(&pt),
        "-out",
        s(&ct),
    ]);
    let out = w.cli.ok(
        "admin",
        &[
            "kms",
            "decrypt",
            "--key-id",
            &key,
            "--ciphertext-blob",
            &fileb(&ct),
            "--encryption-algorithm",
            "RSAES_OAEP_SHA_256",
        ],
    );
    assert_eq!(b64(&out["Plaintext"]), b"for the key holder only");
    assert_eq!(out["EncryptionAlgorithm"], "RSAES_OAEP_SHA_256");
    // Without the KeyId the raw RSA ciphertext names no key.
    let err = w.cli.err(
        "admin",
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            &fileb(&ct),
            "--encryption-algorithm",
            "RSAES_OAEP_SHA_256",
        ],
    );
    assert!(err.contains("InvalidCiphertextException"), "{err}");
}

#[test]
fn derive_shared_secret_equals_openssl_derive() {
    let w = world();
    let key = w.key("ECC_NIST_P256", "KEY_AGREEMENT");
    let (kms_public, meta) = w.public_key(&key);
    assert_eq!(meta["KeyAgreementAlgorithms"], serde_json::json!(["ECDH"]));
    let peer = w.dir.path().join("peer.pem");
    openssl_ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        s(&peer),
    ]);
    let peer_pub = w.dir.path().join("peer.pub.der");
    openssl_ok(&[
        "pkey",
        "-in",
        s(&peer),
        "-pubout",
        "-outform",
        "DER",
        "-out",
        s(&peer_pub),
    ]);
    let out = w.cli.ok(
        "admin",
        &[
            "kms",
            "derive-shared-secret",
            "--key-id",
            &key,
            "--key-agreement-algorithm",
            "ECDH",
            "--public-key",
            &fileb(&peer_pub),
        ],
    );
    let ours = w.dir.path().join("secret");
    openssl_ok(&[
        "pkeyutl",
        "-derive",
        "-inkey",
        s(&peer),
        "-peerkey",
        s(&kms_public),
        "-peerform",
        "DER",
        "-out",
        s(&ours),
    ]);
    assert_eq!(b64(&out["SharedSecret"]), std::fs::read(&ours).unwrap());
    assert_eq!(out["KeyAgreementAlgorithm"], "ECDH");
}

#[test]
fn macs_random_bytes_and_data_key_pairs_through_the_cli() {
    let w = world();
    let key = w.key("HMAC_512", "GENERATE_VERIFY_MAC");
    let msg = write(w.dir.path(), "msg", b"authenticate me");
    let mac = w.cli.ok(
        "admin",
        &[
            "kms",
            "generate-mac",
            "--key-id",
            &key,
            "--message",
            &fileb(&msg),
            "--mac-algorithm",
            "HMAC_SHA_512",
        ],
    );
    let tag = write(w.dir.path(), "tag", &b64(&mac["Mac"]));
    assert_eq!(std::fs::read(&tag).unwrap().len(), 64);
    let ok = w.cli.ok(
        "admin",
        &[
            "kms",
            "verify-mac",
            "--key-id",
            &key,
            "--message",
            &fileb(&msg),
            "--mac-algorithm",
            "HMAC_SHA_512",
            "--mac",
            &fileb(&tag),
        ],
    );
    assert_eq!(ok["MacValid"], true);
    let err = w.cli.err(
        "admin",
        &[
            "kms",
            "verify-mac",
            "--key-id",
            &key,
            "--message",
            &fileb(&tag),
            "--mac-algorithm",
            "HMAC_SHA_512",
            "--mac",
            &fileb(&tag),
        ],
    );
    assert!(err.contains("(KMSInvalidMacException)"), "{err}");

    let random = w.cli.ok(
        "admin",
        &["kms", "generate-random", "--number-of-bytes", "40"],
    );
    assert_eq!(b64(&random["Plaintext"]).len(), 40);

    // The pair's private key (PKCS #8) has the pair's public key, as OpenSSL reads them.
    let sym = w.cli.ok("admin", &["kms", "create-key"])["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let pair = w.cli.ok(
        "admin",
        &[
            "kms",
            "generate-data-key-pair",
            "--key-id",
            &sym,
            "--key-pair-spec",
            "RSA_2048",
        ],
    );
    assert_eq!(pair["KeyPairSpec"], "RSA_2048");
    let private = write(w.dir.path(), "pair.der", &b64(&pair["PrivateKeyPlaintext"]));
    let derived = w.dir.path().join("pair.pub.der");
    openssl_ok(&[
        "pkey",
        "-inform",
        "DER",
        "-in",
        s(&private),
        "-pubout",
        "-outform",
        "DER",
        "-out",
        s(&derived),
    ]);
    assert_eq!(std::fs::read(&derived).unwrap(), b64(&pair["PublicKey"]));
    let without = w.cli.ok(
        "admin",
        &[
            "kms",
            "generate-data-key-pair-without-plaintext",
            "--key-id",
            &sym,
            "--key-pair-spec",
            "ECC_NIST_P384",
        ],
    );
    assert!(without.get("PrivateKeyPlaintext").is_none());
    let blob = write(
        w.dir.path(),
        "pair.ct",
        &b64(&without["PrivateKeyCiphertextBlob"]),
    );
    let back = w.cli.ok(
        "admin",
        &["kms", "decrypt", "--ciphertext-blob", &fileb(&blob)],
    );
    let private = write(w.dir.path(), "p384.der", &b64(&back["Plaintext"]));
    let text = openssl_ok(&[
        "pkey",
        "-inform",
        "DER",
        "-in",
        s(&private),
        "-noout",
        "-text",
    ]);
    assert!(text.contains("P-384"), "{text}");
}

#[test]
fn a_grantee_signs_with_a_grant_token_and_not_after_revoke() {
    let w = world();
    let key = w.key("ECC_NIST_P256", "SIGN_VERIFY");
    let msg = write(w.dir.path(), "msg", b"signed by a grantee");
    let sign = |tokens: Option<&str>| {
        let mut args = vec![
            "kms".to_string(),
            "sign".into(),
            "--key-id".into(),
            key.clone(),
            "--message".into(),
            fileb(&msg),
            "--signing-algorithm".into(),
            "ECDSA_SHA_256".into(),
        ];
        if let Some(t) = tokens {
            args.extend(["--grant-tokens".to_string(), t.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        w.cli.run("granttestuser", &args)
    };
    let denied = sign(None);
    let err = String::from_utf8_lossy(&denied.stderr);
    assert!(
        err.contains(&format!("(AccessDeniedException) when calling the Sign operation: User: {USER} is not authorized to perform: kms:Sign")),
        "{err}"
    );
    let grant = w.cli.ok(
        "admin",
        &[
            "kms",
            "create-grant",
            "--key-id",
            &key,
            "--grantee-principal",
            USER,
            "--operations",
            "Sign",
            "GetPublicKey",
        ],
    );
    let token = grant["GrantToken"].as_str().unwrap();
    let signed = sign(Some(token));
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let out: Value = serde_json::from_slice(&signed.stdout).unwrap();
    let sig = write(w.dir.path(), "sig", &b64(&out["Signature"]));
    // The grantee's own GetPublicKey (through the grant) gives the key OpenSSL verifies with.
    let pk = w.cli.ok(
        "granttestuser",
        &[
            "kms",
            "get-public-key",
            "--key-id",
            &key,
            "--grant-tokens",
            token,
        ],
    );
    let public = write(w.dir.path(), "pub.der", &b64(&pk["PublicKey"]));
    let verified = openssl_ok(&[
        "dgst",
        "-sha256",
        "-keyform",
        "DER",
        "-verify",
        s(&public),
        "-signature",
        s(&sig),
        s(&msg),
    ]);
    assert!(verified.contains("Verified OK"));
    w.cli.ok(
        "admin",
        &[
            "kms",
            "revoke-grant",
            "--key-id",
            &key,
            "--grant-id",
            grant["GrantId"].as_str().unwrap(),
        ],
    );
    let after = sign(None);
    assert!(!after.status.success());
    assert!(String::from_utf8_lossy(&after.stderr).contains("AccessDeniedException"));
}

#[test]
fn the_rust_sdk_signs_verifies_and_makes_macs() {
    use aws_sdk_kms::primitives::Blob;
    use aws_sdk_kms::types::{KeySpec, KeyUsageType, MacAlgorithmSpec, SigningAlgorithmSpec};
    let server = Server::start(&["--scenario", "classroom"]);
    let client = support::sdk_client(&server.url);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let key = client
            .create_key()
            .key_spec(KeySpec::EccNistP256)
            .key_usage(KeyUsageType::SignVerify)
            .send()
            .await
            .unwrap();
        let key_id = key.key_metadata().unwrap().key_id().to_string();
        let sig = client
            .sign()
            .key_id(&key_id)
            .message(Blob::new(b"sdk message".to_vec()))
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .unwrap();
        let ok = client
            .verify()
            .key_id(&key_id)
            .message(Blob::new(b"sdk message".to_vec()))
            .signature(sig.signature().unwrap().clone())
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .unwrap();
        assert!(ok.signature_valid());
        let bad = client
            .verify()
            .key_id(&key_id)
            .message(Blob::new(b"another message".to_vec()))
            .signature(sig.signature().unwrap().clone())
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .unwrap_err();
        assert!(bad
            .into_service_error()
            .is_kms_invalid_signature_exception());

        let hmac = client
            .create_key()
            .key_spec(KeySpec::Hmac256)
            .key_usage(KeyUsageType::GenerateVerifyMac)
            .send()
            .await
            .unwrap();
        let hmac_id = hmac.key_metadata().unwrap().key_id().to_string();
        let mac = client
            .generate_mac()
            .key_id(&hmac_id)
            .message(Blob::new(b"mac me".to_vec()))
            .mac_algorithm(MacAlgorithmSpec::HmacSha256)
            .send()
            .await
            .unwrap();
        assert_eq!(mac.mac().unwrap().as_ref().len(), 32);
        let checked = client
            .verify_mac()
            .key_id(&hmac_id)
            .message(Blob::new(b"mac me".to_vec()))
            .mac(mac.mac().unwrap().clone())
            .mac_algorithm(MacAlgorithmSpec::HmacSha256)
            .send()
            .await
            .unwrap();
        assert!(checked.mac_valid());
    });
}
