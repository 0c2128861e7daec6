//! `flowgate action`: the GitHub Actions surface. Reads the runner's environment and event,
//! gates the PR through the same engine as the CLI, posts the check run and label when the token
//! may, and reports through the job summary, step outputs, workflow commands and the exit code.
//! It never checks out or runs the PR's code, so it is safe under `pull_request_target`.

pub mod commands;
mod error;

use std::path::{Path, PathBuf};

use crate::error::UserError;
use crate::gate::apply::{Published, apply};
use crate::gate::plan::Plan;
use crate::gate::{self, merge_group, remote};
use crate::github::parse::webhook::{MergeGroupJson, WorkflowEvent};
use crate::github::{GitHub, RepoName};
use crate::model::Enforcement;
use crate::model::check_run::{CannotEvaluate, CheckRunReport};
use crate::policy::verdict::{State, Verdict};
use crate::report::markdown;
use crate::wording::action as wording;
use crate::wording::{Flavor, shadow};

pub use error::SetupError;

/// The Actions environment flowgate reads.
#[derive(Debug, Clone)]
pub struct ActionEnv {
    pub event_name: String,
    pub event_path: PathBuf,
    pub repository: RepoName,
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
}

impl ActionEnv {
    /// Reads the variables the runner sets; `var` is `std::env::var` outside tests.
    pub fn read(var: impl Fn(&str) -> Option<String>) -> Result<ActionEnv, SetupError> {
        let need = |name: &'static str| var(name).filter(|v| !v.is_empty()).ok_or(SetupError::NotSet { name });
        Ok(ActionEnv {
            event_name: need("GITHUB_EVENT_NAME")?,
            event_path: PathBuf::from(need("GITHUB_EVENT_PATH")?),
            repository: RepoName::parse(&need("GITHUB_REPOSITORY")?).map_err(SetupError::Repository)?,
            step_summary: var("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()).map(PathBuf::from),
            output: var("GITHUB_OUTPUT").filter(|v| !v.is_empty()).map(PathBuf::from),
        })
    }
}

/// The PR an event is about, and whether this run's token can write to the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    PullRequest {
        number: u64,
        read_only: Option<String>,
    },
    /// A merge queue asks for the check on a merge group (`merge_group`, `checks_requested`).
    MergeGroup(MergeGroupJson),
    /// An event or action flowgate has nothing to do for; the text says why.
    Ignored(String),
}

/// Reads the event payload. PRs from forks get a read-only token on `pull_request` and
/// `pull_request_review`; `pull_request_target` runs with the base repository's token.
pub fn trigger(event_name: &str, payload: &str, path: &Path) -> Result<Trigger, SetupError> {
    if !matches!(event_name, "pull_request" | "pull_request_target" | "pull_request_review" | "merge_group") {
        return Ok(Trigger::Ignored(wording::not_a_pr_event(event_name)));
    }
    let event: WorkflowEvent = crate::github::parse::one(payload)
        .map_err(|problem| SetupError::EventMalformed { path: path.to_path_buf(), problem })?;
    if event_name == "merge_group" {
        // Never `pull_request` here: under merge_group the event has none, and the group's
        // members are found from the group itself.
        if event.action.as_deref() != Some("checks_requested") {
            return Ok(Trigger::Ignored(wording::GROUP_ENDED.into()));
        }
        let group = event.merge_group.ok_or_else(|| SetupError::NoMergeGroup { path: path.to_path_buf() })?;
        return Ok(Trigger::MergeGroup(group));
    }
    if event.action.as_deref() == Some("closed") {
        return Ok(Trigger::Ignored(wording::CLOSED.into()));
    }
    let no_number = || SetupError::NoPrNumber { path: path.to_path_buf(), event: event_name.to_string() };
    let pr = event.pull_request.as_ref().ok_or_else(no_number)?;
    let number = pr.number.ok_or_else(no_number)?;
    let (head_repo, base_repo) = pr.repos();
    let from_fork = head_repo.is_none() || head_repo != base_repo;
    let read_only =
        (from_fork && event_name != "pull_request_target").then(|| wording::fork_read_only(head_repo, event_name));
    Ok(Trigger::PullRequest { number, read_only })
}

