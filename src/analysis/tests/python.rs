//! Python: change kinds (docstrings are comments, indentation is code), symbols, detectors.

use super::support::*;
use crate::analysis::ChangeKind;

const PATH: &str = "app/services/users.py";

const BASE: &str = r#""""User services."""

import os
from typing import Optional


class UserService:
    """Manages users."""

    def __init__(self, db):
        self.db = db

    def delete(self, user_id):
        # Remove the user for good.
        self.db.execute("DELETE FROM users WHERE id = %s", (user_id,))
        return True

    def find(self, user_id) -> Optional[dict]:
        """Finds a user."""
        return self.db.get(user_id)


def helper(x):
    if x:
        x = x * 2
        x = x + 1
    return x
"#;

/// Statements added here go inside `UserService.delete`, from line 16.
const IN_FN: usize = 15;
/// Top-level statements added here go at the end, from line 28.
const TOP: usize = 27;

const TEST_PATH: &str = "tests/test_users.py";

const TESTS: &str = r#"import pytest

from app.services.users import UserService


@pytest.fixture
def service():
    return UserService(None)


def test_delete(service):
    assert service.delete(1)


class TestFind:
    def test_missing(self, service):
        assert service.find(2) is None

    def helper(self):
        return 1
"#;

#[test]
fn comment_only_changes_are_comments() {
    for (from, to) in [
        ("# Remove the user for good.", "# Remove the user, for good."),
        ("\"\"\"Manages users.\"\"\"", "\"\"\"Manages users and their sessions.\"\"\""),
        ("\"\"\"User services.\"\"\"", "\"\"\"User services: deleting and finding users.\"\"\""),
        (
            "\"\"\"Finds a user.\"\"\"",
            "\"\"\"Finds a user.\n\n        Returns None when there is none.\n        \"\"\"",
        ),
        ("    return x\n", "    # Doubled, plus one.\n    return x\n"),
        ("    return x\n", "    return x  # the result\n"),
    ] {
        let a = change(PATH, BASE, from, to);
        assert_eq!(a.change, ChangeKind::Comments, "{to}");
        assert!(a.symbols.is_empty());
    }
}

#[test]
fn a_docstring_after_a_shebang_or_licence_is_still_documentation() {
    let base = "#!/usr/bin/env python\n# Licence: MIT\n\"\"\"Old summary.\"\"\"\nimport os\n";
    let head = base.replace("Old summary.", "New summary.");
    assert_eq!(kind("bin/tool.py", base, &head), ChangeKind::Comments);
    // Adding a docstring where there was none is documentation too.
    let a = change(
        PATH,
        BASE,
        "    def __init__(self, db):\n",
        "    def __init__(self, db):\n        \"\"\"Keeps the database.\"\"\"\n",
    );
    assert_eq!(a.change, ChangeKind::Comments);
}

#[test]
fn an_f_string_in_docstring_position_is_code() {
    let a = change(PATH, BASE, "\"\"\"Finds a user.\"\"\"", "f\"\"\"Finds {os.system('id')}.\"\"\"");
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["UserService.find"]));
}

#[test]
fn layout_only_changes_are_formatting() {
    for (from, to) in [
        ("x = x * 2", "x = x*2"),
        ("(user_id,))", "( user_id, ))"),
        (
            "self.db.execute(\"DELETE FROM users WHERE id = %s\", (user_id,))",
            "self.db.execute(\n            \"DELETE FROM users WHERE id = %s\",\n            (user_id,)\n        )",
        ),
        ("\n\ndef helper(x):", "\n\n\n\ndef helper(x):"),
    ] {
        let a = change(PATH, BASE, from, to);
        assert_eq!(a.change, ChangeKind::Formatting, "{to}");
    }
    // Re-indenting every block consistently.
    assert_eq!(kind(PATH, BASE, &BASE.replace("    ", "  ")), ChangeKind::Formatting);
}

#[test]
fn indentation_that_moves_a_statement_is_code() {
    // `x = x + 1` leaves the `if`: same tokens, different program.
    let a = change(PATH, BASE, "        x = x + 1\n", "    x = x + 1\n");
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["helper"]));
    // `return x` moves into the `if`.
    let a = change(PATH, BASE, "    return x\n", "        return x\n");
    assert_eq!(a.change, ChangeKind::Code);
    // Splitting one statement into two.
    let a = change(PATH, BASE, "        x = x * 2\n", "        x = x\n        * 2\n");
    assert_eq!(a.change, ChangeKind::Code);
}

