//! Review SLOs' words: the reminder a waiting reviewer gets (a Slack direct message, or a PR
//! comment that mentions them), the message to a reviewer pool's channel (which names the PR and
//! the pool, never a person: per-person figures go only to that person), the "Waiting on" line of
//! the check run and its label, and the answers to `/flowgate snooze`.

use std::time::Duration;

use jiff::Timestamp;

use crate::model::Tier;
use crate::slo::WaitingOn;

// ---- Sending: reminders and the pool's channel ----

/// Working time as people say it: `45 min`, `2 h 10 min`, `4 h`.
pub fn working_time(time: Duration) -> String {
    let minutes = time.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Slack's three special characters in text that is not markup.
fn slack_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A link in Slack's markup: `<URL|repo#12>`, or the name alone without a URL.
fn slack_link(url: Option<&str>, repo: &str, pr: u64) -> String {
    let name = slack_text(&format!("{repo}#{pr}"));
    match url {
        Some(url) => format!("<{url}|{name}>"),
        None => name,
    }
}

/// The reminder sent to the reviewer alone, as a Slack direct message.
pub fn reminder_dm(url: Option<&str>, repo: &str, pr: u64, tier: Tier, worked: Duration, target: Duration) -> String {
    format!(
        "Reminder: {} ({tier} tier) has waited {} of your working hours for your review. \
         The team's first-response target for {tier} PRs is {}. \
         Comment `/flowgate snooze 1d` on it to step out of its turn for a day.",
        slack_link(url, repo, pr),
        working_time(worked),
        working_time(target),
    )
}

/// The reminder as a PR comment, when the reviewer's Slack user is not known: it mentions them
/// once.
pub fn reminder_comment(login: &str, tier: Tier, worked: Duration, target: Duration) -> String {
    format!(
        "@{login}, a reminder: this {tier}-tier PR has waited {} of your working hours for your review. \
         The team's first-response target for {tier} PRs is {}. \
         Comment `/flowgate snooze 1d` to step out of its turn for a day (also `4h`, `2d`, up to `14d`).",
        working_time(worked),
        working_time(target),
    )
}

/// The message to a reviewer pool's channel: the PR, its tier, its wait against the target, and
/// the pool. Never the reviewer.
pub fn channel_message(
    url: Option<&str>,
    repo: &str,
    pr: u64,
    tier: Tier,
    worked: Duration,
    target: Duration,
    pool: &str,
) -> String {
    format!(
        "{} ({tier} tier) has waited {} of working hours for a first review, against a target of {}. \
         Could someone in the *{}* pool pick it up?",
        slack_link(url, repo, pr),
        working_time(worked),
        working_time(target),
        slack_text(pool),
    )
}

// ---- Whose turn, on the check run and as a label ----

/// The label on a PR that waits on its reviewers (`[slo] label = true`).
pub const LABEL_WAITING_ON_REVIEWERS: &str = "flowgate: waiting on reviewers";
/// The label on a PR that waits on its author.
pub const LABEL_WAITING_ON_AUTHOR: &str = "flowgate: waiting on author";
/// The labels' colour: GitHub's grey, as information rather than a warning.
pub const LABEL_COLOR: &str = "ededed";

/// What the waiting labels say in the repository's list of labels.
pub fn label_description(label: &str) -> &'static str {
    if label == LABEL_WAITING_ON_AUTHOR {
        "flowgate: the PR waits on its author (changes requested, a draft, or every review answered)"
    } else {
        "flowgate: the PR waits on the reviewers asked"
    }
}

/// A moment as the check run says it: `Tue 10:00 UTC`.
fn moment(at: Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::UTC).strftime("%a %H:%M UTC").to_string()
}

