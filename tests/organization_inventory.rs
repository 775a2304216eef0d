//! `inventory` and `report` across an organization's accounts, against `serve` as an
//! organization on loopback, through the real binary: scopes read through AssumeRole,
//! account and region columns, unread scopes reported (exit 2 only when nothing was read,
//! or with --fail-on-unread), and the walkthrough of a cross-account grant found from the
//! organization-wide report, revoked with the key account's credentials, and gone.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use grantscope::backend::aws::{load_config_with, AwsOptions};
use grantscope::scope::credentials::AccountCredentials;
use grantscope::scope::ScopeSpec;
use serde_json::Value;
use support::{credentials_file, ServedWorld, Server};

const ORG: &str = include_str!("fixtures/organization.toml");
const READER: &str = "arn:aws:iam::333333333333:role/reader";

/// grantscope as the management account's operator, with only the served world's
/// credentials file.
fn grantscope(world: &ServedWorld, args: &[&str]) -> Output {
    let creds = world
        .sources
        .credentials_file
        .as_deref()
        .unwrap_or(Path::new("/dev/null"));
    grantscope_at(&world.server.url, creds, args)
}

/// grantscope as the operator of the server at `url`, with the credentials file `creds`.
fn grantscope_at(url: &str, creds: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(args)
        .args([
            "--profile",
            "ops",
            "--region",
            "eu-west-1",
            "--endpoint-url",
            url,
        ])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_SHARED_CREDENTIALS_FILE", creds)
        .output()
        .expect("run grantscope")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn cross_account_findings(report: &Value) -> Vec<Value> {
    report["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter(|f| f["rule"] == "cross-account" && f["grantee"] == READER)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_organization_wide_inventory_reads_every_account_with_account_and_region_columns() {
    let world = ServedWorld::scenario_toml(ORG);
    let out = grantscope(
        &world,
        &[
            "inventory",
            "--accounts",
            "org",
            "--format",
            "csv",
            "--quiet",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Who is asking is asked of STS once, by the caller; a scope's inventory is in the
    // account whose role it assumed, and costs no GetCallerIdentity of its own.
    let asked: Vec<String> = world
        .server
        .output()
        .into_iter()
        .filter(|l| l.contains("GetCallerIdentity"))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:#?}");
    assert!(!asked[0].contains("assumed-role"), "{asked:#?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap_or_default()
            .starts_with("account,region,key_id,"),
        "{text}"
    );
    let grant = text
        .lines()
        .find(|l| l.contains("analytics-reads-payments"))
        .unwrap_or_else(|| panic!("the cross-account grant is listed: {text}"));
    assert!(grant.starts_with("222222222222,eu-west-1,"), "{grant}");

    let out = grantscope(
        &world,
        &[
            "inventory",
            "--accounts",
            "org",
            "--regions",
            "all",
            "--format",
            "json",
        ],
    );
    let inv = json(&out);
    let scopes: Vec<String> = inv["scopes"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| {
                    format!(
                        "{}/{}",
                        s["account"].as_str().unwrap_or(""),
                        s["region"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        scopes,
        [
            "111111111111/eu-west-1",
            "111111111111/us-east-1",
            "222222222222/eu-west-1",
            "222222222222/us-east-1",
            "333333333333/eu-west-1",
            "333333333333/us-east-1"
        ]
    );
    // The us-east-1 key is read in its region (one `serve` answers every region).
    let us_keys: Vec<&str> = inv["scopes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["region"] == "us-east-1")
        .flat_map(|s| s["inventory"]["keys"].as_array().into_iter().flatten())
        .filter_map(|k| k["arn"].as_str())
        .collect();
    assert_eq!(us_keys.len(), 1, "{}", inv["scopes"]);
    assert!(
        us_keys[0].starts_with("arn:aws:kms:us-east-1:222222222222:key/"),
        "{us_keys:?}"
    );
    assert_eq!(inv["unread"], serde_json::json!([]));
    assert!(
        inv["requests"].as_u64().is_some_and(|n| n >= 6),
        "{}",
        inv["requests"]
    );
    // Nothing but the output on a pipe: no progress bar.
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("scopes"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An organization of `n` accounts (the management account first), the operator's
/// principal in the management account, one key in every member account.
fn organization_of(n: usize) -> String {
    let id = |i: usize| format!("{:012}", 100_000_000_000u64 + i as u64);
    let mut t = format!(
        "name = \"big-org\"\nregion = \"eu-west-1\"\n[organization]\nmanagement_account = \"{}\"\n",
        id(0)
    );
    for i in 0..n {
        t.push_str(&format!("[[accounts]]\nid = \"{}\"\n", id(i)));
    }
    t.push_str(&format!(
        "[[principals]]\nname = \"ops\"\naccount = \"{}\"\nmanaged_policies = [\"AdministratorAccess\"]\n",
        id(0)
    ));
    for i in 1..n {
        t.push_str(&format!(
            "[[keys]]\naccount = \"{}\"\naliases = [\"alias/k{i}\"]\n",
            id(i)
        ));
    }
    t
}

#[test]
fn an_organization_listed_over_several_pages_is_read_whole_and_in_order() {
    // ListAccounts answers 20 accounts a page: 45 accounts are three pages, and the
    // scopes of each page are read while the next is asked. Every answer is 50 ms late,
    // so the order of the server's log shows what overlapped.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("world.toml");
    std::fs::write(&path, organization_of(45)).expect("write");
    let path = path.display().to_string();
    let server = Server::start(&["--scenario", &path, "--latency", "50ms"]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &path]);
    let out = grantscope_at(
        &server.url,
        &creds,
        &[
            "inventory",
            "--accounts",
            "org",
            "--format",
            "json",
            "--quiet",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv = json(&out);
    let accounts: Vec<String> = inv["scopes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["account"].as_str().map(str::to_string))
        .collect();
    let expected: Vec<String> = (0..45)
        .map(|i| format!("{:012}", 100_000_000_000u64 + i as u64))
        .collect();
    assert_eq!(accounts, expected);
    assert_eq!(inv["unread"], serde_json::json!([]));
    let keys = inv["scopes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["inventory"]["keys"].as_array().map_or(0, Vec::len))
        .sum::<usize>();
    assert_eq!(keys, 44);
    let log = server.output();
    let pages: Vec<usize> = (0..log.len())
        .filter(|i| log[*i].contains("ListAccounts"))
        .collect();
    assert_eq!(pages.len(), 3, "{log:#?}");
    // The first page's accounts were entered (AssumeRole) before the last page was
    // even asked: it is asked only once the second page is answered.
    let first_entered = log
        .iter()
        .position(|l| l.contains("AssumeRole"))
        .expect("a role was assumed");
    assert!(first_entered < pages[2], "{log:#?}");
}

#[test]
fn a_scope_that_cannot_be_read_is_reported_and_the_rest_goes_on() {
    let world = ServedWorld::scenario_toml(ORG);
    // 444444444444 is no account of the organization: AssumeRole is refused there.
    let accounts = "222222222222,444444444444";
    let out = grantscope(
        &world,
        &[
            "report",
            "--accounts",
            accounts,
            "--format",
            "json",
            "--fail-on",
            "high",
            "--quiet",
        ],
    );
    let report = json(&out);
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["scopes"]["read"][0]["account"], "222222222222");
    let unread = &report["scopes"]["unread"][0];
    assert_eq!(unread["account"], "444444444444");
    assert!(
        unread["why"]
            .as_str()
            .is_some_and(|w| w.contains("AccessDenied")),
        "{unread}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not read: 444444444444/eu-west-1"));
    assert_eq!(cross_account_findings(&report).len(), 1, "{report:#}");

    let strict = grantscope(
        &world,
        &[
            "report",
            "--accounts",
            accounts,
            "--fail-on-unread",
            "--quiet",
        ],
    );
    assert_eq!(strict.status.code(), Some(2));
    let nothing = grantscope(&world, &["report", "--accounts", "444444444444", "--quiet"]);
    assert_eq!(
        nothing.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&nothing.stdout)
    );
    assert!(String::from_utf8_lossy(&nothing.stdout).contains("Read 0 of 1 scope"));
}

#[test]
fn the_config_file_scope_section_drives_the_report() {
    let world = ServedWorld::scenario_toml(ORG);
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("grantscope.toml");
    std::fs::write(
        &config,
        "older_than = \"30d\"\n[scope]\naccounts = \"org\"\nregions = [\"eu-west-1\"]\n",
    )
    .expect("write");
    let out = grantscope(
        &world,
        &[
            "report",
            "--config",
            config.to_str().unwrap_or_default(),
            "--format",
            "csv",
            "--quiet",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("account,region,rule,"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("222222222222,eu-west-1,cross-account,")),
        "{text}"
    );
}

/// The walkthrough: a role in account B (analytics) was granted Decrypt on a key in account
/// A (payments). The organization-wide report finds it; it is revoked with A's
/// credentials (a session of A's access role); B's role can no longer decrypt, and the
/// report no longer finds it.
#[tokio::test(flavor = "multi_thread")]
async fn a_cross_account_grant_is_found_organization_wide_revoked_and_gone_from_bs_view() {
    let world = ServedWorld::scenario_toml(ORG);
    let report = json(&grantscope(
        &world,
        &["report", "--accounts", "org", "--format", "json", "--quiet"],
    ));
    let found = cross_account_findings(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    let key = found[0]["key"].as_str().unwrap_or_default().to_string();
    let grant_id = found[0]["grant_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(key.contains(":222222222222:key/"), "{key}");

    let options = |profile: &str| AwsOptions {
        profile: Some(profile.into()),
        region: Some("eu-west-1".into()),
        endpoint_url: Some(world.server.url.clone()),
    };
    // A's credentials, as the organization-wide view holds them.
    let base = load_config_with(&options("ops"), &world.sources).await;
    let creds = AccountCredentials::new(base, "111111111111".into(), &ScopeSpec::default());
    let a = aws_sdk_kms::Client::new(
        &creds
            .config("222222222222", "eu-west-1")
            .await
            .expect("into A"),
    );
    let blob = a
        .encrypt()
        .key_id(&key)
        .plaintext(aws_sdk_kms::primitives::Blob::new(b"card numbers".to_vec()))
        .send()
        .await
        .expect("A encrypts")
        .ciphertext_blob
        .expect("a blob");
    // B's role, as itself.
    let b = aws_sdk_kms::Client::new(&load_config_with(&options("reader"), &world.sources).await);
    let decrypt = || {
        b.decrypt()
            .key_id(&key)
            .ciphertext_blob(blob.clone())
            .send()
    };
    decrypt().await.expect("B decrypts through the grant");

    a.revoke_grant()
        .key_id(&key)
        .grant_id(&grant_id)
        .send()
        .await
        .expect("revoked with A's credentials");

    let err = decrypt().await.expect_err("the grant is gone");
    assert_eq!(
        aws_sdk_kms::error::ProvideErrorMetadata::code(&err),
        Some("AccessDeniedException")
    );
    let after = json(&grantscope(
        &world,
        &["report", "--accounts", "org", "--format", "json", "--quiet"],
    ));
    assert!(cross_account_findings(&after).is_empty(), "{after:#}");
}
