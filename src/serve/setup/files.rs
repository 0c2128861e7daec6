//! The two files `flowgate app setup` writes once GitHub has created the App: its private key and
//! `flowgate.toml`, each readable and writable by its owner only (0600), neither replacing a file
//! that exists unless asked to.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::UserError;
use crate::github::DEFAULT_API_URL;
use crate::github::manifest::CreatedApp;
use crate::wording::setup as w;

/// Where the settings and the key go, and whether files there may be replaced.
#[derive(Debug, Clone)]
pub struct Targets {
    pub config: PathBuf,
    pub key: PathBuf,
    pub force: bool,
}

/// `flowgate.toml` as `flowgate serve` reads it (`serve::config`).
#[derive(Serialize)]
struct Settings<'a> {
    app_id: u64,
    app_private_key_path: &'a str,
    webhook_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    github_api_url: Option<&'a str>,
}

impl Targets {
    /// Refuses, before anything is asked of GitHub, targets that would replace a file without
    /// `force`, or that are one file.
    pub fn check(&self) -> Result<(), UserError> {
        if absolute(&self.config) == absolute(&self.key) {
            return Err(UserError::Usage(w::same_file(&self.config)));
        }
        let existing: Vec<&Path> =
            [self.key.as_path(), self.config.as_path()].into_iter().filter(|p| p.symlink_metadata().is_ok()).collect();
        if !self.force && !existing.is_empty() {
            return Err(UserError::Usage(w::would_overwrite(&existing)));
        }
        Ok(())
    }

    /// Writes the key, then the settings that name it by its absolute path (so `flowgate serve`
    /// finds it from any directory); both absolute paths on success.
    pub fn write(&self, app: &CreatedApp, api_url: &str) -> Result<(PathBuf, PathBuf), UserError> {
        let key = absolute(&self.key);
        let config = absolute(&self.config);
        let key_text = key.to_string_lossy().into_owned();
        let api_url = api_url.trim_end_matches('/');
        let settings = Settings {
            app_id: app.id,
            app_private_key_path: &key_text,
            webhook_secret: app.webhook_secret.expose(),
            github_api_url: (api_url != DEFAULT_API_URL).then_some(api_url),
        };
        let cannot = |path: &Path, e: &dyn std::fmt::Display| UserError::Config(w::cannot_write(&app.name, path, e));
        let toml = toml::to_string(&settings).map_err(|e| cannot(&config, &e))?;
        let header = format!("# The GitHub App {} ({}), written by flowgate app setup.\n", app.slug, app.html_url);
        write_private(&key, app.pem.expose().as_bytes(), self.force).map_err(|e| cannot(&key, &e))?;
        write_private(&config, format!("{header}{toml}").as_bytes(), self.force).map_err(|e| cannot(&config, &e))?;
        Ok((config, key))
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Creates `path` with owner-only permissions (or, with `replace`, truncates it and takes its
/// permissions down to those), so the secret is never readable by others, not even for a moment.
fn write_private(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(bytes)?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> CreatedApp {
        serde_json::from_value(serde_json::json!({
            "id": 42, "slug": "acme-flowgate", "name": "acme flowgate", "html_url": "https://github.com/apps/acme-flowgate",
            "pem": "-----BEGIN RSA PRIVATE KEY-----\nkey\n-----END RSA PRIVATE KEY-----\n", "webhook_secret": "hush \"quoted\""
        }))
        .expect("an app")
    }

    #[test]
    fn the_settings_name_the_key_and_quote_the_secret() {
        let dir = tempfile::tempdir().expect("dir");
        let targets = Targets { config: dir.path().join("flowgate.toml"), key: dir.path().join("k.pem"), force: false };
        targets.check().expect("nothing there yet");
        let (config, key) = targets.write(&app(), "https://ghe.acme.dev/api/v3/").expect("written");
        let text = std::fs::read_to_string(&config).expect("config");
        let parsed: toml::Table = text.parse().expect("TOML");
        assert_eq!(parsed["app_id"].as_integer(), Some(42));
        assert_eq!(parsed["webhook_secret"].as_str(), Some("hush \"quoted\""));
        assert_eq!(parsed["app_private_key_path"].as_str(), Some(key.to_str().expect("utf-8")));
        assert_eq!(parsed["github_api_url"].as_str(), Some("https://ghe.acme.dev/api/v3"));
        assert!(std::fs::read_to_string(&key).expect("key").starts_with("-----BEGIN RSA PRIVATE KEY-----"));

        let (config, _) =
            Targets { config: dir.path().join("dotcom.toml"), key: dir.path().join("d.pem"), force: false }
                .write(&app(), DEFAULT_API_URL)
                .expect("written");
        assert!(
            !std::fs::read_to_string(config).expect("config").contains("github_api_url"),
            "the default is left out"
        );
    }

    #[test]
    fn existing_files_are_named_and_kept_unless_forced() {
        let dir = tempfile::tempdir().expect("dir");
        let config = dir.path().join("flowgate.toml");
        std::fs::write(&config, "app_id = 1\n").expect("an old config");
        let targets = Targets { config: config.clone(), key: dir.path().join("k.pem"), force: false };
        let refused = targets.check().expect_err("it exists").to_string();
        assert!(refused.contains("flowgate.toml already exists") && refused.contains("--force"), "{refused}");
        assert!(targets.write(&app(), DEFAULT_API_URL).is_err(), "even when the check is skipped");
        assert_eq!(std::fs::read_to_string(&config).expect("config"), "app_id = 1\n");

        let forced = Targets { force: true, ..targets };
        forced.check().expect("--force");
        forced.write(&app(), DEFAULT_API_URL).expect("replaced");
        assert!(std::fs::read_to_string(&config).expect("config").contains("app_id = 42"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&config).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "a replaced file is owner-only too");
        }
    }

    #[test]
    fn the_settings_and_the_key_cannot_share_a_file() {
        let targets = Targets { config: "same.pem".into(), key: "./same.pem".into(), force: true };
        assert!(targets.check().expect_err("one file").to_string().contains("both name"));
    }
}
