//! Where a dotted policy key (`tiers.red.review.approvals`) is written in a policy file's text, as
//! a line and column, for the error that names a loosening at its place. Block and flow style
//! (`review: { approvals: 1 }`) are both found; a key the file does not write gives the place of
//! the nearest enclosing key it does write.

use regex::Regex;

/// The 1-based line and column of `key` in `text`, or of the deepest part of it that `text`
/// writes; `None` when not even its first part is there.
pub fn key_position(text: &str, key: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().map(strip_comment).collect();
    let mut segments = key.split('.').peekable();
    let (mut from, mut to) = (0, lines.len());
    let mut found = None;
    while let Some(segment) = segments.next() {
        let pattern = key_pattern(segment)?;
        // Only the block's own keys, at its children's indentation, not deeper ones.
        let child_indent = (from..to).find(|i| !lines[*i].trim().is_empty()).map(|i| indent_of(lines[i]));
        let hit = (from..to).filter(|i| Some(indent_of(lines[*i])) == child_indent).find_map(|i| {
            pattern
                .find(lines[i])
                .filter(|m| lines[i][..m.start()].trim().is_empty())
                .map(|m| (i, key_start(lines[i], m.start())))
        });
        let Some((line, column)) = hit else { return found };
        found = Some((line + 1, column + 1));
        // A flow mapping on the same line holds the rest of the key.
        let after = &lines[line][column + segment.len()..];
        if after.contains('{') {
            let mut offset = column + segment.len();
            for rest in segments.by_ref() {
                let pattern = key_pattern(rest)?;
                let Some(m) = pattern.find(&lines[line][offset..]) else { return found };
                let start = key_start(&lines[line][offset..], m.start()) + offset;
                found = Some((line + 1, start + 1));
                offset = start + rest.len();
            }
            return found;
        }
        let indent = indent_of(lines[line]);
        from = line + 1;
        to = (from..lines.len())
            .find(|i| !lines[*i].trim().is_empty() && indent_of(lines[*i]) <= indent)
            .unwrap_or(lines.len());
    }
    found
}

/// The line of `key` alone, for messages that name only a line.
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    key_position(text, key).map(|(line, _)| line)
}

fn key_pattern(segment: &str) -> Option<Regex> {
    let name = regex::escape(segment);
    Regex::new(&format!(r#"(^|[\s{{,\-])["']?{name}["']?\s*:"#)).ok()
}

/// The column of the key itself in a match that may start at the character before it.
fn key_start(line: &str, start: usize) -> usize {
    let rest = &line[start..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '{', ',', '-']).len();
    start + skipped
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The line without a trailing comment: a `#` that starts the line or follows a space, outside
/// quotes.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return &line[..i],
            _ => {}
        }
        previous = c;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "version: 1\nextends: strict\ntiers:\n  red:\n    paths: [\"src/**\"]\n    review:\n      approvals: 1 # one\n  yellow:\n    review: { approvals: 0, stale: never }\n";

    #[test]
    fn a_block_key_is_found_at_its_line_and_column() {
        assert_eq!(key_position(TEXT, "tiers.red.review.approvals"), Some((7, 7)));
        assert_eq!(key_position(TEXT, "tiers.red.paths"), Some((5, 5)));
    }

    #[test]
    fn a_key_in_a_flow_mapping_is_found_inside_the_line() {
        assert_eq!(key_position(TEXT, "tiers.yellow.review.stale"), Some((9, 29)));
        assert_eq!(key_position(TEXT, "tiers.yellow.review.approvals"), Some((9, 15)));
    }

    #[test]
    fn a_key_not_written_gives_its_nearest_written_parent_and_none_when_nothing_is() {
        assert_eq!(key_position(TEXT, "tiers.red.review.stale"), Some((6, 5)));
        assert_eq!(key_position(TEXT, "limits.max_files"), None);
    }

    #[test]
    fn a_key_under_another_section_is_not_taken_for_it() {
        let text =
            "ai:\n  tiers:\n    red:\n      review: { approvals: 1 }\ntiers:\n  red:\n    review: { approvals: 3 }\n";
        assert_eq!(key_position(text, "tiers.red.review.approvals"), Some((7, 15)));
        assert_eq!(key_position(text, "ai.tiers.red.review.approvals"), Some((4, 17)));
    }
}
