//! Fuzzing on stable Rust: every parser that reads outside input (the webhook edge, the policy
//! loader, patches, trailers and AI markers, snapshots, tree-sitter classification) is fed random
//! bytes and mutations of real inputs, and must answer without a panic, with bounded output and
//! its documented error shape.
//!
//! `cargo fuzz` needs a nightly compiler; this driver runs in the ordinary `cargo test` and in CI.
//! Cases per target come from `FLOWGATE_FUZZ_CASES` (a small default). Each target also replays
//! its corpus, `tests/fixtures/fuzz/<target>/`, where every input that ever failed is kept; proptest
//! keeps its own minimised failures in `tests/fuzz.proptest-regressions`. See docs/security.md.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;

use flowgate::UserError;
use flowgate::analysis::budget::{AfterChecks, Limits};
use flowgate::analysis::{ChangeKind, Contents, analyze_file, patch};
use flowgate::model::{markdown, trailers};
use flowgate::policy::ai::markers::{self, CommitView};
use flowgate::policy::load::{LoadError, load_text};
use flowgate::serve::events::{self, Envelope, Ignored, Intent};
use flowgate::serve::signature::{WebhookSecret, verify};
use flowgate::snapshot::{self, RawSnapshot};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Cases per target: `FLOWGATE_FUZZ_CASES`, or a default small enough for every `cargo test`.
fn config() -> ProptestConfig {
    let cases = std::env::var("FLOWGATE_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

// ---- inputs: seeds from the repository's own fixtures, mutated with each format's tokens ----

fn read(paths: &[&str]) -> Vec<Vec<u8>> {
    paths.iter().map(|p| std::fs::read(root().join(p)).unwrap_or_else(|e| panic!("seed {p}: {e}"))).collect()
}

/// The saved inputs of one target: failures found earlier, replayed on every run.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("tests/fixtures/fuzz").join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| (e.path(), std::fs::read(e.path()).expect("corpus file"))).collect())
        .unwrap_or_default();
    out.sort();
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(Index, u8),
    Insert(Index, Index),
    Delete(Index, usize),
    /// Copies a span elsewhere: repeats structure (nesting, keys) as a grammar-blind fuzzer would.
    Splice(Index, usize, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), 1usize..256, any::<Index>()).prop_map(|(i, n, at)| Mutation::Splice(i, n, at)),
    ]
}

fn mutate(mut data: Vec<u8>, mutations: &[Mutation], tokens: &[&str]) -> Vec<u8> {
    for m in mutations {
        let len = data.len();
        let at = |i: &Index| if len == 0 { 0 } else { i.index(len + 1) };
        match m {
            Mutation::Flip(i, b) if len > 0 => {
                let i = i.index(len);
                data[i] ^= b;
            }
            Mutation::Insert(i, t) => {
                let token = tokens[t.index(tokens.len())].as_bytes();
                let i = at(i);
                data.splice(i..i, token.iter().copied());
            }
            Mutation::Delete(i, n) if len > 0 => {
                let i = i.index(len);
                data.drain(i..(i + n).min(len));
            }
            Mutation::Splice(i, n, to) if len > 0 => {
                let i = i.index(len);
                let span = data[i..(i + n).min(len)].to_vec();
                let to = at(to);
                data.splice(to..to, span);
            }
            _ => {}
        }
    }
    data
}

/// Random bytes, or a seed mutated a few times with `tokens` of its format.
fn input(seeds: Vec<Vec<u8>>, tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let count = seeds.len();
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..2048),
        1 => proptest::collection::vec(proptest::sample::select(tokens), 0..64)
            .prop_map(|t| t.concat().into_bytes()),
        4 => (0..count, proptest::collection::vec(mutation(), 1..12))
            .prop_map(move |(i, m)| mutate(seeds[i].clone(), &m, tokens)),
    ]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e999",
    "9223372036854775808",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"action\":",
    "\"number\":",
    "\"pull_request\":",
    "\"repository\":{\"full_name\":\"o/r\"}",
    "\"installation\":{\"id\":1}",
    "\"comment\":{\"body\":\"/flowgate recheck\",\"author_association\":\"OWNER\"}",
    "\"issue\":{\"number\":1,\"pull_request\":{}}",
    "\"pull_requests\":[{\"number\":7}]",
    "\"filename\":",
    "\"status\":\"renamed\"",
    "\"previous_filename\":",
    "\"patch\":\"@@ -1 +1 @@\\n-a\\n+b\"",
    "\"state\":\"APPROVED\"",
    "\"commit_id\":",
    "\"labels\":[{\"name\":\"ai:none\"}]",
    "\"message\":\"x\\n\\nCo-authored-by: Claude <noreply@anthropic.com>\"",
    "][",
    "\u{feff}",
    "\u{10ffff}",
];

