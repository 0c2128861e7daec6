//! The `flowgate` binary run as a process, one file per command or surface.

mod action;
mod analysis;
pub mod app_setup;
mod audit;
mod digest_chains;
mod digest_tried;
mod doctor;
mod github;
mod history;
mod history_tools;
mod init;
mod local_git;
mod org_status;
mod policy;
mod provenance;
mod provenance_gate;
mod remote_extends;
mod serve;
mod simulate;
mod snapshot;
