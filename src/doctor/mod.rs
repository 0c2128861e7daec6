//! `flowgate doctor`'s judgement: whether flowgate can be a required check on a repository, from
//! what its branch protection, rulesets, workflows and the App's installation say. Pure: the
//! facts come in (gathered by `gate::doctor` through `github`), findings go out (kinds and names,
//! no sentences: `wording::doctor` says them), and the outcome follows from the findings. `org` holds
//! `flowgate org status`'s table, a row of doctor's answers per repository.

pub mod org;
pub(crate) mod workflow;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::check_run::CHECK_NAME;
pub use workflow::Workflow;

/// An access level GitHub grants an App for one permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
    Admin,
}

impl Access {
    /// GitHub's word for the level (`read`, `write`, `admin`); `None` for one flowgate does not know.
    pub fn parse(text: &str) -> Option<Access> {
        match text {
            "read" => Some(Access::Read),
            "write" => Some(Access::Write),
            "admin" => Some(Access::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Admin => "admin",
        }
    }
}

/// What makes a check required on a branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Source {
    /// Classic branch protection.
    BranchProtection,
    /// A ruleset (of the repository or of its organization), with its name when it could be read.
    Ruleset { id: u64, name: Option<String> },
}

/// One required status check: the context GitHub waits for, the App it must come from when it is
/// pinned to one, and what requires it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequiredCheck {
    pub context: String,
    pub app_id: Option<u64>,
    pub source: Source,
}

/// The active rules that apply to a branch, as far as doctor reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BranchRules {
    pub checks: Vec<RequiredCheck>,
    /// The ruleset that puts the branch behind a merge queue, if one does.
    pub merge_queue: Option<Source>,
}

/// Each read doctor makes, which needs its own permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Read {
    /// Classic branch protection (`GET branches/{b}/protection`).
    Protection,
    /// The rules of the rulesets that apply to a branch (`GET rules/branches/{b}`).
    Rules,
    /// The workflow files (`.github/workflows`, through the contents API).
    Workflows,
    /// The App's installation on the repository (`GET installation`, with the App's JWT).
    Installation,
}

/// A read GitHub refused: its status and GitHub's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    pub status: u16,
    pub message: String,
}

/// What doctor learnt about one branch. Each part is what GitHub answered, or why it could not
/// be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchFacts {
    pub name: String,
    /// Classic protection's required checks: `Ok(None)` when the branch is not protected.
    pub protection: Result<Option<Vec<RequiredCheck>>, Unreadable>,
    pub rules: Result<BranchRules, Unreadable>,
    /// The workflows on the branch: read only when it has a merge queue (`None` otherwise).
    pub workflows: Option<Result<Workflows, Unreadable>>,
}

/// The workflow files of a branch: those read, and those that are not workflows doctor can read
/// (path and why), which it says rather than skips.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workflows {
    pub read: Vec<Workflow>,
    pub unreadable: Vec<(String, String)>,
}

impl BranchFacts {
    /// Whether the workflows matter: only a merge queue makes doctor ask what they run on.
    pub fn wants_workflows(&self) -> bool {
        self.rules.as_ref().is_ok_and(|r| r.merge_queue.is_some())
    }
}

/// The App's installation on the repository, as GitHub reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    pub app_id: Option<u64>,
    /// Permission name (`checks`, `merge_queues`, ...) to GitHub's level for it.
    pub permissions: BTreeMap<String, String>,
    pub events: Vec<String>,
}

/// What doctor knows of the App.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppFacts {
    /// Run without the App's credentials: a token cannot see an installation.
    NotChecked,
    Read(Installation),
    Unreadable(Unreadable),
}

/// What the App asks for in its manifest: the permissions and events the installation must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    pub permissions: Vec<(String, Access)>,
    pub events: Vec<String>,
}

/// Everything doctor judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The default branch first, then the others asked about.
    pub branches: Vec<BranchFacts>,
    pub app: AppFacts,
    pub needs: Needs,
}

/// A workflow job that posts a required check, and what the workflow runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRef {
    pub workflow: String,
    pub job: String,
    pub triggers: Vec<String>,
}

