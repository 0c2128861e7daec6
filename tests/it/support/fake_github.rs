//! A fake GitHub that keeps state, served over real HTTP by wiremock: one repository's pull
//! requests, files, commits, reviews, label events, contents, teams, check runs and labels. It
//! checks what GitHub checks (the token, 50 annotations a request, the summary's length, write
//! permission) and can misbehave on demand (rate limits, a 500 after creating a check run).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

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

    // App endpoints take the App's JWT; everything else the token (or an installation token).
    if let Some(app) = &mut state.app {
        if segments.first() == Some(&"app") || path.ends_with("/installation") {
            let jwt = auth.strip_prefix("Bearer ").unwrap_or_default();
            if jwt.split('.').count() != 3 {
                return message(401, "A JSON web token could not be decoded");
            }
            app.last_jwt = Some(jwt.to_string());
            if method == "POST" && segments.len() == 4 && segments[3] == "access_tokens" {
                if segments[2] != app.installation_id.to_string() {
                    return message(404, "Not Found");
                }
                app.tokens_issued += 1;
                let expires = chrono_like_in_an_hour();
                return answer(201, json!({ "token": INSTALLATION_TOKEN, "expires_at": expires }));
            }
            if method == "GET" && path == "/app/hook/deliveries" {
                return answer(200, Value::from(app.hook_deliveries.clone()));
            }
            if method == "POST" && segments.len() == 5 && segments[1] == "hook" && segments[4] == "attempts" {
                return match segments[3].parse() {
                    Ok(id) => {
                        app.redelivered.push(id);
                        answer(202, json!({}))
                    }
                    Err(_) => message(404, "Not Found"),
                };
            }
            return answer(200, json!({ "id": app.installation_id }));
        }
        if auth != format!("Bearer {INSTALLATION_TOKEN}") {
            return message(401, "Bad credentials");
        }
    } else if auth != format!("Bearer {TOKEN}") {
        return message(401, "Bad credentials");
    }

    if method == "POST" && path == "/graphql" {
        return graphql(state, request);
    }

    let repo_prefix = format!("repos/{}", state.repo);
    let rest = match path.trim_start_matches('/').strip_prefix(&repo_prefix) {
        Some(rest) => rest.trim_start_matches('/').to_string(),
        None => {
            // /orgs/{org}/teams/{slug}/members
            if segments.len() == 5 && segments[0] == "orgs" && segments[2] == "teams" && segments[4] == "members" {
                return match state.teams.get(&(segments[1].to_string(), segments[3].to_string())) {
                    Some(members) => {
                        let list: Vec<Value> = members.iter().map(|m| json!({ "login": m, "type": "User" })).collect();
                        conditional(request, answer(200, Value::from(list)))
                    }
                    None => message(404, "Not Found"),
                };
            }
            return message(404, "Not Found");
        }
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let write_denied = || message(403, "Resource not accessible by integration");

    match (method.as_str(), parts.as_slice()) {
        ("GET", ["issues", n]) if n.parse().ok().is_some_and(|n: u64| state.issues.contains_key(&n)) => {
            let issue = n.parse().ok().and_then(|n: u64| state.issues.get(&n)).map(|(i, _)| i.clone());
            conditional(request, answer(200, issue.unwrap_or_default()))
        }
        ("GET", ["issues", n, "parent"]) => {
            let parent = n.parse().ok().and_then(|n: u64| state.issues.get(&n)).and_then(|(_, p)| *p);
            match parent.and_then(|p| state.issues.get(&p)) {
                Some((issue, _)) => conditional(request, answer(200, issue.clone())),
                None => message(404, "Not Found"),
            }
        }
        ("GET", ["issues"]) => {
            // Newest first, filtered by every label named, open ones unless `state=all`.
            let labels: Vec<&str> = query.get("labels").map(|l| l.split(',').collect()).unwrap_or_default();
            let all = query.get("state").map(String::as_str) == Some("all");
            let found: Vec<Value> = state
                .opened_issues
                .values()
                .rev()
                .filter(|i| all || i["state"] == "open")
                .filter(|i| {
                    labels.iter().all(|l| {
                        i["labels"].as_array().is_some_and(|ls| ls.iter().any(|x| x["name"].as_str() == Some(l)))
                    })
                })
                .cloned()
                .collect();
            paged(&found, &query, base, &path)
        }
        ("POST", ["issues"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let Some(title) = body["title"].as_str().filter(|t| !t.is_empty()) else {
                return message(422, "title is required");
            };
            let number = 1000 + state.opened_issues.len() as u64;
            let labels: Vec<Value> = body["labels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str())
                .map(|l| json!({ "name": l }))
                .collect();
            let issue =
                json!({ "number": number, "title": title, "body": body["body"], "state": "open", "labels": labels });
            state.opened_issues.insert(number, issue.clone());
            answer(201, issue)
        }
        ("PATCH", ["issues", n]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            match n.parse().ok().and_then(|n: u64| state.opened_issues.get_mut(&n)) {
                Some(issue) => {
                    for key in ["title", "body", "state"] {
                        if !body[key].is_null() {
                            issue[key] = body[key].clone();
                        }
                    }
                    answer(200, issue.clone())
                }
                None => message(404, "Not Found"),
            }
        }
        ("GET", ["pulls", n]) => match n.parse().ok().and_then(|n: u64| state.pulls.get(&n)) {
            Some(pr) => conditional(request, answer(200, pr.pull.clone())),
            None => message(404, "Not Found"),
        },
        ("GET", ["pulls", n, list @ ("files" | "commits" | "reviews")]) | ("GET", ["issues", n, list @ "events"]) => {
            let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get(&n)) else {
                return message(404, "Not Found");
            };
            if *list == "files" && state.files_unavailable {
                return message(422, "Server Error: Sorry, this diff is taking too long to generate.");
            }
            let (items, cap) = match *list {
                "files" => (&pr.files, 3000),
                "commits" => (&pr.commits, 250),
                "reviews" => (&pr.reviews, usize::MAX),
                _ => (&pr.events, usize::MAX),
            };
            let per_page: usize = query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
            let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let listed = items.len().min(cap);
            let start = (page - 1) * per_page;
            let chunk: Vec<Value> = items.iter().take(listed).skip(start).take(per_page).cloned().collect();
            let mut a = answer(200, Value::from(chunk));
            if start + per_page < listed {
                a.2.push(("link", format!("<{base}{path}?per_page={per_page}&page={}>; rel=\"next\"", page + 1)));
            }
            conditional(request, a)
        }
        ("GET", [""]) => {
            let branch = state.default_branch.clone().unwrap_or_else(|| "main".into());
            conditional(request, answer(200, json!({ "full_name": state.repo, "default_branch": branch })))
        }
        ("GET", ["contents", _]) if state.contents_forbidden => message(403, "Resource not accessible by integration"),
        ("GET", ["contents", file]) => {
            let file = urlencoding_decode(file);
            let reference = query.get("ref").cloned().unwrap_or_else(|| "main".into());
            match state.contents.get(&(reference, file)) {
                Some(text) => conditional(request, (Some(text.clone()), 200, Vec::new())),
                None => message(404, "Not Found"),
            }
        }
        ("GET", ["commits", sha, "check-runs"]) => {
            let name = query.get("check_name").cloned();
            let runs: Vec<Value> = state
                .check_runs
                .iter()
                .rev()
                .filter(|r| r.head_sha == *sha && name.as_deref().is_none_or(|n| n == "flowgate"))
                .map(|r| json!({ "id": r.id, "name": "flowgate", "head_sha": r.head_sha, "status": r.status, "external_id": r.external_id }))
                .collect();
            answer(200, json!({ "total_count": runs.len(), "check_runs": runs }))
        }
        ("POST", ["check-runs"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = match serde_json::from_slice(&request.body) {
                Ok(b) => b,
                Err(_) => return message(400, "Problems parsing JSON"),
            };
            if let Some(problem) = check_run_problem(&body, true) {
                return message(422, &problem);
            }
            let id = 1000 + state.check_runs.len() as u64;
            let mut run = CheckRun {
                id,
                head_sha: body["head_sha"].as_str().unwrap_or_default().into(),
                status: String::new(),
                conclusion: None,
                external_id: String::new(),
                title: String::new(),
                summary: String::new(),
                annotations: Vec::new(),
            };
            apply(&mut run, &body);
            state.check_runs.push(run);
            if state.fail_after_create > 0 {
                state.fail_after_create -= 1;
                return message(500, "Server Error");
            }
            answer(201, json!({ "id": id, "name": "flowgate" }))
        }
        ("PATCH", ["check-runs", id]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = match serde_json::from_slice(&request.body) {
                Ok(b) => b,
                Err(_) => return message(400, "Problems parsing JSON"),
            };
            if let Some(problem) = check_run_problem(&body, false) {
                return message(422, &problem);
            }
            match state.check_runs.iter_mut().find(|r| r.id.to_string() == *id) {
                Some(run) => {
                    apply(run, &body);
                    answer(200, json!({ "id": run.id }))
                }
                None => message(404, "Not Found"),
            }
        }
        ("GET", ["issues", n, "comments"]) => match n.parse().ok().and_then(|n: u64| state.pulls.get(&n)) {
            Some(pr) => answer(200, Value::from(pr.comments.iter().map(|b| json!({ "body": b })).collect::<Vec<_>>())),
            None => message(404, "Not Found"),
        },
        ("POST", ["issues", n, "comments"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            match (n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)), body["body"].as_str()) {
                (Some(pr), Some(text)) => {
                    pr.comments.push(text.to_string());
                    answer(201, json!({ "id": pr.comments.len() }))
                }
                (None, _) => message(404, "Not Found"),
                (_, None) => message(422, "body is required"),
            }
        }
        ("GET", ["pulls"]) if matches!(query.get("state").map(String::as_str), Some("all" | "closed")) => {
            // Every pull (or the closed ones), most recently updated first, a page at a time
            // (`sort=updated&direction=desc`).
            let closed_only = query.get("state").map(String::as_str) == Some("closed");
            let mut all: Vec<&Value> =
                state.pulls.values().map(|p| &p.pull).filter(|p| !closed_only || p["state"] == "closed").collect();
            all.sort_by(|a, b| b["updated_at"].as_str().cmp(&a["updated_at"].as_str()));
            // As on GitHub, a listed pull lacks the size fields only the single pull carries.
            let all: Vec<Value> = all
                .into_iter()
                .map(|p| {
                    let mut p = p.clone();
                    if let Some(fields) = p.as_object_mut() {
                        for size in ["additions", "deletions", "changed_files"] {
                            fields.remove(size);
                        }
                    }
                    p
                })
                .collect();
            paged(&all, &query, base, &path)
        }
        ("GET", ["issues", n, "timeline"]) => {
            let Some(n) = n.parse().ok().filter(|n: &u64| state.pulls.contains_key(n)) else {
                return message(404, "Not Found");
            };
            let items = state.timelines.get(&n).cloned().unwrap_or_default();
            paged(&items, &query, base, &path)
        }
        ("GET", ["pulls"]) => {
            // Open pulls, as listed: each with the reviewers whose review is still requested.
            let mut open: Vec<(&u64, &Pr)> = state.pulls.iter().filter(|(_, p)| p.pull["state"] != "closed").collect();
            open.sort_by_key(|(n, _)| **n);
            answer(200, Value::from(open.into_iter().map(|(_, p)| p.pull.clone()).collect::<Vec<_>>()))
        }
        ("POST", ["pulls", n, "requested_reviewers"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)) else {
                return message(404, "Not Found");
            };
            let asked = body["reviewers"].as_array().cloned().unwrap_or_default();
            if asked.len() > 15 {
                return message(422, "No more than 15 reviewers may be requested at a time");
            }
            if !pr.pull["requested_reviewers"].is_array() {
                pr.pull["requested_reviewers"] = json!([]);
            }
            let requested = pr.pull["requested_reviewers"].as_array_mut().expect("array");
            for login in asked {
                if !requested.iter().any(|r| r["login"] == login) {
                    requested.push(json!({ "login": login, "type": "User" }));
                }
            }
            answer(201, pr.pull.clone())
        }
        ("DELETE", ["pulls", n, "requested_reviewers"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)) else {
                return message(404, "Not Found");
            };
            let gone = body["reviewers"].as_array().cloned().unwrap_or_default();
            if let Some(requested) = pr.pull["requested_reviewers"].as_array_mut() {
                requested.retain(|r| !gone.contains(&r["login"]));
            }
            answer(200, pr.pull.clone())
        }
        ("POST", ["issues", n, "labels"]) => {
            if state.read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)) else {
                return message(404, "Not Found");
            };
            let labels = pr.pull["labels"].as_array_mut().expect("labels");
            let mut new = Vec::new();
            for name in body["labels"].as_array().cloned().unwrap_or_default() {
                if !labels.iter().any(|l| l["name"] == name) {
                    labels.push(json!({ "name": name }));
                }
                new.push(name);
            }
            let labels = labels.clone();
            for name in new {
                if state.label(name.as_str().unwrap_or_default()).is_none() {
                    state.labels.push(json!({ "name": name, "color": "ededed", "description": null }));
                }
            }
            answer(200, Value::from(labels))
        }
        ("POST", ["labels"]) => {
            if state.read_only || state.labels_read_only {
                return write_denied();
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let (Some(name), color) = (body["name"].as_str(), body["color"].as_str().unwrap_or("ededed")) else {
                return message(422, "name is required");
            };
            if color.len() != 6 || !color.bytes().all(|b| b.is_ascii_hexdigit()) || name.chars().count() > 50 {
                return message(422, "Validation Failed");
            }
            if state.label(name).is_some() {
                return answer(
                    422,
                    json!({ "message": "Validation Failed",
                        "errors": [{ "resource": "Label", "code": "already_exists", "field": "name" }] }),
                );
            }
            let label = json!({ "name": name, "color": color, "description": body["description"] });
            state.labels.push(label.clone());
            answer(201, label)
        }
        ("DELETE", ["issues", n, "labels", name]) => {
            if state.read_only {
                return write_denied();
            }
            let name = urlencoding_decode(name);
            let Some(pr) = n.parse().ok().and_then(|n: u64| state.pulls.get_mut(&n)) else {
                return message(404, "Not Found");
            };
            let labels = pr.pull["labels"].as_array_mut().expect("labels");
            let before = labels.len();
            labels.retain(|l| l["name"] != name.as_str());
            if labels.len() == before {
                message(404, "Label does not exist")
            } else {
                answer(200, Value::from(labels.clone()))
            }
        }
        _ => message(404, "Not Found"),
    }
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

