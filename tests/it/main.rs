//! flowgate's integration tests, in one test binary so that a change to the library is linked
//! once, not once per test file: the CLI as a process (`cli/`), the App over real HTTP against a
//! fake GitHub (`app/`), the store on SQLite and PostgreSQL, trackers, the digest in a browser,
//! GitHub's OpenAPI conformance, the real-world corpus, fuzzing and properties.
//!
//! Run one area with a filter: `cargo test --test it cli::`, `cargo test --test it app::edge`.

mod support;

mod analysis_startup;
mod app;
mod cli;
mod conformance;
mod digest_html;
mod fuzz;
mod github_flow;
mod layering;
mod properties;
mod provenance_api;
mod realworld;
mod stale;
mod store;
mod trackers;
