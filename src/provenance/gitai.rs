//! git-ai authorship logs (`refs/notes/ai`), as the Git AI Standard v3.0.0 defines them (schema
//! `authorship/3.0.0`): an attestation section (a file path at the start of a line, then entries
//! indented by two spaces: a 16-hex prompt hash and its line ranges, `1-4,9,12`), a line holding
//! exactly `---`, and a JSON metadata section whose `prompts` map each hash to its `agent_id`
//! (`tool`, `id`, `model`). Line numbers are the file's lines at the commit the note is on.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Claim, Limits, Note};
use crate::model::provenance::{Origin, SourceKind};

#[derive(Deserialize)]
struct Metadata {
    schema_version: String,
    #[serde(default)]
    prompts: BTreeMap<String, Prompt>,
}

#[derive(Deserialize)]
struct Prompt {
    agent_id: AgentId,
}

#[derive(Deserialize)]
struct AgentId {
    #[serde(default)]
    tool: Option<String>,
    #[serde(default)]
    model: Option<String>,
}

/// One git-ai note, or what is wrong with it. A note is git-ai's account of the whole commit:
/// the lines it attests are the AI's, the commit's other added lines were not written by an
/// AI session git-ai saw (`Note::rest_human`).
pub fn parse(text: &str, limits: &Limits) -> Result<Note, String> {
    limits.check_size(text.len())?;
    let Some((attestation, metadata)) = split_divider(text) else {
        return Err("no `---` line divides the attestation section from the metadata".into());
    };
    let meta: Metadata =
        serde_json::from_str(metadata).map_err(|e| format!("the metadata section is not the schema's JSON: {e}"))?;
    if !meta.schema_version.starts_with("authorship/3.") {
        return Err(format!("schema_version {:?} is not authorship/3.x", meta.schema_version));
    }
    let mut claims = Vec::new();
    let mut ranges_read = 0usize;
    let mut file: Option<String> = None;
    for (n, line) in attestation.lines().enumerate() {
        let at = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some(entry) = line.strip_prefix("  ") else {
            if line.starts_with(char::is_whitespace) {
                return Err(format!("attestation line {at} is indented but not by two spaces"));
            }
            file = Some(unquote(line));
            continue;
        };
        let Some(path) = &file else {
            return Err(format!("attestation line {at} is an entry before any file path"));
        };
        let (hash, spec) =
            entry.split_once(' ').ok_or_else(|| format!("attestation line {at} has no line ranges after its hash"))?;
        if hash.len() < 7 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("attestation line {at}: {hash:?} is not a hexadecimal prompt hash"));
        }
        let prompt = meta
            .prompts
            .get(hash)
            .ok_or_else(|| format!("attestation line {at}: prompt {hash} is not in the metadata"))?;
        let ranges = line_ranges(spec).map_err(|e| format!("attestation line {at}: {e}"))?;
        ranges_read += ranges.len();
        limits.check_ranges(ranges_read)?;
        claims.push(Claim {
            path: path.clone(),
            ranges,
            origin: Origin::Ai,
            tool: prompt.agent_id.tool.clone().filter(|t| !t.is_empty()),
            model: prompt.agent_id.model.clone().filter(|m| !m.is_empty()),
            source: SourceKind::GitAi,
            content_hash: None,
        });
    }
    Ok(Note { claims, rest_human: true, revision: None })
}

/// The two sections around the first line that is exactly `---`.
fn split_divider(text: &str) -> Option<(&str, &str)> {
    if let Some(rest) = text.strip_prefix("---\n") {
        return Some(("", rest));
    }
    let at = text
        .find("\n---\n")
        .map(|i| (i, i + 5))
        .or_else(|| text.strip_suffix("\n---").map(|t| (t.len(), text.len())))?;
    Some((&text[..at.0], &text[at.1..]))
}

/// A path the standard wraps in double quotes when it holds spaces.
fn unquote(line: &str) -> String {
    let line = line.trim_end();
    line.strip_prefix('"').and_then(|l| l.strip_suffix('"')).unwrap_or(line).to_string()
}

