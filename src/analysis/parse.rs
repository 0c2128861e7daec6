//! Parsing with a budget: tree-sitter's progress callback stops a parse when the deadline passes,
//! so pathological input cannot stall a worker.

use std::ops::ControlFlow;

use tree_sitter::{ParseOptions, Parser, Tree};

use super::budget::Deadline;
use super::lang::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseFailure {
    /// The deadline passed before the parse finished.
    TimedOut,
    /// The grammar could not be loaded or the parser gave up.
    Failed,
}

pub fn parse(lang: Lang, src: &str, deadline: &dyn Deadline) -> Result<Tree, ParseFailure> {
    let mut parser = Parser::new();
    parser.set_language(&lang.grammar()).map_err(|_| ParseFailure::Failed)?;
    let bytes = src.as_bytes();
    let mut timed_out = false;
    let mut progress = |_: &tree_sitter::ParseState| {
        if deadline.expired() {
            timed_out = true;
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let tree = parser.parse_with_options(
        &mut |offset, _| bytes.get(offset..).unwrap_or_default(),
        None,
        Some(ParseOptions::new().progress_callback(&mut progress)),
    );
    match tree {
        Some(tree) => Ok(tree),
        None if timed_out => Err(ParseFailure::TimedOut),
        None => Err(ParseFailure::Failed),
    }
}
