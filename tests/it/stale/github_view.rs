//! A case's history as the answers GitHub would give about it: the PR (`pulls/{n}`, its files and
//! commits) and the two comparisons the GitHub source asks for one approved commit
//! (`compare/{base}...{approved}`, `compare/{approved}...{base}`), each built from git's own
//! output (another reading than `git::since`'s), so that the same histories can be replayed
//! against the fake GitHub and the two sources cannot drift apart.

use std::collections::BTreeMap;

use flowgate::github::parse::shapes::{CommitJson, CompareJson, FileJson, PullJson};
use flowgate::since::{OwnFile, PatchId};
use serde_json::{Value, json};

use super::cases;
use super::history::{Case, History};

/// One answer: its HTTP status and body.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

/// GitHub's answers about `case` as PR number `number`, by path under `repos/{owner}/{repo}/`.
pub fn render(case: &Case, number: u64) -> BTreeMap<String, Answer> {
    let h = &case.history;
    let base_sha = h.sha(&case.base);
    let fork = h.git(&["merge-base", &base_sha, &case.head]).trim().to_string();
    let files = files(h, &fork, &case.head);
    let commits = commits(h, &format!("{base_sha}..{}", case.head));
    let count = |field: &str| files.iter().map(|f| f[field].as_u64().unwrap_or(0)).sum::<u64>();
    let title = commits.first().and_then(|c| c["commit"]["message"].as_str()).and_then(|m| m.lines().next());
    let pull = json!({
        "number": number,
        "title": title.unwrap_or_default(),
        "body": null,
        "state": "open",
        "draft": false,
        "user": { "login": "carol" },
        "head": { "ref": h.git(&["rev-parse", "--abbrev-ref", "HEAD"]).trim(), "sha": case.head },
        "base": { "ref": case.base, "sha": base_sha },
        "labels": [],
        "commits": commits.len(),
        "changed_files": files.len(),
        "additions": count("additions"),
        "deletions": count("deletions"),
        "requested_reviewers": [],
        "requested_teams": [],
    });
    let ok = |body: Value| Answer { status: 200, body };
    let mut answers = BTreeMap::from([
        (format!("pulls/{number}"), ok(pull)),
        (format!("pulls/{number}/files"), ok(Value::from(files))),
        (format!("pulls/{number}/commits"), ok(Value::from(commits))),
    ]);
    for (from, to) in [(&base_sha, &case.approved), (&case.approved, &base_sha)] {
        answers.insert(format!("compare/{from}...{to}"), compare(h, from, to, &case.approved));
    }
    answers
}

/// `compare/{from}...{to}`: the commits `to` has that `from` lacks, oldest first, and the change
/// from their merge base to `to`. A commit GitHub does not hold is its 404.
fn compare(h: &History, from: &str, to: &str, approved: &str) -> Answer {
    if !h.try_git(&["cat-file", "-e", &format!("{approved}^{{commit}}")]) {
        let body = json!({
            "message": format!("No commit found for SHA: {approved}"),
            "documentation_url": "https://docs.github.com/rest/commits/commits#compare-two-commits",
            "status": "404",
        });
        return Answer { status: 404, body };
    }
    let merge_base = h.git(&["merge-base", from, to]).trim().to_string();
    let ahead: u64 = h.git(&["rev-list", "--count", &format!("{from}..{to}")]).trim().parse().expect("a count");
    let behind: u64 = h.git(&["rev-list", "--count", &format!("{to}..{from}")]).trim().parse().expect("a count");
    let status = match (ahead, behind) {
        (0, 0) => "identical",
        (_, 0) => "ahead",
        (0, _) => "behind",
        _ => "diverged",
    };
    let body = json!({
        "status": status,
        "ahead_by": ahead,
        "behind_by": behind,
        "total_commits": ahead,
        "base_commit": { "sha": h.sha(from) },
        "merge_base_commit": { "sha": merge_base },
        "commits": commits(h, &format!("{from}..{to}")),
        "files": files(h, &merge_base, to),
    });
    Answer { status: 200, body }
}

