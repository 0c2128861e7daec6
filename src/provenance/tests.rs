//! The mapper on hand-made histories: each commit's own patch and notes in, each added line's
//! origin out. Notes follow the Git AI Standard v3.0.0, whogitit's AIAttribution version 3 and
//! Agent Trace 0.1.0.

use super::map;
use crate::model::provenance::{
    LineCounts, LineRun, Origin, Provenance, RawCommit, RawFilePatch, RawProvenance, SourceKind, SourceRead,
    SourceState,
};
use crate::model::{CommitSha, FileChange, FileStatus};

fn commit(sha: &str, files: &[(&str, Option<&str>, &str)], notes: &[(SourceKind, String)]) -> RawCommit {
    RawCommit {
        sha: CommitSha::new(sha),
        files: files
            .iter()
            .map(|(path, previous, patch)| RawFilePatch {
                path: path.to_string(),
                previous_path: previous.map(String::from),
                patch: Some(patch.to_string()),
            })
            .collect(),
        notes: notes.to_vec(),
    }
}

/// A git-ai authorship log: `(path, [(prompt hash, ranges)])`; two prompts, a cursor one
/// (`aaaa...`) and a claude one (`bbbb...`).
fn git_ai(files: &[(&str, &[(&str, &str)])]) -> (SourceKind, String) {
    let mut text = String::new();
    for (path, entries) in files {
        text.push_str(&format!("{path}\n"));
        for (hash, ranges) in *entries {
            text.push_str(&format!("  {hash} {ranges}\n"));
        }
    }
    text.push_str(
        "---\n{\"schema_version\":\"authorship/3.0.0\",\"base_commit_sha\":\"0000\",\"prompts\":{\
         \"aaaaaaaaaaaaaaaa\":{\"agent_id\":{\"tool\":\"cursor\",\"id\":\"s1\",\"model\":\"gpt-5\"},\"messages\":[],\
         \"total_additions\":1,\"total_deletions\":0,\"accepted_lines\":1,\"overriden_lines\":0},\
         \"bbbbbbbbbbbbbbbb\":{\"agent_id\":{\"tool\":\"claude\",\"id\":\"s2\",\"model\":\"claude-sonnet-4-5\"},\"messages\":[],\
         \"total_additions\":1,\"total_deletions\":0,\"accepted_lines\":1,\"overriden_lines\":0}}}",
    );
    (SourceKind::GitAi, text)
}

fn pr_file(path: &str, patch: &str) -> FileChange {
    let added = patch.lines().filter(|l| l.starts_with('+')).count() as u64;
    FileChange { patch: Some(patch.to_string()), ..FileChange::new(path, FileStatus::Added, added, 0) }
}

fn counts(p: &Provenance, path: &str) -> LineCounts {
    p.file(path).expect("the file is mapped").lines
}

fn runs(p: &Provenance, path: &str) -> Vec<(u32, u32, Origin, Option<String>)> {
    p.file(path)
        .expect("the file is mapped")
        .runs
        .iter()
        .map(|r| (r.start_line, r.end_line, r.origin, r.tool.clone()))
        .collect()
}

fn lines(n: u32, prefix: &str) -> String {
    (1..=n).map(|i| format!("+{prefix}{i}\n")).collect()
}

#[test]
fn an_ai_commit_s_attested_lines_are_ai_and_its_other_added_lines_human() {
    let patch = format!("@@ -0,0 +1,4 @@\n{}", lines(4, "l"));
    let raw = RawProvenance {
        commits: vec![commit("c1", &[("a.rs", None, &patch)], &[git_ai(&[("a.rs", &[("aaaaaaaaaaaaaaaa", "1-3")])])])],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("a.rs", &patch)]);
    assert_eq!(counts(&p, "a.rs"), LineCounts { ai: 3, human: 1, ..LineCounts::default() });
    assert_eq!(
        p.file("a.rs").expect("mapped").runs[0],
        LineRun {
            start_line: 1,
            end_line: 3,
            origin: Origin::Ai,
            tool: Some("cursor".into()),
            model: Some("gpt-5".into()),
            source: Some(SourceKind::GitAi)
        }
    );
    assert_eq!(p.file("a.rs").expect("mapped").tools(), vec!["cursor"]);
    assert_eq!(
        p.sources,
        vec![
            SourceRead { kind: SourceKind::GitAi, state: SourceState::Read { records: 1 } },
            SourceRead { kind: SourceKind::Whogitit, state: SourceState::Read { records: 0 } },
            SourceRead { kind: SourceKind::AgentTrace, state: SourceState::Read { records: 0 } },
        ]
    );
}

