//! The walkthrough (`shared/seed/kms-grants-walkthrough.txt`) with the real AWS CLI against
//! `grantscope serve`: the same commands, the same denials, the same grant token.
//! `tests/run` installs the CLI into a venv and sets GRANTSCOPE_AWS_CLI.

mod support;

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::{aws_cli, credentials_file, AwsCli as Cli, Server};

#[test]
fn walkthrough_runs_command_for_command_with_the_aws_cli() {
    let exe = aws_cli();
    // Long enough that the denial right after CreateGrant cannot race the propagation on a
    // busy machine (each AWS CLI call starts a Python process).
    const PROPAGATION: Duration = Duration::from_secs(10);
    let server = Server::start(&["--scenario", "classroom", "--propagation-delay", "10s"]);
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli {
        exe,
        creds: credentials_file(dir.path(), &server.url, &[]),
        url: server.url.clone(),
    };
    let user_arn = "arn:aws:iam::111122223333:user/granttestuser";

    // Create a key as admin.
    let created = cli.ok(
        "admin",
        &["kms", "create-key", "--description", "walkthrough key"],
    );
    let key_arn = created["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    assert!(key_arn.starts_with("arn:aws:kms:eu-west-1:111122223333:key/"));
    assert_eq!(created["KeyMetadata"]["KeyState"], "Enabled");

    // The user without permissions is denied, in AWS's words.
    let denied = format!(
        "An error occurred (AccessDeniedException) when calling the Encrypt operation: User: {user_arn} is not authorized to perform: kms:Encrypt on resource: {key_arn} because no identity-based policy allows the kms:Encrypt action"
    );
    let encrypt = [
        "kms",
        "encrypt",
        "--plaintext",
        "hello",
        "--key-id",
        key_arn.as_str(),
    ];
    assert_eq!(cli.err("granttestuser", &encrypt), denied);

    // Create the grant: a token and an id.
    let grant = cli.ok(
        "admin",
        &[
            "kms",
            "create-grant",
            "--key-id",
            &key_arn,
            "--grantee-principal",
            user_arn,
            "--operations",
            "Encrypt",
        ],
    );
    let token = grant["GrantToken"].as_str().unwrap().to_string();
    let grant_id = grant["GrantId"].as_str().unwrap().to_string();
    assert_eq!(grant_id.len(), 64);
    assert!(token.len() > 64);

    // Without the token the grant has not propagated yet; with it, Encrypt works at once.
    assert_eq!(cli.err("granttestuser", &encrypt), denied);
    let mut with_token = encrypt.to_vec();
    with_token.extend(["--grant-tokens", token.as_str()]);
    let ct = cli.ok("granttestuser", &with_token);
    assert_eq!(ct["KeyId"], key_arn.as_str());
    assert_eq!(ct["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let blob = ct["CiphertextBlob"].as_str().unwrap().to_string();

    // The grantee may encrypt but not decrypt; the admin decrypts the round trip.
    let blob_file = dir.path().join("blob");
    std::fs::write(
        &blob_file,
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &blob).unwrap(),
    )
    .unwrap();
    let blob_arg = format!("fileb://{}", blob_file.display());
    let decrypt = ["kms", "decrypt", "--ciphertext-blob", blob_arg.as_str()];
    assert!(cli
        .err("granttestuser", &decrypt)
        .contains("is not authorized to perform: kms:Decrypt"));
    let plain = cli.ok("admin", &decrypt);
    assert_eq!(plain["Plaintext"], "aGVsbG8=");

    // The grants can be listed...
    let listed = cli.ok("admin", &["kms", "list-grants", "--key-id", &key_arn]);
    let grants = listed["Grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0]["GrantId"], grant_id.as_str());
    assert_eq!(grants[0]["GranteePrincipal"], user_arn);
    assert_eq!(grants[0]["KeyId"], key_arn.as_str());
    assert_eq!(grants[0]["Operations"], serde_json::json!(["Encrypt"]));
    assert_eq!(
        grants[0]["IssuingAccount"],
        "arn:aws:iam::111122223333:root"
    );
    assert!(grants[0]["CreationDate"].is_number());

    // ...and revoked. Once the revocation has propagated, Encrypt is denied again, token
    // or not.
    cli.ok(
        "admin",
        &[
            "kms",
            "revoke-grant",
            "--key-id",
            &key_arn,
            "--grant-id",
            &grant_id,
        ],
    );
    // The server revoked it before the CLI returned: the removal is in effect at most
    // PROPAGATION after this instant.
    let revoked_by = std::time::Instant::now();
    let listed = cli.ok("admin", &["kms", "list-grants", "--key-id", &key_arn]);
    assert_eq!(listed["Grants"], serde_json::json!([]));
    std::thread::sleep(
        (PROPAGATION + Duration::from_millis(300)).saturating_sub(revoked_by.elapsed()),
    );
    assert_eq!(cli.err("granttestuser", &encrypt), denied);
    assert_eq!(cli.err("granttestuser", &with_token), denied);
}

#[test]
fn the_cli_meets_aws_errors_for_bad_requests() {
    let exe = aws_cli();
    let server = Server::start(&["--propagation-delay", "0s"]);
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli {
        exe,
        creds: credentials_file(dir.path(), &server.url, &[]),
        url: server.url.clone(),
    };
    let e = cli.err("admin", &["kms", "describe-key", "--key-id", "alias/nope"]);
    assert_eq!(
        e,
        "An error occurred (NotFoundException) when calling the DescribeKey operation: Alias arn:aws:kms:eu-west-1:111122223333:alias/nope is not found."
    );
    let e = cli.err(
        "admin",
        &[
            "kms",
            "create-grant",
            "--key-id",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "--grantee-principal",
            "arn:aws:iam::111122223333:user/nobody",
            "--operations",
            "Encrypt",
        ],
    );
    assert!(e.contains("(InvalidArnException)"), "{e}");
    let e = cli.err(
        "admin",
        &[
            "kms",
            "list-grants",
            "--key-id",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "--limit",
            "5000",
        ],
    );
    assert!(
        e.contains("(ValidationException)") && e.contains("'limit'"),
        "{e}"
    );
    let e = cli.err(
        "admin",
        &[
            "kms",
            "encrypt",
            "--plaintext",
            "hi",
            "--key-id",
            "alias/classroom",
            "--grant-tokens",
            "bm90LWEtdG9rZW4",
        ],
    );
    assert!(e.contains("(InvalidGrantTokenException)"), "{e}");
}

#[test]
fn the_cli_is_refused_with_a_wrong_secret_or_unknown_key() {
    let exe = aws_cli();
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("bad-credentials");
    std::fs::write(
        &creds,
        "[wrongsecret]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = not-the-secret\nregion = eu-west-1\n\n[unknown]\naws_access_key_id = AKIAUNKNOWN000000000\naws_secret_access_key = whatever\nregion = eu-west-1\n",
    )
    .unwrap();
    let cli = Cli {
        exe,
        creds,
        url: server.url.clone(),
    };
    let e = cli.err("wrongsecret", &["kms", "list-keys"]);
    assert!(
        e.contains("(InvalidSignatureException)")
            && e.contains("does not match the signature you provided"),
        "{e}"
    );
    let e = cli.err("unknown", &["kms", "list-keys"]);
    assert!(
        e.contains("(UnrecognizedClientException)")
            && e.contains("The security token included in the request is invalid."),
        "{e}"
    );
}

/// The walkthrough types its commands without `--profile`: the credentials file's
/// `[default]` profile is the administrator, with the simulator's region and endpoint.
#[test]
fn commands_without_a_profile_run_as_the_administrator() {
    let exe = aws_cli();
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let creds = credentials_file(dir.path(), &server.url, &[]);
    let text = std::fs::read_to_string(&creds).unwrap();
    assert!(text.contains("[default]"), "{text}");
    let out = Command::new(&exe)
        .args(["sts", "get-caller-identity", "--output", "json"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .output()
        .expect("run the AWS CLI");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let me: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(me["Arn"], "arn:aws:iam::111122223333:user/admin");
}
