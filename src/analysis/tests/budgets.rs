//! Budgets and hostile input: deadlines, size limits, binary and generated files, and input built
//! to exhaust the stack or the clock.

use std::cell::Cell;
use std::time::Instant;

use crate::analysis::budget::{AfterChecks, Deadline, Limits, Unlimited};
use crate::analysis::lang::Lang;
use crate::analysis::{ChangeKind, Contents, FileAnalysis, SkipReason, analyze_file};

fn big_limits() -> Limits {
    Limits { max_file_bytes: 16 * 1024 * 1024, ..Limits::default() }
}

fn versions(
    path: &str,
    base: Option<&[u8]>,
    head: Option<&[u8]>,
    limits: &Limits,
    deadline: &dyn Deadline,
) -> FileAnalysis {
    analyze_file(path, Contents::Versions { base, head }, &[], limits, deadline)
}

/// Runs `f` and says how long it took (`cargo test -- --nocapture` shows it).
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    eprintln!("{what}: {:?}", start.elapsed());
    out
}

/// A deterministic xorshift64 stream.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = XorShift(seed);
    (0..n).map(|_| rng.next() as u8).collect()
}

fn random_text(n: usize, seed: u64, alphabet: &[u8]) -> String {
    let mut rng = XorShift(seed);
    (0..n).map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize] as char).collect()
}

const TWO_MB: usize = 2 * 1024 * 1024;

/// A realistic Python file of about `n` bytes.
fn python_file(n: usize) -> String {
    let mut out = String::from("import os\n\n");
    let mut i = 0;
    while out.len() < n {
        out.push_str(&format!(
            "class Service{i}:\n    def handle(self, request):\n        total = 0\n        for item in request.items:\n            total += item.price * {i}\n        return total\n\n"
        ));
        i += 1;
    }
    out
}

#[test]
fn a_deadline_that_has_passed_skips_a_large_file_as_timed_out() {
    let base = python_file(200_000);
    let head = base.replace("* 7\n", "* 8\n");
    for (b, h) in [(Some(base.as_bytes()), Some(head.as_bytes())), (None, Some(head.as_bytes()))] {
        let a = versions("app/service.py", b, h, &Limits::default(), &AfterChecks(Cell::new(0)));
        assert_eq!(a.change, ChangeKind::Skipped);
        assert_eq!(a.skipped, Some(SkipReason::TimedOut));
        assert_eq!(a.lang, Some(Lang::Python));
    }
    // With time to spare the same change is read.
    let a = versions("app/service.py", Some(base.as_bytes()), Some(head.as_bytes()), &Limits::default(), &Unlimited);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, vec!["Service7.handle".to_string()]);
}

#[test]
fn a_deadline_that_passes_during_detection_skips_the_file() {
    // Enough checks for the parse and the diff, not for everything: whatever stage runs out,
    // the answer is a timeout, never a partial result.
    let base = python_file(50_000);
    let head = base.replace("* 7\n", "* 8\n");
    let mut saw_timeout = false;
    for checks in [0, 1, 2, 5, 10, 50, 200, 1000] {
        let a = versions(
            "app/service.py",
            Some(base.as_bytes()),
            Some(head.as_bytes()),
            &Limits::default(),
            &AfterChecks(Cell::new(checks)),
        );
        match a.skipped {
            Some(SkipReason::TimedOut) => saw_timeout = true,
            None => assert_eq!(a.change, ChangeKind::Code, "{checks} checks"),
            other => panic!("{checks} checks: {other:?}"),
        }
    }
    assert!(saw_timeout);
}

#[test]
fn two_megabytes_of_random_bytes_are_binary_not_a_crash() {
    let bytes = random_bytes(TWO_MB, 0x9E37_79B9_7F4A_7C15);
    // Without NUL bytes too: then it is invalid UTF-8 that makes it binary.
    let no_nul: Vec<u8> = bytes.iter().map(|b| b.max(&1)).copied().collect();
    for path in ["noise.py", "noise.js", "noise.rs"] {
        for head in [&bytes, &no_nul] {
            let a = timed(&format!("{path}: 2 MB random bytes"), || {
                versions(path, None, Some(head), &big_limits(), &Unlimited)
            });
            assert_eq!(a.skipped, Some(SkipReason::Binary), "{path}");
        }
    }
}

/// Random letters and brackets: valid UTF-8 that no grammar makes sense of.
const LETTERS_AND_BRACKETS: &[u8] = b"abcdefghijklmnopqrstuvwxyz()[]{} \n";

