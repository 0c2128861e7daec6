//! Finding known AI tools' markers on commits and pull requests: author, committer and PR-author
//! identities and logins, trailers in every trailer paragraph, agent identities anywhere in a
//! message, branch prefixes, body boilerplate and labels. The tools themselves are data
//! (`tools.yml`, read by `tools.rs`).
//!
//! Only structured markers count: prose that merely mentions a tool never does, and neither does
//! a marker that is quoted (in a code span or fenced block), negated ("not generated with Claude
//! Code"), an unticked template box, or a link to a tool's documentation. Matching is loose where
//! tools vary (case, `no-reply`/`noreply`, a model name in the display name, GraphQL logins
//! without `[bot]`) and strict where look-alikes exist (`claudette/…`, human "Claude"s).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

pub use super::declared::{AssistedBy, Declared, assisted_by, body_declaration, trailer_declaration};
use super::declared::{declaration_key, is_negative};
pub use super::tools::AiTool;
pub(crate) use super::tools::tool_from_name;
use super::tools::{self, bot_tool, identity_tool};
use crate::model::{markdown, trailers};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MarkerSite {
    Commit { sha: String },
    PrAuthor,
    Branch,
    PrBody,
    Label,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Marker {
    pub tool: AiTool,
    pub site: MarkerSite,
    /// The text that matched, at most 120 characters.
    pub evidence: String,
    /// The model the marker names, when its shape has a place for one (`Assisted-by: AGENT:MODEL`).
    pub model: Option<String>,
}

/// What a commit looks like to detection (borrowed plain data).
pub struct CommitView<'a> {
    pub sha: &'a str,
    pub message: &'a str,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub author_login: Option<&'a str>,
    pub committer_name: &'a str,
    pub committer_email: &'a str,
    pub committer_login: Option<&'a str>,
}

const MAX_EVIDENCE: usize = 120;

fn marker(tool: AiTool, site: MarkerSite, evidence: &str) -> Marker {
    let full = evidence.trim();
    let mut evidence: String = full.chars().take(MAX_EVIDENCE).collect();
    if evidence.len() < full.len() {
        evidence.pop();
        evidence.push('…');
    }
    Marker { tool, site, evidence, model: None }
}

/// A marker that names its model too.
fn with_model(mut marker: Marker, model: Option<String>) -> Marker {
    marker.model = model;
    marker
}

/// The model an `Assisted-by:` trailer in the kernel's `AGENT:MODEL [TOOL…]` shape names.
fn trailer_model(key: &str, value: &str) -> Option<String> {
    key.eq_ignore_ascii_case("assisted-by").then(|| assisted_by(value)).flatten().map(|a| a.model)
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

/// Trailer keys that say who reviewed, tested or reported, not who wrote: an AI reviewer named
/// there did not write the change.
const NOT_AUTHORSHIP: &[&str] =
    &["reviewed-by", "acked-by", "tested-by", "reported-by", "suggested-by", "requested-by", "cc", "reviewer"];

/// Keys whose value names who or what wrote the change, beyond the declaration keys.
const AUTHORSHIP_SUFFIXES: &[&str] = &["generated-by", "assisted-by", "authored-by", "written-by", "created-by"];

/// A co-author trailer value: an agent identity, or a bare tool name without an e-mail
/// (`Co-authored-by: GitHub Copilot`).
fn co_author_tool(value: &str) -> Option<AiTool> {
    let p = trailers::parse_person(value)?;
    if let Some(tool) = identity_tool(&p.name, &p.email) {
        return Some(tool);
    }
    let tool = tool_from_name(&p.name);
    (p.email.is_empty() && tool != AiTool::Other).then_some(tool)
}

/// The tool a trailer attributes the change to, if any.
fn trailer_marker(key: &str, value: &str) -> Option<AiTool> {
    let lower = key.to_ascii_lowercase();
    if NOT_AUTHORSHIP.contains(&lower.as_str()) {
        return None;
    }
    if let Some(owned) = tools::trailer_tool(key, value) {
        return owned;
    }
    if lower == "co-authored-by" {
        return co_author_tool(value);
    }
    if let Some(person) = trailers::parse_person(value).filter(|p| !p.email.is_empty())
        && let Some(tool) = identity_tool(&person.name, &person.email)
    {
        return Some(tool); // `Signed-off-by: Cursor Agent <cursoragent@cursor.com>`, …
    }
    if is_negative(value) {
        return None;
    }
    if lower == "assisted-by"
        && let Some(assisted) = assisted_by(value)
    {
        // The agent is the tool; the model says whose model it ran, not which tool
        // (`Zed:claude-sonnet-4` is Zed, `GitHub Copilot:claude-opus-4.8` is Copilot).
        return Some(tool_from_name(&assisted.agent));
    }
    if let Some(tool) = tools::key_names_tool(key) {
        return Some(tool); // `Claude-Generated-By:`, `Claude-Steers:`: tools invent their keys
    }
    if declaration_key(key).is_some() {
        return Some(tool_from_name(value));
    }
    let authorship = AUTHORSHIP_SUFFIXES.iter().any(|s| lower.ends_with(s));
    let tool = tool_from_name(value);
    (authorship && tool != AiTool::Other).then_some(tool)
}

static EMAIL_IN_ANGLES: LazyLock<Regex> = LazyLock::new(|| re(r"([^<>:,;()\[\]]*)<([^<>\s@]+@[^<>\s]+)>"));
static BARE_EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[\s(\[:,;])([A-Za-z0-9._%+\-\[\]]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})\b"));
static TRAILER_SHAPED: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:[-*>]\s*)?([A-Za-z0-9][A-Za-z0-9-]*):\s+(.*)$"));

