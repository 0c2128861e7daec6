//! The limits a policy's tree-sitter query must stay within before it is compiled.
//!
//! `tree_sitter::Query::new` has no timeout, and its cost grows faster than the query: 50,000
//! alternatives took minutes. So the text is measured first, by size and by the number of node
//! patterns and alternatives it writes, and refused without compiling when it is over.

/// Bytes one query may hold; the built-in detectors' queries are 2 to 5 KB.
pub(crate) const MAX_QUERY_BYTES: usize = 32 * 1024;
/// Node patterns (`(kind ...)`, `"literal"`) plus alternations (`[...]`) one query may write.
pub const MAX_QUERY_NODES: usize = 1_000;

/// What a query writes, counted outside strings and comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryMeasure {
    pub bytes: usize,
    pub nodes: usize,
}

/// Measures `text`; refuses it, naming the limit, when it is over one.
pub fn check(lang: &str, text: &str) -> Result<QueryMeasure, String> {
    if text.len() > MAX_QUERY_BYTES {
        return Err(format!(
            "the {lang} query is {} bytes, over the limit of {MAX_QUERY_BYTES} bytes (max query size); it was not compiled",
            text.len()
        ));
    }
    let m = measure(text);
    if m.nodes > MAX_QUERY_NODES {
        return Err(format!(
            "the {lang} query writes {} patterns and alternatives, over the limit of {MAX_QUERY_NODES} (max query patterns); it was not compiled",
            m.nodes
        ));
    }
    Ok(m)
}

/// Counts `(`, `[` and string literals outside strings and `;` comments.
pub fn measure(text: &str) -> QueryMeasure {
    let mut nodes = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                nodes += 1;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '(' | '[' => nodes += 1,
            _ => {}
        }
    }
    QueryMeasure { bytes: text.len(), nodes }
}

/// `n` alternatives of identifiers named by a predicate, as the big queries that were slow to
/// compile were written; for tests and benchmarks.
pub fn alternatives(n: usize) -> String {
    let mut q = String::from("[\n");
    for i in 0..n {
        q.push_str(&format!("  ((identifier) @m (#eq? @m \"name{i}\"))\n"));
    }
    q.push_str("]\n");
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_of_fifty_thousand_alternatives_is_refused_by_name() {
        let e = check("rust", &alternatives(50_000)).unwrap_err();
        assert!(e.contains("max query size") && e.contains("not compiled"), "{e}");
        let e = check("rust", &"(_)".repeat(MAX_QUERY_NODES + 1)).unwrap_err();
        assert!(e.contains("max query patterns"), "{e}");
    }

    #[test]
    fn strings_and_comments_are_not_counted() {
        assert_eq!(measure("; ((((\n(call \"((([[\" @x)").nodes, 2);
    }
}
