//! JavaScript: change kinds, class-method and arrow-function symbols, describe/it tests, and the
//! detectors (which TypeScript and TSX share: `check_detectors` runs for each).

use super::support::*;
use crate::analysis::ChangeKind;

const PATH: &str = "src/services/users.js";

const BASE: &str = r#"import { db } from "./db.js";
import path from "node:path";

// Users and their sessions.
export class UserService {
  constructor(store) {
    this.store = store;
  }

  delete(id) {
    const removed = this.store.remove(id);
    return removed;
  }
}

export const handler = async (event) => {
  return { status: 200, body: event.body };
};

function helper(x) {
  return x * 2;
}
"#;

const TEST_PATH: &str = "src/services/users.test.js";

const TESTS: &str = r#"import { UserService } from "./users.js";

describe("UserService", () => {
  beforeEach(() => {
    jest.resetAllMocks();
  });

  it("deletes", () => {
    expect(new UserService(store).delete(1)).toBe(true);
  });

  test.each([1, 2])("finds %i", (id) => {
    expect(id).toBeGreaterThan(0);
  });
});
"#;

#[test]
fn comment_only_changes_are_comments() {
    each_is(
        PATH,
        BASE,
        ChangeKind::Comments,
        &[
            ("// Users and their sessions.", "// Users, and the sessions they hold."),
            ("// Users and their sessions.", "/**\n * Users and their sessions.\n * @class\n */"),
            ("    return removed;", "    // The count, not the rows.\n    return removed;"),
            ("  return x * 2;", "  return x * 2; /* doubled */"),
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
            ("return x * 2;", "return x*2;"),
            ("return { status: 200, body: event.body };", "return {\n    status: 200,\n    body: event.body\n  };"),
            ("  delete(id) {", "  delete( id )\n  {"),
        ],
    );
    assert_eq!(kind(PATH, BASE, &BASE.replace("  ", "    ")), ChangeKind::Formatting);
}

#[test]
fn a_line_break_that_ends_a_statement_is_code() {
    // Automatic semicolon insertion: `return` alone on its line returns undefined.
    let a = change(PATH, BASE, "  return x * 2;", "  return\n    x * 2;");
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["helper"]));
}

#[test]
fn whitespace_inside_a_string_is_code() {
    assert_eq!(change(PATH, BASE, "\"./db.js\"", "\" ./db.js\"").change, ChangeKind::Imports);
    let a = change(PATH, BASE, "const removed", "const removed = `${id} `;\n    const gone");
    assert_eq!(a.change, ChangeKind::Code);
    let base = "const greeting = \"hello world\";\n";
    assert_eq!(kind("src/g.js", base, &base.replace("hello world", "hello  world")), ChangeKind::Code);
    let base = "const greeting = `hello ${name}`;\n";
    assert_eq!(kind("src/g.js", base, &base.replace("hello ", "hello  ")), ChangeKind::Code);
}

#[test]
fn import_changes_are_imports() {
    for head in [
        edit(
            BASE,
            "import path from \"node:path\";\n",
            "import path from \"node:path\";\nimport fs from \"node:fs\";\n",
        ),
        edit(BASE, "import { db } from", "import { db, cache } from"),
        edit(BASE, "import path from \"node:path\";\n", ""),
    ] {
        let a = analyze(PATH, BASE, &head);
        assert_eq!(a.change, ChangeKind::Imports, "{head}");
        assert!(a.symbols.is_empty());
    }
}

#[test]
fn test_changes_are_tests() {
    each_is(
        TEST_PATH,
        TESTS,
        ChangeKind::Tests,
        &[
            ("toBe(true)", "toBe(false)"),
            ("jest.resetAllMocks();", "jest.restoreAllMocks();"),
            ("toBeGreaterThan(0)", "toBeGreaterThan(-1)"),
        ],
    );
    // An import alone is an import change, even in a test file.
    let a = change(TEST_PATH, TESTS, "import { UserService }", "import { UserService, helper }");
    assert_eq!(a.change, ChangeKind::Imports);
    let a = adding(
        TEST_PATH,
        TESTS,
        14,
        "\n  it.skip(\"rejects\", async () => {\n    await expect(run()).rejects.toThrow();\n  });",
    );
    assert_eq!(a.change, ChangeKind::Tests, "{a:?}");
    let a = adding(TEST_PATH, TESTS, 15, "\ntest(\"standalone\", () => {\n  expect(1).toBe(1);\n});");
    assert_eq!(a.change, ChangeKind::Tests, "{a:?}");
}

