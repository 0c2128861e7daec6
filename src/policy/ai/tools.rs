//! The table of known AI tools (`tools.yml`, data reviewed like code) and the look-ups built on
//! it: which tool a GitHub login, a `name <email>` identity, a free-text name, a branch, a trailer,
//! body boilerplate or a label belongs to.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AiTool {
    Copilot,
    ClaudeCode,
    Cursor,
    Aider,
    Codex,
    Devin,
    Jules,
    AmazonQ,
    OpenHands,
    Amp,
    OpenCode,
    Codegen,
    Replit,
    Gemini,
    Factory,
    Warp,
    Kiro,
    Windsurf,
    Linear,
    Other,
}

use AiTool::*;

/// Every tool in enum order; `tools.yml` names each by its id.
const ALL: [AiTool; 20] = [
    Copilot, ClaudeCode, Cursor, Aider, Codex, Devin, Jules, AmazonQ, OpenHands, Amp, OpenCode, Codegen, Replit,
    Gemini, Factory, Warp, Kiro, Windsurf, Linear, Other,
];

impl AiTool {
    pub fn id(self) -> &'static str {
        match self {
            Copilot => "copilot",
            ClaudeCode => "claude-code",
            Cursor => "cursor",
            Aider => "aider",
            Codex => "codex",
            Devin => "devin",
            Jules => "jules",
            AmazonQ => "amazon-q",
            OpenHands => "openhands",
            Amp => "amp",
            OpenCode => "opencode",
            Codegen => "codegen",
            Replit => "replit",
            Gemini => "gemini",
            Factory => "factory",
            Warp => "warp",
            Kiro => "kiro",
            Windsurf => "windsurf",
            Linear => "linear",
            Other => "other",
        }
    }
    /// The tool's name as people write it, from `tools.yml`.
    pub fn name(self) -> &'static str {
        TABLE.iter().find(|t| t.tool == self).map_or("other AI tool", |t| t.name.as_str())
    }
    pub fn all() -> &'static [AiTool] {
        &ALL
    }
    pub fn from_id(id: &str) -> Option<AiTool> {
        ALL.iter().copied().find(|t| t.id() == id)
    }
}

/// One row of `tools.yml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ToolRow {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub logins: Vec<LoginRow>,
    #[serde(default)]
    pub emails: Vec<EmailRow>,
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub author_name_suffixes: Vec<String>,
    #[serde(default)]
    pub subject_prefixes: Vec<String>,
    #[serde(default)]
    pub branches: Vec<String>,
    #[serde(default)]
    pub trailers: Vec<TrailerRow>,
    #[serde(default)]
    pub body: Vec<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[allow(dead_code)] // read by the tests and by people; the code never needs it
    pub sources: Vec<String>,
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))] // checked row by row by the tests
    pub examples: Vec<ExampleRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginRow {
    pub login: String,
    #[serde(default)]
    pub bare: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EmailRow {
    pub domain: String,
    pub local: Option<String>,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TrailerRow {
    pub key: String,
    #[serde(default)]
    pub values: Vec<String>,
}

/// A real example of a marker, checked by the tests: `site` is `message` (a whole commit
/// message), `author` (a commit author `name <email>`), `author-login`, `pr-author`, `branch`,
/// `body` or `label`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(not(test), allow(dead_code))]
pub(super) struct ExampleRow {
    pub site: String,
    pub text: String,
    pub source: Option<String>,
}

/// A row with its tool and compiled patterns.
pub(super) struct Tool {
    pub tool: AiTool,
    pub name: String,
    pub row: ToolRow,
    pub body: Vec<Regex>,
}

const TOOLS_YML: &str = include_str!("tools.yml");

fn compile(pattern: &str) -> Regex {
    // The table is compiled into the binary and every pattern is exercised by the tests.
    Regex::new(&format!("(?i){pattern}")).expect("tools.yml: a pattern that does not compile")
}

pub(super) static TABLE: LazyLock<Vec<Tool>> = LazyLock::new(|| {
    let rows: Vec<ToolRow> = yaml_serde::from_str(TOOLS_YML).expect("tools.yml is valid (tested)");
    rows.into_iter()
        .map(|row| Tool {
            tool: AiTool::from_id(&row.id).expect("tools.yml: every id is an AiTool (tested)"),
            name: row.name.clone(),
            body: row.body.iter().map(|p| compile(p)).collect(),
            row,
        })
        .collect()
});

/// One group per tool in table order; the leftmost mention wins ("aider (gpt-4o)").
static TOOL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    let groups: Vec<String> =
        TABLE.iter().filter(|t| !t.row.names.is_empty()).map(|t| format!("({})", t.row.names.join("|"))).collect();
    compile(&format!(r"\b(?:{})\b", groups.join("|")))
});

/// The tool behind a GitHub login (`claude[bot]`, `Copilot`, `cursoragent`, `coderabbitai`, …).
pub fn bot_tool(login: &str) -> Option<AiTool> {
    let login = login.trim().to_ascii_lowercase();
    let (base, suffixed) = match login.strip_suffix("[bot]") {
        Some(base) => (base, true),
        None => (login.as_str(), false),
    };
    TABLE.iter().find(|t| t.row.logins.iter().any(|l| l.login == base && (suffixed || l.bare))).map(|t| t.tool)
}

