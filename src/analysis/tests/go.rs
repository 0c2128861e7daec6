//! Go: change kinds, method symbols named by receiver type, `TestXxx` tests, and the detectors.

use super::support::*;
use crate::analysis::ChangeKind;

const PATH: &str = "internal/server/server.go";

const BASE: &str = "package server

import (
\t\"fmt\"
\t\"net/http\"
)

// Server serves users.
type Server struct {
\tname string
}

// Handle serves a request.
func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {
\tgreeting := fmt.Sprintf(\"hello %s\", s.name)
\tfmt.Fprint(w, greeting)
}

func (s Server) Name() string {
\treturn s.name
}

func helper(x int) int {
\treturn x * 2
}
";

/// Statements added here go inside `Server.Handle`, from line 16.
const IN_FN: usize = 15;
/// Import specs added here go inside the import block, from line 6.
const IMPORTS: usize = 5;

const TEST_PATH: &str = "internal/server/server_test.go";

const TESTS: &str = "package server

import \"testing\"

func TestHandle(t *testing.T) {
\tif got := helper(2); got != 4 {
\t\tt.Fatalf(\"got %d\", got)
\t}
}

func BenchmarkHelper(b *testing.B) {
\tfor i := 0; i < b.N; i++ {
\t\thelper(i)
\t}
}
";

fn tabbed(code: &str) -> String {
    code.lines().map(|l| format!("\t{l}")).collect::<Vec<_>>().join("\n")
}

#[test]
fn comment_only_changes_are_comments() {
    each_is(
        PATH,
        BASE,
        ChangeKind::Comments,
        &[
            ("// Handle serves a request.", "// Handle serves a request and logs it."),
            ("// Server serves users.", "/* Server serves users. */"),
            ("\treturn x * 2\n", "\treturn x * 2 // doubled\n"),
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
            ("return x * 2", "return x*2"),
            ("func helper(x int) int {\n\treturn x * 2\n}", "func helper(x int) int { return x * 2 }"),
            ("\tname string\n", "\tname    string\n"),
        ],
    );
    assert_eq!(kind(PATH, BASE, &BASE.replace('\t', "    ")), ChangeKind::Formatting);
}

#[test]
fn a_line_break_that_ends_a_statement_is_code() {
    let a = change(PATH, BASE, "\treturn x * 2\n", "\treturn\n\tx * 2\n");
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["helper"]));
}

#[test]
fn whitespace_inside_a_string_is_code() {
    let a = change(PATH, BASE, "\"hello %s\"", "\"hello  %s\"");
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["Server.Handle"]));
    let a = change(PATH, BASE, "\"hello %s\"", "`hello  %s`");
    assert_eq!(a.change, ChangeKind::Code);
}

#[test]
fn import_changes_are_imports() {
    for head in [
        insert_lines(BASE, IMPORTS, "\t\"os\""),
        edit(BASE, "\t\"net/http\"\n", ""),
        edit(BASE, "\t\"fmt\"\n", "\tf \"fmt\"\n"),
        insert_lines(BASE, 6, "\nimport \"strings\""),
    ] {
        let a = analyze(PATH, BASE, &head);
        assert_eq!(a.change, ChangeKind::Imports, "{head}");
        assert!(a.symbols.is_empty());
    }
}

