//! `flowgate app setup`: GitHub's manifest flow, completed on this machine. A local page posts the
//! manifest to GitHub (with this server's `/callback` as its `redirect_url` and a random `state`);
//! GitHub creates the App and sends the browser back with a one-time code; the code is traded for
//! the App's id, private key and webhook secret, which are written to the key file and
//! `flowgate.toml` (`files`), and the run ends. Bounded: one answer is taken, the query it comes
//! with is small, and the run gives up after its timeout with nothing written.

pub mod files;
mod page;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tokio::sync::oneshot;

use crate::error::UserError;
use crate::github::manifest::{self, CreatedApp};
use crate::wording::setup as w;

/// The longest query GitHub's redirect is let in with: a code and the state are well under it.
const MAX_QUERY: usize = 1024;
/// How long the page of the last answer may take to reach the browser once the run is over.
const LAST_PAGE: Duration = Duration::from_secs(5);

/// What `flowgate app setup` was asked to do.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The App's name on GitHub (the person may change it on GitHub's page).
    pub name: String,
    /// Where GitHub is to send webhooks: the App's `/webhook` where `flowgate serve` will run.
    pub webhook_url: String,
    /// The organisation to own the App; the signed-in account when `None`.
    pub org: Option<String>,
    /// GitHub's web address (`https://github.com`, or `https://HOST` on GitHub Enterprise Server).
    pub github_url: String,
    /// GitHub's REST API, where the code is traded.
    pub api_url: String,
    /// Where this server listens; loopback unless told otherwise.
    pub listen: SocketAddr,
    pub timeout: Duration,
    pub targets: files::Targets,
}

/// The App, created and written down.
#[derive(Debug)]
pub struct Done {
    pub app_id: u64,
    pub config: PathBuf,
    pub key: PathBuf,
    /// What to tell the person, as the last page said it.
    pub summary: Vec<String>,
    /// Where the App is installed on repositories.
    pub install_url: String,
}

/// Runs the flow: checks the arguments and the files, serves the page, calls `announce` with the
/// line that says where to open it, and returns once the App's files are written, or the error
/// that ended the run.
pub async fn run(setup: Setup, announce: impl FnOnce(String)) -> Result<Done, UserError> {
    let (action, homepage) = check(&setup)?;
    setup.targets.check()?;
    let listener = tokio::net::TcpListener::bind(setup.listen)
        .await
        .map_err(|e| UserError::Config(w::cannot_listen(&setup.listen.to_string(), &e)))?;
    let address =
        listener.local_addr().map_err(|e| UserError::Config(w::cannot_listen(&setup.listen.to_string(), &e)))?;
    let state = random_state()?;
    let mut manifest = super::manifest::manifest_for(&setup.name, &homepage, &setup.webhook_url);
    manifest["redirect_url"] = format!("http://{address}/callback").into();
    let owner = w::owner(setup.org.as_deref());
    let minutes = setup.timeout.as_secs().div_ceil(60).max(1);
    let form = page::form(
        &format!("{action}?state={state}"),
        &manifest,
        &w::page_intro(&setup.name, &owner, setup.github_url.trim_end_matches('/'), &setup.webhook_url),
    );
    let (finished, outcome) = oneshot::channel();
    let flow = Arc::new(Flow { setup, address, state, form, finished: Mutex::new(Some(finished)) });
    let router = Router::new()
        .route("/", get(form_page))
        .route("/callback", get(callback))
        .with_state(flow.clone())
        .layer(axum::middleware::map_response(private));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    announce(w::open_the_page(&format!("http://{address}/"), &owner, minutes));
    let result = match tokio::time::timeout(flow.setup.timeout, outcome).await {
        Ok(Ok(result)) => result,
        // The sender lives in `flow`, held here: it is never dropped unsent.
        Ok(Err(_)) | Err(_) => Err(UserError::Usage(w::timed_out(minutes))),
    };
    let _ = stop.send(());
    // The last page is on its way to the browser: the server lets it finish, within bounds.
    let _ = tokio::time::timeout(LAST_PAGE, server).await;
    result
}

