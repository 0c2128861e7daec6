//! The since histories judged through GitHub: each case rendered by `github_view` into the fake
//! GitHub (the PR, its files and commits, a reviewer's approval on the approved commit, both
//! comparisons, a `base_ref_changed` event only for a retarget) and gated through the live path,
//! under a yellow and a red default tier. An approval must carry or not exactly as local git's
//! reading of the same history says, and cost one comparison (two when the approval covered files
//! the head dropped) and the issue events.

use flowgate::gate::remote;
use flowgate::github::{Credentials, GitHub, RepoName, Token};
use flowgate::model::since::{BaseSince, ChangeKind, ChangeSince, Unseen};
use flowgate::policy::verdict::{CarriedWhy, IgnoredWhy, ReviewVerdict, StaleWhy};
use serde_json::json;

use super::cases;
use super::github_view;
use super::history::Case;
use crate::support::fake_github::{FakeGitHub, Pr, TOKEN};

const REPO: &str = "acme/shop";
const NUMBER: u64 = 7;
/// Not the PR's author (`carol` in `github_view`), and no committer of any case.
const REVIEWER: &str = "dave";

/// A policy whose one tier, the default, asks for one approval; its `stale` is `diff` and its
/// `stale_keeps` the tier's default.
#[derive(Debug, Clone, Copy)]
enum Tier {
    Yellow,
    Red,
}

impl Tier {
    fn policy(self) -> String {
        let name = match self {
            Tier::Yellow => "yellow",
            Tier::Red => "red",
        };
        format!("version: 1\ntiers:\n  {name}:\n    default: true\n    review: {{ approvals: 1 }}\n")
    }

    /// The kinds the tier keeps by default (docs/policy.md, `review.stale_keeps`): red does not
    /// keep a clean update merge.
    fn keeps(self, kind: ChangeKind) -> bool {
        match self {
            Tier::Yellow => kind != ChangeKind::Rework,
            Tier::Red => matches!(kind, ChangeKind::NoChange | ChangeKind::MessageOnly | ChangeKind::TrivialRebase),
        }
    }
}

/// Where the reviewer's approval stands in a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Carried(CarriedWhy),
    Dropped(StaleWhy),
}

/// What the policy makes of local git's reading of the change since the approval.
fn by_git(since: &Result<ChangeSince, Unseen>, tier: Tier) -> Outcome {
    match since {
        Err(unseen) => Outcome::Dropped(StaleWhy::Unseen(unseen.clone())),
        Ok(since) if since.base == (BaseSince::Retargeted { parent_landed: false }) => {
            Outcome::Dropped(StaleWhy::Retargeted)
        }
        Ok(since) if tier.keeps(since.kind) => {
            Outcome::Carried(CarriedWhy::Unchanged { kind: since.kind, landed_in_base: since.landed_in_base.clone() })
        }
        Ok(since) => Outcome::Dropped(StaleWhy::Changed { kind: since.kind, files: since.changed.clone() }),
    }
}

/// Where the reviewer's approval stands in the live path's verdict; checks that it is counted
/// exactly when it carries.
fn by_github(review: &ReviewVerdict) -> Outcome {
    let carried: Vec<_> = review.carried.iter().filter(|c| c.reviewer.as_str() == REVIEWER).collect();
    let dropped: Vec<_> = review
        .ignored
        .iter()
        .filter(|i| i.reviewer.as_str() == REVIEWER)
        .filter_map(|i| match &i.why {
            IgnoredWhy::Stale { why, .. } => Some(why.clone()),
            _ => None,
        })
        .collect();
    let counted = review.approved_by.iter().any(|l| l.as_str() == REVIEWER);
    match (carried.as_slice(), dropped.as_slice()) {
        ([carried], []) if counted => Outcome::Carried(carried.why.clone()),
        ([], [why]) if !counted => Outcome::Dropped(why.clone()),
        _ => panic!("the approval is neither carried nor dropped once: {review:?}"),
    }
}

/// When `rev` was committed, as GitHub writes times; `None` when the repository lacks it.
fn committed_at(case: &Case, rev: &str) -> Option<String> {
    let h = &case.history;
    h.try_git(&["cat-file", "-e", &format!("{rev}^{{commit}}")])
        .then(|| h.git(&["show", "-s", "--format=%cI", rev]).trim().replace("+00:00", "Z"))
}

