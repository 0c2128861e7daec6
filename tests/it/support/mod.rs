//! What the integration tests share: running the binary and reading what it did (`common`), a
//! stateful fake GitHub over real HTTP (`fake_github`), an App started in process with its
//! databases (`db`, `server`), and running one test alone in a process of its own (`isolated`).

pub mod child;
pub mod common;
pub mod db;
pub mod fake_github;
pub mod isolated;
pub mod server;