/// One thing doctor found, by kind, with the names it needs and no sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// `flowgate` is a required check on the branch, by these.
    Required {
        branch: String,
        sources: Vec<Source>,
        app_ids: Vec<u64>,
    },
    /// `flowgate` is not required: a pull request can merge while it fails. `others` are the
    /// checks that are required.
    NotRequired {
        branch: String,
        others: Vec<String>,
    },
    /// `flowgate` is required from an App that is not the one whose credentials were given.
    PinnedElsewhere {
        branch: String,
        app_id: u64,
        ours: u64,
    },
    NoMergeQueue {
        branch: String,
    },
    MergeQueue {
        branch: String,
        source: Source,
    },
    /// A required check that a workflow job posts on `merge_group` too.
    QueueReady {
        branch: String,
        context: String,
        jobs: Vec<JobRef>,
    },
    /// A required check whose every job runs in workflows without `merge_group`: the queue waits
    /// for it until it times out.
    QueueStalls {
        branch: String,
        context: String,
        jobs: Vec<JobRef>,
    },
    /// A required check no workflow job posts (another App, an outside CI): flowgate cannot know
    /// what it runs on.
    QueueUnknown {
        branch: String,
        context: String,
    },
    /// A workflow that runs the flowgate Action but not on `merge_group`.
    ActionStalls {
        branch: String,
        workflow: String,
        triggers: Vec<String>,
    },
    /// A workflow file doctor could not read: a required check may come from it.
    WorkflowUnreadable {
        branch: String,
        workflow: String,
        why: String,
    },
    /// A read GitHub refused.
    Unreadable {
        branch: Option<String>,
        read: Read,
        status: u16,
        message: String,
    },
    /// The installation has every permission and event the manifest asks for.
    AppReady {
        permissions: usize,
        events: usize,
    },
    AppPermissionMissing {
        permission: String,
        needed: Access,
        granted: Option<String>,
    },
    AppEventMissing {
        event: String,
    },
    /// Run without the App's credentials: these could not be checked.
    AppNotChecked {
        permissions: Vec<String>,
        events: Vec<String>,
    },
}

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    /// Something to check by hand; it does not make the repository not ready.
    Note,
    /// Something to fix before flowgate can be a required check.
    Problem,
    /// Something doctor could not read, so it cannot say.
    Unknown,
}

impl Finding {
    pub fn level(&self) -> Level {
        match self {
            Finding::Required { .. }
            | Finding::NoMergeQueue { .. }
            | Finding::MergeQueue { .. }
            | Finding::QueueReady { .. }
            | Finding::AppReady { .. } => Level::Ok,
            Finding::QueueUnknown { .. } | Finding::WorkflowUnreadable { .. } | Finding::AppNotChecked { .. } => {
                Level::Note
            }
            Finding::NotRequired { .. }
            | Finding::PinnedElsewhere { .. }
            | Finding::QueueStalls { .. }
            | Finding::ActionStalls { .. }
            | Finding::AppPermissionMissing { .. }
            | Finding::AppEventMissing { .. } => Level::Problem,
            Finding::Unreadable { .. } => Level::Unknown,
        }
    }
}

/// The answer, from the findings: anything unread makes it "cannot tell" (never "ready"), else
/// anything to fix makes it "not ready".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ready,
    NotReady,
    CannotTell,
}

pub fn outcome(findings: &[Finding]) -> Outcome {
    match findings.iter().map(Finding::level).max() {
        Some(Level::Unknown) => Outcome::CannotTell,
        Some(Level::Problem) => Outcome::NotReady,
        _ => Outcome::Ready,
    }
}

/// Everything doctor finds in `facts`: branch by branch, then the App.
pub fn judge(facts: &Facts) -> Vec<Finding> {
    let mut findings = Vec::new();
    let ours = match &facts.app {
        AppFacts::Read(installation) => installation.app_id,
        _ => None,
    };
    for branch in &facts.branches {
        judge_branch(branch, ours, &mut findings);
    }
    judge_app(&facts.app, &facts.needs, &mut findings);
    findings
}

/// A required context and everything that requires it, in the order first met.
struct Required {
    context: String,
    sources: Vec<Source>,
    app_ids: Vec<u64>,
}

fn required_contexts(checks: impl Iterator<Item = RequiredCheck>) -> Vec<Required> {
    let mut out: Vec<Required> = Vec::new();
    for check in checks {
        let index = match out.iter().position(|r| r.context == check.context) {
            Some(i) => i,
            None => {
                out.push(Required { context: check.context.clone(), sources: Vec::new(), app_ids: Vec::new() });
                out.len() - 1
            }
        };
        let entry = &mut out[index];
        if !entry.sources.contains(&check.source) {
            entry.sources.push(check.source);
        }
        if let Some(app) = check.app_id.filter(|a| !entry.app_ids.contains(a)) {
            entry.app_ids.push(app);
        }
    }
    out
}

