//! Counting failed logins.

use std::collections::HashMap;

pub struct RateLimiter {
    max_failures: u32,
    lock_seconds: u64,
    failures: HashMap<String, u32>,
}

impl RateLimiter {
    pub fn new(max_failures: u32, lock_seconds: u64) -> Self {
        RateLimiter { max_failures, lock_seconds, failures: HashMap::new() }
    }

    pub fn is_locked(&self, name: &str) -> bool {
        self.failures.get(name).is_some_and(|n| *n >= self.max_failures)
    }

    pub fn record_failure(&mut self, name: &str) {
        *self.failures.entry(name.to_string()).or_default() += 1;
    }

    pub fn reset(&mut self, name: &str) {
        self.failures.remove(name);
    }
}
