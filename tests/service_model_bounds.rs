//! Every member bound of AWS's KMS service model, checked against the simulator: for each
//! operation `serve` answers, each member with a length or value range in the model the
//! AWS CLI ships (botocore's `kms/2014-11-01/service-2.json`, found through the CLI that
//! `tests/run` installs) gets a value one past each end, in an otherwise valid request,
//! and must be refused with ValidationException naming that member. Where the API
//! Reference documents a stricter range than the model's shared type (ListGrants' Limit
//! "between 1 and 100"), the stricter one is also checked.

mod support;

use std::path::PathBuf;

use base64::Engine;
use serde_json::{json, Map, Value};

use grantscope::kms::{ApiOperation, ErrorCode};
use grantscope::sim::{Caller, Scenario, Simulator};
use grantscope::wire::dispatch::dispatch;

/// botocore's KMS model inside the CLI's venv (the CLI bundles botocore under
/// `awscli/botocore` in v2-style layouts, or beside it as `botocore` in v1).
fn model_path() -> PathBuf {
    let cli = support::aws_cli();
    let venv = cli
        .parent()
        .and_then(|bin| bin.parent())
        .expect("the CLI lives in VENV/bin");
    let lib = venv.join("lib");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&lib).expect("VENV/lib").flatten() {
        let site = entry.path().join("site-packages");
        for base in ["botocore", "awscli/botocore"] {
            let p = site.join(base).join("data/kms/2014-11-01/service-2.json");
            if p.exists() {
                found.push(p);
            }
        }
    }
    found
        .into_iter()
        .next()
        .expect("botocore's KMS service model in the CLI's venv")
}

fn model() -> Value {
    let text = std::fs::read_to_string(model_path()).expect("read the service model");
    serde_json::from_str(&text).expect("the service model is JSON")
}

const KEY: &str = "11111111-1111-4111-8111-111111111111";

fn sim() -> Simulator {
    let text = r#"
name = "bounds"
region = "eu-west-1"
[[accounts]]
id = "111122223333"
[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]
[[keys]]
id = "11111111-1111-4111-8111-111111111111"
aliases = ["alias/bounds"]
"#;
    Simulator::new(
        Scenario::parse(text, "bounds.toml", true)
            .unwrap()
            .build()
            .unwrap(),
    )
}

/// A valid value for a required member, by the model's shape name.
fn valid(shape: &str, ciphertext: &str) -> Value {
    match shape {
        "KeyIdType" => json!(KEY),
        "PlaintextType" => json!("aGVsbG8="),
        "CiphertextType" => json!(ciphertext),
        "GrantOperationList" => json!(["Encrypt"]),
        "PrincipalIdType" => json!("arn:aws:iam::111122223333:user/admin"),
        "AliasNameType" => json!("alias/fresh"),
        "RegionType" => json!("us-west-2"),
        "GrantIdType" => json!("0".repeat(64)),
        "PolicyType" => json!(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#
        ),
        // Issue #15 part B.
        "TagList" => json!([{"TagKey": "team", "TagValue": "blue"}]),
        "TagKeyList" => json!(["team"]),
        "DescriptionType" => json!("a description"),
        "CustomKeyStoreIdType" => json!("cks-1234567890abcdef0"),
        "CustomKeyStoreNameType" => json!("store"),
        "AlgorithmSpec" => json!("RSAES_OAEP_SHA_256"),
        "WrappingKeySpec" => json!("RSA_2048"),
        "SigningAlgorithmSpec" => json!("ECDSA_SHA_256"),
        "MacAlgorithmSpec" => json!("HMAC_SHA_256"),
        "DataKeyPairSpec" => json!("ECC_NIST_P256"),
        "KeyAgreementAlgorithmSpec" => json!("ECDH"),
        "PublicKeyType" => json!("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQc="),
        other => panic!("no valid value known for required shape {other}"),
    }
}

