//! The wire server driven by the real AWS SDK for Rust (`aws-sdk-kms`): every operation the
//! server implements, the response fields the SDK relies on, AWS's errors as the SDK's typed
//! errors, and the grants walkthrough (denied, grant, token works at once, propagation,
//! revoke) over HTTP with SigV4 exactly as an application would see it.

use std::time::Duration;

use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::timeout::TimeoutConfig;
use aws_sdk_kms::config::{Credentials, Region};
use aws_sdk_kms::error::DisplayErrorContext;
use aws_sdk_kms::operation::RequestId;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{DataKeySpec, GrantOperation, KeyState};
use aws_sdk_kms::Client;
use chrono::TimeZone;
use grantscope::sim::{Clock, Scenario, SharedSimulator, Simulator, World};
use grantscope::wire;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const ACCOUNT: &str = "111122223333";
const ADMIN: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);
const TESTUSER: (&str, &str) = (
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
);
const ADMIN_ARN: &str = "arn:aws:iam::111122223333:user/admin";
const TESTUSER_ARN: &str = "arn:aws:iam::111122223333:user/granttestuser";
const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN: &str = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ALIAS: &str = "alias/classroom";
const ALIAS_ARN: &str = "arn:aws:kms:eu-west-1:111122223333:alias/classroom";

// ---------------------------------------------------------------------------------------
// Fixture: the classroom world served on an ephemeral loopback port.

/// The classroom world on a manual clock (grant changes take 5 s to propagate).
fn classroom() -> World {
    let start = chrono::Utc
        .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
        .single()
        .expect("a valid date");
    Scenario::load("classroom")
        .expect("the classroom scenario is bundled")
        .build_with_clock(Clock::manual(start))
        .expect("the classroom scenario builds")
}

struct Server {
    endpoint: String,
    /// A handle on the served simulator (advance its clock, inspect its world).
    sim: SharedSimulator,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    async fn start() -> Self {
        Self::start_with(classroom()).await
    }

    async fn start_with(world: World) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("a local address");
        let sim = SharedSimulator::new(Simulator::new(world));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(wire::serve(listener, sim.clone(), None, async move {
            let _ = stopped.await;
        }));
        Self {
            endpoint: format!("http://{addr}"),
            sim,
            stop: Some(stop),
            task: Some(task),
        }
    }

    fn client(&self, (access_key_id, secret): (&str, &str)) -> Client {
        let config = aws_sdk_kms::Config::builder()
            .behavior_version_latest()
            .endpoint_url(&self.endpoint)
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new(access_key_id, secret, None, None, "test"))
            // Each answer must come back at once: a hang fails the test instead of
            // stalling it, and no retry hides a failed first attempt.
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(Duration::from_secs(20))
                    .build(),
            )
            .retry_config(RetryConfig::disabled())
            .build();
        Client::from_conf(config)
    }

    fn admin(&self) -> Client {
        self.client(ADMIN)
    }

    fn testuser(&self) -> Client {
        self.client(TESTUSER)
    }

    fn advance(&self, by: Duration) {
        self.sim.lock().advance_clock(by);
    }

    /// Shut down and check the server ended cleanly.
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("the server shuts down promptly")
                .expect("the server task did not panic")
                .expect("the server ended without an I/O error");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Await an SDK call that must fail with a service error (not a connection or
/// construction failure) and return the operation's typed error.
macro_rules! service_error {
    ($call:expr) => {
        match $call.await {
            Ok(out) => panic!("expected an error, got {out:?}"),
            Err(e) => {
                assert!(
                    e.as_service_error().is_some(),
                    "not a service error: {}",
                    DisplayErrorContext(&e)
                );
                e.into_service_error()
            }
        }
    };
}

/// Await an SDK call that must succeed.
macro_rules! ok {
    ($call:expr) => {
        match $call.await {
            Ok(out) => out,
            Err(e) => panic!("the call failed: {}", DisplayErrorContext(&e)),
        }
    };
}

fn denial(caller: &str, action: &str, resource: &str) -> String {
    format!(
        "User: {caller} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"
    )
}

fn key_arn(id: &str) -> String {
    format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{id}")
}

async fn create_key(client: &Client, description: &str) -> String {
    let out = ok!(client.create_key().description(description).send());
    out.key_metadata()
        .expect("CreateKey returns KeyMetadata")
        .key_id()
        .to_string()
}

async fn grant_encrypt_to_testuser(client: &Client, key: &str) -> (String, String) {
    let out = ok!(client
        .create_grant()
        .key_id(key)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Encrypt)
        .send());
    (
        out.grant_id().expect("a GrantId").to_string(),
        out.grant_token().expect("a GrantToken").to_string(),
    )
}

