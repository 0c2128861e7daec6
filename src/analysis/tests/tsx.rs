//! TSX: components written as arrow functions, JSX, and the JavaScript-family detectors on the
//! TSX grammar.

use super::javascript::check_detectors;
use super::support::*;
use crate::analysis::ChangeKind;

const PATH: &str = "src/components/Profile.tsx";

const BASE: &str = r#"import React from "react";
import { useState } from "react";

type Props = { user: { name: string; id: string } };

export const Profile = ({ user }: Props) => {
  const [open, setOpen] = useState(false);
  return (
    <div className="profile" onClick={() => setOpen(!open)}>
      {/* The name, as the user wrote it. */}
      {user.name}
    </div>
  );
};

export class UserService {
  delete(id: string): boolean {
    return id.length > 0;
  }
}
"#;

const TEST_PATH: &str = "src/components/Profile.test.tsx";

const TESTS: &str = r#"import { render } from "@testing-library/react";

describe("Profile", () => {
  test("shows the name", () => {
    const { getByText } = render(<Profile user={{ name: "Ada", id: "1" }} />);
    expect(getByText("Ada")).toBeTruthy();
  });
});
"#;

#[test]
fn comment_only_changes_are_comments() {
    let a = change(PATH, BASE, "The name, as the user wrote it.", "The user's name, unaltered.");
    assert_eq!(a.change, ChangeKind::Comments);
    let a = change(PATH, BASE, "type Props", "// What the component takes.\ntype Props");
    assert_eq!(a.change, ChangeKind::Comments);
}

#[test]
fn layout_only_changes_are_formatting() {
    let a = change(
        PATH,
        BASE,
        "<div className=\"profile\" onClick={() => setOpen(!open)}>",
        "<div\n      className=\"profile\"\n      onClick={() => setOpen(!open)}\n    >",
    );
    assert_eq!(a.change, ChangeKind::Formatting);
    assert_eq!(change(PATH, BASE, "return id.length > 0;", "return id.length>0;").change, ChangeKind::Formatting);
}

#[test]
fn import_changes_are_imports() {
    let a = change(PATH, BASE, "import { useState } from \"react\";", "import { useEffect, useState } from \"react\";");
    assert_eq!(a.change, ChangeKind::Imports);
}

#[test]
fn test_changes_are_tests() {
    let a = change(TEST_PATH, TESTS, "name: \"Ada\"", "name: \"Grace\"");
    assert_eq!(a.change, ChangeKind::Tests);
}

#[test]
fn code_changes_name_the_qualified_symbols() {
    each_names(
        PATH,
        BASE,
        &[
            ("className=\"profile\"", "className=\"profile wide\"", "Profile"),
            ("useState(false)", "useState(true)", "Profile"),
            ("return id.length > 0;", "return id.length > 1;", "UserService.delete"),
            ("{user.name}", "{user.name.toUpperCase()}", "Profile"),
        ],
    );
}

#[test]
fn added_and_removed_files() {
    let a = versions(PATH, None, Some(BASE));
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["Profile", "UserService", "UserService.delete"]));
    assert_eq!(versions(TEST_PATH, None, Some(TESTS)).change, ChangeKind::Tests);
    assert_eq!(versions(PATH, Some(BASE), None).change, ChangeKind::Code);
}

#[test]
fn a_file_that_does_not_parse_still_gets_an_answer() {
    let a = analyze(PATH, BASE, "<div><span></div> {{{ => </ >");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.syntax_errors);
}

#[test]
fn patches_are_read_by_their_sides() {
    let code = "@@ -16,4 +16,4 @@ export class UserService {\n export class UserService {\n   delete(id: string): boolean {\n-    return id.length > 0;\n+    return id.length > 1;\n   }\n }\n";
    let a = patched(PATH, code);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["UserService.delete"]));
}

#[test]
fn detectors() {
    check_detectors(PATH, BASE, 7, 2, "  ");
    // A handler in JSX that evaluates a string.
    finds(PATH, BASE, 10, "      <button onClick={() => eval(user.name)}>run</button>", "eval", &[(11, "eval")]);
}