/// Out-of-range values for a member of `shape` (value, which end), per its bounds.
fn out_of_range(shape: &Value, documented_max: Option<i64>) -> Vec<(Value, String)> {
    let min = shape.get("min").and_then(Value::as_i64);
    let max = documented_max.or(shape.get("max").and_then(Value::as_i64));
    let b64 = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![7u8; n]);
    let mut out = Vec::new();
    match shape["type"].as_str().unwrap_or_default() {
        "string" => {
            if let Some(max) = max {
                out.push((
                    json!("a".repeat(max as usize + 1)),
                    format!("length {}", max + 1),
                ));
            }
            if let Some(min) = min.filter(|m| *m >= 1) {
                out.push((
                    json!("a".repeat(min as usize - 1)),
                    format!("length {}", min - 1),
                ));
            }
        }
        "blob" => {
            if let Some(max) = max {
                out.push((json!(b64(max as usize + 1)), format!("{} bytes", max + 1)));
            }
            if min.is_some_and(|m| m >= 1) {
                out.push((json!(""), "0 bytes".into()));
            }
        }
        "list" => {
            if let Some(max) = max {
                let items: Vec<Value> = (0..=max).map(|i| json!(format!("t{i}"))).collect();
                out.push((Value::Array(items), format!("{} items", max + 1)));
            }
        }
        "integer" => {
            if let Some(max) = max {
                out.push((json!(max + 1), format!("value {}", max + 1)));
            }
            if let Some(min) = min {
                out.push((json!(min - 1), format!("value {}", min - 1)));
            }
        }
        _ => {}
    }
    out
}

/// The API Reference's stricter ranges, where the model's shared type is wider.
fn documented_max(op: &str, member: &str) -> Option<i64> {
    match (op, member) {
        ("ListGrants" | "ListRetirableGrants" | "ListAliases", "Limit") => Some(100),
        // "If you include a value, it must be between 1 and 50, inclusive."
        ("ListResourceTags", "Limit") => Some(50),
        _ => None,
    }
}

/// `KeyId` -> `keyId`, as AWS names members in validation messages.
fn camel(member: &str) -> String {
    let mut c = member.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

#[test]
fn every_member_bound_of_the_service_model_is_enforced() {
    let model = model();
    let shapes = model["shapes"].as_object().expect("shapes");
    let caller = Caller::new("admin");
    let mut checked = 0;
    let mut failures = Vec::new();
    for op in ApiOperation::ALL {
        let name = op.as_str();
        let operation = &model["operations"][name];
        assert!(
            operation.is_object(),
            "{name} is not in AWS's service model"
        );
        let input = &shapes[operation["input"]["shape"].as_str().unwrap()];
        let members = input["members"].as_object().unwrap();
        let required: Vec<&str> = input["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (member, spec) in members {
            let shape_name = spec["shape"].as_str().unwrap();
            let shape = &shapes[shape_name];
            for (value, what) in out_of_range(shape, documented_max(name, member)) {
                // A fresh world each time: earlier requests never change the answer.
                let mut sim = sim();
                let ciphertext = {
                    let r = sim
                        .encrypt(
                            &caller,
                            grantscope::kms::api::EncryptRequest {
                                key_id: KEY.into(),
                                plaintext: b"hi".to_vec(),
                                ..Default::default()
                            },
                        )
                        .unwrap();
                    base64::engine::general_purpose::STANDARD.encode(r.ciphertext_blob)
                };
                let mut body = Map::new();
                for r in &required {
                    let s = members[*r]["shape"].as_str().unwrap();
                    body.insert(r.to_string(), valid(s, &ciphertext));
                }
                // Members the model marks optional but a valid request needs (RetireGrant's
                // pair, Decrypt's blob, CreateGrant's grantee): give them.
                match name {
                    "RetireGrant" => {
                        body.entry("KeyId").or_insert(json!(KEY));
                        body.entry("GrantId").or_insert(json!("0".repeat(64)));
                    }
                    "Decrypt" | "ReEncrypt" => {
                        body.entry("CiphertextBlob").or_insert(json!(ciphertext));
                    }
                    "CreateGrant"
                        if member != "GranteePrincipal" && member != "GranteeServicePrincipal" =>
                    {
                        body.entry("GranteePrincipal")
                            .or_insert(json!("arn:aws:iam::111122223333:user/admin"));
                    }
                    "ListRetirableGrants" if member != "RetiringServicePrincipal" => {
                        body.entry("RetiringPrincipal")
                            .or_insert(json!("arn:aws:iam::111122223333:user/admin"));
                    }
                    _ => {}
                }
                if name == "ListRetirableGrants" && member == "RetiringServicePrincipal" {
                    body.remove("RetiringPrincipal");
                }
                body.insert(member.clone(), value);
                let bytes = serde_json::to_vec(&Value::Object(body.clone())).unwrap();
                checked += 1;
                match dispatch(&mut sim, &caller, op, &bytes) {
                    Err(e)
                        if e.code == ErrorCode::ValidationException
                            && e.message.contains(&format!("'{}", camel(member))) => {}
                    other => failures.push(format!(
                        "{name}.{member} ({shape_name}) with {what}: {:?}",
                        other.map(|b| String::from_utf8_lossy(&b).into_owned())
                    )),
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} bounds were checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} bounds not enforced:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