async fn listed_grant_ids(client: &Client, key: &str) -> Vec<String> {
    let out = ok!(client.list_grants().key_id(key).send());
    assert!(!out.truncated());
    out.grants()
        .iter()
        .map(|g| g.grant_id().expect("a GrantId").to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// The walkthrough.

#[tokio::test]
async fn walkthrough_through_the_sdk_denied_grant_token_propagation_revoke() {
    let server = Server::start().await;
    let admin = server.admin();
    let user = server.testuser();
    let hello = Blob::new("hello");

    // 1. The test user has no permissions at all.
    let e = service_error!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(hello.clone())
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    assert_eq!(
        e.meta().message(),
        Some(denial(TESTUSER_ARN, "kms:Encrypt", KEY_ARN).as_str())
    );

    // 2. The admin grants Encrypt.
    let (grant_id, token) = grant_encrypt_to_testuser(&admin, KEY_ARN).await;
    assert_eq!(grant_id.len(), 64);
    assert!(grant_id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!token.is_empty());

    // 3. With the token it works at once.
    let out = ok!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(hello.clone())
        .grant_tokens(&token)
        .send());
    assert_eq!(out.key_id(), Some(KEY_ARN));
    assert!(out
        .ciphertext_blob()
        .is_some_and(|b| !b.as_ref().is_empty()));

    // 4. Without it, not until the grant has propagated (5 s in this world).
    let e = service_error!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(hello.clone())
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    server.advance(Duration::from_secs(4));
    let e = service_error!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(hello.clone())
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    server.advance(Duration::from_secs(1));
    let out = ok!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(hello.clone())
        .send());
    assert_eq!(out.key_id(), Some(KEY_ARN));

    // 5. The grant is listed.
    let listed = ok!(admin.list_grants().key_id(KEY_ARN).send());
    assert_eq!(listed.grants().len(), 1);
    let g = &listed.grants()[0];
    assert_eq!(g.grant_id(), Some(grant_id.as_str()));
    assert_eq!(g.key_id(), Some(KEY_ARN));
    assert_eq!(g.grantee_principal(), Some(TESTUSER_ARN));
    assert_eq!(g.issuing_account(), Some("arn:aws:iam::111122223333:root"));
    assert_eq!(g.operations(), &[GrantOperation::Encrypt]);
    assert!(g.creation_date().is_some());

    // 6. Revoked: gone from the listing at once, authorizing until the revocation has
    //    propagated, then denied again.
    ok!(admin
        .revoke_grant()
        .key_id(KEY_ARN)
        .grant_id(&grant_id)
        .send());
    assert!(listed_grant_ids(&admin, KEY_ARN).await.is_empty());
    ok!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(hello.clone())
        .send());
    server.advance(Duration::from_secs(5));
    let e = service_error!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(hello.clone())
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    assert_eq!(
        e.meta().message(),
        Some(denial(TESTUSER_ARN, "kms:Encrypt", KEY_ARN).as_str())
    );
    // The token of a revoked grant brings nothing back.
    let e = service_error!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(hello)
        .grant_tokens(&token)
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    server.stop().await;
}

