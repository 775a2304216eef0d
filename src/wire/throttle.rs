//! Request-rate limits for `grantscope serve`, so clients meet ThrottlingException as on
//! AWS: either quotas after AWS's (`--throttle aws`, `aws_quota` below) or one rate for
//! every operation (`--throttle N`, requests per second per operation).
//!
//! Each calling account has its own budget: KMS quotas are "calculated independently for
//! each Region of each AWS account" (KMS Developer Guide, Quotas); one `serve` is one
//! region, so the budget is the account's in that region. (A key used from another
//! account counts, on AWS, against the caller's account too.)

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
    /// Each calling account's limiters, made on its first request.
    accounts: std::sync::Mutex<HashMap<String, Arc<Limiters>>>,
}

/// One account's limiters, by operation (operations of one bucket share a limiter).
type Limiters = HashMap<ApiOperation, Arc<DefaultDirectRateLimiter>>;

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

/// The request quota (per second) for an operation, and the bucket it shares. AWS's
/// default quotas: CreateGrant 50, ListGrants 100, RetireGrant and RevokeGrant 30,
/// DescribeKey 2,000, GetKeyPolicy 1,000, ListKeys, ListAliases and ListRetirableGrants
/// 100 each, symmetric cryptography 5,500 shared; decision: the key-management writes
/// share one bucket of 5, the lowest of AWS's defaults for them, so a client meets
/// throttling early.
fn aws_quota(op: ApiOperation) -> (&'static str, u32) {
    use ApiOperation::*;
    match op {
        CreateGrant => ("CreateGrant", 50),
        ListGrants => ("ListGrants", 100),
        RetireGrant => ("RetireGrant", 30),
        RevokeGrant => ("RevokeGrant", 30),
        Encrypt | Decrypt | ReEncrypt | GenerateDataKey | GenerateDataKeyWithoutPlaintext => {
            ("cryptographic", 5_500)
        }
        DescribeKey => ("DescribeKey", 2_000),
        GetKeyPolicy => ("GetKeyPolicy", 1_000),
        ListKeys => ("ListKeys", 100),
        ListAliases => ("ListAliases", 100),
        ListRetirableGrants => ("ListRetirableGrants", 100),
        _ => ("write", 5),
    }
}

impl Throttle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            accounts: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn limiters(policy: ThrottlePolicy) -> Limiters {
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
        limiters
    }

    /// May a request of `account` for `op` go ahead now?
    pub fn admit(&self, account: &str, op: ApiOperation) -> bool {
        let limiters = {
            // A poisoned map still holds whole entries (inserts cannot half-happen).
            let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
            accounts
                .entry(account.to_string())
                .or_insert_with(|| Arc::new(Self::limiters(self.policy)))
                .clone()
        };
        limiters.get(&op).is_none_or(|l| l.check().is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_above_the_rate_are_refused() {
        let t = Throttle::new(ThrottlePolicy::PerOperation(NonZeroU32::new(5).unwrap()));
        let admitted = (0..20)
            .filter(|_| t.admit("111122223333", ApiOperation::ListGrants))
            .count();
        // The burst of 5, and perhaps a token or two refilled if the thread was paused.
        assert!((5..=7).contains(&admitted), "{admitted}");
        // Each operation has its own budget.
        assert!(t.admit("111122223333", ApiOperation::Encrypt));
        // Each account has its own budget.
        assert!(t.admit("444455556666", ApiOperation::ListGrants));
    }

    #[test]
    fn aws_quotas_share_the_crypto_bucket() {
        let t = Throttle::new(ThrottlePolicy::AwsQuotas);
        let grants = (0..100)
            .filter(|_| t.admit("111122223333", ApiOperation::CreateGrant))
            .count();
        assert!((50..=53).contains(&grants), "{grants}");
    }
}
