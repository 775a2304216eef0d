//! The full stale-grant audit of 20 keys x 50,000 grants (one million grants).
//! Run: cargo bench --bench audit -- --warm-up-time 1 --measurement-time 10

use criterion::{criterion_group, criterion_main, Criterion};

// The allocator the grantscope binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use grantscope::audit::{audit, AuditConfig};
use grantscope::kms::inventory::{Inventory, InventoryGrant, InventoryKey, UsageSource};
use grantscope::kms::{GrantConstraints, GrantListEntry, GrantOperation, KeyManager, KeyState};

const KEYS: usize = 20;
const GRANTS: usize = 50_000;
const NOW: f64 = 1_800_000_000.0;

fn inventory() -> Inventory {
    let keys = (0..KEYS)
        .map(|k| {
            let arn =
                format!("arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-{k:012}");
            let grants = (0..GRANTS)
                .map(|g| {
                    // A mix that makes most rules work: every 7th unconstrained, every 11th
                    // old, every 13th cross-account, every 17th a duplicate of its neighbour.
                    let tenant = if g % 17 == 0 { g + 1 } else { g };
                    InventoryGrant {
                        entry: GrantListEntry {
                            key_id: arn.clone(),
                            grant_id: format!("{:064x}", k * GRANTS + g),
                            name: String::new(),
                            creation_date: Some(
                                NOW - if g % 11 == 0 { 200.0 } else { 3.0 } * 86_400.0,
                            ),
                            grantee_principal: Some(if g % 13 == 0 {
                                "arn:aws:iam::444455556666:role/partner".into()
                            } else {
                                format!("arn:aws:iam::111122223333:role/app-{}", g % 50)
                            }),
                            retiring_principal: Some("arn:aws:iam::111122223333:user/admin".into()),
                            issuing_account: Some("arn:aws:iam::111122223333:root".into()),
                            operations: vec![GrantOperation::Encrypt, GrantOperation::Decrypt],
                            constraints: (g % 7 != 0).then(|| GrantConstraints {
                                encryption_context_subset: Some(
                                    [("tenant".to_string(), format!("t-{tenant}"))].into(),
                                ),
                                encryption_context_equals: None,
                                source_arn: None,
                            }),
                            ..Default::default()
                        },
                        grantee_name: format!("app-{}", g % 50),
                        retiring_name: Some("admin".into()),
                        last_used: Some(NOW - 86_400.0),
                        evidence: None,
                    }
                })
                .collect();
            InventoryKey {
                key_id: format!("00000000-0000-4000-8000-{k:012}"),
                arn,
                aliases: vec![format!("alias/k{k}")],
                state: if k == 0 {
                    KeyState::Disabled
                } else {
                    KeyState::Enabled
                },
                manager: KeyManager::Customer,
                description: String::new(),
                creation_date: Some(NOW - 400.0 * 86_400.0),
                grants,
                unreadable: vec![],
            }
        })
        .collect();
    Inventory {
        backend: "bench".into(),
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        generated_at: NOW,
        usage: UsageSource::Grants,
        principals: None,
        keys,
    }
}

fn bench(c: &mut Criterion) {
    let inv = inventory();
    let cfg = AuditConfig::default();
    let mut group = c.benchmark_group("audit");
    group.sample_size(10);
    group.bench_function("20 keys x 50,000 grants", |b| {
        b.iter(|| {
            let report = audit(&inv, &cfg);
            assert!(report.summary.findings > 0);
            report
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
