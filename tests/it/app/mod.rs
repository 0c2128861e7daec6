//! The GitHub App (`flowgate serve`) over real HTTP against the fake GitHub: webhooks to check
//! runs, the weekly digest, durability under SIGKILL and two replicas, the TCP edge under hostile
//! clients, and what is recorded for latency.

mod baseline;
mod codeowners;
mod digest;
mod digest_repos;
mod durability;
mod edge;
mod edited_policy;
mod github_errors;
mod handler_errors;
mod logs;
mod merge_queue;
mod onboarding;
mod provenance;
mod record;
mod remote_extends;
mod shadow;
mod slo;
mod stale;
mod waiting_on;
mod webhook_flow;
