//! whogitit attributions (`refs/notes/whogitit`): the JSON `AIAttribution` of whogitit's "Data
//! Formats" reference, version 3 (`version: 3`, a line's `source` a tagged object `{"type": "AI"}`);
//! version 2 notes (`schema_version: 2`, `source` a plain string) read the same way. Each file
//! lists lines by `line_number` in the commit's version of the file with a source of `AI`,
//! `AIModified`, `Human`, `Original` (there before) or `Unknown`; the model is the session's.

use serde::Deserialize;

use super::{Claim, Limits, Note};
use crate::model::provenance::{Origin, SourceKind};

#[derive(Deserialize)]
struct Attribution {
    #[serde(default)]
    version: Option<u32>,
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    session: Option<Session>,
    files: Vec<File>,
}

#[derive(Deserialize)]
struct Session {
    #[serde(default)]
    model: Option<Model>,
}

#[derive(Deserialize)]
struct Model {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct File {
    path: String,
    #[serde(default)]
    lines: Vec<Line>,
}

#[derive(Deserialize)]
struct Line {
    line_number: u32,
    source: Source,
}

/// Version 3 tags the source (`{"type": "AI", "edit_id": ...}`); version 2 names it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Source {
    Tagged {
        #[serde(rename = "type")]
        kind: String,
    },
    Named(String),
}

/// One whogitit note, or what is wrong with it.
pub fn parse(text: &str, limits: &Limits) -> Result<Note, String> {
    limits.check_size(text.len())?;
    let note: Attribution =
        serde_json::from_str(text).map_err(|e| format!("not whogitit's AIAttribution JSON: {e}"))?;
    let version = note.version.or(note.schema_version);
    if !matches!(version, Some(2 | 3)) {
        return Err(format!("attribution version {version:?} is not 2 or 3"));
    }
    let model = note.session.and_then(|s| s.model).and_then(|m| m.id).filter(|m| !m.is_empty());
    let mut claims: Vec<Claim> = Vec::new();
    let mut ranges_read = 0usize;
    for file in note.files {
        let mut lines: Vec<(u32, Origin)> = Vec::new();
        for line in &file.lines {
            let kind = match &line.source {
                Source::Tagged { kind } | Source::Named(kind) => kind.as_str(),
            };
            let origin = match kind {
                "AI" => Origin::Ai,
                "AIModified" => Origin::AiModified,
                "Human" => Origin::Human,
                "Original" | "Unknown" => continue,
                other => {
                    return Err(format!("{}: line {} has the unknown source {other:?}", file.path, line.line_number));
                }
            };
            if line.line_number == 0 || line.line_number > super::diff::MAX_LINE {
                return Err(format!("{}: line_number {} is out of range", file.path, line.line_number));
            }
            lines.push((line.line_number, origin));
        }
        lines.sort_unstable();
        // Consecutive lines of one origin make one range.
        let mut runs: Vec<(u32, u32, Origin)> = Vec::new();
        for (n, origin) in lines {
            match runs.last_mut() {
                Some((_, end, o)) if *o == origin && *end + 1 == n => *end = n,
                Some((_, end, _)) if *end >= n => {}
                _ => runs.push((n, n, origin)),
            }
        }
        ranges_read += runs.len();
        limits.check_ranges(ranges_read)?;
        for (start, end, origin) in runs {
            let ai = origin != Origin::Human;
            claims.push(Claim {
                path: file.path.clone(),
                ranges: vec![(start, end)],
                origin,
                tool: None,
                model: if ai { model.clone() } else { None },
                source: SourceKind::Whogitit,
                content_hash: None,
            });
        }
    }
    Ok(Note { claims, rest_human: false, revision: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_3_attribution_gives_ai_modified_and_human_runs_with_the_sessions_model() {
        // Shaped as whogitit's Data Formats reference (AIAttribution version 3).
        let note = r#"{"version":3,"session":{"session_id":"7f3a","model":{"id":"claude-opus-4-5-20251101","provider":"anthropic"},
            "started_at":"2026-01-30T14:23:17Z","prompt_count":1,"used_plan_mode":false,"subagent_count":0},
            "prompts":[{"index":0,"text":"Add auth","timestamp":"2026-01-30T14:23:45Z","affected_files":["src/auth.rs"]}],
            "files":[{"path":"src/auth.rs","lines":[
              {"line_number":1,"content":"use a;","source":{"type":"AI","edit_id":"e1"},"edit_id":"e1","prompt_index":0,"confidence":1.0},
              {"line_number":2,"content":"use b;","source":{"type":"AI","edit_id":"e1"},"prompt_index":0},
              {"line_number":3,"content":"x","source":{"type":"AIModified","edit_id":"e1","similarity":0.8}},
              {"line_number":4,"content":"y","source":{"type":"Human"}},
              {"line_number":5,"content":"z","source":{"type":"Original"}}],
              "summary":{"total_lines":5,"ai_lines":2,"ai_modified_lines":1,"human_lines":1,"original_lines":1,"unknown_lines":0}}]}"#;
        let got: Vec<((u32, u32), Origin, Option<String>)> = parse(note, &Limits::default())
            .expect("a note")
            .claims
            .into_iter()
            .map(|c| (c.ranges[0], c.origin, c.model))
            .collect();
        let model = Some("claude-opus-4-5-20251101".to_string());
        assert_eq!(
            got,
            vec![
                ((1, 2), Origin::Ai, model.clone()),
                ((3, 3), Origin::AiModified, model),
                ((4, 4), Origin::Human, None)
            ]
        );
    }

    #[test]
    fn a_version_2_note_names_its_sources_and_a_broken_one_says_why() {
        let v2 = r#"{"schema_version":2,"files":[{"path":"a.rs","lines":[{"line_number":7,"source":"AI","prompt_index":0}]}]}"#;
        assert_eq!(parse(v2, &Limits::default()).expect("a v2 note").claims[0].ranges, vec![(7, 7)]);
        let limits = Limits::default();
        assert!(parse("{", &limits).unwrap_err().contains("not whogitit's"));
        assert!(parse(r#"{"version":9,"files":[]}"#, &limits).unwrap_err().contains("not 2 or 3"));
        let odd = r#"{"version":3,"files":[{"path":"a.rs","lines":[{"line_number":1,"source":{"type":"Robot"}}]}]}"#;
        assert!(parse(odd, &limits).unwrap_err().contains("unknown source \"Robot\""));
    }
}