#[test]
fn test_changes_are_tests() {
    let a = change(TEST_PATH, TESTS, "got != 4", "got != 5");
    assert_eq!(a.change, ChangeKind::Tests);
    assert_eq!(a.symbols, strings(&["TestHandle"]));
    let a = change(TEST_PATH, TESTS, "\t\thelper(i)", "\t\thelper(i * 2)");
    assert_eq!(a.change, ChangeKind::Tests);
    assert_eq!(a.symbols, strings(&["BenchmarkHelper"]));
    for added in [
        "\nfunc TestName(t *testing.T) {\n\tif (Server{}).Name() != \"\" {\n\t\tt.Fail()\n\t}\n}",
        "\nfunc Test(t *testing.T) {}",
        "\nfunc FuzzHelper(f *testing.F) {}",
        "\nfunc ExampleServer_Name() {}",
    ] {
        let a = adding(TEST_PATH, TESTS, 15, added);
        assert_eq!(a.change, ChangeKind::Tests, "{added}: {a:?}");
    }
    // Helpers in a `_test.go` file are test code; `go test` does not run `Testify`, but it is
    // only built for tests.
    let a = adding(TEST_PATH, TESTS, 15, "\nfunc Testify(x int) int {\n\treturn x\n}");
    assert_eq!(a.change, ChangeKind::Tests);
    assert_eq!(a.symbols, strings(&["Testify"]));
    // In a production file, `Testify` is code and `TestHelper` a test.
    let a = adding(PATH, BASE, 25, "\nfunc Testify(x int) int {\n\treturn x\n}");
    assert_eq!(a.change, ChangeKind::Code);
    let a = adding(PATH, BASE, 25, "\nfunc TestHelper(t *testing.T) {\n\t_ = helper(1)\n}");
    assert_eq!(a.change, ChangeKind::Tests);
}

#[test]
fn code_changes_name_the_qualified_symbols() {
    each_names(
        PATH,
        BASE,
        &[
            ("fmt.Fprint(w, greeting)", "fmt.Fprintln(w, greeting)", "Server.Handle"),
            ("\treturn s.name\n", "\treturn \"<\" + s.name + \">\"\n", "Server.Name"),
            ("return x * 2", "return x * 3", "helper"),
            ("\tname string\n", "\tname string\n\tport int\n", "Server"),
        ],
    );
    // Generic receivers, with one or more type parameters, and receivers without a name.
    for receiver in ["(c *Cache[K, V])", "(c Cache[K])", "(*Cache)", "(c *pkg.Cache)"] {
        let base = format!("package server\n\nfunc {receiver} Get() int {{\n\treturn 1\n}}\n");
        let a = analyze(PATH, &base, &base.replace("return 1", "return 2"));
        let want = if receiver.contains("pkg.") { "pkg.Cache.Get" } else { "Cache.Get" };
        assert_eq!(a.symbols, strings(&[want]), "{receiver}");
    }
}

#[test]
fn added_and_removed_files() {
    let a = versions(PATH, None, Some(BASE));
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["Server", "Server.Handle", "Server.Name", "helper"]));
    // A new test file is a test change, package clause and all.
    assert_eq!(versions(TEST_PATH, None, Some(TESTS)).change, ChangeKind::Tests);
    assert_eq!(versions(TEST_PATH, Some(TESTS), None).change, ChangeKind::Tests);
    // Outside a `_test.go` file the package clause is code.
    assert_eq!(versions("internal/server/testing.go", None, Some(TESTS)).change, ChangeKind::Code);
    let a = versions(PATH, Some(BASE), None);
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty());
}

#[test]
fn a_file_that_does_not_parse_still_gets_an_answer() {
    let a = analyze(PATH, BASE, "package server\nfunc ((( { := := }} chan<- <-\n");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.syntax_errors);
}

#[test]
fn patches_are_read_by_their_sides() {
    let comment = "@@ -12,3 +12,3 @@ type Server struct {\n \n-// Handle serves a request.\n+// Handle serves a request and logs it.\n func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {\n";
    assert_eq!(patched(PATH, comment).change, ChangeKind::Comments);
    let code = "@@ -23,3 +23,3 @@ func (s Server) Name() string {\n func helper(x int) int {\n-\treturn x * 2\n+\treturn x * 3\n }\n";
    let a = patched(PATH, code);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, strings(&["helper"]));
}

#[test]
fn findings_count_only_where_the_change_is() {
    let base = edit(BASE, "\treturn x * 2\n", "\t_ = exec.Command(\"sync\").Run()\n\treturn x * 2\n");
    let a = change(PATH, &base, "return s.name", "return s.name + \"!\"");
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let a = change(PATH, &base, "exec.Command(\"sync\")", "exec.Command(name, args...)");
    assert_eq!(found(&a, "shell-exec"), vec![(24, "exec.Command".to_string())]);
}

