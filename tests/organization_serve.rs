//! `serve` as an AWS Organization, through the Rust SDK and the AWS CLI on loopback:
//! Organizations ListAccounts (paged), Account ListRegions, STS AssumeRole issuing
//! temporary credentials that KMS and STS then honour as the assumed-role session.

mod support;

use std::path::Path;

use grantscope::backend::aws::{load_config_with, AwsOptions};
use support::{AwsCli, ServedWorld};

const ORG: &str = include_str!("fixtures/organization.toml");
const ACCESS_ROLE_A: &str = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole";

fn served() -> ServedWorld {
    ServedWorld::scenario_toml(ORG)
}

async fn config(world: &ServedWorld, profile: &str) -> aws_config::SdkConfig {
    let opts = AwsOptions {
        profile: Some(profile.into()),
        region: Some("eu-west-1".into()),
        endpoint_url: Some(world.server.url.clone()),
    };
    load_config_with(&opts, &world.sources).await
}

/// The SDK config of `base` with the credentials of an AssumeRole answer.
fn with_session(
    base: &aws_config::SdkConfig,
    c: &aws_sdk_sts::types::Credentials,
) -> aws_config::SdkConfig {
    base.to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new(
                    c.access_key_id(),
                    c.secret_access_key(),
                    Some(c.session_token().to_string()),
                    None,
                    "assumed",
                ),
            ),
        )
        .build()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_management_account_lists_every_member_page_by_page() {
    let world = served();
    let orgs = aws_sdk_organizations::Client::new(&config(&world, "ops").await);
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut stream = orgs.list_accounts().max_results(2).into_paginator().send();
    while let Some(page) = stream.next().await {
        let page = page.expect("a page");
        assert!(page.accounts().len() <= 2);
        pages += 1;
        ids.extend(
            page.accounts()
                .iter()
                .map(|a| a.id().unwrap_or_default().to_string()),
        );
    }
    assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
    assert_eq!(pages, 2);
    let first = orgs.list_accounts().send().await.expect("one page");
    let a = &first.accounts()[1];
    assert_eq!(a.name(), Some("payments"));
    assert!(a
        .arn()
        .unwrap_or_default()
        .starts_with("arn:aws:organizations::111111111111:account/o-"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assumed_role_session_is_the_caller_kms_and_sts_see() {
    let world = served();
    let base = config(&world, "ops").await;
    let sts = aws_sdk_sts::Client::new(&base);
    let out = sts
        .assume_role()
        .role_arn(ACCESS_ROLE_A)
        .role_session_name("audit")
        .send()
        .await
        .expect("assume the access role of account A");
    let creds = out.credentials().expect("credentials");
    assert!(creds.access_key_id().starts_with("ASIA"));
    assert!(!creds.session_token().is_empty());
    let left = creds.expiration().secs() - chrono::Utc::now().timestamp();
    assert!((3500..=3600).contains(&left), "{left}");
    assert_eq!(
        out.assumed_role_user().map(|u| u.arn()),
        Some("arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/audit")
    );

    let session = with_session(&base, creds);
    let me = aws_sdk_sts::Client::new(&session)
        .get_caller_identity()
        .send()
        .await
        .expect("who am I");
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/audit")
    );
    assert_eq!(me.account(), Some("222222222222"));
    // The role's AdministratorAccess lets the session use A's keys.
    let kms = aws_sdk_kms::Client::new(&session);
    let keys = kms.list_keys().send().await.expect("A's keys");
    let key = keys.keys()[0].key_arn().unwrap_or_default().to_string();
    assert!(key.contains(":222222222222:key/"), "{key}");
    let blob = kms
        .encrypt()
        .key_id(&key)
        .plaintext(aws_sdk_kms::primitives::Blob::new(b"hello".to_vec()))
        .send()
        .await
        .expect("the session encrypts with A's key");
    assert!(blob.ciphertext_blob().is_some());

    // A session token that was tampered with names no session.
    let mut forged = creds.clone();
    forged.session_token = forged.session_token.replace('.', "..");
    let err = aws_sdk_kms::Client::new(&with_session(&base, &forged))
        .list_keys()
        .send()
        .await
        .expect_err("refused");
    assert_eq!(
        aws_sdk_kms::error::ProvideErrorMetadata::code(&err),
        Some("UnrecognizedClientException")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_session_may_not_list_the_organization_nor_assume_back() {
    let world = served();
    let base = config(&world, "ops").await;
    let out = aws_sdk_sts::Client::new(&base)
        .assume_role()
        .role_arn(ACCESS_ROLE_A)
        .role_session_name("audit")
        .send()
        .await
        .expect("assumed");
    let member = with_session(&base, out.credentials().expect("credentials"));
    let err = aws_sdk_organizations::Client::new(&member)
        .list_accounts()
        .send()
        .await
        .expect_err("members do not list the organization");
    assert_eq!(
        aws_sdk_organizations::error::ProvideErrorMetadata::code(&err),
        Some("AccessDeniedException")
    );
    let err = aws_sdk_sts::Client::new(&member)
        .assume_role()
        .role_arn("arn:aws:iam::333333333333:role/OrganizationAccountAccessRole")
        .role_session_name("hop")
        .send()
        .await
        .expect_err("a member does not reach another member");
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_enabled_regions_are_asked_of_the_account_service() {
    let world = served();
    let account = aws_sdk_account::Client::new(&config(&world, "ops").await);
    let out = account
        .list_regions()
        .region_opt_status_contains(aws_sdk_account::types::RegionOptStatus::Enabled)
        .region_opt_status_contains(aws_sdk_account::types::RegionOptStatus::EnabledByDefault)
        .send()
        .await
        .expect("regions");
    let names: Vec<_> = out
        .regions()
        .iter()
        .filter_map(|r| r.region_name())
        .collect();
    assert_eq!(names, ["eu-west-1", "us-east-1"]);
    let member = account
        .list_regions()
        .account_id("333333333333")
        .send()
        .await
        .expect("the management account asks for a member");
    assert_eq!(member.regions().len(), 2);
}

#[test]
fn the_aws_cli_assumes_the_access_role_and_lists_the_organization() {
    let world = served();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("org.toml");
    std::fs::write(&path, ORG).expect("write");
    let cli = AwsCli::for_server(
        &world.server,
        Path::new(dir.path()),
        &["--scenario", path.to_str().unwrap_or_default()],
    );
    let accounts = cli.ok("ops", &["organizations", "list-accounts"]);
    assert_eq!(
        accounts["Accounts"].as_array().map(Vec::len),
        Some(3),
        "{accounts}"
    );
    let assumed = cli.ok(
        "ops",
        &[
            "sts",
            "assume-role",
            "--role-arn",
            ACCESS_ROLE_A,
            "--role-session-name",
            "cli",
        ],
    );
    assert_eq!(
        assumed["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/cli"
    );
    assert!(assumed["Credentials"]["SessionToken"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    let regions = cli.ok("ops", &["account", "list-regions"]);
    assert_eq!(
        regions["Regions"][0]["RegionName"], "eu-west-1",
        "{regions}"
    );
    let err = cli.err(
        "ops",
        &[
            "sts",
            "assume-role",
            "--role-arn",
            ACCESS_ROLE_A,
            "--role-session-name",
            "xx",
            "--duration-seconds",
            "7200",
        ],
    );
    assert!(err.contains("ValidationError"), "{err}");
}
