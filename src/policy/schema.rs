//! The policy file format as written in YAML: strict serde structs that are also the JSON Schema.
//!
//! Every struct denies unknown keys, and every glob and regex compiles while it is read, so a file
//! that deserialises here is well-formed; `load.rs` then merges `extends:` chains and checks the
//! rules that span several keys.

use globset::{Glob, GlobBuilder};
use regex::Regex;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

use std::sync::Arc;
use tree_sitter::Query;

use super::Tier;
use crate::analysis::ChangeKind;
use crate::analysis::detectors::Detector;
use crate::analysis::lang::Lang;
use crate::assign::policy::WorkingHours;
pub use crate::model::Principal;
use crate::model::checked::{Published, checked_newtype};
pub use crate::model::principal::UserLogin;
use crate::model::principal::{TEAM, check_team};

/// A whole policy file. Every key is optional so that a file extending a pack can say only
/// what it changes; `load.rs` checks that the merged result is complete.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a policy: a map with keys such as version, enforcement, tiers, linkage, ai, limits, override, analysis, reviewers, latency, merge_queue"
)]
#[schemars(
    title = "flowgate policy",
    description = "The review-flow policy read from .github/flowgate.yml on the base branch."
)]
pub struct PolicyFile {
    /// The policy language version. Only `1` exists.
    pub version: Option<u32>,
    /// A bundled pack (`default`, `strict`), a path relative to this file, or a file in a GitHub
    /// repository (`OWNER/REPO:PATH@REF`, or pinned: `{ from: ..., commit: ... }`) whose settings
    /// this file starts from. Keys written here replace the inherited ones; maps merge key by key.
    pub extends: Option<super::remote::ExtendsFile>,
    /// `enforce` (the default): the `flowgate` check run concludes as the verdict says, and
    /// flowgate sets labels and requests reviewers. `evaluate` (shadow mode): the check run is
    /// always `neutral`, never blocks a merge, and says what flowgate would have concluded and
    /// why; flowgate writes nothing else to the PR.
    pub enforcement: Option<crate::model::Enforcement>,
    /// Risk tiers. A file takes the highest tier whose rule matches it (red > yellow > green);
    /// files no rule matches take the tier marked `default: true`; the PR takes its highest file tier.
    pub tiers: Option<TiersFile>,
    /// Team members, used when team membership cannot be fetched from GitHub (offline, tests).
    pub teams: Option<BTreeMap<TeamName, Vec<String>>>,
    /// Which work items a PR must link to, and where the key may appear.
    pub linkage: Option<LinkageFile>,
    /// AI-use disclosure, detection of known tools' markers, and the extra review AI-touched files need.
    pub ai: Option<AiFile>,
    /// Size limits. A PR over them (or over GitHub's listing caps) is red and fails unless overridden.
    pub limits: Option<LimitsFile>,
    /// The audited emergency override: a label that turns a failing gate into a pass when it was
    /// applied by an allowed person.
    #[serde(rename = "override")]
    pub override_: Option<OverrideFile>,
    /// Limits on reading the code with tree-sitter.
    pub analysis: Option<AnalysisFile>,
    /// Whom to request as reviewers: pools of people, how many each tier requests, availability.
    pub reviewers: Option<ReviewersFile>,
    /// How the review-latency digest measures waiting: targets per tier, the working calendar,
    /// the AI review tools.
    pub latency: Option<super::latency::LatencyFile>,
    /// Merge queues: the draft PRs a queue tool opens to test a group, verified as that group.
    pub merge_queue: Option<MergeQueueFile>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "merge_queue: a map with queue_prs")]
