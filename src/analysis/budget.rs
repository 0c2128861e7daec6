//! Time budgets without a clock: the caller says when time is up, so analysis stays
//! deterministic in tests and the clock stays at the edge (the `gate` layer).

use std::cell::Cell;
use std::time::Instant;

/// Says whether the time allowed for a piece of analysis has run out.
pub trait Deadline {
    fn expired(&self) -> bool;
    /// The same deadline as an instant, for libraries that take one (the token diff).
    fn as_instant(&self) -> Option<Instant> {
        None
    }
}

/// No limit: for tests and benchmarks of the bare work.
pub struct Unlimited;

impl Deadline for Unlimited {
    fn expired(&self) -> bool {
        false
    }
}

/// Expires after being asked a fixed number of times: a deterministic stand-in for a clock in
/// tests of what happens when time runs out.
pub struct AfterChecks(pub Cell<u64>);

impl Deadline for AfterChecks {
    fn expired(&self) -> bool {
        let left = self.0.get();
        self.0.set(left.saturating_sub(1));
        left == 0
    }
}

/// Sizes and times the analysis may spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Larger files keep their path tier unread.
    pub max_file_bytes: usize,
    pub per_file: std::time::Duration,
    pub per_pr: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 1024 * 1024,
            per_file: std::time::Duration::from_millis(500),
            per_pr: std::time::Duration::from_secs(10),
        }
    }
}
