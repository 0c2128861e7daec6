//! Table-style tests of the engine: each builds PR facts by hand and checks the verdict a user sees.

use super::evaluate::evaluate;
use super::load::{load_bundled, load_text};
use super::verdict::*;
use super::{Policy, Tier};
use crate::model::since::{BaseSince, ChangeKind, ChangeSince, Unseen};
use crate::model::*;
use std::path::Path;

/// The example policy from the product's documentation, verbatim.
const EXAMPLE: &str = include_str!("../../examples/flowgate.yml");
const HEAD: &str = "1111111111111111111111111111111111111111";
const OLD: &str = "0000000000000000000000000000000000000000";

fn policy(text: &str) -> Policy {
    load_text(text, Path::new("test.yml")).unwrap_or_else(|e| panic!("policy should load: {e}"))
}

fn example() -> Policy {
    policy(EXAMPLE)
}

/// A PR that passes the example policy: one yellow file, a Jira key, `ai:none`, one approval.
fn pr() -> PrFacts {
    PrFacts {
        repo: Some("acme/shop".into()),
        number: Some(7),
        title: "ABC-1: tidy the cart".into(),
        body: String::new(),
        branch: "feature/tidy".into(),
        base_branch: "main".into(),
        author: Login::new("carol"),
        head_sha: Some(CommitSha::new(HEAD)),
        draft: false,
        labels: vec![label("ai:none")],
        files: vec![file("src/cart.rs")],
        commits: vec![commit(HEAD, "Tidy the cart", "carol", &["src/cart.rs"])],
        reviews: vec![approve("bob", HEAD)],
        visibility: Visibility::default(),
        chains: Default::default(),
        since_approved: Default::default(),
        codeowners: None,
        edited_policy: None,
        provenance: None,
        ai_declaration: None,
    }
}

fn label(name: &str) -> Label {
    Label { name: name.into(), applied_by: None }
}

fn file(path: &str) -> FileChange {
    FileChange::new(path, FileStatus::Modified, 3, 1)
}

fn commit(sha: &str, message: &str, login: &str, files: &[&str]) -> Commit {
    let person =
        GitPerson { name: login.into(), email: format!("{login}@acme.example"), login: Some(Login::new(login)) };
    Commit {
        sha: CommitSha::new(sha),
        message: message.into(),
        author: person.clone(),
        committer: person,
        files: Some(files.iter().map(|f| f.to_string()).collect()),
        parents: Vec::new(),
        tree: None,
    }
}

fn review(login: &str, state: ReviewState, sha: &str) -> Review {
    Review { reviewer: Login::new(login), state, commit_id: Some(CommitSha::new(sha)), submitted_at: None }
}

fn approve(login: &str, sha: &str) -> Review {
    review(login, ReviewState::Approved, sha)
}

fn tier_of<'a>(v: &'a Verdict, path: &str) -> &'a FileVerdict {
    v.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not in verdict"))
}

fn logins(v: &[Login]) -> Vec<&str> {
    v.iter().map(|l| l.as_str()).collect()
}

#[test]
fn baseline_pr_passes() {
    let v = evaluate(&pr(), &example());
    assert_eq!(v.state, State::Pass, "{v:#?}");
    assert_eq!(v.tier, Tier::Yellow);
}

// ---- tiers ----

#[test]
fn a_file_takes_the_highest_matching_tier_and_the_pr_its_highest_file() {
    let mut facts = pr();
    facts.files = vec![file("src/auth/README.md"), file("docs/guide.md"), file("src/cart.rs")];
    let v = evaluate(&facts, &example());
    // src/auth/README.md matches both a red glob and the green **/*.md: red wins.
    assert_eq!(tier_of(&v, "src/auth/README.md").tier, Tier::Red);
    assert_eq!(tier_of(&v, "docs/guide.md").tier, Tier::Green);
    assert_eq!(tier_of(&v, "src/cart.rs").tier, Tier::Yellow);
    assert_eq!(tier_of(&v, "src/cart.rs").reasons, vec![TierReason::Default]);
    assert_eq!(v.tier, Tier::Red);
}

#[test]
fn a_renamed_file_is_judged_by_its_old_path_too() {
    let mut facts = pr();
    facts.files = vec![FileChange {
        previous_path: Some("src/auth/token.rs".into()),
        ..FileChange::new("src/session/token.rs", FileStatus::Renamed, 0, 0)
    }];
    let v = evaluate(&facts, &example());
    let f = tier_of(&v, "src/session/token.rs");
    assert_eq!(f.tier, Tier::Red);
    assert_eq!(f.reasons, vec![TierReason::Glob { glob: "src/auth/**".into(), previous_path: true }]);
}