#[tokio::test]
async fn testuser_is_denied_everything_with_aws_exact_words() {
    let server = Server::start().await;
    let user = server.testuser();
    let e = service_error!(user.describe_key().key_id(KEY_ID).send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    assert_eq!(
        e.meta().message(),
        Some(denial(TESTUSER_ARN, "kms:DescribeKey", KEY_ARN).as_str())
    );
    let e = service_error!(user
        .create_grant()
        .key_id(KEY_ARN)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Encrypt)
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    assert_eq!(
        e.meta().message(),
        Some(denial(TESTUSER_ARN, "kms:CreateGrant", KEY_ARN).as_str())
    );
    let e = service_error!(user.list_grants().key_id(KEY_ARN).send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    let e = service_error!(user.create_key().send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    assert_eq!(
        e.meta().message(),
        Some(denial(TESTUSER_ARN, "kms:CreateKey", "*").as_str())
    );
    let e = service_error!(user.list_keys().send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// Keys and aliases.

#[tokio::test]
async fn create_key_returns_metadata_and_describe_key_accepts_every_identifier() {
    let server = Server::start().await;
    let admin = server.admin();
    let out = ok!(admin.create_key().description("made by the SDK").send());
    let meta = out.key_metadata().expect("KeyMetadata");
    let id = meta.key_id().to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(meta.arn(), Some(key_arn(&id).as_str()));
    assert_eq!(meta.aws_account_id(), Some(ACCOUNT));
    assert_eq!(meta.description(), Some("made by the SDK"));
    assert!(meta.enabled());
    assert_eq!(meta.key_state(), Some(&KeyState::Enabled));
    assert!(meta.creation_date().is_some());
    assert!(!meta.encryption_algorithms().is_empty());
    assert!(out.request_id().is_some(), "x-amzn-RequestId");

    for reference in [KEY_ID, KEY_ARN, ALIAS, ALIAS_ARN] {
        let out = ok!(admin.describe_key().key_id(reference).send());
        let meta = out.key_metadata().expect("KeyMetadata");
        assert_eq!(meta.key_id(), KEY_ID, "{reference}");
        assert_eq!(meta.arn(), Some(KEY_ARN), "{reference}");
        assert_eq!(meta.description(), Some("The classroom key"));
        assert!(meta.creation_date().is_some());
        assert!(out.request_id().is_some());
    }

    let missing = "00000000-0000-4000-8000-000000000000";
    let e = service_error!(admin.describe_key().key_id(missing).send());
    assert!(e.is_not_found_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some(format!("Key '{}' does not exist", key_arn(missing)).as_str())
    );
    let e = service_error!(admin.describe_key().key_id("alias/nope").send());
    assert!(e.is_not_found_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some("Alias arn:aws:kms:eu-west-1:111122223333:alias/nope is not found.")
    );
    server.stop().await;
}

#[tokio::test]
async fn list_keys_pages_with_limit_and_marker() {
    let server = Server::start().await;
    let admin = server.admin();
    let mut created = vec![KEY_ID.to_string()];
    for i in 0..4 {
        created.push(create_key(&admin, &format!("key {i}")).await);
    }

    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let out = ok!(admin.list_keys().limit(2).set_marker(marker.clone()).send());
        pages.push((out.keys().len(), out.truncated()));
        for k in out.keys() {
            let id = k.key_id().expect("KeyId").to_string();
            assert_eq!(k.key_arn(), Some(key_arn(&id).as_str()));
            seen.push(id);
        }
        assert_eq!(out.truncated(), out.next_marker().is_some());
        match out.next_marker() {
            Some(m) => marker = Some(m.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, vec![(2, true), (2, true), (1, false)]);
    let mut expected = created.clone();
    expected.sort();
    let mut got = seen.clone();
    got.sort();
    assert_eq!(got, expected, "every key exactly once");

    let all = ok!(admin.list_keys().send());
    assert_eq!(all.keys().len(), 5);
    assert!(!all.truncated());
    assert_eq!(all.next_marker(), None);

    let e = service_error!(admin.list_keys().marker("not-a-marker").send());
    assert!(e.is_invalid_marker_exception(), "{e:?}");
    assert_eq!(e.meta().code(), Some("InvalidMarkerException"));
    server.stop().await;
}

#[tokio::test]
async fn aliases_are_created_listed_used_and_deleted() {
    let server = Server::start().await;
    let admin = server.admin();
    let other = create_key(&admin, "other").await;

    let out = ok!(admin.list_aliases().send());
    let names: Vec<&str> = out
        .aliases()
        .iter()
        .filter_map(|a| a.alias_name())
        .collect();
    assert_eq!(names, vec![ALIAS]);
    let a = &out.aliases()[0];
    assert_eq!(a.alias_arn(), Some(ALIAS_ARN));
    assert_eq!(a.target_key_id(), Some(KEY_ID));
    assert!(out.request_id().is_some());

    ok!(admin
        .create_alias()
        .alias_name("alias/sdk-made")
        .target_key_id(&other)
        .send());
    let out = ok!(admin.describe_key().key_id("alias/sdk-made").send());
    assert_eq!(out.key_metadata().map(|m| m.key_id()), Some(other.as_str()));
    let out = ok!(admin.list_aliases().key_id(&other).send());
    let names: Vec<&str> = out
        .aliases()
        .iter()
        .filter_map(|a| a.alias_name())
        .collect();
    assert_eq!(names, vec!["alias/sdk-made"]);
    assert_eq!(out.aliases()[0].target_key_id(), Some(other.as_str()));
    let out = ok!(admin.list_aliases().send());
    assert_eq!(out.aliases().len(), 2);
    // Paging through aliases.
    let page = ok!(admin.list_aliases().limit(1).send());
    assert_eq!(page.aliases().len(), 1);
    assert!(page.truncated());
    let rest = ok!(admin
        .list_aliases()
        .limit(1)
        .marker(page.next_marker().expect("NextMarker"))
        .send());
    assert_eq!(rest.aliases().len(), 1);
    assert!(!rest.truncated());
    assert_ne!(
        page.aliases()[0].alias_name(),
        rest.aliases()[0].alias_name()
    );

    let e = service_error!(admin
        .create_alias()
        .alias_name("alias/sdk-made")
        .target_key_id(KEY_ID)
        .send());
    assert!(e.is_already_exists_exception(), "{e:?}");

    ok!(admin.delete_alias().alias_name("alias/sdk-made").send());
    let e = service_error!(admin.describe_key().key_id("alias/sdk-made").send());
    assert!(e.is_not_found_exception(), "{e:?}");
    let e = service_error!(admin.delete_alias().alias_name("alias/sdk-made").send());
    assert!(e.is_not_found_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some("Alias arn:aws:kms:eu-west-1:111122223333:alias/sdk-made is not found.")
    );
    server.stop().await;
}

#[tokio::test]
async fn disabled_key_refuses_crypto_until_enabled() {
    let server = Server::start().await;
    let admin = server.admin();
    let plaintext = Blob::new("secret");
    let sealed = ok!(admin
        .encrypt()
        .key_id(ALIAS)
        .plaintext(plaintext.clone())
        .send());
    let blob = sealed.ciphertext_blob().expect("CiphertextBlob").clone();

    ok!(admin.disable_key().key_id(KEY_ID).send());
    let meta = ok!(admin.describe_key().key_id(KEY_ID).send());
    let meta = meta.key_metadata().expect("KeyMetadata");
    assert!(!meta.enabled());
    assert_eq!(meta.key_state(), Some(&KeyState::Disabled));

    let e = service_error!(admin
        .encrypt()
        .key_id(KEY_ID)
        .plaintext(plaintext.clone())
        .send());
    assert!(e.is_disabled_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some(format!("{KEY_ARN} is disabled.").as_str())
    );
    let e = service_error!(admin.decrypt().ciphertext_blob(blob.clone()).send());
    assert!(e.is_disabled_exception(), "{e:?}");
    let e = service_error!(admin
        .create_grant()
        .key_id(KEY_ID)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Encrypt)
        .send());
    assert!(e.is_disabled_exception(), "{e:?}");
    let e = service_error!(admin
        .generate_data_key()
        .key_id(KEY_ID)
        .key_spec(DataKeySpec::Aes256)
        .send());
    assert!(e.is_disabled_exception(), "{e:?}");

    ok!(admin.enable_key().key_id(KEY_ARN).send());
    let meta = ok!(admin.describe_key().key_id(KEY_ID).send());
    assert!(meta.key_metadata().expect("KeyMetadata").enabled());
    let out = ok!(admin.decrypt().ciphertext_blob(blob).send());
    assert_eq!(out.plaintext(), Some(&plaintext));
    server.stop().await;
}

#[tokio::test]
async fn scheduled_deletion_blocks_use_and_cancel_leaves_key_disabled() {
    let server = Server::start().await;
    let admin = server.admin();
    let id = create_key(&admin, "doomed").await;
    let arn = key_arn(&id);

    let e = service_error!(admin
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(3)
        .send());
    assert_eq!(e.meta().code(), Some("ValidationException"));
    assert_eq!(
        e.meta().message(),
        Some("1 validation error detected: Value '3' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7")
    );

    let out = ok!(admin
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send());
    assert_eq!(out.key_id(), Some(arn.as_str()));
    assert_eq!(out.key_state(), Some(&KeyState::PendingDeletion));
    assert_eq!(out.pending_window_in_days(), Some(7));
    let deletion = out.deletion_date().expect("DeletionDate");
    let meta = ok!(admin.describe_key().key_id(&id).send());
    let meta = meta.key_metadata().expect("KeyMetadata");
    assert_eq!(meta.key_state(), Some(&KeyState::PendingDeletion));
    assert_eq!(meta.deletion_date(), Some(deletion));
    let created = meta.creation_date().expect("CreationDate");
    assert_eq!(deletion.secs() - created.secs(), 7 * 24 * 3600);

    let pending = format!("{arn} is pending deletion.");
    let e = service_error!(admin.encrypt().key_id(&id).plaintext(Blob::new("x")).send());
    assert!(e.is_kms_invalid_state_exception(), "{e:?}");
    assert_eq!(e.meta().message(), Some(pending.as_str()));
    let e = service_error!(admin
        .create_grant()
        .key_id(&id)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Encrypt)
        .send());
    assert!(e.is_kms_invalid_state_exception(), "{e:?}");
    assert_eq!(e.meta().message(), Some(pending.as_str()));
    let e = service_error!(admin.enable_key().key_id(&id).send());
    assert!(e.is_kms_invalid_state_exception(), "{e:?}");
    let e = service_error!(admin.schedule_key_deletion().key_id(&id).send());
    assert!(e.is_kms_invalid_state_exception(), "{e:?}");
    // Grants can still be listed on a key pending deletion.
    ok!(admin.list_grants().key_id(&id).send());

    let out = ok!(admin.cancel_key_deletion().key_id(&id).send());
    assert_eq!(out.key_id(), Some(arn.as_str()));
    let meta = ok!(admin.describe_key().key_id(&id).send());
    let meta = meta.key_metadata().expect("KeyMetadata");
    assert_eq!(meta.key_state(), Some(&KeyState::Disabled));
    assert_eq!(meta.deletion_date(), None);
    let e = service_error!(admin.cancel_key_deletion().key_id(&id).send());
    assert!(e.is_kms_invalid_state_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some(format!("{arn} is not pending deletion.").as_str())
    );
    server.stop().await;
}

#[tokio::test]
async fn key_policy_is_read_and_replaced() {
    let server = Server::start().await;
    let admin = server.admin();
    let user = server.testuser();

    let out = ok!(admin
        .get_key_policy()
        .key_id(KEY_ID)
        .policy_name("default")
        .send());
    assert_eq!(out.policy_name(), Some("default"));
    let policy: serde_json::Value =
        serde_json::from_str(out.policy().expect("Policy")).expect("the policy is JSON");
    assert_eq!(policy["Statement"][0]["Sid"], "Enable IAM User Permissions");
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::111122223333:root"
    );
    let out = ok!(admin.get_key_policy().key_id(KEY_ARN).send());
    assert_eq!(out.policy_name(), Some("default"));

    let e = service_error!(admin
        .get_key_policy()
        .key_id(KEY_ID)
        .policy_name("other")
        .send());
    assert!(e.is_not_found_exception(), "{e:?}");

    let new_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": "Let the test user encrypt",
                "Effect": "Allow",
                "Principal": {"AWS": TESTUSER_ARN},
                "Action": ["kms:Encrypt", "kms:Decrypt"],
                "Resource": "*"
            }
        ]
    })
    .to_string();
    ok!(admin
        .put_key_policy()
        .key_id(KEY_ID)
        .policy_name("default")
        .policy(&new_policy)
        .send());
    let out = ok!(admin.get_key_policy().key_id(KEY_ID).send());
    assert_eq!(out.policy(), Some(new_policy.as_str()));
    let sealed = ok!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(Blob::new("mine"))
        .send());
    let opened = ok!(user
        .decrypt()
        .ciphertext_blob(sealed.ciphertext_blob().expect("CiphertextBlob").clone())
        .send());
    assert_eq!(opened.plaintext(), Some(&Blob::new("mine")));

    let e = service_error!(admin
        .put_key_policy()
        .key_id(KEY_ID)
        .policy("{not json")
        .send());
    assert!(e.is_malformed_policy_document_exception(), "{e:?}");
    // A policy that would lock the caller out is refused.
    let lockout = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": TESTUSER_ARN},
            "Action": "kms:Encrypt",
            "Resource": "*"
        }]
    })
    .to_string();
    let e = service_error!(admin.put_key_policy().key_id(KEY_ID).policy(lockout).send());
    assert!(e.is_malformed_policy_document_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some("The new key policy will not allow you to update the key policy in the future.")
    );
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// Grants.