/// `name` is `prefix`, or `prefix` then a space or bracket ("Claude Opus 4.5", "aider (gpt-4o)"):
/// a longer word (`gemini-cli-robot`, `claudette`) is another account.
pub(super) fn word_prefix(name: &str, prefix: &str) -> bool {
    let rest = name.strip_prefix(prefix);
    rest.is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_'))
}

/// The tool behind a `name <email>` identity (commit author, committer, co-author, sign-off).
pub fn identity_tool(name: &str, email: &str) -> Option<AiTool> {
    let name = name.trim().to_lowercase();
    let email = email.trim().trim_matches(['<', '>']).to_lowercase();
    let email = email.replace("no-reply", "noreply");
    if let Some(tool) = bot_tool(&name).filter(|_| name.ends_with("[bot]")) {
        return Some(tool);
    }
    let suffix = |t: &&Tool| t.row.author_name_suffixes.iter().any(|s| name.ends_with(s.as_str()));
    if let Some(t) = TABLE.iter().find(suffix) {
        return Some(t.tool);
    }
    let (local, domain) = email.rsplit_once('@')?;
    // GitHub noreply addresses encode the login: `<id>+<login>@users.noreply.github.com`.
    let login = match local.split_once('+') {
        Some((id, login)) if id.bytes().all(|b| b.is_ascii_digit()) => login,
        _ => local,
    };
    let github = domain == "users.noreply.github.com" || login.ends_with("[bot]");
    if let Some(tool) = bot_tool(login).filter(|_| github) {
        return Some(tool);
    }
    let known = |e: &EmailRow| {
        e.domain == domain && (e.local.as_deref().is_none_or(|l| l == local) || word_prefix(&name, &e.name))
    };
    TABLE.iter().find(|t| t.row.emails.iter().any(known)).map(|t| t.tool)
}

/// Map a free-text tool name ("Claude Code", "aider (gpt-4o)", "GitHub Copilot") to a tool; the
/// leftmost known name wins, anything else is `Other`.
pub fn tool_from_name(text: &str) -> AiTool {
    let named: Vec<&Tool> = TABLE.iter().filter(|t| !t.row.names.is_empty()).collect();
    let caps = TOOL_NAME.captures(text);
    let group = caps.and_then(|c| (1..c.len()).find(|&i| c.get(i).is_some()));
    group.map_or(Other, |i| named[i - 1].tool)
}

/// The tool whose cloud agent names branches with a prefix of `branch` (already lowercase); a
/// prefix written `*/x/` matches `x/` after any one leading segment (`mingjie/cursor/…`).
pub(super) fn branch_tool(branch: &str) -> Option<AiTool> {
    let after_segment = branch.split_once('/').map_or("", |(_, rest)| rest);
    let prefixed = |p: &String| {
        let (name, prefix) = match p.strip_prefix("*/") {
            Some(prefix) => (after_segment, prefix),
            None => (branch, p.as_str()),
        };
        name.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty())
    };
    TABLE.iter().find(|t| t.row.branches.iter().any(prefixed)).map(|t| t.tool)
}

/// The tool whose own trailer this is (`Agent-Logs-Url`, `Claude-Session`, `Replit-Commit-Author:
/// Agent`, …).
/// `None` when no tool owns the key; `Some(None)` when one does but the value is not its marker
/// (`Replit-Commit-Author: Human`).
pub(super) fn trailer_tool(key: &str, value: &str) -> Option<Option<AiTool>> {
    let (key, value) = (key.to_ascii_lowercase(), value.trim().to_ascii_lowercase());
    let rows = TABLE.iter().flat_map(|t| t.row.trailers.iter().map(move |r| (t.tool, r)));
    let owned: Vec<(AiTool, &TrailerRow)> = rows.filter(|(_, r)| r.key == key).collect();
    if owned.is_empty() {
        return None;
    }
    let matches = |r: &TrailerRow| r.values.is_empty() || r.values.iter().any(|v| value.starts_with(v.as_str()));
    Some(owned.iter().find(|(_, r)| matches(r)).map(|(tool, _)| *tool))
}

/// The tool whose subject prefix starts `subject` ("aider: …").
pub(super) fn subject_tool(subject: &str) -> Option<AiTool> {
    let subject = subject.trim();
    let starts = |p: &String| subject.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p));
    TABLE.iter().find(|t| t.row.subject_prefixes.iter().any(starts)).map(|t| t.tool)
}

/// The tool that applies `label`.
pub(super) fn label_tool(label: &str) -> Option<AiTool> {
    let label = label.trim().to_lowercase();
    TABLE.iter().find(|t| t.row.labels.iter().any(|l| label.contains(l.as_str()))).map(|t| t.tool)
}

/// Every body boilerplate rule: (tool, pattern).
pub(super) fn body_rules() -> impl Iterator<Item = (AiTool, &'static Regex)> {
    TABLE.iter().flat_map(|t| t.body.iter().map(move |r| (t.tool, r)))
}

