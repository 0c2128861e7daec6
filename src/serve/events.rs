//! Which deliveries the App acts on, and what each is about: pure functions of the event name and
//! the payload, so the routing of every event is tested without a server.

use serde::Deserialize;
use serde::de::IgnoredAny;

pub use crate::wording::app::Ignored;

/// What a delivery asks of the App.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Evaluate this PR again (and record the event).
    Evaluate { installation_id: Option<i64>, repo: String, pr: i64 },
    /// The set of installed repositories changed.
    Installation { installation_id: Option<i64> },
    /// A merge queue asks for the check on a merge group's head commit.
    MergeGroup { installation_id: Option<i64>, repo: String },
    /// A push changed a policy file on `branch`: its open PRs are gated again (onboarding).
    PolicyChanged { installation_id: Option<i64>, repo: String, branch: String },
    /// Answered, then dropped, saying why.
    Ignore(Ignored),
}

const PR_ACTIONS: [&str; 11] = [
    "opened",
    "reopened",
    "synchronize",
    "edited",
    "ready_for_review",
    "converted_to_draft",
    "labeled",
    "unlabeled",
    "review_requested",
    "review_request_removed",
    "closed",
];
const REVIEW_ACTIONS: [&str; 3] = ["submitted", "edited", "dismissed"];

/// The slash commands a PR comment may give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Recheck,
    Explain,
    /// Choose reviewers again, replacing those requested who have not reviewed.
    Reassign,
    /// The commenter is away, until the end of the given day (UTC) or until they say otherwise.
    Unavailable {
        until: Option<chrono::NaiveDate>,
    },
    /// The commenter is back.
    Available,
    /// The commenter, asked to review, steps out of this PR's turn for this many hours (at most
    /// `SNOOZE_MAX_HOURS`): no reminder, and their wait starts again when it ends.
    Snooze {
        hours: u32,
    },
    /// The commenter's snooze on this PR ends now.
    SnoozeOff,
}

/// The longest snooze: two weeks.
pub const SNOOZE_MAX_HOURS: u32 = 14 * 24;

/// `4h`, `1d`, `2d`: hours or days, from an hour to two weeks.
fn snooze_hours(text: &str) -> Option<u32> {
    let (number, per) = match text.chars().last()? {
        'h' => (&text[..text.len() - 1], 1),
        'd' => (&text[..text.len() - 1], 24),
        _ => return None,
    };
    if !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours = number.parse::<u32>().ok()?.checked_mul(per)?;
    (1..=SNOOZE_MAX_HOURS).contains(&hours).then_some(hours)
}

/// Reads a `/flowgate` command (`recheck`, `explain`, `reassign`, `unavailable [until YYYY-MM-DD]`,
/// `available`, `snooze 4h|1d|…|off`) at the start of a line of a comment.
pub fn command(comment: &str) -> Option<Command> {
    comment.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next() != Some("/flowgate") {
            return None;
        }
        match (words.next(), words.next()) {
            (Some("recheck"), None) => Some(Command::Recheck),
            (Some("explain"), None) => Some(Command::Explain),
            (Some("reassign"), None) => Some(Command::Reassign),
            (Some("available"), None) => Some(Command::Available),
            (Some("snooze"), Some("off")) => words.next().is_none().then_some(Command::SnoozeOff),
            (Some("snooze"), Some(span)) => {
                let hours = snooze_hours(span)?;
                words.next().is_none().then_some(Command::Snooze { hours })
            }
            (Some("unavailable"), None) => Some(Command::Unavailable { until: None }),
            (Some("unavailable"), Some("until")) => {
                let date = chrono::NaiveDate::parse_from_str(words.next()?, "%Y-%m-%d").ok()?;
                words.next().is_none().then_some(Command::Unavailable { until: Some(date) })
            }
            _ => None,
        }
    })
}

