//! Request-rate limits for `grantscope serve`, so clients meet ThrottlingException as on
//! AWS: either quotas after AWS's (`--throttle aws`, `aws_quota` below) or one rate for
//! every operation (`--throttle N`, requests per second per operation).
//!
//! Each calling account has its own budget in each region: KMS quotas are "calculated
//! independently for each Region of each AWS account" (KMS Developer Guide, Quotas), and
//! CloudTrail's LookupEvents is "limited to two per second, per account, per Region". The
//! region is the request's signing scope (one `serve` answers every region). (A key used
//! from another account counts, on AWS, against the caller's account too.)

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;

use crate::pace::Limiter;

use crate::kms::ApiOperation;

/// How requests are limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottlePolicy {
    /// Quotas after AWS's request quotas, as `aws_quota` lists them (the grant
    /// operations' own, one shared bucket for symmetric cryptography, reads and writes).
    AwsQuotas,
    /// The same rate for every operation.
    PerOperation(NonZeroU32),
}

pub struct Throttle {
    policy: ThrottlePolicy,
    /// Each (calling account, region)'s limiters, made on its first request.
    scopes: std::sync::Mutex<HashMap<(String, String), Arc<Limiters>>>,
}

/// One account's limiters in one region.
struct Limiters {
    /// By operation (operations of one bucket share a limiter).
    kms: HashMap<ApiOperation, Arc<Limiter>>,
    /// CloudTrail's LookupEvents (`cloudtrail.rs`).
    lookup_events: Limiter,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("policy", &self.policy)
            .finish()
    }
}