/// The one line of the check run's summary saying whose turn it is; `None` for a closed PR.
/// `changes_requested` says why the author has the turn, when that is why.
pub fn waiting_line(on: &WaitingOn, changes_requested: bool) -> Option<String> {
    match on {
        WaitingOn::Nobody => None,
        WaitingOn::Author { .. } if changes_requested => Some("Waiting on: the author (changes requested)".into()),
        WaitingOn::Author { .. } => Some("Waiting on: the author".into()),
        WaitingOn::Reviewers { waiting, snoozed } => {
            let names: Vec<String> = waiting.iter().map(|w| w.reviewer.name().to_string()).collect();
            let mut line = if names.is_empty() && snoozed.is_empty() {
                "Waiting on: a reviewer to be asked".to_string()
            } else if names.is_empty() {
                "Waiting on: reviewers".to_string()
            } else {
                format!("Waiting on: reviewers ({})", names.join(", "))
            };
            for snooze in snoozed {
                line.push_str(&format!(" — {} snoozed until {}", snooze.login.as_str(), moment(snooze.until)));
            }
            Some(line)
        }
    }
}

// ---- /flowgate snooze ----

/// Why a snooze was not recorded, for the log (the App answers a refused command by not acting,
/// as it does for others).
pub fn snooze_refused(login: &str) -> String {
    format!("/flowgate snooze by {login} not recorded: their review is not requested on this PR")
}

// ---- Reassignment and the steps recorded ----

