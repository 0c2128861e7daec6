//! The App's HTTP routes: `POST /webhook` (verify while the body streams in, store durably, then
//! acknowledge), and `/healthz`, `/readyz`, `/metrics` and `/digest`, which are rate limited by
//! client address.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http_body_util::BodyExt;

use super::events::{self, Intent};
use super::metrics::{BodyBytes, Depth, UNVERIFIED};
use super::{App, now_ms, signature};
use crate::store::{Insert, NewDelivery, work_key};
use crate::wording::app as answer;

/// GitHub sends payloads of up to 25 MB.
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
        .with_state(state)
        // A `request` span and a line per answer, at debug level: `RUST_LOG=tower_http=debug`.
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, body.into()).into_response()
}

/// An answer after which the connection closes: the rest of a refused body is never read.
fn closing(status: StatusCode, body: impl Into<String>) -> Response {
    let mut response = text(status, body);
    response.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    response
}

/// Refuses a request whose signature header is malformed before reading its body, reserves the
/// body's declared length in the App's body budget (503 when it is spent), hashes the body as it
/// streams in, and drops it the moment it is complete and unsigned. Only a verified delivery is
/// parsed and stored, and only then answered 202: an acknowledged delivery is never lost. A
/// delivery id seen before answers 200.
async fn webhook(State(routes): State<Arc<Routes>>, headers: HeaderMap, body: Body) -> Response {
    let app = &routes.app;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let Some(mut verifier) = signature::Verifier::new(&app.config.webhook_secrets, header("x-hub-signature-256"))
    else {
        app.metrics.delivery(UNVERIFIED, "bad_signature");
        return closing(StatusCode::UNAUTHORIZED, answer::NO_SIGNATURE);
    };
    // A chunked body has no length to reserve; GitHub always sends Content-Length.
    let Some(length) = body.size_hint().exact() else {
        app.metrics.delivery(UNVERIFIED, "bad_request");
        return closing(StatusCode::LENGTH_REQUIRED, answer::NO_LENGTH);
    };
    if length > BODY_LIMIT as u64 {
        app.metrics.delivery(UNVERIFIED, "too_large");
        return closing(StatusCode::PAYLOAD_TOO_LARGE, answer::TOO_LARGE);
    }
    let Some(_reserved) = app.body_budget.try_reserve(length) else {
        app.metrics.delivery(UNVERIFIED, "busy");
        // GitHub marks the delivery failed, and redelivery brings it back.
        return closing(StatusCode::SERVICE_UNAVAILABLE, answer::TOO_MANY_BODIES);
    };
    let body = match tokio::time::timeout(app.config.edge.body_timeout, read_body(body, length, &mut verifier)).await {
        Ok(Ok(body)) => body,
        Ok(Err(why)) => {
            app.metrics.delivery(UNVERIFIED, "bad_request");
            return closing(StatusCode::BAD_REQUEST, answer::bad_body(&why));
        }
        Err(_) => {
            app.metrics.delivery(UNVERIFIED, "timeout");
            return closing(StatusCode::REQUEST_TIMEOUT, answer::body_timeout(app.config.edge.body_timeout.as_secs()));
        }
    };
    if !verifier.finish() {
        app.metrics.delivery(UNVERIFIED, "bad_signature");
        return closing(StatusCode::UNAUTHORIZED, answer::SIGNATURE_MISMATCH);
    }
    let event = header("x-github-event").unwrap_or_default().to_string();
    if event.is_empty() {
        app.metrics.delivery(&event, "bad_request");
        return text(StatusCode::BAD_REQUEST, answer::NO_EVENT);
    }
    if event == "ping" {
        app.metrics.delivery(&event, "ignored");
        return text(StatusCode::OK, answer::PONG);
    }
    let payload: events::Envelope = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            app.metrics.delivery(&event, "bad_request");
            return text(StatusCode::BAD_REQUEST, answer::not_json(&e));
        }
    };
    let (repo, pr, installation_id) = match events::intent(&event, &payload) {
        Intent::Ignore(why) => {
            app.metrics.delivery(&event, "ignored");
            return text(StatusCode::OK, answer::ignored(answer::ignore_reason(why)));
        }
        Intent::Evaluate { installation_id, repo, pr } => (Some(repo), Some(pr), installation_id),
        Intent::Installation { installation_id } => (None, None, installation_id),
        // One unit per delivery: a group is checked on its own head commit, never with a PR's work.
        Intent::MergeGroup { installation_id, repo } => (Some(repo), None, installation_id),
        // One unit per delivery too: the worker queues the branch's open PRs as onboarding work.
        Intent::PolicyChanged { installation_id, repo, .. } => (Some(repo), None, installation_id),
    };
    let Some(id) = header("x-github-delivery").filter(|d| !d.is_empty() && d.len() <= 100) else {
        app.metrics.delivery(&event, "bad_request");
        return text(StatusCode::BAD_REQUEST, answer::NO_DELIVERY_ID);
    };
    let delivery = NewDelivery {
        id: id.to_string(),
        event: event.clone(),
        action: payload.action.clone(),
        installation_id,
        repo,
        pr,
        received_at_ms: now_ms(),
        body,
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
            text(StatusCode::ACCEPTED, answer::STORED)
        }
        Ok(Insert::Duplicate) => {
            app.metrics.delivery(&event, "duplicate");
            text(StatusCode::OK, answer::ALREADY_STORED)
        }
        Err(e) => {
            // Not acknowledged: GitHub marks the delivery failed and redelivery brings it back.
            tracing::error!(delivery = %id, error = %e, "cannot store the delivery");
            app.metrics.delivery(&event, "store_error");
            text(StatusCode::SERVICE_UNAVAILABLE, answer::CANNOT_STORE)
        }
    }
}

