//! Reading a repository of another account as a GitHub App: an installation token reads only its
//! own account's repositories, so a file elsewhere (a policy's remote `extends:`) is read through
//! the App's installation on that account, looked up once and its client kept by the client that
//! asked. A token (the Action, the CLI) reads with itself.

use std::collections::HashMap;
use std::sync::Arc;

use http::StatusCode;

use super::auth::Credentials;
use super::client::GitHub;
use super::error::{Error, Kind};
use super::{RepoName, encode};

/// The clients of other installations, by account (lower case); `None` when the account's
/// installation is this client's own.
pub(crate) type Others = tokio::sync::Mutex<HashMap<String, Option<Arc<GitHub>>>>;

impl GitHub {
    /// The client to read `repo` with when this one cannot: `None` to read with this one (a
    /// token, the App itself, `repo` in this installation's account), else the App's installation
    /// on `repo`'s account. An account the App is not installed on is a clear error.
    pub async fn reader_for(&self, repo: &RepoName, same_account: bool) -> Result<Option<Arc<GitHub>>, Error> {
        let Credentials::Installation { app, installation_id } = self.credentials() else { return Ok(None) };
        if same_account {
            return Ok(None);
        }
        let account = repo.owner.to_ascii_lowercase();
        let mut others = self.other_installations.lock().await;
        if let Some(known) = others.get(&account) {
            return Ok(known.clone());
        }
        let path = format!("/repos/{}/{}/installation", encode(&repo.owner), encode(&repo.name));
        let answer = self.send_as_app(http::Method::GET, &path, None).await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Err(Error::new(
                Kind::NotFound,
                format!(
                    "the App is not installed on {}'s account (or not on {repo}), so it cannot read {repo}: \
                     install it there with read access to contents",
                    repo.owner
                ),
            ));
        }
        if !answer.status.is_success() {
            return Err(Error::from_answer("GET", &path, answer.reply()));
        }
        let id = answer.json(&path)?["id"]
            .as_u64()
            .ok_or_else(|| Error::bad_answer(format!("GET {path}: the answer has no installation id")))?;
        let client = if id == *installation_id {
            None
        } else {
            let credentials = Credentials::Installation { app: app.clone(), installation_id: id };
            let client = GitHub::new(self.api_url(), credentials)
                .map_err(|e| Error::setup(format!("a client for {}'s installation: {e}", repo.owner)))?;
            Some(Arc::new(client))
        };
        others.insert(account, client.clone());
        Ok(client)
    }
}
