//! What a user sees when a policy breaks a limit: the limit named, with its file and line, from
//! the checks that run before the YAML parser and the query compiler; and what stays allowed.

use std::path::Path;

use super::LoadError;
use super::load::{load_file, load_text};

fn refused(text: &str) -> (usize, String) {
    match load_text(text, Path::new("flowgate.yml")) {
        Err(LoadError::Syntax { file, line, message, .. }) => {
            assert_eq!(file, "flowgate.yml");
            (line, message)
        }
        Err(e) => panic!("refused without a line: {e}"),
        Ok(_) => panic!("loaded"),
    }
}

/// One large string and `aliases` aliases of it.
fn alias_bomb(string_bytes: usize, aliases: usize) -> String {
    format!("version: 1\nx: &big \"{}\"\nl: [{}]\n", "a".repeat(string_bytes), vec!["*big"; aliases].join(", "))
}

#[test]
fn the_aliases_of_one_large_string_are_refused_by_the_expanded_size_before_parsing() {
    // 10 MB once expanded; the parser would hold every copy.
    let (line, message) = refused(&alias_bomb(100_000, 100));
    assert_eq!(line, 3);
    assert!(message.contains("max expanded size"), "{message}");
}

#[test]
fn a_file_of_aliases_the_size_of_the_reported_attack_is_refused_by_its_size() {
    // The 1.2 MB file that expanded to 10 GiB.
    let (_, message) = refused(&alias_bomb(100_000, 180_000));
    assert!(message.contains("max policy size"), "{message}");
}

#[test]
fn many_aliases_are_refused_by_their_count() {
    let (line, message) = refused(&alias_bomb(1, 5_000));
    assert_eq!(line, 3);
    assert!(message.contains("max aliases"), "{message}");
}

#[test]
fn deep_nesting_is_refused_by_its_depth_before_parsing() {
    // 200 KB of nesting, which the parser took 20 to 30 seconds to read.
    let (line, message) = refused(&format!("version: 1\nx: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)));
    assert_eq!(line, 2);
    assert!(message.contains("max nesting depth"), "{message}");
    let block: String = (0..1_000).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
    assert!(refused(&block).1.contains("max nesting depth"));
}

#[test]
fn a_big_policy_within_the_limits_loads() {
    let mut text = String::from("extends: default\nshared: &rule { approvals: 2 }\ntiers:\n  red:\n    paths:\n");
    for i in 0..2_000 {
        text.push_str(&format!("      - \"services/team-{i}/payments/**/*.rs\"\n"));
    }
    text = text.replace("shared: &rule { approvals: 2 }\n", "");
    text.push_str("    review: &rule { approvals: 2 }\n  yellow:\n    review: *rule\n");
    let policy = load_text(&text, Path::new("flowgate.yml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(policy.tiers.owners.iter().any(|(_, glob)| glob == "services/team-1999/payments/**/*.rs"));
}

#[test]
fn a_query_over_the_limits_is_refused_at_its_line_without_compiling() {
    // 50,000 alternatives, written tightly enough for the YAML limits: the query check refuses it.
    let query = format!("[{}] @x", "(identifier) ".repeat(50_000));
    let text = format!("extends: default\ntiers:\n  red:\n    queries:\n      rust: |\n        {query}\n");
    let (line, message) = refused(&text);
    assert!(message.contains("max query size") && message.contains("not compiled"), "{message}");
    assert_eq!(line, 5, "the error names the query's line");
    let patterns = "(_) ".repeat(super::query_limits::MAX_QUERY_NODES + 1);
    let text = format!("extends: default\ntiers:\n  red:\n    queries:\n      rust: \"{patterns} @x\"\n");
    assert!(refused(&text).1.contains("max query patterns"));
}

#[test]
fn teams_whose_slug_is_not_a_github_slug_are_refused_at_their_line() {
    for team in ["@acme/..", "@acme/.", "@acme/a/b", "@acme/%2e%2e", "@acme/a b", "@acme/"] {
        let text = format!("extends: default\noverride:\n  label: emergency\n  allowed:\n    - \"{team}\"\n");
        let (line, message) = refused(&text);
        assert_eq!(line, 5, "{team}: {message}");
        assert!(message.contains("is not a team"), "{team}: {message}");
    }
    let text = "extends: default\noverride:\n  label: emergency\n  allowed:\n    - \"@acme/release.team_1\"\n";
    load_text(text, Path::new("flowgate.yml")).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_policy_file_that_is_a_device_or_too_big_is_refused_unread() {
    let err = load_file(Path::new("/dev/zero")).unwrap_err().to_string();
    assert!(err.contains("not a regular file"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("flowgate.yml");
    std::fs::write(&big, format!("version: 1\n#{}\n", "x".repeat(2 * 1024 * 1024))).unwrap();
    let err = load_file(&big).unwrap_err().to_string();
    assert!(err.contains("max policy size"), "{err}");
}

#[cfg(unix)]
#[test]
fn extends_through_a_symbolic_link_is_refused_and_never_shows_the_file() {
    let secrets = tempfile::tempdir().unwrap();
    std::fs::write(secrets.path().join("token.yml"), "ghp_s3cretTokenValue0123456789\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(secrets.path().join("token.yml"), dir.path().join("base.yml")).unwrap();
    std::os::unix::fs::symlink(secrets.path(), dir.path().join("shared")).unwrap();
    for target in ["base.yml", "shared/token.yml"] {
        let policy = dir.path().join("flowgate.yml");
        std::fs::write(&policy, format!("extends: {target}\n")).unwrap();
        let err = load_file(&policy).unwrap_err().to_string();
        assert!(!err.contains("s3cret"), "{err}");
        assert!(err.contains("symbolic link"), "{err}");
    }
    // A real file that is not a policy is named, not quoted.
    std::fs::copy(secrets.path().join("token.yml"), dir.path().join("copy.yml")).unwrap();
    std::fs::write(dir.path().join("flowgate.yml"), "extends: copy.yml\n").unwrap();
    let err = load_file(&dir.path().join("flowgate.yml")).unwrap_err().to_string();
    assert!(!err.contains("s3cret") && err.contains("copy.yml"), "{err}");
}
