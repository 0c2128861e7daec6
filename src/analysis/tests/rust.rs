//! Rust: change kinds, symbols qualified by module path and type, and the detectors.

use super::support::*;
use crate::analysis::ChangeKind;

const PATH: &str = "src/auth/session.rs";

const BASE: &str = r#"//! Sessions: issuing and verifying them.

use std::collections::HashMap;
use std::time::Duration;

pub mod tokens {
    pub fn issue(user: &str) -> String {
        format!("t-{user}")
    }
}

pub struct Session {
    user: String,
    ttl: Duration,
}

impl Session {
    /// Whether the session is still valid.
    pub fn verify(&self, now: u64) -> bool {
        // Expired sessions are rejected.
        now < self.ttl.as_secs()
    }

    pub fn user(&self) -> &str {
        &self.user
    }
}

impl std::fmt::Display for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.user)
    }
}

pub fn audit(events: &HashMap<String, u64>) -> usize {
    events.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies() {
        assert_eq!(1 + 1, 2);
    }
}
"#;

/// Statements added here go inside `audit`, from line 36.
const IN_FN: usize = 35;
/// Items added here go after `audit`, from line 38.
const TOP: usize = 37;

#[test]
fn comment_only_changes_are_comments() {
    for (from, to) in [
        ("// Expired sessions are rejected.", "// Expired or revoked sessions are rejected."),
        ("/// Whether the session is still valid.", "/// Whether the session is still valid, by its TTL."),
        ("//! Sessions: issuing and verifying them.", "//! Sessions."),
        ("    events.len()\n", "    /* every event counts */ events.len()\n"),
    ] {
        let a = change(PATH, BASE, from, to);
        assert_eq!(a.change, ChangeKind::Comments, "{to}");
        assert!(a.symbols.is_empty());
        assert_eq!(a.changed_tokens, 0);
    }
}

#[test]
fn layout_only_changes_are_formatting() {
    for (from, to) in [
        ("now < self.ttl.as_secs()", "now<self.ttl.as_secs( )"),
        (
            "    pub fn user(&self) -> &str {\n        &self.user\n    }",
            "    pub fn user(&self) -> &str { &self.user }",
        ),
        ("pub struct Session {\n    user: String,", "pub struct Session {\n\n\n        user:    String,"),
        (
            "write!(f, \"{}\", self.user)",
            "write!(\n            f,\n            \"{}\",\n            self.user\n        )",
        ),
    ] {
        let a = change(PATH, BASE, from, to);
        assert_eq!(a.change, ChangeKind::Formatting, "{to}");
        assert!(a.symbols.is_empty() && a.findings.is_empty());
    }
    // Tabs for spaces everywhere.
    assert_eq!(kind(PATH, BASE, &BASE.replace("    ", "\t")), ChangeKind::Formatting);
}

