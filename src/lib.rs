//! flowgate: a review-flow gatekeeper for GitHub pull requests.
//!
//! The engine is pure ([`evaluate`]): PR facts and a policy in, a verdict out. Facts come from a
//! saved PR, local git or a live PR; [`gate`] ties them together for every surface (the command
//! line, the Action, the App), and [`run_app`] runs the App (`serve::run`). The modules below are grouped by
//! the layers of `docs/design.md`, lowest first: a module uses only those of lower layers. The
//! ones the binary, the benchmarks and the integration tests do not need stay private.

// The entry points.
pub use error::UserError;
pub use gate::remote::{Gated, gate as check_remote};
pub use gate::{ChosenPolicy, Error as GateError, check_local, check_local_with, check_snapshot, policy_from_disk};
pub use model::PrFacts;
pub use policy::evaluate::evaluate;
pub use policy::verdict::{State, Verdict};
pub use policy::{Policy, Tier};
pub use serve::run as run_app;

// Layer 0: nothing of ours below.
// The two error tiers, and `UserError`: what a person must fix.
mod error;
// Reading files under a size cap, never out of their directory.
mod files;
// tree-sitter: languages, parsing under budgets, change kinds, detectors, effort.
pub mod analysis;
// The Slack message format of the digest, and posting it.
pub mod slack;

// Layer 1: the shared vocabulary.
// `PrFacts`, files, commits, reviews, logins, tiers, tracker facts, the check run to publish.
pub mod model;

// Layer 2: pure judgements.
// Review events and the waiting-time math: the digest as figures.
pub mod latency;
// `flowgate doctor`'s judgement of a repository's setup.
pub mod doctor;
// Whether the change at a PR's head is the change a reviewer approved.
pub mod since;
// Line-level AI provenance: git-ai, whogitit and Agent Trace records mapped onto added lines.
mod provenance;

// Layer 3: the I/O adapters, and local git.
// Local-git mode: a branch's facts, file versions, and what changed since an approved commit.
pub mod git;
// SQLite and PostgreSQL: the delivery queue, review events, digests, away notices.
pub mod store;
// The GitHub client, and `github::parse`, where GitHub's JSON becomes flowgate's types.
pub mod github;

// Layer 4: what is read through the adapters, and the SLO ladder (pure, below assign's replay).
// The saved-PR format (`flowgate snapshot`, `--snapshot`).
pub mod snapshot;
// Jira, Linear, Shortcut, Azure Boards and GitHub Issues; the Story -> OKR chain walk.
pub mod trackers;
// Review SLOs that act: whose turn it is, and the escalation ladder's plan per waiting reviewer.
pub mod slo;

// Layer 5: pure choices.
// Merge queues: whether a merge group holds only its members' reviewed commits and lines.
mod merge_queue;
// Reviewer pools, load, availability, expertise and the selection pipeline.
mod assign;

// Layer 6: the policy.
// The policy file and the pure engine: `evaluate(&PrFacts, &Policy) -> Verdict`.
pub mod policy;

// Layer 7: the words.
// Every sentence people read, by audience, each one snapshot-tested.
pub mod wording;

// Layer 8: rendering.
// One `Verdict` as text, JSON, a check run and annotations; the digest in every format.
pub mod report;

// Layer 9: where the layers meet.
// Gather facts, analyse, evaluate, choose reviewers, plan and apply what flowgate writes.
pub mod gate;

// Layer 10: commands built on the gate.
// `flowgate audit`: merged PRs traced to OKRs.
pub mod audit;
// `flowgate init`: a policy, a workflow and a CODEOWNERS from a repository's layout.
pub mod init;

// Layer 11: the long-running surfaces.
// The GitHub Action entry point.
pub mod action;
// The GitHub App: the HTTP edge, the durable queue's workers, the digest schedule.
pub mod serve;
