//! Real review history: 49 PRs of panjf2000/ants as GitHub's API returned them (captured by
//! Apache DevLake, see tests/fixtures/devlake-github/SOURCE.md), converted to events here and
//! checked against figures worked out by hand from the raw rows.
//!
//! The conversion is the test's own, kept simple: a PR opens at `created_at` (as a draft when a
//! `ready_for_review` event follows), each review is an event, a commit whose committer date is
//! after the opening counts as a push at that date, and `merged_at`/`closed_at` end it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc, Weekday};
use serde_json::Value;

use crate::latency::tests::support::{HOUR, t, wall_clock};
use crate::latency::timeline::{PrSummary, summarize_pr};
use crate::latency::{
    Actor, BusinessCalendar, Clock, ClockMode, DigestBuilder, Event, EventKind, LatencyConfig, PrContext,
    ReviewOutcome, Reviewer, Window,
};
use crate::model::Login;

const REPO: &str = "panjf2000/ants";

fn fixture(name: &str) -> Vec<(Option<u64>, Value)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/devlake-github").join(name);
    let mut reader = csv::Reader::from_path(&path).expect("fixture is readable");
    reader
        .deserialize::<BTreeMap<String, String>>()
        .map(|row| {
            let row = row.expect("a CSV row");
            let input: Value = serde_json::from_str(&row["input"]).unwrap_or(Value::Null);
            let data: Value = serde_json::from_str(&row["data"]).expect("a JSON API object");
            (input["Number"].as_u64(), data)
        })
        .collect()
}

fn time(value: &Value) -> Option<DateTime<Utc>> {
    value.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|d| d.with_timezone(&Utc))
}

fn actor(user: &Value) -> Actor {
    Actor::new(user["login"].as_str().unwrap_or_default(), user["type"].as_str().unwrap_or("User"))
}

/// Every PR's events, keyed by PR number.
fn history() -> BTreeMap<u64, Vec<Event>> {
    let pulls = fixture("_raw_github_api_pull_requests.csv");
    let issue_events = fixture("_raw_github_api_events.csv");
    let mut out: BTreeMap<u64, Vec<Event>> = BTreeMap::new();
    let mut contexts = BTreeMap::new();
    let mut opened = BTreeMap::new();
    for (_, pull) in &pulls {
        let (Some(number), Some(created)) = (pull["number"].as_u64(), time(&pull["created_at"])) else { continue };
        let context = PrContext {
            author: Login::new(pull["user"]["login"].as_str().unwrap_or_default()),
            ..PrContext::default()
        };
        contexts.insert(number, context);
        opened.insert(number, created);
    }
    let event = |id: String, number: u64, at: DateTime<Utc>, actor: Actor, kind: EventKind| Event {
        id,
        repo: REPO.to_string(),
        pr: number,
        at,
        actor,
        context: contexts[&number].clone(),
        kind,
    };
    let drafts: Vec<u64> = issue_events
        .iter()
        .filter(|(_, e)| e["event"] == "ready_for_review")
        .filter_map(|(_, e)| e["issue"]["number"].as_u64())
        .collect();
    for (_, pull) in &pulls {
        let Some(number) = pull["number"].as_u64().filter(|n| contexts.contains_key(n)) else { continue };
        let author = actor(&pull["user"]);
        let events = out.entry(number).or_default();
        let draft = drafts.contains(&number) || pull["draft"] == true;
        events.push(event(
            format!("pull-{number}-opened"),
            number,
            opened[&number],
            author.clone(),
            EventKind::Opened { draft },
        ));
        if let Some(merged) = time(&pull["merged_at"]) {
            events.push(event(format!("pull-{number}-merged"), number, merged, author, EventKind::Merged));
        } else if let Some(closed) = time(&pull["closed_at"]) {
            events.push(event(format!("pull-{number}-closed"), number, closed, author, EventKind::Closed));
        }
    }
    for (number, review) in fixture("_raw_github_api_pull_request_reviews.csv") {
        let Some(number) = number.filter(|n| contexts.contains_key(n)) else { continue };
        let outcome = match review["state"].as_str() {
            Some("APPROVED") => ReviewOutcome::Approved,
            Some("CHANGES_REQUESTED") => ReviewOutcome::ChangesRequested,
            Some("COMMENTED") => ReviewOutcome::Commented,
            _ => continue,
        };
        let Some(at) = time(&review["submitted_at"]) else { continue };
        let id = format!("review-{}", review["id"]);
        out.entry(number).or_default().push(event(
            id,
            number,
            at,
            actor(&review["user"]),
            EventKind::ReviewSubmitted { outcome },
        ));
    }
    for (_, issue_event) in &issue_events {
        let Some(number) = issue_event["issue"]["number"].as_u64().filter(|n| contexts.contains_key(n)) else {
            continue;
        };
        let kind = match issue_event["event"].as_str() {
            Some("ready_for_review") => EventKind::ReadyForReview,
            Some("convert_to_draft") => EventKind::ConvertedToDraft,
            Some("head_ref_force_pushed") => EventKind::Synchronize,
            Some("reopened") => EventKind::Reopened,
            Some("review_requested") => match issue_event["requested_reviewer"]["login"].as_str() {
                Some(login) => EventKind::ReviewRequested { reviewer: Reviewer::user(login) },
                None => continue,
            },
            _ => continue,
        };
        let Some(at) = time(&issue_event["created_at"]) else { continue };
        let id = format!("issue-event-{}", issue_event["id"]);
        out.entry(number).or_default().push(event(id, number, at, actor(&issue_event["actor"]), kind));
    }
    for (number, commit) in fixture("_raw_github_api_pull_request_commits.csv") {
        let Some(number) = number.filter(|n| contexts.contains_key(n)) else { continue };
        let Some(at) = time(&commit["commit"]["committer"]["date"]).filter(|at| *at > opened[&number]) else {
            continue;
        };
        let id = format!("commit-{}", commit["sha"].as_str().unwrap_or_default());
        out.entry(number).or_default().push(event(id, number, at, actor(&commit["committer"]), EventKind::Synchronize));
    }
    out
}

