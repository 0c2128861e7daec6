//! The App's TCP edge: the limits every connection lives under (a cap on open connections, a
//! header-read timeout, an idle timeout) and the budget of webhook body bytes held in memory at once.
//!
//! The App accepts connections itself and serves each with hyper's HTTP/1 connection rather than
//! `axum::serve` or a tower layer: the header timeout has to run before any request exists (a tower
//! layer only ever sees complete heads, so a slowloris client never reaches it), and the cap has to
//! stop accepting rather than accept and answer, so that a flood waits in the kernel's listen
//! backlog and costs no file descriptor. GitHub delivers webhooks over HTTP/1.1; HTTP/2 is not served.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit, watch};
use tower::ServiceExt;

use super::App;
use crate::error::UserError;

/// The connection and body limits, from `flowgate.toml` or `FLOWGATE_*` (see `config`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeLimits {
    /// Connections open at once; past it, new ones wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// From the moment the server waits for a request (a new connection, or the previous answer
    /// sent) to the end of its headers.
    pub header_timeout: Duration,
    /// From the end of a webhook's headers to the end of its body.
    pub body_timeout: Duration,
    /// A connection with no request being handled and no byte moving either way is closed.
    pub idle_timeout: Duration,
    /// Webhook body bytes held in memory at once, over all connections, signed or not.
    pub body_budget_bytes: u32,
}

impl Default for EdgeLimits {
    fn default() -> EdgeLimits {
        EdgeLimits {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(30),
            body_budget_bytes: 64 * 1024 * 1024,
        }
    }
}

/// How often a connection looks at its idle clock; coarse on purpose, it costs a wake-up.
fn idle_tick(idle: Duration) -> Duration {
    (idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(5))
}

/// The webhook body bytes that may be in memory at once. A body reserves its declared length
/// before a byte of it is read, so memory stays bounded whatever the signature turns out to be.
pub struct BodyBudget {
    bytes: Semaphore,
    limit: u32,
    peak: AtomicU64,
}

impl BodyBudget {
    pub fn new(limit: u32) -> BodyBudget {
        BodyBudget { bytes: Semaphore::new(limit as usize), limit, peak: AtomicU64::new(0) }
    }

    /// Reserves `length` bytes now, or `None` when the budget cannot hold them at the moment.
    pub fn try_reserve(&self, length: u64) -> Option<SemaphorePermit<'_>> {
        let permit = self.bytes.try_acquire_many(u32::try_from(length).ok()?).ok()?;
        self.peak.fetch_max(self.in_flight(), Ordering::Relaxed);
        Some(permit)
    }

    pub fn in_flight(&self) -> u64 {
        u64::from(self.limit).saturating_sub(self.bytes.available_permits() as u64)
    }

    /// The most ever reserved at once since start.
    pub fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    pub fn limit(&self) -> u64 {
        u64::from(self.limit)
    }
}

/// Accepts connections until `shutdown`, then lets open ones finish their request and close.
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), UserError> {
    let limits = app.config.edge.clone();
    if let Some(files) = open_file_limit().filter(|files| *files < limits.max_connections as u64 + SPARE_FILES) {
        tracing::warn!(
            "the open-file limit is {files}, too few for FLOWGATE_MAX_CONNECTIONS={} plus {SPARE_FILES} for the database and clients: raise LimitNOFILE (docs/security.md) or lower max_connections",
            limits.max_connections
        );
    }
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut said_full: Option<Instant> = None;
    let mut said_accept_error: Option<Instant> = None;
    let once_a_minute = |said: &mut Option<Instant>| {
        let due = said.is_none_or(|t| t.elapsed() >= Duration::from_secs(60));
        if due {
            *said = Some(Instant::now());
        }
        due
    };
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                app.metrics.connection_cap_reached();
                if once_a_minute(&mut said_full) {
                    tracing::warn!(
                        "{} connections are open, the most FLOWGATE_MAX_CONNECTIONS allows: new connections wait in the listen backlog until one closes",
                        limits.max_connections
                    );
                }
                tokio::select! {
                    slot = slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                    _ = stopped(&mut shutdown) => break,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, most often: wait for some to close instead of spinning.
                    if once_a_minute(&mut said_accept_error) {
                        tracing::error!("cannot accept a connection: {e} (see LimitNOFILE in docs/security.md)");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopped(&mut shutdown) => break,
        };
        tokio::spawn(connection(app.clone(), stream, peer, router.clone(), slot, shutdown.clone()));
    }
    // Every slot back means every connection closed; each was told to close after its request.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let grace = limits.header_timeout + limits.body_timeout + limits.idle_timeout;
    let _ = tokio::time::timeout(grace, slots.acquire_many(all)).await;
    Ok(())
}

/// Descriptors besides connections: the database pool, GitHub and tracker clients, SQLite's files.
const SPARE_FILES: u64 = 256;

/// The process's soft limit on open files, where the system says (Linux's `/proc/self/limits`).
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Resolves once shutdown is asked for (or its sender is gone). The watch's guard is dropped
/// inside, so the futures that wait on it stay `Send`.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|s| *s).await;
}

/// Serves one connection until the client closes it, a timeout closes it, or shutdown.
async fn connection(
    app: Arc<App>,
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    _slot: OwnedSemaphorePermit,
    mut shutdown: watch::Receiver<bool>,
) {
    let limits = &app.config.edge;
    let _open = app.metrics.connection_opened();
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched { inner: stream, activity: activity.clone() });
    let in_service = activity.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let router = router.clone();
        let busy = in_service.busy();
        async move {
            let response = router.oneshot(request).await;
            drop(busy);
            response
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let conn = http.serve_connection(io, service);
    tokio::pin!(conn);
    let mut tick = tokio::time::interval(idle_tick(limits.idle_timeout));
    let mut closing = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            _ = tick.tick() => {
                // Dropping the connection closes it: a client that neither sends nor reads (a slow
                // reader of its own answer, or one that just holds the socket) loses it.
                if activity.idle_for() >= limits.idle_timeout {
                    break;
                }
            }
            _ = stopped(&mut shutdown), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
        }
    }
}

/// When bytes last moved on a connection, and whether a request is being handled on it.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    handling: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity { start: Instant::now(), last_ms: AtomicU64::new(0), handling: AtomicUsize::new(0) }
    }

    fn moved(&self) {
        self.last_ms.store(self.start.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        if self.handling.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        let now = self.start.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::Relaxed)))
    }

    fn busy(self: &Arc<Activity>) -> Busy {
        self.handling.fetch_add(1, Ordering::Relaxed);
        Busy(self.clone())
    }
}

/// A request in the handler: its connection is not idle, however long the handler takes.
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.moved();
        self.0.handling.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A socket that notes when bytes move, for the idle timeout.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.moved();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.moved();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.moved();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_open_file_limit_is_read_where_the_system_says() {
        if std::path::Path::new("/proc/self/limits").exists() {
            assert!(super::open_file_limit().is_some_and(|n| n > 0));
        }
    }
}
