//! Criterion benchmarks of the engine's hot path: a PR of 3,000 files against a policy of 200 globs.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use flowgate::model::{
    Commit, CommitSha, FileChange, FileStatus, GitPerson, Label, Login, PrFacts, Review, ReviewState,
};
use flowgate::policy::load::load_text;

/// A policy with 200 path globs spread over the three tiers, in the shapes real policies use.
fn policy_text() -> String {
    let mut red = Vec::new();
    let mut green = Vec::new();
    for i in 0..100 {
        red.push(format!("\"services/svc{i}/auth/**\""));
    }
    for i in 0..60 {
        green.push(format!("\"services/svc{i}/docs/**\""));
    }
    for i in 0..40 {
        green.push(format!("\"**/*.ext{i}\""));
    }
    format!(
        "version: 1\ntiers:\n  red:\n    paths: [{}]\n    review: {{ approvals: 2, from: [\"@acme/security\"], dismiss_stale: true }}\n  yellow:\n    default: true\n    review: {{ approvals: 1 }}\n  green:\n    paths: [{}]\n    review: {{ approvals: 1 }}\nteams:\n  \"@acme/security\": [alice, bob]\nlinkage:\n  required: true\n  trackers: {{ jira: {{ projects: [ABC] }}, github: {{}} }}\nai:\n  disclosure: required\n  tiers:\n    red: {{ review: {{ approvals: 1, from: [\"@acme/security\"] }} }}\nlimits: {{ max_files: 3000, max_changed_lines: 500000 }}\n",
        red.join(", "),
        green.join(", ")
    )
}

/// A PR of 3,000 files across 200 services, 50 commits (some AI-marked) and 10 reviews.
fn big_pr() -> PrFacts {
    let head = CommitSha::new("f".repeat(40));
    let files: Vec<FileChange> = (0..3000)
        .map(|i| {
            let dir = ["src/handlers", "auth", "docs", "lib/util", "tests"][i % 5];
            FileChange::new(format!("services/svc{}/{dir}/file{i}.rs", i % 200), FileStatus::Modified, 5, 2)
        })
        .collect();
    let commits = (0..50)
        .map(|i| Commit {
            sha: if i == 49 { head.clone() } else { CommitSha::new(format!("{i:040}")) },
            message: if i % 10 == 0 {
                format!("ABC-{i}: change\n\nCo-Authored-By: Claude <noreply@anthropic.com>")
            } else {
                format!("Change {i}")
            },
            author: GitPerson {
                name: "Carol".into(),
                email: "carol@acme.example".into(),
                login: Some(Login::new("carol")),
            },
            committer: GitPerson {
                name: "Carol".into(),
                email: "carol@acme.example".into(),
                login: Some(Login::new("carol")),
            },
            files: Some(files.iter().skip(i * 60).take(60).map(|f| f.path.clone()).collect()),
            parents: Vec::new(),
            tree: None,
        })
        .collect();
    let reviews = (0..10)
        .map(|i| Review {
            reviewer: Login::new(format!("reviewer{i}")),
            state: ReviewState::Approved,
            commit_id: Some(head.clone()),
            submitted_at: None,
        })
        .collect();
    PrFacts {
        repo: Some("acme/monorepo".into()),
        number: Some(1),
        title: "ABC-1: a very large change".into(),
        body: "- [x] AI-assisted".into(),
        branch: "feature/ABC-1".into(),
        base_branch: "main".into(),
        author: Login::new("carol"),
        head_sha: Some(head),
        draft: false,
        labels: vec![Label { name: "ai:assisted".into(), applied_by: None }],
        files,
        commits,
        reviews,
        visibility: Default::default(),
        chains: Default::default(),
        since_approved: Default::default(),
        codeowners: None,
        edited_policy: None,
        provenance: None,
        ai_declaration: None,
    }
}

fn bench(c: &mut Criterion) {
    let text = policy_text();
    let policy = load_text(&text, Path::new("bench.yml")).expect("bench policy loads");
    assert_eq!(policy.tiers.owners.len(), 200);
    let facts = big_pr();
    c.bench_function("evaluate 3000 files x 200 globs", |b| {
        b.iter(|| flowgate::evaluate(black_box(&facts), black_box(&policy)))
    });
    c.bench_function("load policy of 200 globs", |b| {
        b.iter(|| load_text(black_box(&text), Path::new("bench.yml")).expect("loads"))
    });
    let verdict = flowgate::evaluate(&facts, &policy);
    c.bench_function("render 3000-file verdict as JSON", |b| {
        b.iter(|| flowgate::report::render(black_box(&verdict), flowgate::report::Format::Json, false))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
