//! Every region in one `grantscope serve`, as users reach it: the real AWS CLI with the
//! profiles of `grantscope credentials` (region in the profile, others by `--region`), and
//! the Rust SDK with one client per region against one endpoint. Multi-Region keys
//! replicate and decrypt across regions; the primary region moves.

mod support;

use base64::Engine;
use serde_json::Value;
use support::{sdk_client, AwsCli, Server};

const EU: &str = "eu-west-1";
const US: &str = "us-east-1";

fn ids(listing: &Value) -> Vec<String> {
    let mut v: Vec<String> = listing["Keys"]
        .as_array()
        .expect("Keys")
        .iter()
        .map(|k| k["KeyId"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn one_serve_answers_each_region_with_its_own_keys_for_the_aws_cli() {
    let server = Server::start(&["--scenario", "classroom"]);
    let dir = tempfile::tempdir().unwrap();
    let cli = AwsCli::for_server(&server, dir.path(), &[]);
    let eu_before = ids(&cli.ok("admin", &["kms", "list-keys"]));

    let us = cli.ok("admin", &["kms", "create-key", "--region", US]);
    let us_id = us["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let us_arn = us["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    assert_eq!(us_arn, format!("arn:aws:kms:{US}:111122223333:key/{us_id}"));
    // The profile's region (eu-west-1) and `--region eu-west-1` see the same keys, and
    // none of us-east-1's.
    let eu = cli.ok("admin", &["kms", "create-key"]);
    let eu_id = eu["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    assert!(eu["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:kms:eu-west-1:"));
    let eu_listed = ids(&cli.ok("admin", &["kms", "list-keys", "--region", EU]));
    assert_eq!(eu_listed, ids(&cli.ok("admin", &["kms", "list-keys"])));
    assert!(eu_listed.contains(&eu_id) && !eu_listed.contains(&us_id));
    assert_eq!(eu_listed.len(), eu_before.len() + 1);
    assert_eq!(
        ids(&cli.ok("admin", &["kms", "list-keys", "--region", US])),
        vec![us_id.clone()]
    );

    // A key id of another region is not found, in AWS's words.
    assert_eq!(
        cli.err("admin", &["kms", "describe-key", "--key-id", &us_id]),
        format!("An error occurred (NotFoundException) when calling the DescribeKey operation: Key 'arn:aws:kms:eu-west-1:111122223333:key/{us_id}' does not exist")
    );
    assert_eq!(
        cli.err("admin", &["kms", "describe-key", "--key-id", &us_arn]),
        format!("An error occurred (NotFoundException) when calling the DescribeKey operation: Key '{us_arn}' does not exist")
    );
    // The same alias name in both regions, each on its region's key.
    for (region, id) in [(EU, &eu_id), (US, &us_id)] {
        cli.ok(
            "admin",
            &[
                "kms",
                "create-alias",
                "--alias-name",
                "alias/app",
                "--target-key-id",
                id,
                "--region",
                region,
            ],
        );
    }
    for (region, id) in [(EU, &eu_id), (US, &us_id)] {
        let d = cli.ok(
            "admin",
            &[
                "kms",
                "describe-key",
                "--key-id",
                "alias/app",
                "--region",
                region,
            ],
        );
        assert_eq!(
            d["KeyMetadata"]["KeyId"].as_str(),
            Some(id.as_str()),
            "{region}"
        );
    }
    let us_aliases = cli.ok("admin", &["kms", "list-aliases", "--region", US]);
    assert_eq!(us_aliases["Aliases"].as_array().unwrap().len(), 1);
    assert_eq!(
        us_aliases["Aliases"][0]["AliasArn"],
        format!("arn:aws:kms:{US}:111122223333:alias/app")
    );

    // A region AWS does not have is refused at the signature.
    let e = cli.err("admin", &["kms", "list-keys", "--region", "xx-nowhere-1"]);
    assert!(e.contains("(InvalidSignatureException)"), "{e}");
    assert!(
        e.contains("Credential should be scoped to a valid region."),
        "{e}"
    );
}

#[test]
fn a_multi_region_key_replicates_decrypts_across_regions_and_moves_its_primary_with_the_aws_cli() {
    // Transient states (Creating, Updating) last the propagation delay: none here.
    let server = Server::start(&["--scenario", "classroom", "--propagation-delay", "0s"]);
    let dir = tempfile::tempdir().unwrap();
    let cli = AwsCli::for_server(&server, dir.path(), &[]);

    let created = cli.ok(
        "admin",
        &[
            "kms",
            "create-key",
            "--multi-region",
            "--description",
            "mrk",
        ],
    );
    let id = created["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("mrk-"), "{id}");
    assert_eq!(created["KeyMetadata"]["MultiRegion"], true);
    assert_eq!(
        created["KeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "PRIMARY"
    );

    let replica = cli.ok(
        "admin",
        &[
            "kms",
            "replicate-key",
            "--key-id",
            &id,
            "--replica-region",
            US,
        ],
    );
    let meta = &replica["ReplicaKeyMetadata"];
    assert_eq!(meta["KeyState"], "Creating");
    assert_eq!(
        meta["Arn"],
        format!("arn:aws:kms:{US}:111122223333:key/{id}")
    );
    assert_eq!(
        meta["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "REPLICA"
    );
    assert!(replica["ReplicaPolicy"].as_str().unwrap().contains("kms:*"));
    let again = cli.err(
        "admin",
        &[
            "kms",
            "replicate-key",
            "--key-id",
            &id,
            "--replica-region",
            US,
        ],
    );
    assert!(again.contains("(AlreadyExistsException)"), "{again}");

    // Encrypt in eu-west-1, decrypt with the replica in us-east-1.
    let sealed = cli.ok(
        "admin",
        &[
            "kms",
            "encrypt",
            "--key-id",
            &id,
            "--plaintext",
            "hello regions",
        ],
    );
    let blob = base64::engine::general_purpose::STANDARD
        .decode(sealed["CiphertextBlob"].as_str().unwrap())
        .unwrap();
    let path = dir.path().join("blob");
    std::fs::write(&path, blob).unwrap();
    let file = format!("fileb://{}", path.display());
    let opened = cli.ok(
        "admin",
        &["kms", "decrypt", "--ciphertext-blob", &file, "--region", US],
    );
    // base64 of "hello regions"
    assert_eq!(opened["Plaintext"], "aGVsbG8gcmVnaW9ucw==");
    assert_eq!(
        opened["KeyId"],
        format!("arn:aws:kms:{US}:111122223333:key/{id}")
    );

    cli.ok(
        "admin",
        &[
            "kms",
            "update-primary-region",
            "--key-id",
            &id,
            "--primary-region",
            US,
        ],
    );
    // The next call ends the transient Updating state (no propagation delay).
    let us = cli.ok(
        "admin",
        &["kms", "describe-key", "--key-id", &id, "--region", US],
    );
    assert_eq!(us["KeyMetadata"]["KeyState"], "Enabled");
    assert_eq!(
        us["KeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "PRIMARY"
    );
    let eu = cli.ok("admin", &["kms", "describe-key", "--key-id", &id]);
    let config = &eu["KeyMetadata"]["MultiRegionConfiguration"];
    assert_eq!(config["MultiRegionKeyType"], "REPLICA");
    assert_eq!(config["PrimaryKey"]["Region"], US);
    assert_eq!(config["ReplicaKeys"][0]["Region"], EU);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_reaches_two_regions_through_one_endpoint() {
    use aws_sdk_kms::config::Region;
    let server = Server::start(&["--scenario", "classroom", "--propagation-delay", "0s"]);
    let eu = sdk_client(&server.url);
    let us =
        aws_sdk_kms::Client::from_conf(eu.config().to_builder().region(Region::new(US)).build());
    let in_us = us.create_key().send().await.expect("create in us-east-1");
    let us_id = in_us.key_metadata().unwrap().key_id().to_string();
    let listed = |out: aws_sdk_kms::operation::list_keys::ListKeysOutput| -> Vec<String> {
        out.keys()
            .iter()
            .filter_map(|k| k.key_id().map(str::to_string))
            .collect()
    };
    assert_eq!(
        listed(us.list_keys().send().await.unwrap()),
        vec![us_id.clone()]
    );
    assert!(!listed(eu.list_keys().send().await.unwrap()).contains(&us_id));
    let e = eu.describe_key().key_id(&us_id).send().await.unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("NotFoundException")
    );

    // A multi-Region key through the SDK's own shapes.
    let primary = eu.create_key().multi_region(true).send().await.unwrap();
    let id = primary.key_metadata().unwrap().key_id().to_string();
    let replica = eu
        .replicate_key()
        .key_id(&id)
        .replica_region(US)
        .description("replica")
        .send()
        .await
        .expect("replicated");
    let meta = replica.replica_key_metadata().unwrap();
    assert_eq!(
        meta.key_state(),
        Some(&aws_sdk_kms::types::KeyState::Creating)
    );
    let config = meta.multi_region_configuration().unwrap();
    assert_eq!(
        config.multi_region_key_type(),
        Some(&aws_sdk_kms::types::MultiRegionKeyType::Replica)
    );
    assert_eq!(config.primary_key().unwrap().region(), Some(EU));
    let sealed = us
        .encrypt()
        .key_id(&id)
        .plaintext(aws_sdk_kms::primitives::Blob::new(b"both ways".to_vec()))
        .send()
        .await
        .expect("the replica encrypts once Enabled");
    let opened = eu
        .decrypt()
        .ciphertext_blob(sealed.ciphertext_blob().unwrap().clone())
        .send()
        .await
        .expect("the primary decrypts the replica's ciphertext");
    assert_eq!(opened.plaintext().unwrap().as_ref(), b"both ways");
    us.update_primary_region()
        .key_id(&id)
        .primary_region(EU)
        .send()
        .await
        .expect_err("the replica is not the primary");
    eu.update_primary_region()
        .key_id(&id)
        .primary_region(US)
        .send()
        .await
        .expect("moved");
}