/// The fake GitHub holding `case` as PR 7 on `main` under `tier`'s policy, with the reviewer's
/// approval on `approved_on`, and a retarget after it when the case is one.
async fn load(case: &Case, tier: Tier, approved_on: &str) -> FakeGitHub {
    let answers = github_view::render(case, NUMBER);
    let body = |path: &str| answers[path].body.clone();
    let list = |path: &str| body(path).as_array().cloned().unwrap_or_default();
    // The approval came when its commit was pushed (a commit GitHub forgot: before anything else).
    let root = case.history.git(&["rev-list", "--max-parents=0", &case.base]);
    let approved_at = committed_at(case, approved_on).or_else(|| committed_at(case, root.trim()));
    let approval = json!({ "id": 1, "user": { "login": REVIEWER, "type": "User" }, "state": "APPROVED",
        "commit_id": approved_on, "submitted_at": approved_at, "body": "" });
    let mut events = Vec::new();
    if case.retargeted {
        // The base changed when the head was pushed, after the approval.
        events.push(json!({ "id": 9, "event": "base_ref_changed", "actor": { "login": "carol" },
            "created_at": committed_at(case, &case.head) }));
    }
    let fake = FakeGitHub::start(REPO).await;
    fake.with(|s| {
        let pr = Pr {
            pull: body(&format!("pulls/{NUMBER}")),
            files: list(&format!("pulls/{NUMBER}/files")),
            commits: list(&format!("pulls/{NUMBER}/commits")),
            reviews: vec![approval],
            events,
            ..Pr::default()
        };
        s.pulls.insert(NUMBER, pr);
        s.contents.insert((case.base.clone(), ".github/flowgate.yml".into()), tier.policy());
        for (path, answer) in &answers {
            let Some((from, to)) = path.strip_prefix("compare/").and_then(|r| r.split_once("...")) else { continue };
            // A comparison GitHub cannot make is left out: the fake answers 404 for it.
            if answer.status == 200 {
                s.compares.insert((from.to_string(), to.to_string()), answer.body.clone());
            }
        }
    });
    fake
}

async fn gate(fake: &FakeGitHub) -> ReviewVerdict {
    let gh = GitHub::new(&fake.uri(), Credentials::Token(Token::new(TOKEN).expect("token"))).expect("client");
    let repo = RepoName::parse(REPO).expect("repo");
    remote::gate(&gh, &repo, NUMBER, None).await.expect("gates").verdict.review
}

/// How many requests the gating made whose path holds `part`.
fn requests(fake: &FakeGitHub, part: &str) -> usize {
    fake.with(|s| s.log.iter().filter(|l| l.url.split('?').next().is_some_and(|p| p.contains(part))).count())
}

/// Every case of the suite, and each again as a retarget after the approval (to `main`: a stacked
/// PR whose parent landed, or a PR moved to another base).
fn every_case() -> Vec<(String, Case)> {
    let mut all = Vec::new();
    for (name, build) in cases::ALL {
        all.push((name.to_string(), build()));
        all.push((format!("{name} (retargeted)"), Case { retargeted: true, ..build() }));
    }
    all
}

#[tokio::test]
async fn every_case_keeps_or_drops_the_approval_through_github_as_local_git_does() {
    let mut carried = 0;
    for (name, case) in every_case() {
        let since = case.since();
        for tier in [Tier::Yellow, Tier::Red] {
            let fake = load(&case, tier, &case.approved).await;
            let remote = by_github(&gate(&fake).await);
            assert_eq!(remote, by_git(&since, tier), "{name} under {tier:?}: GitHub's view against git's");
            carried += usize::from(matches!(remote, Outcome::Carried(_)));
        }
    }
    // Not a suite where nothing carries: rebases, re-pushes, amended messages, a landed parent
    // and a clean update merge under yellow keep the approval.
    assert!(carried >= 10, "{carried} approvals carried");
}

