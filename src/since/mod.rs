//! Whether the change at a PR's head is the change a reviewer approved (pure): the PR's own
//! patches at both commits are compared file by file by patch-id, with the trees, the commit
//! messages and the history between them, into a `ChangeSince`. Both GitHub's compare API and
//! local git feed it the same `Inputs`, so both sources decide alike.

mod classify;
mod patch_id;

pub use classify::{Ancestry, Before, Inputs, OwnFile, PrAt, classify};
pub use patch_id::PatchId;
