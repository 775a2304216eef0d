//! Issue #15 part B through `grantscope serve` with the real AWS CLI: tags, UpdateAlias,
//! UpdateKeyDescription, ListKeyPolicies, rotation, imported key material wrapped with
//! openssl as AWS's documentation shows, custom key stores and AWS managed keys. Each
//! group: the happy path, a validation error, a key-state error, and a denial whose WHY
//! the request log prints.

mod support;

use std::path::Path;
use std::process::Command;

use base64::Engine;
use serde_json::Value;
use support::{aws_cli, credentials_file, AwsCli, Server};

const WORLD: &str = r#"
name = "key-admin"
region = "eu-west-1"
aws_managed_keys = ["s3"]
[[accounts]]
id = "111122223333"
[[principals]]
name = "admin"
access_key_id = "AKIAIOSFODNN7EXAMPLE"
secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
managed_policies = ["AdministratorAccess"]
[[principals]]
name = "granttestuser"
access_key_id = "AKIAI44QH8DHBEXAMPLE"
secret_access_key = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
[[keys]]
id = "1234abcd-12ab-34cd-56ef-1234567890ab"
aliases = ["alias/one"]
[[keys]]
id = "2234abcd-12ab-34cd-56ef-1234567890ab"
aliases = ["alias/two"]
"#;

const KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY2: &str = "2234abcd-12ab-34cd-56ef-1234567890ab";
const USER: &str = "arn:aws:iam::111122223333:user/granttestuser";

fn key_arn(id: &str) -> String {
    format!("arn:aws:kms:eu-west-1:111122223333:key/{id}")
}

struct Served {
    server: Server,
    cli: AwsCli,
    dir: tempfile::TempDir,
}

fn serve() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("world.toml");
    std::fs::write(&scenario, WORLD).unwrap();
    let scenario = scenario.display().to_string();
    let args = ["--scenario", scenario.as_str()];
    let server = Server::start(&args);
    let cli = AwsCli {
        exe: aws_cli(),
        creds: credentials_file(dir.path(), &server.url, &args),
        url: server.url.clone(),
    };
    Served { server, cli, dir }
}

impl Served {
    fn ok(&self, who: &str, args: &[&str]) -> Value {
        self.cli.ok(who, args)
    }

    fn err(&self, who: &str, args: &[&str]) -> String {
        self.cli.err(who, args)
    }

    /// The request log lines of `operation` so far.
    fn log_of(&self, operation: &str) -> Vec<String> {
        self.server
            .output()
            .into_iter()
            .filter(|l| l.contains(operation))
            .collect()
    }

