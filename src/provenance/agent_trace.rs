//! Agent Trace trace records (specification 0.1.0, cursor/agent-trace: a record's `files`, each
//! with `conversations`, each with a `contributor` `{type: human|ai|mixed|unknown, model_id}` and
//! `ranges` `{start_line, end_line, content_hash?, contributor?}`; line numbers are 1-based at the
//! record's `vcs.revision`). A file holds one record, a JSON array of them, or JSON Lines (the
//! reference implementation appends to `.agent-trace/traces.jsonl`).
//!
//! Content hashes: the specification leaves the algorithm open (its example is `murmur3:...`).
//! flowgate checks two: `sha256:<64 hex>` and `murmur3:<8 hex>` (MurmurHash3 x86 32-bit, seed 0),
//! both over the range's lines joined by `\n`, without a final newline, as UTF-8. Another
//! algorithm is kept but not checked.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{Claim, Limits, Note};
use crate::model::provenance::{Origin, SourceKind};

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    vcs: Option<Vcs>,
    #[serde(default)]
    tool: Option<Tool>,
    files: Vec<File>,
}

#[derive(Deserialize)]
struct Vcs {
    #[serde(rename = "type")]
    kind: String,
    revision: String,
}

#[derive(Deserialize)]
struct Tool {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct File {
    path: String,
    conversations: Vec<Conversation>,
}

#[derive(Deserialize)]
struct Conversation {
    #[serde(default)]
    contributor: Option<Contributor>,
    ranges: Vec<Range>,
}

#[derive(Deserialize, Clone)]
struct Contributor {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    model_id: Option<String>,
}

#[derive(Deserialize)]
struct Range {
    start_line: u32,
    end_line: u32,
    #[serde(default)]
    content_hash: Option<String>,
    #[serde(default)]
    contributor: Option<Contributor>,
}

/// The records of one trace file, each as a note (with the git revision it was recorded at), or
/// what is wrong with the file.
pub fn parse(name: &str, text: &str, limits: &Limits) -> Result<Vec<Note>, String> {
    limits.check_size(text.len())?;
    let trimmed = text.trim_start();
    let records: Vec<Record> = if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| format!("{name}: not an array of trace records: {e}"))?
    } else if let Ok(one) = serde_json::from_str::<Record>(trimmed) {
        vec![one]
    } else {
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let record = serde_json::from_str(line)
                .map_err(|e| format!("{name} line {}: not an Agent Trace record: {e}", n + 1))?;
            out.push(record);
        }
        out
    };
    let mut notes = Vec::new();
    let mut ranges_read = 0usize;
    for record in records {
        let tool = record.tool.and_then(|t| t.name).filter(|t| !t.is_empty());
        let revision = record.vcs.filter(|v| v.kind == "git").map(|v| v.revision);
        let mut claims = Vec::new();
        for file in record.files {
            for conversation in file.conversations {
                for range in conversation.ranges {
                    ranges_read += 1;
                    limits.check_ranges(ranges_read)?;
                    if range.start_line == 0
                        || range.end_line < range.start_line
                        || range.end_line > super::diff::MAX_LINE
                    {
                        return Err(format!(
                            "{name}: {} has the range {}-{}, not 1-based lines in order",
                            file.path, range.start_line, range.end_line
                        ));
                    }
                    let Some(contributor) = range.contributor.or_else(|| conversation.contributor.clone()) else {
                        continue;
                    };
                    let origin = match contributor.kind.as_str() {
                        "ai" => Origin::Ai,
                        "mixed" => Origin::AiModified,
                        "human" => Origin::Human,
                        "unknown" => continue,
                        other => return Err(format!("{name}: {} has the contributor type {other:?}", file.path)),
                    };
                    let ai = origin != Origin::Human;
                    claims.push(Claim {
                        path: file.path.clone(),
                        ranges: vec![(range.start_line, range.end_line)],
                        origin,
                        tool: if ai { tool.clone() } else { None },
                        model: if ai { contributor.model_id.filter(|m| !m.is_empty()) } else { None },
                        source: SourceKind::AgentTrace,
                        content_hash: range.content_hash,
                    });
                }
            }
        }
        notes.push(Note { claims, rest_human: false, revision: revision.clone() });
    }
    Ok(notes)
}

