//! Choosing reviewers for a gated PR: fills the pure chooser's inputs from the PR's facts, its
//! pull-request JSON, its issue events and what GitHub says about people (CODEOWNERS, teams, the
//! open PRs' review requests), then puts the choice in the verdict.

use std::collections::HashMap;

use crate::assign::{OpenLoad, PeopleFacts, PrToAssign, ReviewerPolicy, choose};
use crate::github::parse::shapes::OpenPullJson;
use crate::model::{Login, PrFacts};
use crate::policy::verdict::Verdict;

pub use crate::github::parse::OnPr;

/// The review requests waiting on each person over the repository's open PRs (pages of `GET
/// /repos/{o}/{r}/pulls?state=open`), leaving out `this` PR and drafts. GitHub keeps a login in
/// `requested_reviewers` only until that person reviews, so these are requests really waiting.
/// Each counts as one typical review: the listing does not say how large the other PRs are.
pub fn load_from_open_pulls(pulls: &[OpenPullJson], this: Option<u64>) -> HashMap<Login, OpenLoad> {
    let mut load: HashMap<Login, OpenLoad> = HashMap::new();
    for pull in pulls.iter().filter(|p| p.draft != Some(true) && p.number != this) {
        for user in &pull.requested_reviewers {
            let entry = load.entry(Login::new(user.login.as_str())).or_default();
            entry.requests += 1;
            entry.effort += 1.0;
        }
    }
    load
}

/// Everyone the policy's pools could draw on, once: logins and the known members of teams; bots
/// are left out, as no filter would let them through.
pub fn pool_candidates(policy: &ReviewerPolicy, people: &PeopleFacts) -> Vec<Login> {
    let mut out: Vec<Login> = Vec::new();
    for member in policy.pools.values().flat_map(|p| p.members.iter()) {
        match member.team() {
            Some(team) => {
                out.extend(crate::assign::score::team_members(people, team).unwrap_or_default().iter().cloned())
            }
            None => out.push(Login::new(member.0.as_str())),
        }
    }
    out.retain(|l| !l.is_bot());
    out.sort_by_key(|l| l.as_str().to_ascii_lowercase());
    out.dedup();
    out
}

/// Each changed path's owners in CODEOWNERS (users and teams, in every section), for the
/// expertise part of the score. Lines with errors are left out, as GitHub leaves them out.
pub fn owners_of_paths(
    codeowners: Option<&crate::model::codeowners::Codeowners>,
    facts: &PrFacts,
) -> std::collections::BTreeMap<String, Vec<crate::policy::Principal>> {
    let Some(parsed) = codeowners else { return Default::default() };
    facts
        .files
        .iter()
        .filter_map(|f| {
            let owners: Vec<crate::policy::Principal> =
                parsed.all_owners(&f.path).into_iter().filter_map(|o| o.principal()).collect();
            (!owners.is_empty()).then(|| (f.path.clone(), owners))
        })
        .collect()
}

/// Everything a choice was made from, kept so `/flowgate reassign` can choose again.
#[derive(Debug, Clone)]
pub struct AssignInputs {
    pub policy: ReviewerPolicy,
    pub pr: PrToAssign,
    pub people: PeopleFacts,
}

impl AssignInputs {
    /// The people `/flowgate reassign` replaces: those whose review is requested and not yet
    /// given. Reviews already given stay: a reassignment is for a request nobody is answering.
    pub fn waiting(&self) -> Vec<Login> {
        self.pr.requested_users.iter().filter(|l| !self.pr.reviewed_by.contains(l)).cloned().collect()
    }
}

/// Whose review requests to hand on to someone else: asked for by `/flowgate reassign`, or by
/// someone asked to review who just said they are away.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Reassign {
    #[default]
    Nobody,
    /// Everyone asked who has not reviewed yet (`/flowgate reassign`).
    AllWaiting,
    /// These people, if they are asked and have not reviewed yet.
    TheseIfWaiting(Vec<Login>),
}

