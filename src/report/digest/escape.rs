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

/// Text between tags, where a quote cannot end anything: `'` stays as it is, as the digest's
/// notice has always been written.
pub fn escape_text(raw: &str) -> String {
    raw.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