fn rate(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// CloudTrail's LookupEvents quota per second: "The rate of lookup requests is limited to
/// two per second, per account, per Region."
pub const LOOKUP_EVENTS_PER_SECOND: u32 = 2;

/// The request quota (per second) for an operation, and the bucket it shares. AWS's
/// default quotas: CreateGrant 50, ListGrants 100, RetireGrant and RevokeGrant 30,
/// DescribeKey 2,000, GetKeyPolicy 1,000, ListKeys, ListAliases and ListRetirableGrants
/// 100 each, symmetric cryptography 5,500 shared; decision: the other reads share one
/// bucket of 100 and the key-management writes one of 5, the lowest of AWS's defaults for
/// them, so a client meets throttling early.
fn aws_quota(op: ApiOperation) -> (&'static str, u32) {
    use ApiOperation::*;
    match op {
        CreateGrant => ("CreateGrant", 50),
        ListGrants => ("ListGrants", 100),
        RetireGrant => ("RetireGrant", 30),
        RevokeGrant => ("RevokeGrant", 30),
        // The symmetric quota "Applies to: Decrypt, Encrypt, GenerateDataKey,
        // GenerateDataKeyWithoutPlaintext, GenerateMac, GenerateRandom, ReEncrypt,
        // VerifyMac" (Developer Guide, request quotas).
        Encrypt
        | Decrypt
        | ReEncrypt
        | GenerateDataKey
        | GenerateDataKeyWithoutPlaintext
        | GenerateMac
        | VerifyMac
        | GenerateRandom => ("cryptographic", 5_500),
        // Asymmetric keys: "1,000 (shared) for RSA KMS keys", "1,000 (shared) for elliptic
        // curve (ECC) ... KMS keys"; decision: one shared bucket for both, and GetPublicKey
        // in it. GenerateDataKeyPair's per-spec quotas (as low as one call in 10 s for
        // RSA_4096) are not modeled: decision, 25 per second for every pair spec.
        Sign | Verify | DeriveSharedSecret | GetPublicKey => ("asymmetric", 1_000),
        GenerateDataKeyPair | GenerateDataKeyPairWithoutPlaintext => ("GenerateDataKeyPair", 25),
        DescribeKey => ("DescribeKey", 2_000),
        GetKeyPolicy => ("GetKeyPolicy", 1_000),
        ListKeys => ("ListKeys", 100),
        ListAliases => ("ListAliases", 100),
        ListRetirableGrants => ("ListRetirableGrants", 100),
        GetKeyRotationStatus
        | ListKeyRotations
        | ListResourceTags
        | ListKeyPolicies
        | DescribeCustomKeyStores => ("read", 100),
        _ => ("write", 5),
    }
}

impl Throttle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            scopes: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn limiters(policy: ThrottlePolicy) -> Limiters {
        let mut buckets: HashMap<&'static str, Arc<Limiter>> = HashMap::new();
        let mut kms = HashMap::new();
        for op in ApiOperation::ALL {
            let (bucket, per_second) = match policy {
                ThrottlePolicy::AwsQuotas => aws_quota(op),
                ThrottlePolicy::PerOperation(n) => (op.as_str(), n.get()),
            };
            let limiter = buckets
                .entry(bucket)
                .or_insert_with(|| Arc::new(crate::pace::per_second(rate(per_second))))
                .clone();
            kms.insert(op, limiter);
        }
        let lookup_events = crate::pace::per_second(match policy {
            ThrottlePolicy::AwsQuotas => rate(LOOKUP_EVENTS_PER_SECOND),
            ThrottlePolicy::PerOperation(n) => n,
        });
        Limiters { kms, lookup_events }
    }

    fn of(&self, account: &str, region: &str) -> Arc<Limiters> {
        // A poisoned map still holds whole entries (inserts cannot half-happen).
        let mut scopes = self.scopes.lock().unwrap_or_else(|e| e.into_inner());
        scopes
            .entry((account.to_string(), region.to_string()))
            .or_insert_with(|| Arc::new(Self::limiters(self.policy)))
            .clone()
    }

    /// May a request of `account` in `region` for `op` go ahead now?
    pub fn admit(&self, account: &str, region: &str, op: ApiOperation) -> bool {
        self.of(account, region)
            .kms
            .get(&op)
            .is_none_or(|l| l.check().is_ok())
    }

    /// May a CloudTrail LookupEvents request of `account` in `region` go ahead now?
    pub fn admit_lookup_events(&self, account: &str, region: &str) -> bool {
        self.of(account, region).lookup_events.check().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "111122223333";
    const R: &str = "us-east-1";

    #[test]
    fn requests_above_the_rate_are_refused() {
        let t = Throttle::new(ThrottlePolicy::PerOperation(NonZeroU32::new(5).unwrap()));
        let admitted = (0..20)
            .filter(|_| t.admit(A, R, ApiOperation::ListGrants))
            .count();
        // The burst of 5, and perhaps a token or two refilled if the thread was paused.
        assert!((5..=7).contains(&admitted), "{admitted}");
        // Each operation has its own budget.
        assert!(t.admit(A, R, ApiOperation::Encrypt));
        // Each account has its own budget, and each region of an account.
        assert!(t.admit("444455556666", R, ApiOperation::ListGrants));
        assert!(t.admit(A, "eu-west-1", ApiOperation::ListGrants));
    }

    #[test]
    fn aws_quotas_share_the_crypto_bucket() {
        let t = Throttle::new(ThrottlePolicy::AwsQuotas);
        let grants = (0..100)
            .filter(|_| t.admit(A, R, ApiOperation::CreateGrant))
            .count();
        assert!((50..=53).contains(&grants), "{grants}");
        let encrypts = (0..100)
            .filter(|_| t.admit(A, R, ApiOperation::Encrypt))
            .count();
        let macs = (0..6_000)
            .filter(|_| t.admit(A, R, ApiOperation::GenerateMac))
            .count();
        assert_eq!(encrypts, 100);
        assert!((5_400..=5_450).contains(&macs), "{macs}");
    }

    #[test]
    fn lookup_events_are_two_per_second_per_account_and_region() {
        let t = Throttle::new(ThrottlePolicy::AwsQuotas);
        let n = (0..10).filter(|_| t.admit_lookup_events(A, R)).count();
        assert!((2..=3).contains(&n), "{n}");
        assert!(t.admit_lookup_events(A, "eu-west-1"));
    }
}
