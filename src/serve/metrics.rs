//! The App's counters, rendered as Prometheus text on `GET /metrics`: deliveries by event and
//! outcome, queue depth, evaluation latency, GitHub requests and rate limit by installation, and
//! the edge's connections and webhook body bytes. No label takes a value from unsigned input.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// The events a delivery's label may name; any other is `other`. A fixed list, because the
/// header is typed by whoever sends the request, and each distinct label is a series kept forever.
const EVENTS: [&str; 12] = [
    "check_run",
    "check_suite",
    "installation",
    "installation_repositories",
    "issue_comment",
    "ping",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_review_thread",
    "push",
    "merge_group",
];

/// The label of requests refused before their signature was checked: their event header is
/// unsigned, so it is not read at all.
pub const UNVERIFIED: &str = "unverified";

/// Upper bounds of the evaluation latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    connections_open: AtomicI64,
    connection_cap_reached: AtomicU64,
    /// Teams' weekly digest messages: sent, and failed (tried again on the next run).
    digest_team_sent: AtomicU64,
    digest_team_failed: AtomicU64,
    without_policy: AtomicU64,
}

#[derive(Default)]
struct Inner {
    deliveries: BTreeMap<(&'static str, &'static str), u64>,
    evaluations: BTreeMap<&'static str, u64>,
    latency_buckets: [u64; BUCKETS.len()],
    latency_sum: f64,
    latency_count: u64,
    github: BTreeMap<i64, (usize, Option<i64>)>,
    /// Repositories whose onboarding met the cap on open PRs, and how often.
    onboarding_capped: BTreeMap<String, u64>,
    /// Review SLO steps by step and outcome.
    slo_steps: BTreeMap<(&'static str, &'static str), u64>,
}

/// The queue as the store counts it, read at scrape time.
pub struct Depth {
    pub queued: i64,
    pub in_progress: i64,
    pub parked: i64,
}

/// The webhook body budget as the edge counts it, read at scrape time.
pub struct BodyBytes {
    pub in_flight: u64,
    pub peak: u64,
    pub limit: u64,
}

/// Counts a connection open while it lives.
pub struct OpenConnection<'a>(&'a AtomicI64);

