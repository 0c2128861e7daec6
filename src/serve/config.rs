//! `flowgate serve`'s settings: `flowgate.toml` (or `--config PATH`, `FLOWGATE_CONFIG`), then
//! `FLOWGATE_*` environment variables, which win. Every problem is one line naming the setting;
//! secrets and database passwords are never printed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};

use super::signature::WebhookSecret;
use crate::error::UserError;
use crate::github::{AppKey, DEFAULT_API_URL};

/// The settings, by their names in `flowgate.toml`; the environment variable is the name in
/// capitals with `FLOWGATE_` in front (`app_id` is `FLOWGATE_APP_ID`).
pub(crate) const SETTINGS: [&str; 23] = [
    "app_id",
    "app_private_key_path",
    "app_private_key",
    "webhook_secret",
    "database_url",
    "github_api_url",
    "listen",
    "workers",
    "public_rate_limit",
    "lease_seconds",
    "evaluation_timeout_seconds",
    "retry_backoff_ms",
    "retain_days",
    "max_connections",
    "header_timeout_secs",
    "body_timeout_secs",
    "idle_timeout_secs",
    "body_budget_mib",
    "onboarding_per_minute",
    "onboarding_max_prs",
    "onboarding_rate_limit_reserve",
    "github_reads_per_second",
    "github_writes_per_minute",
];

/// The weekly digest's settings: a `[digest]` table in `flowgate.toml`, or `FLOWGATE_DIGEST_*`
/// (`repo` is `FLOWGATE_DIGEST_REPO`).
/// `team_slack` is a table of team to webhook URL (`"@acme/web" = "https://hooks.slack.com/..."`),
/// or in the environment `FLOWGATE_DIGEST_TEAM_SLACK="@acme/web=https://... @acme/api=https://..."`.
pub(crate) const DIGEST_SETTINGS: [&str; 7] =
    ["repo", "weekday", "hour", "timezone", "slack_webhook_url", "team_slack", "max_repos"];

/// The trackers' settings: a `[trackers]` table in `flowgate.toml`, read as the gate reads the
/// environment (`jira_token` is `FLOWGATE_JIRA_TOKEN`, which wins when both are set).
pub(crate) const TRACKER_SETTINGS: [&str; 13] = [
    "jira_url",
    "jira_email",
    "jira_token",
    "linear_url",
    "linear_token",
    "shortcut_url",
    "shortcut_token",
    "azure_url",
    "azure_token",
    "github_issues_url",
    "github_issues_token",
    "tracker_timeout_ms",
    "tracker_cache_secs",
];

/// The trackers' settings from the file and the environment, by their environment names. Holds
/// tokens: its `Debug` shows only which settings are set.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TrackerSettings(pub std::collections::BTreeMap<String, String>);

impl std::fmt::Debug for TrackerSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://flowgate.db";
pub(crate) const DEFAULT_LISTEN: &str = "0.0.0.0:3000";

#[derive(Clone)]
pub struct ServeConfig {
    pub app_id: u64,
    pub app_key: AppKey,
    pub webhook_secrets: Vec<WebhookSecret>,
    pub database_url: String,
    pub github_api_url: String,
    pub listen: SocketAddr,
    /// Deliveries processed at once by this process.
    pub workers: usize,
    /// Requests a second per client address on the public routes (`/healthz`, `/readyz`,
    /// `/metrics`); `/webhook` is never limited by address, so a real delivery is never dropped.
    pub public_rate_limit: u32,
    /// How long a worker holds a PR before another may take it over: a crashed worker's PR comes
    /// back after this. The holder renews it every quarter of this while it works, and gives the
    /// work up if it cannot, so a live worker never loses a PR to another while still working on it.
    pub lease: std::time::Duration,
    /// How long one evaluation may run before it is abandoned and counted as a failed attempt, so
    /// that a hung request or a runaway policy cannot hold a worker for ever.
    pub evaluation_timeout: std::time::Duration,
    /// The first wait before a failed evaluation is tried again; doubled on each attempt.
    pub retry_backoff: std::time::Duration,
    /// How long a done delivery is kept: its id is what makes a redelivery a duplicate, and GitHub
    /// redelivers for up to three days, so at least four.
    pub retain: std::time::Duration,
    /// When and where the App posts the weekly digest; `None` when `[digest] repo` is not set.
    pub digest: Option<DigestSchedule>,
    /// Connection timeouts and caps, and the webhook body budget (docs/security.md).
    pub edge: super::edge::EdgeLimits,
    /// `[trackers]`, with the environment over it; secrets, never printed.
    pub trackers: TrackerSettings,
    /// `[[baseline]]`: the baseline policies repositories get, by name and custom properties,
    /// the first that matches winning (before the organisation's own file).
    pub baselines: Vec<crate::policy::baseline::BaselineRule>,
    /// Where the settings came from, for `--check-config`.
    pub sources: Vec<String>,
    /// What a worker does besides logging when handling a delivery fails. Not a setting of
    /// `flowgate.toml`: a running App always logs and goes on; the tests' in-process server keeps
    /// the errors, so that a test fails on one it did not expect.
    pub on_handler_error: OnHandlerError,
    /// How fast the App gates every open PR when installed, given repositories, or a policy
    /// changes (`onboarding`).
    pub onboarding: super::onboarding::OnboardingLimits,
    /// The pace of each installation's client: reads a second and writes a minute.
    pub github_pace: (u32, u32),
    /// `[slo]`: review SLOs that act, their sweep, label and where their messages go.
    pub slo: super::slo_config::SloConfig,
}

