//! The detector runner and the built-in queries as a whole: what every language's query
//! captures, helper captures, ranges, merging, custom queries and deadlines.

use std::cell::Cell;

use tree_sitter::Query;

use super::support::*;
use crate::analysis::budget::{AfterChecks, Limits, Unlimited};
use crate::analysis::detectors::{Detector, run_builtin_all, sections, triggered};
use crate::analysis::lang::Lang;
use crate::analysis::parse::parse;
use crate::analysis::{ChangeKind, Contents, CustomQuery, SkipReason, analyze_file};

#[test]
fn detector_ids_round_trip() {
    for d in Detector::ALL {
        assert_eq!(Detector::from_id(d.id()), Some(d));
    }
    assert_eq!(Detector::from_id("query"), None);
    assert_eq!(Detector::from_id("Shell-Exec"), None);
}

#[test]
fn every_builtin_section_compiles_and_captures_only_its_detector_and_helpers() {
    let mut covered = std::collections::BTreeSet::new();
    for lang in Lang::ALL {
        assert_eq!(Lang::ALL[lang.index()], lang);
        let mut seen = std::collections::BTreeSet::new();
        for section in sections(lang) {
            assert!(seen.insert(section.detector), "{}: two sections for {}", lang.id(), section.detector.id());
            assert!(!section.words.is_empty(), "{} {}: no words", lang.id(), section.detector.id());
            let query = section.compile();
            assert!(query.pattern_count() > 0, "{} {}", lang.id(), section.detector.id());
            for name in query.capture_names() {
                if let Some(d) = Detector::from_id(name) {
                    assert_eq!(d, section.detector, "{}: a pattern of {} captures @{name}", lang.id(), d.id());
                } else {
                    assert!(name.starts_with('_'), "{}: capture @{name} is neither a detector nor a helper", lang.id());
                }
            }
            // Each pattern names one of the section's words (in a predicate, a regex or a node
            // kind such as `unsafe_block`), so a file holding none of them cannot match it; the
            // per-language tests check that on every case they analyse.
            for pattern in patterns(section.source) {
                assert!(
                    section.words.iter().any(|w| pattern.contains(w)),
                    "{} {}: a pattern names none of the words {:?}:\n{pattern}",
                    lang.id(),
                    section.detector.id(),
                    section.words
                );
            }
            covered.insert(section.detector);
        }
        // The sections together are the language's whole query: no pattern is outside one.
        let whole = crate::analysis::detectors::compile_whole(lang);
        let split: usize = sections(lang).iter().map(|s| s.compile().pattern_count()).sum();
        assert_eq!(whole.pattern_count(), split, "{}", lang.id());
    }
    assert_eq!(covered.into_iter().collect::<Vec<_>>(), Detector::ALL.to_vec(), "every detector has a pattern");
}

/// A query text's top-level patterns (comments dropped).
fn patterns(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut current) = (0i32, String::new());
    for line in source.lines().filter(|l| !l.trim_start().starts_with(';')) {
        for c in line.chars() {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
        }
        current.push_str(line);
        current.push('\n');
        if depth == 0 && !current.trim().is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    out
}

#[test]
fn a_section_runs_only_when_its_words_are_whole_words_of_the_file() {
    let ids = |lang: Lang, text: &str| triggered(lang, text).map(|s| s.detector.id()).collect::<Vec<_>>();
    // `String` holds `ring`, and `HashMap` nothing at all: a plain Rust file triggers nothing.
    assert!(ids(Lang::Rust, "use std::collections::HashMap;\nfn f(s: String) -> String { s }\n").is_empty());
    assert_eq!(ids(Lang::Rust, "use ring::digest;\n"), vec!["crypto"]);
    assert_eq!(ids(Lang::Rust, "unsafe { x() }"), vec!["unsafe"]);
    assert_eq!(ids(Lang::Python, "import subprocess\n"), vec!["shell-exec"]);
    assert_eq!(ids(Lang::JavaScript, "db.$queryRawUnsafe(`x`)"), vec!["sql-string"]);
    assert!(ids(Lang::Go, "package main\nfunc osx() {}\n").is_empty());
}

#[test]
fn a_span_widens_the_range_but_not_the_symbol() {
    let src = "import subprocess\n\nout = subprocess.run(\n    cmd,\n    shell=True,\n)\n";
    let tree = parse(Lang::Python, src, &Unlimited).expect("parses");
    let (found, timed_out) = run_builtin_all(Lang::Python, &tree, src, &Unlimited);
    assert!(!timed_out);
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!((f.detector.as_str(), f.line, f.symbol.as_str()), ("shell-exec", 3, "subprocess.run"));
    // The whole call, arguments and all.
    assert_eq!(&src[f.start..f.end], "subprocess.run(\n    cmd,\n    shell=True,\n)");
}

#[test]
fn overlapping_matches_are_one_finding() {
    // The attribute and the call around it both match `crypto` in Python.
    let src = "d = hashlib.sha256(data).hexdigest()\n";
    let tree = parse(Lang::Python, src, &Unlimited).expect("parses");
    let (found, _) = run_builtin_all(Lang::Python, &tree, src, &Unlimited);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].symbol, "hashlib.sha256");
    assert_eq!(&src[found[0].start..found[0].end], "hashlib.sha256(data)");
    // Java: the stream and the read on it start at the same place.
    let src = "class A { Object f() { return new ObjectInputStream(in).readObject(); } }\n";
    let tree = parse(Lang::Java, src, &Unlimited).expect("parses");
    let (found, _) = run_builtin_all(Lang::Java, &tree, src, &Unlimited);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].symbol, "new ObjectInputStream(in)");
    assert_eq!(&src[found[0].start..found[0].end], "new ObjectInputStream(in).readObject()");
}

