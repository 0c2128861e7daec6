//! Criterion benchmark of the review-latency digest over a synthetic log of 1,000,000 events
//! across 50,000 PRs, generated deterministically and fed one PR at a time as a store cursor would.

use std::hint::black_box;

use chrono::TimeDelta;
use criterion::{Criterion, criterion_group, criterion_main};
use flowgate::latency::{ClockMode, Digest, DigestBuilder, Window};

#[path = "support/synthetic.rs"]
mod synthetic;

use synthetic::{EVENTS_PER_PR, Lcg, PRS, config, generate_pr, start};

/// Repositories the log spreads its PRs over.
const REPOS: u64 = 40;

/// The last week of the log, `now` at its end; the trend covers all twelve weeks.
fn digest(mode: ClockMode) -> (Digest, usize) {
    let now = start() + TimeDelta::weeks(13);
    let window = Window::new(now - TimeDelta::weeks(1), now);
    let mut builder = DigestBuilder::new(config(mode), window, now);
    let mut rng = Lcg(7);
    let mut events = Vec::with_capacity(EVENTS_PER_PR);
    let mut count = 0;
    for index in 0..PRS {
        generate_pr(&mut rng, index, REPOS, &mut events);
        count += events.len();
        builder.add_pr(&events);
    }
    (builder.finish(), count)
}

fn bench(c: &mut Criterion) {
    let (_, events) = digest(ClockMode::Calendar);
    assert_eq!(events, 1_000_000, "the synthetic log is a million events");
    let mut group = c.benchmark_group("latency digest, 1,000,000 events across 50,000 PRs");
    group.sample_size(10);
    group.bench_function("generate the log only", |b| {
        b.iter(|| {
            let mut rng = Lcg(7);
            let mut events = Vec::with_capacity(EVENTS_PER_PR);
            let mut count = 0;
            for index in 0..PRS {
                generate_pr(&mut rng, index, REPOS, &mut events);
                count += black_box(&events).len();
            }
            count
        })
    });
    group.bench_function("generate and digest, business hours", |b| b.iter(|| black_box(digest(ClockMode::Business))));
    group.bench_function("generate and digest, wall clock", |b| b.iter(|| black_box(digest(ClockMode::Calendar))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
