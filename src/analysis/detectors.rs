//! Built-in detectors: tree-sitter queries that find risky constructs (unsafe code, process
//! spawning, dynamic evaluation, SQL built from strings, cryptography, unsafe deserialisation).

use std::ops::ControlFlow;
use std::sync::OnceLock;

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
///
/// A built-in pattern may also capture `@_span`: the finding then covers that node's bytes (a
/// whole call) while its line and symbol stay those of the detector's capture (the callee), so
/// that a change to the call's arguments still counts as touching it.
pub fn run(
    query: &Query,
    tree: &Tree,
    src: &str,
    as_detector: Option<&str>,
    deadline: &dyn Deadline,
) -> (Vec<Finding>, bool) {
    run_within(query, tree, src, as_detector, deadline, 0..src.len())
}

/// `run`, looking only at matches whose nodes intersect `bytes`: a small edit to a large file is
/// searched where it is, not everywhere.
pub(crate) fn run_within(
    query: &Query,
    tree: &Tree,
    src: &str,
    as_detector: Option<&str>,
    deadline: &dyn Deadline,
    bytes: std::ops::Range<usize>,
) -> (Vec<Finding>, bool) {
    if has_long_anonymous_run(tree) {
        return (Vec::new(), true);
    }
    matches_within(query, tree, src, as_detector, deadline, bytes)
}

/// [`run_within`] once the tree is known to be safe to query.
fn matches_within(
    query: &Query,
    tree: &Tree,
    src: &str,
    as_detector: Option<&str>,
    deadline: &dyn Deadline,
    bytes: std::ops::Range<usize>,
) -> (Vec<Finding>, bool) {
    let mut cursor = QueryCursor::new();
    cursor.set_byte_range(bytes);
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
    let span_index = query.capture_index_for_name(SPAN);
    let mut findings = Vec::new();
    let mut matches = cursor.matches_with_options(
        query,
        tree.root_node(),
        src.as_bytes(),
        QueryCursorOptions::new().progress_callback(&mut progress),
    );
    while let Some(m) = matches.next() {
        let span = match (as_detector, span_index) {
            (None, Some(i)) => m.nodes_for_capture_index(i).next(),
            _ => None,
        };
        for capture in m.captures() {
            let name = names[capture.index as usize];
            let detector = match as_detector {
                // A policy query's `_`-named captures are helpers for its predicates, as in ours.
                Some(_) if name.starts_with('_') => continue,
                Some(d) => d.to_string(),
                None if Detector::from_id(name).is_some() => name.to_string(),
                None => continue,
            };
            let node = capture.node;
            let symbol =
                node.utf8_text(src.as_bytes()).unwrap_or("").lines().next().unwrap_or("").chars().take(80).collect();
            let (start, end) = match span {
                Some(s) => (s.start_byte().min(node.start_byte()), s.end_byte().max(node.end_byte())),
                None => (node.start_byte(), node.end_byte()),
            };
            findings.push(Finding { detector, line: node.start_position().row as u32 + 1, symbol, start, end });
        }
    }
    drop(matches);
    // One finding per detector and start: patterns that overlap (a call and the attribute it
    // calls, `new ObjectInputStream(in).readObject()`) keep the narrowest symbol and the widest
    // range.
    findings.sort_by(|a, b| (&a.detector, a.start, a.end).cmp(&(&b.detector, b.start, b.end)));
    findings.dedup_by(|later, kept| {
        let same = later.detector == kept.detector && later.start == kept.start;
        if same {
            kept.end = kept.end.max(later.end);
        }
        same
    });
    findings.sort();
    (findings, timed_out)
}

/// Consecutive anonymous siblings past which a query is not run.
const MAX_ANONYMOUS_RUN: usize = 4096;