#[test]
fn a_person_s_later_edit_of_an_ai_line_makes_it_ai_modified_and_lines_shift_with_later_hunks() {
    let first = format!("@@ -0,0 +1,4 @@\n{}", lines(4, "ai"));
    // The second commit puts two lines on top, rewrites the AI's second line and adds one below.
    let second = "@@ -0,0 +1,2 @@\n+top1\n+top2\n@@ -1,4 +3,5 @@\n ai1\n-ai2\n+ai2 fixed\n ai3\n ai4\n+tail\n";
    let head = "@@ -0,0 +1,7 @@\n+top1\n+top2\n+ai1\n+ai2 fixed\n+ai3\n+ai4\n+tail\n";
    let raw = RawProvenance {
        commits: vec![
            commit("c1", &[("a.rs", None, &first)], &[git_ai(&[("a.rs", &[("aaaaaaaaaaaaaaaa", "1-4")])])]),
            commit("c2", &[("a.rs", None, second)], &[]),
        ],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("a.rs", head)]);
    let cursor = Some("cursor".to_string());
    assert_eq!(
        runs(&p, "a.rs"),
        vec![
            (1, 2, Origin::Unknown, None),
            (3, 3, Origin::Ai, cursor.clone()),
            (4, 4, Origin::AiModified, cursor.clone()),
            (5, 6, Origin::Ai, cursor),
            (7, 7, Origin::Unknown, None),
        ]
    );
    assert_eq!(counts(&p, "a.rs"), LineCounts { ai: 3, ai_modified: 1, human: 0, unknown: 3 });
}

#[test]
fn a_later_note_decides_a_rewritten_line_a_new_ai_session_or_a_person_by_whogitit() {
    let first = format!("@@ -0,0 +1,2 @@\n{}", lines(2, "ai"));
    let second = "@@ -1,2 +1,2 @@\n-ai1\n-ai2\n+by claude\n+by hand\n";
    let whogitit = r#"{"version":3,"session":{"model":{"id":"claude-opus-4-5-20251101"}},"files":[{"path":"a.rs","lines":[
        {"line_number":2,"content":"by hand","source":{"type":"Human"}}]}]}"#;
    let raw = RawProvenance {
        commits: vec![
            commit("c1", &[("a.rs", None, &first)], &[git_ai(&[("a.rs", &[("aaaaaaaaaaaaaaaa", "1-2")])])]),
            commit(
                "c2",
                &[("a.rs", None, second)],
                &[git_ai(&[("a.rs", &[("bbbbbbbbbbbbbbbb", "1")])]), (SourceKind::Whogitit, whogitit.to_string())],
            ),
        ],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("a.rs", "@@ -0,0 +1,2 @@\n+by claude\n+by hand\n")]);
    assert_eq!(runs(&p, "a.rs"), vec![(1, 1, Origin::Ai, Some("claude".into())), (2, 2, Origin::Human, None)]);
}

#[test]
fn a_rename_carries_the_lines_to_the_new_path() {
    let first = format!("@@ -0,0 +1,3 @@\n{}", lines(3, "x"));
    let raw = RawProvenance {
        commits: vec![
            commit("c1", &[("old.rs", None, &first)], &[git_ai(&[("old.rs", &[("bbbbbbbbbbbbbbbb", "1-3")])])]),
            // A rename with no change of content has no hunks.
            commit("c2", &[("new.rs", Some("old.rs"), "")], &[]),
            commit("c3", &[("new.rs", None, "@@ -3,0 +4 @@\n+x4\n")], &[]),
        ],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("new.rs", &format!("@@ -0,0 +1,4 @@\n{}", lines(4, "x")))]);
    assert_eq!(counts(&p, "new.rs"), LineCounts { ai: 3, unknown: 1, ..LineCounts::default() });
}

