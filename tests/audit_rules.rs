//! The stale-grant rules: each fires where it should and stays quiet where it must.

use grantscope::audit::{audit, AuditConfig, Rule, Severity};
use grantscope::kms::inventory::{Inventory, InventoryGrant, InventoryKey, UsageSource};
use grantscope::kms::{GrantConstraints, GrantListEntry, GrantOperation, KeyManager, KeyState};

const NOW: f64 = 1_800_000_000.0;
const DAY: f64 = 86_400.0;
const KEY_ARN: &str = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const ADMIN: &str = "arn:aws:iam::111122223333:user/admin";

/// A tidy grant: young, used, constrained, retirable, Encrypt only.
fn grant(id: u32) -> InventoryGrant {
    InventoryGrant {
        entry: GrantListEntry {
            key_id: KEY_ARN.into(),
            grant_id: format!("{id:064x}"),
            name: String::new(),
            creation_date: Some(NOW - 2.0 * DAY),
            grantee_principal: Some(ALICE.into()),
            retiring_principal: Some(ADMIN.into()),
            issuing_account: Some("arn:aws:iam::111122223333:root".into()),
            operations: vec![GrantOperation::Encrypt],
            constraints: Some(GrantConstraints {
                encryption_context_subset: Some([("app".to_string(), format!("a{id}"))].into()),
                encryption_context_equals: None,
                source_arn: None,
            }),
            ..Default::default()
        },
        grantee_name: "alice".into(),
        retiring_name: Some("admin".into()),
        last_used: Some(NOW - DAY),
        evidence: None,
    }
}

fn inventory(grants: Vec<InventoryGrant>) -> Inventory {
    Inventory {
        backend: "test".into(),
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        generated_at: NOW,
        usage: UsageSource::Grants,
        principals: Some(vec![ALICE.into(), ADMIN.into()]),
        keys: vec![InventoryKey {
            key_id: "0a1b2c3d-0000-4000-8000-000000000001".into(),
            arn: KEY_ARN.into(),
            aliases: vec!["alias/app".into()],
            state: KeyState::Enabled,
            manager: KeyManager::Customer,
            description: String::new(),
            creation_date: Some(NOW - 400.0 * DAY),
            grants,
            unreadable: vec![],
        }],
    }
}

fn rules(inv: &Inventory) -> Vec<Rule> {
    audit(inv, &AuditConfig::default())
        .findings
        .iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn a_tidy_grant_has_no_findings() {
    assert_eq!(rules(&inventory(vec![grant(1)])), vec![]);
}

#[test]
fn orphaned_grantee_fires_for_a_unique_id_or_a_missing_principal() {
    let mut g = grant(1);
    g.entry.grantee_principal = Some("AIDASTALEBOB000000001".into());
    assert_eq!(rules(&inventory(vec![g])), vec![Rule::OrphanedGrantee]);

    let mut g = grant(2);
    g.entry.grantee_principal = Some("arn:aws:iam::111122223333:user/gone".into());
    assert_eq!(rules(&inventory(vec![g])), vec![Rule::OrphanedGrantee]);

    let mut g = grant(3);
    g.entry.retiring_principal = Some("AIDASTALEBOB000000001".into());
    let report = audit(&inventory(vec![g]), &AuditConfig::default());
    assert_eq!(report.findings[0].rule, Rule::OrphanedGrantee);
    assert!(report.findings[0].reason().contains("retiring principal"));
}

#[test]
fn a_young_grant_to_a_just_created_principal_is_not_orphaned() {
    let mut g = grant(1);
    g.entry.grantee_principal = Some("AIDANEWUSER0000000001".into());
    g.entry.creation_date = Some(NOW - 60.0);
    assert_eq!(rules(&inventory(vec![g])), vec![]);
}

#[test]
fn unknown_principal_lists_do_not_make_orphans() {
    let mut inv = inventory(vec![{
        let mut g = grant(1);
        g.entry.grantee_principal = Some("arn:aws:iam::111122223333:user/not-listed".into());
        g
    }]);
    inv.principals = None;
    assert_eq!(rules(&inv), vec![]);
}

#[test]
fn key_not_enabled_for_disabled_and_pending_deletion_keys() {
    for state in [KeyState::Disabled, KeyState::PendingDeletion] {
        let mut inv = inventory(vec![grant(1)]);
        inv.keys[0].state = state;
        assert_eq!(rules(&inv), vec![Rule::KeyNotEnabled], "{state}");
    }
}

#[test]
fn old_follows_the_threshold() {
    let mut g = grant(1);
    g.entry.creation_date = Some(NOW - 100.0 * DAY);
    let inv = inventory(vec![g]);
    assert_eq!(rules(&inv), vec![Rule::Old]);
    let cfg = AuditConfig::default()
        .with_flags(Some("120d"), None, &[])
        .unwrap();
    assert!(audit(&inv, &cfg).findings.is_empty());
}

#[test]
fn unused_counts_from_last_use_or_creation_and_words_the_source() {
    let mut g = grant(1);
    g.entry.creation_date = Some(NOW - 50.0 * DAY);
    g.last_used = Some(NOW - 40.0 * DAY);
    let report = audit(&inventory(vec![g.clone()]), &AuditConfig::default());
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].rule, Rule::Unused);
    assert!(report.findings[0]
        .reason()
        .starts_with("This grant has not authorized any call for 40 days"));

    // A grant never used but created 5 days ago is not unused yet.
    let mut young = grant(2);
    young.last_used = None;
    young.entry.creation_date = Some(NOW - 5.0 * DAY);
    assert_eq!(rules(&inventory(vec![young])), vec![]);

    // CloudTrail-style usage speaks of the grantee, never of the grant.
    let mut inv = inventory(vec![g.clone()]);
    inv.usage = UsageSource::Principals;
    let report = audit(&inv, &AuditConfig::default());
    assert!(report.findings[0]
        .reason()
        .starts_with("The grantee has not used this key"));

    // Without usage data the rule is reported unavailable, not guessed.
    let mut inv = inventory(vec![g]);
    inv.usage = UsageSource::None;
    let report = audit(&inv, &AuditConfig::default());
    assert!(report.findings.is_empty());
    assert_eq!(report.summary.unavailable, vec![Rule::Unused]);
}

