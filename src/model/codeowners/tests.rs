//! CODEOWNERS as GitHub documents it (the example file of "About code owners"), GitLab's
//! sections, and errors reported at their line and column.

use super::*;

/// The owners of `path` as written, section by section.
fn owners(c: &Codeowners, path: &str) -> Vec<String> {
    c.all_owners(path).iter().map(|o| o.text()).collect()
}

/// The patterns of GitHub's documented example file, in its order (its comments shortened).
const GITHUB_EXAMPLE: &str = "\
# default owners for everything
*       @global-owner1 @global-owner2
# the last matching pattern takes precedence
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
/apps/ @octocat
/apps/github @doctocat
";

#[test]
fn githubs_example_file_reads_without_errors_and_the_last_match_wins() {
    let c = Codeowners::parse(GITHUB_EXAMPLE);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert!(!c.has_sections());
    assert_eq!(owners(&c, "README.md"), ["@global-owner1", "@global-owner2"]);
    assert_eq!(owners(&c, "src/app.js"), ["@js-owner"], "a later line wins over `*`");
    assert_eq!(owners(&c, "cmd/main.go"), ["docs@example.com"], "an e-mail owner");
    assert_eq!(owners(&c, "notes/todo.txt"), ["@octo-org/octocats"], "a team owner");
    assert_eq!(owners(&c, "scripts/deploy.sh"), ["@doctocat", "@octocat"]);
    assert_eq!(owners(&c, "deeply/nested/logs/today.log"), ["@octocat"], "`**/logs` at any depth");
    assert_eq!(owners(&c, "build/logs/today.log"), ["@octocat"], "`**/logs` comes after `/build/logs/`");
    assert_eq!(owners(&c, "docs/getting-started.md"), ["@doctocat"], "`/docs/` comes after `docs/*`");
    assert_eq!(owners(&c, "src/apps/main.rs"), ["@octocat"], "`apps/` at any depth");
    assert_eq!(owners(&c, "apps/github/main.rs"), ["@doctocat"], "the last two lines");
    let decided = c.owners("src/app.js");
    assert_eq!((decided[0].rule.line, decided[0].rule.pattern.as_str()), (4, "*.js"));
}

#[test]
fn js_files_belong_to_the_js_owner_at_any_depth() {
    let c = Codeowners::parse("* @global\n*.js @js-owner\n");
    assert_eq!(owners(&c, "index.js"), ["@js-owner"]);
    assert_eq!(owners(&c, "web/src/deep/index.js"), ["@js-owner"]);
    assert_eq!(owners(&c, "web/src/index.jsx"), ["@global"]);
}

#[test]
fn a_root_directory_owns_everything_under_it_and_only_at_the_root() {
    let c = Codeowners::parse("/build/logs/ @doctocat\n");
    assert_eq!(owners(&c, "build/logs/a.log"), ["@doctocat"]);
    assert_eq!(owners(&c, "build/logs/2024/01/a.log"), ["@doctocat"]);
    assert!(owners(&c, "src/build/logs/a.log").is_empty(), "anchored at the root");
    assert!(owners(&c, "build/logs.txt").is_empty());
}

#[test]
fn docs_star_is_one_level_and_docs_double_star_every_level() {
    let one = Codeowners::parse("docs/* @one-level\n");
    assert_eq!(owners(&one, "docs/getting-started.md"), ["@one-level"]);
    assert!(owners(&one, "docs/build-app/troubleshooting.md").is_empty(), "GitHub: not nested files");
    let every = Codeowners::parse("docs/** @every-level\n");
    assert_eq!(owners(&every, "docs/getting-started.md"), ["@every-level"]);
    assert_eq!(owners(&every, "docs/build-app/troubleshooting.md"), ["@every-level"]);
    assert!(owners(&every, "src/docs/a.md").is_empty(), "a pattern with a `/` inside starts at the root");
}

#[test]
fn a_later_line_without_owners_un_owns_a_subdirectory() {
    let c = Codeowners::parse("apps/ @octocat\n/apps/github\n");
    assert_eq!(owners(&c, "apps/web/index.js"), ["@octocat"]);
    assert!(owners(&c, "apps/github/index.js").is_empty(), "the last match names nobody");
    assert!(c.owners("apps/github/index.js").is_empty());
    assert_eq!(owners(&c, "lib/apps/github/x.rs"), ["@octocat"], "`/apps/github` is only at the root");
}

#[test]
fn owners_are_users_teams_and_e_mail_addresses() {
    let c = Codeowners::parse("* @alice @acme/security docs@example.com 123+dev@users.noreply.github.com\n");
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let all: Vec<&Owner> = c.all_owners("x");
    assert_eq!(all[0], &Owner::User(crate::model::Login::new("alice")));
    assert_eq!(all[1], &Owner::Team("@acme/security".into()));
    assert_eq!(all[2], &Owner::Email("docs@example.com".into()));
    assert_eq!(all[2].login(), None, "an e-mail address names no login flowgate can see");
    assert_eq!(all[3].login().map(|l| l.to_string()).as_deref(), Some("dev"), "GitHub's noreply address does");
    assert_eq!(all[1].principal(), Some(crate::model::Principal("@acme/security".into())));
}