#[test]
fn a_file_renamed_from_the_default_tier_into_a_green_path_stays_at_the_default_tier() {
    // commons-lang moved a public class from src/main to src/test (tests/realworld/commons-lang).
    let mut facts = pr();
    facts.files = vec![
        FileChange {
            previous_path: Some("src/cart/total.rs".into()),
            ..FileChange::new("tests/total.rs", FileStatus::Renamed, 3, 1)
        },
        FileChange {
            previous_path: Some("docs/old.md".into()),
            ..FileChange::new("docs/new.md", FileStatus::Renamed, 0, 0)
        },
    ];
    let v = evaluate(&facts, &example());
    let moved = tier_of(&v, "tests/total.rs");
    assert_eq!(moved.tier, Tier::Yellow);
    assert_eq!(moved.reasons, vec![TierReason::DefaultPreviousPath]);
    // Green to green stays green, with both globs as reasons.
    assert_eq!(tier_of(&v, "docs/new.md").tier, Tier::Green);
    // A rename the other way (test code into src/) takes the new path's default tier.
    facts.files = vec![FileChange {
        previous_path: Some("tests/total.rs".into()),
        ..FileChange::new("src/cart/total.rs", FileStatus::Renamed, 0, 0)
    }];
    let v = evaluate(&facts, &example());
    assert_eq!(tier_of(&v, "src/cart/total.rs").reasons, vec![TierReason::Default]);
}

#[test]
fn a_single_star_does_not_cross_directories() {
    let p = policy("version: 1\ntiers:\n  red: { paths: ['src/*.rs'] }\n  yellow: { default: true }\n");
    let mut facts = pr();
    facts.files = vec![file("src/main.rs"), file("src/deep/mod.rs")];
    let v = evaluate(&facts, &p);
    assert_eq!(tier_of(&v, "src/main.rs").tier, Tier::Red);
    assert_eq!(tier_of(&v, "src/deep/mod.rs").tier, Tier::Yellow);
}

#[test]
fn a_pr_with_no_files_takes_the_default_tier() {
    let mut facts = pr();
    facts.files.clear();
    assert_eq!(evaluate(&facts, &example()).tier, Tier::Yellow);
}

// ---- linkage ----

#[test]
fn no_story_key_fails_and_says_so() {
    let mut facts = pr();
    facts.title = "Tidy the cart".into();
    let v = evaluate(&facts, &example());
    assert_eq!(v.linkage.state, LinkageState::Fail);
    assert_eq!(v.state, State::Fail);
}

#[test]
fn look_alike_keys_never_link() {
    for title in
        ["Handle UTF-8 names", "Patch CVE-2024-1234", "Use SHA-256 digests", "Dates in ISO-8601", "Follow RFC-2119"]
    {
        let mut facts = pr();
        facts.title = title.into();
        let v = evaluate(&facts, &example());
        assert_eq!(v.linkage.state, LinkageState::Fail, "{title:?} must not count as a story");
    }
}

#[test]
fn keys_of_unconfigured_projects_do_not_count() {
    let mut facts = pr();
    facts.title = "XYZ-12: tidy".into();
    assert_eq!(evaluate(&facts, &example()).linkage.state, LinkageState::Fail);
}

#[test]
fn keys_are_found_in_each_allowed_source_and_normalised() {
    type Edit = fn(&mut PrFacts);
    let cases: [(&str, Edit, &str); 5] = [
        ("branch", |f| f.branch = "alice/eng-42-cart".into(), "ENG-42"),
        ("body", |f| f.body = "Part of [sc-77]".into(), "sc-77"),
        ("body", |f| f.body = "Fixes AB#900".into(), "AB#900"),
        ("body", |f| f.body = "Closes #12".into(), "acme/shop#12"),
        ("commits", |f| f.commits[0].message = "Tidy\n\nRefs PAY-3".into(), "PAY-3"),
    ];
    for (source, edit, key) in cases {
        let mut facts = pr();
        facts.title = "Tidy".into();
        edit(&mut facts);
        let v = evaluate(&facts, &example());
        assert_eq!(v.linkage.keys(), vec![key], "from the {source}");
        assert_eq!(v.linkage.state, LinkageState::Pass);
    }
}

#[test]
fn references_in_code_and_the_prs_own_number_are_not_stories() {
    let mut facts = pr();
    facts.title = "Bump golang.org/x/net".into();
    // supabase/auth#2636: govulncheck output pasted in a fenced block, and inline code.
    facts.body = "Fixes:\n\n```\nVulnerability #1: GO-2026-5970\nVulnerability #2: GO-2026-5971\n```\nSee `#3`.".into();
    // GitHub's squash merge appends the PR's own number to the message it writes.
    facts.commits[0].message = "Bump golang.org/x/net (#7)\n\n* bump".into();
    let v = evaluate(&facts, &example());
    assert!(v.linkage.keys().is_empty(), "{:?}", v.linkage.keys());
    assert_eq!(v.linkage.state, LinkageState::Fail);
    // Outside code, and another PR's number, they still count.
    facts.body = "Fixes #1, follows #3 (#7)".into();
    let v = evaluate(&facts, &example());
    assert_eq!(v.linkage.keys(), vec!["acme/shop#1", "acme/shop#3"]);
}

