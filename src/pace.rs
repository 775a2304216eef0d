//! Rate limiters (governor) on the standard library's monotonic clock.
//!
//! Decision: governor's default clock is quanta's, which is unfit for a short-lived
//! command on a virtual machine. Making each quanta clock asks the CPU (CPUID, a trap to
//! the hypervisor) whether its time-stamp counter can be used, and the first one made in
//! a process calibrates that counter against the OS clock by spinning for up to 200 ms.
//! Profiled on a 2-core VM, an organization-wide read (53 limiters per account-region,
//! one per KMS operation) spent 7% of its CPU making clocks, and its first scope stalled
//! every other for the 200 ms of calibration. `std::time::Instant` costs neither, and a
//! limiter reads the clock once per request, where nanoseconds do not matter.

use std::num::NonZeroU32;

use governor::clock::MonotonicClock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// A direct (not keyed) rate limiter on `Instant`.
pub type Limiter =
    RateLimiter<NotKeyed, InMemoryState, MonotonicClock, NoOpMiddleware<std::time::Instant>>;

/// A limiter letting `quota` through.
pub fn limiter(quota: Quota) -> Limiter {
    RateLimiter::direct_with_clock(quota, MonotonicClock)
}

/// A limiter letting `per_second` requests a second through (bursts of as many).
pub fn per_second(per_second: NonZeroU32) -> Limiter {
    limiter(Quota::per_second(per_second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_limiter_holds_its_rate_and_waits_for_its_bucket() {
        let a = per_second(NonZeroU32::new(20).expect("non-zero"));
        let b = per_second(NonZeroU32::new(20).expect("non-zero"));
        // A burst of 20, then the bucket is empty; another limiter has its own.
        for _ in 0..20 {
            assert!(a.check().is_ok());
        }
        assert!(a.check().is_err());
        assert!(b.check().is_ok());
        // The next request waits for the bucket to refill: 1/20 s.
        let started = std::time::Instant::now();
        a.until_ready().await;
        let waited = started.elapsed();
        assert!(waited >= std::time::Duration::from_millis(30), "{waited:?}");
    }
}
