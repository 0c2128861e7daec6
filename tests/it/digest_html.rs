//! The HTML digest in a real browser: headless Chromium loads the page, its DOM must hold the
//! SVG charts with the digest's figures, and a screenshot must show a drawn page.
//!
//! Needs Chromium (`apt-get install -y chromium`; `.ci/run` installs it and sets
//! `FLOWGATE_REQUIRE_BROWSER=1`). Without Chromium the test prints loudly that it did not run, or,
//! when `FLOWGATE_REQUIRE_BROWSER` is set, fails: a digest nobody saw render is not tested.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use flowgate::Tier;
use flowgate::latency::{
    BusinessCalendar, Clock, ClockMode, Digest, DigestBuilder, Event, Exclusions, GateAtMerge, GateState,
    LatencyConfig, LatestEvaluation, Window,
};
use flowgate::model::{Enforcement, FailReason};
use flowgate::report::digest::html;
use serde_json::{Value, json};

const CHROMIUM: &str = "chromium";
/// A cold browser start on a busy CI machine takes seconds; a hang must not take the suite with it.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{text}:00Z")).expect("test time").with_timezone(&Utc)
}

/// One PR's events in flowgate's stored event format (docs/metrics.md).
struct Pr {
    repo: &'static str,
    number: u64,
    author: &'static str,
    tier: &'static str,
    /// Stored with each event only when there are some, as flowgate writes them.
    labels: Vec<&'static str>,
    events: Vec<Value>,
}

impl Pr {
    fn new(repo: &'static str, number: u64, author: &'static str, tier: &'static str) -> Self {
        Pr { repo, number, author, tier, labels: Vec::new(), events: Vec::new() }
    }

    fn label(mut self, label: &'static str) -> Self {
        self.labels.push(label);
        self
    }

    fn event(mut self, at: &str, actor: &str, kind: Value) -> Self {
        let mut event = json!({
            "id": format!("{}#{}/{}", self.repo, self.number, self.events.len()),
            "repo": self.repo,
            "pr": self.number,
            "at": format!("{at}:00Z"),
            "actor": { "login": actor, "bot": false },
            "context": { "author": self.author, "tier": self.tier, "ai_declared": "undeclared",
                         "ai_detected": false, "ai_tools": [], "story_keys": ["SHOP-1"] },
        });
        if !self.labels.is_empty() {
            event["context"]["labels"] = json!(self.labels);
        }
        if let (Some(event), Some(kind)) = (event.as_object_mut(), kind.as_object()) {
            event.extend(kind.clone());
        }
        self.events.push(event);
        self
    }

    fn opened(self, at: &str) -> Self {
        let author = self.author;
        self.event(at, author, json!({ "event": "opened", "draft": false }))
    }

    fn request(self, at: &str, reviewer: &str) -> Self {
        let author = self.author;
        self.event(
            at,
            author,
            json!({ "event": "review_requested", "reviewer": { "type": "user", "login": reviewer } }),
        )
    }

    fn approve(self, at: &str, reviewer: &str) -> Self {
        self.event(at, reviewer, json!({ "event": "review_submitted", "outcome": "approved" }))
    }

    fn merged(self, at: &str) -> Self {
        let author = self.author;
        self.event(at, author, json!({ "event": "merged" }))
    }

    fn events(&self) -> Vec<Event> {
        self.events.iter().map(|e| serde_json::from_value(e.clone()).expect("a stored event")).collect()
    }
}

