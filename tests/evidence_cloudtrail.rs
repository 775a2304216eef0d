//! `report --evidence cloudtrail` and `inventory --evidence cloudtrail` through the AWS
//! backend against `grantscope serve` on loopback: grants whose grantee never called the
//! key are "unused" (a finding naming CloudTrail), a grant whose grantee did is "possibly
//! used" with the last call, and usage is "not determined" when the page budget runs out or
//! CloudTrail is not readable.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::{credentials_file, kms_as, profile_keys, Server};

const SCENARIO: &str = r#"
name = "evidence"
description = "Two keys, grants used and unused, an auditor who may not read CloudTrail."
region = "eu-west-1"

[[accounts]]
id = "111122223333"
name = "production"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "auditor"
[[principals.policies]]
name = "kms-read"
document = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:List*","kms:Describe*","kms:Get*","iam:List*"],"Resource":"*"}]}'''

[[principals]]
name = "alice"

[[principals]]
name = "carol"

[[keys]]
id = "0a1b2c3d-0000-4000-8000-0000000000e1"
aliases = ["alias/used"]
age = "100d"

[[keys]]
id = "0a1b2c3d-0000-4000-8000-0000000000e2"
aliases = ["alias/busy"]
age = "100d"

[[grants]]
key = "alias/used"
grantee = "alice"
retiring = "admin"
operations = ["Encrypt"]
name = "alice-writer"
age = "30d"

[[grants]]
key = "alias/used"
grantee = "carol"
retiring = "admin"
operations = ["Decrypt"]
name = "carol-reader"
age = "30d"

[[grants]]
key = "alias/used"
grantee = "alice"
retiring = "admin"
operations = ["Decrypt"]
name = "alice-fresh"
age = "1h"

[[grants]]
key = "alias/busy"
grantee = "carol"
retiring = "admin"
operations = ["Encrypt"]
name = "carol-busy"
age = "30d"
"#;

const USED: &str = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-0000000000e1";
const BUSY: &str = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-0000000000e2";

struct World {
    server: Server,
    creds: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// Serve the scenario; alice encrypts under `used`, the admin describes `busy` 60 times
/// (more than one page of events).
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    let path = path.to_str().unwrap().to_string();
    let server = Server::start(&["--scenario", &path, "--propagation-delay", "0s"]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &path]);
    let text = std::fs::read_to_string(&creds).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let alice = kms_as(&server.url, profile_keys(&text, "alice"));
        alice
            .encrypt()
            .key_id(USED)
            .plaintext(aws_sdk_kms::primitives::Blob::new("hi"))
            .send()
            .await
            .expect("alice encrypts through her grant");
        let admin = kms_as(&server.url, profile_keys(&text, "admin"));
        for _ in 0..60 {
            admin.describe_key().key_id(BUSY).send().await.unwrap();
        }
    });
    World {
        server,
        creds,
        _dir: dir,
    }
}

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

fn json(out: &Output) -> Value {
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// The `unused` findings' grant names, via the inventory's names.
fn unused_names(report: &Value, inventory: &Value) -> Vec<String> {
    let names: std::collections::HashMap<&str, &str> = inventory["keys"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| k["grants"].as_array().unwrap())
        .map(|g| (g["GrantId"].as_str().unwrap(), g["Name"].as_str().unwrap()))
        .collect();
    let mut out: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unused")
        .map(|f| names[f["grant_id"].as_str().unwrap()].to_string())
        .collect();
    out.sort();
    out
}

fn grant<'a>(inventory: &'a Value, name: &str) -> &'a Value {
    inventory["keys"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| k["grants"].as_array().unwrap())
        .find(|g| g["Name"] == name)
        .expect("the grant is listed")
}

const EVIDENCE: [&str; 7] = [
    "--profile",
    "admin",
    "--evidence",
    "cloudtrail",
    "--unused-for",
    "7d",
    "--quiet",
];

#[test]
fn grants_whose_grantee_never_called_the_key_are_unused_and_a_called_one_is_possibly_used() {
    let w = world();
    let mut args = vec!["inventory", "--format", "json"];
    args.extend(EVIDENCE);
    let inventory = json(&grantscope(&w.creds, &args));
    assert_eq!(inventory["usage"], "principals");
    let writer = grant(&inventory, "alice-writer");
    assert_eq!(writer["evidence"]["usage"], "possibly-used");
    assert_eq!(writer["evidence"]["operation"], "Encrypt");
    assert!(writer["last_used"].as_f64().is_some());
    let reader = grant(&inventory, "carol-reader");
    assert_eq!(reader["evidence"]["usage"], "unused");
    assert_eq!(reader["evidence"]["window_days"], 7);
    assert_eq!(reader["evidence"]["source"], "CloudTrail LookupEvents");
    // alice encrypted, but this grant is for Decrypt: no call with its operations.
    assert_eq!(
        grant(&inventory, "alice-fresh")["evidence"]["usage"],
        "unused"
    );

    // The table says when each grantee was last seen.
    let mut args = vec!["inventory"];
    args.extend(EVIDENCE);
    let table = String::from_utf8(grantscope(&w.creds, &args).stdout).unwrap();
    let line = |name: &str| {
        table
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} in {table}"))
            .to_string()
    };
    assert!(line("alice-writer").contains("  last seen 20"), "{table}");
    assert!(line("alice-writer").ends_with("(Encrypt)"), "{table}");
    assert!(
        line("carol-reader").ends_with("  not seen in 7 days"),
        "{table}"
    );

    let mut args = vec!["report", "--format", "json"];
    args.extend(EVIDENCE);
    let report = json(&grantscope(&w.creds, &args));
    // alice-fresh was created an hour ago: not idle for the whole window, so no finding.
    assert_eq!(
        unused_names(&report, &inventory),
        ["carol-busy", "carol-reader"]
    );
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unused")
        .unwrap();
    let reason = finding["reason"].as_str().unwrap();
    assert!(
        reason.contains("has not used this key") && reason.contains("CloudTrail"),
        "{reason}"
    );
    assert_eq!(report["summary"]["unavailable"], serde_json::json!([]));
    drop(w.server);
}

#[test]
fn usage_is_not_determined_when_the_page_budget_runs_out() {
    let w = world();
    let mut args = vec!["report", "--evidence-pages", "1"];
    args.extend(EVIDENCE);
    let table = grantscope(&w.creds, &args);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("Rule unused: usage of 1 grant not determined (1 grant: look-up budget ran out: 1 LookupEvents pages read for the key"),
        "{text}"
    );
    let mut args = vec!["report", "--format", "json", "--evidence-pages", "1"];
    args.extend(EVIDENCE);
    let report = json(&grantscope(&w.creds, &args));
    assert_eq!(report["summary"]["usage_not_determined"], 1);
    let unused: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unused")
        .collect();
    // carol-reader on the quiet key is still decided; carol-busy is not a finding.
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["key"], USED);
}

#[test]
fn usage_is_not_determined_when_cloudtrail_is_not_readable() {
    let w = world();
    let mut args = vec!["report", "--format", "json"];
    args.extend(EVIDENCE);
    args[4] = "auditor";
    let report = json(&grantscope(&w.creds, &args));
    assert_eq!(report["summary"]["usage_not_determined"], 4);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] != "unused"));
    let mut args = vec!["report"];
    args.extend(EVIDENCE);
    args[2] = "auditor";
    let out = grantscope(&w.creds, &args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("CloudTrail not readable: AccessDeniedException")
            && text.contains("cloudtrail:LookupEvents"),
        "{text}"
    );
}