/// Chooses the reviewers, once, and records the choice in the verdict; returns what it chose
/// from and whose requests the choice replaces (to withdraw), which `reassign` decides.
pub fn assign(
    verdict: &mut Verdict,
    policy: &ReviewerPolicy,
    facts: &PrFacts,
    on: &OnPr,
    people: &PeopleFacts,
    now: jiff::Timestamp,
    reassign: &Reassign,
) -> (AssignInputs, Vec<Login>) {
    let mut pr = PrToAssign::new(
        facts.repo.clone().unwrap_or_default(),
        facts.number.unwrap_or_default(),
        facts.author.clone(),
        verdict.tier,
    );
    pr.committers =
        facts.commits.iter().flat_map(|c| [&c.author.login, &c.committer.login]).flatten().cloned().collect();
    pr.ai_touched = verdict.files.iter().any(|f| f.ai_touched);
    pr.paths = facts.files.iter().map(|f| f.path.clone()).collect();
    pr.requested_users = on.requested_users.clone();
    pr.requested_teams = on.requested_teams.clone();
    pr.reviewed_by = facts.reviews.iter().map(|r| r.reviewer.clone()).collect();
    pr.removed_themselves = on.removed_themselves.clone();
    let inputs = AssignInputs { policy: policy.clone(), pr, people: people.clone() };
    let replace: Vec<Login> = match reassign {
        Reassign::Nobody => Vec::new(),
        Reassign::AllWaiting => inputs.waiting(),
        Reassign::TheseIfWaiting(these) => inputs.waiting().into_iter().filter(|l| these.contains(l)).collect(),
    };
    verdict.reviewers = Some(if replace.is_empty() {
        choose(policy, &inputs.pr, people, now)
    } else {
        crate::assign::reassign(policy, &inputs.pr, people, now, &replace)
    });
    (inputs, replace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_requests_teams_and_self_removals() {
        let pull = serde_json::from_value(json!({
            "head": {"ref": "fix"},
            "base": {"ref": "main", "repo": {"full_name": "acme/shop", "owner": {"login": "acme"}}},
            "requested_reviewers": [{"login": "alice"}],
            "requested_teams": [{"slug": "security"}],
        }))
        .expect("a pull");
        let events = r#"[{"event": "review_request_removed", "actor": {"login": "Bob"}, "requested_reviewer": {"login": "bob"}},
                          {"event": "review_request_removed", "actor": {"login": "lead"}, "requested_reviewer": {"login": "carol"}}]
                        [{"event": "labeled", "actor": {"login": "x"}}]"#;
        let events = crate::github::parse::list(events).expect("issue events");
        let on = OnPr::read(&pull, &events);
        assert_eq!(on.requested_users, vec![Login::new("alice")]);
        assert_eq!(on.requested_teams, vec!["@acme/security".to_string()]);
        assert_eq!(on.removed_themselves, vec![Login::new("bob")], "carol was removed by someone else");
    }

    #[test]
    fn load_counts_open_ready_prs_other_than_this_one() {
        let pages = r#"[{"number": 1, "draft": false, "requested_reviewers": [{"login": "alice"}, {"login": "bob"}]},
                        {"number": 2, "draft": true, "requested_reviewers": [{"login": "alice"}]}]
                       [{"number": 3, "requested_reviewers": [{"login": "alice"}]},
                        {"number": 9, "requested_reviewers": [{"login": "bob"}]}]"#;
        let load = load_from_open_pulls(&crate::github::parse::list(pages).expect("pages"), Some(9));
        assert_eq!(load[&Login::new("alice")].requests, 2, "PR 1 and PR 3; PR 2 is a draft");
        assert_eq!(load[&Login::new("bob")].requests, 1, "PR 9 is the one being assigned");
    }

    /// A yellow PR with `bob` asked and not yet reviewing, chosen once under `reassign`.
    fn choose_under(reassign: &Reassign) -> (Vec<String>, Vec<Login>) {
        let setup = crate::assign::synthetic::synthetic_setup(1);
        let facts = PrFacts {
            repo: Some("acme/shop".into()),
            number: Some(7),
            author: Login::new("erin"),
            files: vec![crate::model::FileChange::new("src/cart/total.rs", crate::model::FileStatus::Modified, 5, 1)],
            ..PrFacts::default()
        };
        let policy = crate::policy::load::load_bundled("default").expect("the bundled policy");
        let mut verdict = crate::policy::evaluate::evaluate(&facts, &policy);
        let on = OnPr { requested_users: vec![Login::new("bob")], ..OnPr::default() };
        let people = PeopleFacts { teams: setup.teams.clone(), ..PeopleFacts::default() };
        let now = jiff::Timestamp::from_second(1_800_000_000).expect("a time");
        let (_, withdraw) = assign(&mut verdict, &setup.policy, &facts, &on, &people, now, reassign);
        let requested = verdict.reviewers.expect("a choice").requested.iter().map(|r| r.login.to_string()).collect();
        (requested, withdraw)
    }

    #[test]
    fn one_choice_hands_on_exactly_the_requests_a_reassignment_names() {
        let (kept, nothing) = choose_under(&Reassign::Nobody);
        assert!(
            nothing.is_empty() && !kept.contains(&"bob".to_string()),
            "bob counts, nobody is asked twice: {kept:?}"
        );
        let (replaced, withdraw) = choose_under(&Reassign::AllWaiting);
        assert_eq!(withdraw, vec![Login::new("bob")], "bob's unanswered request is taken back");
        assert!(!replaced.is_empty() && !replaced.contains(&"bob".to_string()), "someone else is asked: {replaced:?}");
        let (_, someone_else) = choose_under(&Reassign::TheseIfWaiting(vec![Login::new("carol")]));
        assert!(someone_else.is_empty(), "carol was not asked here, so nothing is handed on");
        let (_, away) = choose_under(&Reassign::TheseIfWaiting(vec![Login::new("bob")]));
        assert_eq!(away, vec![Login::new("bob")]);
    }
}
