//! The review rule and the reviewers flowgate asks: the approvals each requirement needs, whose
//! reviews do not count and why, what is still missing, and whom flowgate requests.

use super::section::{Mark, Section};
use super::stale;
use crate::model::Principal;
use crate::policy::verdict::{IgnoredReview, IgnoredWhy, Requirement, RequirementSource, ReviewStatus, Verdict};
use crate::wording::{Flavor, assign, count, plural};

fn principals(from: &[Principal], f: Flavor) -> String {
    let names: Vec<String> = from.iter().map(|p| f.code(&p.0)).collect();
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        _ => format!("{} or {}", names[..names.len() - 1].join(", "), names[names.len() - 1]),
    }
}

fn requirement_name(r: &Requirement, f: Flavor) -> String {
    let what = requirement_source(&r.source);
    let approvals = count(r.approvals.into(), "approval", "approvals");
    if r.from.is_empty() {
        format!("{what}: {approvals}")
    } else {
        format!("{what}: {approvals}, at least one from {}", principals(&r.from, f))
    }
}

/// What is still missing for one requirement, or None when it is met.
pub fn requirement_missing(r: &Requirement, counted: usize, f: Flavor) -> Option<String> {
    if r.met {
        return None;
    }
    let short = (r.approvals as usize).saturating_sub(counted);
    let need_from = !r.from.is_empty() && r.satisfied_by.is_empty();
    let what = match (short, need_from) {
        (0, _) => format!("an approval from {}", principals(&r.from, f)),
        (n, false) => format!("{n} more {}", plural(n as u64, "approval", "approvals")),
        (1, true) => format!("1 more approval, from {}", principals(&r.from, f)),
        (n, true) => format!("{n} more approvals, including one from {}", principals(&r.from, f)),
    };
    Some(format!("{what} ({})", requirement_source(&r.source)))
}

fn requirement_source(source: &RequirementSource) -> String {
    match source {
        RequirementSource::Tier(t) => format!("{t} tier"),
        RequirementSource::AiTier(t) => format!("AI-touched {t} files"),
    }
}

fn ignored(i: &IgnoredReview, base: &str, f: Flavor) -> String {
    let who = f.code(i.reviewer.as_str());
    match &i.why {
        IgnoredWhy::Author => format!("{who} wrote the PR and cannot approve it"),
        IgnoredWhy::Committer => format!("{who} authored or committed changes in this PR and cannot approve it"),
        IgnoredWhy::Bot => format!("{who} is a bot; bots never approve"),
        IgnoredWhy::AiReviewer => format!("{who} is an AI reviewer; AI reviews never count as approval"),
        IgnoredWhy::Stale { commit, why } => {
            stale::no_longer_counts(i.reviewer.as_str(), commit.as_ref(), why, base, f)
        }
    }
}

fn logins<'a>(logins: impl Iterator<Item = &'a str>, f: Flavor) -> String {
    logins.map(|l| f.code(l)).collect::<Vec<_>>().join(", ")
}

pub fn review_section(v: &Verdict, f: Flavor) -> Section {
    let r = &v.review;
    let counted = r.approved_by.len();
    let missing: Vec<String> = r.requirements.iter().filter_map(|q| requirement_missing(q, counted, f)).collect();
    let mut details: Vec<String> = r
        .requirements
        .iter()
        .map(|q| format!("{} {}", if q.met { "met:" } else { "needs:" }, requirement_name(q, f)))
        .collect();
    if !r.approved_by.is_empty() {
        details.push(format!("approved by {}", logins(r.approved_by.iter().map(|l| l.as_str()), f)));
    }
    for c in &r.carried {
        details.push(stale::still_counts(c, &v.pr.base_branch, f));
    }
    for i in &r.ignored {
        details.push(ignored(i, &v.pr.base_branch, f));
    }
    for q in &r.requirements {
        for team in &q.unknown_teams {
            details.push(format!("members of {} are unknown (list them under `teams:` or let flowgate read them from GitHub), so their approvals cannot be recognised", f.code(team)));
        }
    }
    for who in &r.changes_requested_by {
        details.push(format!("{} requested changes", f.code(who.as_str())));
    }
    let (mark, headline) = if r.state == ReviewStatus::Pass {
        let needed: u32 = r.requirements.iter().map(|q| q.approvals).max().unwrap_or(0);
        if needed == 0 {
            (Mark::Pass, "no approval required".to_string())
        } else {
            (Mark::Pass, count(counted as u64, "counted approval", "counted approvals"))
        }
    } else {
        let mut waiting = missing;
        waiting.extend(super::codeowners::codeowners_missing(v, f));
        if !r.changes_requested_by.is_empty() {
            waiting
                .push(format!("changes requested by {}", logins(r.changes_requested_by.iter().map(|l| l.as_str()), f)));
        }
        (Mark::Pending, format!("waiting for {}", waiting.join("; ")))
    };
    Section { title: "Review", mark, headline, details }
}