/// A tool named at the start of a trailer key (`Claude-Generated-By`, `Copilot-Session`): tools
/// invent keys, and a key that names a tool is that tool's attribution.
pub(super) fn key_names_tool(key: &str) -> Option<AiTool> {
    // A one-word key ("Cursor: fixed the blink") is a changelog line, not a tool's trailer.
    let (first, _) = key.split_once('-')?;
    let tool = tool_from_name(first);
    (tool != Other && tool_from_name(key) == tool).then_some(tool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ai::markers::{CommitView, MarkerSite, commit_markers, pr_markers};
    use std::collections::BTreeSet;

    #[test]
    fn the_table_names_every_tool_once_in_enum_order() {
        let ids: Vec<&str> = TABLE.iter().map(|t| t.row.id.as_str()).collect();
        let want: Vec<&str> = AiTool::all().iter().map(|t| t.id()).collect();
        assert_eq!(ids, want);
        for t in TABLE.iter() {
            assert!(!t.row.sources.is_empty(), "{}: every row cites where its markers come from", t.row.id);
            assert_eq!(AiTool::from_id(&t.row.id), Some(t.tool));
        }
        assert_eq!((AiTool::ClaudeCode.name(), AiTool::Copilot.name()), ("Claude Code", "GitHub Copilot"));
    }

    /// Every row's examples are detected as that row's tool, at the site the example names.
    #[test]
    fn every_example_in_the_table_is_detected_as_its_tool() {
        let mut checked = 0;
        for t in TABLE.iter() {
            for e in &t.row.examples {
                let person = trailers_person(&e.text);
                let commit = |message: &str, name: &str, email: &str, login: Option<&str>| {
                    commit_markers(&CommitView {
                        sha: "abc",
                        message,
                        author_name: name,
                        author_email: email,
                        author_login: login,
                        committer_name: "GitHub",
                        committer_email: "noreply@github.com",
                        committer_login: Some("web-flow"),
                    })
                };
                let found = match e.site.as_str() {
                    "message" => commit(&e.text, "Jane", "jane@example.com", None),
                    "author" => commit("Fix", &person.0, &person.1, None),
                    "author-login" => commit("Fix", "Jane", "", Some(&e.text)),
                    "pr-author" => pr_markers(&e.text, "main", "", &[]),
                    "branch" => pr_markers("jane", &e.text, "", &[]),
                    "body" => pr_markers("jane", "main", &e.text, &[]),
                    "label" => pr_markers("jane", "main", "", &[&e.text]),
                    other => panic!("{}: unknown example site {other}", t.row.id),
                };
                let tools: BTreeSet<AiTool> = found.iter().map(|m| m.tool).collect();
                let from = e.source.as_deref().unwrap_or("the row's sources");
                assert_eq!(tools, BTreeSet::from([t.tool]), "{}: {:?} ({from}) gave {found:?}", t.row.id, e.text);
                if e.site == "body" {
                    assert!(found.iter().all(|m| m.site == MarkerSite::PrBody));
                }
                checked += 1;
            }
        }
        assert!(checked >= 40, "only {checked} examples");
    }

    fn trailers_person(text: &str) -> (String, String) {
        let p = crate::model::trailers::parse_person(text)
            .unwrap_or(crate::model::trailers::Person { name: String::new(), email: String::new() });
        (p.name, p.email)
    }

    #[test]
    fn names_logins_and_identities() {
        assert_eq!(tool_from_name("Claude Code (cli/claude-opus-4-5=100%)"), AiTool::ClaudeCode);
        assert_eq!(tool_from_name("Factory Droid"), AiTool::Factory);
        assert_eq!(tool_from_name("a linear regression"), AiTool::Other);
        assert_eq!(bot_tool("CursorAgent"), Some(AiTool::Cursor));
        assert_eq!(bot_tool("cursor"), None);
        assert_eq!(identity_tool("Warp", "agent@warp.dev"), Some(AiTool::Warp));
        assert_eq!(identity_tool("Bob", "bob@warp.dev"), None);
        assert_eq!(key_names_tool("Claude-Generated-By"), Some(AiTool::ClaudeCode));
        assert_eq!(key_names_tool("Co-authored-by"), None);
        assert_eq!(key_names_tool("Cursor"), None);
        assert_eq!(branch_tool("mingjie/cursor/agi-671-x-44db"), Some(AiTool::Cursor));
        assert_eq!(branch_tool("a/b/cursor/x"), None);
        assert_eq!(branch_tool("mingjie/cursor/"), None);
        assert_eq!(identity_tool("gemini-cli-robot", "gemini-cli-robot@google.com"), None);
        assert_eq!(identity_tool("Gemini Bot", "bot@gemini.com"), None);
        assert_eq!(identity_tool("Paul Gauthier", "paul@aider.chat"), None);
        assert_eq!(identity_tool("Tim Culverhouse", "tfc@ampcode.com"), None);
        assert_eq!(trailer_tool("Replit-Commit-Author", "Human"), Some(None));
        assert_eq!(trailer_tool("Signed-off-by", "x"), None);
    }
}