#[test]
fn a_squashed_commit_s_combined_note_covers_every_session_s_lines() {
    let patch = format!("@@ -0,0 +1,5 @@\n{}", lines(5, "s"));
    let note = git_ai(&[("a.rs", &[("aaaaaaaaaaaaaaaa", "1-2"), ("bbbbbbbbbbbbbbbb", "4-5")])]);
    let raw =
        RawProvenance { commits: vec![commit("sq", &[("a.rs", None, &patch)], &[note])], ..RawProvenance::default() };
    let p = map(&raw, &[pr_file("a.rs", &patch)]);
    assert_eq!(
        runs(&p, "a.rs"),
        vec![
            (1, 2, Origin::Ai, Some("cursor".into())),
            (3, 3, Origin::Human, None),
            (4, 5, Origin::Ai, Some("claude".into()))
        ]
    );
    assert_eq!(p.file("a.rs").expect("mapped").models(), vec!["claude-sonnet-4-5", "gpt-5"]);
}

#[test]
fn a_corrupt_note_is_reported_with_its_commit_and_leaves_that_commit_s_lines_unknown() {
    let patch = format!("@@ -0,0 +1,2 @@\n{}", lines(2, "c"));
    let raw = RawProvenance {
        commits: vec![commit(
            "0123456789abcdef0123",
            &[("a.rs", None, &patch)],
            &[(SourceKind::GitAi, "a.rs\n  aaaaaaaaaaaaaaaa 1-2\n".into())],
        )],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("a.rs", &patch)]);
    assert_eq!(counts(&p, "a.rs"), LineCounts { unknown: 2, ..LineCounts::default() });
    assert_eq!(
        p.sources[0].state,
        SourceState::Corrupt {
            reason: "the note on commit 0123456789ab: no `---` line divides the attestation section from the metadata"
                .into()
        }
    );
    assert!(!p.has_records());
}

#[test]
fn no_records_leave_every_line_unknown_and_the_gathered_states_stand() {
    let patch = format!("@@ -0,0 +1,3 @@\n{}", lines(3, "n"));
    let raw = RawProvenance {
        commits: vec![commit("c1", &[("a.rs", None, &patch)], &[])],
        sources: vec![
            SourceRead { kind: SourceKind::GitAi, state: SourceState::Missing },
            SourceRead { kind: SourceKind::Whogitit, state: SourceState::Unreadable { reason: "git failed".into() } },
        ],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("a.rs", &patch)]);
    assert_eq!(runs(&p, "a.rs"), vec![(1, 3, Origin::Unknown, None)]);
    assert_eq!(p.sources[0].state, SourceState::Missing);
    assert_eq!(p.sources[1].state, SourceState::Unreadable { reason: "git failed".into() });
    assert_eq!(p.sources[2].state, SourceState::Read { records: 0 });
}

#[test]
fn a_file_without_a_patch_counts_its_added_lines_unknown() {
    let raw = RawProvenance::default();
    let binary = FileChange::new("logo.png", FileStatus::Added, 7, 0);
    let p = map(&raw, &[binary]);
    assert_eq!(counts(&p, "logo.png"), LineCounts { unknown: 7, ..LineCounts::default() });
    assert!(p.file("logo.png").expect("mapped").runs.is_empty());
}

#[test]
fn a_line_whose_text_differs_from_the_diff_is_not_given_the_record_s_origin() {
    // The replayed history says line 1 is "one"; the PR's diff shows "uno": the histories
    // disagree (a commit's patch was not the whole story), so the record does not carry.
    let patch = "@@ -0,0 +1 @@\n+one\n";
    let raw = RawProvenance {
        commits: vec![commit("c1", &[("a.rs", None, patch)], &[git_ai(&[("a.rs", &[("aaaaaaaaaaaaaaaa", "1")])])])],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("a.rs", "@@ -0,0 +1 @@\n+uno\n")]);
    assert_eq!(counts(&p, "a.rs"), LineCounts { unknown: 1, ..LineCounts::default() });
}

