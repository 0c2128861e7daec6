//! What flowgate reads from GitHub: a pull request's JSON, page by page, files on the base branch,
//! team members and an App's installation. A PR's answers are kept as GitHub sent them, so a live
//! PR and a saved snapshot are parsed by the same code (`github::parse`); listings are parsed here.

use http::Method;

use super::client::{ACCEPT_JSON, ACCEPT_RAW, GitHub, failure};
use super::error::Error;
use super::parse::RawSnapshot;
use super::parse::shapes::{CompareJson, PullJson, RefEntryJson, TimelineJson};
use super::{RepoName, encode};
use crate::model::Login;

/// GitHub lists at most 3,000 files (30 pages of 100) and 250 commits (3 pages of 100).
pub const MAX_FILE_PAGES: u32 = 30;
pub const MAX_COMMIT_PAGES: u32 = 3;
/// A compare lists 100 commits a page; a merge group of more than 1,000 is not read whole.
const MAX_COMPARE_PAGES: u32 = 10;
/// Reviews and events have no documented cap; stop somewhere sane.
const MAX_OTHER_PAGES: u32 = 50;
/// A backfill lists at most 10,000 pull requests of a repository.
const MAX_PULL_PAGES: u32 = 100;

/// Where GitHub looks for CODEOWNERS, in its order.
pub const CODEOWNERS_PATHS: [&str; 3] = crate::model::codeowners::LOCATIONS;

/// The parts of a pull request flowgate reads, fetched one list at a time so that a caller can
/// skip what its policy does not need.
impl GitHub {
    /// The pull request object.
    pub async fn pull(&self, repo: &RepoName, number: u64) -> Result<String, Error> {
        let path = format!("/repos/{repo}/pulls/{number}");
        match self.get(&path, ACCEPT_JSON).await? {
            Some(answer) => Ok(answer.body),
            None => Err(Error::not_found(format!("{repo}#{number} was not found (or the token cannot see it)"))),
        }
    }

    /// The changed files, every page up to GitHub's cap of 3,000.
    pub async fn files(&self, repo: &RepoName, number: u64) -> Result<String, Error> {
        let pages = self.pages(&format!("/repos/{repo}/pulls/{number}/files"), MAX_FILE_PAGES).await?;
        Ok(pages.unwrap_or_default().join("\n"))
    }

    pub async fn commits(&self, repo: &RepoName, number: u64) -> Result<Option<String>, Error> {
        let pages = self.pages(&format!("/repos/{repo}/pulls/{number}/commits"), MAX_COMMIT_PAGES).await?;
        Ok(pages.map(|p| p.join("\n")))
    }

    pub async fn reviews(&self, repo: &RepoName, number: u64) -> Result<Option<String>, Error> {
        let pages = self.pages(&format!("/repos/{repo}/pulls/{number}/reviews"), MAX_OTHER_PAGES).await?;
        Ok(pages.map(|p| p.join("\n")))
    }

    /// The issue events, which say who applied each label.
    pub async fn label_events(&self, repo: &RepoName, number: u64) -> Result<Option<String>, Error> {
        let pages = self.pages(&format!("/repos/{repo}/issues/{number}/events"), MAX_OTHER_PAGES).await?;
        Ok(pages.map(|p| p.join("\n")))
    }

    /// The repository's open pull requests (up to 300), for the review requests waiting on each
    /// person: the load that reviewer assignment evens out.
    pub async fn open_pulls(&self, repo: &RepoName) -> Result<Option<String>, Error> {
        let pages = self.pages(&format!("/repos/{repo}/pulls?state=open"), MAX_OTHER_PAGES).await?;
        Ok(pages.map(|p| p.join("\n")))
    }

