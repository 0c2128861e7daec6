//! Criterion benchmarks of code analysis: classification throughput against tree-sitter's bare
//! parse of the same files, a 500-file PR end to end, pathological inputs under their budgets, and
//! what a `flowgate check` pays before its first parse.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flowgate::analysis::budget::{Limits, Unlimited};
use flowgate::analysis::detectors::{compile_whole, sections, triggered};
use flowgate::analysis::lang::Lang;
use flowgate::analysis::parse::parse;
use flowgate::analysis::{Contents, analyze_file};
use flowgate::gate::analyze::{ContentSource, Side, analyze};
use flowgate::model::{FileChange, FileStatus, PrFacts};
use flowgate::policy::load::load_text;

/// Real Rust source: flowgate's own files, read at bench time.
fn rust_corpus() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("utf-8 source");
                out.push((path.display().to_string(), text));
            }
        }
    }
    out.sort();
    out
}

/// A Python module of `n` classes with methods, loops, strings and comments.
fn python_module(n: usize) -> String {
    let mut s = String::from("\"\"\"Generated benchmark module.\"\"\"\n\nimport os\nimport json\n\n");
    for i in 0..n {
        s.push_str(&format!(
            "class Service{i}:\n    \"\"\"Service {i}.\"\"\"\n\n    def __init__(self, store):\n        self.store = store  # the backing store\n        self.cache = {{}}\n\n    def load(self, key):\n        if key in self.cache:\n            return self.cache[key]\n        value = json.loads(self.store.get(f\"item-{{key}}\") or \"null\")\n        for attempt in range(3):\n            if value is not None:\n                break\n            value = self.store.retry(key, attempt)\n        self.cache[key] = value\n        return value\n\n"
        ));
    }
    s
}

/// The same text with one token changed in the middle: a typical small edit.
fn edited(text: &str) -> String {
    let mid = text.len() / 2;
    let at = text[mid..].find("return").map_or(mid, |i| mid + i);
    format!("{}yield_{}", &text[..at], &text[at..])
}

fn throughput(c: &mut Criterion) {
    let rust: Vec<(String, String, String)> =
        rust_corpus().into_iter().map(|(p, t)| (p.clone(), t.clone(), edited(&t))).collect();
    let py = python_module(400);
    let python = vec![("bench/services.py".to_string(), py.clone(), edited(&py))];
    for (name, files, lang) in [("rust", &rust, Lang::Rust), ("python", &python, Lang::Python)] {
        let bytes: usize = files.iter().map(|(_, b, h)| b.len() + h.len()).sum();
        let mut group = c.benchmark_group(format!("classify {name}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("bare parse of both versions", |b| {
            b.iter(|| {
                for (_, base, head) in files.iter() {
                    black_box(parse(lang, base, &Unlimited).ok());
                    black_box(parse(lang, head, &Unlimited).ok());
                }
            })
        });
        group.bench_function("analyze_file (parse, classify, detect)", |b| {
            b.iter(|| {
                for (path, base, head) in files.iter() {
                    let contents = Contents::Versions { base: Some(base.as_bytes()), head: Some(head.as_bytes()) };
                    black_box(analyze_file(path, contents, &[], &Limits::default(), &Unlimited));
                }
            })
        });
        group.finish();
    }
}

/// Contents kept in memory, as a snapshot's `contents/` would give them.
struct InMemory(Vec<(String, String, String)>);

impl ContentSource for InMemory {
    fn read(&mut self, side: Side, path: &str) -> Option<Vec<u8>> {
        let (_, base, head) = self.0.iter().find(|(p, _, _)| p == path)?;
        Some(match side {
            Side::Base => base.clone().into_bytes(),
            Side::Head => head.clone().into_bytes(),
        })
    }
}