#[test]
fn whitespace_inside_a_string_is_code() {
    let a = change(PATH, BASE, "\"DELETE FROM users WHERE id = %s\"", "\"DELETE FROM users  WHERE id = %s\"");
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["UserService.delete"]));
}

#[test]
fn import_changes_are_imports() {
    for head in [
        edit(BASE, "import os\n", "import os\nimport sys\n"),
        edit(BASE, "from typing import Optional\n", "from typing import Dict, Optional\n"),
        edit(BASE, "import os\n", "import os.path as osp\n"),
        edit(BASE, "import os\n", "from __future__ import annotations\n\nimport os\n"),
        edit(BASE, "import os\n", ""),
    ] {
        let a = analyze(PATH, BASE, &head);
        assert_eq!(a.change, ChangeKind::Imports, "{head}");
        assert!(a.symbols.is_empty());
    }
}

#[test]
fn where_a_repeated_token_was_inserted_is_settled_by_syntax() {
    // The new import's statement marker could be the one before `LIMIT`: the diff is the same
    // either way, and the import reading is the one that touches one place.
    let base = "import os\n\nLIMIT = 5\n";
    assert_eq!(kind("app/limits.py", base, "import os\nimport sys\n\nLIMIT = 5\n"), ChangeKind::Imports);
    // A test added before a helper, and after it: the helper's block is not what changed.
    let tests = "def helper():\n    return 1\n";
    let before = "def test_helper():\n    assert helper() == 1\n\n\ndef helper():\n    return 1\n";
    let after = "def helper():\n    return 1\n\n\ndef test_helper():\n    assert helper() == 1\n";
    for head in [before, after] {
        let a = analyze("app/helpers.py", tests, head);
        assert_eq!(a.change, ChangeKind::Tests, "{head}");
        assert_eq!(a.symbols, strings(&["test_helper"]), "{head}");
    }
}

#[test]
fn test_changes_are_tests() {
    for (from, to, symbol) in [
        ("assert service.delete(1)", "assert service.delete(1) is True", "test_delete"),
        ("return UserService(None)", "return UserService(object())", "service"),
        ("assert service.find(2) is None", "assert service.find(3) is None", "TestFind.test_missing"),
        ("        return 1\n", "        return 2\n", "TestFind.helper"),
    ] {
        let a = change(TEST_PATH, TESTS, from, to);
        assert_eq!(a.change, ChangeKind::Tests, "{to}");
        assert_eq!(a.symbols, strings(&[symbol]), "{to}");
    }
    // New tests, decorated or not, and the imports they need.
    for added in [
        "\n\n@pytest.mark.parametrize(\"uid\", [1, 2])\ndef test_many(service, uid):\n    assert service.delete(uid)",
        "\n\n@slow\ndef test_slow(service):\n    assert service.delete(9)",
        "\n\nclass TestMore:\n    def test_one(self):\n        assert True",
        "\n\nclass DeleteTests(unittest.TestCase):\n    def setUp(self):\n        self.n = 1",
    ] {
        let a = adding(TEST_PATH, TESTS, 20, added);
        assert_eq!(a.change, ChangeKind::Tests, "{added}: {a:?}");
    }
    let head = edit(
        &insert_lines(TESTS, 20, "\n\ndef test_new():\n    assert mock"),
        "import pytest\n",
        "import pytest\nfrom unittest import mock\n",
    );
    assert_eq!(kind(TEST_PATH, TESTS, &head), ChangeKind::Tests);
    // A test function added to a production module is a test change too.
    let a = adding(PATH, BASE, TOP, "\n\ndef test_helper():\n    assert helper(1) == 3");
    assert_eq!(a.change, ChangeKind::Tests);
    assert_eq!(a.symbols, strings(&["test_helper"]));
}

#[test]
fn code_changes_name_the_qualified_symbols() {
    each_names(
        PATH,
        BASE,
        &[
            ("return True", "return False", "UserService.delete"),
            ("return self.db.get(user_id)", "return self.db.get(str(user_id))", "UserService.find"),
            ("self.db = db", "self.db = db or {}", "UserService.__init__"),
            ("x = x * 2", "x = x * 3", "helper"),
        ],
    );
    // Nested functions and classes qualify each other.
    let base = "class Outer:\n    class Inner:\n        def run(self):\n            def step():\n                return 1\n            return step()\n";
    let a = analyze("app/nested.py", base, &base.replace("return 1", "return 2"));
    assert_eq!(a.symbols, strings(&["Outer.Inner.run.step"]));
    // A module-level statement has no symbol.
    let a = change(PATH, BASE, "import os\n", "import os\n\nLIMIT = 5\n");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.symbols.is_empty());
}