/// Red PRs wait 9, 12 and 6 h for alice and bob; yellow PRs 2, 3 and 4 h for dave and erin;
/// #20 still waits on dave at `now`. Wall-clock hours, UTC, the week of 3 March 2025.
fn digest() -> Digest {
    let red = |n| Pr::new("acme/shop", n, "ann", "red");
    let yellow = |n| Pr::new("acme/api", n, "ben", "yellow");
    let prs = [
        red(1).opened("2025-03-03T08:00").request("2025-03-03T08:00", "alice").approve("2025-03-03T17:00", "alice"),
        red(2).opened("2025-03-04T08:00").request("2025-03-04T08:00", "bob").approve("2025-03-04T20:00", "bob"),
        red(3)
            .opened("2025-03-05T08:00")
            .request("2025-03-05T08:00", "alice")
            .approve("2025-03-05T14:00", "alice")
            // An override whose reason holds markup, and a merge while the gate failed.
            .event(
                "2025-03-05T14:30",
                "alice",
                json!({ "event": "override_accepted", "label": "flowgate-override", "reason": "hotfix <b>now</b>" }),
            )
            .merged("2025-03-05T15:00"),
        yellow(4)
            .opened("2025-03-03T09:00")
            .request("2025-03-03T09:00", "dave")
            .approve("2025-03-03T11:00", "dave")
            .merged("2025-03-03T12:00"),
        yellow(5)
            .opened("2025-02-25T09:00")
            .request("2025-02-25T09:00", "dave")
            .approve("2025-02-25T12:00", "dave")
            .merged("2025-02-25T13:00"),
        yellow(6).opened("2025-03-05T09:00").request("2025-03-05T09:00", "erin").approve("2025-03-05T13:00", "erin"),
        yellow(7).opened("2025-03-06T09:00").request("2025-03-06T09:00", "erin").approve("2025-03-06T12:00", "erin"),
        yellow(20).opened("2025-03-07T09:00").request("2025-03-07T09:00", "dave"),
        // Labelled no-metrics: left out of every figure, named in the footer.
        yellow(21).label("no-metrics").opened("2025-03-04T09:00").approve("2025-03-06T09:00", "dave"),
    ];
    let calendar = BusinessCalendar::office_hours("UTC").expect("UTC");
    let mut config = LatencyConfig::new(Clock { calendar, mode: ClockMode::Calendar });
    config.trend_weeks = 4;
    config.first_review_targets = BTreeMap::from([(Tier::Red, Duration::from_secs(8 * 3600))]);
    // Yellow's 2 hours, tried: this week #4 (2 h) on time, #6 (4 h) and #7 (3 h) late, #20 still
    // waiting (63 h); #5 (3 h) late the week before.
    config.tried_targets = BTreeMap::from([(Tier::Yellow, Duration::from_secs(2 * 3600))]);
    config.exclude = Exclusions { labels: vec!["no-metrics".into()], ..Exclusions::default() };
    let mut builder =
        DigestBuilder::new(config, Window::new(t("2025-03-03T00:00"), t("2025-03-10T00:00")), t("2025-03-10T00:00"));
    for pr in &prs {
        builder.add_pr(&pr.events());
    }
    // acme/api is in shadow mode: #6 would have failed for want of a story.
    let shadow = |pr, reasons: &[FailReason]| LatestEvaluation {
        repo: "acme/api".into(),
        pr,
        enforcement: Enforcement::Evaluate,
        failed: !reasons.is_empty(),
        reasons: reasons.to_vec(),
    };
    builder.evaluations(&[shadow(6, &[FailReason::NoStory]), shadow(7, &[])]);
    // acme/shop#3's last evaluation before its merge failed; #4 was never evaluated.
    let failed = GateAtMerge {
        repo: "acme/shop".into(),
        pr: 3,
        evaluated_at: t("2025-03-05T14:00"),
        enforced: true,
        state: GateState::Fail,
    };
    builder.hygiene().gates_at_merge(vec![failed]);
    builder.finish()
}

