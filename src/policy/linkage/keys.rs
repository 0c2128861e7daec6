//! Work-item references in PR text: find, classify and normalise tracker keys.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

pub use crate::model::Tracker;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Title,
    Branch,
    Body,
    Commits,
}

impl Source {
    pub fn id(self) -> &'static str {
        match self {
            Source::Title => "title",
            Source::Branch => "branch",
            Source::Body => "body",
            Source::Commits => "commits",
        }
    }
}

/// Which trackers count. None = that tracker is not enabled and its keys are ignored.
#[derive(Debug, Clone, Default)]
pub struct TrackerSet {
    /// Some(vec![]) = Jira enabled for any project key; Some(["ABC","PAY"]) = only those projects.
    pub jira: Option<Vec<String>>,
    /// Some(vec![]) = Linear enabled for any team key; Some(["ENG"]) = only those teams.
    pub linear: Option<Vec<String>>,
    pub shortcut: bool,
    pub azure: bool,
    pub github: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkItemRef {
    pub tracker: Tracker,
    /// Normalised key: "ABC-123", "ENG-42", "sc-123", "AB#123", "owner/repo#12" (or "#12" when the PR's repo is unknown)
    pub key: String,
    pub source: Source,
    /// true when a closing keyword preceded it (fixes/closes/resolves..., also Linear's close/fix/resolve/complete/implement in any tense, Azure "Fixes AB#1")
    pub closes: bool,
}

/// Prefixes that look like `KEY-123` but are standards, algorithms, advisories,
/// licences or time zones (`CVE-2024`, `UTF-8`, `SHA-256`, `ISO-8601`, `RFC-2119`,
/// `TLS-1.3`, `GPL-3`, `CC-BY-4.0`, `UTC-5`, `COVID-19`...). Only consulted when a
/// tracker accepts any prefix: an explicitly configured project always wins.
/// A prefix is also denied when it is one of these plus trailing digits
/// (`IPV6`, `SHA3`, `X86`, `WIN32`), so `P` does not block a real `PAY` project.
const LOOK_ALIKES: &[&str] = &[
    "AES", "AGPL", "AMD", "ARM", "BY", "CC", "COVID", "CVE", "CWE", "DDR", "DES", "ECMA", "ES", "FIPS", "GHSA", "GMT",
    "GPL", "HTTP", "IEC", "IEEE", "IPV", "ISO", "LGPL", "MD", "MP", "MPEG", "P", "PCI", "PEP", "RFC", "RHSA", "RSA",
    "SHA", "SOC", "SSL", "TLS", "UCS", "USB", "UTC", "UTF", "WCAG", "WIN", "X", "Y2K",
];

/// GitHub's closing keywords; also used for Jira, Shortcut and Azure, whose
/// integrations accept the same verbs.
const GITHUB_CLOSERS: &str = "close closes closed fix fixes fixed resolve resolves resolved";

/// Linear accepts every tense of its magic words.
const LINEAR_CLOSERS: &str = "close closes closed closing fix fixes fixed fixing \
    resolve resolves resolved resolving complete completes completed completing \
    implement implements implemented implementing";

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

// The regex crate has no look-around, so word boundaries that `\b` cannot
// express (`&#1`, `owner/repo` preceded by a path, `-digits` suffixes) are
// checked by hand around each match.
// The end is checked by hand: a branch may go on with `_` (`feature/ABC-123_login`).
static KEY: LazyLock<Regex> = LazyLock::new(|| re(r"\b([A-Za-z][A-Za-z0-9_]{1,9})-([1-9][0-9]*)"));
static GITHUB_URL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)https?://(?:www\.)?github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9_.-]+)/issues/([0-9]+)"));
static LINEAR_URL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)https?://linear\.app/[A-Za-z0-9_.-]+/issue/([A-Za-z][A-Za-z0-9_]{0,9})-([1-9][0-9]*)"));
static SHORTCUT_URL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)https?://app\.(?:shortcut\.com|clubhouse\.io)/[A-Za-z0-9_.-]+/story/([0-9]+)"));
static REPO_REF: LazyLock<Regex> = LazyLock::new(|| re(r"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#([0-9]+)"));
static AZURE: LazyLock<Regex> = LazyLock::new(|| re(r"AB#([0-9]+)"));
static BARE: LazyLock<Regex> = LazyLock::new(|| re(r"#([0-9]+)"));

