//! The real-world corpus (`tests/realworld/`): cases made from real public PRs and commits, each
//! with its source and licence, run under the policy of its group. Every case must give the
//! verdict its `expect.yml` states; see tests/realworld/README.md.

use std::path::{Path, PathBuf};

use flowgate::gate::cases;
use flowgate::policy::load;

fn groups() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld");
    let mut groups: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/realworld exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("flowgate.yml").is_file())
        .collect();
    groups.sort();
    groups
}

#[test]
fn every_real_world_case_gets_the_verdict_a_maintainer_expects() {
    let (mut total, mut failures) = (0, Vec::new());
    for group in groups() {
        let name = group.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let policy = load::load_file(&group.join("flowgate.yml")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let results = cases::run(&group, &policy).unwrap_or_else(|e| panic!("{name}: {e}"));
        for r in results {
            total += 1;
            let source = r.source.as_deref().unwrap_or("");
            assert!(
                source.starts_with("https://github.com/"),
                "{name}/{}: `source:` must be the real PR or commit",
                r.name
            );
            assert!(r.license.as_deref().is_some_and(|l| !l.is_empty()), "{name}/{}: `license:` is required", r.name);
            for (what, expected, got) in &r.mismatches {
                failures.push(format!("{name}/{}: {what}: expected {expected}, got {got}  [{source}]", r.name));
            }
        }
    }
    assert!(total >= 40, "the corpus holds {total} cases; it should hold at least 40");
    assert!(failures.is_empty(), "{} of {total} expectations failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_group_names_its_licence() {
    for group in groups() {
        let has_licence = std::fs::read_dir(&group)
            .expect("group directory")
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with("LICENSE"));
        let is_mixed = group.ends_with("agents");
        assert!(has_licence || is_mixed, "{}: add LICENSE.<project>", group.display());
    }
}

/// One labelled line of `tests/realworld/ai-detection/*.jsonl` (format in its README).
#[derive(serde::Deserialize)]
struct Labelled {
    label: String,
    source: String,
    #[serde(default)]
    pr: Option<LabelledPr>,
    #[serde(default)]
    commits: Vec<LabelledCommit>,
}

#[derive(serde::Deserialize, Default)]
struct LabelledPr {
    #[serde(default)]
    author: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    labels: Vec<String>,
}

#[derive(serde::Deserialize)]
struct LabelledCommit {
    #[serde(default)]
    sha: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    author_name: String,
    #[serde(default)]
    author_email: String,
    author_login: Option<String>,
    #[serde(default)]
    committer_name: String,
    #[serde(default)]
    committer_email: String,
    committer_login: Option<String>,
}

/// The tools flowgate detects on one labelled PR or commit.
fn detected(item: &Labelled) -> std::collections::BTreeSet<String> {
    use flowgate::policy::ai::markers::{CommitView, commit_markers, pr_markers};
    let mut found: Vec<_> = item
        .commits
        .iter()
        .flat_map(|c| {
            commit_markers(&CommitView {
                sha: &c.sha,
                message: &c.message,
                author_name: &c.author_name,
                author_email: &c.author_email,
                author_login: c.author_login.as_deref(),
                committer_name: &c.committer_name,
                committer_email: &c.committer_email,
                committer_login: c.committer_login.as_deref(),
            })
        })
        .collect();
    if let Some(pr) = &item.pr {
        let labels: Vec<&str> = pr.labels.iter().map(String::as_str).collect();
        found.extend(pr_markers(&pr.author, &pr.branch, &pr.body, &labels));
    }
    found.into_iter().map(|m| m.tool.id().to_string()).collect()
}

/// Recall per tool and false positives on human work, over every `*.jsonl` in
/// tests/realworld/ai-detection and, when `FLOWGATE_AI_DETECTION_SET` names a file or a
/// directory of them, over that larger set too (docs/ai-detection.md). Prints the table.
#[test]
fn ai_detection_recall_per_tool_and_false_positives_on_human_work() {
    let jsonl_in = |dir: &Path| -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        found.sort();
        found
    };
    let mut files = jsonl_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld/ai-detection"));
    let bundled = files.len();
    if let Ok(extra) = std::env::var("FLOWGATE_AI_DETECTION_SET") {
        let extra = PathBuf::from(extra);
        if extra.is_dir() { files.extend(jsonl_in(&extra)) } else { files.push(extra) }
    }
    // tool -> (items, detected as that tool, detected as another tool only)
    let mut per_tool: std::collections::BTreeMap<String, (u32, u32, u32)> = Default::default();
    let (mut humans, mut false_positives) = (0u32, Vec::new());
    let mut misses = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let item: Labelled =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{}:{}: {e}", file.display(), n + 1));
            let tools = detected(&item);
            if item.label == "human" {
                humans += 1;
                if !tools.is_empty() {
                    false_positives.push(format!("{tools:?} on {}", item.source));
                }
                continue;
            }
            let row = per_tool.entry(item.label.clone()).or_default();
            row.0 += 1;
            if tools.contains(&item.label) {
                row.1 += 1;
            } else if !tools.is_empty() {
                row.2 += 1;
            } else if i < bundled {
                misses.push(format!("{} missed on {}", item.label, item.source));
            }
        }
    }
    println!("| tool | PRs or commits | detected as the tool | as another tool | recall |");
    println!("|---|---|---|---|---|");
    for (tool, (n, hit, other)) in &per_tool {
        println!("| {tool} | {n} | {hit} | {other} | {:.1}% |", 100.0 * f64::from(*hit) / f64::from(*n));
    }
    println!("human: {humans} PRs or commits, {} flagged", false_positives.len());
    for fp in &false_positives {
        println!("  false positive: {fp}");
    }
    assert!(humans >= 400 && per_tool.values().map(|r| r.0).sum::<u32>() >= 300, "the bundled set is too small");
    assert!(false_positives.is_empty(), "human work flagged as AI:\n{}", false_positives.join("\n"));
    assert!(misses.is_empty(), "agent work the bundled set labels was not detected:\n{}", misses.join("\n"));
}
