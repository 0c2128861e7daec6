//! Review rules: whose approvals count, on which commit, and whether each requirement is met.

use std::collections::HashMap;

use super::ai::markers::is_ai_reviewer;
use super::stale::{self, Standing};
use super::verdict::{
    CarriedApproval, FileVerdict, IgnoredReview, IgnoredWhy, Requirement, RequirementSource, ReviewStatus,
    ReviewVerdict,
};
use super::{Policy, ReviewRule, StaleMode, StaleRule};
use crate::model::trailers::co_authors;
use crate::model::{CommitSha, Login, PrFacts, Review, ReviewState};

/// Evaluates the review requirements in play for this PR.
///
/// An approval given on an older commit counts by the strictest `stale` rule in play (see
/// `stale::standing`): on the head only, when the change it reviewed is the same, or also when no
/// file in the approver's scope changed. What cannot be seen does not carry (fail closed).
pub fn evaluate(
    policy: &Policy,
    facts: &PrFacts,
    requirements: &[(RequirementSource, &ReviewRule)],
    files: &[FileVerdict],
) -> ReviewVerdict {
    let rule = StaleRule::strictest(requirements.iter().map(|(_, r)| &r.stale));
    let ineligible = ineligible_people(facts);
    let mut approved_by = Vec::new();
    let mut ignored = Vec::new();
    let mut changes_requested_by = Vec::new();
    let mut carried = Vec::new();

    let scope = |who: &Login| stale::scope(policy, facts, files, who);
    let standing = |review: &Review| match review.state {
        ReviewState::Approved => stale::standing(&rule, facts, review, &scope),
        _ => Standing::Fresh,
    };
    // A stale approval does not count, and neither does it withdraw what the reviewer said before:
    // otherwise an approval on an old commit would clear the same reviewer's request for changes.
    let ordered = in_order(&facts.reviews);
    let standing_reviews: HashMap<&Login, &Review> =
        latest_reviews(ordered.iter().copied().filter(|r| !matches!(standing(r), Standing::Stale(_))))
            .into_iter()
            .map(|r| (&r.reviewer, r))
            .collect();

    for review in latest_reviews(ordered.iter().copied()) {
        let why = if review.reviewer == facts.author {
            Some(IgnoredWhy::Author)
        } else if is_ai_reviewer(review.reviewer.as_str()) {
            Some(IgnoredWhy::AiReviewer)
        } else if review.reviewer.is_bot() {
            Some(IgnoredWhy::Bot)
        } else if ineligible.iter().any(|p| p.matches(&review.reviewer)) {
            Some(IgnoredWhy::Committer)
        } else {
            None
        };
        let review = match (&why, standing(review)) {
            (None, Standing::Stale(stale_why)) => {
                ignored.push(IgnoredReview {
                    reviewer: review.reviewer.clone(),
                    why: IgnoredWhy::Stale { commit: review.commit_id.clone(), why: stale_why },
                });
                match standing_reviews.get(&review.reviewer) {
                    Some(earlier) => *earlier,
                    None => continue,
                }
            }
            _ => review,
        };
        if why.is_none()
            && let (Standing::Carried(carried_why), Some(commit)) = (standing(review), &review.commit_id)
        {
            carried.push(CarriedApproval {
                reviewer: review.reviewer.clone(),
                commit: commit.clone(),
                why: carried_why,
            });
        }
        match (review.state, why) {
            (ReviewState::ChangesRequested, None) => changes_requested_by.push(review.reviewer.clone()),
            (ReviewState::Approved, None) => approved_by.push(review.reviewer.clone()),
            (ReviewState::Approved | ReviewState::ChangesRequested, Some(why)) => {
                ignored.push(IgnoredReview { reviewer: review.reviewer.clone(), why });
            }
            _ => {}
        }
    }

    let requirements: Vec<Requirement> =
        requirements.iter().map(|(source, rule)| requirement(policy, source.clone(), rule, &approved_by)).collect();
    let all_met = requirements.iter().all(|r| r.met);
    let state = if all_met && changes_requested_by.is_empty() { ReviewStatus::Pass } else { ReviewStatus::Pending };
    let required = requirements.first().map_or(0, |r| r.approvals);
    ReviewVerdict {
        state,
        required,
        approved_by,
        requirements,
        ignored,
        changes_requested_by,
        carried,
        codeowners: None,
    }
}