/// What GitHub would refuse in a check run request.
fn check_run_problem(body: &Value, create: bool) -> Option<String> {
    if create && (body["name"].as_str().is_none() || body["head_sha"].as_str().is_none()) {
        return Some("name and head_sha are required".into());
    }
    if let Some(conclusion) = body["conclusion"].as_str() {
        let known = ["success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"];
        if !known.contains(&conclusion) {
            return Some(format!("conclusion {conclusion} is not one of {known:?}"));
        }
        if body["status"].as_str().is_some_and(|s| s != "completed") {
            return Some("a conclusion needs status completed".into());
        }
    }
    let output = &body["output"];
    if output.is_object() {
        if output["title"].as_str().is_none() || output["summary"].as_str().is_none() {
            return Some("output needs title and summary".into());
        }
        if output["summary"].as_str().is_some_and(|s| s.chars().count() > 65_535) {
            return Some("output.summary is too long (maximum is 65535 characters)".into());
        }
        if output["annotations"].as_array().is_some_and(|a| a.len() > 50) {
            return Some("at most 50 annotations per request".into());
        }
    }
    None
}

fn apply(run: &mut CheckRun, body: &Value) {
    if let Some(status) = body["status"].as_str() {
        run.status = status.into();
    }
    if let Some(conclusion) = body["conclusion"].as_str() {
        run.conclusion = Some(conclusion.into());
        run.status = "completed".into();
    } else if body["status"].is_string() {
        run.conclusion = None;
    }
    if let Some(id) = body["external_id"].as_str() {
        run.external_id = id.into();
    }
    if let Some(title) = body["output"]["title"].as_str() {
        run.title = title.into();
    }
    if let Some(summary) = body["output"]["summary"].as_str() {
        run.summary = summary.into();
    }
    if let Some(annotations) = body["output"]["annotations"].as_array() {
        // GitHub appends annotations on every update.
        run.annotations.extend(annotations.iter().cloned());
    }
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

fn chrono_like_in_an_hour() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The auth-login example as a live PR #42 on `acme/shop`, with the example policy on `main`.
pub async fn example_repo() -> FakeGitHub {
    let fake = FakeGitHub::start("acme/shop").await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |file: &str| std::fs::read_to_string(root.join("examples/auth-login").join(file)).expect("example");
    let list = |file: &str| -> Vec<Value> { serde_json::from_str(&read(file)).expect("json") };
    let hook: Value = serde_json::from_str(&read("pull.json")).expect("json");
    let policy = std::fs::read_to_string(root.join("examples/flowgate.yml")).expect("policy");
    fake.with(|s| {
        s.pulls.insert(
            42,
            Pr {
                pull: hook["pull_request"].clone(),
                files: list("files.json"),
                commits: list("commits.json"),
                reviews: list("reviews.json"),
                events: Vec::new(),
                comments: Vec::new(),
            },
        );
        s.contents.insert(("main".into(), ".github/flowgate.yml".into()), policy);
    });
    fake
}

/// The head commit of Codertocat/Hello-World#2 in the octokit payloads.
pub const HEAD: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

/// A webhook payload from `tests/fixtures/webhooks` (octokit/webhooks, MIT).
pub fn payload(name: &str) -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webhooks").join(name),
    )
    .expect("payload");
    serde_json::from_str(&text).expect("json")
}

