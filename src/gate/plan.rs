//! What flowgate will do to a pull request, decided in one place: `plan` turns a verdict, the
//! policy's AI label settings and what is on the PR now into a `Plan`, which `apply` carries out
//! and the CLI prints. Pure: no I/O, no clock, so "what would flowgate post?" is a unit test.

use crate::model::Enforcement;
use crate::model::check_run::{CannotEvaluate, CheckRunReport};
use crate::policy::AiLabels;
use crate::policy::verdict::Verdict;
use crate::report::check_run;
use crate::wording::plan as words;

/// The prefix of flowgate's tier labels (`flowgate:red`).
pub const TIER_LABEL_PREFIX: &str = "flowgate:";

/// What is on the PR now, as GitHub showed it when the PR was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub number: u64,
    pub head_sha: String,
    pub labels: Vec<String>,
}

/// Everything flowgate will write to one PR, in the order `apply` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub number: u64,
    pub check_run: CheckRunPlan,
    /// `None` when flowgate has no tier to show (it could not judge the PR).
    pub tier_label: Option<TierLabelPlan>,
    /// The waiting label (`flowgate: waiting on reviewers` / `… on author`) and the other one to
    /// take off; `None` unless `[slo] label = true`.
    pub turn_label: Option<TierLabelPlan>,
    /// Only the tool labels the PR lacks: those on it already cost nothing.
    pub tool_labels: Vec<ToolLabel>,
    /// Logins to ask for a review: the verdict's shortfall, nobody already asked.
    pub request: Vec<String>,
    /// Logins whose review request to take back; empty unless the caller asks.
    pub withdraw: Vec<String>,
    /// Comments to post once each; empty unless the caller asks.
    pub comments: Vec<Comment>,
    /// `evaluate` (shadow mode): the check run, neutral, is the only write; asking for more adds
    /// nothing.
    pub enforcement: Enforcement,
}

/// The `flowgate` check run on the PR's head commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRunPlan {
    pub head_sha: String,
    pub report: CheckRunReport,
}

/// The tier label change: the tier's label, whether to add it, and the other tier labels to take
/// off. Nothing to send when `add` is false and `remove` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierLabelPlan {
    /// `flowgate:<tier>`, named in GitHub's refusal even when only a removal was refused.
    pub label: String,
    pub add: bool,
    pub remove: Vec<String>,
}

/// A tool label to put on a PR, and how to create it if the repository lacks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolLabel {
    pub name: String,
    pub color: String,
    pub description: String,
}

/// A comment posted once: one carrying `marker` made since `since` (ISO 8601) counts as posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub marker: String,
    pub since: String,
    pub body: String,
}

/// Decides what flowgate will do to the PR: the check run on its head, its tier label, the labels
/// of the AI tools found, and the reviewers the verdict still needs. In shadow mode
/// (`enforcement: evaluate`) only the check run, `neutral`, saying what it would have concluded.
pub fn plan(verdict: &Verdict, ai_labels: &AiLabels, enforcement: Enforcement, current: &Current) -> Plan {
    if enforcement.is_shadow() {
        return Plan::check_run_only(current.number, &current.head_sha, check_run::shadow(verdict)).in_shadow();
    }
    let tier_label = format!("{TIER_LABEL_PREFIX}{}", verdict.tier);
    // Only the shortfall is in `requested`: people already asked or who reviewed count toward the
    // need, so evaluating again requests nobody twice.
    let request =
        verdict.reviewers.iter().flat_map(|a| a.requested.iter()).map(|r| r.login.as_str().to_string()).collect();
    Plan {
        number: current.number,
        check_run: CheckRunPlan { head_sha: current.head_sha.clone(), report: check_run::check_run(verdict) },
        tier_label: Some(tier_label_change(&current.labels, &tier_label)),
        turn_label: None,
        tool_labels: missing_tool_labels(&current.labels, tool_labels(verdict, ai_labels)),
        request,
        withdraw: Vec::new(),
        comments: Vec::new(),
        enforcement,
    }
}

impl Plan {
    /// A plan that only posts a check run: flowgate could not judge the PR, so it has no tier,
    /// no tools and no reviewers to show.
    pub fn check_run_only(number: u64, head_sha: &str, report: CheckRunReport) -> Plan {
        Plan {
            number,
            check_run: CheckRunPlan { head_sha: head_sha.to_string(), report },
            tier_label: None,
            turn_label: None,
            tool_labels: Vec::new(),
            request: Vec::new(),
            withdraw: Vec::new(),
            comments: Vec::new(),
            enforcement: Enforcement::Enforce,
        }
    }

    /// The check run that says flowgate could not judge the PR: failed, or in shadow mode neutral
    /// (saying that enforced it would fail).
    pub fn cannot_evaluate(
        number: u64,
        head_sha: &str,
        why: CannotEvaluate,
        error: &str,
        enforcement: Enforcement,
    ) -> Plan {
        match enforcement {
            Enforcement::Enforce => Plan::check_run_only(number, head_sha, check_run::cannot_evaluate(why, error)),
            Enforcement::Evaluate => {
                Plan::check_run_only(number, head_sha, check_run::cannot_evaluate_shadow(why, error)).in_shadow()
            }
        }
    }

