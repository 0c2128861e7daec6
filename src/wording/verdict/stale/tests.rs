//! Every sentence about an approval on an older commit, both ways.

use super::*;
use crate::model::Login;

fn carried(why: CarriedWhy) -> String {
    let c = CarriedApproval { reviewer: Login::new("alice"), commit: CommitSha::new("abc1234def"), why };
    still_counts(&c, "main", Flavor::Plain)
}

fn stale(why: StaleWhy) -> String {
    no_longer_counts("bob", Some(&CommitSha::new("def5678abc")), &why, "main", Flavor::Plain)
}

#[test]
fn approvals_that_still_count_say_why() {
    let unchanged = |kind| CarriedWhy::Unchanged { kind, landed_in_base: vec![] };
    let lines = [
        carried(unchanged(ChangeKind::NoChange)),
        carried(unchanged(ChangeKind::MessageOnly)),
        carried(unchanged(ChangeKind::TrivialRebase)),
        carried(unchanged(ChangeKind::CleanUpdateMerge)),
        carried(CarriedWhy::Unchanged {
            kind: ChangeKind::TrivialRebase,
            landed_in_base: vec!["src/parent.rs".into()],
        }),
        carried(CarriedWhy::OutsideScope { changed: vec!["docs/a.md".into(), "web/b.ts".into()] }),
    ];
    insta::assert_snapshot!(lines.join("\n"), @r"
    alice's approval on abc1234 still counts: the same change, pushed again
    alice's approval on abc1234 still counts: only commit messages changed
    alice's approval on abc1234 still counts: rebased onto main, every patch unchanged
    alice's approval on abc1234 still counts: main merged in cleanly, every patch unchanged
    alice's approval on abc1234 still counts: rebased onto main, every patch unchanged; src/parent.rs reviewed there is now in main as reviewed
    alice's approval on abc1234 still counts: docs/a.md, web/b.ts changed, none of them in alice's scope
    ");
}

#[test]
fn approvals_that_no_longer_count_say_why() {
    let many: Vec<String> = (1..=7).map(|i| format!("src/f{i}.rs")).collect();
    let lines = [
        stale(StaleWhy::HeadOnly),
        stale(StaleWhy::HeadUnknown),
        stale(StaleWhy::Changed { kind: ChangeKind::Rework, files: vec!["src/auth/login.rs".into()] }),
        stale(StaleWhy::Changed { kind: ChangeKind::Rework, files: many }),
        stale(StaleWhy::Changed { kind: ChangeKind::Rework, files: vec![] }),
        stale(StaleWhy::Changed { kind: ChangeKind::CleanUpdateMerge, files: vec![] }),
        stale(StaleWhy::InScope { files: vec!["src/auth/login.rs".into()] }),
        stale(StaleWhy::Retargeted),
        stale(StaleWhy::Unseen(Unseen::NotGathered)),
        stale(StaleWhy::Unseen(Unseen::Unreachable)),
        stale(StaleWhy::Unseen(Unseen::TooBig { files: Some(300), commits: None })),
        stale(StaleWhy::Unseen(Unseen::TooBig { files: None, commits: Some(250) })),
        stale(StaleWhy::Unseen(Unseen::Failed { detail: "GitHub answered 502".into() })),
        no_longer_counts("bob", None, &StaleWhy::CommitUnknown, "main", Flavor::Plain),
    ];
    insta::assert_snapshot!(lines.join("\n"), @r"
    bob approved def5678, not the head commit; approvals in this tier count only on the head
    bob's approval on def5678 no longer counts: the head commit is unknown, so nothing can be compared with it
    bob's approval on def5678 no longer counts: src/auth/login.rs changed
    bob's approval on def5678 no longer counts: src/f1.rs, src/f2.rs, src/f3.rs, src/f4.rs, src/f5.rs and 2 more changed
    bob's approval on def5678 no longer counts: commits were added on top of it
    bob's approval on def5678 no longer counts: main merged in cleanly, every patch unchanged, and this tier's approvals do not survive an update merge
    bob's approval on def5678 no longer counts: src/auth/login.rs in bob's scope changed
    bob's approval on def5678 no longer counts: the PR was retargeted to main after it
    bob's approval on def5678 no longer counts: flowgate could not compare it with the head: the source holds no comparison for it
    bob's approval on def5678 no longer counts: flowgate could not compare it with the head: the commit is no longer reachable (force-pushed away)
    bob's approval on def5678 no longer counts: flowgate could not compare it with the head: the comparison changes 300 files and GitHub lists at most 300
    bob's approval on def5678 no longer counts: flowgate could not compare it with the head: the comparison holds 250 commits and GitHub lists at most 250
    bob's approval on def5678 no longer counts: flowgate could not compare it with the head: comparing failed (GitHub answered 502)
    bob approved an unknown commit; approvals in this tier count only on the head
    ");
}

#[test]
fn markdown_puts_names_and_paths_in_code() {
    let c = CarriedApproval {
        reviewer: Login::new("alice"),
        commit: CommitSha::new("abc1234def"),
        why: CarriedWhy::Unchanged { kind: ChangeKind::TrivialRebase, landed_in_base: vec![] },
    };
    insta::assert_snapshot!(still_counts(&c, "main", Flavor::Markdown), @"`alice`'s approval on `abc1234` still counts: rebased onto `main`, every patch unchanged");
}