#[test]
fn names_wildcards_and_braces_follow_gitignore_not_shell_globs() {
    let c = Codeowners::parse("Makefile @make\nsrc/?.rs @single\n{a,b}.txt @literal\n");
    assert_eq!(owners(&c, "tools/Makefile"), ["@make"]);
    assert_eq!(owners(&c, "src/a.rs"), ["@single"]);
    assert!(owners(&c, "src/ab.rs").is_empty(), "`?` is one character");
    assert!(owners(&c, "a.txt").is_empty(), "braces are not alternatives in gitignore");
    assert_eq!(owners(&c, "{a,b}.txt"), ["@literal"]);
}

#[test]
fn errors_are_reported_at_their_line_and_column_and_the_line_is_left_out() {
    let text = "\
* @everyone
*.[ch] @c-team
!vendor/ @x
src/ alice
docs/ @not/a/team
lib/*** @deep
[Unclosed
[Docs][two] @docs
\\#notes @n
ok/ @fine # a comment
";
    let c = Codeowners::parse(text);
    let found: Vec<(usize, Option<usize>, LineProblem)> =
        c.errors.iter().map(|e| (e.line, e.column, e.why.clone())).collect();
    assert_eq!(
        found,
        vec![
            (2, Some(1), LineProblem::Pattern(PatternProblem::CharacterRange)),
            (3, Some(1), LineProblem::Pattern(PatternProblem::Negation)),
            (4, Some(6), LineProblem::Owner("alice".into())),
            (5, Some(7), LineProblem::Owner("@not/a/team".into())),
            (6, Some(1), LineProblem::Pattern(PatternProblem::ThreeStars)),
            (7, Some(1), LineProblem::SectionUnclosed),
            (8, Some(7), LineProblem::SectionCount("two".into())),
            (9, Some(1), LineProblem::Pattern(PatternProblem::EscapedHash)),
        ]
    );
    assert_eq!(c.errors[2].text, "src/ alice");
    assert_eq!(c.errors[7].text, "\\#notes @n");
    let plain = Codeowners::parse("* @everyone\nsrc/ alice\n");
    assert_eq!(owners(&plain, "src/lib.rs"), ["@everyone"], "the bad line is left out, as GitHub does");
}

#[test]
fn columns_count_characters_not_bytes() {
    let c = Codeowners::parse("docs/été.md  @ok nobody\n");
    assert_eq!((c.errors[0].line, c.errors[0].column), (1, Some(18)));
}

#[test]
fn every_section_decides_its_own_owners() {
    let text = "\
* @everyone
[Docs][2] @docs-team
docs/
*.md @writer
^[Style] @design
*.css
[docs]
/docs/internal/ @secret
[Legal]
LICENSE @lawyer
/LICENSE
";
    let c = Codeowners::parse(text);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert!(c.has_sections());
    let names: Vec<Option<&str>> = c.sections().iter().map(|s| s.name.as_deref()).collect();
    assert_eq!(names, [None, Some("Docs"), Some("Style"), Some("Legal")], "`[docs]` joins `[Docs]`");
    assert_eq!((c.sections()[1].approvals, c.sections()[1].optional), (2, false));
    assert_eq!((c.sections()[2].approvals, c.sections()[2].optional), (1, true));

    assert_eq!(owners(&c, "README.md"), ["@everyone", "@writer"], "two sections own it");
    assert_eq!(owners(&c, "docs/guide.txt"), ["@everyone", "@docs-team"], "the header's default owners");
    assert_eq!(owners(&c, "docs/internal/plan.txt"), ["@everyone", "@secret"], "the joined section's last line");
    assert_eq!(owners(&c, "web/site.css"), ["@everyone", "@design"]);
    assert_eq!(owners(&c, "LICENSE"), ["@everyone"], "un-owned in Legal, which has no default owners");
    let sections: Vec<Option<&str>> = c.owners("README.md").iter().map(|o| o.section.name.as_deref()).collect();
    assert_eq!(sections, [None, Some("Docs")]);
}

#[test]
fn a_file_too_large_for_github_is_not_read() {
    let big = "* @a\n".repeat(MAX_BYTES / 5 + 1);
    match BaseCodeowners::from_text("CODEOWNERS", &big) {
        BaseCodeowners::Unreadable { why: Unread::TooLarge { bytes }, .. } => assert!(bytes > MAX_BYTES),
        other => panic!("read a file GitHub would not load: {other:?}"),
    }
    assert!(BaseCodeowners::from_text("CODEOWNERS", "* @a\n").file().is_some());
}

#[test]
fn any_text_reads_without_panicking() {
    for text in
        ["[", "^", "^[", "[]", "[x][", "[x][0]", "[x][]]", "/", "//", "\\", "* @", "@ @", "# only", "a\u{0}b @x"]
    {
        let _ = Codeowners::parse(text);
    }
    let c = Codeowners::parse("[]\n[x][0]\n");
    assert_eq!(c.errors[0].why, LineProblem::SectionNameEmpty);
    assert_eq!(c.errors[1].why, LineProblem::SectionCount("0".into()));
}