const YAML_TOKENS: &[&str] = &[
    "\n",
    "\n  ",
    "\n    ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "<<: *a",
    "!!str ",
    "!!binary ",
    "? ",
    "|\n",
    ">-\n",
    "'",
    "\"",
    "#",
    "---\n",
    "...\n",
    "~",
    "null",
    "true",
    "1e999",
    "0x1F",
    "version: 1\n",
    "tiers:\n",
    "red:",
    "yellow:",
    "green:",
    "default: true",
    "paths: [\"src/**\"]",
    "paths: [\"[\"]",
    "review:",
    "approvals: ",
    "4294967296",
    "-1",
    "from: [\"@acme/..\"]",
    "dismiss_stale: true",
    "extends: ",
    "extends: default",
    "extends: ../missing.yml",
    "code: [unsafe]",
    "queries:",
    "rust: \"(\"",
    "rust: \"(function_item) @red\"",
    "linkage:",
    "ai:",
    "limits:",
    "teams:",
    "reviewers:",
    "\t",
    "\u{85}",
    "\u{2028}",
];

const PATCH_TOKENS: &[&str] = &[
    "@@ -1,3 +1,4 @@\n",
    "@@ -0,0 +1 @@\n",
    "@@\n",
    "+",
    "-",
    " ",
    "\\ No newline at end of file\n",
    "\n",
    "\r\n",
    "+fn main() {}\n",
    "-unsafe { x() }\n",
    " }\n",
    "+import os\n",
    "+\tos.system(cmd)\n",
    "é",
    "\u{0}",
];

const MESSAGE_TOKENS: &[&str] = &[
    "\n",
    "\n\n",
    " ",
    "Co-authored-by: ",
    "Claude <noreply@anthropic.com>",
    "Assisted-by: ",
    "AI-Assisted: none",
    "Generated-by: ",
    "Made-with: Cursor",
    "Signed-off-by: A <a@b>",
    "<",
    ">",
    "@",
    "\"",
    "```\n",
    "~~~\n",
    "`",
    "    ",
    "- [x] ",
    "- [ ] ",
    "No AI",
    "AI: none",
    "AI: generated",
    "🤖 Generated with [Claude Code]",
    "copilot",
    "aider: ",
    "devin-ai-integration[bot]",
    "users.noreply.github.com",
    "é",
    "\u{200b}",
    "\r",
    ":",
];

const CODE_TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    "\n",
    "/*",
    "*/",
    "//",
    "#",
    "\"",
    "'",
    "`",
    "${",
    "unsafe ",
    "fn f() ",
    "def f():\n  ",
    "function f() ",
    "func f() ",
    "class A ",
    "import os\n",
    "use std::process;\n",
    "package p\n",
    "eval(",
    "exec(",
    "Command::new(",
    "subprocess.run(",
    "Runtime.getRuntime().exec(",
    "#[test]",
    "@Test ",
    "describe(",
    "it(",
    "<div>",
    "</div>",
    "r#\"",
    "\"\"\"",
    "\u{feff}",
    "\u{0}",
];

// ---- the targets: what each must answer for any input ----

const SECRET: &str = "fuzzing secret";

