//! A merge queue for the fake GitHub: PRs ready to queue, groups built from them as GitHub's queue
//! builds them (merge commits, squashes or rebased copies on top of the base), each served by
//! `GET compare/{base}...{head}`, and the `merge_group` delivery that announces a group. Tests then
//! change what a real queue or an attacker could change: a member's head, the base's policy, an
//! extra commit in the range.

use serde_json::{Value, json};

use super::{Answer, Call, FakeGitHub, Pr, State, answer, message};

/// How the queue puts each member onto the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Merge,
    Squash,
    Rebase,
}

pub const METHODS: [Method; 3] = [Method::Merge, Method::Squash, Method::Rebase];

/// The base branch the queue merges into, and its commit.
pub const BASE: &str = "main";
pub const BASE_SHA: &str = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

/// A group the fake built: what its `merge_group` delivery carries.
#[derive(Debug, Clone)]
pub struct Group {
    pub head_sha: String,
    pub head_ref: String,
    pub base_sha: String,
    pub members: Vec<u64>,
}

/// A deterministic 40-hex-digit name for anything.
pub fn sha(seed: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let hex = format!("{hash:016x}");
    format!("{hex}{hex}{}", &hex[..8])
}

fn person(name: &str) -> Value {
    json!({ "name": name, "email": format!("{name}@example.com"), "date": "2026-12-01T10:00:00Z" })
}

fn commit(sha: &str, parents: &[&str], message: &str, author: &str) -> Value {
    json!({
        "sha": sha,
        "parents": parents.iter().map(|p| json!({ "sha": p })).collect::<Vec<_>>(),
        "commit": { "message": message, "author": person(author), "committer": person(author) },
        "author": { "login": author },
        "committer": { "login": author },
    })
}

/// A file changed in `src/queue/pr_<n>.rs`, one line added and one removed, unique to PR `n`.
pub fn own_file(n: u64) -> Value {
    json!({
        "filename": format!("src/queue/pr_{n}.rs"), "status": "modified", "additions": 1, "deletions": 1, "changes": 2,
        "patch": format!("@@ -1,2 +1,2 @@\n pub fn step() -> u32 {{\n-    {n}\n+    {n} + 1\n"),
    })
}

impl State {
    /// An open PR `n` on `main` that passes the example policy: a story key, `ai:none`, and an
    /// approval by `reviewer` on its head. Its only file is its own.
    pub fn ready_pr(&mut self, n: u64, reviewer: &str) {
        let head = sha(&format!("head of {n}"));
        let author = format!("dev{n}");
        let pull = json!({
            "number": n, "state": "open", "draft": false, "title": format!("ABC-{n}: step {n}"), "body": "",
            "user": { "login": author, "type": "User" },
            "head": { "ref": format!("feature/step-{n}"), "sha": head, "repo": { "full_name": self.repo } },
            "base": { "ref": BASE, "sha": BASE_SHA, "repo": { "full_name": self.repo } },
            "labels": [{ "name": "ai:none" }],
            "html_url": format!("https://github.com/{}/pull/{n}", self.repo),
            "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T11:00:00Z",
            "requested_reviewers": [], "requested_teams": [],
        });
        let commits = vec![commit(&head, &[BASE_SHA], &format!("Step {n}"), &author)];
        let reviews = vec![json!({ "id": n, "user": { "login": reviewer, "type": "User" }, "state": "APPROVED",
            "commit_id": head, "submitted_at": "2026-12-01T11:00:00Z", "body": "" })];
        self.pulls.insert(n, Pr { pull, files: vec![own_file(n)], commits, reviews, ..Pr::default() });
    }

    /// Pushes a new commit to PR `n` (a change nobody has approved): its head moves.
    pub fn push_to(&mut self, n: u64) {
        let pr = self.pr(n);
        let old = pr.pull["head"]["sha"].as_str().unwrap_or_default().to_string();
        let new = sha(&format!("pushed onto {old}"));
        pr.commits.push(commit(&new, &[&old], "One more thing", "dev"));
        pr.pull["head"]["sha"] = json!(new);
        pr.files[0]["patch"] = json!(format!("@@ -1,2 +1,2 @@\n pub fn step() -> u32 {{\n-    {n}\n+    {n} + 2\n"));
    }