/// Whether `lines` hash to `hash`: `Some(true|false)` for an algorithm flowgate checks, `None`
/// for one it does not know.
pub fn hash_matches(hash: &str, lines: &[&str]) -> Option<bool> {
    let text = lines.join("\n");
    let (algorithm, value) = hash.split_once(':')?;
    let value = value.to_ascii_lowercase();
    match algorithm {
        "sha256" => Some(hex::encode(Sha256::digest(text.as_bytes())) == value),
        "murmur3" => Some(format!("{:08x}", murmur3_32(text.as_bytes(), 0)) == value),
        _ => None,
    }
}

/// MurmurHash3, x86 32-bit variant.
fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, b) in tail.iter().enumerate() {
            k |= u32::from(*b) << (8 * i);
        }
        h ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen<'a> = (Vec<(u32, u32)>, Origin, Option<&'a str>, Option<&'a str>);

    /// A record shaped as the Agent Trace 0.1.0 specification's example (section 6.2).
    const RECORD: &str = r#"{"version":"0.1.0","id":"550e8400-e29b-41d4-a716-446655440000","timestamp":"2026-01-23T14:30:00Z",
        "vcs":{"type":"git","revision":"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"},"tool":{"name":"cursor","version":"2.4.0"},
        "files":[{"path":"src/utils/parser.ts","conversations":[{"url":"https://api.cursor.com/v1/conversations/12345",
          "contributor":{"type":"ai","model_id":"anthropic/claude-opus-4-5-20251101"},
          "ranges":[{"start_line":42,"end_line":67,"content_hash":"murmur3:9f2e8a1b"},
                    {"start_line":70,"end_line":71,"contributor":{"type":"human"}}]}]}],
        "metadata":{"confidence":0.95}}"#;

    #[test]
    fn a_record_gives_its_ranges_with_the_tool_the_model_and_a_range_override() {
        let notes = parse("t.json", RECORD, &Limits::default()).expect("a record");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].revision.as_deref(), Some("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"));
        let got: Vec<Seen> = notes[0]
            .claims
            .iter()
            .map(|c| (c.ranges.clone(), c.origin, c.tool.as_deref(), c.model.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (vec![(42, 67)], Origin::Ai, Some("cursor"), Some("anthropic/claude-opus-4-5-20251101")),
                (vec![(70, 71)], Origin::Human, None, None),
            ]
        );
    }

    #[test]
    fn json_lines_hold_one_record_a_line_and_a_bad_line_is_named() {
        let line = RECORD.replace('\n', " ");
        let jsonl = format!("{line}\n\n{line}\n");
        assert_eq!(parse("traces.jsonl", &jsonl, &Limits::default()).expect("two records").len(), 2);
        let bad = format!("{line}\n{{\"files\": 3}}\n");
        let err = parse("traces.jsonl", &bad, &Limits::default()).expect_err("refused");
        assert!(err.starts_with("traces.jsonl line 2: not an Agent Trace record"), "{err}");
        let reversed = r#"{"files":[{"path":"a","conversations":[{"ranges":[{"start_line":5,"end_line":2}]}]}]}"#;
        assert!(parse("r.json", reversed, &Limits::default()).expect_err("refused").contains("5-2"));
    }

    #[test]
    fn content_hashes_are_checked_for_sha256_and_murmur3_over_the_lines_joined_by_newlines() {
        // sha256("a\nb") and MurmurHash3_x86_32("a\nb", 0).
        let sha = "sha256:7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78";
        assert_eq!(hash_matches(sha, &["a", "b"]), Some(true));
        assert_eq!(hash_matches(sha, &["a", "c"]), Some(false));
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"hello", 0), 0x248b_fa47);
        assert_eq!(hash_matches("crc32:0000", &["a"]), None);
    }
}
