//! A week of PRs with known figures (the same story as `latency/tests/digest.rs`), a quiet week,
//! and a week whose only reviewer has a hostile login.
//!
//! Wall-clock hours, UTC, window Monday 3 to Monday 10 March 2025 (= now).
//! Red (ann, acme/shop): first reviews after 9, 12 and 6 h; two merged with a story.
//! Yellow (ben, acme/api): first reviews after 2, 3, 4 and 1 h; #20 waits 63 h on dave.
//! Green: #21 opened Sunday 12:00, nobody requested, 12 h waiting at now.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::latency::{
    Actor, BusinessCalendar, Clock, ClockMode, Digest, DigestBuilder, Event, EventKind, LatencyConfig, PrContext,
    ReviewOutcome, Reviewer, Window,
};
use crate::model::Login;
use crate::model::Tier;

fn t(text: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("test time").and_utc()
}

/// One PR's events in order.
struct Pr {
    repo: &'static str,
    number: u64,
    context: PrContext,
    events: Vec<Event>,
}

impl Pr {
    fn new(repo: &'static str, number: u64, author: &str, tier: Tier) -> Self {
        let context = PrContext { author: Login::new(author), tier: Some(tier), ..PrContext::default() };
        Pr { repo, number, context, events: Vec::new() }
    }

    fn story(mut self, key: &str) -> Self {
        self.context.story_keys.push(key.to_string());
        self
    }

    fn title(mut self, title: &str) -> Self {
        self.context.title = Some(title.to_string());
        self
    }

    fn ai(mut self) -> Self {
        self.context.ai_detected = true;
        self
    }

    fn push(mut self, at: &str, actor: Actor, kind: EventKind) -> Self {
        self.events.push(Event {
            id: format!("{}#{}/{}", self.repo, self.number, self.events.len()),
            repo: self.repo.to_string(),
            pr: self.number,
            at: t(at),
            actor,
            context: self.context.clone(),
            kind,
        });
        self
    }

    fn by_author(self, at: &str, kind: EventKind) -> Self {
        let author = Actor::login(self.context.author.as_str());
        self.push(at, author, kind)
    }

    fn opened(self, at: &str) -> Self {
        self.by_author(at, EventKind::Opened { draft: false })
    }

    fn request(self, at: &str, login: &str) -> Self {
        self.by_author(at, EventKind::ReviewRequested { reviewer: Reviewer::user(login) })
    }

    fn review(self, at: &str, login: &str, outcome: ReviewOutcome) -> Self {
        self.push(at, Actor::login(login), EventKind::ReviewSubmitted { outcome })
    }

    fn merged(self, at: &str) -> Self {
        self.by_author(at, EventKind::Merged)
    }
}

use ReviewOutcome::{Approved, ChangesRequested, Commented};

fn config(mode: ClockMode) -> LatencyConfig {
    let calendar = BusinessCalendar::office_hours("UTC").expect("UTC");
    let mut config = LatencyConfig::new(Clock { calendar, mode });
    config.teams.insert("ann".to_string(), vec!["payments".to_string()]);
    config.first_review_targets =
        BTreeMap::from([(Tier::Red, Duration::from_secs(8 * 3600)), (Tier::Yellow, Duration::from_secs(24 * 3600))]);
    config.trend_weeks = 3;
    config
}

fn build(mode: ClockMode, prs: Vec<Pr>) -> Digest {
    build_with(config(mode), prs)
}

fn build_with(config: LatencyConfig, prs: Vec<Pr>) -> Digest {
    let window = Window::new(t("2025-03-03 00:00"), t("2025-03-10 00:00"));
    let mut builder = DigestBuilder::new(config, window, t("2025-03-10 00:00"));
    for pr in prs {
        builder.add_pr(&pr.events);
    }
    builder.finish()
}

