//! Which trackers flowgate can reach, read once from the environment, and looking up the chains
//! of a PR's keys with them.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use super::azure::AzureBoards;
use super::chain::{self, Chain, Levels};
use super::github::GitHubIssues;
use super::http::{HttpSettings, HttpUsage};
use super::jira::Jira;
use super::linear::Linear;
use super::shortcut::Shortcut;
use super::{Tracker, TrackerError};
use crate::model::Tracker as KeyTracker;

/// At most this many keys of one PR are looked up; a PR naming more is judged on the first ones.
pub(crate) const MAX_KEYS: usize = 5;
/// The longest the walk from one key may take, whatever each request's own timeout: twelve items
/// of a slow tracker must not hold a gate run for minutes.
pub(crate) const CHAIN_BUDGET: Duration = Duration::from_secs(20);

/// The tracker settings of `flowgate serve`'s configuration file (`[trackers]`), by their
/// environment names (`FLOWGATE_JIRA_TOKEN`). Process-wide, set once when the App starts, because
/// the gate builds its tracker clients where the App's configuration is not at hand.
static FILE_SETTINGS: OnceLock<BTreeMap<String, String>> = OnceLock::new();

/// Makes the configuration file's tracker settings available to [`Trackers::from_env`], under the
/// environment (which wins). Only the first call in a process counts.
pub(crate) fn use_file_settings(settings: BTreeMap<String, String>) {
    let _ = FILE_SETTINGS.set(settings);
}

/// Why a digest has no full-chain share when [`Trackers::for_digest`] finds no tracker.
pub const NONE_FOR_DIGEST: &str =
    "no tracker is configured (set GITHUB_TOKEN, or a tracker's FLOWGATE_* variables, see docs/trackers.md)";

/// A variable from the environment, else from the configuration file's `[trackers]`.
fn env_or_file(name: &str) -> Option<String> {
    std::env::var(name).ok().or_else(|| FILE_SETTINGS.get().and_then(|file| file.get(name).cloned()))
}

/// The tracker connections available to a gate run.
#[derive(Default)]
pub struct Trackers {
    pub github: Option<GitHubIssues>,
    pub jira: Option<Jira>,
    /// Why Jira is not configured, for the message on a Jira key.
    pub jira_missing: Option<String>,
    pub linear: Option<Linear>,
    pub shortcut: Option<Shortcut>,
    pub azure: Option<AzureBoards>,
    /// Replaces `CHAIN_BUDGET` (tests).
    pub chain_budget: Option<Duration>,
    /// Where GitHub Issues is read, whether a token was given for it, and the clients' settings:
    /// for [`Self::github_with_token`].
    pub github_url: String,
    pub github_token_given: bool,
    pub settings: HttpSettings,
}

impl Trackers {
    /// From the environment: `FLOWGATE_JIRA_URL`, `FLOWGATE_JIRA_EMAIL`, `FLOWGATE_JIRA_TOKEN`
    /// for Jira; GitHub Issues at `FLOWGATE_GITHUB_ISSUES_URL` (else `github_api_url`) with
    /// `FLOWGATE_GITHUB_ISSUES_TOKEN` (else `github_token`); Linear with `FLOWGATE_LINEAR_TOKEN` (at
    /// `FLOWGATE_LINEAR_URL`); Shortcut with `FLOWGATE_SHORTCUT_TOKEN`
    /// (at `FLOWGATE_SHORTCUT_URL`); Azure Boards with `FLOWGATE_AZURE_URL` (the organisation) and
    /// `FLOWGATE_AZURE_TOKEN`. `FLOWGATE_TRACKER_TIMEOUT_MS` and `FLOWGATE_TRACKER_CACHE_SECS` tune
    /// every tracker.
    /// Each variable may also come from `flowgate serve`'s configuration file (`use_file_settings`);
    /// the environment wins.
    pub fn from_env(github_api_url: &str, github_token: Option<&str>) -> Result<Trackers, String> {
        Trackers::from_vars(github_api_url, github_token, &env_or_file)
    }

    /// The trackers a digest run from the command line traces with: as [`Self::from_env`], with
    /// GitHub Issues at `GITHUB_API_URL` (else GitHub's own API) and only with a token
    /// (`GITHUB_TOKEN` or `FLOWGATE_GITHUB_ISSUES_TOKEN`). `None` when no tracker is configured:
    /// then the digest computes no full-chain share, and [`NONE_FOR_DIGEST`] says why.
    pub fn for_digest_from_env() -> Result<Option<Trackers>, String> {
        Trackers::for_digest(&env_or_file)
    }