fn five_hundred_files(c: &mut Criterion) {
    let corpus = rust_corpus();
    let files: Vec<(String, String, String)> = (0..500)
        .map(|i| {
            let (_, text) = &corpus[i % corpus.len()];
            (format!("crate{}/src/file{i}.rs", i % 20), text.clone(), edited(text))
        })
        .collect();
    let bytes: usize = files.iter().map(|(_, b, h)| b.len() + h.len()).sum();
    let policy = load_text(
        "version: 1\nextends: default\ntiers:\n  red:\n    code: [unsafe, shell-exec]\n    relax: [comments, formatting]\n  yellow:\n    relax: [comments, formatting, tests]\nanalysis: { pr_budget_ms: 600000, file_budget_ms: 60000 }\n",
        Path::new("bench.yml"),
    )
    .expect("bench policy loads");
    let facts = PrFacts {
        files: files.iter().map(|(p, _, _)| FileChange::new(p.clone(), FileStatus::Modified, 1, 1)).collect(),
        ..PrFacts::default()
    };
    let mut group = c.benchmark_group("pr of 500 rust files");
    group.sample_size(10).throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("analyze and evaluate", |b| {
        b.iter(|| {
            let mut facts = facts.clone();
            analyze(&mut facts, &policy, &mut InMemory(files.clone()));
            black_box(flowgate::evaluate(&facts, &policy))
        })
    });
    group.finish();
}

fn pathological(c: &mut Criterion) {
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"abcxyz019 \n\t(){}[]<>\"'`/*#;:,.=+-!&|\\";
    let random: String =
        (0..2 * 1024 * 1024).map(|_| alphabet[(next() % alphabet.len() as u64) as usize] as char).collect();
    let nested = format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000));
    // A 1 MB added Go file of 12,700 small functions: the symbol list once grew quadratically.
    let mut definitions = String::from("package pkg\n\n");
    for i in 0.. {
        if definitions.len() >= 1000 * 1024 {
            break;
        }
        definitions.push_str(&format!(
            "func F{i}(a int) int {{\n\tif a > {i} {{\n\t\treturn a - {i}\n\t}}\n\treturn a + {i}\n}}\n\n"
        ));
    }
    let limits = Limits { max_file_bytes: 4 * 1024 * 1024, ..Limits::default() };
    let mut group = c.benchmark_group("pathological input, 500 ms file budget");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for (name, path, text) in [
        ("2 MB of random text as Rust", "junk.rs", &random),
        ("100k nested brackets as Python", "deep.py", &nested),
        ("1 MB added Go file of 12,700 functions", "big.go", &definitions),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let deadline = flowgate::gate::analyze::At(std::time::Instant::now() + limits.per_file);
                let contents = Contents::Versions { base: None, head: Some(text.as_bytes()) };
                black_box(analyze_file(path, contents, &[], &limits, &deadline))
            })
        });
    }
    group.finish();
}

/// The languages a PR's analysis reads: what a process compiled whole queries for before sections.
fn languages_of(dir: &Path) -> Vec<Lang> {
    let facts = flowgate::snapshot::read(dir).expect("example snapshot reads");
    let mut langs: Vec<Lang> = facts.files.iter().filter_map(|f| Lang::for_path(&f.path)).collect();
    langs.sort();
    langs.dedup();
    langs
}

/// The built-in sections a PR's new file versions trigger, as (language, new text) pairs whose
/// sections a fresh process compiles.
fn heads_of(dir: &Path) -> Vec<(Lang, String)> {
    let facts = flowgate::snapshot::read(dir).expect("example snapshot reads");
    facts
        .files
        .iter()
        .filter_map(|f| {
            let lang = Lang::for_path(&f.path)?;
            let text = std::fs::read_to_string(dir.join("contents/head").join(&f.path)).ok()?;
            Some((lang, text))
        })
        .collect()
}

/// Compiles, afresh, every section the texts trigger (each once, as a process would).
fn compile_triggered(heads: &[(Lang, String)]) -> usize {
    let mut seen = Vec::new();
    for (lang, text) in heads {
        for section in triggered(*lang, text) {
            if !seen.contains(&(section.lang, section.detector)) {
                seen.push((section.lang, section.detector));
                black_box(section.compile());
            }
        }
    }
    seen.len()
}

