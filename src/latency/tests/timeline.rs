//! One PR at a time: hand-built timelines whose figures are worked out in the comments.

use crate::latency::tests::support::{HOUR, Pr, office_hours, t, wall_clock, window};
use crate::latency::timeline::{PrSummary, Turn, summarize_pr};
use crate::latency::{LatencyConfig, Reviewer};

const WEEK: (&str, &str) = ("2025-03-03 00:00", "2025-03-10 00:00");

fn summary(config: &LatencyConfig, pr: &Pr) -> PrSummary {
    summarize_pr(config, &window(WEEK.0, WEEK.1), t(WEEK.1), &pr.events).expect("events")
}

fn first_review_hours(config: &LatencyConfig, pr: &Pr) -> f64 {
    summary(config, pr).first_review.expect("a first review").wait_secs as f64 / HOUR as f64
}

#[test]
fn first_review_counts_from_ready_for_review_not_from_opening_as_a_draft() {
    let pr =
        Pr::new(1, "ann").opened_draft("2025-03-03 09:00").ready("2025-03-03 11:00").comment("2025-03-03 14:00", "bob");
    assert_eq!(first_review_hours(&wall_clock(), &pr), 3.0);
}

#[test]
fn draft_time_after_ready_is_left_out_too() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .back_to_draft("2025-03-03 10:00")
        .ready("2025-03-03 12:00")
        .approve("2025-03-03 13:00", "bob");
    assert_eq!(first_review_hours(&wall_clock(), &pr), 2.0);
}

#[test]
fn bot_ai_and_self_reviews_are_not_a_first_review() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .comment("2025-03-03 09:30", "ann")
        .bot_review("2025-03-03 10:00", "linter")
        .comment("2025-03-03 10:15", "dependabot[bot]")
        .comment("2025-03-03 10:30", "copilot-reviewer")
        .comment("2025-03-03 12:00", "Bob");
    let s = summary(&wall_clock(), &pr);
    let first = s.first_review.expect("bob's review");
    assert_eq!((first.wait_secs, first.reviewer.as_str()), (3 * HOUR, "Bob"));
    assert_eq!(s.reviews.len(), 1);
}

#[test]
fn each_request_is_answered_by_that_reviewers_next_review() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .request("2025-03-03 09:00", "alice")
        .request("2025-03-03 09:00", "bob")
        .changes("2025-03-03 11:00", "alice")
        .commits("2025-03-03 13:00")
        .request("2025-03-03 14:00", "alice")
        .approve("2025-03-03 17:00", "ALICE")
        .merged("2025-03-03 18:00");
    let s = summary(&wall_clock(), &pr);
    let waits: Vec<(String, Option<i64>)> =
        s.requests.iter().map(|r| (r.reviewer.name(), r.answer.as_ref().map(|a| a.wait_secs / HOUR))).collect();
    assert_eq!(waits, [("alice".to_string(), Some(2)), ("bob".to_string(), None), ("alice".to_string(), Some(3))]);
    assert_eq!(s.review_rounds, 1);
    assert_eq!(s.approval_to_merge_secs, Some(HOUR));
    assert_eq!(s.open_to_merge_secs, Some(9 * HOUR));
}

#[test]
fn a_re_request_answers_a_change_request_like_a_push() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .changes("2025-03-03 10:00", "alice")
        .request("2025-03-03 11:00", "alice")
        .changes("2025-03-03 12:00", "alice")
        .commits("2025-03-03 13:00")
        .approve("2025-03-03 14:00", "alice");
    assert_eq!(summary(&wall_clock(), &pr).review_rounds, 2);
}

#[test]
fn a_team_request_is_answered_by_anyone_but_the_author() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .request_team("2025-03-03 09:00", "acme/payments")
        .comment("2025-03-03 10:00", "ann")
        .approve("2025-03-03 12:00", "carol");
    let s = summary(&wall_clock(), &pr);
    let answer = s.requests[0].answer.as_ref().expect("carol answered");
    assert_eq!((answer.by.as_str(), answer.wait_secs), ("carol", 3 * HOUR));
    assert_eq!(s.requests[0].reviewer, Reviewer::team("acme/payments"));
}