/// Whether a node has a long run of anonymous children: what tree-sitter's error recovery makes
/// of `((((…` or `]]]]…`. Tree-sitter's query cursor looks ahead through a node's later siblings
/// for a named one at every child, which is quadratic in such a run (100,000 brackets take a
/// minute), so the query would run out any budget: [`run`] reports it out of time at once
/// (fail closed) instead. No code a person writes has thousands of bare punctuation tokens in a
/// row.
fn has_long_anonymous_run(tree: &Tree) -> bool {
    let mut cursor = tree.walk();
    let mut run = 0usize;
    loop {
        // Visit the current node as a child of its parent: count the run it belongs to.
        if cursor.node().is_named() {
            run = 0;
        } else {
            run += 1;
            if run >= MAX_ANONYMOUS_RUN {
                return true;
            }
        }
        if cursor.goto_first_child() {
            run = 0;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
            // Back at the parent: its own run among its siblings was interrupted by its children,
            // which is fine, since a node with children is never a bare token.
            run = 0;
        }
    }
}

/// The helper capture that widens a built-in finding's range (see [`run`]).
const SPAN: &str = "_span";

/// One detector's patterns for one language: a section of the language's query text, headed
/// `; <detector>: what it finds` and `; words: ...`. A section is compiled on its own, the first
/// time a file of its language holds one of its words, and kept for the life of the process.
///
/// Compiling a query walks its grammar's whole parse table (tens of milliseconds for the larger
/// grammars and patterns), and most changes call no query, spawn no process and touch no crypto:
/// a PR pays only for the detectors its files could possibly trigger.
#[derive(Debug)]
pub struct Section {
    pub lang: Lang,
    pub detector: Detector,
    /// Identifiers or literals of which every pattern in the section requires one: a file that
    /// holds none of them as a word cannot match, so the section is neither compiled nor run.
    pub words: Vec<&'static str>,
    pub source: &'static str,
}

impl Section {
    /// Whether `text` holds one of the section's words, as a whole word: not inside a longer
    /// identifier (`ring` is not found in `String`).
    pub fn triggered_by(&self, text: &str) -> bool {
        self.words.iter().any(|w| has_word(text, w))
    }

    /// The section's compiled query (compiled now if this is the first time).
    pub fn query(&self) -> &'static Query {
        COMPILED[self.lang.index()][detector_index(self.detector)].get_or_init(|| self.compile())
    }

    /// The section compiled afresh: what a process pays the first time it needs it (benchmarks
    /// of a cold start call it; everything else goes through [`Section::query`]).
    pub fn compile(&self) -> Query {
        // The sources are constants that a test compiles section by section for every language.
        Query::new(&self.lang.grammar(), self.source)
            .unwrap_or_else(|e| panic!("built-in {} query, {}: {e}", self.lang.id(), self.detector.id()))
    }

    /// Whether [`Section::query`] has compiled this section in this process: how a test shows
    /// that a PR does not pay for what it cannot trigger.
    pub fn compiled(&self) -> bool {
        COMPILED[self.lang.index()][detector_index(self.detector)].get().is_some()
    }
}

/// `lang`'s built-in sections, one per detector the language has.
pub fn sections(lang: Lang) -> &'static [Section] {
    SECTIONS[lang.index()].get_or_init(|| split_sections(lang, queries(lang)))
}

/// The sections a file of `lang` whose text is `text` could trigger.
pub fn triggered(lang: Lang, text: &str) -> impl Iterator<Item = &'static Section> {
    sections(lang).iter().filter(move |s| s.triggered_by(text))
}

/// Compiles the sections `text` could trigger, so that the first file of a kind does not spend
/// its own analysis budget on a once-per-process cost.
pub(crate) fn prepare(lang: Lang, text: &str) {
    for section in triggered(lang, text) {
        section.query();
    }
}

/// Runs the built-in detectors that `src` could trigger over the tree, looking only at matches
/// whose nodes intersect `bytes`; the same findings as one query holding every section.
pub(crate) fn run_builtin(
    lang: Lang,
    tree: &Tree,
    src: &str,
    deadline: &dyn Deadline,
    bytes: std::ops::Range<usize>,
) -> (Vec<Finding>, bool) {
    let mut findings = Vec::new();
    let mut sections = triggered(lang, src).peekable();
    if sections.peek().is_none() {
        return (findings, false);
    }
    if has_long_anonymous_run(tree) {
        return (findings, true);
    }
    for section in sections {
        let (found, timed_out) = matches_within(section.query(), tree, src, None, deadline, bytes.clone());
        findings.extend(found);
        if timed_out {
            return (findings, true);
        }
    }
    // Sections are per detector and a finding is merged only with its own detector's, so the
    // merged sections are what one query would have found.
    findings.sort();
    (findings, false)
}

