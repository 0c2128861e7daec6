//! `flowgate serve`: the GitHub App. Deliveries are verified and stored durably before they are
//! acknowledged (`routes`), then workers take them from the store a PR at a time and gate the PR
//! against GitHub's current state (`worker`); missed deliveries are asked for again (`redeliver`);
//! the weekly digest is posted as an issue (`digest`); review SLOs remind, escalate and reassign
//! while a PR waits (`slo`). `setup` is `flowgate app setup`, which
//! creates the App through GitHub's manifest flow.

pub(crate) mod commands;
pub mod config;
pub mod digest;
mod digest_repos;
pub mod edge;
pub mod events;
pub mod manifest;
pub(crate) mod merge_group;
pub(crate) mod metrics;
pub mod onboarding;
pub(crate) mod prune;
pub mod record;
mod record_notes;
pub mod redeliver;
pub(crate) mod routes;
pub mod setup;
pub mod signature;
pub(crate) mod slo;
pub mod slo_config;
pub(crate) mod slo_notify;
pub(crate) mod slo_turn;
pub(crate) mod worker;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use tokio::sync::{Mutex, Notify, watch};

use self::config::ServeConfig;
use self::metrics::Metrics;
use crate::error::UserError;
use crate::github::parse::webhook::InstallationEvent;
use crate::github::{Credentials, GitHub, RepoName};
use crate::store::Store;

/// What the routes and workers share.
pub struct App {
    pub config: ServeConfig,
    pub store: Store,
    pub metrics: Metrics,
    /// Wakes a worker when a delivery is stored, so work starts without waiting for a poll.
    pub work: Notify,
    /// The keys (PRs) this process's workers hold. A delivery for one of them needs no worker
    /// woken: its holder, or the next claim after it, takes it.
    pub held: std::sync::Mutex<std::collections::HashSet<String>>,
    /// One client per installation, so each keeps its token, its ETags and its pacing.
    clients: Mutex<HashMap<i64, Arc<GitHub>>>,
    /// Installations looked up by repository, for payloads that do not name theirs.
    installations: Mutex<HashMap<String, i64>>,
    /// Workers running; `/readyz` is not ready without them.
    pub workers_running: std::sync::atomic::AtomicUsize,
    /// The `/digest` page last computed, and when: reused for a minute, and computed by one request
    /// at a time, so a burst of page loads costs one digest.
    pub digest_page: Mutex<Option<(std::time::Instant, String)>>,
    /// Webhook body bytes in memory at once, signed or not (`edge`).
    pub body_budget: edge::BodyBudget,
    /// Which `/flowgate` commands that post get an answer (`commands`).
    pub commands: commands::CommandLimits,
    /// Onboarding's pace and pauses (`onboarding`).
    pub onboarding: onboarding::Onboarding,
    /// The workers' handler errors, kept only under `OnHandlerError::Record` (tests).
    handler_errors: std::sync::Mutex<Vec<String>>,
}

