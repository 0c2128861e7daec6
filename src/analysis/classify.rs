//! What kind of change a file's diff is: a token-level diff of the two versions, with every
//! changed token placed in its syntactic context (an import, a test, a definition).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    let (mut deleted, mut inserted) = runs(&base_tokens.code, &head_tokens.code, deadline);

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
    // A set beside the ordered list: a large added file names thousands of symbols, and a scan of
    // the list for every token made that quadratic.
    let mut seen: HashSet<Rc<str>> = HashSet::new();
    let mut head_changes = Vec::new();
    let mut changed_tokens = 0;
    let sides = [(base, &base_tokens.code, &mut deleted, false), (head, &head_tokens.code, &mut inserted, true)];
    for (version, tokens, runs, is_head) in sides {
        let Some(version) = version else { continue };
        let placed = settle(lang, path, version, tokens, runs);
        let mut last_range: Option<Range<usize>> = None;
        for (token, (context, symbol)) in runs.iter().flat_map(|r| r.start..r.end).map(|i| &tokens[i]).zip(placed) {
            changed_tokens += 1;
            // Past the deadline the caller skips the file as timed out; stop spending time on it.
            if changed_tokens % 4096 == 0 && deadline.expired() {
                break;
            }
            if is_head {
                // Adjacent changed tokens merge into one range.
                match &mut last_range {
                    Some(r)
                        if token.start <= r.end + 1
                            || version.src.get(r.end..token.start).is_some_and(|g| g.trim().is_empty()) =>
                    {
                        r.end = r.end.max(token.end)
                    }
                    _ => {
                        if let Some(r) = last_range.take() {
                            head_changes.push(r);
                        }
                        last_range = Some(token.start..token.end);
                    }
                }
            }
            contexts.push(context);
            if let Some(s) = symbol
                && seen.insert(s.clone())
            {
                symbols.push(s.to_string());
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
    Classification { kind, symbols, head_changes, changed_tokens, syntax_errors }
}

fn texts<'a>(tokens: &'a [Token<'a>]) -> Vec<&'a str> {
    tokens.iter().map(|t| t.text).collect()
}

/// Consecutive changed tokens of one side, by index, and how far the run may slide up or down
/// and still be the same diff (the tokens it would take in equal the ones it would give up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    start: usize,
    end: usize,
    up: usize,
    down: usize,
}

/// How far an ambiguous run is slid at most: enough for any real repetition, bounded for
/// hostile input.
const MAX_SLIDE: usize = 64;

/// The runs of code tokens deleted from the base and inserted into the head.
fn runs(base: &[Token], head: &[Token], deadline: &dyn Deadline) -> (Vec<Run>, Vec<Run>) {
    let old = texts(base);
    let new = texts(head);
    let ops = diff(&old, &new, deadline);
    let equal_len = |i: Option<usize>| match i.and_then(|i| ops.get(i)) {
        Some(DiffOp::Equal { len, .. }) => *len,
        _ => 0,
    };
    // A run of tokens `start..end` may slide up while the token before it equals its last token,
    // and down while the token after it equals its first: either way the diff says the same.
    let run = |texts: &[&str], start: usize, len: usize, before: usize, after: usize| {
        let end = start + len;
        let up = (1..=before.min(MAX_SLIDE)).take_while(|u| texts[start - u] == texts[end - u]).count();
        let down = (0..after.min(MAX_SLIDE)).take_while(|d| texts[start + d] == texts[end + d]).count();
        Run { start, end, up, down }
    };
    let mut deleted = Vec::new();
    let mut inserted = Vec::new();
    for (k, op) in ops.iter().enumerate() {
        let (before, after) = (equal_len(k.checked_sub(1)), equal_len(Some(k + 1)));
        match *op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { old_index, old_len, .. } => deleted.push(run(&old, old_index, old_len, before, after)),
            DiffOp::Insert { new_index, new_len, .. } => inserted.push(run(&new, new_index, new_len, before, after)),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                deleted.push(Run { start: old_index, end: old_index + old_len, up: 0, down: 0 });
                inserted.push(Run { start: new_index, end: new_index + new_len, up: 0, down: 0 });
            }
        }
    }
    (deleted, inserted)
}

/// Past this many tokens, a side that faces at most [`FEW`] tokens on the other is replaced
/// whole rather than diffed: Myers' diff is quadratic in the size of the edit.
const MANY: usize = 4096;
const FEW: usize = 64;

