//! The token stream of a parsed file: code tokens and comment tokens apart, so that a change can be
//! told to touch code, only comments, or only layout.

use tree_sitter::{Node, Tree};

use super::lang::Lang;

/// A piece of source text: a leaf of the tree, or text a node holds between its children (string
/// contents in some grammars).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'s> {
    pub text: &'s str,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Default)]
pub struct Tokens<'s> {
    pub code: Vec<Token<'s>>,
    /// Comment and documentation text, split into words so that re-wrapping a comment is layout.
    pub comments: Vec<Token<'s>>,
    /// The tree has syntax errors: tree-sitter recovered, but what it read may be wrong.
    pub has_errors: bool,
}

/// Zero-width tokens that stand for structure the layout alone sets (see [`Lang::is_layout_block`]
/// and [`Lang::is_statement_list`]). They start with a NUL, which text files do not hold.
pub const BLOCK_START: &str = "\0block{";
pub const BLOCK_END: &str = "\0}block";
pub const STATEMENT: &str = "\0;";

/// Walks the tree iteratively (deeply nested input must not exhaust the stack).
pub fn tokens<'s>(lang: Lang, tree: &Tree, src: &'s str) -> Tokens<'s> {
    let mut out = Tokens { has_errors: tree.root_node().has_error(), ..Tokens::default() };
    let mut stack: Vec<Node> = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if lang.is_comment(&node) {
            words(src, node.start_byte(), node.end_byte(), &mut out.comments);
            continue;
        }
        let whole = lang.is_string_text(&node);
        let count = node.child_count();
        if count == 0 {
            // Zero-width nodes are tree-sitter's guesses for missing tokens.
            if node.end_byte() > node.start_byte() {
                text(src, node.start_byte(), node.end_byte(), whole, &mut out.code);
            }
            continue;
        }
        if lang.is_layout_block(&node) {
            out.code.push(marker(BLOCK_START, node.start_byte()));
            out.code.push(marker(BLOCK_END, node.end_byte()));
        }
        let statements = lang.is_statement_list(&node);
        // Text between children (and before the first, after the last) is part of this node.
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        let mut at = node.start_byte();
        let mut pending: Vec<Node> = Vec::with_capacity(children.len());
        let mut gaps: Vec<(usize, usize)> = Vec::new();
        for child in &children {
            if child.start_byte() > at {
                gaps.push((at, child.start_byte()));
            }
            at = at.max(child.end_byte());
            if statements && child.is_named() && !lang.is_comment(child) {
                out.code.push(marker(STATEMENT, child.start_byte()));
            }
            pending.push(*child);
        }
        if node.end_byte() > at {
            gaps.push((at, node.end_byte()));
        }
        // Gaps and children must come out in source order: emit gaps into a side list merged
        // below by sorting, which keeps the walk simple.
        for (s, e) in gaps {
            text(src, s, e, whole, &mut out.code);
        }
        stack.extend(pending.into_iter().rev());
    }
    // Markers are zero-width, so they sort before a token that starts where they stand; the sort
    // is stable, so markers at one place keep the tree's order.
    out.code.sort_by_key(|t| (t.start, t.end));
    out.comments.sort_by_key(|t| t.start);
    out
}

fn marker(text: &'static str, at: usize) -> Token<'static> {
    Token { text, start: at, end: at }
}

/// A string's contents are one token (their whitespace is not layout); other text is split into
/// words.
fn text<'s>(src: &'s str, start: usize, end: usize, whole: bool, into: &mut Vec<Token<'s>>) {
    match src.get(start..end) {
        Some(text) if whole => into.push(Token { text, start, end }),
        _ => words(src, start, end, into),
    }
}

fn words<'s>(src: &'s str, start: usize, end: usize, into: &mut Vec<Token<'s>>) {
    let Some(text) = src.get(start..end) else { return };
    let mut offset = start;
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        if !word.is_empty() {
            into.push(Token { text: word, start: offset, end: offset + word.len() });
        }
        offset += piece.len();
    }
}
