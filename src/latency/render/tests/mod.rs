//! Tests of the digest renderers over digests built from hand-written PR timelines.

mod fixture;
mod html;
mod markdown;
mod slack;

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
fn json_is_the_digest_itself() {
    let digest = fixture::week();
    let text = render(Format::Json, &digest);
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(value, serde_json::to_value(&digest).expect("digest serialises"));
    assert!(text.contains("\n  \"window\""), "pretty-printed");
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
