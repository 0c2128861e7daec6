//! CODEOWNERS, read as GitHub reads it, with GitLab's sections: for each path, the owners of the
//! last line whose pattern matches it. Errors are kept with their line numbers, never skipped in
//! silence; a line with an error is left out of matching, as GitHub leaves it out.
//!
//! Without a section header the file is GitHub's: one list, the last matching line wins, and a
//! line without owners un-owns what it matches. With GitLab's headers (`[Docs]`, `[Docs][2]` for
//! two owners' approvals, `^[Docs]` optional, `[Docs] @docs-team` default owners for the lines
//! below that name none) every section is its own list: the last matching line of each section
//! decides in that section, and a path may be owned in several sections at once.

mod owner;
mod pattern;

pub use owner::Owner;
pub use pattern::PatternProblem;

use regex::Regex;

/// Where GitHub looks for CODEOWNERS on a branch, in its order: the first that exists is used.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// GitHub does not load a CODEOWNERS file larger than 3 MB.
pub const MAX_BYTES: usize = 3 * 1024 * 1024;

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone)]
pub struct Codeowners {
    /// The lines before any header first (GitHub's whole file), then each named section.
    sections: Vec<Section>,
    /// Every line that could not be read, in file order.
    pub errors: Vec<CodeownersError>,
}

/// A section: GitHub's file is one unnamed section.
#[derive(Debug, Clone)]
pub struct Section {
    /// `None` for the lines before any header.
    pub name: Option<String>,
    /// How many different owners must approve a path the section owns (`[Docs][2]`); 1 by default.
    pub approvals: u32,
    /// `^[Docs]`: its owners' approval is not required.
    pub optional: bool,
    rules: Vec<Rule>,
}

/// One line of patterns and owners.
#[derive(Debug, Clone)]
pub struct Rule {
    /// 1-based.
    pub line: usize,
    /// As written (`/src/auth/`).
    pub pattern: String,
    /// Its owners, or its section's default owners when the line names none. Empty: the line
    /// un-owns what it matches.
    pub owners: Vec<Owner>,
    regex: Regex,
}

/// A line flowgate could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeownersError {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters, where the part at fault starts, when it is one word of the line.
    pub column: Option<usize>,
    /// The line as written, without its comment.
    pub text: String,
    pub why: LineProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    Pattern(PatternProblem),
    /// A word in the owners' place that is not `@login`, `@org/team` or an e-mail address.
    Owner(String),
    /// `[Docs` without its `]`.
    SectionUnclosed,
    /// `[]` or `[ ]`.
    SectionNameEmpty,
    /// `[Docs][x]`: the count is not a whole number of 1 or more (the text between the brackets).
    SectionCount(String),
}

/// The line that decides a path in one section, when it names owners.
#[derive(Debug, Clone, Copy)]
pub struct Ownership<'a> {
    pub section: &'a Section,
    pub rule: &'a Rule,
}

impl Rule {
    pub fn matches(&self, path: &str) -> bool {
        self.regex.is_match(path)
    }
}

impl Section {
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The last line of this section that matches `path`, owners or not.
    pub fn deciding(&self, path: &str) -> Option<&Rule> {
        self.rules.iter().rev().find(|r| r.matches(path))
    }
}

impl Codeowners {
    /// Reads the whole file; nothing in it is an error that stops the reading.
    pub fn parse(text: &str) -> Codeowners {
        let mut sections = vec![Section { name: None, approvals: 1, optional: false, rules: Vec::new() }];
        let mut current = 0;
        let mut defaults: Vec<Owner> = Vec::new();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = without_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            let number = i + 1;
            let mut fault = |column: Option<usize>, why: LineProblem| {
                errors.push(CodeownersError { line: number, column, text: line.to_string(), why });
            };
            if line.starts_with('[') || line.starts_with("^[") {
                let header = header(line, &mut fault);
                defaults = header.owners;
                current = section_for(&mut sections, header.name, header.approvals, header.optional);
                continue;
            }
            let mut words = words(line);
            let Some((_, pattern)) = words.next() else { continue };
            let owners = owners(words, &mut fault);
            let regex = match pattern::compile(pattern) {
                Ok(regex) => regex,
                Err(problem) => {
                    fault(Some(1), LineProblem::Pattern(problem));
                    continue;
                }
            };
            let Some(mut owners) = owners else { continue };
            if owners.is_empty() {
                owners = defaults.clone();
            }
            sections[current].rules.push(Rule { line: number, pattern: pattern.to_string(), owners, regex });
        }
        Codeowners { sections, errors }
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// Whether the file uses GitLab's section headers.
    pub fn has_sections(&self) -> bool {
        self.sections.iter().any(|s| s.name.is_some())
    }