/// sha256 of "moved1\nmoved2" (the range's lines joined by a newline, no final newline).
fn moved_hash() -> String {
    use sha2::{Digest, Sha256};
    format!("sha256:{}", hex::encode(Sha256::digest(b"moved1\nmoved2")))
}

fn trace(path: &str, start: u32, end: u32, hash: &str, revision: Option<&str>) -> String {
    let vcs = revision.map(|r| format!(r#""vcs":{{"type":"git","revision":"{r}"}},"#)).unwrap_or_default();
    format!(
        r#"{{"version":"0.1.0","id":"550e8400-e29b-41d4-a716-446655440000","timestamp":"2026-01-25T10:00:00Z",{vcs}
        "tool":{{"name":"claude-code"}},"files":[{{"path":"{path}","conversations":[{{"contributor":{{"type":"ai",
        "model_id":"anthropic/claude-opus-4-5-20251101"}},"ranges":[{{"start_line":{start},"end_line":{end},"content_hash":"{hash}"}}]}}]}}]}}"#
    )
}

#[test]
fn an_agent_trace_range_that_moved_is_found_again_by_its_content_hash() {
    // Recorded at lines 1-2; two lines were put above it since.
    let patch = "@@ -0,0 +1,4 @@\n+new1\n+new2\n+moved1\n+moved2\n";
    let raw = RawProvenance {
        commits: vec![commit("c1", &[("a.rs", None, patch)], &[])],
        trace_files: vec![(
            ".agent-trace/traces.jsonl".into(),
            trace("a.rs", 1, 2, &moved_hash(), None).replace('\n', " "),
        )],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("a.rs", patch)]);
    assert_eq!(runs(&p, "a.rs"), vec![(1, 2, Origin::Unknown, None), (3, 4, Origin::Ai, Some("claude-code".into()))]);
    assert_eq!(p.file("a.rs").expect("mapped").models(), vec!["anthropic/claude-opus-4-5-20251101"]);
    assert_eq!(p.sources[2].state, SourceState::Read { records: 1 });
}

#[test]
fn an_agent_trace_range_whose_hash_is_found_nowhere_is_ai_modified_where_it_was_recorded() {
    let patch = "@@ -0,0 +1,2 @@\n+moved1\n+moved2 edited\n";
    let raw = RawProvenance {
        commits: vec![commit("c1", &[("a.rs", None, patch)], &[])],
        trace_files: vec![("t.json".into(), trace("a.rs", 1, 2, &moved_hash(), Some("c1")))],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("a.rs", patch)]);
    assert_eq!(runs(&p, "a.rs"), vec![(1, 2, Origin::AiModified, Some("claude-code".into()))]);
}

#[test]
fn a_corrupt_trace_file_is_named_in_the_reason() {
    let raw =
        RawProvenance { trace_files: vec![("t.json".into(), "{\"files\": 1}".into())], ..RawProvenance::default() };
    let p = map(&raw, &[]);
    let SourceState::Corrupt { reason } = &p.sources[2].state else { panic!("{:?}", p.sources[2]) };
    assert!(reason.starts_with("t.json"), "{reason}");
}

#[test]
fn an_agent_trace_range_is_found_in_another_file_and_a_short_revision_names_its_commit() {
    // Recorded in a.rs at commit c1abcdef...; the lines now live in b.rs, whose first two lines
    // the PR did not add.
    let a = "@@ -0,0 +1 @@\n+other\n";
    let b = "@@ -2,0 +3,2 @@\n+moved1\n+moved2\n";
    let raw = RawProvenance {
        commits: vec![commit("c1abcdef0123", &[("a.rs", None, a), ("b.rs", None, b)], &[])],
        trace_files: vec![("t.json".into(), trace("a.rs", 1, 2, &moved_hash(), Some("c1abcdef")))],
        ..RawProvenance::default()
    };
    let p = map(&raw, &[pr_file("a.rs", a), pr_file("b.rs", b)]);
    assert_eq!(runs(&p, "a.rs"), vec![(1, 1, Origin::Unknown, None)]);
    assert_eq!(runs(&p, "b.rs"), vec![(3, 4, Origin::Ai, Some("claude-code".into()))]);
}
