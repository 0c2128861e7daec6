//! The change kind local git finds for each history, and the files it names.

use std::collections::BTreeSet;

use flowgate::model::since::{BaseSince, ChangeKind, ChangeSince, Unseen};
use flowgate::since::Ancestry;

use super::cases;
use super::history::Case;

/// The change since the approval, checked for its kind and its changed files.
fn since(case: &Case, kind: ChangeKind, changed: &[&str]) -> ChangeSince {
    let since = case.since().unwrap_or_else(|unseen| panic!("git saw nothing: {unseen:?}"));
    assert_eq!(
        (since.kind, since.changed.as_slice()),
        (kind, &changed.iter().map(|c| c.to_string()).collect::<Vec<_>>()[..])
    );
    assert_ne!(case.approved, case.head, "the history moved the head");
    since
}

fn paths(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|p| p.to_string()).collect()
}

#[test]
fn a_rebase_onto_a_base_that_moved_in_another_file_is_a_trivial_rebase() {
    let since = since(&cases::clean_rebase(), ChangeKind::TrivialRebase, &[]);
    assert_eq!((since.landed_in_base.len(), since.base), (0, BaseSince::Same));
}

#[test]
fn a_rebase_over_a_far_change_in_the_same_file_is_a_trivial_rebase() {
    since(&cases::rebase_over_a_far_change_in_the_same_file(), ChangeKind::TrivialRebase, &[]);
}

#[test]
fn a_rebase_over_a_change_to_the_lines_around_the_pr_s_change_is_rework_of_that_file() {
    since(&cases::rebase_over_a_change_in_the_hunks_context(), ChangeKind::Rework, &["src/login.rs"]);
}

#[test]
fn a_rebased_rename_with_the_same_change_is_a_trivial_rebase() {
    since(&cases::renamed_file_rebased(), ChangeKind::TrivialRebase, &[]);
}

#[test]
fn update_branch_merging_the_base_in_cleanly_is_a_clean_update_merge() {
    let case = cases::update_merge();
    since(&case, ChangeKind::CleanUpdateMerge, &[]);
    let inputs = case.inputs();
    assert_eq!(inputs.ancestry, Ancestry::Descendant { own_commits_after: 0 });
    assert!(inputs.merge_differs.is_empty(), "merge-tree reproduces the merge: {:?}", inputs.merge_differs);
}

#[test]
fn update_branch_with_a_conflict_resolved_by_hand_is_rework_of_the_conflicted_file() {
    let case = cases::update_merge_with_a_resolved_conflict();
    since(&case, ChangeKind::Rework, &["src/login.rs"]);
    assert_eq!(case.inputs().merge_differs, paths(&["src/login.rs"]), "the recomputed merge conflicts there");
}

#[test]
fn a_clean_update_merge_amended_with_a_line_in_another_file_is_rework_of_that_file() {
    let case = cases::update_merge_edited_by_hand();
    since(&case, ChangeKind::Rework, &["src/pay.rs"]);
    assert_eq!(case.inputs().merge_differs, paths(&["src/pay.rs"]), "the merge is not what merge-tree makes");
}

#[test]
fn a_rebase_that_kept_the_pr_s_line_over_the_base_s_change_is_rework_though_the_file_is_as_approved() {
    let case = cases::rebase_keeping_the_pr_s_line_over_the_base_s();
    since(&case, ChangeKind::Rework, &["src/login.rs"]);
    let inputs = case.inputs();
    assert_eq!(inputs.approved.own[0].blob, inputs.head.own[0].blob, "the same file at both ends");
}

#[test]
fn a_rebase_that_kept_the_pr_s_image_over_the_base_s_change_is_rework_without_a_patch_to_compare() {
    let case = cases::rebase_keeping_the_pr_s_image_over_the_base_s();
    since(&case, ChangeKind::Rework, &["assets/logo.png"]);
    let inputs = case.inputs();
    assert_eq!((inputs.approved.own[0].patch.as_deref(), inputs.head.own[0].patch.as_deref()), (None, None));
    assert_eq!(inputs.approved.own[0].blob, inputs.head.own[0].blob, "the same image at both ends");
}

#[test]
fn an_amended_commit_message_alone_is_message_only() {
    let case = cases::amended_message();
    since(&case, ChangeKind::MessageOnly, &[]);
    let inputs = case.inputs();
    assert_eq!(inputs.approved.messages, vec!["login: check the token".to_string()]);
    assert_eq!(inputs.head.messages, vec!["login: check the session token".to_string()]);
}

#[test]
fn the_same_commit_pushed_again_with_a_new_committer_date_is_no_change() {
    since(&cases::repushed_commit(), ChangeKind::NoChange, &[]);
}

#[test]
fn a_stack_parent_squash_merged_into_the_base_landed_and_the_rebased_child_is_a_trivial_rebase() {
    let case = cases::squashed_stack_parent();
    let since = since(&case, ChangeKind::TrivialRebase, &[]);
    assert_eq!(since.landed_in_base, vec!["src/pay.rs".to_string()]);
    assert_eq!(since.base, BaseSince::Same);

    // The same history when PR 2 targeted PR 1's branch and was retargeted to main.
    let retargeted = Case { retargeted: true, ..case }.since().expect("git sees the case");
    assert_eq!(retargeted.base, BaseSince::Retargeted { parent_landed: true });
}

#[test]
fn a_stack_parent_that_changed_before_it_landed_is_rework_of_the_parent_s_file() {
    let since = since(&cases::stack_parent_changed_before_it_landed(), ChangeKind::Rework, &["src/pay.rs"]);
    assert!(since.landed_in_base.is_empty());
}

#[test]
fn a_force_push_adding_a_hunk_is_rework_of_that_file_only() {
    since(&cases::force_push_with_another_hunk(), ChangeKind::Rework, &["src/login.rs"]);
}

#[test]
fn a_bot_s_commit_on_top_is_rework_of_the_file_it_touched() {
    let case = cases::bot_commit_on_top();
    since(&case, ChangeKind::Rework, &["src/login.rs"]);
    assert_eq!(case.inputs().ancestry, Ancestry::Descendant { own_commits_after: 1 });
}

#[test]
fn an_approved_commit_git_does_not_hold_is_unreachable() {
    assert_eq!(cases::unreachable_approval().since(), Err(Unseen::Unreachable));
}

#[test]
fn a_base_git_does_not_know_is_a_failure_naming_it() {
    let case = Case { base: "release".into(), ..cases::clean_rebase() };
    match case.since() {
        Err(Unseen::Failed { detail }) => assert!(detail.contains("release"), "{detail}"),
        other => panic!("expected a failure, got {other:?}"),
    }
}
