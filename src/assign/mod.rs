//! Choosing reviewers: pools, filters with named reasons, a weighted score, tier needs, the AI
//! spot check, and a simulation against baselines. Pure: every fact and `now` come in as arguments.

pub mod filters;
pub mod hash;
pub mod history;
pub mod input;
pub mod output;
pub mod policy;
pub mod score;
pub mod select;
pub mod simulate;
pub mod synthetic;

pub use filters::SkipReason;
pub use history::ReviewHistory;
pub use input::{OpenLoad, PeopleFacts, PrToAssign, Unread};
pub use output::{Assignment, LocalHours, ProblemKind, Requested, Role, Skipped};
pub use policy::ReviewerPolicy;
pub use select::{choose, reassign};

#[cfg(test)]
mod tests;