impl App {
    pub fn new(config: ServeConfig, store: Store) -> App {
        crate::trackers::config::use_file_settings(config.trackers.0.clone());
        App {
            body_budget: edge::BodyBudget::new(config.edge.body_budget_bytes),
            onboarding: onboarding::Onboarding::new(config.onboarding),
            config,
            store,
            metrics: Metrics::default(),
            work: Notify::new(),
            held: std::sync::Mutex::new(std::collections::HashSet::new()),
            clients: Mutex::new(HashMap::new()),
            installations: Mutex::new(HashMap::new()),
            workers_running: std::sync::atomic::AtomicUsize::new(0),
            digest_page: Mutex::new(None),
            commands: commands::CommandLimits::new(),
            handler_errors: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Handling a delivery failed (`what` happened, and why): the caller logged it; kept when the
    /// configuration says so.
    pub fn handler_failed(&self, what: &str, error: &dyn std::fmt::Display) {
        if self.config.on_handler_error == config::OnHandlerError::Record {
            let mut kept = self.handler_errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            kept.push(format!("{what}: {error}"));
        }
    }

    /// The handler errors kept so far, in the order met (empty unless `OnHandlerError::Record`).
    pub fn handler_errors(&self) -> Vec<String> {
        self.handler_errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// A client acting as the App itself (JWT), for App endpoints.
    pub fn app_client(&self) -> Result<GitHub, UserError> {
        GitHub::new(&self.config.github_api_url, Credentials::App(self.config.app_key.clone()))
    }

    /// The client for an installation, made once and kept.
    pub async fn client(&self, installation_id: Option<i64>, repo: &RepoName) -> Result<(i64, Arc<GitHub>), UserError> {
        let id = match installation_id {
            Some(id) => id,
            None => {
                let key = repo.to_string();
                let known = self.installations.lock().await.get(&key).copied();
                match known {
                    Some(id) => id,
                    None => {
                        let id = self.app_client()?.installation_for(repo).await? as i64;
                        self.installations.lock().await.insert(key, id);
                        id
                    }
                }
            }
        };
        let mut clients = self.clients.lock().await;
        if let Some(gh) = clients.get(&id) {
            return Ok((id, gh.clone()));
        }
        let credentials =
            Credentials::Installation { app: self.config.app_key.clone(), installation_id: id.max(0) as u64 };
        let (reads, writes) = self.config.github_pace;
        let gh = Arc::new(GitHub::new(&self.config.github_api_url, credentials)?.with_pace(reads, writes));
        clients.insert(id, gh.clone());
        Ok((id, gh))
    }
}

impl App {
    /// Keeps the repository-to-installation map current from `installation` and
    /// `installation_repositories` events, and forgets an uninstalled installation's client.
    pub async fn installation_changed(&self, event: &str, change: &InstallationEvent) {
        let id = change.installation.id;
        if event == "installation" && matches!(change.action.as_str(), "created" | "new_permissions_accepted") {
            installation_check(change);
        }
        let mut map = self.installations.lock().await;
        match (event, change.action.as_str()) {
            ("installation", "deleted" | "suspend") => {
                map.retain(|_, i| *i != id);
                self.clients.lock().await.remove(&id);
            }
            ("installation", _) => map.extend(change.added().into_iter().map(|r| (r, id))),
            ("installation_repositories", _) => {
                map.extend(change.added().into_iter().map(|r| (r, id)));
                for gone in change.removed() {
                    map.remove(&gone);
                }
            }
            _ => {}
        }
    }

    /// The installation the App knows for a repository, if any.
    pub async fn installation_of(&self, repo: &str) -> Option<i64> {
        self.installations.lock().await.get(repo).copied()
    }
}

/// Says in the log, when an installation is made or accepts new permissions, what it lacks of
/// what the manifest asks for (a merge queue stalls without `merge_queues` and `merge_group`):
/// `flowgate doctor`'s judgement of the App, on what the delivery itself reports.
fn installation_check(change: &InstallationEvent) {
    let (Some(permissions), Some(events)) = (&change.installation.permissions, &change.installation.events) else {
        return;
    };
    let installation =
        crate::doctor::Installation { app_id: None, permissions: permissions.clone(), events: events.clone() };
    let mut findings = Vec::new();
    crate::doctor::judge_app(&crate::doctor::AppFacts::Read(installation), &manifest::needs(), &mut findings);
    for finding in &findings {
        let line = crate::wording::doctor::line(finding);
        match crate::doctor::outcome(std::slice::from_ref(finding)) {
            crate::doctor::Outcome::Ready => tracing::info!(installation = change.installation.id, "{line}"),
            _ => tracing::warn!(installation = change.installation.id, "{line}"),
        }
    }
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Runs the server until `shutdown` turns true (SIGTERM or Ctrl-C in `flowgate serve`): stops
/// taking deliveries, lets workers finish or release what they hold, then returns.
pub async fn run(config: ServeConfig, shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (FLOWGATE_LISTEN)", config.listen))?;
    let app = Arc::new(App::new(config, store));
    serve_on(app, listener, shutdown).await
}

/// Serves on a bound listener (tests bind port 0 and read the address first).
pub async fn serve_on(
    app: Arc<App>,
    listener: tokio::net::TcpListener,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let mut workers = Vec::new();
    for n in 0..app.config.workers {
        let name = format!("{}-{}-{}-{n}", hostname(), std::process::id(), incarnation());
        workers.push(tokio::spawn(worker::run(app.clone(), name, shutdown.clone())));
    }
    let redelivery = tokio::spawn(redeliver::run(app.clone(), shutdown.clone()));
    let pruning = tokio::spawn(prune::run(app.clone(), shutdown.clone()));
    let claimant = format!("{}-{}-{}", hostname(), std::process::id(), incarnation());
    let digests = tokio::spawn(digest::run(app.clone(), claimant, shutdown.clone()));
    let slo_sweeps = tokio::spawn(slo::run(app.clone(), shutdown.clone()));
    let router = routes::router(app.clone());
    let result = edge::serve(app.clone(), listener, router, shutdown.clone()).await;
    for w in workers {
        let _ = w.await;
    }
    redelivery.abort();
    pruning.abort();
    digests.abort();
    slo_sweeps.abort();
    result.map_err(Into::into)
}

/// Distinguishes this start from any other process that could share host name and pid (two
/// containers both running as pid 1): a lease belongs to a worker name.
fn incarnation() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{:x}", (nanos as u64) ^ ((nanos >> 64) as u64))
}

/// The machine's name, for worker names in logs: `$HOSTNAME`, else the kernel's.
fn hostname() -> String {
    if let Some(h) = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()) {
        return h;
    }
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "flowgate".into())
}
