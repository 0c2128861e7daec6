//! Criterion benchmark of the weekly digest read from PostgreSQL, as the App and `flowgate digest
//! --database` compute it: 1,000,000 review events of 50,000 PRs across 500 repositories, streamed
//! from the store a batch of PRs at a time, against the same log generated in memory.
//!
//! Needs `FLOWGATE_BENCH_DATABASE_URL` (a PostgreSQL server URL, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`); it creates and fills its own database
//! `flowgate_bench_digest` there once, and reuses it while it holds the same log.

use std::hint::black_box;

use chrono::TimeDelta;
use criterion::{Criterion, criterion_group, criterion_main};
use flowgate::gate::digest::builder;
use flowgate::latency::{ClockMode, Digest, DigestBuilder, Window};
use flowgate::store::Store;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

#[path = "support/synthetic.rs"]
mod synthetic;

use synthetic::{EVENTS_PER_PR, Lcg, PRS, config, generate_pr, start};

const DATABASE_URL: &str = "FLOWGATE_BENCH_DATABASE_URL";
const DATABASE: &str = "flowgate_bench_digest";
const REPOS: u64 = 500;
/// PRs generated per write, so seeding holds a few thousand events at a time.
const PRS_PER_WRITE: u64 = 500;

/// The digest of the log's last week, `now` at its end; the trend covers all twelve weeks.
fn window() -> (Window, chrono::DateTime<chrono::Utc>) {
    let now = start() + TimeDelta::weeks(13);
    (Window::new(now - TimeDelta::weeks(1), now), now)
}

fn in_memory(mode: ClockMode) -> Digest {
    let (window, now) = window();
    let mut builder = DigestBuilder::new(config(mode), window, now);
    let mut rng = Lcg(7);
    let mut events = Vec::with_capacity(EVENTS_PER_PR);
    for index in 0..PRS {
        generate_pr(&mut rng, index, REPOS, &mut events);
        builder.add_pr(&events);
    }
    builder.finish()
}

async fn from_store(store: &Store, mode: ClockMode) -> Digest {
    let (window, now) = window();
    builder(store, config(mode), window, now, None).await.expect("reads the review events").finish()
}

/// The bench database, created on `server` when missing and filled with the log when it does not
/// hold exactly the log's events.
async fn prepare(server: &str) -> Store {
    let (base, _) = server.rsplit_once('/').expect("a PostgreSQL URL ends in /DATABASE");
    let mut admin = PgConnection::connect(server).await.expect("connects to the bench server");
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(DATABASE)
        .fetch_one(&mut admin)
        .await
        .expect("asks whether the bench database exists");
    if !exists {
        sqlx::query(&format!("CREATE DATABASE \"{DATABASE}\"")).execute(&mut admin).await.expect("creates it");
    }
    let url = format!("{base}/{DATABASE}");
    let store = Store::connect(&url).await.expect("opens the bench store");
    let mut db = PgConnection::connect(&url).await.expect("connects to the bench database");
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM review_events").fetch_one(&mut db).await.expect("counts events");
    let wanted = PRS * EVENTS_PER_PR as u64;
    if stored as u64 != wanted {
        eprintln!("filling {DATABASE} with {wanted} review events of {PRS} PRs in {REPOS} repositories");
        sqlx::query("TRUNCATE review_events").execute(&mut db).await.expect("empties review_events");
        let mut rng = Lcg(7);
        let mut pr = Vec::with_capacity(EVENTS_PER_PR);
        let mut batch = Vec::with_capacity(EVENTS_PER_PR * PRS_PER_WRITE as usize);
        for index in 0..PRS {
            generate_pr(&mut rng, index, REPOS, &mut pr);
            batch.append(&mut pr);
            if (index + 1) % PRS_PER_WRITE == 0 {
                store.record_events(&batch).await.expect("stores a batch of events");
                batch.clear();
            }
        }
        store.record_events(&batch).await.expect("stores the last batch");
        sqlx::query("ANALYZE review_events").execute(&mut db).await.expect("analyzes");
    }
    store
}

fn bench(c: &mut Criterion) {
    let server = match std::env::var(DATABASE_URL) {
        Ok(server) if !server.is_empty() => server,
        _ => {
            eprintln!("\n*** digest_store DID NOT RUN: set {DATABASE_URL} to a PostgreSQL server URL ***\n");
            return;
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    let store = runtime.block_on(prepare(&server));
    let stored = runtime.block_on(from_store(&store, ClockMode::Business));
    let generated = in_memory(ClockMode::Business);
    assert_eq!(stored, generated, "the digest read from PostgreSQL is the digest of the log itself");

    let mut group = c.benchmark_group("digest of 50,000 PRs in 500 repositories");
    group.sample_size(10);
    group.bench_function("generate the log only", |b| {
        b.iter(|| {
            let mut rng = Lcg(7);
            let mut events = Vec::with_capacity(EVENTS_PER_PR);
            for index in 0..PRS {
                generate_pr(&mut rng, index, REPOS, &mut events);
                black_box(&events);
            }
        })
    });
    group.bench_function("generate and digest in memory, business hours", |b| {
        b.iter(|| black_box(in_memory(ClockMode::Business)))
    });
    group.bench_function("read from PostgreSQL and digest, business hours", |b| {
        b.iter(|| black_box(runtime.block_on(from_store(&store, ClockMode::Business))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