/// What becomes of an error while a worker handles a delivery (an evaluation that fails and is
/// retried, parked or given up, an outcome the store cannot take, a check run that cannot say
/// flowgate gave up), besides the log line and the retry or park it leads to. A lost lease is not
/// one: the work is given back whole and retried, as designed.
/// The way bors panics on a handler error under `cfg(test)`, for tests that use the library as a
/// normal dependency: `cfg(test)` is not set for them, so the switch is explicit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnHandlerError {
    /// Logged, and nothing else: what a running App does.
    #[default]
    Log,
    /// Logged, and kept in the order met, for a test to read (`App::handler_errors`).
    Record,
}

/// The weekly digest: an issue in `repo` once the week's `weekday` and `hour` have come in
/// `timezone`, and optionally a Slack message.
#[derive(Clone)]
pub struct DigestSchedule {
    pub repo: crate::github::RepoName,
    pub weekday: chrono::Weekday,
    /// 0 to 23, local time.
    pub hour: u32,
    /// An IANA name (UTC when not set): when the week's digest is due.
    pub timezone: String,
    /// Whether `timezone` was set: then Monday-to-Friday 09:00-17:00 in it replaces the calendar
    /// of the policy's `latency:`, as `flowgate digest --timezone` does.
    pub timezone_given: bool,
    /// A secret: never printed.
    pub slack_webhook_url: Option<String>,
    /// Each team's own channel, by `@org/team` in lower case: secrets, never printed.
    pub team_slack: std::collections::BTreeMap<String, String>,
    /// The most repositories whose policy one digest reads.
    pub max_repos: usize,
}

impl std::fmt::Debug for DigestSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestSchedule")
            .field("repo", &self.repo.to_string())
            .field("weekday", &self.weekday)
            .field("hour", &self.hour)
            .field("timezone", &self.timezone)
            .field("timezone_given", &self.timezone_given)
            .field("slack_webhook_url", &self.slack_webhook_url.as_ref().map(|_| "***"))
            .field("team_slack", &self.team_slack.keys().map(|team| (team.as_str(), "***")).collect::<Vec<_>>())
            .field("max_repos", &self.max_repos)
            .finish()
    }
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("app_id", &self.app_id)
            .field("app_key", &"***")
            .field("webhook_secrets", &format!("{} secret(s)", self.webhook_secrets.len()))
            .field("database_url", &redact_url(&self.database_url))
            .field("github_api_url", &self.github_api_url)
            .field("listen", &self.listen)
            .field("workers", &self.workers)
            .field("edge", &self.edge)
            .field("digest", &self.digest)
            .field("trackers", &self.trackers)
            .field("on_handler_error", &self.on_handler_error)
            .field("onboarding", &self.onboarding)
            .field("github_pace", &self.github_pace)
            .field("slo", &self.slo)
            .finish()
    }
}