    /// As [`Self::for_digest_from_env`], with each variable read by `lookup`.
    pub fn for_digest(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Option<Trackers>, String> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let api_url = var("GITHUB_API_URL").unwrap_or_else(|| crate::github::DEFAULT_API_URL.to_string());
        let token = var("GITHUB_TOKEN");
        let mut trackers = Trackers::from_vars(&api_url, token.as_deref(), lookup)?;
        if token.is_none() && var("FLOWGATE_GITHUB_ISSUES_TOKEN").is_none() {
            trackers.github = None;
        }
        let any = trackers.github.is_some()
            || trackers.jira.is_some()
            || trackers.linear.is_some()
            || trackers.shortcut.is_some()
            || trackers.azure.is_some();
        Ok(any.then_some(trackers))
    }

    /// As [`Self::from_env`], with each variable read by `lookup` (by its environment name).
    pub fn from_vars(
        github_api_url: &str,
        github_token: Option<&str>,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Trackers, String> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut settings = HttpSettings::default();
        if let Some(ms) = var("FLOWGATE_TRACKER_TIMEOUT_MS") {
            let ms: u64 = ms
                .parse()
                .map_err(|_| format!("FLOWGATE_TRACKER_TIMEOUT_MS={ms:?} is not a number of milliseconds"))?;
            settings.timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(secs) = var("FLOWGATE_TRACKER_CACHE_SECS") {
            let secs: u64 =
                secs.parse().map_err(|_| format!("FLOWGATE_TRACKER_CACHE_SECS={secs:?} is not a number of seconds"))?;
            settings.cache_ttl = Duration::from_secs(secs);
        }
        let github_url = var("FLOWGATE_GITHUB_ISSUES_URL").unwrap_or_else(|| github_api_url.to_string());
        let github_token = var("FLOWGATE_GITHUB_ISSUES_TOKEN").or_else(|| github_token.map(String::from));
        let github = GitHubIssues::new(&github_url, github_token.as_deref(), settings)
            .map_err(|e| format!("GitHub Issues: {e}"))?;
        let mut trackers = Trackers {
            github: Some(github),
            github_token_given: github_token.is_some(),
            github_url,
            settings,
            ..Trackers::default()
        };
        match (var("FLOWGATE_JIRA_URL"), var("FLOWGATE_JIRA_EMAIL"), var("FLOWGATE_JIRA_TOKEN")) {
            (Some(url), Some(email), Some(token)) => {
                trackers.jira = Some(Jira::new(&url, &email, &token, settings).map_err(|e| format!("Jira: {e}"))?);
            }
            (url, email, token) => {
                let missing: Vec<&str> =
                    [("FLOWGATE_JIRA_URL", url), ("FLOWGATE_JIRA_EMAIL", email), ("FLOWGATE_JIRA_TOKEN", token)]
                        .into_iter()
                        .filter(|(_, v)| v.is_none())
                        .map(|(n, _)| n)
                        .collect();
                trackers.jira_missing = Some(format!("set {}", missing.join(", ")));
            }
        }
        if let Some(key) = var("FLOWGATE_LINEAR_TOKEN") {
            let url = var("FLOWGATE_LINEAR_URL").unwrap_or_else(|| "https://api.linear.app".into());
            trackers.linear = Some(Linear::new(&url, &key, settings).map_err(|e| format!("Linear: {e}"))?);
        }
        if let Some(token) = var("FLOWGATE_SHORTCUT_TOKEN") {
            let url = var("FLOWGATE_SHORTCUT_URL").unwrap_or_else(|| "https://api.app.shortcut.com".into());
            trackers.shortcut = Some(Shortcut::new(&url, &token, settings).map_err(|e| format!("Shortcut: {e}"))?);
        }
        if let (Some(url), Some(token)) = (var("FLOWGATE_AZURE_URL"), var("FLOWGATE_AZURE_TOKEN")) {
            trackers.azure = Some(AzureBoards::new(&url, &token, settings).map_err(|e| format!("Azure Boards: {e}"))?);
        }
        Ok(trackers)
    }

    /// The chain from each key, looked up in its tracker; a key whose tracker is not configured
    /// or not supported gets a chain that ends in that error.
    pub async fn chains(&self, keys: &[(KeyTracker, String)], levels: &Levels) -> BTreeMap<String, Chain> {
        self.chains_using(keys, levels, None).await
    }

    /// A GitHub Issues client reading with `token` (an App installation's), when no token was
    /// configured for GitHub Issues itself: the configured one wins, as it may reach further. Its
    /// cache is its own, so one installation never reads answers fetched for another.
    pub fn github_with_token(&self, token: &str) -> Result<Option<GitHubIssues>, String> {
        if self.github_token_given || self.github.is_none() {
            return Ok(None);
        }
        GitHubIssues::new(&self.github_url, Some(token), self.settings).map(Some)
    }

    /// As [`Self::chains`], with `github` reading GitHub Issues in place of the shared client.
    pub async fn chains_using(
        &self,
        keys: &[(KeyTracker, String)],
        levels: &Levels,
        github: Option<&GitHubIssues>,
    ) -> BTreeMap<String, Chain> {
        let mut chains = BTreeMap::new();
        let budget = self.chain_budget.unwrap_or(CHAIN_BUDGET);
        for (tracker, key) in keys.iter().take(MAX_KEYS) {
            let chosen = match (tracker, github) {
                (KeyTracker::Github, Some(github)) => Ok(github as &dyn Tracker),
                _ => self.tracker(*tracker),
            };
            let chain = match chosen {
                Ok(t) => match tokio::time::timeout(budget, chain::walk(t, key, levels)).await {
                    Ok(chain) => chain,
                    Err(_) => {
                        let after_ms = u64::try_from(budget.as_millis()).unwrap_or(u64::MAX);
                        Chain::unreachable(key, TrackerError::Timeout { after_ms })
                    }
                },
                Err(error) => Chain::unreachable(key, error),
            };
            chains.insert(key.clone(), chain);
        }
        chains
    }

    pub fn usage(&self) -> HttpUsage {
        let mut total = HttpUsage::default();
        let trackers: [Option<&dyn Tracker>; 5] = [
            self.github.as_ref().map(|t| t as _),
            self.jira.as_ref().map(|t| t as _),
            self.linear.as_ref().map(|t| t as _),
            self.shortcut.as_ref().map(|t| t as _),
            self.azure.as_ref().map(|t| t as _),
        ];
        for usage in trackers.into_iter().flatten().map(|t| t.usage()) {
            total.requests += usage.requests;
            total.cache_hits += usage.cache_hits;
            total.not_modified += usage.not_modified;
        }
        total
    }

    fn tracker(&self, tracker: KeyTracker) -> Result<&dyn Tracker, TrackerError> {
        let not_configured =
            |hint: &str| TrackerError::NotConfigured { tracker: tracker.id().to_string(), hint: hint.to_string() };
        match tracker {
            KeyTracker::Github => {
                self.github.as_ref().map(|t| t as &dyn Tracker).ok_or_else(|| not_configured("set GITHUB_TOKEN"))
            }
            KeyTracker::Jira => self
                .jira
                .as_ref()
                .map(|t| t as &dyn Tracker)
                .ok_or_else(|| not_configured(self.jira_missing.as_deref().unwrap_or("set FLOWGATE_JIRA_URL"))),
            KeyTracker::Shortcut => self
                .shortcut
                .as_ref()
                .map(|t| t as &dyn Tracker)
                .ok_or_else(|| not_configured("set FLOWGATE_SHORTCUT_TOKEN")),
            KeyTracker::Azure => self
                .azure
                .as_ref()
                .map(|t| t as &dyn Tracker)
                .ok_or_else(|| not_configured("set FLOWGATE_AZURE_URL and FLOWGATE_AZURE_TOKEN")),
            KeyTracker::Linear => self
                .linear
                .as_ref()
                .map(|t| t as &dyn Tracker)
                .ok_or_else(|| not_configured("set FLOWGATE_LINEAR_TOKEN")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_trackers(vars: &[(&str, &str)]) -> Option<Trackers> {
        let lookup = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
        Trackers::for_digest(&lookup).expect("the settings are valid")
    }

    #[test]
    fn a_digest_reads_github_issues_only_with_a_token() {
        assert!(digest_trackers(&[]).is_none());
        assert!(digest_trackers(&[("GITHUB_TOKEN", " ")]).is_none());
        let with_token = digest_trackers(&[("GITHUB_TOKEN", "t"), ("GITHUB_API_URL", "http://127.0.0.1:1")]);
        assert_eq!(with_token.map(|t| (t.github.is_some(), t.github_url)), Some((true, "http://127.0.0.1:1".into())));
        let issues_token = digest_trackers(&[("FLOWGATE_GITHUB_ISSUES_TOKEN", "t")]);
        assert!(issues_token.is_some_and(|t| t.github.is_some()));
    }

    #[test]
    fn a_digest_traces_with_another_tracker_and_no_github_token() {
        let trackers = digest_trackers(&[("FLOWGATE_LINEAR_TOKEN", "k")]).expect("Linear is configured");
        assert!(trackers.github.is_none());
        assert!(trackers.linear.is_some());
    }
}