impl Drop for OpenConnection<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// A delivery answered: `outcome` is `stored`, `duplicate`, `ignored`, `bad_signature`,
    /// `bad_request`, `too_large`, `timeout` or `busy`. `event` is a name from a verified delivery,
    /// or `UNVERIFIED`; a name flowgate does not know counts as `other`.
    pub fn delivery(&self, event: &str, outcome: &'static str) {
        let event: &'static str = match EVENTS.iter().find(|e| **e == event) {
            Some(known) => known,
            None if event == UNVERIFIED => UNVERIFIED,
            None => "other",
        };
        if let Ok(mut m) = self.inner.lock() {
            *m.deliveries.entry((event, outcome)).or_default() += 1;
        }
    }

    /// A connection accepted; it counts as open until the value is dropped.
    pub fn connection_opened(&self) -> OpenConnection<'_> {
        self.connections_open.fetch_add(1, Ordering::Relaxed);
        OpenConnection(&self.connections_open)
    }

    /// The cap on open connections stopped the server accepting, for a while.
    pub fn connection_cap_reached(&self) {
        self.connection_cap_reached.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connections_open(&self) -> i64 {
        self.connections_open.load(Ordering::Relaxed)
    }

    pub fn connection_cap_reached_total(&self) -> u64 {
        self.connection_cap_reached.load(Ordering::Relaxed)
    }

    /// A team's weekly digest message reached its Slack channel, or did not.
    pub fn digest_team_message(&self, sent: bool) {
        let counter = if sent { &self.digest_team_sent } else { &self.digest_team_failed };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Teams' digest messages sent and failed since start.
    pub fn digest_team_messages(&self) -> (u64, u64) {
        (self.digest_team_sent.load(Ordering::Relaxed), self.digest_team_failed.load(Ordering::Relaxed))
    }

    /// A PR was not gated: its repository has neither a policy file nor a baseline.
    pub fn without_policy(&self) {
        self.without_policy.fetch_add(1, Ordering::Relaxed);
    }

    pub fn without_policy_total(&self) -> u64 {
        self.without_policy.load(Ordering::Relaxed)
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

    /// A repository's onboarding found more open PRs than it gates.
    pub fn onboarding_capped(&self, repo: &str) {
        if let Ok(mut m) = self.inner.lock() {
            *m.onboarding_capped.entry(repo.to_string()).or_default() += 1;
        }
    }

    /// A review SLO step settled: `step` is `remind`, `channel` or `reassign`; `outcome` is `sent`,
    /// `skipped` or `failed` (fixed words, never from input).
    pub fn slo_step(&self, step: &'static str, outcome: &'static str) {
        if let Ok(mut m) = self.inner.lock() {
            *m.slo_steps.entry((step, outcome)).or_default() += 1;
        }
    }

    /// The review SLO steps this process settled, by step and outcome.
    pub fn render_slo(&self) -> String {
        let Ok(m) = self.inner.lock() else { return String::new() };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP flowgate_slo_steps_total Review SLO steps settled by this process, by step and outcome (sent, skipped, failed)."
        );
        let _ = writeln!(out, "# TYPE flowgate_slo_steps_total counter");
        for ((step, outcome), n) in &m.slo_steps {
            let _ = writeln!(out, "flowgate_slo_steps_total{{step=\"{step}\",outcome=\"{outcome}\"}} {n}");
        }
        out
    }

    /// Onboarding's progress: its evaluations pending and done, as the queue counts them (so they
    /// hold across restarts), and the repositories that met the cap.
    pub fn render_onboarding(&self, counts: Option<crate::store::OnboardingCounts>) -> String {
        let Ok(m) = self.inner.lock() else { return String::new() };
        let mut out = String::new();
        if let Some(c) = counts {
            let lines = [
                (
                    "flowgate_onboarding_pending",
                    "gauge",
                    "Onboarding evaluations of open PRs queued or in progress.",
                    c.pending,
                ),
                (
                    "flowgate_onboarding_done_total",
                    "counter",
                    "Onboarding evaluations of open PRs done (as long as the queue keeps them).",
                    c.done,
                ),
                ("flowgate_onboarding_parked", "gauge", "Onboarding evaluations parked after failing.", c.parked),
            ];
            for (name, kind, help, value) in lines {
                let _ = writeln!(out, "# HELP {name} {help}");
                let _ = writeln!(out, "# TYPE {name} {kind}");
                let _ = writeln!(out, "{name} {value}");
            }
        }
        let _ = writeln!(
            out,
            "# HELP flowgate_onboarding_capped_total Onboardings of a repository that found more open PRs than the cap."
        );
        let _ = writeln!(out, "# TYPE flowgate_onboarding_capped_total counter");
        for (repo, n) in &m.onboarding_capped {
            // GitHub's repository names hold letters, digits, `-`, `_`, `.` and one `/`; anything
            // else is left out rather than escaped.
            let repo: String = repo.chars().filter(|c| c.is_ascii_alphanumeric() || "-_./".contains(*c)).collect();
            let _ = writeln!(out, "flowgate_onboarding_capped_total{{repo=\"{repo}\"}} {n}");
        }
        out
    }

    pub fn render(&self, depth: Option<Depth>, body: BodyBytes) -> String {
        let Ok(m) = self.inner.lock() else { return String::new() };
        let mut out = String::new();
        let gauges = [
            ("flowgate_connections_open", "gauge", "Connections open now.", self.connections_open() as f64),
            (
                "flowgate_connection_cap_reached_total",
                "counter",
                "Times the cap on open connections made new ones wait.",
                self.connection_cap_reached_total() as f64,
            ),
            (
                "flowgate_webhook_body_bytes_in_flight",
                "gauge",
                "Webhook body bytes reserved now.",
                body.in_flight as f64,
            ),
            (
                "flowgate_webhook_body_bytes_peak",
                "gauge",
                "The most webhook body bytes reserved at once since start.",
                body.peak as f64,
            ),
            (
                "flowgate_webhook_body_bytes_limit",
                "gauge",
                "Webhook body bytes that may be reserved at once.",
                body.limit as f64,
            ),
            (
                "flowgate_digest_team_messages_sent_total",
                "counter",
                "Teams' weekly digest messages posted to their Slack channel.",
                self.digest_team_messages().0 as f64,
            ),
            (
                "flowgate_digest_team_messages_failed_total",
                "counter",
                "Teams' weekly digest messages Slack did not take; each is tried again on the next run.",
                self.digest_team_messages().1 as f64,
            ),
        ];
        for (name, kind, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        }
        let _ = writeln!(out, "# HELP flowgate_deliveries_total Webhook deliveries received, by event and outcome.");
        let _ = writeln!(out, "# TYPE flowgate_deliveries_total counter");
        for ((event, outcome), n) in &m.deliveries {
            let _ = writeln!(out, "flowgate_deliveries_total{{event=\"{event}\",outcome=\"{outcome}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP flowgate_pulls_without_policy_total Pull requests not gated: their repository has neither a policy file nor a baseline."
        );
        let _ = writeln!(out, "# TYPE flowgate_pulls_without_policy_total counter");
        let _ = writeln!(out, "flowgate_pulls_without_policy_total {}", self.without_policy_total());
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
        let body = BodyBytes { in_flight: 10, peak: 20, limit: 30 };
        let text = m.render(Some(Depth { queued: 3, in_progress: 1, parked: 0 }), body);
        for line in [
            "flowgate_deliveries_total{event=\"pull_request\",outcome=\"stored\"} 2",
            "flowgate_deliveries_total{event=\"other\",outcome=\"bad_signature\"} 1",
            "flowgate_queue_depth{state=\"queued\"} 3",
            "flowgate_evaluation_seconds_bucket{le=\"0.25\"} 0",
            "flowgate_evaluation_seconds_bucket{le=\"0.5\"} 1",
            "flowgate_evaluation_seconds_count 1",
            "flowgate_github_rate_limit_remaining{installation=\"7\"} 4990",
            "flowgate_webhook_body_bytes_peak 20",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
    }

    #[test]
    fn onboarding_progress_renders_as_prometheus_text() {
        let m = Metrics::default();
        m.onboarding_capped("acme/big");
        let counts = crate::store::OnboardingCounts { pending: 3, done: 197, parked: 0 };
        let text = m.render_onboarding(Some(counts));
        for line in [
            "flowgate_onboarding_pending 3",
            "flowgate_onboarding_done_total 197",
            "flowgate_onboarding_capped_total{repo=\"acme/big\"} 1",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
    }

    #[test]
    fn no_event_name_outside_the_known_ones_becomes_a_label() {
        let m = Metrics::default();
        for event in ["pull_request", "evil_event", "pull_request ", "ping", UNVERIFIED, ""] {
            m.delivery(event, "ignored");
        }
        let text = m.render(None, BodyBytes { in_flight: 0, peak: 0, limit: 1 });
        let labels: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("flowgate_deliveries_total"))
            .map(|l| l.split('"').nth(1).unwrap_or(""))
            .collect();
        assert_eq!(labels, ["other", "ping", "pull_request", "unverified"], "{text}");
    }
}
