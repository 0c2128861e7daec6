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

/// Walks the tree iteratively (deeply nested input must not exhaust the stack).
pub fn tokens<'s>(lang: Lang, tree: &Tree, src: &'s str) -> Tokens<'s> {
    let mut out = Tokens { has_errors: tree.root_node().has_error(), ..Tokens::default() };
    let mut stack: Vec<Node> = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if lang.is_comment(&node) {
            words(src, node.start_byte(), node.end_byte(), &mut out.comments);
            continue;
        }
        let count = node.child_count();
        if count == 0 {
            // Zero-width nodes are tree-sitter's guesses for missing tokens.
            if node.end_byte() > node.start_byte() {
                words(src, node.start_byte(), node.end_byte(), &mut out.code);
            }
            continue;
        }
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
            pending.push(*child);
        }
        if node.end_byte() > at {
            gaps.push((at, node.end_byte()));
        }
        // Gaps and children must come out in source order: emit gaps into a side list merged
        // below by sorting, which keeps the walk simple.
        for (s, e) in gaps {
            words(src, s, e, &mut out.code);
        }
        stack.extend(pending.into_iter().rev());
    }
    out.code.sort_by_key(|t| t.start);
    out.comments.sort_by_key(|t| t.start);
    out
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