/// The webhook edge: a signature check that accepts only a signature of these exact bytes, then
/// routing on the few fields a payload carries.
fn webhook(body: &[u8], event: &str, tamper: usize) {
    let secret = WebhookSecret::new(SECRET).unwrap();
    let good = secret.sign(body);
    let secrets = std::slice::from_ref(&secret);
    assert!(verify(secrets, body, Some(&good)), "its own signature verifies");
    // One hex digit changed: the signature must fail, wherever the change is.
    let hex_digits = good.len() - "sha256=".len();
    let at = "sha256=".len() + tamper % hex_digits;
    let mut forged = good.clone().into_bytes();
    forged[at] = if forged[at] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    assert!(!verify(secrets, body, Some(&forged)), "a forged signature is refused");
    assert!(!verify(secrets, body, Some(&text(body))), "the body is no signature");
    assert!(!verify(&[], body, Some(&good)), "no secret configured: nothing verifies");

    let Ok(payload) = serde_json::from_slice::<Envelope>(body) else { return };
    match events::intent(event, &payload) {
        Intent::Evaluate { .. } => {
            let acted_on = ["pull_request", "pull_request_review", "issue_comment", "check_run", "check_suite"];
            assert!(acted_on.contains(&event) && payload.repository.is_some(), "{event} evaluated");
        }
        Intent::Installation { .. } => assert!(event.starts_with("installation")),
        Intent::MergeGroup { .. } => {
            assert!(event == "merge_group" && payload.merge_group.is_some() && payload.repository.is_some())
        }
        Intent::PolicyChanged { branch, .. } => {
            assert!(event == "push" && payload.repository.is_some() && !branch.is_empty() && !payload.deleted)
        }
        Intent::Ignore(Ignored::Event) => {
            let used = [
                "pull_request",
                "pull_request_review",
                "issue_comment",
                "check_run",
                "check_suite",
                "merge_group",
                "push",
            ];
            assert!(!used.contains(&event) && !event.starts_with("installation"), "{event} is used")
        }
        Intent::Ignore(_) => {}
    }
    if let Some(comment) = payload.comment.and_then(|c| c.body) {
        let _ = events::command(&comment);
    }
}

/// The policy loader: a policy, or an error that names the file; never a panic.
fn policy(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flowgate.yml");
    if let Err(e) = load_text(text, &path) {
        let message = e.to_string();
        let file = path.display().to_string();
        assert!(message.starts_with(&file), "the error names the policy file: {message}");
        assert!(matches!(e, LoadError::Syntax { .. } | LoadError::Rule { .. } | LoadError::Extends { .. }), "{e:?}");
        assert!(message.len() <= file.len() + 2 * text.len() + 2048, "an error of {} bytes", message.len());
    }
}

/// Patch parsing: each side is rebuilt from the patch's own lines, and the changed lines it
/// reports exist in that side, in order.
fn patch_sides(p: &str) {
    let f = patch::fragments(p);
    for (side, changed) in [(&f.base, &f.base_changed), (&f.head, &f.head_changed)] {
        assert!(side.len() <= 2 * (p.len() + 1), "a side of {} bytes from a patch of {}", side.len(), p.len());
        let lines = side.lines().count() + usize::from(side.ends_with("\n\n"));
        assert!(changed.windows(2).all(|w| w[0] < w[1]), "changed lines in order: {changed:?}");
        assert!(changed.iter().all(|&l| l < lines.max(1)), "changed {changed:?} within {lines} lines");
    }
}

/// Trailers, people, AI markers and declarations in any commit message or PR body.
fn messages(message: &str, name: &str, email: &str) {
    for t in trailers::parse_all(message) {
        assert!(!t.key.is_empty() && !t.key.contains(':') && !t.key.contains('\n'), "{t:?}");
        assert!(!t.value.contains('\n'), "{t:?}");
        if let Some(p) = trailers::parse_person(&t.value) {
            assert!(!p.name.is_empty() || !p.email.is_empty());
        }
    }
    let _ = trailers::parse_person(message);
    let _ = markers::trailer_declaration(message);
    let _ = markers::body_declaration(message);

    for blanked in [markdown::blank_code(message), markdown::blank_fences(message)] {
        // Offsets into the blanked text are used on the original: lengths and line breaks must match.
        assert_eq!(blanked.len(), message.len());
        let breaks = |s: &str| s.match_indices('\n').map(|(i, _)| i).collect::<Vec<_>>();
        assert_eq!(breaks(&blanked), breaks(message));
    }

    let commit = CommitView {
        sha: "0123456789abcdef0123456789abcdef01234567",
        message,
        author_name: name,
        author_email: email,
        author_login: Some(name),
        committer_name: name,
        committer_email: email,
        committer_login: None,
    };
    let labels = [name, "ai:none"];
    let found = markers::commit_markers(&commit).into_iter().chain(markers::pr_markers(name, name, message, &labels));
    for m in found {
        assert!(m.evidence.chars().count() <= 120, "evidence of {} characters", m.evidence.chars().count());
    }
}

/// Snapshot reading: PR facts, or an error naming the snapshot file that is wrong.
fn snapshot_files(raw: &RawSnapshot) {
    let origin = Path::new("snapshot-dir");
    match snapshot::parse(raw, origin) {
        Ok(_) => {}
        Err(UserError::Input { path, message }) => {
            let names = ["pull.json", "files.json", "commits.json", "reviews.json", "events.json"];
            assert!(names.iter().any(|n| origin.join(n).display().to_string() == path), "the error names {path}");
            assert!(!message.is_empty());
            assert!(message.len() <= 1024, "an error of {} bytes: {message:.200}", message.len());
        }
        Err(other) => panic!("a snapshot error of another kind: {other:?}"),
    }
}

