//! IAM over `grantscope serve`: the AWS backend's principals list with the account's IAM
//! users and roles and the names of their managed (attached) and inline policies, what it
//! says when IAM is denied, paging past a hundred users and roles, the AWS CLI's `aws iam`
//! commands, and IAM's and STS's XML errors on the wire. `tests/run` installs the AWS CLI
//! into a venv and sets GRANTSCOPE_AWS_CLI.

mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::time::SystemTime;

use grantscope::backend::aws::load_config_with;
use grantscope::backend::{Backend, PrincipalKindLabel, PrincipalList};
use support::{aws_cli, ServedWorld, Server, Signer};

const HOME: &str = "111122223333";

/// A world where IAM knows more than grants and key policies say: users and roles no grant
/// names, callers allowed all of IAM, only users and roles, or none of it, a deleted
/// grantee, and an account of another company.
const IAM_WORLD: &str = r#"
name = "iam"
region = "eu-west-1"

[[accounts]]
id = "111122223333"

[[accounts]]
id = "444455556666"

[[principals]]
name = "admin"
unique_id = "AIDAIAMADMIN000000001"
managed_policies = ["AdministratorAccess"]

# KMS read access, nothing of IAM.
[[principals]]
name = "kms-auditor"
unique_id = "AIDAKMSAUDITOR0000001"
[[principals.policies]]
name = "kms-read"
document = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:List*","kms:Get*","kms:Describe*"],"Resource":"*"}]}'''

# AWS's KMS power-user policy: iam:ListUsers and iam:ListRoles, but not the policy names.
[[principals]]
name = "kms-power"
unique_id = "AIDAKMSPOWER000000001"
managed_policies = ["AWSKeyManagementServicePowerUser"]

[[principals]]
name = "granttestuser"
unique_id = "AIDAGRANTTESTUSER0001"

# Named by no grant and no key policy: only IAM knows these two.
[[principals]]
name = "ci-deployer"
unique_id = "AIDACIDEPLOYER0000001"
[[principals.policies]]
name = "deploy"
document = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}'''
[[principals.policies]]
name = "assume-ci"
document = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'''

[[principals]]
name = "audit-role"
kind = "role"
unique_id = "AROAAUDITROLE00000001"

