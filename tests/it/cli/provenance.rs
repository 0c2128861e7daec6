//! Line-level AI provenance read from real repositories: git-ai notes (Git AI Standard v3.0.0,
//! `authorship/3.0.0`) in `refs/notes/ai` and Agent Trace 0.1.0 records in
//! `.agent-trace/traces.jsonl`, through plain commits, a person's later edit, a rename, a rebase
//! (notes copied as git-ai does), a squash, a corrupt note and none at all.

use std::fs;

use flowgate::git::{LocalPr, Repo};
use flowgate::model::provenance::{LineCounts, Origin, Provenance, SourceKind, SourceState};

use crate::support::common::git_repo::GitRepo;

/// A repository whose `main` holds util.rs (10 numbered lines), on a branch `feature`.
fn repo() -> GitRepo {
    let repo = GitRepo::init();
    repo.write("util.rs", &numbered("util", 10));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Initial import"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo
}

fn numbered(prefix: &str, n: u32) -> String {
    (1..=n).map(|i| format!("{prefix} {i}\n")).collect()
}

fn commit(repo: &GitRepo, message: &str) -> String {
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", message]);
    repo.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// A git-ai authorship log (Git AI Standard v3.0.0, section 1.2): `(path, [(prompt, ranges)])`,
/// the prompt `c0ffee...` a Cursor session, `beef...` a Claude Code one.
fn authorship_log(files: &[(&str, &[(&str, &str)])]) -> String {
    let mut text = String::new();
    for (path, entries) in files {
        text.push_str(&format!("{path}\n"));
        for (prompt, ranges) in *entries {
            text.push_str(&format!("  {prompt} {ranges}\n"));
        }
    }
    text + r#"---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.0.23",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {
    "c0ffeec0ffeec0ff": {
      "agent_id": { "tool": "cursor", "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999", "model": "gpt-5" },
      "human_author": "Carol Diaz <carol@acme.example>",
      "messages": [{ "type": "user", "text": "Add the helpers" }],
      "total_additions": 4, "total_deletions": 0, "accepted_lines": 4, "overriden_lines": 0
    },
    "beefbeefbeefbeef": {
      "agent_id": { "tool": "claude", "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "model": "claude-sonnet-4-5" },
      "messages": [],
      "total_additions": 2, "total_deletions": 0, "accepted_lines": 2, "overriden_lines": 0
    }
  }
}
"#
}

const CURSOR: &str = "c0ffeec0ffeec0ff";
const CLAUDE: &str = "beefbeefbeefbeef";

/// Attaches `text` as the commit's note in `refs/notes/<name>`.
fn note(repo: &GitRepo, name: &str, rev: &str, text: &str) {
    let file = repo.home().join("note.txt");
    fs::write(&file, text).expect("the note is written");
    repo.git(&["notes", &format!("--ref={name}"), "add", "-f", "-F", file.to_str().expect("a UTF-8 path"), rev]);
}

fn provenance(repo: &GitRepo) -> Provenance {
    let pr = LocalPr { base: Some("main".into()), ..LocalPr::default() };
    let (facts, _) = Repo::discover(&repo.dir()).expect("a repository").facts(&pr).expect("the facts");
    facts.provenance.expect("local git looks for provenance")
}

fn counts(p: &Provenance, path: &str) -> LineCounts {
    p.file(path).unwrap_or_else(|| panic!("{path} is mapped: {p:?}")).lines
}

fn state(p: &Provenance, kind: SourceKind) -> SourceState {
    p.sources.iter().find(|s| s.kind == kind).expect("every source is reported").state.clone()
}

fn runs(p: &Provenance, path: &str) -> Vec<(u32, u32, Origin, Option<String>)> {
    p.file(path).expect("mapped").runs.iter().map(|r| (r.start_line, r.end_line, r.origin, r.tool.clone())).collect()
}

#[test]
fn a_plain_ai_commit_s_attested_lines_are_ai_with_the_notes_tool_and_model() {
    let repo = repo();
    repo.write("helpers.rs", &numbered("helper", 4));
    let sha = commit(&repo, "Add helpers");
    note(&repo, "ai", &sha, &authorship_log(&[("helpers.rs", &[(CURSOR, "1-3")])]));
    let p = provenance(&repo);
    assert_eq!(counts(&p, "helpers.rs"), LineCounts { ai: 3, human: 1, ..LineCounts::default() });
    let file = p.file("helpers.rs").expect("mapped");
    assert_eq!((file.tools(), file.models()), (vec!["cursor"], vec!["gpt-5"]));
    assert_eq!(state(&p, SourceKind::GitAi), SourceState::Read { records: 1 });
    assert_eq!(state(&p, SourceKind::Whogitit), SourceState::Missing);
    assert_eq!(state(&p, SourceKind::AgentTrace), SourceState::Missing);
}

