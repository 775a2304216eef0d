//! AWS KMS's published default request quotas, per account and region, for the calls an
//! inventory makes; the scheduler paces each account-region to them (adjustable with
//! `--rate OPERATION=N` or `[scope.rates]`).
//!
//! AWS's words (KMS Developer Guide, Quotas): "Each quota is calculated independently for
//! each Region of each AWS account", and (Request quotas) "All AWS KMS request quotas are
//! adjustable". The defaults below are the guide's table of request quotas (requests per
//! second): ListGrants, ListKeys, ListAliases and ListRetirableGrants 100, DescribeKey
//! 2,000, GetKeyPolicy 1,000, CreateGrant 50, RetireGrant and RevokeGrant 30.
//! Decision: operations the table does not list here get 5, the lowest default of the
//! key-management writes.

use std::collections::HashMap;
use std::num::NonZeroU32;

use crate::kms::ApiOperation;

/// AWS's default request quota (per second, per account and region) for `op`.
pub fn published_default(op: ApiOperation) -> u32 {
    use ApiOperation::*;
    match op {
        ListGrants | ListKeys | ListAliases | ListRetirableGrants => 100,
        DescribeKey => 2_000,
        GetKeyPolicy => 1_000,
        CreateGrant => 50,
        RetireGrant | RevokeGrant => 30,
        Encrypt | Decrypt | ReEncrypt | GenerateDataKey | GenerateDataKeyWithoutPlaintext => 5_500,
        _ => 5,
    }
}

/// The rate for each operation: the published defaults with `overrides` over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rates(HashMap<ApiOperation, NonZeroU32>);

impl Rates {
    pub fn new(overrides: &[(ApiOperation, u32)]) -> Self {
        let mut map: HashMap<ApiOperation, NonZeroU32> = ApiOperation::ALL
            .iter()
            .map(|op| {
                (
                    *op,
                    NonZeroU32::new(published_default(*op)).unwrap_or(NonZeroU32::MIN),
                )
            })
            .collect();
        for (op, n) in overrides {
            map.insert(*op, NonZeroU32::new(*n).unwrap_or(NonZeroU32::MIN));
        }
        Self(map)
    }

    pub fn of(&self, op: ApiOperation) -> NonZeroU32 {
        self.0.get(&op).copied().unwrap_or(NonZeroU32::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_awss_and_overrides_replace_them() {
        let r = Rates::new(&[(ApiOperation::ListGrants, 10)]);
        assert_eq!(r.of(ApiOperation::ListGrants).get(), 10);
        assert_eq!(r.of(ApiOperation::ListKeys).get(), 100);
        assert_eq!(r.of(ApiOperation::DescribeKey).get(), 2_000);
        assert_eq!(r.of(ApiOperation::RevokeGrant).get(), 30);
    }
}