#[tokio::test]
async fn list_grants_pages_and_filters() {
    let server = Server::start().await;
    let admin = server.admin();
    let mut ids = Vec::new();
    for i in 0..5 {
        let out = ok!(admin
            .create_grant()
            .key_id(KEY_ARN)
            .grantee_principal(if i == 4 { ADMIN_ARN } else { TESTUSER_ARN })
            .operations(GrantOperation::Encrypt)
            .operations(GrantOperation::Decrypt)
            .name(format!("grant-{i}"))
            .send());
        ids.push(out.grant_id().expect("GrantId").to_string());
    }

    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let out = ok!(admin
            .list_grants()
            .key_id(KEY_ID)
            .limit(2)
            .set_marker(marker.clone())
            .send());
        pages.push((out.grants().len(), out.truncated()));
        assert_eq!(out.truncated(), out.next_marker().is_some());
        for g in out.grants() {
            assert_eq!(g.key_id(), Some(KEY_ARN));
            assert!(g.creation_date().is_some());
            assert_eq!(g.issuing_account(), Some("arn:aws:iam::111122223333:root"));
            assert_eq!(
                g.operations(),
                &[GrantOperation::Encrypt, GrantOperation::Decrypt]
            );
            assert_eq!(g.retiring_principal(), None);
            assert_eq!(g.constraints(), None);
            seen.push((
                g.grant_id().expect("GrantId").to_string(),
                g.name().expect("Name").to_string(),
            ));
        }
        match out.next_marker() {
            Some(m) => marker = Some(m.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, vec![(2, true), (2, true), (1, false)]);
    let expected: Vec<(String, String)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), format!("grant-{i}")))
        .collect();
    assert_eq!(seen, expected, "every grant once, in creation order");

    let out = ok!(admin.list_grants().key_id(KEY_ID).grant_id(&ids[2]).send());
    assert_eq!(out.grants().len(), 1);
    assert_eq!(out.grants()[0].grant_id(), Some(ids[2].as_str()));
    let out = ok!(admin
        .list_grants()
        .key_id(KEY_ID)
        .grantee_principal(ADMIN_ARN)
        .send());
    assert_eq!(out.grants().len(), 1);
    assert_eq!(out.grants()[0].grant_id(), Some(ids[4].as_str()));
    assert_eq!(out.grants()[0].grantee_principal(), Some(ADMIN_ARN));

    let e = service_error!(admin
        .list_grants()
        .key_id(KEY_ID)
        .marker("bm90IGEgbWFya2Vy")
        .send());
    assert!(e.is_invalid_marker_exception(), "{e:?}");
    // A marker for another key's listing is not valid here.
    let other = create_key(&admin, "other").await;
    for _ in 0..2 {
        grant_encrypt_to_testuser(&admin, &other).await;
    }
    let page = ok!(admin.list_grants().key_id(&other).limit(1).send());
    let e = service_error!(admin
        .list_grants()
        .key_id(KEY_ID)
        .marker(page.next_marker().expect("NextMarker"))
        .send());
    assert!(e.is_invalid_marker_exception(), "{e:?}");

    let e = service_error!(admin.list_grants().key_id(KEY_ID).limit(0).send());
    assert_eq!(e.meta().code(), Some("ValidationException"));
    assert_eq!(
        e.meta().message(),
        Some("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
    );
    server.stop().await;
}

