//! The policy: its file format, loading, and the pure evaluation engine that turns PR facts into
//! a verdict. Nothing under this module performs I/O except `load`, which reads policy files.

pub mod ai;
pub mod baseline;
pub mod codeowners;
pub mod edited;
pub mod evaluate;
pub mod latency;
pub mod latency_exclude;
pub mod latency_hygiene;
pub mod linkage;
pub mod load;
mod load_error;
mod load_review;
mod packs;
pub mod pin;
pub mod query_limits;
pub mod remote;
pub(crate) mod review;
pub(crate) mod schema;
pub(crate) mod stale;
pub(crate) mod tiers;
pub mod verdict;
pub mod yaml_limits;

use globset::GlobSet;
use regex::Regex;
use std::collections::BTreeMap;

use std::sync::Arc;
use tree_sitter::Query;

use crate::analysis::ChangeKind;
use crate::analysis::budget::Limits as AnalysisLimits;
use crate::analysis::detectors::Detector;
use crate::analysis::lang::Lang;
use crate::model::Login;
pub use crate::model::{Principal, Tier};
pub use linkage::keys::TrackerSet;
pub use load::LoadError;
pub use schema::{CodeownersReview, Disclosure, LinkSource, OnTrackerError, OnUndeclared};

/// A tier by its id (`red`), as the command line names one.
impl std::str::FromStr for Tier {
    type Err = String;

    fn from_str(text: &str) -> Result<Tier, String> {
        Tier::ALL
            .into_iter()
            .find(|tier| tier.id() == text)
            .ok_or_else(|| format!("`{text}` is not a tier: write red, yellow or green"))
    }
}

/// A loaded, merged and checked policy. Holding one means the policy is valid.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The files it was read from, the extending file first (for messages).
    pub origin: Vec<String>,
    /// The files of its chain by the path they were read at (on a branch: in the repository),
    /// the extending file first; bundled packs are not among them.
    pub paths: Vec<String>,
    pub tiers: TierRules,
    pub teams: BTreeMap<String, Vec<Login>>,
    pub linkage: Linkage,
    pub ai: Ai,
    pub limits: Limits,
    pub override_: Option<Override>,
    pub analysis: AnalysisLimits,
    /// Whom to request as reviewers, when the policy says (`reviewers:`).
    pub reviewers: Option<crate::assign::policy::ReviewerPolicy>,
    /// How the digest measures review waiting (`latency:`).
    pub latency: latency::LatencySettings,
    /// The draft PRs of queue tools the policy names (`merge_queue.queue_prs`).
    pub queue_prs: Vec<crate::merge_queue::members::QueuePrRule>,
    /// Whether the verdict blocks (`enforce`) or is only shown (`evaluate`, shadow mode).
    pub enforcement: crate::model::Enforcement,
}

/// Path rules for all tiers, compiled into one glob set so a path is matched in one pass.
#[derive(Debug, Clone)]
pub struct TierRules {
    pub default: Tier,
    /// Every glob of every tier, in the order of `owners`.
    pub set: GlobSet,
    /// For glob index `i`: which tier it belongs to and its text.
    pub owners: Vec<(Tier, String)>,
    pub review: BTreeMap<Tier, ReviewRule>,
    /// Built-in detectors that raise a file to the tier.
    pub code: BTreeMap<Tier, Vec<Detector>>,
    /// Policy queries that raise a file to the tier.
    pub queries: Vec<TierQuery>,
    /// Change kinds that move a file of the tier to green.
    pub relax: BTreeMap<Tier, Vec<ChangeKind>>,
}

/// A policy's own tree-sitter query and the tier it raises matching files to.
#[derive(Debug, Clone)]
pub struct TierQuery {
    pub tier: Tier,
    pub lang: Lang,
    /// The query as the policy writes it, to compare with a baseline's.
    pub source: String,
    pub query: Arc<Query>,
    /// How its findings are named: `query:red`.
    pub name: String,
}

impl TierRules {
    /// Whether any tier raises files by what their code contains, so that a file analysis could
    /// not read might belong in a higher tier.
    pub fn reads_code(&self) -> bool {
        self.code.values().any(|d| !d.is_empty()) || !self.queries.is_empty()
    }
}

/// What approvals a PR needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewRule {
    pub approvals: u32,
    pub from: Vec<Principal>,
    /// When an approval given on an older commit still counts.
    pub stale: StaleRule,
    /// Whether every changed file's code owners must approve (`codeowners: required`).
    pub codeowners: CodeownersReview,
}

/// When an approval given on a commit other than the head still counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaleRule {
    pub mode: StaleMode,
    /// The change kinds after which an approval still counts (`diff` and `owners`).
    pub keeps: std::collections::BTreeSet<crate::model::since::ChangeKind>,
}

/// How approvals go stale, from the loosest to the strictest.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    serde::Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StaleMode {
    /// An approval counts whatever commit it was given on (`dismiss_stale: false`).
    #[default]
    Never,
    /// As `diff`, and an approval from a code owner or a pool member also counts when no file in
    /// that person's scope changed.
    Owners,
    /// An approval counts when the change it reviewed is the same at the head (`stale_keeps`).
    Diff,
    /// An approval counts only on the head commit.
    Head,
}

