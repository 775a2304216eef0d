//! Custom key stores (none exist), AWS managed keys (usable only through their service,
//! created on DescribeKey of their alias), the audit on them, and the journal replay of
//! every mutation added by issue #15 part B.

mod common;
mod key_admin_common;

use grantscope::kms::{ApiOperation, ErrorCode};
use grantscope::sim::changes::ChangeRecord;
use grantscope::sim::{snapshot, Caller, Simulator};
use serde_json::{json, Value};

use common::{key_arn, lab, sim_from_toml, K1, K2};
use key_admin_common::*;

#[test]
fn custom_key_stores_do_not_exist_and_cannot_be_created_without_a_backing_store() {
    use ApiOperation::*;
    let mut sim = lab();
    let d = ok(&mut sim, "admin", DescribeCustomKeyStores, json!({}));
    assert_eq!(d, json!({"CustomKeyStores": [], "Truncated": false}));
    for op in [
        ConnectCustomKeyStore,
        DisconnectCustomKeyStore,
        DeleteCustomKeyStore,
        UpdateCustomKeyStore,
    ] {
        let e = err(
            &mut sim,
            "admin",
            op,
            json!({"CustomKeyStoreId": "cks-1234567890abcdef0"}),
        );
        assert_eq!(e.code, ErrorCode::CustomKeyStoreNotFoundException, "{op:?}");
        assert!(
            e.message.contains("cannot find a custom key store"),
            "{}",
            e.message
        );
    }
    let e = err(
        &mut sim,
        "admin",
        DescribeCustomKeyStores,
        json!({"CustomKeyStoreName": "mine"}),
    );
    assert_eq!(e.code, ErrorCode::CustomKeyStoreNotFoundException);
    let e = err(
        &mut sim,
        "admin",
        CreateCustomKeyStore,
        json!({"CustomKeyStoreName": "hsm", "CloudHsmClusterId": "cluster-234abcdefABC", "TrustAnchorCertificate": "cert", "KeyStorePassword": "secret123"}),
    );
    assert_eq!(e.code, ErrorCode::CloudHsmClusterNotFoundException);
    assert!(
        !e.message.contains("secret123"),
        "the password is never echoed"
    );
    let e = err(
        &mut sim,
        "admin",
        CreateCustomKeyStore,
        json!({"CustomKeyStoreName": "xks", "CustomKeyStoreType": "EXTERNAL_KEY_STORE", "XksProxyUriEndpoint": "https://xks.example.com", "XksProxyUriPath": "/kms/xks/v1", "XksProxyConnectivity": "PUBLIC_ENDPOINT", "XksProxyAuthenticationCredential": {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "a".repeat(43)}}),
    );
    assert_eq!(e.code, ErrorCode::XksProxyUriUnreachableException);
    let e = err(
        &mut sim,
        "alice",
        ConnectCustomKeyStore,
        json!({"CustomKeyStoreId": "cks-1"}),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

const MANAGED: &str = r#"
name = "managed"
region = "eu-west-1"
aws_managed_keys = ["s3"]
[[accounts]]
id = "111122223333"
[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]
"#;

#[test]
fn an_aws_managed_key_is_usable_only_through_its_service() {
    use ApiOperation::*;
    let mut sim = sim_from_toml(MANAGED);
    let d = ok(
        &mut sim,
        "admin",
        DescribeKey,
        json!({"KeyId": "alias/aws/s3"}),
    );
    assert_eq!(d["KeyMetadata"]["KeyManager"], "AWS");
    let arn = d["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let e = err(
        &mut sim,
        "admin",
        Encrypt,
        json!({"KeyId": "alias/aws/s3", "Plaintext": "aGk="}),
    );
    assert_eq!(e.message, format!("User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:Encrypt on resource: {arn} because no resource-based policy allows the kms:Encrypt action"));
    let via = Caller::new("admin").via("s3.eu-west-1.amazonaws.com");
    let ct = try_call(
        &mut sim,
        &via,
        Encrypt,
        json!({"KeyId": "alias/aws/s3", "Plaintext": "aGk="}),
    )
    .unwrap();
    assert!(
        last_why(&sim).contains("Allow access through S3"),
        "{}",
        last_why(&sim)
    );
    try_call(
        &mut sim,
        &via,
        Decrypt,
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .unwrap();
    let wrong = Caller::new("admin").via("ebs.eu-west-1.amazonaws.com");
    assert_eq!(
        try_call(
            &mut sim,
            &wrong,
            Encrypt,
            json!({"KeyId": "alias/aws/s3", "Plaintext": "aGk="})
        )
        .unwrap_err()
        .code,
        ErrorCode::AccessDeniedException
    );
    // Not deletable, its policy not changeable, its rotation not switchable.
    let policy = ok(&mut sim, "admin", GetKeyPolicy, json!({"KeyId": arn}))["Policy"].clone();
    for (op, body) in [
        (ScheduleKeyDeletion, json!({"KeyId": arn})),
        (PutKeyPolicy, json!({"KeyId": arn, "Policy": policy})),
        (DisableKeyRotation, json!({"KeyId": arn})),
        (DisableKey, json!({"KeyId": arn})),
        (
            TagResource,
            json!({"KeyId": arn, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        ),
    ] {
        let e = err(&mut sim, "admin", op, body);
        assert_eq!(e.code, ErrorCode::AccessDeniedException, "{op:?}");
        assert!(
            e.message
                .contains("because no resource-based policy allows"),
            "{}",
            e.message
        );
    }
    let s = ok(
        &mut sim,
        "admin",
        GetKeyRotationStatus,
        json!({"KeyId": arn}),
    );
    assert_eq!(s["KeyRotationEnabled"], true);
    assert_eq!(s["RotationPeriodInDays"], 365);
}

#[test]
fn describing_a_predefined_aws_alias_creates_its_managed_key() {
    use ApiOperation::*;
    let mut sim = lab();
    let before = sim.world().keys.len();
    let d = ok(
        &mut sim,
        "admin",
        DescribeKey,
        json!({"KeyId": "alias/aws/secretsmanager"}),
    );
    assert_eq!(d["KeyMetadata"]["KeyManager"], "AWS");
    assert_eq!(sim.world().keys.len(), before + 1);
    let again = ok(
        &mut sim,
        "admin",
        DescribeKey,
        json!({"KeyId": "alias/aws/secretsmanager"}),
    );
    assert_eq!(again["KeyMetadata"]["KeyId"], d["KeyMetadata"]["KeyId"]);
    assert_eq!(sim.world().keys.len(), before + 1, "created once");
    let policy = ok(
        &mut sim,
        "admin",
        GetKeyPolicy,
        json!({"KeyId": d["KeyMetadata"]["KeyId"]}),
    );
    let doc: Value = serde_json::from_str(policy["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(
        doc["Statement"][0]["Condition"]["StringEquals"]["kms:ViaService"],
        "secretsmanager.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        doc["Statement"][0]["Condition"]["StringEquals"]["kms:CallerAccount"],
        "111122223333"
    );
}

#[test]
fn the_audit_leaves_the_shape_of_service_grants_on_aws_managed_keys_alone() {
    use grantscope::audit::{audit, AuditConfig, Rule};
    use ApiOperation::*;
    let mut sim = sim_from_toml(&format!(
        "{MANAGED}\n[[principals]]\nname = \"alice\"\n[[keys]]\nid = \"{K1}\"\n"
    ));
    // The same unconstrained Decrypt grant without a retiring principal: made by EBS on
    // its AWS managed key, and by the admin on a customer key.
    let via = Caller::new("admin").via("ebs.eu-west-1.amazonaws.com");
    try_call(
        &mut sim,
        &via,
        DescribeKey,
        json!({"KeyId": "alias/aws/ebs"}),
    )
    .unwrap();
    let ebs = ok(
        &mut sim,
        "admin",
        DescribeKey,
        json!({"KeyId": "alias/aws/ebs"}),
    )["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    let grant = json!({"KeyId": ebs, "GranteePrincipal": "arn:aws:iam::111122223333:user/alice", "Operations": ["Decrypt"]});
    try_call(&mut sim, &via, CreateGrant, grant).unwrap();
    ok(
        &mut sim,
        "admin",
        CreateGrant,
        json!({"KeyId": K1, "GranteePrincipal": "arn:aws:iam::111122223333:user/alice", "Operations": ["Decrypt"]}),
    );
    let inventory = grantscope::sim::inventory::inventory(sim.world());
    let report = audit(&inventory, &AuditConfig::default());
    let rules_on = |key: &str| -> Vec<Rule> {
        report
            .findings
            .iter()
            .filter(|f| &*f.key == key)
            .map(|f| f.rule)
            .collect()
    };
    assert!(
        rules_on(&key_arn(K1)).contains(&Rule::Unconstrained),
        "{:?}",
        rules_on(&key_arn(K1))
    );
    for rule in [
        Rule::Unconstrained,
        Rule::PlaintextAccess,
        Rule::NoRetiringPrincipal,
    ] {
        assert!(
            !rules_on(&ebs).contains(&rule),
            "{rule:?} on the AWS managed key"
        );
    }
}

#[test]
fn every_new_mutation_replays_onto_its_snapshot_to_the_same_world() {
    use ApiOperation::*;
    let mut sim = lab();
    sim.world_mut().track_changes();
    let start = snapshot::to_json(sim.world());
    let mut journal: Vec<ChangeRecord> = Vec::new();
    let mut change = |sim: &mut Simulator, op: ApiOperation, body: Value| -> Value {
        sim.world_mut().begin_change();
        let out = ok(sim, "admin", op, body);
        let (record, _) = sim.world_mut().finish_change().unwrap();
        let line = serde_json::to_vec(&record).unwrap();
        journal.push(serde_json::from_slice(&line).unwrap());
        out
    };
    change(
        &mut sim,
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
    );
    change(
        &mut sim,
        UntagResource,
        json!({"KeyId": K1, "TagKeys": ["a"]}),
    );
    change(
        &mut sim,
        UpdateAlias,
        json!({"AliasName": "alias/k1", "TargetKeyId": K2}),
    );
    change(
        &mut sim,
        UpdateKeyDescription,
        json!({"KeyId": K2, "Description": "d"}),
    );
    change(&mut sim, EnableKeyRotation, json!({"KeyId": K1}));
    change(&mut sim, RotateKeyOnDemand, json!({"KeyId": K1}));
    change(&mut sim, DisableKeyRotation, json!({"KeyId": K1}));
    let key = change(&mut sim, CreateKey, json!({"Origin": "EXTERNAL"}))["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let p = change(
        &mut sim,
        GetParametersForImport,
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    let wrapped = b64(&wrap(
        &unb64(&p["PublicKey"]),
        "RSAES_OAEP_SHA_256",
        &[5u8; 32],
    ));
    change(
        &mut sim,
        ImportKeyMaterial,
        json!({"KeyId": key, "ImportToken": p["ImportToken"], "EncryptedKeyMaterial": wrapped, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    );
    change(&mut sim, DeleteImportedKeyMaterial, json!({"KeyId": key}));
    let mut world = snapshot::from_json(&start, "start.json").unwrap();
    for r in &journal {
        world.replay(r.clone());
    }
    world.rebuild_indexes();
    assert_eq!(
        String::from_utf8(snapshot::to_json(&world)).unwrap(),
        String::from_utf8(snapshot::to_json(sim.world())).unwrap()
    );
}