/// What `flowgate check --snapshot DIR --policy examples/flowgate.yml` does in-process once its
/// queries are built: load the policy, read the snapshot, analyse, evaluate, render.
fn check(dir: &Path, policy: &Path) -> String {
    let policy = flowgate::policy::load::load_file(policy).expect("example policy loads");
    let (_, verdict) = flowgate::gate::check_snapshot(dir, &policy).expect("example snapshot checks");
    flowgate::report::render(&verdict, flowgate::report::Format::Text, false)
}

/// The fixed cost a `flowgate check` pays before its first parse, and the whole check, for a
/// typical PR (three Rust files and a Markdown file) and a docs-only one. A process compiles a
/// query once, so the cold cases compile inside every iteration: "every language" is what a
/// process paid when all seven grammars' queries were built on first use, "its languages" when a
/// language's whole query was built on its first file, "its sections" what it pays now (only the
/// detectors whose words its new text holds), and "with a SQL call" the same PR when one file
/// also calls `execute(format!(...))`, which triggers Rust's costliest section.
fn startup(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let policy = root.join("examples/flowgate.yml");
    let typical = root.join("examples/auth-login");
    let docs = root.join("examples/docs-only");
    let typical_langs = languages_of(&typical);
    let docs_langs = languages_of(&docs);
    assert_eq!(typical_langs, vec![Lang::Rust]);
    assert!(docs_langs.is_empty());
    let typical_heads = heads_of(&typical);
    assert_eq!(compile_triggered(&typical_heads), 0, "the typical PR triggers no detector");
    let mut with_sql = typical_heads.clone();
    with_sql.push((Lang::Rust, "fn f(db: &Db, n: &str) { db.execute(&format!(\"DELETE {n}\")); }".into()));
    assert_eq!(compile_triggered(&with_sql), 1, "the SQL call triggers one section");
    let mut group = c.benchmark_group("startup");
    group.sample_size(20);
    group.bench_function("typical PR, cold, every language's whole query", |b| {
        b.iter(|| {
            for lang in Lang::ALL {
                black_box(compile_whole(lang));
            }
            black_box(check(&typical, &policy))
        })
    });
    group.bench_function("typical PR, cold, its languages' whole query", |b| {
        b.iter(|| {
            for lang in &typical_langs {
                black_box(compile_whole(*lang));
            }
            black_box(check(&typical, &policy))
        })
    });
    group.bench_function("typical PR, cold, its sections (now)", |b| {
        b.iter(|| {
            compile_triggered(&typical_heads);
            black_box(check(&typical, &policy))
        })
    });
    group.bench_function("typical PR with a SQL call, cold, its sections (now)", |b| {
        b.iter(|| {
            compile_triggered(&with_sql);
            black_box(check(&typical, &policy))
        })
    });
    group.bench_function("docs-only PR, cold", |b| b.iter(|| black_box(check(&docs, &policy))));
    group
        .bench_function("typical PR, warm (queries already built)", |b| b.iter(|| black_box(check(&typical, &policy))));
    for lang in Lang::ALL {
        group.bench_function(format!("compile the {} whole query", lang.id()), |b| {
            b.iter(|| black_box(compile_whole(lang)))
        });
    }
    for section in sections(Lang::Rust) {
        group.bench_function(format!("compile the rust {} section", section.detector.id()), |b| {
            b.iter(|| black_box(section.compile()))
        });
    }
    // The real thing: a fresh `flowgate` process per iteration (exec, loading, and the check).
    for (name, dir) in [("typical PR", &typical), ("docs-only PR", &docs)] {
        group.bench_function(format!("{name}, flowgate check as a process"), |b| {
            b.iter(|| {
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_flowgate"))
                    .arg("check")
                    .arg("--snapshot")
                    .arg(dir)
                    .arg("--policy")
                    .arg(&policy)
                    .output()
                    .expect("flowgate runs");
                black_box(out.status)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, startup, throughput, five_hundred_files, pathological);
criterion_main!(benches);