/// Runs Chromium headless with `args`; a missing browser fails the test with how to install it.
fn chromium(profile: &Path, args: &[&str]) -> Output {
    let child = Command::new(CHROMIUM)
        .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) if error.kind() == ErrorKind::NotFound => panic!(
            "\n\n*** Chromium is not installed: this test renders the HTML digest in a real browser. ***\n\
             *** Install it with `apt-get install -y chromium` (Debian), or run .ci/run, which does. ***\n\n"
        ),
        Err(error) => panic!("could not start {CHROMIUM}: {error}"),
    };
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > BROWSER_TIMEOUT => {
                let _ = child.kill();
                panic!("{CHROMIUM} {args:?} did not finish within {BROWSER_TIMEOUT:?}");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(error) => panic!("waiting for {CHROMIUM}: {error}"),
        }
    }
    let output = child.wait_with_output().expect("chromium's output");
    assert!(
        output.status.success(),
        "{CHROMIUM} {args:?} failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Every element `<tag ...>` in the serialised DOM as its attributes, whatever their order.
fn elements(dom: &str, tag: &str) -> Vec<BTreeMap<String, String>> {
    let open = format!("<{tag} ");
    dom.match_indices(&open)
        .filter_map(|(at, _)| {
            let rest = &dom[at + open.len()..];
            let head = &rest[..rest.find('>')?];
            let mut attrs = BTreeMap::new();
            let mut text = head;
            while let Some(eq) = text.find("=\"") {
                let name = text[..eq].trim().trim_end_matches('/').to_string();
                let value_end = text[eq + 2..].find('"')?;
                attrs.insert(name, text[eq + 2..eq + 2 + value_end].to_string());
                text = &text[eq + 2 + value_end + 1..];
            }
            Some(attrs)
        })
        .collect()
}

/// The marks drawn inside the chart with this id: its bars and points.
fn marks(dom: &str, chart: &str) -> Vec<BTreeMap<String, String>> {
    let start = dom.find(&format!("id=\"{chart}\"")).unwrap_or_else(|| panic!("{chart} is in the rendered DOM"));
    let end = start + dom[start..].find("</svg>").expect("the chart's svg closes");
    let inside = &dom[start..end];
    let mut found = elements(inside, "rect");
    found.extend(elements(inside, "circle"));
    found.into_iter().filter(|m| m.contains_key("data-value")).collect()
}

fn number(mark: &BTreeMap<String, String>, attr: &str) -> f64 {
    mark.get(attr).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{attr} on {mark:?}"))
}

/// `(label, value)` of a chart's marks in one series, in drawing order.
fn series(marks: &[BTreeMap<String, String>], name: &str) -> Vec<(String, f64)> {
    marks
        .iter()
        .filter(|m| m.get("data-series").map(String::as_str) == Some(name))
        .map(|m| (m["data-label"].clone(), number(m, "data-value")))
        .collect()
}

#[test]
fn chromium_renders_the_digests_charts_with_its_figures() {
    let installed = Command::new(CHROMIUM).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if matches!(&installed, Err(e) if e.kind() == ErrorKind::NotFound)
        && std::env::var_os("FLOWGATE_REQUIRE_BROWSER").is_none()
    {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "\n*** The HTML digest browser test DID NOT RUN: no `{CHROMIUM}` on PATH. Install it with \
             `apt-get install -y chromium`, or set FLOWGATE_REQUIRE_BROWSER=1 to make its absence fail. ***\n"
        );
        return;
    }
    let digest = digest();
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("digest.html");
    std::fs::write(&page, html::render(&digest)).expect("page written");
    let url = format!("file://{}", page.display());
    let profile = dir.path().join("profile");

    let dom = String::from_utf8(chromium(&profile, &["--dump-dom", &url]).stdout).expect("UTF-8 DOM");
    assert!(dom.contains("<h1>Review bottleneck digest, 3 Mar 2025 to 9 Mar 2025</h1>"), "the page loaded:\n{dom}");
    for chart in ["chart-stages", "chart-tiers", "chart-ai", "chart-load", "chart-trend"] {
        assert!(!marks(&dom, chart).is_empty(), "{chart} has drawn marks");
    }
    assert!(dom.contains("<h2>Shadow mode</h2>"), "the shadow-mode section:\n{dom}");
    assert!(dom.contains("In shadow mode: 1 PR would have failed (1 distinct reason), of 2 evaluated"), "{dom}");
    assert!(dom.contains("<td>no story linked</td><td class=\"num\">1</td>"), "{dom}");
    assert!(dom.contains("<h2>Targets tried, not enforced</h2>"), "the tried targets' section:\n{dom}");
    assert!(
        dom.contains("yellow: a first review within 2.0 h (hours): 4 of 5 PRs would have breached it over 4 weeks."),
        "{dom}"
    );
    assert!(dom.contains("<tr><td>2025-W10</td><td class=\"num\">3</td><td class=\"num\">4</td>"), "{dom}");
    assert!(dom.contains("<span class=\"left-out\">Left out: 1 PR — 1 with label no-metrics.</span>"), "{dom}");
    // No PR of the week names an AI tool: the per-tool table holds the PRs without AI alone.
    assert!(dom.contains("<h2>What changed</h2>"), "the what-changed section:\n{dom}");
    assert!(dom.contains(
        "<li data-stage=\"first_review\"><span class=\"stage-line\">opened to first review: 5.0 h, up 2.0 h on the week before (3.0 h), up 2.0 h on the median of the 1 week before (3.0 h).</span> <span class=\"cause\">The rise on the week before is no larger than leaving out 3 PRs from the other side moves it (4.0 h), so no PR is named.</span></li>"
    ), "{dom}");
    assert!(dom.contains("<li data-stage=\"review_rounds\">"), "every stage has its line:\n{dom}");
    assert!(dom.contains("<h2>By AI tool</h2>"), "the per-tool section:\n{dom}");
    assert!(dom.contains("<tr class=\"group-start\" data-group=\"human\"><td>human (no AI)</td>"), "{dom}");
    assert!(!dom.contains("data-group=\"ai_unknown\""), "{dom}");

    // The gate's own hygiene: each fact a list item that links its PR; markup in a reason is text.
    assert!(dom.contains("<h2>The gate's own hygiene</h2>"), "the hygiene section:\n{dom}");
    assert!(dom.contains(
        "<li><a href=\"https://github.com/acme/shop/pull/3\">acme/shop#3</a>: override label flowgate-override \
         applied by <code>alice</code>; reason: hotfix &lt;b&gt;now&lt;/b&gt;</li>"
    ));
    assert!(!dom.contains("<b>now</b>"), "a reason's markup is never run");
    assert!(dom.contains(
        "<li><a href=\"https://github.com/acme/shop/pull/3\">acme/shop#3</a>: merged by <code>ann</code> with the \
         merge button or the API while flowgate was failing</li>"
    ));
    assert!(dom.contains(
        "<li>1 merged PR had no flowgate evaluation before the merge: the gate's state then is unknown.</li>"
    ));
    for pr in [1, 2] {
        let approved = format!("<li><a href=\"https://github.com/acme/shop/pull/{pr}\">acme/shop#{pr}</a>: approved ");
        assert!(dom.contains(&approved), "#{pr} approved, not merged:\n{dom}");
    }

    // Waiting by stage: the overall bar's two segments are the digest's hours.
    let stages = marks(&dom, "chart-stages");
    let all: Vec<(String, f64)> = [series(&stages, "on reviewers"), series(&stages, "on authors")]
        .concat()
        .into_iter()
        .filter(|(l, _)| l == "all PRs")
        .collect();
    assert_eq!(
        all.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
        [digest.overall.waiting_on_reviewers_hours, digest.overall.waiting_on_author_hours]
    );

    // By tier: one column per tier with a first review, its median as the value.
    let tiers = series(&marks(&dom, "chart-tiers"), "first review");
    let expected: Vec<(String, f64)> = digest
        .by_tier
        .iter()
        .filter_map(|g| g.first_review_hours.median.map(|m| (format!("{} tier", g.group), m)))
        .collect();
    assert_eq!(tiers, expected);
    assert_eq!(tiers, [("red tier".to_string(), 9.0), ("yellow tier".to_string(), 3.0)]);

    // Reviewer load: requests received in the digest's order (load, then name), never by speed.
    let load = series(&marks(&dom, "chart-load"), "requests received");
    let expected: Vec<(String, f64)> =
        digest.reviewers.iter().map(|r| (r.reviewer.name(), r.requests_received as f64)).collect();
    assert_eq!(load, expected);
    // alice, erin and dave were each asked twice; alice and erin gave two reviews, dave one.
    let names: Vec<&str> = load.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["alice", "erin", "dave", "bob"]);

    // The trend: a point for each week with a first review, at the digest's median.
    let trend = series(&marks(&dom, "chart-trend"), "first review");
    let expected: Vec<(String, f64)> =
        digest.trend.iter().filter_map(|w| w.first_review_hours.median.map(|m| (w.week.clone(), m))).collect();
    assert_eq!(trend, expected);
    assert!(trend.len() >= 2, "the trend spans weeks: {trend:?}");

    // Every bar for a positive figure has a size the browser can paint.
    for chart in ["chart-stages", "chart-tiers", "chart-ai", "chart-load"] {
        for bar in marks(&dom, chart).iter().filter(|m| m.contains_key("width")) {
            if number(bar, "data-value") > 0.0 {
                assert!(number(bar, "width") > 0.0 && number(bar, "height") > 0.0, "{chart}: {bar:?}");
            }
        }
    }

    // The screenshot: kept under target/ for people (and CI artifacts) to look at.
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let png = artifacts.join("digest.png");
    let _ = std::fs::remove_file(&png);
    chromium(&profile, &[&format!("--screenshot={}", png.display()), "--window-size=1280,2000", &url]);
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10 * 1024, "{} is {size} bytes: the page did not paint", png.display());
    let header = std::fs::read(&png).expect("screenshot readable");
    assert!(header.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
}
