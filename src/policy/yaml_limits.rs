//! The limits a policy's YAML text must stay within before the YAML parser sees it: its size,
//! its aliases, the size it expands to, and how deep it nests.
//!
//! The parser has none of these limits: aliases of one large string expand to gigabytes, and deep
//! nesting costs it quadratic time. So one linear pass over the text reads just enough of YAML's
//! structure (indentation, `-`/`?`/`key:` markers, flow brackets, quotes, block scalars, comments,
//! anchors and aliases) to measure them. Where it cannot be exact it errs towards a larger
//! figure: an anchored node is taken to run until the next line at its owner's level, so its
//! expansion is never under-counted.

use std::collections::HashMap;

/// Bytes a policy file may hold; real policies are a few kilobytes.
pub(crate) const MAX_POLICY_BYTES: usize = 1024 * 1024;
/// Aliases (`*name`) a policy file may use.
pub(crate) const MAX_ALIASES: usize = 1_000;
/// Bytes a policy file may expand to once every alias is replaced by the node it names.
pub(crate) const MAX_EXPANDED_BYTES: u64 = 2 * 1024 * 1024;
/// Levels of nested mappings and sequences (block and flow together); real policies use under 10.
pub(crate) const MAX_DEPTH: usize = 64;

/// A limit the text breaks, and where (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// What the pass measured, for tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Measure {
    pub aliases: usize,
    pub expanded_bytes: u64,
    pub depth: usize,
}

/// Measures `text` and refuses it at the first limit it breaks.
pub fn check(text: &str) -> Result<Measure, LimitError> {
    if text.len() > MAX_POLICY_BYTES {
        let (line, column) = line_column(text.as_bytes(), MAX_POLICY_BYTES);
        return Err(LimitError {
            line,
            column,
            message: format!(
                "the policy file is {} bytes, over the limit of {MAX_POLICY_BYTES} bytes (max policy size)",
                text.len()
            ),
        });
    }
    let mut scan = Scan::new(text.as_bytes());
    scan.run()?;
    Ok(scan.measure)
}

fn line_column(b: &[u8], at: usize) -> (usize, usize) {
    let before = &b[..at.min(b.len())];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&c| c != b'\n').count() + 1;
    (line, column)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `key:` (or `? key`): a mapping entry; a sequence may sit at its own column under it.
    Key,
    /// `- `: a sequence entry.
    Dash,
    /// A sequence written at the same column as the key that holds it.
    SeqUnderKey,
}

/// An anchored node whose end has not been reached yet.
struct Open {
    name: String,
    start: usize,
    /// Expansion of the aliases inside it, beyond their own text.
    extra: u64,
    /// Block node: the column and kind of the entry that holds it; it ends at the next token at
    /// that level or shallower. Flow node: None, and `flow_level` says where it ends.
    owner: Option<(usize, Kind)>,
    flow_level: usize,
}

struct Scan<'a> {
    b: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
    /// Open block entries: (column, kind).
    stack: Vec<(usize, Kind)>,
    flow: usize,
    open: Vec<Open>,
    sizes: HashMap<String, u64>,
    measure: Measure,
}