/// The diff of two token streams: their common ends, and a patience diff of the middle (unique
/// tokens anchor it, so that a large insertion between small edits stays cheap). Past the deadline
/// the diff degrades to coarser hunks: more counts as changed, never less.
fn diff(old: &[&str], new: &[&str], deadline: &dyn Deadline) -> Vec<DiffOp> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (o, n) = (prefix..old.len() - suffix, prefix..new.len() - suffix);
    let mut ops = Vec::new();
    if prefix > 0 {
        ops.push(DiffOp::Equal { old_index: 0, new_index: 0, len: prefix });
    }
    let (short, long) = if o.len() < n.len() { (o.len(), n.len()) } else { (n.len(), o.len()) };
    if o.is_empty() && n.is_empty() {
    } else if o.is_empty() {
        ops.push(DiffOp::Insert { old_index: o.start, new_index: n.start, new_len: n.len() });
    } else if n.is_empty() {
        ops.push(DiffOp::Delete { old_index: o.start, old_len: o.len(), new_index: n.start });
    } else if short <= FEW && long >= MANY {
        ops.push(DiffOp::Replace { old_index: o.start, old_len: o.len(), new_index: n.start, new_len: n.len() });
    } else {
        let middle =
            capture_diff_slices_deadline(Algorithm::Patience, &old[o.clone()], &new[n.clone()], deadline.as_instant());
        ops.extend(middle.into_iter().map(|op| shift(op, o.start, n.start)));
    }
    if suffix > 0 {
        ops.push(DiffOp::Equal { old_index: o.end, new_index: n.end, len: suffix });
    }
    ops
}

fn shift(op: DiffOp, old: usize, new: usize) -> DiffOp {
    match op {
        DiffOp::Equal { old_index, new_index, len } => {
            DiffOp::Equal { old_index: old_index + old, new_index: new_index + new, len }
        }
        DiffOp::Delete { old_index, old_len, new_index } => {
            DiffOp::Delete { old_index: old_index + old, old_len, new_index: new_index + new }
        }
        DiffOp::Insert { old_index, new_index, new_len } => {
            DiffOp::Insert { old_index: old_index + old, new_index: new_index + new, new_len }
        }
        DiffOp::Replace { old_index, old_len, new_index, new_len } => {
            DiffOp::Replace { old_index: old_index + old, old_len, new_index: new_index + new, new_len }
        }
    }
}

type Place = (Context, Option<Rc<str>>);

/// Places the changed tokens of one side. A run that could slide (an inserted function after
/// another, both ending in `}`) is moved to where it touches the fewest definitions and the
/// least non-test code: the diff is equally right there, and it tells which definition changed.
/// Returns the places of the runs' tokens, in order.
fn settle(lang: Lang, path: &str, version: &Version, tokens: &[Token], runs: &mut [Run]) -> Vec<Place> {
    // Every token a run may cover, in order.
    let mut needed: Vec<usize> = Vec::new();
    let mut floor = 0;
    for r in runs.iter_mut() {
        // Runs must not overlap once slid.
        r.up = r.up.min(r.start.saturating_sub(floor));
        let from = (r.start - r.up).max(needed.last().map_or(0, |l| l + 1));
        needed.extend(from..r.end + r.down);
        floor = r.end;
    }
    let placed = places(lang, path, version, needed.iter().map(|&i| &tokens[i]));
    let at = |i: usize| &placed[needed.binary_search(&i).expect("placed")];

    let mut floor = 0;
    for r in runs.iter_mut() {
        r.up = r.up.min(r.start.saturating_sub(floor));
        if r.up + r.down > 0 {
            let len = r.end - r.start;
            let mut counts: HashMap<&Place, usize> = HashMap::new();
            let mut code = 0usize;
            let first = r.start - r.up;
            for i in first..first + len {
                let p = at(i);
                *counts.entry(p).or_default() += 1;
                code += usize::from(p.0 == Context::Code);
            }
            let score = |counts: &HashMap<&Place, usize>, code: usize| (counts.len(), code);
            let mut best = (score(&counts, code), first);
            for s in first + 1..=r.start + r.down {
                // Slide the window down one token.
                let out = at(s - 1);
                if let Some(c) = counts.get_mut(out) {
                    *c -= 1;
                    if *c == 0 {
                        counts.remove(out);
                    }
                }
                code -= usize::from(out.0 == Context::Code);
                let inn = at(s + len - 1);
                *counts.entry(inn).or_default() += 1;
                code += usize::from(inn.0 == Context::Code);
                let here = (score(&counts, code), s);
                // Ties keep the diff's own choice.
                if here.0 < best.0 || (here.0 == best.0 && s == r.start) {
                    best = here;
                }
            }
            let shift = best.1;
            r.end = shift + len;
            r.start = shift;
        }
        floor = r.end;
    }
    runs.iter().flat_map(|r| r.start..r.end).map(|i| at(i).clone()).collect()
}

