//! Criterion benchmarks of the limits a policy is read under: what the YAML pre-scan costs on a
//! large legitimate policy and on the attacks it refuses, and what compiling a tree-sitter query
//! costs at the size limit, so the limits can be judged against their price.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use flowgate::analysis::lang::Lang;
use flowgate::policy::load::load_text;
use flowgate::policy::query_limits::{self, MAX_QUERY_NODES};
use flowgate::policy::yaml_limits;

/// A legitimate policy of `n` red globs and a reviewer pool, near the size limit when large.
fn big_policy(n: usize) -> String {
    let mut s = String::from("extends: default\ntiers:\n  red:\n    paths:\n");
    for i in 0..n {
        s.push_str(&format!("      - \"services/team-{i}/payments/**/*.rs\"\n"));
    }
    s
}

/// Aliases of one large string, 1.2 MB in all (expands to gigabytes).
fn alias_bomb() -> String {
    let mut s = format!("version: 1\nx: &big \"{}\"\nl: [", "a".repeat(100_000));
    while s.len() < 1_200_000 {
        s.push_str("*big, ");
    }
    s.push_str("]\n");
    s
}

/// 200 KB of nested flow sequences.
fn deep_nesting() -> String {
    format!("version: 1\nx: {}{}\n", "[".repeat(100_000), "]".repeat(100_000))
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("policy_limits");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    let big = big_policy(10_000);
    g.bench_function("yaml prescan, 10,000-glob policy (520 KB)", |b| {
        b.iter(|| yaml_limits::check(black_box(&big)).expect("within the limits"))
    });
    let bomb = alias_bomb();
    g.bench_function("load, 1.2 MB alias bomb (refused)", |b| {
        b.iter(|| load_text(black_box(&bomb), Path::new("flowgate.yml")).expect_err("refused"))
    });
    let deep = deep_nesting();
    g.bench_function("load, 200 KB deep nesting (refused)", |b| {
        b.iter(|| load_text(black_box(&deep), Path::new("flowgate.yml")).expect_err("refused"))
    });
    let fifty_thousand = query_limits::alternatives(50_000);
    g.bench_function("query check, 50,000 alternatives (refused)", |b| {
        b.iter(|| query_limits::check("rust", black_box(&fifty_thousand)).expect_err("refused"))
    });
    // One alternative writes four nodes: the largest query the node limit lets through.
    for n in [25, 100, (MAX_QUERY_NODES - 1) / 4] {
        let text = query_limits::alternatives(n);
        query_limits::check("rust", &text).expect("within the limits");
        g.bench_function(format!("query compile, {n} alternatives"), |b| {
            b.iter(|| tree_sitter::Query::new(&Lang::Rust.grammar(), black_box(&text)).expect("compiles"))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("policy_limits_load");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("load, 10,000-glob policy (520 KB)", |b| {
        b.iter(|| load_text(black_box(&big), Path::new("flowgate.yml")).expect("loads"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
