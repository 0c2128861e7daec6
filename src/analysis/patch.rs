//! Reading GitHub's unified patch of a file when the whole versions are not available: each side
//! is rebuilt from the hunks (context plus removed lines, context plus added lines), and
//! tree-sitter parses the fragments tolerantly.

/// The base and head fragments of a unified patch, hunks separated by blank lines.
pub fn sides(patch: &str) -> (String, String) {
    let mut base = String::new();
    let mut head = String::new();
    for line in patch.lines() {
        if line.starts_with("@@") {
            if !base.is_empty() {
                base.push('\n');
            }
            if !head.is_empty() {
                head.push('\n');
            }
            continue;
        }
        if line.starts_with('\\') {
            // "\ No newline at end of file"
            continue;
        }
        let (marker, text) = line.split_at(line.len().min(1));
        match marker {
            "-" => push_line(&mut base, text),
            "+" => push_line(&mut head, text),
            _ => {
                let text = if marker == " " { text } else { line };
                push_line(&mut base, text);
                push_line(&mut head, text);
            }
        }
    }
    (base, head)
}

fn push_line(into: &mut String, text: &str) {
    into.push_str(text);
    into.push('\n');
}
