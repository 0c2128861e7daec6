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
                "function_item" | "function_signature_item" | "mod_item" | "trait_item" | "struct_item" | "enum_item",
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
            (Lang::Python, "class_definition") => {
                node.child_by_field_name("name").is_some_and(|n| text(n).starts_with("Test"))
            }
            (Lang::Python, "decorated_definition") => {
                let mut cursor = node.walk();
                node.children(&mut cursor).any(|c| c.kind() == "decorator" && text(c).contains("pytest"))
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
            (Lang::Go, "function_declaration") => node.child_by_field_name("name").is_some_and(|n| {
                let name = text(n);
                ["Test", "Benchmark", "Fuzz", "Example"].iter().any(|p| name.starts_with(p))
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

fn go_receiver_type(receiver: &Node, src: &[u8]) -> Option<String> {
    let text = receiver.utf8_text(src).ok()?;
    let inner = text.trim_matches(|c| c == '(' || c == ')');
    let ty = inner.split_whitespace().last()?;
    Some(ty.trim_start_matches('*').split('[').next().unwrap_or(ty).to_string())
}

/// A string that is the first statement of a module, class or function body is documentation.
fn is_python_docstring(node: &Node) -> bool {
    if node.kind() != "expression_statement" || node.named_child_count() != 1 {
        return false;
    }
    let is_string = node.named_child(0).is_some_and(|c| c.kind() == "string");
    let first = node.parent().is_some_and(|p| {
        matches!(p.kind(), "module" | "block") && p.named_child(0).is_some_and(|f| f.id() == node.id())
    });
    is_string && first
}

/// The module path of a Rust file from its path: `src/auth/session.rs` is `auth::session`.
pub fn rust_module_path(path: &str) -> Vec<String> {
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
