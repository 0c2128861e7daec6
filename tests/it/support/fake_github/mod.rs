//! A fake GitHub that keeps state, served over real HTTP by wiremock: one repository's pull
//! requests, files, commits, reviews, label events, contents, teams, check runs, labels, branch
//! protection and rulesets. It
//! checks what GitHub checks (the token, 50 annotations a request, the summary's length, write
//! permission) and can misbehave on demand (rate limits, a 500 after creating a check run).
//!
//! This file holds the server, its state and request log, and the dispatch by API area; each
//! area answers in a file of its own (`pulls`, `issues`, `checks`, `contents`, `orgs`, `app`,
//! `protection`, `queue` for merge groups), and
//! `fixtures` holds the ready-made fakes the tests start from.

mod app;
mod checks;
mod contents;
mod fixtures;
mod issues;
mod notes;
mod orgs;
mod protection;
mod pulls;
pub mod queue;
mod remotes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

pub use fixtures::{HEAD, example_repo, hello_world, payload, reviewed_by_hubot};
pub use protection::{Ruleset, classic_protection, merge_queue_rule, required_checks_rule};
pub use remotes::RemoteRepo;

pub const TOKEN: &str = "ghp_fake_token_for_tests_0123456789";
pub const INSTALLATION_TOKEN: &str = "ghs_fake_installation_token_0123456789";

/// Everything the fake knows; tests change it between evaluations.
#[derive(Default)]
pub struct State {
    pub repo: String,
    pub pulls: HashMap<u64, Pr>,
    /// `(ref, path)` to file text.
    pub contents: HashMap<(String, String), String>,
    /// `(org, slug)` to member logins.
    pub teams: HashMap<(String, String), Vec<String>>,
    pub check_runs: Vec<CheckRun>,
    /// Whether the token may write (a fork's `pull_request` token may not).
    pub read_only: bool,
    /// Answer the next N requests with a secondary rate limit (403, `retry-after`:
    /// `rate_limit_seconds`, 1 when 0).
    pub rate_limit_next: u32,
    pub rate_limit_seconds: u64,
    /// Answer 403 to every read of a file, as GitHub does for an installation without the
    /// contents permission.
    pub contents_forbidden: bool,
    /// How long every answer takes.
    pub delay: std::time::Duration,
    /// PRs whose every request (`pulls/{n}` and below) is answered only after an hour: an
    /// evaluation of them hangs.
    pub hang_pulls: std::collections::HashSet<u64>,
    /// Answer the next N requests 502, as a proxy in front of GitHub sometimes does.
    pub bad_gateway_next: u32,
    /// Create the next N check runs, then answer 500 as if the answer were lost.
    pub fail_after_create: u32,
    /// Answer 422 to every listing of a PR's files, as GitHub does for a diff it cannot produce.
    pub files_unavailable: bool,
    /// The repository's default branch (`GET /repos/{repo}`); `main` when `None`.
    pub default_branch: Option<String>,
    /// Every request: method, path and query, and whether it was answered 304.
    pub log: Vec<Logged>,
    /// Accept App JWTs and installation tokens instead of `TOKEN`.
    pub app: Option<AppAuth>,
    /// Each PR's issue timeline, oldest first (`GET issues/{n}/timeline`).
    pub timelines: HashMap<u64, Vec<Value>>,
    /// Issues of the repository (`GET issues/{n}`), as work items with their sub-issue parent
    /// (`GET issues/{n}/parent`, 404 when `None`).
    pub issues: HashMap<u64, (Value, Option<u64>)>,
    /// The repository's labels (`name`, `color`, `description`). As on GitHub, adding a label to
    /// a PR that the repository lacks creates it, grey and without a description.
    pub labels: Vec<Value>,
    /// Refuse to create repository labels (a token without issues or pull-requests write on labels).
    pub labels_read_only: bool,
    /// GitHub's user status by login, as GraphQL's `UserStatus` (`indicatesLimitedAvailability`,
    /// `expiresAt`, `message`); a login not here has no status set.
    pub user_status: HashMap<String, Value>,
    /// Answer every GraphQL query 502, as GitHub's GraphQL API sometimes does.
    pub graphql_down: bool,
    /// Issues that are not pull requests (`GET`/`POST issues`, `PATCH issues/{n}`), by number;
    /// numbers start at 1000 so they never meet a PR's.
    pub opened_issues: std::collections::BTreeMap<u64, Value>,
    /// Merge groups' ranges by `(base sha, head sha)` (`GET compare/{base}...{head}`), built by
    /// `queue`.
    pub compares: HashMap<(String, String), Value>,
    /// The queue's branches (`refs/heads/gh-readonly-queue/...`) and the commit each points at.
    pub queue_refs: Vec<(String, String)>,
    /// Classic branch protection by branch, as `GET branches/{b}/protection` answers it; a branch
    /// not here is not protected.
    pub protection: HashMap<String, Value>,
    /// Answer 403 to the token's reads of branch protection, as GitHub does for a token without
    /// Administration: read (an installation's reads follow its `permissions`).
    pub protection_forbidden: bool,
    /// The repository's rulesets, whose active rules apply to the branches they take.
    pub rulesets: Vec<protection::Ruleset>,
    /// The repository's custom properties, as `GET properties/values` lists them
    /// (`property_name`, `value`).
    pub properties: Vec<Value>,
    /// Other repositories, by `owner/name` (a policy's remote `extends:`); any other is not found.
    pub remotes: HashMap<String, remotes::RemoteRepo>,
    /// `x-ratelimit-remaining` and `x-ratelimit-reset` (Unix seconds) on every answer, when set.
    pub rate_limit_headers: Option<(u64, u64)>,
    /// Other repositories of the same installation (an organisation's, its `.github` among them),
    /// by full name, each with a state of its own (`add_repo`, `sibling`); requests below
    /// `repos/{name}/` are answered from it, and logged here with the App's credentials.
    pub others: std::collections::BTreeMap<String, State>,
    /// The manifest flow's codes and the App each one stands for (`POST
    /// app-manifests/{code}/conversions`, which takes no credentials): each is traded once, as on
    /// GitHub, and a code not here is answered 404.
    pub manifest_codes: HashMap<String, Value>,
    /// The organisation's repositories (`GET orgs/{org}/repos`), as GitHub lists them.
    pub org_repos: Vec<Value>,
    /// The repositories the App's installation may read (`GET installation/repositories`).
    pub installation_repos: Vec<Value>,
    /// Notes refs by name (`notes/ai`), served as GitHub's git data API serves them (`put_note`).
    pub notes: std::collections::BTreeMap<String, notes::NotesRef>,
    /// Each commit's own files, as `GET commits/{sha}` lists them; a commit not here is not found.
    pub commit_files: HashMap<String, Vec<Value>>,
}

