//! Builders for hand-written PR timelines, so each test reads as the story it checks.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::latency::{
    Actor, BusinessCalendar, Clock, ClockMode, Event, EventKind, LatencyConfig, PrContext, ReviewOutcome, Reviewer,
    Window,
};
use crate::model::Login;
use crate::model::Tier;

/// `2025-03-03 09:00` as UTC.
pub fn t(text: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("test time").and_utc()
}

pub const HOUR: i64 = 3600;

/// Wall-clock hours in UTC: the arithmetic in the tests stays visible.
pub fn wall_clock() -> LatencyConfig {
    let calendar = BusinessCalendar::office_hours("UTC").expect("UTC");
    let mut config = LatencyConfig::new(Clock { calendar, mode: ClockMode::Calendar });
    config.ai_reviewers = vec!["copilot-reviewer".to_string()];
    config
}

/// Monday to Friday, 09:00 to 17:00 UTC.
pub fn office_hours() -> LatencyConfig {
    let mut config = wall_clock();
    config.clock.mode = ClockMode::Business;
    config
}

pub fn window(start: &str, end: &str) -> Window {
    Window::new(t(start), t(end))
}

/// One PR's events, written in order.
pub struct Pr {
    repo: String,
    number: u64,
    context: PrContext,
    pub events: Vec<Event>,
}

impl Pr {
    pub fn new(number: u64, author: &str) -> Self {
        Pr {
            repo: "acme/shop".to_string(),
            number,
            context: PrContext { author: Login::new(author), tier: Some(Tier::Yellow), ..PrContext::default() },
            events: Vec::new(),
        }
    }

    pub fn repo(mut self, repo: &str) -> Self {
        self.repo = repo.to_string();
        self
    }

    pub fn tier(mut self, tier: Option<Tier>) -> Self {
        self.context.tier = tier;
        self
    }

    pub fn ai_detected(mut self) -> Self {
        self.context.ai_detected = true;
        self.context.ai_tools = vec!["claude".to_string()];
        self
    }

    pub fn title(mut self, title: &str) -> Self {
        self.context.title = Some(title.to_string());
        self
    }

    pub fn branch(mut self, branch: &str) -> Self {
        self.context.head_branch = Some(branch.to_string());
        self
    }

    pub fn label(mut self, label: &str) -> Self {
        self.context.labels.push(label.to_string());
        self
    }

    pub fn story(mut self, key: &str) -> Self {
        self.context.story_keys.push(key.to_string());
        self
    }

    fn push(mut self, at: &str, actor: Actor, kind: EventKind) -> Self {
        let id = format!("{}#{}/{}", self.repo, self.number, self.events.len());
        self.events.push(Event {
            id,
            repo: self.repo.clone(),
            pr: self.number,
            at: t(at),
            actor,
            context: self.context.clone(),
            kind,
        });
        self
    }

    fn author(&self) -> Actor {
        Actor::login(self.context.author.as_str())
    }

    pub fn opened(self, at: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::Opened { draft: false })
    }

    pub fn opened_draft(self, at: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::Opened { draft: true })
    }

    pub fn ready(self, at: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::ReadyForReview)
    }

    pub fn back_to_draft(self, at: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::ConvertedToDraft)
    }

    pub fn request(self, at: &str, login: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::ReviewRequested { reviewer: Reviewer::user(login) })
    }

    pub fn request_team(self, at: &str, slug: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::ReviewRequested { reviewer: Reviewer::team(slug) })
    }

    pub fn unrequest(self, at: &str, login: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::ReviewRequestRemoved { reviewer: Reviewer::user(login) })
    }

    pub fn review(self, at: &str, login: &str, outcome: ReviewOutcome) -> Self {
        self.push(at, Actor::login(login), EventKind::ReviewSubmitted { outcome })
    }

    pub fn comment(self, at: &str, login: &str) -> Self {
        self.review(at, login, ReviewOutcome::Commented)
    }

    pub fn approve(self, at: &str, login: &str) -> Self {
        self.review(at, login, ReviewOutcome::Approved)
    }

    pub fn changes(self, at: &str, login: &str) -> Self {
        self.review(at, login, ReviewOutcome::ChangesRequested)
    }

    pub fn bot_review(self, at: &str, login: &str) -> Self {
        self.push(at, Actor::new(login, "Bot"), EventKind::ReviewSubmitted { outcome: ReviewOutcome::Commented })
    }

    pub fn dismiss(self, at: &str, reviewer: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::ReviewDismissed { reviewer: Login::new(reviewer) })
    }

    pub fn commits(self, at: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::Synchronize)
    }

    pub fn merged(self, at: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::Merged)
    }

    pub fn closed(self, at: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::Closed)
    }

    pub fn reopened(self, at: &str) -> Self {
        let author = self.author();
        self.push(at, author, EventKind::Reopened)
    }

    /// Merged by someone else than the author (a person, or `github-merge-queue[bot]`).
    pub fn merged_by(self, at: &str, login: &str) -> Self {
        self.push(at, Actor::login(login), EventKind::Merged)
    }

    /// flowgate accepted the override `label` that `login` applied.
    pub fn overridden(self, at: &str, login: &str, label: &str, reason: Option<&str>) -> Self {
        let kind = EventKind::OverrideAccepted { label: label.to_string(), reason: reason.map(str::to_string) };
        self.push(at, Actor::login(login), kind)
    }

    /// flowgate found the PR exempt from needing a story.
    pub fn exempt(self, at: &str, rule: crate::latency::ExemptRule, value: &str) -> Self {
        let author = self.author();
        let exemption = crate::latency::LinkageExemption { rule, value: value.to_string() };
        self.push(at, author, EventKind::LinkageExempt { exemption })
    }
}