/// When the job fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Only a failing verdict fails the job.
    Fail,
    /// A pending verdict (waiting for review) fails it too.
    Pending,
    /// The job never fails on the verdict; the check run gates the merge.
    Never,
}

impl FailOn {
    pub fn fails(self, state: State) -> bool {
        match self {
            FailOn::Fail => state == State::Fail,
            FailOn::Pending => state != State::Pass,
            FailOn::Never => false,
        }
    }
}

/// What a run produced, for the caller to write out.
pub struct Outcome {
    pub verdict: Option<Verdict>,
    /// Markdown for `$GITHUB_STEP_SUMMARY`.
    pub summary: String,
    /// Lines for stdout: workflow commands and a one-line result.
    pub log: Vec<String>,
    pub outputs: Vec<(&'static str, String)>,
    pub failed: bool,
}

/// Gates the event's PR and publishes where the token may.
pub async fn run(env: &ActionEnv, gh: &GitHub, policy: Option<&Path>, fail_on: FailOn) -> Result<Outcome, gate::Error> {
    let payload = crate::files::read_text_capped(&env.event_path, crate::files::MAX_EVENT_FILE_BYTES)
        .map_err(|error| UserError::from(SetupError::EventUnreadable { path: env.event_path.clone(), error }))?;
    let (number, read_only) = match trigger(&env.event_name, &payload, &env.event_path).map_err(UserError::from)? {
        Trigger::Ignored(why) => {
            return Ok(Outcome {
                verdict: None,
                summary: format!("flowgate: {why}\n"),
                log: vec![commands::command("notice", &[("title", wording::TITLE)], &why)],
                outputs: Vec::new(),
                failed: false,
            });
        }
        Trigger::PullRequest { number, read_only } => (number, read_only),
        Trigger::MergeGroup(group) => return run_merge_group(env, gh, &group, policy, fail_on).await,
    };
    let gated = match remote::gate(gh, &env.repository, number, policy).await {
        Ok(gated) => gated,
        Err(gate::Error::Policy { error, head: Some(head), enforcement: Enforcement::Evaluate }) => {
            // Shadow mode never blocks, not even on a policy that does not load: a neutral check
            // run says so, where an enforced one stops the job (exit 2) and posts nothing.
            let plan = Plan::cannot_evaluate(
                number,
                &head,
                CannotEvaluate::PolicyBroken,
                &error.to_string(),
                Enforcement::Evaluate,
            );
            let published = match read_only {
                Some(why) => Published::NotPosted(why),
                None => apply(gh, &env.repository, &plan).await?,
            };
            return Ok(report_only_outcome(
                &plan.check_run.report,
                &published,
                vec![("enforcement", Enforcement::Evaluate.id().to_string())],
            ));
        }
        Err(e) => return Err(e),
    };
    let published = match read_only {
        Some(why) => Published::NotPosted(why),
        None => apply(gh, &env.repository, &gated.plan()?).await?,
    };
    if let Some(queue) = &gated.queue {
        // A queue tool's draft PR: the group's verification is the result.
        return Ok(group_outcome(queue, &published, fail_on));
    }
    let enforcement = gated.enforcement();
    let verdict = gated.verdict;
    let mut summary = markdown::render(&verdict);
    if enforcement.is_shadow() {
        summary = format!("{}\n\n{summary}", shadow::verdict_note(&verdict, Flavor::Markdown));
    }
    summary.push_str(&format!("\n---\n{}\n", posting_note(&published)));
    summary.push_str(&format!("\n{}\n", wording::policy_origin(&gated.chosen.origin)));
    let mut log = commands::workflow_commands(&verdict, enforcement);
    log.push(crate::wording::verdict::summary(&verdict));
    if enforcement.is_shadow() {
        log.push(shadow::verdict_note(&verdict, Flavor::Plain));
    }
    if let Published::NotPosted(why) = &published {
        log.push(commands::command("warning", &[("title", wording::TITLE_NOTHING_POSTED)], why));
    }
    let mut outputs = commands::outputs(&verdict);
    outputs.push(("enforcement", enforcement.id().to_string()));
    Ok(Outcome {
        outputs,
        // Shadow mode never fails the job: it only shows what would have happened.
        failed: !enforcement.is_shadow() && fail_on.fails(verdict.state),
        verdict: Some(verdict),
        summary,
        log,
    })
}

/// Verifies a merge group and posts its check run on the group's head commit.
async fn run_merge_group(
    env: &ActionEnv,
    gh: &GitHub,
    group: &MergeGroupJson,
    policy: Option<&Path>,
    fail_on: FailOn,
) -> Result<Outcome, gate::Error> {
    let verified = merge_group::verify_merge_group(gh, &env.repository, group, policy).await?;
    let published = merge_group::publish(gh, &env.repository, &verified).await?;
    Ok(group_outcome(&verified, &published, fail_on))
}

/// A group's result as the job reports it: a rejected group fails the job as a failing verdict
/// does, unless the policy is in shadow mode.
fn group_outcome(verified: &merge_group::Verified, published: &Published, fail_on: FailOn) -> Outcome {
    let report = &verified.report;
    let state = if report.conclusion == Some("success") { State::Pass } else { State::Fail };
    if verified.enforcement.is_shadow() {
        let plan = merge_group::plan(verified);
        let outputs = vec![("state", state.id().to_string()), ("enforcement", verified.enforcement.id().to_string())];
        return report_only_outcome(&plan.check_run.report, published, outputs);
    }
    let mut log = Vec::new();
    if state == State::Fail {
        log.push(commands::command("error", &[("title", wording::TITLE)], &report.title));
    }
    log.push(format!("flowgate: {}", report.title));
    if let Published::NotPosted(why) = published {
        log.push(commands::command("warning", &[("title", wording::TITLE_NOTHING_POSTED)], why));
    }
    Outcome {
        verdict: None,
        summary: format!("## {}\n\n{}\n---\n{}\n", report.title, report.summary, posting_note(published)),
        log,
        outputs: vec![("state", state.id().to_string())],
        failed: fail_on.fails(state),
    }
}

/// A shadow-mode check run that is the whole result (a merge group, a policy that does not load):
/// reported as posted, and never failing the job.
fn report_only_outcome(
    report: &CheckRunReport,
    published: &Published,
    outputs: Vec<(&'static str, String)>,
) -> Outcome {
    let mut log = vec![commands::command("warning", &[("title", wording::TITLE)], &report.title)];
    if let Published::NotPosted(why) = published {
        log.push(commands::command("warning", &[("title", wording::TITLE_NOTHING_POSTED)], why));
    }
    Outcome {
        verdict: None,
        summary: format!("## {}\n\n{}\n---\n{}\n", report.title, report.summary, posting_note(published)),
        log,
        outputs,
        failed: false,
    }
}

fn posting_note(published: &Published) -> String {
    match published {
        Published::Posted { check_run, label, ai_labels, reviewers, .. } => wording::posted(&wording::Posted {
            created: check_run.created,
            label_added: label.added.as_deref(),
            labels_removed: &label.removed,
            ai_labels: ai_labels.as_ref().map(|c| c.added.as_slice()).map_err(String::as_str),
            reviewers: reviewers.as_deref().map_err(String::as_str),
        }),
        Published::NotPosted(why) => wording::not_posted(why),
    }
}

/// Appends `text` to a file the runner gave (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`).
pub fn append(path: &Path, text: &str) -> Result<(), SetupError> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|error| SetupError::CannotWrite { path: path.to_path_buf(), error })
}
