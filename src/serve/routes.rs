//! The App's HTTP routes: `POST /webhook` (verify, store durably, then acknowledge), and
//! `/healthz`, `/readyz`, `/metrics` and `/digest`, which are rate limited by client address.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::events::{self, Intent};
use super::metrics::Depth;
use super::{App, now_ms, signature};
use crate::store::{Insert, NewDelivery, work_key};

/// GitHub sends payloads of up to 25 MB; axum's default limit is 2 MB.
pub const BODY_LIMIT: usize = 25 * 1024 * 1024;

struct Routes {
    app: Arc<App>,
    public: DefaultKeyedRateLimiter<IpAddr>,
}

pub fn router(app: Arc<App>) -> Router {
    let per_second = NonZeroU32::new(app.config.public_rate_limit).unwrap_or(NonZeroU32::MIN);
    let state = Arc::new(Routes { public: RateLimiter::keyed(Quota::per_second(per_second)), app });
    Router::new()
        .route("/webhook", post(webhook))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/digest", get(digest_page))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, body.into()).into_response()
}

/// Verifies the signature before reading anything, stores the delivery, and only then answers
/// 202: an acknowledged delivery is never lost. A delivery id seen before answers 200.
async fn webhook(State(routes): State<Arc<Routes>>, headers: HeaderMap, body: Bytes) -> Response {
    let app = &routes.app;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let event = header("x-github-event").unwrap_or_default().to_string();
    if !signature::verify(&app.config.webhook_secrets, &body, header("x-hub-signature-256")) {
        app.metrics.delivery(&event, "bad_signature");
        return text(
            StatusCode::UNAUTHORIZED,
            "X-Hub-Signature-256 does not match the body under any configured secret\n",
        );
    }
    if event.is_empty() {
        app.metrics.delivery(&event, "bad_request");
        return text(StatusCode::BAD_REQUEST, "no X-GitHub-Event header\n");
    }
    if event == "ping" {
        app.metrics.delivery(&event, "ignored");
        return text(StatusCode::OK, "pong\n");
    }
    let payload: events::Envelope = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            app.metrics.delivery(&event, "bad_request");
            return text(StatusCode::BAD_REQUEST, format!("the body is not JSON (truncated?): {e}\n"));
        }
    };
    let (repo, pr, installation_id) = match events::intent(&event, &payload) {
        Intent::Ignore(why) => {
            app.metrics.delivery(&event, "ignored");
            return text(StatusCode::OK, format!("ignored: {why}\n"));
        }
        Intent::Evaluate { installation_id, repo, pr } => (Some(repo), Some(pr), installation_id),
        Intent::Installation { installation_id } => (None, None, installation_id),
    };
    let Some(id) = header("x-github-delivery").filter(|d| !d.is_empty() && d.len() <= 100) else {
        app.metrics.delivery(&event, "bad_request");
        return text(StatusCode::BAD_REQUEST, "no X-GitHub-Delivery header\n");
    };
    let delivery = NewDelivery {
        id: id.to_string(),
        event: event.clone(),
        action: payload.action.clone(),
        installation_id,
        repo,
        pr,
        received_at_ms: now_ms(),
        body: body.to_vec(),
    };
    let key = work_key(&delivery);
    match app.store.insert(delivery).await {
        Ok(Insert::Stored) => {
            app.metrics.delivery(&event, "stored");
            // A woken worker whose claim finds the PR held would only have searched the queue
            // for nothing; a burst for one PR would wake one for every delivery.
            let held = app.held.lock().is_ok_and(|held| held.contains(&key));
            if !held {
                app.work.notify_one();
            }
            text(StatusCode::ACCEPTED, "stored\n")
        }
        Ok(Insert::Duplicate) => {
            app.metrics.delivery(&event, "duplicate");
            text(StatusCode::OK, "already stored\n")
        }
        Err(e) => {
            // Not acknowledged: GitHub marks the delivery failed and redelivery brings it back.
            eprintln!("flowgate: cannot store delivery {id}: {e}");
            app.metrics.delivery(&event, "store_error");
            text(StatusCode::SERVICE_UNAVAILABLE, "cannot store the delivery now\n")
        }
    }
}

/// Public routes answer 429 to an address that asks too often; `/webhook` is not limited by
/// address, so a burst of real deliveries is never dropped.
fn limited(routes: &Routes, peer: SocketAddr) -> Option<Response> {
    routes.public.check_key(&peer.ip()).is_err().then(|| text(StatusCode::TOO_MANY_REQUESTS, "slow down\n"))
}

async fn healthz(State(routes): State<Arc<Routes>>, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    limited(&routes, peer).unwrap_or_else(|| text(StatusCode::OK, "ok\n"))
}

async fn readyz(State(routes): State<Arc<Routes>>, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    if let Some(r) = limited(&routes, peer) {
        return r;
    }
    let app = &routes.app;
    if let Err(e) = app.store.ping().await {
        return text(StatusCode::SERVICE_UNAVAILABLE, format!("database unreachable: {e}\n"));
    }
    let workers = app.workers_running.load(Ordering::Relaxed);
    if workers == 0 {
        return text(StatusCode::SERVICE_UNAVAILABLE, "no worker is running\n");
    }
    text(StatusCode::OK, format!("ready: database {}, {workers} workers\n", app.store.backend()))
}

async fn metrics(State(routes): State<Arc<Routes>>, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    if let Some(r) = limited(&routes, peer) {
        return r;
    }
    let app = &routes.app;
    let depth =
        app.store.depth().await.ok().map(|d| Depth { queued: d.queued, in_progress: d.in_progress, parked: d.parked });
    let mut response = text(StatusCode::OK, app.metrics.render(depth));
    if let Ok(v) = "text/plain; version=0.0.4".parse() {
        response.headers_mut().insert(axum::http::header::CONTENT_TYPE, v);
    }
    response
}

/// The digest of the last seven days as an HTML page, computed from the stored review events.
async fn digest_page(State(routes): State<Arc<Routes>>, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    if let Some(r) = limited(&routes, peer) {
        return r;
    }
    match super::digest::latest_page(&routes.app, chrono::Utc::now()).await {
        Ok(Some(page)) => {
            let mut response = text(StatusCode::OK, page);
            if let Ok(v) = "text/html; charset=utf-8".parse() {
                response.headers_mut().insert(axum::http::header::CONTENT_TYPE, v);
            }
            response
        }
        Ok(None) => text(
            StatusCode::NOT_FOUND,
            "no review events recorded yet: the digest appears once the App has received pull request events (or after `flowgate backfill`)\n",
        ),
        Err(e) => {
            eprintln!("flowgate: cannot compute the digest: {e}");
            text(StatusCode::SERVICE_UNAVAILABLE, "cannot read the review events now\n")
        }
    }
}
