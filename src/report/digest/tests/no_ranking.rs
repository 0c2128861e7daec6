//! Nothing in the team's digest ranks people by speed: every table of people or groups keeps the
//! digest's order (reviewers by load, then name; groups by name), whatever their speeds, in
//! Markdown, HTML, Slack and JSON; and no person's own speed figure appears in it, since no
//! digest is addressed to one person (a person's figures go to nobody but that person).

use std::collections::HashMap;

use serde_json::Value;

use crate::latency::tests::support::{Pr, t, wall_clock, window};
use crate::latency::{Digest, DigestBuilder, ReviewOutcome};
use crate::report::digest::{Format, render};

/// People and a team answering at very different speeds, asked different amounts: zed 3 times
/// (1 h each), kim twice (5 h), amy once (20 h), bob once (30 min), @acme/core once (8 h, zed
/// answered). Authors: ann in web, ben in api, cat in no team.
fn digest() -> Digest {
    let mut config = wall_clock();
    config.teams = HashMap::from([("ann".into(), vec!["web".into()]), ("ben".into(), vec!["api".into()])]);
    let mut builder = DigestBuilder::new(config, window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    let asked = |n: u64, author: &str, who: &str, answered: &str| {
        Pr::new(n, author)
            .story("SHOP-1")
            .opened("2025-03-04 09:00")
            .request("2025-03-04 09:00", who)
            .review(answered, who, ReviewOutcome::Approved)
            .merged("2025-03-05 09:00")
    };
    let prs = [
        asked(1, "ann", "zed", "2025-03-04 10:00"),
        asked(2, "ann", "zed", "2025-03-04 10:00"),
        asked(3, "ben", "zed", "2025-03-04 10:00"),
        asked(4, "ben", "kim", "2025-03-04 14:00"),
        asked(5, "cat", "kim", "2025-03-04 14:00"),
        asked(6, "cat", "amy", "2025-03-05 05:00"),
        asked(7, "ann", "bob", "2025-03-04 09:30"),
        Pr::new(8, "ben")
            .story("SHOP-8")
            .opened("2025-03-04 09:00")
            .request_team("2025-03-04 09:00", "acme/core")
            .review("2025-03-04 17:00", "zed", ReviewOutcome::Approved)
            .merged("2025-03-05 09:00"),
    ];
    for pr in prs {
        builder.add_pr(&pr.events);
    }
    builder.finish()
}

/// By load (requests, then reviews, then open), then name: never by speed.
const LOAD_ORDER: [&str; 5] = ["zed", "kim", "@acme/core", "amy", "bob"];
/// By name, `no team` last.
const TEAM_ORDER: [&str; 3] = ["api", "web", "no team"];
const PEOPLE: [&str; 4] = ["zed", "kim", "amy", "bob"];

/// Each table's first cells, in order: Markdown's `|` rows after the heading row and its rule.
fn markdown_tables(page: &str) -> Vec<Vec<String>> {
    let mut tables = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in page.lines().chain([""]) {
        if let Some(row) = line.strip_prefix('|') {
            current.push(row.split('|').next().unwrap_or_default().trim().trim_matches('`').to_string());
        } else if !current.is_empty() {
            tables.push(current.split_off(0).into_iter().skip(2).collect());
        }
    }
    tables
}

/// Each HTML table's first cells, in order.
fn html_tables(page: &str) -> Vec<Vec<String>> {
    page.split("<table")
        .skip(1)
        .map(|table| {
            let body = table.split("</table>").next().unwrap_or_default();
            let body = body.split("<tbody>").nth(1).unwrap_or_default();
            body.split("<tr><td>")
                .skip(1)
                .map(|row| row.split("</td>").next().unwrap_or_default().to_string())
                .collect()
        })
        .collect()
}

/// Every table of people, teams or groups keeps the digest's order; returns how many were checked.
fn check_tables(format: &str, tables: Vec<Vec<String>>) -> usize {
    let mut checked = 0;
    for cells in tables {
        if cells.iter().any(|c| PEOPLE.contains(&c.as_str()) || c == "@acme/core") {
            assert_eq!(cells, LOAD_ORDER, "{format}: a table of people is in load order, then by name");
            checked += 1;
        } else if cells.iter().any(|c| c == "web" || c == "api") {
            assert_eq!(cells, TEAM_ORDER, "{format}: the teams are by name");
            checked += 1;
        }
    }
    checked
}

#[test]
fn the_fixture_orders_by_load_name_and_speed_differently() {
    // Were the digest to sort by answer wait (bob, zed, kim, @acme/core, amy) or by name, the
    // tables below would differ from the load order: each assertion can fail.
    let d = digest();
    let names: Vec<String> = d.reviewers.iter().map(|r| r.reviewer.name()).collect();
    assert_eq!(names, LOAD_ORDER);
    let teams: Vec<&str> = d.by_team.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(teams, TEAM_ORDER);
    let first_review = |g: &str| d.by_team.iter().find(|t| t.group == g).and_then(|t| t.first_review_hours.median);
    assert_eq!((first_review("web"), first_review("api"), first_review("no team")), (Some(1.0), Some(5.0), Some(12.5)));
}

#[test]
fn no_table_in_any_format_is_ordered_by_speed() {
    let d = digest();
    assert_eq!(check_tables("markdown", markdown_tables(&render(Format::Markdown, &d))), 2);
    let md = render(Format::Markdown, &d);
    let pie: Vec<&str> = md.lines().filter(|l| l.starts_with("    \"") && l.contains("\" : ")).collect();
    let pie: Vec<&str> =
        pie.iter().map(|l| l.trim().trim_start_matches('"').split('"').next().unwrap_or_default()).collect();
    assert_eq!(pie, LOAD_ORDER, "the share-of-requests pie");
    let html = render(Format::Html, &d);
    assert_eq!(check_tables("html", html_tables(&html)), 2);
    // The load chart's bars: `data-label="zed" data-series="requests received"`, in drawing order.
    let bars: Vec<&str> = html
        .split(" data-series=\"requests received\"")
        .filter_map(|before| before.rsplit("data-label=\"").next())
        .filter_map(|label| label.strip_suffix('"'))
        .collect();
    assert_eq!(bars, LOAD_ORDER, "the chart of requests received and waiting now");
    let json: Value = serde_json::from_str(&render(Format::Json, &d)).expect("JSON");
    let names = |key: &str, field: &str| -> Vec<String> {
        json[key]
            .as_array()
            .expect("a list")
            .iter()
            .map(|r| r[field].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let reviewers: Vec<String> = json["reviewers"]
        .as_array()
        .expect("reviewers")
        .iter()
        .map(|r| {
            let who = &r["reviewer"];
            who["login"].as_str().map_or_else(|| format!("@{}", who["slug"].as_str().unwrap_or_default()), String::from)
        })
        .collect();
    assert_eq!(reviewers, LOAD_ORDER, "json");
    assert_eq!(names("by_team", "group"), TEAM_ORDER, "json");
    let slack = render(Format::Slack, &d);
    for person in PEOPLE {
        assert!(!slack.contains(&format!("{person}:")), "slack lists no person with a figure: {slack}");
    }
}

#[test]
fn the_team_digest_carries_no_persons_speed_figure() {
    let d = digest();
    for r in &d.reviewers {
        let person = !r.reviewer.name().starts_with('@');
        assert_eq!(r.response_hours.count == 0 && r.response_hours.median.is_none(), person, "{}", r.reviewer.name());
    }
    let md = render(Format::Markdown, &d);
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(
        rows,
        [
            "| `zed` | 3 | 4 | 0 | – |",
            "| `kim` | 2 | 2 | 0 | – |",
            "| `@acme/core` | 1 | 1 | 0 | 8.0 |",
            "| `amy` | 1 | 1 | 0 | – |",
            "| `bob` | 1 | 1 | 0 | – |"
        ],
        "only the team's answer wait is shown"
    );
    let html = render(Format::Html, &d);
    for (person, own) in [("zed", "1.0"), ("kim", "5.0"), ("amy", "20.0"), ("bob", "30 min")] {
        let row = html
            .split(&format!("<tr><td>{person}</td>"))
            .nth(1)
            .expect("a row")
            .split("</tr>")
            .next()
            .unwrap_or_default();
        assert!(row.ends_with("<td class=\"num\">–</td>") && !row.contains(own), "{person}: {row}");
    }
    let json: Value = serde_json::from_str(&render(Format::Json, &d)).expect("JSON");
    for r in json["reviewers"].as_array().expect("reviewers") {
        if r["reviewer"]["type"] == "user" {
            assert_eq!(r["response_hours"], serde_json::json!({"count": 0, "median": null, "p90": null}));
        }
    }
}