    /// For each section, the line that decides `path` there, when that line names owners. Empty
    /// when nobody owns the path.
    pub fn owners(&self, path: &str) -> Vec<Ownership<'_>> {
        self.sections
            .iter()
            .filter_map(|section| {
                let rule = section.deciding(path)?;
                (!rule.owners.is_empty()).then_some(Ownership { section, rule })
            })
            .collect()
    }

    /// Everyone who owns `path` in any section, each once, in file order.
    pub fn all_owners(&self, path: &str) -> Vec<&Owner> {
        let mut out: Vec<&Owner> = Vec::new();
        for owner in self.owners(path).into_iter().flat_map(|o| &o.rule.owners) {
            if !out.contains(&owner) {
                out.push(owner);
            }
        }
        out
    }
}

/// Drops a comment: `#` at the start of the line or of a word.
fn without_comment(line: &str) -> &str {
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        if c == '#' && previous.is_whitespace() {
            return &line[..i];
        }
        previous = c;
    }
    line
}

/// The words of a line with their 1-based column, in characters.
fn words(line: &str) -> impl Iterator<Item = (usize, &str)> {
    line.split_whitespace().map(move |word| {
        let offset = word.as_ptr() as usize - line.as_ptr() as usize;
        (line[..offset].chars().count() + 1, word)
    })
}

/// The owners among `words`, or `None` when one of them is not an owner (the line is left out).
fn owners<'a>(
    words: impl Iterator<Item = (usize, &'a str)>,
    fault: &mut impl FnMut(Option<usize>, LineProblem),
) -> Option<Vec<Owner>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (column, word) in words {
        match Owner::parse(word) {
            Some(owner) => out.push(owner),
            None => {
                fault(Some(column), LineProblem::Owner(word.to_string()));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

struct Header {
    name: String,
    approvals: u32,
    optional: bool,
    owners: Vec<Owner>,
}

/// `[Name]`, `[Name][2]` or `^[Name]`, then default owners. A header with an error still starts a
/// section, so that the lines under it are never counted in the one before.
fn header(line: &str, fault: &mut impl FnMut(Option<usize>, LineProblem)) -> Header {
    let optional = line.starts_with('^');
    let rest = &line[usize::from(optional)..];
    let Some(close) = rest.find(']') else {
        fault(Some(1), LineProblem::SectionUnclosed);
        return Header { name: rest[1..].trim().to_string(), approvals: 1, optional, owners: Vec::new() };
    };
    let name = rest[1..close].trim().to_string();
    if name.is_empty() {
        fault(Some(1), LineProblem::SectionNameEmpty);
    }
    let mut after = &rest[close + 1..];
    let mut approvals = 1;
    if let Some(count) = after.strip_prefix('[') {
        let column = column_of(line, after);
        let (text, rest) = match count.find(']') {
            Some(end) => (&count[..end], &count[end + 1..]),
            None => (count, ""),
        };
        match text.trim().parse::<u32>() {
            Ok(n) if n >= 1 && count.contains(']') => approvals = n,
            _ => fault(Some(column), LineProblem::SectionCount(text.to_string())),
        }
        after = rest;
    }
    let start = column_of(line, after) - 1;
    let owners = owners(words(after).map(|(column, word)| (column + start, word)), fault).unwrap_or_default();
    Header { name, approvals, optional, owners }
}

/// The 1-based column, in characters, where `tail` (the end of `line`) starts.
fn column_of(line: &str, tail: &str) -> usize {
    line[..line.len() - tail.len()].chars().count() + 1
}

/// The section a header names: GitLab joins sections of the same name (compared without case)
/// into one, which is optional only when every header of it says so and needs the largest count.
fn section_for(sections: &mut Vec<Section>, name: String, approvals: u32, optional: bool) -> usize {
    let same = |s: &Section| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&name));
    if let Some(i) = sections.iter().position(same) {
        let section = &mut sections[i];
        section.optional &= optional;
        section.approvals = section.approvals.max(approvals);
        return i;
    }
    sections.push(Section { name: Some(name), approvals, optional, rules: Vec::new() });
    sections.len() - 1
}

/// The base branch's CODEOWNERS as a PR's facts hold it.
#[derive(Debug, Clone)]
pub enum BaseCodeowners {
    /// Read from `path` (one of [`LOCATIONS`], or where a snapshot keeps it).
    Read { path: String, file: Codeowners },
    /// None of GitHub's locations has one.
    Missing,
    /// It exists and could not be read.
    Unreadable { path: String, why: Unread },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// Larger than GitHub loads ([`MAX_BYTES`]).
    TooLarge { bytes: usize },
    /// What reading it answered.
    Error(String),
}

impl BaseCodeowners {
    /// The file's text as read from `path`: parsed, unless it is larger than GitHub loads.
    pub fn from_text(path: &str, text: &str) -> BaseCodeowners {
        if text.len() > MAX_BYTES {
            return BaseCodeowners::Unreadable { path: path.to_string(), why: Unread::TooLarge { bytes: text.len() } };
        }
        BaseCodeowners::Read { path: path.to_string(), file: Codeowners::parse(text) }
    }

    /// The parsed file, when there is one (its errors included).
    pub fn file(&self) -> Option<&Codeowners> {
        match self {
            BaseCodeowners::Read { file, .. } => Some(file),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
