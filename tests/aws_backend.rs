//! The AWS backend against `grantscope serve` on loopback, through the real binary as a
//! script would run it: paging, parity with the in-process simulator, throttling, errors.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use grantscope::kms::inventory::Inventory;
use support::{credentials_file, Server};

/// Run grantscope with only the given credentials file (never the developer's own).
fn grantscope(creds: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grantscope"));
    cmd.args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            creds.unwrap_or(Path::new("/dev/null")),
        );
    cmd.output().expect("run grantscope")
}

fn json<T: serde::de::DeserializeOwned>(out: &Output) -> T {
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 300.0,
        (None, None) => true,
        _ => false,
    }
}

#[test]
fn inventory_and_report_through_aws_match_the_simulator() {
    let server = Server::start(&["--scenario", "stale-grants"]);
    let dir = tempfile::tempdir().unwrap();
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", "stale-grants"]);

    let local: Inventory = json(&grantscope(
        None,
        &[
            "inventory",
            "--scenario",
            "stale-grants",
            "--format",
            "json",
        ],
    ));
    let remote: Inventory = json(&grantscope(
        Some(&creds),
        &["inventory", "--profile", "admin", "--format", "json"],
    ));
    assert_eq!(remote.backend, "aws");
    assert_eq!(remote.account, local.account);
    assert_eq!(remote.region, local.region);
    assert_eq!(remote.keys.len(), local.keys.len());
    for (l, r) in local.keys.iter().zip(&remote.keys) {
        assert_eq!(
            (
                &l.key_id,
                &l.arn,
                &l.aliases,
                l.state,
                l.manager,
                &l.description
            ),
            (
                &r.key_id,
                &r.arn,
                &r.aliases,
                r.state,
                r.manager,
                &r.description
            )
        );
        assert!(close(l.creation_date, r.creation_date));
        assert_eq!(l.grants.len(), r.grants.len(), "grants of {}", l.arn);
        for (lg, rg) in l.grants.iter().zip(&r.grants) {
            let mut a = lg.entry.clone();
            let mut b = rg.entry.clone();
            assert!(close(a.creation_date, b.creation_date));
            a.creation_date = None;
            b.creation_date = None;
            assert_eq!(a, b);
            assert_eq!(
                (&lg.grantee_name, &lg.retiring_name),
                (&rg.grantee_name, &rg.retiring_name)
            );
        }
    }

    // The same findings, usage-based rules aside (the AWS path has no usage data).
    let local: serde_json::Value = json(&grantscope(
        None,
        &["report", "--scenario", "stale-grants", "--format", "json"],
    ));
    let remote_out = grantscope(
        Some(&creds),
        &["report", "--profile", "admin", "--format", "json"],
    );
    assert_eq!(remote_out.status.code(), Some(1));
    let remote: serde_json::Value = json(&remote_out);
    let without_unused: Vec<&serde_json::Value> = local["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] != "unused")
        .collect();
    let remote_findings: Vec<&serde_json::Value> =
        remote["findings"].as_array().unwrap().iter().collect();
    assert_eq!(without_unused, remote_findings);
    assert_eq!(
        remote["summary"]["unavailable"],
        serde_json::json!(["unused"])
    );
}

/// A scenario with `keys` keys, the first holding `grants` grants.
fn big_world(dir: &Path, keys: usize, grants: usize) -> String {
    let mut toml = String::from(
        "name = \"big\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n\
         [[principals]]\nname = \"admin\"\nmanaged_policies = [\"AdministratorAccess\"]\n\
         [[principals]]\nname = \"app\"\nkind = \"role\"\n",
    );
    for i in 0..keys {
        toml.push_str(&format!("[[keys]]\naliases = [\"alias/k{i:04}\"]\n"));
    }
    toml.push_str(&format!(
        "[[grants]]\nkey = \"alias/k0000\"\ngrantee = \"app\"\noperations = [\"Encrypt\"]\nname = \"g-{{n}}\"\ncount = {grants}\n"
    ));
    let path = dir.join("big.toml");
    std::fs::write(&path, toml).unwrap();
    path.display().to_string()
}

#[test]
fn inventory_pages_through_many_keys_and_grants() {
    let dir = tempfile::tempdir().unwrap();
    let world = big_world(dir.path(), 130, 250);
    let server = Server::start(&["--scenario", &world]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &world]);
    let inv: Inventory = json(&grantscope(
        Some(&creds),
        &["inventory", "--profile", "admin", "--format", "json"],
    ));
    assert_eq!(inv.keys.len(), 130);
    let first = inv
        .keys
        .iter()
        .find(|k| k.aliases == ["alias/k0000"])
        .unwrap();
    assert_eq!(first.grants.len(), 250);
    let mut names: Vec<&str> = first.grants.iter().map(|g| g.entry.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 250, "no grant lost or repeated across pages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_endpoint_still_yields_a_complete_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let world = big_world(dir.path(), 40, 120);
    let server = Server::start(&["--scenario", &world, "--throttle", "15"]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &world]);

    // A burst without retries meets ThrottlingException...
    let text = std::fs::read_to_string(&creds).unwrap();
    let field = |name: &str| {
        let admin = text.split("[admin]").nth(1).unwrap();
        admin
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} = ")))
            .unwrap()
            .to_string()
    };
    let conf = aws_sdk_kms::Config::builder()
        .behavior_version_latest()
        .endpoint_url(&server.url)
        .region(aws_sdk_kms::config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_kms::config::Credentials::new(
            field("aws_access_key_id"),
            field("aws_secret_access_key"),
            None,
            None,
            "test",
        ))
        .retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled())
        .build();
    let kms = aws_sdk_kms::Client::from_conf(conf);
    let burst = futures::future::join_all((0..40).map(|_| kms.list_keys().send())).await;
    let throttled = burst
        .iter()
        .filter(|r| {
            r.as_ref()
                .err()
                .and_then(|e| aws_sdk_kms::error::ProvideErrorMetadata::code(e))
                == Some("ThrottlingException")
        })
        .count();
    assert!(throttled > 0, "the burst was never throttled");

    // ...while the backend, retrying with backoff, completes the inventory.
    let out = tokio::task::spawn_blocking(move || {
        grantscope(
            Some(&creds),
            &["inventory", "--profile", "admin", "--format", "json"],
        )
    })
    .await
    .unwrap();
    let inv: Inventory = json(&out);
    assert_eq!(inv.keys.len(), 40);
    assert_eq!(inv.keys.iter().map(|k| k.grants.len()).sum::<usize>(), 120);
}

