//! Login rate limiting: failed logins are counted per username and per client address in a sliding window;
//! past the limit, logins answer 429 with `Retry-After`. Successful logins are never counted.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts of recent failures, per key.
#[derive(Debug)]
pub struct LoginLimiter {
    per_user: u32,
    per_address: u32,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// At most `per_user` failures per username and `per_address` per address within `window`.
    pub fn new(per_user: u32, per_address: u32, window: Duration) -> LoginLimiter {
        LoginLimiter { per_user, per_address, window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Some(seconds to wait)` when either key is over its limit.
    pub fn check(&self, username: &str, address: &str) -> Option<u64> {
        let now = Instant::now();
        let mut failures = self.failures.lock().ok()?;
        let user_wait = Self::wait(&mut failures, &format!("user:{username}"), self.per_user, self.window, now);
        let address_wait = Self::wait(&mut failures, &format!("addr:{address}"), self.per_address, self.window, now);
        user_wait.max(address_wait)
    }

    /// Records one failure for both keys.
    pub fn record_failure(&self, username: &str, address: &str) {
        let now = Instant::now();
        if let Ok(mut failures) = self.failures.lock() {
            if failures.len() > 100_000 {
                let window = self.window;
                failures.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
            }
            for key in [format!("user:{username}"), format!("addr:{address}")] {
                failures.entry(key).or_default().push_back(now);
            }
        }
    }

    fn wait(
        failures: &mut HashMap<String, VecDeque<Instant>>,
        key: &str,
        limit: u32,
        window: Duration,
        now: Instant,
    ) -> Option<u64> {
        let times = failures.get_mut(key)?;
        while times.front().is_some_and(|t| now.duration_since(*t) >= window) {
            times.pop_front();
        }
        if times.len() < limit as usize {
            return None;
        }
        let oldest = *times.front()?;
        let wait = window.saturating_sub(now.duration_since(oldest));
        Some(wait.as_secs() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_limit_are_refused_and_others_are_not() {
        let limiter = LoginLimiter::new(3, 10, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(limiter.check("alice", "1.2.3.4"), None);
            limiter.record_failure("alice", "1.2.3.4");
        }
        assert!(limiter.check("alice", "5.6.7.8").is_some_and(|s| s > 0 && s <= 60));
        assert_eq!(limiter.check("bob", "1.2.3.4"), None);
    }
}
