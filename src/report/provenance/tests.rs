//! Line-level AI provenance in the JSON verdict and the check run's annotations.

use std::path::Path;

use crate::model::provenance::{FileProvenance, LineRun, Origin, Provenance, SourceKind, SourceRead, SourceState};
use crate::policy::load::load_file;
use crate::policy::verdict::Verdict;

fn verdict(example: &str) -> Verdict {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let policy = load_file(&root.join("examples/flowgate.yml")).expect("example policy loads");
    crate::gate::check_snapshot(&root.join("examples").join(example), &policy).expect("example snapshot reads").1
}

fn run(start: u32, end: u32, origin: Origin) -> LineRun {
    let ai = matches!(origin, Origin::Ai | Origin::AiModified);
    LineRun {
        start_line: start,
        end_line: end,
        origin,
        tool: ai.then(|| "claude".to_string()),
        model: ai.then(|| "claude-sonnet-4-5".to_string()),
        source: Some(SourceKind::GitAi),
    }
}

/// `auth-login` as if git-ai had recorded its lines: 8 of `rate_limit.rs`'s 10 added lines.
fn with_records() -> Verdict {
    let mut v = verdict("auth-login");
    let file = FileProvenance::from_runs(
        "src/auth/rate_limit.rs",
        vec![run(1, 2, Origin::Human), run(3, 8, Origin::Ai), run(9, 10, Origin::AiModified)],
    );
    v.ai.lines.provenance = Some(Provenance {
        sources: vec![
            SourceRead { kind: SourceKind::GitAi, state: SourceState::Read { records: 1 } },
            SourceRead { kind: SourceKind::AgentTrace, state: SourceState::Missing },
        ],
        files: vec![file],
    });
    v
}

#[test]
fn a_file_with_ai_written_lines_is_annotated_with_its_share_on_its_first_ai_run() {
    let ai: Vec<String> = crate::report::check_run::check_run(&with_records())
        .annotations
        .into_iter()
        .filter(|a| a.title.starts_with("flowgate: AI"))
        .map(|a| format!("{} {}-{} {}: {}", a.path, a.start_line, a.end_line, a.title, a.message))
        .collect();
    insta::assert_snapshot!(ai.join("\n"), @r"
    src/auth/rate_limit.rs 3-8 flowgate: AI-written: AI-written: 80% of added lines, claude-sonnet-4-5
    src/auth/rate_limit.rs 1-1 flowgate: AI-touched: AI-touched: commit ccccccc carries Co-Authored-By: Claude <noreply@anthropic.com> (claude-code)
    tests/login_test.rs 1-1 flowgate: AI-touched: AI-touched: commit ccccccc carries Co-Authored-By: Claude <noreply@anthropic.com> (claude-code)
    ");
}

#[test]
fn the_json_verdict_carries_files_ranges_and_contributors_like_agent_trace() {
    let json = crate::report::json::to_value(&with_records());
    insta::assert_snapshot!(serde_json::to_string_pretty(&json["provenance"]).unwrap(), @r#"
    {
      "has_records": true,
      "sources": [
        {
          "kind": "git-ai",
          "state": "read",
          "records": 1
        },
        {
          "kind": "agent-trace",
          "state": "missing"
        }
      ],
      "totals": {
        "added": 10,
        "ai": 6,
        "ai_modified": 2,
        "human": 2,
        "unknown": 0
      },
      "files": [
        {
          "path": "src/auth/rate_limit.rs",
          "lines": {
            "added": 10,
            "ai": 6,
            "ai_modified": 2,
            "human": 2,
            "unknown": 0
          },
          "ai_share_percent": 80,
          "tools": [
            "claude"
          ],
          "models": [
            "claude-sonnet-4-5"
          ],
          "ranges": [
            {
              "start_line": 1,
              "end_line": 2,
              "contributor": {
                "type": "human",
                "tool": null,
                "model_id": null
              },
              "source": "git-ai"
            },
            {
              "start_line": 3,
              "end_line": 8,
              "contributor": {
                "type": "ai",
                "tool": "claude",
                "model_id": "claude-sonnet-4-5"
              },
              "source": "git-ai"
            },
            {
              "start_line": 9,
              "end_line": 10,
              "contributor": {
                "type": "mixed",
                "tool": "claude",
                "model_id": "claude-sonnet-4-5"
              },
              "source": "git-ai"
            }
          ]
        }
      ]
    }
    "#);
    // A source that could not look: `null`, not an empty block.
    assert!(crate::report::json::to_value(&verdict("auth-login"))["provenance"].is_null());
}
