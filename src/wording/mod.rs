//! Every sentence flowgate shows people, by audience: the verdict on a PR (`verdict`), the weekly
//! digest (`digest`), the reviewers it chooses (`assign`), the traceability audit (`audit`), the
//! command line (`cli`), what `flowgate init` found and the files it writes (`init`), `flowgate
//! simulate-assign` (`simulate`), the writes `check --plan` shows (`plan`), where the policy came
//! from (`origin`), `flowgate doctor`'s readiness lines (`doctor`), merge groups (`merge_group`),
//! the Action's job (`action`) and the GitHub App's answers (`app`). Renderers and commands arrange these and add
//! markup; they never word things themselves, and data carries no sentences.
//!
//! Every function here has a snapshot test pinning its sentences, so a change of tone is one
//! reviewable diff.

pub mod action;
pub mod app;
pub mod assign;
pub mod audit;
pub mod cli;
pub mod digest;
pub mod doctor;
pub mod init;
pub mod merge_group;
pub mod origin;
pub mod plan;
pub mod simulate;
pub mod verdict;
mod words;

pub use words::{Flavor, count, plural};
