//! Every sentence flowgate shows about a verdict. Renderers (terminal, check run, job summary,
//! JSON, workflow commands) arrange these; they never word things themselves, so every surface
//! says the same. `frame.rs` holds the report around the rules (title, summary line, headings,
//! the override); each rule's sentences are in the file named after it.

mod ai;
mod codeowners;
mod edited_policy;
mod frame;
mod gaps;
mod limits;
mod linkage;
mod provenance;
mod review;
mod section;
pub mod stale;
mod tier;

pub use ai::*;
pub use codeowners::*;
pub use edited_policy::*;
pub use frame::*;
pub use gaps::*;
pub use limits::*;
pub use linkage::*;
pub use provenance::*;
pub use review::*;
pub use section::*;
pub use tier::*;

#[cfg(test)]
pub(crate) mod tests;