#[test]
fn code_changes_name_the_qualified_symbols() {
    each_names(
        PATH,
        BASE,
        &[
            ("return removed;", "return removed > 0;", "UserService.delete"),
            ("this.store = store;", "this.store = store ?? db;", "UserService.constructor"),
            ("status: 200", "status: 204", "handler"),
            ("return x * 2;", "return x * 3;", "helper"),
        ],
    );
    // Function expressions and nested functions.
    let base = "const api = function () {\n  function inner() {\n    return 1;\n  }\n  return inner;\n};\n";
    let a = analyze("src/api.js", base, &base.replace("return 1", "return 2"));
    assert_eq!(a.symbols, strings(&["api.inner"]));
    // Code and tests together are code.
    let head = edit(&insert_lines(BASE, 22, "\ntest(\"helper\", () => expect(helper(1)).toBe(2));"), "x * 2", "x * 4");
    let a = analyze(PATH, BASE, &head);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["helper"]));
}

#[test]
fn added_and_removed_files() {
    let a = versions(PATH, None, Some(BASE));
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(
        a.symbols,
        strings(&["UserService", "UserService.constructor", "UserService.delete", "handler", "helper"])
    );
    assert_eq!(versions(TEST_PATH, None, Some(TESTS)).change, ChangeKind::Tests);
    let a = versions(PATH, Some(BASE), None);
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty());
}

#[test]
fn a_file_that_does_not_parse_still_gets_an_answer() {
    let a = analyze(PATH, BASE, "class { => ((( `unterminated ${ \n");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.syntax_errors);
}

#[test]
fn patches_are_read_by_their_sides() {
    let comment = "@@ -3,4 +3,4 @@ import path from \"node:path\";\n \n-// Users and their sessions.\n+// Users, and the sessions they hold.\n export class UserService {\n   constructor(store) {\n";
    assert_eq!(patched(PATH, comment).change, ChangeKind::Comments);
    let code = "@@ -19,4 +19,4 @@ export const handler = async (event) => {\n \n function helper(x) {\n-  return x * 2;\n+  return x * 3;\n }\n";
    let a = patched(PATH, code);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["helper"]));
}

#[test]
fn findings_count_only_where_the_change_is() {
    let base = edit(BASE, "  return x * 2;\n", "  child_process.execSync(\"sync\");\n  return x * 2;\n");
    let a = change(PATH, &base, "return removed;", "return !removed;");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let a = change(PATH, &base, "execSync(\"sync\")", "execSync(userCommand)");
    assert_eq!(found(&a, "shell-exec"), vec![(21, "child_process.execSync".to_string())]);
}

#[test]
fn detectors() {
    check_detectors(PATH, BASE, 11, 2, "    ");
}