    /// The numbers of the repository's open pull requests, oldest first, at most `cap` of them,
    /// and whether more are open than that: only those whose base branch is `base`, when given.
    /// A repository that is not found is an error (`NotFound`).
    pub async fn open_pull_numbers(
        &self,
        repo: &RepoName,
        base: Option<&str>,
        cap: usize,
    ) -> Result<(Vec<u64>, bool), Error> {
        let on_base = base.map(|b| format!("&base={}", encode(b))).unwrap_or_default();
        let mut found = Vec::new();
        for page in 1.. {
            let path =
                format!("/repos/{repo}/pulls?state=open{on_base}&sort=created&direction=asc&per_page=100&page={page}");
            let Some(answer) = self.get(&path, ACCEPT_JSON).await? else {
                return Err(Error::not_found(format!("{repo} was not found (or the token cannot see it)")));
            };
            let pulls: Vec<super::parse::shapes::OpenPullJson> = serde_json::from_str(&answer.body)
                .map_err(|e| Error::bad_answer(format!("GET {path}: not a list of pull requests: {e}")))?;
            let full = pulls.len() == 100;
            found.extend(pulls.into_iter().filter_map(|p| p.number));
            if found.len() > cap {
                found.truncate(cap);
                return Ok((found, true));
            }
            if !full {
                break;
            }
            if found.len() == cap {
                // A full last page: one more answer says whether anything lies past the cap.
                let next = format!(
                    "/repos/{repo}/pulls?state=open{on_base}&sort=created&direction=asc&per_page=1&page={}",
                    cap + 1
                );
                let more = self.get(&next, ACCEPT_JSON).await?.is_some_and(|a| a.body.trim() != "[]");
                return Ok((found, more));
            }
        }
        Ok((found, false))
    }

