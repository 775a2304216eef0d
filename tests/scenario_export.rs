//! Rehearsal: `grantscope inventory --format scenario` exports an account served by
//! `grantscope serve` (keys, aliases, key policies, grants, the principals they name) as a
//! scenario file; the simulator loads it back with the same keys and grants, and a grant
//! revoked there stops working for its grantee, as it would on AWS.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use grantscope::kms::inventory::Inventory;
use support::{credentials_file, kms_as, profile_keys, Server};

const SOURCE: &str = r#"
name = "rehearse"
description = "Keys and grants of every kind to export."
region = "eu-west-1"

[[accounts]]
id = "111122223333"

[[accounts]]
id = "444455556666"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "alice"

[[principals]]
name = "app-role"
kind = "role"
path = "/service-role/"

[[principals]]
name = "bob"
unique_id = "AIDASTALEBOB000000001"
deleted = true

[[principals]]
name = "partner-app"
account = "444455556666"
kind = "role"

[[keys]]
id = "0a1b2c3d-0000-4000-8000-000000000001"
aliases = ["alias/app-data", "alias/app-data-2"]
description = "Application data"
age = "500d"
policy = '''{"Version":"2012-10-17","Id":"custom","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}'''

[[keys]]
id = "0a1b2c3d-0000-4000-8000-000000000002"
aliases = ["alias/legacy"]
state = "Disabled"
age = "900d"

[[grants]]
id = "5a1e000000000000000000000000000000000000000000000000000000000001"
key = "alias/app-data"
grantee = "alice"
retiring = "admin"
operations = ["Encrypt", "Decrypt"]
name = "alice-rw"
age = "10d"

[[grants]]
id = "5a1e000000000000000000000000000000000000000000000000000000000002"
key = "alias/app-data"
grantee = "app-role"
operations = ["GenerateDataKey"]
constraints = { subset = { app = "orders" } }
age = "20d"

[[grants]]
id = "5a1e000000000000000000000000000000000000000000000000000000000003"
key = "alias/app-data"
grantee = "bob"
operations = ["Decrypt"]
age = "300d"

[[grants]]
id = "5a1e000000000000000000000000000000000000000000000000000000000004"
key = "alias/legacy"
grantee = "arn:aws:iam::444455556666:role/partner-app"
operations = ["Decrypt"]
constraints = { equals = { tenant = "p" } }
age = "400d"
"#;

fn grantscope(creds: Option<&Path>, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            creds.unwrap_or(Path::new("/dev/null")),
        )
        .output()
        .expect("run grantscope");
    assert!(
        out.status.success(),
        "grantscope {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn inventory(out: &Output) -> Inventory {
    serde_json::from_slice(&out.stdout).expect("an inventory")
}

#[test]
fn a_scenario_exported_from_serve_loads_back_with_the_same_keys_and_grants() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.toml");
    std::fs::write(&source, SOURCE).unwrap();
    let source = source.to_str().unwrap();
    let server = Server::start(&["--scenario", source]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", source]);

    let exported = grantscope(
        Some(&creds),
        &["inventory", "--profile", "admin", "--format", "scenario"],
    );
    let text = String::from_utf8(exported.stdout).unwrap();
    assert!(text.starts_with(
        "# A grantscope scenario exported from aws account 111122223333 in eu-west-1"
    ));
    assert!(text.contains("# Not exported: inline IAM policies"));
    // The admin keeps AdministratorAccess: the rehearsal has its operator.
    assert!(
        text.contains(r#"managed_policies = ["AdministratorAccess"]"#),
        "{text}"
    );
    // No secrets: neither the served access keys nor their secrets.
    let served = std::fs::read_to_string(&creds).unwrap();
    let (akid, secret) = profile_keys(&served, "admin");
    assert!(!text.contains(&akid) && !text.contains(&secret));
    assert!(!text.contains("secret_access_key") && !text.contains("access_key_id"));
    let file = dir.path().join("exported.toml");
    std::fs::write(&file, &text).unwrap();

    let remote = inventory(&grantscope(
        Some(&creds),
        &["inventory", "--profile", "admin", "--format", "json"],
    ));
    let local = inventory(&grantscope(
        None,
        &[
            "inventory",
            "--scenario",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(local.keys.len(), remote.keys.len());
    for (l, r) in local.keys.iter().zip(&remote.keys) {
        assert_eq!(
            (&l.arn, &l.aliases, l.state, &l.description),
            (&r.arn, &r.aliases, r.state, &r.description)
        );
        assert!((l.creation_date.unwrap() - r.creation_date.unwrap()).abs() < 300.0);
        let ids = |k: &grantscope::kms::inventory::InventoryKey| {
            let mut v: Vec<_> = k
                .grants
                .iter()
                .map(|g| {
                    let mut e = g.entry.clone();
                    assert!(e.creation_date.is_some());
                    e.creation_date = None;
                    e
                })
                .collect();
            v.sort_by(|a, b| a.grant_id.cmp(&b.grant_id));
            v
        };
        assert_eq!(ids(l), ids(r), "grants of {}", l.arn);
    }
    // The deleted grantee still shows as its unique id; the custom key policy came along.
    assert!(text.contains("AIDASTALEBOB000000001"));
    assert!(text.contains(r#""Id":"custom""#));
}

#[test]
fn a_grant_revoked_in_the_rehearsal_stops_working_for_its_grantee() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.toml");
    std::fs::write(&source, SOURCE).unwrap();
    let source = source.to_str().unwrap();
    let server = Server::start(&["--scenario", source]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", source]);
    let exported = grantscope(
        Some(&creds),
        &["inventory", "--profile", "admin", "--format", "scenario"],
    );
    let file = dir.path().join("exported.toml");
    std::fs::write(&file, &exported.stdout).unwrap();
    let file = file.to_str().unwrap();
    drop(server);

    // The rehearsal: the exported world, served.
    let rehearsal = Server::start(&["--scenario", file, "--propagation-delay", "0s"]);
    let creds = credentials_file(dir.path(), &rehearsal.url, &["--scenario", file]);
    let text = std::fs::read_to_string(&creds).unwrap();
    let client = |profile: &str| kms_as(&rehearsal.url, profile_keys(&text, profile));
    let key = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001";
    let grant = "5a1e000000000000000000000000000000000000000000000000000000000001";
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let alice = client("alice");
        let encrypt = || {
            alice
                .encrypt()
                .key_id(key)
                .plaintext(aws_sdk_kms::primitives::Blob::new("x"))
                .send()
        };
        encrypt()
            .await
            .expect("alice's grant works in the rehearsal");
        client("admin")
            .revoke_grant()
            .key_id(key)
            .grant_id(grant)
            .send()
            .await
            .unwrap();
        let denied = encrypt().await.expect_err("revoked: alice is denied");
        use aws_sdk_kms::error::ProvideErrorMetadata;
        assert_eq!(denied.code(), Some("AccessDeniedException"));
    });
}