/// Local git recomputes an update merge with `merge-tree` and names the files where the pushed
/// merge differs; GitHub cannot, so the live path relies on the PR's own patches since the base
/// it merged. A hand-resolved conflict or a merge amended with another change shows there as a
/// changed patch, so GitHub reaches git's answer without the merge.
#[tokio::test]
async fn a_hand_resolved_conflict_and_an_amended_merge_are_rework_through_the_patches_alone() {
    for (case, file) in [
        (cases::update_merge_with_a_resolved_conflict(), "src/login.rs"),
        (cases::update_merge_edited_by_hand(), "src/pay.rs"),
    ] {
        assert!(case.inputs().merge_differs.contains(file), "git's merge-tree names {file}");
        for tier in [Tier::Yellow, Tier::Red] {
            let fake = load(&case, tier, &case.approved).await;
            let dropped = StaleWhy::Changed { kind: ChangeKind::Rework, files: vec![file.to_string()] };
            assert_eq!(by_github(&gate(&fake).await), Outcome::Dropped(dropped), "{file} under {tier:?}");
        }
    }
}

#[tokio::test]
async fn each_case_costs_one_comparison_a_second_only_for_dropped_files_and_none_for_the_head() {
    for (name, build) in cases::ALL {
        let case = build();
        // The stack cases' approval covered the parent's src/pay.rs, which the head no longer
        // changes: only the base's side since the approval says whether it landed as reviewed.
        let expected =
            if matches!(name, "squashed_stack_parent" | "stack_parent_changed_before_it_landed") { 2 } else { 1 };
        let fake = load(&case, Tier::Yellow, &case.approved).await;
        gate(&fake).await;
        let cost = (requests(&fake, "/compare/"), requests(&fake, "/issues/7/events"));
        assert_eq!(cost, (expected, 1), "{name}: comparisons and issue events");

        let fake = load(&case, Tier::Yellow, &case.head).await;
        let review = gate(&fake).await;
        assert_eq!(review.approved_by.iter().map(|l| l.as_str()).collect::<Vec<_>>(), [REVIEWER], "{name}");
        let cost = (requests(&fake, "/compare/"), requests(&fake, "/events"));
        assert_eq!(cost, (0, 0), "{name}: an approval on the head needs no comparison");
    }
}

/// GitHub leaves out the patch of a file whose diff it finds too large (a lock file, a generated
/// project file). Without patches the live path has only the blob each change ends with, which
/// cannot tell a file rebased unchanged from the approved file kept over the base's change to it:
/// it may drop an approval git keeps (fail closed), never keep one git drops. Only where both
/// sides leave the base at the same commit (a re-push, an amended message) do equal blobs vouch.
#[tokio::test]
async fn without_patches_github_never_keeps_an_approval_git_drops() {
    let mut kept = Vec::new();
    for (name, build) in cases::ALL {
        let case = build();
        let fake = load(&case, Tier::Yellow, &case.approved).await;
        fake.with(|s| {
            let pr_files = s.pulls.values_mut().flat_map(|pr| pr.files.iter_mut());
            let compared = s.compares.values_mut().flat_map(|c| c["files"].as_array_mut().into_iter().flatten());
            for file in pr_files.chain(compared) {
                file.as_object_mut().map(|f| f.remove("patch"));
            }
        });
        let (remote, git) = (by_github(&gate(&fake).await), by_git(&case.since(), Tier::Yellow));
        if let Outcome::Carried(_) = remote {
            assert_eq!(remote, git, "{name}: kept without patches, so git must keep it alike");
            kept.push(name);
        }
    }
    assert_eq!(kept, ["amended_message", "repushed_commit"]);
}

/// The fake answers the comparisons `github_view` rendered, and nothing else: a request for any
/// other range is a 404, which would read as an unreachable commit.
#[tokio::test]
async fn the_live_path_asks_only_for_the_comparisons_the_history_holds() {
    let case = cases::squashed_stack_parent();
    let fake = load(&case, Tier::Yellow, &case.approved).await;
    gate(&fake).await;
    let base = case.history.sha(&case.base);
    let asked: Vec<String> = fake.with(|s| {
        s.log
            .iter()
            .filter(|l| l.url.contains("/compare/"))
            .map(|l| format!("{} {}", l.status, l.url.split("/compare/").nth(1).unwrap_or_default()))
            .map(|l| l.split('?').next().unwrap_or_default().to_string())
            .collect()
    });
    let approved = &case.approved;
    assert_eq!(asked, [format!("200 {base}...{approved}"), format!("200 {approved}...{base}")]);
}