#[test]
fn a_withdrawn_request_is_not_waiting_and_not_answered() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .request("2025-03-03 09:00", "bob")
        .unrequest("2025-03-03 10:00", "bob")
        .comment("2025-03-03 11:00", "bob");
    let s = summary(&wall_clock(), &pr);
    assert!(s.requests[0].removed);
    assert!(s.requests[0].answer.is_none());
    assert!(s.now.pending.is_empty());
}

#[test]
fn requests_to_bots_and_ai_reviewers_are_not_tracked() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .request("2025-03-03 09:00", "copilot-reviewer")
        .request("2025-03-03 09:00", "helper[bot]");
    assert!(summary(&wall_clock(), &pr).requests.is_empty());
}

/// Reviewers 09-11, author 11-15 (changes requested), reviewers 15-16 (new commits), author
/// 16-17 (approved, to merge), merged at 17.
#[test]
fn whose_turn_follows_the_review_conversation() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .request("2025-03-03 09:00", "alice")
        .changes("2025-03-03 11:00", "alice")
        .comment("2025-03-03 12:00", "ann")
        .commits("2025-03-03 15:00")
        .approve("2025-03-03 16:00", "alice")
        .merged("2025-03-03 17:00");
    let s = summary(&wall_clock(), &pr);
    assert_eq!(s.waiting_on_reviewers_secs, 3 * HOUR);
    assert_eq!(s.waiting_on_author_secs, 5 * HOUR);
    assert_eq!(s.now.turn, Turn::Nobody);
}

#[test]
fn a_draft_is_the_authors_turn() {
    let pr =
        Pr::new(1, "ann").opened_draft("2025-03-03 09:00").ready("2025-03-03 13:00").comment("2025-03-03 14:00", "bob");
    let s = summary(&wall_clock(), &pr);
    assert_eq!(s.waiting_on_author_secs, 4 * HOUR + (6 * 24 + 10) * HOUR);
    assert_eq!(s.waiting_on_reviewers_secs, HOUR);
}

#[test]
fn a_dismissed_change_request_hands_the_turn_back_to_reviewers() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .request("2025-03-03 09:00", "bob")
        .changes("2025-03-03 10:00", "alice")
        .dismiss("2025-03-03 12:00", "alice");
    let s = summary(&wall_clock(), &pr);
    assert_eq!(s.now.turn, Turn::Reviewers);
    assert_eq!(s.now.turn_since, Some(t("2025-03-03 12:00")));
    assert_eq!(s.now.pending, [Reviewer::user("bob")]);
    assert_eq!(s.review_rounds, 0);
}

#[test]
fn a_dismissed_approval_no_longer_starts_approval_to_merge() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .approve("2025-03-03 10:00", "alice")
        .dismiss("2025-03-03 11:00", "alice")
        .approve("2025-03-03 12:00", "bob")
        .merged("2025-03-03 13:00");
    assert_eq!(summary(&wall_clock(), &pr).approval_to_merge_secs, Some(HOUR));
}

#[test]
fn an_approval_counts_only_while_no_change_request_stands() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .approve("2025-03-03 10:00", "alice")
        .changes("2025-03-03 11:00", "bob")
        .approve("2025-03-03 14:00", "bob")
        .merged("2025-03-03 15:00");
    assert_eq!(summary(&wall_clock(), &pr).approval_to_merge_secs, Some(HOUR));
}

#[test]
fn a_pr_closed_without_merging_has_no_merge_figures_and_stops_waiting() {
    let pr = Pr::new(1, "ann").opened("2025-03-03 09:00").request("2025-03-03 09:00", "bob").closed("2025-03-03 11:00");
    let s = summary(&wall_clock(), &pr);
    assert_eq!(s.closed_at, Some(t("2025-03-03 11:00")));
    assert_eq!((s.merged_at, s.open_to_merge_secs), (None, None));
    assert_eq!(s.waiting_on_reviewers_secs, 2 * HOUR);
    assert!(!s.now.open && s.now.pending.is_empty() && s.now.awaiting_first_review_secs.is_none());
}

#[test]
fn a_reopened_pr_waits_again_but_not_for_the_time_it_was_closed() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .closed("2025-03-03 10:00")
        .reopened("2025-03-04 10:00")
        .comment("2025-03-04 12:00", "bob");
    let s = summary(&wall_clock(), &pr);
    assert_eq!(s.first_review.expect("reviewed").wait_secs, 3 * HOUR);
    assert_eq!(s.closed_at, None);
}

