//! Each stale mode on hand-built facts: which approvals carry to the head and why, and that
//! whatever was not seen does not carry.

use std::collections::BTreeSet;

use super::*;
use crate::model::since::{ChangeSince, SinceApproved};
use crate::model::{CommitSha, ReviewState};

const HEAD: &str = "2222222222";
const OLD: &str = "1111111111";

fn rule(mode: StaleMode, keeps: &[ChangeKind]) -> StaleRule {
    StaleRule { mode, keeps: keeps.iter().copied().collect() }
}

fn facts(since: Option<Result<ChangeSince, Unseen>>) -> PrFacts {
    let mut since_approved = SinceApproved::new();
    if let Some(s) = since {
        since_approved.insert(CommitSha::new(OLD), s);
    }
    PrFacts { head_sha: Some(CommitSha::new(HEAD)), since_approved, ..PrFacts::default() }
}

fn approval(on: &str) -> Review {
    Review {
        reviewer: Login::new("bob"),
        state: ReviewState::Approved,
        commit_id: Some(CommitSha::new(on)),
        submitted_at: None,
    }
}

fn change(kind: ChangeKind, changed: &[&str]) -> ChangeSince {
    ChangeSince {
        kind,
        changed: changed.iter().map(|s| s.to_string()).collect(),
        landed_in_base: vec![],
        base: BaseSince::Same,
    }
}

fn no_scope(_: &Login) -> Option<BTreeSet<String>> {
    None
}

const KEEP_ALL: &[ChangeKind] =
    &[ChangeKind::NoChange, ChangeKind::MessageOnly, ChangeKind::TrivialRebase, ChangeKind::CleanUpdateMerge];
const RED_KEEPS: &[ChangeKind] = &[ChangeKind::NoChange, ChangeKind::MessageOnly, ChangeKind::TrivialRebase];

#[test]
fn an_approval_on_the_head_is_fresh_in_every_mode() {
    for mode in [StaleMode::Never, StaleMode::Owners, StaleMode::Diff, StaleMode::Head] {
        assert_eq!(standing(&rule(mode, KEEP_ALL), &facts(None), &approval(HEAD), &no_scope), Standing::Fresh);
    }
}

#[test]
fn head_mode_drops_an_older_approval_even_when_nothing_changed() {
    let f = facts(Some(Ok(change(ChangeKind::NoChange, &[]))));
    assert_eq!(
        standing(&rule(StaleMode::Head, &[]), &f, &approval(OLD), &no_scope),
        Standing::Stale(StaleWhy::HeadOnly)
    );
}

#[test]
fn diff_mode_carries_the_kinds_the_tier_keeps_and_only_those() {
    let rebase = facts(Some(Ok(change(ChangeKind::TrivialRebase, &[]))));
    assert!(matches!(
        standing(&rule(StaleMode::Diff, RED_KEEPS), &rebase, &approval(OLD), &no_scope),
        Standing::Carried(CarriedWhy::Unchanged { kind: ChangeKind::TrivialRebase, .. })
    ));
    let merge = facts(Some(Ok(change(ChangeKind::CleanUpdateMerge, &[]))));
    assert!(matches!(
        standing(&rule(StaleMode::Diff, KEEP_ALL), &merge, &approval(OLD), &no_scope),
        Standing::Carried(_)
    ));
    assert_eq!(
        standing(&rule(StaleMode::Diff, RED_KEEPS), &merge, &approval(OLD), &no_scope),
        Standing::Stale(StaleWhy::Changed { kind: ChangeKind::CleanUpdateMerge, files: vec![] }),
        "red keeps no update merge by default"
    );
    let rework = facts(Some(Ok(change(ChangeKind::Rework, &["src/auth/login.rs"]))));
    assert_eq!(
        standing(&rule(StaleMode::Diff, KEEP_ALL), &rework, &approval(OLD), &no_scope),
        Standing::Stale(StaleWhy::Changed { kind: ChangeKind::Rework, files: vec!["src/auth/login.rs".into()] })
    );
}

#[test]
fn what_was_not_seen_never_carries() {
    let r = rule(StaleMode::Diff, KEEP_ALL);
    assert_eq!(
        standing(&r, &facts(None), &approval(OLD), &no_scope),
        Standing::Stale(StaleWhy::Unseen(Unseen::NotGathered))
    );
    let unreachable = facts(Some(Err(Unseen::Unreachable)));
    assert_eq!(
        standing(&r, &unreachable, &approval(OLD), &no_scope),
        Standing::Stale(StaleWhy::Unseen(Unseen::Unreachable))
    );
    let no_head = PrFacts { head_sha: None, ..facts(Some(Ok(change(ChangeKind::NoChange, &[])))) };
    assert_eq!(standing(&r, &no_head, &approval(OLD), &no_scope), Standing::Stale(StaleWhy::HeadUnknown));
    let no_commit = Review { commit_id: None, ..approval(OLD) };
    assert_eq!(standing(&r, &facts(None), &no_commit, &no_scope), Standing::Stale(StaleWhy::CommitUnknown));
}

