//! Property tests: random sequences of grant operations (create, retire, revoke, encrypt,
//! decrypt, clock moves) by random principals, checked step by step against a small model
//! of AWS's rules:
//! - ListGrants (over all pages, any page size) lists exactly the model's live grants,
//!   and ListRetirableGrants exactly those each principal may retire;
//! - Encrypt/Decrypt are allowed exactly when a live grant of the caller fits the
//!   operation and the context, and has propagated or its token was presented; while a
//!   change is still propagating either answer is acceptable, but a settled grant always
//!   authorizes;
//! - retiring and revoking are allowed exactly for whom AWS allows them;
//! - nothing panics, and no call fails with anything but the expected error.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::{EncryptionContext, ErrorCode, GrantConstraints, GrantOperation, KmsResult};
use grantscope::sim::{Caller, Simulator};
use proptest::prelude::*;
use proptest::sample::Index;

const KEYS: [&str; 2] = [K1, K2];
const USERS: [&str; 3] = ["alice", "bob", "carol"];
/// Who may be a retiring principal.
const RETIRERS: [&str; 4] = ["alice", "bob", "carol", "admin"];
/// Who calls RetireGrant and RevokeGrant: the three users, the admin, the account root.
const CALLERS: usize = 5;
const ENCRYPT: u8 = 1;
const DECRYPT: u8 = 2;
const RETIRE: u8 = 4;

fn caller(i: usize) -> Caller {
    match i {
        0..=2 => who(USERS[i]),
        3 => admin(),
        _ => Caller::new(root_arn(HOME)),
    }
}

fn context(i: usize) -> EncryptionContext {
    match i {
        0 => ctx(&[]),
        1 => ctx(&[("dept", "it")]),
        _ => ctx(&[("dept", "it"), ("x", "y")]),
    }
}

fn constraints(i: u8) -> Option<GrantConstraints> {
    let it = || Some(ctx(&[("dept", "it")]));
    match i {
        0 => None,
        1 => Some(GrantConstraints {
            source_arn: None,
            encryption_context_subset: it(),
            encryption_context_equals: None,
        }),
        _ => Some(GrantConstraints {
            source_arn: None,
            encryption_context_subset: None,
            encryption_context_equals: it(),
        }),
    }
}

fn op_names(ops: u8) -> Vec<&'static str> {
    [
        (ENCRYPT, "Encrypt"),
        (DECRYPT, "Decrypt"),
        (RETIRE, "RetireGrant"),
    ]
    .into_iter()
    .filter(|(bit, _)| ops & bit != 0)
    .map(|(_, name)| name)
    .collect()
}

#[derive(Debug, Clone)]
enum Step {
    Create {
        key: usize,
        grantee: usize,
        ops: u8,
        constraint: u8,
        retiring: Option<usize>,
        named: bool,
    },
    Retire {
        pick: Index,
        by: usize,
        by_token: bool,
    },
    Revoke {
        pick: Index,
        by: usize,
    },
    Encrypt {
        user: usize,
        key: usize,
        ctx: usize,
        token: Option<Index>,
    },
    Decrypt {
        user: usize,
        key: usize,
        ctx: usize,
    },
    Advance {
        secs: u64,
    },
    /// Let every change propagate, then check every caller, key, context and operation.
    Settle,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..2usize, 0..3usize, 1..8u8, 0..3u8, proptest::option::of(0..4usize), any::<bool>())
            .prop_map(|(key, grantee, ops, constraint, retiring, named)| Step::Create {
                key, grantee, ops, constraint, retiring, named
            }),
        2 => (any::<Index>(), 0..CALLERS, any::<bool>())
            .prop_map(|(pick, by, by_token)| Step::Retire { pick, by, by_token }),
        2 => (any::<Index>(), 0..CALLERS).prop_map(|(pick, by)| Step::Revoke { pick, by }),
        4 => (0..3usize, 0..2usize, 0..3usize, proptest::option::of(any::<Index>()))
            .prop_map(|(user, key, ctx, token)| Step::Encrypt { user, key, ctx, token }),
        2 => (0..3usize, 0..2usize, 0..3usize)
            .prop_map(|(user, key, ctx)| Step::Decrypt { user, key, ctx }),
        2 => (0..8u64).prop_map(|secs| Step::Advance { secs }),
        1 => Just(Step::Settle),
    ]
}