/// The few fields of a payload that route it. Deserialising only these skips the rest of a
/// payload of tens of kilobytes without building it, which is most of what acknowledging costs.
#[derive(Debug, Default, Deserialize)]
pub struct Envelope {
    pub action: Option<String>,
    pub installation: Option<Id>,
    pub repository: Option<Repository>,
    pub pull_request: Option<Number>,
    pub issue: Option<Issue>,
    pub comment: Option<Comment>,
    pub check_run: Option<CheckRun>,
    /// "Re-run all checks" on a PR sends the suite, with the same list of pull requests.
    pub check_suite: Option<CheckRun>,
    pub merge_group: Option<MergeGroup>,
    /// A push's ref (`refs/heads/BRANCH`), its commits, and whether it deleted the branch or
    /// rewrote it.
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    pub commits: Option<Vec<PushCommit>>,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub forced: bool,
}

/// A commit of a push, with the paths it added, modified and removed.
#[derive(Debug, Deserialize)]
pub struct PushCommit {
    #[serde(default)]
    pub added: Vec<String>,
    #[serde(default)]
    pub modified: Vec<String>,
    #[serde(default)]
    pub removed: Vec<String>,
}

/// GitHub lists at most this many commits in a push; a push of more may hide a policy change.
const PUSH_COMMITS_LISTED: usize = 2048;

/// Whether a path may be a policy file, conservatively: any YAML file under `.github/` (the
/// policy, and files it may extend).
pub fn is_policy_path(path: &str) -> bool {
    path.strip_prefix(".github/").is_some_and(|rest| rest.ends_with(".yml") || rest.ends_with(".yaml"))
}

/// Whether `repo` is an organisation's `.github` repository, where its baselines live (its
/// `.github/flowgate-baselines.yml`, and the baseline policies it names, anywhere in it).
pub fn is_org_config_repo(repo: &str) -> bool {
    repo.split_once('/').is_some_and(|(_, name)| name.eq_ignore_ascii_case(".github"))
}

/// The branch a push changed a policy file on, if it did: a branch push (not a deletion) whose
/// commits touch a policy path (in an organisation's `.github` repository, any YAML file: a
/// baseline may be anywhere there), or that rewrote the branch or listed too many commits to tell.
pub fn policy_push(payload: &Envelope) -> Option<String> {
    let branch = payload.git_ref.as_deref()?.strip_prefix("refs/heads/")?;
    if payload.deleted || branch.is_empty() {
        return None;
    }
    let org_config = payload.repository.as_ref().and_then(|r| r.full_name.as_deref()).is_some_and(is_org_config_repo);
    let commits = payload.commits.as_deref().unwrap_or_default();
    let touched = commits
        .iter()
        .flat_map(|c| c.added.iter().chain(&c.modified).chain(&c.removed))
        .any(|path| is_policy_path(path) || (org_config && (path.ends_with(".yml") || path.ends_with(".yaml"))));
    (touched || payload.forced || commits.len() >= PUSH_COMMITS_LISTED).then(|| branch.to_string())
}

