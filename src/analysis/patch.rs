//! Reading GitHub's unified patch of a file when the whole versions are not available: each side
//! is rebuilt from the hunks (context plus removed lines, context plus added lines), and
//! tree-sitter parses the fragments tolerantly.

/// Both sides of a patch and, for each, the 0-based lines of the fragment that the patch changes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fragments {
    pub base: String,
    pub head: String,
    pub base_changed: Vec<usize>,
    pub head_changed: Vec<usize>,
}

pub fn fragments(patch: &str) -> Fragments {
    let mut out = Fragments::default();
    let (mut base_line, mut head_line) = (0usize, 0usize);
    let Fragments { base, head, base_changed, head_changed } = &mut out;
    for line in patch.lines() {
        if line.starts_with("@@") {
            if !base.is_empty() {
                base.push('\n');
                base_line += 1;
            }
            if !head.is_empty() {
                head.push('\n');
                head_line += 1;
            }
            continue;
        }
        if line.starts_with('\\') {
            // "\ No newline at end of file"
            continue;
        }
        // The marker is the first character, whatever its width: a line of a malformed patch
        // may start with any character, and splitting inside it would panic.
        let (marker, text) = line.split_at(line.chars().next().map_or(0, char::len_utf8));
        match marker {
            "-" => {
                push_line(base, text);
                base_changed.push(base_line);
                base_line += 1;
            }
            "+" => {
                push_line(head, text);
                head_changed.push(head_line);
                head_line += 1;
            }
            _ => {
                let text = if marker == " " { text } else { line };
                push_line(base, text);
                push_line(head, text);
                base_line += 1;
                head_line += 1;
            }
        }
    }
    out
}

fn push_line(into: &mut String, text: &str) {
    into.push_str(text);
    into.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_starts_with_a_wide_character_is_context() {
        // Found by fuzzing: such a line used to panic. A patch GitHub writes always marks its lines,
        // but a snapshot's `files.json` may hold anything.
        let f = fragments("@@ -1 +1 @@\né-unsafe { x() }\n+ok\n");
        assert_eq!(f.base, "é-unsafe { x() }\n");
        assert_eq!(f.head, "é-unsafe { x() }\nok\n");
        assert_eq!((f.base_changed, f.head_changed), (vec![], vec![1]));
    }
}