/// The commits, other than the head, of each reviewer's latest approval, when the rule in play
/// lets an approval outlive its commit: gathering compares each with the head. Sorted, each once.
pub fn commits_to_compare(facts: &PrFacts, requirements: &[(RequirementSource, &ReviewRule)]) -> Vec<CommitSha> {
    let rule = StaleRule::strictest(requirements.iter().map(|(_, r)| &r.stale));
    if !matches!(rule.mode, StaleMode::Diff | StaleMode::Owners) {
        return Vec::new();
    }
    let mut latest: HashMap<&Login, &Review> = HashMap::new();
    for review in in_order(&facts.reviews) {
        if review.state == ReviewState::Approved && review.reviewer != facts.author && !review.reviewer.is_bot() {
            latest.insert(&review.reviewer, review);
        }
    }
    let mut commits: Vec<CommitSha> = latest
        .into_values()
        .filter_map(|r| r.commit_id.clone())
        .filter(|c| facts.head_sha.as_ref() != Some(c))
        .collect();
    commits.sort();
    commits.dedup();
    commits
}

fn requirement(policy: &Policy, source: RequirementSource, rule: &ReviewRule, approved_by: &[Login]) -> Requirement {
    let satisfied_by: Vec<Login> = if rule.from.is_empty() {
        approved_by.to_vec()
    } else {
        approved_by.iter().filter(|l| policy.principal_includes(&rule.from, l)).cloned().collect()
    };
    let enough = approved_by.len() >= rule.approvals as usize;
    let from_ok = rule.from.is_empty() || !satisfied_by.is_empty();
    Requirement {
        source,
        approvals: rule.approvals,
        from: rule.from.clone(),
        satisfied_by,
        met: enough && from_ok,
        unknown_teams: policy.unknown_teams(&rule.from).into_iter().map(String::from).collect(),
    }
}

/// The reviews in the order they were given: GitHub lists oldest first; sort by time where every
/// review has one, keeping list order on ties.
fn in_order(reviews: &[Review]) -> Vec<&Review> {
    let mut ordered: Vec<(usize, &Review)> = reviews.iter().enumerate().collect();
    if ordered.iter().all(|(_, r)| r.submitted_at.is_some()) {
        ordered.sort_by(|a, b| a.1.submitted_at.cmp(&b.1.submitted_at).then(a.0.cmp(&b.0)));
    }
    ordered.into_iter().map(|(_, r)| r).collect()
}

/// Only each reviewer's latest deciding review counts (of `ordered`, oldest first). A plain comment
/// does not withdraw an approval on GitHub, so COMMENTED and PENDING reviews are passed over.
fn latest_reviews<'a>(ordered: impl Iterator<Item = &'a Review>) -> Vec<&'a Review> {
    let mut latest: HashMap<&Login, (usize, &Review)> = HashMap::new();
    for (i, review) in ordered.enumerate() {
        if matches!(review.state, ReviewState::Approved | ReviewState::ChangesRequested | ReviewState::Dismissed) {
            latest.insert(&review.reviewer, (i, review));
        }
    }
    let mut out: Vec<(usize, &Review)> = latest.into_values().collect();
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Someone who wrote or committed part of the change, known by login or by a git identity.
struct Contributor {
    login: Option<Login>,
    /// A login read from a GitHub noreply address, or a one-word name that may be the login.
    likely_login: Option<String>,
}

impl Contributor {
    fn matches(&self, login: &Login) -> bool {
        self.login.as_ref() == Some(login)
            || self.likely_login.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(login.as_str()))
    }
}

/// Commit authors, committers and co-authors. Matching by noreply e-mail and one-word names errs
/// towards excluding someone, because a wrongly counted self-approval is the worse mistake.
fn ineligible_people(facts: &PrFacts) -> Vec<Contributor> {
    let mut people = Vec::new();
    for commit in &facts.commits {
        for person in [&commit.author, &commit.committer] {
            people.push(Contributor {
                login: person.login.clone(),
                likely_login: likely_login(&person.name, &person.email),
            });
        }
        for co in co_authors(&commit.message) {
            people.push(Contributor { login: None, likely_login: likely_login(&co.name, &co.email) });
        }
    }
    people
}

fn likely_login(name: &str, email: &str) -> Option<String> {
    let email = email.to_ascii_lowercase();
    if let Some(local) = email.strip_suffix("@users.noreply.github.com") {
        // `12345+login@users.noreply.github.com` or the older `login@users.noreply.github.com`.
        return Some(local.rsplit('+').next().unwrap_or(local).to_string());
    }
    let name = name.trim();
    (!name.is_empty() && !name.contains(char::is_whitespace)).then(|| name.to_string())
}