pub struct MergeQueueFile {
    /// Draft PRs a merge-queue tool opens to test a group of PRs, besides Mergify's (which
    /// flowgate knows): a PR by `author` on a branch starting with `branch` is verified as the
    /// group of the PRs its title names (`#12`), never gated as a PR of its own.
    pub queue_prs: Option<Vec<QueuePrFile>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a queue tool's PRs: a map with author, branch")]
pub struct QueuePrFile {
    /// The tool's account, as GitHub names it (`aviator-app[bot]`).
    pub author: String,
    /// The start of the branch names the tool opens them on (`mq-tmp-`).
    pub branch: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a map of tiers: red, yellow, green")]
pub struct TiersFile {
    pub red: Option<TierFile>,
    pub yellow: Option<TierFile>,
    pub green: Option<TierFile>,
}

impl TiersFile {
    pub fn get(&self, tier: Tier) -> Option<&TierFile> {
        match tier {
            Tier::Red => self.red.as_ref(),
            Tier::Yellow => self.yellow.as_ref(),
            Tier::Green => self.green.as_ref(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a tier: a map with default, paths, review, code, queries, relax")]
pub struct TierFile {
    /// Files that no tier's `paths` match take this tier. Exactly one tier must say `true`.
    pub default: Option<bool>,
    /// Globs matched against the whole path from the repository root: `*` stays inside one
    /// directory, `**` crosses directories (`src/auth/**`, `**/migrations/**`, `**/*.md`).
    pub paths: Option<Vec<GlobPattern>>,
    /// The review a PR of this tier needs.
    pub review: Option<ReviewFile>,
    /// Built-in detectors: a file whose change adds one of these constructs takes this tier
    /// (`unsafe`, `shell-exec`, `eval`, `sql-string`, `crypto`, `deserialize-untrusted`).
    pub code: Option<Vec<DetectorName>>,
    /// Tree-sitter queries per language (`rust`, `python`, `javascript`, `typescript`, `tsx`,
    /// `go`, `java`): a file whose change matches one takes this tier. Checked against the grammar
    /// when the policy is read.
    pub queries: Option<QueriesFile>,
    /// Changes that are only these kinds move a file of this tier to green. Never applied when
    /// the file could not be analysed.
    pub relax: Option<Vec<RelaxKind>>,
}

/// A change kind a tier may relax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RelaxKind {
    Comments,
    Formatting,
    Imports,
    Tests,
}

impl RelaxKind {
    pub fn change(self) -> ChangeKind {
        match self {
            RelaxKind::Comments => ChangeKind::Comments,
            RelaxKind::Formatting => ChangeKind::Formatting,
            RelaxKind::Imports => ChangeKind::Imports,
            RelaxKind::Tests => ChangeKind::Tests,
        }
    }
}

/// A built-in detector's id, checked when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetectorName(pub Detector);

impl DetectorName {
    fn parse(text: String) -> Result<Self, String> {
        Detector::from_id(&text)
            .map(DetectorName)
            .ok_or_else(|| format!("unknown detector {text:?}; the detectors are: {}", detector_ids().join(", ")))
    }
}

fn detector_ids() -> Vec<&'static str> {
    Detector::ALL.iter().map(|d| d.id()).collect()
}

checked_newtype! {
    DetectorName = "Detector",
    read: String => DetectorName::parse,
    write: |v| v.0.id(),
    schema: json_schema!({ "type": "string", "enum": detector_ids() }),
}

/// Tree-sitter queries by language, each compiled against its grammar as it is read so that a
/// bad query is reported at its line.
#[derive(Debug, Clone, Default)]
pub struct QueriesFile(pub Vec<(Lang, String, Arc<Query>)>);

impl<'de> Deserialize<'de> for QueriesFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = QueriesFile;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map from a language (rust, python, javascript, typescript, tsx, go, java) to a tree-sitter query")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<QueriesFile, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let lang = Lang::from_id(&name).ok_or_else(|| {
                        let ids: Vec<&str> = Lang::ALL.iter().map(|l| l.id()).collect();
                        serde::de::Error::custom(format!(
                            "unknown language {name:?}; the languages are: {}",
                            ids.join(", ")
                        ))
                    })?;
                    let text: String = map.next_value()?;
                    super::query_limits::check(&name, &text).map_err(serde::de::Error::custom)?;
                    let query = crate::analysis::query_cache::compile(lang, &text).map_err(|e| {
                        serde::de::Error::custom(format!("the {name} query does not fit the {name} grammar: {e}"))
                    })?;
                    if query.capture_names().is_empty() {
                        return Err(serde::de::Error::custom(format!(
                            "the {name} query captures nothing: add a capture such as @match to the node to report"
                        )));
                    }
                    out.push((lang, text, query));
                }
                Ok(QueriesFile(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

impl Serialize for QueriesFile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (lang, text, _) in &self.0 {
            map.serialize_entry(lang.id(), text)?;
        }
        map.end()
    }
}

impl JsonSchema for QueriesFile {
    fn schema_name() -> Cow<'static, str> {
        "Queries".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let props: serde_json::Map<String, serde_json::Value> =
            Lang::ALL.iter().map(|l| (l.id().to_string(), serde_json::json!({ "type": "string" }))).collect();
        json_schema!({
            "type": "object",
            "description": "Tree-sitter queries by language; captures mark what to report.",
            "properties": props,
            "additionalProperties": false
        })
    }
}

