//! Java: change kinds, class-qualified symbols, `@Test` methods, and the detectors.

use super::support::*;
use crate::analysis::ChangeKind;

const PATH: &str = "src/main/java/com/example/users/UserService.java";

const BASE: &str = r#"package com.example.users;

import java.util.List;
import java.util.Optional;

public class UserService {
    private final Db db;

    public UserService(Db db) {
        this.db = db;
    }

    // Deletes a user.
    public boolean delete(String id) {
        int removed = db.update("DELETE FROM users WHERE id = ?", id);
        return removed > 0;
    }

    static class Cache {
        int size() {
            return 0;
        }
    }
}
"#;

/// Statements added here go inside `UserService.delete`, from line 16.
const IN_FN: usize = 15;
/// Imports added here come from line 5.
const IMPORTS: usize = 4;

const TEST_PATH: &str = "src/test/java/com/example/users/UserServiceTest.java";

const TESTS: &str = r#"package com.example.users;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UserServiceTest {
    @Test
    void deletes() {
        assertTrue(new UserService(new FakeDb()).delete("1"));
    }

    @org.junit.jupiter.api.BeforeEach
    void setUp() {
        FakeDb.reset();
    }
}
"#;

fn indented(code: &str) -> String {
    code.lines().map(|l| format!("        {l}")).collect::<Vec<_>>().join("\n")
}

#[test]
fn comment_only_changes_are_comments() {
    each_is(
        PATH,
        BASE,
        ChangeKind::Comments,
        &[
            ("// Deletes a user.", "// Deletes a user by id."),
            ("// Deletes a user.", "/**\n     * Deletes a user.\n     * @param id the user\n     */"),
            ("        return removed > 0;", "        // Any row counts.\n        return removed > 0;"),
        ],
    );
}

#[test]
fn layout_only_changes_are_formatting() {
    each_is(
        PATH,
        BASE,
        ChangeKind::Formatting,
        &[
            ("return removed > 0;", "return removed>0;"),
            ("    public boolean delete(String id) {", "    public boolean delete(String id)\n    {"),
            ("        int size() {\n            return 0;\n        }", "        int size() { return 0; }"),
        ],
    );
    assert_eq!(kind(PATH, BASE, &BASE.replace("    ", "\t")), ChangeKind::Formatting);
}

#[test]
fn whitespace_inside_a_string_is_code() {
    let a = change(PATH, BASE, "\"DELETE FROM users WHERE id = ?\"", "\"DELETE FROM users WHERE id = ? \"");
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["UserService.delete"]));
}

#[test]
fn import_changes_are_imports() {
    for head in [
        insert_lines(BASE, IMPORTS, "import java.util.Map;"),
        edit(BASE, "import java.util.List;\n", ""),
        insert_lines(BASE, IMPORTS, "import static java.util.Objects.requireNonNull;\nimport java.util.concurrent.*;"),
    ] {
        let a = analyze(PATH, BASE, &head);
        assert_eq!(a.change, ChangeKind::Imports, "{head}");
        assert!(a.symbols.is_empty());
    }
}

#[test]
fn test_changes_are_tests() {
    let a = change(TEST_PATH, TESTS, "delete(\"1\")", "delete(\"2\")");
    assert_eq!(a.change, ChangeKind::Tests);
    assert_eq!(a.symbols, strings(&["UserServiceTest.deletes"]));
    let a = change(TEST_PATH, TESTS, "FakeDb.reset();", "FakeDb.reset(true);");
    assert_eq!(a.change, ChangeKind::Tests);
    assert_eq!(a.symbols, strings(&["UserServiceTest.setUp"]));
    let a = adding(
        TEST_PATH,
        TESTS,
        16,
        "\n    @ParameterizedTest\n    @ValueSource(strings = {\"a\", \"b\"})\n    void deletesMany(String id) {\n        assertTrue(id.length() > 0);\n    }",
    );
    assert_eq!(a.change, ChangeKind::Tests, "{a:?}");
    let a = adding(TEST_PATH, TESTS, 16, "\n    @Nested\n    class WhenEmpty {\n        void helper() {}\n    }");
    assert_eq!(a.change, ChangeKind::Tests, "{a:?}");
    // Under `src/test/` helpers and whole new test classes are test code.
    let a = adding(TEST_PATH, TESTS, 16, "\n    private FakeDb db() {\n        return new FakeDb();\n    }");
    assert_eq!(a.change, ChangeKind::Tests, "{a:?}");
    assert_eq!(versions(TEST_PATH, None, Some(TESTS)).change, ChangeKind::Tests);
    // Outside it, only annotated methods are.
    let prod = "src/main/java/com/example/users/Checks.java";
    assert_eq!(adding(prod, TESTS, 16, "\n    @Test\n    void more() {}").change, ChangeKind::Tests);
    assert_eq!(adding(prod, TESTS, 16, "\n    void more() {}").change, ChangeKind::Code);
}