fn judge_branch(branch: &BranchFacts, ours: Option<u64>, out: &mut Vec<Finding>) {
    let name = &branch.name;
    let unreadable = |read: Read, u: &Unreadable| Finding::Unreadable {
        branch: Some(name.clone()),
        read,
        status: u.status,
        message: u.message.clone(),
    };
    if let Err(u) = &branch.protection {
        out.push(unreadable(Read::Protection, u));
    }
    if let Err(u) = &branch.rules {
        out.push(unreadable(Read::Rules, u));
    }
    let classic = branch.protection.as_ref().ok().cloned().flatten().unwrap_or_default();
    let rules = branch.rules.as_ref().ok();
    let required = required_contexts(classic.into_iter().chain(rules.iter().flat_map(|r| r.checks.iter().cloned())));
    let (flowgate, others): (Vec<&Required>, Vec<&Required>) = required.iter().partition(|r| r.context == CHECK_NAME);

    match flowgate.first() {
        Some(check) => {
            out.push(Finding::Required {
                branch: name.clone(),
                sources: check.sources.clone(),
                app_ids: check.app_ids.clone(),
            });
            if let Some(ours) = ours {
                // Pinned to several Apps in several places: each pin that is not ours blocks.
                for &app_id in check.app_ids.iter().filter(|a| **a != ours) {
                    out.push(Finding::PinnedElsewhere { branch: name.clone(), app_id, ours });
                }
            }
        }
        // Only when both were read: an unread source may be the one that requires it.
        None if branch.protection.is_ok() && branch.rules.is_ok() => out.push(Finding::NotRequired {
            branch: name.clone(),
            others: others.iter().map(|r| r.context.clone()).collect(),
        }),
        None => {}
    }

    let Some(rules) = rules else { return };
    let Some(queue) = &rules.merge_queue else {
        out.push(Finding::NoMergeQueue { branch: name.clone() });
        return;
    };
    out.push(Finding::MergeQueue { branch: name.clone(), source: queue.clone() });
    let workflows = match &branch.workflows {
        Some(Ok(workflows)) => workflows,
        Some(Err(u)) => {
            out.push(unreadable(Read::Workflows, u));
            return;
        }
        // Not read: no workflow is known to post any check.
        None => &Workflows::default(),
    };
    for (path, why) in &workflows.unreadable {
        out.push(Finding::WorkflowUnreadable { branch: name.clone(), workflow: path.clone(), why: why.clone() });
    }
    let workflows = workflows.read.as_slice();
    for check in others {
        out.push(queue_readiness(name, &check.context, workflows));
    }
    for workflow in workflows.iter().filter(|w| w.runs_flowgate_action() && !w.runs_on_merge_group()) {
        out.push(Finding::ActionStalls {
            branch: name.clone(),
            workflow: workflow.path.clone(),
            triggers: workflow.triggers.clone(),
        });
    }
}

/// Whether `context` reports on a merge group's commit: some job that posts it runs in a workflow
/// with `on: merge_group` (one is enough, as GitHub takes the check from whichever reports).
fn queue_readiness(branch: &str, context: &str, workflows: &[Workflow]) -> Finding {
    let mut ready = Vec::new();
    let mut stalled = Vec::new();
    for workflow in workflows {
        for job in workflow.jobs.iter().filter(|j| j.posts(context)) {
            let job =
                JobRef { workflow: workflow.path.clone(), job: job.id.clone(), triggers: workflow.triggers.clone() };
            if workflow.runs_on_merge_group() { ready.push(job) } else { stalled.push(job) }
        }
    }
    let (branch, context) = (branch.to_string(), context.to_string());
    match (ready.is_empty(), stalled.is_empty()) {
        (false, _) => Finding::QueueReady { branch, context, jobs: ready },
        (true, false) => Finding::QueueStalls { branch, context, jobs: stalled },
        (true, true) => Finding::QueueUnknown { branch, context },
    }
}

/// The App's installation against what the manifest asks for (also used by `flowgate serve` when
/// an installation is made or changes).
pub(crate) fn judge_app(app: &AppFacts, needs: &Needs, out: &mut Vec<Finding>) {
    let installation = match app {
        AppFacts::NotChecked => {
            out.push(Finding::AppNotChecked {
                permissions: needs.permissions.iter().map(|(p, _)| p.clone()).collect(),
                events: needs.events.clone(),
            });
            return;
        }
        AppFacts::Unreadable(u) => {
            out.push(Finding::Unreadable {
                branch: None,
                read: Read::Installation,
                status: u.status,
                message: u.message.clone(),
            });
            return;
        }
        AppFacts::Read(installation) => installation,
    };
    let before = out.len();
    for (permission, needed) in &needs.permissions {
        let granted = installation.permissions.get(permission);
        // A level flowgate does not know is not taken to be enough.
        if granted.and_then(|g| Access::parse(g)).is_none_or(|g| g < *needed) {
            out.push(Finding::AppPermissionMissing {
                permission: permission.clone(),
                needed: *needed,
                granted: granted.cloned(),
            });
        }
    }
    for event in needs.events.iter().filter(|e| !installation.events.contains(e)) {
        out.push(Finding::AppEventMissing { event: event.clone() });
    }
    if out.len() == before {
        out.push(Finding::AppReady { permissions: needs.permissions.len(), events: needs.events.len() });
    }
}

#[cfg(test)]
mod tests;