/// The commits of `range`, oldest first, as `pulls/{n}/commits` and `compare` list them.
fn commits(h: &History, range: &str) -> Vec<Value> {
    let list = h.git(&["rev-list", "--reverse", range]);
    list.lines()
        .filter(|l| !l.is_empty())
        .map(|sha| {
            let meta = h.git(&["show", "-s", "--format=%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B", sha]);
            let f: Vec<&str> = meta.splitn(9, '\0').collect();
            let date = |d: &str| d.replace("+00:00", "Z");
            json!({
                "sha": sha,
                "commit": {
                    "message": f[8].trim_end_matches('\n'),
                    "tree": { "sha": f[0] },
                    "author": { "name": f[2], "email": f[3], "date": date(f[4]) },
                    "committer": { "name": f[5], "email": f[6], "date": date(f[7]) },
                },
                "author": null,
                "committer": null,
                "parents": f[1].split_whitespace().map(|p| json!({ "sha": p })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The changed files from `from` to `to`, as `pulls/{n}/files` and `compare` list them: the
/// statuses and counts from git's listings, each patch from a diff of that file alone.
fn files(h: &History, from: &str, to: &str) -> Vec<Value> {
    let names = h.git(&["diff", "--name-status", "-z", "-M", from, to]);
    let numstat = h.git(&["diff", "--numstat", "-z", "-M", from, to]);
    let mut counts = numstat.split('\0').filter(|f| !f.is_empty() && f.contains('\t'));
    let mut fields = names.split('\0').filter(|f| !f.is_empty());
    let mut files = Vec::new();
    while let Some(code) = fields.next() {
        let (status, previous) = match code.chars().next() {
            Some('A') => ("added", None),
            Some('D') => ("removed", None),
            Some('M') => ("modified", None),
            Some('R') => ("renamed", fields.next()),
            Some('C') => ("copied", fields.next()),
            _ => ("changed", None),
        };
        let path = fields.next().expect("a path after the status");
        let count = counts.next().expect("a count per file");
        let mut cols = count.split('\t').map(|n| n.parse::<u64>().unwrap_or(0));
        let (additions, deletions) = (cols.next().unwrap_or(0), cols.next().unwrap_or(0));
        let pathspec: Vec<&str> = previous.into_iter().chain([path]).collect();
        let diff = h.git(&[&["diff", "-M", from, to, "--"][..], &pathspec].concat());
        let patch = diff.find("\n@@ ").map(|at| diff[at + 1..].trim_end_matches('\n').to_string());
        let sha = (status != "removed").then(|| h.sha(&format!("{to}:{path}")));
        let mut file = json!({
            "sha": sha,
            "filename": path,
            "status": status,
            "additions": additions,
            "deletions": deletions,
            "changes": additions + deletions,
        });
        if let Some(previous) = previous {
            file["previous_filename"] = json!(previous);
        }
        if let Some(patch) = patch.filter(|_| !diff.contains("\nBinary files ")) {
            file["patch"] = json!(patch);
        }
        files.push(file);
    }
    files
}

/// A list of files as the classification compares them: path, previous path, patch-id, blob.
type Seen = Vec<(String, Option<String>, Option<PatchId>, Option<String>)>;

/// GitHub's files as flowgate parses them, with the blob from `sha`.
fn seen_on_github(files: &Value) -> Seen {
    let list = files.as_array().expect("a list of files");
    let mut seen: Seen = list
        .iter()
        .map(|raw| {
            let file: FileJson = serde_json::from_value(raw.clone()).expect("flowgate reads the file");
            let blob = raw["sha"].as_str().map(String::from);
            (file.filename, file.previous_filename, file.patch.as_deref().map(PatchId::of), blob)
        })
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    seen
}

fn seen_by_git(own: &[OwnFile]) -> Seen {
    let mut seen: Seen = own
        .iter()
        .map(|f| (f.path.clone(), f.previous_path.clone(), f.patch.as_deref().map(PatchId::of), f.blob.clone()))
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    seen
}

#[test]
fn github_s_comparison_of_each_approved_commit_holds_the_files_and_patches_git_read() {
    for (name, build) in cases::ALL {
        let case = build();
        let answers = render(&case, 7);
        let base_sha = case.history.sha(&case.base);
        let approved = &answers[&format!("compare/{base_sha}...{}", case.approved)];
        if name == "unreachable_approval" {
            assert_eq!(approved.status, 404, "{name}");
            continue;
        }
        let inputs = case.inputs();
        let compare: CompareJson =
            serde_json::from_value(approved.body.clone()).expect("flowgate reads the comparison");
        assert_eq!(seen_on_github(&approved.body["files"]), seen_by_git(&inputs.approved.own), "{name}: approved");
        let messages: Vec<String> = compare.commits.iter().map(|c| c.commit.message.trim().to_string()).collect();
        assert_eq!(messages, inputs.approved.messages, "{name}: approved messages");
        let tree = compare.commits.last().and_then(|c| c.commit.tree.clone()).map(|t| t.sha);
        assert_eq!(tree, inputs.approved.tree, "{name}: approved tree");

        assert_eq!(seen_on_github(&answers["pulls/7/files"].body), seen_by_git(&inputs.head.own), "{name}: head");
        let pull: PullJson = serde_json::from_value(answers["pulls/7"].body.clone()).expect("flowgate reads the PR");
        assert_eq!((pull.head.sha.as_deref(), pull.base.sha.as_deref()), (Some(&*case.head), Some(&*base_sha)));
        let commits: Vec<CommitJson> =
            serde_json::from_value(answers["pulls/7/commits"].body.clone()).expect("flowgate reads the commits");
        let messages: Vec<String> = commits.iter().map(|c| c.commit.message.trim().to_string()).collect();
        assert_eq!(messages, inputs.head.messages, "{name}: head messages");
    }
}

#[test]
fn the_base_s_comparison_shows_a_squashed_stack_parent_as_it_was_approved() {
    let case = cases::squashed_stack_parent();
    let answers = render(&case, 2);
    let base_sha = case.history.sha(&case.base);
    let base = &answers[&format!("compare/{}...{base_sha}", case.approved)].body;
    assert_eq!(base["status"], "diverged");
    let in_base = seen_on_github(&base["files"]);
    let approved = seen_by_git(&case.inputs().approved.own);
    let pay = |seen: &Seen| seen.iter().find(|f| f.0 == "src/pay.rs").cloned();
    assert!(pay(&in_base).is_some(), "the squash changed src/pay.rs: {in_base:?}");
    assert_eq!(pay(&in_base).map(|f| f.2), pay(&approved).map(|f| f.2), "the same patch landed");
}

#[test]
fn a_history_built_twice_gives_the_same_answers() {
    for (name, build) in cases::ALL {
        let (first, second) = (build(), build());
        let (a, b) = (render(&first, 1), render(&second, 1));
        let bodies =
            |r: &BTreeMap<String, Answer>| r.iter().map(|(k, v)| (k.clone(), v.body.clone())).collect::<Vec<_>>();
        assert_eq!(bodies(&a), bodies(&b), "{name}: the same commits, dates and shas");
    }
}