#[test]
fn process_spawning_is_found() {
    let d = "shell-exec";
    for (code, symbol) in [
        ("out, err := exec.Command(\"sh\", \"-c\", cmd).Output()", "exec.Command"),
        ("cmd := exec.CommandContext(ctx, name)", "exec.CommandContext"),
        ("err := syscall.Exec(path, args, env)", "syscall.Exec"),
        ("p, err := os.StartProcess(path, args, attr)", "os.StartProcess"),
    ] {
        finds(PATH, BASE, IN_FN, &tabbed(code), d, &[(16, symbol)]);
    }
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        &tabbed(
            "execSummary()\nrunner.Command(\"x\")\ns := \"exec.Command(x)\"\n// exec.Command(\"rm\")\nos.Getenv(\"HOME\")",
        ),
    );
    // Go has no eval.
    finds_nothing(PATH, BASE, IN_FN, &tabbed("v := eval(expr)\nw := vm.Eval(src)"));
}

#[test]
fn sql_built_from_strings_is_found() {
    let d = "sql-string";
    for code in [
        "rows, err := db.Query(fmt.Sprintf(\"SELECT * FROM users WHERE name = '%s'\", name))",
        "row := db.QueryRow(\"SELECT * FROM users WHERE id = \" + id)",
        "_, err := tx.ExecContext(ctx, fmt.Sprintf(\"DELETE FROM %s\", table))",
        "rows, err := db.QueryContext(ctx, `SELECT * FROM t WHERE id = `+id)",
    ] {
        let call = code.split_once(":= ").or_else(|| code.split_once("= ")).expect("an assignment").1;
        finds(PATH, BASE, IN_FN, &tabbed(code), d, &[(16, call)]);
    }
    finds_nothing(
        PATH,
        BASE,
        IN_FN,
        &tabbed(
            "rows, err := db.Query(\"SELECT * FROM users WHERE id = $1\", id)\n_, err = tx.ExecContext(ctx, \"DELETE FROM t WHERE id = $1\", id)\nq := fmt.Sprintf(\"SELECT %d\", n)\nplanner.ExecutePlan(fmt.Sprintf(\"%d\", n))\nrows, err = db.Query(query)",
        ),
    );
}

#[test]
fn cryptography_is_found() {
    let d = "crypto";
    finds(PATH, BASE, IMPORTS, "\t\"crypto/sha256\"", d, &[(6, "\"crypto/sha256\"")]);
    finds(PATH, BASE, IMPORTS, "\tb \"golang.org/x/crypto/bcrypt\"", d, &[(6, "b \"golang.org/x/crypto/bcrypt\"")]);
    finds(PATH, BASE, 6, "\nimport \"crypto/tls\"", d, &[(8, "\"crypto/tls\"")]);
    for (code, symbol) in [
        ("sum := sha256.Sum256(data)", "sha256.Sum256"),
        ("block, err := aes.NewCipher(key)", "aes.NewCipher"),
        ("cfg := &tls.Config{InsecureSkipVerify: true}", "tls.Config"),
        ("mac := hmac.New(sha256.New, key)", "hmac.New"),
    ] {
        let a = adding(PATH, BASE, IN_FN, &tabbed(code));
        assert!(found(&a, d).contains(&(16, symbol.to_string())), "{code}: {:?}", a.findings);
        assert!(a.findings.iter().all(|f| f.detector == d));
    }
    finds_nothing(PATH, BASE, IMPORTS, "\t\"cryptonotes\"\n\t\"example.com/crypto/notes\"");
    finds_nothing(PATH, BASE, IN_FN, &tabbed("h := hash.Sum(nil)\nx := mysha256.Sum256(data)\ns := \"sha256.Sum256\""));
}

#[test]
fn untrusted_deserialisation_is_found() {
    let d = "deserialize-untrusted";
    finds(PATH, BASE, IN_FN, &tabbed("dec := gob.NewDecoder(r.Body)"), d, &[(16, "gob.NewDecoder")]);
    finds_nothing(PATH, BASE, IN_FN, &tabbed("dec := json.NewDecoder(r.Body)\nenc := gob.NewEncoder(w)"));
}
