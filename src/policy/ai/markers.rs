//! Known AI coding tools and the structured markers they leave on commits and pull requests
//! (bot accounts, co-author identities, trailers, branch prefixes, body boilerplate, labels),
//! plus explicit AI-use declarations in trailers and PR bodies.
//!
//! Only structured markers count: prose that merely mentions a tool never does. Matching is
//! loose where tools vary (case, `no-reply`/`noreply`, a model name in the display name, GraphQL
//! logins without `[bot]`) and strict where look-alikes exist (`claudette/…`, human "Claude"s).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::trailers;

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
    Other,
}

use AiTool::*;

/// Every tool with its id and human name, in enum order (indexed by `tool as usize`).
const TOOLS: [(AiTool, &str, &str); 15] = [
    (Copilot, "copilot", "GitHub Copilot"),
    (ClaudeCode, "claude-code", "Claude Code"),
    (Cursor, "cursor", "Cursor"),
    (Aider, "aider", "Aider"),
    (Codex, "codex", "OpenAI Codex"),
    (Devin, "devin", "Devin"),
    (Jules, "jules", "Google Jules"),
    (AmazonQ, "amazon-q", "Amazon Q Developer"),
    (OpenHands, "openhands", "OpenHands"),
    (Amp, "amp", "Amp"),
    (OpenCode, "opencode", "OpenCode"),
    (Codegen, "codegen", "Codegen"),
    (Replit, "replit", "Replit Agent"),
    (Gemini, "gemini", "Google Gemini"),
    (Other, "other", "other AI tool"),
];

static ALL: LazyLock<Vec<AiTool>> = LazyLock::new(|| TOOLS.iter().map(|t| t.0).collect());

impl AiTool {
    pub fn id(self) -> &'static str {
        TOOLS[self as usize].1
    }
    pub fn name(self) -> &'static str {
        TOOLS[self as usize].2
    }
    pub fn all() -> &'static [AiTool] {
        &ALL
    }
}

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

/// Strength of an explicit AI-use declaration, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Declared {
    None,
    Assisted,
    Generated,
}

/// GitHub accounts of AI tools and AI review bots: login without `[bot]`, and whether the bare
/// login counts too. GraphQL reports app logins without the suffix, so distinctive names match
/// bare; plain words (`claude`, `cursor`) are also ordinary user names and need the suffix.
/// `Copilot` is GitHub's own suffix-less account. Every entry is an AI reviewer, and any of them
/// authoring a commit or PR is an AI author.
const BOTS: &[(&str, AiTool, bool)] = &[
    ("copilot", Copilot, true),
    ("copilot-swe-agent", Copilot, true),
    ("copilot-pull-request-reviewer", Copilot, true),
    ("claude", ClaudeCode, false),
    ("cursor", Cursor, false),
    ("chatgpt-codex-connector", Codex, true),
    ("devin-ai-integration", Devin, true),
    ("google-labs-jules", Jules, true),
    ("amazon-q-developer", AmazonQ, true),
    ("codegen-sh", Codegen, true),
    ("gemini-code-assist", Gemini, true),
    ("gemini-cli", Gemini, true),
    ("coderabbitai", Other, true),
    ("sourcery-ai", Other, true),
    ("qodo-merge-pro", Other, true),
    ("greptile-apps", Other, true),
    ("ellipsis-dev", Other, true),
];

/// Non-GitHub agent e-mails: (domain, local part or any, display-name prefix that identifies the
/// tool at that domain too, e.g. "Claude Opus 4.5 <claude@anthropic.com>"). Only dedicated agent
/// addresses: a human employee of these vendors is not a marker.
const EMAILS: &[(&str, Option<&str>, &str, AiTool)] = &[
    ("anthropic.com", Some("noreply"), "claude", ClaudeCode),
    ("openai.com", Some("codex"), "codex", Codex),
    ("cursor.com", Some("cursoragent"), "cursor", Cursor),
    ("aider.chat", None, "aider", Aider),
    ("all-hands.dev", Some("openhands"), "openhands", OpenHands),
    ("ampcode.com", Some("amp"), "amp", Amp),
    ("opencode.ai", Some("noreply"), "opencode", OpenCode),
    ("google.com", Some("gemini-cli-agent"), "gemini", Gemini),
];

/// Branch prefixes of cloud agents (`claude/` covers Claude Code on the web and the Action).
const BRANCHES: &[(&str, AiTool)] =
    &[("copilot/", Copilot), ("claude/", ClaudeCode), ("codex/", Codex), ("cursor/", Cursor), ("devin/", Devin)];

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