impl ServeConfig {
    /// Reads the file (an explicit one must exist; `flowgate.toml` in the working directory is
    /// optional) and then the environment, given as a map so tests need not touch the process's.
    pub fn load(explicit: Option<&Path>, env: HashMap<String, String>) -> Result<ServeConfig, UserError> {
        let (settings, sources) = settings(explicit, env)?;
        let get = |name: &str| settings.get_string(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let bad =
            |name: &str, why: &str| UserError::Config(format!("{} ({name} in flowgate.toml): {why}", env_name(name)));

        let app_id = get("app_id")
            .ok_or_else(|| bad("app_id", "not set: the GitHub App's numeric id"))?
            .parse::<u64>()
            .map_err(|_| bad("app_id", "not a number: the GitHub App's numeric id"))?;
        let key_setting = if get("app_private_key").is_some() { "app_private_key" } else { "app_private_key_path" };
        let pem = match (get("app_private_key"), get("app_private_key_path")) {
            (Some(pem), _) => pem.replace("\\n", "\n").into_bytes(),
            (None, Some(path)) => {
                std::fs::read(&path).map_err(|e| bad("app_private_key_path", &format!("cannot read {path}: {e}")))?
            }
            (None, None) => {
                return Err(bad(
                    "app_private_key_path",
                    "not set: the App's private key (or FLOWGATE_APP_PRIVATE_KEY with the PEM itself)",
                ));
            }
        };
        let app_key = AppKey::from_pem(app_id, &pem)
            .map_err(|_| bad(key_setting, "not an RSA private key in PEM form, as GitHub issues for an App"))?;
        let webhook_secrets: Vec<WebhookSecret> =
            get("webhook_secret").unwrap_or_default().split(',').filter_map(WebhookSecret::new).collect();
        if webhook_secrets.is_empty() {
            return Err(bad(
                "webhook_secret",
                "not set: the App's webhook secret (several, comma-separated, while rotating)",
            ));
        }
        let database_url = get("database_url").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !["sqlite:", "postgres://", "postgresql://"].iter().any(|p| database_url.starts_with(p)) {
            return Err(bad("database_url", "use sqlite://PATH or postgres://USER@HOST/DATABASE"));
        }
        let github_api_url = get("github_api_url").unwrap_or_else(|| DEFAULT_API_URL.into());
        if !github_api_url.starts_with("http://") && !github_api_url.starts_with("https://") {
            return Err(bad("github_api_url", "not an http(s) URL"));
        }
        let listen = get("listen")
            .unwrap_or_else(|| DEFAULT_LISTEN.into())
            .parse::<SocketAddr>()
            .map_err(|_| bad("listen", "not an address and port such as 0.0.0.0:3000"))?;
        let workers = match get("workers") {
            Some(n) => n
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=256).contains(n))
                .ok_or_else(|| bad("workers", "a number from 1 to 256"))?,
            None => 4,
        };
        let public_rate_limit = match get("public_rate_limit") {
            Some(n) => n
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| bad("public_rate_limit", "a number of requests a second, above 0"))?,
            None => 20,
        };
        let number = |name: &str, default: u64, range: std::ops::RangeInclusive<u64>| match get(name) {
            Some(n) => n
                .parse::<u64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| bad(name, &format!("a number from {} to {}", range.start(), range.end()))),
            None => Ok(default),
        };
        // Short, because a dead replica's PRs wait this long: renewed every quarter of it while
        // work goes on, 8 s brings them back within 10 s of a restart or on a surviving replica.
        let lease = std::time::Duration::from_secs(number("lease_seconds", 8, 1..=3600)?);
        let evaluation_timeout = std::time::Duration::from_secs(number("evaluation_timeout_seconds", 300, 1..=86_400)?);
        let retry_backoff = std::time::Duration::from_millis(number("retry_backoff_ms", 30_000, 1..=3_600_000)?);
        let retain = std::time::Duration::from_secs(24 * 3600 * number("retain_days", 7, 4..=3650)?);
        let defaults = super::edge::EdgeLimits::default();
        let seconds = |name: &str, default: std::time::Duration, most: u64| {
            number(name, default.as_secs(), 1..=most).map(std::time::Duration::from_secs)
        };
        let edge = super::edge::EdgeLimits {
            max_connections: number("max_connections", defaults.max_connections as u64, 1..=1_000_000)? as usize,
            header_timeout: seconds("header_timeout_secs", defaults.header_timeout, 300)?,
            body_timeout: seconds("body_timeout_secs", defaults.body_timeout, 600)?,
            idle_timeout: seconds("idle_timeout_secs", defaults.idle_timeout, 3600)?,
            // At least one body of GitHub's largest size must fit; a semaphore counts up to 4 GiB.
            body_budget_bytes: (number("body_budget_mib", u64::from(defaults.body_budget_bytes >> 20), 25..=4095)?
                << 20) as u32,
        };
        // The environment's one line wins over the file's table.
        let team_slack = match get("digest_team_slack") {
            Some(line) => Some(TeamSlack::Line(line)),
            None => settings.get_table("digest.team_slack").ok().map(|table| {
                TeamSlack::Table(table.into_iter().map(|(team, url)| (team, url.into_string().ok())).collect())
            }),
        };
        let digest = digest_schedule(
            &|name| get(&format!("digest_{name}")).or_else(|| get(&format!("digest.{name}"))),
            team_slack,
        )?;
        // The environment's FLOWGATE_JIRA_TOKEN reads as `jira_token`; the file's as `trackers.jira_token`.
        let trackers = TrackerSettings(
            TRACKER_SETTINGS
                .iter()
                .filter_map(|name| Some((env_name(name), get(name).or_else(|| get(&format!("trackers.{name}")))?)))
                .collect(),
        );
        let baselines = match settings.get::<Vec<crate::policy::baseline::BaselineRule>>("baseline") {
            Ok(rules) => rules,
            Err(config::ConfigError::NotFound(_)) => Vec::new(),
            Err(e) => return Err(UserError::Config(format!("[[baseline]] in flowgate.toml: {e}"))),
        };
        let onboarding_defaults = super::onboarding::OnboardingLimits::default();
        let onboarding = super::onboarding::OnboardingLimits {
            per_minute: number("onboarding_per_minute", u64::from(onboarding_defaults.per_minute), 1..=60_000)? as u32,
            max_prs_per_repository: number(
                "onboarding_max_prs",
                onboarding_defaults.max_prs_per_repository as u64,
                1..=100_000,
            )? as usize,
            rate_limit_reserve: number(
                "onboarding_rate_limit_reserve",
                onboarding_defaults.rate_limit_reserve as u64,
                0..=1_000_000,
            )? as i64,
        };
        let github_pace = (
            number("github_reads_per_second", 10, 1..=10_000)? as u32,
            number("github_writes_per_minute", 60, 1..=100_000)? as u32,
        );
        let slo_table = |name: &str| match get(&format!("slo_{name}")) {
            Some(line) => Some(super::slo_config::Pairs::Line(line)),
            None => settings.get_table(&format!("slo.{name}")).ok().map(|table| {
                super::slo_config::Pairs::Table(
                    table.into_iter().map(|(key, value)| (key, value.into_string().ok())).collect(),
                )
            }),
        };
        let slo = super::slo_config::slo_config(
            &|name| get(&format!("slo_{name}")).or_else(|| get(&format!("slo.{name}"))),
            slo_table("slack_users"),
            slo_table("channels"),
        )
        .map_err(|(name, why)| {
            UserError::Config(format!(
                "FLOWGATE_SLO_{} ({name} in [slo] in flowgate.toml): {why}",
                name.to_ascii_uppercase()
            ))
        })?;
        Ok(ServeConfig {
            slo,
            baselines,
            github_pace,
            onboarding,
            edge,
            trackers,
            digest,
            retain,
            lease,
            evaluation_timeout,
            retry_backoff,
            app_id,
            app_key,
            webhook_secrets,
            database_url,
            github_api_url,
            listen,
            workers,
            public_rate_limit,
            sources,
            on_handler_error: OnHandlerError::Log,
        })
    }
}

/// `[digest.team_slack]` as the file's table (a value that is not a string is `None`) or the
/// environment's line of `TEAM=URL` pairs.
enum TeamSlack {
    Table(Vec<(String, Option<String>)>),
    Line(String),
}

