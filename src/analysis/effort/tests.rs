//! The estimate on real changes: the three issue-15 cases, an ordinary PR, and its rank agreement
//! with real review activity (docs/effort.md).

use super::*;
use crate::analysis::budget::{Limits, Unlimited};
use crate::analysis::{Contents, analyze_file};
use std::path::PathBuf;

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn json(rel: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(repo_file(rel)).unwrap()).unwrap()
}

fn patched(path: &str, patch: &str) -> FileAnalysis {
    analyze_file(path, Contents::Patch(patch), &[], &Limits::default(), &Unlimited)
}

fn unread(reason: SkipReason) -> FileAnalysis {
    FileAnalysis::skipped(reason, None)
}

/// "Update Apache License URL to HTTPS" in commons-lang: the same one-line comment edit in 584
/// files (511 Java, 73 XML, text, YAML...). The case holds ten real patches; the other 574 files
/// carry the same edit, so each takes the patch of a file of its kind.
#[test]
fn licence_url_in_584_files_is_a_skim() {
    let files = json("tests/realworld/commons-lang/license-header-https/files.json");
    let files = files.as_array().unwrap();
    // A Java file with commons-lang's header before and after the edit. From the patch alone the
    // fragment opens inside the header comment and reads as code (docs/effort.md, known limits).
    let base = std::fs::read_to_string(repo_file(
        "tests/realworld/commons-lang/member-sort/contents/base/src/main/java/org/apache/commons/lang3/time/GmtTimeZone.java",
    ))
    .unwrap();
    let head =
        base.replace("http://www.apache.org/licenses/LICENSE-2.0", "https://www.apache.org/licenses/LICENSE-2.0");
    assert_ne!(base, head);
    let java = analyze_file(
        "X.java",
        Contents::Versions { base: Some(base.as_bytes()), head: Some(head.as_bytes()) },
        &[],
        &Limits::default(),
        &Unlimited,
    );
    assert_eq!(java.change, ChangeKind::Comments);
    assert_eq!(files.len(), 584);
    let red = |p: &str| p.starts_with(".github/") || p == ".asf.yaml";
    let minutes = pr_minutes(files.iter().map(|f| {
        let path = f["filename"].as_str().unwrap();
        let lines = f["additions"].as_u64().unwrap() + f["deletions"].as_u64().unwrap();
        if path.ends_with(".java") {
            return file_minutes(&java, lines, red(path));
        }
        let a = match f["patch"].as_str() {
            Some(p) => patched(path, p),
            None => unread(SkipReason::NoContents),
        };
        file_minutes(&a, lines, red(path))
    }));
    // Was 337 minutes.
    assert_eq!(minutes, 5);
}

/// "Sort members." of commons-lang's GmtTimeZone.java: the real file before and after.
#[test]
fn member_sort_of_a_small_class() {
    let dir = "tests/realworld/commons-lang/member-sort/contents";
    let path = "src/main/java/org/apache/commons/lang3/time/GmtTimeZone.java";
    let read = |side: &str| std::fs::read(repo_file(&format!("{dir}/{side}/{path}"))).unwrap();
    let (base, head) = (read("base"), read("head"));
    let a = analyze_file(
        path,
        Contents::Versions { base: Some(&base), head: Some(&head) },
        &[],
        &Limits::default(),
        &Unlimited,
    );
    assert_eq!(a.change, ChangeKind::Code, "{a:?}");
    // A move is not recognised (docs/effort.md, known limits): it is read as the code it moves.
    assert_eq!(pr_minutes([file_minutes(&a, 42, false)]), 17);
}

/// The member sort issue 15 measured at 3,321 minutes (TypeUtils.java): the old formula's
/// `2 + tokens / 50 + symbols` for that figure is about 165,000 tokens in 100 definitions.
#[test]
fn member_sort_of_a_large_class_is_capped_per_file() {
    let mut a = unread(SkipReason::NoContents);
    a.change = ChangeKind::Code;
    a.skipped = None;
    a.changed_tokens = 165_000;
    a.symbols = (0..100).map(|i| format!("m{i}")).collect();
    assert_eq!(pr_minutes([file_minutes(&a, 4_000, false)]), 120);
}

/// supabase/auth#2540: 55 files, two libraries copied verbatim into internal/forks/ (1,342
/// lines). The case has counts but no patches, so every file is estimated unread from its lines;
/// the vendored files, once skipped as generated, cost nothing.
#[test]
fn vendored_library() {
    let files = json("tests/realworld/supabase-auth/vendored-forks/files.json");
    let listed: Vec<(String, u64)> = files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let lines = f["additions"].as_u64().unwrap() + f["deletions"].as_u64().unwrap();
            (f["filename"].as_str().unwrap().to_string(), lines)
        })
        .collect();
    let estimate = |vendored_skipped: bool| {
        pr_minutes(listed.iter().map(|(path, lines)| {
            let reason = if vendored_skipped && path.starts_with("internal/forks/") {
                SkipReason::Generated { why: "vendored".into() }
            } else {
                SkipReason::NoContents
            };
            file_minutes(&unread(reason), *lines, path.starts_with("internal/api/oauthserver/"))
        }))
    };
    assert_eq!(estimate(false), 182);
    assert_eq!(estimate(true), 124);
    // A vendored library of 300 generated or binary files alone costs the minimum.
    let skipped = unread(SkipReason::Generated { why: "vendored".into() });
    assert_eq!(pr_minutes((0..300).map(|_| file_minutes(&skipped, 400, false))), 1);
    assert_eq!(file_minutes(&unread(SkipReason::Binary), 0, true).minutes, 0.0);
}