/// The missing-review phrases, as the JSON's `review.missing` lists them.
pub fn review_missing(v: &Verdict) -> Vec<String> {
    let counted = v.review.approved_by.len();
    let mut out: Vec<String> =
        v.review.requirements.iter().filter_map(|q| requirement_missing(q, counted, Flavor::Plain)).collect();
    out.extend(super::codeowners::codeowners_missing(v, Flavor::Plain));
    for who in &v.review.changes_requested_by {
        out.push(format!("changes requested by {who} must be resolved"));
    }
    out
}

/// Whom flowgate asks to review and why, and whom it passed over: only with a `reviewers:` policy.
/// Informative: it never changes the state, which the review rules decide.
pub fn reviewers_section(v: &Verdict, f: Flavor) -> Option<Section> {
    let a = v.reviewers.as_ref()?;
    let headline = if !a.requested.is_empty() {
        format!("requesting {}", logins(a.requested.iter().map(|r| r.login.as_str()), f))
    } else if a.problems.is_empty() {
        format!("has the {} it needs", count(a.needed.into(), "reviewer", "reviewers"))
    } else {
        "could not find every reviewer it needs".to_string()
    };
    let mut details: Vec<String> = a.requested.iter().map(|r| assign::requested_line(a, r)).collect();
    if !a.counted.is_empty() {
        details.push(format!("already on it: {}", logins(a.counted.iter().map(|c| c.who.as_str()), f)));
    }
    if a.spot_check.sampled {
        details.push("AI-touched and sampled for a spot check: one more reviewer".to_string());
    }
    for pool in &a.saturated_pools {
        details.push(format!("every available member of {} is at capacity", f.code(pool)));
    }
    details.extend(a.problems.iter().map(|p| assign::problem(a, &p.what)));
    details.extend(a.notes.iter().map(assign::unread));
    details.extend(a.skipped.iter().map(|s| format!("passed over: {}", assign::skipped_line(s))));
    let mark = if a.problems.is_empty() { Mark::Skip } else { Mark::Pending };
    Some(Section { title: "Reviewers", mark, headline, details })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{show, verdict};
    use super::*;
    use crate::model::{CommitSha, Login};
    use crate::policy::Tier;
    use crate::policy::verdict::StaleWhy;

    fn requirement(approvals: u32, from: &[&str], satisfied_by: &[&str], met: bool) -> Requirement {
        Requirement {
            source: RequirementSource::Tier(Tier::Red),
            approvals,
            from: from.iter().map(|p| Principal(p.to_string())).collect(),
            satisfied_by: satisfied_by.iter().map(|l| Login::new(*l)).collect(),
            met,
            unknown_teams: vec![],
        }
    }

    #[test]
    fn what_each_unmet_requirement_still_needs() {
        let cases = [
            (requirement(2, &[], &[], true), 2),
            (requirement(1, &["@acme/security"], &[], false), 1),
            (requirement(3, &[], &[], false), 2),
            (requirement(2, &[], &[], false), 0),
            (requirement(2, &["@acme/security", "alice"], &[], false), 1),
            (requirement(3, &["@acme/security", "alice", "bob"], &[], false), 0),
        ];
        let missing: Vec<String> = cases
            .iter()
            .map(|(r, counted)| requirement_missing(r, *counted, Flavor::Plain).unwrap_or_else(|| "(met)".into()))
            .collect();
        insta::assert_snapshot!(missing.join("\n"), @r"
        (met)
        an approval from @acme/security (red tier)
        1 more approval (red tier)
        2 more approvals (red tier)
        1 more approval, from @acme/security or alice (red tier)
        3 more approvals, including one from @acme/security, alice or bob (red tier)
        ");
    }

    #[test]
    fn the_review_section_of_a_pending_pr() {
        insta::assert_snapshot!(show(&review_section(&verdict("auth-login"), Flavor::Markdown)), @r"
        ⏳ Review: waiting for 1 more approval (red tier)
          needs: red tier: 2 approvals, at least one from `@acme/security` or `alice`
          met: AI-touched red files: 1 approval, at least one from `@acme/security`
          approved by `bob`
          `alice` approved `ccccccc`, not the head commit; approvals in this tier count only on the head
        ");
    }

    #[test]
    fn every_ignored_review_changes_requested_and_unknown_team() {
        let mut v = verdict("auth-login");
        let reviewer = Login::new("erin");
        v.review.ignored = [
            IgnoredWhy::Author,
            IgnoredWhy::Committer,
            IgnoredWhy::Bot,
            IgnoredWhy::AiReviewer,
            IgnoredWhy::Stale { commit: Some(CommitSha::new("abcdef123")), why: StaleWhy::HeadOnly },
            IgnoredWhy::Stale { commit: None, why: StaleWhy::CommitUnknown },
        ]
        .into_iter()
        .map(|why| IgnoredReview { reviewer: reviewer.clone(), why })
        .collect();
        v.review.requirements.truncate(1);
        v.review.requirements[0].unknown_teams = vec!["@acme/security".into()];
        v.review.changes_requested_by = vec![Login::new("dave")];
        insta::assert_snapshot!(show(&review_section(&v, Flavor::Plain)), @r"
        ⏳ Review: waiting for 1 more approval (red tier); changes requested by dave
          needs: red tier: 2 approvals, at least one from @acme/security or alice
          approved by bob
          erin wrote the PR and cannot approve it
          erin authored or committed changes in this PR and cannot approve it
          erin is a bot; bots never approve
          erin is an AI reviewer; AI reviews never count as approval
          erin approved abcdef1, not the head commit; approvals in this tier count only on the head
          erin approved an unknown commit; approvals in this tier count only on the head
          members of @acme/security are unknown (list them under `teams:` or let flowgate read them from GitHub), so their approvals cannot be recognised
          dave requested changes
        ");
        insta::assert_snapshot!(review_missing(&v).join("\n"), @r"
        1 more approval (red tier)
        changes requested by dave must be resolved
        ");
    }

    #[test]
    fn a_passing_review_counts_its_approvals_or_needs_none() {
        let mut v = verdict("auth-login");
        v.review.state = ReviewStatus::Pass;
        insta::assert_snapshot!(review_section(&v, Flavor::Plain).headline, @"1 counted approval");
        v.review.approved_by.push(Login::new("alice"));
        insta::assert_snapshot!(review_section(&v, Flavor::Plain).headline, @"2 counted approvals");
        v.review.requirements.clear();
        insta::assert_snapshot!(review_section(&v, Flavor::Plain).headline, @"no approval required");
    }

    #[test]
    fn the_reviewers_section_requests_passes_over_and_flags() {
        use crate::assign::output::{Counted, Problem, SpotCheck};
        use crate::assign::score::Score;
        use crate::assign::{Assignment, ProblemKind, Requested, Role, SkipReason, Skipped};
        let mut v = verdict("auth-login");
        assert_eq!(reviewers_section(&v, Flavor::Plain), None);
        let score = Score {
            total: 1.0,
            expertise: 0.5,
            load: 0.25,
            fairness: 0.0,
            owned_paths: 1,
            owned_area: Some("src/auth/".into()),
            recent_touches: 0,
            open_requests: 1,
            capacity: 4,
            reviews_given: 0,
        };
        let mut a = Assignment {
            repo: "acme/shop".into(),
            number: 42,
            tier: Tier::Red,
            tier_request: 2,
            needed: 3,
            counted: vec![Counted { who: "bob".into(), role: Role::FirstPool }],
            requested: vec![Requested {
                login: Login::new("alice"),
                pool: "seniors".into(),
                role: Role::Tier,
                over_capacity: false,
                score,
                hours: None,
            }],
            skipped: vec![Skipped { login: Login::new("erin"), pool: "seniors".into(), why: SkipReason::Unavailable }],
            saturated_pools: vec!["security".into()],
            spot_check: SpotCheck { ai_touched: true, percent: Some(20), bucket: 3, sampled: true, pools: vec![] },
            problems: vec![Problem { what: ProblemKind::EmptyPool { pool: "ai".into() } }],
            notes: vec![crate::assign::Unread::BusyStatus { error: "GraphQL: 502 Bad Gateway".into() }],
            review_window_weeks: None,
        };
        v.reviewers = Some(a.clone());
        insta::assert_snapshot!(show(&reviewers_section(&v, Flavor::Markdown).unwrap()), @r"
        ⏳ Reviewers: requesting `alice`
          alice: owns src/auth/ in CODEOWNERS, 1 of 4 open reviews, available
          already on it: `bob`
          AI-touched and sampled for a spot check: one more reviewer
          every available member of `security` is at capacity
          pool ai has no one to request: none of its members is known
          GitHub's busy status could not be read (GraphQL: 502 Bad Gateway), so nobody was passed over for it
          passed over: erin: unavailable
        ");
        a.requested.clear();
        v.reviewers = Some(a.clone());
        insta::assert_snapshot!(reviewers_section(&v, Flavor::Plain).unwrap().headline, @"could not find every reviewer it needs");
        a.problems.clear();
        a.needed = 1;
        v.reviewers = Some(a);
        insta::assert_snapshot!(show(&reviewers_section(&v, Flavor::Plain).unwrap()), @r"
        ➖ Reviewers: has the 1 reviewer it needs
          already on it: bob
          AI-touched and sampled for a spot check: one more reviewer
          every available member of security is at capacity
          GitHub's busy status could not be read (GraphQL: 502 Bad Gateway), so nobody was passed over for it
          passed over: erin: unavailable
        ");
    }
}
