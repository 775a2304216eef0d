//! Service principals and the SourceArn constraint in the simulator: a grant to a
//! `GranteeServicePrincipal` is used by that service on behalf of its resource only; a
//! retiring service principal retires; ListRetirableGrants' service filter; key policies
//! naming a service; constraint keys compared ignoring case when a grant creates a grant;
//! a role at an IAM path in policy conditions. Service principals cannot sign requests,
//! so these run in-process (`Caller::new("logs.eu-west-1.amazonaws.com").on_behalf_of(..)`).

mod common;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::{ErrorCode, GrantConstraints};
use grantscope::sim::{Caller, Outcome, Simulator};

const SERVICE: &str = "logs.eu-west-1.amazonaws.com";

fn source() -> String {
    format!("arn:aws:logs:{REGION}:{HOME}:log-group:app")
}

fn service() -> Caller {
    Caller::new(SERVICE)
}

/// The admin's grant of `ops` to the service, usable on behalf of `source()` only.
fn service_grant(sim: &mut Simulator, ops: &[&str]) -> CreateGrantResponse {
    sim.create_grant(
        &admin(),
        CreateGrantRequest {
            key_id: K1.into(),
            grantee_service_principal: Some(SERVICE.into()),
            retiring_service_principal: Some(SERVICE.into()),
            operations: ops_of(ops),
            constraints: Some(GrantConstraints {
                source_arn: Some(source()),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .expect("the admin grants to the service")
}

fn ops_of(list: &[&str]) -> Vec<grantscope::kms::OperationInput> {
    ops(list)
}

fn encrypt_as(sim: &mut Simulator, caller: &Caller) -> grantscope::kms::KmsResult<EncryptResponse> {
    sim.encrypt(
        caller,
        EncryptRequest {
            key_id: K1.into(),
            plaintext: b"log line".to_vec(),
            ..Default::default()
        },
    )
}

/// API Reference, GrantConstraints: SourceArn "allows the permissions in the grant only
/// when the request is made on behalf of a specific AWS resource".
#[test]
fn a_service_grant_works_only_on_behalf_of_its_source() {
    let mut sim = lab();
    let g = service_grant(&mut sim, &["Encrypt", "DescribeKey"]);
    encrypt_as(&mut sim, &service().on_behalf_of(source())).expect("on behalf of its source");
    let entry = last_activity(&sim);
    assert_eq!(entry.outcome, Outcome::Allowed);
    assert_eq!(
        entry.grant.as_ref().map(|id| id.to_string()),
        Some(g.grant_id.clone())
    );

    let other = format!("arn:aws:logs:{REGION}:{HOME}:log-group:other");
    let e = expect_err(encrypt_as(&mut sim, &service().on_behalf_of(other.clone())));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let why = last_activity(&sim).why.clone();
    assert!(why.contains("SourceArn constraint"), "{why}");
    assert!(why.contains(&other), "{why}");

    let e = expect_err(encrypt_as(&mut sim, &service()));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(last_activity(&sim).why.contains("not direct calls"));
}

/// API Reference: the SourceArn constraint "can also be applied to the DescribeKey
/// operation when specified in the request".
#[test]
fn describe_key_is_held_to_the_source_only_when_the_request_names_one() {
    let mut sim = lab();
    service_grant(&mut sim, &["DescribeKey"]);
    let describe = |sim: &mut Simulator, caller: &Caller| {
        sim.describe_key(
            caller,
            DescribeKeyRequest {
                key_id: K1.into(),
                grant_tokens: None,
            },
        )
    };
    describe(&mut sim, &service())
        .expect("no source in the request: the constraint is not applied");
    describe(&mut sim, &service().on_behalf_of(source())).expect("its own source");
    let other = format!("arn:aws:logs:{REGION}:{HOME}:log-group:other");
    let e = expect_err(describe(&mut sim, &service().on_behalf_of(other)));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

/// Developer Guide: a grant "can be retired by ... the retiring principal or retiring
/// service principal specified in the grant".
#[test]
fn the_retiring_service_principal_retires_and_lists_its_grants() {
    let mut sim = lab();
    let g = service_grant(&mut sim, &["Encrypt"]);
    // API Reference, ListRetirableGrants: RetiringServicePrincipal "is only usable by
    // callers in a service principal".
    let by = |sim: &mut Simulator, caller: &Caller| {
        sim.list_retirable_grants(
            caller,
            ListRetirableGrantsRequest {
                retiring_service_principal: Some(SERVICE.into()),
                ..Default::default()
            },
        )
    };
    let e = expect_err(by(&mut sim, &admin()));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(
        e.message
            .contains("only usable by callers in a service principal"),
        "{}",
        e.message
    );
    // Both names at once, or neither: AWS's sentence.
    let e = expect_err(sim.list_retirable_grants(
        &admin(),
        ListRetirableGrantsRequest {
            retiring_principal: Some(user_arn("bob")),
            retiring_service_principal: Some(SERVICE.into()),
            ..Default::default()
        },
    ));
    assert!(e.message.contains("but not both"), "{}", e.message);

    sim.retire_grant(
        &service(),
        RetireGrantRequest {
            key_id: Some(K1.into()),
            grant_id: Some(g.grant_id.clone()),
            ..Default::default()
        },
    )
    .expect("the retiring service principal retires");
    assert!(last_activity(&sim).why.contains("retiring principal"));
    assert!(grant_ids(&mut sim, K1).is_empty());
}

/// A key policy statement naming a service principal, with `aws:SourceArn`: the service
/// may use the key for that resource only (the confused-deputy guard AWS recommends).
#[test]
fn a_key_policy_lets_a_service_in_for_its_source_only() {
    let mut sim = lab();
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
        {{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{HOME}:root"}},"Action":"kms:*","Resource":"*"}},
        {{"Sid":"Logs","Effect":"Allow","Principal":{{"Service":"{SERVICE}"}},"Action":"kms:Encrypt*","Resource":"*",
          "Condition":{{"ArnEquals":{{"aws:SourceArn":"{}"}}}}}}
    ]}}"#,
        source()
    );
    sim.put_key_policy(
        &admin(),
        PutKeyPolicyRequest {
            key_id: K1.into(),
            policy_name: None,
            policy,
            bypass_policy_lockout_safety_check: None,
        },
    )
    .unwrap();
    encrypt_as(&mut sim, &service().on_behalf_of(source())).expect("its source");
    let why = last_activity(&sim).why;
    assert!(why.contains("key policy statement"), "{why}");
    let other = format!("arn:aws:logs:{REGION}:{HOME}:log-group:other");
    let e = expect_err(encrypt_as(&mut sim, &service().on_behalf_of(other)));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

/// API Reference, CreateGrant: a grant with CreateGrant "requires that any grants created
/// with the CreateGrant permission have an equally strict or stricter encryption context
/// constraint" — and constraint keys are not case sensitive.
#[test]
fn a_grant_created_through_a_grant_may_spell_constraint_keys_in_another_case() {
    let mut sim = lab();
    let mut parent = grant_req(K1, &user_arn("alice"), &["CreateGrant", "Encrypt"]);
    parent.constraints = Some(GrantConstraints {
        encryption_context_equals: Some(ctx(&[("Dept", "it")])),
        ..Default::default()
    });
    sim.create_grant(&admin(), parent).unwrap();
    let mut child = grant_req(K1, &user_arn("bob"), &["Encrypt"]);
    child.constraints = Some(GrantConstraints {
        encryption_context_equals: Some(ctx(&[("dept", "it")])),
        ..Default::default()
    });
    sim.create_grant(&who("alice"), child.clone())
        .expect("the same constraint, its key in another case");
    child.constraints = Some(GrantConstraints {
        encryption_context_equals: Some(ctx(&[("dept", "IT")])),
        ..Default::default()
    });
    let e = expect_err(sim.create_grant(&who("alice"), child));
    assert_eq!(
        e.code,
        ErrorCode::AccessDeniedException,
        "values are case sensitive"
    );
}

/// A role at an IAM path: its sessions are `assumed-role/NAME/...` (no path), and
/// `aws:PrincipalArn` is the role's ARN with its path.
#[test]
fn a_role_at_a_path_is_matched_by_its_full_arn_in_conditions() {
    let mut sim = sim_from_toml(
        r#"
name = "paths"
region = "eu-west-1"
[[accounts]]
id = "111122223333"
[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]
[[principals]]
name = "app"
kind = "role"
path = "/service-role/"
[[keys]]
id = "11111111-1111-4111-8111-111111111111"
policy = '''{"Version":"2012-10-17","Statement":[
  {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
  {"Sid":"PathedRole","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*",
   "Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/service-role/app"}}}
]}'''
"#,
    );
    let session = Caller::new("arn:aws:sts::111122223333:assumed-role/app/s1");
    encrypt_as(&mut sim, &session).expect("the pathed role's session");
    assert!(last_activity(&sim).why.contains("PathedRole"));
    assert_eq!(
        last_activity(&sim).caller,
        "arn:aws:sts::111122223333:assumed-role/app/s1"
    );
}