/// Every built-in detector over the whole of `src`: only the tests run them all at once.
#[cfg(test)]
pub(crate) fn run_builtin_all(lang: Lang, tree: &Tree, src: &str, deadline: &dyn Deadline) -> (Vec<Finding>, bool) {
    run_builtin(lang, tree, src, deadline, 0..src.len())
}

/// Whether `word` occurs in `text` with no ASCII identifier character on either side.
fn has_word(text: &str, word: &str) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = text.as_bytes();
    text.match_indices(word).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + word.len()).copied();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// Splits a language's query text at its `; <detector>:` headers.
fn split_sections(lang: Lang, text: &'static str) -> Vec<Section> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let detector =
            line.strip_prefix("; ").and_then(|rest| rest.split_once(':')).and_then(|(id, _)| Detector::from_id(id));
        if let Some(d) = detector {
            starts.push((offset, d));
        }
        offset += line.len();
    }
    let mut sections = Vec::new();
    for (i, (start, detector)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |(s, _)| *s);
        let source = &text[*start..end];
        let words = source
            .lines()
            .nth(1)
            .and_then(|l| l.strip_prefix("; words:"))
            .unwrap_or_else(|| panic!("built-in {} query, {}: no `; words:` line", lang.id(), detector.id()))
            .split_whitespace()
            .collect();
        sections.push(Section { lang, detector: *detector, words, source });
    }
    sections
}

fn detector_index(d: Detector) -> usize {
    Detector::ALL.iter().position(|x| *x == d).expect("every detector is in ALL")
}

static SECTIONS: [OnceLock<Vec<Section>>; Lang::ALL.len()] = [const { OnceLock::new() }; Lang::ALL.len()];

static COMPILED: [[OnceLock<Query>; Detector::ALL.len()]; Lang::ALL.len()] =
    [const { [const { OnceLock::new() }; Detector::ALL.len()] }; Lang::ALL.len()];

/// `lang`'s whole built-in query compiled as one, as every process did before sections: the
/// reference the start-up benchmark compares with.
pub fn compile_whole(lang: Lang) -> Query {
    Query::new(&lang.grammar(), queries(lang)).unwrap_or_else(|e| panic!("built-in {} query: {e}", lang.id()))
}

/// The built-in query source per language. Each pattern captures the node to report under the
/// name of its detector (`@shell-exec`); helper captures start with `_`, and `@_span` widens the
/// finding's range to the whole construct. TypeScript and TSX share JavaScript's node kinds.
fn queries(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => RUST,
        Lang::Python => PYTHON,
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx => JAVASCRIPT,
        Lang::Go => GO,
        Lang::Java => JAVA,
    }
}

const RUST: &str = r##"
; unsafe: blocks, and functions, impls, traits and extern blocks declared unsafe
; words: unsafe
(unsafe_block) @unsafe
(function_item (function_modifiers "unsafe")) @unsafe
(function_signature_item (function_modifiers "unsafe")) @unsafe
(impl_item "unsafe") @unsafe
(trait_item "unsafe") @unsafe
(foreign_mod_item "unsafe") @unsafe