#[tokio::test]
async fn create_grant_name_is_idempotent_and_dry_run_creates_nothing() {
    let server = Server::start().await;
    let admin = server.admin();
    let create = || {
        admin
            .create_grant()
            .key_id(KEY_ID)
            .grantee_principal(TESTUSER_ARN)
            .operations(GrantOperation::Encrypt)
            .name("only-once")
    };
    let first = ok!(create().send());
    let again = ok!(create().send());
    assert_eq!(first.grant_id(), again.grant_id());
    assert!(again.grant_token().is_some());
    assert_eq!(listed_grant_ids(&admin, KEY_ID).await.len(), 1);

    let e = service_error!(admin
        .create_grant()
        .key_id(KEY_ID)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Decrypt)
        .dry_run(true)
        .send());
    assert!(e.is_dry_run_operation_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some("The request would have succeeded, but the DryRun option is set.")
    );
    assert_eq!(listed_grant_ids(&admin, KEY_ID).await.len(), 1);

    // A DryRun that would fail gives the real error.
    let e = service_error!(server
        .testuser()
        .create_grant()
        .key_id(KEY_ID)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Decrypt)
        .dry_run(true)
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));

    let e = service_error!(admin
        .create_grant()
        .key_id(KEY_ID)
        .grantee_principal("arn:aws:iam::111122223333:user/nobody")
        .operations(GrantOperation::Encrypt)
        .send());
    assert!(e.is_invalid_arn_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some("ARN does not refer to a valid principal: arn:aws:iam::111122223333:user/nobody")
    );

    let e = service_error!(admin
        .create_grant()
        .key_id(KEY_ID)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::from("Bogus"))
        .send());
    assert_eq!(e.meta().code(), Some("ValidationException"));
    assert!(
        e.meta().message().is_some_and(|m| m.starts_with(
            "1 validation error detected: Value '[Bogus]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ["
        )),
        "{e:?}"
    );
    // Grant operations take a key ID or ARN, not an alias.
    let e = service_error!(admin
        .create_grant()
        .key_id(ALIAS)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Encrypt)
        .send());
    assert!(e.is_not_found_exception(), "{e:?}");
    server.stop().await;
}