/// Boilerplate that tools put in commit messages and PR bodies (squash merges copy PR bodies
/// into commit messages, so both are scanned with the same table).
static BODY_RULES: LazyLock<Vec<(AiTool, Regex)>> = LazyLock::new(|| {
    [
        (ClaudeCode, r"generated with \[?claude[ -]code"),
        (ClaudeCode, r"claude\.ai/code/session_"),
        (OpenCode, r"generated with \[?opencode"),
        (Copilot, r"<!--\s*start copilot coding agent tips"),
        (Copilot, r"copilot autofix powered by ai"),
        (Codex, r"chatgpt\.com/codex/tasks/"),
        (Cursor, r"<!--\s*cursor_agent_pr_body_begin"),
        (Cursor, r"cursor\.com/(?:agents|background-agent)\b"),
        (Devin, r"app\.devin\.ai/sessions/"),
        (Devin, r"link to devin run"),
        (Jules, r"pr created automatically by jules"),
        (Jules, r"jules\.google\.com/task/"),
        (Amp, r"ampcode\.com/threads/t-"),
    ]
    .into_iter()
    .map(|(tool, pattern)| (tool, re(&format!("(?i){pattern}"))))
    .collect()
});

/// One group per tool, in `TOOLS` order; the leftmost mention wins ("aider (gpt-4o)").
static TOOL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)\b(?:(copilot)|(claude|anthropic)|(cursor)|(aider)|(codex)|(devin)|(jules)",
        r"|(amazon[\s-]?q|q developer|codewhisperer)|(openhands|all[\s-]?hands|opendevin)",
        r"|(amp|ampcode)|(opencode)|(codegen)|(replit)|(gemini))\b",
    ))
});

const MAX_EVIDENCE: usize = 120;

fn marker(tool: AiTool, site: MarkerSite, evidence: &str) -> Marker {
    let full = evidence.trim();
    let mut evidence: String = full.chars().take(MAX_EVIDENCE).collect();
    if evidence.len() < full.len() {
        evidence.pop();
        evidence.push('…');
    }
    Marker { tool, site, evidence }
}

/// The tool behind a GitHub login (`claude[bot]`, `Copilot`, `coderabbitai`, …).
fn bot_tool(login: &str) -> Option<AiTool> {
    let login = login.trim().to_ascii_lowercase();
    let (base, suffixed) = match login.strip_suffix("[bot]") {
        Some(base) => (base, true),
        None => (login.as_str(), false),
    };
    let bot = BOTS.iter().find(|b| b.0 == base && (suffixed || b.2));
    bot.map(|b| b.1)
}

/// `name` is `prefix`, or `prefix` followed by a non-alphanumeric character.
fn word_prefix(name: &str, prefix: &str) -> bool {
    let rest = name.strip_prefix(prefix);
    rest.is_some_and(|rest| !rest.starts_with(char::is_alphanumeric))
}