/// Checks the arguments a person gave: GitHub's page to post to, and the App's homepage (the
/// webhook URL's origin).
fn check(setup: &Setup) -> Result<(String, String), UserError> {
    let github_url = setup.github_url.trim_end_matches('/');
    if origin(github_url).is_none() {
        return Err(UserError::Usage(w::bad_github_url(&setup.github_url)));
    }
    let homepage =
        origin(&setup.webhook_url).ok_or_else(|| UserError::Usage(w::bad_webhook_url(&setup.webhook_url)))?;
    if setup.listen.ip().is_unspecified() {
        return Err(UserError::Usage(w::unroutable_listen(&setup.listen.to_string())));
    }
    let action = match &setup.org {
        Some(org) if is_login(org) => format!("{github_url}/organizations/{org}/settings/apps/new"),
        Some(org) => return Err(UserError::Usage(w::bad_org(org))),
        None => format!("{github_url}/settings/apps/new"),
    };
    Ok((action, homepage))
}

/// `scheme://host[:port]` of an http(s) URL, or `None` when it is not one.
fn origin(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    let scheme = uri.scheme_str().filter(|s| *s == "http" || *s == "https")?;
    let authority = uri.authority()?;
    (!authority.host().is_empty()).then(|| format!("{scheme}://{authority}"))
}

/// An organisation's login: letters, digits and single hyphens, not at either end.
fn is_login(org: &str) -> bool {
    (1..=39).contains(&org.len())
        && org.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !org.starts_with('-')
        && !org.ends_with('-')
        && !org.contains("--")
}

/// 128 random bits, as hex: what ties GitHub's redirect to the page this run served.
fn random_state() -> Result<String, UserError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| UserError::Config(format!("cannot draw a random state: {e}")))?;
    Ok(hex::encode(bytes))
}

struct Flow {
    setup: Setup,
    address: SocketAddr,
    state: String,
    form: String,
    /// Taken by the one redirect that is accepted; `None` after it.
    finished: Mutex<Option<oneshot::Sender<Result<Done, UserError>>>>,
}

impl Flow {
    /// Whether the request names this server as its host. On a loopback address anything else is
    /// another site's name resolving here (DNS rebinding), which must not read the state.
    fn host_is_ours(&self, headers: &HeaderMap) -> bool {
        if !self.address.ip().is_loopback() {
            return true;
        }
        let port = self.address.port();
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}"), self.address.to_string()]
            .iter()
            .any(|ours| ours.eq_ignore_ascii_case(host))
    }
}

/// Every page: never cached, never framed, no scripts.
async fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    response
}

fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

async fn form_page(State(flow): State<Arc<Flow>>, headers: HeaderMap) -> Response {
    if !flow.host_is_ours(&headers) {
        return html(StatusCode::MISDIRECTED_REQUEST, page::message(w::REFUSED_TITLE, w::WRONG_HOST));
    }
    html(StatusCode::OK, flow.form.clone())
}

#[derive(Deserialize)]
struct Redirect {
    code: Option<String>,
    state: Option<String>,
}

/// GitHub's redirect: the state must be this run's; then the code is traded, the files written,
/// and the run ends whatever the outcome, with a page that says it.
async fn callback(State(flow): State<Arc<Flow>>, headers: HeaderMap, uri: Uri) -> Response {
    let refused = |status, sentence| html(status, page::message(w::REFUSED_TITLE, sentence));
    if !flow.host_is_ours(&headers) {
        return refused(StatusCode::MISDIRECTED_REQUEST, w::WRONG_HOST);
    }
    if uri.query().map_or(0, str::len) > MAX_QUERY {
        return refused(StatusCode::URI_TOO_LONG, w::QUERY_TOO_LONG);
    }
    let Ok(Query(redirect)) = Query::<Redirect>::try_from_uri(&uri) else {
        return refused(StatusCode::BAD_REQUEST, w::STATE_MISMATCH);
    };
    if !redirect.state.as_deref().is_some_and(|s| same(s, &flow.state)) {
        tracing::warn!("a redirect to /callback with a state that is not this run's was refused");
        return refused(StatusCode::FORBIDDEN, w::STATE_MISMATCH);
    }
    let Some(code) = redirect.code.filter(|c| manifest::is_code(c)) else {
        return refused(StatusCode::BAD_REQUEST, w::NO_CODE);
    };
    let Some(finished) = flow.finished.lock().ok().and_then(|mut f| f.take()) else {
        return refused(StatusCode::CONFLICT, w::ALREADY_DONE);
    };
    let result = complete(&flow.setup, &code).await;
    let response = match &result {
        Ok(done) => html(StatusCode::OK, page::done(&done.summary, &done.install_url)),
        Err(e) => html(StatusCode::BAD_GATEWAY, page::message(w::FAILED_TITLE, &e.to_string())),
    };
    let _ = finished.send(result);
    response
}