#[test]
fn cross_account_respects_trusted_accounts() {
    let mut g = grant(1);
    g.entry.grantee_principal = Some("arn:aws:iam::444455556666:role/partner".into());
    let inv = inventory(vec![g]);
    let report = audit(&inv, &AuditConfig::default());
    assert_eq!(report.findings[0].rule, Rule::CrossAccount);
    assert_eq!(report.findings[0].severity, Severity::High);
    let cfg = AuditConfig::default()
        .with_flags(None, None, &["444455556666".to_string()])
        .unwrap();
    assert!(audit(&inv, &cfg).findings.is_empty());
}

#[test]
fn re_delegation_and_plaintext_access_follow_operations() {
    let mut g = grant(1);
    g.entry.operations = vec![GrantOperation::Encrypt, GrantOperation::CreateGrant];
    assert_eq!(rules(&inventory(vec![g])), vec![Rule::ReDelegation]);
    for op in [
        GrantOperation::Decrypt,
        GrantOperation::ReEncryptFrom,
        GrantOperation::GenerateDataKey,
    ] {
        let mut g = grant(2);
        g.entry.operations = vec![op];
        assert_eq!(
            rules(&inventory(vec![g])),
            vec![Rule::PlaintextAccess],
            "{op}"
        );
    }
    let mut g = grant(3);
    g.entry.operations = vec![
        GrantOperation::GenerateDataKeyWithoutPlaintext,
        GrantOperation::ReEncryptTo,
    ];
    assert_eq!(rules(&inventory(vec![g])), vec![]);
}

#[test]
fn unconstrained_only_where_a_context_could_apply() {
    let mut g = grant(1);
    g.entry.constraints = None;
    assert_eq!(rules(&inventory(vec![g])), vec![Rule::Unconstrained]);
    let mut describe_only = grant(2);
    describe_only.entry.constraints = None;
    describe_only.entry.operations = vec![GrantOperation::DescribeKey];
    assert_eq!(rules(&inventory(vec![describe_only])), vec![]);
}

#[test]
fn no_retiring_principal() {
    let mut g = grant(1);
    g.entry.retiring_principal = None;
    assert_eq!(rules(&inventory(vec![g])), vec![Rule::NoRetiringPrincipal]);
}

#[test]
fn duplicates_are_found_regardless_of_order_of_operations_and_context_pairs() {
    let mut a = grant(1);
    a.entry.operations = vec![GrantOperation::Encrypt, GrantOperation::DescribeKey];
    a.entry.constraints = Some(GrantConstraints {
        source_arn: None,
        encryption_context_subset: Some(
            [
                ("app".to_string(), "x".to_string()),
                ("env".to_string(), "prod".to_string()),
            ]
            .into(),
        ),
        encryption_context_equals: None,
    });
    let mut b = a.clone();
    b.entry.grant_id = format!("{:064x}", 2);
    b.entry.operations = vec![GrantOperation::DescribeKey, GrantOperation::Encrypt];
    b.entry.constraints = Some(GrantConstraints {
        source_arn: None,
        encryption_context_subset: Some(
            [
                ("env".to_string(), "prod".to_string()),
                ("app".to_string(), "x".to_string()),
            ]
            .into(),
        ),
        encryption_context_equals: None,
    });
    let report = audit(
        &inventory(vec![a.clone(), b.clone()]),
        &AuditConfig::default(),
    );
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].rule, Rule::Duplicate);
    assert_eq!(
        report.findings[0].grant_id.as_deref(),
        Some(b.entry.grant_id.as_str())
    );
    assert!(report.findings[0].reason().contains(&a.entry.grant_id));

    // A different name or grantee is another grant, not a duplicate.
    let mut named = b.clone();
    named.entry.name = "other".into();
    assert!(
        audit(&inventory(vec![a.clone(), named]), &AuditConfig::default())
            .findings
            .is_empty()
    );
}