#[test]
fn a_key_outside_the_allowed_sources_does_not_count() {
    let p = policy(&EXAMPLE.replace("sources: [title, branch, body, commits]", "sources: [title]"));
    let mut facts = pr();
    facts.title = "Tidy".into();
    facts.body = "ABC-1".into();
    assert_eq!(evaluate(&facts, &p).linkage.state, LinkageState::Fail);
}

#[test]
fn exemptions_apply_as_written() {
    let mut bot = pr();
    bot.title = "Bump serde".into();
    bot.author = Login::new("dependabot[bot]");
    assert_eq!(evaluate(&bot, &example()).linkage.exemption, Some(Exemption::Author(Login::new("dependabot[bot]"))));

    let mut labelled = pr();
    labelled.title = "Tidy".into();
    labelled.labels.push(label("no-story"));
    assert_eq!(evaluate(&labelled, &example()).linkage.state, LinkageState::Exempt);

    let mut docs = pr();
    docs.title = "Typos".into();
    docs.files = vec![file("docs/a.md")];
    let v = evaluate(&docs, &example());
    assert_eq!((v.linkage.state, v.linkage.exemption), (LinkageState::Exempt, Some(Exemption::Tier(Tier::Green))));

    // A red PR is not exempt just because one of its files is green.
    let mut mixed = docs.clone();
    mixed.files.push(file("src/auth/x.rs"));
    assert_eq!(evaluate(&mixed, &example()).linkage.state, LinkageState::Fail);
}

#[test]
fn title_and_branch_exemptions_are_regexes() {
    let p = policy(
        "extends: default\nversion: 1\nlinkage:\n  exempt:\n    titles: ['^Revert \"']\n    branches: ['^release/']\n",
    );
    let mut revert = pr();
    revert.title = "Revert \"Tidy the cart\"".into();
    assert_eq!(evaluate(&revert, &p).linkage.state, LinkageState::Exempt);
    let mut release = pr();
    release.title = "Release 1.2".into();
    release.branch = "release/1.2".into();
    assert_eq!(evaluate(&release, &p).linkage.state, LinkageState::Exempt);
}

// ---- AI ----

#[test]
fn undeclared_ai_use_fails_when_disclosure_is_required() {
    let mut facts = pr();
    facts.labels.clear();
    let v = evaluate(&facts, &example());
    assert_eq!(v.ai.problem, Some(AiProblem::NotDeclared));
    assert_eq!(v.state, State::Fail);
}

#[test]
fn each_way_of_declaring_counts() {
    let ways: [fn(&mut PrFacts); 3] = [
        |f| f.labels = vec![label("ai:assisted")],
        |f| f.body = "## AI\n- [x] AI-assisted\n- [ ] No AI".into(),
        |f| f.commits[0].message = "Tidy\n\nAssisted-by: GitHub Copilot".into(),
    ];
    for way in ways {
        let mut facts = pr();
        facts.labels.clear();
        way(&mut facts);
        let v = evaluate(&facts, &example());
        assert_eq!(v.ai.declared, Some(super::ai::markers::Declared::Assisted), "{:?}", v.ai.declarations);
        assert_eq!(v.ai.state, AiState::Pass);
    }
}

#[test]
fn a_declaration_of_no_ai_does_not_hide_a_marker() {
    let mut facts = pr();
    facts.commits[0].message = "Tidy\n\nCo-Authored-By: Claude <noreply@anthropic.com>".into();
    let v = evaluate(&facts, &example());
    assert!(matches!(v.ai.problem, Some(AiProblem::DeclaredNoneButDetected { .. })), "{:?}", v.ai);
    assert_eq!(v.state, State::Fail);
    assert_eq!(v.ai.detected().iter().map(|t| t.id()).collect::<Vec<_>>(), vec!["claude-code"]);
}

#[test]
fn markers_without_a_declaration_follow_on_undeclared() {
    let mut facts = pr();
    facts.labels.clear();
    facts.branch = "cursor/tidy-cart-1a2b".into();
    assert_eq!(evaluate(&facts, &example()).ai.state, AiState::Fail);

    let warn = policy(
        &EXAMPLE
            .replace("on_undeclared: fail", "on_undeclared: warn")
            .replace("disclosure: required", "disclosure: optional"),
    );
    let v = evaluate(&facts, &warn);
    assert_eq!(v.ai.state, AiState::Pass);
    assert!(matches!(v.ai.warning, Some(AiProblem::Undeclared { .. })));
}

