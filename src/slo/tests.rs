//! Whose turn and the ladder over hand-built timelines, as a reviewer and a team would notice
//! them: weekends, time zones, holidays, shifts past midnight, snoozes, unavailability, a review
//! that answers before the reminder, a worker that comes back late, and each step taken once.

use std::time::Duration;

use chrono::{NaiveDate, Weekday};
use jiff::Timestamp;

use super::*;
use crate::latency::BusinessCalendar;
use crate::latency::event::Reviewer;
use crate::latency::tests::support::{Pr, office_hours, t, window};
use crate::latency::timeline::summarize_pr;
use crate::model::Login;

fn at(text: &str) -> Timestamp {
    Timestamp::from_second(t(text).timestamp()).expect("a time")
}

fn turn(pr: Pr, now: &str, snoozes: &[Snooze]) -> WaitingOn {
    let summary =
        summarize_pr(&office_hours(), &window("2025-03-01 00:00", now), t(now), &pr.events).expect("a summary");
    whose_turn(&summary.now, snoozes, at(now))
}

fn users(on: &WaitingOn) -> Vec<(String, String)> {
    on.waiting_users().into_iter().map(|(l, s)| (l.to_string(), s.to_string())).collect()
}

/// 4 working hours to first response: remind at 50%, the channel at 100%, reassign at 150%.
fn ladder() -> SloRule {
    SloRule::new(Duration::from_secs(4 * 3600), Some(Share(50)), Some(Share(100)), Some(Share(150))).expect("a ladder")
}

fn berlin() -> BusinessCalendar {
    use Weekday::*;
    BusinessCalendar::new("Europe/Berlin", &[Mon, Tue, Wed, Thu, Fri], (9 * 60, 17 * 60), &[]).expect("Berlin")
}

fn candidate<'a>(login: &str, since: &str, calendar: &'a BusinessCalendar) -> Candidate<'a> {
    Candidate { login: Login::new(login), since: at(since), calendar, unavailable: false, pool: Some("backend".into()) }
}

fn steps(plan: &Plan) -> Vec<(String, Step)> {
    plan.act.iter().map(|d| (d.login.to_string(), d.step)).collect()
}

#[test]
fn a_review_hands_the_turn_to_the_author_and_a_push_or_re_request_hands_it_back() {
    let pr = Pr::new(1, "ann").opened("2025-03-03 09:00").request("2025-03-03 09:05", "bob");
    let waiting = turn(pr, "2025-03-03 10:00", &[]);
    assert_eq!(users(&waiting), vec![("bob".into(), "2025-03-03T09:05:00Z".into())]);

    let pr = Pr::new(1, "ann").opened("2025-03-03 09:00").request("2025-03-03 09:05", "bob");
    let reviewed = pr.changes("2025-03-03 11:00", "bob");
    assert!(matches!(turn(reviewed, "2025-03-03 12:00", &[]), WaitingOn::Author { .. }), "changes requested");

    let pr = Pr::new(1, "ann").opened("2025-03-03 09:00").request("2025-03-03 09:05", "bob");
    let answered = pr.changes("2025-03-03 11:00", "bob").commits("2025-03-03 13:00").request("2025-03-03 13:01", "bob");
    assert_eq!(
        users(&turn(answered, "2025-03-03 14:00", &[])),
        vec![("bob".into(), "2025-03-03T13:01:00Z".into())],
        "the re-request starts a new wait, counted from itself"
    );

    let pr = Pr::new(1, "ann").opened("2025-03-03 09:00").request("2025-03-03 09:05", "bob");
    assert_eq!(turn(pr.merged("2025-03-03 10:00"), "2025-03-03 11:00", &[]), WaitingOn::Nobody);
}

