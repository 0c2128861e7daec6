//! `[slo]` in `flowgate.toml`: how often the App looks at PRs whose review SLO may need a step,
//! whether it keeps the "waiting on" label, and where its messages go (a Slack bot token for
//! direct messages, each reviewer's Slack user, each pool's channel). The token and the channels'
//! webhook URLs are secrets: never printed, and an error names the setting, never the value.

use std::collections::BTreeMap;

/// The settings of `[slo]`, by their names in the table; in the environment `FLOWGATE_SLO_` and
/// the name in capitals (`FLOWGATE_SLO_SLACK_TOKEN`). `slack_users` and `channels` are tables, or
/// in the environment one line of `KEY=VALUE` pairs.
pub(crate) const SLO_SETTINGS: [&str; 6] =
    ["sweep_seconds", "label", "slack_token", "slack_api_url", "slack_users", "channels"];

/// More entries than this in `[slo.slack_users]` or `[slo.channels]` is refused.
const MAX_ENTRIES: usize = 10_000;

#[derive(Clone, PartialEq, Eq)]
pub struct SloConfig {
    /// How often the App looks for PRs whose ladder has a step due.
    pub sweep_seconds: u64,
    /// Whether the App keeps `flowgate: waiting on reviewers` / `flowgate: waiting on author` on
    /// each gated PR.
    pub label: bool,
    /// The Slack bot token (`xoxb-…`, with `chat:write`) reminders are sent with; a secret.
    pub slack_token: Option<String>,
    /// Slack's Web API (a fake one in tests).
    pub slack_api_url: String,
    /// Each reviewer's Slack user id, by GitHub login in lower case.
    pub slack_users: BTreeMap<String, String>,
    /// Each reviewer pool's incoming webhook, by the pool's name in the policy; secrets.
    pub channels: BTreeMap<String, String>,
}

impl Default for SloConfig {
    fn default() -> SloConfig {
        SloConfig {
            sweep_seconds: 60,
            label: false,
            slack_token: None,
            slack_api_url: crate::slack::API_URL.to_string(),
            slack_users: BTreeMap::new(),
            channels: BTreeMap::new(),
        }
    }
}

impl SloConfig {
    /// The reviewer's Slack user id, when known (logins compare without case).
    pub fn slack_user(&self, login: &str) -> Option<&str> {
        self.slack_users.get(&login.to_ascii_lowercase()).map(String::as_str)
    }
}

impl std::fmt::Debug for SloConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SloConfig")
            .field("sweep_seconds", &self.sweep_seconds)
            .field("label", &self.label)
            .field("slack_token", &self.slack_token.as_ref().map(|_| "***"))
            .field("slack_api_url", &self.slack_api_url)
            .field("slack_users", &self.slack_users)
            .field("channels", &self.channels.keys().map(|pool| (pool.as_str(), "***")).collect::<Vec<_>>())
            .finish()
    }
}

/// A table of the file (a value that is not a string is `None`) or the environment's line.
pub(crate) enum Pairs {
    Table(Vec<(String, Option<String>)>),
    Line(String),
}

/// Reads `[slo]`: `get` reads one setting by its name in the table, `slack_users` and `channels`
/// are the two tables as given. Errors are the reason, for the caller to name the setting.
pub(crate) fn slo_config(
    get: &dyn Fn(&str) -> Option<String>,
    slack_users: Option<Pairs>,
    channels: Option<Pairs>,
) -> Result<SloConfig, (&'static str, String)> {
    let defaults = SloConfig::default();
    let sweep_seconds = match get("sweep_seconds") {
        Some(n) => n
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=3600).contains(n))
            .ok_or(("sweep_seconds", "a number of seconds from 1 to 3600".to_string()))?,
        None => defaults.sweep_seconds,
    };
    let label = match get("label").map(|v| v.to_ascii_lowercase()) {
        None => false,
        Some(v) if v == "true" => true,
        Some(v) if v == "false" => false,
        Some(_) => return Err(("label", "true or false".into())),
    };
    let slack_token = get("slack_token");
    if slack_token.as_deref().is_some_and(|t| t.chars().any(|c| c.is_whitespace() || c.is_control())) {
        return Err(("slack_token", "not a Slack token: it holds a space or a control character".into()));
    }
    let slack_api_url = match get("slack_api_url") {
        Some(url) => {
            crate::slack::webhook_url(Some(url)).map_err(|_| ("slack_api_url", "not an http(s) URL".into()))?
        }
        None => defaults.slack_api_url,
    };
    let slack_users = entries(slack_users).map_err(|why| ("slack_users", why))?;
    let mut users = BTreeMap::new();
    for (login, id) in slack_users {
        let id = id.unwrap_or_default();
        if !login_like(&login) {
            return Err(("slack_users", format!("`{}` is not a GitHub login", shown(&login))));
        }
        if !slack_user_id(&id) {
            return Err((
                "slack_users",
                format!(
                    "the Slack user of {login} is not a Slack user id (U… or W…, as Slack shows under the profile's ⋮ > Copy member ID)"
                ),
            ));
        }
        if users.insert(login.to_ascii_lowercase(), id).is_some() {
            return Err(("slack_users", format!("{login} is given twice")));
        }
    }
    let mut routes = BTreeMap::new();
    for (pool, url) in entries(channels).map_err(|why| ("channels", why))? {
        if !login_like(&pool) {
            return Err(("channels", format!("`{}` is not a reviewer pool's name", shown(&pool))));
        }
        let https = url.as_deref().map(str::trim).and_then(|u| u.parse::<http::Uri>().ok());
        let Some(url) = https.filter(|u| u.scheme_str() == Some("https") && u.host().is_some()) else {
            return Err(("channels", format!("the channel of pool {pool} is not an https URL")));
        };
        if routes.insert(pool.clone(), url.to_string()).is_some() {
            return Err(("channels", format!("pool {pool} is given twice")));
        }
    }
    if slack_token.is_none() && !users.is_empty() {
        return Err((
            "slack_token",
            "not set, but `slack_users` is: direct messages need a Slack bot token with chat:write".into(),
        ));
    }
    Ok(SloConfig { sweep_seconds, label, slack_token, slack_api_url, slack_users: users, channels: routes })
}