/// Find every reference in `text` that the enabled trackers recognise. `repo` is "owner/name" of the PR's repository, used to normalise bare "#12" / "GH-12" to "owner/name#12".
/// Results are de-duplicated by (tracker, key, source) keeping closes=true if any occurrence closes, in order of first appearance.
pub(crate) fn extract(text: &str, source: Source, trackers: &TrackerSet, repo: Option<&str>) -> Vec<WorkItemRef> {
    let mut scan = Scan {
        text,
        source,
        trackers,
        repo: repo.filter(|r| !r.is_empty()),
        taken: vec![false; text.len()],
        found: Vec::new(),
    };
    // Ref names cannot hold URLs, and `#` in a branch is never an issue link.
    if source != Source::Branch {
        scan.urls();
        scan.hash_refs();
    }
    scan.keys();
    scan.finish()
}

/// The tracker of a key already found and normalised (as stored with a PR's review events), read
/// again with the policy's trackers; `None` when they enable no tracker that writes it so.
pub(crate) fn tracker_of(key: &str, trackers: &TrackerSet, repo: Option<&str>) -> Option<Tracker> {
    extract(key, Source::Title, trackers, repo).into_iter().find(|r| r.key == key).map(|r| r.tracker)
}

struct Scan<'a> {
    text: &'a str,
    source: Source,
    trackers: &'a TrackerSet,
    repo: Option<&'a str>,
    /// Bytes already claimed by a more specific form, so a GitHub URL does not
    /// also yield a bare `#12` and a Linear URL is never re-read as Jira.
    taken: Vec<bool>,
    found: Vec<(usize, WorkItemRef)>,
}