#[test]
fn a_spoofed_marker_can_only_raise_requirements() {
    // Someone types a Claude trailer into a red change: the change now also needs the AI review.
    // alice is named in the red tier's `from` but is not in @acme/security here.
    let example = || policy(&EXAMPLE.replace("[alice, bob]", "[bob]"));
    let mut facts = pr();
    facts.labels = vec![label("ai:assisted")];
    facts.files = vec![file("src/auth/login.rs")];
    facts.commits[0].message = "Login\n\nCo-Authored-By: Claude <noreply@anthropic.com>".into();
    facts.commits[0].files = Some(vec!["src/auth/login.rs".into()]);
    facts.reviews = vec![approve("alice", HEAD), approve("dave", HEAD)];
    let v = evaluate(&facts, &example());
    assert!(
        v.review.requirements.iter().any(|r| r.source == RequirementSource::AiTier(Tier::Red) && !r.met),
        "{:?}",
        v.review
    );
    assert_eq!(v.state, State::Pending);
    // Without the marker (and declaring no AI), alice (named in `from`) and dave satisfy red.
    facts.commits[0].message = "Login".into();
    facts.labels = vec![label("ai:none")];
    assert_eq!(evaluate(&facts, &example()).state, State::Pass);
}

#[test]
fn ai_touched_files_come_from_the_marked_commits() {
    let mut facts = pr();
    facts.labels = vec![label("ai:assisted")];
    facts.files = vec![file("src/auth/login.rs"), file("src/cart.rs")];
    facts.commits = vec![
        commit(OLD, "Cart\n\nCo-authored-by: Cursor <cursoragent@cursor.com>", "carol", &["src/cart.rs"]),
        commit(HEAD, "Login", "carol", &["src/auth/login.rs"]),
    ];
    let v = evaluate(&facts, &example());
    assert_eq!(v.ai.files, vec!["src/cart.rs".to_string()]);
    assert_eq!(v.ai.files_basis, AiFilesBasis::MarkedCommits);
    // The AI-touched file is yellow, so the red AI rule does not apply.
    assert!(v.review.requirements.iter().all(|r| r.source == RequirementSource::Tier(Tier::Red)));
}

#[test]
fn without_commit_level_evidence_every_file_is_ai_touched() {
    let mut facts = pr();
    facts.labels = vec![label("ai:assisted")];
    facts.files = vec![file("src/auth/login.rs"), file("src/cart.rs")];
    let v = evaluate(&facts, &example());
    assert_eq!(v.ai.files_basis, AiFilesBasis::AllFiles);
    assert_eq!(v.ai.files.len(), 2);

    // A marked commit whose files are unknown also makes every file AI-touched.
    facts.commits[0].message = "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>".into();
    facts.commits[0].files = None;
    assert_eq!(evaluate(&facts, &example()).ai.files_basis, AiFilesBasis::AllFiles);
}

#[test]
fn exempt_authors_need_no_declaration() {
    let mut facts = pr();
    facts.labels.clear();
    facts.author = Login::new("dependabot[bot]");
    let p = load_bundled("default").expect("bundled default loads");
    let v = evaluate(&facts, &p);
    assert_eq!(v.ai.state, AiState::Pass);
    assert!(v.ai.exemption.is_some());
}

// ---- review ----

fn red_pr(reviews: Vec<Review>) -> PrFacts {
    let mut facts = pr();
    facts.files = vec![file("src/auth/login.rs")];
    facts.reviews = reviews;
    facts
}

#[test]
fn red_needs_two_approvals_with_one_from_the_named_people() {
    let v = evaluate(&red_pr(vec![approve("dave", HEAD), approve("erin", HEAD)]), &example());
    assert_eq!(v.review.state, ReviewStatus::Pending);
    assert_eq!(
        crate::wording::verdict::review_missing(&v),
        vec!["an approval from @acme/security or alice (red tier)"]
    );

    let v = evaluate(&red_pr(vec![approve("dave", HEAD), approve("bob", HEAD)]), &example());
    assert_eq!(v.review.state, ReviewStatus::Pass, "bob is in @acme/security");
    assert_eq!(v.review.required, 2);
}

#[test]
fn only_the_latest_deciding_review_of_each_reviewer_counts() {
    let changed_mind = vec![approve("bob", HEAD), review("bob", ReviewState::ChangesRequested, HEAD)];
    let v = evaluate(&red_pr(changed_mind), &example());
    assert_eq!(logins(&v.review.changes_requested_by), vec!["bob"]);
    assert!(v.review.approved_by.is_empty());

    let came_round =
        vec![review("bob", ReviewState::ChangesRequested, HEAD), approve("bob", HEAD), approve("alice", HEAD)];
    let v = evaluate(&red_pr(came_round), &example());
    assert_eq!(v.review.state, ReviewStatus::Pass);

    // A comment after an approval does not withdraw it; a dismissal does.
    let commented = vec![approve("bob", HEAD), review("bob", ReviewState::Commented, HEAD), approve("alice", HEAD)];
    assert_eq!(evaluate(&red_pr(commented), &example()).review.state, ReviewStatus::Pass);
    let dismissed = vec![approve("bob", HEAD), review("bob", ReviewState::Dismissed, HEAD), approve("alice", HEAD)];
    assert_eq!(logins(&evaluate(&red_pr(dismissed), &example()).review.approved_by), vec!["alice"]);
}

