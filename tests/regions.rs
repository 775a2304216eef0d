//! Every region in one world, in process: keys, aliases and grants belong to a region; a
//! caller sees its own region's (`sim/regions.rs`); scenarios put keys in several regions;
//! a snapshot from before regions loads into the default region.

mod common;

use grantscope::kms::api::*;
use grantscope::kms::{ErrorCode, KeyState};
use grantscope::sim::{snapshot, Caller, Simulator};

use common::*;

const US: &str = "us-east-1";

fn admin_in(region: &str) -> Caller {
    admin().in_region(region)
}

fn create_key(sim: &mut Simulator, caller: &Caller) -> String {
    sim.create_key(caller, CreateKeyRequest::default())
        .expect("key created")
        .key_metadata
        .key_id
}

fn list_keys(sim: &mut Simulator, caller: &Caller) -> Vec<String> {
    let mut ids: Vec<String> = sim
        .list_keys(caller, ListKeysRequest::default())
        .expect("listed")
        .keys
        .into_iter()
        .map(|k| k.key_id)
        .collect();
    ids.sort();
    ids
}

fn describe(sim: &mut Simulator, caller: &Caller, key: &str) -> KeyMetadataResponse {
    sim.describe_key(
        caller,
        DescribeKeyRequest {
            key_id: key.to_string(),
            grant_tokens: None,
        },
    )
    .unwrap_or_else(|e| panic!("describe {key}: {e:?}"))
}

#[test]
fn each_region_has_its_own_keys_and_listing() {
    let mut sim = lab();
    let us_key = create_key(&mut sim, &admin_in(US));
    let eu_key = create_key(&mut sim, &admin());

    let us_arn = describe(&mut sim, &admin_in(US), &us_key).key_metadata.arn;
    assert_eq!(us_arn, format!("arn:aws:kms:{US}:{HOME}:key/{us_key}"));
    assert_eq!(list_keys(&mut sim, &admin_in(US)), vec![us_key.clone()]);
    let mut eu = vec![K1.to_string(), K2.to_string(), eu_key.clone()];
    eu.sort();
    assert_eq!(list_keys(&mut sim, &admin()), eu, "the default region");
    assert_eq!(
        list_keys(&mut sim, &admin_in(REGION)),
        eu,
        "named explicitly"
    );
    assert!(list_keys(&mut sim, &admin_in("ap-south-1")).is_empty());
}

