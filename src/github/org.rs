//! What flowgate reads about a repository's place in its organisation: its custom properties
//! (which pick its baseline), files of another repository on its default branch (the
//! organisation's `.github` repository), and, for `flowgate org status`, the App's installation
//! there (with the App's JWT), the organisation's repositories, and those the installation may read.

use std::collections::BTreeMap;

use http::Method;
use serde::Deserialize;

use super::client::{ACCEPT_JSON, ACCEPT_RAW, GitHub, failure};
use super::error::Error;
use super::{RepoName, encode};

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

/// One custom property as GitHub lists it: a string, a list of strings (multi-select), or none.
#[derive(Deserialize)]
struct PropertyJson {
    property_name: String,
    value: Option<PropertyValue>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PropertyValue {
    One(String),
    Many(Vec<String>),
}

impl GitHub {
    /// The repository's custom properties, each with its values; empty when it has none or the
    /// token may not read them (404). Needs only `metadata: read`, which every App has.
    pub async fn custom_properties(&self, repo: &RepoName) -> Result<BTreeMap<String, Vec<String>>, Error> {
        let path = format!("/repos/{repo}/properties/values");
        let Some(answer) = self.get(&path, ACCEPT_JSON).await? else { return Ok(BTreeMap::new()) };
        let list: Vec<PropertyJson> = serde_json::from_str(&answer.body)
            .map_err(|e| Error::bad_answer(format!("GET {path}: not a list of custom properties: {e}")))?;
        Ok(list
            .into_iter()
            .map(|p| {
                let values = match p.value {
                    None => Vec::new(),
                    Some(PropertyValue::One(v)) => vec![v],
                    Some(PropertyValue::Many(vs)) => vs,
                };
                (p.property_name, values)
            })
            .collect())
    }

    /// A file's text on the repository's default branch, or `None` when the repository or the
    /// file does not exist (or the token cannot see it).
    pub async fn file_on_default_branch(&self, repo: &RepoName, path: &str) -> Result<Option<String>, Error> {
        let url = format!("/repos/{repo}/contents/{}", encode(path));
        Ok(self.get(&url, ACCEPT_RAW).await?.map(|answer| answer.body))
    }

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