#[test]
fn findings_come_out_in_line_order() {
    let src = "import pickle\nx = pickle.loads(b)\nos.system(c)\neval(e)\nhashlib.md5(m)\n";
    let tree = parse(Lang::Python, src, &Unlimited).expect("parses");
    let (found, _) = run_builtin_all(Lang::Python, &tree, src, &Unlimited);
    let mut lines: Vec<(u32, &str)> = found.iter().map(|f| (f.line, f.detector.as_str())).collect();
    lines.sort_by_key(|(l, _)| *l);
    assert_eq!(lines, vec![(2, "deserialize-untrusted"), (3, "shell-exec"), (4, "eval"), (5, "crypto")]);
}

#[test]
fn a_policy_query_reports_its_captures_as_query_findings() {
    let query = Query::new(
        &Lang::Python.grammar(),
        r#"(call function: (identifier) @danger (#eq? @danger "launch_missiles"))"#,
    )
    .expect("compiles");
    let other = Query::new(&Lang::Go.grammar(), "(call_expression) @match").expect("compiles");
    let custom = [
        CustomQuery { lang: Lang::Python, query: &query, name: "query:red" },
        CustomQuery { lang: Lang::Go, query: &other, name: "query:red" },
    ];
    let base = "def run():\n    return 1\n";
    let head = "def run():\n    launch_missiles()\n    return 1\n";
    let contents = Contents::Versions { base: Some(base.as_bytes()), head: Some(head.as_bytes()) };
    let a = analyze_file("ops/run.py", contents, &custom, &Limits::default(), &Unlimited);
    assert_eq!(all(&a), vec![("query:red".to_string(), 2, "launch_missiles".to_string())]);
    // Only in what the change touches.
    let head2 = head.replace("return 1", "return 2");
    let contents = Contents::Versions { base: Some(head.as_bytes()), head: Some(head2.as_bytes()) };
    let a = analyze_file("ops/run.py", contents, &custom, &Limits::default(), &Unlimited);
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty());
}

#[test]
fn a_deadline_stops_the_query() {
    // `os` makes the shell-exec section run.
    let src = format!("import os\n{}", "x = 1\n".repeat(50_000));
    let tree = parse(Lang::Python, &src, &Unlimited).expect("parses");
    let (_, timed_out) = run_builtin_all(Lang::Python, &tree, &src, &AfterChecks(Cell::new(0)));
    assert!(timed_out);
    let (_, timed_out) = run_builtin_all(Lang::Python, &tree, &src, &Unlimited);
    assert!(!timed_out);
}

#[test]
fn a_long_run_of_bare_brackets_is_refused_not_queried_for_minutes() {
    // Words that make a section of every language run.
    let words = "os exec eval Command crypto\n";
    for lang in [Lang::Python, Lang::JavaScript, Lang::Rust, Lang::Go, Lang::Java] {
        let src = format!("{words}{}", "(".repeat(10_000));
        let tree = parse(lang, &src, &Unlimited).expect("parses");
        let (found, timed_out) = run_builtin_all(lang, &tree, &src, &Unlimited);
        assert!(timed_out && found.is_empty(), "{}", lang.id());
        // With no detector's word in it, no query runs at all, so nothing can take long.
        let src = "(".repeat(10_000);
        let tree = parse(lang, &src, &Unlimited).expect("parses");
        assert_eq!(run_builtin_all(lang, &tree, &src, &Unlimited), (Vec::new(), false), "{}", lang.id());
        // A few hundred are read as usual.
        let src = format!("{}\nos.system(cmd)\n", "(".repeat(300));
        let tree = parse(lang, &src, &Unlimited).expect("parses");
        let (_, timed_out) = run_builtin_all(lang, &tree, &src, &Unlimited);
        assert!(!timed_out, "{}", lang.id());
    }
    // Through analysis that is a timeout: the file keeps the gate from passing.
    let head = format!("import os\n{}", "[".repeat(10_000));
    let contents = Contents::Versions { base: Some(b"import os\n"), head: Some(head.as_bytes()) };
    let a = analyze_file("x.py", contents, &[], &Limits::default(), &Unlimited);
    assert_eq!(a.skipped, Some(SkipReason::TimedOut));
}

#[test]
fn a_file_only_reports_what_its_change_adds() {
    // Every detector's construct is already in the base; the change touches none of them.
    let base = "import subprocess, pickle, hashlib\n\ndef old(cur, s, b):\n    subprocess.run(s)\n    eval(s)\n    cur.execute(\"SELECT \" + s)\n    hashlib.md5(b)\n    pickle.loads(b)\n\ndef new():\n    return 1\n";
    let a = change("app/all.py", base, "return 1", "return 2");
    assert_eq!(a.change, ChangeKind::Code);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    // Added wholesale, the same file reports everything.
    let a = versions("app/all.py", None, Some(base));
    let mut detectors: Vec<&str> = a.findings.iter().map(|f| f.detector.as_str()).collect();
    detectors.sort();
    detectors.dedup();
    assert_eq!(detectors, vec!["crypto", "deserialize-untrusted", "eval", "shell-exec", "sql-string"]);
}