/// The tool behind a `name <email>` identity (commit author, committer or co-author).
fn identity_tool(name: &str, email: &str) -> Option<AiTool> {
    let name = name.trim().to_lowercase();
    let email = email.trim().trim_matches(['<', '>']).to_lowercase();
    let email = email.replace("no-reply", "noreply");
    if let Some(tool) = bot_tool(&name).filter(|_| name.ends_with("[bot]")) {
        return Some(tool);
    }
    // aider renames the author of its commits "Jane Doe (aider)".
    if name.ends_with("(aider)") {
        return Some(Aider);
    }
    if email.contains("devin-ai-integration") {
        return Some(Devin);
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
    let known = |(d, l, prefix, _): &&(&str, Option<&str>, &str, AiTool)| {
        *d == domain && (l.is_none_or(|l| l == local) || word_prefix(&name, prefix))
    };
    EMAILS.iter().find(known).map(|e| e.3)
}

/// A co-author trailer value: an agent identity, a name starting with "Gemini" (Gemini CLI's
/// address varies), or a bare tool name without an e-mail (`Co-authored-by: GitHub Copilot`).
fn co_author_tool(value: &str) -> Option<AiTool> {
    let p = trailers::parse_person(value)?;
    if let Some(tool) = identity_tool(&p.name, &p.email) {
        return Some(tool);
    }
    if word_prefix(&p.name.to_lowercase(), "gemini") {
        return Some(Gemini);
    }
    let tool = tool_from_name(&p.name);
    (p.email.is_empty() && tool != Other).then_some(tool)
}

const NEGATIVE_WORDS: &[&str] = &["no", "none", "false", "n/a", "na", "0", "off", "nothing", "not"];

/// A declaration value that says "no AI" (`no`, `None.`, `false`, `n/a`, …).
fn is_negative(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    let mut words = v.split(|c: char| !c.is_ascii_alphanumeric() && c != '/');
    words.next().is_some_and(|w| NEGATIVE_WORDS.contains(&w))
}

/// Strength of a declaration trailer key, if it is one.
fn declaration_key(key: &str) -> Option<Declared> {
    match key.to_ascii_lowercase().as_str() {
        "ai-assisted" | "assisted-by" | "made-with" => Some(Declared::Assisted),
        "generated-by" | "ai-generated" => Some(Declared::Generated),
        _ => None,
    }
}

/// Body boilerplate in `text`; the evidence is the line holding the first hit of each rule
/// (repeats add nothing), or the text from the hit on when that line is too long.
fn body_markers(text: &str, add: &mut impl FnMut(AiTool, &str)) {
    for (tool, re) in BODY_RULES.iter() {
        if let Some(m) = re.find(text) {
            let start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            let end = text[m.end()..].find('\n').map_or(text.len(), |i| i + m.end());
            let line = text[start..end].trim();
            let long = line.chars().count() > MAX_EVIDENCE;
            add(*tool, if long { &text[m.start()..end] } else { line });
        }
    }
}

/// Markers on one commit: author/committer identities and logins, trailers, body boilerplate and
/// aider's `aider: ` subject prefix.
pub fn commit_markers(commit: &CommitView<'_>) -> Vec<Marker> {
    let c = commit;
    let sha = c.sha.to_string();
    let site = MarkerSite::Commit { sha };
    let mut out = BTreeSet::new();
    let mut add = |tool, evidence: &str| out.insert(marker(tool, site.clone(), evidence));
    let people = [
        ("author", c.author_name, c.author_email, c.author_login),
        ("committer", c.committer_name, c.committer_email, c.committer_login),
    ];
    for (role, name, email, login) in people {
        if let Some(tool) = identity_tool(name, email) {
            let who = format!("{role} {} <{}>", name.trim(), email.trim());
            add(tool, who.trim_end_matches(" <>"));
        }
        if let Some((tool, login)) = login.and_then(|l| Some((bot_tool(l)?, l.trim()))) {
            add(tool, &format!("{role} login {login}"));
        }
    }
    for t in trailers::parse(c.message) {
        let (key, value) = (t.key.to_ascii_lowercase(), t.value.to_ascii_lowercase());
        let tool = match key.as_str() {
            "co-authored-by" => co_author_tool(&t.value),
            "agent-logs-url" => Some(Copilot),
            "claude-session" | "claude-session-id" => Some(ClaudeCode),
            "amp-thread-id" | "amp-thread" => Some(Amp),
            "replit-commit-author" if value.starts_with("agent") => Some(Replit),
            "replit-commit-author" if value.starts_with("assistant") => Some(Replit),
            "replit-commit-session-id" => Some(Replit),
            _ if declaration_key(&key).is_some() && !is_negative(&value) => Some(tool_from_name(&t.value)),
            _ => None,
        };
        if let Some(tool) = tool {
            add(tool, &format!("{}: {}", t.key, t.value));
        }
    }
    body_markers(c.message, &mut |tool, evidence| {
        add(tool, evidence);
    });
    let subject = c.message.trim_start().lines().next().unwrap_or("");
    let subject = subject.trim();
    if subject.get(..7).unwrap_or("").eq_ignore_ascii_case("aider: ") {
        add(Aider, subject);
    }
    out.into_iter().collect()
}

/// Markers on a pull request: its author, head branch (`refs/heads/x` and `owner:x` accepted),
/// body boilerplate and labels.
pub fn pr_markers(author_login: &str, branch: &str, body: &str, labels: &[&str]) -> Vec<Marker> {
    let mut out = BTreeSet::new();
    let mut add = |tool, site, evidence: &str| out.insert(marker(tool, site, evidence));
    if let Some(tool) = bot_tool(author_login) {
        let evidence = format!("author {}", author_login.trim());
        add(tool, MarkerSite::PrAuthor, &evidence);
    }
    let branch = branch.trim();
    let name = branch.rsplit(':').next().unwrap_or(branch);
    let name = name.strip_prefix("refs/heads/").unwrap_or(name);
    let name = name.to_ascii_lowercase();
    for (prefix, tool) in BRANCHES {
        if name.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty()) {
            add(*tool, MarkerSite::Branch, &format!("branch {branch}"));
        }
    }
    body_markers(body, &mut |tool, evidence| {
        add(tool, MarkerSite::PrBody, evidence);
    });
    for label in labels.iter().map(|l| l.trim()) {
        if label.to_lowercase().contains("amazon q development agent") {
            add(AmazonQ, MarkerSite::Label, &format!("label {label}"));
        }
    }
    out.into_iter().collect()
}

/// Reviewers that are AI tools or review bots: their approvals never count.
pub fn is_ai_reviewer(login: &str) -> bool {
    bot_tool(login).is_some()
}

