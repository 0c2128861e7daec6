//! flowgate: a review-flow gatekeeper for GitHub pull requests.
//!
//! The engine is pure (`policy::evaluate`): PR facts and a policy in, a verdict out. Facts come
//! from a snapshot directory (`snapshot`) or local git (`git`); `gate` ties them together for
//! every surface; `report` renders verdicts.

pub mod action;
pub mod analysis;
pub mod assign;
pub mod audit;
pub mod doctor;
pub mod error;
pub mod files;
pub mod gate;
pub mod git;
pub mod github;
pub mod init;
pub mod latency;
pub mod merge_queue;
pub mod model;
pub mod policy;
pub mod report;
pub mod serve;
pub mod since;
pub mod slack;
pub mod snapshot;
pub mod store;
pub mod trackers;
pub mod wording;

pub use error::UserError;
pub use model::PrFacts;
pub use policy::evaluate::evaluate;
pub use policy::verdict::{State, Verdict};
pub use policy::{Policy, Tier};
