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
pub fn run_within(
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

/// The built-in detectors' query for a language, compiled the first time a file of that language
/// is analysed and kept for the life of the process. Compiling a query walks its grammar's whole
/// parse table (the TypeScript grammars alone take tens of milliseconds), so a PR pays only for
/// the languages it touches, and a docs-only PR for none.
pub fn builtin(lang: Lang) -> &'static Query {
    BUILTIN[lang.index()].get_or_init(|| compile_builtin(lang))
}

/// `lang`'s built-in query, compiled afresh: what a process pays the first time it reads the
/// language (benchmarks of a cold start call it; everything else goes through [`builtin`]).
pub fn compile_builtin(lang: Lang) -> Query {
    // The sources are constants that a test compiles for every language.
    Query::new(&lang.grammar(), queries(lang)).unwrap_or_else(|e| panic!("built-in {} query: {e}", lang.id()))
}

/// Whether [`builtin`] has compiled `lang`'s query in this process: how a test shows that a PR
/// does not pay for languages it does not touch.
pub fn builtin_compiled(lang: Lang) -> bool {
    BUILTIN[lang.index()].get().is_some()
}

static BUILTIN: [OnceLock<Query>; Lang::ALL.len()] = [const { OnceLock::new() }; Lang::ALL.len()];

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
(unsafe_block) @unsafe
(function_item (function_modifiers "unsafe")) @unsafe
(function_signature_item (function_modifiers "unsafe")) @unsafe
(impl_item "unsafe") @unsafe
(trait_item "unsafe") @unsafe
(foreign_mod_item "unsafe") @unsafe

; shell-exec: `Command::new`, `std::process::Command::new`, `tokio::process::Command::new`
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
(call_expression
  function: [
    (scoped_identifier) @deserialize-untrusted
    (generic_function function: (scoped_identifier) @deserialize-untrusted)
  ]
  (#match? @deserialize-untrusted "^(::)?(bincode::(deserialize|decode_from|serde::decode_from)|serde_pickle::(from_|de::))")) @_span
"##;

const PYTHON: &str = r##"
; shell-exec: subprocess, os.system / popen / exec* / spawn*, asyncio subprocesses
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
(call
  function: (identifier) @eval
  (#any-of? @eval "eval" "exec" "compile")) @_span

; sql-string: a query call whose first argument is concatenated, %-formatted, an f-string or .format()
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
(call_expression
  function: (selector_expression operand: (identifier) @_pkg field: (field_identifier) @_fn) @deserialize-untrusted
  (#eq? @_pkg "gob")
  (#eq? @_fn "NewDecoder")) @_span
"##;

const JAVA: &str = r##"
; shell-exec: Runtime.getRuntime().exec(...), new ProcessBuilder(...)
(method_invocation
  object: (method_invocation name: (identifier) @_runtime)
  name: (identifier) @_fn
  (#eq? @_runtime "getRuntime")
  (#eq? @_fn "exec")) @shell-exec
(object_creation_expression
  type: (_) @_type
  (#match? @_type "(^|\\.)ProcessBuilder$")) @shell-exec

; eval: a script engine's eval
(method_invocation
  object: (_) @_engine
  name: (identifier) @_fn
  (#eq? @_fn "eval")
  (#match? @_engine "(?i)engine")) @eval

; sql-string: a query call whose first argument is concatenated or String.format / .formatted
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
(object_creation_expression
  type: (_) @_type
  (#match? @_type "(^|\\.)(ObjectInputStream|XMLDecoder)$")) @deserialize-untrusted
(method_invocation
  name: (identifier) @_fn
  (#any-of? @_fn "readObject" "readUnshared")) @deserialize-untrusted
"##;