/// The detector checks every JavaScript-family grammar must pass: `in_fn` is a line inside a
/// function body after which statements can be added with `indent`; `imports` is the line after
/// which import statements can be added.
pub(super) fn check_detectors(path: &str, base: &str, in_fn: usize, imports: usize, indent: &str) {
    let line = in_fn as u32 + 1;
    let import_line = imports as u32 + 1;
    let stmt = |s: &str| s.lines().map(|l| format!("{indent}{l}")).collect::<Vec<_>>().join("\n");

    // shell-exec
    let d = "shell-exec";
    for (code, symbol) in [
        ("child_process.exec(`ls ${dir}`);", "child_process.exec"),
        ("cp.spawn(\"sh\", [\"-c\", cmd]);", "cp.spawn"),
        ("childProcess.execFileSync(bin);", "childProcess.execFileSync"),
        ("execSync(cmd);", "execSync"),
        ("const proc = require(\"child_process\");", "require(\"child_process\")"),
        ("require(\"node:child_process\").fork(worker);", "require(\"node:child_process\")"),
        ("const mod = await import(\"child_process\");", "import(\"child_process\")"),
    ] {
        finds(path, base, in_fn, &stmt(code), d, &[(line, symbol)]);
    }
    for code in ["import { exec } from \"node:child_process\";", "import * as cp from 'child_process';"] {
        finds(path, base, imports, code, d, &[(import_line, code)]);
    }
    finds_nothing(
        path,
        base,
        in_fn,
        &stmt(
            "execSummary();\nexec_summary();\nconst m = regex.exec(s);\nconst t = \"child_process.exec(x)\";\n// cp.exec(cmd)\ndb.execute_plan();\nworker.spawn(task);",
        ),
    );

    // eval
    let d = "eval";
    for (code, symbol) in [
        ("const v = eval(code);", "eval"),
        ("const g = window.eval(code);", "window.eval"),
        ("const f = new Function(\"a\", body);", "new Function(\"a\", body)"),
        ("setTimeout(\"tick()\", 10);", "setTimeout(\"tick()\", 10)"),
        ("setInterval(`poll(${id})`, 50);", "setInterval(`poll(${id})`, 50)"),
    ] {
        finds(path, base, in_fn, &stmt(code), d, &[(line, symbol)]);
    }
    finds_nothing(
        path,
        base,
        in_fn,
        &stmt(
            "const evalScore = 1;\nmodel.eval();\nsetTimeout(() => tick(), 10);\nsetTimeout(tick, 10);\nconst c = new FunctionCall();\nconst s = \"eval(x)\";\n// eval(x)",
        ),
    );

    // sql-string
    let d = "sql-string";
    for code in [
        "db.query(`SELECT * FROM users WHERE id = ${id}`);",
        "knex.raw(\"SELECT * FROM t WHERE id = \" + id);",
        "conn.execute('DELETE FROM t WHERE name = \\'' + name + '\\'');",
    ] {
        finds(path, base, in_fn, &stmt(code), d, &[(line, code.trim_end_matches(';'))]);
    }
    finds_nothing(
        path,
        base,
        in_fn,
        &stmt(
            "db.query(\"SELECT * FROM users WHERE id = $1\", [id]);\ndb.query(`SELECT 1`);\ndb.query(sql`SELECT * FROM t WHERE id = ${id}`);\ndb.execute_plan(\"a\" + b);\nlog.info(`deleted ${id}`);\ndb.query(q);\nconst total = calc.execute(a + b);",
        ),
    );

    // crypto
    let d = "crypto";
    for (code, symbol) in [
        ("const h = crypto.createHash(\"sha256\").update(data).digest(\"hex\");", "crypto.createHash"),
        ("const key = crypto.randomBytes(32);", "crypto.randomBytes"),
        ("const d = await crypto.subtle.digest(\"SHA-256\", data);", "crypto.subtle"),
        ("const c = require(\"node:crypto\");", "require(\"node:crypto\")"),
    ] {
        finds(path, base, in_fn, &stmt(code), d, &[(line, symbol)]);
    }
    finds(
        path,
        base,
        imports,
        "import { createHash } from \"crypto\";",
        d,
        &[(import_line, "import { createHash } from \"crypto\";")],
    );
    finds_nothing(
        path,
        base,
        in_fn,
        &stmt("cryptoUtils.hash(x);\nconst s = \"crypto.createHash\";\nconst c = require(\"./crypto-notes\");"),
    );
    finds_nothing(path, base, imports, "import notes from \"./crypto-notes.js\";");

    // deserialize-untrusted
    let d = "deserialize-untrusted";
    for (code, symbol) in [
        ("const obj = serialize.unserialize(payload);", "serialize.unserialize"),
        ("const obj = unserialize(payload);", "unserialize"),
        ("const s = require(\"node-serialize\");", "require(\"node-serialize\")"),
    ] {
        finds(path, base, in_fn, &stmt(code), d, &[(line, symbol)]);
    }
    finds(
        path,
        base,
        imports,
        "import serialize from \"node-serialize\";",
        d,
        &[(import_line, "import serialize from \"node-serialize\";")],
    );
    finds_nothing(
        path,
        base,
        in_fn,
        &stmt("const a = JSON.parse(payload);\nconst b = serialize(obj);\nconst c = deserializeUser(x);"),
    );
}
