//! The HTML digest: one page with no script or external asset, SVG charts whose drawn values
//! are the digest's figures, and every name escaped.

use super::fixture::{self, HOSTILE};
use crate::report::digest::html::{escape, render};

/// `data-value` of every drawn mark in the chart with this id, with its label and series.
fn values(page: &str, chart: &str) -> Vec<(String, String, f64)> {
    let start = page.find(&format!("id=\"{chart}\"")).expect("chart is drawn");
    let end = start + page[start..].find("</svg>").expect("chart ends");
    let attr = |mark: &str, name: &str| {
        let at = mark.find(&format!("{name}=\"")).map(|i| i + name.len() + 2)?;
        Some(mark[at..at + mark[at..].find('"')?].to_string())
    };
    page[start..end]
        .split("<rect class=\"bar\"")
        .skip(1)
        .chain(page[start..end].split("<circle class=\"point\"").skip(1))
        .filter_map(|mark| {
            Some((attr(mark, "data-label")?, attr(mark, "data-series")?, attr(mark, "data-value")?.parse().ok()?))
        })
        .collect()
}

#[test]
fn escape_turns_markup_into_text() {
    assert_eq!(escape(HOSTILE), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    assert_eq!(escape("a & \"b\""), "a &amp; &quot;b&quot;");
}

#[test]
fn a_hostile_login_or_repository_never_becomes_markup() {
    let page = render(&fixture::hostile_week());
    assert!(!page.contains("<script") && !page.contains("<b>"), "no markup from the data");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(page.contains("mallory&amp;co"));
    // A repository that is not a plain owner/name is shown, not linked.
    assert!(page.contains("<td>evil/&lt;b&gt;repo&lt;/b&gt;#7</td>"));
}

#[test]
fn the_page_is_self_contained() {
    let page = render(&fixture::week());
    assert!(page.starts_with("<!doctype html>") && page.contains("<style>"));
    for external in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!page.contains(external), "{external}");
    }
}

#[test]
fn findings_open_the_page() {
    let digest = fixture::week();
    let page = render(&digest);
    let first_chart = page.find("<svg").expect("charts");
    let findings = page.find("class=\"findings\"").expect("findings");
    assert!(findings < first_chart);
    assert_eq!(page.matches("<li class=\"finding\"").count(), digest.findings.len());
    assert!(page.contains(
        "<span class=\"headline\">61% of the waiting was on authors (172 h on authors, 112 h on reviewers).</span>"
    ));
}

#[test]
fn the_charts_draw_the_digests_figures() {
    let digest = fixture::week();
    let page = render(&digest);
    let stages = values(&page, "chart-stages");
    assert!(stages.contains(&("all PRs".into(), "on reviewers".into(), 112.0)));
    assert!(stages.contains(&("all PRs".into(), "on authors".into(), 172.0)));
    assert!(stages.contains(&("red tier".into(), "on authors".into(), 110.0)));
    assert_eq!(
        values(&page, "chart-tiers"),
        [("red tier".into(), "first review".into(), 9.0), ("yellow tier".into(), "first review".into(), 2.5)]
    );
    assert_eq!(values(&page, "chart-ai").len(), 2);
    let load = values(&page, "chart-load");
    let requested: Vec<(String, f64)> =
        load.iter().filter(|(_, s, _)| s == "requests received").map(|(l, _, v)| (l.clone(), *v)).collect();
    let expected: Vec<(String, f64)> =
        digest.reviewers.iter().map(|r| (r.reviewer.name(), r.requests_received as f64)).collect();
    assert_eq!(requested, expected, "the digest's order, never re-sorted");
    let trend = values(&page, "chart-trend");
    assert!(trend.contains(&("2025-W10".into(), "first review".into(), 4.0)));
    assert!(trend.contains(&("2025-W09".into(), "open to merge".into(), 2.0)));
    assert!(!trend.iter().any(|(week, _, _)| week == "2025-W08"), "an empty week draws no point");
}

#[test]
fn every_chart_has_a_title_axis_labels_and_an_accessible_description() {
    let page = render(&fixture::week());
    let charts = page.matches("<svg ").count();
    assert_eq!(charts, 5);
    assert_eq!(page.matches("role=\"img\" aria-labelledby=").count(), charts);
    assert_eq!(page.matches("<desc id=").count(), charts);
    assert_eq!(page.matches("class=\"axis-label\"").count(), 2 * charts);
    assert!(page.contains("<title>red tier, first review: 9.0 hours</title>"));
    assert!(page.contains("<title>dave, requests received: 3 requests</title>"));
    assert!(
        page.contains("Waiting on reviewers and on authors (hours). all PRs: on reviewers 112.0, on authors 172.0")
    );
}

#[test]
fn the_unit_follows_the_digests_clock() {
    assert!(render(&fixture::working_week()).contains("median first review (working hours)"));
    assert!(!render(&fixture::week()).contains("working hours"));
}

#[test]
fn an_empty_week_says_so_without_charts() {
    let page = render(&fixture::quiet_week());
    assert!(page.contains("<p class=\"empty\">No review activity in this window.</p>"));
    assert!(!page.contains("<svg") && !page.contains("<table"));
}
