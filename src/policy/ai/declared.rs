//! What a PR says of its own AI use: declaration trailers (`AI-Assisted:`, `Assisted-by:`,
//! `Generated-by:`, …) in any trailer paragraph of a commit message, with the Linux kernel's
//! `Assisted-by: AGENT:MODEL [TOOL1] [TOOL2]` read into its parts, and ticked boxes or `AI:` lines
//! in the PR body. Text in fenced code blocks is quoted, not declared.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{markdown, trailers};

/// Strength of an explicit AI-use declaration, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Declared {
    None,
    Assisted,
    Generated,
}

const NEGATIVE_WORDS: &[&str] = &["no", "none", "false", "n/a", "na", "0", "off", "nothing", "not"];

/// A declaration value that says "no AI" (`no`, `None.`, `false`, `n/a`, …).
pub(super) fn is_negative(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    let mut words = v.split(|c: char| !c.is_ascii_alphanumeric() && c != '/');
    words.next().is_some_and(|w| NEGATIVE_WORDS.contains(&w))
}

/// Strength of a declaration trailer key, if it is one.
pub(super) fn declaration_key(key: &str) -> Option<Declared> {
    match key.to_ascii_lowercase().as_str() {
        "ai-assisted" | "assisted-by" | "made-with" => Some(Declared::Assisted),
        "generated-by" | "ai-generated" => Some(Declared::Generated),
        _ => None,
    }
}

/// The strongest declaration trailer: `AI-Assisted:`/`Assisted-by:`/`Made-with:` => Assisted,
/// `Generated-by:`/`AI-Generated:` => Generated, any of them with a negative value => None.
pub fn trailer_declaration(message: &str) -> Option<Declared> {
    let declared = |t: &trailers::Trailer| {
        let strength = declaration_key(&t.key)?;
        let negative = is_negative(&t.value);
        Some(if negative { Declared::None } else { strength })
    };
    trailers::parse_all(&markdown::blank_fences(message)).iter().filter_map(declared).max()
}

/// An `Assisted-by:` value in the Linux kernel's shape (Documentation/process/coding-assistants.rst):
/// `AGENT:MODEL [TOOL1] [TOOL2]`, e.g. `Claude:claude-3-opus coccinelle sparse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistedBy {
    /// The agent as written (`Claude`, `Claude Code`, `GitHub Copilot`, `Grok`).
    pub agent: String,
    /// The model as written (`claude-3-opus`, `opus-4.8`, `qwen3-coder:30b`).
    pub model: String,
    /// The specialised analysis tools named after the model (`coccinelle`, `sparse`), each as
    /// written, without the brackets some authors copy from the template.
    pub tools: Vec<String>,
}

/// The longest model and tool name kept, and the most tools: a trailer is a line, not a document.
const MAX_PART: usize = 80;
const MAX_TOOLS: usize = 8;

/// `AGENT:MODEL` then what follows: the agent has no colon, address, bracket or parenthesis (so a
/// `Name <email>` identity or `Claude (https://…)` is not this shape), and the model starts right
/// after the colon with no slash (so `https://…` is not a model).
static KERNEL_SHAPE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^([A-Za-z0-9][^:<>()\[\]@]*?):([^\s/\[\]:][^\s\[\]]*)(?:\s+(.*))?$"));
static TOOL_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"\[([^\]]*)\]|(\S+)"));

/// Reads an `Assisted-by:` value in the kernel's `AGENT:MODEL [TOOL1] [TOOL2]` shape; `None` for
/// any other value (`Claude Code`, `Claude Opus 4.7 <noreply@anthropic.com>`, `none`).
pub fn assisted_by(value: &str) -> Option<AssistedBy> {
    let c = KERNEL_SHAPE.captures(value.trim())?;
    let clip = |s: &str| s.trim().chars().take(MAX_PART).collect::<String>();
    let tools = c.get(3).map_or("", |m| m.as_str());
    let tools = TOOL_WORD
        .captures_iter(tools)
        .filter_map(|t| t.get(1).or_else(|| t.get(2)).map(|m| clip(m.as_str())))
        .filter(|t| !t.is_empty())
        .take(MAX_TOOLS)
        .collect();
    Some(AssistedBy { agent: clip(&c[1]), model: clip(&c[2]), tools })
}

static TRAILER_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*([A-Za-z0-9][A-Za-z0-9-]*):\s+(.*)$"));

/// A declaration trailer written as a line of the PR body (`Made-with: Cursor`).
fn trailer_line_declaration(line: &str) -> Option<Declared> {
    let c = TRAILER_LINE.captures(line)?;
    let strength = declaration_key(&c[1])?;
    Some(if is_negative(&c[2]) { Declared::None } else { strength })
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
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
        (super::tools::tool_from_name(v) != super::tools::AiTool::Other).then_some(Declared::Assisted)
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
/// `AI:`/`AI-use:`/`AI usage:` lines; unticked boxes and fenced code blocks never declare. The strongest
/// one wins.
pub fn body_declaration(body: &str) -> Option<Declared> {
    let declared = |line: &str| match CHECKBOX.captures(line) {
        Some(c) if c[1].eq_ignore_ascii_case("x") => classify_text(&normalize(&c[2]), true),
        Some(_) => None,
        None => trailer_line_declaration(line).or_else(|| classify_text(&normalize(line), false)),
    };
    markdown::blank_fences(body).lines().filter_map(declared).max()
}