const WHOLE_HISTORY: (&str, &str) = ("2018-07-01 00:00", "2022-03-01 00:00");

fn pr(config: &LatencyConfig, number: u64) -> PrSummary {
    let events = &history()[&number];
    let window = Window::new(t(WHOLE_HISTORY.0), t(WHOLE_HISTORY.1));
    summarize_pr(config, &window, t(WHOLE_HISTORY.1), events).expect("the PR has events")
}

/// Office hours where the maintainer works, to check business time on real timestamps.
fn shanghai_office() -> LatencyConfig {
    use Weekday::*;
    let calendar =
        BusinessCalendar::new("Asia/Shanghai", &[Mon, Tue, Wed, Thu, Fri], (9 * 60, 17 * 60), &[]).expect("tz");
    LatencyConfig::new(Clock { calendar, mode: ClockMode::Business })
}

/// #41: opened 03:24:27Z; the author's own review replies at 09:05 do not count; panjf2000's
/// comment at 09:19:55Z is the first review, 5 h 55 min 28 s later.
#[test]
fn pr_41_first_review_ignores_the_authors_own_replies() {
    let s = pr(&wall_clock(), 41);
    let first = s.first_review.expect("reviewed");
    assert_eq!(first.reviewer.as_str(), "panjf2000");
    assert_eq!(first.wait_secs, 5 * HOUR + 55 * 60 + 28);
    // Opened 03:24:27Z, merged 10:55:19Z.
    assert_eq!(s.open_to_merge_secs, Some(7 * HOUR + 30 * 60 + 52));
    // Reviewers until the first comment, then the author's until the push at 10:31:45Z, the
    // reviewers' again until panjf2000's comment at 10:48:36Z, the author's until the merge.
    assert_eq!(s.waiting_on_reviewers_secs, 21_328 + 1_011);
    assert_eq!(s.waiting_on_author_secs, 4_310 + 403);
}

/// In Shanghai office hours: 11:24:27 to 17:00 local on a Tuesday.
#[test]
fn pr_41_in_the_maintainers_working_hours() {
    assert_eq!(pr(&shanghai_office(), 41).first_review.expect("reviewed").wait_secs, 5 * HOUR + 35 * 60 + 33);
    // #51: opened 16:46:23 local, reviewed 20:07:36 local: 13 min 37 s of working time.
    assert_eq!(pr(&shanghai_office(), 51).first_review.expect("reviewed").wait_secs, 13 * 60 + 37);
}

/// #53: changes requested at 16:56:26Z (8 h 39 min 6 s after opening) and again the next
/// morning; the push at 13:49Z answers them (round one); changes requested on 9 October at
/// 12:58:59Z are answered by the push at 15:41:50Z (round two); nobody approved.
#[test]
fn pr_53_two_rounds_of_requested_changes() {
    let s = pr(&wall_clock(), 53);
    assert_eq!(s.first_review.expect("reviewed").wait_secs, 8 * HOUR + 39 * 60 + 6);
    assert_eq!(s.review_rounds, 2);
    assert_eq!(s.approval_to_merge_secs, None);
    assert_eq!(s.reviews.len(), 8);
}

/// #211 was opened as a draft and marked ready 26 s later; it is still open.
#[test]
fn pr_211_opened_as_a_draft_and_still_open() {
    let s = pr(&wall_clock(), 211);
    assert_eq!(s.first_ready_at, Some(t("2022-02-07 21:31") + chrono::TimeDelta::seconds(56)));
    assert!(s.now.open && s.now.awaiting_first_review_secs.is_some());
}

#[test]
fn the_whole_history_as_one_digest() {
    let history = history();
    let window = Window::new(t(WHOLE_HISTORY.0), t(WHOLE_HISTORY.1));
    let mut builder = DigestBuilder::new(wall_clock(), window, t(WHOLE_HISTORY.1));
    for events in history.values() {
        builder.add_pr(events);
    }
    let d = builder.finish();
    // The capture lists PR #4 twice; its repeated rows are the same events and count once.
    assert_eq!(history.len(), 49);
    assert_eq!((d.totals.prs_active, d.totals.opened), (49, 49));
    assert_eq!((d.totals.merged, d.totals.closed_unmerged, d.totals.open_at_end), (26, 19, 4));
    // Only #41, #51 and #53 have reviews: 12 073 s, 21 328 s and 31 146 s to the first one.
    assert_eq!(d.overall.first_review_hours.count, 3);
    assert_eq!(d.overall.first_review_hours.median, Some(5.92));
    // No story keys in the capture: nothing merged traces to a story.
    assert_eq!(d.traceability.share, Some(0.0));
    let panjf = d.reviewers.iter().find(|r| r.reviewer == Reviewer::user("panjf2000")).expect("the maintainer");
    assert_eq!(panjf.reviews_given, 14);
}