#[test]
fn aws_errors_reach_the_user_as_readable_messages() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let creds = credentials_file(dir.path(), &server.url, &[]);

    let out = grantscope(Some(&creds), &["inventory", "--profile", "granttestuser"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("grantscope: AccessDeniedException: User: arn:aws:iam::111122223333:user/granttestuser is not authorized to perform: kms:ListKeys on resource: *"),
        "{err}"
    );

    let out = grantscope(
        Some(&creds),
        &["report", "--profile", "admin", "--region", "xx-nowhere-1"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SignatureDoesNotMatch") && err.contains("region"),
        "{err}"
    );

    let out = grantscope(
        Some(&creds),
        &[
            "inventory",
            "--profile",
            "admin",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("grantscope: The endpoint could not be reached"),
        "{err}"
    );

    let out = grantscope(
        None,
        &[
            "inventory",
            "--aws",
            "--region",
            "eu-west-1",
            "--endpoint-url",
            &server.url,
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("grantscope: No usable AWS credentials"),
        "{err}"
    );

    let out = grantscope(Some(&creds), &["inventory", "--profile", "nobody"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}

#[test]
fn a_distant_endpoint_gives_the_same_inventory_with_requests_overlapping() {
    const LATENCY: std::time::Duration = std::time::Duration::from_millis(200);
    let dir = tempfile::tempdir().unwrap();
    let world = big_world(dir.path(), 40, 30);
    let near = Server::start(&["--scenario", &world]);
    let far = Server::start(&["--scenario", &world, "--latency", "200ms"]);
    let near_dir = dir.path().join("near");
    let far_dir = dir.path().join("far");
    std::fs::create_dir_all(&near_dir).unwrap();
    std::fs::create_dir_all(&far_dir).unwrap();
    let near_creds = credentials_file(&near_dir, &near.url, &["--scenario", &world]);
    let far_creds = credentials_file(&far_dir, &far.url, &["--scenario", &world]);
    let args = ["inventory", "--profile", "admin", "--format", "json"];

    let near_inv: Inventory = json(&grantscope(Some(&near_creds), &args));
    let started = std::time::Instant::now();
    let far_inv: Inventory = json(&grantscope(Some(&far_creds), &args));
    let took = started.elapsed();

    let summary = |inv: &Inventory| {
        inv.keys
            .iter()
            .map(|k| (k.key_id.clone(), k.aliases.clone(), k.state, k.grants.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(summary(&far_inv), summary(&near_inv));
    assert_eq!(far_inv.keys.len(), 40);
    // Every answer is late. The caller, key and alias listings go out together, then the
    // keys, CONCURRENCY / 2 at a time (a key's two requests together): no fewer round
    // trips than that, or more than CONCURRENCY requests were in flight...
    let per_round = grantscope::backend::aws::CONCURRENCY / 2;
    let rounds = 1 + 40_u32.div_ceil(per_round as u32);
    assert!(
        took >= LATENCY * rounds,
        "{took:?} is less than {rounds} round trips"
    );
    // ...but those 83 requests are not answered one at a time (83 x 200 ms = 16.6 s).
    assert!(
        took < LATENCY * 83 / 2,
        "requests did not overlap: {took:?} for 83 requests of 200 ms"
    );
}

#[test]
fn serve_refuses_a_latency_that_is_not_a_duration() {
    let out = Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(["serve", "--bind", "127.0.0.1:0", "--latency", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--latency") && err.contains("\"soon\" is not a duration"),
        "{err}"
    );
}

#[test]
fn keys_whose_policy_denies_the_caller_are_listed_as_unreadable_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let deny = |action: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":"kms:*","Resource":"*"}},
            {{"Effect":"Deny","Principal":{{"AWS":"arn:aws:iam::111122223333:user/admin"}},"Action":"{action}","Resource":"*"}}]}}"#
        )
    };
    let mut toml = String::from(
        "name = \"guarded\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n\
         [[principals]]\nname = \"admin\"\nmanaged_policies = [\"AdministratorAccess\"]\n\
         [[principals]]\nname = \"app\"\nkind = \"role\"\n\
         [[keys]]\naliases = [\"alias/open\"]\n",
    );
    toml.push_str(&format!(
        "[[keys]]\naliases = [\"alias/no-describe\"]\nstate = \"Disabled\"\npolicy = '''{}'''\n",
        deny("kms:DescribeKey")
    ));
    toml.push_str(&format!(
        "[[keys]]\naliases = [\"alias/no-grants\"]\npolicy = '''{}'''\n",
        deny("kms:ListGrants")
    ));
    for alias in ["open", "no-describe", "no-grants"] {
        toml.push_str(&format!(
            "[[grants]]\nkey = \"alias/{alias}\"\ngrantee = \"app\"\noperations = [\"Encrypt\"]\n"
        ));
    }
    let world = dir.path().join("guarded.toml");
    std::fs::write(&world, toml).unwrap();
    let world = world.display().to_string();
    let server = Server::start(&["--scenario", &world]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &world]);

    let inv: Inventory = json(&grantscope(
        Some(&creds),
        &["inventory", "--profile", "admin", "--format", "json"],
    ));
    let key = |alias: &str| {
        let k = inv
            .keys
            .iter()
            .find(|k| k.aliases == [alias])
            .unwrap_or_else(|| panic!("{alias} missing from the inventory"));
        let ops: Vec<&str> = k.unreadable.iter().map(|u| u.operation.as_str()).collect();
        (k, k.grants.len(), ops)
    };
    let (_, grants, ops) = key("alias/open");
    assert_eq!((grants, ops), (1, vec![]));
    let (_, grants, ops) = key("alias/no-grants");
    assert_eq!((grants, ops), (0, vec!["ListGrants"]));
    let (no_describe, grants, ops) = key("alias/no-describe");
    assert_eq!((grants, ops), (1, vec!["DescribeKey"]));
    assert!(
        no_describe.unreadable[0].error.starts_with(
            "AccessDeniedException: User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:DescribeKey"
        ),
        "{:?}",
        no_describe.unreadable
    );

    let table = grantscope(Some(&creds), &["inventory", "--profile", "admin"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("  not readable: ListGrants: AccessDeniedException"),
        "{text}"
    );

    // The report does not call the no-describe key "not enabled" (it is disabled, but the
    // caller cannot see that), and says two keys' grants were not all audited.
    let report = grantscope(Some(&creds), &["report", "--profile", "admin"]);
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(!text.contains("key-not-enabled"), "{text}");
    assert!(
        text.contains("2 keys could not be fully read (AccessDenied on DescribeKey or ListGrants)"),
        "{text}"
    );
}