/// Tree-sitter classification of any bytes as any language, under a small deadline.
fn classify(ext: &str, base: &[u8], head: &[u8], checks: u64) {
    let path = format!("src/fuzz/input.{ext}");
    let limits = Limits::default();
    let patch = text(head);
    for contents in [
        Contents::Versions { base: Some(base), head: Some(head) },
        Contents::Versions { base: None, head: Some(head) },
        Contents::Patch(&patch),
    ] {
        let deadline = AfterChecks(Cell::new(checks));
        let a = analyze_file(&path, contents, &[], &limits, &deadline);
        assert_eq!(a.skipped.is_some(), a.change == ChangeKind::Skipped, "{a:?}");
        let head_len = match contents {
            Contents::Patch(p) => p.len() * 2 + 2,
            _ => head.len(),
        };
        for f in &a.findings {
            assert!(f.start <= f.end && f.end <= head_len && f.line >= 1, "{f:?}");
        }
    }
}

// ---- the properties, and the corpus replays ----

const EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_review",
    "issue_comment",
    "check_run",
    "check_suite",
    "installation",
    "installation_repositories",
    "push",
    "",
    "PULL_REQUEST",
];

fn webhook_seeds() -> Vec<Vec<u8>> {
    let dir = root().join("tests/fixtures/webhooks");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).chain(corpus("webhook").into_iter().map(|(_, b)| b)).collect()
}

fn policy_seeds() -> Vec<Vec<u8>> {
    let mut seeds = read(&[
        "examples/flowgate.yml",
        "examples/code-aware/flowgate.yml",
        "policies/default.yml",
        "policies/strict.yml",
    ]);
    seeds.extend(corpus("policy").into_iter().map(|(_, b)| b));
    seeds
}

fn patch_seeds() -> Vec<Vec<u8>> {
    let files = std::fs::read(root().join("examples/auth-login/files.json")).unwrap();
    let files: Vec<serde_json::Value> = serde_json::from_slice(&files).unwrap();
    let mut seeds: Vec<Vec<u8>> =
        files.iter().filter_map(|f| f["patch"].as_str()).map(|p| p.as_bytes().to_vec()).collect();
    seeds.push(
        b"@@ -1,2 +1,2 @@\n fn main() {\n-    a();\n+    unsafe { b() }\n }\n\\ No newline at end of file\n".to_vec(),
    );
    seeds.extend(corpus("patch").into_iter().map(|(_, b)| b));
    seeds
}

fn message_seeds() -> Vec<Vec<u8>> {
    let commits = std::fs::read(root().join("examples/agent-undeclared/commits.json")).unwrap();
    let commits: Vec<serde_json::Value> = serde_json::from_slice(&commits).unwrap();
    let mut seeds: Vec<Vec<u8>> =
        commits.iter().filter_map(|c| c["commit"]["message"].as_str()).map(|m| m.as_bytes().to_vec()).collect();
    let pull = std::fs::read(root().join("examples/agent-undeclared/pull.json")).unwrap();
    let pull: serde_json::Value = serde_json::from_slice(&pull).unwrap();
    seeds.extend(pull["body"].as_str().map(|b| b.as_bytes().to_vec()));
    seeds.push(
        b"Fix login\n\nSee ABC-123.\n\nCo-authored-by: Claude <noreply@anthropic.com>\nAI-Assisted: yes\n".to_vec(),
    );
    seeds.push(
        b"## AI use\n- [x] No AI was used\n```\nCo-authored-by: Copilot <c@github.com>\n```\n`Assisted-by: x`\n"
            .to_vec(),
    );
    seeds.extend(corpus("messages").into_iter().map(|(_, b)| b));
    seeds
}

fn code_seeds() -> Vec<Vec<u8>> {
    let mut seeds = read(&[
        "examples/auth-login/contents/head/src/auth/login.rs",
        "examples/auth-login/contents/base/src/auth/login.rs",
        "examples/code-aware/shell-in-scripts/contents/head/scripts/deploy.py",
    ]);
    for snippet in [
        "package main\nimport \"os/exec\"\nfunc f() { exec.Command(\"sh\") }\n",
        "class A { void f() throws Exception { Runtime.getRuntime().exec(\"x\"); } }\n",
        "import { x } from 'y';\nfunction f(a: string) { eval(a); }\ndescribe('a', () => { it('b', () => {}); });\n",
        "const App = () => <div onClick={() => eval(x)}>{`${y}`}</div>;\n",
    ] {
        seeds.push(snippet.as_bytes().to_vec());
    }
    seeds.extend(corpus("classify").into_iter().map(|(_, b)| b));
    seeds
}

