//! Tests of the digest renderers over digests built from hand-written PR timelines.

mod changes;
mod fixture;
mod html;
mod hygiene;
mod markdown;
mod no_ranking;
mod slack;
mod tools;

use super::{Format, render};

#[test]
fn every_format_has_a_name_that_parses_back() {
    for format in Format::ALL {
        assert_eq!(format.name().parse::<Format>(), Ok(format));
    }
    assert_eq!("HTML".parse::<Format>(), Ok(Format::Html));
    let error = "pdf".parse::<Format>().expect_err("no pdf");
    assert_eq!(error.to_string(), "unknown digest format `pdf`: use one of markdown, html, slack, json");
}

#[test]
fn json_is_the_digest_itself_with_each_findings_sentences() {
    let digest = fixture::week();
    let text = render(Format::Json, &digest);
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut data = serde_json::to_value(&digest).expect("digest serialises");
    let findings = value["findings"].take();
    // What changed carries its sentences beside its figures (checked in `tests/changes.rs`).
    for stage in value["changes"]["stages"].as_array_mut().expect("every stage") {
        let summaries = [
            stage.as_object_mut().and_then(|s| s.remove("summary")),
            stage["cause"].as_object_mut().and_then(|c| c.remove("summary")),
        ];
        assert!(summaries[0].is_some(), "each stage has its line");
    }
    assert_eq!(
        value,
        {
            data["findings"].take();
            data
        },
        "everything but the findings is the digest as it is"
    );
    assert!(!digest.findings.is_empty());
    for (json, finding) in findings.as_array().expect("findings").iter().zip(&digest.findings) {
        let keys: Vec<&str> = json.as_object().expect("an object").keys().map(String::as_str).collect();
        assert_eq!((keys[0], &keys[keys.len() - 3..]), ("kind", &["headline", "suggestion", "explained_hours"][..]));
        assert_eq!(json["headline"], crate::wording::digest::headline(&finding.kind));
        assert_eq!(json["suggestion"], crate::wording::digest::suggestion(&finding.kind));
        assert_eq!(json["explained_hours"], finding.explained_hours);
    }
    assert!(text.contains("\n  \"window\""), "pretty-printed");
}

#[test]
fn a_notice_is_shown_first_in_every_format() {
    let digest = fixture::week();
    let notice = super::Notice("settings <unread> & 'kept'".into());
    let with = |format| super::render_with(format, &digest, Some(&notice));
    let markdown = with(Format::Markdown);
    assert_eq!(markdown, format!("> **Warning:** settings <unread> & 'kept'\n\n{}", render(Format::Markdown, &digest)));
    let html = with(Format::Html);
    assert_eq!(
        html,
        render(Format::Html, &digest).replacen(
            "<main>\n",
            "<main>\n<p class=\"warning\">settings &lt;unread&gt; &amp; 'kept'</p>\n",
            1
        )
    );
    let slack: serde_json::Value = serde_json::from_str(&with(Format::Slack)).expect("JSON");
    assert_eq!(slack["blocks"][1]["text"]["text"], "*Warning:* settings &lt;unread&gt; &amp; 'kept'");
    let json: serde_json::Value = serde_json::from_str(&with(Format::Json)).expect("JSON");
    assert_eq!(json["notice"], notice.0);
}

#[test]
fn slack_through_the_common_interface_is_its_payload_as_text() {
    let digest = fixture::week();
    let value: serde_json::Value = serde_json::from_str(&render(Format::Slack, &digest)).expect("JSON");
    assert_eq!(value, super::slack::render(&digest));
}

/// Figures no builder produces (infinite, not a number) still render in every format.
#[test]
fn impossible_figures_never_panic() {
    let mut digest = fixture::week();
    digest.overall.waiting_on_reviewers_hours = f64::NAN;
    digest.overall.waiting_on_author_hours = f64::INFINITY;
    digest.by_tier[0].first_review_hours.median = Some(f64::INFINITY);
    digest.by_tier[1].waiting_on_author_hours = -5.0;
    digest.trend[1].first_review_hours.median = Some(f64::NAN);
    digest.reviewers.truncate(0);
    for format in Format::ALL {
        assert!(!render(format, &digest).is_empty(), "{format}");
    }
}
