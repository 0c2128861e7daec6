//! The two small pieces every sentence uses: a count with its noun in the right number, and
//! inline code written for where the sentence is read (a terminal or Markdown).

/// How inline code is written: plain in a terminal, with backticks in Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Plain,
    Markdown,
}

impl Flavor {
    pub fn code(self, text: &str) -> String {
        match self {
            Flavor::Plain => text.to_string(),
            Flavor::Markdown => format!("`{}`", text.replace('`', "'")),
        }
    }
}

/// `one` for exactly one, else `many`: English counts zero as plural ("0 files").
pub fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The number and its noun: `count(3, "file", "files")` is `3 files`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_plain_in_a_terminal_and_backticked_in_markdown() {
        insta::assert_snapshot!(Flavor::Plain.code("src/auth.rs"), @"src/auth.rs");
        insta::assert_snapshot!(Flavor::Markdown.code("a`b"), @"`a'b`");
    }

    #[test]
    fn a_count_takes_the_singular_only_for_one() {
        let counted: Vec<String> = [0, 1, 2].into_iter().map(|n| count(n, "file", "files")).collect();
        insta::assert_snapshot!(counted.join(", "), @"0 files, 1 file, 2 files");
        insta::assert_snapshot!(plural(1, "has", "have"), @"has");
        insta::assert_snapshot!(plural(7, "has", "have"), @"have");
    }
}