#[derive(Default)]
pub struct AppAuth {
    pub installation_id: u64,
    pub tokens_issued: u32,
    /// What `GET /app/hook/deliveries` lists, newest first.
    pub hook_deliveries: Vec<Value>,
    /// Ids asked to be redelivered.
    pub redelivered: Vec<u64>,
    /// The last JWT the App sent, for the test to check its claims.
    pub last_jwt: Option<String>,
    /// The App's id, which `GET repos/{repo}/installation` reports.
    pub app_id: u64,
    /// The installation's permissions (`checks: write`, ...) and events, as GitHub reports them.
    pub permissions: serde_json::Map<String, Value>,
    pub events: Vec<String>,
    /// The App's installations on other accounts, by account: `GET repos/{owner}/{repo}/installation`
    /// answers these for another owner's repository (404 for an account not here), and each gets
    /// tokens.
    pub accounts: HashMap<String, u64>,
    /// The organisation the App is installed on (`GET orgs/{org}/installation`); 404 for others.
    pub org: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub url: String,
    pub status: u16,
    /// When the request arrived.
    pub at: std::time::Instant,
}

#[derive(Clone, Default)]
pub struct Pr {
    pub pull: Value,
    pub files: Vec<Value>,
    pub commits: Vec<Value>,
    pub reviews: Vec<Value>,
    pub events: Vec<Value>,
    /// Comment bodies, oldest first.
    pub comments: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CheckRun {
    pub id: u64,
    pub head_sha: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub external_id: String,
    pub title: String,
    pub summary: String,
    pub annotations: Vec<Value>,
}

impl State {
    /// Another repository named `name` with this one's pull requests and files, as a sibling in
    /// its organisation; `without` names files it lacks.
    pub fn sibling(&self, name: &str, without: &[&str]) -> State {
        let contents = self
            .contents
            .iter()
            .filter(|((_, path), _)| !without.contains(&path.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()));
        let mut pulls = self.pulls.clone();
        for pr in pulls.values_mut() {
            pr.pull["base"]["repo"]["full_name"] = Value::from(name);
            pr.pull["head"]["repo"]["full_name"] = Value::from(name);
        }
        State {
            repo: name.to_string(),
            pulls,
            contents: contents.collect(),
            teams: self.teams.clone(),
            default_branch: self.default_branch.clone(),
            ..State::default()
        }
    }

