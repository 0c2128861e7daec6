//! Every sentence flowgate shows people, by audience: the verdict on a PR (`verdict`), the weekly
//! digest (`digest`), the reviewers it chooses (`assign`), the traceability audit (`audit`), the
//! command line (`cli`), what `flowgate init` found and the files it writes (`init`), `flowgate
//! simulate-assign` (`simulate`), the writes `check --plan` shows (`plan`), where the policy came
//! from (`origin`), `flowgate doctor`'s readiness lines (`doctor`), merge groups (`merge_group`),
//! shadow mode on every surface (`shadow`), the Action's job (`action`), the GitHub App's
//! answers (`app`), `flowgate app setup`'s pages and lines (`setup`), and review SLOs' reminders,
//! channel messages and whose turn it is (`slo`). Renderers and commands
//! arrange these and add markup; they never word things themselves, and data carries no sentences.
//!
//! Every function here has a snapshot test pinning its sentences, so a change of tone is one
//! reviewable diff.

pub(crate) mod action;
pub(crate) mod app;
pub(crate) mod assign;
pub(crate) mod audit;
pub(crate) mod baseline;
pub mod cli;
pub(crate) mod digest;
pub(crate) mod doctor;
pub(crate) mod init;
pub(crate) mod merge_group;
pub(crate) mod org_status;
pub(crate) mod origin;
pub mod pin;
pub(crate) mod plan;
pub(crate) mod setup;
pub(crate) mod shadow;
pub(crate) mod simulate;
pub(crate) mod slo;
pub(crate) mod verdict;
mod words;

pub(crate) use words::plural;
pub use words::{Flavor, count};