/// The default of `[digest] max_repos`: each repository read costs a few GitHub requests a week.
pub const DEFAULT_DIGEST_MAX_REPOS: usize = 100;
/// More teams than this in `[digest.team_slack]` is refused: each is a message a week.
const MAX_ROUTED_TEAMS: usize = 200;

/// The `[digest]` settings (`get` reads one by its name in the table); `None` without a repository.
fn digest_schedule(
    get: &dyn Fn(&str) -> Option<String>,
    team_slack: Option<TeamSlack>,
) -> Result<Option<DigestSchedule>, UserError> {
    let bad = |name: &str, why: &str| {
        UserError::Config(format!(
            "FLOWGATE_DIGEST_{} ({name} in [digest] in flowgate.toml): {why}",
            name.to_ascii_uppercase()
        ))
    };
    let Some(repo) = get("repo") else {
        let team_slack_set = team_slack.is_some().then_some("team_slack");
        if let Some(name) = DIGEST_SETTINGS.iter().copied().find(|n| get(n).is_some()).or(team_slack_set) {
            return Err(bad(
                "repo",
                &format!("not set, but `{name}` is: name the repository to post the digest in, OWNER/NAME"),
            ));
        }
        return Ok(None);
    };
    let repo = crate::github::RepoName::parse(&repo).map_err(|_| bad("repo", "not OWNER/NAME"))?;
    let weekday = match get("weekday") {
        Some(day) => day
            .parse::<chrono::Weekday>()
            .map_err(|_| bad("weekday", "a day of the week: mon, tue, wed, thu, fri, sat or sun"))?,
        None => chrono::Weekday::Mon,
    };
    let hour = match get("hour") {
        Some(h) => h.parse::<u32>().ok().filter(|h| *h < 24).ok_or_else(|| bad("hour", "a whole hour from 0 to 23"))?,
        None => 9,
    };
    let timezone_given = get("timezone").is_some();
    let timezone = get("timezone").unwrap_or_else(|| "UTC".into());
    if jiff::tz::TimeZone::get(&timezone).is_err() {
        return Err(bad("timezone", "not a known IANA time zone (such as Europe/Berlin)"));
    }
    let slack_webhook_url = match get("slack_webhook_url") {
        Some(url) => {
            Some(crate::slack::webhook_url(Some(url)).map_err(|_| bad("slack_webhook_url", "not an http(s) URL"))?)
        }
        None => None,
    };
    let max_repos = match get("max_repos") {
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| bad("max_repos", "a number of repositories from 1 to 10000"))?,
        None => DEFAULT_DIGEST_MAX_REPOS,
    };
    let team_slack = team_routes(team_slack).map_err(|why| bad("team_slack", &why))?;
    Ok(Some(DigestSchedule { repo, weekday, hour, timezone, timezone_given, slack_webhook_url, team_slack, max_repos }))
}

/// Each routed team's webhook, checked as `slack_webhook_url` is; a message names the team,
/// never the URL.
fn team_routes(given: Option<TeamSlack>) -> Result<std::collections::BTreeMap<String, String>, String> {
    let pairs: Vec<(String, Option<String>)> = match given {
        None => Vec::new(),
        Some(TeamSlack::Table(pairs)) => pairs,
        Some(TeamSlack::Line(line)) => line
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((team, url)) => Ok((team.to_string(), Some(url.to_string()))),
                None => Err(format!("`{}` is not TEAM=URL", pair.chars().take(40).collect::<String>())),
            })
            .collect::<Result<_, _>>()?,
    };
    if pairs.len() > MAX_ROUTED_TEAMS {
        return Err(format!("{} teams; at most {MAX_ROUTED_TEAMS}", pairs.len()));
    }
    let mut routes = std::collections::BTreeMap::new();
    for (team, url) in pairs {
        let name = team.trim().trim_start_matches('@');
        let (org, slug) = name.split_once('/').unwrap_or_default();
        let plain =
            |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !plain(org) || !plain(slug) {
            return Err(format!("`{}` is not a team: write @ORG/TEAM", team.chars().take(80).collect::<String>()));
        }
        let url = crate::slack::webhook_url(url).map_err(|_| format!("the webhook of {team} is not an http(s) URL"))?;
        if routes.insert(crate::latency::team_key(name), url).is_some() {
            return Err(format!("{team} is routed twice"));
        }
    }
    Ok(routes)
}

/// The file's settings overlaid with the `FLOWGATE_*` environment, and where they came from.
fn settings(explicit: Option<&Path>, env: HashMap<String, String>) -> Result<(Config, Vec<String>), UserError> {
    let file = explicit.map(Path::to_path_buf).or_else(|| env.get("FLOWGATE_CONFIG").map(PathBuf::from));
    let mut builder = Config::builder();
    let mut sources = Vec::new();
    let path = file.clone().unwrap_or_else(|| PathBuf::from("flowgate.toml"));
    if file.is_some() || path.is_file() {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| UserError::input(&path, format!("cannot read the configuration: {e}")))?;
        unknown_keys(&path, &text)?;
        builder = builder.add_source(File::from_str(&text, FileFormat::Toml));
        sources.push(path.display().to_string());
    }
    let env: HashMap<String, String> =
        env.into_iter().filter(|(k, _)| k.starts_with("FLOWGATE_") && k != "FLOWGATE_CONFIG").collect();
    if !env.is_empty() {
        sources.push("FLOWGATE_* environment variables".into());
    }
    let settings = builder
        .add_source(Environment::with_prefix("FLOWGATE").prefix_separator("_").source(Some(env)))
        .build()
        .map_err(|e| UserError::Config(format!("configuration: {e}")))?;
    Ok((settings, sources))
}

