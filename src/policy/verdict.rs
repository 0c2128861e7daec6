//! The verdict: a tree of rule results whose explanations are data. Renderers in `report/` turn
//! it into words; nothing here is user-facing text.

use super::Tier;
use super::ai::markers::{AiTool, Declared, Marker};
use super::linkage::keys::WorkItemRef;
use super::schema::Principal;
use crate::analysis::{ChangeKind, FileAnalysis, SkipReason};
use crate::model::story::TrackerError;
use crate::model::{CommitSha, FailReason, Login};

/// The gate's answer. Ordered so that `max` combines results: a failure wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Pass,
    Pending,
    Fail,
}

impl State {
    pub fn id(self) -> &'static str {
        match self {
            State::Pass => "pass",
            State::Pending => "pending",
            State::Fail => "fail",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The state after the override, if one was accepted.
    pub state: State,
    /// The state the rules gave before any override.
    pub rules_state: State,
    pub tier: Tier,
    pub pr: PrIdentity,
    pub files: Vec<FileVerdict>,
    /// Additions plus deletions over all listed files.
    pub changed_lines: u64,
    /// The changed lines a reviewer reads: all of them but those of `not_counted` files. The
    /// size limit applies to these.
    pub reviewed_lines: u64,
    /// Files whose changed lines a reviewer does not read line by line, with why.
    pub not_counted: Vec<UncountedFile>,
    /// Estimated minutes of review, from the kind and size of each file's change.
    pub effort_minutes: u32,
    pub linkage: LinkageVerdict,
    pub ai: AiVerdict,
    pub review: ReviewVerdict,
    pub limits: Vec<LimitProblem>,
    /// What the gate could not see. Any gap keeps the state from being `pass`.
    pub gaps: Vec<Gap>,
    pub override_: Option<OverrideVerdict>,
    /// Whom to request as reviewers and why, when the policy has a `reviewers:` section. Filled
    /// in by the gate after `evaluate`, from facts about people the policy engine does not see.
    pub reviewers: Option<crate::assign::Assignment>,
    /// The policy as the PR edits it, when the PR touches it: a policy that does not load at the
    /// head fails the PR, override or not.
    pub edited_policy: Option<crate::model::edited_policy::EditedPolicy>,
}

impl Verdict {
    /// Why the rules fail the PR, one kind per failing rule, in the report's order; empty unless
    /// the rules' state is `fail` (an accepted override keeps them: they say what was overridden).
    pub fn fail_reasons(&self) -> Vec<FailReason> {
        let mut out = Vec::new();
        if self.linkage.state == LinkageState::Fail {
            out.push(match self.linkage.chain.as_ref().map(|c| &c.outcome) {
                None => FailReason::NoStory,
                Some(ChainOutcome::Unseen { .. }) => FailReason::StoryNotVerified,
                Some(_) => FailReason::StoryChain,
            });
        }
        if self.ai.state == AiState::Fail {
            out.push(match &self.ai.problem {
                Some(AiProblem::NotDeclared) | None => FailReason::AiNotDeclared,
                Some(AiProblem::Undeclared { .. }) => FailReason::AiUndeclared,
                Some(AiProblem::DeclaredNoneButDetected { .. }) => FailReason::AiContradicted,
            });
        }
        for problem in &self.limits {
            let reason = match problem {
                LimitProblem::TooManyFiles { .. } | LimitProblem::TooManyLines { .. } => FailReason::TooLarge,
                LimitProblem::FilesCapped { .. } | LimitProblem::CommitsCapped { .. } => FailReason::ListingCapped,
            };
            if !out.contains(&reason) {
                out.push(reason);
            }
        }
        if super::edited::fails(self.edited_policy.as_ref()) {
            out.push(FailReason::EditedPolicy);
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrIdentity {
    pub repo: Option<String>,
    pub number: Option<u64>,
    pub title: String,
    pub author: Login,
    pub branch: String,
    /// The branch the PR merges into (`main`).
    pub base_branch: String,
    pub head_sha: Option<CommitSha>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileVerdict {
    pub path: String,
    pub previous_path: Option<String>,
    pub tier: Tier,
    pub reasons: Vec<TierReason>,
    pub ai_touched: bool,
    /// What tree-sitter found, when the file was analysed.
    pub analysis: Option<FileAnalysis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierReason {
    /// A tier's path glob matched (the old path of a rename when `previous_path`).
    Glob { glob: String, previous_path: bool },
    /// No glob matched; the file took the default tier.
    Default,
    /// No glob matched a renamed file's old path, whose default tier is above its new path's.
    DefaultPreviousPath,
    /// The change adds a construct that a tier's detector or query names.
    Code { tier: Tier, detector: String, line: u32, symbol: String },
    /// The change is only of a kind the tier relaxes, so the file moved to green.
    Relaxed { from: Tier, change: ChangeKind },
    /// The tier relaxes changes like this one, but not this time.
    NotRelaxed(RelaxRefused),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelaxRefused {
    /// The file could not be analysed, so its change kind is unknown.
    NotAnalysed(SkipReason),
    /// The change adds a construct a detector or query names.
    Finding,
    /// Only the patch was available and its fragments did not parse cleanly.
    UnclearPatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkageState {
    Pass,
    /// A tracker could not be asked or did not answer, and the policy says to wait.
    Pending,
    Fail,
    Exempt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkageVerdict {
    pub state: LinkageState,
    pub required: bool,
    pub refs: Vec<WorkItemRef>,
    pub exemption: Option<Exemption>,
    /// The chain check, when the policy asks this PR's tier for one and a key was found.
    pub chain: Option<ChainVerdict>,
}

/// How far the referenced item traces up, and where the trace stops short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainVerdict {
    /// The key whose chain decided (the first complete one, else the first unseen, else the first).
    pub key: String,
    /// The items found, the PR's item first.
    pub links: Vec<ChainItem>,
    /// The level this PR's tier must reach.
    pub required_level: String,
    pub outcome: ChainOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainItem {
    pub key: String,
    pub title: String,
    pub url: Option<String>,
    /// The tracker's word for it (`Story`).
    pub kind: Option<String>,
    /// The policy level it counts as.
    pub level: Option<String>,
    /// The tracker's state name, where the item was looked up.
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainOutcome {
    /// Every level up to the required one is there.
    Complete,
    /// The chain provably stops short, or the PR's item is unusable.
    Broken(ChainBreak),
    /// A tracker could not be asked or did not answer about `key`, so the chain is unknown.
    Unseen { key: String, why: NotSeen },
}

/// Why a chain is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSeen {
    /// The PR names no key to look up.
    NoKey,
    /// The key's chain was not looked up in its tracker.
    NotLookedUp,
    /// The tracker could not be asked, or did not answer.
    Tracker(TrackerError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The PR's item does not exist (or is hidden from flowgate's credentials).
    NotFound { key: String },
    /// The PR's item is in a state the policy does not allow (a closed story).
    StoryState { key: String, state: String },
    /// `key` has no parent or link at the `missing` level.
    NoParent { key: String, missing: String },
    /// `key`'s parent `parent` does not exist (deleted), so nothing reaches `missing`.
    ParentMissing { key: String, parent: String, missing: String },
    /// `key` leads back to `repeated`, already in the chain, before `missing` is reached.
    Cycle { key: String, repeated: String, missing: String },
    /// The chain went on past the depth bound without reaching `missing`.
    TooDeep { missing: String },
}

impl ChainBreak {
    /// The item where the chain breaks, for `linkage.broken_at`.
    pub fn key(&self) -> Option<&str> {
        match self {
            ChainBreak::NotFound { key }
            | ChainBreak::StoryState { key, .. }
            | ChainBreak::NoParent { key, .. }
            | ChainBreak::ParentMissing { key, .. }
            | ChainBreak::Cycle { key, .. } => Some(key),
            ChainBreak::TooDeep { .. } => None,
        }
    }

    /// The level the chain did not reach, when the break is in the hierarchy.
    pub fn missing_level(&self) -> Option<&str> {
        match self {
            ChainBreak::NoParent { missing, .. }
            | ChainBreak::ParentMissing { missing, .. }
            | ChainBreak::Cycle { missing, .. }
            | ChainBreak::TooDeep { missing } => Some(missing),
            ChainBreak::NotFound { .. } | ChainBreak::StoryState { .. } => None,
        }
    }
}

impl LinkageVerdict {
    /// The distinct normalised keys, in order of first appearance.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        for r in &self.refs {
            if !keys.contains(&r.key.as_str()) {
                keys.push(&r.key);
            }
        }
        keys
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exemption {
    Author(Login),
    Label(String),
    Tier(Tier),
    Title(String),
    Branch(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiState {
    Pass,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiVerdict {
    pub state: AiState,
    /// The strongest declaration found, if any.
    pub declared: Option<Declared>,
    pub declarations: Vec<Declaration>,
    pub markers: Vec<Marker>,
    /// The AI-touched files, and whether that set is exact (commit-level evidence) or all files.
    pub files: Vec<String>,
    pub files_basis: AiFilesBasis,
    /// For each AI-touched file, the marked commits that changed it (none when only PR-level
    /// evidence made it AI-touched), for the check run's annotations.
    pub touched_by: Vec<(String, Vec<CommitSha>)>,
    pub problem: Option<AiProblem>,
    /// A finding that does not fail the gate (`on_undeclared: warn`).
    pub warning: Option<AiProblem>,
    pub exemption: Option<Exemption>,
    /// What the line-level AI records add: provenance, `max_ai_share` checks, disagreements.
    pub lines: super::ai::lines::LinesVerdict,
}

impl AiVerdict {
    pub fn detected(&self) -> Vec<AiTool> {
        let mut tools: Vec<AiTool> = self.markers.iter().map(|m| m.tool).collect();
        tools.sort();
        tools.dedup();
        tools
    }

    /// The tools that markers or line-level records (git-ai's `agent_id.tool`, an Agent Trace
    /// record's tool) name: what the PR's tool labels follow. A record's tool flowgate does not
    /// know is `Other`.
    pub fn labelled_tools(&self) -> Vec<AiTool> {
        let mut tools = self.detected();
        let files = self.lines.provenance.iter().flat_map(|p| p.files.iter());
        tools.extend(files.flat_map(|f| f.tools()).map(super::ai::markers::tool_from_name));
        tools.sort();
        tools.dedup();
        tools
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declaration {
    Label(String),
    Body,
    Trailer { sha: CommitSha },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiFilesBasis {
    /// No AI use declared or detected.
    None,
    /// The files touched by commits that carry markers.
    MarkedCommits,
    /// Every file: AI use is declared or detected for the PR, with no commit-level evidence
    /// (or a marked commit whose files are unknown).
    AllFiles,
    /// The files whose added lines carry AI line records, with those of marked commits.
    LineRecords,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AiProblem {
    /// Disclosure is required and the PR declares nothing.
    NotDeclared,
    /// Markers were found but the PR declares no AI use.
    Undeclared { tools: Vec<AiTool> },
    /// The PR declares `ai:none` but markers were found.
    DeclaredNoneButDetected { tools: Vec<AiTool> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStatus {
    Pass,
    Pending,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewVerdict {
    pub state: ReviewStatus,
    /// Approvals the PR's tier asks for.
    pub required: u32,
    /// Counted approvals, in the order given.
    pub approved_by: Vec<Login>,
    pub requirements: Vec<Requirement>,
    /// Reviews that exist but do not count, and why.
    pub ignored: Vec<IgnoredReview>,
    /// Eligible reviewers whose latest review requests changes.
    pub changes_requested_by: Vec<Login>,
    /// Approvals given on an older commit that still count, and why.
    pub carried: Vec<CarriedApproval>,
    /// The code owners' approvals, when a rule in play requires them (`codeowners: required`).
    pub codeowners: Option<super::codeowners::CodeownersVerdict>,
}

/// An approval given on an older commit that still counts at the head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedApproval {
    pub reviewer: Login,
    pub commit: CommitSha,
    pub why: CarriedWhy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarriedWhy {
    /// The change it reviewed is the same (`kind` is one the tier keeps). `landed_in_base`: files
    /// it reviewed that are now in the base instead (a merged stack parent).
    Unchanged { kind: crate::model::since::ChangeKind, landed_in_base: Vec<String> },
    /// `stale: owners`: files changed, none of them in the approver's scope.
    OutsideScope { changed: Vec<String> },
}

/// Why an approval given on an older commit no longer counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaleWhy {
    /// `stale: head`: approvals count only on the head commit.
    HeadOnly,
    /// The head commit is unknown, so no approval can be placed on it.
    HeadUnknown,
    /// The review names no commit.
    CommitUnknown,
    /// The change since is of a kind the tier does not keep; `files` are those whose own change
    /// differs (empty for kinds other than rework).
    Changed { kind: crate::model::since::ChangeKind, files: Vec<String> },
    /// `stale: owners`: these files in the approver's scope changed.
    InScope { files: Vec<String> },
    /// The PR was retargeted to another base after the approval.
    Retargeted,
    /// What changed since could not be seen.
    Unseen(crate::model::since::Unseen),
}

/// One review rule and how far the PR is from meeting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub source: RequirementSource,
    pub approvals: u32,
    pub from: Vec<Principal>,
    /// Counted approvals that satisfy it (from the right people when `from` is set).
    pub satisfied_by: Vec<Login>,
    pub met: bool,
    /// Teams in `from` whose members are unknown, so their approvals cannot be recognised.
    pub unknown_teams: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequirementSource {
    Tier(Tier),
    /// The extra review for AI-touched files in this tier.
    AiTier(Tier),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredReview {
    pub reviewer: Login,
    pub why: IgnoredWhy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoredWhy {
    Author,
    Committer,
    Bot,
    AiReviewer,
    /// Given on an older commit whose change is not the head's, under the tier's `stale` rule.
    Stale {
        commit: Option<CommitSha>,
        why: StaleWhy,
    },
}

/// A file whose changed lines do not count toward what a reviewer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncountedFile {
    pub path: String,
    pub lines: u64,
    pub why: NotReviewed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReviewed {
    /// A lock file or a generated file (the reason as analysis gave it).
    Generated(String),
    /// Vendored third-party code, under this directory.
    Vendored(String),
    Binary,
    /// The change is comments or formatting only.
    Change(ChangeKind),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitProblem {
    TooManyFiles {
        files: u64,
        max: u64,
    },
    TooManyLines {
        lines: u64,
        max: u64,
    },
    /// GitHub stopped listing files at its cap, so some files were never seen.
    FilesCapped {
        listed: u64,
        total: Option<u64>,
    },
    /// GitHub stopped listing commits at its cap.
    CommitsCapped {
        listed: u64,
        total: Option<u64>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The source listed fewer files than the PR has.
    FilesIncomplete { listed: u64, total: u64 },
    /// The source listed fewer commits than the PR has.
    CommitsIncomplete { listed: u64, total: u64 },
    /// No commit list at all: committers cannot be excluded and commit markers were not read.
    CommitsMissing,
    /// No review list at all.
    ReviewsMissing,
    /// The head commit is unknown, so stale approvals cannot be told from fresh ones.
    HeadUnknown,
    /// The policy raises files by their code, and these files could not be read.
    CodeNotRead { files: Vec<(String, SkipReason)> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideVerdict {
    pub label: String,
    pub applied_by: Option<Login>,
    pub accepted: bool,
}