/// Attributions anywhere in `text` (already code-blanked), one evidence line each: a trailer
/// outside a trailer paragraph (a `Co-authored-by:` or `Made-with:` line in a PR body, Claude's
/// trailers before its multi-paragraph plan), an agent's identity quoted in prose, an agent's bare
/// address. Lines shaped like review trailers are skipped, and so are `skip`ped lines (trailers
/// already read, so one line is not two pieces of evidence). Outside a trailer paragraph a
/// declaration key counts only with a known tool's name (`Generated-by: the build script` is prose).
fn attributions_anywhere(text: &str, skip: &BTreeSet<String>, add: &mut impl FnMut(AiTool, &str, Option<String>)) {
    for line in text.lines() {
        let evidence = line.trim();
        if evidence.is_empty() || skip.contains(&collapse(evidence)) {
            continue;
        }
        if let Some(c) = TRAILER_SHAPED.captures(line) {
            let key = c[1].to_ascii_lowercase();
            if NOT_AUTHORSHIP.contains(&key.as_str()) {
                continue;
            }
            if let Some(tool) = trailer_marker(&c[1], &c[2]).filter(|t| *t != AiTool::Other) {
                add(tool, evidence, trailer_model(&c[1], &c[2]));
                continue;
            }
        }
        let mut found = false;
        for c in EMAIL_IN_ANGLES.captures_iter(line) {
            if let Some(tool) = identity_tool(&c[1], &c[2]) {
                add(tool, evidence, None);
                found = true;
            }
        }
        if !found {
            for c in BARE_EMAIL.captures_iter(line) {
                if let Some(tool) = identity_tool("", &c[1]) {
                    add(tool, evidence, None);
                }
            }
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

static UNTICKED: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:[-*+]|\d+[.)])\s+\[\s?\]"));
static NEGATION: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:not|no|never|without|nor|isn't|wasn't|weren't|aren't|didn't|don't)\b|n't\b"));

/// Whether a boilerplate hit at `at` in `text` is the tool's own line: not in an unticked
/// template box, and not negated earlier in its sentence ("Not generated with Claude Code").
fn asserted(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| i + at);
    if UNTICKED.is_match(&text[start..end]) {
        return false;
    }
    let before = &text[start..at];
    let sentence = before.rfind(['.', '!', '?']).map_or(before, |i| &before[i + 1..]);
    !NEGATION.is_match(sentence)
}

/// Body boilerplate in `text` (already code-blanked; `original` is the same text before blanking,
/// for the evidence): the line holding the first asserted hit of each rule (repeats add nothing),
/// or the text from the hit on when that line is too long.
fn body_markers(text: &str, original: &str, add: &mut impl FnMut(AiTool, &str)) {
    for (tool, re) in tools::body_rules() {
        if let Some(m) = re.find_iter(text).find(|m| asserted(text, m.start())) {
            let start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            let end = text[m.end()..].find('\n').map_or(text.len(), |i| i + m.end());
            let line = original[start..end].trim();
            // A pattern anchored on the character before a host matches that character too.
            let hit = m.start() + m.as_str().find(|c: char| c.is_alphanumeric() || c == '<').unwrap_or(0);
            let long = line.chars().count() > MAX_EVIDENCE;
            add(tool, if long { &original[hit..end] } else { line });
        }
    }
}