/// Only the database, as `flowgate serve` would find it (file, then environment, then the
/// default), for the commands that need nothing else, such as `flowgate queue`.
pub fn database_url(explicit: Option<&Path>, env: HashMap<String, String>) -> Result<String, UserError> {
    let (settings, _) = settings(explicit, env)?;
    Ok(settings
        .get_string("database_url")
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.into()))
}

fn env_name(setting: &str) -> String {
    format!("FLOWGATE_{}", setting.to_ascii_uppercase())
}

/// A misspelt key in the file would silently fall back to a default: refuse it instead.
fn unknown_keys(path: &Path, text: &str) -> Result<(), UserError> {
    let table: HashMap<String, toml_value::Any> = Config::builder()
        .add_source(File::from_str(text, FileFormat::Toml))
        .build()
        .and_then(|c| c.try_deserialize())
        .map_err(|e| UserError::input(path, syntax_error(text, &e.to_string())))?;
    let mut unknown: Vec<String> = table
        .keys()
        .filter(|k| !SETTINGS.contains(&k.as_str()) && !["digest", "trackers", "baseline", "slo"].contains(&k.as_str()))
        .cloned()
        .collect();
    if let Some(toml_value::Any::Value(serde_json::Value::Object(trackers))) = table.get("trackers") {
        unknown.extend(
            trackers.keys().filter(|k| !TRACKER_SETTINGS.contains(&k.as_str())).map(|k| format!("trackers.{k}")),
        );
    }
    if let Some(toml_value::Any::Value(serde_json::Value::Object(digest))) = table.get("digest") {
        unknown.extend(digest.keys().filter(|k| !DIGEST_SETTINGS.contains(&k.as_str())).map(|k| format!("digest.{k}")));
    }
    if let Some(toml_value::Any::Value(serde_json::Value::Object(slo))) = table.get("slo") {
        unknown.extend(
            slo.keys().filter(|k| !super::slo_config::SLO_SETTINGS.contains(&k.as_str())).map(|k| format!("slo.{k}")),
        );
    }
    unknown.sort();
    match unknown.first() {
        Some(key) => Err(UserError::input(
            path,
            format!(
                "unknown setting `{key}`; the settings are {}, in [digest]: {}, in [trackers]: {}, and in [slo]: {}",
                SETTINGS.join(", "),
                DIGEST_SETTINGS.join(", "),
                TRACKER_SETTINGS.join(", "),
                super::slo_config::SLO_SETTINGS.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// Where the TOML parser stopped, without its excerpt of the file: the line it quotes may hold
/// `webhook_secret` or a password. Only the line, the column and the key written there are said.
fn syntax_error(text: &str, parser_message: &str) -> String {
    static AT: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"line (\d+), column (\d+)").expect("static regex"));
    let Some(at) = AT.captures(parser_message) else {
        return "not valid TOML".into();
    };
    let (line, column) = (&at[1], &at[2]);
    let key = line
        .parse::<usize>()
        .ok()
        .and_then(|n| text.lines().nth(n.checked_sub(1)?))
        .and_then(|l| l.split_once('='))
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)));
    match key {
        Some(key) => format!("not valid TOML at line {line}, column {column}, in the setting `{key}`"),
        None => format!("not valid TOML at line {line}, column {column}"),
    }
}

mod toml_value {
    /// Any value: only the keys matter.
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    pub enum Any {
        #[allow(dead_code)]
        Value(serde_json::Value),
    }
}

