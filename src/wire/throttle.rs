//! Request-rate limits for `grantscope serve`, so clients meet ThrottlingException as on
//! AWS: either quotas after AWS's (`--throttle aws`, `aws_quota` below) or one rate for
//! every operation (`--throttle N`, requests per second per operation).

use std::num::NonZeroU32;

use std::collections::HashMap;
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

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
    limiters: HashMap<ApiOperation, Arc<DefaultDirectRateLimiter>>,
    /// CloudTrail's LookupEvents (`cloudtrail.rs`): "limited to two per second, per
    /// account, per Region" under `aws`.
    lookup_events: DefaultDirectRateLimiter,
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

/// The request quota (per second) for an operation, and the bucket it shares. The grant
/// operations and the shared cryptographic bucket have AWS's default quotas (CreateGrant
/// 50, ListGrants 100, RetireGrant and RevokeGrant 30, symmetric cryptography 5,500);
/// decision: the other reads share one bucket of 100 and the key-management writes one
/// of 5, the lowest of AWS's defaults for them, so a client meets throttling early.
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
        ListKeys | ListAliases | DescribeKey | GetKeyPolicy | ListRetirableGrants
        // Issue #15 part B's reads.
        | GetKeyRotationStatus | ListKeyRotations | ListResourceTags | ListKeyPolicies
        | DescribeCustomKeyStores => ("read", 100),
        _ => ("write", 5),
    }
}

impl Throttle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        let mut buckets: HashMap<&'static str, Arc<DefaultDirectRateLimiter>> = HashMap::new();
        let mut limiters = HashMap::new();
        for op in ApiOperation::ALL {
            let (bucket, per_second) = match policy {
                ThrottlePolicy::AwsQuotas => aws_quota(op),
                ThrottlePolicy::PerOperation(n) => (op.as_str(), n.get()),
            };
            let limiter = buckets
                .entry(bucket)
                .or_insert_with(|| {
                    Arc::new(RateLimiter::direct(Quota::per_second(rate(per_second))))
                })
                .clone();
            limiters.insert(op, limiter);
        }
        let lookup_events = RateLimiter::direct(Quota::per_second(match policy {
            ThrottlePolicy::AwsQuotas => rate(LOOKUP_EVENTS_PER_SECOND),
            ThrottlePolicy::PerOperation(n) => n,
        }));
        Self {
            policy,
            limiters,
            lookup_events,
        }
    }

    /// May a CloudTrail LookupEvents request go ahead now?
    pub fn admit_lookup_events(&self) -> bool {
        self.lookup_events.check().is_ok()
    }

    /// May a request for `op` go ahead now?
    pub fn admit(&self, op: ApiOperation) -> bool {
        self.limiters.get(&op).is_none_or(|l| l.check().is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_above_the_rate_are_refused() {
        let t = Throttle::new(ThrottlePolicy::PerOperation(NonZeroU32::new(5).unwrap()));
        let admitted = (0..20)
            .filter(|_| t.admit(ApiOperation::ListGrants))
            .count();
        // The burst of 5, and perhaps a token or two refilled if the thread was paused.
        assert!((5..=7).contains(&admitted), "{admitted}");
        // Each operation has its own budget.
        assert!(t.admit(ApiOperation::Encrypt));
    }

    #[test]
    fn aws_quotas_share_the_crypto_bucket() {
        let t = Throttle::new(ThrottlePolicy::AwsQuotas);
        let grants = (0..100)
            .filter(|_| t.admit(ApiOperation::CreateGrant))
            .count();
        assert!((50..=53).contains(&grants), "{grants}");
    }
}
