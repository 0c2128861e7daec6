//! The digest as JSON for tools: the `Digest` itself, pretty-printed, field for field, with each
//! finding's `headline` and `suggestion` worded beside its figures (docs/metrics.md).

use serde_json::{Value, json};

use super::common::Notice;
use crate::latency::digest::Digest;
use crate::latency::findings::Finding;
use crate::wording::digest as w;

/// The JSON, with `notice` as a last `notice` field when there is one.
pub fn render_with(digest: &Digest, notice: Option<&Notice>) -> String {
    // A digest holds only strings, numbers and dates, so serialising cannot fail; should it ever,
    // the output is still JSON and says why instead of aborting a scheduled run.
    let value = serde_json::to_value(digest).map(|mut value| {
        value["findings"] = Value::Array(digest.findings.iter().map(finding).collect());
        if let Some(figures) = &digest.shadow {
            value["shadow"]["summary"] = json!(w::shadow::summary(figures));
        }
        if let Some(left_out) = &digest.left_out {
            value["left_out"]["summary"] = json!(w::tried::left_out(left_out));
        }
        let unit = w::unit(digest.clock);
        for (i, tried) in digest.tried_targets.iter().enumerate() {
            value["tried_targets"][i]["summary"] = json!(w::tried::tried_summary(tried, unit));
        }
        if let Some(figures) = &digest.ladder {
            value["ladder"]["summary"] = json!(w::ladder::summary(figures));
        }
        super::changes::json(&mut value, digest);
        if let Some(Notice(notice)) = notice {
            value["notice"] = json!(notice);
        }
        value
    });
    value
        .and_then(|value| serde_json::to_string_pretty(&value))
        .unwrap_or_else(|error| json!({ "error": error.to_string() }).to_string())
}

/// A finding as tools read it: its kind and figures, then its sentences, then the waiting it
/// explains.
fn finding(finding: &Finding) -> Value {
    let mut value = serde_json::to_value(&finding.kind).unwrap_or_else(|_| json!({}));
    if let Some(fields) = value.as_object_mut() {
        fields.insert("headline".into(), json!(w::headline(&finding.kind)));
        fields.insert("suggestion".into(), json!(w::suggestion(&finding.kind)));
        fields.insert("explained_hours".into(), json!(finding.explained_hours));
    }
    value
}