# A managed policy and an inline one.
[[principals]]
name = "app-role"
kind = "role"
unique_id = "AROAAPPROLE0000000001"
managed_policies = ["AWSKeyManagementServicePowerUser"]
[[principals.policies]]
name = "app-data"
document = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}'''

[[principals]]
name = "gone"
unique_id = "AIDAGONE0000000000001"
deleted = true

[[principals]]
name = "partner-admin"
account = "444455556666"
unique_id = "AIDAPARTNERADMIN00001"
managed_policies = ["AdministratorAccess"]

[[keys]]
aliases = ["alias/app"]

[[grants]]
key = "alias/app"
grantee = "app-role"
operations = ["Encrypt"]
name = "app-{n}"
count = 2

[[grants]]
key = "alias/app"
grantee = "granttestuser"
operations = ["Decrypt"]

[[grants]]
key = "alias/app"
grantee = "gone"
operations = ["Encrypt"]
"#;

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{HOME}:{kind}/{name}")
}

/// The principals list of the AWS backend connected as `profile`.
async fn principals_as(w: &ServedWorld, profile: &str) -> PrincipalList {
    w.connect(profile)
        .await
        .list_principals()
        .await
        .expect("the principals list comes back")
}

/// aws-sdk-iam as `profile`, configured as the backend configures it.
async fn iam(w: &ServedWorld, profile: &str) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&load_config_with(&w.options(profile), &w.sources).await)
}

fn find<'a>(list: &'a PrincipalList, arn: &str) -> &'a grantscope::backend::PrincipalSummary {
    list.principals
        .iter()
        .find(|p| p.arn == arn)
        .unwrap_or_else(|| panic!("{arn} is not listed: {:#?}", list.principals))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_users_and_roles_join_the_principals_with_their_policy_names() {
    let w = ServedWorld::scenario_toml(IAM_WORLD);
    let list = principals_as(&w, "admin").await;
    assert_eq!(list.note, None, "the admin may list all of IAM");

    // Only IAM knows these: no grant and no key policy names them.
    let ci = find(&list, &arn("user", "ci-deployer"));
    assert_eq!(
        (
            ci.kind,
            ci.name.as_str(),
            ci.unique_id.as_deref(),
            ci.account.as_deref(),
            ci.policies.clone(),
            ci.grant_count
        ),
        (
            PrincipalKindLabel::User,
            "ci-deployer",
            Some("AIDACIDEPLOYER0000001"),
            Some(HOME),
            vec!["assume-ci".to_string(), "deploy".to_string()],
            0
        )
    );
    let audit = find(&list, &arn("role", "audit-role"));
    assert_eq!(
        (
            audit.kind,
            audit.unique_id.as_deref(),
            audit.policies.len(),
            audit.grant_count
        ),
        (
            PrincipalKindLabel::Role,
            Some("AROAAUDITROLE00000001"),
            0,
            0
        )
    );

    // Grantees are the same rows, with IAM's details and their grant counts; managed
    // policies (from the attached listing) come before inline ones.
    let app = find(&list, &arn("role", "app-role"));
    assert_eq!(
        (
            app.kind,
            app.unique_id.as_deref(),
            app.policies.clone(),
            app.grant_count
        ),
        (
            PrincipalKindLabel::Role,
            Some("AROAAPPROLE0000000001"),
            vec![
                "AWSKeyManagementServicePowerUser".to_string(),
                "app-data".to_string()
            ],
            2
        )
    );
    let user = find(&list, &arn("user", "granttestuser"));
    assert_eq!(
        (
            user.unique_id.as_deref(),
            user.policies.len(),
            user.grant_count
        ),
        (Some("AIDAGRANTTESTUSER0001"), 0, 1)
    );
    let admin = find(&list, &arn("user", "admin"));
    assert_eq!(admin.policies, ["AdministratorAccess"]);
    assert_eq!(
        find(&list, &arn("user", "kms-power")).policies,
        ["AWSKeyManagementServicePowerUser"]
    );

    // The deleted grantee is still the grant's unique id; the key policy names the root.
    let gone = find(&list, "AIDAGONE0000000000001");
    assert_eq!(
        (gone.kind, gone.grant_count),
        (PrincipalKindLabel::Deleted, 1)
    );
    assert!(list
        .principals
        .iter()
        .any(|p| p.kind == PrincipalKindLabel::Root));

    // Each principal once; IAM lists the caller's account only.
    let mut arns: Vec<&str> = list.principals.iter().map(|p| p.arn.as_str()).collect();
    arns.sort();
    let before = arns.len();
    arns.dedup();
    assert_eq!(arns.len(), before, "no principal twice: {arns:?}");
    assert!(!list.principals.iter().any(|p| p.name == "partner-admin"));
    let iam_rows = list
        .principals
        .iter()
        .filter(|p| matches!(p.kind, PrincipalKindLabel::User | PrincipalKindLabel::Role))
        .count();
    assert_eq!(iam_rows, 7, "5 users and 2 roles of the home account");

    // Another account's caller sees its own account's users.
    let partner = iam(&w, "partner-admin").await;
    let users = partner.list_users().send().await.unwrap();
    let names: Vec<&str> = users.users().iter().map(|u| u.user_name()).collect();
    assert_eq!(names, ["partner-admin"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_iam_permissions_the_list_comes_from_grants_and_says_why() {
    let w = ServedWorld::scenario_toml(IAM_WORLD);

    let list = principals_as(&w, "kms-auditor").await;
    let note = list.note.clone().expect("a note about IAM");
    assert_eq!(
        note,
        format!(
            "IAM users and roles not listed: AccessDenied: User: {} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::{HOME}:user/ because no identity-based policy allows the iam:ListUsers action",
            arn("user", "kms-auditor")
        )
    );
    for iam_only in [arn("user", "ci-deployer"), arn("role", "audit-role")] {
        assert!(
            !list.principals.iter().any(|p| p.arn == iam_only),
            "{iam_only} is known only to IAM"
        );
    }
    let app = find(&list, &arn("role", "app-role"));
    assert_eq!(
        (app.kind, app.grant_count, app.unique_id.as_deref()),
        (PrincipalKindLabel::Role, 2, None),
        "a grantee, without IAM's details"
    );
    assert_eq!(find(&list, &arn("user", "granttestuser")).grant_count, 1);
    assert!(list.principals.iter().all(|p| p.policies.is_empty()));
    find(&list, &arn("user", "kms-auditor"));

    // Users and roles may be listed but not their policies: the rows stay, the note says
    // what is missing (the first listing refused: the attached one).
    let list = principals_as(&w, "kms-power").await;
    let note = list.note.clone().expect("a note about the policy names");
    assert!(
        note.starts_with(&format!(
            "IAM policy names not listed: AccessDenied: User: {} is not authorized to perform: iam:ListAttachedUserPolicies on resource: arn:aws:iam::{HOME}:user/",
            arn("user", "kms-power")
        )),
        "{note}"
    );
    let ci = find(&list, &arn("user", "ci-deployer"));
    assert_eq!(ci.unique_id.as_deref(), Some("AIDACIDEPLOYER0000001"));
    assert!(list.principals.iter().all(|p| p.policies.is_empty()));
    assert_eq!(find(&list, &arn("role", "app-role")).grant_count, 2);
    find(&list, &arn("role", "audit-role"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_attached_listing_inline_names_stay_and_the_note_says_why() {
    // Allowed every IAM listing but the attached ones.
    let world = format!(
        r#"{IAM_WORLD}
[[principals]]
name = "inline-reader"
[[principals.policies]]
name = "iam-inline"
document = '{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:ListUsers","iam:ListRoles","iam:ListUserPolicies","iam:ListRolePolicies","kms:List*","kms:Get*","kms:Describe*"],"Resource":"*"}}]}}'
"#
    );
    let w = ServedWorld::scenario_toml(&world);
    let list = principals_as(&w, "inline-reader").await;
    let note = list.note.clone().expect("a note about the policy names");
    assert!(
        note.starts_with(&format!(
            "IAM policy names not listed: AccessDenied: User: {} is not authorized to perform: iam:ListAttachedUserPolicies on resource: {} because no identity-based policy allows the iam:ListAttachedUserPolicies action",
            arn("user", "inline-reader"),
            arn("user", "admin")
        )),
        "{note}"
    );
    // What could be listed is shown: the inline names, without the managed ones.
    assert_eq!(
        find(&list, &arn("user", "ci-deployer")).policies,
        ["assume-ci", "deploy"]
    );
    assert_eq!(find(&list, &arn("role", "app-role")).policies, ["app-data"]);
    assert!(find(&list, &arn("user", "admin")).policies.is_empty());
}

/// A world with more than a page (100) of users and of roles, and a user with more than a
/// page of policies.
fn crowded_world(users: usize, roles: usize, policies: usize) -> String {
    let mut toml = String::from(
        "name = \"crowded\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n\
         [[principals]]\nname = \"admin\"\nmanaged_policies = [\"AdministratorAccess\"]\n",
    );
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}"#;
    for i in 0..users {
        toml.push_str(&format!(
            "[[principals]]\nname = \"user-{i:03}\"\n[[principals.policies]]\nname = \"own-{i:03}\"\ndocument = '{doc}'\n"
        ));
    }
    for i in 0..roles {
        toml.push_str(&format!(
            "[[principals]]\nname = \"role-{i:03}\"\nkind = \"role\"\n"
        ));
    }
    toml.push_str("[[principals]]\nname = \"many-policies\"\n");
    for i in 0..policies {
        toml.push_str(&format!(
            "[[principals.policies]]\nname = \"p-{i:03}\"\ndocument = '{doc}'\n"
        ));
    }
    toml.push_str("[[keys]]\naliases = [\"alias/k\"]\n");
    toml
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_a_page_of_users_roles_and_policies_are_all_listed() {
    let w = ServedWorld::scenario_toml(&crowded_world(150, 120, 105));
    let list = principals_as(&w, "admin").await;
    assert_eq!(list.note, None);
    let users: Vec<&str> = list
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKindLabel::User && p.name.starts_with("user-"))
        .map(|p| p.name.as_str())
        .collect();
    let expected: Vec<String> = (0..150).map(|i| format!("user-{i:03}")).collect();
    assert_eq!(users, expected, "every user once, none lost between pages");
    let roles = list
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKindLabel::Role)
        .count();
    assert_eq!(roles, 120);
    for p in list
        .principals
        .iter()
        .filter(|p| p.name.starts_with("user-"))
    {
        assert_eq!(p.policies, [p.name.replace("user-", "own-")], "{}", p.name);
    }
    let many = find(&list, &arn("user", "many-policies"));
    let expected: Vec<String> = (0..105).map(|i| format!("p-{i:03}")).collect();
    assert_eq!(many.policies, expected);

    // The SDK sees IAM's paging: a hundred by default, at most MaxItems, then a marker.
    let iam = iam(&w, "admin").await;
    let first = iam.list_users().send().await.unwrap();
    assert_eq!((first.users().len(), first.is_truncated()), (100, true));
    let small = iam.list_users().max_items(7).send().await.unwrap();
    assert_eq!(small.users().len(), 7);
    let rest = iam
        .list_users()
        .marker(first.marker().unwrap())
        .max_items(1000)
        .send()
        .await
        .unwrap();
    assert_eq!((rest.users().len(), rest.is_truncated()), (52, false));
    assert_eq!(rest.marker(), None);
}

// ---------------------------------------------------------------------------------------
// The AWS CLI.

fn aws(creds: &Path, profile: &str, args: &[&str]) -> Output {
    Command::new(aws_cli())
        .args(["--profile", profile, "--output", "json"])
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_SHARED_CREDENTIALS_FILE", creds)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .output()
        .expect("run the AWS CLI")
}

fn aws_ok(creds: &Path, profile: &str, args: &[&str]) -> serde_json::Value {
    let out = aws(creds, profile, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the CLI prints JSON")
}

fn aws_err(creds: &Path, profile: &str, args: &[&str]) -> String {
    let out = aws(creds, profile, args);
    assert!(!out.status.success(), "aws {args:?} unexpectedly succeeded");
    String::from_utf8_lossy(&out.stderr).trim().to_string()
}

#[test]
fn the_aws_cli_lists_users_roles_and_policies_and_meets_iams_denial() {
    let _cli = aws_cli();
    let w = ServedWorld::scenario_toml(IAM_WORLD);
    // The credentials file names the endpoint: the CLI needs no --endpoint-url.
    let creds = w.sources.credentials_file.clone().unwrap();

    let users = aws_ok(&creds, "admin", &["iam", "list-users"]);
    let users = users["Users"].as_array().unwrap();
    let names: Vec<&str> = users
        .iter()
        .map(|u| u["UserName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "admin",
            "ci-deployer",
            "granttestuser",
            "kms-auditor",
            "kms-power"
        ]
    );
    let ci = &users[1];
    assert_eq!(ci["UserId"], "AIDACIDEPLOYER0000001");
    assert_eq!(ci["Arn"], arn("user", "ci-deployer").as_str());
    assert_eq!(ci["Path"], "/");
    let created = ci["CreateDate"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "{created}"
    );

    // One item per request: the CLI follows IAM's markers to the end.
    let paged = aws_ok(&creds, "admin", &["iam", "list-users", "--page-size", "1"]);
    assert_eq!(paged["Users"].as_array().unwrap().len(), 5);

    let roles = aws_ok(&creds, "admin", &["iam", "list-roles"]);
    let roles: Vec<(&str, &str)> = roles["Roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["RoleName"].as_str().unwrap(),
                r["RoleId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("app-role", "AROAAPPROLE0000000001"),
            ("audit-role", "AROAAUDITROLE00000001")
        ]
    );

    let policies = aws_ok(
        &creds,
        "admin",
        &["iam", "list-user-policies", "--user-name", "ci-deployer"],
    );
    assert_eq!(
        policies["PolicyNames"],
        serde_json::json!(["assume-ci", "deploy"])
    );
    let policies = aws_ok(
        &creds,
        "admin",
        &["iam", "list-role-policies", "--role-name", "app-role"],
    );
    assert_eq!(policies["PolicyNames"], serde_json::json!(["app-data"]));

    // Managed policies are attached, not inline: each listing shows its own kind.
    let attached = aws_ok(
        &creds,
        "admin",
        &["iam", "list-attached-user-policies", "--user-name", "admin"],
    );
    assert_eq!(
        attached,
        serde_json::json!({"AttachedPolicies": [{
            "PolicyName": "AdministratorAccess",
            "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"
        }]}),
        "IsTruncated false and no Marker: the CLI drops both"
    );
    let inline = aws_ok(
        &creds,
        "admin",
        &["iam", "list-user-policies", "--user-name", "admin"],
    );
    assert_eq!(inline["PolicyNames"], serde_json::json!([]));
    let attached = aws_ok(
        &creds,
        "admin",
        &[
            "iam",
            "list-attached-role-policies",
            "--role-name",
            "app-role",
        ],
    );
    assert_eq!(
        attached["AttachedPolicies"],
        serde_json::json!([{
            "PolicyName": "AWSKeyManagementServicePowerUser",
            "PolicyArn": "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"
        }])
    );
    let attached = aws_ok(
        &creds,
        "admin",
        &[
            "iam",
            "list-attached-user-policies",
            "--user-name",
            "ci-deployer",
        ],
    );
    assert_eq!(attached["AttachedPolicies"], serde_json::json!([]));

    // In IAM's words.
    assert_eq!(
        aws_err(&creds, "granttestuser", &["iam", "list-users"]),
        format!(
            "An error occurred (AccessDenied) when calling the ListUsers operation: User: {} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::{HOME}:user/ because no identity-based policy allows the iam:ListUsers action",
            arn("user", "granttestuser")
        )
    );
    assert_eq!(
        aws_err(
            &creds,
            "kms-power",
            &["iam", "list-user-policies", "--user-name", "admin"]
        ),
        format!(
            "An error occurred (AccessDenied) when calling the ListUserPolicies operation: User: {} is not authorized to perform: iam:ListUserPolicies on resource: {} because no identity-based policy allows the iam:ListUserPolicies action",
            arn("user", "kms-power"),
            arn("user", "admin")
        )
    );
    assert_eq!(
        aws_err(
            &creds,
            "kms-power",
            &["iam", "list-attached-user-policies", "--user-name", "admin"]
        ),
        format!(
            "An error occurred (AccessDenied) when calling the ListAttachedUserPolicies operation: User: {} is not authorized to perform: iam:ListAttachedUserPolicies on resource: {} because no identity-based policy allows the iam:ListAttachedUserPolicies action",
            arn("user", "kms-power"),
            arn("user", "admin")
        )
    );
    assert_eq!(
        aws_err(
            &creds,
            "admin",
            &["iam", "list-user-policies", "--user-name", "nobody"]
        ),
        "An error occurred (NoSuchEntity) when calling the ListUserPolicies operation: The user with name nobody cannot be found."
    );
    assert_eq!(
        aws_err(
            &creds,
            "admin",
            &["iam", "list-attached-role-policies", "--role-name", "nobody"]
        ),
        "An error occurred (NoSuchEntity) when calling the ListAttachedRolePolicies operation: The role with name nobody cannot be found."
    );
}

// ---------------------------------------------------------------------------------------
// The wire: requests signed here, answers read raw.

const ADMIN_KEY: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

/// POST a form `body` to `url`, signed as `key` for `service` in `region`.
fn post_signed(url: &str, key: (&str, &str), service: &str, region: &str, body: &str) -> Reply {
    let host = url.trim_start_matches("http://");
    let mut headers = vec![
        ("host".to_string(), host.to_string()),
        (
            "content-type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        ),
    ];
    let signer = Signer {
        key,
        region,
        service,
        time: SystemTime::now(),
    };
    headers.extend(signer.headers("POST", "/", &headers, body.as_bytes()));
    let mut request = String::from("POST / HTTP/1.1\r\n");
    for (k, v) in &headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    Reply {
        status,
        headers: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

const IAM_NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

impl Reply {
    /// IAM's error shape.
    fn assert_iam_error(&self, status: u16, code: &str, message: &str) {
        self.assert_query_error(IAM_NAMESPACE, status, code, message);
    }

    /// A Query-protocol error: the service's namespace, Sender, the code, the message (its
    /// start), and the request id the `x-amzn-RequestId` header carries.
    fn assert_query_error(&self, namespace: &str, status: u16, code: &str, message: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(
            self.body
                .starts_with(&format!("<ErrorResponse xmlns=\"{namespace}\">")),
            "{}",
            self.body
        );
        assert!(self.body.contains("<Type>Sender</Type>"), "{}", self.body);
        assert!(
            self.body.contains(&format!("<Code>{code}</Code>")),
            "{}",
            self.body
        );
        assert!(
            self.body.contains(&format!("<Message>{message}")),
            "{}",
            self.body
        );
        let rid = self
            .headers
            .lines()
            .find_map(|l| l.strip_prefix("x-amzn-requestid: "))
            .expect("a request id header");
        assert!(
            self.body.contains(&format!("<RequestId>{rid}</RequestId>")),
            "{}",
            self.body
        );
        assert!(self.headers.contains("content-type: text/xml"));
    }
}

#[test]
fn iam_requests_on_the_wire_get_iams_answers_and_errors() {
    let server = Server::start(&[]);
    let url = server.url.as_str();
    let list_users = "Action=ListUsers&Version=2010-05-08";

    // IAM is global: signed for us-east-1 (its global endpoint), the world's region or any
    // region the endpoint serves; a region it does not serve is refused.
    for region in ["us-east-1", "eu-west-1"] {
        let r = post_signed(url, ADMIN_KEY, "iam", region, list_users);
        assert_eq!(r.status, 200, "{region}: {}", r.body);
        assert!(r.body.starts_with(
            "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
        ));
        assert!(r.body.contains("<UserName>granttestuser</UserName>"));
        assert!(r.body.contains("<IsTruncated>false</IsTruncated>"));
        assert!(r.body.contains("<ResponseMetadata>"));
    }
    post_signed(url, ADMIN_KEY, "iam", "xx-nowhere-1", list_users).assert_iam_error(
        403,
        "SignatureDoesNotMatch",
        "Credential should be scoped to a valid region",
    );

    post_signed(
        url,
        ADMIN_KEY,
        "iam",
        "us-east-1",
        "Action=ListGroups&Version=2010-05-08",
    )
    .assert_iam_error(
        400,
        "InvalidAction",
        "Could not find operation ListGroups for version 2010-05-08",
    );
    post_signed(url, ADMIN_KEY, "iam", "us-east-1", "Version=2010-05-08").assert_iam_error(
        400,
        "MissingAction",
        "Missing Action",
    );
    post_signed(
        url,
        ADMIN_KEY,
        "iam",
        "us-east-1",
        "Action=ListUsers&MaxItems=0",
    )
    .assert_iam_error(400, "ValidationError", "1 validation error detected");
    post_signed(
        url,
        ADMIN_KEY,
        "iam",
        "us-east-1",
        "Action=ListUsers&Marker=bm90LWEtbWFya2Vy",
    )
    .assert_iam_error(400, "ValidationError", "Invalid Marker.");

    let wrong_secret = (ADMIN_KEY.0, "not-the-secret");
    post_signed(url, wrong_secret, "iam", "us-east-1", list_users).assert_iam_error(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
    );
    post_signed(
        url,
        ("AKIAUNKNOWN000000000", "whatever"),
        "iam",
        "us-east-1",
        list_users,
    )
    .assert_iam_error(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    );
    post_signed(
        url,
        ("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
        "iam",
        "us-east-1",
        list_users,
    )
    .assert_iam_error(
        403,
        "AccessDenied",
        &format!(
            "User: {} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::{HOME}:user/ because no identity-based policy allows the iam:ListUsers action",
            arn("user", "granttestuser")
        ),
    );

    // The same body signed for STS is STS's business.
    let r = post_signed(url, ADMIN_KEY, "sts", "us-east-1", list_users);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body
            .contains("Could not find operation ListUsers for version 2011-06-15"),
        "{}",
        r.body
    );
}

#[test]
fn sts_refuses_bad_signatures_and_unknown_keys_in_stss_words() {
    let server = Server::start(&[]);
    let url = server.url.as_str();
    let who_am_i = "Action=GetCallerIdentity&Version=2011-06-15";

    let r = post_signed(url, ADMIN_KEY, "sts", "us-east-1", who_am_i);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("<Arn>arn:aws:iam::111122223333:user/admin</Arn>"),
        "{}",
        r.body
    );

    post_signed(
        url,
        (ADMIN_KEY.0, "not-the-secret"),
        "sts",
        "us-east-1",
        who_am_i,
    )
    .assert_query_error(
        STS_NAMESPACE,
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
    );
    post_signed(
        url,
        ("AKIAUNKNOWN000000000", "whatever"),
        "sts",
        "us-east-1",
        who_am_i,
    )
    .assert_query_error(
        STS_NAMESPACE,
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    );
    // Signed for a region the endpoint does not serve.
    post_signed(url, ADMIN_KEY, "sts", "xx-nowhere-1", who_am_i).assert_query_error(
        STS_NAMESPACE,
        403,
        "SignatureDoesNotMatch",
        "Credential should be scoped to a valid region. ",
    );
}
