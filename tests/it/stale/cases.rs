//! The histories: what happens to a PR after a reviewer approved it. Each builder returns the
//! case at its end; `ALL` lists them for the checks that run on every case.

use super::history::{BOT, Case, History};

/// A case's name and the history that builds it.
pub type Named = (&'static str, fn() -> Case);

/// Every case, for the checks that hold on all of them.
pub const ALL: [Named; 16] = [
    ("clean_rebase", clean_rebase),
    ("rebase_over_a_far_change_in_the_same_file", rebase_over_a_far_change_in_the_same_file),
    ("rebase_over_a_change_in_the_hunks_context", rebase_over_a_change_in_the_hunks_context),
    ("update_merge", update_merge),
    ("update_merge_with_a_resolved_conflict", update_merge_with_a_resolved_conflict),
    ("update_merge_edited_by_hand", update_merge_edited_by_hand),
    ("rebase_keeping_the_pr_s_line_over_the_base_s", rebase_keeping_the_pr_s_line_over_the_base_s),
    ("rebase_keeping_the_pr_s_image_over_the_base_s", rebase_keeping_the_pr_s_image_over_the_base_s),
    ("amended_message", amended_message),
    ("repushed_commit", repushed_commit),
    ("squashed_stack_parent", squashed_stack_parent),
    ("stack_parent_changed_before_it_landed", stack_parent_changed_before_it_landed),
    ("force_push_with_another_hunk", force_push_with_another_hunk),
    ("bot_commit_on_top", bot_commit_on_top),
    ("renamed_file_rebased", renamed_file_rebased),
    ("unreachable_approval", unreachable_approval),
];

const CHECK_TOKEN: &str = "    login.check(token);";

/// `feature` changes line 20 of src/login.rs; the commit is approved. Returns the history on
/// `feature` and the approved sha.
fn approved_login_change() -> (History, String) {
    let h = History::new();
    h.branch("feature");
    h.edit_line("src/login.rs", 20, CHECK_TOKEN);
    let approved = h.commit("login: check the token");
    (h, approved)
}

/// Commits `edit` on `main` and goes back to `feature`.
fn main_moves(h: &History, edit: impl FnOnce(&History), message: &str) {
    h.checkout("main");
    edit(h);
    h.commit(message);
    h.checkout("feature");
}

pub fn clean_rebase() -> Case {
    let (h, approved) = approved_login_change();
    main_moves(&h, |h| h.write("README.md", "# shop\n\nThe web shop.\n"), "readme: say what the shop is");
    h.git(&["rebase", "-q", "main"]);
    h.case(&approved)
}

/// main changes line 2 of the same file; the PR's hunk (line 20, context 17-23) is far away.
pub fn rebase_over_a_far_change_in_the_same_file() -> Case {
    let (h, approved) = approved_login_change();
    main_moves(&h, |h| h.edit_line("src/login.rs", 2, "    login.start();"), "login: start first");
    h.git(&["rebase", "-q", "main"]);
    h.case(&approved)
}

/// main changes line 18, a context line of the PR's hunk at line 20; git merges it cleanly.
pub fn rebase_over_a_change_in_the_hunks_context() -> Case {
    let (h, approved) = approved_login_change();
    main_moves(&h, |h| h.edit_line("src/login.rs", 18, "    login.skip_checks();"), "login: skip the checks");
    h.git(&["rebase", "-q", "main"]);
    h.case(&approved)
}

/// "Update branch": main moved in another file and was merged into the PR.
pub fn update_merge() -> Case {
    let (h, approved) = approved_login_change();
    main_moves(&h, |h| h.write("README.md", "# shop\n\nThe web shop.\n"), "readme: say what the shop is");
    h.git(&["merge", "-q", "--no-edit", "-m", "Merge branch 'main' into feature", "main"]);
    h.case(&approved)
}

/// "Update branch" where main changed the PR's line too: the conflict is resolved by hand.
pub fn update_merge_with_a_resolved_conflict() -> Case {
    let (h, approved) = approved_login_change();
    main_moves(&h, |h| h.edit_line("src/login.rs", 20, "    login.check(session);"), "login: check the session");
    assert!(!h.try_git(&["merge", "-q", "-m", "Merge branch 'main' into feature", "main"]), "the merge conflicts");
    h.edit_line("src/login.rs", 20, "    login.check(token, session);");
    h.git(&["add", "-A"]);
    h.git(&["commit", "-q", "--no-edit"]);
    h.case(&approved)
}

/// A clean "Update branch" merge, amended to add a line to src/pay.rs, a file the PR did not
/// change.
pub fn update_merge_edited_by_hand() -> Case {
    let (h, approved) = approved_login_change();
    main_moves(&h, |h| h.write("README.md", "# shop\n\nThe web shop.\n"), "readme: say what the shop is");
    h.git(&["merge", "-q", "--no-edit", "-m", "Merge branch 'main' into feature", "main"]);
    h.edit_line("src/pay.rs", 5, "    pay.step(5);\n    pay.refund_all();");
    h.git(&["add", "-A"]);
    h.git(&["commit", "-q", "--amend", "--no-edit"]);
    h.case(&approved)
}

/// A rebase that stops on a conflict, resolved by keeping the PR's version of the file: the head
/// ends with the approved file, and so undoes the base's change to it.
fn rebase_keeping_the_pr_s_version(h: &History, path: &str) {
    assert!(!h.try_git(&["rebase", "-q", "main"]), "the rebase conflicts");
    // While rebasing, "theirs" is the commit being replayed: the PR's.
    h.git(&["checkout", "--theirs", "--", path]);
    h.git(&["add", "-A"]);
    h.git(&["rebase", "--continue"]);
}

/// main changes the PR's line too; the author rebases and keeps their line.
pub fn rebase_keeping_the_pr_s_line_over_the_base_s() -> Case {
    let (h, approved) = approved_login_change();
    main_moves(&h, |h| h.edit_line("src/login.rs", 20, "    login.check(session);"), "login: check the session");
    rebase_keeping_the_pr_s_version(&h, "src/login.rs");
    h.case(&approved)
}

/// The same with an image, which has no patch: main changes the logo the PR changes.
pub fn rebase_keeping_the_pr_s_image_over_the_base_s() -> Case {
    let h = History::new();
    h.write("assets/logo.png", "PNG\0blue\n");
    h.commit("logo: blue");
    h.branch("feature");
    h.write("assets/logo.png", "PNG\0green\n");
    let approved = h.commit("logo: green");
    main_moves(&h, |h| h.write("assets/logo.png", "PNG\0red\n"), "logo: red");
    rebase_keeping_the_pr_s_version(&h, "assets/logo.png");
    h.case(&approved)
}

pub fn amended_message() -> Case {
    let (h, approved) = approved_login_change();
    h.git(&["commit", "-q", "--amend", "-m", "login: check the session token"]);
    h.case(&approved)
}

/// The same commit pushed again with a new committer date (a rebase onto the same base with
/// `--force-rebase`, a re-signed commit).
pub fn repushed_commit() -> Case {
    let (h, approved) = approved_login_change();
    h.git(&["commit", "-q", "--amend", "--no-edit"]);
    h.case(&approved)
}

/// A stack: `pr1` changes src/pay.rs, `pr2` is built on it and changes src/login.rs, and PR 2
/// (against main, holding PR 1's commit) is approved. PR 1 is squash-merged into main after main
/// moved, and `pr2` is rebased onto main without PR 1's commit. `change_parent` runs on `pr1`
/// before it is merged.
fn stack(change_parent: impl FnOnce(&History)) -> Case {
    let h = History::new();
    h.branch("pr1");
    h.edit_line("src/pay.rs", 5, "    pay.round(total);");
    let parent = h.commit("pay: round the total");
    h.branch("pr2");
    h.edit_line("src/login.rs", 20, CHECK_TOKEN);
    let approved = h.commit("login: check the token");
    h.checkout("pr1");
    change_parent(&h);
    h.checkout("main");
    h.write("README.md", "# shop\n\nThe web shop.\n");
    h.commit("readme: say what the shop is");
    h.git(&["merge", "-q", "--squash", "pr1"]);
    h.commit("pay: round the total (#1)");
    h.git(&["rebase", "-q", "--onto", "main", &parent, "pr2"]);
    h.case(&approved)
}

pub fn squashed_stack_parent() -> Case {
    stack(|_| {})
}

/// As `squashed_stack_parent`, but PR 1 took another change before it was merged: what landed is
/// not what was approved with PR 2.
pub fn stack_parent_changed_before_it_landed() -> Case {
    stack(|h| {
        h.edit_line("src/pay.rs", 11, "    pay.audit(total);");
        h.commit("pay: audit the total");
    })
}

/// The PR changes src/login.rs and src/pay.rs; a force-push adds a hunk to src/login.rs.
pub fn force_push_with_another_hunk() -> Case {
    let h = History::new();
    h.branch("feature");
    h.edit_line("src/login.rs", 5, CHECK_TOKEN);
    h.edit_line("src/pay.rs", 3, "    pay.charge(card);");
    let approved = h.commit("login, pay: check the token before charging");
    h.edit_line("src/login.rs", 35, "    login.grant_admin();");
    h.git(&["add", "-A"]);
    h.git(&["commit", "-q", "--amend", "--no-edit"]);
    h.case(&approved)
}

/// A formatting bot re-indents the PR's line and commits on top.
pub fn bot_commit_on_top() -> Case {
    let (h, approved) = approved_login_change();
    h.edit_line("src/login.rs", 20, "\tlogin.check(token);");
    h.commit_as(&BOT, "style: format");
    h.case(&approved)
}

/// The PR renames src/pay.rs to src/billing.rs with one changed line; main moves elsewhere and
/// the PR is rebased.
pub fn renamed_file_rebased() -> Case {
    let h = History::new();
    h.branch("feature");
    h.git(&["mv", "src/pay.rs", "src/billing.rs"]);
    h.edit_line("src/billing.rs", 3, "    pay.charge(card);");
    let approved = h.commit("billing: pay is billing now");
    main_moves(&h, |h| h.write("README.md", "# shop\n\nThe web shop.\n"), "readme: say what the shop is");
    h.git(&["rebase", "-q", "main"]);
    h.case(&approved)
}

/// The approved commit is not in the repository (a force-push dropped it and it was collected).
pub fn unreachable_approval() -> Case {
    let (h, _) = approved_login_change();
    h.case("0123456789abcdef0123456789abcdef01234567")
}