#[test]
fn a_request_made_on_a_draft_waits_from_when_the_pr_is_ready() {
    let pr = Pr::new(2, "ann").opened_draft("2025-03-03 09:00").request("2025-03-03 09:05", "bob");
    assert!(matches!(turn(pr, "2025-03-03 10:00", &[]), WaitingOn::Author { .. }), "a draft waits on its author");
    let pr = Pr::new(2, "ann").opened_draft("2025-03-03 09:00").request("2025-03-03 09:05", "bob");
    let ready = pr.ready("2025-03-04 10:00");
    assert_eq!(users(&turn(ready, "2025-03-04 11:00", &[])), vec![("bob".into(), "2025-03-04T10:00:00Z".into())]);
}

#[test]
fn a_snooze_takes_a_reviewer_out_of_the_turn_and_their_wait_restarts_when_it_ends() {
    let pr = || {
        Pr::new(3, "ann")
            .opened("2025-03-03 09:00")
            .request("2025-03-03 09:05", "bob")
            .request("2025-03-03 09:05", "cy")
    };
    let snooze = [Snooze { login: Login::new("Bob"), until: at("2025-03-04 09:00") }];
    let during = turn(pr(), "2025-03-03 12:00", &snooze);
    assert_eq!(users(&during), vec![("cy".into(), "2025-03-03T09:05:00Z".into())]);
    let WaitingOn::Reviewers { snoozed, .. } = &during else { panic!("reviewers' turn: {during:?}") };
    assert_eq!(snoozed[0].until, at("2025-03-04 09:00"));
    let after = turn(pr(), "2025-03-04 12:00", &snooze);
    assert!(users(&after).contains(&("bob".into(), "2025-03-04T09:00:00Z".into())), "{after:?}");
}

#[test]
fn team_requests_wait_but_only_people_are_reminded() {
    let pr = Pr::new(4, "ann").opened("2025-03-03 09:00").request_team("2025-03-03 09:05", "acme/security");
    let on = turn(pr, "2025-03-03 10:00", &[]);
    let WaitingOn::Reviewers { waiting, .. } = &on else { panic!("{on:?}") };
    assert_eq!(waiting[0].reviewer, Reviewer::team("acme/security"));
    assert!(on.waiting_users().is_empty());
}

#[test]
fn the_reminder_comes_at_its_share_of_working_time_and_a_weekend_does_not_count() {
    let cal = berlin();
    // Friday 14:00 in Berlin (13:00 UTC): three working hours are left that day.
    let bob = [candidate("bob", "2025-03-07 13:00", &cal)];
    let friday_afternoon = plan(&ladder(), &bob, &[], at("2025-03-07 14:30"));
    assert!(friday_afternoon.act.is_empty(), "1.5 h of 2 h: nothing yet");
    assert_eq!(friday_afternoon.next_wake, Some(at("2025-03-07 15:00")), "the reminder at 2 working hours");
    let at_two = plan(&ladder(), &bob, &[], at("2025-03-07 15:00"));
    assert_eq!(steps(&at_two), vec![("bob".into(), Step::Remind)]);
    // The channel at 4 working hours: Friday's last hour, then Monday from 09:00 Berlin (08:00 UTC).
    let sent = [Sent { login: Login::new("bob"), step: Step::Remind, period: at("2025-03-07 13:00") }];
    let after = plan(&ladder(), &bob, &sent, at("2025-03-08 12:00"));
    assert!(after.act.is_empty(), "Saturday counts for nothing: {after:?}");
    assert_eq!(after.next_wake, Some(at("2025-03-10 09:00")), "Monday 10:00 in Berlin");
}

#[test]
fn each_reviewer_is_measured_in_their_own_time_zone() {
    use Weekday::*;
    let tokyo = BusinessCalendar::new("Asia/Tokyo", &[Mon, Tue, Wed, Thu, Fri], (9 * 60, 17 * 60), &[]).expect("Tokyo");
    let berlin = berlin();
    // Monday 08:00 UTC: 17:00 in Tokyo (the day is over), 09:00 in Berlin (it starts).
    let both = [candidate("kenji", "2025-03-03 08:00", &tokyo), candidate("bob", "2025-03-03 08:00", &berlin)];
    let noon = plan(&ladder(), &both, &[], at("2025-03-03 10:00"));
    assert_eq!(steps(&noon), vec![("bob".into(), Step::Remind)], "bob had 2 working hours, kenji none");
    assert_eq!(noon.next_wake, Some(at("2025-03-03 12:00")), "bob's channel step comes first");
    let kenji_alone = plan(&ladder(), &both[..1], &[], at("2025-03-03 10:00"));
    assert_eq!(kenji_alone.next_wake, Some(at("2025-03-04 02:00")), "11:00 Tuesday in Tokyo");
}

