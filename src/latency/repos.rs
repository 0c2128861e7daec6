//! The digest of several repositories, each measured under its own policy's settings: one
//! `RepoFigures` per repository (cut from the digest of its events alone), the repositories whose
//! policy could not be read and why, and a team's figures across them for its own channel. Pure:
//! the caller reads the policies and the events.

use serde::Serialize;

use super::calendar::ClockMode;
use super::digest::{Digest, GroupFigures, ReviewerLoad, TargetFigures, Totals};
use super::event::Reviewer;

/// The repositories of a digest, each under its own settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerRepo {
    /// Where the settings of the digest's other figures (every repository together) came from.
    pub overall_settings: String,
    /// By repository name.
    pub repos: Vec<RepoFigures>,
    /// Repositories with events whose policy could not be read: no figures, only the reason.
    pub unread: Vec<UnreadRepo>,
    /// Repositories with events left out because more than `cap` had some.
    pub over_cap: Vec<String>,
    /// The most repositories whose policy one digest reads.
    pub cap: usize,
}

/// One repository's figures under its own `latency:` and `teams:`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepoFigures {
    pub repo: String,
    /// Where its settings came from: its policy on its default branch, or the bundled default.
    pub settings: String,
    pub clock: ClockMode,
    pub timezone: String,
    pub totals: Totals,
    pub overall: GroupFigures,
    /// Against its own targets.
    pub targets: Vec<TargetFigures>,
    /// By the author's team, as its own `teams:` maps them.
    pub by_team: Vec<GroupFigures>,
    /// Its requests to teams; a person's load is never carried here.
    pub team_loads: Vec<ReviewerLoad>,
    /// The PRs its own `latency.exclude` left out of the figures above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<super::exclude::LeftOut>,
}

impl RepoFigures {
    /// The figures of `digest`, which measured `repo`'s events alone under its settings.
    pub fn of(repo: &str, settings: &str, digest: &Digest) -> RepoFigures {
        RepoFigures {
            repo: repo.to_string(),
            settings: settings.to_string(),
            clock: digest.clock,
            timezone: digest.timezone.clone(),
            totals: digest.totals,
            overall: digest.overall.clone(),
            targets: digest.targets.clone(),
            by_team: digest.by_team.clone(),
            team_loads: digest
                .reviewers
                .iter()
                .filter(|r| matches!(r.reviewer, Reviewer::Team { .. }))
                .cloned()
                .collect(),
            left_out: digest.left_out.clone(),
        }
    }

    /// First reviews later than the repository's own targets, of those measured against one.
    pub fn late(&self) -> (usize, usize) {
        self.targets.iter().fold((0, 0), |(late, of), t| (late + t.breached, of + t.first_reviews))
    }
}

/// A repository whose policy could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnreadRepo {
    pub repo: String,
    pub reason: String,
}

/// One team's figures across the repositories that name it: what the team's own channel gets.
/// Team figures only, never a person's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamDigest {
    /// As the routing names it, `@org/team`.
    pub team: String,
    pub rows: Vec<TeamRow>,
}

/// The team in one repository, on that repository's clock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamRow {
    pub repo: String,
    pub clock: ClockMode,
    pub timezone: String,
    /// The PRs its members authored.
    pub authored: Option<GroupFigures>,
    /// What was asked of the team as a reviewer.
    pub asked: Option<ReviewerLoad>,
}

/// `@org/team` in lower case, however it is written (`org/team`, `@Org/Team`).
pub fn team_key(name: &str) -> String {
    format!("@{}", name.trim().trim_start_matches('@').to_lowercase())
}

/// `team`'s figures in every repository that has any; no rows when none has.
pub fn team_digest(team: &str, per_repo: &PerRepo) -> TeamDigest {
    let key = team_key(team);
    let rows: Vec<TeamRow> = per_repo
        .repos
        .iter()
        .filter_map(|r| {
            let authored = r.by_team.iter().find(|g| team_key(&g.group) == key).cloned();
            let asked = r.team_loads.iter().find(|l| team_key(&l.reviewer.name()) == key).cloned();
            (authored.is_some() || asked.is_some()).then(|| TeamRow {
                repo: r.repo.clone(),
                clock: r.clock,
                timezone: r.timezone.clone(),
                authored,
                asked,
            })
        })
        .collect();
    TeamDigest { team: key, rows }
}