/// Markers on one commit: author/committer identities and logins, trailers in every trailer
/// paragraph, agent identities anywhere, body boilerplate and subject prefixes (`aider: `).
pub fn commit_markers(commit: &CommitView<'_>) -> Vec<Marker> {
    let c = commit;
    let sha = c.sha.to_string();
    let site = MarkerSite::Commit { sha };
    let mut out = BTreeSet::new();
    let mut add = |tool, evidence: &str, model| out.insert(with_model(marker(tool, site.clone(), evidence), model));
    let people = [
        ("author", c.author_name, c.author_email, c.author_login),
        ("committer", c.committer_name, c.committer_email, c.committer_login),
    ];
    for (role, name, email, login) in people {
        if let Some(tool) = identity_tool(name, email) {
            let who = format!("{role} {} <{}>", name.trim(), email.trim());
            add(tool, who.trim_end_matches(" <>"), None);
        }
        if let Some((tool, login)) = login.and_then(|l| Some((bot_tool(l)?, l.trim()))) {
            add(tool, &format!("{role} login {login}"), None);
        }
    }
    let message = markdown::blank_code(c.message);
    let mut read = BTreeSet::new();
    for t in trailers::parse_all(&message) {
        if let Some(tool) = trailer_marker(&t.key, &t.value) {
            add(tool, &format!("{}: {}", t.key, t.value), trailer_model(&t.key, &t.value));
        }
        read.insert(collapse(&format!("{}: {}", t.key, t.value)));
    }
    attributions_anywhere(&message, &read, &mut |tool, evidence, model| {
        add(tool, evidence, model);
    });
    body_markers(&message, c.message, &mut |tool, evidence| {
        add(tool, evidence, None);
    });
    let subject = c.message.trim_start().lines().next().unwrap_or("").trim();
    if let Some(tool) = tools::subject_tool(subject) {
        add(tool, subject, None);
    }
    out.into_iter().collect()
}

/// Markers on a pull request: its author, head branch (`refs/heads/x` and `owner:x` accepted),
/// body boilerplate, agent identities in the body (`Co-authored-by: Claude` written in the PR
/// description) and labels.
pub fn pr_markers(author_login: &str, branch: &str, body: &str, labels: &[&str]) -> Vec<Marker> {
    let mut out = BTreeSet::new();
    let mut add = |tool, site, evidence: &str, model| out.insert(with_model(marker(tool, site, evidence), model));
    if let Some(tool) = bot_tool(author_login) {
        let evidence = format!("author {}", author_login.trim());
        add(tool, MarkerSite::PrAuthor, &evidence, None);
    }
    let branch = branch.trim();
    let name = branch.rsplit(':').next().unwrap_or(branch);
    let name = name.strip_prefix("refs/heads/").unwrap_or(name);
    if let Some(tool) = tools::branch_tool(&name.to_ascii_lowercase()) {
        add(tool, MarkerSite::Branch, &format!("branch {branch}"), None);
    }
    let blanked = markdown::blank_code(body);
    body_markers(&blanked, body, &mut |tool, evidence| {
        add(tool, MarkerSite::PrBody, evidence, None);
    });
    attributions_anywhere(&blanked, &BTreeSet::new(), &mut |tool, evidence, model| {
        add(tool, MarkerSite::PrBody, evidence, model);
    });
    for label in labels.iter().map(|l| l.trim()) {
        if let Some(tool) = tools::label_tool(label) {
            add(tool, MarkerSite::Label, &format!("label {label}"), None);
        }
    }
    out.into_iter().collect()
}