#[test]
fn a_holiday_is_not_working_time() {
    use Weekday::*;
    let holiday = NaiveDate::from_ymd_opt(2025, 3, 4).expect("a date");
    let cal = BusinessCalendar::new("UTC", &[Mon, Tue, Wed, Thu, Fri], (9 * 60, 17 * 60), &[holiday]).expect("UTC");
    let bob = [candidate("bob", "2025-03-03 16:00", &cal)];
    let plan = plan(&ladder(), &bob, &[], at("2025-03-04 16:00"));
    assert!(plan.act.is_empty(), "one working hour on Monday, none on the holiday");
    assert_eq!(plan.next_wake, Some(at("2025-03-05 10:00")));
}

#[test]
fn a_shift_past_midnight_counts_both_sides_of_it() {
    use Weekday::*;
    let nights =
        BusinessCalendar::wrapping("UTC", &[Mon, Tue, Wed, Thu, Fri], (22 * 60, 6 * 60), &[]).expect("night shift");
    assert!(nights.is_working(t("2025-03-03 23:00").timestamp()));
    assert!(nights.is_working(t("2025-03-04 05:00").timestamp()));
    assert!(!nights.is_working(t("2025-03-04 12:00").timestamp()));
    let bob = [candidate("bob", "2025-03-03 23:00", &nights)];
    assert_eq!(steps(&plan(&ladder(), &bob, &[], at("2025-03-04 01:00"))), vec![("bob".into(), Step::Remind)]);
    let daytime = plan(&ladder(), &bob, &[], at("2025-03-04 00:30"));
    assert_eq!(daytime.next_wake, Some(at("2025-03-04 01:00")));
}

#[test]
fn a_reminder_due_out_of_hours_waits_for_the_reviewer_to_start() {
    let cal = berlin();
    let bob = [candidate("bob", "2025-03-03 14:00", &cal)];
    // Due at 16:00 UTC (17:00 Berlin, the day's end); a worker that looks at 18:00 UTC holds it.
    let evening = plan(&ladder(), &bob, &[], at("2025-03-03 18:00"));
    assert!(evening.act.is_empty());
    assert_eq!(evening.held.len(), 1);
    assert_eq!(evening.held[0].1, Held::OutsideHours { from: Some(at("2025-03-04 08:00")) });
    assert!(!evening.held[0].1.settles(), "postponed, not skipped");
    assert_eq!(evening.next_wake, Some(at("2025-03-04 08:00")));
    let morning = plan(&ladder(), &bob, &[], at("2025-03-04 08:00"));
    assert_eq!(steps(&morning), vec![("bob".into(), Step::Remind)], "sent when bob starts");
}

#[test]
fn someone_unavailable_is_not_reminded_but_the_ladder_goes_on() {
    let cal = berlin();
    let mut away = candidate("bob", "2025-03-03 08:00", &cal);
    away.unavailable = true;
    let early = plan(&ladder(), std::slice::from_ref(&away), &[], at("2025-03-03 10:00"));
    assert!(early.act.is_empty());
    assert_eq!(early.held[0].1, Held::Unavailable);
    assert!(early.held[0].1.settles());
    let skipped = [Sent { login: Login::new("bob"), step: Step::Remind, period: at("2025-03-03 08:00") }];
    let later = plan(&ladder(), &[away], &skipped, at("2025-03-03 12:00"));
    assert_eq!(steps(&later), vec![("bob".into(), Step::Channel)]);
}