#[test]
fn business_hours_skip_the_weekend() {
    // Friday 16:00 to Monday 10:00 is two working hours.
    let pr = Pr::new(1, "ann").opened("2025-03-07 16:00").comment("2025-03-10 10:00", "bob");
    let s = summarize_pr(
        &office_hours(),
        &window("2025-03-03 00:00", "2025-03-17 00:00"),
        t("2025-03-17 00:00"),
        &pr.events,
    )
    .expect("events");
    assert_eq!(s.first_review.expect("reviewed").wait_secs, 2 * HOUR);
}

/// The PR opened and was requested before the window; the answer and the merge fall inside.
#[test]
fn events_before_the_window_set_the_state_and_waits_are_clipped_to_it() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-02 12:00")
        .request("2025-03-02 12:00", "bob")
        .approve("2025-03-03 06:00", "bob");
    let s = summary(&wall_clock(), &pr);
    assert_eq!(s.requests[0].answer.as_ref().expect("answered").wait_secs, 18 * HOUR);
    // Of the 18 hours on bob, 6 fall inside the window; from then on it is the author's turn.
    assert_eq!(s.waiting_on_reviewers_secs, 6 * HOUR);
    assert_eq!(s.waiting_on_author_secs, (6 * 24 + 18) * HOUR);
    assert!(s.active_in_window && s.open_at_window_end);
}

#[test]
fn a_pr_still_open_at_now_reports_its_wait_so_far() {
    let pr = Pr::new(1, "ann").opened("2025-03-07 09:00").request("2025-03-07 10:00", "bob");
    let s = summary(&wall_clock(), &pr);
    assert_eq!(s.now.awaiting_first_review_secs, Some((2 * 24 + 15) * HOUR));
    assert_eq!(s.now.turn, Turn::Reviewers);
    assert_eq!(s.now.turn_wait_secs, (2 * 24 + 15) * HOUR);
    assert_eq!(s.now.pending, [Reviewer::user("bob")]);
}

#[test]
fn events_after_now_are_not_known_yet() {
    let pr = Pr::new(1, "ann").opened("2025-03-07 09:00").comment("2025-03-12 09:00", "bob");
    let s = summary(&wall_clock(), &pr);
    assert!(s.first_review.is_none());
    assert!(s.now.awaiting_first_review_secs.is_some());
}

#[test]
fn a_repeated_event_id_counts_once() {
    let mut pr =
        Pr::new(1, "ann").opened("2025-03-03 09:00").request("2025-03-03 09:00", "bob").commits("2025-03-03 10:00");
    let again = pr.events.clone();
    pr.events.extend(again);
    pr.events.reverse();
    let s = summary(&wall_clock(), &pr);
    assert_eq!(s.requests.len(), 1);
    assert_eq!(s.opened_at, Some(t("2025-03-03 09:00")));
}

#[test]
fn a_history_that_starts_after_opening_takes_the_pr_as_open_and_ready() {
    let pr = Pr::new(1, "ann").request("2025-03-03 09:00", "bob").comment("2025-03-03 10:00", "bob");
    let s = summary(&wall_clock(), &pr);
    assert_eq!(s.opened_at, None);
    assert_eq!(s.first_review.expect("reviewed").wait_secs, HOUR);
}

/// `now` a few days after the window: what happened in between is known for the `now` figures
/// but is outside the window.
#[test]
fn a_pr_opened_after_the_window_but_before_now_is_not_in_the_window() {
    let window = window("2025-03-03 00:00", "2025-03-10 00:00");
    let pr = Pr::new(1, "ann").opened("2025-03-11 09:00").request("2025-03-11 09:00", "bob");
    let s = summarize_pr(&wall_clock(), &window, t("2025-03-12 09:00"), &pr.events).expect("events");
    assert!(!s.active_in_window && !s.open_at_window_end);
    assert_eq!((s.waiting_on_author_secs, s.waiting_on_reviewers_secs), (0, 0));
    assert_eq!(s.now.awaiting_first_review_secs, Some(24 * HOUR));

    let before = Pr::new(2, "ann").opened("2025-03-07 09:00").merged("2025-03-11 09:00");
    let s = summarize_pr(&wall_clock(), &window, t("2025-03-12 09:00"), &before.events).expect("events");
    assert!(s.active_in_window && s.open_at_window_end);
    assert_eq!(s.waiting_on_reviewers_secs, (2 * 24 + 15) * HOUR);
}
