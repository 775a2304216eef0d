//! Grant edge cases as AWS documents them, through `grantscope serve` with the real AWS
//! CLI: who may retire (IAM delegation and IAM Deny of kms:RetireGrant), case-insensitive
//! constraint keys, the SourceArn constraint, GranteeServicePrincipal's validation,
//! ListGrants' Limit, ListRetirableGrants' account, alias and ciphertext errors, IAM
//! paths, and the request log. Each test quotes the AWS sentence it follows.
//! `tests/run` installs the CLI into a venv and sets GRANTSCOPE_AWS_CLI.

mod support;

use serde_json::Value;
use support::{AwsCli, Server};

const KEY: &str = "11111111-1111-4111-8111-111111111111";
const HOME: &str = "111122223333";
const PARTNER: &str = "444455556666";

/// An admin, two users without permissions, a user whose IAM policy denies
/// kms:RetireGrant, a role at an IAM path, a partner account with its own admin, and
/// one symmetric key with the default key policy.
const WORLD: &str = r#"
name = "edge-cases"
region = "eu-west-1"

[[accounts]]
id = "111122223333"
name = "home"

[[accounts]]
id = "444455556666"
name = "partner"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "alice"

[[principals]]
name = "bob"

[[principals]]
name = "denied-retirer"
[[principals.policies]]
name = "no-retiring"
document = '''{"Version":"2012-10-17","Statement":[{"Sid":"NoRetire","Effect":"Deny","Action":"kms:RetireGrant","Resource":"*"}]}'''

[[principals]]
name = "app"
kind = "role"
path = "/service-role/"

[[principals]]
name = "partner-admin"
account = "444455556666"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "partner-user"
account = "444455556666"

[[keys]]
id = "11111111-1111-4111-8111-111111111111"
aliases = ["alias/edge"]
"#;

struct World {
    server: Server,
    cli: AwsCli,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edge.toml");
    std::fs::write(&path, WORLD).unwrap();
    let path = path.display().to_string();
    let scenario = ["--scenario", path.as_str()];
    let server = Server::start(&["--scenario", path.as_str(), "--log-format", "json"]);
    let cli = AwsCli::for_server(&server, dir.path(), &scenario);
    World {
        server,
        cli,
        _dir: dir,
    }
}

fn user(name: &str) -> String {
    format!("arn:aws:iam::{HOME}:user/{name}")
}

fn key_arn() -> String {
    format!("arn:aws:kms:eu-west-1:{HOME}:key/{KEY}")
}

impl World {
    /// Admin grants `ops` on the key to `grantee`, with extra CLI arguments.
    fn grant(&self, grantee: &str, ops: &[&str], extra: &[&str]) -> String {
        let mut args = vec![
            "kms",
            "create-grant",
            "--key-id",
            KEY,
            "--grantee-principal",
            grantee,
            "--operations",
        ];
        args.extend_from_slice(ops);
        args.extend_from_slice(extra);
        self.cli.ok("admin", &args)["GrantId"]
            .as_str()
            .expect("a grant id")
            .to_string()
    }

    fn retire(&self, profile: &str, grant: &str) -> std::process::Output {
        self.cli.run(
            profile,
            &[
                "kms",
                "retire-grant",
                "--key-id",
                &key_arn(),
                "--grant-id",
                grant,
            ],
        )
    }