#[test]
fn a_review_before_the_reminder_leaves_nothing_to_send() {
    let cal = berlin();
    let pr = Pr::new(5, "ann")
        .opened("2025-03-03 08:00")
        .request("2025-03-03 08:00", "bob")
        .comment("2025-03-03 09:00", "bob");
    let on = turn(pr, "2025-03-03 11:00", &[]);
    let candidates: Vec<Candidate<'_>> = on
        .waiting_users()
        .into_iter()
        .map(|(login, since)| Candidate { login, since, calendar: &cal, unavailable: false, pool: None })
        .collect();
    let plan = plan(&ladder(), &candidates, &[], at("2025-03-03 11:00"));
    assert_eq!(plan, Plan::default(), "a comment is a first response");
}

#[test]
fn a_late_worker_takes_only_the_highest_step_due() {
    let cal = berlin();
    let bob = [candidate("bob", "2025-03-03 08:00", &cal)];
    // Down from Monday 09:00 UTC to Tuesday 10:00 UTC: 8 + 1 working hours passed.
    let late = plan(&ladder(), &bob, &[], at("2025-03-04 10:00"));
    assert_eq!(steps(&late), vec![("bob".into(), Step::Reassign)]);
    let overtaken: Vec<(Step, Held)> = late.held.iter().map(|(d, h)| (d.step, *h)).collect();
    assert_eq!(
        overtaken,
        vec![
            (Step::Remind, Held::Overtaken { by: Step::Reassign }),
            (Step::Channel, Held::Overtaken { by: Step::Reassign })
        ]
    );
    assert_eq!(late.next_wake, None, "nothing is left after reassignment");
}

#[test]
fn each_step_is_taken_once_per_wait_and_a_new_wait_starts_the_ladder_again() {
    let cal = berlin();
    let bob = [candidate("bob", "2025-03-03 08:00", &cal)];
    let reminded = [Sent { login: Login::new("bob"), step: Step::Remind, period: at("2025-03-03 08:00") }];
    let again = plan(&ladder(), &bob, &reminded, at("2025-03-03 11:00"));
    assert!(again.act.is_empty(), "the reminder went out already: {again:?}");
    assert_eq!(again.next_wake, Some(at("2025-03-03 12:00")));
    let new_wait = [candidate("bob", "2025-03-05 08:00", &cal)];
    let later = plan(&ladder(), &new_wait, &reminded, at("2025-03-05 10:00"));
    assert_eq!(steps(&later), vec![("bob".into(), Step::Remind)], "a re-request is a new wait");
}

#[test]
fn a_ladder_must_escalate_and_shares_are_percentages() {
    let four = Duration::from_secs(4 * 3600);
    let e = SloRule::new(four, Some(Share(100)), Some(Share(50)), None).unwrap_err();
    assert_eq!(e, "`remind_at` (100%) must come before `channel_at` (50%): a ladder escalates");
    assert!(SloRule::new(four, Some(Share(50)), None, Some(Share(150))).is_ok());
    assert_eq!(Share::parse("50%"), Ok(Share(50)));
    for bad in ["50", "0%", "1001%", "-5%", "half", "+5%"] {
        assert!(Share::parse(bad).unwrap_err().contains("not a share of the SLO"), "{bad}");
    }
}

#[test]
fn working_time_after_is_the_inverse_of_working_time_between() {
    let cal = berlin();
    let start = t("2025-03-07 15:30").timestamp();
    for hours in [0, 1, 2, 5, 8, 30] {
        let end = cal.after_working(start, hours * 3600).expect("within reach");
        assert_eq!(cal.business_seconds(start, end), hours * 3600, "{hours} h");
    }
    use Weekday::*;
    let every_day_off: Vec<NaiveDate> =
        (0..800).filter_map(|d| NaiveDate::from_ymd_opt(2025, 1, 1)?.checked_add_days(chrono::Days::new(d))).collect();
    let never = BusinessCalendar::new("UTC", &[Mon], (9 * 60, 17 * 60), &every_day_off).expect("a calendar");
    assert_eq!(never.after_working(start, 3600), None, "a calendar that never opens ends the search");
    assert_eq!(never.next_working(start), None);
}