/// `4h`, `90m`, `2h 30m`: working time as the policy writes it.
pub fn span(d: Duration) -> String {
    let minutes = d.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

/// Why `login`'s review request was handed on: they had not responded within `after` of working
/// time, `share` percent of the tier's SLO of `first_response`.
pub fn reassigned(login: &str, tier: Tier, after: Duration, share: u16, first_response: Duration) -> String {
    let hours = after.as_secs() / 3600;
    let within = if after.as_secs().is_multiple_of(3600) {
        format!("{hours} working {}", super::plural(hours, "hour", "hours"))
    } else {
        format!("{} of working time", span(after))
    };
    format!(
        "{login} did not respond within {within}, {share}% of the {tier} SLO of {}: \
         the review request goes to the next reviewer the policy chooses.",
        span(first_response)
    )
}

/// The outcome recorded for a step the plan skipped: `skipped: unavailable`, `skipped: overtaken
/// by reassign`. Stored and counted, not shown on a PR.
pub fn skipped(why: &str) -> String {
    format!("skipped: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::event::Reviewer;
    use crate::model::Login;
    use crate::slo::{Snooze, Waiting};

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a timestamp")
    }

    const URL: Option<&str> = Some("https://github.com/acme/web/pull/12");

    #[test]
    fn working_time_is_said_in_hours_and_minutes() {
        insta::assert_snapshot!(working_time(Duration::from_secs(45 * 60 + 30)), @"45 min");
        insta::assert_snapshot!(working_time(Duration::from_secs(4 * 3600)), @"4 h");
        insta::assert_snapshot!(working_time(Duration::from_secs(2 * 3600 + 10 * 60)), @"2 h 10 min");
    }

    #[test]
    fn the_reminder_tells_the_reviewer_alone_how_long_the_pr_waited_on_them() {
        let (worked, target) = (Duration::from_secs(2 * 3600 + 10 * 60), Duration::from_secs(4 * 3600));
        insta::assert_snapshot!(reminder_dm(URL, "acme/web", 12, Tier::Red, worked, target), @"Reminder: <https://github.com/acme/web/pull/12|acme/web#12> (red tier) has waited 2 h 10 min of your working hours for your review. The team's first-response target for red PRs is 4 h. Comment `/flowgate snooze 1d` on it to step out of its turn for a day.");
        insta::assert_snapshot!(reminder_comment("bob", Tier::Yellow, worked, target), @"@bob, a reminder: this yellow-tier PR has waited 2 h 10 min of your working hours for your review. The team's first-response target for yellow PRs is 4 h. Comment `/flowgate snooze 1d` to step out of its turn for a day (also `4h`, `2d`, up to `14d`).");
    }

    #[test]
    fn the_channel_message_names_the_pr_and_the_pool_never_a_person() {
        let (worked, target) = (Duration::from_secs(4 * 3600 + 5 * 60), Duration::from_secs(4 * 3600));
        insta::assert_snapshot!(channel_message(URL, "acme/web", 12, Tier::Red, worked, target, "back<end>"), @"<https://github.com/acme/web/pull/12|acme/web#12> (red tier) has waited 4 h 5 min of working hours for a first review, against a target of 4 h. Could someone in the *back&lt;end&gt;* pool pick it up?");
        insta::assert_snapshot!(channel_message(None, "acme/web", 12, Tier::Red, worked, target, "web"), @"acme/web#12 (red tier) has waited 4 h 5 min of working hours for a first review, against a target of 4 h. Could someone in the *web* pool pick it up?");
    }

    #[test]
    fn the_waiting_line_says_whose_turn_it_is_and_who_snoozed_until_when() {
        let waiting = |login: &str| Waiting {
            reviewer: Reviewer::User { login: login.into() },
            since: at("2026-12-07T09:00:00Z"),
        };
        let on = WaitingOn::Reviewers {
            waiting: vec![waiting("alice"), waiting("bob")],
            snoozed: vec![Snooze { login: Login::new("carol"), until: at("2026-12-08T10:00:00Z") }],
        };
        insta::assert_snapshot!(waiting_line(&on, false).unwrap(), @"Waiting on: reviewers (alice, bob) — carol snoozed until Tue 10:00 UTC");
        let team = WaitingOn::Reviewers {
            waiting: vec![Waiting {
                reviewer: Reviewer::Team { slug: "acme/web".into() },
                since: at("2026-12-07T09:00:00Z"),
            }],
            snoozed: vec![],
        };
        insta::assert_snapshot!(waiting_line(&team, false).unwrap(), @"Waiting on: reviewers (@acme/web)");
        let all_snoozed = WaitingOn::Reviewers {
            waiting: vec![],
            snoozed: vec![Snooze { login: Login::new("carol"), until: at("2026-12-08T10:00:00Z") }],
        };
        insta::assert_snapshot!(waiting_line(&all_snoozed, false).unwrap(), @"Waiting on: reviewers — carol snoozed until Tue 10:00 UTC");
        let nobody_asked = WaitingOn::Reviewers { waiting: vec![], snoozed: vec![] };
        insta::assert_snapshot!(waiting_line(&nobody_asked, false).unwrap(), @"Waiting on: a reviewer to be asked");
        let author = WaitingOn::Author { since: None };
        insta::assert_snapshot!(waiting_line(&author, true).unwrap(), @"Waiting on: the author (changes requested)");
        insta::assert_snapshot!(waiting_line(&author, false).unwrap(), @"Waiting on: the author");
        assert_eq!(waiting_line(&WaitingOn::Nobody, false), None, "nothing for a closed PR");
    }

    #[test]
    fn the_labels_and_the_refused_snooze_read_plainly() {
        insta::assert_snapshot!(label_description(LABEL_WAITING_ON_REVIEWERS), @"flowgate: the PR waits on the reviewers asked");
        insta::assert_snapshot!(label_description(LABEL_WAITING_ON_AUTHOR), @"flowgate: the PR waits on its author (changes requested, a draft, or every review answered)");
        insta::assert_snapshot!(snooze_refused("mallory"), @"/flowgate snooze by mallory not recorded: their review is not requested on this PR");
    }

    #[test]
    fn the_reason_for_a_reassignment_and_a_skipped_step() {
        let hour = Duration::from_secs(3600);
        let said = [
            reassigned("bob", Tier::Red, hour * 6, 150, hour * 4),
            reassigned("kenji", Tier::Yellow, Duration::from_secs(90 * 60), 75, hour * 2),
            reassigned("ana", Tier::Green, hour, 50, hour * 2),
            skipped("overtaken by reassign"),
        ];
        insta::assert_snapshot!(said.join("\n"), @r"
        bob did not respond within 6 working hours, 150% of the red SLO of 4h: the review request goes to the next reviewer the policy chooses.
        kenji did not respond within 1h 30m of working time, 75% of the yellow SLO of 2h: the review request goes to the next reviewer the policy chooses.
        ana did not respond within 1 working hour, 50% of the green SLO of 2h: the review request goes to the next reviewer the policy chooses.
        skipped: overtaken by reassign
        ");
    }
}