/// `1-4,9-10,12`: inclusive, 1-based ranges.
pub fn line_ranges(spec: &str) -> Result<Vec<(u32, u32)>, String> {
    let mut out = Vec::new();
    for part in spec.trim().split(',') {
        let (start, end) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<u32>(), b.parse::<u32>()),
            None => (part.parse::<u32>(), part.parse::<u32>()),
        };
        let (Ok(start), Ok(end)) = (start, end) else {
            return Err(format!("{part:?} is not a line or a range of lines"));
        };
        if start == 0 || end < start || end > super::diff::MAX_LINE {
            return Err(format!("{part:?} is not a range of lines from 1 (1-based, start before end)"));
        }
        out.push((start, end));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen<'a> = (&'a str, Vec<(u32, u32)>, Option<&'a str>, Option<&'a str>);

    /// A note written from the Git AI Standard v3.0.0's own layout (section 1.2.5).
    const NOTE: &str = "src/main.rs\n  abcd1234abcd1234 1-10,15-20\n  0123456789abcdef 25\n\"src/my file.rs\"\n  abcd1234abcd1234 3\n---\n\
        {\"schema_version\":\"authorship/3.0.0\",\"git_ai_version\":\"1.0.23\",\"base_commit_sha\":\"7734793b\",\"prompts\":{\
        \"abcd1234abcd1234\":{\"agent_id\":{\"tool\":\"cursor\",\"id\":\"6ef2\",\"model\":\"claude-4.5-opus\"},\"messages\":[],\
        \"total_additions\":25,\"total_deletions\":5,\"accepted_lines\":20,\"overriden_lines\":0},\
        \"0123456789abcdef\":{\"agent_id\":{\"tool\":\"claude\",\"id\":\"a1b2\",\"model\":\"claude-sonnet-4-5\"},\"messages\":[],\
        \"total_additions\":1,\"total_deletions\":0,\"accepted_lines\":1,\"overridden_lines\":0}}}";

    #[test]
    fn an_authorship_log_names_each_files_ai_lines_with_the_prompts_tool_and_model() {
        let note = parse(NOTE, &Limits::default()).expect("a note");
        let got: Vec<Seen> = note
            .claims
            .iter()
            .map(|c| (c.path.as_str(), c.ranges.clone(), c.tool.as_deref(), c.model.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("src/main.rs", vec![(1, 10), (15, 20)], Some("cursor"), Some("claude-4.5-opus")),
                ("src/main.rs", vec![(25, 25)], Some("claude"), Some("claude-sonnet-4-5")),
                ("src/my file.rs", vec![(3, 3)], Some("cursor"), Some("claude-4.5-opus")),
            ]
        );
        assert!(note.rest_human, "git-ai speaks for the whole commit");
    }

    #[test]
    fn a_note_that_breaks_the_standard_is_refused_with_what_is_wrong() {
        let limits = Limits::default();
        let meta = "{\"schema_version\":\"authorship/3.0.0\",\"base_commit_sha\":\"x\",\"prompts\":{}}";
        assert!(parse("a.rs\n  abcd1234abcd1234 1\n", &limits).unwrap_err().contains("no `---`"));
        assert!(parse("a.rs\n---\n{not json", &limits).unwrap_err().contains("not the schema's JSON"));
        assert!(
            parse(&format!("a.rs\n  abcd1234abcd1234 1\n---\n{meta}"), &limits)
                .unwrap_err()
                .contains("not in the metadata")
        );
        assert!(
            parse(&format!("  abcd1234abcd1234 1\n---\n{meta}"), &limits).unwrap_err().contains("before any file path")
        );
        let v2 = "---\n{\"schema_version\":\"authorship/2.0.0\",\"prompts\":{}}";
        assert!(parse(v2, &limits).unwrap_err().contains("not authorship/3.x"));
        assert!(line_ranges("4-2").is_err() && line_ranges("0").is_err() && line_ranges("1, 2").is_err());
        assert_eq!(parse(&format!("---\n{meta}"), &limits).expect("an empty attestation").claims, vec![]);
    }

    #[test]
    fn a_note_over_the_caps_is_refused_before_it_is_read() {
        let limits = Limits { max_bytes: 64, max_ranges: 2 };
        assert!(parse(NOTE, &limits).unwrap_err().contains("bytes"));
        let limits = Limits { max_bytes: 1 << 20, max_ranges: 2 };
        assert!(parse(NOTE, &limits).unwrap_err().contains("ranges"));
    }
}
