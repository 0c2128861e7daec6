//! The HTML pages of `flowgate app setup`: the form that posts the manifest to GitHub, and the
//! pages shown when GitHub sends the browser back. The sentences come from `wording::setup`;
//! every one of them, and every value, is escaped here.

use crate::report::digest::html::escape;
use crate::wording::setup as w;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;\
line-height:1.5}button{font-size:1rem;padding:.6rem 1.2rem}code{word-break:break-all}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title}</title><style>{STYLE}</style></head>\n<body><h1>{title}</h1>\n{body}</body></html>\n",
        title = escape(title)
    )
}

fn paragraphs(lines: &[String]) -> String {
    lines.iter().map(|line| format!("<p>{}</p>\n", escape(line))).collect()
}

/// The form: the manifest, as JSON in one hidden field, posted to GitHub's `action`.
pub fn form(action: &str, manifest: &serde_json::Value, intro: &[String]) -> String {
    let body = format!(
        "{}<form action=\"{}\" method=\"post\">\n<input type=\"hidden\" name=\"manifest\" value=\"{}\">\n\
         <button type=\"submit\" id=\"create\">{}</button>\n</form>\n",
        paragraphs(intro),
        escape(action),
        escape(&manifest.to_string()),
        escape(w::PAGE_BUTTON)
    );
    page(w::PAGE_TITLE, &body)
}

/// The App exists and its files are written: what to do next, with the installation link.
pub fn done(lines: &[String], install_url: &str) -> String {
    let link = format!("<p><a id=\"install\" href=\"{0}\">{0}</a></p>\n", escape(install_url));
    page(w::DONE_TITLE, &format!("{}{link}", paragraphs(lines)))
}

/// A redirect that was not taken, or a setup that failed: one sentence.
pub fn message(title: &str, sentence: &str) -> String {
    page(title, &paragraphs(&[sentence.to_string()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_text_never_markup() {
        let manifest = serde_json::json!({ "name": "<script>alert(1)</script>", "url": "https://x.dev/?a=1&b=\"2\"" });
        let html = form("https://github.com/settings/apps/new?state=a&b", &manifest, &["<b>hi</b>".to_string()]);
        assert!(!html.contains("<script>") && !html.contains("<b>hi"), "{html}");
        assert!(html.contains("action=\"https://github.com/settings/apps/new?state=a&amp;b\""), "{html}");
        assert!(html.contains("&quot;name&quot;:&quot;&lt;script&gt;"), "the JSON is an attribute's text: {html}");
    }
}