#[derive(Debug, Deserialize)]
pub struct MergeGroup {
    pub head_sha: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Id {
    pub id: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct Repository {
    pub full_name: Option<String>,
    pub default_branch: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Number {
    pub number: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct Issue {
    pub number: Option<i64>,
    /// Present when the issue is a pull request.
    pub pull_request: Option<IgnoredAny>,
    pub user: Option<User>,
}

#[derive(Debug, Deserialize)]
pub struct Comment {
    pub body: Option<String>,
    pub user: Option<User>,
    /// The commenter's relation to the repository: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, ...
    pub author_association: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct User {
    pub login: Option<String>,
}

/// Who may give a `/flowgate` command: people with a say in the repository, and the PR's author.
/// Anyone else could make the App spend its API budget, or post explanations, at will.
const COMMANDERS: [&str; 3] = ["OWNER", "MEMBER", "COLLABORATOR"];

#[derive(Debug, Deserialize)]
pub struct CheckRun {
    #[serde(default)]
    pub pull_requests: Vec<Number>,
    /// A suite's branch (`gh-readonly-queue/...` for a merge group's commit).
    pub head_branch: Option<String>,
    /// A run's suite, which names the branch.
    pub check_suite: Option<Box<CheckRun>>,
}

impl CheckRun {
    /// The merge-queue branch this run or suite is on, when it is on one.
    fn queue_branch(&self) -> Option<&str> {
        let branch = self.head_branch.as_deref().or_else(|| self.check_suite.as_ref()?.head_branch.as_deref())?;
        branch.starts_with("gh-readonly-queue/").then_some(branch)
    }
}

impl Envelope {
    pub fn installation_id(&self) -> Option<i64> {
        self.installation.as_ref().and_then(|i| i.id)
    }
}

pub fn intent(event: &str, payload: &Envelope) -> Intent {
    let action = payload.action.as_deref().unwrap_or_default();
    let installation_id = payload.installation_id();
    let repo = payload.repository.as_ref().and_then(|r| r.full_name.clone());
    let evaluate = |pr: Option<i64>| match (repo.clone(), pr) {
        (Some(repo), Some(pr)) => Intent::Evaluate { installation_id, repo, pr },
        _ => Intent::Ignore(Ignored::NoPullRequest),
    };
    match event {
        "pull_request" | "pull_request_review"
            if PR_ACTIONS.contains(&action) && event == "pull_request"
                || REVIEW_ACTIONS.contains(&action) && event == "pull_request_review" =>
        {
            evaluate(payload.pull_request.as_ref().and_then(|p| p.number))
        }
        "check_run" | "check_suite" if action == "rerequested" => {
            let run = if event == "check_run" { payload.check_run.as_ref() } else { payload.check_suite.as_ref() };
            match (run.and_then(CheckRun::queue_branch), repo.clone()) {
                // Re-running flowgate on a merge group's commit verifies the group again.
                (Some(_), Some(repo)) => Intent::MergeGroup { installation_id, repo },
                // Only runs of our own app are rerequested to us; a fork's run lists no PR.
                _ => evaluate(run.and_then(|c| c.pull_requests.first()).and_then(|p| p.number)),
            }
        }
        "issue_comment" if action == "created" => {
            let Some(issue) = payload.issue.as_ref().filter(|i| i.pull_request.is_some()) else {
                return Intent::Ignore(Ignored::IssueComment);
            };
            let comment = payload.comment.as_ref();
            if command(comment.and_then(|c| c.body.as_deref()).unwrap_or_default()).is_none() {
                return Intent::Ignore(Ignored::NoCommand);
            }
            let login = |u: Option<&User>| u.and_then(|u| u.login.clone());
            let by_author = login(comment.and_then(|c| c.user.as_ref())).is_some_and(|commenter| {
                login(issue.user.as_ref()).is_some_and(|author| author.eq_ignore_ascii_case(&commenter))
            });
            let by_collaborator = comment
                .and_then(|c| c.author_association.as_deref())
                .is_some_and(|a| COMMANDERS.iter().any(|c| c.eq_ignore_ascii_case(a)));
            if !(by_author || by_collaborator) {
                return Intent::Ignore(Ignored::NotACommander);
            }
            evaluate(issue.number)
        }
        "installation" | "installation_repositories" => Intent::Installation { installation_id },
        "push" => match (repo, policy_push(payload)) {
            (Some(repo), Some(branch)) => Intent::PolicyChanged { installation_id, repo, branch },
            _ => Intent::Ignore(Ignored::PushWithoutPolicy),
        },
        "merge_group" if action == "checks_requested" => {
            match (repo, payload.merge_group.as_ref().and_then(|g| g.head_sha.as_ref())) {
                (Some(repo), Some(_)) => Intent::MergeGroup { installation_id, repo },
                _ => Intent::Ignore(Ignored::NoMergeGroupHead),
            }
        }
        // `destroyed`: the group merged, or the queue gave it up; its check no longer matters.
        "merge_group" => Intent::Ignore(Ignored::MergeGroupEnded),
        "pull_request" | "pull_request_review" | "check_run" | "check_suite" | "issue_comment" => {
            Intent::Ignore(Ignored::Action)
        }
        _ => Intent::Ignore(Ignored::Event),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn intent(event: &str, payload: &Value) -> Intent {
        super::intent(event, &serde_json::from_value(payload.clone()).unwrap())
    }

    fn fixture(name: &str) -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/webhooks/").to_string() + name;
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn real_pull_request_and_review_payloads_evaluate_their_pr() {
        for name in [
            "pull_request.opened.payload.json",
            "pull_request.labeled.payload.json",
            "pull_request_review.submitted.payload.json",
        ] {
            let (event, _) = name.split_once('.').unwrap();
            assert_eq!(
                intent(event, &fixture(name)),
                Intent::Evaluate { installation_id: Some(1), repo: "Codertocat/Hello-World".into(), pr: 2 },
                "{name}"
            );
        }
    }

    #[test]
    fn other_actions_and_events_are_dropped_with_a_reason() {
        let mut payload = fixture("pull_request.opened.payload.json");
        payload["action"] = "assigned".into();
        assert!(matches!(intent("pull_request", &payload), Intent::Ignore(_)));
        assert!(matches!(intent("deployment", &payload), Intent::Ignore(Ignored::Event)));
        assert!(matches!(intent("pull_request", &serde_json::json!({"action": "opened"})), Intent::Ignore(_)));
    }

    #[test]
    fn comments_count_only_with_a_command_on_a_pr() {
        let comment = |body: &str, on_pr: bool| {
            serde_json::json!({
                "action": "created", "installation": {"id": 5}, "repository": {"full_name": "a/b"},
                "issue": {"number": 9, "pull_request": if on_pr { serde_json::json!({"url": "x"}) } else { Value::Null }},
                "comment": {"body": body, "user": {"login": "carol"}, "author_association": "MEMBER"}
            })
        };
        let evaluate = Intent::Evaluate { installation_id: Some(5), repo: "a/b".into(), pr: 9 };
        assert_eq!(intent("issue_comment", &comment("thanks!\n/flowgate recheck", true)), evaluate);
        assert!(matches!(intent("issue_comment", &comment("/flowgate recheck", false)), Intent::Ignore(_)));
        assert!(matches!(intent("issue_comment", &comment("/flowgate dance", true)), Intent::Ignore(_)));
        assert_eq!(command("  /flowgate explain  "), Some(Command::Explain));
        assert_eq!(command("/flowgaterecheck"), None, "the command is a word of its own");
        assert_eq!(command("/flowgate recheck please"), None);
        assert_eq!(command("/flowgate reassign"), Some(Command::Reassign));
        assert_eq!(command("/flowgate unavailable"), Some(Command::Unavailable { until: None }));
        assert_eq!(
            command("/flowgate unavailable until 2026-12-24"),
            Some(Command::Unavailable { until: chrono::NaiveDate::from_ymd_opt(2026, 12, 24) })
        );
        assert_eq!(command("/flowgate unavailable until tomorrow"), None, "a date is YYYY-MM-DD");
        assert_eq!(command("/flowgate unavailable until 2026-02-30"), None, "a real date");
        assert_eq!(command("/flowgate available"), Some(Command::Available));
    }

    #[test]
    fn a_snooze_is_hours_or_days_up_to_two_weeks_or_off() {
        assert_eq!(command("/flowgate snooze 1d"), Some(Command::Snooze { hours: 24 }));
        assert_eq!(command("/flowgate snooze 4h"), Some(Command::Snooze { hours: 4 }));
        assert_eq!(command("on it tomorrow\n/flowgate snooze 2d"), Some(Command::Snooze { hours: 48 }));
        assert_eq!(command("/flowgate snooze 14d"), Some(Command::Snooze { hours: 14 * 24 }));
        assert_eq!(command("/flowgate snooze off"), Some(Command::SnoozeOff));
        for refused in [
            "/flowgate snooze",
            "/flowgate snooze 15d",
            "/flowgate snooze 337h",
            "/flowgate snooze 0h",
            "/flowgate snooze 1w",
            "/flowgate snooze -1d",
            "/flowgate snooze +1d",
            "/flowgate snooze 1.5d",
            "/flowgate snooze 1d please",
            "/flowgate snooze off now",
            "/flowgate snooze 99999999999d",
        ] {
            assert_eq!(command(refused), None, "{refused}");
        }
    }

    #[test]
    fn only_collaborators_and_the_prs_author_may_give_commands() {
        let comment = |commenter: &str, association: &str| {
            serde_json::json!({
                "action": "created", "installation": {"id": 5}, "repository": {"full_name": "a/b"},
                "issue": {"number": 9, "pull_request": {"url": "x"}, "user": {"login": "Alice"}},
                "comment": {"body": "/flowgate recheck", "user": {"login": commenter}, "author_association": association}
            })
        };
        let evaluate = Intent::Evaluate { installation_id: Some(5), repo: "a/b".into(), pr: 9 };
        for association in ["OWNER", "MEMBER", "COLLABORATOR"] {
            assert_eq!(intent("issue_comment", &comment("bob", association)), evaluate, "{association}");
        }
        assert_eq!(intent("issue_comment", &comment("alice", "CONTRIBUTOR")), evaluate, "the author, any case");
        for association in ["CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "NONE"] {
            assert!(
                matches!(
                    intent("issue_comment", &comment("mallory", association)),
                    Intent::Ignore(Ignored::NotACommander)
                ),
                "{association}"
            );
        }
    }

    #[test]
    fn a_merge_group_asking_for_checks_is_checked_and_one_that_ended_is_not() {
        let mut payload = fixture("merge_group.checks_requested.payload.json");
        payload["installation"] = serde_json::json!({"id": 5});
        assert_eq!(
            intent("merge_group", &payload),
            Intent::MergeGroup { installation_id: Some(5), repo: "octo-org/octo-repo".into() }
        );
        payload["action"] = "destroyed".into();
        assert!(matches!(intent("merge_group", &payload), Intent::Ignore(Ignored::MergeGroupEnded)));
        let mut headless = fixture("merge_group.checks_requested.payload.json");
        headless["merge_group"] = serde_json::json!({});
        assert!(matches!(intent("merge_group", &headless), Intent::Ignore(_)));
    }

    #[test]
    fn re_running_all_checks_evaluates_the_suites_pr() {
        let suite = serde_json::json!({
            "action": "rerequested", "installation": {"id": 5}, "repository": {"full_name": "a/b"},
            "check_suite": {"head_sha": "abc", "pull_requests": [{"number": 12}]}
        });
        assert_eq!(
            intent("check_suite", &suite),
            Intent::Evaluate { installation_id: Some(5), repo: "a/b".into(), pr: 12 }
        );
        let mut completed = suite.clone();
        completed["action"] = "completed".into();
        assert!(matches!(intent("check_suite", &completed), Intent::Ignore(_)));
        let mut from_fork = suite.clone();
        from_fork["check_suite"]["pull_requests"] = serde_json::json!([]);
        assert!(matches!(intent("check_suite", &from_fork), Intent::Ignore(_)));
        // On a merge group's commit the suite lists no PR, and its branch is the queue's.
        let mut on_a_group = from_fork;
        on_a_group["check_suite"]["head_branch"] = "gh-readonly-queue/main/pr-12-abc123".into();
        assert_eq!(
            intent("check_suite", &on_a_group),
            Intent::MergeGroup { installation_id: Some(5), repo: "a/b".into() }
        );
        let run = serde_json::json!({
            "action": "rerequested", "installation": {"id": 5}, "repository": {"full_name": "a/b"},
            "check_run": {"head_sha": "abc", "pull_requests": [],
                "check_suite": {"head_branch": "gh-readonly-queue/main/pr-12-abc123"}}
        });
        assert_eq!(intent("check_run", &run), Intent::MergeGroup { installation_id: Some(5), repo: "a/b".into() });
    }

    fn push(git_ref: &str, commits: Value) -> Value {
        serde_json::json!({
            "ref": git_ref, "installation": {"id": 5}, "repository": {"full_name": "a/b"},
            "commits": commits, "deleted": false, "forced": false
        })
    }

    #[test]
    fn a_push_that_changes_a_policy_file_gates_the_branchs_prs_again() {
        let changed = |path: &str| serde_json::json!([{"added": [], "modified": ["src/x.rs", path], "removed": []}]);
        let again = |branch: &str| Intent::PolicyChanged {
            installation_id: Some(5),
            repo: "a/b".into(),
            branch: branch.into(),
        };
        assert_eq!(intent("push", &push("refs/heads/main", changed(".github/flowgate.yml"))), again("main"));
        assert_eq!(
            intent("push", &push("refs/heads/release/2.x", changed(".github/policies/base.yaml"))),
            again("release/2.x"),
            "any YAML under .github/ may be the policy or what it extends"
        );
        let removed = serde_json::json!([{"added": [], "modified": [], "removed": [".github/flowgate.yml"]}]);
        assert_eq!(intent("push", &push("refs/heads/main", removed)), again("main"), "a removed policy too");
        for (git_ref, commits) in [
            ("refs/heads/main", changed("src/flowgate.yml")),
            ("refs/heads/main", changed(".github/CODEOWNERS")),
            ("refs/heads/main", changed("docs/.github/x.md")),
            ("refs/tags/v1", changed(".github/flowgate.yml")),
            ("refs/heads/main", serde_json::json!([])),
        ] {
            assert!(
                matches!(intent("push", &push(git_ref, commits.clone())), Intent::Ignore(Ignored::PushWithoutPolicy)),
                "{git_ref} {commits}"
            );
        }
        let mut deleted = push("refs/heads/main", changed(".github/flowgate.yml"));
        deleted["deleted"] = true.into();
        assert!(matches!(intent("push", &deleted), Intent::Ignore(_)), "a deleted branch has no PRs to gate");
        let mut forced = push("refs/heads/main", serde_json::json!([]));
        forced["forced"] = true.into();
        assert_eq!(intent("push", &forced), again("main"), "a rewritten branch may have lost its policy");
        let many = serde_json::json!((0..2048).map(|_| serde_json::json!({"modified": ["a.rs"]})).collect::<Vec<_>>());
        assert_eq!(intent("push", &push("refs/heads/main", many)), again("main"), "more commits than GitHub lists");
        let mut baseline = push("refs/heads/main", changed("flowgate/baseline.yml"));
        assert!(matches!(intent("push", &baseline), Intent::Ignore(_)), "a YAML file outside .github/ in a repository");
        baseline["repository"]["full_name"] = serde_json::json!("acme/.github");
        assert_eq!(
            intent("push", &baseline),
            Intent::PolicyChanged { installation_id: Some(5), repo: "acme/.github".into(), branch: "main".into() },
            "a baseline anywhere in the organisation's .github repository"
        );
    }

    #[test]
    fn installation_events_are_the_installations() {
        let created = serde_json::json!({"action": "created", "installation": {"id": 5},
            "repositories": [{"full_name": "a/b"}]});
        assert_eq!(intent("installation", &created), Intent::Installation { installation_id: Some(5) });
        let added = serde_json::json!({"action": "added", "installation": {"id": 5},
            "repositories_added": [{"full_name": "a/c"}]});
        assert_eq!(intent("installation_repositories", &added), Intent::Installation { installation_id: Some(5) });
    }
}