/// Analyses `n` bytes of random letters and brackets as a new file, and as an edit to one.
fn random_text_completes(path: &str, n: usize, seed: u64, edited_too: bool) {
    let head = random_text(n, seed, LETTERS_AND_BRACKETS);
    let a = timed(&format!("{path}: {n} bytes of random text, added"), || {
        versions(path, None, Some(head.as_bytes()), &big_limits(), &Unlimited)
    });
    // Read as (broken) code, or refused as too costly to query: never a crash or a hang.
    match &a.skipped {
        None => {
            assert_eq!(a.change, ChangeKind::Code, "{path}");
            assert!(a.syntax_errors, "{path}");
        }
        Some(SkipReason::TimedOut) => {}
        other => panic!("{path}: {other:?}"),
    }
    if edited_too {
        let mut edited = head.clone();
        edited.insert_str(n / 2, "\nzzz(\n");
        let a = timed(&format!("{path}: {n} bytes of random text, edited"), || {
            versions(path, Some(head.as_bytes()), Some(edited.as_bytes()), &big_limits(), &Unlimited)
        });
        assert!(matches!(a.skipped, None | Some(SkipReason::TimedOut)), "{path}: {:?}", a.skipped);
        assert_ne!(a.change, ChangeKind::Formatting, "{path}");
    }
}

// Two megabytes take tree-sitter 10-20 s to parse in a debug build (its error recovery, not
// this crate's code: a release build still takes 4-7 s), so each language is its own test.

#[test]
fn two_megabytes_of_random_letters_and_brackets_complete_in_python() {
    random_text_completes("noise.py", TWO_MB, 17, false);
}

#[test]
fn two_megabytes_of_random_letters_and_brackets_complete_in_javascript() {
    random_text_completes("noise.js", TWO_MB, 18, false);
}

#[test]
fn two_megabytes_of_random_letters_and_brackets_complete_in_rust() {
    random_text_completes("noise.rs", TWO_MB, 19, false);
}

#[test]
fn random_text_completes_in_every_grammar() {
    for (i, path) in ["r.py", "r.js", "r.ts", "r.tsx", "r.rs", "r.go", "R.java"].into_iter().enumerate() {
        random_text_completes(path, 64 * 1024, 100 + i as u64, true);
    }
}

#[test]
fn a_hundred_thousand_nested_brackets_do_not_overflow_the_stack() {
    for path in ["deep.py", "deep.js", "deep.rs"] {
        for (what, text) in [
            ("open", "(".repeat(100_000)),
            ("closed", format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000))),
            ("brackets", "[".repeat(100_000)),
        ] {
            let a = timed(&format!("{path}: 100,000 nested, {what}"), || {
                versions(path, Some(b"x = 1\n"), Some(text.as_bytes()), &big_limits(), &Unlimited)
            });
            if what == "closed" {
                // A hundred thousand levels deep, and read to the end.
                assert_eq!((a.change, &a.skipped), (ChangeKind::Code, &None), "{path} {what}");
            } else {
                // Read as (broken) code, or refused as too costly to query (tree-sitter's query
                // cursor is quadratic in a long run of bare brackets): never a crash or a hang.
                assert!(matches!(a.skipped, None | Some(SkipReason::TimedOut)), "{path} {what}: {a:?}");
            }
        }
    }
}

#[test]
fn a_file_over_the_size_limit_is_too_large() {
    let limits = Limits { max_file_bytes: 1000, ..Limits::default() };
    let big = "x = 1\n".repeat(2048 / 6 + 1);
    let a = versions("app/big.py", Some(b"x = 1\n"), Some(big.as_bytes()), &limits, &Unlimited);
    assert_eq!(a.skipped, Some(SkipReason::TooLarge { bytes: big.len(), max: 1000 }));
    assert_eq!(a.change, ChangeKind::Skipped);
    assert!(a.skipped.as_ref().is_some_and(SkipReason::hides_code));
    // The base alone being too large is enough.
    let a = versions("app/big.py", Some(big.as_bytes()), None, &limits, &Unlimited);
    assert!(matches!(a.skipped, Some(SkipReason::TooLarge { .. })));
    // So is a patch.
    let patch = format!("@@ -1,1 +1,400 @@\n{}", "+x = 1\n".repeat(400));
    let a = analyze_file("app/big.py", Contents::Patch(&patch), &[], &limits, &Unlimited);
    assert!(matches!(a.skipped, Some(SkipReason::TooLarge { .. })));
    // Under the limit it is read.
    let a = versions("app/big.py", Some(b"x = 1\n"), Some(b"x = 2\n"), &limits, &Unlimited);
    assert_eq!(a.change, ChangeKind::Code);
}