#[test]
fn whitespace_inside_a_string_is_code() {
    let a = change(PATH, BASE, r#"format!("t-{user}")"#, r#"format!("t- {user}")"#);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["auth::session::tokens::issue"]));
}

#[test]
fn use_changes_are_imports() {
    let a = change(PATH, BASE, "use std::time::Duration;\n", "use std::time::Duration;\nuse std::sync::Arc;\n");
    assert_eq!(a.change, ChangeKind::Imports);
    assert!(a.symbols.is_empty());
    assert_eq!(kind(PATH, BASE, &edit(BASE, "use std::collections::HashMap;\n", "")), ChangeKind::Imports);
    assert_eq!(
        kind(PATH, BASE, &edit(BASE, "use std::collections::HashMap;", "use std::collections::{BTreeMap, HashMap};")),
        ChangeKind::Imports
    );
    assert_eq!(kind(PATH, BASE, &insert_lines(BASE, 2, "extern crate alloc;")), ChangeKind::Imports);
}

#[test]
fn test_changes_are_tests() {
    // Inside the `#[cfg(test)]` module.
    let a = change(PATH, BASE, "assert_eq!(1 + 1, 2);", "assert_eq!(2 + 2, 4);");
    assert_eq!(a.change, ChangeKind::Tests);
    assert_eq!(a.symbols, strings(&["auth::session::tests::verifies"]));
    // A new test function in it, and a new `use` in it.
    let a = adding(PATH, BASE, 46, "\n    #[test]\n    fn rejects() {\n        assert!(!false);\n    }");
    assert_eq!(a.change, ChangeKind::Tests, "{a:?}");
    assert_eq!(a.symbols, strings(&["auth::session::tests::rejects"]));
    assert_eq!(kind(PATH, BASE, &insert_lines(BASE, 41, "    use std::sync::Arc;")), ChangeKind::Tests);
    // A `#[test]` function outside any test module, attributes and all.
    for attrs in ["#[test]", "#[tokio::test]", "#[test]\n#[should_panic(expected = \"boom\")]", "/// Checks.\n#[test]"]
    {
        let a = adding(PATH, BASE, TOP, &format!("\n{attrs}\nfn standalone() {{\n    assert!(true);\n}}"));
        assert_eq!(a.change, ChangeKind::Tests, "{attrs}: {a:?}");
        assert_eq!(a.symbols, strings(&["auth::session::standalone"]), "{attrs}");
    }
    // Marking an existing test ignored is a test change.
    assert_eq!(kind(PATH, BASE, &edit(BASE, "    #[test]\n", "    #[test]\n    #[ignore]\n")), ChangeKind::Tests);
}

#[test]
fn code_changes_name_the_qualified_symbols() {
    let a = change(PATH, BASE, "now < self.ttl", "now <= self.ttl");
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["auth::session::Session::verify"]));
    assert!(a.changed_tokens >= 2);
    for (from, to, symbol) in [
        (r#"format!("t-{user}")"#, r#"format!("s-{user}")"#, "auth::session::tokens::issue"),
        (r#"write!(f, "{}", self.user)"#, r#"write!(f, "<{}>", self.user)"#, "auth::session::Session::fmt"),
        ("    events.len()", "    events.len() + 1", "auth::session::audit"),
        ("    ttl: Duration,", "    ttl: Duration,\n    ip: String,", "auth::session::Session"),
    ] {
        assert_eq!(change(PATH, BASE, from, to).symbols, strings(&[symbol]), "{to}");
    }
    // Several changes: every symbol once, in source order.
    let head = edit(&edit(BASE, "now < self.ttl", "now <= self.ttl"), "    events.len()", "    events.len() * 2");
    let head = edit(&head, "&self.user\n", "self.user.as_str()\n");
    let a = analyze(PATH, BASE, &head);
    assert_eq!(
        a.symbols,
        strings(&["auth::session::Session::verify", "auth::session::Session::user", "auth::session::audit"])
    );
    // Code and tests together are code.
    let head = edit(&edit(BASE, "now < self.ttl", "now <= self.ttl"), "1 + 1, 2", "2 + 2, 4");
    let a = analyze(PATH, BASE, &head);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["auth::session::Session::verify", "auth::session::tests::verifies"]));
}

#[test]
fn an_attribute_belongs_to_the_item_it_is_on() {
    let a = change(PATH, BASE, "    pub fn verify(", "    #[inline]\n    pub fn verify(");
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["auth::session::Session::verify"]));
}

#[test]
fn the_module_path_comes_from_the_file_path() {
    let base = "mod inner {\n    pub fn f() -> u8 {\n        1\n    }\n}\n";
    let head = base.replace("1\n", "2\n");
    for (path, symbol) in [
        ("src/auth/mod.rs", "auth::inner::f"),
        ("src/lib.rs", "inner::f"),
        ("src/main.rs", "inner::f"),
        ("crates/core/src/store/disk.rs", "store::disk::inner::f"),
        ("build.rs", "build::inner::f"),
    ] {
        assert_eq!(analyze(path, base, &head).symbols, strings(&[symbol]), "{path}");
    }
}

#[test]
fn added_and_removed_files() {
    let a = versions(PATH, None, Some(BASE));
    assert_eq!(a.change, ChangeKind::Code);
    for s in ["auth::session::tokens::issue", "auth::session::Session::verify", "auth::session::tests::verifies"] {
        assert!(a.symbols.contains(&s.to_string()), "{s}: {:?}", a.symbols);
    }
    let a = versions(PATH, Some(BASE), None);
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.symbols.contains(&"auth::session::audit".to_string()));
    assert!(a.findings.is_empty());
    // A new file of imports only, a removed file of tests only.
    assert_eq!(versions(PATH, None, Some("use std::io;\nuse std::fs;\n")).change, ChangeKind::Imports);
    let tests = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n";
    assert_eq!(versions("src/a.rs", Some(tests), None).change, ChangeKind::Tests);
    // A new file with an unsafe block reports it.
    let a = versions("src/raw.rs", None, Some("pub fn f(p: *const u8) -> u8 {\n    unsafe { *p }\n}\n"));
    assert_eq!(found(&a, "unsafe"), vec![(2, "unsafe { *p }".to_string())]);
}