#[test]
fn a_person_s_later_edit_of_an_ai_line_makes_that_line_ai_modified() {
    let repo = repo();
    repo.write("helpers.rs", &numbered("helper", 4));
    let sha = commit(&repo, "Add helpers");
    note(&repo, "ai", &sha, &authorship_log(&[("helpers.rs", &[(CURSOR, "1-4")])]));
    repo.write("helpers.rs", "helper 1\nhelper 2, checked\nhelper 3\nhelper 4\n");
    commit(&repo, "Check helper 2");
    let p = provenance(&repo);
    let cursor = Some("cursor".to_string());
    assert_eq!(
        runs(&p, "helpers.rs"),
        vec![
            (1, 1, Origin::Ai, cursor.clone()),
            (2, 2, Origin::AiModified, cursor.clone()),
            (3, 4, Origin::Ai, cursor)
        ]
    );
}

#[test]
fn lines_added_to_a_file_follow_it_through_a_rename_and_later_shifts() {
    let repo = repo();
    let mut text = numbered("util", 10);
    text.insert_str(text.find("util 6").expect("line 6"), "ai a\nai b\n");
    repo.write("util.rs", &text);
    let sha = commit(&repo, "Add two lines");
    note(&repo, "ai", &sha, &authorship_log(&[("util.rs", &[(CLAUDE, "6-7")])]));
    repo.git(&["mv", "util.rs", "helpers.rs"]);
    commit(&repo, "Rename util.rs");
    repo.write("helpers.rs", &format!("// helpers\n{text}"));
    commit(&repo, "A header line");
    let p = provenance(&repo);
    let file = p.file("helpers.rs").expect("the renamed file is mapped");
    assert_eq!(file.lines, LineCounts { ai: 2, unknown: 1, ..LineCounts::default() });
    assert_eq!(runs(&p, "helpers.rs")[1], (7, 8, Origin::Ai, Some("claude".into())));
}

#[test]
fn a_rebase_keeps_the_lines_when_the_notes_are_copied_and_loses_them_when_not() {
    let repo = repo();
    repo.write("helpers.rs", &numbered("helper", 4));
    let old = commit(&repo, "Add helpers");
    note(&repo, "ai", &old, &authorship_log(&[("helpers.rs", &[(CURSOR, "1-4")])]));
    repo.git(&["checkout", "-q", "main"]);
    repo.write("readme.md", "# shop\n");
    commit(&repo, "A readme");
    repo.git(&["checkout", "-q", "feature"]);
    repo.git(&["rebase", "-q", "main"]);
    let new = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_ne!(old, new, "the rebase rewrote the commit");

    let stripped = provenance(&repo);
    assert_eq!(counts(&stripped, "helpers.rs"), LineCounts { unknown: 4, ..LineCounts::default() });
    assert_eq!(
        state(&stripped, SourceKind::GitAi),
        SourceState::Read { records: 0 },
        "the ref is there, no note on the PR"
    );

    // git-ai copies each rewritten commit's log to its new commit (Git AI Standard 2.1).
    repo.git(&["notes", "--ref=ai", "copy", &old, &new]);
    let copied = provenance(&repo);
    assert_eq!(counts(&copied, "helpers.rs"), LineCounts { ai: 4, ..LineCounts::default() });
}

#[test]
fn a_squash_carries_one_combined_note_for_both_sessions() {
    let repo = repo();
    repo.write("helpers.rs", &numbered("helper", 2));
    commit(&repo, "Cursor's helpers");
    repo.write("helpers.rs", &format!("{}by hand\n{}", numbered("helper", 2), numbered("claude", 2)));
    commit(&repo, "Claude's helpers");
    repo.git(&["reset", "-q", "--soft", "main"]);
    let squashed = commit(&repo, "Helpers");
    note(&repo, "ai", &squashed, &authorship_log(&[("helpers.rs", &[(CURSOR, "1-2"), (CLAUDE, "4-5")])]));
    let p = provenance(&repo);
    assert_eq!(
        runs(&p, "helpers.rs"),
        vec![
            (1, 2, Origin::Ai, Some("cursor".into())),
            (3, 3, Origin::Human, None),
            (4, 5, Origin::Ai, Some("claude".into()))
        ]
    );
    assert_eq!(state(&p, SourceKind::GitAi), SourceState::Read { records: 1 });
}