/// A database URL without its password, in either place a URL can hold one.
pub fn redact_url(url: &str) -> String {
    crate::store::redact(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_path() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/app/test-app-key.pem").to_string()
    }

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn minimal() -> Vec<(&'static str, String)> {
        vec![
            ("FLOWGATE_APP_ID", "123".into()),
            ("FLOWGATE_APP_PRIVATE_KEY_PATH", key_path()),
            ("FLOWGATE_WEBHOOK_SECRET", "s1, s2".into()),
        ]
    }

    fn load(pairs: &[(&str, String)]) -> Result<ServeConfig, String> {
        let map = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        ServeConfig::load(None, map).map_err(|e| e.to_string())
    }

    #[test]
    fn the_environment_alone_is_enough_with_defaults_for_the_rest() {
        let c = load(&minimal()).unwrap();
        assert_eq!(c.app_id, 123);
        assert_eq!(c.webhook_secrets.len(), 2, "comma-separated secrets, for rotation");
        assert_eq!(c.database_url, "sqlite://flowgate.db");
        assert_eq!(c.github_api_url, "https://api.github.com");
        assert_eq!(c.listen.to_string(), "0.0.0.0:3000");
        assert_eq!(c.edge, crate::serve::edge::EdgeLimits::default());
    }

    #[test]
    fn connection_limits_are_read_and_checked() {
        let mut pairs = minimal();
        pairs.push(("FLOWGATE_MAX_CONNECTIONS", "900".into()));
        pairs.push(("FLOWGATE_HEADER_TIMEOUT_SECS", "5".into()));
        pairs.push(("FLOWGATE_BODY_BUDGET_MIB", "128".into()));
        let c = load(&pairs).unwrap();
        assert_eq!(
            (c.edge.max_connections, c.edge.header_timeout.as_secs(), c.edge.body_budget_bytes),
            (900, 5, 128 << 20)
        );
        for (name, value) in [
            ("FLOWGATE_MAX_CONNECTIONS", "0"),
            ("FLOWGATE_HEADER_TIMEOUT_SECS", "0"),
            ("FLOWGATE_BODY_TIMEOUT_SECS", "forever"),
            ("FLOWGATE_IDLE_TIMEOUT_SECS", "-1"),
            ("FLOWGATE_BODY_BUDGET_MIB", "24"),
        ] {
            let mut pairs = minimal();
            pairs.push((name, value.into()));
            let e = load(&pairs).unwrap_err();
            assert!(e.contains(name) && e.contains("a number from"), "{name}={value}: {e}");
        }
    }

    #[test]
    fn baseline_entries_are_read_in_order_and_a_bad_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowgate.toml");
        let head = format!("app_id = 7\napp_private_key_path = {:?}\nwebhook_secret = \"f\"\n", key_path());
        let entries = "[[baseline]]\npolicy = \"strict\"\nproperties = { criticality = \"high\" }\n\n\
                       [[baseline]]\npolicy = \"acme/.github:base.yml@main\"\nrepositories = [\"acme/pay-*\"]\nenforcement = \"evaluate\"\n";
        std::fs::write(&file, format!("{head}{entries}")).unwrap();
        let c = ServeConfig::load(Some(&file), HashMap::new()).unwrap();
        let sources: Vec<String> = c.baselines.iter().map(|b| b.source.to_string()).collect();
        assert_eq!(sources, ["strict", "acme/.github:base.yml@main"]);
        assert_eq!(c.baselines[1].enforcement, Some(crate::model::Enforcement::Evaluate));
        std::fs::write(&file, format!("{head}[[baseline]]\npolicy = \"lenient\"\n")).unwrap();
        let e = ServeConfig::load(Some(&file), HashMap::new()).unwrap_err().to_string();
        assert!(e.contains("[[baseline]]") && e.contains("\"lenient\" is neither a bundled pack"), "{e}");
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowgate.toml");
        std::fs::write(
            &file,
            format!(
                "app_id = 7\napp_private_key_path = {:?}\nwebhook_secret = \"f\"\nlisten = \"127.0.0.1:4000\"\n",
                key_path()
            ),
        )
        .unwrap();
        let c = ServeConfig::load(Some(&file), env(&[("FLOWGATE_LISTEN", "127.0.0.1:5000")])).unwrap();
        assert_eq!((c.app_id, c.listen.to_string()), (7, "127.0.0.1:5000".to_string()));
        std::fs::write(&file, "app_idd = 7\n").unwrap();
        let e = ServeConfig::load(Some(&file), HashMap::new()).unwrap_err().to_string();
        assert!(e.contains("unknown setting `app_idd`"), "{e}");
    }

    #[test]
    fn tracker_credentials_come_from_the_file_under_the_environment_and_are_never_printed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowgate.toml");
        std::fs::write(
            &file,
            format!(
                "app_id = 7\napp_private_key_path = {:?}\nwebhook_secret = \"f\"\n\n[trackers]\n\
                 jira_url = \"https://acme.atlassian.net\"\njira_email = \"bot@acme.example\"\n\
                 jira_token = \"file-jira-secret\"\nlinear_token = \"file-linear-secret\"\n",
                key_path()
            ),
        )
        .unwrap();
        let c = ServeConfig::load(Some(&file), env(&[("FLOWGATE_LINEAR_TOKEN", "env-linear-secret")])).unwrap();
        let get = |name: &str| c.trackers.0.get(name).map(String::as_str);
        assert_eq!(get("FLOWGATE_JIRA_URL"), Some("https://acme.atlassian.net"));
        assert_eq!(get("FLOWGATE_JIRA_TOKEN"), Some("file-jira-secret"));
        assert_eq!(get("FLOWGATE_LINEAR_TOKEN"), Some("env-linear-secret"), "the environment wins");
        assert_eq!(get("FLOWGATE_SHORTCUT_TOKEN"), None);
        let shown = format!("{c:?}");
        assert!(shown.contains("FLOWGATE_JIRA_TOKEN") && !shown.contains("-secret"), "{shown}");
        // The settings make a Jira client, as the environment would.
        let lookup = |name: &str| c.trackers.0.get(name).cloned();
        let trackers = crate::trackers::config::Trackers::from_vars("https://api.github.com", None, &lookup).unwrap();
        assert!(trackers.jira.is_some() && trackers.linear.is_some() && trackers.shortcut.is_none());

        std::fs::write(&file, "[trackers]\njira_tokn = \"x\"\n").unwrap();
        let e = ServeConfig::load(Some(&file), HashMap::new()).unwrap_err().to_string();
        assert!(e.contains("unknown setting `trackers.jira_tokn`") && !e.contains("\"x\""), "{e}");
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases: [(&str, &str, &str); 6] = [
            ("FLOWGATE_APP_ID", "abc", "FLOWGATE_APP_ID"),
            ("FLOWGATE_APP_PRIVATE_KEY_PATH", "/nonexistent/key.pem", "FLOWGATE_APP_PRIVATE_KEY_PATH"),
            ("FLOWGATE_APP_PRIVATE_KEY", "-----BEGIN NOTHING-----", "FLOWGATE_APP_PRIVATE_KEY ("),
            ("FLOWGATE_DATABASE_URL", "mysql://x", "FLOWGATE_DATABASE_URL"),
            ("FLOWGATE_LISTEN", "everywhere", "FLOWGATE_LISTEN"),
            ("FLOWGATE_WEBHOOK_SECRET", " , ", "FLOWGATE_WEBHOOK_SECRET"),
        ];
        for (name, value, named) in cases {
            let mut pairs = minimal();
            pairs.retain(|(k, _)| *k != name);
            pairs.push((name, value.into()));
            let e = load(&pairs).unwrap_err();
            assert!(e.contains(named) && !e.contains('\n'), "{name}={value}: {e}");
        }
        let e = load(&[("FLOWGATE_APP_ID", "1".into())]).unwrap_err();
        assert!(e.contains("FLOWGATE_APP_PRIVATE_KEY_PATH") && e.contains("not set"), "{e}");
    }

    #[test]
    fn the_slo_sweep_is_set_in_a_table_or_the_environment_and_a_misspelt_key_is_refused() {
        assert_eq!(load(&minimal()).unwrap().slo.sweep_seconds, 60, "the default");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowgate.toml");
        let write = |table: &str| {
            let text = format!(
                "app_id = 7\napp_private_key_path = {:?}\nwebhook_secret = \"f\"\n[slo]\n{table}\n",
                key_path()
            );
            std::fs::write(&file, text).unwrap();
        };
        write("sweep_seconds = 15");
        let c = ServeConfig::load(Some(&file), env(&[])).unwrap();
        assert_eq!(c.slo.sweep_seconds, 15);
        let c = ServeConfig::load(Some(&file), env(&[("FLOWGATE_SLO_SWEEP_SECONDS", "5")])).unwrap();
        assert_eq!(c.slo.sweep_seconds, 5, "the environment wins");
        let e = ServeConfig::load(Some(&file), env(&[("FLOWGATE_SLO_SWEEP_SECONDS", "0")])).unwrap_err().to_string();
        assert!(e.contains("FLOWGATE_SLO_SWEEP_SECONDS (sweep_seconds in [slo] in flowgate.toml)"), "{e}");
        write("sweep_secs = 15");
        let e = ServeConfig::load(Some(&file), env(&[])).unwrap_err().to_string();
        assert!(e.contains("unknown setting `slo.sweep_secs`"), "{e}");
    }

    #[test]
    fn the_digest_is_set_in_a_table_or_the_environment() {
        assert!(load(&minimal()).unwrap().digest.is_none(), "no repository, no digest");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowgate.toml");
        std::fs::write(
            &file,
            format!(
                "app_id = 7\napp_private_key_path = {:?}\nwebhook_secret = \"f\"\n[digest]\nrepo = \"acme/eng\"\nweekday = \"fri\"\nhour = 16\ntimezone = \"Europe/Berlin\"\n",
                key_path()
            ),
        )
        .unwrap();
        let c = ServeConfig::load(Some(&file), env(&[("FLOWGATE_DIGEST_HOUR", "8")])).unwrap();
        let d = c.digest.expect("a digest");
        assert_eq!(
            (d.repo.to_string(), d.weekday, d.hour, d.timezone.as_str(), d.timezone_given),
            ("acme/eng".into(), chrono::Weekday::Fri, 8, "Europe/Berlin", true)
        );

        let mut pairs = minimal();
        pairs.push(("FLOWGATE_DIGEST_REPO", "acme/eng".into()));
        pairs.push(("FLOWGATE_DIGEST_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/hush".into()));
        let c = load(&pairs).unwrap();
        let d = c.digest.as_ref().expect("a digest");
        assert_eq!(
            (d.weekday, d.hour, d.timezone.as_str(), d.timezone_given),
            (chrono::Weekday::Mon, 9, "UTC", false),
            "the defaults"
        );
        assert!(!format!("{c:?}").contains("hush"), "the webhook is a secret");

        for (name, value, named) in [
            ("FLOWGATE_DIGEST_TIMEZONE", "Mars/Olympus", "FLOWGATE_DIGEST_TIMEZONE"),
            ("FLOWGATE_DIGEST_HOUR", "24", "FLOWGATE_DIGEST_HOUR"),
            ("FLOWGATE_DIGEST_WEEKDAY", "funday", "FLOWGATE_DIGEST_WEEKDAY"),
            ("FLOWGATE_DIGEST_REPO", "eng", "FLOWGATE_DIGEST_REPO"),
        ] {
            let mut pairs = minimal();
            pairs.push(("FLOWGATE_DIGEST_REPO", "acme/eng".into()));
            pairs.retain(|(k, _)| *k != name);
            pairs.push((name, value.into()));
            let e = load(&pairs).unwrap_err();
            assert!(e.contains(named) && !e.contains('\n'), "{name}={value}: {e}");
        }
        let mut pairs = minimal();
        pairs.push(("FLOWGATE_DIGEST_WEEKDAY", "fri".into()));
        let e = load(&pairs).unwrap_err();
        assert!(e.contains("FLOWGATE_DIGEST_REPO") && e.contains("not set"), "{e}");
        std::fs::write(&file, "[digest]\nrepository = \"acme/eng\"\n").unwrap();
        let e = ServeConfig::load(Some(&file), HashMap::new()).unwrap_err().to_string();
        assert!(e.contains("unknown setting `digest.repository`"), "{e}");
    }

    #[test]
    fn teams_are_routed_to_their_slack_channels_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowgate.toml");
        std::fs::write(
            &file,
            format!(
                "app_id = 7\napp_private_key_path = {:?}\nwebhook_secret = \"f\"\n[digest]\nrepo = \"acme/eng\"\nmax_repos = 40\n[digest.team_slack]\n\"@acme/Payments\" = \"https://hooks.slack.com/services/T/B/pay-hush\"\n\"acme/web\" = \"https://hooks.slack.com/services/T/B/web-hush\"\n",
                key_path()
            ),
        )
        .unwrap();
        let c = ServeConfig::load(Some(&file), HashMap::new()).unwrap();
        let d = c.digest.as_ref().expect("a digest");
        assert_eq!(d.team_slack.keys().collect::<Vec<_>>(), ["@acme/payments", "@acme/web"]);
        assert_eq!(d.team_slack["@acme/web"], "https://hooks.slack.com/services/T/B/web-hush");
        assert_eq!(d.max_repos, 40);
        assert!(!format!("{c:?}").contains("hush") && format!("{c:?}").contains("@acme/web"), "{c:?}");

        // The environment's one line replaces the file's table.
        let line = "@acme/api=https://hooks.slack.com/services/T/B/api-hush, @acme/ops=https://hooks.slack.com/services/T/B/ops";
        let c = ServeConfig::load(Some(&file), env(&[("FLOWGATE_DIGEST_TEAM_SLACK", line)])).unwrap();
        let d = c.digest.expect("a digest");
        assert_eq!(d.team_slack.keys().collect::<Vec<_>>(), ["@acme/api", "@acme/ops"]);
        assert_eq!(d.max_repos, 40);

        for (value, named) in [
            ("@acme/api=ftp://hooks.example/x-hush", "the webhook of @acme/api is not an http(s) URL"),
            ("@acme/api", "`@acme/api` is not TEAM=URL"),
            ("payments=https://hooks.slack.com/services/T/B/hush", "`payments` is not a team: write @ORG/TEAM"),
            (
                "@acme/api=https://hooks.slack.com/a-hush @ACME/api=https://hooks.slack.com/b-hush",
                "@ACME/api is routed twice",
            ),
        ] {
            let e =
                ServeConfig::load(Some(&file), env(&[("FLOWGATE_DIGEST_TEAM_SLACK", value)])).unwrap_err().to_string();
            assert!(
                e.contains("FLOWGATE_DIGEST_TEAM_SLACK") && e.contains(named) && !e.contains("hush"),
                "{value}: {e}"
            );
        }
        let e = ServeConfig::load(Some(&file), env(&[("FLOWGATE_DIGEST_MAX_REPOS", "0")])).unwrap_err().to_string();
        assert!(e.contains("FLOWGATE_DIGEST_MAX_REPOS"), "{e}");
        let mut pairs = minimal();
        pairs.push(("FLOWGATE_DIGEST_TEAM_SLACK", line.into()));
        let e = load(&pairs).unwrap_err();
        assert!(e.contains("FLOWGATE_DIGEST_REPO") && e.contains("`team_slack` is"), "a route needs a digest: {e}");
    }

    #[test]
    fn the_slo_table_is_read_under_the_environment_and_its_secrets_are_never_printed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowgate.toml");
        std::fs::write(
            &file,
            format!(
                "app_id = 7\napp_private_key_path = {:?}\nwebhook_secret = \"f\"\n[slo]\nlabel = true\nslack_token = \"xoxb-file-hush\"\n[slo.slack_users]\nalice = \"U0ALICE\"\n[slo.channels]\nbackend = \"https://hooks.slack.com/services/T/B/be-hush\"\n",
                key_path()
            ),
        )
        .unwrap();
        let c = ServeConfig::load(Some(&file), env(&[("FLOWGATE_SLO_SLACK_TOKEN", "xoxb-env-hush")])).unwrap();
        assert_eq!(c.slo.slack_token.as_deref(), Some("xoxb-env-hush"), "the environment wins");
        assert!(c.slo.label);
        assert_eq!(c.slo.slack_user("Alice"), Some("U0ALICE"));
        assert_eq!(c.slo.channels.keys().collect::<Vec<_>>(), ["backend"]);
        let shown = format!("{c:?}");
        assert!(!shown.contains("hush") && shown.contains("backend"), "{shown}");
        assert_eq!(load(&minimal()).unwrap().slo, crate::serve::slo_config::SloConfig::default());

        let e = ServeConfig::load(Some(&file), env(&[("FLOWGATE_SLO_CHANNELS", "backend=ftp://x/be-hush")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("FLOWGATE_SLO_CHANNELS (channels in [slo]") && e.contains("not an https URL"), "{e}");
        assert!(!e.contains("hush"), "{e}");
        std::fs::write(&file, "[slo]\nslack_tokn = \"x\"\n").unwrap();
        let e = ServeConfig::load(Some(&file), HashMap::new()).unwrap_err().to_string();
        assert!(e.contains("unknown setting `slo.slack_tokn`"), "{e}");
    }

    #[test]
    fn a_toml_syntax_error_names_the_line_and_key_but_never_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowgate.toml");
        std::fs::write(&file, "app_id = 1\nwebhook_secret = \"s3cr3t-value\n").unwrap();
        let e = ServeConfig::load(Some(&file), HashMap::new()).unwrap_err().to_string();
        assert!(!e.contains("s3cr3t"), "{e}");
        assert!(e.contains("line 2") && e.contains("`webhook_secret`") && e.contains("flowgate.toml"), "{e}");
    }

    #[test]
    fn secrets_and_passwords_are_never_printed() {
        let mut pairs = minimal();
        pairs.push(("FLOWGATE_DATABASE_URL", "postgres://app:hunter2@db/flowgate".into()));
        let c = load(&pairs).unwrap();
        let shown = format!("{c:?}");
        assert_eq!(
            redact_url("postgres://db/flowgate?user=app&password=hunter2"),
            "postgres://db/flowgate?user=app&password=***"
        );
        assert!(!shown.contains("hunter2") && !shown.contains("s1") && !shown.contains("PRIVATE"), "{shown}");
        assert!(shown.contains("postgres://app:***@db/flowgate"), "{shown}");
    }
}