#[test]
fn reviews_are_ordered_by_time_when_times_are_known() {
    let mut late_approval = approve("bob", HEAD);
    late_approval.submitted_at = Some("2026-11-02T12:00:00Z".into());
    let mut early_block = review("bob", ReviewState::ChangesRequested, HEAD);
    early_block.submitted_at = Some("2026-11-02T09:00:00Z".into());
    let v = evaluate(&red_pr(vec![late_approval, early_block]), &example());
    assert_eq!(logins(&v.review.approved_by), vec!["bob"]);
}

#[test]
fn self_committer_bot_and_ai_approvals_never_count() {
    let mut facts = red_pr(vec![
        approve("carol", HEAD),
        approve("alice", HEAD),
        approve("bob", HEAD),
        approve("renovate[bot]", HEAD),
        approve("coderabbitai[bot]", HEAD),
        approve("Copilot", HEAD),
    ]);
    facts.commits.push(commit(OLD, "Fixup", "alice", &[]));
    facts.commits[0].message = "Tidy\n\nCo-authored-by: Bob B <1002+bob@users.noreply.github.com>".into();
    let v = evaluate(&facts, &example());
    assert!(v.review.approved_by.is_empty(), "{:?}", v.review.approved_by);
    let why = |login: &str| v.review.ignored.iter().find(|i| i.reviewer.as_str() == login).map(|i| i.why.clone());
    assert_eq!(why("carol"), Some(IgnoredWhy::Author));
    assert_eq!(why("alice"), Some(IgnoredWhy::Committer));
    assert_eq!(why("bob"), Some(IgnoredWhy::Committer), "co-authored via a noreply address");
    assert_eq!(why("renovate[bot]"), Some(IgnoredWhy::Bot));
    assert_eq!(why("coderabbitai[bot]"), Some(IgnoredWhy::AiReviewer));
    assert_eq!(why("Copilot"), Some(IgnoredWhy::AiReviewer));
}

#[test]
fn stale_approvals_count_only_where_the_tier_dismisses_them() {
    let v = evaluate(&red_pr(vec![approve("alice", OLD), approve("bob", HEAD)]), &example());
    assert_eq!(logins(&v.review.approved_by), vec!["bob"]);
    assert!(matches!(v.review.ignored[0].why, IgnoredWhy::Stale { .. }));
    assert_eq!(v.review.state, ReviewStatus::Pending);

    // Yellow says nothing, so an approval carries when the change it reviewed is the same
    // (`stale: diff`): without a comparison it does not carry; with a clean rebase it does.
    let mut yellow = pr();
    yellow.reviews = vec![approve("bob", OLD)];
    let v = evaluate(&yellow, &example());
    assert_eq!(v.review.state, ReviewStatus::Pending);
    assert!(matches!(v.review.ignored[0].why, IgnoredWhy::Stale { why: StaleWhy::Unseen(Unseen::NotGathered), .. }));
    let rebased =
        ChangeSince { kind: ChangeKind::TrivialRebase, changed: vec![], landed_in_base: vec![], base: BaseSince::Same };
    yellow.since_approved.insert(CommitSha::new(OLD), Ok(rebased));
    let v = evaluate(&yellow, &example());
    assert_eq!(v.review.state, ReviewStatus::Pass);
    assert_eq!(logins(&v.review.carried.iter().map(|c| c.reviewer.clone()).collect::<Vec<_>>()), vec!["bob"]);

    // `stale: never` (or the older `dismiss_stale: false`) counts an approval on any commit.
    yellow.since_approved.clear();
    let never = policy(&EXAMPLE.replace("review: { approvals: 1 }", "review: { approvals: 1, stale: never }"));
    assert_eq!(evaluate(&yellow, &never).review.state, ReviewStatus::Pass);
}

#[test]
fn a_stale_approval_does_not_withdraw_a_request_for_changes() {
    // Found by the property tests: dave asks for changes on the head, then approves an older
    // commit. The approval is stale, so the request for changes still stands.
    let reviews = vec![
        approve("alice", HEAD),
        approve("bob", HEAD),
        review("dave", ReviewState::ChangesRequested, HEAD),
        approve("dave", OLD),
    ];
    let v = evaluate(&red_pr(reviews), &example());
    assert_eq!(logins(&v.review.changes_requested_by), vec!["dave"]);
    assert!(
        v.review.ignored.iter().any(|i| i.reviewer.as_str() == "dave" && matches!(i.why, IgnoredWhy::Stale { .. }))
    );
    assert_eq!(v.review.state, ReviewStatus::Pending);
}

#[test]
fn an_unknown_head_cannot_prove_an_approval_fresh() {
    let mut facts = red_pr(vec![approve("alice", HEAD), approve("bob", HEAD)]);
    facts.head_sha = None;
    let v = evaluate(&facts, &example());
    assert!(v.review.approved_by.is_empty());
    assert!(v.gaps.contains(&Gap::HeadUnknown));
    assert_ne!(v.state, State::Pass);
}

