//! The change kinds on hand-built sides: each rule of `classify` and each way it fails closed.

use std::collections::BTreeSet;

use super::*;

fn file(path: &str, patch: &str) -> OwnFile {
    OwnFile { path: path.into(), previous_path: None, patch: Some(patch.into()), blob: None, before: Before::Unknown }
}

fn at(tree: &str, own: Vec<OwnFile>, messages: &[&str]) -> PrAt {
    PrAt { tree: Some(tree.into()), fork: None, own, messages: messages.iter().map(|m| m.to_string()).collect() }
}

fn inputs(approved: PrAt, head: PrAt, ancestry: Ancestry) -> Inputs {
    Inputs {
        approved,
        head,
        ancestry,
        retargeted: false,
        landed_in_base: BTreeSet::new(),
        merge_differs: BTreeSet::new(),
    }
}

const LOGIN: &str = "@@ -1,2 +1,3 @@\n fn login() {\n+    check(token);\n }\n";
const LOGIN_MOVED: &str = "@@ -40,2 +40,3 @@\n fn login() {\n+    check(token);\n }\n";
const LOGIN_SKIP: &str = "@@ -1,2 +1,3 @@\n fn login() {\n+    skip(token);\n }\n";
const README: &str = "@@ -1 +1,2 @@\n # auth\n+More.\n";

#[test]
fn the_same_tree_and_messages_is_no_change_and_a_new_message_is_message_only() {
    let a = at("t1", vec![file("src/login.rs", LOGIN)], &["login: check the token"]);
    let same = classify(&inputs(a.clone(), a.clone(), Ancestry::Rewritten));
    assert_eq!((same.kind, same.changed.len()), (ChangeKind::NoChange, 0));
    let reworded = at("t1", vec![file("src/login.rs", LOGIN)], &["login: check the session token"]);
    assert_eq!(classify(&inputs(a, reworded, Ancestry::Rewritten)).kind, ChangeKind::MessageOnly);
}

#[test]
fn patches_moved_onto_a_new_base_are_a_trivial_rebase() {
    let a = at("t1", vec![file("src/login.rs", LOGIN), file("README.md", README)], &["m"]);
    let b = at("t2", vec![file("src/login.rs", LOGIN_MOVED), file("README.md", README)], &["m"]);
    let since = classify(&inputs(a, b, Ancestry::Rewritten));
    assert_eq!(since.kind, ChangeKind::TrivialRebase);
    assert_eq!(since.base, BaseSince::Same);
}

#[test]
fn a_merge_of_the_base_with_the_same_patches_is_a_clean_update_merge_and_a_resolved_conflict_is_not() {
    let a = at("t1", vec![file("src/login.rs", LOGIN)], &["m"]);
    let b = at("t2", vec![file("src/login.rs", LOGIN_MOVED)], &["m", "Merge branch 'main'"]);
    let update = inputs(a, b, Ancestry::Descendant { own_commits_after: 0 });
    assert_eq!(classify(&update).kind, ChangeKind::CleanUpdateMerge);

    let hand_resolved = Inputs { merge_differs: BTreeSet::from(["src/login.rs".to_string()]), ..update };
    let since = classify(&hand_resolved);
    assert_eq!((since.kind, since.changed), (ChangeKind::Rework, vec!["src/login.rs".to_string()]));
}

#[test]
fn a_changed_line_is_rework_naming_only_the_changed_file() {
    let a = at("t1", vec![file("src/login.rs", LOGIN), file("README.md", README)], &["m"]);
    let b = at("t2", vec![file("src/login.rs", LOGIN_SKIP), file("README.md", README)], &["m"]);
    let since = classify(&inputs(a, b, Ancestry::Rewritten));
    assert_eq!((since.kind, since.changed), (ChangeKind::Rework, vec!["src/login.rs".to_string()]));
}

#[test]
fn an_added_file_or_a_dropped_file_is_rework() {
    let a = at("t1", vec![file("src/login.rs", LOGIN)], &["m"]);
    let more = at("t2", vec![file("src/login.rs", LOGIN), file("src/pay.rs", README)], &["m"]);
    assert_eq!(classify(&inputs(a.clone(), more, Ancestry::Rewritten)).changed, vec!["src/pay.rs".to_string()]);
    let fewer = at("t3", vec![], &["m"]);
    assert_eq!(classify(&inputs(a, fewer, Ancestry::Rewritten)).changed, vec!["src/login.rs".to_string()]);
}

#[test]
fn a_commit_on_top_is_rework_even_when_the_patches_end_up_equal() {
    let a = at("t1", vec![file("src/login.rs", LOGIN)], &["m"]);
    let b = at("t2", vec![file("src/login.rs", LOGIN)], &["m", "bot: format", "bot: revert format"]);
    let since = classify(&inputs(a, b, Ancestry::Descendant { own_commits_after: 2 }));
    assert_eq!(since.kind, ChangeKind::Rework);
}

/// A file without a patch (an image), ending in `blob` from `before`.
fn binary(before: Before, blob: &str) -> OwnFile {
    OwnFile { path: "logo.png".into(), previous_path: None, patch: None, blob: Some(blob.into()), before }
}

fn from(blob: &str) -> Before {
    Before::Blob(blob.into())
}

