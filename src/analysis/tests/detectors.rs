//! The detector runner and the built-in queries as a whole: what every language's query
//! captures, helper captures, ranges, merging, custom queries and deadlines.

use std::cell::Cell;

use tree_sitter::Query;

use super::support::*;
use crate::analysis::budget::{AfterChecks, Limits, Unlimited};
use crate::analysis::detectors::{Detector, builtin, run};
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
fn every_builtin_query_compiles_and_captures_only_detectors_and_helpers() {
    let mut covered = std::collections::BTreeSet::new();
    for lang in Lang::ALL {
        // Each language's query is kept in its own slot, found by its index.
        assert_eq!(Lang::ALL[lang.index()], lang);
        let query = builtin(lang);
        for name in query.capture_names() {
            if let Some(d) = Detector::from_id(name) {
                covered.insert(d);
            } else {
                assert!(name.starts_with('_'), "{}: capture @{name} is neither a detector nor a helper", lang.id());
            }
        }
        assert!(query.pattern_count() > 0, "{}", lang.id());
    }
    assert_eq!(covered.into_iter().collect::<Vec<_>>(), Detector::ALL.to_vec(), "every detector has a pattern");
}

#[test]
fn which_detectors_each_language_has() {
    let has = |lang: Lang, d: Detector| builtin(lang).capture_names().contains(&d.id());
    assert!(has(Lang::Rust, Detector::Unsafe));
    for lang in [Lang::Python, Lang::JavaScript, Lang::TypeScript, Lang::Tsx, Lang::Go, Lang::Java] {
        assert!(!has(lang, Detector::Unsafe), "{}", lang.id());
    }
    assert!(!has(Lang::Rust, Detector::Eval));
    assert!(!has(Lang::Go, Detector::Eval));
    for lang in Lang::ALL {
        for d in [Detector::ShellExec, Detector::SqlString, Detector::Crypto, Detector::DeserializeUntrusted] {
            assert!(has(lang, d), "{} lacks {}", lang.id(), d.id());
        }
    }
}

#[test]
fn a_span_widens_the_range_but_not_the_symbol() {
    let src = "import subprocess\n\nout = subprocess.run(\n    cmd,\n    shell=True,\n)\n";
    let tree = parse(Lang::Python, src, &Unlimited).expect("parses");
    let (found, timed_out) = run(builtin(Lang::Python), &tree, src, None, &Unlimited);
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
    let (found, _) = run(builtin(Lang::Python), &tree, src, None, &Unlimited);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].symbol, "hashlib.sha256");
    assert_eq!(&src[found[0].start..found[0].end], "hashlib.sha256(data)");
    // Java: the stream and the read on it start at the same place.
    let src = "class A { Object f() { return new ObjectInputStream(in).readObject(); } }\n";
    let tree = parse(Lang::Java, src, &Unlimited).expect("parses");
    let (found, _) = run(builtin(Lang::Java), &tree, src, None, &Unlimited);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].symbol, "new ObjectInputStream(in)");
    assert_eq!(&src[found[0].start..found[0].end], "new ObjectInputStream(in).readObject()");
}

#[test]
fn findings_come_out_in_line_order() {
    let src = "import pickle\nx = pickle.loads(b)\nos.system(c)\neval(e)\nhashlib.md5(m)\n";
    let tree = parse(Lang::Python, src, &Unlimited).expect("parses");
    let (found, _) = run(builtin(Lang::Python), &tree, src, None, &Unlimited);
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
    let src = "x = 1\n".repeat(50_000);
    let tree = parse(Lang::Python, &src, &Unlimited).expect("parses");
    let (_, timed_out) = run(builtin(Lang::Python), &tree, &src, None, &AfterChecks(Cell::new(0)));
    assert!(timed_out);
    let (_, timed_out) = run(builtin(Lang::Python), &tree, &src, None, &Unlimited);
    assert!(!timed_out);
}

#[test]
fn a_long_run_of_bare_brackets_is_refused_not_queried_for_minutes() {
    for lang in [Lang::Python, Lang::JavaScript, Lang::Rust, Lang::Go, Lang::Java] {
        let src = "(".repeat(10_000);
        let tree = parse(lang, &src, &Unlimited).expect("parses");
        let (found, timed_out) = run(builtin(lang), &tree, &src, None, &Unlimited);
        assert!(timed_out && found.is_empty(), "{}", lang.id());
        // A few hundred are read as usual.
        let src = format!("{}\nos.system(cmd)\n", "(".repeat(300));
        let tree = parse(lang, &src, &Unlimited).expect("parses");
        let (_, timed_out) = run(builtin(lang), &tree, &src, None, &Unlimited);
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