#[test]
fn changes_requested_by_an_eligible_reviewer_keeps_review_pending() {
    let mut facts = pr();
    facts.reviews.push(review("dave", ReviewState::ChangesRequested, HEAD));
    assert_eq!(evaluate(&facts, &example()).state, State::Pending);
    // ... but not when a bot asks for changes.
    facts.reviews.pop();
    facts.reviews.push(review("github-actions[bot]", ReviewState::ChangesRequested, HEAD));
    assert_eq!(evaluate(&facts, &example()).state, State::Pass);
}

#[test]
fn a_team_without_known_members_is_reported() {
    let p = policy(&EXAMPLE.replace("[\"@acme/security\", \"alice\"]", "[\"@acme/platform\"]"));
    let v = evaluate(&red_pr(vec![approve("alice", HEAD), approve("bob", HEAD)]), &p);
    assert_eq!(v.review.state, ReviewStatus::Pending);
    assert_eq!(v.review.requirements[0].unknown_teams, vec!["@acme/platform".to_string()]);
}

// ---- limits, visibility, override ----

#[test]
fn a_pr_over_the_limits_is_red_and_fails() {
    let mut facts = pr();
    facts.files[0].additions = 6000;
    let v = evaluate(&facts, &example());
    assert_eq!((v.tier, v.state), (Tier::Red, State::Fail));
    assert_eq!(v.limits, vec![LimitProblem::TooManyLines { lines: 6001, max: 5000 }]);
}

#[test]
fn lock_generated_vendored_and_comment_only_lines_do_not_count_toward_the_size_limit() {
    use crate::analysis::{ChangeKind, FileAnalysis, SkipReason};
    // linear/linear#952: a 30,220-line yarn.lock beside a small change is a normal PR.
    let mut facts = pr();
    let lines = |path: &str, n: u64| FileChange::new(path, FileStatus::Modified, n, 0);
    let mut headers = lines("src/license.rs", 2000);
    let comments_only = FileAnalysis {
        change: ChangeKind::Comments,
        skipped: None,
        ..FileAnalysis::skipped(SkipReason::NoContents, None)
    };
    headers.analysis = Some(comments_only);
    facts.files = vec![
        lines("src/cart.rs", 120),
        lines("yarn.lock", 30_220),
        lines("vendor/github.com/lib/pq/conn.go", 4000),
        lines("assets/logo.png", 0),
        headers,
    ];
    let v = evaluate(&facts, &example());
    assert!(v.limits.is_empty(), "{:?}", v.limits);
    assert_eq!((v.changed_lines, v.reviewed_lines), (36_340, 120));
    let why: Vec<(&str, &NotReviewed)> = v.not_counted.iter().map(|u| (u.path.as_str(), &u.why)).collect();
    assert_eq!(why.len(), 4, "{why:?}");
    assert!(matches!(why[0], ("yarn.lock", NotReviewed::Generated(w)) if w.contains("lock file")));
    assert_eq!(why[1].1, &NotReviewed::Vendored("vendor".into()));
    assert_eq!(why[2].1, &NotReviewed::Binary);
    assert_eq!(why[3].1, &NotReviewed::Change(ChangeKind::Comments));
    // What is read still counts, whatever sits beside it.
    facts.files[0].additions = 5001;
    let v = evaluate(&facts, &example());
    assert_eq!(v.limits, vec![LimitProblem::TooManyLines { lines: 5001, max: 5000 }]);
}

#[test]
fn github_listing_caps_fail_closed() {
    let mut facts = pr();
    facts.visibility.files_total = Some(3500);
    facts.files = (0..3000).map(|i| file(&format!("docs/{i}.md"))).collect();
    let v = evaluate(&facts, &example());
    assert!(v.limits.contains(&LimitProblem::FilesCapped { listed: 3000, total: Some(3500) }));
    assert_eq!((v.tier, v.state), (Tier::Red, State::Fail));

    let mut commits = pr();
    commits.visibility.commits_total = Some(300);
    commits.commits = (0..250).map(|i| commit(&format!("{i:040}"), "x", "carol", &[])).collect();
    assert_eq!(evaluate(&commits, &example()).state, State::Fail);
}

#[test]
fn what_was_not_provided_keeps_the_gate_from_passing() {
    let mut facts = pr();
    facts.commits.clear();
    facts.visibility.commits_missing = true;
    let v = evaluate(&facts, &example());
    assert_eq!(v.gaps, vec![Gap::CommitsMissing]);
    assert_eq!(v.state, State::Pending);

    let mut partial = pr();
    partial.visibility.files_total = Some(5);
    assert_eq!(evaluate(&partial, &example()).gaps, vec![Gap::FilesIncomplete { listed: 1, total: 5 }]);
}

