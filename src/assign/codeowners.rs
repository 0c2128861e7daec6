//! CODEOWNERS, read as GitHub reads it: for each path, the owners of the last line whose pattern
//! matches. Patterns follow GitHub's gitignore-like rules: `/` at the start anchors to the root,
//! `/` at the end means a directory and everything in it, a pattern without an inner `/` matches at
//! any depth, and `*` does not cross a `/` where `**` does.

use globset::{GlobBuilder, GlobMatcher};

use crate::model::Principal;

#[derive(Debug, Clone)]
pub struct Codeowners {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    /// The pattern as written, for explanations.
    pattern: String,
    matchers: Vec<GlobMatcher>,
    owners: Vec<Principal>,
}

impl Codeowners {
    /// Reads the file; a line whose pattern cannot be read is skipped, as GitHub skips it (and
    /// shows an error in its own view of the file).
    pub fn parse(text: &str) -> Codeowners {
        let rules = text
            .lines()
            .map(|l| l.split_once(" #").map_or(l, |(before, _)| before).trim())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                let pattern = words.next()?.to_string();
                let owners = words
                    .filter(|w| w.starts_with('@'))
                    .map(|w| {
                        // `@user` is a login; `@org/team` stays a team.
                        let w = if w.contains('/') { w } else { &w[1..] };
                        Principal(w.to_string())
                    })
                    .collect();
                let matchers = globs(&pattern).ok()?;
                Some(Rule { pattern, matchers, owners })
            })
            .collect();
        Codeowners { rules }
    }

    /// The owners of `path` and the pattern that gave them; none when no line matches or the
    /// last matching line names nobody (which un-owns the path).
    pub fn owners_of(&self, path: &str) -> Option<(&str, &[Principal])> {
        let rule = self.rules.iter().rev().find(|r| r.matchers.iter().any(|m| m.is_match(path)))?;
        (!rule.owners.is_empty()).then_some((rule.pattern.as_str(), rule.owners.as_slice()))
    }
}

fn globs(pattern: &str) -> Result<Vec<GlobMatcher>, globset::Error> {
    let anchored = pattern.starts_with('/') || pattern.trim_end_matches('/').contains('/');
    let body = pattern.trim_start_matches('/');
    let dir_only = body.ends_with('/');
    let body = body.trim_end_matches('/');
    let base = if anchored { body.to_string() } else { format!("**/{body}") };
    let mut patterns = vec![format!("{base}/**")];
    if !dir_only {
        patterns.push(base);
    }
    patterns.iter().map(|p| GlobBuilder::new(p).literal_separator(true).build().map(|g| g.compile_matcher())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(c: &Codeowners, path: &str) -> Vec<String> {
        c.owners_of(path).map(|(_, o)| o.iter().map(|p| p.0.clone()).collect()).unwrap_or_default()
    }

    #[test]
    fn the_last_matching_line_wins_as_on_github() {
        let c = Codeowners::parse(
            "# comment\n* @everyone-lead\n/src/auth/ @alice @acme/security\n*.md @docs # trailing comment\n\
             docs/ @writer\n/src/auth/legacy.rs\n",
        );
        assert_eq!(owners(&c, "README.md"), ["docs"]);
        assert_eq!(owners(&c, "src/auth/login.rs"), ["alice", "@acme/security"]);
        assert_eq!(owners(&c, "src/auth/deep/x.rs"), ["alice", "@acme/security"]);
        assert_eq!(owners(&c, "src/auth/notes.md"), ["docs"], "a later line wins");
        assert!(owners(&c, "src/auth/legacy.rs").is_empty(), "a line without owners un-owns");
        assert_eq!(owners(&c, "docs/guide/intro.txt"), ["writer"]);
        assert_eq!(owners(&c, "src/lib.rs"), ["everyone-lead"]);
        assert_eq!(c.owners_of("src/auth/login.rs").map(|(p, _)| p), Some("/src/auth/"));
    }

    #[test]
    fn unanchored_names_match_at_any_depth_and_anchored_ones_only_at_the_root() {
        let c = Codeowners::parse("build/ @ci\n/config @ops\n");
        assert_eq!(owners(&c, "build/out.txt"), ["ci"]);
        assert_eq!(owners(&c, "tools/build/out.txt"), ["ci"]);
        assert_eq!(owners(&c, "config/app.toml"), ["ops"]);
        assert!(owners(&c, "src/config/app.toml").is_empty());
    }
}