    fn grants(&self) -> Vec<Value> {
        self.cli
            .ok("admin", &["kms", "list-grants", "--key-id", KEY])["Grants"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn encrypt(&self, profile: &str, context: Option<&str>) -> std::process::Output {
        let mut args = vec!["kms", "encrypt", "--key-id", KEY, "--plaintext", "aGVsbG8="];
        if let Some(c) = context {
            args.extend(["--encryption-context", c]);
        }
        self.cli.run(profile, &args)
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Developer Guide, "Retiring and revoking grants": "The AWS account that owns the KMS key
/// can delegate the kms:RetireGrant permission to an IAM principal in the account" and "To
/// deny permission to retire a grant, you can use a Deny action with the kms:RetireGrant
/// permission in your IAM policies."
#[test]
fn retire_follows_iam_delegation_and_iam_deny() {
    let w = world();
    // The admin is named nowhere in the grant; AdministratorAccess delegates
    // kms:RetireGrant in the key's account.
    let g = w.grant(&user("alice"), &["Encrypt"], &[]);
    let out = w.retire("admin", &g);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(w.grants().is_empty());

    // The retiring principal itself, with an IAM Deny of kms:RetireGrant: denied, in
    // the identity-based words.
    let g = w.grant(
        &user("alice"),
        &["Encrypt"],
        &["--retiring-principal", &user("denied-retirer")],
    );
    let out = w.retire("denied-retirer", &g);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains("(AccessDeniedException)"), "{e}");
    assert!(
        e.contains("with an explicit deny in an identity-based policy"),
        "{e}"
    );
    // Someone with no right and no delegation: the denial speaks of identity-based
    // policies (the permission does not live in a resource-based policy).
    let out = w.retire("bob", &g);
    let e = stderr(&out);
    assert!(
        e.contains(&format!(
            "User: {} is not authorized to perform: kms:RetireGrant on resource: {} because no identity-based policy allows the kms:RetireGrant action",
            user("bob"),
            key_arn()
        )),
        "{e}"
    );
    assert_eq!(w.grants().len(), 1);
}

/// Developer Guide: "If the retiring principal is a different AWS account, administrators
/// in the other account can use kms:RetireGrant to delegate permission to retire the grant
/// to an IAM principal in that account."
#[test]
fn a_retiring_account_delegates_retiring_to_its_own_principals() {
    let w = world();
    let g = w.grant(
        &format!("arn:aws:iam::{PARTNER}:user/partner-user"),
        &["Encrypt"],
        &[
            "--retiring-principal",
            &format!("arn:aws:iam::{PARTNER}:root"),
        ],
    );
    // Without the permission, the partner's user may not; its admin may.
    let out = w.retire("partner-user", &g);
    assert!(stderr(&out).contains("(AccessDeniedException)"));
    let out = w.retire("partner-admin", &g);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(w.grants().is_empty());
}

/// API Reference, GrantConstraints: "in a grant constraint, the key in each key-value pair
/// is not case sensitive, but the value is case sensitive."
#[test]
fn constraint_keys_ignore_case_and_values_do_not() {
    let w = world();
    w.grant(
        &user("alice"),
        &["Encrypt"],
        &["--constraints", "EncryptionContextSubset={Dept=it}"],
    );
    let out = w.encrypt("alice", Some("dept=it"));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = w.encrypt("alice", Some("DEPT=it"));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = w.encrypt("alice", Some("Dept=IT"));
    assert!(stderr(&out).contains("(AccessDeniedException)"));
}

/// API Reference, GrantConstraints: SourceArn "allows the permissions in the grant only
/// when the request is made on behalf of a specific AWS resource". A direct call by the
/// grantee is not on behalf of any resource.
#[test]
fn a_source_arn_grant_is_kept_and_does_not_authorize_direct_calls() {
    let w = world();
    let source = format!("arn:aws:ec2:eu-west-1:{HOME}:instance/i-0123456789abcdef0");
    w.grant(
        &user("alice"),
        &["Encrypt"],
        &["--constraints", &format!("SourceArn={source}")],
    );
    let listed = w.grants();
    assert_eq!(listed[0]["Constraints"]["SourceArn"], source.as_str());
    let e = stderr(&w.encrypt("alice", None));
    assert!(e.contains("(AccessDeniedException)"), "{e}");
    // A malformed SourceArn is the service model's validation error.
    let e = w.cli.err(
        "admin",
        &[
            "kms",
            "create-grant",
            "--key-id",
            KEY,
            "--grantee-principal",
            &user("alice"),
            "--operations",
            "Encrypt",
            "--constraints",
            "SourceArn=not-an-arn-at-all-but-long",
        ],
    );
    assert!(e.contains("at 'constraints.sourceArn'"), "{e}");
}

/// API Reference, CreateGrant: "You must specify either GranteePrincipal or
/// GranteeServicePrincipal, but not both." "When you specify a GranteeServicePrincipal,
/// you must also specify a SourceArn grant constraint. In addition, you must specify
/// either a RetiringPrincipal or a RetiringServicePrincipal."
#[test]
fn grantee_service_principal_follows_create_grant_rules() {
    let w = world();
    let source = format!("arn:aws:s3:::{HOME}-bucket");
    let create = |extra: &[&str]| {
        let mut args = vec![
            "kms",
            "create-grant",
            "--key-id",
            KEY,
            "--operations",
            "Decrypt",
        ];
        args.extend_from_slice(extra);
        w.cli.run("admin", &args)
    };
    let e = stderr(&create(&[
        "--grantee-principal",
        &user("alice"),
        "--grantee-service-principal",
        "s3.amazonaws.com",
    ]));
    assert!(
        e.contains(
            "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both."
        ),
        "{e}"
    );
    let e = stderr(&create(&[
        "--grantee-service-principal",
        "s3.amazonaws.com",
        "--retiring-principal",
        &user("admin"),
    ]));
    assert!(
        e.contains("you must also specify a SourceArn grant constraint"),
        "{e}"
    );
    // The SourceArn pattern wants an account in the ARN: S3 bucket ARNs have none.
    let with_source = format!("SourceArn=arn:aws:logs:eu-west-1:{HOME}:log-group:app");
    let e = stderr(&create(&[
        "--grantee-service-principal",
        "logs.eu-west-1.amazonaws.com",
        "--constraints",
        &with_source,
    ]));
    assert!(
        e.contains("either a RetiringPrincipal or a RetiringServicePrincipal"),
        "{e}"
    );
    assert!(stderr(&create(&[
        "--grantee-service-principal",
        "logs.eu-west-1.amazonaws.com",
        "--constraints",
        &format!("SourceArn={source}"),
        "--retiring-principal",
        &user("admin"),
    ]))
    .contains("at 'constraints.sourceArn'"));
    let out = create(&[
        "--grantee-service-principal",
        "logs.eu-west-1.amazonaws.com",
        "--constraints",
        &with_source,
        "--retiring-service-principal",
        "logs.eu-west-1.amazonaws.com",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = w.grants();
    assert_eq!(
        listed[0]["GranteeServicePrincipal"],
        "logs.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        listed[0]["RetiringServicePrincipal"],
        "logs.eu-west-1.amazonaws.com"
    );
    assert!(listed[0].get("GranteePrincipal").is_none(), "{listed:?}");
    // ListGrants filters by it.
    let by_service = w.cli.ok(
        "admin",
        &[
            "kms",
            "list-grants",
            "--key-id",
            KEY,
            "--grantee-service-principal",
            "logs.eu-west-1.amazonaws.com",
        ],
    );
    assert_eq!(by_service["Grants"].as_array().map(Vec::len), Some(1));
}

/// API Reference, ListGrants and ListRetirableGrants, `Limit`: "If you include a value, it
/// must be between 1 and 100, inclusive." ListRetirableGrants, `RetiringPrincipal`: "Enter
/// a principal in your AWS account."
#[test]
fn listing_limits_and_the_retiring_principal_account_are_checked() {
    let w = world();
    let e = w.cli.err(
        "admin",
        &["kms", "list-grants", "--key-id", KEY, "--limit", "1000"],
    );
    assert!(
        e.contains("Value '1000' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"),
        "{e}"
    );
    w.cli.ok(
        "admin",
        &["kms", "list-grants", "--key-id", KEY, "--limit", "100"],
    );
    let e = w.cli.err(
        "admin",
        &[
            "kms",
            "list-retirable-grants",
            "--retiring-principal",
            &format!("arn:aws:iam::{PARTNER}:user/partner-user"),
        ],
    );
    assert!(e.contains("(ValidationException)"), "{e}");
    assert!(e.contains("must be a principal in your AWS account"), "{e}");
}

/// API Reference, CreateAlias: the name "must begin with alias/ followed by a name" and
/// "can contain only alphanumeric characters, forward slashes (/), underscores (_), and
/// dashes (-)": each error names the rule the value breaks.
#[test]
fn alias_errors_name_the_rule_the_name_breaks() {
    let w = world();
    let create = |name: &str| {
        w.cli.err(
            "admin",
            &[
                "kms",
                "create-alias",
                "--alias-name",
                name,
                "--target-key-id",
                KEY,
            ],
        )
    };
    let e = create("wrongprefix/x");
    assert!(e.contains("must begin with 'alias/'"), "{e}");
    let e = create("alias/a:b");
    assert!(e.contains("':' is not allowed in an alias name"), "{e}");
}

/// API Reference, InvalidCiphertextException: "the specified ciphertext, or additional
/// authenticated data incorporated into the ciphertext, such as the encryption context,
/// is corrupted, missing, or otherwise invalid." The CLI shows that, not an empty message.
#[test]
fn a_wrong_context_says_why_the_ciphertext_is_invalid() {
    let w = world();
    let blob = w.cli.ok(
        "admin",
        &[
            "kms",
            "encrypt",
            "--key-id",
            KEY,
            "--plaintext",
            "aGVsbG8=",
            "--encryption-context",
            "app=a",
        ],
    )["CiphertextBlob"]
        .as_str()
        .unwrap()
        .to_string();
    let e = w.cli.err(
        "admin",
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            &blob,
            "--encryption-context",
            "app=b",
        ],
    );
    assert!(e.contains("(InvalidCiphertextException)"), "{e}");
    assert!(
        e.contains("is corrupted, missing, or otherwise invalid"),
        "{e}"
    );
}

/// IAM ARNs carry the principal's path (`role/service-role/app`), and grants name them so.
#[test]
fn principals_at_an_iam_path_are_grantees_by_their_full_arn() {
    let w = world();
    let role = format!("arn:aws:iam::{HOME}:role/service-role/app");
    w.grant(&role, &["Decrypt"], &[]);
    assert_eq!(w.grants()[0]["GranteePrincipal"], role.as_str());
    // Without its path, the ARN names no principal.
    let e = w.cli.err(
        "admin",
        &[
            "kms",
            "create-grant",
            "--key-id",
            KEY,
            "--grantee-principal",
            &format!("arn:aws:iam::{HOME}:role/app"),
            "--operations",
            "Decrypt",
        ],
    );
    assert!(e.contains("(InvalidArnException)"), "{e}");
    // IAM lists it under its path.
    let roles = w.cli.ok(
        "admin",
        &["iam", "list-roles", "--path-prefix", "/service-role/"],
    );
    assert_eq!(roles["Roles"][0]["Arn"], role.as_str());
    assert_eq!(roles["Roles"][0]["Path"], "/service-role/");
}

/// `serve` logs every request: time, caller, operation, key, verdict, WHY, status and
/// latency, as JSON here; never a plaintext, a ciphertext or a secret.
#[test]
fn serve_logs_every_request_without_secrets() {
    let w = world();
    let plaintext_b64 = "c2VjcmV0LXBsYWludGV4dC0xMjM0NQ=="; // "secret-plaintext-12345"
    let out = w.cli.run(
        "admin",
        &[
            "kms",
            "encrypt",
            "--key-id",
            KEY,
            "--plaintext",
            plaintext_b64,
        ],
    );
    assert!(out.status.success());
    let ciphertext: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ciphertext = ciphertext["CiphertextBlob"].as_str().unwrap().to_string();
    let e = stderr(&w.encrypt("alice", None));
    assert!(e.contains("(AccessDeniedException)"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let lines: Vec<Value> = loop {
        let lines: Vec<Value> = w
            .server
            .output()
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        if lines.len() >= 2 || std::time::Instant::now() > deadline {
            break lines;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(lines.len(), 2, "{lines:?}");
    let (ok, denied) = (&lines[0], &lines[1]);
    assert_eq!(ok["eventName"], "Encrypt");
    assert_eq!(ok["caller"], user("admin").as_str());
    assert_eq!(ok["key"], key_arn().as_str());
    assert_eq!(ok["verdict"], "allowed");
    assert_eq!(ok["status"], 200);
    assert!(
        ok["why"].as_str().unwrap().starts_with("allowed by"),
        "{ok}"
    );
    assert!(ok["latencyMs"].as_f64().is_some());
    assert!(ok["eventTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(denied["caller"], user("alice").as_str());
    assert_eq!(denied["verdict"], "denied");
    assert_eq!(denied["status"], 400);
    assert_eq!(denied["errorCode"], "AccessDeniedException");
    assert!(denied["why"].as_str().unwrap().starts_with("denied"));
    let all = w.server.output().join("\n");
    let creds = std::fs::read_to_string(&w.cli.creds).unwrap();
    let secrets: Vec<&str> = creds
        .lines()
        .filter_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .collect();
    assert!(!secrets.is_empty());
    for secret in secrets {
        assert!(!all.contains(secret), "a secret in the log");
    }
    for body in [plaintext_b64, "secret-plaintext-12345", ciphertext.as_str()] {
        assert!(!all.contains(body), "a body in the log: {body}");
    }
}
