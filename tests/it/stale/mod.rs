//! Whether a review still stands after what happened to its PR, on real git histories: each case
//! builds what a person or GitHub does after an approval (a rebase, "Update branch", an amend, a
//! squash-merged stack parent, a bot's commit) and checks the change kind and the files that
//! `git::since` names.

mod cases;
mod history;
mod kinds;