#[test]
fn a_nul_byte_makes_a_file_binary() {
    let a =
        versions("src/lib.rs", Some(b"fn a() {}\n"), Some(b"fn a() {}\n\0\x01\x02"), &Limits::default(), &Unlimited);
    assert_eq!(a.skipped, Some(SkipReason::Binary));
    assert!(!SkipReason::Binary.hides_code());
    let a = versions("src/lib.rs", Some(b"\0"), None, &Limits::default(), &Unlimited);
    assert_eq!(a.skipped, Some(SkipReason::Binary));
}

#[test]
fn generated_files_are_skipped() {
    let head = "// Code generated by protoc. DO NOT EDIT.\npackage api\n\nfunc A() int { return 2 }\n";
    let base = head.replace("return 2", "return 1");
    let a = versions("api/api.go", Some(base.as_bytes()), Some(head.as_bytes()), &Limits::default(), &Unlimited);
    assert!(matches!(&a.skipped, Some(SkipReason::Generated { why }) if why.contains("DO NOT EDIT")), "{a:?}");
    assert_eq!(a.lang, Some(Lang::Go));

    let a = versions("dist/app.min.js", Some(b"var a=1;"), Some(b"var a=2;"), &Limits::default(), &Unlimited);
    assert!(matches!(&a.skipped, Some(SkipReason::Generated { .. })), "{a:?}");
    assert_eq!(a.lang, Some(Lang::JavaScript));
    assert_eq!(a.change, ChangeKind::Skipped);

    let a =
        versions("web/src/api.generated.ts", Some(b"let a = 1;"), Some(b"let a = 2;"), &Limits::default(), &Unlimited);
    assert!(matches!(&a.skipped, Some(SkipReason::Generated { .. })), "{a:?}");
}

#[test]
fn a_large_added_file_names_each_of_its_thousands_of_symbols_once() {
    let mut src = String::from("package pkg\n\n");
    for i in 0..3000 {
        src.push_str(&format!("func F{i}(a int) int {{\n\treturn a + {i}\n}}\n\n"));
    }
    let a = versions("pkg/big.go", None, Some(src.as_bytes()), &Limits::default(), &Unlimited);
    assert_eq!(a.skipped, None);
    assert_eq!(a.symbols.len(), 3000);
    assert_eq!(a.symbols.iter().collect::<std::collections::BTreeSet<_>>().len(), 3000);
    // With the time up the file is skipped as timed out, not half-classified.
    let a =
        versions("pkg/big.go", None, Some(src.as_bytes()), &Limits::default(), &AfterChecks(std::cell::Cell::new(3)));
    assert_eq!(a.skipped, Some(SkipReason::TimedOut));
}

#[test]
fn files_without_a_grammar_are_unsupported() {
    for path in ["README.md", "Makefile", "config/app.toml"] {
        let a = versions(path, Some(b"{}"), Some(b"{\"a\": 1}"), &Limits::default(), &Unlimited);
        assert_eq!(a.skipped, Some(SkipReason::Unsupported), "{path}");
        assert_eq!(a.lang, None, "{path}");
        assert!(!SkipReason::Unsupported.hides_code());
    }
}

#[test]
fn lock_files_and_binaries_are_named_as_such_before_the_grammar_question() {
    for path in ["package-lock.json", "web/yarn.lock", "Cargo.lock", "pnpm-lock.yaml", "go.sum"] {
        let a = versions(path, Some(b"{}"), Some(b"{\"a\": 1}"), &Limits::default(), &Unlimited);
        assert!(
            matches!(&a.skipped, Some(SkipReason::Generated { why }) if why.contains("lock file")),
            "{path}: {a:?}"
        );
    }
    for path in ["docs/logo.png", "lib/app.jar", "fonts/Inter.woff2"] {
        let a = analyze_file(path, Contents::None, &[], &Limits::default(), &Unlimited);
        assert_eq!(a.skipped, Some(SkipReason::Binary), "{path}");
    }
    let a = versions("assets/data.bin.txt", None, Some(b"\0\x01"), &Limits::default(), &Unlimited);
    assert_eq!(a.skipped, Some(SkipReason::Binary));
}

#[test]
fn no_contents_is_a_gap() {
    let a = analyze_file("src/lib.rs", Contents::None, &[], &Limits::default(), &Unlimited);
    assert_eq!(a.skipped, Some(SkipReason::NoContents));
    assert!(SkipReason::NoContents.hides_code());
}
