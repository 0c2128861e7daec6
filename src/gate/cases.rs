//! Policy test cases: a snapshot plus the outcome a team expects, so a policy is tested like code.
//!
//! A case is a directory holding a snapshot (`pull.json`, `files.json`, ...) and `expect.yml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::UserError;
use crate::policy::Policy;
use crate::report::json;

/// What a case expects. Every key is optional; the ones given must match.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Expect {
    /// Why the case exists, shown when it fails.
    pub description: Option<String>,
    /// Where a case made from a real PR or commit comes from (its URL), and that project's licence.
    pub source: Option<String>,
    pub license: Option<String>,
    pub state: Option<String>,
    pub tier: Option<String>,
    pub linkage: Option<String>,
    pub ai: Option<String>,
    pub review: Option<String>,
    /// The normalised story keys, in any order.
    pub keys: Option<Vec<String>>,
    /// The detected AI tools' ids, in any order.
    pub ai_detected: Option<Vec<String>>,
    /// What the PR declares of its AI use: `none`, `assisted`, `generated` or `null`.
    pub ai_declared: Option<String>,
    /// The models the AI markers name (`Assisted-by: AGENT:MODEL`), in any order.
    pub ai_models: Option<Vec<String>>,
    /// Tiers of particular files.
    pub files: Option<BTreeMap<String, String>>,
}

#[derive(Debug)]
pub struct CaseResult {
    pub name: String,
    /// Each expectation that did not hold: (what, expected, got).
    pub mismatches: Vec<(String, String, String)>,
    pub description: Option<String>,
    pub source: Option<String>,
    pub license: Option<String>,
}

/// Runs every case directory under `dir` (a directory that itself holds `expect.yml` is one case).
pub fn run(dir: &Path, policy: &Policy) -> Result<Vec<CaseResult>, super::Error> {
    let mut case_dirs: Vec<PathBuf> = if dir.join("expect.yml").is_file() {
        vec![dir.to_path_buf()]
    } else {
        std::fs::read_dir(dir)
            .map_err(|e| UserError::input(dir, format!("cannot list test cases: {e}")))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.join("expect.yml").is_file())
            .collect()
    };
    case_dirs.sort();
    if case_dirs.is_empty() {
        return Err(
            UserError::input(dir, "no test cases: each case is a directory with a snapshot and an expect.yml").into()
        );
    }
    case_dirs.iter().map(|d| run_case(d, policy)).collect()
}

fn run_case(dir: &Path, policy: &Policy) -> Result<CaseResult, super::Error> {
    let expect_path = dir.join("expect.yml");
    let text = std::fs::read_to_string(&expect_path)
        .map_err(|e| UserError::input(&expect_path, format!("cannot read: {e}")))?;
    let expect: Expect = yaml_serde::from_str(&text).map_err(|e| UserError::input(&expect_path, e.to_string()))?;
    let (_, verdict) = super::check_snapshot(dir, policy)?;
    let got = json::to_value(&verdict);
    let mut mismatches = Vec::new();
    let mut check = |what: &str, expected: &Option<String>, pointer: &str| {
        if let Some(expected) = expected {
            let actual = got.pointer(pointer).and_then(|v| v.as_str()).unwrap_or("null").to_string();
            if !actual.eq_ignore_ascii_case(expected) {
                mismatches.push((what.to_string(), expected.clone(), actual));
            }
        }
    };
    check("state", &expect.state, "/state");
    check("tier", &expect.tier, "/tier");
    check("linkage", &expect.linkage, "/linkage/state");
    check("ai", &expect.ai, "/ai/state");
    check("review", &expect.review, "/review/state");
    check("ai_declared", &expect.ai_declared, "/ai/declared");
    let sorted = |pointer: &str| -> Vec<String> {
        let mut v: Vec<String> = got
            .pointer(pointer)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(String::from))
            .collect();
        v.sort();
        v
    };
    let mut models: Vec<String> = got["ai"]["markers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["model"].as_str().map(String::from))
        .collect();
    models.sort();
    models.dedup();
    for (what, expected, actual) in [
        ("keys", &expect.keys, sorted("/linkage/keys")),
        ("ai_detected", &expect.ai_detected, sorted("/ai/detected")),
        ("ai_models", &expect.ai_models, models),
    ] {
        if let Some(expected) = expected {
            let mut expected = expected.clone();
            expected.sort();
            if actual != expected {
                mismatches.push((what.to_string(), expected.join(", "), actual.join(", ")));
            }
        }
    }
    for (path, tier) in expect.files.iter().flatten() {
        let actual = got["files"]
            .as_array()
            .and_then(|files| files.iter().find(|f| f["path"] == path.as_str()))
            .and_then(|f| f["tier"].as_str())
            .unwrap_or(crate::wording::cli::NOT_IN_THE_PR)
            .to_string();
        if !actual.eq_ignore_ascii_case(tier) {
            mismatches.push((crate::wording::cli::tier_of(path), tier.clone(), actual));
        }
    }
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| dir.display().to_string());
    Ok(CaseResult { name, mismatches, description: expect.description, source: expect.source, license: expect.license })
}