#[test]
fn the_override_counts_only_from_an_allowed_person() {
    let p = policy(&format!("{EXAMPLE}\nteams:\n  \"@acme/leads\": [lena]\n  \"@acme/security\": [alice, bob]\n").replace("teams:                      # used when the team list cannot be fetched (offline, tests)\n  \"@acme/security\": [alice, bob]\n", ""));
    let mut facts = pr();
    facts.title = "No story".into();
    facts.labels.push(Label { name: "flowgate:override".into(), applied_by: Some(Login::new("lena")) });
    let v = evaluate(&facts, &p);
    assert_eq!((v.rules_state, v.state), (State::Fail, State::Pass));
    assert!(v.override_.as_ref().is_some_and(|o| o.accepted));

    facts.labels.last_mut().expect("label").applied_by = Some(Login::new("carol"));
    assert_eq!(evaluate(&facts, &p).state, State::Fail);
    facts.labels.last_mut().expect("label").applied_by = None;
    let v = evaluate(&facts, &p);
    assert_eq!(v.state, State::Fail);
    assert!(v.override_.as_ref().is_some_and(|o| !o.accepted));
}

#[test]
fn evaluation_is_deterministic() {
    let facts = red_pr(vec![approve("alice", OLD), approve("bob", HEAD)]);
    let p = example();
    assert_eq!(evaluate(&facts, &p), evaluate(&facts, &p));
}

// ---- loading ----

#[test]
fn the_bundled_packs_load() {
    for (name, _) in super::load::BUNDLED {
        let p = load_bundled(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.tiers.default, Tier::Yellow);
    }
}

#[test]
fn extends_merges_key_by_key() {
    let p = policy("version: 1\nextends: default\ntiers:\n  red:\n    review: { approvals: 3 }\n");
    assert_eq!(p.tiers.review[&Tier::Red].approvals, 3);
    // The pack's red paths and its other review settings are kept.
    assert!(p.tiers.owners.iter().any(|(t, g)| *t == Tier::Red && g == "**/migrations/**"));
    assert_eq!(p.tiers.review[&Tier::Red].stale.mode, crate::policy::StaleMode::Diff);
    assert_eq!(p.origin.len(), 2);
}

#[test]
fn policy_errors_name_the_line_and_column() {
    let cases = [
        ("version: 1\ntiers:\n  red:\n    paths: ['src/[auth']\n", 4, "invalid glob"),
        ("version: 1\ntiers:\n  purple: {}\n", 3, "expected one of `red`, `yellow`, `green`"),
        ("version: 1\nlinkage:\n  exempt:\n    titles: ['(unclosed']\n", 4, "invalid regex"),
        ("version: 1\nai:\n  disclosure: sometimes\n", 3, "`required`, `optional`, `off`"),
    ];
    for (text, line, needle) in cases {
        match load_text(text, Path::new("p.yml")) {
            Err(super::LoadError::Syntax { line: l, message, .. }) => {
                assert_eq!(l, line, "{message}");
                assert!(message.contains(needle), "{message:?} should mention {needle:?}");
            }
            other => panic!("expected a syntax error for {text:?}, got {other:?}"),
        }
    }
}

#[test]
fn stale_defaults_to_diff_with_red_keeping_no_update_merge_and_the_older_key_still_reads() {
    use crate::policy::StaleMode;
    let p = policy(
        "version: 1\ntiers:\n  red: { paths: ['src/auth/**'], review: { approvals: 1 } }\n  yellow: { default: true, review: { approvals: 1 } }\n",
    );
    let (red, yellow) = (&p.tiers.review[&Tier::Red].stale, &p.tiers.review[&Tier::Yellow].stale);
    assert_eq!((red.mode, yellow.mode), (StaleMode::Diff, StaleMode::Diff));
    assert!(!red.keeps.contains(&ChangeKind::CleanUpdateMerge) && red.keeps.contains(&ChangeKind::TrivialRebase));
    assert!(yellow.keeps.contains(&ChangeKind::CleanUpdateMerge) && !yellow.keeps.contains(&ChangeKind::Rework));
    let old =
        policy("version: 1\ntiers:\n  yellow: { default: true, review: { approvals: 1, dismiss_stale: false } }\n");
    assert_eq!(old.tiers.review[&Tier::Yellow].stale.mode, StaleMode::Never);
    let chosen = policy(
        "version: 1\ntiers:\n  yellow: { default: true, review: { approvals: 1, stale: owners, stale_keeps: [no_change] } }\n",
    );
    let rule = &chosen.tiers.review[&Tier::Yellow].stale;
    assert_eq!(
        (rule.mode, rule.keeps.iter().copied().collect::<Vec<_>>()),
        (StaleMode::Owners, vec![ChangeKind::NoChange])
    );
}

