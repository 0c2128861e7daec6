//! What choosing reviewers reads: the PR and what is known about the people who could review it.
//! Gathering code fills these from GitHub and the store; nothing here fetches anything.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use crate::model::Login;
use crate::model::{Principal, Tier};

/// The pull request to find reviewers for.
#[derive(Debug, Clone)]
pub struct PrToAssign {
    /// `owner/name`: part of the stable tie-break and the spot-check sample.
    pub repo: String,
    pub number: u64,
    pub author: Login,
    /// Everyone who authored, committed or co-authored a commit of the PR.
    pub committers: Vec<Login>,
    pub tier: Tier,
    /// Whether any file is AI-touched (the verdict's `ai_touched`), for the spot check.
    pub ai_touched: bool,
    /// Changed paths, for CODEOWNERS and expertise explanations.
    pub paths: Vec<String>,
    /// Users whose review is requested now.
    pub requested_users: Vec<Login>,
    /// Teams whose review is requested now (`@org/team`).
    pub requested_teams: Vec<String>,
    /// Users who already submitted a review (any state).
    pub reviewed_by: Vec<Login>,
    /// Users who removed their own review request: never requested again on this PR.
    pub removed_themselves: Vec<Login>,
}

impl PrToAssign {
    /// A PR with nothing requested or reviewed yet.
    pub fn new(repo: impl Into<String>, number: u64, author: Login, tier: Tier) -> Self {
        PrToAssign {
            repo: repo.into(),
            number,
            author,
            committers: Vec::new(),
            tier,
            ai_touched: false,
            paths: Vec::new(),
            requested_users: Vec::new(),
            requested_teams: Vec::new(),
            reviewed_by: Vec::new(),
            removed_themselves: Vec::new(),
        }
    }
}

/// Review requests waiting on one person: only PRs that are really waiting on them (open, not
/// draft, their review still outstanding).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OpenLoad {
    /// How many; compared with the pool's capacity.
    pub requests: u32,
    /// The same requests, each weighted by its PR's estimated review effort in typical reviews
    /// (1.0 = a typical PR, 0.2 = a one-line fix, 3.0 = a large change); used in the score.
    pub effort: f64,
}

/// What is known about the people who could review. Maps are keyed by login and compared
/// case-insensitively; a login missing from a map has nothing recorded (zero, never, present).
#[derive(Debug, Clone, Default)]
pub struct PeopleFacts {
    /// Team (`@org/team`) to its members. A team a pool names but this map lacks is reported.
    pub teams: BTreeMap<String, Vec<Login>>,
    /// Changed path to its CODEOWNERS owners (users and teams), from the base branch.
    pub codeowners: BTreeMap<String, Vec<Principal>>,
    /// Recent authored or reviewed touches of the changed paths, per login.
    pub expertise: HashMap<Login, u32>,
    pub load: HashMap<Login, OpenLoad>,
    /// Reviews given over the last weeks, per login.
    pub reviews_given: HashMap<Login, u32>,
    /// When each login was last requested for a review, anywhere.
    pub last_requested: HashMap<Login, Timestamp>,
    /// People away until a time (from a status, a calendar or a command).
    pub away_until: HashMap<Login, Timestamp>,
    /// People whose GitHub status says they have limited availability ("busy"), with the time
    /// the status expires if it does.
    pub busy: HashMap<Login, Option<Timestamp>>,
    /// The fairness window `reviews_given` was counted over, in weeks, when the review history
    /// was read; `None` when it was not, so that no count of reviews is claimed.
    pub review_window_weeks: Option<u32>,
    /// Facts that could not be read (the review history, GitHub's busy status): each is said in
    /// the assignment's notes, so a choice made without them is never mistaken for a full one.
    pub unknown: Vec<Unread>,
}

/// A fact about people the choice was made without, and why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Unread {
    /// GitHub's busy status: nobody was passed over for being busy.
    BusyStatus { error: String },
    /// The App's review history of the last `weeks`: reviews given, recent work on the paths and
    /// who was asked last were not counted.
    ReviewHistory { error: String, weeks: u32 },
}