fn snapshot_seed(dir: &str) -> RawSnapshot {
    let dir = root().join(dir);
    let opt = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    RawSnapshot {
        pull: opt("pull.json").unwrap(),
        files: opt("files.json").unwrap(),
        commits: opt("commits.json"),
        reviews: opt("reviews.json"),
        events: opt("events.json"),
        compares: Default::default(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_webhook_edge(
        body in input(webhook_seeds(), JSON_TOKENS),
        event in prop_oneof![proptest::sample::select(EVENTS).prop_map(String::from), ".{0,24}"],
        tamper in any::<usize>(),
    ) {
        webhook(&body, &event, tamper);
    }

    #[test]
    fn fuzz_policy_loader(text in input(policy_seeds(), YAML_TOKENS)) {
        policy(&self::text(&text));
    }

    #[test]
    fn fuzz_patch_parsing(p in input(patch_seeds(), PATCH_TOKENS)) {
        patch_sides(&text(&p));
    }

    #[test]
    fn fuzz_trailers_and_markers(
        message in input(message_seeds(), MESSAGE_TOKENS),
        name in prop_oneof![".{0,40}", proptest::sample::select(&["Claude", "copilot[bot]", "aider", "Devin AI", "alice"][..]).prop_map(String::from)],
        email in prop_oneof![".{0,40}", proptest::sample::select(&["noreply@anthropic.com", "123+alice@users.noreply.github.com", "<>", ""][..]).prop_map(String::from)],
    ) {
        messages(&text(&message), &name, &email);
    }

    #[test]
    fn fuzz_snapshot_reading(
        seed in proptest::sample::select(&["examples/auth-login", "examples/agent-undeclared", "examples/docs-only", "examples/code-aware/comment-in-auth"][..]),
        part in 0usize..5,
        mutations in proptest::collection::vec(mutation(), 1..12),
        random in proptest::option::weighted(0.2, proptest::collection::vec(any::<u8>(), 0..512)),
    ) {
        let mut raw = snapshot_seed(seed);
        let slot = match part {
            0 => &mut raw.pull,
            1 => &mut raw.files,
            2 => raw.commits.get_or_insert_with(String::new),
            3 => raw.reviews.get_or_insert_with(String::new),
            _ => raw.events.get_or_insert_with(|| "[]".to_string()),
        };
        let bytes = random.unwrap_or_else(|| mutate(slot.clone().into_bytes(), &mutations, JSON_TOKENS));
        *slot = text(&bytes);
        snapshot_files(&raw);
    }

    #[test]
    fn fuzz_tree_sitter_classification(
        ext in proptest::sample::select(&["rs", "py", "js", "ts", "tsx", "go", "java"][..]),
        base in input(code_seeds(), CODE_TOKENS),
        head in input(code_seeds(), CODE_TOKENS),
        checks in prop_oneof![0u64..8, 8u64..100_000],
    ) {
        classify(ext, &base, &head, checks);
    }
}

/// Every saved input of every target still gets its answer.
#[test]
fn corpus_replays() {
    for (path, bytes) in corpus("webhook") {
        for event in EVENTS {
            webhook(&bytes, event, 0);
        }
        eprintln!("replayed {}", path.display());
    }
    for (_, bytes) in corpus("policy") {
        policy(&text(&bytes));
    }
    for (_, bytes) in corpus("patch") {
        patch_sides(&text(&bytes));
    }
    for (_, bytes) in corpus("messages") {
        messages(&text(&bytes), "Claude", "noreply@anthropic.com");
    }
    for (_, bytes) in corpus("classify") {
        for ext in ["rs", "py", "js", "ts", "tsx", "go", "java"] {
            classify(ext, &bytes, &bytes, 100_000);
            classify(ext, b"", &bytes, 3);
        }
    }
    for (path, bytes) in corpus("snapshot") {
        // A saved snapshot input names the file it replaces: `files.json-<why>`.
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut raw = snapshot_seed("examples/auth-login");
        let slot = if name.starts_with("pull.json") { &mut raw.pull } else { &mut raw.files };
        *slot = text(&bytes);
        snapshot_files(&raw);
    }
}
