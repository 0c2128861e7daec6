//! Whether a review still stands after what happened to its PR, on real git histories: each case
//! builds what a person or GitHub does after an approval (a rebase, "Update branch", an amend, a
//! squash-merged stack parent, a bot's commit) and checks the change kind and the files that
//! `git::since` names. `github_view` renders the same histories as GitHub's answers, so that the
//! GitHub source can be replayed on them and cannot drift from git's view.

mod cases;
mod github_view;
mod history;
mod kinds;
mod remote;