#[test]
fn added_and_removed_files() {
    let a = versions(PATH, None, Some(BASE));
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(
        a.symbols,
        strings(&["UserService", "UserService.__init__", "UserService.delete", "UserService.find", "helper"])
    );
    assert_eq!(versions(TEST_PATH, None, Some(TESTS)).change, ChangeKind::Tests);
    let a = versions(PATH, Some(BASE), None);
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty());
    assert_eq!(versions(TEST_PATH, Some(TESTS), None).change, ChangeKind::Tests);
}

#[test]
fn a_file_that_does_not_parse_still_gets_an_answer() {
    let garbage = "def (((:\n  class ]]] lambda ::: \"\"\" unterminated\n";
    let a = analyze(PATH, BASE, garbage);
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.syntax_errors);
}

#[test]
fn patches_are_read_by_their_sides() {
    let comment = "@@ -12,5 +12,5 @@ class UserService:\n \n     def delete(self, user_id):\n-        # Remove the user for good.\n+        # Remove the user, for good.\n         self.db.execute(\"DELETE FROM users WHERE id = %s\", (user_id,))\n         return True\n";
    assert_eq!(patched(PATH, comment).change, ChangeKind::Comments);
    let code = comment.replace("         return True\n", "-        return True\n+        return False\n");
    let a = patched(PATH, &code);
    assert_eq!(a.change, ChangeKind::Code);
}

// Detectors.

#[test]
fn process_spawning_is_found() {
    let d = "shell-exec";
    for (call, symbol) in [
        ("subprocess.run([\"ls\", path], check=True)", "subprocess.run"),
        ("subprocess.Popen(cmd, shell=True)", "subprocess.Popen"),
        ("subprocess.check_output(cmd)", "subprocess.check_output"),
        ("subprocess.getoutput(cmd)", "subprocess.getoutput"),
        ("os.system(\"rm -rf \" + path)", "os.system"),
        ("os.popen(cmd).read()", "os.popen"),
        ("os.execvp(\"sh\", [\"sh\"])", "os.execvp"),
        ("os.spawnl(os.P_WAIT, \"/bin/sh\")", "os.spawnl"),
        ("asyncio.create_subprocess_shell(cmd)", "asyncio.create_subprocess_shell"),
    ] {
        finds(PATH, BASE, IN_FN, &format!("        out = {call}"), d, &[(16, symbol)]);
    }
    finds(PATH, BASE, 4, "from subprocess import run, PIPE", d, &[(5, "from subprocess import run, PIPE")]);
    // Look-alikes.
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        "        exec_summary(user_id)\n        s = \"subprocess.run(x)\"\n        # subprocess.run(cmd)\n        p = os.path.join(a, b)\n        self.subprocess.run(cmd)\n        os.execute_plan()\n        runner.run(cmd)",
    );
    finds_nothing(PATH, BASE, 4, "import subprocess_tools\nimport os.path");
}

#[test]
fn findings_count_only_where_the_change_is() {
    let base = edit(BASE, "        x = x + 1\n", "        x = x + 1\n        subprocess.run([\"sync\"])\n");
    let a = change(PATH, &base, "return True", "return False");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    // Changing the old call's arguments counts.
    let a = change(PATH, &base, "subprocess.run([\"sync\"])", "subprocess.run(cmd, shell=True)");
    assert_eq!(found(&a, "shell-exec"), vec![(27, "subprocess.run".to_string())]);
}

#[test]
fn dynamic_evaluation_is_found() {
    let d = "eval";
    finds(PATH, BASE, IN_FN, "        value = eval(expression)", d, &[(16, "eval")]);
    finds(PATH, BASE, IN_FN, "        exec(code, {})", d, &[(16, "exec")]);
    finds(PATH, BASE, IN_FN, "        fn = compile(src, \"<input>\", \"exec\")", d, &[(16, "compile")]);
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        "        eval_score = 3\n        model.eval()\n        pattern = re.compile(\"x+\")\n        v = ast.literal_eval(s)\n        self.exec_summary()\n        # eval(x)\n        s = \"eval(x)\"",
    );
}

