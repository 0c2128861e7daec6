//! The PRs a digest leaves out (`latency.exclude`): drafts all their life, reverts, titles and
//! head branches by prefix, labels, authors. A PR that matches a rule is in no figure at all;
//! the digest only counts, per rule, how many it left out, so nobody wonders where they went.

use serde::Serialize;

use super::event::PrContext;

/// The title GitHub's revert button gives a PR: `Revert "<the reverted PR's title>"`.
const REVERT_PREFIX: &str = "Revert \"";

/// The rules, checked and plain. Titles and labels compare without case (GitHub's labels are
/// unique without it), branches and logins as GitHub spells them: branches exactly, logins
/// without case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exclusions {
    pub drafts: bool,
    pub reverts: bool,
    pub title_prefixes: Vec<String>,
    pub branch_prefixes: Vec<String>,
    pub labels: Vec<String>,
    pub authors: Vec<String>,
}

/// Which rule left a PR out, in the order they are checked: a PR matching two counts under the
/// first, so the counts add up to the PRs left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Authors,
    Drafts,
    Reverts,
    TitlePrefixes,
    BranchPrefixes,
    Labels,
}

/// One rule's share of the PRs left out, with the values of it that matched (the authors, the
/// prefixes, the labels), in the order the policy lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub rule: Rule,
    pub prs: usize,
    /// Empty for `drafts` and `reverts`, which have no values.
    pub values: Vec<String>,
}

/// What the digest left out, most PRs first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LeftOut {
    pub prs: usize,
    pub rules: Vec<RuleCount>,
}

impl Exclusions {
    pub fn is_empty(&self) -> bool {
        *self == Exclusions::default()
    }

    /// The rule that leaves this PR out, with the value that matched, if any. `never_ready` says
    /// the PR was a draft from its opening to now.
    pub fn matches(&self, context: &PrContext, never_ready: bool) -> Option<(Rule, Option<&str>)> {
        let author = context.author.as_str();
        if let Some(login) = self.authors.iter().find(|a| a.eq_ignore_ascii_case(author)) {
            return Some((Rule::Authors, Some(login)));
        }
        if self.drafts && never_ready {
            return Some((Rule::Drafts, None));
        }
        let title = context.title.as_deref().unwrap_or_default();
        if self.reverts && title.starts_with(REVERT_PREFIX) {
            return Some((Rule::Reverts, None));
        }
        if let Some(prefix) = self.title_prefixes.iter().find(|p| starts_with_ignoring_case(title, p)) {
            return Some((Rule::TitlePrefixes, Some(prefix)));
        }
        let branch = context.head_branch.as_deref().unwrap_or_default();
        if let Some(prefix) = self.branch_prefixes.iter().find(|p| branch.starts_with(p.as_str())) {
            return Some((Rule::BranchPrefixes, Some(prefix)));
        }
        if let Some(label) = self.labels.iter().find(|l| context.labels.iter().any(|on| on.eq_ignore_ascii_case(l))) {
            return Some((Rule::Labels, Some(label)));
        }
        None
    }

    /// The position of a value in the policy's list, to show matched values in that order.
    fn rank(&self, rule: Rule, value: &str) -> usize {
        let list = match rule {
            Rule::Authors => &self.authors,
            Rule::TitlePrefixes => &self.title_prefixes,
            Rule::BranchPrefixes => &self.branch_prefixes,
            Rule::Labels => &self.labels,
            Rule::Drafts | Rule::Reverts => return 0,
        };
        list.iter().position(|v| v == value).unwrap_or(usize::MAX)
    }
}

fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Counts the PRs left out as they come.
#[derive(Debug, Default)]
pub(crate) struct LeftOutAcc {
    prs: usize,
    rules: Vec<RuleCount>,
}

impl LeftOutAcc {
    pub(crate) fn add(&mut self, rule: Rule, value: Option<&str>) {
        self.prs += 1;
        let entry = match self.rules.iter_mut().position(|r| r.rule == rule) {
            Some(i) => &mut self.rules[i],
            None => {
                self.rules.push(RuleCount { rule, prs: 0, values: Vec::new() });
                let last = self.rules.len() - 1;
                &mut self.rules[last]
            }
        };
        entry.prs += 1;
        if let Some(value) = value
            && !entry.values.iter().any(|v| v == value)
        {
            entry.values.push(value.to_string());
        }
    }

    /// `None` when nothing was left out, so a digest without exclusions says nothing of them.
    pub(crate) fn finish(mut self, exclusions: &Exclusions) -> Option<LeftOut> {
        if self.prs == 0 {
            return None;
        }
        for r in &mut self.rules {
            r.values.sort_by_key(|v| exclusions.rank(r.rule, v));
        }
        self.rules.sort_by(|a, b| b.prs.cmp(&a.prs).then(a.rule.cmp(&b.rule)));
        Some(LeftOut { prs: self.prs, rules: self.rules })
    }
}
