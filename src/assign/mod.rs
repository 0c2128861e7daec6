//! Choosing reviewers: pools, filters with named reasons, a weighted score, tier needs, the AI
//! spot check, and a simulation against baselines. Pure: every fact and `now` come in as arguments.

pub mod policy;
