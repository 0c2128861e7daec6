//! The digest as JSON for tools: the `Digest` itself, pretty-printed, field for field.

use crate::latency::digest::Digest;

pub fn render(digest: &Digest) -> String {
    // A digest holds only strings, numbers and dates, so serialising cannot fail; should it ever,
    // the output is still JSON and says why instead of aborting a scheduled run.
    serde_json::to_string_pretty(digest)
        .unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }).to_string())
}
