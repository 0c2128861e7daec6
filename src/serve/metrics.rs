//! The App's counters, rendered as Prometheus text on `GET /metrics`: deliveries by event and
//! outcome, queue depth, evaluation latency, and GitHub requests and rate limit by installation.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the evaluation latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    deliveries: BTreeMap<(String, &'static str), u64>,
    evaluations: BTreeMap<&'static str, u64>,
    latency_buckets: [u64; BUCKETS.len()],
    latency_sum: f64,
    latency_count: u64,
    github: BTreeMap<i64, (usize, Option<i64>)>,
}

/// The queue as the store counts it, read at scrape time.
pub struct Depth {
    pub queued: i64,
    pub in_progress: i64,
    pub parked: i64,
}

impl Metrics {
    /// A delivery answered: `outcome` is `stored`, `duplicate`, `ignored`, `bad_signature`,
    /// `bad_request` or `too_large`.
    pub fn delivery(&self, event: &str, outcome: &'static str) {
        if let Ok(mut m) = self.inner.lock() {
            // Event names come from a header anyone can send: keep the label set bounded.
            let event = if event.len() <= 40 && event.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                event.to_string()
            } else {
                "other".to_string()
            };
            *m.deliveries.entry((event, outcome)).or_default() += 1;
        }
    }

    /// An evaluation finished: `outcome` is `done`, `retry` or `parked`.
    pub fn evaluation(&self, outcome: &'static str, took: Duration) {
        if let Ok(mut m) = self.inner.lock() {
            *m.evaluations.entry(outcome).or_default() += 1;
            let secs = took.as_secs_f64();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if secs <= *bound {
                    m.latency_buckets[i] += 1;
                }
            }
            m.latency_sum += secs;
            m.latency_count += 1;
        }
    }

    /// What an installation's client has cost so far.
    pub fn github(&self, installation: i64, requests: usize, remaining: Option<i64>) {
        if let Ok(mut m) = self.inner.lock() {
            m.github.insert(installation, (requests, remaining));
        }
    }

    pub fn render(&self, depth: Option<Depth>) -> String {
        let Ok(m) = self.inner.lock() else { return String::new() };
        let mut out = String::new();
        let _ = writeln!(out, "# HELP flowgate_deliveries_total Webhook deliveries received, by event and outcome.");
        let _ = writeln!(out, "# TYPE flowgate_deliveries_total counter");
        for ((event, outcome), n) in &m.deliveries {
            let _ = writeln!(out, "flowgate_deliveries_total{{event=\"{event}\",outcome=\"{outcome}\"}} {n}");
        }
        let _ = writeln!(out, "# HELP flowgate_evaluations_total Pull request evaluations, by outcome.");
        let _ = writeln!(out, "# TYPE flowgate_evaluations_total counter");
        for (outcome, n) in &m.evaluations {
            let _ = writeln!(out, "flowgate_evaluations_total{{outcome=\"{outcome}\"}} {n}");
        }
        if let Some(d) = depth {
            let _ = writeln!(out, "# HELP flowgate_queue_depth Stored deliveries by state.");
            let _ = writeln!(out, "# TYPE flowgate_queue_depth gauge");
            for (state, n) in [("queued", d.queued), ("in_progress", d.in_progress), ("parked", d.parked)] {
                let _ = writeln!(out, "flowgate_queue_depth{{state=\"{state}\"}} {n}");
            }
        }
        let _ =
            writeln!(out, "# HELP flowgate_evaluation_seconds Time to evaluate a pull request and publish the result.");
        let _ = writeln!(out, "# TYPE flowgate_evaluation_seconds histogram");
        for (bound, n) in BUCKETS.iter().zip(m.latency_buckets) {
            let _ = writeln!(out, "flowgate_evaluation_seconds_bucket{{le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(out, "flowgate_evaluation_seconds_bucket{{le=\"+Inf\"}} {}", m.latency_count);
        let _ = writeln!(out, "flowgate_evaluation_seconds_sum {}", m.latency_sum);
        let _ = writeln!(out, "flowgate_evaluation_seconds_count {}", m.latency_count);
        let _ = writeln!(out, "# HELP flowgate_github_requests_total GitHub API requests, by installation.");
        let _ = writeln!(out, "# TYPE flowgate_github_requests_total counter");
        for (installation, (requests, _)) in &m.github {
            let _ = writeln!(out, "flowgate_github_requests_total{{installation=\"{installation}\"}} {requests}");
        }
        let _ =
            writeln!(out, "# HELP flowgate_github_rate_limit_remaining Requests left this hour, as GitHub last said.");
        let _ = writeln!(out, "# TYPE flowgate_github_rate_limit_remaining gauge");
        for (installation, (_, remaining)) in &m.github {
            if let Some(r) = remaining {
                let _ = writeln!(out, "flowgate_github_rate_limit_remaining{{installation=\"{installation}\"}} {r}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_as_prometheus_text() {
        let m = Metrics::default();
        m.delivery("pull_request", "stored");
        m.delivery("pull_request", "stored");
        m.delivery("<script>", "bad_signature");
        m.evaluation("done", Duration::from_millis(300));
        m.github(7, 12, Some(4990));
        let text = m.render(Some(Depth { queued: 3, in_progress: 1, parked: 0 }));
        for line in [
            "flowgate_deliveries_total{event=\"pull_request\",outcome=\"stored\"} 2",
            "flowgate_deliveries_total{event=\"other\",outcome=\"bad_signature\"} 1",
            "flowgate_queue_depth{state=\"queued\"} 3",
            "flowgate_evaluation_seconds_bucket{le=\"0.25\"} 0",
            "flowgate_evaluation_seconds_bucket{le=\"0.5\"} 1",
            "flowgate_evaluation_seconds_count 1",
            "flowgate_github_rate_limit_remaining{installation=\"7\"} 4990",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
    }
}