#[test]
fn a_file_that_does_not_parse_still_gets_an_answer() {
    let garbage = "fn (((( {{{ ]]] impl for for < > ;; unsafe {\n";
    let a = analyze(PATH, BASE, garbage);
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.syntax_errors);
    let a = analyze(PATH, garbage, &format!("{garbage}}}"));
    assert!(a.syntax_errors);
}

#[test]
fn patches_are_read_by_their_sides() {
    let comment = "@@ -18,5 +18,5 @@ impl Session {\n     /// Whether the session is still valid.\n     pub fn verify(&self, now: u64) -> bool {\n-        // Expired sessions are rejected.\n+        // Expired or revoked sessions are rejected.\n         now < self.ttl.as_secs()\n     }\n";
    let a = patched(PATH, comment);
    assert_eq!(a.change, ChangeKind::Comments);
    let code = comment.replace("+        // Expired or revoked", "+        // Expired").replace(
        "         now < self.ttl.as_secs()\n",
        "-        now < self.ttl.as_secs()\n+        now <= self.ttl.as_secs()\n",
    );
    let a = patched(PATH, &code);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["auth::session::verify"]));
}

// Detectors.

#[test]
fn unsafe_blocks_functions_and_impls_are_found() {
    finds(
        PATH,
        BASE,
        IN_FN,
        "    let first = unsafe { *events.as_ptr() };",
        "unsafe",
        &[(36, "unsafe { *events.as_ptr() }")],
    );
    finds(
        PATH,
        BASE,
        TOP,
        "\npub unsafe fn raw(p: *const u8) -> u8 {\n    *p\n}",
        "unsafe",
        &[(39, "pub unsafe fn raw(p: *const u8) -> u8 {")],
    );
    finds(PATH, BASE, TOP, "\nunsafe impl Send for Session {}", "unsafe", &[(39, "unsafe impl Send for Session {}")]);
    finds(PATH, BASE, TOP, "\npub unsafe trait Raw {}", "unsafe", &[(39, "pub unsafe trait Raw {}")]);
    // A block inside an unsafe function: both.
    finds(
        PATH,
        BASE,
        TOP,
        "unsafe fn both(p: *const u8) -> u8 {\n    unsafe { *p }\n}",
        "unsafe",
        &[(38, "unsafe fn both(p: *const u8) -> u8 {"), (39, "unsafe { *p }")],
    );
    // Look-alikes.
    finds_nothing(PATH, BASE, IN_FN, "    // unsafe { danger() }\n    let unsafe_count = \"unsafe { }\";");
    finds_nothing(PATH, BASE, TOP, "pub fn unsafe_free() {}\n/// Not `unsafe fn`.\npub fn safe() {}");
}

#[test]
fn changing_code_inside_an_existing_unsafe_block_is_found() {
    let base = edit(BASE, "    events.len()\n", "    let n = unsafe { events.len() };\n    n\n");
    let a = change(PATH, &base, "unsafe { events.len() }", "unsafe { events.len() + 1 }");
    assert_eq!(found(&a, "unsafe"), vec![(36, "unsafe { events.len() + 1 }".to_string())]);
}

#[test]
fn process_spawning_is_found() {
    let d = "shell-exec";
    finds(
        PATH,
        BASE,
        IN_FN,
        "    let out = std::process::Command::new(\"sh\").arg(\"-c\").output();",
        d,
        &[(36, "std::process::Command::new")],
    );
    finds(PATH, BASE, IN_FN, "    let status = Command::new(\"ls\").status();", d, &[(36, "Command::new")]);
    finds(
        PATH,
        BASE,
        IN_FN,
        "    let child = tokio::process::Command::new(cmd);",
        d,
        &[(36, "tokio::process::Command::new")],
    );
    // Look-alikes: clap's Command, other `new`s, names and strings.
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        "    let app = clap::Command::new(\"app\");\n    let c = Commander::new();\n    exec_summary();\n    let s = \"Command::new\";\n    // Command::new(\"rm\")",
    );
}

#[test]
fn findings_count_only_where_the_change_is() {
    let base = edit(BASE, "    events.len()\n", "    let _ = Command::new(\"ls\").status();\n    events.len()\n");
    // Another line changes: the old call is not this change's risk.
    let a = change(PATH, &base, "now < self.ttl", "now <= self.ttl");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    // Changing the call's argument is.
    let a = change(PATH, &base, "Command::new(\"ls\")", "Command::new(user_command)");
    assert_eq!(found(&a, "shell-exec"), vec![(36, "Command::new".to_string())]);
}