impl StaleRule {
    /// The rule for approvals when several requirements are in play: the strictest mode, and only
    /// the change kinds that every rule of that mode keeps.
    pub fn strictest<'a>(rules: impl Iterator<Item = &'a StaleRule>) -> StaleRule {
        let rules: Vec<&StaleRule> = rules.collect();
        let Some(mode) = rules.iter().map(|r| r.mode).max() else { return StaleRule::default() };
        let mut of_mode = rules.iter().filter(|r| r.mode == mode);
        let first = of_mode.next().map(|r| r.keeps.clone()).unwrap_or_default();
        let keeps = of_mode.fold(first, |kept, r| kept.intersection(&r.keeps).copied().collect());
        StaleRule { mode, keeps }
    }
}

#[derive(Debug, Clone)]
pub struct Linkage {
    pub required: bool,
    pub sources: Vec<LinkSource>,
    pub trackers: TrackerSet,
    pub exempt_authors: Vec<Login>,
    pub exempt_labels: Vec<String>,
    pub exempt_tiers: Vec<Tier>,
    pub exempt_titles: Vec<Regex>,
    pub exempt_branches: Vec<Regex>,
    /// How far up the tracker hierarchy the referenced item must trace, when the policy says.
    pub chain: Option<ChainRules>,
    pub on_tracker_error: OnTrackerError,
}

/// The chain a referenced item must have, checked against what the trackers returned.
#[derive(Debug, Clone)]
pub struct ChainRules {
    pub levels: crate::model::chain::Levels,
    /// Per tier, the index in `levels` the chain must reach; a tier not listed needs no chain.
    pub require: BTreeMap<Tier, usize>,
    /// The states the PR's own item may be in.
    pub story_states: Vec<crate::model::story::StateCategory>,
}

impl Linkage {
    /// The level a PR of `tier` must trace to, when any.
    pub fn required_level(&self, tier: Tier) -> Option<(&ChainRules, usize)> {
        let chain = self.chain.as_ref()?;
        chain.require.get(&tier).map(|level| (chain, *level))
    }
}

#[derive(Debug, Clone)]
pub struct Ai {
    pub disclosure: Disclosure,
    pub on_undeclared: OnUndeclared,
    pub exempt_authors: Vec<Login>,
    pub exempt_labels: Vec<String>,
    pub tier_review: BTreeMap<Tier, ReviewRule>,
    /// `ai.tiers.<tier>.max_ai_share`: for these tiers the AI review follows the files' AI share
    /// by the line records (`ai::lines`), never set without that tier's review.
    pub max_ai_share: BTreeMap<Tier, ai::share::MaxAiShare>,
    pub labels: AiLabels,
}

/// The label each detected AI tool gets on a PR (checked when the policy loads: never one of the
/// author's declaration labels, never a flowgate tier label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiLabels {
    pub enabled: bool,
    /// The label of every tool, in `AiTool::all()` order.
    pub names: Vec<(ai::markers::AiTool, String)>,
    /// Six hex digits, for labels flowgate creates.
    pub color: String,
}

impl AiLabels {
    pub const DEFAULT_PREFIX: &'static str = "ai:";
    pub const DEFAULT_COLOR: &'static str = "8250df";

    /// The label for `tool`, or None when tool labels are off.
    pub fn name(&self, tool: ai::markers::AiTool) -> Option<&str> {
        if !self.enabled {
            return None;
        }
        self.names.iter().find(|(t, _)| *t == tool).map(|(_, n)| n.as_str())
    }
}

impl Default for AiLabels {
    fn default() -> Self {
        let names =
            ai::markers::AiTool::all().iter().map(|t| (*t, format!("{}{}", Self::DEFAULT_PREFIX, t.id()))).collect();
        AiLabels { enabled: true, names, color: Self::DEFAULT_COLOR.to_string() }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub max_files: Option<u64>,
    pub max_changed_lines: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Override {
    pub label: String,
    pub allowed: Vec<Principal>,
}

impl Policy {
    /// The members of a team as the policy knows them, or `None` when the policy does not list it.
    pub fn team_members(&self, team: &str) -> Option<&[Login]> {
        self.teams.get(team).map(Vec::as_slice)
    }

    /// Whether `login` is one of `principals`, directly or through a team the policy lists.
    pub fn principal_includes(&self, principals: &[Principal], login: &Login) -> bool {
        principals.iter().any(|p| match p.team() {
            Some(team) => self.team_members(team).is_some_and(|m| m.contains(login)),
            None => Login::new(p.0.clone()) == *login,
        })
    }

    /// Teams named in `principals` whose members the policy does not list.
    pub fn unknown_teams<'a>(&self, principals: &'a [Principal]) -> Vec<&'a str> {
        principals.iter().filter_map(|p| p.team()).filter(|t| self.team_members(t).is_none()).collect()
    }
}

#[cfg(test)]
mod enforcement_tests;
#[cfg(test)]
mod extends_tests;
#[cfg(test)]
mod limit_tests;
#[cfg(test)]
mod pattern_tests;
#[cfg(test)]
mod remote_tests;
#[cfg(test)]
mod tests;