#[tokio::test]
async fn retire_grant_by_token_and_by_key_and_id() {
    let server = Server::start().await;
    let admin = server.admin();
    let user = server.testuser();

    // A grant the admin may retire (its retiring principal) and one the test user may
    // retire (its grantee, with RetireGrant among the operations).
    let retirable = ok!(admin
        .create_grant()
        .key_id(KEY_ARN)
        .grantee_principal(TESTUSER_ARN)
        .retiring_principal(ADMIN_ARN)
        .operations(GrantOperation::Decrypt)
        .send());
    let own = ok!(admin
        .create_grant()
        .key_id(KEY_ARN)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Encrypt)
        .operations(GrantOperation::RetireGrant)
        .send());
    let retirable_id = retirable.grant_id().expect("GrantId").to_string();
    let own_id = own.grant_id().expect("GrantId").to_string();

    let out = ok!(admin
        .list_retirable_grants()
        .retiring_principal(ADMIN_ARN)
        .send());
    assert_eq!(out.grants().len(), 1);
    let g = &out.grants()[0];
    assert_eq!(g.grant_id(), Some(retirable_id.as_str()));
    assert_eq!(g.key_id(), Some(KEY_ARN));
    assert_eq!(g.retiring_principal(), Some(ADMIN_ARN));
    assert!(g.creation_date().is_some());
    assert!(!out.truncated());
    let out = ok!(admin
        .list_retirable_grants()
        .retiring_principal(TESTUSER_ARN)
        .send());
    assert!(out.grants().is_empty());

    // The test user may not retire a grant whose retiring principal is the admin.
    let e = service_error!(user
        .retire_grant()
        .grant_token(retirable.grant_token().expect("GrantToken"))
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));

    ok!(admin
        .retire_grant()
        .grant_token(retirable.grant_token().expect("GrantToken"))
        .send());
    assert_eq!(
        listed_grant_ids(&admin, KEY_ARN).await,
        vec![own_id.clone()]
    );
    let e = service_error!(admin
        .retire_grant()
        .grant_token(retirable.grant_token().expect("GrantToken"))
        .send());
    assert!(e.is_not_found_exception(), "{e:?}");

    // DryRun by the grantee, then the real thing by key and grant id.
    let e = service_error!(user
        .retire_grant()
        .key_id(KEY_ARN)
        .grant_id(&own_id)
        .dry_run(true)
        .send());
    assert!(e.is_dry_run_operation_exception(), "{e:?}");
    ok!(user.retire_grant().key_id(KEY_ARN).grant_id(&own_id).send());
    assert!(listed_grant_ids(&admin, KEY_ARN).await.is_empty());
    let e = service_error!(user.retire_grant().key_id(KEY_ARN).grant_id(&own_id).send());
    assert!(e.is_not_found_exception(), "{e:?}");

    let e = service_error!(admin.retire_grant().grant_token("not-a-grant-token").send());
    assert!(e.is_invalid_grant_token_exception(), "{e:?}");
    let e = service_error!(admin.retire_grant().key_id(KEY_ARN).send());
    assert_eq!(e.meta().code(), Some("ValidationException"));
    server.stop().await;
}