/// How much time and size code analysis may spend.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "analysis limits: a map with max_file_kb, file_budget_ms, pr_budget_ms")]
pub struct AnalysisFile {
    /// Files larger than this (KiB) keep their path tier unread. Default 1024.
    pub max_file_kb: Option<u64>,
    /// Time to read one file, in milliseconds. Default 500.
    pub file_budget_ms: Option<u64>,
    /// Time to read the whole PR, in milliseconds. Default 10000.
    pub pr_budget_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a review rule: a map with approvals, from, stale, stale_keeps, dismiss_stale, codeowners"
)]
pub struct ReviewFile {
    /// How many counted approvals are needed.
    pub approvals: Option<u32>,
    /// At least one counted approval must come from these users or `@org/team`s.
    pub from: Option<Vec<Principal>>,
    /// When an approval given on an older commit still counts: `head` (only on the head commit),
    /// `diff` (when the change it reviewed is the same, by `stale_keeps`), `owners` (as `diff`,
    /// and also when no file in the approver's scope changed), `never` (on any commit). Default
    /// `diff`.
    pub stale: Option<crate::policy::StaleMode>,
    /// The change kinds after which an approval still counts under `diff` and `owners`: any of
    /// no_change, message_only, trivial_rebase, clean_update_merge. Default: the red tier keeps
    /// no_change, message_only and trivial_rebase; the others also clean_update_merge.
    pub stale_keeps: Option<Vec<crate::model::since::ChangeKind>>,
    /// The older spelling: `true` is `stale: head`, `false` is `stale: never`.
    pub dismiss_stale: Option<bool>,
    /// `required`: every changed file that has owners in the base branch's CODEOWNERS needs an
    /// approval from one of them (per section, with the section's count); `optional` (the
    /// default): CODEOWNERS does not gate.
    pub codeowners: Option<CodeownersReview>,
}

/// Whether the code owners' approval is required.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CodeownersReview {
    /// Every changed file that has owners needs an approval from one of them.
    Required,
    /// CODEOWNERS does not gate (it still ranks reviewers).
    #[default]
    Optional,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "linkage settings: a map with required, sources, trackers, exempt")]
pub struct LinkageFile {
    /// A PR must reference a work item from an enabled tracker.
    pub required: Option<bool>,
    /// Where references are looked for.
    pub sources: Option<Vec<LinkSource>>,
    /// The trackers whose keys count. A tracker not listed is ignored.
    pub trackers: Option<TrackersFile>,
    /// PRs that need no work item.
    pub exempt: Option<LinkageExemptFile>,
    /// How far up Story -> Epic -> PRD -> OKR the referenced item must trace, per tier. The
    /// trackers are asked before the policy is judged.
    pub chain: Option<ChainFile>,
    /// What a tracker that cannot answer (down, slow, rate limited, no access) does to the
    /// linkage: `pending` (default) or `fail`. Never `pass`.
    pub on_tracker_error: Option<OnTrackerError>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "chain rules: a map with levels, types, require, story_states")]
