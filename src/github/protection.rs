//! What `flowgate doctor` reads, read-only: a branch's classic protection and the rules that apply
//! to it, the rulesets' names, the workflow files on a branch, and the App's installation.
//! Each answer is parsed by `parse::protection`; refusals come back as `Error`s by kind, which
//! `gate::doctor` turns into what could not be read.

use std::collections::BTreeMap;

use http::{Method, StatusCode};

use super::client::{ACCEPT_JSON, Answer, GitHub, failure};
use super::error::Error;
use super::parse::protection as parse;
use super::{RepoName, encode};
use crate::doctor::{BranchRules, Installation, RequiredCheck};

/// Pages of rules or rulesets read, 100 a page: far more than any repository has.
const MAX_RULE_PAGES: u32 = 10;
/// Workflow files read from one branch.
pub const MAX_WORKFLOWS: usize = 100;
/// Where GitHub Actions looks for workflows.
pub const WORKFLOWS_DIR: &str = ".github/workflows";

impl GitHub {
    /// The status checks classic branch protection requires on `branch`: `None` when the branch
    /// is not protected (GitHub's 404 "Branch not protected"). Any other 404 is an error: GitHub
    /// answers it also to a token that may not read the protection.
    pub async fn classic_required_checks(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> Result<Option<Vec<RequiredCheck>>, Error> {
        let path = format!("/repos/{repo}/branches/{}/protection", encode(branch));
        let answer = self.send(Method::GET, &path, ACCEPT_JSON, None).await?;
        match answer.status {
            s if s.is_success() => parse::required_checks(&answer.body)
                .map(Some)
                .map_err(|e| Error::bad_answer(format!("GET {path}: {e}"))),
            StatusCode::NOT_FOUND
                if answer.message().is_some_and(|m| m.eq_ignore_ascii_case("Branch not protected")) =>
            {
                Ok(None)
            }
            _ => Err(refused(&path, &answer)),
        }
    }

    /// The required checks and merge queue among the active rules that apply to `branch`, with
    /// the rulesets still unnamed.
    pub async fn branch_rules(&self, repo: &RepoName, branch: &str) -> Result<BranchRules, Error> {
        let path = format!("/repos/{repo}/rules/branches/{}", encode(branch));
        let Some(pages) = self.pages(&path, MAX_RULE_PAGES).await? else {
            return Err(Error::not_found("Not Found"));
        };
        parse::branch_rules(&pages.join("\n")).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))
    }

    /// The names of the rulesets that apply to the repository, its organization's included.
    pub async fn ruleset_names(&self, repo: &RepoName) -> Result<BTreeMap<u64, String>, Error> {
        let path = format!("/repos/{repo}/rulesets?includes_parents=true");
        let pages = self.pages(&path, MAX_RULE_PAGES).await?.unwrap_or_default();
        parse::ruleset_names(&pages.join("\n")).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))
    }

    /// The workflow files on `branch` (path and text), at most `MAX_WORKFLOWS`; none when the
    /// branch has no `.github/workflows`.
    pub async fn workflow_files(&self, repo: &RepoName, branch: &str) -> Result<Vec<(String, String)>, Error> {
        let path = format!("/repos/{repo}/contents/{}?ref={}", encode(WORKFLOWS_DIR), encode(branch));
        let Some(answer) = self.get(&path, ACCEPT_JSON).await? else { return Ok(Vec::new()) };
        let paths = parse::workflow_paths(&answer.body).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))?;
        let mut files = Vec::new();
        for file in paths.into_iter().take(MAX_WORKFLOWS) {
            // Listed a moment ago, gone now: a push in between; the next run sees the new state.
            if let Some(text) = self.file_at(repo, branch, &file).await? {
                files.push((file, text));
            }
        }
        Ok(files)
    }

    /// The App's installation on `repo` with its permissions and events, asked with the App's
    /// JWT: this client must hold the App's credentials.
    pub async fn installation_access(&self, repo: &RepoName) -> Result<Installation, Error> {
        let path = format!("/repos/{repo}/installation");
        let answer = self.send_as_app(Method::GET, &path, None).await?;
        if !answer.status.is_success() {
            return Err(refused(&path, &answer));
        }
        parse::installation(&answer.body).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))
    }
}

/// A refused read as an error: a 404 carries GitHub's words alone ("Branch not found", "Not
/// Found"), since doctor says which read it was; anything else names the request.
fn refused(path: &str, answer: &Answer) -> Error {
    match answer.status {
        StatusCode::NOT_FOUND => Error::not_found(answer.message().unwrap_or_else(|| "Not Found".into())),
        _ => failure("GET", path, answer),
    }
}
