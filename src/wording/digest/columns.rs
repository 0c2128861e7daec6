//! The column headings of the digest's tables, one place for Markdown and HTML: the breakdown
//! groups, the stages, reviewer load, first-review targets, the PRs waiting longest and the trend.
//! A heading with a duration names the digest's unit (`working hours` or `hours`).

// A breakdown by tier, AI use, repository or team.
pub const COL_GROUP: &str = "group";
pub const COL_PRS: &str = "PRs";
pub const COL_MERGED: &str = "merged";
pub const COL_AWAITING: &str = "awaiting first review now";

pub fn col_first_review(unit: &str) -> String {
    format!("median first review ({unit})")
}
pub fn col_first_review_p90(unit: &str) -> String {
    format!("p90 first review ({unit})")
}
pub fn col_open_to_merge(unit: &str) -> String {
    format!("median open to merge ({unit})")
}
pub fn col_on_reviewers(unit: &str) -> String {
    format!("waiting on reviewers ({unit})")
}
pub fn col_on_authors(unit: &str) -> String {
    format!("waiting on authors ({unit})")
}

// Where the waiting was: one row per stage, then (Markdown) the waiting split by whom it was on.
pub const COL_STAGE: &str = "stage";
pub const COL_MEASURED: &str = "measured";

pub fn col_median(unit: &str) -> String {
    format!("median ({unit})")
}
pub fn col_p90(unit: &str) -> String {
    format!("p90 ({unit})")
}
pub fn col_waiting(unit: &str) -> String {
    format!("waiting ({unit})")
}
/// The waiting table's first row, and the first bar of the chart of where the waiting was.
pub const ALL_PRS: &str = "all PRs";

// Reviewer load.
pub const COL_REVIEWER: &str = "reviewer";
pub const COL_REQUESTS_RECEIVED: &str = "requests received";
pub const COL_REVIEWS_GIVEN: &str = "reviews given";
pub const COL_WAITING_ON_THEM: &str = "waiting on them now";

pub fn col_answer_wait(unit: &str) -> String {
    format!("median wait for an answer ({unit})")
}

// First-review targets, by tier.
pub const COL_TIER: &str = "tier";
pub const COL_TARGET: &str = "target";
pub const COL_FIRST_REVIEWS: &str = "first reviews";
pub const COL_LATE: &str = "later than the target";
pub const COL_PAST_TARGET: &str = "open PRs already past it";

// The PRs waiting longest now (with `COL_TIER`).
pub const COL_PR: &str = "PR";
pub const COL_AUTHOR: &str = "author";
pub const COL_WAITING: &str = "waiting";
pub const COL_WAITING_ON: &str = "waiting on";

// The trend, week by week (with `col_first_review`, `col_open_to_merge` and `COL_MERGED`).
pub const COL_WEEK: &str = "week";
pub const COL_STARTS_ON: &str = "starts on";

/// Markdown's trend table also has the answer to a review request.
pub fn col_answer(unit: &str) -> String {
    format!("median answer to a request ({unit})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headings_of_each_table() {
        let tables = [
            vec![COL_STAGE.to_string(), col_median("hours"), col_p90("hours"), COL_MEASURED.into()],
            vec![col_waiting("working hours"), ALL_PRS.into()],
            vec![
                COL_REVIEWER.into(),
                COL_REQUESTS_RECEIVED.into(),
                COL_REVIEWS_GIVEN.into(),
                COL_WAITING_ON_THEM.into(),
                col_answer_wait("hours"),
            ],
            vec![COL_TIER.into(), COL_TARGET.into(), COL_FIRST_REVIEWS.into(), COL_LATE.into(), COL_PAST_TARGET.into()],
            vec![COL_PR.into(), COL_TIER.into(), COL_AUTHOR.into(), COL_WAITING.into(), COL_WAITING_ON.into()],
            vec![
                COL_WEEK.into(),
                COL_STARTS_ON.into(),
                col_first_review("hours"),
                col_answer("hours"),
                col_open_to_merge("hours"),
                COL_MERGED.into(),
            ],
        ];
        let lines: Vec<String> = tables.iter().map(|t| t.join(" | ")).collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        stage | median (hours) | p90 (hours) | measured
        waiting (working hours) | all PRs
        reviewer | requests received | reviews given | waiting on them now | median wait for an answer (hours)
        tier | target | first reviews | later than the target | open PRs already past it
        PR | tier | author | waiting | waiting on
        week | starts on | median first review (hours) | median answer to a request (hours) | median open to merge (hours) | merged
        ");
    }
}