#[test]
fn contradictory_stale_settings_are_errors_that_say_what_to_keep() {
    let cases = [
        ("review: { approvals: 1, stale: head, dismiss_stale: true }", "sets both `stale` and `dismiss_stale`"),
        ("review: { approvals: 1, stale_keeps: [rework] }", "lists `rework`"),
        ("review: { approvals: 1, stale: head, stale_keeps: [no_change] }", "has no effect with `stale: head`"),
    ];
    for (review, needle) in cases {
        let text = format!("version: 1\ntiers:\n  yellow:\n    default: true\n    {review}\n");
        let error = load_text(&text, Path::new("p.yml")).expect_err(review).to_string();
        assert!(error.contains(needle) && error.contains("tiers.yellow.review"), "{error}");
    }
    let bad_kind = load_text(
        "version: 1\ntiers:\n  yellow:\n    default: true\n    review: { stale: sometimes }\n",
        Path::new("p.yml"),
    );
    assert!(bad_kind.expect_err("unknown mode").to_string().contains("`never`, `owners`, `diff`"));
}

#[test]
fn ai_tool_labels_default_to_the_prefix_and_follow_names_and_colour() {
    use super::ai::markers::AiTool;
    let default = load_bundled("default").expect("pack");
    assert_eq!(default.ai.labels.name(AiTool::ClaudeCode), Some("ai:claude-code"));
    assert_eq!(default.ai.labels.name(AiTool::Other), Some("ai:other"));
    assert_eq!(default.ai.labels.color, "8250df");
    let p = policy(
        "extends: default\nai:\n  labels: { prefix: \"bot/\", names: { copilot: \"AI: Copilot\" }, color: \"#ABCDEF\" }\n",
    );
    assert_eq!(p.ai.labels.name(AiTool::ClaudeCode), Some("bot/claude-code"));
    assert_eq!(p.ai.labels.name(AiTool::Copilot), Some("AI: Copilot"));
    assert_eq!(p.ai.labels.color, "abcdef");
    let off = policy("extends: default\nai:\n  labels: { enabled: false }\n");
    assert_eq!(off.ai.labels.name(AiTool::ClaudeCode), None);
}

#[test]
fn ai_tool_labels_never_take_a_declaration_or_tier_label_and_bad_ones_are_named() {
    let cases = [
        ("names: { copilot: \"ai:assisted\" }", "declaration label ai:assisted"),
        ("names: { copilot: \"AI:None\" }", "declaration label ai:none"),
        ("names: { cursor: \"flowgate:red\" }", "tier labels"),
        ("names: { chatgpt: \"x\" }", "\"chatgpt\", which flowgate does not know"),
        ("names: { copilot: \"ai:cursor\" }", "also the label of"),
        ("prefix: \"an-extremely-long-prefix-that-goes-past-fifty-chars/\"", "longer than GitHub's 50"),
        ("names: { aider: \" \" }", "empty"),
        ("color: red", "not a colour"),
    ];
    for (labels, needle) in cases {
        let text = format!("extends: default\nai:\n  labels: {{ {labels} }}\n");
        match load_text(&text, Path::new("p.yml")) {
            Err(e) => assert!(e.to_string().contains(needle), "{labels}: {e} should mention {needle:?}"),
            Ok(_) => panic!("{labels} should be refused"),
        }
    }
    let unknown_key = load_text("extends: default\nai:\n  labels: { colour: \"8250df\" }\n", Path::new("p.yml"));
    assert!(matches!(unknown_key, Err(super::LoadError::Syntax { line: 3, .. })), "{unknown_key:?}");
}

#[test]
fn a_tier_parses_from_its_id_and_nothing_else() {
    for tier in Tier::ALL {
        assert_eq!(tier.id().parse::<Tier>(), Ok(tier));
    }
    assert_eq!("Red".parse::<Tier>(), Err("`Red` is not a tier: write red, yellow or green".to_string()));
    assert_eq!("".parse::<Tier>(), Err("`` is not a tier: write red, yellow or green".to_string()));
}

#[test]
fn a_queue_tools_prs_are_named_by_account_and_branch_and_never_by_one_alone() {
    let base = "version: 1\ntiers:\n  yellow: { default: true, review: { approvals: 1 } }\n";
    let named = policy(&format!(
        "{base}merge_queue:\n  queue_prs:\n    - {{ author: \"aviator-app[bot]\", branch: \"mq-tmp-\" }}\n"
    ));
    assert_eq!(named.queue_prs.len(), 1);
    assert_eq!(named.queue_prs[0].branch_prefix, "mq-tmp-");
    for bad in ["{ author: \"\", branch: \"mq-tmp-\" }", "{ author: \"aviator-app[bot]\", branch: \" \" }"] {
        let text = format!("{base}merge_queue:\n  queue_prs:\n    - {bad}\n");
        let err = load_text(&text, Path::new("test.yml")).expect_err("a rule that matches too much");
        assert!(err.to_string().contains("each entry needs an `author` and a `branch` prefix"), "{err}");
    }
    let err = load_text(
        &format!("{base}merge_queue:\n  queue_prs:\n    - {{ author: \"a[bot]\" }}\n"),
        Path::new("test.yml"),
    )
    .expect_err("a missing branch");
    assert!(err.to_string().contains("branch"), "{err}");
}