#[derive(Debug, Clone)]
struct ModelGrant {
    id: String,
    token: String,
    key: usize,
    grantee: usize,
    ops: u8,
    constraint: u8,
    retiring: Option<usize>,
    name: Option<&'static str>,
    created: u64,
    /// When it was retired or revoked.
    removed: Option<u64>,
}

impl ModelGrant {
    fn fits(&self, user: usize, key: usize, op: u8, ctx: &EncryptionContext) -> bool {
        self.key == key
            && self.grantee == user
            && self.ops & op != 0
            && constraints(self.constraint).is_none_or(|c| c.allows(ctx))
    }
}

struct Model {
    delay: u64,
    now: u64,
    grants: Vec<ModelGrant>,
    /// Admin's ciphertexts of "hello" per (key, context).
    blobs: Vec<Vec<Vec<u8>>>,
}

impl Model {
    fn live(&self) -> impl Iterator<Item = &ModelGrant> {
        self.grants.iter().filter(|g| g.removed.is_none())
    }

    /// (must be allowed, may be allowed): exact unless a fitting grant is propagating.
    fn expect(
        &self,
        user: usize,
        key: usize,
        op: u8,
        ctx: &EncryptionContext,
        token: Option<&str>,
    ) -> (bool, bool) {
        let mut settled = false;
        let mut flux = false;
        for g in self.grants.iter().filter(|g| g.fits(user, key, op, ctx)) {
            match g.removed {
                None if g.created + self.delay <= self.now || token == Some(g.token.as_str()) => {
                    settled = true
                }
                None => flux = true,
                Some(at) if self.now < at + self.delay => flux = true,
                Some(_) => {}
            }
        }
        (settled, settled || flux)
    }
}

fn check_outcome<T>(what: &str, r: KmsResult<T>, (must, may): (bool, bool)) {
    match r {
        Ok(_) => assert!(may, "{what}: allowed, but no grant allows it"),
        Err(e) => {
            assert_eq!(e.code, ErrorCode::AccessDeniedException, "{what}: {e}");
            assert!(!must, "{what}: denied, but a settled grant allows it");
        }
    }
}

fn check_listings(sim: &mut Simulator, model: &Model, limit: i64) {
    for (k, key) in KEYS.iter().enumerate() {
        let listed = all_grants(sim, key, Some(limit));
        let got: Vec<&str> = listed.iter().map(|g| g.grant_id.as_str()).collect();
        let want: Vec<&str> = model
            .live()
            .filter(|g| g.key == k)
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(got, want, "ListGrants of key {k} (in creation order)");
        for (entry, g) in listed.iter().zip(model.live().filter(|g| g.key == k)) {
            assert_eq!(entry.grantee(), user_arn(USERS[g.grantee]));
            assert_eq!(
                entry.retiring_principal,
                g.retiring.map(|r| user_arn(RETIRERS[r]))
            );
            let ops: BTreeSet<GrantOperation> = entry.operations.iter().copied().collect();
            let want_ops: BTreeSet<GrantOperation> =
                op_names(g.ops).iter().map(|o| o.parse().unwrap()).collect();
            assert_eq!(ops, want_ops);
            assert_eq!(entry.constraints, constraints(g.constraint));
            assert_eq!(entry.name, g.name.unwrap_or(""));
        }
        assert_eq!(sim.world().listed_grant_count(key), want.len());
    }
}

