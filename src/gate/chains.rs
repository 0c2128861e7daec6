//! Asking the trackers before the engine judges: the keys a PR's tier needs traced
//! ([`crate::policy::evaluate::needs`]) are looked up (Story -> ... -> OKR) and put in the PR's
//! facts, so the PR is evaluated once, with them.

use std::sync::{Arc, Mutex};

use super::Error;
use crate::model::PrFacts;
use crate::policy::Policy;
use crate::policy::evaluate::needs;
use crate::trackers::config::Trackers;
use crate::trackers::github::GitHubIssues;

/// Looks up the chains of `keys` (the ones the PR's evaluation needs) into `facts.chains`; nothing
/// when there are none or the policy has no chain rules. Tracker failures become facts (an
/// unanswered lookup), which the evaluation turns into pending or fail as the policy says, never
/// an error here. `github` reads GitHub Issues (an App installation's client) in place of the
/// shared one.
pub async fn gather(
    facts: &mut PrFacts,
    policy: &Policy,
    keys: &[(crate::policy::linkage::keys::Tracker, String)],
    trackers: &Trackers,
    github: Option<&GitHubIssues>,
) {
    let Some(rules) = policy.linkage.chain.as_ref().filter(|_| !keys.is_empty()) else { return };
    facts.chains = trackers.chains_using(keys, &rules.levels, github).await;
}

/// The trackers configured in the environment, with GitHub Issues at `github_api_url`.
pub fn trackers_from_env(github_api_url: &str, github_token: Option<&str>) -> Result<Trackers, Error> {
    Trackers::from_env(github_api_url, github_token).map_err(Error::Trackers)
}

/// The trackers for `github_api_url` and `github_token`, kept for the life of the process so that
/// the App's evaluations share one cache and one pace per tracker. Call it from one long-lived
/// runtime: the clients' pooled connections belong to the runtime that opened them.
pub(crate) fn shared_trackers(github_api_url: &str, github_token: Option<&str>) -> Result<Arc<Trackers>, Error> {
    type Shared = Option<(String, Option<String>, Arc<Trackers>)>;
    static SHARED: Mutex<Shared> = Mutex::new(None);
    let mut shared = SHARED.lock().map_err(|_| Error::Poisoned)?;
    if let Some((url, token, trackers)) = shared.as_ref()
        && url == github_api_url
        && token.as_deref() == github_token
    {
        return Ok(trackers.clone());
    }
    let trackers = Arc::new(trackers_from_env(github_api_url, github_token)?);
    *shared = Some((github_api_url.to_string(), github_token.map(String::from), trackers.clone()));
    Ok(trackers)
}

/// For the synchronous surfaces (a snapshot, local git): gathers the chains the PR's evaluation
/// needs with GitHub at `GITHUB_API_URL` and `GITHUB_TOKEN` from the environment, on the caller's
/// runtime when it has entered one whose worker threads drive it (the binary enters its one
/// runtime for the whole command), else on a small runtime of its own. Like any `block_on`, it
/// must not be called from async code.
pub fn gather_blocking(facts: &mut PrFacts, policy: &Policy) -> Result<(), Error> {
    let keys = needs(facts, policy).keys;
    if keys.is_empty() {
        return Ok(());
    }
    let api_url = std::env::var("GITHUB_API_URL").unwrap_or_else(|_| crate::github::DEFAULT_API_URL.to_string());
    let token = std::env::var("GITHUB_TOKEN").ok();
    block_on(async {
        let trackers = trackers_from_env(&api_url, token.as_deref())?;
        gather(facts, policy, &keys, &trackers, None).await;
        Ok(())
    })
}

/// Runs `work` on the runtime the caller has entered when worker threads drive it, else on a
/// small runtime of its own. A current-thread runtime is driven only by its own `block_on`, so
/// only a multi-thread one can be borrowed from outside it.
fn block_on<T>(work: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => handle.block_on(work),
        _ => tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Error::Runtime)?.block_on(work),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The name of a thread that a task spawned by `block_on`'s work runs on.
    fn spawned_on() -> String {
        block_on(async {
            let name = tokio::spawn(async { std::thread::current().name().unwrap_or_default().to_string() });
            Ok(name.await.expect("the spawned task finishes"))
        })
        .expect("the work runs")
    }

    #[test]
    fn blocking_work_runs_on_the_entered_multi_thread_runtime() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("entered-runtime")
            .build()
            .expect("a runtime");
        let _current = runtime.enter();
        assert_eq!(spawned_on(), "entered-runtime");
    }

    #[test]
    fn blocking_work_has_a_runtime_of_its_own_otherwise() {
        let outside = spawned_on();
        assert_ne!(outside, "entered-runtime");
        let current_thread = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
        let _current = current_thread.enter();
        assert_eq!(spawned_on(), outside, "a current-thread runtime is not borrowed from outside it");
    }
}
