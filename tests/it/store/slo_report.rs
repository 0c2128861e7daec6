//! Table `slo_steps` read for the digest on both backends: the steps of the week counted per tier
//! (each PR's tier from its events), skips by reason, nobody named, in the Markdown and
//! the JSON.

use chrono::DateTime;
use flowgate::latency::{
    Actor, BusinessCalendar, Clock, ClockMode, Event, EventKind, LatencyConfig, PrContext, Window,
};
use flowgate::model::{Login, Tier};
use flowgate::report::digest::{Format, render};
use sqlx::Connection;

use crate::support::db::Db;

const DAY: i64 = 86_400_000;

fn opened(repo: &str, pr: u64, tier: Tier) -> Event {
    Event {
        id: format!("{repo}#{pr}"),
        repo: repo.into(),
        pr,
        at: DateTime::from_timestamp_millis(DAY / 2).expect("a time"),
        actor: Actor::login("ann"),
        context: PrContext { author: Login::new("ann"), tier: Some(tier), ..PrContext::default() },
        kind: EventKind::Opened { draft: false },
    }
}

/// A row as the App's ladder records it: (repo, pr, login, step, outcome, via, at_ms).
type Row = (&'static str, i64, &'static str, &'static str, &'static str, Option<&'static str>, i64);

const STEPS: [Row; 7] = [
    ("acme/web", 1, "alice", "remind", "sent", Some("slack_dm"), DAY),
    ("acme/web", 1, "alice", "channel", "sent", Some("channel"), 2 * DAY),
    ("acme/web", 1, "bob", "remind", "skipped: unavailable", None, 2 * DAY),
    ("acme/web", 1, "bob", "reassign", "sent", Some("reassign"), 3 * DAY),
    ("Acme/Web", 2, "carol", "remind", "sent", Some("comment"), 3 * DAY),
    ("acme/web", 2, "carol", "channel", "sent", Some("no_channel"), 4 * DAY),
    ("acme/web", 2, "carol", "reassign", "sent", Some("reassign"), 9 * DAY),
];

async fn insert_steps(url: &str) {
    let values: Vec<String> = STEPS
        .iter()
        .map(|(repo, pr, login, step, outcome, via, at)| {
            let via = via.map_or("NULL".to_string(), |v| format!("'{v}'"));
            format!("('{repo}', {pr}, '{login}', '{step}', 0, '{outcome}', {via}, {at})")
        })
        .collect();
    let sql = format!(
        "INSERT INTO slo_steps (repo, pr, login, step, period_ms, outcome, via, at_ms) VALUES {}",
        values.join(", ")
    );
    if url.starts_with("sqlite") {
        let mut c = sqlx::sqlite::SqliteConnection::connect(url).await.expect("connects");
        sqlx::query(&sql).execute(&mut c).await.expect("inserts");
    } else {
        let mut c = sqlx::postgres::PgConnection::connect(url).await.expect("connects");
        sqlx::query(&sql).execute(&mut c).await.expect("inserts");
    }
}

pub async fn the_digest_counts_what_the_slo_ladder_did_per_tier_and_names_nobody(db: Db) {
    let store = db.store().await;
    store
        .record_events(&[opened("acme/web", 1, Tier::Red), opened("acme/web", 2, Tier::Yellow)])
        .await
        .expect("records");
    insert_steps(&db.url).await;
    let at = |ms: i64| DateTime::from_timestamp_millis(ms).expect("a time");
    let calendar = BusinessCalendar::office_hours("UTC").expect("UTC");
    let config = LatencyConfig::new(Clock { calendar, mode: ClockMode::Calendar });
    let window = Window::new(at(0), at(7 * DAY));
    let steps = store.slo_steps_between(0, 7 * DAY, None).await.expect("reads");
    assert_eq!(steps.len(), 6, "the step after the window is left out");
    let digest =
        flowgate::gate::digest::builder(&store, config, window, at(7 * DAY), None).await.expect("reads").finish();
    let ladder = digest.ladder.clone().expect("the ladder acted");
    let tiers: Vec<Option<Tier>> = ladder.tiers.iter().map(|t| t.tier).collect();
    assert_eq!(tiers, [Some(Tier::Red), Some(Tier::Yellow)]);
    let red = &ladder.tiers[0];
    assert_eq!((red.reminders_slack, red.channel_messages, red.reassignments), (1, 1, 1));
    assert_eq!(red.skipped.get("unavailable"), Some(&1));
    let yellow = &ladder.tiers[1];
    assert_eq!((yellow.reminders_comment, yellow.channel_messages, yellow.skipped.get("no_channel")), (1, 0, Some(&1)));

    let markdown = render(Format::Markdown, &digest);
    assert!(markdown.contains("Review SLOs"), "{markdown}");
    assert!(markdown.contains("| red | 1 by Slack | 1 | 1 | 1 (reviewer unavailable: 1) | 0 |"), "{markdown}");
    assert!(
        markdown.contains("| yellow | 1 as a PR comment | 0 | 0 | 1 (pool without a channel: 1) | 0 |"),
        "{markdown}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json, &digest)).expect("JSON");
    assert_eq!(json["ladder"]["tiers"][0]["tier"], "red");
    assert!(json["ladder"]["summary"].as_str().is_some_and(|s| s.contains("2 reminders")), "{}", json["ladder"]);
    for who in ["alice", "bob", "carol"] {
        assert!(!markdown.contains(who) && !json["ladder"].to_string().contains(who), "{who} is named");
    }
    let only_other = [String::from("acme/api")];
    assert!(store.slo_steps_between(0, 7 * DAY, Some(&only_other)).await.expect("reads").is_empty());
}
