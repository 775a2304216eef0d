//! Inventory of 1,000 keys with 20 grants each from `grantscope serve` over loopback: the
//! AWS backend (bounded concurrency) against a baseline that lists the keys and then each
//! key's grants one request at a time, as a shell loop over the AWS CLI would.
//! Run: cargo bench --bench inventory -- --warm-up-time 1 --measurement-time 20

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use grantscope::backend::aws::{AwsConnection, AwsOptions};
use grantscope::sim::{Scenario, SharedSimulator, Simulator};

const KEYS: usize = 1000;
const GRANTS_PER_KEY: usize = 20;

fn world_toml() -> String {
    let mut t = String::from(
        "name = \"bench\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n\
         [[principals]]\nname = \"admin\"\naccess_key_id = \"AKIABENCHADMIN000001\"\nsecret_access_key = \"bench-secret\"\n\
         managed_policies = [\"AdministratorAccess\"]\n[[principals]]\nname = \"app\"\nkind = \"role\"\n",
    );
    for i in 0..KEYS {
        t.push_str(&format!("[[keys]]\naliases = [\"alias/k{i:04}\"]\n"));
    }
    for i in 0..KEYS {
        t.push_str(&format!(
            "[[grants]]\nkey = \"alias/k{i:04}\"\ngrantee = \"app\"\noperations = [\"Encrypt\"]\nname = \"g{{n}}\"\ncount = {GRANTS_PER_KEY}\n"
        ));
    }
    t
}

/// One request at a time: ListKeys pages, then every key's ListGrants pages.
async fn baseline(kms: &aws_sdk_kms::Client) -> usize {
    let mut grants = 0;
    let mut keys = Vec::new();
    let mut marker = None;
    loop {
        let out = kms
            .list_keys()
            .set_marker(marker)
            .send()
            .await
            .expect("list keys");
        keys.extend(
            out.keys()
                .iter()
                .filter_map(|k| k.key_id().map(str::to_string)),
        );
        if !out.truncated() {
            break;
        }
        marker = out.next_marker().map(str::to_string);
    }
    for key in keys {
        let mut marker = None;
        loop {
            let out = kms
                .list_grants()
                .key_id(&key)
                .set_marker(marker)
                .send()
                .await
                .expect("list grants");
            grants += out.grants().len();
            if !out.truncated() {
                break;
            }
            marker = out.next_marker().map(str::to_string);
        }
    }
    grants
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let world = Scenario::parse(&world_toml(), "bench.toml", true)
        .unwrap()
        .build()
        .unwrap();
    let sim = SharedSimulator::new(Simulator::new(world));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(grantscope::wire::serve(
        listener,
        sim,
        None,
        std::future::pending(),
    ));

    // The default credential chain reads these, as it would on a real machine.
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIABENCHADMIN000001");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench-secret");
    std::env::set_var("AWS_CONFIG_FILE", "/dev/null");
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    let conn = rt
        .block_on(AwsConnection::connect(AwsOptions {
            profile: None,
            region: Some("eu-west-1".into()),
            endpoint_url: Some(url),
        }))
        .unwrap();

    let mut group = c.benchmark_group("inventory_1000_keys_x_20_grants");
    group.sample_size(10);
    group.bench_function("aws_backend_concurrent", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let inv = rt.block_on(conn.inventory(&|_, _| {})).unwrap();
                assert_eq!(inv.keys.len(), KEYS);
            }
            start.elapsed()
        })
    });
    group.bench_function("baseline_one_request_at_a_time", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                assert_eq!(rt.block_on(baseline(&conn.kms)), KEYS * GRANTS_PER_KEY);
            }
            start.elapsed()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
