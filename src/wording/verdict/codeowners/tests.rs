//! The code owners' sentences, pinned: a pending and a met section, sections with counts and
//! optional ones, every kind of CODEOWNERS error, and a file flowgate could not read.

use std::path::Path;

use super::*;
use crate::model::codeowners::BaseCodeowners;
use crate::model::{FileChange, FileStatus, Login, PrFacts};
use crate::policy::load::load_file;
use crate::wording::verdict::tests::{show, verdict};
use crate::wording::verdict::{check_run_title, review_section, sections};

/// `auth-login`'s verdict with the code owners judged from `codeowners` over `paths`, approved by
/// `approved` (the example policy lists `@acme/security` as alice and bob).
fn judged(codeowners: &str, paths: &[&str], approved: &[&str]) -> Verdict {
    let policy = load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml")).expect("policy");
    let facts = PrFacts {
        files: paths.iter().map(|p| FileChange::new(*p, FileStatus::Modified, 1, 1)).collect(),
        codeowners: Some(BaseCodeowners::from_text(".github/CODEOWNERS", codeowners)),
        ..PrFacts::default()
    };
    let approved: Vec<Login> = approved.iter().map(|l| Login::new(*l)).collect();
    let mut v = verdict("auth-login");
    v.review.codeowners = Some(crate::policy::codeowners::evaluate(&policy, &facts, &approved));
    v
}

const OWNERS: &str = "\
* @acme/security
/src/auth/ @alice @dave
/docs/ docs@example.com
/vendor/
";