#[test]
fn sql_built_from_strings_is_found() {
    let d = "sql-string";
    for call in [
        "self.db.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)",
        "self.db.execute(f\"SELECT * FROM users WHERE name = '{name}'\")",
        "self.db.execute(\"SELECT * FROM users WHERE name = '{}'\".format(name))",
        "self.db.execute(\"SELECT * FROM users WHERE name = '\" + name + \"'\")",
        "cursor.executemany(\"INSERT INTO t VALUES (\" + values + \")\", rows)",
        "session.execute(text(f\"DELETE FROM users WHERE id = {user_id}\"))",
        "User.objects.raw(\"SELECT * FROM users WHERE id = \" + user_id)",
    ] {
        let a = adding(PATH, BASE, IN_FN, &format!("        rows = {call}"));
        let found = found(&a, d);
        assert!(!found.is_empty() && found.iter().all(|(line, _)| *line == 16), "{call}: {found:?}");
        assert!(found.iter().any(|(_, s)| s == call || call.contains(s.as_str())), "{call}: {found:?}");
    }
    finds(
        PATH,
        BASE,
        IN_FN,
        "        self.db.execute(f\"DELETE FROM users WHERE id = {user_id}\")",
        d,
        &[(16, "self.db.execute(f\"DELETE FROM users WHERE id = {user_id}\")")],
    );
    // Parameterised and literal queries, formatting outside a query call, other names.
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        "        self.db.execute(\"SELECT * FROM users WHERE id = %s\", (user_id,))\n        self.db.execute(\"SELECT 1\")\n        self.db.execute(query)\n        planner.execute_plan(\"a\" + b)\n        log.info(\"deleted %s\" % user_id)\n        q = \"SELECT %s\" % x\n        total = self.db.execute(a + b)",
    );
}

#[test]
fn cryptography_is_found() {
    let d = "crypto";
    finds(PATH, BASE, 4, "import hashlib", d, &[(5, "import hashlib")]);
    finds(PATH, BASE, 4, "from cryptography.fernet import Fernet", d, &[(5, "from cryptography.fernet import Fernet")]);
    finds(PATH, BASE, 4, "import Crypto.Cipher.AES as AES", d, &[(5, "import Crypto.Cipher.AES as AES")]);
    finds(PATH, BASE, IN_FN, "        digest = hashlib.sha256(data).hexdigest()", d, &[(16, "hashlib.sha256")]);
    finds(PATH, BASE, IN_FN, "        ctx = ssl.create_default_context()", d, &[(16, "ssl.create_default_context")]);
    finds(
        PATH,
        BASE,
        IN_FN,
        "        mac = hmac.new(key, msg, hashlib.sha256)",
        d,
        &[(16, "hashlib.sha256"), (16, "hmac.new")],
    );
    finds_nothing(PATH, BASE, 4, "import hashlib_helpers\nfrom app.crypto_notes import note");
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        "        h = myhashlib.sha256(data)\n        s = \"hashlib.sha256\"\n        self.ssl.verify()",
    );
}

#[test]
fn untrusted_deserialisation_is_found() {
    let d = "deserialize-untrusted";
    for (call, symbol) in [
        ("pickle.loads(blob)", "pickle.loads"),
        ("pickle.load(fh)", "pickle.load"),
        ("cPickle.load(fh)", "cPickle.load"),
        ("marshal.loads(blob)", "marshal.loads"),
        ("shelve.open(path)", "shelve.open"),
        ("yaml.load(text)", "yaml.load"),
        ("yaml.load(text, Loader=yaml.Loader)", "yaml.load"),
        ("yaml.load(text, Loader=yaml.FullLoader)", "yaml.load"),
        ("yaml.unsafe_load(text)", "yaml.unsafe_load"),
        ("jsonpickle.decode(text)", "jsonpickle.decode"),
    ] {
        finds(PATH, BASE, IN_FN, &format!("        data = {call}"), d, &[(16, symbol)]);
    }
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        "        a = yaml.safe_load(text)\n        b = yaml.load(text, Loader=yaml.SafeLoader)\n        c = yaml.load(text, Loader=SafeLoader)\n        d = yaml.load(text, Loader=yaml.CSafeLoader)\n        # pickle.load(fh)\n        e = json.loads(text)\n        f = pickle.dumps(obj)\n        g = \"pickle.loads(x)\"",
    );
}

#[test]
fn nothing_risky_in_plain_code() {
    let a = adding(PATH, BASE, IN_FN, "        total = sum(x for x in range(10))\n        self.db.commit()");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty());
}