#[test]
fn rust_has_no_eval() {
    finds_nothing(PATH, BASE, IN_FN, "    let v = eval(\"1 + 1\");\n    let w = js.eval(src);");
}

#[test]
fn sql_built_by_format_or_concatenation_is_found() {
    let d = "sql-string";
    finds(
        PATH,
        BASE,
        IN_FN,
        "    let q = sqlx::query(&format!(\"SELECT * FROM users WHERE name = '{}'\", name));",
        d,
        &[(36, "sqlx::query(&format!(\"SELECT * FROM users WHERE name = '{}'\", name))")],
    );
    finds(
        PATH,
        BASE,
        IN_FN,
        "    conn.execute(&format!(\"DELETE FROM t WHERE id = {id}\"), [])?;",
        d,
        &[(36, "conn.execute(&format!(\"DELETE FROM t WHERE id = {id}\"), [])")],
    );
    finds(
        PATH,
        BASE,
        IN_FN,
        "    let rows = sqlx::query_as::<_, User>(&format!(\"SELECT * FROM {table}\"))\n        .fetch_all(&pool);",
        d,
        &[(36, "sqlx::query_as::<_, User>(&format!(\"SELECT * FROM {table}\"))")],
    );
    finds(
        PATH,
        BASE,
        IN_FN,
        "    diesel::sql_query(format!(\"DROP TABLE {}\", t).as_str());",
        d,
        &[(36, "diesel::sql_query(format!(\"DROP TABLE {}\", t).as_str())")],
    );
    finds(
        PATH,
        BASE,
        IN_FN,
        "    client.query(\"SELECT * FROM t WHERE id = \".to_owned() + &id, &[]);",
        d,
        &[(36, "client.query(\"SELECT * FROM t WHERE id = \".to_owned() + &id, &[])")],
    );
    // Parameterised queries, literal queries, checked macros and look-alike names do not.
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        "    let q = sqlx::query(\"SELECT * FROM users WHERE id = $1\").bind(id);\n    conn.execute(\"DELETE FROM t WHERE id = ?1\", [id]);\n    let r = sqlx::query!(\"SELECT 1\");\n    planner.execute_plan(format!(\"{}\", x));\n    let s = format!(\"SELECT {}\", x);",
    );
}

#[test]
fn crypto_crates_are_found() {
    let d = "crypto";
    finds(PATH, BASE, 4, "use ring::digest;", d, &[(5, "use ring::digest;")]);
    finds(PATH, BASE, 4, "use openssl::{rsa::Rsa, sha::sha256};", d, &[(5, "use openssl::{rsa::Rsa, sha::sha256};")]);
    finds(PATH, BASE, 4, "use ed25519_dalek::SigningKey as Key;", d, &[(5, "use ed25519_dalek::SigningKey as Key;")]);
    finds(PATH, BASE, IN_FN, "    let d = sha2::Sha256::digest(b\"x\");", d, &[(36, "sha2::Sha256::digest")]);
    finds(
        PATH,
        BASE,
        IN_FN,
        "    let rng = ::ring::rand::SystemRandom::new();",
        d,
        &[(36, "::ring::rand::SystemRandom::new")],
    );
    // Crates whose names only start the same way, and the standard library's hashing, do not.
    finds_nothing(
        PATH,
        BASE,
        4,
        "use std::hash::Hasher;\nuse ringbuf::Ring;\nuse sha2_shim::Digest;\nuse crate::rsa_notes::Note;",
    );
    finds_nothing(PATH, BASE, IN_FN, "    let h = hasher::sha2(b\"x\");\n    let r = ringtone::play();");
}

#[test]
fn untrusted_deserialisation_is_found() {
    let d = "deserialize-untrusted";
    finds(
        PATH,
        BASE,
        IN_FN,
        "    let v: Vec<u8> = bincode::deserialize(&bytes).unwrap();",
        d,
        &[(36, "bincode::deserialize")],
    );
    finds(
        PATH,
        BASE,
        IN_FN,
        "    let v = serde_pickle::from_slice(&bytes, Default::default());",
        d,
        &[(36, "serde_pickle::from_slice")],
    );
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        "    let v: Value = serde_json::from_slice(&bytes)?;\n    let b = bincode::serialize(&v)?;",
    );
}