impl Scan<'_> {
    fn free(&self, start: usize, end: usize) -> bool {
        !self.taken[start..end].contains(&true)
    }

    fn take(&mut self, start: usize, end: usize) {
        self.taken[start..end].fill(true);
    }

    fn push(&mut self, start: usize, tracker: Tracker, key: String) {
        let words = if tracker == Tracker::Linear { LINEAR_CLOSERS } else { GITHUB_CLOSERS };
        let closes = self.source != Source::Branch && closed_by(self.text, start, words);
        let source = self.source;
        self.found.push((start, WorkItemRef { tracker, key, source, closes }));
    }

    fn urls(&mut self) {
        let (text, t, repo) = (self.text, self.trackers, self.repo);
        for (s, e, [owner, name, num]) in captures::<3>(&GITHUB_URL, text) {
            let key = || github_key(Some(&format!("{owner}/{name}")), num, repo);
            let hit = (t.github && valid_number(num)).then(|| (Tracker::Github, key()));
            self.claim_url(s, e, hit);
        }
        for (s, e, [team, num]) in captures::<2>(&LINEAR_URL, text) {
            let key = || format!("{}-{num}", team.to_ascii_uppercase());
            self.claim_url(s, e, t.linear.is_some().then(|| (Tracker::Linear, key())));
        }
        for (s, e, [num]) in captures::<1>(&SHORTCUT_URL, text) {
            let hit = (t.shortcut && valid_number(num)).then(|| (Tracker::Shortcut, format!("sc-{num}")));
            self.claim_url(s, e, hit);
        }
    }

    /// URL spans are claimed even when the tracker is disabled: a Linear URL
    /// must not turn into a Jira key just because Linear is off.
    fn claim_url(&mut self, start: usize, end: usize, hit: Option<(Tracker, String)>) {
        let url_end = url_end(self.text, end);
        if !self.free(start, url_end) {
            return;
        }
        self.take(start, url_end);
        if let Some((tracker, key)) = hit.filter(|_| !next_is_word(self.text, end)) {
            self.push(start, tracker, key);
        }
    }

    fn hash_refs(&mut self) {
        let text = self.text;
        for (s, e, [owner_repo, num]) in captures::<2>(&REPO_REF, text) {
            // Preceded by a path character means it is the tail of a longer path or URL.
            let in_path = prev_char(text, s).is_some_and(|c| is_word(c) || "./-".contains(c));
            if !self.free(s, e) || in_path || next_is_word(text, e) || !valid_number(num) {
                continue;
            }
            self.take(s, e);
            if self.trackers.github {
                let key = github_key(Some(owner_repo), num, self.repo);
                self.push(s, Tracker::Github, key);
            }
        }
        for (s, e, [num]) in captures::<1>(&AZURE, text) {
            let inside_word = prev_char(text, s).is_some_and(is_word) || next_is_word(text, e);
            if !self.free(s, e) || inside_word || !valid_number(num) {
                continue;
            }
            self.take(s, e);
            if self.trackers.azure {
                self.push(s, Tracker::Azure, format!("AB#{num}"));
            }
        }
        if !self.trackers.github {
            return;
        }
        for (s, e, [num]) in captures::<1>(&BARE, text) {
            // `&#123;` is an HTML entity; `#12abc` / `#1a2b3c` are anchors or colours.
            let glued = prev_char(text, s).is_some_and(|c| is_word(c) || c == '&');
            if !self.free(s, e) || glued || next_is_word(text, e) || !valid_number(num) {
                continue;
            }
            self.push(s, Tracker::Github, github_key(None, num, self.repo));
        }
    }

    fn keys(&mut self) {
        let text = self.text;
        for (s, e, [prefix, num]) in captures::<2>(&KEY, text) {
            // `CVE-2024-1234` and `ABC-2024-05-01` are identifiers or dates, not keys.
            let more_digits =
                text[e..].strip_prefix('-').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
            let next = text[e..].chars().next();
            let glued = next.is_some_and(|c| c.is_alphanumeric() || (c == '_' && self.source != Source::Branch));
            if !self.free(s, e) || more_digits || glued {
                continue;
            }
            if let Some((tracker, key)) = self.classify(prefix, num) {
                self.push(s, tracker, key);
            }
        }
    }

    fn classify(&self, prefix: &str, num: &str) -> Option<(Tracker, String)> {
        let t = self.trackers;
        let upper = prefix.to_ascii_uppercase();
        let listed = |list: &Option<Vec<String>>| {
            list.as_ref().is_some_and(|l| l.iter().any(|p| p.eq_ignore_ascii_case(&upper)))
        };
        let any = |list: &Option<Vec<String>>| list.as_ref().is_some_and(Vec::is_empty);
        let (in_linear, in_jira) = (listed(&t.linear), listed(&t.jira));
        // `SC-`/`GH-` belong to Shortcut/GitHub unless a team or project was
        // explicitly configured with that key.
        if !in_linear && !in_jira {
            if upper == "SC" && t.shortcut {
                return Some((Tracker::Shortcut, format!("sc-{num}")));
            }
            if upper == "GH" && t.github {
                return Some((Tracker::Github, github_key(None, num, self.repo)));
            }
        }
        let key = format!("{upper}-{num}");
        if prefix != upper {
            // Jira only links uppercase keys; lowercase is Linear's generated
            // branch style, trusted only for explicitly listed teams.
            let ok = self.source == Source::Branch && in_linear;
            return ok.then_some((Tracker::Linear, key));
        }
        let tracker = if in_linear {
            Tracker::Linear
        } else if in_jira {
            Tracker::Jira
        } else if is_look_alike(&upper) {
            return None;
        } else if any(&t.jira) {
            Tracker::Jira
        } else if any(&t.linear) {
            Tracker::Linear
        } else {
            return None;
        };
        Some((tracker, key))
    }

    fn finish(self) -> Vec<WorkItemRef> {
        let mut found = self.found;
        // Passes run form by form; stable sort restores reading order.
        found.sort_by_key(|(start, _)| *start);
        let mut out: Vec<WorkItemRef> = Vec::new();
        let mut seen: HashMap<(Tracker, String), usize> = HashMap::new();
        for (_, r) in found {
            match seen.get(&(r.tracker, r.key.clone())) {
                Some(&i) => out[i].closes |= r.closes,
                None => {
                    seen.insert((r.tracker, r.key.clone()), out.len());
                    out.push(r);
                }
            }
        }
        out
    }
}