#[test]
fn a_file_without_a_patch_is_vouched_for_only_by_equal_blobs_where_it_starts_and_ends() {
    let a = at("t1", vec![binary(from("b0"), "b1")], &["m"]);
    let kind = |head: OwnFile| classify(&inputs(a.clone(), at("t2", vec![head], &["m"]), Ancestry::Rewritten)).kind;
    assert_eq!(kind(binary(from("b0"), "b1")), ChangeKind::TrivialRebase);
    assert_eq!(kind(binary(from("b0"), "b2")), ChangeKind::Rework, "another image");
    assert_eq!(kind(binary(from("b9"), "b1")), ChangeKind::Rework, "the approved image over the base's: undoes it");
    let added = at("t1", vec![binary(Before::Absent, "b1")], &["m"]);
    let rebased = at("t2", vec![binary(Before::Absent, "b1")], &["m"]);
    assert_eq!(classify(&inputs(added, rebased, Ancestry::Rewritten)).kind, ChangeKind::TrivialRebase);

    let unknown = OwnFile { blob: None, ..binary(from("b0"), "") };
    let since = classify(&inputs(
        at("t1", vec![unknown.clone()], &["m"]),
        at("t2", vec![unknown], &["m"]),
        Ancestry::Rewritten,
    ));
    assert_eq!(since.kind, ChangeKind::Rework, "no patch and no blob: nothing vouches for the file");
}

#[test]
fn where_the_source_cannot_say_what_a_file_was_only_the_same_fork_vouches_for_its_blob() {
    let side = |fork: &str, tree: &str, messages: &[&str]| PrAt {
        fork: Some(fork.into()),
        ..at(tree, vec![binary(Before::Unknown, "b1")], messages)
    };
    let amended = inputs(side("f1", "t1", &["m"]), side("f1", "t1", &["m2"]), Ancestry::Rewritten);
    assert_eq!(classify(&amended).kind, ChangeKind::MessageOnly);
    let rebased = inputs(side("f1", "t1", &["m"]), side("f2", "t2", &["m"]), Ancestry::Rewritten);
    assert_eq!(classify(&rebased).changed, vec!["logo.png".to_string()]);
    let unknown_forks = Inputs {
        approved: PrAt { fork: None, ..side("f1", "t1", &["m"]) },
        head: PrAt { fork: None, ..side("f1", "t1", &["m2"]) },
        ..amended
    };
    assert_eq!(classify(&unknown_forks).kind, ChangeKind::Rework, "the same tree, but over which base?");
}

#[test]
fn the_approved_tree_over_a_base_that_changed_the_pr_s_file_is_rework_not_no_change() {
    // A rebase that kept the PR's line where the base changed it: the head's tree is the approved
    // tree, and its own change now also undoes the base's line.
    const KEPT: &str = "@@ -1,2 +1,2 @@\n fn login() {\n-    check(session);\n+    check(token);\n";
    const APPROVED: &str = "@@ -1,2 +1,2 @@\n fn login() {\n-    step();\n+    check(token);\n";
    let a = at("t1", vec![file("src/login.rs", APPROVED)], &["m"]);
    let b = at("t1", vec![file("src/login.rs", KEPT)], &["m"]);
    let since = classify(&inputs(a, b, Ancestry::Rewritten));
    assert_eq!((since.kind, since.changed), (ChangeKind::Rework, vec!["src/login.rs".to_string()]));
}

#[test]
fn a_rename_from_another_path_is_another_change() {
    let renamed = |from: &str| OwnFile { previous_path: Some(from.into()), ..file("src/auth.rs", LOGIN) };
    let a = at("t1", vec![renamed("src/login.rs")], &["m"]);
    let b = at("t2", vec![renamed("src/session.rs")], &["m"]);
    assert_eq!(classify(&inputs(a, b, Ancestry::Rewritten)).kind, ChangeKind::Rework);
}

#[test]
fn a_stack_parent_that_landed_in_the_base_is_excused_and_only_then() {
    // Approved while the PR still carried its parent's commits; the parent was squash-merged and
    // the PR rebased onto the base, so it now changes only its own file.
    let a = at("t1", vec![file("src/parent.rs", README), file("src/login.rs", LOGIN)], &["parent", "child"]);
    let b = at("t2", vec![file("src/login.rs", LOGIN_MOVED)], &["child"]);
    let unverified = inputs(a.clone(), b.clone(), Ancestry::Rewritten);
    assert_eq!(classify(&unverified).changed, vec!["src/parent.rs".to_string()]);

    let landed = Inputs { landed_in_base: BTreeSet::from(["src/parent.rs".to_string()]), ..unverified };
    let since = classify(&landed);
    assert_eq!(
        (since.kind, since.landed_in_base.clone()),
        (ChangeKind::TrivialRebase, vec!["src/parent.rs".to_string()])
    );
    assert_eq!(since.base, BaseSince::Same);

    let retargeted = classify(&Inputs { retargeted: true, ..landed });
    assert_eq!(retargeted.base, BaseSince::Retargeted { parent_landed: true });
}

#[test]
fn a_retarget_without_a_landed_parent_is_marked_as_such() {
    let a = at("t1", vec![file("src/login.rs", LOGIN)], &["m"]);
    let since = classify(&Inputs { retargeted: true, ..inputs(a.clone(), a, Ancestry::Rewritten) });
    assert_eq!(since.base, BaseSince::Retargeted { parent_landed: false });
}

#[test]
fn the_same_tree_on_a_moved_base_that_undoes_the_bases_change_is_rework() {
    // Approved: the PR adds a check. The base then fixes src/pay.rs; the head, rebased, has the
    // very tree the reviewer approved, so it silently undoes the base's fix: its own patches now
    // hold a change to src/pay.rs nobody reviewed in this PR.
    let a = at("t1", vec![file("src/login.rs", LOGIN)], &["m"]);
    let undo = "@@ -1 +1 @@\n-fixed()\n+broken()\n";
    let b = at("t1", vec![file("src/login.rs", LOGIN), file("src/pay.rs", undo)], &["m"]);
    let since = classify(&inputs(a, b, Ancestry::Rewritten));
    assert_eq!((since.kind, since.changed), (ChangeKind::Rework, vec!["src/pay.rs".to_string()]));
}
