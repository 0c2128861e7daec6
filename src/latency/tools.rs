//! The digest's review figures per AI tool: for each tool the events name (a PR made with two
//! counts under each), for AI use with no tool named, and for PRs without AI, how many were
//! active, how many merged or closed unmerged, and how long those took and how they were reviewed.
//!
//! Tools are the id strings the events carry (`claude-code`): this layer cannot name them, the
//! wording does. Groups come in a fixed order, never by speed: the tools by id, `other` last of
//! them, then `ai_unknown`, then `human`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::calendar::Clock;
use super::config::Window;
use super::stats::{Spread, round2};
use super::timeline::PrSummary;

/// The group of PRs that declared or showed AI use without any tool being named.
pub const AI_UNKNOWN: &str = "ai_unknown";
/// The group of PRs with no AI declared or detected.
pub const HUMAN: &str = "human";
/// The tool id of a tool flowgate's table does not name; listed after the named ones.
const OTHER_TOOL: &str = "other";
/// Tool ids are read back from stored rows: past this many distinct ones, a new id counts as
/// `other`, so a strange log cannot grow the digest without bound.
const MAX_TOOLS: usize = 64;
/// A stored id longer than this is no id flowgate wrote: it counts as `other`.
const MAX_ID_LEN: usize = 64;

/// One group's figures. Hours are on the digest's clock.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ToolFigures {
    /// A tool id as the events carry it (`claude-code`, `copilot`), `ai_unknown` or `human`.
    pub group: String,
    /// PRs active in the window.
    pub prs: usize,
    /// `merged.prs / (merged.prs + closed_unmerged.prs)`; `None` when none of them ended.
    pub merge_rate: Option<f64>,
    /// The PRs merged in the window.
    pub merged: EndedFigures,
    /// The PRs closed without merging in the window.
    pub closed_unmerged: EndedFigures,
}

/// The PRs of a group that ended one way in the window.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct EndedFigures {
    pub prs: usize,
    /// From opening to the merge or the close, draft time included.
    pub open_hours: Spread,
    /// Ready time from the first moment the PR was ready to its first review, for those reviewed.
    pub first_review_hours: Spread,
    /// Changes-requested reviews the author answered, per PR (0 for a PR with none).
    pub review_rounds: Spread,
}

/// The samples of every group, filled a PR at a time.
#[derive(Default)]
pub(crate) struct ToolsAcc {
    groups: BTreeMap<String, GroupAcc>,
    ai_unknown: GroupAcc,
    human: GroupAcc,
}

#[derive(Default)]
struct GroupAcc {
    prs: usize,
    merged: EndedAcc,
    closed: EndedAcc,
}

#[derive(Default)]
struct EndedAcc {
    prs: usize,
    open: Vec<i64>,
    first_review: Vec<i64>,
    rounds: Vec<i64>,
}

impl ToolsAcc {
    /// Adds a PR the digest counts (not left out, active or ended in `window`) under each of its
    /// tools, or under `ai_unknown` or `human`.
    pub(crate) fn add(&mut self, pr: &PrSummary, window: &Window, clock: &Clock) {
        let in_window = |at: Option<DateTime<Utc>>| at.is_some_and(|at| window.contains(at));
        let merged = in_window(pr.merged_at);
        let closed = in_window(pr.closed_at);
        let open_secs = if merged {
            pr.open_to_merge_secs
        } else {
            pr.opened_at.zip(pr.closed_at).map(|(o, c)| clock.seconds(o.timestamp(), c.timestamp()))
        };
        let first_review = pr.first_review.as_ref().map(|f| f.wait_secs);
        let rounds = i64::from(pr.review_rounds);
        let add = |group: &mut GroupAcc| {
            group.prs += usize::from(pr.active_in_window);
            let ended = match (merged, closed) {
                (true, _) => &mut group.merged,
                (false, true) => &mut group.closed,
                (false, false) => return,
            };
            ended.prs += 1;
            ended.open.extend(open_secs);
            ended.first_review.extend(first_review);
            ended.rounds.push(rounds);
        };
        let tools = self.tool_ids(&pr.context.ai_tools);
        if tools.is_empty() {
            add(if pr.context.ai_touched() { &mut self.ai_unknown } else { &mut self.human });
            return;
        }
        for tool in tools {
            add(self.groups.entry(tool).or_default());
        }
    }

    /// The PR's tool ids, each once, in lower case; ids beyond the bounds count as `other`.
    fn tool_ids(&self, tools: &[String]) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for tool in tools {
            let mut id = tool.trim().to_ascii_lowercase();
            if id.is_empty() {
                continue;
            }
            if id.len() > MAX_ID_LEN || (self.groups.len() >= MAX_TOOLS && !self.groups.contains_key(&id)) {
                id = OTHER_TOOL.to_string();
            }
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// The groups with a PR, in the fixed order.
    pub(crate) fn finish(mut self) -> Vec<ToolFigures> {
        let other = self.groups.remove(OTHER_TOOL);
        let mut groups: Vec<(String, GroupAcc)> = std::mem::take(&mut self.groups).into_iter().collect();
        groups.extend(other.map(|acc| (OTHER_TOOL.to_string(), acc)));
        groups.push((AI_UNKNOWN.to_string(), self.ai_unknown));
        groups.push((HUMAN.to_string(), self.human));
        groups
            .into_iter()
            .filter(|(_, acc)| acc.prs + acc.merged.prs + acc.closed.prs > 0)
            .map(|(group, mut acc)| {
                let ended = acc.merged.prs + acc.closed.prs;
                ToolFigures {
                    group,
                    prs: acc.prs,
                    merge_rate: (ended > 0).then(|| round2(acc.merged.prs as f64 / ended as f64)),
                    merged: acc.merged.figures(),
                    closed_unmerged: acc.closed.figures(),
                }
            })
            .collect()
    }
}

impl EndedAcc {
    fn figures(&mut self) -> EndedFigures {
        EndedFigures {
            prs: self.prs,
            open_hours: Spread::hours(&mut self.open),
            first_review_hours: Spread::hours(&mut self.first_review),
            review_rounds: Spread::counts(&mut self.rounds),
        }
    }
}
