//! Markdown as GitHub renders it, where that decides what a text means: code spans and fenced
//! code blocks are quoted text, so neither a `#12` reference nor an AI tool's marker inside them
//! counts (GitHub does not link `#12` in code either).

/// `text` with every fenced code block and inline code span blanked out: each of their characters
/// but line breaks becomes spaces, so byte offsets and line numbers still match the original.
pub fn blank_code(text: &str) -> String {
    blank(text, true)
}

/// `text` with fenced code blocks blanked out, inline code spans kept (a declaration such as
/// "AI: `none`" is still read).
pub fn blank_fences(text: &str) -> String {
    blank(text, false)
}

fn blank(text: &str, spans: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<(char, usize)> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let run = |c: char| trimmed.chars().take_while(|&x| x == c).count();
        match fence {
            Some((c, len)) => {
                // A closing fence: the same character, at least as long, nothing else on the line.
                let closing = indent < 4 && run(c) >= len && trimmed[run(c)..].trim().is_empty();
                out.push_str(&spaces(line));
                if closing {
                    fence = None;
                }
            }
            None => {
                let opening = ['`', '~'].into_iter().find(|&c| indent < 4 && run(c) >= 3);
                match opening {
                    // A backtick fence's info string may not hold a backtick.
                    Some(c) if c == '~' || !trimmed[run(c)..].contains('`') => {
                        fence = Some((c, run(c)));
                        out.push_str(&spaces(line));
                    }
                    _ if spans => out.push_str(&blank_code_spans(line)),
                    _ => out.push_str(line),
                }
            }
        }
    }
    out
}

fn spaces(s: &str) -> String {
    // As many spaces as the character has bytes, so byte offsets stay valid.
    s.chars().map(|c| if c == '\n' || c == '\r' { c.to_string() } else { " ".repeat(c.len_utf8()) }).collect()
}

/// Blanks inline code spans in one line: a run of N backticks up to the next run of exactly N.
/// An unmatched run is literal text, as in CommonMark.
fn blank_code_spans(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let open = bytes[i..].iter().take_while(|&&b| b == b'`').count();
        let mut j = i + open;
        let mut close = None;
        while j < bytes.len() {
            if bytes[j] == b'`' {
                let n = bytes[j..].iter().take_while(|&&b| b == b'`').count();
                if n == open {
                    close = Some(j + n);
                    break;
                }
                j += n;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                out.push_str(&line[copied..i]);
                out.push_str(&spaces(&line[i..end]));
                copied = end;
                i = end;
            }
            None => i += open,
        }
    }
    out.push_str(&line[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_blocks_and_spans_are_blanked_keeping_offsets() {
        let text = "Fixes #1\n\n```\n$ govulncheck\nVulnerability #2: GO-2024-1\n```\nSee `#3` and #4.\n";
        let out = blank_code(text);
        assert_eq!(out.len(), text.len());
        assert!(out.contains("Fixes #1") && out.contains("#4."));
        assert!(!out.contains("#2") && !out.contains("#3") && !out.contains("govulncheck"));
        assert_eq!(out.lines().count(), text.lines().count());
    }

    #[test]
    fn tilde_fences_info_strings_and_unclosed_fences() {
        let out = blank_code("a\n~~~~ text\nCo-authored-by: Claude <noreply@anthropic.com>\n~~~~\nb #5\n");
        assert!(!out.contains("Claude") && out.contains("b #5"));
        let out = blank_code("```rust\nlet x = 1;\n``\nstill code #6\n");
        assert!(!out.contains("#6"), "an unclosed fence runs to the end");
        // Four spaces of indent are not a fence (an indented code block is not tracked here).
        assert!(blank_code("    ```\n#7\n").contains("#7"));
    }

    #[test]
    fn spans_need_matching_runs_and_survive_multibyte_text() {
        assert_eq!(blank_code("``a ` b`` c"), "          c");
        assert_eq!(blank_code("a ` b #8"), "a ` b #8");
        let text = "é `中文` ü";
        assert_eq!(blank_code(text), format!("é {} ü", " ".repeat(8)));
        assert_eq!(blank_code(text).len(), text.len());
        let _ = blank_code(&"`é\n```\n~".repeat(1000));
    }

    #[test]
    fn blank_fences_keeps_code_spans() {
        assert_eq!(
            blank_fences("AI: `none`\n```\n- [x] AI-generated\n```\n"),
            "AI: `none`\n   \n                  \n   \n"
        );
    }
}
