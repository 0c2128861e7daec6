//! Remote `extends:` for the commands that read a policy from disk or from local git (`flowgate
//! check` on a branch, `policy validate`, `policy test`): the remote files come from GitHub's API
//! with `GITHUB_TOKEN` (and `GITHUB_API_URL`), as the live commands read, fetched as the loader
//! reaches them. Without a token, a remote cannot be read, and the policy does not load.

use std::path::Path;

use crate::github::{Credentials, GitHub, RepoName, Token};
use crate::policy::load::{PolicyFiles, RemoteFile};

/// `files`, whose remote `extends:` are read from GitHub.
pub(crate) struct WithGitHub<F>(pub F);

impl<F: PolicyFiles> PolicyFiles for WithGitHub<F> {
    fn read(&self, path: &Path) -> Result<String, String> {
        self.0.read(path)
    }
    fn through_link(&self, dir: &Path, target: &Path) -> bool {
        self.0.through_link(dir, target)
    }
    fn describe(&self, path: &Path) -> String {
        self.0.describe(path)
    }
    fn read_remote(&self, file: &RemoteFile) -> Result<String, String> {
        let token = std::env::var("GITHUB_TOKEN").ok().and_then(Token::new).ok_or_else(|| {
            format!(
                "a remote policy is read through GitHub's API: set GITHUB_TOKEN to a token that can read {}",
                file.repo
            )
        })?;
        let api_url = std::env::var("GITHUB_API_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| crate::github::DEFAULT_API_URL.to_string());
        let repo = RepoName::parse(&file.repo).map_err(|e| e.to_string())?;
        block_on(async move {
            let gh = GitHub::new(&api_url, Credentials::Token(token)).map_err(|e| e.to_string())?;
            match gh.file_at(&repo, &file.rev, &file.path).await {
                Ok(Some(text)) => Ok(text),
                Ok(None) => Err(format!("GitHub has no such file at {} (or the token cannot see {repo})", file.rev)),
                Err(e) => Err(format!("GitHub did not give it: {e}")),
            }
        })
    }
}

/// Runs `work` to completion from synchronous code: on the runtime the caller entered, stepping
/// out of its worker thread when called from one, else on a small runtime of its own.
fn block_on<T>(work: impl Future<Output = Result<T, String>>) -> Result<T, String> {
    use tokio::runtime::{Builder, Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| handle.block_on(work))
        }
        Ok(_) => Err("a remote policy cannot be read from inside a single-threaded runtime".to_string()),
        Err(_) => Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime to read it: {e}"))?
            .block_on(work),
    }
}