    /// The repository label named `name` (GitHub compares names without case).
    pub fn label(&self, name: &str) -> Option<&Value> {
        self.labels.iter().find(|l| l["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
    }

    /// The names of the labels on a PR, in the order they were added.
    pub fn pr_labels(&mut self, number: u64) -> Vec<String> {
        let labels = self.pr(number).pull["labels"].as_array().cloned().unwrap_or_default();
        labels.iter().filter_map(|l| l["name"].as_str().map(String::from)).collect()
    }

    pub fn pr(&mut self, number: u64) -> &mut Pr {
        self.pulls.get_mut(&number).expect("the test made this PR")
    }

    /// Requests that changed something.
    pub fn writes(&self) -> Vec<&Logged> {
        self.log.iter().filter(|l| l.method != "GET").collect()
    }

    pub fn comments(&mut self, number: u64) -> Vec<String> {
        self.pr(number).comments.clone()
    }

    pub fn runs_on(&self, sha: &str) -> Vec<&CheckRun> {
        self.check_runs.iter().filter(|r| r.head_sha == sha).collect()
    }

    /// Check runs created (POSTed) in this repository and every other one, by head commit.
    pub fn runs_created_by_head(&self) -> HashMap<String, usize> {
        let mut by_head = HashMap::new();
        for run in self.check_runs.iter().chain(self.others.values().flat_map(|o| o.check_runs.iter())) {
            *by_head.entry(run.head_sha.clone()).or_default() += 1;
        }
        by_head
    }

    /// Adds repository `name` with this repository's files and teams and the given PRs.
    pub fn add_repo(&mut self, name: &str, pulls: HashMap<u64, Pr>) {
        let other = State {
            repo: name.to_string(),
            pulls,
            contents: self.contents.clone(),
            teams: self.teams.clone(),
            labels: self.labels.clone(),
            default_branch: self.default_branch.clone(),
            ..State::default()
        };
        self.others.insert(name.to_string(), other);
    }
}

pub struct FakeGitHub {
    pub server: MockServer,
    pub state: Arc<Mutex<State>>,
}

impl FakeGitHub {
    pub async fn start(repo: &str) -> FakeGitHub {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State { repo: repo.to_string(), ..State::default() }));
        Mock::given(any()).respond_with(Responder { state: state.clone(), base: server.uri() }).mount(&server).await;
        FakeGitHub { server, state }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("state"))
    }

    /// Forgets the request log, to count what the next evaluation costs.
    pub fn clear_log(&self) {
        self.with(|s| s.log.clear());
    }
}

struct Responder {
    state: Arc<Mutex<State>>,
    base: String,
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().expect("state");
        let url = match request.url.query() {
            Some(q) => format!("{}?{q}", request.url.path()),
            None => request.url.path().to_string(),
        };
        let response = route(&mut state, request, &self.base);
        let segments: Vec<&str> = request.url.path().split('/').collect();
        let hangs = segments
            .windows(2)
            .any(|w| w[0] == "pulls" && w[1].parse::<u64>().is_ok_and(|n| state.hang_pulls.contains(&n)));
        let delay = if hangs { std::time::Duration::from_secs(3600) } else { state.delay };
        let status = response.1;
        state.log.push(Logged { method: request.method.to_string(), url, status, at: std::time::Instant::now() });
        let mut template = ResponseTemplate::new(status).set_delay(delay);
        if let Some((remaining, reset)) = state.rate_limit_headers {
            template = template
                .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
                .insert_header("x-ratelimit-reset", reset.to_string().as_str());
        }
        for (k, v) in response.2 {
            template = template.insert_header(k, v.as_str());
        }
        if let Some(body) = response.0 {
            template = template.set_body_string(body);
        }
        template
    }
}