/// Codertocat/Hello-World#2 as the payloads describe it, changing `src/lib.rs`, with the example
/// policy on `master`.
pub async fn hello_world(title: &str, labels: &[&str]) -> FakeGitHub {
    let fake = FakeGitHub::start("Codertocat/Hello-World").await;
    let mut pull = payload("pull_request.opened.payload.json")["pull_request"].clone();
    pull["title"] = json!(title);
    pull["labels"] = Value::from(labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>());
    let policy =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml"))
            .expect("policy");
    fake.with(|s| {
        s.pulls.insert(
            2,
            Pr {
                pull,
                files: vec![json!({ "filename": "src/lib.rs", "status": "modified", "additions": 2, "deletions": 1,
                    "changes": 3, "patch": "@@ -1,2 +1,3 @@\n pub fn greet() -> &'static str {\n-    \"hi\"\n+    \"hello\"\n+}\n" })],
                commits: vec![json!({ "sha": HEAD, "commit": { "message": "Update the greeting",
                    "author": { "name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com" },
                    "committer": { "name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com" } },
                    "author": { "login": "Codertocat" }, "committer": { "login": "Codertocat" } })],
                reviews: Vec::new(),
                events: Vec::new(),
                comments: Vec::new(),
            },
        );
        s.contents.insert(("master".into(), ".github/flowgate.yml".into()), policy);
    });
    fake
}

