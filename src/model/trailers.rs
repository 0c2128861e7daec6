//! Git trailers (`Key: value` lines closing a commit message) and the people they name.
//!
//! Acceptance rule for the trailer block (a simplified version of git's `interpret-trailers`):
//! * The block is the last paragraph (blank-line separated) and never the first one: the first
//!   paragraph is the subject, so a one-paragraph message has no trailers.
//! * [`parse_all`] also reads earlier paragraphs made only of trailer lines: GitHub's squash merges
//!   put each squashed commit's trailers mid-message ("* first\n\nCo-authored-by: …\n\n* second"),
//!   and sign-offs or footnotes often follow a trailer paragraph. Those are attributions too, and
//!   a gate that reads only the last paragraph misses them.
//! * A trailer line is `Key:` followed by whitespace or the end of the line, where `Key` is ASCII
//!   letters, digits and `-` (not starting with `-`). Requiring whitespace after the colon keeps
//!   URLs (`https://…`) out.
//! * A line starting with whitespace continues the previous line; after a trailer it is appended
//!   to its value (joined with a single space).
//! * The paragraph is accepted when every line is a trailer (or continuation), or, as in git,
//!   when it holds a well-known trailer (`Signed-off-by`, `Co-authored-by`, …) or a
//!   `(cherry picked from commit …)` line and at least 25% of its lines are trailers. In the
//!   latter case only the trailer lines are returned.

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    /// The key as written, e.g. `Co-Authored-By`.
    pub key: String,
    /// The value, trimmed, continuation lines joined with a space.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

static TRAILER_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z0-9][A-Za-z0-9-]*):(?:\s+(.*))?$").expect("static regex"));

/// Keys that make a mixed paragraph count as a trailer block (git only knows `Signed-off-by`;
/// the rest are the same "who touched this" family and are just as unambiguous).
const WELL_KNOWN: &[&str] = &[
    "signed-off-by",
    "co-authored-by",
    "reviewed-by",
    "acked-by",
    "tested-by",
    "reported-by",
    "suggested-by",
    "helped-by",
];

/// The trailers of a commit message's last paragraph, as git reads them; see the module docs.
pub fn parse(message: &str) -> Vec<Trailer> {
    let paragraphs = paragraphs(message);
    match paragraphs.split_last() {
        Some((last, before)) if !before.is_empty() => paragraph_trailers(last, false),
        _ => Vec::new(),
    }
}

/// The trailers of every trailer paragraph after the subject: the last paragraph by git's rule,
/// and any earlier one whose every line is a trailer (so a quoted `Co-authored-by:` in prose
/// stays prose).
pub fn parse_all(message: &str) -> Vec<Trailer> {
    let paragraphs = paragraphs(message);
    let Some((last, before)) = paragraphs.split_last() else {
        return Vec::new();
    };
    if before.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Trailer> = before[1..].iter().flat_map(|p| paragraph_trailers(p, true)).collect();
    out.extend(paragraph_trailers(last, false));
    out
}

/// The message's paragraphs: runs of non-blank lines.
fn paragraphs(message: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in message.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The trailers of one paragraph, or none when it is not a trailer block. `strict` accepts only
/// paragraphs made of trailer lines alone.
fn paragraph_trailers(lines: &[&str], strict: bool) -> Vec<Trailer> {
    let mut trailers: Vec<Trailer> = Vec::new();
    let (mut trailer_lines, mut other_lines, mut recognised) = (0usize, 0usize, false);
    // Whether the previous non-continuation line was a trailer (None at paragraph start).
    let mut prev_trailer: Option<bool> = None;
    for line in lines {
        if line.starts_with(char::is_whitespace) {
            match prev_trailer {
                Some(true) => {
                    if let Some(last) = trailers.last_mut() {
                        let more = line.trim();
                        if last.value.is_empty() {
                            last.value = more.to_string();
                        } else {
                            last.value.push(' ');
                            last.value.push_str(more);
                        }
                    }
                }
                // Continuing prose is part of a line already counted.
                Some(false) => {}
                None => {
                    other_lines += 1;
                    prev_trailer = Some(false);
                }
            }
            continue;
        }
        if let Some(caps) = TRAILER_LINE.captures(line) {
            let key = caps[1].to_string();
            recognised |= WELL_KNOWN.iter().any(|k| key.eq_ignore_ascii_case(k));
            let value = caps.get(2).map_or("", |m| m.as_str()).trim().to_string();
            trailers.push(Trailer { key, value });
            trailer_lines += 1;
            prev_trailer = Some(true);
        } else {
            recognised |= line.starts_with("(cherry picked from commit ");
            other_lines += 1;
            prev_trailer = Some(false);
        }
    }
    let mixed_ok = !strict && recognised && trailer_lines * 3 >= other_lines;
    let accepted = trailer_lines > 0 && (other_lines == 0 || mixed_ok);
    if accepted { trailers } else { Vec::new() }
}

/// Values of the trailers whose key equals `key`, ignoring ASCII case.
pub fn values<'a>(trailers: &'a [Trailer], key: &str) -> impl Iterator<Item = &'a str> {
    let key = key.to_string();
    trailers.iter().filter(move |t| t.key.eq_ignore_ascii_case(&key)).map(|t| t.value.as_str())
}

