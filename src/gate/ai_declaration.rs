//! The base branch's `AI-DECLARATION.md` for a PR's facts, where the other repository files are
//! read: GitHub (the App, the Action, `check --repo --pr`) and local git (the base revision). A
//! saved PR has none. Read only when it can change the report (see [`wanted`]).

use crate::git::Repo;
use crate::github::{GitHub, RepoName};
use crate::model::PrFacts;
use crate::model::ai_declaration::{PATH, RepoAiDeclaration};
use crate::policy::{Disclosure, Policy};

/// Whether to read it for this PR: the policy asks for AI disclosure, and the file can change the
/// report (the PR declares nothing and AI was detected), so most PRs cost no request for it.
pub fn wanted(policy: &Policy, facts: &PrFacts) -> bool {
    policy.ai.disclosure != Disclosure::Off && crate::policy::ai::lines::repo_declaration_matters(&policy.ai, facts)
}

/// From GitHub, on `base`. The file only sets defaults the report compares with what was
/// detected, so a failure to read it is reported on the PR rather than failing the gate.
pub async fn on_github(gh: &GitHub, repo: &RepoName, base: &str) -> RepoAiDeclaration {
    match gh.file_at(repo, base, PATH).await {
        Ok(Some(text)) => RepoAiDeclaration::parse(&text),
        Ok(None) => RepoAiDeclaration::Missing,
        Err(e) => RepoAiDeclaration::Bad { line: None, reason: format!("GitHub did not give it: {e}") },
    }
}

/// At the base revision of a local repository, never the working tree a branch can change.
pub fn at_revision(repo: &Repo, base: &str) -> RepoAiDeclaration {
    repo.show(base, PATH).map_or(RepoAiDeclaration::Missing, |text| RepoAiDeclaration::parse(&text))
}