#[test]
fn a_key_of_another_region_is_not_found_by_id_or_arn() {
    let mut sim = lab();
    // By id: looked up in the caller's region, named by the ARN it would have there.
    let e = expect_err(sim.describe_key(
        &admin_in(US),
        DescribeKeyRequest {
            key_id: K1.into(),
            grant_tokens: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert_eq!(
        e.message,
        format!("Key 'arn:aws:kms:{US}:{HOME}:key/{K1}' does not exist")
    );
    // By the full ARN of its own region, asked in another: the ARN asked for is not there.
    let e = expect_err(encrypt(
        &mut sim,
        "admin",
        &format!("arn:aws:kms:{US}:{HOME}:key/{K1}"),
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert_eq!(
        e.message,
        format!("Key 'arn:aws:kms:{US}:{HOME}:key/{K1}' does not exist")
    );
    let e = expect_err(sim.encrypt(
        &admin_in(US),
        encrypt_req(&key_arn(K1), Default::default(), &[]),
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert_eq!(e.message, format!("Key '{}' does not exist", key_arn(K1)));
}

#[test]
fn alias_names_are_unique_per_region_and_resolve_in_the_callers_region() {
    let mut sim = lab();
    let us_key = create_key(&mut sim, &admin_in(US));
    // alias/k1 exists in eu-west-1 (the lab); the same name is free in us-east-1.
    sim.create_alias(
        &admin_in(US),
        CreateAliasRequest {
            alias_name: "alias/k1".into(),
            target_key_id: us_key.clone(),
        },
    )
    .expect("same name, other region");
    let e = expect_err(sim.create_alias(
        &admin_in(US),
        CreateAliasRequest {
            alias_name: "alias/k1".into(),
            target_key_id: us_key.clone(),
        },
    ));
    assert_eq!(e.code, ErrorCode::AlreadyExistsException);
    assert_eq!(
        e.message,
        format!("An alias with the name arn:aws:kms:{US}:{HOME}:alias/k1 already exists")
    );
    assert_eq!(
        describe(&mut sim, &admin_in(US), "alias/k1")
            .key_metadata
            .key_id,
        us_key
    );
    assert_eq!(
        describe(&mut sim, &admin(), "alias/k1").key_metadata.key_id,
        K1
    );

    let us_aliases = sim
        .list_aliases(&admin_in(US), ListAliasesRequest::default())
        .unwrap()
        .aliases;
    assert_eq!(us_aliases.len(), 1);
    assert_eq!(
        us_aliases[0].alias_arn,
        format!("arn:aws:kms:{US}:{HOME}:alias/k1")
    );
    assert_eq!(
        us_aliases[0].target_key_id.as_deref(),
        Some(us_key.as_str())
    );
    let eu_names: Vec<String> = sim
        .list_aliases(&admin(), ListAliasesRequest::default())
        .unwrap()
        .aliases
        .into_iter()
        .map(|a| a.alias_name)
        .collect();
    assert_eq!(eu_names, ["alias/k1", "alias/k2"]);

    // Deleting one region's alias leaves the other's.
    sim.delete_alias(
        &admin_in(US),
        DeleteAliasRequest {
            alias_name: "alias/k1".into(),
        },
    )
    .unwrap();
    assert_eq!(
        describe(&mut sim, &admin(), "alias/k1").key_metadata.key_id,
        K1
    );
}

#[test]
fn retirable_grants_are_listed_in_their_keys_region_only() {
    let mut sim = lab();
    let us_key = create_key(&mut sim, &admin_in(US));
    let mut req = grant_req(&us_key, &user_arn("alice"), &["Encrypt"]);
    req.retiring_principal = Some(user_arn("bob"));
    sim.create_grant(&admin_in(US), req)
        .expect("grant in us-east-1");
    let retirable = |sim: &mut Simulator, caller: &Caller| {
        sim.list_retirable_grants(
            caller,
            ListRetirableGrantsRequest {
                retiring_principal: Some(user_arn("bob")),
                ..Default::default()
            },
        )
        .unwrap()
        .grants
        .len()
    };
    assert_eq!(retirable(&mut sim, &admin_in(US)), 1);
    assert_eq!(retirable(&mut sim, &admin()), 0);
    // The grant authorizes in its key's region.
    assert!(sim
        .encrypt(
            &who("alice").in_region(US),
            encrypt_req(&us_key, Default::default(), &[])
        )
        .is_ok());
}

const TWO_REGIONS: &str = r#"
name = "two-regions"
region = "eu-west-1"

[[accounts]]
id = "111122223333"
name = "home"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "alice"

[[keys]]
id = "11111111-1111-4111-8111-111111111111"
aliases = ["alias/app"]

[[keys]]
id = "33333333-3333-4333-8333-333333333333"
region = "us-east-1"
aliases = ["alias/app"]
description = "the US key"

[[grants]]
key = "arn:aws:kms:us-east-1:111122223333:alias/app"
grantee = "alice"
operations = ["Encrypt"]
"#;

#[test]
fn a_scenario_puts_keys_and_their_aliases_in_several_regions() {
    let mut sim = sim_from_toml(TWO_REGIONS);
    let us_key = "33333333-3333-4333-8333-333333333333";
    let us = describe(&mut sim, &admin_in(US), "alias/app").key_metadata;
    assert_eq!(us.key_id, us_key);
    assert_eq!(us.arn, format!("arn:aws:kms:{US}:{HOME}:key/{us_key}"));
    assert_eq!(us.description, "the US key");
    assert_eq!(
        describe(&mut sim, &admin(), "alias/app")
            .key_metadata
            .key_id,
        K1
    );
    assert_eq!(list_keys(&mut sim, &admin()), vec![K1.to_string()]);
    assert_eq!(list_keys(&mut sim, &admin_in(US)), vec![us_key.to_string()]);
    // The grant named the US alias ARN: it is on the US key.
    assert!(sim
        .encrypt(
            &who("alice").in_region(US),
            encrypt_req(us_key, Default::default(), &[])
        )
        .is_ok());
    assert_eq!(sim.world().regions_in_use(), ["eu-west-1", "us-east-1"]);
}

#[test]
fn a_scenario_key_in_a_region_aws_does_not_have_is_refused() {
    let text = TWO_REGIONS.replace("region = \"us-east-1\"", "region = \"xx-nowhere-1\"");
    let e = grantscope::sim::Scenario::parse(&text, "inline.toml", true)
        .unwrap()
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("keys[1].region"), "{e}");
    assert!(e.to_string().contains("xx-nowhere-1"), "{e}");
}

#[test]
fn a_snapshot_from_before_regions_loads_into_the_default_region() {
    let mut sim = lab();
    let g = grant(&mut sim, K1, "alice", &["Encrypt"]).grant_id;
    // A state file written before regions: no field of this feature appears in it (a
    // one-region world writes none), so today's snapshot of the lab is such a file.
    let old = snapshot::to_json(sim.world());
    let text = String::from_utf8(old.clone()).unwrap();
    assert!(!text.contains("multi_region") && !text.contains("\"transition\""));
    let world = snapshot::from_json(&old, "old.json").unwrap();
    let mut loaded = Simulator::new(world);
    assert_eq!(
        describe(&mut loaded, &admin_in(REGION), "alias/k1")
            .key_metadata
            .arn,
        key_arn(K1)
    );
    let e = expect_err(loaded.describe_key(
        &admin_in(US),
        DescribeKeyRequest {
            key_id: K1.into(),
            grant_tokens: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert_eq!(grant_ids(&mut loaded, K1), vec![g]);
    assert!(encrypt(&mut loaded, "alice", K1).is_ok());
    assert_eq!(
        loaded.world().keys[K1].state,
        KeyState::Enabled,
        "slots of single-Region keys are their ids"
    );
}