#[test]
fn ebs_style_service_grants_are_informational_only() {
    let mut g = grant(1);
    g.entry.grantee_principal = Some(
        "arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-0123456789abcdef0".into(),
    );
    g.entry.retiring_principal = Some("ec2.eu-west-1.amazonaws.com".into());
    g.entry.operations = vec![GrantOperation::Decrypt, GrantOperation::CreateGrant];
    g.entry.constraints = None;
    g.entry.creation_date = Some(NOW - 500.0 * DAY);
    let report = audit(&inventory(vec![g]), &AuditConfig::default());
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].rule, Rule::ServiceGrant);
    assert_eq!(report.findings[0].severity, Severity::Info);
}

#[test]
fn near_quota_is_a_key_level_finding() {
    let grants: Vec<InventoryGrant> = (0..12).map(grant).collect();
    let inv = inventory(grants);
    let mut cfg = AuditConfig {
        near_quota: 10,
        ..AuditConfig::default()
    };
    let report = audit(&inv, &cfg);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].rule, Rule::NearQuota);
    assert_eq!(report.findings[0].grant_id, None);
    cfg.near_quota = 13;
    assert!(audit(&inv, &cfg).findings.is_empty());
}

#[test]
fn findings_come_most_severe_first_with_every_field() {
    let mut a = grant(1);
    a.entry.retiring_principal = None;
    let mut b = grant(2);
    b.entry.operations.push(GrantOperation::CreateGrant);
    let report = audit(&inventory(vec![a, b]), &AuditConfig::default());
    let sev: Vec<Severity> = report.findings.iter().map(|f| f.severity).collect();
    assert_eq!(sev, vec![Severity::High, Severity::Low]);
    let json = serde_json::to_value(&report).unwrap();
    let f = &json["findings"][0];
    for field in [
        "rule", "severity", "key", "grant_id", "grantee", "reason", "action",
    ] {
        assert!(f.get(field).is_some(), "missing {field}");
    }
    assert_eq!(f["rule"], "re-delegation");
    assert_eq!(json["summary"]["findings"], 2);
}

#[test]
fn stale_grants_world_fires_every_rule_exactly_where_it_should() {
    let world = grantscope::sim::Scenario::load("stale-grants")
        .unwrap()
        .build()
        .unwrap();
    let inv = grantscope::sim::inventory::inventory(&world);
    let report = audit(&inv, &AuditConfig::default());
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f.severity,
                f.rule,
                f.grant_id.as_deref().unwrap_or("-"),
                f.reason()
            )
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
    for rule in Rule::ALL {
        assert!(
            report.findings.iter().any(|f| f.rule == rule),
            "{rule} never fires"
        );
    }
}

/// The UI audits a simulated world a chunk of keys at a time (never holding the whole
/// inventory): the result is the same report, index and labels as one whole inventory's.
#[test]
fn an_audit_fed_in_chunks_finds_and_labels_what_a_whole_inventory_does() {
    use grantscope::audit::{audit_indexed, IndexedAuditor};
    use grantscope::sim::inventory::{inventory as whole_inventory, inventory_chunk};
    use grantscope::sim::{Clock, Scenario};
    let world = Scenario::load("stale-grants")
        .and_then(|s| {
            s.build_with_clock(Clock::manual(
                chrono::DateTime::parse_from_rfc3339("2026-03-01T09:30:00Z")
                    .expect("a date")
                    .into(),
            ))
        })
        .expect("the bundled scenario builds");
    let cfg = AuditConfig::default();
    let whole = audit_indexed(&whole_inventory(&world), &cfg);
    assert!(whole.report.findings.len() > 10, "a world with findings");

    let (first, mut next) = inventory_chunk(&world, None, 1);
    assert!(next.is_some(), "more than one chunk");
    assert!(
        first.principals.is_some(),
        "the first chunk names the principals"
    );
    let mut chunks = 1;
    let mut auditor = IndexedAuditor::new(&first, &cfg);
    auditor.add(&first.keys);
    while let Some(after) = next {
        let (chunk, more) = inventory_chunk(&world, Some(&after), 1);
        assert!(chunk.principals.is_none(), "later chunks leave them out");
        auditor.add(&chunk.keys);
        next = more;
        chunks += 1;
    }
    let chunked = auditor.finish();
    assert!(chunks > 2, "{chunks} chunks");
    assert_eq!(chunked.report, whole.report);
    assert_eq!(chunked, whole);
    for i in 0..whole.report.findings.len() {
        assert_eq!(chunked.labels(i), whole.labels(i));
        assert!(whole.labels(i).is_some_and(|l| !l.key.is_empty()));
    }
}
