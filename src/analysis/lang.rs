//! The languages flowgate reads with tree-sitter: which grammar a file takes, and what each
//! grammar calls a comment, an import, a definition and a test.

use tree_sitter::{Language, Node};

/// A language with a tree-sitter grammar. Adding one means a variant here, its grammar crate,
/// its extensions, and the node kinds below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
}

impl Lang {
    pub const ALL: [Lang; 7] =
        [Lang::Rust, Lang::Python, Lang::JavaScript, Lang::TypeScript, Lang::Tsx, Lang::Go, Lang::Java];

    /// The language's position in [`Lang::ALL`], for tables kept per language.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name a policy uses for the language (`queries: { rust: ... }`).
    pub fn id(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::Go => "go",
            Lang::Java => "java",
        }
    }

    pub fn from_id(id: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.id() == id)
    }

    /// The language of a path, by its extension; `None` keeps the file to path rules.
    pub fn for_path(path: &str) -> Option<Lang> {
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        Some(match ext.as_str() {
            "rs" => Lang::Rust,
            "py" | "pyi" => Lang::Python,
            "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
            "ts" | "mts" | "cts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            "go" => Lang::Go,
            "java" => Lang::Java,
            _ => return None,
        })
    }

    pub fn grammar(self) -> Language {
        match self {
            Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Go => tree_sitter_go::LANGUAGE.into(),
            Lang::Java => tree_sitter_java::LANGUAGE.into(),
        }
    }

    /// How qualified names are joined: `auth::session::verify` in Rust, `UserService.delete` elsewhere.
    pub fn separator(self) -> &'static str {
        if self == Lang::Rust { "::" } else { "." }
    }

    pub fn is_comment(self, node: &Node) -> bool {
        matches!(node.kind(), "comment" | "line_comment" | "block_comment")
            || (self == Lang::Python && is_python_docstring(node))
    }

    /// A node whose bounds the layout alone sets: a Python block is its indentation. Its start and
    /// end become tokens of their own, so that moving a line into or out of a block is a code change.
    pub fn is_layout_block(self, node: &Node) -> bool {
        self == Lang::Python && node.kind() == "block"
    }

    /// A node holding a list of statements where a line break can end a statement (Python's
    /// newlines, automatic semicolons in JavaScript, TypeScript and Go). Where each statement
    /// starts becomes a token, so that joining or splitting statements is a code change.
    pub fn is_statement_list(self, node: &Node) -> bool {
        let kinds: &[&str] = match self {
            Lang::Python => &["module", "block"],
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => {
                &["program", "statement_block", "switch_case", "switch_default", "class_body"]
            }
            Lang::Go => &["statement_list"],
            Lang::Rust | Lang::Java => &[],
        };
        kinds.contains(&node.kind())
    }

    /// Text the token stream keeps whole: a string's contents (whitespace inside a string is
    /// not layout) and character literals.
    pub fn is_string_text(self, node: &Node) -> bool {
        matches!(
            node.kind(),
            "string_content"
                | "string_fragment"
                | "multiline_string_fragment"
                | "interpreted_string_literal_content"
                | "raw_string_literal_content"
                | "char_literal"
                | "rune_literal"
                | "character_literal"
        )
    }

    /// The item an attribute is written on: `#[test]` belongs to the `fn` after it, so a change to
    /// the attribute is a change to that item (its context and symbol).
    pub fn attribute_target<'t>(self, node: &Node<'t>) -> Option<Node<'t>> {
        if self != Lang::Rust || node.kind() != "attribute_item" {
            return None;
        }
        let mut next = node.next_sibling();
        while let Some(n) = next {
            if !matches!(n.kind(), "attribute_item" | "line_comment" | "block_comment") {
                return Some(n);
            }
            next = n.next_sibling();
        }
        None
    }

    pub fn is_import(self, node: &Node) -> bool {
        let kinds: &[&str] = match self {
            Lang::Rust => &["use_declaration", "extern_crate_declaration"],
            Lang::Python => &["import_statement", "import_from_statement", "future_import_statement"],
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => &["import_statement"],
            Lang::Go => &["import_declaration"],
            Lang::Java => &["import_declaration"],
        };
        kinds.contains(&node.kind())
    }

    /// The name of a definition that qualifies the symbols inside it, or `None` when the node is
    /// not a definition.
    pub fn definition_name(self, node: &Node, src: &[u8]) -> Option<String> {
        let field = |name: &str| node.child_by_field_name(name).and_then(|n| n.utf8_text(src).ok()).map(String::from);
        match (self, node.kind()) {
            (
                Lang::Rust,
                "function_item"
                | "function_signature_item"
                | "mod_item"
                | "trait_item"
                | "struct_item"
                | "enum_item"
                | "union_item"
                | "const_item"
                | "static_item"
                | "type_item"
                | "macro_definition",
            ) => field("name"),
            // `impl Trait for Type` is named by the type: its methods are `Type::method`.
            (Lang::Rust, "impl_item") => node.child_by_field_name("type").and_then(|t| type_name(&t, src)),
            (Lang::Python, "function_definition" | "class_definition") => field("name"),
            (
                Lang::JavaScript | Lang::TypeScript | Lang::Tsx,
                "function_declaration"
                | "generator_function_declaration"
                | "class_declaration"
                | "method_definition"
                | "interface_declaration"
                | "abstract_class_declaration",
            ) => field("name"),
            // `const handler = () => ...` names the function it holds.
            (Lang::JavaScript | Lang::TypeScript | Lang::Tsx, "variable_declarator") => {
                let value = node.child_by_field_name("value")?;
                matches!(value.kind(), "arrow_function" | "function_expression" | "function" | "class")
                    .then(|| field("name"))
                    .flatten()
            }
            (Lang::Go, "function_declaration" | "type_spec") => field("name"),
            (Lang::Go, "method_declaration") => {
                let name = field("name")?;
                let receiver = node.child_by_field_name("receiver").and_then(|r| go_receiver_type(&r, src));
                Some(match receiver {
                    Some(t) => format!("{t}.{name}"),
                    None => name,
                })
            }
            (
                Lang::Java,
                "class_declaration"
                | "interface_declaration"
                | "enum_declaration"
                | "record_declaration"
                | "method_declaration"
                | "constructor_declaration",
            ) => field("name"),
            _ => None,
        }
    }

    /// Whether `node` is a test: a test function, a test module or class, or a test-framework
    /// block (`describe`/`it`/`test`). Everything inside it is test code.
    pub fn is_test(self, node: &Node, src: &[u8]) -> bool {
        let text = |n: Node| n.utf8_text(src).unwrap_or("");
        match (self, node.kind()) {
            (Lang::Rust, "function_item" | "mod_item") => rust_attributes(node, src).iter().any(|a| {
                let a: String = a.chars().filter(|c| !c.is_whitespace()).collect();
                a == "test"
                    || a.ends_with("::test")
                    || a == "cfg(test)"
                    || a.starts_with("test_case")
                    || a.ends_with("::test_case")
            }),
            (Lang::Python, "function_definition") => {
                node.child_by_field_name("name").is_some_and(|n| text(n).starts_with("test"))
            }
            // `class TestLogin:` and `class LoginTests(unittest.TestCase):`.
            (Lang::Python, "class_definition") => {
                node.child_by_field_name("name").is_some_and(|n| text(n).starts_with("Test"))
                    || node.child_by_field_name("superclasses").is_some_and(|s| text(s).contains("TestCase"))
            }
            // A pytest decorator, or any decorator on a test function or class.
            (Lang::Python, "decorated_definition") => {
                let mut cursor = node.walk();
                node.children(&mut cursor).any(|c| c.kind() == "decorator" && text(c).contains("pytest"))
                    || node.child_by_field_name("definition").is_some_and(|d| self.is_test(&d, src))
            }
            // `it("works", () => { ... });` with its semicolon.
            (Lang::JavaScript | Lang::TypeScript | Lang::Tsx, "expression_statement") => {
                node.named_child(0).is_some_and(|c| c.kind() == "call_expression" && self.is_test(&c, src))
            }
            (Lang::JavaScript | Lang::TypeScript | Lang::Tsx, "call_expression") => {
                node.child_by_field_name("function").is_some_and(|f| {
                    let callee = text(f);
                    let head = callee.split(['.', '(']).next().unwrap_or("");
                    matches!(
                        head,
                        "describe" | "it" | "test" | "beforeEach" | "afterEach" | "beforeAll" | "afterAll" | "suite"
                    )
                })
            }
            // `go test`'s rule: `TestXxx` where the rest does not start with a lower-case letter
            // (`Testify` is not a test).
            (Lang::Go, "function_declaration") => node.child_by_field_name("name").is_some_and(|n| {
                let name = text(n);
                ["Test", "Benchmark", "Fuzz", "Example"]
                    .iter()
                    .any(|p| name.strip_prefix(p).is_some_and(|rest| !rest.starts_with(|c: char| c.is_lowercase())))
            }),
            (Lang::Java, "method_declaration" | "class_declaration") => {
                let mut cursor = node.walk();
                node.children(&mut cursor).filter(|c| c.kind() == "modifiers").any(|m| {
                    let mut c2 = m.walk();
                    m.children(&mut c2).filter(|a| matches!(a.kind(), "marker_annotation" | "annotation")).any(|a| {
                        let name = a.child_by_field_name("name").map(text).unwrap_or("");
                        let name = name.rsplit('.').next().unwrap_or(name);
                        matches!(
                            name,
                            "Test"
                                | "ParameterizedTest"
                                | "RepeatedTest"
                                | "TestFactory"
                                | "Nested"
                                | "BeforeEach"
                                | "AfterEach"
                                | "BeforeAll"
                                | "AfterAll"
                        )
                    })
                })
            }
            _ => false,
        }
    }

    /// Whether the file is test code by where it lives, by each ecosystem's convention: Go's
    /// `_test.go` files, Maven and Gradle's `src/test/`, Python's `test_*.py`, `*_test.py`,
    /// `conftest.py` and `tests/` directories, JavaScript's `*.test.*`, `*.spec.*` and
    /// `__tests__/`, and a Rust crate's `tests/` directory. Everything in such a file but its
    /// imports is test code (its package clause, helpers and class shells too).
    pub fn is_test_path(self, path: &str) -> bool {
        let path = path.replace('\\', "/");
        let parts: Vec<&str> = path.split('/').collect();
        let name = parts.last().copied().unwrap_or("");
        let dirs = &parts[..parts.len().saturating_sub(1)];
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        match self {
            Lang::Go => name.ends_with("_test.go"),
            Lang::Java => dirs.windows(2).any(|w| w == ["src", "test"]),
            Lang::Python => {
                stem.starts_with("test_")
                    || stem.ends_with("_test")
                    || name == "conftest.py"
                    || dirs.iter().any(|d| matches!(*d, "tests" | "test"))
            }
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => {
                let inner = stem.rsplit_once('.').map(|(_, kind)| kind);
                matches!(inner, Some("test" | "spec")) || dirs.contains(&"__tests__")
            }
            // `tests/` beside a crate's `src/`, not a `tests` module inside `src/`.
            Lang::Rust => dirs.iter().position(|d| *d == "tests").is_some_and(|i| !dirs[..i].contains(&"src")),
        }
    }
}