/// Matches with their byte span and capture groups. Every group in these
/// patterns is mandatory, so `extract` cannot fail at runtime.
fn captures<'t, const N: usize>(re: &Regex, text: &'t str) -> impl Iterator<Item = (usize, usize, [&'t str; N])> {
    re.captures_iter(text).filter_map(|c| {
        let m = c.get(0)?;
        let (_, groups) = c.extract();
        Some((m.start(), m.end(), groups))
    })
}

fn github_key(owner_repo: Option<&str>, num: &str, repo: Option<&str>) -> String {
    match (owner_repo, repo) {
        // Same repo spelled differently must dedupe with bare `#12`.
        (Some(o), Some(r)) if o.eq_ignore_ascii_case(r) => format!("{r}#{num}"),
        (Some(o), _) => format!("{o}#{num}"),
        (None, Some(r)) => format!("{r}#{num}"),
        (None, None) => format!("#{num}"),
    }
}

fn is_look_alike(prefix: &str) -> bool {
    let stem = prefix.trim_end_matches(|c: char| c.is_ascii_digit());
    LOOK_ALIKES.contains(&prefix) || LOOK_ALIKES.contains(&stem)
}

/// Issue numbers never start with 0; `#0123` is more likely an anchor or code.
fn valid_number(num: &str) -> bool {
    !num.is_empty() && !num.starts_with('0')
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn prev_char(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

fn next_is_word(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_some_and(is_word)
}

/// End of the URL starting before `from`; stops where Markdown or prose would.
fn url_end(text: &str, from: usize) -> usize {
    let rest = &text[from..];
    let stop = |c: char| c.is_whitespace() || "<>()[]\"'`".contains(c);
    from + rest.find(stop).unwrap_or(rest.len())
}

/// Whether a closing keyword (`Fixes #1`, `closes: ABC-1`, `fixes [sc-1]`)
/// sits immediately before the reference starting at `start`.
fn closed_by(text: &str, start: usize, words: &str) -> bool {
    let before = &text[..start];
    let before = before.strip_suffix('[').unwrap_or(before);
    let trimmed = before.trim_end();
    let (core, colon) = match trimmed.strip_suffix(':') {
        Some(c) => (c.trim_end(), true),
        None => (trimmed, false),
    };
    // `fix#1` or `prefix-ABC-1` is not a keyword followed by a reference.
    if !colon && trimmed.len() == before.len() {
        return false;
    }
    let word_start = core.char_indices().rev().take_while(|&(_, c)| is_word(c)).last().map_or(core.len(), |(i, _)| i);
    let word = &core[word_start..];
    words.split_whitespace().any(|w| w.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Source::{Body, Branch, Commits, Title};

    /// `"jira linear=ENG,OPS shortcut"`: a bare name enables any key, `=` lists them.
    fn ts(spec: &str) -> TrackerSet {
        let mut t = TrackerSet::default();
        for word in spec.split_whitespace() {
            let (name, keys) = word.split_once('=').unwrap_or((word, ""));
            let keys = Some(keys.split(',').filter(|k| !k.is_empty()).map(String::from).collect());
            match name {
                "jira" => t.jira = keys,
                "linear" => t.linear = keys,
                "shortcut" => t.shortcut = true,
                "azure" => t.azure = true,
                "github" => t.github = true,
                other => panic!("unknown tracker {other}"),
            }
        }
        t
    }

    /// Compact rendering: `tracker:key`, with `!` when it closes, space-separated.
    fn show(text: &str, source: Source, spec: &str, repo: Option<&str>) -> String {
        let refs = extract(text, source, &ts(spec), repo);
        assert!(refs.iter().all(|r| r.source == source));
        let shown: Vec<String> =
            refs.iter().map(|r| format!("{}:{}{}", r.tracker.id(), r.key, if r.closes { "!" } else { "" })).collect();
        shown.join(" ")
    }

    fn body(text: &str, spec: &str) -> String {
        show(text, Body, spec, None)
    }

    fn branch(text: &str, spec: &str) -> String {
        show(text, Branch, spec, None)
    }

    #[test]
    fn ids() {
        use Tracker::*;
        let ids = [Jira, Linear, Shortcut, Azure, Github].map(Tracker::id);
        assert_eq!(ids, ["jira", "linear", "shortcut", "azure", "github"]);
        let ids = [Title, Branch, Body, Commits].map(Source::id);
        assert_eq!(ids, ["title", "branch", "body", "commits"]);
    }

    #[test]
    fn jira_keys_in_text_branches_and_foreign_urls() {
        let text = "Fixes ABC-123, touches PAY_2-7 (A1-9)";
        let want = "jira:ABC-123! jira:PAY_2-7 jira:A1-9";
        assert_eq!(show(text, Title, "jira", None), want);
        assert_eq!(show("closes: ABC-1", Commits, "jira", None), "jira:ABC-1!");
        assert_eq!(branch("feature/ABC-123-add-login", "jira"), "jira:ABC-123");
        let urls = "see https://example.com/ABC-123 and https://x.atlassian.net/browse/OPS-9";
        assert_eq!(body(urls, "jira"), "jira:ABC-123 jira:OPS-9");
        let lengths = "ABC-1.2 ends; ABCDEFGHIJ-1 ok, ABCDEFGHIJK-1 too long";
        assert_eq!(body(lengths, "jira"), "jira:ABC-1 jira:ABCDEFGHIJ-1");
    }

    #[test]
    fn jira_configured_projects() {
        let text = "ABC-1 XYZ-2 PAY-3 XABC-4 ABCD-5";
        assert_eq!(body(text, "jira=ABC,pay"), "jira:ABC-1 jira:PAY-3");
        // An explicit project beats the look-alike list.
        assert_eq!(body("RFC-2119", "jira=RFC"), "jira:RFC-2119");
    }

    #[test]
    fn look_alikes_rejected_without_project_list() {
        let text = "CVE-2024-1234 UTF-8 SHA-256 ISO-8601 RFC-2119 X-1 TLS-1.3 IPV6-4 X86-64 \
                    GPL-3 CC-BY-4.0 UTC-5 COVID-19 GHSA-1234-abcd MD-5 P-256";
        assert_eq!(body(text, "jira"), "");
        assert_eq!(body(text, "linear"), "");
        assert_eq!(body("PAY-1 ESX-2", "jira"), "jira:PAY-1 jira:ESX-2");
    }

    #[test]
    fn dates_and_multi_segment_numbers_rejected() {
        assert_eq!(body("released ABC-2024-05-01 and CVE-2024-1234", "jira"), "");
        assert_eq!(body("ABC-2024-05-01 but ABC-2024.", "jira"), "jira:ABC-2024");
        assert_eq!(body("ABC-0 ABC-012", "jira"), "");
    }

    #[test]
    fn keys_inside_words_or_lowercase_rejected() {
        let glued = "XABC-123 ABC-123abc ABC-123_x éABC-1 1ABC-2";
        assert_eq!(body(glued, "jira=ABC"), "");
        // `XABC-123` is a key in its own right; `ABC-123` is never carved out of it.
        assert_eq!(body(glued, "jira"), "jira:XABC-123");
        assert_eq!(body("abc-123 Abc-12", "jira"), "");
        assert_eq!(branch("feature/abc-123-x", "jira=ABC"), "");
        // Branch names often go on with `_`; text does not.
        assert_eq!(branch("feature/ABC-123_login", "jira=ABC"), "jira:ABC-123");
        assert_eq!(branch("feature/ABC-123abc", "jira=ABC"), "");
    }

    #[test]
    fn linear_keys_and_magic_words() {
        let text = "Fixes ENG-1. completed: ENG-2, Implementing ENG-3; part of ENG-4, \
                    unfixes ENG-5 RESOLVING ENG-6 OPS-7";
        let want = "linear:ENG-1! linear:ENG-2! linear:ENG-3! linear:ENG-4 linear:ENG-5 \
                    linear:ENG-6!";
        assert_eq!(body(text, "linear=ENG"), want);
    }

    #[test]
    fn linear_lowercase_only_in_branches_for_listed_teams() {
        assert_eq!(branch("alice/eng-42-fix-login", "linear=ENG"), "linear:ENG-42");
        assert_eq!(body("alice/eng-42-fix-login", "linear=ENG"), "");
        assert_eq!(branch("alice/ops-42-fix-login", "linear=ENG"), "");
        assert_eq!(branch("alice/eng-42-fix-login", "linear"), "");
        // Branches never close, even when named after a keyword.
        assert_eq!(branch("fix/ENG-7", "linear=ENG"), "linear:ENG-7");
    }

    #[test]
    fn linear_jira_classification() {
        assert_eq!(body("ENG-1 ABC-2", "jira linear=ENG"), "linear:ENG-1 jira:ABC-2");
        let text = "ENG-1 ABC-2 SHA-1";
        assert_eq!(body(text, "jira=ABC linear"), "linear:ENG-1 jira:ABC-2");
        let text = "ENG-1 ABC-2 OPS-3";
        assert_eq!(body(text, "jira=ABC,ENG linear=ENG"), "linear:ENG-1 jira:ABC-2");
    }

    #[test]
    fn linear_urls() {
        let url = "Closes https://linear.app/acme/issue/ENG-42/fix-login-abc-9 and OPS-1";
        assert_eq!(body(url, "jira linear=OPS"), "linear:ENG-42! linear:OPS-1");
        let bare = "(https://linear.app/acme/issue/eng-7)";
        assert_eq!(body(bare, "linear=OPS"), "linear:ENG-7");
        // Linear off: the URL is still Linear's, never a Jira key.
        assert_eq!(body(url, "jira"), "jira:OPS-1");
    }

    #[test]
    fn shortcut_forms() {
        let text = "[sc-123] fixes [sc-5] Closes SC-456, disc-12 sc-012 xsc-9 sc-1-2";
        let want = "shortcut:sc-123 shortcut:sc-5! shortcut:sc-456!";
        assert_eq!(show(text, Commits, "shortcut", None), want);
        assert_eq!(branch("user/sc-789/slug", "shortcut"), "shortcut:sc-789");
        assert_eq!(branch("sc-10-slug", "shortcut"), "shortcut:sc-10");
        let url = "see https://app.shortcut.com/acme/story/12345/sc-99-slug";
        assert_eq!(body(url, "shortcut"), "shortcut:sc-12345");
        // With Jira open to any project, `SC-` still belongs to Shortcut.
        assert_eq!(body("SC-1", "shortcut jira"), "shortcut:sc-1");
    }

    #[test]
    fn azure_boards() {
        let text = "Fixes AB#123, AB#124, TAB#1, ab#3, AB#12x, AB#0";
        assert_eq!(body(text, "azure"), "azure:AB#123! azure:AB#124");
        assert_eq!(branch("AB#1", "azure"), "");
    }

    #[test]
    fn github_forms_with_repo() {
        let text = "Fixes #12, GH-13, gh-14, see other/lib#3, closes: octo/app#4, \
                    Resolved: #5, fixes owner.x/re_po-2#6";
        let want = "github:octo/app#12! github:octo/app#13 github:octo/app#14 \
                    github:other/lib#3 github:octo/app#4! github:octo/app#5! \
                    github:owner.x/re_po-2#6!";
        assert_eq!(show(text, Body, "github", Some("octo/app")), want);
        // The PR's own repo spelled in another case dedupes with the bare form.
        let text = "#7 and Octo/App#7";
        assert_eq!(show(text, Body, "github", Some("octo/app")), "github:octo/app#7");
    }

    #[test]
    fn github_forms_without_repo() {
        let want = "github:#12 github:#13 github:a/b#14 github:#123456";
        assert_eq!(body("#12 GH-13 a/b#14 #123456", "github"), want);
        assert_eq!(show("#12", Body, "github", Some("")), "github:#12");
    }

    #[test]
    fn github_urls() {
        let text = "Resolves https://github.com/octo/app/issues/7#issuecomment-1 and \
                    https://github.com/octo/app/pull/8 and [x](https://github.com/a/b/issues/9)";
        let want = "github:octo/app#7! github:a/b#9";
        assert_eq!(show(text, Body, "github", Some("octo/app")), want);
        let foreign = "https://example.com/a/b#12 https://github.com/a/b/issues/12abc";
        assert_eq!(body(foreign, "github"), "");
    }

    #[test]
    fn github_non_refs() {
        let text = "## Title\n&#123; #12abc #fff #a1b2c3 x#5 #0 #012 AB#12";
        assert_eq!(body(text, "github"), "");
        assert_eq!(body(text, "github azure"), "azure:AB#12");
        assert_eq!(branch("12-fix-bug fix/#12 fix#12", "github azure"), "");
        // An explicit `GH-` prefix is unambiguous even in a branch.
        assert_eq!(branch("feature/gh-12-fix", "github"), "github:#12");
    }

    #[test]
    fn disabled_trackers_ignored() {
        let text = "ABC-1 ENG-2 sc-3 [sc-4] AB#5 #6 GH-7 a/b#8 https://github.com/a/b/issues/9 \
                    https://linear.app/x/issue/ENG-10 https://app.shortcut.com/x/story/11";
        assert_eq!(show(text, Body, "", Some("a/b")), "");
        assert_eq!(branch("alice/eng-2-x", ""), "");
        let all = ts("jira linear shortcut azure github");
        assert_eq!(extract(text, Body, &all, Some("a/b")).len(), 11);
    }

    #[test]
    fn dedupe_keeps_first_order_and_any_close() {
        let text = "PAY-2 ABC-1, then fixes ABC-1 and PAY-2; #3 closes #3 #3";
        assert_eq!(body(text, "jira github"), "jira:PAY-2 jira:ABC-1! github:#3!");
    }

    #[test]
    fn arbitrary_input_does_not_panic() {
        let pieces = [
            "é",
            "✓",
            "🙂",
            "#",
            "-",
            "ABC",
            "sc",
            "AB",
            "/",
            ":",
            "[",
            "]",
            "&",
            " ",
            "\n",
            "1",
            "0",
            "9",
            "fixes",
            "https://github.com/o/r/issues/",
            "https://linear.app/w/issue/",
            "gh",
            "eng",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut text = String::new();
        while text.len() < 100_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
        }
        let t = ts("jira linear=ENG shortcut azure github");
        let mut total = 0;
        for source in [Title, Branch, Body, Commits] {
            for repo in [None, Some("o/r"), Some("")] {
                total += extract(&text, source, &t, repo).len();
            }
        }
        assert!(total > 0, "the generator should produce some references");
        for cut in ["", "é", "#", "AB#", "fixes:", "[", "-", "ABC-", "https://github.com/"] {
            assert_eq!(body(cut, "jira linear shortcut azure github"), "");
        }
        assert_eq!(body("🙂#1", "github"), "github:#1");
    }

    #[test]
    fn a_stored_key_is_read_back_to_its_tracker_by_the_policys_trackers() {
        let t = ts("jira=ABC linear=ENG shortcut azure github");
        let of = |key: &str| tracker_of(key, &t, Some("acme/shop"));
        assert_eq!(of("ABC-7"), Some(Tracker::Jira));
        assert_eq!(of("ENG-42"), Some(Tracker::Linear));
        assert_eq!(of("sc-12"), Some(Tracker::Shortcut));
        assert_eq!(of("AB#9"), Some(Tracker::Azure));
        assert_eq!(of("acme/shop#100"), Some(Tracker::Github));
        assert_eq!(of("other/repo#3"), Some(Tracker::Github));
        assert_eq!(of("OPS-1"), None, "no enabled tracker writes OPS keys");
        assert_eq!(tracker_of("acme/shop#100", &ts("jira"), Some("acme/shop")), None, "GitHub is off");
    }
}
