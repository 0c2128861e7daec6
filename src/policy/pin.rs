//! `flowgate policy update`'s edit: a policy file's remote `extends:` pinned to a commit by
//! changing the text of that entry alone, so that the file's comments and layout stay as they
//! are. The string form becomes the mapping form; a pinned one has its `commit:` replaced. The
//! result is read back and must say exactly that, or nothing is written.

use std::sync::LazyLock;

use regex::Regex;
use yaml_serde::Value;

use super::remote::{ExtendsFile, RemoteExtends};

/// The remote `extends:` a policy file's own text says, if it says one (a pack or a path is not).
pub fn remote_extends(text: &str) -> Result<Option<RemoteExtends>, String> {
    super::yaml_limits::check(text).map_err(|e| format!("{}:{}: {}", e.line, e.column, e.message))?;
    let top: Value = yaml_serde::from_str(text).map_err(|e| e.to_string())?;
    let Some(extends) = top.as_mapping().and_then(|m| m.get("extends")) else { return Ok(None) };
    match yaml_serde::from_value::<ExtendsFile>(extends.clone()).map_err(|e| e.to_string())? {
        ExtendsFile::Remote(remote) => Ok(Some(remote)),
        ExtendsFile::Name(_) => Ok(None),
    }
}

/// A top-level `extends:` line: the key at the start of the line, then the rest.
static EXTENDS_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^(?:extends|"extends"|'extends')\s*:(.*)$"#).expect("static regex"));
/// A `commit:` entry, in block or flow style, and its value.
static COMMIT_ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(commit\s*:\s*)(?:"[^"]*"|'[^']*'|[0-9A-Za-z]+)"#).expect("static regex"));
static FROM_ENTRY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\s+)from\s*:").expect("static regex"));

/// `text` with its remote `extends:` read at `commit`. Errors say why the file cannot be edited in
/// place (it has no remote `extends:`, or is written in a way this edit does not follow).
pub fn pin(text: &str, commit: &str) -> Result<String, String> {
    let before = remote_extends(text)?.ok_or("the file has no remote `extends:` to pin")?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = lines
        .iter()
        .position(|line| EXTENDS_LINE.is_match(line.trim_end_matches(['\n', '\r'])))
        .ok_or("the `extends:` key is not at the start of a line")?;
    let line = lines[at].trim_end_matches(['\n', '\r']);
    let newline = &lines[at][line.len()..];
    let newline = if newline.is_empty() { "\n" } else { newline };
    let rest = EXTENDS_LINE.captures(line).and_then(|c| c.get(1)).map_or("", |m| m.as_str());
    let (value, comment) = split_comment(rest);
    let mut out: Vec<String> = lines[..at].iter().map(|l| l.to_string()).collect();
    let mut after = at + 1;
    if value.starts_with('{') {
        // Flow style: the commit's value is replaced on the line.
        out.push(format!("{}{newline}", COMMIT_ENTRY.replace(line, format!("${{1}}{commit}"))));
    } else if !value.is_empty() {
        // The string form becomes the mapping form, its text kept as `from:`.
        let comment = if comment.is_empty() { String::new() } else { format!(" {comment}") };
        out.push(format!("extends:{comment}{newline}  from: {value}{newline}  commit: {commit}{newline}"));
    } else {
        // Block style: the entry's own lines, indented, follow the key.
        out.push(lines[at].to_string());
        let mut commit_written = false;
        let mut indent = "  ".to_string();
        while after < lines.len() {
            let line = lines[after];
            let blank_or_comment = line.trim().is_empty() || line.trim_start().starts_with('#');
            if !blank_or_comment && !line.starts_with([' ', '\t']) {
                break;
            }
            if let Some(c) = FROM_ENTRY.captures(line) {
                indent = c[1].to_string();
            }
            if !blank_or_comment && line.trim_start().starts_with("commit") {
                out.push(COMMIT_ENTRY.replace(line, format!("${{1}}{commit}")).into_owned());
                commit_written = true;
            } else {
                out.push(line.to_string());
            }
            after += 1;
        }
        if !commit_written {
            out.push(format!("{indent}commit: {commit}{newline}"));
        }
    }
    out.extend(lines[after..].iter().map(|l| l.to_string()));
    let pinned = out.concat();
    // Read back: the same file, but for the commit.
    let want = RemoteExtends { from: before.from, commit: Some(commit.to_ascii_lowercase()) };
    let same_rest = without_extends(text)? == without_extends(&pinned)?;
    match remote_extends(&pinned) {
        Ok(Some(got)) if got == want && same_rest => Ok(pinned),
        _ => Err(format!(
            "the `extends:` entry cannot be edited in place; write it as\nextends:\n  from: {}\n  commit: {commit}",
            want.from
        )),
    }
}

/// The value on a line and its trailing `# comment` (a `#` after a space, outside quotes).
fn split_comment(rest: &str) -> (&str, &str) {
    let mut quote = None;
    let bytes = rest.as_bytes();
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t' => {
                return (rest[..i].trim(), rest[i..].trim_end());
            }
            _ => {}
        }
    }
    (rest.trim(), "")
}

fn without_extends(text: &str) -> Result<Value, String> {
    let mut top: Value = yaml_serde::from_str(text).map_err(|e| e.to_string())?;
    if let Value::Mapping(m) = &mut top {
        m.remove("extends");
    }
    Ok(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "89abcdef0123456789abcdef0123456789abcdef";

    fn pinned(text: &str) -> String {
        pin(text, SHA).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_string_form_becomes_the_mapping_form_and_nothing_else_changes() {
        let text = "# Our policy.\nversion: 1\nextends: acme/.github:flowgate/base.yml@main  # the org's\n\n# Red paths.\ntiers:\n  red: { paths: [\"db/**\"] }\n";
        insta::assert_snapshot!(pinned(text), @r#"
        # Our policy.
        version: 1
        extends: # the org's
          from: acme/.github:flowgate/base.yml@main
          commit: 89abcdef0123456789abcdef0123456789abcdef

        # Red paths.
        tiers:
          red: { paths: ["db/**"] }
        "#);
    }

    #[test]
    fn a_pinned_commit_is_replaced_where_it_is_written() {
        let old = "0123456789abcdef0123456789abcdef01234567";
        let block = format!(
            "version: 1\nextends:\n    from: \"acme/.github:base.yml@main\"\n    # reviewed in #12\n    commit: {old}  # pin\nteams: {{}}\n"
        );
        insta::assert_snapshot!(pinned(&block), @r#"
        version: 1
        extends:
            from: "acme/.github:base.yml@main"
            # reviewed in #12
            commit: 89abcdef0123456789abcdef0123456789abcdef  # pin
        teams: {}
        "#);
        let flow = format!("version: 1\nextends: {{ from: acme/.github:base.yml@main, commit: '{old}' }}\n");
        assert_eq!(
            pinned(&flow),
            format!("version: 1\nextends: {{ from: acme/.github:base.yml@main, commit: {SHA} }}\n")
        );
    }

    #[test]
    fn a_file_without_a_remote_says_so() {
        assert_eq!(remote_extends("version: 1\nextends: default\n"), Ok(None));
        let e = pin("version: 1\nextends: default\n", SHA).expect_err("nothing to pin");
        assert!(e.contains("no remote `extends:`"), "{e}");
    }
}