/// The attributes written just before a Rust item (`#[test]`, `#[cfg(test)]`), as their inner text.
fn rust_attributes(node: &Node, src: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev = node.prev_sibling();
    while let Some(p) = prev {
        match p.kind() {
            "attribute_item" => {
                let text = p.utf8_text(src).unwrap_or("");
                out.push(text.trim_start_matches("#[").trim_end_matches(']').to_string());
            }
            "line_comment" | "block_comment" => {}
            _ => break,
        }
        prev = p.prev_sibling();
    }
    out
}

fn type_name(node: &Node, src: &[u8]) -> Option<String> {
    // `Session<T>` is named `Session`; `crate::a::Session` is named `Session`.
    let text = node.utf8_text(src).ok()?;
    let base = text.split('<').next().unwrap_or(text);
    Some(base.rsplit("::").next().unwrap_or(base).trim().to_string())
}

/// The type a Go method's receiver names: `(s *Server)`, `(Server)` and `(s *Server[K, V])` are
/// all `Server`.
fn go_receiver_type(receiver: &Node, src: &[u8]) -> Option<String> {
    let mut cursor = receiver.walk();
    let param = receiver.named_children(&mut cursor).find(|c| c.kind() == "parameter_declaration")?;
    let mut ty = param.child_by_field_name("type")?;
    loop {
        ty = match ty.kind() {
            "pointer_type" | "parenthesized_type" => ty.named_child(0)?,
            "generic_type" => ty.child_by_field_name("type")?,
            _ => break,
        };
    }
    Some(ty.utf8_text(src).ok()?.to_string())
}