#[test]
fn code_changes_name_the_qualified_symbols() {
    each_names(
        PATH,
        BASE,
        &[
            ("return removed > 0;", "return removed >= 0;", "UserService.delete"),
            ("this.db = db;", "this.db = java.util.Objects.requireNonNull(db);", "UserService.UserService"),
            ("return 0;", "return 1;", "UserService.Cache.size"),
            ("private final Db db;", "private Db db;", "UserService"),
        ],
    );
    // Interfaces, enums and records name their members too.
    let base = "interface Repo {\n    default int size() {\n        return 0;\n    }\n}\nenum Kind {\n    A;\n    int weight() {\n        return 1;\n    }\n}\nrecord Point(int x, int y) {\n    int sum() {\n        return x + y;\n    }\n}\n";
    let head = base.replace("return 0;", "return -1;").replace("return 1;", "return 2;").replace("x + y", "x - y");
    assert_eq!(
        analyze("src/main/java/Repo.java", base, &head).symbols,
        strings(&["Repo.size", "Kind.weight", "Point.sum"])
    );
}

#[test]
fn added_and_removed_files() {
    let a = versions(PATH, None, Some(BASE));
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(
        a.symbols,
        strings(&[
            "UserService",
            "UserService.UserService",
            "UserService.delete",
            "UserService.Cache",
            "UserService.Cache.size"
        ])
    );
    let a = versions(PATH, Some(BASE), None);
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty());
}

#[test]
fn a_file_that_does_not_parse_still_gets_an_answer() {
    let a = analyze(PATH, BASE, "public class { void ((( @@ } extends implements ;;");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.syntax_errors);
}

#[test]
fn patches_are_read_by_their_sides() {
    let comment = "@@ -12,3 +12,3 @@ public class UserService {\n \n-    // Deletes a user.\n+    // Deletes a user by id.\n     public boolean delete(String id) {\n";
    assert_eq!(patched(PATH, comment).change, ChangeKind::Comments);
    let code = "@@ -14,4 +14,4 @@ public class UserService {\n     public boolean delete(String id) {\n         int removed = db.update(\"DELETE FROM users WHERE id = ?\", id);\n-        return removed > 0;\n+        return removed >= 0;\n     }\n";
    let a = patched(PATH, code);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["delete"]));
}

#[test]
fn findings_count_only_where_the_change_is() {
    let base = edit(
        BASE,
        "            return 0;\n",
        "            Runtime.getRuntime().exec(\"sync\");\n            return 0;\n",
    );
    let a = change(PATH, &base, "return removed > 0;", "return removed != 0;");
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let a = change(PATH, &base, "exec(\"sync\")", "exec(command)");
    assert_eq!(found(&a, "shell-exec"), vec![(21, "Runtime.getRuntime().exec(command)".to_string())]);
}

#[test]
fn process_spawning_is_found() {
    let d = "shell-exec";
    for (code, symbol) in [
        ("Process p = Runtime.getRuntime().exec(cmd);", "Runtime.getRuntime().exec(cmd)"),
        ("Process p = new ProcessBuilder(\"sh\", \"-c\", cmd).start();", "new ProcessBuilder(\"sh\", \"-c\", cmd)"),
        ("var pb = new java.lang.ProcessBuilder(args);", "new java.lang.ProcessBuilder(args)"),
    ] {
        finds(PATH, BASE, IN_FN, &indented(code), d, &[(16, symbol)]);
    }
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        &indented(
            "executor.exec(task);\nexecSummary();\nString s = \"Runtime.getRuntime().exec(x)\";\n// new ProcessBuilder(cmd)\nvar f = new ProcessBuilderFactory();",
        ),
    );
}

