//! One CODEOWNERS pattern as GitHub reads it, compiled to one anchored regular expression.
//!
//! GitHub's rules (gitignore's, less what its documentation says does not work): `/` at the start
//! anchors to the root; a pattern of one name (`*.js`, `apps/`) matches at any depth; `/` at the
//! end means everything under a directory; a pattern naming a file or directory also owns what is
//! under it, except that a last segment of a lone `*` (`docs/*`) matches only the directory's own
//! files; `*` and `?` never cross a `/`, and `**` does. `!` negation, `[ ]` ranges and escaping a
//! leading `#` do not work on GitHub, so they are errors here rather than guesses.

use regex::{Regex, RegexBuilder};

/// Why a pattern cannot be used. GitHub skips such a line; flowgate reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternProblem {
    /// `!pattern`: GitHub has no negation.
    Negation,
    /// `[abc]`: GitHub has no character ranges.
    CharacterRange,
    /// `\#name`: GitHub does not escape a leading `#`.
    EscapedHash,
    /// `***` anywhere.
    ThreeStars,
    /// `a//b`: an empty directory name.
    EmptySegment,
    /// Too long to compile within the size a pattern may take.
    TooLong,
}

/// The most memory one compiled pattern may take: a real pattern needs a few kilobytes.
const COMPILED_LIMIT: usize = 1 << 20;

/// The pattern as a regular expression over a path from the repository root (`src/lib.rs`).
pub(super) fn compile(pattern: &str) -> Result<Regex, PatternProblem> {
    if pattern.starts_with('!') {
        return Err(PatternProblem::Negation);
    }
    if pattern.contains(['[', ']']) {
        return Err(PatternProblem::CharacterRange);
    }
    if pattern.starts_with("\\#") {
        return Err(PatternProblem::EscapedHash);
    }
    if pattern.contains("***") {
        return Err(PatternProblem::ThreeStars);
    }
    let anchored = pattern.starts_with('/');
    let body = &pattern[usize::from(anchored)..];
    let (body, directory) = match body.strip_suffix('/') {
        Some(body) => (body, true),
        None => (body, false),
    };
    let source = if body.is_empty() { "^$".to_string() } else { translate(body, anchored, directory)? };
    RegexBuilder::new(&source).size_limit(COMPILED_LIMIT).build().map_err(|_| PatternProblem::TooLong)
}

fn translate(body: &str, anchored: bool, directory: bool) -> Result<String, PatternProblem> {
    let mut segments: Vec<&str> = body.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(PatternProblem::EmptySegment);
    }
    // One name without a `/` before it matches at any depth, as in gitignore.
    if !anchored && segments.len() == 1 && segments[0] != "**" {
        segments.insert(0, "**");
    }
    if directory {
        segments.push("**");
    }
    let last = segments.len() - 1;
    let mut out = String::from("^");
    // Whether the next segment starts after a `/` of its own.
    let mut after_segment = false;
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "**" if i == 0 && i == last => out.push_str(".+"),
            "**" if i == 0 => {
                out.push_str("(?:.+/)?");
                after_segment = false;
            }
            "**" if i == last => out.push_str("/.+"),
            "**" => {
                out.push_str("(?:/.+)?");
                after_segment = true;
            }
            _ => {
                if after_segment {
                    out.push('/');
                }
                if *segment == "*" {
                    // GitHub: `docs/*` is the files directly in docs/, not deeper ones.
                    out.push_str("[^/]+");
                } else {
                    push_segment(&mut out, segment);
                    if i == last {
                        // A name also owns everything under it when it is a directory.
                        out.push_str("(?:/.*)?");
                    }
                }
                after_segment = true;
            }
        }
    }
    out.push('$');
    Ok(out)
}

fn push_segment(out: &mut String, segment: &str) {
    let mut chars = segment.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '\\' => match chars.next() {
                Some(escaped) => out.push_str(&regex::escape(&escaped.to_string())),
                None => out.push_str(r"\\"),
            },
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
}
