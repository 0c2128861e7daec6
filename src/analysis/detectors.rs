//! Built-in detectors: tree-sitter queries that find risky constructs (unsafe code, process
//! spawning, dynamic evaluation, SQL built from strings, cryptography, unsafe deserialisation).

use std::ops::ControlFlow;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Query, QueryCursor, QueryCursorOptions, Tree};

use super::budget::Deadline;
use super::lang::Lang;

/// The detectors a policy can name in a tier's `code:` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detector {
    Unsafe,
    ShellExec,
    Eval,
    SqlString,
    Crypto,
    DeserializeUntrusted,
}

impl Detector {
    pub const ALL: [Detector; 6] = [
        Detector::Unsafe,
        Detector::ShellExec,
        Detector::Eval,
        Detector::SqlString,
        Detector::Crypto,
        Detector::DeserializeUntrusted,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Detector::Unsafe => "unsafe",
            Detector::ShellExec => "shell-exec",
            Detector::Eval => "eval",
            Detector::SqlString => "sql-string",
            Detector::Crypto => "crypto",
            Detector::DeserializeUntrusted => "deserialize-untrusted",
        }
    }

    pub fn from_id(id: &str) -> Option<Detector> {
        Detector::ALL.into_iter().find(|d| d.id() == id)
    }
}

/// One thing a query found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Finding {
    /// A built-in detector's id, or `query` for a policy's own query.
    pub detector: String,
    /// 1-based line of the match in the head version.
    pub line: u32,
    /// The API or construct matched (`subprocess.run`, `unsafe`, `pickle.loads`).
    pub symbol: String,
    pub start: usize,
    pub end: usize,
}

/// Runs `query` over the tree; every capture whose name is a detector id (or any capture, for a
/// policy's own query, reported as `as_detector`) becomes a finding. Stops at the deadline.
pub fn run(
    query: &Query,
    tree: &Tree,
    src: &str,
    as_detector: Option<&str>,
    deadline: &dyn Deadline,
) -> (Vec<Finding>, bool) {
    let mut cursor = QueryCursor::new();
    let mut timed_out = false;
    let mut progress = |_: &tree_sitter::QueryCursorState| {
        if deadline.expired() {
            timed_out = true;
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let names = query.capture_names();
    let mut findings = Vec::new();
    let mut matches = cursor.matches_with_options(
        query,
        tree.root_node(),
        src.as_bytes(),
        QueryCursorOptions::new().progress_callback(&mut progress),
    );
    while let Some(m) = matches.next() {
        for capture in m.captures() {
            let name = names[capture.index as usize];
            let detector = match as_detector {
                Some(d) => d.to_string(),
                None if Detector::from_id(name).is_some() => name.to_string(),
                None => continue,
            };
            let node = capture.node;
            let symbol =
                node.utf8_text(src.as_bytes()).unwrap_or("").lines().next().unwrap_or("").chars().take(80).collect();
            findings.push(Finding {
                detector,
                line: node.start_position().row as u32 + 1,
                symbol,
                start: node.start_byte(),
                end: node.end_byte(),
            });
        }
    }
    drop(matches);
    findings.sort();
    findings.dedup_by(|a, b| a.detector == b.detector && a.start == b.start);
    (findings, timed_out)
}

/// The built-in detectors' query for a language, compiled once.
pub fn builtin(lang: Lang) -> &'static Query {
    use std::sync::LazyLock;
    static QUERIES: LazyLock<Vec<(Lang, Query)>> = LazyLock::new(|| {
        Lang::ALL
            .into_iter()
            .map(|l| {
                (l, Query::new(&l.grammar(), queries(l)).unwrap_or_else(|e| panic!("built-in {} query: {e}", l.id())))
            })
            .collect()
    });
    &QUERIES.iter().find(|(l, _)| *l == lang).expect("every language has a query").1
}

/// The built-in query source per language. Each pattern captures the node to report under the
/// name of its detector (`@shell-exec`).
fn queries(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => r#"(unsafe_block) @unsafe"#,
        Lang::Python => {
            r#"(call function: (attribute object: (identifier) @_m attribute: (identifier) @_f) (#eq? @_m "subprocess")) @shell-exec"#
        }
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx => {
            r#"(call_expression function: (identifier) @eval (#eq? @eval "eval"))"#
        }
        Lang::Go => {
            r#"(call_expression function: (selector_expression operand: (identifier) @_p field: (field_identifier) @_f) (#eq? @_p "exec")) @shell-exec"#
        }
        Lang::Java => {
            r#"(object_creation_expression type: (type_identifier) @_t (#eq? @_t "ProcessBuilder")) @shell-exec"#
        }
    }
}