/// Reviewers that are AI tools or review bots: their approvals never count.
pub(crate) fn is_ai_reviewer(login: &str) -> bool {
    bot_tool(login).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JANE: CommitView<'static> = CommitView {
        sha: "abc123",
        message: "Fix",
        author_name: "Jane",
        author_email: "jane@example.com",
        author_login: Some("jane"),
        committer_name: "GitHub",
        committer_email: "noreply@github.com",
        committer_login: Some("web-flow"),
    };

    /// Checks rows `input => tool-id` (no id: no marker) against `f`; `\n` in input is a newline.
    fn check(table: &str, f: impl Fn(&str) -> Vec<Marker>, site: MarkerSite) {
        for row in table.lines().filter(|l| !l.trim().is_empty()) {
            let (input, id) = row.rsplit_once("=>").expect("table row");
            let want = AiTool::all().iter().find(|t| t.id() == id.trim());
            assert!(want.is_some() || id.trim().is_empty(), "bad id in {row}");
            let found = f(&input.trim().replace("\\n", "\n"));
            assert!(found.iter().all(|m| m.site == site), "{row}: {found:?}");
            let mut tools: Vec<_> = found.iter().map(|m| &m.tool).collect();
            tools.dedup();
            assert_eq!(tools, Vec::from_iter(want), "{row}");
        }
    }

    fn in_message(message: &str) -> Vec<Marker> {
        commit_markers(&CommitView { message, ..JANE })
    }

    fn commit_site() -> MarkerSite {
        let sha = JANE.sha.to_string();
        MarkerSite::Commit { sha }
    }

    /// A commit by `name | email | login` as its author, or as its committer.
    fn by(row: &str, committer: bool) -> Vec<Marker> {
        let f: Vec<&str> = row.split('|').map(str::trim).chain(["", ""]).collect();
        let (mut c, login) = (JANE, Some(f[2]).filter(|l| !l.is_empty()));
        if committer {
            (c.committer_name, c.committer_email, c.committer_login) = (f[0], f[1], login);
        } else {
            (c.author_name, c.author_email, c.author_login) = (f[0], f[1], login);
        }
        commit_markers(&c)
    }

    #[test]
    fn co_authors_in_any_trailer_paragraph_and_anywhere_outside_code() {
        let table = "Copilot <175728472+Copilot@users.noreply.github.com> => copilot
            Claude <noreply@anthropic.com> => claude-code
            Claude <no-reply@anthropic.com> => claude-code
            Claude Opus 4.5 <noreply@anthropic.com> => claude-code
            claude sonnet 4 <NoReply@Anthropic.COM> => claude-code
            Claude Opus 4.5 <claude@anthropic.com> => claude-code
            Codex <codex@openai.com> => codex
            Cursor <cursoragent@cursor.com> => cursor
            aider (gpt-4o) <aider@aider.chat> => aider
            aider (claude-3-5-sonnet) <noreply@aider.chat> => aider
            google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com> => jules
            openhands <openhands@all-hands.dev> => openhands
            Amp <amp@ampcode.com> => amp
            opencode <noreply@opencode.ai> => opencode
            Gemini CLI Agent <gemini-cli-agent@google.com> => gemini
            Gemini <gemini@example.org> =>
            Gemini Bot <bot@gemini.com> =>
            gemini-cli-robot <gemini-cli-robot@google.com> =>
            Paul Gauthier <paul@aider.chat> =>
            gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com> => gemini
            GitHub Copilot => copilot
            Alice <alice@example.com> =>
            Claudette <claudette@gmail.com> =>
            Claude Monet <claude@gmail.com> =>
            Claude <12345+claude@users.noreply.github.com> =>
            Alice <alice@anthropic.com> =>
            Bob <bob@cursor.com> =>
            Jane Doe =>";
        let last = |who: &str| in_message(&format!("Subject\n\nBody.\n\nCo-authored-by: {who}\n"));
        check(table, last, commit_site());
        // GitHub's squash merge: the trailer of a squashed commit sits mid-message.
        let squash = |who: &str| {
            in_message(&format!(
                "Add x (#12)\n\n* first\n\nCo-authored-by: {who}\n\n* second\n\nSigned-off-by: A <a@x.org>"
            ))
        };
        check(table, squash, commit_site());
        // A sign-off paragraph or a footnote after the trailer.
        let footnote =
            |who: &str| in_message(&format!("S\n\nCo-authored-by: {who}\n\n[1]: https://example.com/design"));
        check(table, footnote, commit_site());
        // In a prose paragraph: an agent's identity is still its identity.
        let prose = |who: &str| in_message(&format!("S\n\nAs said,\nCo-authored-by: {who}\nok.\n\nBye."));
        check(table, prose, commit_site());
        // Quoted in a code block or a code span: not a marker.
        for row in table.lines() {
            let who = row.rsplit_once("=>").expect("table row").0.trim();
            let fenced = format!("S\n\nThe hook strips:\n\n```\nCo-authored-by: {who}\n```\n\nDone.");
            assert!(in_message(&fenced).is_empty(), "{row}");
            let span = format!("S\n\nStrip `Co-authored-by: {who}` lines.");
            assert!(in_message(&span).is_empty(), "{row}");
        }
        let m = in_message("S\n\nCo-Authored-By: Claude <noreply@anthropic.com>");
        assert_eq!(m[0].evidence, "Co-Authored-By: Claude <noreply@anthropic.com>");
    }

    #[test]
    fn commit_authors_and_committers() {
        let table = "copilot-swe-agent[bot] | 198982749+Copilot@users.noreply.github.com | Copilot => copilot
            claude[bot] | 41898282+claude[bot]@users.noreply.github.com | claude[bot] => claude-code
            Cursor Agent | cursoragent@cursor.com | => cursor
            Jane Doe (aider) | jane@example.com | => aider
            devin-ai-integration[bot] | 158243242+devin-ai-integration[bot]@users.noreply.github.com | => devin
            Devin | devin-ai-integration@cognition.ai | => devin
            google-labs-jules[bot] | 161369871+google-labs-jules[bot]@users.noreply.github.com | => jules
            amazon-q-developer[bot] | 208079219+amazon-q-developer[bot]@users.noreply.github.com | => amazon-q
            openhands | openhands@all-hands.dev | => openhands
            x | | Copilot => copilot
            Claudette | claudette@gmail.com | claudette =>
            Jane | jane@example.com | claude =>
            Copilot | copilot@example.com | =>";
        check(table, |row| by(row, false), commit_site());
        check(table, |row| by(row, true), commit_site());
        let m = by("claude[bot] | 41898282+claude[bot]@users.no-reply.github.com", true);
        let want = "committer claude[bot] <41898282+claude[bot]@users.no-reply.github.com>";
        assert_eq!(m[0].evidence, want);
        let m = by("x | | Copilot", false);
        assert_eq!(m[0].evidence, "author login Copilot");
    }

    #[test]
    fn trailers_and_message_text() {
        let table = r"S\n\nAgent-Logs-Url: https://github.com/o/r/sessions/123 => copilot
            S\n\nClaude-Session: abc => claude-code
            S\n\nAmp-Thread-ID: T-1234 => amp
            S\n\nReplit-Commit-Author: Agent\nReplit-Commit-Author: Assistant => replit
            S\n\nReplit-Commit-Session-Id: 0f3a => replit
            S\n\nReplit-Commit-Author: Human =>
            S\n\nMade-with: Cursor => cursor
            S\n\nAssisted-by: Claude Code => claude-code
            S\n\nGenerated-by: aider (gpt-4o) => aider
            S\n\nAI-Assisted: yes\nAssisted-by: SomeNewTool => other
            S\n\nAI-Assisted: no\nAI-Assisted: None.\nGenerated-by: false =>
            S\n\nReviewed-by: Claude <noreply@anthropic.com> =>
            Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nMore. => claude-code
            Fix\n\n🤖 generated with [claude code](https://claude.ai/code) => claude-code
            Fix\n\n🤖 Generated with [opencode](https://opencode.ai) => opencode
            Fix\n\nCopilot Autofix powered by AI => copilot
            aider: fix the parser => aider
            Add (#12)\n\n* x\n\n[Codex Task](https://chatgpt.com/codex/tasks/task_e_1) => codex
            remove subprocess =>
            Fix cursor in copilot panel\n\nThe cursor jumped; copilot and claude in prose. =>
            aiders: not a prefix =>
            Bump\n\nSee https://claude.ai/code for docs.\n\nCo-authored-by: Alice <a@x.org> =>
            =>";
        check(table, in_message, commit_site());
        let m = in_message("Fix\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n");
        let want = "🤖 Generated with [Claude Code](https://claude.ai/code)";
        assert_eq!(m[0].evidence, want);
    }

    #[test]
    fn pr_authors_branches_bodies_labels() {
        let logins = "Copilot => copilot\n copilot-swe-agent[bot] => copilot\n cursor[bot] => cursor
            claude[bot] => claude-code\n devin-ai-integration[bot] => devin\n devin-ai-integration => devin
            google-labs-jules[bot] => jules\n amazon-q-developer[bot] => amazon-q\n codegen-sh[bot] => codegen
            claude =>\n cursor =>\n jane =>\n claudette[bot] =>";
        let author = |login: &str| pr_markers(login, "main", "", &[]);
        check(logins, author, MarkerSite::PrAuthor);
        let branches = "copilot/fix-login => copilot\n claude/fix-login-a1b2 => claude-code
            claude/issue-12-20250101-1200 => claude-code\n refs/heads/claude/pr-7-20250101 => claude-code
            codex/add-tests => codex\n cursor/fix-bug-3f2a => cursor\n devin/1712345678-fix => devin
            octo:Copilot/Thing => copilot\n claudette/x =>\n main =>\n feature/claude/x =>\n claude/ =>";
        let branch = |branch: &str| pr_markers("jane", branch, "", &[]);
        check(branches, branch, MarkerSite::Branch);
        let bodies = r"<!-- START COPILOT CODING AGENT TIPS -->\nTips => copilot
            Summary\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code) => claude-code
            Session: https://claude.ai/code/session_011abc => claude-code
            [Codex Task](https://chatgpt.com/codex/tasks/task_e_68a) => codex
            <!-- CURSOR_AGENT_PR_BODY_BEGIN -->\nstuff => cursor
            [Open in Cursor](https://cursor.com/agents?id=bc-1) => cursor
            Link to Devin run: https://app.devin.ai/sessions/abc => devin
            PR created automatically by Jules for task 123 => jules
            See https://jules.google.com/task/123 => jules
            🤖 Generated with [opencode](https://opencode.ai) => opencode
            I used cursor keys and copilot-like autocomplete. =>
            Claude and Codex are cool; cursor.com is a site =>";
        let body = |body: &str| pr_markers("jane", "main", body, &[]);
        check(bodies, body, MarkerSite::PrBody);
        let labels = "Amazon Q development agent => amazon-q\n amazon q =>\n bug =>";
        let label = |label: &str| pr_markers("jane", "main", "", &[label]);
        check(labels, label, MarkerSite::Label);
        let labels = ["bug", " Amazon Q development agent "];
        let m = pr_markers("Copilot", "claude/x", "", &labels);
        let evidence: Vec<_> = m.iter().map(|m| m.evidence.as_str()).collect();
        let want = ["author Copilot", "branch claude/x", "label Amazon Q development agent"];
        assert_eq!(evidence, want);
        // A hit late in a long line: the evidence starts at the hit.
        let long = "x".repeat(300) + " https://chatgpt.com/codex/tasks/task_e_1";
        let m = pr_markers("j", "main", &long, &[]);
        assert_eq!(m[0].evidence, "chatgpt.com/codex/tasks/task_e_1");
    }

    #[test]
    fn dedup_and_sorted() {
        let co = "Co-authored-by: aider (gpt-4o) <aider@aider.chat>";
        let message = format!("aider: x\n\n{co}\n{co}\n");
        let mut c = JANE;
        (c.message, c.author_name) = (&message, "J (aider)");
        let m = commit_markers(&c);
        assert_eq!(m.len(), 3);
        assert!(m.windows(2).all(|w| w[0] < w[1]));
        let body = "<!-- START COPILOT CODING AGENT TIPS -->\n".repeat(3);
        let m = pr_markers("Copilot", "copilot/x", &body, &[]);
        let sites: Vec<_> = m.into_iter().map(|m| m.site).collect();
        let want = [MarkerSite::PrAuthor, MarkerSite::Branch, MarkerSite::PrBody];
        assert_eq!(sites, want);
    }

    #[test]
    fn reviewers() {
        let ai = "Copilot copilot-pull-request-reviewer[bot] copilot-swe-agent[bot] chatgpt-codex-connector[bot]
            gemini-code-assist[bot] CodeRabbitAI[bot] cursor[bot] claude[bot] devin-ai-integration[bot]
            google-labs-jules[bot] amazon-q-developer[bot] codegen-sh[bot] sourcery-ai[bot] coderabbitai
            qodo-merge-pro[bot] greptile-apps[bot] ellipsis-dev[bot]";
        assert!(ai.split_whitespace().all(is_ai_reviewer));
        let human = "jane claude cursor dependabot[bot] github-actions[bot] copilotfan";
        assert!(!human.split_whitespace().any(is_ai_reviewer) && !is_ai_reviewer(""));
    }

    /// Rows `input => none|assisted|generated|-`; `\n` in input is a newline.
    fn check_declared(table: &str, f: impl Fn(&str) -> Option<Declared>) {
        for row in table.lines() {
            let (input, want) = row.trim().rsplit_once("=>").expect("table row");
            let strengths = [Declared::None, Declared::Assisted, Declared::Generated];
            let want = strengths.into_iter().find(|d| format!("{d:?}").eq_ignore_ascii_case(want.trim()));
            assert_eq!(f(&input.trim().replace("\\n", "\n")), want, "{row}");
        }
    }

    #[test]
    fn declarations() {
        let trailer_rows = r"AI-Assisted: yes => assisted
            AI-Assisted: Claude Code => assisted
            ai-assisted: No => none
            AI-Assisted: false => none
            Assisted-by: Copilot => assisted
            Made-with: Cursor => assisted
            Generated-by: Codex => generated
            Signed-off-by: A <a@x.org> => -
            AI-Assisted: no\nGenerated-by: Codex\nAssisted-by: aider => generated";
        let in_trailers = |t: &str| trailer_declaration(&format!("S\n\n{t}\n"));
        check_declared(trailer_rows, in_trailers);
        assert_eq!(trailer_declaration("AI-Assisted: yes"), None); // subject only
        let body_rows = r"- [x] No AI => none
            - [X] no AI used => none
            * [x] AI: none => none
            - [x] AI-assisted => assisted
            + [x] AI assisted => assisted
            1. [x] Assisted by AI => assisted
            - [x] AI-generated => generated
            - [x] Generated by AI => generated
            - [x] **Mostly AI-generated** => generated
            - [x] This PR contains no AI-generated code => none
            - [ ] AI-generated\n- [] AI-assisted => -
            ## AI\n- [ ] No AI\n- [x] AI-assisted\n- [ ] AI-generated => assisted
            - [x] No AI\n- [x] AI-generated\n- [x] AI-assisted => generated
            AI: none => none
            ai: Assisted => assisted
            **AI usage:** generated => generated
            AI-use: Copilot for tests => assisted
            AI Usage: none => none
            AI: none | assisted | generated => -
            Made-with: Cursor => assisted
            Assisted-by: none => none
            ```\n- [x] AI-generated\n``` => -
            We discussed AI-generated code in general. => -
            - [x] Tests added\n- [x] Generated docs => -
            => -";
        check_declared(body_rows, body_declaration);
    }

    #[test]
    fn assisted_by_in_the_kernels_shape_names_agent_model_and_tools() {
        let parts = |v: &str| assisted_by(v).map(|a| (a.agent, a.model, a.tools));
        let owned =
            |a: &str, m: &str, t: &[&str]| Some((a.into(), m.into(), t.iter().map(|t| t.to_string()).collect()));
        assert_eq!(
            parts("Claude:claude-3-opus coccinelle sparse"),
            owned("Claude", "claude-3-opus", &["coccinelle", "sparse"])
        );
        assert_eq!(
            parts("GitHub Copilot:claude-opus-4.8 [GitHub Copilot CLI]"),
            owned("GitHub Copilot", "claude-opus-4.8", &["GitHub Copilot CLI"])
        );
        assert_eq!(parts(" opencode:qwen3-coder:30b "), owned("opencode", "qwen3-coder:30b", &[]));
        for other in [
            "Claude Code",
            "Claude Opus 4.7 <noreply@anthropic.com>",
            "Claude Sonnet 4.6 (https://claude.ai/code)",
            "https://example.com/x",
            "AI: yes",
            "Claude: opus",
            "none",
            "",
        ] {
            assert_eq!(parts(other), None, "{other}");
        }
        let long = format!("Claude:{} {}", "m".repeat(500), "t ".repeat(50));
        let a = assisted_by(&long).expect("the kernel's shape");
        assert_eq!((a.model.len(), a.tools.len()), (80, 8), "capped");

        // The agent decides the tool; the model is kept on the marker.
        let table = r"S\n\nAssisted-by: Claude:claude-3-opus coccinelle sparse => claude-code
            S\n\nAssisted-by: Claude Code:claude-opus-5 => claude-code
            S\n\nAssisted-by: GitHub Copilot:claude-opus-4.8 [GitHub Copilot CLI] => copilot
            S\n\nAssisted-by: opencode:glm-5.2 => opencode
            S\n\nAssisted-by: Zed:claude-sonnet-4 => other
            S\n\nAssisted-by: Grok:grok-4.5 => other";
        check(table, in_message, commit_site());
        let m = in_message("S\n\nAssisted-by: Zed:claude-sonnet-4\nSigned-off-by: A <a@x.org>");
        assert_eq!(
            (m[0].model.as_deref(), m[0].evidence.as_str()),
            (Some("claude-sonnet-4"), "Assisted-by: Zed:claude-sonnet-4")
        );
        assert_eq!(
            trailer_declaration("S\n\nAssisted-by: Grok:grok-4.5\n"),
            Some(Declared::Assisted),
            "unknown agents declare too"
        );
        assert_eq!(in_message("S\n\nCo-authored-by: Claude <noreply@anthropic.com>")[0].model, None);
        let body = pr_markers("jane", "main", "Fixes the cache.\n\nAssisted-by: Claude:claude-3-opus\n", &[]);
        assert_eq!((body[0].tool, body[0].model.as_deref()), (AiTool::ClaudeCode, Some("claude-3-opus")));
    }

    #[test]
    fn tool_names() {
        let table = "Claude Code => claude-code\n claude => claude-code\n claude-opus => claude-code
            GitHub Copilot => copilot\n cursor => cursor\n Cursor (claude-4-sonnet) => cursor
            aider (gpt-4o) => aider\n Codex => codex\n gpt-5-codex => codex\n Devin => devin
            Google Jules => jules\n Amazon Q Developer => amazon-q\n amazon-q => amazon-q
            OpenHands => openhands\n Amp => amp\n opencode => opencode\n Codegen => codegen
            Replit Agent => replit\n Gemini CLI => gemini\n ChatGPT => other\n Claudette => other
            example => other\n => other";
        let as_marker = |t: &str| vec![marker(tool_from_name(t), MarkerSite::Label, t)];
        check(table, as_marker, MarkerSite::Label);
    }

    #[test]
    fn no_panic_on_large_multibyte_input() {
        let pieces =
            "é|🤖 Generated with [Claude Code]|\n|\r\n|- [x] |AI: |<|>|Co-authored-by: |中文| |\n\n|\t|[bot]|@|:";
        let pieces: Vec<&str> = pieces.split('|').collect();
        let (mut s, mut i) = (String::new(), 0usize);
        while s.len() < 100_000 {
            i = (i * 31 + 7) % 1_000_003;
            s.push_str(pieces[i % pieces.len()]);
        }
        let one_line = s.replace('\n', " ");
        for t in [s.as_str(), one_line.as_str()] {
            let mut c = JANE;
            (c.sha, c.message, c.author_name, c.author_email) = (t, t, t, t);
            (c.author_login, c.committer_email) = (Some(t), t);
            let all = [commit_markers(&c), pr_markers(t, t, t, &[t])].concat();
            let evidence = all.iter().map(|m| m.evidence.chars().count());
            assert!(evidence.max().unwrap_or(0) <= MAX_EVIDENCE);
            let declared = [body_declaration(t), trailer_declaration(t)];
            let _ = (declared, tool_from_name(t), is_ai_reviewer(t));
        }
    }

    #[test]
    fn trailer_keys_that_name_a_tool_and_agent_sign_offs() {
        let table = r"Fix\n\nClaude-Generated-By: Claude Code (cli/claude-opus-4-5=100%)\nClaude-Steers: 0 => claude-code
            Fix\n\nSigned-off-by: Cursor Agent <cursoragent@cursor.com> => cursor
            Fix\n\nSigned-off-by: Jane <jane@example.com>\nSigned-off-by: Cursor Agent <cursoragent@cursor.com> => cursor
            Fix\n\nX-Generated-By: GitHub Copilot => copilot
            Fix\n\nWritten-by: aider (gpt-4o) => aider
            Fix\n\nClaude-Assisted: no =>
            Fix\n\nReviewed-by: Cursor Agent <cursoragent@cursor.com> =>
            Fix\n\nTested-by: Copilot <175728472+Copilot@users.noreply.github.com> =>
            Fix\n\nFixes-by: Claude =>
            Fix\n\nReported-by: Claude Monet <claude@gmail.com> =>";
        check(table, in_message, commit_site());
    }

    #[test]
    fn agent_logins_on_commit_authors_and_committers() {
        // GitHub resolves the Cursor agent's e-mail to the login `cursoragent`: often the only mark.
        let m = by("Cursor Agent | | cursoragent", false);
        assert_eq!((m[0].tool, m[0].evidence.as_str()), (AiTool::Cursor, "author login cursoragent"));
        let m = by("Jane | jane@example.com | cursoragent", true);
        assert_eq!((m[0].tool, m[0].evidence.as_str()), (AiTool::Cursor, "committer login cursoragent"));
        let m = by("x | 123+cursoragent@users.noreply.github.com |", false);
        assert_eq!(m[0].tool, AiTool::Cursor);
        assert_eq!(pr_markers("cursoragent", "main", "", &[])[0].tool, AiTool::Cursor);
        assert_eq!(pr_markers("factory-droid[bot]", "main", "", &[])[0].tool, AiTool::Factory);
        assert!(by("Jane | jane@example.com | cursorfan", false).is_empty());
    }

    #[test]
    fn co_author_lines_in_a_pr_body_are_markers() {
        let body = "Adds the cache.\n\nCo-authored-by: Claude <noreply@anthropic.com>\n";
        let m = pr_markers("jane", "main", body, &[]);
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].tool, &m[0].site), (AiTool::ClaudeCode, &MarkerSite::PrBody));
        assert_eq!(m[0].evidence, "Co-authored-by: Claude <noreply@anthropic.com>");
        let m = pr_markers("jane", "main", "Thanks!\nCo-authored-by: Claude", &[]);
        assert_eq!(m[0].tool, AiTool::ClaudeCode);
    }

    #[test]
    fn quoted_negated_unticked_and_documentation_text_is_not_a_marker() {
        let bodies = r"Not generated with Claude Code: I wrote it by hand. =>
            This was not 🤖 Generated with [Claude Code](https://claude.com/claude-code) =>
            I didn't use it; generated with Claude Code is what the bot says. =>
            - [ ] 🤖 Generated with [Claude Code](https://claude.com/claude-code)\n- [x] No AI used =>
            * [ ] Link to Devin run: https://app.devin.ai/sessions/x =>
            See https://docs.cursor.com/background-agent for how agents work. =>
            Docs: https://docs.devin.ai/sessions/overview and https://docs.jules.google.com/task/x =>
            Detects `🤖 Generated with [Claude Code]` in commit messages. =>
            ```\nCo-authored-by: Claude <noreply@anthropic.com>\n```\nThe hook above strips that. =>
            ~~~\n<!-- CURSOR_AGENT_PR_BODY_BEGIN -->\n~~~ =>
            - [x] 🤖 Generated with [Claude Code](https://claude.com/claude-code) => claude-code
            Fixed. 🤖 Generated with [Claude Code](https://claude.com/claude-code) => claude-code
            See https://cursor.com/agents?id=bc-1 => cursor";
        let body = |body: &str| pr_markers("jane", "main", body, &[]);
        check(bodies, body, MarkerSite::PrBody);
        let fenced = "Fix\n\n```\nCo-Authored-By: Claude <noreply@anthropic.com>\n```";
        assert!(in_message(fenced).is_empty());
    }
}