    /// A check run decided elsewhere (a merge group's verification) as the policy enforces it: as
    /// it is, or in shadow mode neutral, saying what it would have concluded.
    pub fn report_only(number: u64, head_sha: &str, report: CheckRunReport, enforcement: Enforcement) -> Plan {
        match enforcement {
            Enforcement::Enforce => Plan::check_run_only(number, head_sha, report),
            Enforcement::Evaluate => Plan::check_run_only(number, head_sha, check_run::shadow_of(&report)).in_shadow(),
        }
    }

    fn in_shadow(mut self) -> Plan {
        self.enforcement = Enforcement::Evaluate;
        self
    }

    /// The same plan, also taking back these review requests (before any new one is made); in
    /// shadow mode the same plan.
    pub fn withdrawing(mut self, logins: impl IntoIterator<Item = String>) -> Plan {
        if !self.enforcement.is_shadow() {
            self.withdraw.extend(logins);
        }
        self
    }

    /// The same plan showing whose turn it is: the check run's summary gains its line, and with
    /// `label` the waiting label is put on and the other taken off (`current` are the PR's labels;
    /// not in shadow mode, whose only write is the check run).
    pub fn showing_turn(mut self, turn: &super::turn::Turn, label: bool, current: &[String]) -> Plan {
        let shadow = self.enforcement.is_shadow();
        self.check_run.report =
            check_run::with_waiting_line(self.check_run.report.clone(), turn.line().as_deref(), shadow);
        if label && !self.enforcement.is_shadow() {
            self.turn_label = turn.label().map(|wanted| TierLabelPlan {
                label: wanted.to_string(),
                add: !current.iter().any(|l| l.eq_ignore_ascii_case(wanted)),
                remove: current
                    .iter()
                    .filter(|l| {
                        super::turn::LABELS.iter().any(|t| l.eq_ignore_ascii_case(t) && !t.eq_ignore_ascii_case(wanted))
                    })
                    .cloned()
                    .collect(),
            });
        }
        self
    }

    /// The same plan, also posting this comment once; in shadow mode the same plan.
    pub fn commenting(mut self, comment: Comment) -> Plan {
        if !self.enforcement.is_shadow() {
            self.comments.push(comment);
        }
        self
    }

    /// The plan as lines a person reads, one per write, in the order they are made; stable, for
    /// `flowgate check --plan` and snapshot tests.
    pub fn describe(&self) -> String {
        let mut lines = vec![words::check_run(&self.check_run.head_sha, &self.check_run.report)];
        if let Some(tier) = &self.tier_label {
            lines.push(words::tier_label(&tier.label, tier.add, &tier.remove));
        }
        if let Some(turn) = &self.turn_label {
            lines.push(words::tier_label(&turn.label, turn.add, &turn.remove));
        }
        if !self.tool_labels.is_empty() {
            let names: Vec<&str> = self.tool_labels.iter().map(|l| l.name.as_str()).collect();
            lines.push(words::tool_labels(&names));
        }
        if !self.withdraw.is_empty() {
            lines.push(words::withdraw(&self.withdraw));
        }
        if !self.request.is_empty() {
            lines.push(words::request(&self.request));
        }
        for comment in &self.comments {
            lines.push(words::comment(&comment.marker, &comment.since, &comment.body));
        }
        if self.enforcement.is_shadow() {
            lines.push(words::SHADOW.to_string());
        }
        lines.join("\n") + "\n"
    }
}

/// Puts the tier's label on and takes the other tier labels off. Tier labels are compared exactly,
/// as flowgate writes them; a label such as `flowgate:override` is not a tier label.
fn tier_label_change(current: &[String], wanted: &str) -> TierLabelPlan {
    let is_tier_label =
        |l: &str| l.strip_prefix(TIER_LABEL_PREFIX).is_some_and(|t| matches!(t, "green" | "yellow" | "red"));
    TierLabelPlan {
        label: wanted.to_string(),
        add: !current.iter().any(|l| l == wanted),
        remove: current.iter().filter(|l| is_tier_label(l) && *l != wanted).cloned().collect(),
    }
}

/// The label of each tool whose markers or line-level records the verdict found, as the policy
/// names them. The author's declaration labels are never among them (the policy refuses such
/// names).
fn tool_labels(verdict: &Verdict, labels: &AiLabels) -> Vec<ToolLabel> {
    verdict
        .ai
        .labelled_tools()
        .into_iter()
        .filter_map(|tool| {
            let name = labels.name(tool)?;
            Some(ToolLabel {
                name: name.to_string(),
                color: labels.color.clone(),
                description: crate::report::wording::tool_label_description(tool),
            })
        })
        .collect()
}

/// The tool labels not on the PR yet. GitHub compares label names without case; nothing is ever
/// removed.
fn missing_tool_labels(current: &[String], wanted: Vec<ToolLabel>) -> Vec<ToolLabel> {
    wanted.into_iter().filter(|w| !current.iter().any(|c| c.eq_ignore_ascii_case(&w.name))).collect()
}

#[cfg(test)]
mod shadow_tests;
#[cfg(test)]
mod tests;