#[test]
fn a_pending_section_names_each_line_its_owners_and_files() {
    let v = judged(OWNERS, &["src/auth/login.rs", "src/auth/session.rs", "src/lib.rs", "vendor/x.c"], &["bob"]);
    insta::assert_snapshot!(show(&codeowners_section(&v, Flavor::Markdown).unwrap()), @r"
    ⏳ Code owners: waiting for the owners of 1 of 2 CODEOWNERS lines
      read from `.github/CODEOWNERS` on the base branch
      met: `*` (line 1), owned by `@acme/security`: approved by `bob`; `src/lib.rs`
      needs: `/src/auth/` (line 2), owned by `@alice` or `@dave`: no owner has approved; `src/auth/login.rs`, `src/auth/session.rs`
      no code owner, so no owner's approval needed: `vendor/x.c`
    ");
    insta::assert_snapshot!(codeowners_missing(&v, Flavor::Plain).join("\n"), @"an approval from a code owner of /src/auth/ (line 2): @alice or @dave");
}

#[test]
fn a_met_section_and_unknown_owners() {
    let v = judged("* @acme/security\n/docs/ docs@example.com @acme/writers\n", &["src/lib.rs", "docs/a.md"], &["bob"]);
    insta::assert_snapshot!(show(&codeowners_section(&v, Flavor::Plain).unwrap()), @r"
    ⏳ Code owners: waiting for the owners of 1 of 2 CODEOWNERS lines
      read from .github/CODEOWNERS on the base branch
      met: * (line 1), owned by @acme/security: approved by bob; src/lib.rs
      needs: /docs/ (line 2), owned by docs@example.com or @acme/writers: no owner has approved; docs/a.md
      members of @acme/writers are unknown (list them under `teams:` or let flowgate read them from GitHub), so their approvals cannot be recognised
      docs@example.com names no GitHub account flowgate can see: write the owner's `@login` (or their GitHub noreply address)
    ");
    let met = judged("* @acme/security\n", &["src/lib.rs"], &["bob"]);
    insta::assert_snapshot!(show(&codeowners_section(&met, Flavor::Plain).unwrap()), @r"
    ✅ Code owners: the owners of every changed file approved (1 CODEOWNERS line)
      read from .github/CODEOWNERS on the base branch
      met: * (line 1), owned by @acme/security: approved by bob; src/lib.rs
    ");
    let nobody = judged("/docs/ @writer\n", &["src/lib.rs"], &[]);
    insta::assert_snapshot!(codeowners_section(&nobody, Flavor::Plain).unwrap().headline, @"no changed file has a code owner whose approval is required");
}

#[test]
fn sections_show_their_name_count_and_whether_they_are_optional() {
    let text = "[Security][2] @alice @bob @erin\n/src/auth/\n^[Style] @design\n*.rs\n";
    let v = judged(text, &["src/auth/login.rs"], &["alice"]);
    insta::assert_snapshot!(show(&codeowners_section(&v, Flavor::Plain).unwrap()), @r"
    ⏳ Code owners: waiting for the owners of 1 of 1 CODEOWNERS line
      read from .github/CODEOWNERS on the base branch
      needs: /src/auth/ in [Security][2] (line 2), owned by @alice, @bob or @erin: 1 of the 2 owners' approvals it needs: alice; src/auth/login.rs
      optional: *.rs in ^[Style] (line 4), owned by @design: no owner has approved; src/auth/login.rs
    ");
    insta::assert_snapshot!(codeowners_missing(&v, Flavor::Plain).join("\n"), @"1 more approval from code owners of /src/auth/ in [Security][2] (line 2): @alice, @bob or @erin");
    let none = judged(text, &["src/auth/login.rs"], &[]);
    insta::assert_snapshot!(codeowners_missing(&none, Flavor::Plain).join("\n"), @"2 more approvals from code owners of /src/auth/ in [Security][2] (line 2): @alice, @bob or @erin");
    insta::assert_snapshot!(owner_group(&none.review.codeowners.unwrap().groups[0], Flavor::Plain), @"needs: /src/auth/ in [Security][2] (line 2), owned by @alice, @bob or @erin: 2 owners must approve, none has; src/auth/login.rs");
}

#[test]
fn every_error_is_worded_with_its_line() {
    let text = "!a @x\n*.[ch] @x\n\\#a @x\nlib/*** @x\na//b @x\nsrc/ alice\n[Open\n[]\n[Docs][x]\n";
    let v = judged(text, &["src/lib.rs"], &["alice"]);
    insta::assert_snapshot!(show(&codeowners_section(&v, Flavor::Plain).unwrap()), @r"
    ⏳ Code owners: .github/CODEOWNERS has 9 errors, so no approval counts as a code owner's until it is fixed
      read from .github/CODEOWNERS on the base branch
      line 1, column 1 (!a @x): `!` negation does not work in CODEOWNERS
      line 2, column 1 (*.[ch] @x): `[ ]` character ranges do not work in CODEOWNERS
      line 3, column 1 (\#a @x): a pattern cannot start with `\#`: CODEOWNERS has no escaping, and `#` starts a comment
      line 4, column 1 (lib/*** @x): `***` is not a pattern: `**` crosses directories
      line 5, column 1 (a//b @x): `//` leaves an empty directory name in the pattern
      line 6, column 6 (src/ alice): alice is not an owner: write `@login`, `@org/team` or an e-mail address
      line 7, column 1 ([Open): the section header has no closing `]`
      line 8, column 1 ([]): the section header has no name
      line 9, column 7 ([Docs][x]): [x] is not a number of approvals: write a whole number of 1 or more, as in `[Docs][2]`
    ");
    insta::assert_snapshot!(codeowners_missing(&v, Flavor::Markdown).join("\n"), @"CODEOWNERS to be fixed (`.github/CODEOWNERS`, lines: 1, 2, 3, 4, 5, 6, 7, 8, 9)");
    let one = judged("src/ alice\n", &["src/lib.rs"], &[]);
    insta::assert_snapshot!(codeowners_missing(&one, Flavor::Plain).join("\n"), @"CODEOWNERS to be fixed (.github/CODEOWNERS, line: 1)");
}

#[test]
fn a_codeowners_flowgate_could_not_read() {
    let mut v = verdict("auth-login");
    let mut c = CodeownersVerdict { met: false, path: None, problem: None, groups: vec![], unowned: vec![] };
    let mut said = Vec::new();
    for problem in [
        CodeownersProblem::NotGathered,
        CodeownersProblem::Missing,
        CodeownersProblem::Unreadable(Unread::TooLarge { bytes: 4_000_000 }),
        CodeownersProblem::Unreadable(Unread::Error("GitHub answered 502 Bad Gateway".into())),
    ] {
        c.path = matches!(problem, CodeownersProblem::Unreadable(_)).then(|| "CODEOWNERS".to_string());
        c.problem = Some(problem);
        v.review.codeowners = Some(c.clone());
        said.push(codeowners_section(&v, Flavor::Plain).unwrap().headline);
        said.extend(codeowners_missing(&v, Flavor::Plain));
    }
    insta::assert_snapshot!(said.join("\n"), @r"
    CODEOWNERS was not read, so no code owner's approval can be recognised
    a CODEOWNERS flowgate can read (CODEOWNERS was not read, so no code owner's approval can be recognised)
    the base branch has no CODEOWNERS (looked at .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS), so no code owner can approve
    a CODEOWNERS file on the base branch (code owners must approve)
    CODEOWNERS cannot be read: 4000000 bytes is over the 3 MB GitHub reads of a CODEOWNERS
    a CODEOWNERS flowgate can read (CODEOWNERS cannot be read: 4000000 bytes is over the 3 MB GitHub reads of a CODEOWNERS)
    CODEOWNERS cannot be read: GitHub answered 502 Bad Gateway
    a CODEOWNERS flowgate can read (CODEOWNERS cannot be read: GitHub answered 502 Bad Gateway)
    ");
    v.review.codeowners = None;
    assert_eq!(codeowners_section(&v, Flavor::Plain), None, "no section unless code owners must approve");
}

#[test]
fn the_review_and_the_check_run_title_wait_for_the_code_owners_too() {
    let v = judged(OWNERS, &["src/auth/login.rs"], &["bob"]);
    insta::assert_snapshot!(review_section(&v, Flavor::Markdown).headline, @"waiting for 1 more approval (red tier); an approval from a code owner of `/src/auth/` (line 2): `@alice` or `@dave`");
    insta::assert_snapshot!(check_run_title(&v), @"Waiting for review: 1 more approval (red tier); an approval from a code owner of /src/auth/ (line 2): @alice or @dave");
    let titles: Vec<&str> = sections(&v, Flavor::Plain).iter().map(|s| s.title).collect();
    insta::assert_snapshot!(titles.join(", "), @"Story linkage, AI disclosure, Review, Code owners, Size");
}
