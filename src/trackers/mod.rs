//! Work-item trackers: look an item up by its key, and walk from a story up to the OKR it serves.
//!
//! Each tracker (GitHub Issues, Jira Cloud, Linear, Shortcut, Azure Boards) is one small adapter behind [`Tracker`]; the chain
//! walker in [`chain`] decides nothing about HTTP and the adapters decide nothing about chains.
//! The results are facts (`PrFacts::chains`) that the pure policy engine judges.

pub mod azure;
pub mod chain;
pub mod config;
pub mod github;
pub mod http;
pub mod jira;
pub mod linear;
pub mod shortcut;

use std::future::Future;
use std::pin::Pin;

pub use crate::model::story::{Item, ItemState, Related, StateCategory, TrackerError};

/// A boxed lookup future, so that trackers can sit side by side behind `dyn Tracker`.
pub(crate) type LookupFuture<'a> = Pin<Box<dyn Future<Output = Result<Item, TrackerError>> + Send + 'a>>;

/// The one thing every tracker adapter does: describe an item by its key.
pub trait Tracker: Send + Sync {
    /// The tracker's name in messages (`Jira`, `GitHub Issues`).
    fn name(&self) -> &'static str;
    fn lookup<'a>(&'a self, key: &'a str) -> LookupFuture<'a>;
    /// Requests sent so far and lookups answered from the cache, for usage lines and benchmarks.
    fn usage(&self) -> http::HttpUsage;
}