#[test]
fn script_evaluation_is_found() {
    let d = "eval";
    finds(PATH, BASE, IN_FN, &indented("Object v = engine.eval(script);"), d, &[(16, "engine.eval(script)")]);
    finds(
        PATH,
        BASE,
        IN_FN,
        &indented("Object v = new ScriptEngineManager().getEngineByName(\"js\").eval(src);"),
        d,
        &[(16, "new ScriptEngineManager().getEngineByName(\"js\").eval(src)")],
    );
    finds_nothing(PATH, BASE, IN_FN, &indented("int evalScore = evaluator.eval(x);\nmodel.evaluate();"));
}

#[test]
fn sql_built_from_strings_is_found() {
    let d = "sql-string";
    for call in [
        "stmt.executeQuery(\"SELECT * FROM users WHERE id = '\" + id + \"'\")",
        "conn.prepareStatement(String.format(\"DELETE FROM %s\", table))",
        "em.createQuery(\"FROM User WHERE name = '%s'\".formatted(name))",
        "em.createNativeQuery(\"SELECT \" + columns + \" FROM t\")",
        "stmt.executeUpdate(\"DELETE FROM t WHERE id = \" + id)",
    ] {
        finds(PATH, BASE, IN_FN, &indented(&format!("var r = {call};")), d, &[(16, call)]);
    }
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        &indented(
            "var p = conn.prepareStatement(\"SELECT * FROM users WHERE id = ?\");\nvar r = stmt.executeQuery(sql);\nplanner.executePlan(\"a\" + b);\nlog.info(\"deleted \" + id);\nvar s = String.format(\"SELECT %s\", x);",
        ),
    );
}

#[test]
fn cryptography_is_found() {
    let d = "crypto";
    finds(PATH, BASE, IMPORTS, "import javax.crypto.Cipher;", d, &[(5, "import javax.crypto.Cipher;")]);
    finds(PATH, BASE, IMPORTS, "import javax.crypto.spec.*;", d, &[(5, "import javax.crypto.spec.*;")]);
    for (code, symbol) in [
        ("MessageDigest md = MessageDigest.getInstance(\"SHA-256\");", "MessageDigest.getInstance(\"SHA-256\")"),
        ("Cipher c = Cipher.getInstance(\"AES/GCM/NoPadding\");", "Cipher.getInstance(\"AES/GCM/NoPadding\")"),
        ("KeyGenerator kg = KeyGenerator.getInstance(\"AES\");", "KeyGenerator.getInstance(\"AES\")"),
        ("Mac mac = Mac.getInstance(\"HmacSHA256\");", "Mac.getInstance(\"HmacSHA256\")"),
        ("SecureRandom rng = new SecureRandom();", "new SecureRandom()"),
    ] {
        finds(PATH, BASE, IN_FN, &indented(code), d, &[(16, symbol)]);
    }
    finds_nothing(
        PATH,
        BASE,
        IMPORTS,
        "import java.util.concurrent.atomic.AtomicLong;\nimport com.example.cryptonotes.Note;",
    );
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        &indented("Random r = new Random();\nint n = cipherText.length();\nvar d = Digest.getInstance();"),
    );
}

#[test]
fn untrusted_deserialisation_is_found() {
    let d = "deserialize-untrusted";
    for (code, symbol) in [
        ("Object o = new ObjectInputStream(in).readObject();", "new ObjectInputStream(in)"),
        ("Object o = ois.readObject();", "ois.readObject()"),
        ("XMLDecoder x = new XMLDecoder(stream);", "new XMLDecoder(stream)"),
    ] {
        finds(PATH, BASE, IN_FN, &indented(code), d, &[(16, symbol)]);
    }
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        &indented(
            "User u = mapper.readValue(json, User.class);\nvar out = new ObjectOutputStream(os);\nreadObjectives();",
        ),
    );
}