type Answer = (Option<String>, u16, Vec<(&'static str, String)>);

fn answer(status: u16, body: Value) -> Answer {
    (Some(body.to_string()), status, Vec::new())
}

fn message(status: u16, text: &str) -> Answer {
    answer(status, json!({ "message": text }))
}

fn route(state: &mut State, request: &Request, base: &str) -> Answer {
    let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let path = request.url.path().to_string();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let query: HashMap<String, String> = request.url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    let method = request.method.to_string();

    if state.rate_limit_next > 0 {
        state.rate_limit_next -= 1;
        let mut a =
            message(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.");
        a.2.push(("retry-after", state.rate_limit_seconds.max(1).to_string()));
        return a;
    }

    if state.bad_gateway_next > 0 {
        state.bad_gateway_next -= 1;
        return message(502, "Server Error");
    }

    if method == "POST" && segments.len() == 3 && segments[0] == "app-manifests" && segments[2] == "conversions" {
        return app::conversion(state, segments[1]);
    }

    // App endpoints take the App's JWT; everything else the token (or an installation token).
    let home_owner = state.repo.split('/').next().unwrap_or_default().to_string();
    if let Some(app) = &mut state.app {
        if segments.first() == Some(&"app") || path.ends_with("/installation") {
            return app::route(app, &home_owner, &method, &path, &segments, &auth);
        }
        if auth != format!("Bearer {INSTALLATION_TOKEN}") {
            return message(401, "Bad credentials");
        }
    } else if auth != format!("Bearer {TOKEN}") {
        return message(401, "Bad credentials");
    }

    if method == "POST" && path == "/graphql" {
        return orgs::graphql(state, request);
    }

    if let ["repos", owner, name, rest @ ..] = segments.as_slice()
        && let Some(other) = state.remotes.get(&format!("{owner}/{name}"))
    {
        return remotes::route(other, &method, rest, &query);
    }
    if method == "GET" && segments.len() == 3 && segments[0] == "orgs" && segments[2] == "repos" {
        return orgs::repos(state, &query, base, &path);
    }
    if method == "GET" && path == "/installation/repositories" {
        return orgs::installation_repos(state, &query, base, &path);
    }
    // Another repository of the installation: answered from its own state.
    let named: Vec<&str> = segments.iter().skip(1).take(2).copied().collect();
    if segments.first() == Some(&"repos") && named.len() == 2 {
        let name = named.join("/");
        if let Some(mut other) = state.others.remove(&name) {
            let answer = repository_route(&mut other, request, base, &path, &segments, &query, &method);
            state.others.insert(name, other);
            return answer;
        }
    }
    repository_route(state, request, base, &path, &segments, &query, &method)
}

/// A request below `repos/{repo}/` (or a team's members), after its credentials were checked.
fn repository_route(
    state: &mut State,
    request: &Request,
    base: &str,
    path: &str,
    segments: &[&str],
    query: &HashMap<String, String>,
    method: &str,
) -> Answer {
    let repo_prefix = format!("repos/{}", state.repo);
    let rest = match path.trim_start_matches('/').strip_prefix(&repo_prefix) {
        Some(rest) => rest.trim_start_matches('/').to_string(),
        None => return orgs::team_members(state, request, segments),
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let call = Call { request, method, path, query, base, parts: &parts };
    if let Some(answer) = notes::route(state, &call) {
        return answer;
    }
    match parts[0] {
        "properties" if call.method == "GET" && call.parts.get(1) == Some(&"values") => {
            answer(200, Value::from(state.properties.clone()))
        }
        "pulls" => pulls::route(state, &call),
        "issues" | "labels" => issues::route(state, &call),
        "commits" | "check-runs" => checks::route(state, &call),
        "" | "contents" => contents::route(state, &call),
        "compare" | "git" => queue::route(state, &call),
        "branches" | "rules" | "rulesets" => protection::route(state, &call),
        _ => message(404, "Not Found"),
    }
}

/// A request below `repos/{repo}/`, as the areas read it.
#[derive(Clone, Copy)]
struct Call<'a> {
    request: &'a Request,
    method: &'a str,
    /// The whole path, for `next` links.
    path: &'a str,
    query: &'a HashMap<String, String>,
    /// The server's URL, for `next` links.
    base: &'a str,
    /// The path below `repos/{repo}/`, split at `/`.
    parts: &'a [&'a str],
}

/// What GitHub answers a write with a token that may only read.
fn write_denied() -> Answer {
    message(403, "Resource not accessible by integration")
}

/// One page of `items` as `per_page` (default 30) and `page` ask, with a `next` link while more follow.
fn paged(items: &[Value], query: &HashMap<String, String>, base: &str, path: &str) -> Answer {
    let per_page: usize = query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30).max(1);
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let start = (page - 1) * per_page;
    let chunk: Vec<Value> = items.iter().skip(start).take(per_page).cloned().collect();
    let mut a = answer(200, Value::from(chunk));
    if start + per_page < items.len() {
        let mut next: Vec<String> =
            query.iter().filter(|(k, _)| *k != "page").map(|(k, v)| format!("{k}={v}")).collect();
        next.sort();
        next.push(format!("page={}", page + 1));
        a.2.push(("link", format!("<{base}{path}?{}>; rel=\"next\"", next.join("&"))));
    }
    a
}

/// Answers 304 when the client already holds this body, as GitHub does with ETags.
fn conditional(request: &Request, mut a: Answer) -> Answer {
    let body = a.0.clone().unwrap_or_default();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let etag = format!("\"{hash:016x}\"");
    if request.headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (None, 304, vec![("etag", etag)]);
    }
    a.2.push(("etag", etag));
    a
}

fn urlencoding_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