pub struct ChainFile {
    /// The levels from the story up, lowest first. Default `[story, epic, prd, okr]`. An item's
    /// level is its issue type or a label with the level's name (or `level:NAME`).
    pub levels: Option<Vec<LevelName>>,
    /// Tracker issue types or labels that mean a level: `{ Initiative: epic, Objective: okr }`.
    pub types: Option<BTreeMap<String, LevelName>>,
    /// Per tier, the level the chain must reach without a gap (`red: okr`), or `none`.
    pub require: Option<ChainRequireFile>,
    /// The states the PR's own item may be in.
    pub story_states: Option<StoryStatesFile>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a map of tiers (red, yellow, green) to a level or none")]
pub struct ChainRequireFile {
    pub red: Option<LevelName>,
    pub yellow: Option<LevelName>,
    pub green: Option<LevelName>,
}

impl ChainRequireFile {
    pub fn get(&self, tier: Tier) -> Option<&LevelName> {
        match tier {
            Tier::Red => self.red.as_ref(),
            Tier::Yellow => self.yellow.as_ref(),
            Tier::Green => self.green.as_ref(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "story states: a map with allow")]
pub struct StoryStatesFile {
    /// Default `[open, in_progress]`: a PR against a done story fails.
    pub allow: Option<Vec<StoryState>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StoryState {
    /// Not started: Jira's "To Do" category, an open GitHub issue.
    Open,
    /// Jira's "In Progress" category.
    InProgress,
    /// Done or closed.
    Done,
}

/// A level name: lowercase letters, digits, `-` and `_` (`story`, `okr`), or `none` in `require`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LevelName(pub String);

static LEVEL_NAME: Published = Published::new("^[a-z0-9_-]+$");

impl LevelName {
    fn parse(text: String) -> Result<Self, String> {
        if !LEVEL_NAME.matches(&text) {
            return Err(format!(
                "{text:?} is not a level name: use lowercase letters, digits, '-' and '_' (e.g. story, epic, prd, okr)"
            ));
        }
        Ok(LevelName(text))
    }
}

checked_newtype! {
    LevelName = "LevelName",
    read: String => LevelName::parse,
    write: |v| &v.0,
    schema: json_schema!({ "type": "string", "pattern": LEVEL_NAME.pattern() }),
}

/// What an unanswered tracker lookup does to the linkage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnTrackerError {
    Pending,
    Fail,
}

impl<'de> Deserialize<'de> for OnTrackerError {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "pending" => Ok(OnTrackerError::Pending),
            "fail" => Ok(OnTrackerError::Fail),
            "pass" => Err(serde::de::Error::custom(
                "on_tracker_error cannot be pass: a story nobody could look up is not verified; use pending or fail",
            )),
            other => Err(serde::de::Error::custom(format!("unknown on_tracker_error {other:?}; use pending or fail"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LinkSource {
    Title,
    Branch,
    Body,
    Commits,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a map of trackers: jira, linear, shortcut, azure, github")]
pub struct TrackersFile {
    /// Jira keys such as `ABC-123`.
    pub jira: Option<JiraFile>,
    /// Linear IDs such as `ENG-42` and linear.app issue URLs.
    pub linear: Option<LinearFile>,
    /// Shortcut stories such as `sc-123` or `[sc-123]`.
    pub shortcut: Option<EmptyTracker>,
    /// Azure Boards work items such as `AB#123`.
    pub azure: Option<EmptyTracker>,
    /// GitHub issues: `#12`, `GH-12`, `owner/repo#12`, issue URLs, closing keywords.
    pub github: Option<EmptyTracker>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "Jira settings: a map with projects")]
pub struct JiraFile {
    /// Only these project keys count. Without it any key counts except well-known look-alikes
    /// (`CVE-2024-1`, `UTF-8`, `SHA-256`); listing projects is strongly recommended.
    pub projects: Option<Vec<ProjectKey>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "Linear settings: a map with teams")]
pub struct LinearFile {
    /// Only these team keys count (they are also matched in lowercase branch names).
    pub teams: Option<Vec<ProjectKey>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an empty map {}")]
pub struct EmptyTracker {}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "exemptions: a map with authors, labels, tiers, titles, branches")]
pub struct LinkageExemptFile {
    /// PR authors that need no work item (bots such as `dependabot[bot]`).
    pub authors: Option<Vec<String>>,
    /// A PR carrying any of these labels needs no work item.
    pub labels: Option<Vec<String>>,
    /// PRs whose tier is one of these need no work item.
    pub tiers: Option<Vec<Tier>>,
    /// Regexes: a PR whose title matches one needs no work item (`^Revert "`).
    pub titles: Option<Vec<RegexPattern>>,
    /// Regexes: a PR whose head branch matches one needs no work item (`^release/`).
    pub branches: Option<Vec<RegexPattern>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "AI settings: a map with disclosure, on_undeclared, exempt, tiers, labels")]
pub struct AiFile {
    /// Whether a PR must declare its AI use (label, PR-body checkbox or commit trailer).
    pub disclosure: Option<Disclosure>,
    /// What happens when known tools' markers are found but the PR declares no AI use (or `ai:none`).
    pub on_undeclared: Option<OnUndeclared>,
    /// PRs that need no declaration (bots, labels). Detected markers still raise review needs.
    pub exempt: Option<AiExemptFile>,
    /// Extra review when AI-touched files fall in a tier.
    pub tiers: Option<AiTiersFile>,
    /// The labels the App and the Action put on a PR for each AI tool whose markers they found.
    pub labels: Option<AiLabelsFile>,
}

/// Tool labels (`ai:claude-code`, `ai:copilot`, ...): added when a tool's markers are found,
/// created in the repository with a colour and description when missing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "AI label settings: a map with enabled, prefix, names, color")]
pub struct AiLabelsFile {
    /// `false`: add no tool labels. Default `true`.
    pub enabled: Option<bool>,
    /// Put before the tool's id to make its label: `ai:` (the default) gives `ai:claude-code`.
    pub prefix: Option<String>,
    /// Whole label names by tool id (`claude-code: "AI: Claude"`), in place of prefix + id.
    pub names: Option<BTreeMap<String, String>>,
    /// The colour of labels flowgate creates: six hex digits, without `#`. Default `8250df`.
    pub color: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Disclosure {
    Required,
    Optional,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnUndeclared {
    /// The gate fails until the PR declares its AI use.
    Fail,
    /// The verdict warns but does not fail.
    Warn,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "exemptions: a map with authors, labels")]
pub struct AiExemptFile {
    pub authors: Option<Vec<String>>,
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a map of tiers: red, yellow, green")]
pub struct AiTiersFile {
    pub red: Option<AiTierFile>,
    pub yellow: Option<AiTierFile>,
    pub green: Option<AiTierFile>,
}

impl AiTiersFile {
    pub fn get(&self, tier: Tier) -> Option<&AiTierFile> {
        match tier {
            Tier::Red => self.red.as_ref(),
            Tier::Yellow => self.yellow.as_ref(),
            Tier::Green => self.green.as_ref(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an AI tier rule: a map with review, max_ai_share")]
pub struct AiTierFile {
    /// A review requirement added to the tier's own when AI-touched files are in this tier.
    pub review: Option<ReviewFile>,
    /// With line-level AI records: `review` applies when a file of this tier has more than this
    /// share of its added lines AI-written (`50%`), rather than whenever one is AI-touched.
    pub max_ai_share: Option<super::ai::share::MaxAiShare>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "limits: a map with max_files, max_changed_lines")]
pub struct LimitsFile {
    /// The most changed files a PR may have (GitHub lists at most 3,000).
    pub max_files: Option<u64>,
    /// The most changed lines (additions + deletions) a PR may have.
    pub max_changed_lines: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "the override: a map with label, allowed")]
pub struct OverrideFile {
    /// The label that requests the override.
    pub label: Option<String>,
    /// Users or `@org/team`s whose applying the label counts.
    pub allowed: Option<Vec<Principal>>,
}

/// A path glob, compiled when the policy is read so that a bad one is reported at its line.
#[derive(Debug, Clone)]
pub struct GlobPattern {
    pub text: String,
    pub glob: Glob,
}

impl GlobPattern {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("an empty glob matches nothing".into());
        }
        if text.starts_with('/') {
            return Err(format!(
                "glob {text:?} starts with '/': paths are relative to the repository root, write {:?}",
                text.trim_start_matches('/')
            ));
        }
        GlobBuilder::new(text)
            .literal_separator(true)
            .build()
            .map(|glob| GlobPattern { text: text.to_string(), glob })
            .map_err(|e| format!("invalid glob {text:?}: {}", e.kind()))
    }
}

checked_newtype! {
    GlobPattern = "Glob",
    read: String => |text| GlobPattern::parse(&text),
    write: |v| v.text.as_str(),
    schema: json_schema!({
        "type": "string",
        "minLength": 1,
        "description": "A path glob: `*` within one directory, `**` across directories, `{a,b}` alternatives, `[abc]` classes.",
        "examples": ["src/auth/**", "**/migrations/**", "**/*.md"]
    }),
}

/// A regular expression (Rust `regex` syntax), compiled when the policy is read.
#[derive(Debug, Clone)]
pub struct RegexPattern(pub Regex);

checked_newtype! {
    RegexPattern = "Regex",
    read: String => |text| Regex::new(&text).map(RegexPattern).map_err(|e| format!("invalid regex {text:?}: {e}")),
    write: |v| v.0.as_str(),
    schema: json_schema!({ "type": "string", "format": "regex", "description": "A regular expression (Rust regex syntax)." }),
}

/// The key of a `teams:` entry: `@org/team-slug`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TeamName(pub String);

checked_newtype! {
    TeamName = "TeamName",
    read: String => |text| check_team(&text).map(|()| TeamName(text)),
    write: |v| &v.0,
    schema: json_schema!({ "type": "string", "pattern": TEAM.pattern() }),
}

/// A Jira project key or Linear team key: an uppercase letter, then 1 to 9 uppercase letters,
/// digits or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectKey(pub String);

static PROJECT_KEY: Published = Published::new("^[A-Z][A-Z0-9_]{1,9}$");

impl ProjectKey {
    fn parse(text: String) -> Result<Self, String> {
        if !PROJECT_KEY.matches(&text) {
            return Err(format!(
                "{text:?} is not a project key: an uppercase letter then 1 to 9 uppercase letters, digits or '_' (e.g. ABC)"
            ));
        }
        Ok(ProjectKey(text))
    }
}

checked_newtype! {
    ProjectKey = "ProjectKey",
    read: String => ProjectKey::parse,
    write: |v| &v.0,
    schema: json_schema!({ "type": "string", "pattern": PROJECT_KEY.pattern() }),
}

/// Reviewer requests: pools of people, how many reviewers each tier requests from which pools,
/// the AI spot check, who is away, and how candidates are weighed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "reviewer settings: a map with pools, tiers, ai_spot_check, unavailable, working_hours, weights"
)]
pub struct ReviewersFile {
    /// Named groups of people to request reviewers from.
    pub pools: Option<BTreeMap<PoolName, PoolFile>>,
    /// How many reviewers a PR of each tier needs, and from which pools. A tier not listed
    /// requests no one.
    pub tiers: Option<ReviewerTiersFile>,
    /// A sampled share of AI-touched PRs gets one more reviewer from these pools.
    pub ai_spot_check: Option<SpotCheckFile>,
    /// People never requested (on leave, left the team).
    pub unavailable: Option<Vec<UserLogin>>,
    /// Hours in each person's time zone during which they may be requested for urgent (red) PRs.
    pub working_hours: Option<BTreeMap<UserLogin, WorkingHours>>,
    /// How much expertise, current load and recent review count weigh in the choice.
    pub weights: Option<WeightsFile>,
    /// How many weeks of review history count toward fairness and recent expertise (default 2).
    pub fairness_weeks: Option<FairnessWeeks>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a pool: a map with members, capacity")]
pub struct PoolFile {
    /// Logins and `@org/team`s. Teams are expanded to their members.
    pub members: Option<Vec<Principal>>,
    /// The most open review requests a member should carry before the pool counts as saturated.
    pub capacity: Option<Capacity>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a map of tiers: red, yellow, green")]
pub struct ReviewerTiersFile {
    pub red: Option<ReviewerTierFile>,
    pub yellow: Option<ReviewerTierFile>,
    pub green: Option<ReviewerTierFile>,
}

impl ReviewerTiersFile {
    pub fn get(&self, tier: Tier) -> Option<&ReviewerTierFile> {
        match tier {
            Tier::Red => self.red.as_ref(),
            Tier::Yellow => self.yellow.as_ref(),
            Tier::Green => self.green.as_ref(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a tier's reviewer request: a map with request, from")]
pub struct ReviewerTierFile {
    /// How many reviewers the PR should have in total, counting those already requested or
    /// who already reviewed.
    pub request: Option<u32>,
    /// Pools to choose from. At least one reviewer comes from the first pool listed.
    pub from: Option<Vec<PoolName>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "the AI spot check: a map with percent, from")]
pub struct SpotCheckFile {
    /// The share of AI-touched PRs sampled, 0 to 100. The sample is fixed per PR, not random.
    pub percent: Option<Percent>,
    /// Pools the extra reviewer comes from.
    pub from: Option<Vec<PoolName>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "score weights: a map with expertise, load, fairness")]
pub struct WeightsFile {
    /// Owning the changed paths in CODEOWNERS and recent work on them. Default 1.0.
    pub expertise: Option<Weight>,
    /// Open review requests waiting on the person, weighted by effort. Default 1.0.
    pub load: Option<Weight>,
    /// Reviews the person gave over the last weeks. Default 0.5.
    pub fairness: Option<Weight>,
}

/// A pool's name: letters, digits, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PoolName(pub String);

static POOL_NAME: Published = Published::new("^[A-Za-z0-9_-]+$");

impl PoolName {
    fn parse(text: String) -> Result<Self, String> {
        if !POOL_NAME.matches(&text) {
            return Err(format!("{text:?} is not a pool name: use letters, digits, '-' and '_' (e.g. seniors)"));
        }
        Ok(PoolName(text))
    }
}

checked_newtype! {
    PoolName = "PoolName",
    read: String => PoolName::parse,
    write: |v| &v.0,
    schema: json_schema!({ "type": "string", "pattern": POOL_NAME.pattern() }),
}

/// A pool's capacity: at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity(pub u32);

checked_newtype! {
    Capacity = "Capacity",
    read: u32 => |n| match n {
        0 => Err("capacity 0 would leave the pool permanently saturated: give at least 1, or remove the pool".into()),
        n => Ok(Capacity(n)),
    },
    write: |v| v.0,
    schema: json_schema!({ "type": "integer", "minimum": 1 }),
}

/// The fairness window in weeks: 1 to 52.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FairnessWeeks(pub u32);

checked_newtype! {
    FairnessWeeks = "FairnessWeeks",
    read: u64 => |n| match u32::try_from(n) {
        Ok(w) if (1..=52).contains(&w) => Ok(FairnessWeeks(w)),
        _ => Err(format!(
            "fairness_weeks {n} is out of range: give 1 to 52 weeks of review history to even the load over"
        )),
    },
    write: |v| v.0,
    schema: json_schema!({ "type": "integer", "minimum": 1, "maximum": 52 }),
}

/// A percentage, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percent(pub u8);

checked_newtype! {
    Percent = "Percent",
    read: u64 => |n| match u8::try_from(n) {
        Ok(p) if p <= 100 => Ok(Percent(p)),
        _ => Err(format!("percent {n} is out of range: give 0 to 100")),
    },
    write: |v| v.0,
    schema: json_schema!({ "type": "integer", "minimum": 0, "maximum": 100 }),
}

/// A score weight: a finite number, 0 or more.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weight(pub f64);

checked_newtype! {
    Weight = "Weight",
    read: f64 => |n| {
        if !n.is_finite() || n < 0.0 {
            return Err(format!("weight {n} must be a number of 0 or more"));
        }
        Ok(Weight(n))
    },
    write: |v| v.0,
    schema: json_schema!({ "type": "number", "minimum": 0 }),
}