fn check_retirable(sim: &mut Simulator, model: &Model) {
    for (r, name) in RETIRERS.iter().enumerate() {
        let mut got = BTreeSet::new();
        let mut marker = None;
        loop {
            let page = sim
                .list_retirable_grants(
                    &admin(),
                    ListRetirableGrantsRequest {
                        retiring_principal: Some(user_arn(name)),
                        limit: Some(3),
                        marker: marker.take(),
                        ..Default::default()
                    },
                )
                .expect("the admin lists retirable grants");
            for g in page.grants {
                assert!(got.insert(g.grant_id), "no duplicates");
            }
            match page.next_marker {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        let want: BTreeSet<String> = model
            .live()
            .filter(|g| g.retiring == Some(r))
            .map(|g| g.id.clone())
            .collect();
        assert_eq!(got, want, "ListRetirableGrants of {name}");
    }
}

fn run(delay: u64, steps: Vec<Step>, limit: i64) {
    let mut sim = lab_with_delay(Duration::from_secs(delay));
    let blobs = KEYS
        .iter()
        .map(|k| {
            (0..3)
                .map(|c| admin_ciphertext(&mut sim, k, context(c)))
                .collect()
        })
        .collect();
    let mut model = Model {
        delay,
        now: 0,
        grants: Vec::new(),
        blobs,
    };
    for step in steps {
        match step {
            Step::Create {
                key,
                grantee,
                ops,
                constraint,
                retiring,
                named,
            } => {
                let name = named.then_some("app");
                let mut req = grant_req(KEYS[key], &user_arn(USERS[grantee]), &op_names(ops));
                req.constraints = constraints(constraint);
                req.retiring_principal = retiring.map(|r| user_arn(RETIRERS[r]));
                req.name = name.map(String::from);
                let out = sim
                    .create_grant(&admin(), req)
                    .expect("the admin's CreateGrant");
                let same = model.live().find(|g| {
                    name.is_some()
                        && g.name == name
                        && g.key == key
                        && g.grantee == grantee
                        && g.ops == ops
                        && g.constraint == constraint
                        && g.retiring == retiring
                });
                match same {
                    Some(g) => assert_eq!(out.grant_id, g.id, "an identical named repeat"),
                    None => {
                        assert!(
                            model.grants.iter().all(|g| g.id != out.grant_id),
                            "a new id"
                        );
                        model.grants.push(ModelGrant {
                            id: out.grant_id,
                            token: out.grant_token,
                            key,
                            grantee,
                            ops,
                            constraint,
                            retiring,
                            name,
                            created: model.now,
                            removed: None,
                        });
                    }
                }
            }
            Step::Retire { pick, by, by_token } => {
                if model.grants.is_empty() {
                    continue;
                }
                let i = pick.index(model.grants.len());
                let g = model.grants[i].clone();
                let req = if by_token {
                    RetireGrantRequest {
                        grant_token: Some(g.token.clone()),
                        ..Default::default()
                    }
                } else {
                    RetireGrantRequest {
                        key_id: Some(KEYS[g.key].into()),
                        grant_id: Some(g.id.clone()),
                        ..Default::default()
                    }
                };
                let r = sim.retire_grant(&caller(by), req);
                // The root issued every grant; the admin's AdministratorAccess is the key
                // account's delegation of kms:RetireGrant (Developer Guide).
                let may = by == 4
                    || by == 3
                    || g.retiring == Some(by)
                    || (by < 3 && by == g.grantee && g.ops & RETIRE != 0);
                match (g.removed, r) {
                    (Some(_), Err(e)) => assert_eq!(e.code, ErrorCode::NotFoundException, "{e}"),
                    (None, Ok(_)) if may => model.grants[i].removed = Some(model.now),
                    (None, Err(e)) if !may => {
                        assert_eq!(e.code, ErrorCode::AccessDeniedException, "{e}")
                    }
                    (removed, r) => panic!("retire of {g:?} by {by} (removed {removed:?}): {r:?}"),
                }
            }
            Step::Revoke { pick, by } => {
                if model.grants.is_empty() {
                    continue;
                }
                let i = pick.index(model.grants.len());
                let g = model.grants[i].clone();
                let r = sim.revoke_grant(
                    &caller(by),
                    RevokeGrantRequest {
                        key_id: KEYS[g.key].into(),
                        grant_id: g.id.clone(),
                        dry_run: None,
                    },
                );
                // Only the admin (IAM) and the root (key policy) hold kms:RevokeGrant.
                match (by >= 3, g.removed, r) {
                    (false, _, Err(e)) => assert_eq!(e.code, ErrorCode::AccessDeniedException),
                    (true, None, Ok(_)) => model.grants[i].removed = Some(model.now),
                    (true, Some(_), Err(e)) => assert_eq!(e.code, ErrorCode::NotFoundException),
                    (_, removed, r) => {
                        panic!("revoke of {g:?} by {by} (removed {removed:?}): {r:?}")
                    }
                }
            }
            Step::Encrypt {
                user,
                key,
                ctx,
                token,
            } => {
                let token = token
                    .filter(|_| !model.grants.is_empty())
                    .map(|t| model.grants[t.index(model.grants.len())].token.clone());
                let tokens: Vec<&str> = token.iter().map(String::as_str).collect();
                let c = context(ctx);
                let r = sim.encrypt(
                    &who(USERS[user]),
                    encrypt_req(KEYS[key], c.clone(), &tokens),
                );
                let expected = model.expect(user, key, ENCRYPT, &c, token.as_deref());
                check_outcome(
                    &format!(
                        "Encrypt by {user} on {key} ctx {ctx} token {}",
                        token.is_some()
                    ),
                    r,
                    expected,
                );
            }
            Step::Decrypt { user, key, ctx } => {
                let c = context(ctx);
                let r = sim.decrypt(
                    &who(USERS[user]),
                    decrypt_req(&model.blobs[key][ctx], c.clone()),
                );
                if let Ok(out) = &r {
                    assert_eq!(out.plaintext, b"hello");
                }
                let expected = model.expect(user, key, DECRYPT, &c, None);
                check_outcome(
                    &format!("Decrypt by {user} on {key} ctx {ctx}"),
                    r,
                    expected,
                );
            }
            Step::Advance { secs } => {
                sim.advance_clock(Duration::from_secs(secs));
                model.now += secs;
            }
            Step::Settle => {
                sim.advance_clock(Duration::from_secs(delay));
                model.now += delay;
                for (user, name) in USERS.iter().enumerate() {
                    for (key, key_id) in KEYS.iter().enumerate() {
                        for ctx in 0..3 {
                            let c = context(ctx);
                            let (must, may) = model.expect(user, key, ENCRYPT, &c, None);
                            assert_eq!(must, may, "nothing is propagating after a settle");
                            let r = sim.encrypt(&who(name), encrypt_req(key_id, c.clone(), &[]));
                            check_outcome("settled Encrypt", r, (must, may));
                            let expected = model.expect(user, key, DECRYPT, &c, None);
                            let r = sim.decrypt(&who(name), decrypt_req(&model.blobs[key][ctx], c));
                            check_outcome("settled Decrypt", r, expected);
                        }
                    }
                }
                check_retirable(&mut sim, &model);
                // Removed grants are purged once their removal has propagated.
                let pending = model
                    .grants
                    .iter()
                    .filter(|g| g.removed.is_some_and(|at| model.now < at + delay))
                    .count();
                assert_eq!(sim.world().grants.len(), model.live().count() + pending);
            }
        }
        check_listings(&mut sim, &model, limit);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_grant_operations_keep_the_invariants(
        delay in prop_oneof![Just(0u64), Just(5u64)],
        steps in proptest::collection::vec(step(), 1..40),
        limit in 1..6i64,
    ) {
        run(delay, steps, limit);
    }
}