impl<'a> Scan<'a> {
    fn new(b: &'a [u8]) -> Self {
        Scan {
            b,
            pos: 0,
            line: 1,
            line_start: 0,
            stack: Vec::new(),
            flow: 0,
            open: Vec::new(),
            sizes: HashMap::new(),
            measure: Measure { expanded_bytes: b.len() as u64, ..Measure::default() },
        }
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.b.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn column(&self) -> usize {
        self.pos - self.line_start
    }

    fn error(&self, message: String) -> LimitError {
        LimitError { line: self.line, column: self.column() + 1, message }
    }

    fn advance(&mut self) {
        if self.peek(0) == b'\n' {
            self.line += 1;
            self.line_start = self.pos + 1;
        }
        self.pos += 1;
    }

    fn at_end_of_line(&self) -> bool {
        matches!(self.peek(0), b'\n' | b'\r' | 0)
    }

    fn blank_after(&self, ahead: usize) -> bool {
        matches!(self.peek(ahead), b' ' | b'\t' | b'\n' | b'\r' | 0)
    }

    fn depth_check(&mut self) -> Result<(), LimitError> {
        let depth = self.stack.len() + self.flow;
        self.measure.depth = self.measure.depth.max(depth);
        if depth > MAX_DEPTH {
            return Err(self.error(format!(
                "mappings and sequences nest deeper than the limit of {MAX_DEPTH} levels (max nesting depth)"
            )));
        }
        Ok(())
    }

    fn run(&mut self) -> Result<(), LimitError> {
        while self.pos < self.b.len() {
            self.block_line()?;
        }
        self.close_anchors(|_| true);
        Ok(())
    }

    /// One line in block context, from its indentation to its end (or past it, for flow
    /// collections, quoted scalars and block scalars that continue on later lines).
    fn block_line(&mut self) -> Result<(), LimitError> {
        while self.peek(0) == b' ' {
            self.advance();
        }
        let indent = self.column();
        if self.at_end_of_line() || self.peek(0) == b'#' {
            self.skip_line();
            return Ok(());
        }
        if self.column() == 0 && (self.b[self.pos..].starts_with(b"---") || self.b[self.pos..].starts_with(b"...")) {
            self.stack.clear();
            self.close_anchors(|o| o.owner.is_some());
            self.pos += 3;
        }
        let first = self.token_kind();
        // Leaving entries that end here.
        while let Some(&(col, kind)) = self.stack.last() {
            let ends = col > indent || (col == indent && kind == Kind::SeqUnderKey && first != Some(Kind::Dash));
            if !ends {
                break;
            }
            self.stack.pop();
        }
        let dash_under_key =
            first == Some(Kind::Dash) && self.stack.last().is_some_and(|&(c, k)| c == indent && k == Kind::Key);
        self.close_anchors(|o| match o.owner {
            Some((col, kind)) => indent < col || (indent == col && !(kind == Kind::Key && first == Some(Kind::Dash))),
            None => false,
        });
        if dash_under_key {
            self.stack.push((indent, Kind::SeqUnderKey));
            self.depth_check()?;
        }
        self.tokens()
    }

    /// What the token at `pos` opens, if it is an entry marker or a key.
    fn token_kind(&self) -> Option<Kind> {
        match self.peek(0) {
            b'-' | b'?' if self.blank_after(1) => Some(if self.peek(0) == b'-' { Kind::Dash } else { Kind::Key }),
            _ if self.plain_key_ahead() => Some(Kind::Key),
            _ => None,
        }
    }

    /// Whether a plain key (`word:` followed by a blank) starts at `pos` on this line.
    fn plain_key_ahead(&self) -> bool {
        if matches!(self.peek(0), b'"' | b'\'' | b'[' | b'{' | b'|' | b'>' | b'&' | b'*' | b'!' | b'#') {
            return false;
        }
        let mut i = self.pos;
        while i < self.b.len() && !matches!(self.b[i], b'\n' | b'\r') {
            if self.b[i] == b':' && matches!(self.b.get(i + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r')) {
                return true;
            }
            if self.b[i] == b'#' && i > self.pos && matches!(self.b[i - 1], b' ' | b'\t') {
                return false;
            }
            i += 1;
        }
        false
    }

    /// Opens an entry at the current column if it is deeper than the innermost one.
    fn enter(&mut self, kind: Kind) -> Result<(), LimitError> {
        self.enter_at(self.column(), kind)
    }

    fn enter_at(&mut self, col: usize, kind: Kind) -> Result<(), LimitError> {
        if self.stack.last().is_none_or(|&(c, _)| col > c) {
            self.stack.push((col, kind));
            self.depth_check()?;
        }
        Ok(())
    }

    /// The tokens of a block line after its indentation.
    fn tokens(&mut self) -> Result<(), LimitError> {
        loop {
            while matches!(self.peek(0), b' ' | b'\t') {
                self.advance();
            }
            if self.at_end_of_line() {
                self.skip_line();
                return Ok(());
            }
            match self.peek(0) {
                b'#' => {
                    self.skip_line();
                    return Ok(());
                }
                b'-' | b'?' if self.blank_after(1) => {
                    self.enter(if self.peek(0) == b'-' { Kind::Dash } else { Kind::Key })?;
                    self.advance();
                }
                b':' if self.blank_after(1) => self.advance(),
                b'&' => self.anchor(None)?,
                b'!' => self.skip_word(),
                // These may also be keys: a quoted key, an alias as a key, a one-line flow key.
                b'*' | b'[' | b'{' | b'"' | b'\'' => {
                    let col = self.column();
                    match self.peek(0) {
                        b'*' => self.alias()?,
                        b'[' | b'{' => self.flow_collection()?,
                        _ => self.quoted(),
                    }
                    let mut ahead = 0;
                    while matches!(self.peek(ahead), b' ' | b'\t') {
                        ahead += 1;
                    }
                    if self.peek(ahead) == b':' && self.blank_after(ahead + 1) {
                        self.enter_at(col, Kind::Key)?;
                    }
                }
                b'|' | b'>' => {
                    self.block_scalar();
                    return Ok(());
                }
                _ => {
                    if self.plain_key_ahead() {
                        self.enter(Kind::Key)?;
                        while !(self.peek(0) == b':' && self.blank_after(1)) {
                            self.advance();
                        }
                        self.advance();
                    } else {
                        // A plain scalar: the rest of the line, up to a comment.
                        self.skip_line();
                        return Ok(());
                    }
                }
            }
        }
    }

    fn skip_line(&mut self) {
        while self.pos < self.b.len() && self.peek(0) != b'\n' {
            self.pos += 1;
        }
        if self.pos < self.b.len() {
            self.advance();
        }
    }

    fn skip_word(&mut self) {
        while !self.blank_after(0) && !matches!(self.peek(0), b',' | b'[' | b']' | b'{' | b'}') {
            self.advance();
        }
    }

    fn name(&mut self) -> String {
        self.advance();
        let start = self.pos;
        self.skip_word();
        String::from_utf8_lossy(&self.b[start..self.pos]).into_owned()
    }

    fn anchor(&mut self, flow_level: Option<usize>) -> Result<(), LimitError> {
        let start = self.pos;
        let name = self.name();
        let owner = match flow_level {
            Some(_) => None,
            // A value anchored on its own line belongs to the entry above it.
            None => Some(self.stack.last().copied().unwrap_or((0, Kind::Key))),
        };
        self.open.push(Open { name, start, extra: 0, owner, flow_level: flow_level.unwrap_or(0) });
        Ok(())
    }

    fn alias(&mut self) -> Result<(), LimitError> {
        let (line, column) = (self.line, self.column() + 1);
        let name = self.name();
        self.measure.aliases += 1;
        if self.measure.aliases > MAX_ALIASES {
            return Err(LimitError {
                line,
                column,
                message: format!("more than {MAX_ALIASES} aliases (`*name`) (max aliases)"),
            });
        }
        // An alias inside the node it names repeats without end.
        let size = if self.open.iter().any(|o| o.name == name) {
            u64::MAX
        } else {
            // An unknown anchor is the parser's error to report.
            self.sizes.get(&name).copied().unwrap_or(0)
        };
        self.measure.expanded_bytes = self.measure.expanded_bytes.saturating_add(size);
        if let Some(top) = self.open.last_mut() {
            top.extra = top.extra.saturating_add(size);
        }
        if self.measure.expanded_bytes > MAX_EXPANDED_BYTES {
            return Err(LimitError {
                line,
                column,
                message: format!(
                    "the aliases expand the policy past the limit of {MAX_EXPANDED_BYTES} bytes (max expanded size): `*{name}` repeats {}",
                    if size == u64::MAX { "the node that holds it".to_string() } else { format!("{size} bytes") }
                ),
            });
        }
        Ok(())
    }

    /// Closes the innermost open anchors for which `ends` holds, recording their expanded sizes.
    fn close_anchors(&mut self, ends: impl Fn(&Open) -> bool) {
        while let Some(top) = self.open.last() {
            if !ends(top) {
                break;
            }
            let Some(done) = self.open.pop() else { break };
            let size = ((self.pos - done.start) as u64).saturating_add(done.extra);
            if let Some(parent) = self.open.last_mut() {
                parent.extra = parent.extra.saturating_add(done.extra);
            }
            self.sizes.insert(done.name, size);
        }
    }

    /// A quoted scalar, which may run over several lines.
    fn quoted(&mut self) {
        let quote = self.peek(0);
        self.advance();
        while self.pos < self.b.len() {
            let c = self.peek(0);
            if quote == b'"' && c == b'\\' {
                self.advance();
            } else if c == quote {
                if quote == b'\'' && self.peek(1) == b'\'' {
                    self.advance();
                } else {
                    self.advance();
                    return;
                }
            }
            self.advance();
        }
    }

    /// A `|` or `>` scalar: its content is every later line that is blank or indented deeper
    /// than the entry that holds it.
    fn block_scalar(&mut self) {
        let owner = self.stack.last().map_or(-1, |&(c, _)| c as isize);
        self.skip_line();
        while self.pos < self.b.len() {
            let rest = &self.b[self.pos..];
            let spaces = rest.iter().take_while(|&&c| c == b' ').count();
            let blank = matches!(rest.get(spaces), None | Some(b'\n' | b'\r'));
            if !blank && spaces as isize <= owner {
                return;
            }
            self.skip_line();
        }
    }

    /// A `[...]` or `{...}` collection, over as many lines as it takes.
    fn flow_collection(&mut self) -> Result<(), LimitError> {
        let mut token_start = true;
        while self.pos < self.b.len() {
            let c = self.peek(0);
            match c {
                b'[' | b'{' => {
                    self.flow += 1;
                    self.depth_check()?;
                    token_start = true;
                }
                b']' | b'}' => {
                    self.flow = self.flow.saturating_sub(1);
                    let level = self.flow;
                    self.close_anchors(|o| o.owner.is_none() && o.flow_level > level);
                    if self.flow == 0 {
                        self.advance();
                        return Ok(());
                    }
                    token_start = false;
                }
                b',' => {
                    let level = self.flow;
                    self.close_anchors(|o| o.owner.is_none() && o.flow_level >= level);
                    token_start = true;
                }
                b' ' | b'\t' | b'\n' | b'\r' => {}
                b'#' if matches!(self.b.get(self.pos.wrapping_sub(1)), Some(b' ' | b'\t' | b'\n')) => {
                    while !self.at_end_of_line() {
                        self.advance();
                    }
                    continue;
                }
                b':' if self.blank_after(1) || matches!(self.peek(1), b',' | b'[' | b']' | b'{' | b'}') => {
                    token_start = true;
                }
                b'"' | b'\'' if token_start => {
                    self.quoted();
                    token_start = false;
                    continue;
                }
                b'&' if token_start => {
                    let level = self.flow;
                    self.anchor(Some(level))?;
                    continue;
                }
                b'*' if token_start => {
                    self.alias()?;
                    token_start = false;
                    continue;
                }
                b'!' if token_start => {
                    self.skip_word();
                    continue;
                }
                b'?' if token_start && self.blank_after(1) => {}
                _ => token_start = false,
            }
            self.advance();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_policies_pass_and_are_measured() {
        for (_, text) in super::super::load::BUNDLED {
            let m = check(text).unwrap_or_else(|e| panic!("{e:?}"));
            assert!(m.depth >= 3 && m.depth < 10, "{m:?}");
            assert_eq!(m.expanded_bytes, text.len() as u64);
        }
        let m = check("a: &x [1, 2]\nb: *x\nc: {d: [[e]], f: 'it''s [', g: \"[\\\"\"}\n").unwrap();
        assert_eq!((m.aliases, m.depth), (1, 4), "{m:?}");
    }

    #[test]
    fn a_block_node_anchored_under_a_key_counts_its_sequence_at_the_same_column() {
        let big = "x".repeat(10_000);
        let text = format!("a: &big\n- {big}\n- {big}\nb: [{}]\n", vec!["*big"; 300].join(", "));
        let e = check(&text).unwrap_err();
        assert!(e.message.contains("max expanded size"), "{e:?}");
        assert_eq!(e.line, 4);
    }

    #[test]
    fn nested_anchors_multiply() {
        // The billion laughs: each level repeats the one before ten times.
        let mut text = String::from("a0: &a0 \"lol\"\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let e = check(&text).unwrap_err();
        assert!(e.message.contains("max expanded size"), "{e:?}");
    }

    #[test]
    fn an_alias_inside_its_own_node_is_refused() {
        let e = check("a: &a\n  b: *a\n").unwrap_err();
        assert!(e.message.contains("the node that holds it"), "{e:?}");
    }

    #[test]
    fn nesting_in_block_and_flow_style_is_counted() {
        let flow = format!("a: {}{}\n", "[".repeat(70), "]".repeat(70));
        assert!(check(&flow).unwrap_err().message.contains("max nesting depth"));
        let block: String = (0..70).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let e = check(&block).unwrap_err();
        assert!(e.message.contains("max nesting depth"), "{e:?}");
        assert_eq!(e.line, MAX_DEPTH + 1);
        let dashes = format!("{}x\n", "- ".repeat(70));
        assert!(check(&dashes).unwrap_err().message.contains("max nesting depth"));
        let under_keys: String = (0..40).map(|i| format!("{}- k{i}:\n", " ".repeat(2 * i))).collect();
        assert!(check(&under_keys).unwrap_err().message.contains("max nesting depth"));
        let quoted_keys: String = (0..70).map(|i| format!("{}\"k{i}\":\n", " ".repeat(i))).collect();
        assert!(check(&quoted_keys).unwrap_err().message.contains("max nesting depth"));
    }

    #[test]
    fn brackets_and_quotes_inside_scalars_are_not_structure() {
        let text = "a: don't [stop\nb: |\n  [[[[[[[[[[\n  'x\nc: \"[[[\"\n".repeat(50);
        let m = check(&text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(m.depth, 1);
    }
}