/// A string that is the first statement of a module, class or function body is documentation
/// (comments before it, such as a `#!` line or a licence header, do not count; an f-string with
/// substitutions is code).
fn is_python_docstring(node: &Node) -> bool {
    if node.kind() != "expression_statement" || node.named_child_count() != 1 {
        return false;
    }
    // An f-string runs the code it interpolates: that is not documentation.
    let is_string = node.named_child(0).is_some_and(|c| {
        let mut cursor = c.walk();
        c.kind() == "string" && !c.named_children(&mut cursor).any(|p| p.kind() == "interpolation")
    });
    let first = || {
        node.parent().is_some_and(|p| {
            let mut cursor = p.walk();
            matches!(p.kind(), "module" | "block")
                && p.named_children(&mut cursor).find(|c| c.kind() != "comment").is_some_and(|f| f.id() == node.id())
        })
    };
    is_string && first()
}

/// The module path of a Rust file from its path: `src/auth/session.rs` is `auth::session`.
pub(crate) fn rust_module_path(path: &str) -> Vec<String> {
    let path = path.strip_suffix(".rs").unwrap_or(path);
    let mut parts: Vec<&str> = path.split('/').collect();
    if let Some(i) = parts.iter().rposition(|p| *p == "src") {
        parts.drain(..=i);
    } else if parts.len() > 1 {
        parts.drain(..parts.len() - 1);
    }
    if matches!(parts.last(), Some(&"mod") | Some(&"lib") | Some(&"main")) {
        parts.pop();
    }
    parts.into_iter().filter(|p| !p.is_empty()).map(String::from).collect()
}
