//! Sign-in throttling: after N failures for one account within a window, further attempts are
//! refused (429) until the oldest failure leaves the window — even with the right password,
//! so a guesser learns nothing from the answer.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Accounts tracked at most; beyond this the oldest idle entries are dropped.
const MAX_TRACKED: usize = 100_000;

pub struct SignInThrottle {
    limit: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl SignInThrottle {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(seconds to wait)` when `account` is throttled now.
    pub fn check(&self, account: &str) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let q = map.get_mut(account)?;
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() >= self.limit {
            let oldest = q.front().copied().unwrap_or(now);
            let wait = self.window.saturating_sub(now.duration_since(oldest));
            Some(wait.as_secs().max(1))
        } else {
            None
        }
    }

    pub fn record_failure(&self, account: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_TRACKED {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        map.entry(account.to_owned()).or_default().push_back(now);
    }

    pub fn clear(&self, account: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_after_the_limit_and_only_that_account() {
        let t = SignInThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(t.check("a"), None);
            t.record_failure("a");
        }
        assert!(t.check("a").is_some());
        assert_eq!(t.check("b"), None);
    }

    #[test]
    fn failures_age_out_of_the_window() {
        let t = SignInThrottle::new(1, Duration::from_millis(50));
        t.record_failure("a");
        assert!(t.check("a").is_some());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(t.check("a"), None);
    }
}