    /// The repository's pull requests in any state updated at or after `since`, most recently
    /// updated first: pages of 100 are read until one reaches an older PR.
    pub async fn pulls_updated_since(
        &self,
        repo: &RepoName,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<PullJson>, Error> {
        self.pulls_listed_since(repo, "all", since).await
    }

    /// The closed pull requests updated since `since`, most recently updated first: every PR
    /// merged since then is among them (a merge updates the PR). The caller keeps the merged ones.
    pub async fn closed_pulls_updated_since(
        &self,
        repo: &RepoName,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<PullJson>, Error> {
        self.pulls_listed_since(repo, "closed", since).await
    }

    /// Pulls in `state` (`all`, `closed`), most recently updated first, down to `since`.
    async fn pulls_listed_since(
        &self,
        repo: &RepoName,
        state: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<PullJson>, Error> {
        let mut found = Vec::new();
        for page in 1..=MAX_PULL_PAGES {
            let path =
                format!("/repos/{repo}/pulls?state={state}&sort=updated&direction=desc&per_page=100&page={page}");
            let Some(answer) = self.get(&path, ACCEPT_JSON).await? else {
                return Err(Error::not_found(format!("{repo} was not found (or the token cannot see it)")));
            };
            let pulls: Vec<PullJson> = serde_json::from_str(&answer.body)
                .map_err(|e| Error::bad_answer(format!("GET {path}: not a list of pull requests: {e}")))?;
            let full = pulls.len() == 100;
            for pull in pulls {
                let updated = super::parse::time(pull.updated_at.as_deref());
                match updated {
                    Some(updated) if updated < since => return Ok(found),
                    _ => found.push(pull),
                }
            }
            if !full {
                break;
            }
        }
        Ok(found)
    }

    /// The issue timeline of PR `number`: requests, reviews, draft changes, pushes, merge and
    /// close, as GitHub recorded them. Empty when the PR is not found.
    pub async fn timeline(&self, repo: &RepoName, number: u64) -> Result<Vec<TimelineJson>, Error> {
        let path = format!("/repos/{repo}/issues/{number}/timeline");
        let pages = self.pages(&path, MAX_OTHER_PAGES).await?.unwrap_or_default();
        let mut items = Vec::new();
        for page in pages {
            let list: Vec<TimelineJson> = serde_json::from_str(&page)
                .map_err(|e| Error::bad_answer(format!("GET {path}: not a list of timeline events: {e}")))?;
            items.extend(list);
        }
        Ok(items)
    }

    /// Everything about one PR, events included: what `flowgate snapshot` saves.
    pub async fn pull_request(&self, repo: &RepoName, number: u64) -> Result<RawSnapshot, Error> {
        let mut raw = RawSnapshot {
            pull: self.pull(repo, number).await?,
            files: self.files(repo, number).await?,
            commits: self.commits(repo, number).await?,
            reviews: self.reviews(repo, number).await?,
            events: self.label_events(repo, number).await?,
            compares: Default::default(),
        };
        for (base, head) in super::parse::pull::comparisons_to_save(&raw.pull, raw.reviews.as_deref()) {
            // One page: up to 250 commits, every file GitHub lists. A commit GitHub no longer
            // knows is saved as missing, which the check reports.
            let path = format!("/repos/{repo}/compare/{}...{}", encode(&base), encode(&head));
            if let Some(answer) = self.get(&path, ACCEPT_JSON).await? {
                raw.compares.insert(format!("{base}...{head}"), answer.body);
            }
        }
        Ok(raw)
    }

    /// A file's text at `rev`, or `None` when it does not exist there. The path travels as one
    /// encoded segment (`.github%2Fflowgate.yml`), which GitHub and its OpenAPI description accept.
    pub async fn file_at(&self, repo: &RepoName, rev: &str, path: &str) -> Result<Option<String>, Error> {
        let url = format!("/repos/{repo}/contents/{}?ref={}", encode(path), encode(rev));
        Ok(self.get(&url, ACCEPT_RAW).await?.map(|answer| answer.body))
    }

    /// The commit `reference` (a branch, tag or commit) names in `repo` now, from
    /// `GET /repos/{repo}/commits/{ref}`; `None` when the repository has no such ref (or the
    /// token cannot see the repository). GitHub answers 422 for a ref that is not one.
    pub async fn commit_sha(&self, repo: &RepoName, reference: &str) -> Result<Option<String>, Error> {
        let path = format!("/repos/{repo}/commits/{}", encode(reference));
        let answer = self.send(Method::GET, &path, ACCEPT_JSON, None).await?;
        match answer.status.as_u16() {
            200 => {}
            404 | 422 => return Ok(None),
            _ => return Err(failure("GET", &path, &answer)),
        }
        let sha = answer.json(&path)?["sha"].as_str().map(str::to_ascii_lowercase);
        match sha {
            Some(sha) if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(Some(sha)),
            _ => Err(Error::bad_answer(format!("GET {path}: the answer has no commit sha"))),
        }
    }

    /// The range `base...head` (a merge group on its base): its commits, oldest first, page by
    /// page (100 a page, at most `MAX_COMPARE_PAGES`), and its changed files (at most 300, all on
    /// the first page). The caller learns from `total_commits` and the file count whether it saw
    /// the whole range.
    pub async fn compare(&self, repo: &RepoName, base: &str, head: &str) -> Result<CompareJson, Error> {
        let range = format!("/repos/{repo}/compare/{}...{}", encode(base), encode(head));
        let mut whole: Option<CompareJson> = None;
        for page in 1..=MAX_COMPARE_PAGES {
            let path = format!("{range}?per_page=100&page={page}");
            let Some(answer) = self.get(&path, ACCEPT_JSON).await? else {
                return Err(Error::not_found(format!(
                    "{repo}: {base}...{head} cannot be compared (a commit is unknown)"
                )));
            };
            let part: CompareJson =
                super::parse::one(&answer.body).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))?;
            let got = part.commits.len();
            let all = match &mut whole {
                None => whole.insert(part),
                Some(all) => {
                    all.commits.extend(part.commits);
                    all
                }
            };
            let total = all.total_commits.unwrap_or(0) as usize;
            if got == 0 || all.commits.len() >= total {
                break;
            }
        }
        whole.ok_or_else(|| Error::bad_answer(format!("GET {range}: no answer")))
    }

    /// GitHub's merge-queue branches for `base` (`gh-readonly-queue/<base>/...`), each with the
    /// commit it points at. The ref prefix travels as one encoded segment, as `file_at`'s path
    /// does; its trailing slash keeps `main-2`'s queue out of `main`'s.
    pub async fn queue_refs(&self, repo: &RepoName, base: &str) -> Result<Vec<(String, String)>, Error> {
        let prefix = format!("heads/gh-readonly-queue/{base}/");
        let path = format!("/repos/{repo}/git/matching-refs/{}", encode(&prefix));
        let Some(pages) = self.pages(&path, MAX_OTHER_PAGES).await? else { return Ok(Vec::new()) };
        let refs: Vec<RefEntryJson> =
            super::parse::list(&pages.join("\n")).map_err(|e| Error::bad_answer(format!("GET {path}: {e}")))?;
        Ok(refs.into_iter().map(|r| (r.ref_, r.object.sha)).collect())
    }

    /// The repository's default branch (`main`, `master`, ...), from `GET /repos/{repo}`.
    pub async fn default_branch(&self, repo: &RepoName) -> Result<String, Error> {
        let path = format!("/repos/{repo}");
        let Some(answer) = self.get(&path, ACCEPT_JSON).await? else {
            return Err(Error::not_found(format!("{repo} was not found (or the token cannot see it)")));
        };
        let value: serde_json::Value = serde_json::from_str(&answer.body)
            .map_err(|e| Error::bad_answer(format!("GET {path}: not a repository: {e}")))?;
        match value["default_branch"].as_str() {
            Some(branch) if !branch.is_empty() => Ok(branch.to_string()),
            _ => Err(Error::bad_answer(format!("GET {path}: the answer names no default_branch"))),
        }
    }

    /// The CODEOWNERS file on `rev`, from the first place GitHub would look that has one.
    pub async fn codeowners(&self, repo: &RepoName, rev: &str) -> Result<Option<String>, Error> {
        Ok(self.codeowners_file(repo, rev).await?.map(|(_, text)| text))
    }

    /// The CODEOWNERS file on `rev` and where it was found, from the first place GitHub would
    /// look that has one.
    pub async fn codeowners_file(&self, repo: &RepoName, rev: &str) -> Result<Option<(&'static str, String)>, Error> {
        for path in CODEOWNERS_PATHS {
            if let Some(text) = self.file_at(repo, rev, path).await? {
                return Ok(Some((path, text)));
            }
        }
        Ok(None)
    }

    /// The members of `org/team`, or `None` when the token may not see the team (an Action's
    /// `GITHUB_TOKEN` cannot read organisation teams). Asked again, an unchanged team costs a 304.
    pub async fn team_members(&self, org: &str, team: &str) -> Result<Option<Vec<Login>>, Error> {
        let path = format!("/orgs/{}/teams/{}/members", encode(org), encode(team));
        let sep = '?';
        let mut members = Vec::new();
        for page in 1..=MAX_OTHER_PAGES {
            let url = format!("{path}{sep}per_page=100&page={page}");
            let answer = self.send(Method::GET, &url, ACCEPT_JSON, None).await?;
            match answer.status.as_u16() {
                200 => {}
                403 | 404 => return Ok(None),
                _ => return Err(failure("GET", &url, &answer)),
            }
            let list: Vec<serde_json::Value> = serde_json::from_str(&answer.body)
                .map_err(|e| Error::bad_answer(format!("GET {url}: not a list of users: {e}")))?;
            let full = list.len() == 100;
            members.extend(list.iter().filter_map(|u| u["login"].as_str()).map(Login::new));
            if !full {
                break;
            }
        }
        Ok(Some(members))
    }

    /// The installation of this App on `repo`, for an App run from the command line.
    pub async fn installation_for(&self, repo: &RepoName) -> Result<u64, Error> {
        let path = format!("/repos/{repo}/installation");
        let answer = self.send_as_app(Method::GET, &path, None).await?;
        if !answer.status.is_success() {
            return Err(failure("GET", &path, &answer));
        }
        answer.json(&path)?["id"]
            .as_u64()
            .ok_or_else(|| Error::bad_answer(format!("GET {path}: the answer has no installation id")))
    }
}