#[test]
fn a_corrupt_note_is_reported_naming_its_commit_and_its_lines_stay_unknown() {
    let repo = repo();
    repo.write("helpers.rs", &numbered("helper", 2));
    let sha = commit(&repo, "Add helpers");
    note(&repo, "ai", &sha, "helpers.rs\n  c0ffeec0ffeec0ff 1-2\n---\n{\"schema_version\": \"authorship/3.0.0\"");
    let p = provenance(&repo);
    assert_eq!(counts(&p, "helpers.rs"), LineCounts { unknown: 2, ..LineCounts::default() });
    let SourceState::Corrupt { reason } = state(&p, SourceKind::GitAi) else { panic!("{:?}", p.sources) };
    assert!(reason.starts_with(&format!("the note on commit {}: the metadata section", &sha[..12])), "{reason}");
}

#[test]
fn without_any_records_every_source_is_missing_and_every_added_line_unknown() {
    let repo = repo();
    repo.write("helpers.rs", &numbered("helper", 3));
    commit(&repo, "Add helpers");
    let p = provenance(&repo);
    assert_eq!(counts(&p, "helpers.rs"), LineCounts { unknown: 3, ..LineCounts::default() });
    assert!(p.sources.iter().all(|s| s.state == SourceState::Missing), "{:?}", p.sources);
    assert!(!p.has_records());
}

#[test]
fn an_agent_trace_record_at_the_head_is_found_by_its_content_hash_after_its_lines_moved() {
    use sha2::{Digest, Sha256};
    let repo = repo();
    repo.write("helpers.rs", "fn a() {}\nfn b() {}\n");
    commit(&repo, "Add helpers");
    // Recorded at lines 1-2 (Agent Trace 0.1.0, section 6.2), then a person put a line above.
    let hash = format!("sha256:{}", hex::encode(Sha256::digest(b"fn a() {}\nfn b() {}")));
    let record = format!(
        r#"{{"version":"0.1.0","id":"550e8400-e29b-41d4-a716-446655440000","timestamp":"2026-01-25T10:00:00Z","tool":{{"name":"claude-code"}},"files":[{{"path":"helpers.rs","conversations":[{{"contributor":{{"type":"ai","model_id":"anthropic/claude-opus-4-5-20251101"}},"ranges":[{{"start_line":1,"end_line":2,"content_hash":"{hash}"}}]}}]}}]}}"#
    );
    repo.write(".agent-trace/traces.jsonl", &format!("{record}\n"));
    repo.write("helpers.rs", "// by hand\nfn a() {}\nfn b() {}\n");
    commit(&repo, "A comment, and the trace");
    let p = provenance(&repo);
    assert_eq!(
        runs(&p, "helpers.rs"),
        vec![(1, 1, Origin::Unknown, None), (2, 3, Origin::Ai, Some("claude-code".into()))]
    );
    assert_eq!(state(&p, SourceKind::AgentTrace), SourceState::Read { records: 1 });
}

#[test]
fn a_note_over_the_size_cap_is_refused_unread_and_said_so() {
    let repo = repo();
    repo.write("helpers.rs", &numbered("helper", 2));
    let sha = commit(&repo, "Add helpers");
    let huge = authorship_log(&[("helpers.rs", &[(CURSOR, "1-2")])]) + &" ".repeat(1 << 20);
    note(&repo, "ai", &sha, &format!("{huge}x"));
    let p = provenance(&repo);
    let SourceState::Corrupt { reason } = state(&p, SourceKind::GitAi) else { panic!("{:?}", p.sources) };
    assert!(reason.ends_with("bytes, over the 1048576 bytes flowgate reads from one record"), "{reason}");
    assert_eq!(counts(&p, "helpers.rs"), LineCounts { unknown: 2, ..LineCounts::default() });
}

#[test]
fn a_branch_of_more_commits_than_flowgate_follows_is_unreadable_not_partly_read() {
    let repo = repo();
    repo.write("helpers.rs", &numbered("helper", 2));
    let sha = commit(&repo, "Add helpers");
    note(&repo, "ai", &sha, &authorship_log(&[("helpers.rs", &[(CURSOR, "1-2")])]));
    for n in 0..250 {
        repo.git(&["commit", "-q", "--allow-empty", "-m", &format!("step {n}")]);
    }
    let p = provenance(&repo);
    let why = "the branch has 251 commits, more than the 250 flowgate follows".to_string();
    assert!(p.sources.iter().all(|s| s.state == SourceState::Unreadable { reason: why.clone() }), "{:?}", p.sources);
    assert_eq!(counts(&p, "helpers.rs"), LineCounts { unknown: 2, ..LineCounts::default() });
}