#[tokio::test]
async fn revoke_grant_needs_permission_and_a_known_grant() {
    let server = Server::start().await;
    let admin = server.admin();
    let (grant_id, _) = grant_encrypt_to_testuser(&admin, KEY_ID).await;

    let e = service_error!(server
        .testuser()
        .revoke_grant()
        .key_id(KEY_ID)
        .grant_id(&grant_id)
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    assert_eq!(
        e.meta().message(),
        Some(denial(TESTUSER_ARN, "kms:RevokeGrant", KEY_ARN).as_str())
    );

    let e = service_error!(admin
        .revoke_grant()
        .key_id(KEY_ID)
        .grant_id(&grant_id)
        .dry_run(true)
        .send());
    assert!(e.is_dry_run_operation_exception(), "{e:?}");
    assert_eq!(
        listed_grant_ids(&admin, KEY_ID).await,
        vec![grant_id.clone()]
    );

    ok!(admin
        .revoke_grant()
        .key_id(KEY_ID)
        .grant_id(&grant_id)
        .send());
    assert!(listed_grant_ids(&admin, KEY_ID).await.is_empty());
    let e = service_error!(admin
        .revoke_grant()
        .key_id(KEY_ID)
        .grant_id(&grant_id)
        .send());
    assert!(e.is_not_found_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some(format!("Grant ID {grant_id} not found").as_str())
    );
    let e = service_error!(admin.revoke_grant().key_id(KEY_ID).grant_id("nope").send());
    assert!(e.is_invalid_grant_id_exception(), "{e:?}");
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// Cryptography.

#[tokio::test]
async fn encrypt_decrypt_round_trips_with_context() {
    let server = Server::start().await;
    let admin = server.admin();
    let plaintext = Blob::new((0u8..=255).collect::<Vec<u8>>());

    for reference in [KEY_ID, KEY_ARN, ALIAS, ALIAS_ARN] {
        let sealed = ok!(admin
            .encrypt()
            .key_id(reference)
            .plaintext(plaintext.clone())
            .encryption_context("purpose", "test")
            .send());
        assert_eq!(sealed.key_id(), Some(KEY_ARN), "{reference}");
        assert_eq!(
            sealed.encryption_algorithm().map(|a| a.as_str()),
            Some("SYMMETRIC_DEFAULT")
        );
        let blob = sealed.ciphertext_blob().expect("CiphertextBlob").clone();
        assert_ne!(blob.as_ref(), plaintext.as_ref());

        let opened = ok!(admin
            .decrypt()
            .ciphertext_blob(blob.clone())
            .encryption_context("purpose", "test")
            .send());
        assert_eq!(opened.plaintext(), Some(&plaintext));
        assert_eq!(opened.key_id(), Some(KEY_ARN));
        assert_eq!(
            opened.encryption_algorithm().map(|a| a.as_str()),
            Some("SYMMETRIC_DEFAULT")
        );
        // The right KeyId may be named too.
        let opened = ok!(admin
            .decrypt()
            .ciphertext_blob(blob)
            .key_id(reference)
            .encryption_context("purpose", "test")
            .send());
        assert_eq!(opened.plaintext(), Some(&plaintext));
    }

    let sealed = ok!(admin
        .encrypt()
        .key_id(KEY_ID)
        .plaintext(plaintext.clone())
        .encryption_context("purpose", "test")
        .send());
    let blob = sealed.ciphertext_blob().expect("CiphertextBlob").clone();
    // The context is bound to the ciphertext.
    let e = service_error!(admin.decrypt().ciphertext_blob(blob.clone()).send());
    assert!(e.is_invalid_ciphertext_exception(), "{e:?}");
    let e = service_error!(admin
        .decrypt()
        .ciphertext_blob(blob.clone())
        .encryption_context("purpose", "other")
        .send());
    assert!(e.is_invalid_ciphertext_exception(), "{e:?}");
    // A tampered blob.
    let mut bytes = blob.clone().into_inner();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let e = service_error!(admin
        .decrypt()
        .ciphertext_blob(Blob::new(bytes))
        .encryption_context("purpose", "test")
        .send());
    assert!(e.is_invalid_ciphertext_exception(), "{e:?}");
    let e = service_error!(admin
        .decrypt()
        .ciphertext_blob(Blob::new("not a ciphertext"))
        .send());
    assert!(e.is_invalid_ciphertext_exception(), "{e:?}");
    // Another key named for this ciphertext.
    let other = create_key(&admin, "other").await;
    let e = service_error!(admin
        .decrypt()
        .ciphertext_blob(blob)
        .key_id(&other)
        .encryption_context("purpose", "test")
        .send());
    assert!(e.is_incorrect_key_exception(), "{e:?}");
    assert_eq!(
        e.meta().message(),
        Some("The key ID in the request does not identify a CMK that can perform this operation.")
    );

    let e = service_error!(admin
        .encrypt()
        .key_id(KEY_ID)
        .plaintext(plaintext.clone())
        .dry_run(true)
        .send());
    assert!(e.is_dry_run_operation_exception(), "{e:?}");
    let e = service_error!(admin
        .encrypt()
        .key_id(KEY_ID)
        .plaintext(plaintext.clone())
        .grant_tokens("not-a-grant-token")
        .send());
    assert!(e.is_invalid_grant_token_exception(), "{e:?}");
    assert_eq!(e.meta().code(), Some("InvalidGrantTokenException"));
    let e = service_error!(admin
        .encrypt()
        .key_id(KEY_ID)
        .plaintext(Blob::new(vec![0u8; 4097]))
        .send());
    assert_eq!(e.meta().code(), Some("ValidationException"));
    assert_eq!(
        e.meta().message(),
        Some("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
    );
    let e = service_error!(admin
        .encrypt()
        .key_id("00000000-0000-4000-8000-000000000000")
        .plaintext(plaintext)
        .send());
    assert!(e.is_not_found_exception(), "{e:?}");
    server.stop().await;
}

#[tokio::test]
async fn re_encrypt_moves_a_ciphertext_to_another_key() {
    let server = Server::start().await;
    let admin = server.admin();
    let other = create_key(&admin, "destination").await;
    let plaintext = Blob::new("move me");
    let sealed = ok!(admin
        .encrypt()
        .key_id(KEY_ID)
        .plaintext(plaintext.clone())
        .encryption_context("from", "source")
        .send());
    let blob = sealed.ciphertext_blob().expect("CiphertextBlob").clone();

    let moved = ok!(admin
        .re_encrypt()
        .ciphertext_blob(blob.clone())
        .source_encryption_context("from", "source")
        .destination_key_id(&other)
        .destination_encryption_context("to", "destination")
        .send());
    assert_eq!(moved.source_key_id(), Some(KEY_ARN));
    assert_eq!(moved.key_id(), Some(key_arn(&other).as_str()));
    assert_eq!(
        moved.source_encryption_algorithm().map(|a| a.as_str()),
        Some("SYMMETRIC_DEFAULT")
    );
    assert_eq!(
        moved.destination_encryption_algorithm().map(|a| a.as_str()),
        Some("SYMMETRIC_DEFAULT")
    );
    let new_blob = moved.ciphertext_blob().expect("CiphertextBlob").clone();
    let opened = ok!(admin
        .decrypt()
        .ciphertext_blob(new_blob)
        .encryption_context("to", "destination")
        .send());
    assert_eq!(opened.plaintext(), Some(&plaintext));
    assert_eq!(opened.key_id(), Some(key_arn(&other).as_str()));

    let e = service_error!(admin
        .re_encrypt()
        .ciphertext_blob(blob.clone())
        .source_encryption_context("from", "source")
        .source_key_id(&other)
        .destination_key_id(&other)
        .send());
    assert!(e.is_incorrect_key_exception(), "{e:?}");
    let e = service_error!(admin
        .re_encrypt()
        .ciphertext_blob(blob)
        .destination_key_id(&other)
        .send());
    assert!(e.is_invalid_ciphertext_exception(), "{e:?}");
    server.stop().await;
}

#[tokio::test]
async fn data_keys_with_and_without_plaintext() {
    let server = Server::start().await;
    let admin = server.admin();

    let out = ok!(admin
        .generate_data_key()
        .key_id(ALIAS)
        .key_spec(DataKeySpec::Aes256)
        .encryption_context("app", "wire")
        .send());
    assert_eq!(out.key_id(), Some(KEY_ARN));
    let data_key = out.plaintext().expect("Plaintext").clone();
    assert_eq!(data_key.as_ref().len(), 32);
    let opened = ok!(admin
        .decrypt()
        .ciphertext_blob(out.ciphertext_blob().expect("CiphertextBlob").clone())
        .encryption_context("app", "wire")
        .send());
    assert_eq!(opened.plaintext(), Some(&data_key));

    let out = ok!(admin
        .generate_data_key()
        .key_id(KEY_ID)
        .key_spec(DataKeySpec::Aes128)
        .send());
    assert_eq!(out.plaintext().map(|p| p.as_ref().len()), Some(16));

    let out = ok!(admin
        .generate_data_key_without_plaintext()
        .key_id(KEY_ARN)
        .number_of_bytes(64)
        .send());
    assert_eq!(out.key_id(), Some(KEY_ARN));
    let opened = ok!(admin
        .decrypt()
        .ciphertext_blob(out.ciphertext_blob().expect("CiphertextBlob").clone())
        .send());
    assert_eq!(opened.plaintext().map(|p| p.as_ref().len()), Some(64));

    let e = service_error!(admin.generate_data_key().key_id(KEY_ID).send());
    assert_eq!(e.meta().code(), Some("ValidationException"));
    assert_eq!(
        e.meta().message(),
        Some("Please specify either number of bytes or key spec.")
    );
    let e = service_error!(admin
        .generate_data_key_without_plaintext()
        .key_id(KEY_ID)
        .number_of_bytes(2000)
        .send());
    assert_eq!(e.meta().code(), Some("ValidationException"));
    let e = service_error!(admin
        .generate_data_key()
        .key_id(KEY_ID)
        .number_of_bytes(32)
        .dry_run(true)
        .send());
    assert!(e.is_dry_run_operation_exception(), "{e:?}");
    let e = service_error!(admin
        .generate_data_key_without_plaintext()
        .key_id(KEY_ID)
        .number_of_bytes(32)
        .grant_tokens("not-a-grant-token")
        .send());
    assert!(e.is_invalid_grant_token_exception(), "{e:?}");
    server.stop().await;
}

#[tokio::test]
async fn grant_with_constraints_authorizes_only_matching_context() {
    let server = Server::start().await;
    let admin = server.admin();
    let user = server.testuser();
    let out = ok!(admin
        .create_grant()
        .key_id(KEY_ARN)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Encrypt)
        .operations(GrantOperation::Decrypt)
        .operations(GrantOperation::GenerateDataKey)
        .constraints(
            aws_sdk_kms::types::GrantConstraints::builder()
                .encryption_context_subset("tenant", "blue")
                .build()
        )
        .send());
    let token = out.grant_token().expect("GrantToken").to_string();

    let sealed = ok!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(Blob::new("blue data"))
        .encryption_context("tenant", "blue")
        .encryption_context("extra", "fine")
        .grant_tokens(&token)
        .send());
    let opened = ok!(user
        .decrypt()
        .ciphertext_blob(sealed.ciphertext_blob().expect("CiphertextBlob").clone())
        .encryption_context("tenant", "blue")
        .encryption_context("extra", "fine")
        .grant_tokens(&token)
        .send());
    assert_eq!(opened.plaintext(), Some(&Blob::new("blue data")));
    let e = service_error!(user
        .encrypt()
        .key_id(KEY_ARN)
        .plaintext(Blob::new("red data"))
        .encryption_context("tenant", "red")
        .grant_tokens(&token)
        .send());
    assert_eq!(e.meta().code(), Some("AccessDeniedException"));
    ok!(user
        .generate_data_key()
        .key_id(KEY_ARN)
        .number_of_bytes(16)
        .encryption_context("tenant", "blue")
        .grant_tokens(&token)
        .send());

    let listed = ok!(admin.list_grants().key_id(KEY_ARN).send());
    let constraints = listed.grants()[0].constraints().expect("Constraints");
    assert_eq!(
        constraints
            .encryption_context_subset()
            .and_then(|m| m.get("tenant"))
            .map(String::as_str),
        Some("blue")
    );
    server.stop().await;
}

#[tokio::test]
async fn many_concurrent_sdk_clients_are_served() {
    let server = Server::start().await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = server.admin();
        tasks.push(tokio::spawn(async move {
            for j in 0..10 {
                let text = format!("client {i} message {j}");
                let sealed = client
                    .encrypt()
                    .key_id(ALIAS)
                    .plaintext(Blob::new(text.clone()))
                    .send()
                    .await
                    .map_err(|e| DisplayErrorContext(e).to_string())?;
                let opened = client
                    .decrypt()
                    .ciphertext_blob(
                        sealed
                            .ciphertext_blob()
                            .cloned()
                            .ok_or_else(|| "no CiphertextBlob".to_string())?,
                    )
                    .send()
                    .await
                    .map_err(|e| DisplayErrorContext(e).to_string())?;
                if opened.plaintext() != Some(&Blob::new(text)) {
                    return Err("round trip mismatch".to_string());
                }
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await.expect("no panic").expect("every call succeeds");
    }
    server.stop().await;
}

#[tokio::test]
async fn every_sdk_response_carries_a_request_id() {
    let server = Server::start().await;
    let admin = server.admin();
    let out = ok!(admin.list_keys().send());
    let first = out.request_id().expect("x-amzn-RequestId").to_string();
    let out = ok!(admin.list_keys().send());
    let second = out.request_id().expect("x-amzn-RequestId").to_string();
    assert_ne!(first, second, "each response has its own id");
    let e = service_error!(admin.describe_key().key_id("alias/nope").send());
    assert!(
        e.meta().request_id().is_some(),
        "errors carry one too: {e:?}"
    );
    let e = service_error!(server.testuser().list_keys().send());
    assert!(e.meta().request_id().is_some());
    server.stop().await;
}

#[tokio::test]
async fn unknown_credentials_are_rejected_through_the_sdk() {
    let server = Server::start().await;
    let stranger = server.client(("AKIANOTAREALKEY00000", "nope"));
    let e = service_error!(stranger.list_keys().send());
    assert_eq!(e.meta().code(), Some("UnrecognizedClientException"));
    assert_eq!(
        e.meta().message(),
        Some("The security token included in the request is invalid.")
    );
    let wrong_secret = server.client((ADMIN.0, "not-the-secret"));
    let e = service_error!(wrong_secret.list_keys().send());
    assert_eq!(e.meta().code(), Some("InvalidSignatureException"));
    server.stop().await;
}