    fn file(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

fn denied(operation: &str, action: &str, resource: &str) -> String {
    format!("An error occurred (AccessDeniedException) when calling the {operation} operation: User: {USER} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action")
}

#[test]
fn tags_with_the_aws_cli() {
    let s = serve();
    let created = s.ok(
        "admin",
        &[
            "kms",
            "create-key",
            "--tags",
            "TagKey=Project,TagValue=Alpha",
        ],
    );
    let id = created["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    s.ok(
        "admin",
        &[
            "kms",
            "tag-resource",
            "--key-id",
            &id,
            "--tags",
            "TagKey=Team,TagValue=Blue",
            "TagKey=Env,TagValue=",
        ],
    );
    let listed = s.ok("admin", &["kms", "list-resource-tags", "--key-id", &id]);
    assert_eq!(
        listed["Tags"],
        serde_json::json!([
            {"TagKey": "Env", "TagValue": ""},
            {"TagKey": "Project", "TagValue": "Alpha"},
            {"TagKey": "Team", "TagValue": "Blue"}
        ])
    );
    // Paging: a page of one, then the rest from its marker.
    let page = s.ok(
        "admin",
        &["kms", "list-resource-tags", "--key-id", &id, "--limit", "1"],
    );
    assert_eq!(page["Tags"].as_array().unwrap().len(), 1);
    assert_eq!(page["Truncated"], true);
    let marker = page["NextMarker"].as_str().unwrap().to_string();
    let rest = s.ok(
        "admin",
        &[
            "kms",
            "list-resource-tags",
            "--key-id",
            &id,
            "--marker",
            &marker,
        ],
    );
    assert_eq!(rest["Tags"].as_array().unwrap().len(), 2);
    assert_eq!(rest["Truncated"], false);
    s.ok(
        "admin",
        &[
            "kms",
            "untag-resource",
            "--key-id",
            &id,
            "--tag-keys",
            "Team",
            "Nope",
        ],
    );
    let listed = s.ok("admin", &["kms", "list-resource-tags", "--key-id", &id]);
    assert_eq!(listed["Tags"].as_array().unwrap().len(), 2);

    let e = s.err(
        "admin",
        &[
            "kms",
            "tag-resource",
            "--key-id",
            &id,
            "--tags",
            "TagKey=aws:x,TagValue=1",
        ],
    );
    assert!(
        e.contains("(TagException) when calling the TagResource operation: Invalid tag"),
        "{e}"
    );
    let e = s.err(
        "admin",
        &[
            "kms",
            "list-resource-tags",
            "--key-id",
            &id,
            "--limit",
            "51",
        ],
    );
    assert!(
        e.contains("ValidationException") && e.contains("'limit'"),
        "{e}"
    );
    s.ok(
        "admin",
        &[
            "kms",
            "schedule-key-deletion",
            "--key-id",
            &id,
            "--pending-window-in-days",
            "7",
        ],
    );
    let e = s.err(
        "admin",
        &[
            "kms",
            "tag-resource",
            "--key-id",
            &id,
            "--tags",
            "TagKey=a,TagValue=b",
        ],
    );
    assert_eq!(e, format!("An error occurred (KMSInvalidStateException) when calling the TagResource operation: {} is pending deletion.", key_arn(&id)));
    let e = s.err(
        "granttestuser",
        &[
            "kms",
            "tag-resource",
            "--key-id",
            &key_arn(KEY),
            "--tags",
            "TagKey=a,TagValue=b",
        ],
    );
    assert_eq!(e, denied("TagResource", "kms:TagResource", &key_arn(KEY)));
    let log = s.log_of("TagResource");
    assert!(
        log.iter()
            .any(|l| l.contains("granttestuser")
                && l.contains("no IAM policy of the caller allows it")),
        "{log:?}"
    );
}

#[test]
fn alias_description_and_key_policies_with_the_aws_cli() {
    let s = serve();
    s.ok(
        "admin",
        &[
            "kms",
            "update-alias",
            "--alias-name",
            "alias/one",
            "--target-key-id",
            KEY2,
        ],
    );
    let d = s.ok("admin", &["kms", "describe-key", "--key-id", "alias/one"]);
    assert_eq!(d["KeyMetadata"]["KeyId"], KEY2);
    s.ok(
        "admin",
        &[
            "kms",
            "update-key-description",
            "--key-id",
            KEY2,
            "--description",
            "moved here",
        ],
    );
    let d = s.ok("admin", &["kms", "describe-key", "--key-id", KEY2]);
    assert_eq!(d["KeyMetadata"]["Description"], "moved here");
    let p = s.ok("admin", &["kms", "list-key-policies", "--key-id", KEY2]);
    assert_eq!(p["PolicyNames"], serde_json::json!(["default"]));

    // The CLI checks the model's bounds itself; the server's own ValidationException
    // shows for a rule only it knows: an alias moves only to a key of the same type.
    let rsa = s.ok(
        "admin",
        &[
            "kms",
            "create-key",
            "--key-spec",
            "RSA_2048",
            "--key-usage",
            "ENCRYPT_DECRYPT",
        ],
    );
    let rsa = rsa["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let e = s.err(
        "admin",
        &[
            "kms",
            "update-alias",
            "--alias-name",
            "alias/two",
            "--target-key-id",
            &rsa,
        ],
    );
    assert!(
        e.contains("(ValidationException) when calling the UpdateAlias operation")
            && e.contains("must be the same type"),
        "{e}"
    );
    let e = s.err(
        "admin",
        &[
            "kms",
            "update-alias",
            "--alias-name",
            "alias/none",
            "--target-key-id",
            KEY,
        ],
    );
    assert!(
        e.contains("(NotFoundException)") && e.contains("alias/none is not found."),
        "{e}"
    );
    s.ok(
        "admin",
        &[
            "kms",
            "schedule-key-deletion",
            "--key-id",
            KEY,
            "--pending-window-in-days",
            "7",
        ],
    );
    let e = s.err(
        "admin",
        &[
            "kms",
            "update-key-description",
            "--key-id",
            KEY,
            "--description",
            "x",
        ],
    );
    assert!(
        e.contains("(KMSInvalidStateException)") && e.contains("is pending deletion."),
        "{e}"
    );
    let e = s.err(
        "granttestuser",
        &[
            "kms",
            "update-key-description",
            "--key-id",
            KEY2,
            "--description",
            "x",
        ],
    );
    assert_eq!(
        e,
        denied(
            "UpdateKeyDescription",
            "kms:UpdateKeyDescription",
            &key_arn(KEY2)
        )
    );
    assert!(s
        .log_of("UpdateKeyDescription")
        .iter()
        .any(|l| l.contains("denied")));
}

#[test]
fn rotation_with_the_aws_cli() {
    let s = serve();
    let dir = s.dir.path();
    let plain = dir.join("plain.txt");
    std::fs::write(&plain, "before rotation").unwrap();
    let plain_arg = format!("fileb://{}", plain.display());
    let before = s.ok(
        "admin",
        &["kms", "encrypt", "--key-id", KEY, "--plaintext", &plain_arg],
    );
    s.ok(
        "admin",
        &[
            "kms",
            "enable-key-rotation",
            "--key-id",
            KEY,
            "--rotation-period-in-days",
            "180",
        ],
    );
    let st = s.ok(
        "admin",
        &["kms", "get-key-rotation-status", "--key-id", KEY],
    );
    assert_eq!(st["KeyRotationEnabled"], true);
    assert_eq!(st["RotationPeriodInDays"], 180);
    assert!(
        st["NextRotationDate"].is_string() || st["NextRotationDate"].is_number(),
        "{st}"
    );
    let r = s.ok("admin", &["kms", "rotate-key-on-demand", "--key-id", KEY]);
    assert_eq!(r["KeyId"], key_arn(KEY));
    let rotations = s.ok("admin", &["kms", "list-key-rotations", "--key-id", KEY]);
    assert_eq!(rotations["Rotations"][0]["RotationType"], "ON_DEMAND");
    // Old ciphertext still decrypts; new ciphertext is another blob format version.
    let blob = base64::engine::general_purpose::STANDARD
        .decode(before["CiphertextBlob"].as_str().unwrap())
        .unwrap();
    let blob_file = dir.join("before.bin");
    std::fs::write(&blob_file, blob).unwrap();
    let d = s.ok(
        "admin",
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            &format!("fileb://{}", blob_file.display()),
        ],
    );
    assert_eq!(
        d["Plaintext"],
        base64::engine::general_purpose::STANDARD.encode("before rotation")
    );

    // The CLI refuses a period out of 90-2560 before sending it (the server's own
    // ValidationException for it is in wire_sdk_key_admin.rs); a key that cannot rotate:
    let hmac = s.ok(
        "admin",
        &[
            "kms",
            "create-key",
            "--key-spec",
            "HMAC_256",
            "--key-usage",
            "GENERATE_VERIFY_MAC",
        ],
    );
    let hmac = hmac["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let e = s.err("admin", &["kms", "enable-key-rotation", "--key-id", &hmac]);
    assert!(
        e.contains("(UnsupportedOperationException)")
            && e.contains("supported only on symmetric encryption KMS keys"),
        "{e}"
    );
    s.ok("admin", &["kms", "disable-key", "--key-id", KEY2]);
    let e = s.err("admin", &["kms", "rotate-key-on-demand", "--key-id", KEY2]);
    assert_eq!(e, format!("An error occurred (DisabledException) when calling the RotateKeyOnDemand operation: {} is disabled.", key_arn(KEY2)));
    let e = s.err(
        "granttestuser",
        &["kms", "rotate-key-on-demand", "--key-id", KEY],
    );
    assert_eq!(
        e,
        denied("RotateKeyOnDemand", "kms:RotateKeyOnDemand", &key_arn(KEY))
    );
    assert!(s
        .log_of("RotateKeyOnDemand")
        .iter()
        .any(|l| l.contains("granttestuser") && l.contains("denied")));
}

/// openssl is needed to wrap key material as AWS's documentation does: a test that
/// needs it fails without it (tests/run checks for it first).
fn openssl(args: &[&str]) {
    let out = Command::new("openssl").args(args).output().expect(
        "openssl is needed for this test (apt-get install openssl; tests/run checks for it)",
    );
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write_b64(path: &Path, v: &Value) {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn imported_key_material_wrapped_with_openssl_and_the_aws_cli() {
    let s = serve();
    let created = s.ok("admin", &["kms", "create-key", "--origin", "EXTERNAL"]);
    assert_eq!(created["KeyMetadata"]["KeyState"], "PendingImport");
    assert_eq!(created["KeyMetadata"]["Origin"], "EXTERNAL");
    let id = created["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let e = s.err(
        "admin",
        &["kms", "encrypt", "--key-id", &id, "--plaintext", "aGk="],
    );
    assert!(
        e.contains("(KMSInvalidStateException)") && e.contains("PendingImport"),
        "{e}"
    );

    let params = s.ok(
        "admin",
        &[
            "kms",
            "get-parameters-for-import",
            "--key-id",
            &id,
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--wrapping-key-spec",
            "RSA_2048",
        ],
    );
    let (public, token, material, wrapped) = (
        s.file("public.der"),
        s.file("token.bin"),
        s.file("material.bin"),
        s.file("wrapped.bin"),
    );
    write_b64(&public, &params["PublicKey"]);
    write_b64(&token, &params["ImportToken"]);
    // As the Developer Guide's "Encrypt key material" shows it.
    openssl(&["rand", "-out", &material.display().to_string(), "32"]);
    openssl(&[
        "pkeyutl",
        "-encrypt",
        "-in",
        &material.display().to_string(),
        "-out",
        &wrapped.display().to_string(),
        "-inkey",
        &public.display().to_string(),
        "-keyform",
        "DER",
        "-pubin",
        "-pkeyopt",
        "rsa_padding_mode:oaep",
        "-pkeyopt",
        "rsa_oaep_md:sha256",
        "-pkeyopt",
        "rsa_mgf1_md:sha256",
    ]);
    let fileb = |p: &Path| format!("fileb://{}", p.display());
    let imported = s.ok(
        "admin",
        &[
            "kms",
            "import-key-material",
            "--key-id",
            &id,
            "--encrypted-key-material",
            &fileb(&wrapped),
            "--import-token",
            &fileb(&token),
            "--expiration-model",
            "KEY_MATERIAL_DOES_NOT_EXPIRE",
        ],
    );
    assert_eq!(imported["KeyId"], key_arn(&id));
    let d = s.ok("admin", &["kms", "describe-key", "--key-id", &id]);
    assert_eq!(d["KeyMetadata"]["KeyState"], "Enabled");
    let ct = s.ok(
        "admin",
        &["kms", "encrypt", "--key-id", &id, "--plaintext", "aGk="],
    );
    assert_eq!(ct["KeyId"], key_arn(&id));

    // The token belongs to its key; an expiration model without ValidTo is refused.
    let other = s.ok("admin", &["kms", "create-key", "--origin", "EXTERNAL"]);
    let other = other["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let e = s.err(
        "admin",
        &[
            "kms",
            "import-key-material",
            "--key-id",
            &other,
            "--encrypted-key-material",
            &fileb(&wrapped),
            "--import-token",
            &fileb(&token),
            "--expiration-model",
            "KEY_MATERIAL_DOES_NOT_EXPIRE",
        ],
    );
    assert!(e.contains("(InvalidImportTokenException)"), "{e}");
    let e = s.err(
        "admin",
        &[
            "kms",
            "import-key-material",
            "--key-id",
            &id,
            "--encrypted-key-material",
            &fileb(&wrapped),
            "--import-token",
            &fileb(&token),
            "--expiration-model",
            "KEY_MATERIAL_EXPIRES",
        ],
    );
    assert!(
        e.contains("(ValidationException)") && e.contains("ValidTo"),
        "{e}"
    );
    let e = s.err(
        "granttestuser",
        &[
            "kms",
            "get-parameters-for-import",
            "--key-id",
            &id,
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--wrapping-key-spec",
            "RSA_2048",
        ],
    );
    assert_eq!(
        e,
        denied(
            "GetParametersForImport",
            "kms:GetParametersForImport",
            &key_arn(&id)
        )
    );

    s.ok(
        "admin",
        &["kms", "delete-imported-key-material", "--key-id", &id],
    );
    let d = s.ok("admin", &["kms", "describe-key", "--key-id", &id]);
    assert_eq!(d["KeyMetadata"]["KeyState"], "PendingImport");
    let e = s.err(
        "admin",
        &[
            "kms",
            "get-parameters-for-import",
            "--key-id",
            KEY,
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--wrapping-key-spec",
            "RSA_2048",
        ],
    );
    assert!(
        e.contains("(UnsupportedOperationException)") && e.contains("Origin"),
        "{e}"
    );
}

#[test]
fn custom_key_stores_and_aws_managed_keys_with_the_aws_cli() {
    let s = serve();
    let d = s.ok("admin", &["kms", "describe-custom-key-stores"]);
    assert_eq!(d["CustomKeyStores"], serde_json::json!([]));
    let e = s.err(
        "admin",
        &[
            "kms",
            "connect-custom-key-store",
            "--custom-key-store-id",
            "cks-1234567890abcdef0",
        ],
    );
    assert_eq!(e, "An error occurred (CustomKeyStoreNotFoundException) when calling the ConnectCustomKeyStore operation: The request was rejected because AWS KMS cannot find a custom key store with the specified key store name or ID.");
    let e = s.err(
        "admin",
        &[
            "kms",
            "create-custom-key-store",
            "--custom-key-store-name",
            "hsm",
            "--cloud-hsm-cluster-id",
            "cluster-234abcdefABC",
            "--trust-anchor-certificate",
            "cert",
            "--key-store-password",
            "kmsPswd1",
        ],
    );
    assert!(e.contains("(CloudHsmClusterNotFoundException)"), "{e}");
    let e = s.err(
        "admin",
        &[
            "kms",
            "create-custom-key-store",
            "--custom-key-store-name",
            "hsm",
            "--key-store-password",
            "kmsPswd1",
        ],
    );
    assert!(
        e.contains("(ValidationException)")
            && e.contains(
                "CloudHsmClusterId is required for a custom key store of type AWS_CLOUDHSM"
            ),
        "{e}"
    );
    let e = s.err("granttestuser", &["kms", "describe-custom-key-stores"]);
    assert!(
        e.contains("(AccessDeniedException)") && e.contains("kms:DescribeCustomKeyStores"),
        "{e}"
    );

    let m = s.ok(
        "admin",
        &["kms", "describe-key", "--key-id", "alias/aws/s3"],
    );
    assert_eq!(m["KeyMetadata"]["KeyManager"], "AWS");
    let arn = m["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let e = s.err(
        "admin",
        &[
            "kms",
            "encrypt",
            "--key-id",
            "alias/aws/s3",
            "--plaintext",
            "aGk=",
        ],
    );
    assert_eq!(e, format!("An error occurred (AccessDeniedException) when calling the Encrypt operation: User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:Encrypt on resource: {arn} because no resource-based policy allows the kms:Encrypt action"));
    let e = s.err("admin", &["kms", "schedule-key-deletion", "--key-id", &arn]);
    assert!(
        e.contains("(AccessDeniedException)") && e.contains("kms:ScheduleKeyDeletion"),
        "{e}"
    );
    let e = s.err("admin", &["kms", "disable-key-rotation", "--key-id", &arn]);
    assert!(e.contains("(AccessDeniedException)"), "{e}");
    let st = s.ok(
        "admin",
        &["kms", "get-key-rotation-status", "--key-id", &arn],
    );
    assert_eq!(st["KeyRotationEnabled"], true);
    assert_eq!(st["RotationPeriodInDays"], 365);
    assert!(
        s.log_of("Encrypt")
            .iter()
            .any(|l| l.contains("no key policy statement")),
        "{:?}",
        s.log_of("Encrypt")
    );
    // A predefined AWS alias is created on DescribeKey, as AWS documents.
    let e = s.ok(
        "admin",
        &["kms", "describe-key", "--key-id", "alias/aws/ebs"],
    );
    assert_eq!(e["KeyMetadata"]["KeyManager"], "AWS");
    assert!(e["KeyMetadata"]["Description"]
        .as_str()
        .unwrap()
        .contains("EBS"));
}
