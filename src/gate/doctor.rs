//! `flowgate doctor`'s reads: everything `doctor::judge` needs about a repository, gathered
//! through `github`, read-only. A read GitHub refuses (403, or 404 where that is how GitHub says
//! "not for you") becomes a fact that could not be read, so the judgement says "cannot tell" and
//! names the permission; any other failure (bad credentials, no answer) stops the command.

use crate::doctor::{self, AppFacts, BranchFacts, Facts, Needs, Source, Unreadable, Workflows};
use crate::error::UserError;
use crate::github::error::Kind;
use crate::github::{self, GitHub, RepoName};
use crate::policy::yaml_limits;

/// What to examine, and who reads it.
pub struct Request<'a> {
    pub repo: &'a RepoName,
    /// Branches to examine besides the default branch.
    pub branches: &'a [String],
    /// What the App's installation must have (from the App's manifest).
    pub needs: Needs,
    /// A client holding the App's credentials, to read its installation with the App's JWT;
    /// `None` when run with a token alone.
    pub app: Option<&'a GitHub>,
}

/// Reads the facts of `request.repo` with `gh`: the default branch first, then the others.
pub async fn examine(gh: &GitHub, request: Request<'_>) -> Result<Facts, UserError> {
    let repo = request.repo;
    let default = gh.default_branch(repo).await?;
    let mut names = vec![default];
    for branch in request.branches {
        if !names.contains(branch) {
            names.push(branch.clone());
        }
    }
    let mut branches = Vec::new();
    for name in names {
        let protection = readable(gh.classic_required_checks(repo, &name).await)?;
        let rules = readable(gh.branch_rules(repo, &name).await)?;
        let mut branch = BranchFacts { name, protection, rules, workflows: None };
        if branch.wants_workflows() {
            branch.workflows =
                Some(readable(gh.workflow_files(repo, &branch.name).await)?.map(|files| workflows(&files)));
        }
        branches.push(branch);
    }
    name_rulesets(gh, repo, &mut branches).await?;
    let app = match request.app {
        None => AppFacts::NotChecked,
        Some(app) => match readable(app.installation_access(repo).await)? {
            Ok(installation) => AppFacts::Read(installation),
            Err(refused) => AppFacts::Unreadable(refused),
        },
    };
    Ok(Facts { branches, app, needs: request.needs })
}

/// A read's answer, or what GitHub said when it refused it; other failures stop the command.
fn readable<T>(result: Result<T, github::Error>) -> Result<Result<T, Unreadable>, UserError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(e) => match e.kind() {
            Kind::Forbidden { message } => Ok(Err(Unreadable { status: 403, message: message.clone() })),
            Kind::NotFound => Ok(Err(Unreadable { status: 404, message: e.to_string() })),
            _ => Err(e.into()),
        },
    }
}

/// The workflow files read, within the YAML limits a policy keeps to; a file that is not a
/// workflow doctor can read is kept with the reason.
fn workflows(files: &[(String, String)]) -> Workflows {
    let mut found = Workflows::default();
    for (path, text) in files {
        let read = yaml_limits::check(text)
            .map_err(|e| format!("line {}: {}", e.line, e.message))
            .and_then(|_| doctor::workflow::read(path, text));
        match read {
            Ok(workflow) => found.read.push(workflow),
            Err(why) => found.unreadable.push((path.clone(), why)),
        }
    }
    found
}

/// Gives each ruleset its name, read once for the repository. The names only make the lines
/// readable: when the token may not list rulesets, they stay ids.
async fn name_rulesets(gh: &GitHub, repo: &RepoName, branches: &mut [BranchFacts]) -> Result<(), UserError> {
    let uses_rulesets =
        branches.iter().filter_map(|b| b.rules.as_ref().ok()).any(|r| !r.checks.is_empty() || r.merge_queue.is_some());
    if !uses_rulesets {
        return Ok(());
    }
    let names = match readable(gh.ruleset_names(repo).await)? {
        Ok(names) => names,
        Err(refused) => {
            tracing::info!(
                "cannot list {repo}'s rulesets ({} {}): they are named by id",
                refused.status,
                refused.message
            );
            return Ok(());
        }
    };
    let name = |source: &mut Source| {
        if let Source::Ruleset { id, name } = source {
            *name = names.get(id).cloned();
        }
    };
    for rules in branches.iter_mut().filter_map(|b| b.rules.as_mut().ok()) {
        rules.checks.iter_mut().for_each(|c| name(&mut c.source));
        if let Some(queue) = rules.merge_queue.as_mut() {
            name(queue);
        }
    }
    Ok(())
}
