//! The engine's invariants as properties over generated pull requests: adding a red file never
//! lowers the tier; a declaration never hides a marker; removing an approval never turns a fail
//! into a pass; a stale approval never counts. PRs are built from small alphabets of paths,
//! people, commits, reviews and labels that hit every tier and rule of `examples/flowgate.yml`.
//! Cases come from `FLOWGATE_FUZZ_CASES`, as in tests/it/fuzz.rs; proptest keeps minimised failures
//! in `tests/properties.proptest-regressions`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

use flowgate::model::{
    Commit, CommitSha, FileChange, FileStatus, GitPerson, Label, Login, PrFacts, Review, ReviewState,
};
use flowgate::policy::load::{load_file, load_text};
use flowgate::policy::verdict::AiState;
use flowgate::{Policy, State, Tier, Verdict, evaluate};

const HEAD: &str = "1111111111111111111111111111111111111111";
const OLD: &str = "2222222222222222222222222222222222222222";
const AUTHOR: &str = "erin";

fn config() -> ProptestConfig {
    let cases = std::env::var("FLOWGATE_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

fn example_policy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml")
}

static POLICY: LazyLock<Policy> = LazyLock::new(|| load_file(&example_policy()).expect("the example policy loads"));

/// The example policy with stale approvals dismissed in every tier, not only red.
static DISMISS_STALE: LazyLock<Policy> = LazyLock::new(|| {
    let text = std::fs::read_to_string(example_policy()).unwrap();
    let text = text.replace("review: { approvals: 1 }", "review: { approvals: 1, dismiss_stale: true }");
    assert_eq!(text.matches("dismiss_stale: true").count(), 3);
    load_text(&text, &example_policy()).expect("the variant loads")
});

const RED: &[&str] = &["src/auth/login.rs", "db/migrations/001_init.sql", ".github/workflows/ci.yml"];
const PATHS: &[&str] = &[
    "src/auth/login.rs",
    "db/migrations/001_init.sql",
    ".github/workflows/ci.yml",
    "src/api/handler.rs",
    "lib/pay.go",
    "docs/guide.md",
    "README.md",
    "tests/login_test.rs",
];
const REVIEWERS: &[&str] =
    &["alice", "bob", "carol", "dave", AUTHOR, "copilot-pull-request-reviewer[bot]", "renovate[bot]"];
const MESSAGES: &[&str] = &[
    "Fix login",
    "ABC-123: fix login",
    "Fix login\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    "Tidy\n\nAssisted-by: Copilot",
    "Tidy\n\nAI-Assisted: none",
    "Tidy\n\nCo-authored-by: bob <bob@example.com>",
    "aider: rename the handler",
];
const TITLES: &[&str] = &["Fix login ABC-123", "Fix login", "ENG-42 tidy the handler"];
const BODIES: &[&str] = &[
    "",
    "Part of PAY-7",
    "- [x] No AI was used",
    "- [x] AI-assisted",
    "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
];
const BRANCHES: &[&str] = &["feature/ABC-123-login", "fix-login", "copilot/fix-login"];
const LABELS: &[&str] = &["ai:none", "ai:assisted", "ai:generated", "no-story", "flowgate:override", "bug"];

fn file() -> impl Strategy<Value = FileChange> {
    let status = select(&[FileStatus::Added, FileStatus::Modified, FileStatus::Removed, FileStatus::Renamed][..]);
    (select(PATHS), status, 0u64..300, 0u64..300, select(PATHS)).prop_map(|(path, status, add, del, old)| {
        let mut f = FileChange::new(path, status, add, del);
        if status == FileStatus::Renamed {
            f.previous_path = Some(old.to_string());
        }
        f
    })
}

fn person(login: &str) -> GitPerson {
    GitPerson { name: login.to_string(), email: format!("{login}@example.com"), login: Some(Login::new(login)) }
}

fn commit() -> impl Strategy<Value = Commit> {
    (select(MESSAGES), select(&[AUTHOR, AUTHOR, "bob", "Claude"][..]), select(&[HEAD, OLD, "3333333"][..])).prop_map(
        |(message, who, sha)| Commit {
            sha: CommitSha::new(sha),
            message: message.to_string(),
            author: person(who),
            committer: person(AUTHOR),
            files: None,
            ..Commit::default()
        },
    )
}

fn review() -> impl Strategy<Value = Review> {
    let state = select(
        &[
            ReviewState::Approved,
            ReviewState::Approved,
            ReviewState::ChangesRequested,
            ReviewState::Commented,
            ReviewState::Dismissed,
            ReviewState::Pending,
        ][..],
    );
    (select(REVIEWERS), state, select(&[Some(HEAD), Some(HEAD), Some(OLD), None][..])).prop_map(|(who, state, on)| {
        Review { reviewer: Login::new(who), state, commit_id: on.map(CommitSha::new), submitted_at: None }
    })
}

fn label() -> impl Strategy<Value = Label> {
    (select(LABELS), select(&[None, Some("alice"), Some(AUTHOR)][..]))
        .prop_map(|(name, by)| Label { name: name.to_string(), applied_by: by.map(Login::new) })
}

fn pr() -> impl Strategy<Value = PrFacts> {
    (
        (select(TITLES), select(BODIES), select(BRANCHES), proptest::bool::weighted(0.9)),
        proptest::collection::vec(file(), 0..6),
        proptest::collection::vec(commit(), 0..4),
        proptest::collection::vec(review(), 0..7),
        proptest::collection::vec(label(), 0..3),
        proptest::bool::weighted(0.3),
    )
        .prop_map(|((title, body, branch, head_known), files, commits, mut reviews, labels, timed)| {
            // Either every review has a time or none has: the engine orders by time only then.
            if timed {
                let n = reviews.len();
                for (i, r) in reviews.iter_mut().enumerate() {
                    r.submitted_at = Some(format!("2026-12-0{}T10:00:00Z", 1 + (i * 7 + n) % 9));
                }
            }
            PrFacts {
                repo: Some("acme/shop".to_string()),
                number: Some(7),
                title: title.to_string(),
                body: body.to_string(),
                branch: branch.to_string(),
                base_branch: "main".to_string(),
                author: Login::new(AUTHOR),
                head_sha: head_known.then(|| CommitSha::new(HEAD)),
                labels,
                files,
                commits,
                reviews,
                ..PrFacts::default()
            }
        })
}

/// The gate's answer before any override: what the rules themselves say.
fn rules(v: &Verdict) -> State {
    v.rules_state
}

fn not_better(before: &Verdict, after: &Verdict) -> Result<(), TestCaseError> {
    prop_assert!(
        rules(after) >= rules(before),
        "the rules went from {:?} to {:?}\nbefore: {:#?}\nafter: {:#?}",
        rules(before),
        rules(after),
        before.review,
        after.review
    );
    prop_assert!(after.state >= before.state || after.override_.as_ref().is_some_and(|o| o.accepted));
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn adding_a_red_file_never_lowers_the_tier(facts in pr(), red in select(RED), lines in 0u64..300) {
        let before = evaluate(&facts, &POLICY);
        let mut more = facts.clone();
        more.files.push(FileChange::new(red, FileStatus::Modified, lines, 0));
        let after = evaluate(&more, &POLICY);
        prop_assert_eq!(after.tier, Tier::Red);
        prop_assert!(after.tier >= before.tier);
        not_better(&before, &after)?;
    }

    #[test]
    fn a_declaration_never_hides_a_marker(facts in pr(), how in 0usize..3) {
        let before = evaluate(&facts, &POLICY);
        let mut declared = facts.clone();
        match how {
            0 => declared.labels.push(Label { name: "ai:none".into(), applied_by: Some(Login::new(AUTHOR)) }),
            1 => declared.body.push_str("\n\n- [x] No AI was used\nAI: none\n"),
            _ => match declared.commits.last_mut() {
                Some(c) => c.message.push_str("\n\nAI-Assisted: none"),
                None => declared.body.push_str("\nAI-Assisted: none\n"),
            },
        }
        let after = evaluate(&declared, &POLICY);
        let markers = |v: &Verdict| v.ai.markers.iter().cloned().collect::<BTreeSet<_>>();
        prop_assert!(markers(&after).is_superset(&markers(&before)), "markers before {:?}, after {:?}", before.ai.markers, after.ai.markers);
        if !before.ai.markers.is_empty() {
            prop_assert!(!(before.ai.state == AiState::Fail && after.ai.state == AiState::Pass), "a declaration of no AI passed the AI check");
            not_better(&before, &after)?;
        }
    }

    #[test]
    fn removing_an_approval_never_turns_a_fail_into_a_pass(
        mut facts in pr(),
        extra in review(),
        at in any::<proptest::sample::Index>(),
        pick in any::<proptest::sample::Index>(),
    ) {
        // Every case has at least one approval to remove.
        let at = at.index(facts.reviews.len() + 1);
        facts.reviews.insert(at, Review { state: ReviewState::Approved, submitted_at: facts.reviews.first().and_then(|r| r.submitted_at.clone()), ..extra });
        let approvals: Vec<usize> = facts.reviews.iter().enumerate().filter(|(_, r)| r.state == ReviewState::Approved).map(|(i, _)| i).collect();
        let before = evaluate(&facts, &POLICY);
        let mut fewer = facts.clone();
        fewer.reviews.remove(approvals[pick.index(approvals.len())]);
        let after = evaluate(&fewer, &POLICY);
        prop_assert!(!(before.state == State::Fail && after.state == State::Pass));
        not_better(&before, &after)?;
    }

    #[test]
    fn a_stale_approval_never_counts(facts in pr(), who in select(REVIEWERS), on in select(&[Some(OLD), None][..])) {
        // Where every tier dismisses stale approvals, a counted approval was given on the head.
        let v = evaluate(&facts, &DISMISS_STALE);
        for login in &v.review.approved_by {
            let on_head = |r: &Review| r.commit_id.as_ref().map(CommitSha::as_str) == Some(HEAD);
            let fresh = facts.reviews.iter().any(|r| &r.reviewer == login && r.state == ReviewState::Approved && on_head(r));
            prop_assert!(fresh && facts.head_sha.is_some(), "{} counted without an approval on the head", login);
        }
        let before = evaluate(&facts, &DISMISS_STALE);
        let mut stale = facts.clone();
        stale.reviews.push(Review { reviewer: Login::new(who), state: ReviewState::Approved, commit_id: on.map(CommitSha::new), submitted_at: None });
        if facts.reviews.iter().all(|r| r.submitted_at.is_some()) && !facts.reviews.is_empty() {
            stale.reviews.last_mut().unwrap().submitted_at = Some("2026-12-31T00:00:00Z".to_string());
        }
        let after = evaluate(&stale, &DISMISS_STALE);
        let counted = |v: &Verdict| v.review.approved_by.iter().map(|l| l.as_str().to_ascii_lowercase()).collect::<BTreeSet<_>>();
        prop_assert!(counted(&after).is_subset(&counted(&before)), "{:?} counted, was {:?}", after.review.approved_by, before.review.approved_by);
        not_better(&before, &after)?;
    }
}