/// The body, exactly `length` bytes, each hashed as it arrives. Memory for it was reserved in the
/// body budget before the first byte.
async fn read_body(mut body: Body, length: u64, verifier: &mut signature::Verifier) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(length as usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| answer::body_unreadable(&e))?;
        let Ok(data) = frame.into_data() else { continue };
        if (bytes.len() + data.len()) as u64 > length {
            return Err(answer::BODY_TOO_LONG.into());
        }
        verifier.update(&data);
        bytes.extend_from_slice(&data);
    }
    if bytes.len() as u64 != length {
        return Err(answer::BODY_TOO_SHORT.into());
    }
    Ok(bytes)
}

/// Public routes answer 429 to an address that asks too often; `/webhook` is not limited by
/// address, so a burst of real deliveries is never dropped.
fn limited(routes: &Routes, peer: SocketAddr) -> Option<Response> {
    routes.public.check_key(&peer.ip()).is_err().then(|| text(StatusCode::TOO_MANY_REQUESTS, answer::SLOW_DOWN))
}

async fn healthz(State(routes): State<Arc<Routes>>, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    limited(&routes, peer).unwrap_or_else(|| text(StatusCode::OK, answer::HEALTHY))
}

async fn readyz(State(routes): State<Arc<Routes>>, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    if let Some(r) = limited(&routes, peer) {
        return r;
    }
    let app = &routes.app;
    if let Err(e) = app.store.ping().await {
        return text(StatusCode::SERVICE_UNAVAILABLE, answer::database_unreachable(&e));
    }
    let workers = app.workers_running.load(Ordering::Relaxed);
    if workers == 0 {
        return text(StatusCode::SERVICE_UNAVAILABLE, answer::NO_WORKER);
    }
    text(StatusCode::OK, answer::ready(app.store.backend(), workers))
}

async fn metrics(State(routes): State<Arc<Routes>>, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    if let Some(r) = limited(&routes, peer) {
        return r;
    }
    let app = &routes.app;
    let depth =
        app.store.depth().await.ok().map(|d| Depth { queued: d.queued, in_progress: d.in_progress, parked: d.parked });
    let body = BodyBytes {
        in_flight: app.body_budget.in_flight(),
        peak: app.body_budget.peak(),
        limit: app.body_budget.limit(),
    };
    let onboarding = app.store.onboarding_counts().await.ok();
    let rendered =
        app.metrics.render(depth, body) + &app.metrics.render_onboarding(onboarding) + &app.metrics.render_slo();
    let mut response = text(StatusCode::OK, rendered);
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
        Ok(None) => text(StatusCode::NOT_FOUND, answer::NO_EVENTS_YET),
        Err(e) => {
            tracing::error!(error = %e, "cannot compute the digest");
            text(StatusCode::SERVICE_UNAVAILABLE, answer::CANNOT_READ_EVENTS)
        }
    }
}
