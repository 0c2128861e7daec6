//! Missed deliveries: GitHub does not retry a failed delivery by itself. At start-up and every
//! few minutes, list the App's recent deliveries and ask GitHub to send again each one that
//! failed and that flowgate never stored.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use http::Method;
use tokio::sync::watch;

use super::{App, now_ms};
use crate::github::parse::shapes::HookDeliveryJson;

pub(crate) const EVERY: Duration = Duration::from_secs(5 * 60);
/// GitHub keeps deliveries for three days; look back at most this far.
const WINDOW_MS: i64 = 3 * 24 * 3600 * 1000;
const MAX_PAGES: u32 = 10;

pub async fn run(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    loop {
        match redeliver_missed(&app).await {
            Ok(n) if n > 0 => tracing::info!("asked GitHub to redeliver {n} missed deliveries"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = format!("{e:#}"), "cannot check for missed deliveries"),
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

/// One pass; returns how many redeliveries were asked for.
pub async fn redeliver_missed(app: &App) -> anyhow::Result<usize> {
    let gh = app.app_client()?;
    let newest = app.store.newest_received_at().await.context("reading the newest stored delivery")?;
    // A little before the newest stored delivery: deliveries may be stored out of order.
    let since_ms = newest.map_or(now_ms() - WINDOW_MS, |n| n - 15 * 60 * 1000).max(now_ms() - WINDOW_MS);
    let mut path = "/app/hook/deliveries?per_page=100".to_string();
    let mut succeeded: HashSet<String> = HashSet::new();
    let mut failed: Vec<(u64, String)> = Vec::new();
    for _ in 0..MAX_PAGES {
        let answer = gh.send_as_app(Method::GET, &path, None).await?;
        if !answer.status.is_success() {
            return Err(crate::github::client::failure("GET", &path, &answer).into());
        }
        let list: Vec<HookDeliveryJson> = crate::github::parse::one(&answer.body).map_err(|e| {
            crate::github::error::Error::bad_answer(format!("GET {path}: not a list of deliveries: {e}"))
        })?;
        let mut older = false;
        for d in list {
            if crate::github::parse::time(d.delivered_at.as_deref()).is_some_and(|t| t.timestamp_millis() < since_ms) {
                older = true;
                continue;
            }
            if (200..300).contains(&d.status_code.unwrap_or(0)) {
                succeeded.insert(d.guid);
            } else {
                failed.push((d.id, d.guid));
            }
        }
        // Newest first: once a page reaches past the window, the rest is older still.
        let next = answer
            .headers
            .get(http::header::LINK)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.split(',').find(|p| p.contains("rel=\"next\"")))
            .and_then(|p| p.split(['<', '>']).nth(1))
            .and_then(|url| url.find("/app/hook/deliveries").map(|i| url[i..].to_string()));
        match next {
            Some(n) if !older => path = n,
            _ => break,
        }
    }
    let mut asked = HashSet::new();
    for (id, guid) in failed {
        if succeeded.contains(&guid) || asked.contains(&guid) {
            continue;
        }
        if app.store.contains(&guid).await.with_context(|| format!("looking for delivery {guid}"))? {
            continue;
        }
        let path = format!("/app/hook/deliveries/{id}/attempts");
        let answer = gh.send_as_app(Method::POST, &path, None).await?;
        if !answer.status.is_success() {
            return Err(crate::github::client::failure("POST", &path, &answer).into());
        }
        asked.insert(guid);
    }
    Ok(asked.len())
}