/// Hello-World#2 after the `pull_request_review` payload's review (Codertocat commenting on
/// their own PR) and an approval from hubot on the head; returns the payload to deliver.
pub fn reviewed_by_hubot(fake: &FakeGitHub) -> Value {
    let review = payload("pull_request_review.submitted.payload.json");
    fake.with(|s| {
        let reviews = &mut s.pr(2).reviews;
        reviews.push(review["review"].clone());
        reviews.push(json!({ "id": 2, "user": { "login": "hubot", "type": "User" }, "state": "APPROVED",
            "commit_id": HEAD, "submitted_at": "2019-05-15T16:00:00Z", "body": "" }));
    });
    review
}

/// `POST /graphql`: only the user-status query flowgate sends, `uN: user(login: $lN) { status {
/// ... } }` with the logins as variables. Logins compare without case; `ghost` is a login that
/// does not exist: `null` with a NOT_FOUND error, as GitHub answers.
fn graphql(state: &mut State, request: &Request) -> Answer {
    if state.graphql_down {
        return message(502, "Server Error");
    }
    let body: Value = match serde_json::from_slice(&request.body) {
        Ok(body) => body,
        Err(_) => return message(400, "Problems parsing JSON"),
    };
    let query = body["query"].as_str().unwrap_or_default();
    if !query.contains("status { indicatesLimitedAvailability expiresAt message }") {
        return answer(200, json!({ "errors": [{ "message": "the fake answers only the user-status query" }] }));
    }
    let mut data = serde_json::Map::new();
    let mut errors = Vec::new();
    for (name, login) in body["variables"].as_object().into_iter().flatten() {
        let (Some(i), Some(login)) = (name.strip_prefix('l'), login.as_str()) else { continue };
        let alias = format!("u{i}");
        if !query.contains(&format!("{alias}: user(login: ${name})")) {
            continue;
        }
        if login.eq_ignore_ascii_case("ghost") {
            errors.push(json!({ "type": "NOT_FOUND", "path": [alias], "message": format!("Could not resolve to a User with the login of '{login}'.") }));
            data.insert(alias, Value::Null);
            continue;
        }
        let status = state.user_status.iter().find(|(l, _)| l.eq_ignore_ascii_case(login)).map(|(_, s)| s.clone());
        data.insert(alias, json!({ "status": status.unwrap_or(Value::Null) }));
    }
    let mut out = json!({ "data": data });
    if !errors.is_empty() {
        out["errors"] = Value::from(errors);
    }
    answer(200, out)
}
