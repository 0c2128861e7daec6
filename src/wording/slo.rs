//! What the App says while a PR waits past its review SLO: the reminder a reviewer gets on the PR,
//! and why their request was handed to someone else.

use std::time::Duration;

use crate::model::Tier;

/// `4h`, `90m`, `2h 30m`: working time as the policy writes it.
pub fn span(d: Duration) -> String {
    let minutes = d.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

/// The PR comment reminding `login` (mentioned once) that the PR waits for their review.
pub fn reminder(login: &str, tier: Tier, waited: Duration, first_response: Duration) -> String {
    format!(
        "@{login}, a reminder: this {tier} PR has waited {} of working time for your review. \
         The team's review SLO for {tier} PRs is a first response within {}.",
        span(waited),
        span(first_response)
    )
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

    #[test]
    fn the_reminder_and_the_reason_for_a_reassignment() {
        let hour = Duration::from_secs(3600);
        let said = [
            reminder("bob", Tier::Red, hour * 2 + Duration::from_secs(600), hour * 4),
            reassigned("bob", Tier::Red, hour * 6, 150, hour * 4),
            reassigned("kenji", Tier::Yellow, Duration::from_secs(90 * 60), 75, hour * 2),
            reassigned("ana", Tier::Green, hour, 50, hour * 2),
            skipped("overtaken by reassign"),
        ];
        insta::assert_snapshot!(said.join("\n"), @r"
        @bob, a reminder: this red PR has waited 2h 10m of working time for your review. The team's review SLO for red PRs is a first response within 4h.
        bob did not respond within 6 working hours, 150% of the red SLO of 4h: the review request goes to the next reviewer the policy chooses.
        kenji did not respond within 1h 30m of working time, 75% of the yellow SLO of 2h: the review request goes to the next reviewer the policy chooses.
        ana did not respond within 1 working hour, 50% of the green SLO of 2h: the review request goes to the next reviewer the policy chooses.
        skipped: overtaken by reassign
        ");
    }
}