fn prs() -> Vec<Pr> {
    let red = |n| Pr::new("acme/shop", n, "ann", Tier::Red);
    let yellow = |n| Pr::new("acme/api", n, "ben", Tier::Yellow);
    vec![
        red(1)
            .story("SHOP-1")
            .opened("2025-03-03 08:00")
            .request("2025-03-03 08:00", "alice")
            .review("2025-03-03 17:00", "alice", Commented)
            .review("2025-03-03 18:00", "alice", Approved)
            .merged("2025-03-03 20:00"),
        red(2)
            .story("SHOP-2")
            .opened("2025-03-04 08:00")
            .request("2025-03-04 08:00", "bob")
            .review("2025-03-04 20:00", "bob", Approved)
            .merged("2025-03-04 21:00"),
        red(3).opened("2025-03-05 08:00").request("2025-03-05 08:00", "carol").review(
            "2025-03-05 14:00",
            "carol",
            Approved,
        ),
        yellow(4)
            .story("API-4")
            .opened("2025-03-03 09:00")
            .request("2025-03-03 09:00", "dave")
            .review("2025-03-03 11:00", "dave", Approved)
            .merged("2025-03-03 12:00"),
        yellow(5)
            .opened("2025-03-04 09:00")
            .request("2025-03-04 09:00", "dave")
            .review("2025-03-04 12:00", "dave", Approved)
            .merged("2025-03-04 13:00"),
        yellow(6)
            .story("API-6")
            .ai()
            .opened("2025-03-05 09:00")
            .request("2025-03-05 09:00", "erin")
            .review("2025-03-05 13:00", "erin", Approved)
            .merged("2025-03-05 14:00"),
        yellow(20).opened("2025-03-07 09:00").request("2025-03-07 09:00", "dave"),
        Pr::new("acme/shop", 21, "ann", Tier::Green).opened("2025-03-09 12:00"),
        yellow(22).opened("2025-03-07 12:00").request("2025-03-07 12:00", "erin").review(
            "2025-03-07 13:00",
            "erin",
            ChangesRequested,
        ),
        yellow(30)
            .opened("2025-02-25 09:00")
            .request("2025-02-25 09:00", "dave")
            .review("2025-02-25 10:00", "dave", Approved)
            .merged("2025-02-25 11:00"),
    ]
}

/// The busy week, on wall-clock hours.
pub fn week() -> Digest {
    build(ClockMode::Calendar, prs())
}

/// The same week on working hours (Monday to Friday, 09:00 to 17:00 UTC).
pub fn working_week() -> Digest {
    build(ClockMode::Business, prs())
}

/// Nothing happened.
pub fn quiet_week() -> Digest {
    build(ClockMode::Calendar, Vec::new())
}

/// The login that must never reach a page as markup.
pub const HOSTILE: &str = "<script>alert('x')</script>";

/// One PR in a repository with markup in its name, waiting on a reviewer whose login is markup.
pub fn hostile_week() -> Digest {
    let pr = Pr::new("evil/<b>repo</b>", 7, "mallory&co", Tier::Red)
        .opened("2025-03-03 09:00")
        .request("2025-03-03 09:00", HOSTILE);
    build(ClockMode::Calendar, vec![pr])
}

/// The busy week with each repository measured on its own: acme/api on wall-clock hours,
/// acme/shop on working hours; acme/broken's policy did not load and acme/zzz was over the cap.
pub fn per_repo_week() -> Digest {
    let only = |repo: &str, mode| {
        let prs = prs().into_iter().filter(|pr| pr.repo == repo).collect();
        crate::latency::RepoFigures::of(repo, &format!(".github/flowgate.yml on {repo}@main"), &build(mode, prs))
    };
    let mut digest = week();
    digest.per_repo = Some(crate::latency::PerRepo {
        overall_settings: ".github/flowgate.yml on acme/eng@main".into(),
        repos: vec![only("acme/api", ClockMode::Calendar), only("acme/shop", ClockMode::Business)],
        unread: vec![crate::latency::UnreadRepo {
            repo: "acme/broken".into(),
            reason: "line 2: `soon` is not a review-time target".into(),
        }],
        over_cap: vec!["acme/zzz".into()],
        cap: 3,
    });
    digest
}

/// The busy week with red's 4-hour target tried, not enforced, and `latency.exclude` leaving out
/// three more PRs: two by renovate[bot] and a revert (each would have been a 30-hour wait).
pub fn tried_and_excluded_week() -> Digest {
    let mut config = config(ClockMode::Calendar);
    config.tried_targets = BTreeMap::from([(Tier::Red, Duration::from_secs(4 * 3600))]);
    config.exclude = crate::latency::Exclusions {
        reverts: true,
        authors: vec!["renovate[bot]".into()],
        ..crate::latency::Exclusions::default()
    };
    let slow = |pr: Pr| pr.opened("2025-03-04 06:00").review("2025-03-05 12:00", "bob", Approved);
    let mut prs = prs();
    prs.push(slow(Pr::new("acme/shop", 40, "renovate[bot]", Tier::Red)));
    prs.push(slow(Pr::new("acme/api", 41, "renovate[bot]", Tier::Green)));
    prs.push(slow(Pr::new("acme/shop", 42, "ann", Tier::Red).title("Revert \"Add the cart\"")));
    build_with(config, prs)
}
