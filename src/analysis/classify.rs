//! What kind of change a file's diff is: a token-level diff of the two versions, with every
//! changed token placed in its syntactic context (an import, a test, a definition).

use std::ops::Range;

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};
use tree_sitter::{Node, Tree};

use super::ChangeKind;
use super::budget::Deadline;
use super::lang::{Lang, rust_module_path};
use super::tokens::{Token, tokens};

/// One version of a file, parsed.
pub struct Version<'a> {
    pub tree: &'a Tree,
    pub src: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub kind: ChangeKind,
    /// Qualified names of the definitions whose bodies changed, in source order.
    pub symbols: Vec<String>,
    /// Byte ranges of the head version's added or changed code tokens: findings count there.
    pub head_changes: Vec<Range<usize>>,
    /// Changed code tokens on both sides: the size of the semantic change.
    pub changed_tokens: usize,
    /// Either version had syntax errors, so the classification may be wrong.
    pub syntax_errors: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Import,
    Test,
    Code,
}

/// Classifies the change from `base` to `head` (either may be absent: an added or removed file).
pub fn classify(
    lang: Lang,
    path: &str,
    base: Option<&Version>,
    head: Option<&Version>,
    deadline: &dyn Deadline,
) -> Classification {
    let base_tokens = base.map(|v| tokens(lang, v.tree, v.src)).unwrap_or_default();
    let head_tokens = head.map(|v| tokens(lang, v.tree, v.src)).unwrap_or_default();
    let syntax_errors = base_tokens.has_errors || head_tokens.has_errors;
    let (deleted, inserted) = changed(&base_tokens.code, &head_tokens.code, deadline);

    if deleted.is_empty() && inserted.is_empty() {
        let comments_same = texts(&base_tokens.comments) == texts(&head_tokens.comments);
        let kind = if comments_same { ChangeKind::Formatting } else { ChangeKind::Comments };
        return Classification {
            kind,
            symbols: Vec::new(),
            head_changes: Vec::new(),
            changed_tokens: 0,
            syntax_errors,
        };
    }

    let mut contexts = Vec::new();
    let mut symbols: Vec<String> = Vec::new();
    let mut head_changes = Vec::new();
    let sides = [(base, &deleted, false), (head, &inserted, true)];
    for (version, changed, is_head) in sides {
        let Some(version) = version else { continue };
        let mut last_range: Option<Range<usize>> = None;
        for token in changed.iter() {
            if is_head {
                // Adjacent changed tokens merge into one range.
                match &mut last_range {
                    Some(r)
                        if token.start <= r.end + 1
                            || version.src.get(r.end..token.start).is_some_and(|g| g.trim().is_empty()) =>
                    {
                        r.end = token.end
                    }
                    _ => {
                        if let Some(r) = last_range.take() {
                            head_changes.push(r);
                        }
                        last_range = Some(token.start..token.end);
                    }
                }
            }
            let (context, symbol) = place(lang, path, version, token);
            contexts.push(context);
            if let Some(s) = symbol
                && !symbols.contains(&s)
            {
                symbols.push(s);
            }
        }
        if let Some(r) = last_range {
            head_changes.push(r);
        }
    }
    let kind = if contexts.iter().all(|c| *c == Context::Import) {
        ChangeKind::Imports
    } else if contexts.iter().all(|c| *c != Context::Code) {
        // Test code plus the imports a test file needs is still a test change.
        ChangeKind::Tests
    } else {
        ChangeKind::Code
    };
    Classification { kind, symbols, head_changes, changed_tokens: deleted.len() + inserted.len(), syntax_errors }
}

fn texts<'a>(tokens: &'a [Token<'a>]) -> Vec<&'a str> {
    tokens.iter().map(|t| t.text).collect()
}

/// The code tokens deleted from the base and inserted into the head.
fn changed<'s>(base: &[Token<'s>], head: &[Token<'s>], deadline: &dyn Deadline) -> (Vec<Token<'s>>, Vec<Token<'s>>) {
    let old = texts(base);
    let new = texts(head);
    // Past the deadline the diff degrades to coarser hunks: more counts as changed, never less.
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &old, &new, deadline.as_instant());
    let mut deleted = Vec::new();
    let mut inserted = Vec::new();
    for op in ops {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { old_index, old_len, .. } => {
                deleted.extend_from_slice(&base[old_index..old_index + old_len])
            }
            DiffOp::Insert { new_index, new_len, .. } => {
                inserted.extend_from_slice(&head[new_index..new_index + new_len])
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                deleted.extend_from_slice(&base[old_index..old_index + old_len]);
                inserted.extend_from_slice(&head[new_index..new_index + new_len]);
            }
        }
    }
    (deleted, inserted)
}

/// Where a changed token sits: its context and the qualified name of its innermost definition.
fn place(lang: Lang, path: &str, version: &Version, token: &Token) -> (Context, Option<String>) {
    let root = version.tree.root_node();
    let Some(node) = root.descendant_for_byte_range(token.start, token.end) else { return (Context::Code, None) };
    let src = version.src.as_bytes();
    let mut context = Context::Code;
    let mut names = Vec::new();
    let mut at: Option<Node> = Some(node);
    let mut import = false;
    while let Some(n) = at {
        if lang.is_test(&n, src) {
            context = Context::Test;
        }
        if lang.is_import(&n) {
            import = true;
        }
        if let Some(name) = lang.definition_name(&n, src) {
            names.push(name);
        }
        at = n.parent();
    }
    if import && context != Context::Test {
        context = Context::Import;
    }
    if names.is_empty() || context == Context::Import {
        return (context, None);
    }
    names.reverse();
    if lang == Lang::Rust {
        let mut qualified = rust_module_path(path);
        qualified.extend(names);
        return (context, Some(qualified.join("::")));
    }
    (context, Some(names.join(lang.separator())))
}
