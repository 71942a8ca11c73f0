//! Rate limits: a sliding window per key (`login-ip:203.0.113.5`, `login-account:a@b.org`,
//! `register-ip:…`, `post-user:17`, …), kept in memory.
//!
//! In memory means: per process, and forgotten on restart. That is enough for one server (the
//! deployment this program targets); several instances behind a balancer would each count
//! separately, so the effective limit multiplies by the number of instances.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` events per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Events allowed in the window.
    pub max: u32,
    /// The window.
    pub window: Duration,
}

impl Limit {
    /// Failed sign-ins per client address: 10 a minute.
    pub const LOGIN_IP: Limit = Limit::per_minute(10);
    /// Failed sign-ins per account: 20 in 15 minutes (slows guessing one account from many
    /// addresses, without letting a stranger lock the owner out for long).
    pub const LOGIN_ACCOUNT: Limit = Limit::minutes(20, 15);
    /// Registrations per client address: 5 an hour.
    pub const REGISTER_IP: Limit = Limit::minutes(5, 60);
    /// Password-reset requests per client address: 5 in 15 minutes.
    pub const RESET_IP: Limit = Limit::minutes(5, 15);
    /// Contributions (ideas, comments, votes) per account: 20 in 10 minutes.
    pub const POST_USER: Limit = Limit::minutes(20, 10);
    /// Contributions per client address: 60 in 10 minutes.
    pub const POST_IP: Limit = Limit::minutes(60, 10);

    /// `max` events a minute.
    pub const fn per_minute(max: u32) -> Limit {
        Limit::minutes(max, 1)
    }

    /// `max` events in `minutes` minutes.
    pub const fn minutes(max: u32, minutes: u64) -> Limit {
        Limit {
            max,
            window: Duration::from_secs(minutes * 60),
        }
    }
}

/// Sliding-window counters in memory.
#[derive(Debug, Default)]
pub struct RateLimiter {
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `key` is over `limit` now, without counting: `Err(wait)` says how long until
    /// the next event is allowed.
    pub fn check(&self, key: &str, limit: Limit) -> Result<(), Duration> {
        self.check_at(key, limit, Instant::now())
    }

    /// Counts an event for `key` (e.g. a failed sign-in).
    pub fn record(&self, key: &str) {
        self.record_at(key, Instant::now());
    }

    /// Checks and, if allowed, counts: the usual call for "at most n posts per window".
    pub fn hit(&self, key: &str, limit: Limit) -> Result<(), Duration> {
        let now = Instant::now();
        self.check_at(key, limit, now)?;
        self.record_at(key, now);
        Ok(())
    }

    /// Forgets a key (e.g. the account's failures after a successful sign-in).
    pub fn clear(&self, key: &str) {
        if let Ok(mut m) = self.events.lock() {
            m.remove(key);
        }
    }

    fn check_at(&self, key: &str, limit: Limit, now: Instant) -> Result<(), Duration> {
        let Ok(mut m) = self.events.lock() else {
            return Ok(());
        };
        let Some(q) = m.get_mut(key) else {
            return Ok(());
        };
        while q
            .front()
            .is_some_and(|&t| now.duration_since(t) >= limit.window)
        {
            q.pop_front();
        }
        if q.len() as u64 >= u64::from(limit.max) {
            let oldest = q.front().copied().unwrap_or(now);
            return Err(limit.window.saturating_sub(now.duration_since(oldest)));
        }
        Ok(())
    }

    fn record_at(&self, key: &str, now: Instant) {
        let Ok(mut m) = self.events.lock() else {
            return;
        };
        // Keep memory bounded: drop keys whose newest event is older than an hour.
        if m.len() > 100_000 {
            m.retain(|_, q| {
                q.back()
                    .is_some_and(|&t| now.duration_since(t) < Duration::from_secs(3600))
            });
        }
        let q = m.entry(key.to_string()).or_default();
        q.push_back(now);
        // No limit counts more than 1000 events.
        while q.len() > 1000 {
            q.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window() {
        let rl = RateLimiter::new();
        let l = Limit::minutes(3, 1);
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(rl.check_at("k", l, t0 + Duration::from_secs(i)).is_ok());
            rl.record_at("k", t0 + Duration::from_secs(i));
        }
        let wait = rl
            .check_at("k", l, t0 + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(rl.check_at("other", l, t0).is_ok(), "keys are separate");
        assert!(
            rl.check_at("k", l, t0 + Duration::from_secs(60)).is_ok(),
            "the first event left the window"
        );
        rl.clear("k");
        assert!(rl.hit("k", l).is_ok());
    }
}