/// Equal, in a time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Trades the code and writes the files.
async fn complete(setup: &Setup, code: &str) -> Result<Done, UserError> {
    let app: CreatedApp =
        manifest::convert(&setup.api_url, code).await.map_err(|e| UserError::github(w::conversion_failed(&e)))?;
    let (config, key) = setup.targets.write(&app, &setup.api_url)?;
    let install_url = format!("{}/installations/new", app.html_url.trim_end_matches('/'));
    tracing::info!(app_id = app.id, slug = %app.slug, "the GitHub App is created and its settings written");
    let summary = w::done(&app.name, app.id, &config, &key, &install_url);
    Ok(Done { app_id: app.id, config, key, summary, install_url })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_an_http_urls_scheme_and_authority() {
        assert_eq!(origin("https://gate.acme.dev/webhook").as_deref(), Some("https://gate.acme.dev"));
        assert_eq!(origin("http://127.0.0.1:8080/x?y").as_deref(), Some("http://127.0.0.1:8080"));
        for bad in ["gate.acme.dev/webhook", "ftp://x/", "https:///webhook", ""] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_organisation_is_a_login() {
        assert!(is_login("acme") && is_login("acme-corp-2"));
        for bad in ["", "-acme", "acme-", "ac--me", "acme/x", "acme?", &"a".repeat(40)] {
            assert!(!is_login(bad), "{bad}");
        }
    }

    fn setup(dir: &std::path::Path, timeout: Duration) -> Setup {
        Setup {
            name: "flowgate".into(),
            webhook_url: "https://gate.acme.dev/webhook".into(),
            org: None,
            github_url: "https://github.com".into(),
            api_url: "http://127.0.0.1:1".into(),
            listen: "127.0.0.1:0".parse().expect("address"),
            timeout,
            targets: files::Targets { config: dir.join("flowgate.toml"), key: dir.join("k.pem"), force: false },
        }
    }

    #[tokio::test]
    async fn without_an_answer_the_run_ends_in_time_with_nothing_written() {
        let dir = tempfile::tempdir().expect("dir");
        let mut announced = String::new();
        let started = std::time::Instant::now();
        let error = run(setup(dir.path(), Duration::from_millis(300)), |line| announced = line)
            .await
            .expect_err("nobody answered");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(announced.starts_with("Open http://127.0.0.1:"), "{announced}");
        assert!(error.to_string().starts_with("no App was created within 1 minute,"), "{error}");
        assert!(std::fs::read_dir(dir.path()).expect("dir").next().is_none());
    }

    #[tokio::test]
    async fn a_wildcard_listen_address_or_a_bad_org_is_refused_before_serving() {
        let dir = tempfile::tempdir().expect("dir");
        let mut wildcard = setup(dir.path(), Duration::from_secs(1));
        wildcard.listen = "0.0.0.0:0".parse().expect("address");
        let error = run(wildcard, |_| panic!("nothing is served")).await.expect_err("refused");
        assert!(error.to_string().contains("not a wildcard"), "{error}");
        let mut org = setup(dir.path(), Duration::from_secs(1));
        org.org = Some("acme/../x".into());
        let error = run(org, |_| panic!("nothing is served")).await.expect_err("refused");
        assert!(error.to_string().starts_with("--org"), "{error}");
    }

    #[test]
    fn states_differ_and_compare_whole() {
        let (a, b) = (random_state().expect("random"), random_state().expect("random"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(same(&a, &a.clone()) && !same(&a, &b) && !same(&a, &a[..31]));
    }
}
