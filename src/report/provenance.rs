//! Line-level AI provenance in the verdict's renderings: the JSON `provenance` block (files ->
//! ranges, each with its contributor, in the shape of Agent Trace records), the AI section's
//! share checks and disagreements as JSON, and which files get an "AI-written" annotation.

use serde_json::{Value, json};

use crate::model::ai_declaration::RepoAiDeclaration;
use crate::model::provenance::{FileProvenance, LineCounts, LineRun, Origin};
use crate::policy::ai::lines::{FileShare, LinesVerdict, ShareUnknown};
use crate::policy::verdict::Verdict;
use crate::wording::Flavor;
use crate::wording::verdict as wording;

/// The changed files whose line records show AI-written lines, in the records' order.
pub(crate) fn ai_written_files(v: &Verdict) -> Vec<&FileProvenance> {
    let Some(p) = &v.ai.lines.provenance else { return Vec::new() };
    p.files.iter().filter(|f| f.lines.ai_written() > 0 && v.files.iter().any(|c| c.path == f.path)).collect()
}

/// The lines of the file's first AI-written run, for its annotation (line 1 when none is known).
pub(crate) fn first_ai_run(file: &FileProvenance) -> (u32, u32) {
    file.runs
        .iter()
        .filter(|r| matches!(r.origin, Origin::Ai | Origin::AiModified))
        .min_by_key(|r| r.start_line)
        .map_or((1, 1), |r| (r.start_line.max(1), r.end_line.max(r.start_line).max(1)))
}

fn counts(c: &LineCounts) -> Value {
    json!({ "added": c.added(), "ai": c.ai, "ai_modified": c.ai_modified, "human": c.human, "unknown": c.unknown })
}

/// Agent Trace's contributor types: `ai`, `mixed` (AI-written, then changed by a person),
/// `human`, `unknown`.
fn contributor(run: &LineRun) -> Value {
    let kind = match run.origin {
        Origin::Ai => "ai",
        Origin::AiModified => "mixed",
        Origin::Human => "human",
        Origin::Unknown => "unknown",
    };
    json!({ "type": kind, "tool": run.tool, "model_id": run.model })
}

fn file(f: &FileProvenance) -> Value {
    let ranges: Vec<Value> = f
        .runs
        .iter()
        .map(|r| {
            json!({
                "start_line": r.start_line, "end_line": r.end_line, "contributor": contributor(r),
                "source": serde_json::to_value(r.source).unwrap_or(Value::Null),
            })
        })
        .collect();
    json!({
        "path": f.path,
        "lines": counts(&f.lines),
        "ai_share_percent": wording::percent(f.lines.ai_written(), f.lines.added()),
        "tools": f.tools(),
        "models": f.models(),
        "ranges": ranges,
    })
}

/// The top-level `provenance` block; `null` when this source could not look for records.
pub fn to_json(lines: &LinesVerdict) -> Value {
    let Some(p) = &lines.provenance else { return Value::Null };
    json!({
        "has_records": p.has_records(),
        "sources": p.sources.iter().map(|s| serde_json::to_value(s).unwrap_or(Value::Null)).collect::<Vec<_>>(),
        "totals": counts(&p.totals()),
        "files": p.files.iter().map(file).collect::<Vec<_>>(),
    })
}

fn file_share(s: &FileShare) -> Value {
    json!({ "path": s.path, "ai_written": s.ai_written, "added": s.added })
}

/// `ai.max_ai_share`: one object per tier the policy sets a share for.
pub fn shares_json(lines: &LinesVerdict) -> Value {
    let checks: Vec<Value> = lines
        .shares
        .iter()
        .map(|c| {
            let (unknown, unknown_source) = match &c.unknown {
                None => (None, None),
                Some(ShareUnknown::NotLooked) => (Some("not_looked"), None),
                Some(ShareUnknown::Source { kind, .. }) => (Some("source_unreadable"), Some(*kind)),
            };
            json!({
                "tier": c.tier.id(),
                "max_ai_share": format!("{}%", c.max.0),
                "applies": c.applies(),
                "over": c.over.iter().map(file_share).collect::<Vec<_>>(),
                "unmeasured": c.unmeasured,
                "unknown": unknown,
                "unknown_source": unknown_source,
                "reason": wording::share_line(c, Flavor::Plain),
            })
        })
        .collect();
    Value::Array(checks)
}

/// `ai.disagreements`: each as the sentence the check run shows.
pub fn disagreements_json(lines: &LinesVerdict) -> Value {
    Value::Array(lines.disagreements.iter().map(|d| Value::String(wording::disagreement(d, Flavor::Plain))).collect())
}

/// `ai.repo_declaration`: the base branch's `AI-DECLARATION.md` as read; `null` when not gathered.
pub fn repo_declaration_json(lines: &LinesVerdict) -> Value {
    match &lines.repo_declaration {
        None => Value::Null,
        Some(RepoAiDeclaration::Missing) => json!({ "state": "missing" }),
        Some(RepoAiDeclaration::Bad { line, reason }) => json!({ "state": "bad", "line": line, "reason": reason }),
        Some(RepoAiDeclaration::Read(d)) => json!({
            "state": "read",
            "level": d.level.id(),
            "components": d.components.iter().map(|(path, level)| json!({ "path": path, "level": level.id() })).collect::<Vec<_>>(),
        }),
    }
}

#[cfg(test)]
mod tests;