#[test]
fn a_retarget_drops_the_approval_unless_the_stack_parent_landed() {
    let r = rule(StaleMode::Diff, KEEP_ALL);
    let retargeted =
        ChangeSince { base: BaseSince::Retargeted { parent_landed: false }, ..change(ChangeKind::NoChange, &[]) };
    assert_eq!(
        standing(&r, &facts(Some(Ok(retargeted))), &approval(OLD), &no_scope),
        Standing::Stale(StaleWhy::Retargeted)
    );
    let landed = ChangeSince {
        base: BaseSince::Retargeted { parent_landed: true },
        landed_in_base: vec!["src/parent.rs".into()],
        ..change(ChangeKind::TrivialRebase, &[])
    };
    assert!(matches!(standing(&r, &facts(Some(Ok(landed))), &approval(OLD), &no_scope), Standing::Carried(_)));
}

#[test]
fn owners_mode_keeps_an_approval_when_no_file_in_the_approvers_scope_changed() {
    let r = rule(StaleMode::Owners, KEEP_ALL);
    let rework = facts(Some(Ok(change(ChangeKind::Rework, &["docs/guide.md"]))));
    let auth_owner = |_: &Login| Some(BTreeSet::from(["src/auth/login.rs".to_string()]));
    assert_eq!(
        standing(&r, &rework, &approval(OLD), &auth_owner),
        Standing::Carried(CarriedWhy::OutsideScope { changed: vec!["docs/guide.md".into()] })
    );
    let in_scope = facts(Some(Ok(change(ChangeKind::Rework, &["docs/guide.md", "src/auth/login.rs"]))));
    assert_eq!(
        standing(&r, &in_scope, &approval(OLD), &auth_owner),
        Standing::Stale(StaleWhy::InScope { files: vec!["src/auth/login.rs".into()] })
    );
    // Someone who answers for no file in particular reviewed everything: any change drops it.
    assert!(matches!(standing(&r, &rework, &approval(OLD), &no_scope), Standing::Stale(StaleWhy::Changed { .. })));
}

#[test]
fn never_mode_counts_an_approval_on_any_commit_as_before() {
    assert_eq!(standing(&rule(StaleMode::Never, &[]), &facts(None), &approval(OLD), &no_scope), Standing::Fresh);
}

#[test]
fn the_strictest_rule_in_play_wins_with_only_the_kinds_every_rule_keeps() {
    let tier = rule(StaleMode::Diff, KEEP_ALL);
    let ai_red = rule(StaleMode::Diff, RED_KEEPS);
    assert_eq!(StaleRule::strictest([&tier, &ai_red].into_iter()), ai_red);
    let head = rule(StaleMode::Head, &[]);
    assert_eq!(StaleRule::strictest([&tier, &head].into_iter()).mode, StaleMode::Head);
    assert_eq!(StaleRule::strictest(std::iter::empty()).mode, StaleMode::Never);
}

/// A policy whose yellow tier keeps approvals by scope, with the security team listed or not.
fn owners_policy(teams: &str) -> Policy {
    let text = format!(
        "version: 1\ntiers:\n  yellow: {{ default: true, review: {{ approvals: 1, stale: owners }} }}\n{teams}"
    );
    crate::policy::load::load_text(&text, std::path::Path::new("p.yml")).expect("policy")
}

fn with_codeowners(text: &str, changed: &[&str]) -> PrFacts {
    let mut f = facts(Some(Ok(change(ChangeKind::Rework, changed))));
    f.files = vec![
        crate::model::FileChange::new("src/auth/login.rs", crate::model::FileStatus::Modified, 1, 1),
        crate::model::FileChange::new("docs/guide.md", crate::model::FileStatus::Modified, 1, 1),
    ];
    f.codeowners = Some(BaseCodeowners::from_text(".github/CODEOWNERS", text));
    f
}

#[test]
fn a_code_owners_scope_comes_from_codeowners_on_the_base_and_teams_must_be_known() {
    let policy = owners_policy("");
    let codeowners = "/src/auth/ @bob\n/docs/ @carol\n";
    let docs_changed = with_codeowners(codeowners, &["docs/guide.md"]);
    let bob = |w: &Login| scope(&policy, &docs_changed, &[], w);
    assert_eq!(bob(&Login::new("bob")), Some(BTreeSet::from(["src/auth/login.rs".to_string()])));
    assert!(matches!(
        standing(&rule(StaleMode::Owners, KEEP_ALL), &docs_changed, &approval(OLD), &bob),
        Standing::Carried(_)
    ));

    let auth_changed = with_codeowners(codeowners, &["src/auth/login.rs"]);
    let bob = |w: &Login| scope(&policy, &auth_changed, &[], w);
    assert!(matches!(
        standing(&rule(StaleMode::Owners, KEEP_ALL), &auth_changed, &approval(OLD), &bob),
        Standing::Stale(StaleWhy::InScope { .. })
    ));

    // A team owner whose members are unknown: bob might be in it, so his scope cannot be told.
    let team = with_codeowners("/src/auth/ @acme/security\n/docs/ @carol\n", &["docs/guide.md"]);
    assert_eq!(scope(&policy, &team, &[], &Login::new("bob")), None);
    let listed = owners_policy("teams:\n  \"@acme/security\": [bob]\n");
    assert_eq!(scope(&listed, &team, &[], &Login::new("bob")), Some(BTreeSet::from(["src/auth/login.rs".to_string()])));

    // A CODEOWNERS with errors cannot tell anyone's scope either.
    let broken = with_codeowners("/src/auth/ @bob\n!oops @carol\n", &["docs/guide.md"]);
    assert_eq!(scope(&policy, &broken, &[], &Login::new("bob")), None);
}