/// The pairs of a table or of a line `KEY=VALUE KEY=VALUE` (spaces or commas between).
fn entries(given: Option<Pairs>) -> Result<Vec<(String, Option<String>)>, String> {
    let pairs: Vec<(String, Option<String>)> = match given {
        None => Vec::new(),
        Some(Pairs::Table(pairs)) => pairs,
        Some(Pairs::Line(line)) => line
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) => Ok((key.to_string(), Some(value.to_string()))),
                None => Err(format!("`{}` is not KEY=VALUE", shown(pair.split('/').next().unwrap_or_default()))),
            })
            .collect::<Result<_, _>>()?,
    };
    if pairs.len() > MAX_ENTRIES {
        return Err(format!("{} entries; at most {MAX_ENTRIES}", pairs.len()));
    }
    Ok(pairs.into_iter().map(|(k, v)| (k.trim().trim_start_matches('@').to_string(), v)).collect())
}

/// A GitHub login or a pool name: letters, digits, `-`, `_`, `.`.
fn login_like(text: &str) -> bool {
    !text.is_empty() && text.len() <= 100 && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// A Slack user id: `U` or `W` then capitals and digits (`U0123ABCD`).
fn slack_user_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('U' | 'W'))
        && id.len() >= 3
        && id.len() <= 32
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A key as shown in an error: short, and never a URL's secret part.
fn shown(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pairs: &[(&str, &str)]) -> Option<Pairs> {
        Some(Pairs::Table(pairs.iter().map(|(k, v)| (k.to_string(), Some(v.to_string()))).collect()))
    }

    fn read(
        settings: &[(&str, &str)],
        users: Option<Pairs>,
        channels: Option<Pairs>,
    ) -> Result<SloConfig, (&'static str, String)> {
        let settings: BTreeMap<String, String> = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        slo_config(&|name| settings.get(name).cloned(), users, channels)
    }

    #[test]
    fn without_the_table_the_defaults_send_nothing() {
        let c = read(&[], None, None).unwrap();
        assert_eq!(c, SloConfig::default());
        assert_eq!((c.sweep_seconds, c.label, c.slack_api_url.as_str()), (60, false, "https://slack.com/api"));
    }

    #[test]
    fn users_and_channels_are_read_from_tables_or_a_line_and_secrets_are_not_shown() {
        let c = read(
            &[("slack_token", "xoxb-hush"), ("label", "true"), ("sweep_seconds", "30")],
            table(&[("Alice", "U0ALICE"), ("@bob", "W0BOB")]),
            Some(Pairs::Line("backend=https://hooks.slack.com/services/T/B/hush-be, web=https://hooks.slack.com/services/T/B/hush-web".into())),
        )
        .unwrap();
        assert_eq!((c.sweep_seconds, c.label), (30, true));
        assert_eq!(
            (c.slack_user("ALICE"), c.slack_user("bob"), c.slack_user("carol")),
            (Some("U0ALICE"), Some("W0BOB"), None)
        );
        assert_eq!(c.channels.keys().collect::<Vec<_>>(), ["backend", "web"]);
        let shown = format!("{c:?}");
        assert!(!shown.contains("hush") && shown.contains("backend") && shown.contains("U0ALICE"), "{shown}");
    }

    #[test]
    fn each_bad_setting_is_refused_saying_why_without_its_secret() {
        let token = [("slack_token", "xoxb-hush")];
        for (settings, users, channels, named, why) in [
            (
                &token[..],
                table(&[("alice", "alice@acme")]),
                None,
                "slack_users",
                "the Slack user of alice is not a Slack user id",
            ),
            (&token[..], table(&[("alice", "C0CHANNEL")]), None, "slack_users", "not a Slack user id"),
            (&token[..], table(&[("a b", "U0X")]), None, "slack_users", "`a b` is not a GitHub login"),
            (&token[..], table(&[("alice", "U0A"), ("ALICE", "U0B")]), None, "slack_users", "ALICE is given twice"),
            (
                &token[..],
                None,
                table(&[("backend", "http://hooks.slack.com/hush")]),
                "channels",
                "the channel of pool backend is not an https URL",
            ),
            (&token[..], None, table(&[("backend", "hooks.slack.com/hush")]), "channels", "not an https URL"),
            (
                &token[..],
                None,
                Some(Pairs::Line("backend https://hooks.slack.com/hush".into())),
                "channels",
                "is not KEY=VALUE",
            ),
            (&[][..], table(&[("alice", "U0A")]), None, "slack_token", "not set, but `slack_users` is"),
            (&[("sweep_seconds", "0")][..], None, None, "sweep_seconds", "from 1 to 3600"),
            (&[("label", "yes")][..], None, None, "label", "true or false"),
            (&[("slack_token", "xoxb hush")][..], None, None, "slack_token", "not a Slack token"),
        ] {
            let (setting, e) = read(settings, users, channels).unwrap_err();
            assert_eq!(setting, named, "{e}");
            assert!(e.contains(why) && !e.contains("hush"), "{named}: {e}");
        }
    }
}