; shell-exec: `Command::new`, `std::process::Command::new`, `tokio::process::Command::new`
; words: Command
(call_expression
  function: (scoped_identifier
    path: [
      (identifier) @_type
      (scoped_identifier path: (_) @_module name: (identifier) @_type)
    ]
    name: (identifier) @_new) @shell-exec
  (#eq? @_type "Command")
  (#eq? @_new "new")
  (#match? @_module "(^|::)process$")) @_span

; sql-string: a query call whose first argument is `format!(...)` or a concatenation
; words: query query_as query_scalar execute sql_query
(call_expression
  function: [
    (identifier) @_fn
    (scoped_identifier name: (identifier) @_fn)
    (field_expression field: (field_identifier) @_fn)
    (generic_function
      function: [
        (identifier) @_fn
        (scoped_identifier name: (identifier) @_fn)
        (field_expression field: (field_identifier) @_fn)
      ])
  ]
  arguments: (arguments
    .
    [
      (macro_invocation macro: (identifier) @_format)
      (reference_expression value: (macro_invocation macro: (identifier) @_format))
      (call_expression function: (field_expression value: (macro_invocation macro: (identifier) @_format)))
      (binary_expression operator: "+") @_concat
      (reference_expression value: (binary_expression operator: "+") @_concat)
    ])
  (#any-of? @_fn "query" "query_as" "query_scalar" "execute" "sql_query")
  (#eq? @_format "format")
  (#match? @_concat "\"")) @sql-string

; crypto: use declarations and calls through the crypto crates
; words: ring openssl aes aes_gcm sha1 sha2 sha3 md5 hmac hkdf pbkdf2 argon2 bcrypt rsa ed25519_dalek x25519_dalek chacha20poly1305 rustls tokio_rustls native_tls
(use_declaration
  argument: (_) @_path
  (#match? @_path "^(::)?(ring|openssl|aes|aes_gcm|sha1|sha2|sha3|md5|hmac|hkdf|pbkdf2|argon2|bcrypt|rsa|ed25519_dalek|x25519_dalek|chacha20poly1305|rustls|tokio_rustls|native_tls)\\b")) @crypto
(extern_crate_declaration
  name: (identifier) @_crate
  (#match? @_crate "^(ring|openssl|aes|aes_gcm|sha1|sha2|sha3|md5|hmac|hkdf|pbkdf2|argon2|bcrypt|rsa|ed25519_dalek|x25519_dalek|chacha20poly1305|rustls|tokio_rustls|native_tls)$")) @crypto
(call_expression
  function: [
    (scoped_identifier) @crypto
    (generic_function function: (scoped_identifier) @crypto)
  ]
  (#match? @crypto "^(::)?(ring|openssl|aes|aes_gcm|sha1|sha2|sha3|md5|hmac|hkdf|pbkdf2|argon2|bcrypt|rsa|ed25519_dalek|x25519_dalek|chacha20poly1305|rustls|tokio_rustls|native_tls)::")) @_span

; deserialize-untrusted: bincode and serde_pickle decoding
; words: bincode serde_pickle
(call_expression
  function: [
    (scoped_identifier) @deserialize-untrusted
    (generic_function function: (scoped_identifier) @deserialize-untrusted)
  ]
  (#match? @deserialize-untrusted "^(::)?(bincode::(deserialize|decode_from|serde::decode_from)|serde_pickle::(from_|de::))")) @_span
"##;

const PYTHON: &str = r##"
; shell-exec: subprocess, os.system / popen / exec* / spawn*, asyncio subprocesses
; words: subprocess os asyncio
(call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_fn) @shell-exec
  (#eq? @_module "subprocess")
  (#any-of? @_fn "run" "call" "Popen" "check_output" "check_call" "getoutput" "getstatusoutput")) @_span
(call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_fn) @shell-exec
  (#eq? @_module "os")
  (#match? @_fn "^(system|popen|exec(l|le|lp|lpe|v|ve|vp|vpe)|spawn(l|le|lp|lpe|v|ve|vp|vpe)|posix_spawnp?)$")) @_span
(call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_fn) @shell-exec
  (#eq? @_module "asyncio")
  (#any-of? @_fn "create_subprocess_exec" "create_subprocess_shell")) @_span
(import_from_statement
  module_name: (dotted_name) @_module
  (#eq? @_module "subprocess")) @shell-exec

; eval: the eval / exec / compile builtins
; words: eval exec compile
(call
  function: (identifier) @eval
  (#any-of? @eval "eval" "exec" "compile")) @_span

; sql-string: a query call whose first argument is concatenated, %-formatted, an f-string or .format()
; words: execute executemany executescript raw text read_sql read_sql_query
(call
  function: [
    (identifier) @_fn
    (attribute attribute: (identifier) @_fn)
  ]
  arguments: (argument_list
    .
    [
      (binary_operator operator: ["+" "%"]) @_concat
      (string (interpolation))
      (concatenated_string (string (interpolation)))
      (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @_format))
    ])
  (#any-of? @_fn "execute" "executemany" "executescript" "raw" "text" "read_sql" "read_sql_query")
  (#match? @_concat "[\"']")
  (#eq? @_format "format")) @sql-string

; crypto: hashlib / hmac / ssl, and importing a crypto library
; words: hashlib hmac ssl cryptography Crypto Cryptodome nacl bcrypt
(attribute
  object: (identifier) @_module
  (#any-of? @_module "hashlib" "hmac" "ssl")) @crypto
(call
  function: (attribute object: (identifier) @_module) @crypto
  (#any-of? @_module "hashlib" "hmac" "ssl")) @_span
(import_statement
  name: [
    (dotted_name . (identifier) @_module)
    (aliased_import name: (dotted_name . (identifier) @_module))
  ]
  (#any-of? @_module "hashlib" "hmac" "ssl" "cryptography" "Crypto" "Cryptodome" "nacl" "bcrypt")) @crypto
(import_from_statement
  module_name: (dotted_name . (identifier) @_module)
  (#any-of? @_module "hashlib" "hmac" "ssl" "cryptography" "Crypto" "Cryptodome" "nacl" "bcrypt")) @crypto

; deserialize-untrusted: pickle and friends, marshal, shelve, yaml.load without a safe loader, jsonpickle
; words: pickle cPickle _pickle dill cloudpickle marshal shelve yaml jsonpickle
(call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_fn) @deserialize-untrusted
  (#any-of? @_module "pickle" "cPickle" "_pickle" "dill" "cloudpickle" "marshal")
  (#any-of? @_fn "load" "loads" "Unpickler")) @_span
(call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_fn) @deserialize-untrusted
  (#eq? @_module "shelve")
  (#eq? @_fn "open")) @_span
(call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_fn) @deserialize-untrusted
  (#eq? @_module "yaml")
  (#any-of? @_fn "unsafe_load" "unsafe_load_all")) @_span
(call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_fn) @deserialize-untrusted
  arguments: (argument_list) @_args
  (#eq? @_module "yaml")
  (#any-of? @_fn "load" "load_all")
  (#not-match? @_args "\\bC?SafeLoader\\b")) @_span
(call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_fn) @deserialize-untrusted
  (#eq? @_module "jsonpickle")
  (#eq? @_fn "decode")) @_span
"##;

const JAVASCRIPT: &str = r##"
; shell-exec: child_process calls, requiring or importing child_process
; words: child_process childProcess cp execSync spawnSync execFile execFileSync
(call_expression
  function: (member_expression object: (identifier) @_module property: (property_identifier) @_fn) @shell-exec
  (#any-of? @_module "child_process" "childProcess" "cp")
  (#any-of? @_fn "exec" "execSync" "spawn" "spawnSync" "execFile" "execFileSync" "fork")) @_span
(call_expression
  function: (identifier) @shell-exec
  (#any-of? @shell-exec "execSync" "spawnSync" "execFile" "execFileSync")) @_span
(call_expression
  function: [(identifier) @_require (import)]
  arguments: (arguments . (string (string_fragment) @_source))
  (#eq? @_require "require")
  (#match? @_source "^(node:)?child_process$")) @shell-exec
(import_statement
  source: (string (string_fragment) @_source)
  (#match? @_source "^(node:)?child_process$")) @shell-exec

; eval: eval, the Function constructor, setTimeout / setInterval with a string
; words: eval Function setTimeout setInterval
(call_expression
  function: (identifier) @eval
  (#eq? @eval "eval")) @_span
(call_expression
  function: (member_expression object: (identifier) @_global property: (property_identifier) @_fn) @eval
  (#any-of? @_global "window" "globalThis" "global" "self")
  (#eq? @_fn "eval")) @_span
(new_expression
  constructor: (identifier) @_ctor
  (#eq? @_ctor "Function")) @eval
(call_expression
  function: (identifier) @_ctor
  (#eq? @_ctor "Function")) @eval
(call_expression
  function: (identifier) @_fn
  arguments: (arguments . [(string) (template_string)])
  (#any-of? @_fn "setTimeout" "setInterval")) @eval

; sql-string: a query call whose first argument is a template with substitutions or a concatenation
; words: query execute raw $queryRawUnsafe $executeRawUnsafe
; (TypeScript reads `await db.query<Row>(...)` as a call of `await db.query`)
(call_expression
  function: [
    (identifier) @_fn
    (member_expression property: (property_identifier) @_fn)
    (await_expression (member_expression property: (property_identifier) @_fn))
  ]
  arguments: (arguments
    .
    [
      (template_string (template_substitution))
      (binary_expression operator: "+") @_concat
    ])
  (#any-of? @_fn "query" "execute" "raw" "$queryRawUnsafe" "$executeRawUnsafe")
  (#match? @_concat "[\"'`]")) @sql-string

; crypto: the crypto module's functions, requiring or importing it
; words: crypto
(call_expression
  function: (member_expression object: (identifier) @_module) @crypto
  (#eq? @_module "crypto")) @_span
(member_expression
  object: (identifier) @_module
  (#eq? @_module "crypto")) @crypto
(call_expression
  function: [(identifier) @_require (import)]
  arguments: (arguments . (string (string_fragment) @_source))
  (#eq? @_require "require")
  (#match? @_source "^((node:)?crypto|crypto-js(/.*)?)$")) @crypto
(import_statement
  source: (string (string_fragment) @_source)
  (#match? @_source "^((node:)?crypto|crypto-js(/.*)?)$")) @crypto

; deserialize-untrusted: node-serialize's unserialize
; words: unserialize node-serialize
(call_expression
  function: [
    (identifier) @_fn
    (member_expression property: (property_identifier) @_fn)
  ] @deserialize-untrusted
  (#eq? @_fn "unserialize")) @_span
(call_expression
  function: [(identifier) @_require (import)]
  arguments: (arguments . (string (string_fragment) @_source))
  (#eq? @_require "require")
  (#eq? @_source "node-serialize")) @deserialize-untrusted
(import_statement
  source: (string (string_fragment) @_source)
  (#eq? @_source "node-serialize")) @deserialize-untrusted
"##;

const GO: &str = r##"
; shell-exec: os/exec commands, syscall.Exec, os.StartProcess
; words: exec syscall os
(call_expression
  function: (selector_expression operand: (identifier) @_pkg field: (field_identifier) @_fn) @shell-exec
  (#eq? @_pkg "exec")
  (#any-of? @_fn "Command" "CommandContext")) @_span
(call_expression
  function: (selector_expression operand: (identifier) @_pkg field: (field_identifier) @_fn) @shell-exec
  (#eq? @_pkg "syscall")
  (#any-of? @_fn "Exec" "ForkExec" "StartProcess")) @_span
(call_expression
  function: (selector_expression operand: (identifier) @_pkg field: (field_identifier) @_fn) @shell-exec
  (#eq? @_pkg "os")
  (#eq? @_fn "StartProcess")) @_span

; sql-string: a query call whose query argument is fmt.Sprintf(...) or a concatenation
; words: Query QueryRow Exec Prepare QueryContext QueryRowContext ExecContext PrepareContext
(call_expression
  function: (selector_expression field: (field_identifier) @_fn)
  arguments: (argument_list
    .
    [
      (call_expression
        function: (selector_expression operand: (identifier) @_fmt field: (field_identifier) @_sprintf))
      (binary_expression operator: "+") @_concat
    ])
  (#any-of? @_fn "Query" "QueryRow" "Exec" "Prepare")
  (#eq? @_fmt "fmt")
  (#eq? @_sprintf "Sprintf")
  (#match? @_concat "[\"`]")) @sql-string
(call_expression
  function: (selector_expression field: (field_identifier) @_fn)
  arguments: (argument_list
    .
    (_)
    .
    [
      (call_expression
        function: (selector_expression operand: (identifier) @_fmt field: (field_identifier) @_sprintf))
      (binary_expression operator: "+") @_concat
    ])
  (#any-of? @_fn "QueryContext" "QueryRowContext" "ExecContext" "PrepareContext")
  (#eq? @_fmt "fmt")
  (#eq? @_sprintf "Sprintf")
  (#match? @_concat "[\"`]")) @sql-string

; crypto: importing crypto/... or golang.org/x/crypto/..., calls into the crypto packages, tls.Config{...}
; words: crypto sha256 sha1 sha512 md5 aes rsa ecdsa ed25519 hmac tls cipher bcrypt x509
(import_spec
  path: (interpreted_string_literal) @_path
  (#match? @_path "^\"(crypto|golang\\.org/x/crypto)(/|\")")) @crypto
(call_expression
  function: (selector_expression operand: (identifier) @_pkg) @crypto
  (#any-of? @_pkg "sha256" "sha1" "sha512" "md5" "aes" "rsa" "ecdsa" "ed25519" "hmac" "tls" "cipher" "bcrypt")) @_span
(composite_literal
  type: (qualified_type package: (package_identifier) @_pkg) @crypto
  (#any-of? @_pkg "tls" "x509")) @_span

; deserialize-untrusted: gob decoding
; words: gob
(call_expression
  function: (selector_expression operand: (identifier) @_pkg field: (field_identifier) @_fn) @deserialize-untrusted
  (#eq? @_pkg "gob")
  (#eq? @_fn "NewDecoder")) @_span
"##;

const JAVA: &str = r##"
; shell-exec: Runtime.getRuntime().exec(...), new ProcessBuilder(...)
; words: getRuntime ProcessBuilder
(method_invocation
  object: (method_invocation name: (identifier) @_runtime)
  name: (identifier) @_fn
  (#eq? @_runtime "getRuntime")
  (#eq? @_fn "exec")) @shell-exec
(object_creation_expression
  type: (_) @_type
  (#match? @_type "(^|\\.)ProcessBuilder$")) @shell-exec

; eval: a script engine's eval
; words: eval
(method_invocation
  object: (_) @_engine
  name: (identifier) @_fn
  (#eq? @_fn "eval")
  (#match? @_engine "(?i)engine")) @eval

; sql-string: a query call whose first argument is concatenated or String.format / .formatted
; words: executeQuery executeUpdate executeLargeUpdate execute addBatch prepareStatement prepareCall createQuery createNativeQuery createSQLQuery query queryForObject queryForList queryForMap
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list
    .
    [
      (binary_expression operator: "+") @_concat
      (method_invocation object: (identifier) @_string name: (identifier) @_format)
      (method_invocation object: (string_literal) name: (identifier) @_formatted)
    ])
  (#any-of? @_fn "executeQuery" "executeUpdate" "executeLargeUpdate" "execute" "addBatch" "prepareStatement" "prepareCall" "createQuery" "createNativeQuery" "createSQLQuery" "query" "queryForObject" "queryForList" "queryForMap")
  (#match? @_concat "\"")
  (#eq? @_string "String")
  (#eq? @_format "format")
  (#eq? @_formatted "formatted")) @sql-string

; crypto: JCA factories, key material, javax.crypto / Bouncy Castle / JSSE imports
; words: MessageDigest Cipher Mac KeyGenerator KeyPairGenerator KeyAgreement KeyFactory SecretKeyFactory Signature SecureRandom SSLContext SecretKeySpec IvParameterSpec GCMParameterSpec PBEKeySpec javax bouncycastle
(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  (#any-of? @_class "MessageDigest" "Cipher" "Mac" "KeyGenerator" "KeyPairGenerator" "KeyAgreement" "KeyFactory" "SecretKeyFactory" "Signature" "SecureRandom" "SSLContext")
  (#match? @_fn "^getInstance")) @crypto
(object_creation_expression
  type: (_) @_type
  (#match? @_type "(^|\\.)(SecureRandom|SecretKeySpec|IvParameterSpec|GCMParameterSpec|PBEKeySpec)$")) @crypto
(import_declaration
  (scoped_identifier) @_import
  (#match? @_import "^(javax\\.crypto|javax\\.net\\.ssl|org\\.bouncycastle)(\\.|$)")) @crypto

; deserialize-untrusted: Java serialization and XMLDecoder
; words: ObjectInputStream XMLDecoder readObject readUnshared
(object_creation_expression
  type: (_) @_type
  (#match? @_type "(^|\\.)(ObjectInputStream|XMLDecoder)$")) @deserialize-untrusted
(method_invocation
  name: (identifier) @_fn
  (#any-of? @_fn "readObject" "readUnshared")) @deserialize-untrusted
"##;
