//! TypeScript: change kinds with type annotations, symbols of classes, interfaces and arrow
//! functions, tests, and the JavaScript-family detectors on the TypeScript grammar.

use super::javascript::check_detectors;
use super::support::*;
use crate::analysis::ChangeKind;
use crate::analysis::lang::Lang;

const PATH: &str = "src/services/users.ts";

const BASE: &str = r#"import type { Db } from "./db";
import { log } from "./log";

export interface User {
  id: string;
  name: string;
}

export class UserService {
  constructor(private readonly db: Db) {}

  async delete(id: string): Promise<boolean> {
    const removed: number = await this.db.remove(id);
    return removed > 0;
  }
}

export const handler = async (event: { body: string }): Promise<number> => {
  return event.body.length;
};

export abstract class Store {
  abstract remove(id: string): Promise<number>;
}
"#;

const TEST_PATH: &str = "src/services/users.spec.ts";

const TESTS: &str = r#"import { UserService } from "./users";

describe("UserService", () => {
  it("deletes", async () => {
    const service = new UserService(fakeDb as Db);
    expect(await service.delete("1")).toBe(true);
  });
});
"#;

#[test]
fn the_extensions_pick_the_grammar() {
    for (path, lang) in [
        ("a.ts", Lang::TypeScript),
        ("a.mts", Lang::TypeScript),
        ("a.cts", Lang::TypeScript),
        ("A.TS", Lang::TypeScript),
        ("a.tsx", Lang::Tsx),
        ("a.js", Lang::JavaScript),
        ("a.mjs", Lang::JavaScript),
        ("a.jsx", Lang::JavaScript),
        ("types.d.ts", Lang::TypeScript),
    ] {
        assert_eq!(Lang::for_path(path), Some(lang), "{path}");
    }
}

#[test]
fn comment_only_changes_are_comments() {
    let a = change(PATH, BASE, "export interface User {", "/** A user of the service. */\nexport interface User {");
    assert_eq!(a.change, ChangeKind::Comments);
    let a = change(PATH, BASE, "    return removed > 0;", "    // Anything removed counts.\n    return removed > 0;");
    assert_eq!(a.change, ChangeKind::Comments);
}

#[test]
fn layout_only_changes_are_formatting() {
    each_is(
        PATH,
        BASE,
        ChangeKind::Formatting,
        &[
            ("(id: string): Promise<boolean>", "(id:string):Promise<boolean>"),
            ("  id: string;\n  name: string;", "  id: string; name: string;"),
            ("constructor(private readonly db: Db) {}", "constructor(\n    private readonly db: Db\n  ) {}"),
        ],
    );
}

#[test]
fn import_changes_are_imports() {
    let a = change(
        PATH,
        BASE,
        "import { log } from \"./log\";",
        "import { log, warn } from \"./log\";\nimport type { Cache } from \"./cache\";",
    );
    assert_eq!(a.change, ChangeKind::Imports);
}

#[test]
fn test_changes_are_tests() {
    assert_eq!(kind(TEST_PATH, TESTS, &edit(TESTS, "toBe(true)", "toBe(false)")), ChangeKind::Tests);
    let a = adding(TEST_PATH, TESTS, 7, "\n  it(\"keeps others\", () => {\n    expect(1 as number).toBe(1);\n  });");
    assert_eq!(a.change, ChangeKind::Tests, "{a:?}");
}

#[test]
fn code_changes_name_the_qualified_symbols() {
    each_names(
        PATH,
        BASE,
        &[
            ("return removed > 0;", "return removed >= 0;", "UserService.delete"),
            ("return event.body.length;", "return event.body.trim().length;", "handler"),
            ("  name: string;", "  name?: string;", "User"),
            ("abstract remove(id: string): Promise<number>;", "abstract remove(id: number): Promise<number>;", "Store"),
            ("constructor(private readonly db: Db) {}", "constructor(private db: Db) {}", "UserService.constructor"),
        ],
    );
}

#[test]
fn added_and_removed_files() {
    let a = versions(PATH, None, Some(BASE));
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.symbols.contains(&"UserService.delete".to_string()), "{:?}", a.symbols);
    assert!(a.symbols.contains(&"handler".to_string()));
    assert_eq!(versions(TEST_PATH, Some(TESTS), None).change, ChangeKind::Tests);
}

#[test]
fn a_file_that_does_not_parse_still_gets_an_answer() {
    let a = analyze(PATH, BASE, "interface <<< { : : } class implements (((");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.syntax_errors);
}

#[test]
fn patches_are_read_by_their_sides() {
    let code = "@@ -18,3 +18,3 @@\n export const handler = async (event: { body: string }): Promise<number> => {\n-  return event.body.length;\n+  return event.body.trim().length;\n };\n";
    let a = patched(PATH, code);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["handler"]));
    let comment = "@@ -18,3 +18,4 @@\n export const handler = async (event: { body: string }): Promise<number> => {\n+  // The body's length.\n   return event.body.length;\n };\n";
    assert_eq!(patched(PATH, comment).change, ChangeKind::Comments);
}

#[test]
fn findings_count_only_where_the_change_is() {
    let base = edit(
        BASE,
        "    return removed > 0;\n",
        "    await db.query(`DELETE FROM audit WHERE id = ${id}`);\n    return removed > 0;\n",
    );
    let a = change(PATH, &base, "return event.body.length;", "return 0;");
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let a = change(PATH, &base, "WHERE id = ${id}", "WHERE user = ${id}");
    assert_eq!(found(&a, "sql-string"), vec![(14, "db.query(`DELETE FROM audit WHERE user = ${id}`)".to_string())]);
}

#[test]
fn detectors() {
    check_detectors(PATH, BASE, 13, 2, "    ");
    // Type arguments do not hide a query call.
    finds(
        PATH,
        BASE,
        13,
        "    const rows = await db.query<User>(`SELECT * FROM users WHERE id = ${id}`);",
        "sql-string",
        &[(14, "await db.query<User>(`SELECT * FROM users WHERE id = ${id}`)")],
    );
}
