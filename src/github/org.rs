//! An organisation as `flowgate org status` reads it: the App's installation there (with the App's
//! JWT), the organisation's repositories, and the repositories the installation may read.

use http::Method;
use serde::Deserialize;

use super::client::failure;
use super::error::Error;
use super::{GitHub, encode};

/// At most this many pages of 100 repositories are read: 2,000 repositories.
pub const MAX_REPO_PAGES: u32 = 20;

/// A repository of the organisation, as its listing gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct OrgRepo {
    pub full_name: String,
    pub default_branch: Option<String>,
    #[serde(default)]
    pub archived: bool,
}

#[derive(Deserialize)]
struct InstallationRepos {
    repositories: Vec<OrgRepo>,
}

/// A listing, whole or cut at `MAX_REPO_PAGES`.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub repos: Vec<OrgRepo>,
    /// More pages followed than were read.
    pub truncated: bool,
}

impl GitHub {
    /// The App's installation on `org` (this client holds the App's credentials), or `None` when
    /// the App is not installed there.
    pub async fn org_installation(&self, org: &str) -> Result<Option<u64>, Error> {
        let path = format!("/orgs/{}/installation", encode(org));
        let answer = self.send_as_app(Method::GET, &path, None).await?;
        match answer.status {
            s if s.is_success() => answer.json(&path)?["id"]
                .as_u64()
                .map(Some)
                .ok_or_else(|| Error::bad_answer(format!("GET {path}: the answer has no installation id"))),
            http::StatusCode::NOT_FOUND => Ok(None),
            _ => Err(failure("GET", &path, &answer)),
        }
    }

    /// The organisation's repositories (`None` when GitHub knows no such organisation).
    pub async fn org_repos(&self, org: &str) -> Result<Option<Listing>, Error> {
        let path = format!("/orgs/{}/repos?type=all", encode(org));
        let Some(pages) = self.pages(&path, MAX_REPO_PAGES + 1).await? else { return Ok(None) };
        let mut listing = Listing { truncated: pages.len() > MAX_REPO_PAGES as usize, ..Listing::default() };
        for page in pages.iter().take(MAX_REPO_PAGES as usize) {
            let repos: Vec<OrgRepo> =
                super::parse::one(page).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))?;
            listing.repos.extend(repos);
        }
        Ok(Some(listing))
    }

    /// The repositories this installation may read (this client acts for the installation).
    pub async fn installation_repos(&self) -> Result<Listing, Error> {
        let path = "/installation/repositories";
        let pages = self.pages(path, MAX_REPO_PAGES + 1).await?.unwrap_or_default();
        let mut listing = Listing { truncated: pages.len() > MAX_REPO_PAGES as usize, ..Listing::default() };
        for page in pages.iter().take(MAX_REPO_PAGES as usize) {
            let page: InstallationRepos =
                super::parse::one(page).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))?;
            listing.repos.extend(page.repositories);
        }
        Ok(listing)
    }
}