    /// Builds the group of `members` on the base as the queue would, and serves its range.
    pub fn queue(&mut self, members: &[u64], method: Method) -> Group {
        let mut commits = Vec::new();
        let mut files: Vec<Value> = Vec::new();
        let mut tip = BASE_SHA.to_string();
        for &n in members {
            let below = tip.clone();
            let pr = self.pr(n).clone();
            let head = pr.pull["head"]["sha"].as_str().unwrap_or_default().to_string();
            let title = pr.pull["title"].as_str().unwrap_or_default().to_string();
            match method {
                Method::Merge => {
                    commits.extend(pr.commits.iter().cloned());
                    let merge = sha(&format!("merge {n} onto {tip}"));
                    let message = format!("Merge pull request #{n} from acme/feature/step-{n}\n\n{title}");
                    commits.push(commit(&merge, &[&tip, &head], &message, "web-flow"));
                    tip = merge;
                }
                Method::Squash => {
                    let squash = sha(&format!("squash {n} onto {tip}"));
                    commits.push(commit(&squash, &[&tip], &format!("{title} (#{n})"), &format!("dev{n}")));
                    tip = squash;
                }
                Method::Rebase => {
                    for c in &pr.commits {
                        let copy = sha(&format!("rebase {} onto {tip}", c["sha"]));
                        let message = c["commit"]["message"].as_str().unwrap_or_default();
                        let author = c["commit"]["author"]["name"].as_str().unwrap_or_default();
                        commits.push(commit(&copy, &[&tip], message, author));
                        tip = copy;
                    }
                }
            }
            files.extend(pr.files.iter().cloned());
            // One queue branch per entry, stacked on the head of the entry ahead, as GitHub makes.
            self.queue_refs.push((format!("refs/heads/gh-readonly-queue/{BASE}/pr-{n}-{below}"), tip.clone()));
        }
        let head_ref = self.queue_refs.last().map(|(name, _)| name.clone()).unwrap_or_default();
        let group =
            Group { head_sha: tip.clone(), head_ref, base_sha: BASE_SHA.to_string(), members: members.to_vec() };
        let compare = json!({ "status": "ahead", "total_commits": commits.len(), "commits": commits, "files": files });
        self.compares.insert((BASE_SHA.to_string(), tip), compare);
        group
    }

    /// The range a group's compare answers, to change as an attacker or a broken tool would.
    pub fn range(&mut self, group: &Group) -> &mut Value {
        self.compares.get_mut(&(group.base_sha.clone(), group.head_sha.clone())).expect("a group the fake built")
    }
}

/// Adds a commit to the group's range that no member made, changing `path` by one added line.
pub fn inject(fake: &FakeGitHub, group: &Group, path: &str, line: &str) -> String {
    let evil = sha(&format!("injected into {}", group.head_sha));
    fake.with(|s| {
        let range = s.range(group);
        let parent = group.head_sha.clone();
        range["commits"].as_array_mut().expect("commits").push(commit(&evil, &[&parent], "chore: bump", "mallory"));
        range["total_commits"] = json!(range["commits"].as_array().map_or(0, Vec::len));
        range["files"].as_array_mut().expect("files").push(json!({
            "filename": path, "status": "modified", "additions": 1, "deletions": 0, "changes": 1,
            "patch": format!("@@ -1,0 +1 @@\n+{line}\n"),
        }));
    });
    evil
}

/// The `merge_group` `checks_requested` delivery of `group`: the octokit example payload (MIT)
/// with the group's commits, repository and installation 1.
pub fn checks_requested(repo: &str, group: &Group) -> Value {
    let mut payload = super::payload("merge_group.checks_requested.payload.json");
    payload["merge_group"]["head_sha"] = json!(group.head_sha);
    payload["merge_group"]["head_ref"] = json!(group.head_ref);
    payload["merge_group"]["base_sha"] = json!(group.base_sha);
    payload["merge_group"]["base_ref"] = json!(format!("refs/heads/{BASE}"));
    payload["repository"]["full_name"] = json!(repo);
    payload["installation"] = json!({ "id": 1 });
    payload
}

/// `repos/{repo}/compare/{base}...{head}` and `repos/{repo}/git/matching-refs/heads/{prefix}`.
pub(super) fn route(state: &mut State, call: &Call) -> Answer {
    match (call.method, call.parts) {
        ("GET", ["git", "matching-refs", prefix @ ..]) => {
            let prefix = format!("refs/{}", super::urlencoding_decode(&prefix.join("/")));
            let refs: Vec<Value> = state
                .queue_refs
                .iter()
                .filter(|(name, _)| name.starts_with(&prefix))
                .map(|(name, sha)| json!({ "ref": name, "object": { "sha": sha, "type": "commit" } }))
                .collect();
            super::paged(&refs, call.query, call.base, call.path)
        }
        ("GET", ["compare", range]) => {
            let Some((base, head)) = range.split_once("...") else { return message(404, "Not Found") };
            let Some(compare) = state.compares.get(&(base.to_string(), head.to_string())) else {
                return message(404, "Not Found");
            };
            // As GitHub: the commits a page at a time, the files on every page.
            let per_page: usize = call.query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(250);
            let page: usize = call.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
            let mut answered = compare.clone();
            let commits = compare["commits"].as_array().cloned().unwrap_or_default();
            answered["commits"] =
                Value::from(commits.into_iter().skip((page - 1) * per_page).take(per_page).collect::<Vec<_>>());
            answer(200, answered)
        }
        _ => message(404, "Not Found"),
    }
}
