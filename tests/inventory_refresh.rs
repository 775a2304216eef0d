//! `inventory --refresh` through the AWS backend against `grantscope serve` on loopback:
//! after a saved run and a grant created on one key, the refresh lists only that key again
//! (counted with CloudTrail's own ListGrants events), equals a full listing, and `--full`
//! lists every key.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::{credentials_file, kms_as, profile_keys, Server};

const SCENARIO: &str = r#"
name = "refresh"
description = "Three keys with a grant each."
region = "eu-west-1"

[[accounts]]
id = "111122223333"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "alice"

[[principals]]
name = "auditor"
[[principals.policies]]
name = "kms-read"
document = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:List*","kms:Describe*","kms:Get*","iam:List*"],"Resource":"*"}]}'''

[[keys]]
id = "0a1b2c3d-0000-4000-8000-0000000000f1"
aliases = ["alias/one"]

[[keys]]
id = "0a1b2c3d-0000-4000-8000-0000000000f2"
aliases = ["alias/two"]

[[keys]]
id = "0a1b2c3d-0000-4000-8000-0000000000f3"

[[grants]]
key = "alias/one"
grantee = "alice"
operations = ["Decrypt"]
name = "one"

[[grants]]
key = "alias/two"
grantee = "alice"
operations = ["Decrypt"]
name = "two"
"#;

const TWO: &str = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-0000000000f2";

fn grantscope(creds: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_SHARED_CREDENTIALS_FILE", creds)
        .output()
        .expect("run grantscope")
}

/// The inventory document without the time it was taken.
fn inventory(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    v.as_object_mut().unwrap().remove("generated_at");
    v
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The keys (ARNs) of ListGrants calls CloudTrail recorded since `since`, one per call.
async fn list_grants_since(url: &str, keys: (String, String), since: f64) -> Vec<String> {
    use aws_sdk_cloudtrail::config::{Credentials, Region};
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let config = aws_sdk_cloudtrail::Config::builder()
        .behavior_version_latest()
        .endpoint_url(url)
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new(keys.0, keys.1, None, None, "test"))
        .build();
    let trail = aws_sdk_cloudtrail::Client::from_conf(config);
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let out = trail
            .lookup_events()
            .lookup_attributes(
                LookupAttribute::builder()
                    .attribute_key(LookupAttributeKey::EventName)
                    .attribute_value("ListGrants")
                    .build()
                    .unwrap(),
            )
            .start_time(aws_sdk_cloudtrail::primitives::DateTime::from_secs_f64(
                since,
            ))
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        for e in out.events() {
            for r in e.resources() {
                found.push(r.resource_name().unwrap_or_default().to_string());
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    found
}

#[test]
fn refresh_lists_again_only_the_key_whose_grants_changed_and_equals_a_full_listing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("refresh.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    let path = path.to_str().unwrap().to_string();
    let server = Server::start(&["--scenario", &path, "--propagation-delay", "0s"]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &path]);
    let text = std::fs::read_to_string(&creds).unwrap();
    let store = dir.path().join("h.sqlite3");
    let store = store.to_str().unwrap();
    let base = [
        "inventory",
        "--format",
        "json",
        "--profile",
        "admin",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        server.url.as_str(),
        "--store",
        store,
    ];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        grantscope(&creds, &args)
    };
    inventory(&run(&["--save"]));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        kms_as(&server.url, profile_keys(&text, "admin"))
            .create_grant()
            .key_id(TWO)
            .grantee_principal("arn:aws:iam::111122223333:user/alice")
            .operations(aws_sdk_kms::types::GrantOperation::Encrypt)
            .name("new")
            .send()
            .await
            .expect("the admin creates a grant");
    });

    let before = now() - 0.001;
    let out = run(&["--refresh", "--save"]);
    let refreshed = inventory(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 key listed again, 2 keys taken from the store"),
        "{err}"
    );
    let listed = runtime.block_on(list_grants_since(
        &server.url,
        profile_keys(&text, "admin"),
        before,
    ));
    assert_eq!(listed, vec![TWO.to_string()], "only the changed key");

    let before = now() - 0.001;
    let full = inventory(&run(&["--refresh", "--full"]));
    assert_eq!(refreshed, full);
    let grants = full["keys"][1]["grants"].as_array().unwrap();
    assert!(grants
        .iter()
        .any(|g| g["Name"] == "new" || g["name"] == "new"));
    let mut listed = runtime.block_on(list_grants_since(
        &server.url,
        profile_keys(&text, "admin"),
        before,
    ));
    listed.sort();
    listed.dedup();
    assert_eq!(listed.len(), 3, "--full lists every key: {listed:?}");
}

#[test]
fn refresh_without_a_saved_run_says_so_and_lists_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("refresh.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    let path = path.to_str().unwrap().to_string();
    let server = Server::start(&["--scenario", &path, "--propagation-delay", "0s"]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &path]);
    let store = dir.path().join("empty.sqlite3");
    let mut args = vec![
        "inventory",
        "--format",
        "json",
        "--profile",
        "admin",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        server.url.as_str(),
        "--store",
        store.to_str().unwrap(),
    ];
    let full = inventory(&grantscope(&creds, &args));
    args.push("--refresh");
    let out = grantscope(&creds, &args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refresh: no saved run of account 111122223333 in eu-west-1: full listing"),
        "{err}"
    );
    assert_eq!(inventory(&out), full);
    assert_eq!(full["keys"].as_array().unwrap().len(), 3);
}

/// A caller who may read KMS but not CloudTrail: the refresh says why it cannot use the
/// saved run and lists every key, the same inventory as a full listing.
#[test]
fn refresh_without_cloudtrail_access_says_so_and_lists_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("refresh.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    let path = path.to_str().unwrap().to_string();
    let server = Server::start(&["--scenario", &path, "--propagation-delay", "0s"]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &path]);
    let store = dir.path().join("runs.sqlite3");
    let args = |profile: &'static str| {
        vec![
            "inventory".to_string(),
            "--format".into(),
            "json".into(),
            "--profile".into(),
            profile.into(),
            "--region".into(),
            "eu-west-1".into(),
            "--endpoint-url".into(),
            server.url.clone(),
            "--store".into(),
            store.to_str().unwrap().into(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        grantscope(&creds, &args)
    };
    let mut save = args("admin");
    save.push("--save".into());
    let saved = inventory(&run(save));
    let mut refresh = args("auditor");
    refresh.push("--refresh".into());
    let out = run(refresh);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refresh: CloudTrail could not be read (") && err.contains("full listing"),
        "{err}"
    );
    assert!(
        err.contains("cloudtrail:LookupEvents"),
        "AWS's reason is given: {err}"
    );
    let refreshed = inventory(&out);
    assert_eq!(refreshed["keys"], saved["keys"]);
    assert_eq!(refreshed["keys"].as_array().unwrap().len(), 3);
}
