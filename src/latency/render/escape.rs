//! Escaping text for HTML and SVG, which both renderers share.

/// Text and attribute values for HTML: the five characters that could end an element or an
/// attribute become entities, so a login like `<script>` is shown, never run.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