/// The strongest declaration trailer: `AI-Assisted:`/`Assisted-by:`/`Made-with:` => Assisted,
/// `Generated-by:`/`AI-Generated:` => Generated, any of them with a negative value => None.
pub fn trailer_declaration(message: &str) -> Option<Declared> {
    let declared = |t: &trailers::Trailer| {
        let strength = declaration_key(&t.key)?;
        let negative = is_negative(&t.value);
        Some(if negative { Declared::None } else { strength })
    };
    trailers::parse(message).iter().filter_map(declared).max()
}

static CHECKBOX: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:[-*+]|\d+[.)])\s+\[([^\]]?)\]\s*(.*)$"));
// The patterns below run on `normalize`d text.
static AI_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:> ?)?ai(?: (?:use|usage|used|assistance|assisted))? ?:\s*(.*)$"));
static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:no|not|without|zero|never)\b.*\bai\b|^(?:none|n/a)\b"));
static GENERATED: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bai generated\b|\bgenerated (?:by|with|using) (?:an? )?(?:ai|llm)\b"));
static ASSISTED: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"\bai assisted\b|\bassisted (?:by|with|using) (?:an? )?(?:ai|llm)\b",
        r"|\bai assistance\b|\bused (?:an? )?ai\b|\bai was used\b",
    ))
});

/// Lowercase, with markdown emphasis, `-` and `_` turned into spaces and whitespace collapsed,
/// so "**AI-generated**" and "ai generated" read the same.
fn normalize(text: &str) -> String {
    let text = text.to_lowercase().replace(['-', '_', '*', '`'], " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of an `AI:` line: `none`, `assisted`, `generated`, `yes`, or a tool name.
fn classify_value(v: &str) -> Option<Declared> {
    let assisted = ["yes", "true", "some", "partial", "minor", "light"];
    if v.contains('|') {
        None // an unfilled template such as `AI: none | assisted | generated`
    } else if is_negative(v) {
        Some(Declared::None)
    } else if v.contains("generat") {
        Some(Declared::Generated)
    } else if v.contains("assist") || assisted.iter().any(|w| v.starts_with(w)) {
        Some(Declared::Assisted)
    } else {
        (tool_from_name(v) != Other).then_some(Declared::Assisted)
    }
}

/// A normalized line: an `AI:` line or the text of a ticked checkbox.
fn classify_text(t: &str, checkbox: bool) -> Option<Declared> {
    if let Some(c) = AI_LINE.captures(t) {
        classify_value(c.get(1).map_or("", |m| m.as_str()))
    } else if !checkbox {
        None
    } else if NEGATIVE.is_match(t) {
        Some(Declared::None)
    } else if GENERATED.is_match(t) {
        Some(Declared::Generated)
    } else {
        ASSISTED.is_match(t).then_some(Declared::Assisted)
    }
}

/// A declaration in a PR body: ticked checkboxes (`- [x] AI-assisted`, `* [X] No AI`, …) and
/// `AI:`/`AI-use:`/`AI usage:` lines; unticked boxes never declare. The strongest one wins.
pub fn body_declaration(body: &str) -> Option<Declared> {
    let declared = |line: &str| match CHECKBOX.captures(line) {
        Some(c) if c[1].eq_ignore_ascii_case("x") => classify_text(&normalize(&c[2]), true),
        Some(_) => None,
        None => classify_text(&normalize(line), false),
    };
    body.lines().filter_map(declared).max()
}

/// Map a free-text tool name ("Claude Code", "aider (gpt-4o)", "GitHub Copilot") to a tool; the
/// leftmost known name wins, anything else is `Other`.
pub fn tool_from_name(text: &str) -> AiTool {
    let caps = TOOL_NAME.captures(text);
    let group = caps.and_then(|c| (1..c.len()).find(|&i| c.get(i).is_some()));
    group.map_or(Other, |i| TOOLS[i - 1].0)
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
    fn ids_names_and_all() {
        for (i, t) in AiTool::all().iter().enumerate() {
            assert_eq!((*t as usize, t.id(), t.name()), (i, TOOLS[i].1, TOOLS[i].2));
        }
        assert_eq!(AiTool::all().len(), 15);
        assert_eq!((ClaudeCode.id(), AmazonQ.id()), ("claude-code", "amazon-q"));
        assert_eq!(Copilot.name(), "GitHub Copilot");
    }

    #[test]
    fn co_authors_only_in_the_last_paragraph() {
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
            Gemini <gemini@example.org> => gemini
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
        // Quoted inside a paragraph that is not the last one: not a trailer.
        for row in table.lines() {
            let who = row.rsplit_once("=>").expect("table row").0.trim();
            let message = format!("S\n\nAs said,\nCo-authored-by: {who}\nok.\n\nBye.");
            assert!(in_message(&message).is_empty(), "{row}");
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
            We discussed AI-generated code in general. => -
            - [x] Tests added\n- [x] Generated docs => -
            => -";
        check_declared(body_rows, body_declaration);
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
}
