//! `grantscope serve` answers CloudTrail's LookupEvents from its activity log: the real AWS
//! CLI (`aws cloudtrail lookup-events`) and the Rust SDK see KMS calls in CloudTrail's
//! shape, newest first, paged, refused without permission, and throttled at AWS's rate
//! under `--throttle aws`.

mod support;

use serde_json::Value;
use support::{credentials_file, AwsCli, Server};

const USER: &str = "arn:aws:iam::111122223333:user/granttestuser";

fn events(out: &Value) -> Vec<Value> {
    out["Events"].as_array().cloned().unwrap_or_default()
}

fn record(event: &Value) -> Value {
    serde_json::from_str(event["CloudTrailEvent"].as_str().expect("CloudTrailEvent"))
        .expect("CloudTrailEvent is JSON")
}

#[test]
fn lookup_events_shows_the_kms_calls_on_a_key_newest_first_in_cloudtrails_shape() {
    let server = Server::start(&["--scenario", "classroom", "--propagation-delay", "0s"]);
    let dir = tempfile::tempdir().unwrap();
    let cli = AwsCli::for_server(&server, dir.path(), &[]);
    let key = cli.ok("admin", &["kms", "create-key"])["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    let encrypt = ["kms", "encrypt", "--plaintext", "aGk=", "--key-id", &key];
    // Denied first, then allowed by a grant.
    cli.err("granttestuser", &encrypt);
    cli.ok(
        "admin",
        &[
            "kms",
            "create-grant",
            "--key-id",
            &key,
            "--grantee-principal",
            USER,
            "--operations",
            "Encrypt",
        ],
    );
    cli.ok("granttestuser", &encrypt);

    let by_key = [
        "cloudtrail",
        "lookup-events",
        "--lookup-attributes",
        &format!("AttributeKey=ResourceName,AttributeValue={key}"),
    ];
    let found = events(&cli.ok("admin", &by_key));
    let names: Vec<&str> = found
        .iter()
        .map(|e| e["EventName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Encrypt", "CreateGrant", "Encrypt", "CreateKey"]);

    let used = &found[0];
    assert_eq!(used["EventSource"], "kms.amazonaws.com");
    assert_eq!(used["Username"], "granttestuser");
    assert_eq!(used["ReadOnly"], "true");
    assert_eq!(used["Resources"][0]["ResourceType"], "AWS::KMS::Key");
    assert_eq!(used["Resources"][0]["ResourceName"], key.as_str());
    let r = record(used);
    assert_eq!(r["userIdentity"]["type"], "IAMUser");
    assert_eq!(r["userIdentity"]["arn"], USER);
    assert_eq!(r["eventName"], "Encrypt");
    assert_eq!(r["requestParameters"]["keyId"], key.as_str());
    assert_eq!(r["resources"][0]["ARN"], key.as_str());
    assert!(r.get("errorCode").is_none());
    assert_eq!(found[1]["ReadOnly"], "false");

    let denied = record(&found[2]);
    assert_eq!(denied["errorCode"], "AccessDenied");
    assert_eq!(denied["userIdentity"]["arn"], USER);
    assert!(!denied["errorMessage"].as_str().unwrap().is_empty());

    // Paged one event at a time, the CLI follows NextToken to the same answer.
    let mut paged = by_key.to_vec();
    paged.extend(["--page-size", "1"]);
    assert_eq!(events(&cli.ok("admin", &paged)), found);

    // Looked up by event name and by user name.
    let by_user = cli.ok(
        "admin",
        &[
            "cloudtrail",
            "lookup-events",
            "--lookup-attributes",
            "AttributeKey=Username,AttributeValue=granttestuser",
        ],
    );
    assert_eq!(events(&by_user).len(), 2);
}

#[test]
fn lookup_events_is_refused_without_permission_and_checks_its_parameters() {
    let server = Server::start(&["--scenario", "classroom"]);
    let dir = tempfile::tempdir().unwrap();
    let cli = AwsCli::for_server(&server, dir.path(), &[]);
    let denied = cli.err("granttestuser", &["cloudtrail", "lookup-events"]);
    assert!(
        denied.contains("(AccessDeniedException)") && denied.contains("cloudtrail:LookupEvents"),
        "{denied}"
    );
    let two = cli.err(
        "admin",
        &[
            "cloudtrail",
            "lookup-events",
            "--lookup-attributes",
            "AttributeKey=Username,AttributeValue=a",
            "AttributeKey=EventName,AttributeValue=Encrypt",
        ],
    );
    assert!(two.contains("(InvalidLookupAttributesException)"), "{two}");
    let range = cli.err(
        "admin",
        &[
            "cloudtrail",
            "lookup-events",
            "--start-time",
            "2026-02-01T00:00:00Z",
            "--end-time",
            "2026-01-01T00:00:00Z",
        ],
    );
    assert!(range.contains("(InvalidTimeRangeException)"), "{range}");
}

#[test]
fn lookup_events_is_throttled_at_two_requests_per_second_under_throttle_aws() {
    let server = Server::start(&["--scenario", "classroom", "--throttle", "aws"]);
    let dir = tempfile::tempdir().unwrap();
    let creds = credentials_file(dir.path(), &server.url, &[]);
    let text = std::fs::read_to_string(creds).unwrap();
    let (akid, secret) = support::profile_keys(&text, "admin");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let codes: Vec<Option<String>> = runtime.block_on(async {
        use aws_sdk_cloudtrail::config::{Credentials, Region};
        use aws_sdk_cloudtrail::error::ProvideErrorMetadata;
        let config = aws_sdk_cloudtrail::Config::builder()
            .behavior_version_latest()
            .endpoint_url(&server.url)
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new(akid, secret, None, None, "test"))
            .retry_config(aws_sdk_cloudtrail::config::retry::RetryConfig::disabled())
            .build();
        let client = aws_sdk_cloudtrail::Client::from_conf(config);
        let mut codes = Vec::new();
        for _ in 0..6 {
            let r = client.lookup_events().send().await;
            codes.push(r.err().and_then(|e| e.code().map(str::to_string)));
        }
        codes
    });
    let admitted = codes.iter().filter(|c| c.is_none()).count();
    assert!((2..=3).contains(&admitted), "{codes:?}");
    assert!(codes.iter().flatten().all(|c| c == "ThrottlingException"));
}