/// Past a working day the estimate stops counting: 14,114 minutes of code reads as a day.
#[test]
fn a_pr_over_a_day_is_capped() {
    let mut a = unread(SkipReason::NoContents);
    a.change = ChangeKind::Code;
    a.skipped = None;
    a.changed_tokens = 20_000;
    assert_eq!(pr_minutes((0..200).map(|_| file_minutes(&a, 2_000, false))), DAY_MINUTES);
}

/// An ordinary PR: 99 changed lines in two pools, two workers and their test (panjf2000/ants#23, "add
/// PanicHandler", from the calibration set).
#[test]
fn an_ordinary_pr() {
    let pr = calibration_prs().into_iter().find(|p| p.number == 23).unwrap();
    assert_eq!(pr.new_minutes(), 48);
}

struct CalibrationPr {
    number: u64,
    reviewer_actions: f64,
    files: Vec<(String, u64, String)>,
}

impl CalibrationPr {
    fn analyses(&self) -> impl Iterator<Item = (FileAnalysis, u64)> + '_ {
        self.files.iter().map(|(path, lines, patch)| (patched(path, patch), *lines))
    }
    fn new_minutes(&self) -> u32 {
        pr_minutes(self.analyses().map(|(a, lines)| file_minutes(&a, lines, false)))
    }
    fn old_minutes(&self) -> u32 {
        let total: f64 = self.analyses().map(|(a, lines)| old_file_minutes(&a, lines, false)).sum();
        total.ceil().max(1.0) as u32
    }
}

/// The formula before calibration (flowgate until 2026-12), kept to publish the comparison.
fn old_file_minutes(analysis: &FileAnalysis, changed_lines: u64, red: bool) -> f64 {
    let tokens = analysis.changed_tokens as f64;
    let symbols = analysis.symbols.len() as f64;
    let base = match analysis.change {
        ChangeKind::Formatting => 0.2,
        ChangeKind::Comments => 0.5 + tokens / 400.0,
        ChangeKind::Imports => 0.5,
        ChangeKind::Tests => 1.0 + tokens / 150.0 + 0.5 * symbols,
        ChangeKind::Code => 2.0 + tokens / 50.0 + symbols,
        ChangeKind::Skipped => match analysis.skipped {
            Some(SkipReason::Binary) | Some(SkipReason::Generated { .. }) => 0.5,
            _ => 1.0 + changed_lines as f64 / 25.0,
        },
    };
    (base + 3.0 * analysis.findings.len() as f64) * if red { 1.5 } else { 1.0 }
}

/// tests/fixtures/devlake-github/effort_prs.json, made by benches/effort_calibration.py.
fn calibration_prs() -> Vec<CalibrationPr> {
    let data = json("tests/fixtures/devlake-github/effort_prs.json");
    data["prs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| CalibrationPr {
            number: p["number"].as_u64().unwrap(),
            reviewer_actions: p["reviewer_actions"].as_f64().unwrap(),
            files: p["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let lines = f["additions"].as_u64().unwrap() + f["deletions"].as_u64().unwrap();
                    (f["path"].as_str().unwrap().to_string(), lines, f["patch"].as_str().unwrap().to_string())
                })
                .collect(),
        })
        .collect()
}

/// Ranks from 1, ties sharing their mean rank.
fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut r = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && xs[order[j + 1]] == xs[order[i]] {
            j += 1;
        }
        for k in i..=j {
            r[order[k]] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation: Pearson's of the ranks.
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// The published figure (docs/effort.md): the estimate's rank correlation with real reviewer
/// activity on the DevLake PRs. A change to the model that ranks those PRs worse fails here.
/// `cargo test --lib effort::tests::calibration -- --nocapture` prints the table.
#[test]
fn calibration_against_devlake_review_activity() {
    let prs = calibration_prs();
    assert_eq!(prs.len(), 12);
    let actions: Vec<f64> = prs.iter().map(|p| p.reviewer_actions).collect();
    let new: Vec<f64> = prs.iter().map(|p| p.new_minutes() as f64).collect();
    let old: Vec<f64> = prs.iter().map(|p| p.old_minutes() as f64).collect();
    println!("PR | reviewer actions | old min | new min");
    for (i, p) in prs.iter().enumerate() {
        println!("#{} | {} | {} | {}", p.number, actions[i], old[i], new[i]);
    }
    let (rho_old, rho_new) = (spearman(&old, &actions), spearman(&new, &actions));
    println!("Spearman rho: old {rho_old:.3}, new {rho_new:.3}");
    assert!(rho_new >= 0.85, "rank correlation with review activity fell to {rho_new:.3} (published: 0.85 or more)");
}

#[test]
fn spearman_of_known_ranks() {
    assert_eq!(ranks(&[3.0, 1.0, 1.0, 2.0]), vec![4.0, 1.5, 1.5, 3.0]);
    assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
    assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
}