/// The places of tokens given in source order, found in one walk down the tree (a token's
/// ancestors are never looked up one by one: that is quadratic in deeply nested input).
fn places<'t, 's: 't>(
    lang: Lang,
    path: &str,
    version: &Version,
    tokens: impl Iterator<Item = &'t Token<'s>>,
) -> Vec<Place> {
    let tokens: Vec<&Token> = tokens.collect();
    let src = version.src.as_bytes();
    let module: Vec<String> = if lang == Lang::Rust { rust_module_path(path) } else { Vec::new() };
    let test_file = lang.is_test_path(path);
    let mut out: Vec<Place> = Vec::with_capacity(tokens.len());
    if tokens.is_empty() {
        return out;
    }
    // A token lies in a node when its bytes do; a zero-width token at a node's end still does (as
    // `descendant_for_byte_range` has it): a block's end marker belongs to the block.
    let contains = |n: &Node, t: &Token| n.start_byte() <= t.start && t.end <= n.end_byte();

    let mut names: Vec<String> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let enter = |n: Node, frames: &mut Vec<Frame>, names: &mut Vec<String>| {
        let (test, import) = frames.last().map_or((false, false), |f| (f.test, f.import));
        // An attribute counts as part of the item it is written on.
        let item = lang.attribute_target(&n).unwrap_or(n);
        let named = lang.definition_name(&item, src);
        let depth = names.len();
        if let Some(name) = named {
            names.push(name);
        }
        frames.push(Frame {
            test: test || lang.is_test(&item, src),
            import: import || lang.is_import(&item),
            names: depth,
            place: None,
        });
    };
    let place_of = |frames: &mut Vec<Frame>, names: &[String]| -> Place {
        let top = frames.last_mut().expect("a frame");
        if let Some(p) = &top.place {
            return p.clone();
        }
        let context = if top.test {
            Context::Test
        } else if top.import {
            Context::Import
        } else if test_file {
            Context::Test
        } else {
            Context::Code
        };
        let symbol = (!names.is_empty() && context != Context::Import).then(|| {
            let all: Vec<&str> = module.iter().chain(names.iter()).map(String::as_str).collect();
            Rc::from(all.join(lang.separator()))
        });
        let p = (context, symbol);
        top.place = Some(p.clone());
        p
    };

    #[derive(Clone, Copy)]
    enum Step {
        /// At a node just entered: look at its children.
        Enter,
        /// At a child of the top frame's node.
        Scan,
        /// At the top frame's node, whose children hold no more tokens.
        Exit,
    }
    let root = version.tree.root_node();
    let mut cursor = root.walk();
    enter(root, &mut frames, &mut names);
    let mut k = 0;
    let mut step = Step::Enter;
    loop {
        match step {
            Step::Enter => {
                step = if k < tokens.len() && cursor.goto_first_child() { Step::Scan } else { Step::Exit };
            }
            Step::Scan => {
                let child = cursor.node();
                // Tokens before this child are the parent's own text.
                while k < tokens.len() && tokens[k].start < child.start_byte() {
                    let p = place_of(&mut frames, &names);
                    out.push(p);
                    k += 1;
                }
                if k < tokens.len() && contains(&child, tokens[k]) {
                    enter(child, &mut frames, &mut names);
                    step = Step::Enter;
                } else if k < tokens.len() && cursor.goto_next_sibling() {
                    step = Step::Scan;
                } else {
                    cursor.goto_parent();
                    step = Step::Exit;
                }
            }
            Step::Exit => {
                let node = cursor.node();
                while k < tokens.len() && (contains(&node, tokens[k]) || frames.len() == 1) {
                    let p = place_of(&mut frames, &names);
                    out.push(p);
                    k += 1;
                }
                let frame = frames.pop().expect("a frame");
                names.truncate(frame.names);
                if frames.is_empty() {
                    break;
                }
                step = if k < tokens.len() && cursor.goto_next_sibling() {
                    Step::Scan
                } else {
                    cursor.goto_parent();
                    Step::Exit
                };
            }
        }
    }
    out
}

/// What the walk knows of a node on the way to a token.
struct Frame {
    /// Inside a test.
    test: bool,
    /// Inside an import.
    import: bool,
    /// How many names were in scope outside this node.
    names: usize,
    /// The place of tokens directly in this node, once worked out.
    place: Option<Place>,
}