/// Parse `Name <email>`. Whitespace in the name is collapsed and surrounding quotes dropped; a
/// missing email gives `""`; a bare `user@host` (no spaces, no brackets) is taken as the email
/// with an empty name. `None` when both name and email are empty.
pub fn parse_person(value: &str) -> Option<Person> {
    let value = value.trim();
    let (name, email) = match value.rfind('<') {
        Some(i) => {
            let rest = &value[i + 1..];
            (&value[..i], rest.find('>').map_or(rest, |j| &rest[..j]))
        }
        None if value.contains('@') && !value.contains(char::is_whitespace) => ("", value),
        // `OpenHands-GPT-5 openhands@all-hands.dev`: some tools leave the brackets out.
        None => match value.rsplit_once(char::is_whitespace) {
            Some((name, email)) if email.contains('@') => (name, email),
            _ => (value, ""),
        },
    };
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = name.trim_matches('"').trim().to_string();
    let email = email.trim().to_string();
    (!name.is_empty() || !email.is_empty()).then_some(Person { name, email })
}

/// Co-authors named by `Co-authored-by:` trailers in any trailer paragraph (key compared
/// case-insensitively): a squash merge names its co-authors mid-message.
pub(crate) fn co_authors(message: &str) -> Vec<Person> {
    let trailers = parse_all(message);
    values(&trailers, "co-authored-by").filter_map(parse_person).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(message: &str) -> Vec<(String, String)> {
        parse(message).into_iter().map(|t| (t.key, t.value)).collect()
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn last_paragraph_trailers() {
        let msg =
            "Fix login\n\nLonger body.\n\nSigned-off-by: A <a@x.org>\nCo-Authored-By: Claude <noreply@anthropic.com>\n";
        assert_eq!(
            kv(msg),
            vec![pair("Signed-off-by", "A <a@x.org>"), pair("Co-Authored-By", "Claude <noreply@anthropic.com>")]
        );
    }

    #[test]
    fn subject_only_or_empty_has_none() {
        assert!(parse("").is_empty());
        assert!(parse("\n\n  \n").is_empty());
        assert!(parse("Signed-off-by: A <a@x.org>").is_empty());
        assert!(parse("Subject\nSigned-off-by: A <a@x.org>\n").is_empty());
        assert!(parse("\n\nSigned-off-by: A <a@x.org>\n\n").is_empty());
    }

    #[test]
    fn crlf_trailing_blank_lines_and_empty_value() {
        let msg = "Subject\r\n\r\nAcked-by:\r\nFixes: #12  \r\n\r\n\r\n";
        assert_eq!(kv(msg), vec![pair("Acked-by", ""), pair("Fixes", "#12")]);
    }

    #[test]
    fn only_the_last_paragraph_counts() {
        let msg =
            "Subject\n\nWe talked and\nCo-authored-by: Bob <bob@x.org>\nwas quoted here.\n\nMore prose at the end.\n";
        assert!(parse(msg).is_empty());
        let msg = "Subject\n\nCo-authored-by: Bob <bob@x.org>\n\nThanks all.\n";
        assert!(parse(msg).is_empty());
    }

    #[test]
    fn every_trailer_paragraph_counts_for_parse_all() {
        // GitHub's squash-merge message: each squashed commit's trailers sit mid-message.
        let squash = "Add login (#12)\n\n* first commit\n\nCo-authored-by: Bob <bob@x.org>\n\n* second commit\n\nSigned-off-by: A <a@x.org>\n";
        assert_eq!(kv(squash), vec![pair("Signed-off-by", "A <a@x.org>")]);
        let all: Vec<_> = parse_all(squash).into_iter().map(|t| (t.key, t.value)).collect();
        assert_eq!(all, vec![pair("Co-authored-by", "Bob <bob@x.org>"), pair("Signed-off-by", "A <a@x.org>")]);
        // A footnote after the trailer paragraph.
        let msg = "S\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n\n[1]: see the design doc\n";
        assert_eq!(parse_all(msg).len(), 1);
        // Quoted in prose mid-message: not a trailer, even with a well-known key.
        let msg = "S\n\nAs said,\nCo-authored-by: Bob <bob@x.org>\nwas quoted.\n\nBye.\n";
        assert!(parse_all(msg).is_empty());
        // The subject paragraph never holds trailers.
        assert!(parse_all("Co-authored-by: Bob <bob@x.org>\n\nBody.\n").is_empty());
        assert!(parse_all("").is_empty());
    }

    #[test]
    fn continuation_lines_join_the_previous_value() {
        let msg = "Subject\n\nNote: first part\n  second part\n\tthird\nKey: v\n";
        assert_eq!(kv(msg), vec![pair("Note", "first part second part third"), pair("Key", "v")]);
        let msg = "Subject\n\nKey:\n  wrapped\n";
        assert_eq!(kv(msg), vec![pair("Key", "wrapped")]);
    }

    #[test]
    fn not_trailer_shaped_lines() {
        // URLs, keys with spaces, missing colon, leading dash.
        for line in ["https://example.com/x", "Reviewed by: A", "Just prose", "-x: y", "Key:value"] {
            assert!(parse(&format!("S\n\n{line}\n")).is_empty(), "{line}");
        }
    }

    #[test]
    fn mixed_paragraph_needs_well_known_key_and_quarter_trailers() {
        let msg = "S\n\nSome closing remark.\nSigned-off-by: A <a@x.org>\n";
        assert_eq!(kv(msg), vec![pair("Signed-off-by", "A <a@x.org>")]);
        let msg = "S\n\n(cherry picked from commit abc)\nFoo: bar\n";
        assert_eq!(kv(msg), vec![pair("Foo", "bar")]);
        // Unknown key among prose: rejected.
        assert!(parse("S\n\nSome closing remark.\nFoo: bar\n").is_empty());
        // Well-known key but prose dominates (1 trailer vs 4 other lines).
        let msg = "S\n\nline one\nline two\nCo-authored-by: Bob <b@x.org>\nline three\nline four\n";
        assert!(parse(msg).is_empty());
        // Exactly 25%: accepted.
        let msg = "S\n\nl1\nl2\nl3\nCo-authored-by: Bob <b@x.org>\n";
        assert_eq!(co_authors(msg).len(), 1);
        // Leading indented line is prose, not a continuation.
        assert!(parse("S\n\n  indented\nFoo: bar\n").is_empty());
    }

    #[test]
    fn values_is_case_insensitive() {
        let t = parse("S\n\nCO-AUTHORED-BY: A\nco-authored-by: B\nOther: C\n");
        assert_eq!(values(&t, "Co-authored-by").collect::<Vec<_>>(), vec!["A", "B"]);
        assert_eq!(values(&t, "missing").count(), 0);
    }

    #[test]
    fn person_parsing() {
        let p = |n: &str, e: &str| Some(Person { name: n.into(), email: e.into() });
        assert_eq!(parse_person("Claude <noreply@anthropic.com>"), p("Claude", "noreply@anthropic.com"));
        assert_eq!(parse_person("  Ada   King  <  ada@x.org >  "), p("Ada King", "ada@x.org"));
        assert_eq!(parse_person("\"Ada King\" <ada@x.org>"), p("Ada King", "ada@x.org"));
        assert_eq!(parse_person("aider (gpt-4o) <aider@aider.chat>"), p("aider (gpt-4o)", "aider@aider.chat"));
        assert_eq!(parse_person("Bob"), p("Bob", ""));
        assert_eq!(parse_person("Bob <bob@x.org"), p("Bob", "bob@x.org"));
        assert_eq!(parse_person("<bob@x.org>"), p("", "bob@x.org"));
        assert_eq!(parse_person("bob@x.org"), p("", "bob@x.org"));
        assert_eq!(
            parse_person("OpenHands-GPT-5 openhands@all-hands.dev"),
            p("OpenHands-GPT-5", "openhands@all-hands.dev")
        );
        assert_eq!(parse_person("   "), None);
        assert_eq!(parse_person("<>"), None);
    }

    #[test]
    fn co_authors_from_message() {
        let msg = "S\n\nCo-authored-by: A <a@x.org>\nSigned-off-by: Z <z@x.org>\nCo-Authored-By: B\nco-authored-by:\n";
        let names: Vec<_> = co_authors(msg).into_iter().map(|p| p.name).collect();
        assert_eq!(names, vec!["A", "B"]);
    }

    #[test]
    fn no_panic_on_odd_input() {
        let mut s = String::new();
        for i in 0..20_000 {
            s.push_str(["é:", "\n", " 🤖", "K: ", "<", "\r\n", "\t", "ß"][i % 8]);
        }
        let _ = parse(&s);
        let _ = co_authors(&s);
        for v in ["<", ">", "<<>>", "é <ü", "@", "a<b>c<d>"] {
            let _ = parse_person(v);
        }
    }
}
