//! Every sentence flowgate shows about a verdict. Renderers arrange these; they never word things
//! themselves, so the terminal, the check run, the job summary and the JSON say the same.

use crate::analysis::{ChangeKind, SkipReason};
use crate::policy::Tier;
use crate::policy::ai::markers::{AiTool, Declared, Marker, MarkerSite};
use crate::policy::verdict::*;

/// One tool often leaves several markers on one commit; past this many, they are counted.
const MARKERS_SHOWN: usize = 5;

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

/// The outcome shown next to one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Pass,
    Pending,
    Fail,
    /// Not required here, or only informative.
    Skip,
}

/// One rule's result as the reader sees it: a headline and supporting lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: &'static str,
    pub mark: Mark,
    pub headline: String,
    pub details: Vec<String>,
}

pub fn state_word(state: State) -> &'static str {
    match state {
        State::Pass => "pass",
        State::Pending => "pending",
        State::Fail => "fail",
    }
}

pub fn state_emoji(state: State) -> &'static str {
    match state {
        State::Pass => "✅",
        State::Pending => "⏳",
        State::Fail => "❌",
    }
}

pub fn mark_emoji(mark: Mark) -> &'static str {
    match mark {
        Mark::Pass => "✅",
        Mark::Pending => "⏳",
        Mark::Fail => "❌",
        Mark::Skip => "➖",
    }
}

pub fn tier_emoji(tier: Tier) -> &'static str {
    match tier {
        Tier::Green => "🟢",
        Tier::Yellow => "🟡",
        Tier::Red => "🔴",
    }
}

/// The title of the report: the state, the tier and, when overridden, that fact.
pub fn title(v: &Verdict) -> String {
    let overridden = if v.state != v.rules_state { " (overridden)" } else { "" };
    format!("flowgate: {}{overridden}, {} tier", state_word(v.state), v.tier)
}

pub fn pr_line(v: &Verdict) -> String {
    let mut parts = Vec::new();
    match (&v.pr.repo, v.pr.number) {
        (Some(repo), Some(n)) => parts.push(format!("{repo}#{n}")),
        (None, Some(n)) => parts.push(format!("PR #{n}")),
        _ => {}
    }
    if !v.pr.title.is_empty() {
        parts.push(format!("\"{}\"", v.pr.title));
    }
    if !v.pr.author.as_str().is_empty() {
        parts.push(format!("by {}", v.pr.author));
    }
    parts.join(" ")
}

pub fn tier_reason(r: &TierReason, f: Flavor) -> String {
    match r {
        TierReason::Glob { glob, previous_path: false } => format!("matches {}", f.code(glob)),
        TierReason::Glob { glob, previous_path: true } => format!("old path matches {}", f.code(glob)),
        TierReason::Default => "no rule matched: the default tier".to_string(),
        TierReason::DefaultPreviousPath => {
            "renamed from a path no rule matched: a rename keeps the default tier of its old path".to_string()
        }
        TierReason::Code { tier, detector, line, symbol } => {
            format!("raised to {tier}: adds {} ({detector}, line {line})", f.code(symbol))
        }
        TierReason::Relaxed { from, change } => format!("relaxed from {from} to green: {} only", change_words(*change)),
        TierReason::NotRelaxed(why) => format!("not relaxed: {}", relax_refused(why)),
    }
}

pub fn change_words(change: ChangeKind) -> &'static str {
    match change {
        ChangeKind::Formatting => "formatting",
        ChangeKind::Comments => "comments",
        ChangeKind::Imports => "imports",
        ChangeKind::Tests => "test code",
        ChangeKind::Code => "code",
        ChangeKind::Skipped => "not analysed",
    }
}

fn relax_refused(why: &RelaxRefused) -> String {
    match why {
        RelaxRefused::NotAnalysed(reason) => format!("the code was not read ({})", skip_reason(reason)),
        RelaxRefused::Finding => "the change adds a construct the policy watches".to_string(),
        RelaxRefused::UnclearPatch => "only the patch was available and it does not parse cleanly".to_string(),
    }
}

pub fn skip_reason(reason: &SkipReason) -> String {
    match reason {
        SkipReason::Unsupported => "no grammar for this file type; path rules only".to_string(),
        SkipReason::Binary => "a binary file".to_string(),
        SkipReason::Generated { why } => format!("generated: {why}"),
        SkipReason::TooLarge { bytes, max } => {
            format!("{} KiB is over the {} KiB analysis limit", bytes.div_ceil(1024), max / 1024)
        }
        SkipReason::NoContents => "neither the file's versions nor its patch were available".to_string(),
        SkipReason::TimedOut => "reading it took longer than its time budget".to_string(),
        SkipReason::PrBudgetSpent => "the PR's analysis time budget was spent before this file".to_string(),
        SkipReason::ParseFailed => "the parser could not read it".to_string(),
    }
}

pub fn effort_line(v: &Verdict) -> String {
    if v.effort_minutes >= crate::analysis::effort::DAY_MINUTES {
        return "estimated review effort: more than a day (consider splitting the PR)".to_string();
    }
    format!(
        "estimated review effort: about {} minute{}",
        v.effort_minutes,
        if v.effort_minutes == 1 { "" } else { "s" }
    )
}

/// A file's line in a listing: its reasons, what kind of change it is, whether AI touched it.
pub fn file_line(file: &FileVerdict, f: Flavor) -> String {
    let mut parts: Vec<String> = file.reasons.iter().map(|r| tier_reason(r, f)).collect();
    if let Some(a) = &file.analysis {
        match &a.skipped {
            Some(SkipReason::Unsupported) | None => {}
            Some(why) => parts.push(format!("not read: {}", skip_reason(why))),
        }
        let relaxed = file.reasons.iter().any(|r| matches!(r, TierReason::Relaxed { .. }));
        if a.skipped.is_none() && !relaxed {
            let mut kind = change_words(a.change).to_string();
            if !a.symbols.is_empty() {
                let names: Vec<String> = a.symbols.iter().take(3).map(|s| f.code(s)).collect();
                let more = if a.symbols.len() > 3 { format!(" +{}", a.symbols.len() - 3) } else { String::new() };
                kind = format!("{kind} in {}{more}", names.join(", "));
            }
            parts.push(kind);
        }
    }
    if file.ai_touched {
        parts.push(ai_touched_note().to_string());
    }
    parts.join(" · ")
}

/// A finding as one line: what a reviewer should look at.
pub fn finding_line(x: &crate::analysis::detectors::Finding, f: Flavor) -> String {
    format!("line {}: {} ({})", x.line, f.code(&x.symbol), x.detector)
}

/// The one-line summary: what a status line or a log shows.
pub fn summary(v: &Verdict) -> String {
    let mut parts =
        vec![format!("flowgate {}", state_word(v.state).to_uppercase()), format!("{} {}", tier_emoji(v.tier), v.tier)];
    let keys = v.linkage.keys();
    parts.push(match v.linkage.state {
        LinkageState::Pass if keys.is_empty() => "story: none (optional)".to_string(),
        LinkageState::Pass => format!("story: {}", keys.join(", ")),
        LinkageState::Exempt => "story: exempt".to_string(),
        LinkageState::Fail if keys.is_empty() => "story: missing".to_string(),
        LinkageState::Fail => match v.linkage.chain.as_ref().map(|c| &c.outcome) {
            Some(ChainOutcome::Unseen { .. }) => format!("story: {} (not verified)", keys.join(", ")),
            _ => format!("story: {} (chain broken)", keys.join(", ")),
        },
        LinkageState::Pending => format!("story: {} (not verified yet)", keys.join(", ")),
    });
    let detected: Vec<&str> = v.ai.detected().iter().map(|t| t.id()).collect();
    let declared = v.ai.declared.map_or("undeclared", declared_word);
    parts.push(if detected.is_empty() {
        format!("AI: {declared}")
    } else {
        format!("AI: {declared}, detected {}", detected.join(", "))
    });
    let counted = v.review.approved_by.len();
    parts.push(format!("review: {counted}/{} approvals", v.review.required));
    parts.push(if v.effort_minutes >= crate::analysis::effort::DAY_MINUTES {
        "review: more than a day".to_string()
    } else {
        format!("~{} min review", v.effort_minutes)
    });
    if v.state != v.rules_state {
        parts.push("overridden".to_string());
    }
    parts.join(" · ")
}

pub fn declared_word(d: Declared) -> &'static str {
    match d {
        Declared::None => "none",
        Declared::Assisted => "assisted",
        Declared::Generated => "generated",
    }
}

fn tools(tools: &[AiTool]) -> String {
    tools.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
}

pub fn exemption(e: &Exemption, f: Flavor) -> String {
    match e {
        Exemption::Author(a) => format!("author {} is exempt", f.code(a.as_str())),
        Exemption::Label(l) => format!("label {} exempts it", f.code(l)),
        Exemption::Tier(t) => format!("{t} PRs are exempt"),
        Exemption::Title(r) => format!("the title matches {}", f.code(r)),
        Exemption::Branch(r) => format!("the branch matches {}", f.code(r)),
    }
}

pub fn linkage_section(v: &Verdict, f: Flavor) -> Section {
    let l = &v.linkage;
    let mut details: Vec<String> = l
        .refs
        .iter()
        .map(|r| {
            format!(
                "{} ({}, in the {}{})",
                f.code(&r.key),
                r.tracker.id(),
                r.source.id(),
                if r.closes { ", closes it" } else { "" }
            )
        })
        .collect();
    if let Some(chain) = &l.chain {
        return chain_section(v, chain, details, f);
    }
    let (mark, headline) = match l.state {
        LinkageState::Pending => (Mark::Pending, "waiting for the tracker".to_string()),
        LinkageState::Pass if l.refs.is_empty() => {
            (Mark::Skip, "no work item referenced; linkage is optional".to_string())
        }
        LinkageState::Pass => {
            (Mark::Pass, format!("linked to {}", l.keys().iter().map(|k| f.code(k)).collect::<Vec<_>>().join(", ")))
        }
        LinkageState::Exempt => {
            (Mark::Skip, format!("exempt: {}", l.exemption.as_ref().map(|e| exemption(e, f)).unwrap_or_default()))
        }
        LinkageState::Fail => {
            details.push("Add a work-item key (for example ABC-123, ENG-42, sc-123, AB#123 or #12) to the title, the branch name or the description.".to_string());
            (Mark::Fail, "no work item referenced, and this PR needs one".to_string())
        }
    };
    Section { title: "Story linkage", mark, headline, details }
}

/// The linkage section when the tier needs a chain: the chain found, and where it breaks.
fn chain_section(v: &Verdict, chain: &ChainVerdict, mut details: Vec<String>, f: Flavor) -> Section {
    let l = &v.linkage;
    let need = format!("this {} PR needs a chain up to {}", v.tier, level_word(&chain.required_level));
    if !chain.links.is_empty() {
        details.insert(0, format!("chain: {}", chain_line(chain, f)));
    }
    let key = f.code(&chain.key);
    let (mark, headline) = match (&chain.outcome, l.state) {
        (ChainOutcome::Complete, _) => {
            (Mark::Pass, format!("linked to {key}, which traces up to {}", level_word(&chain.required_level)))
        }
        (_, LinkageState::Exempt) => {
            (Mark::Skip, format!("exempt: {}", l.exemption.as_ref().map(|e| exemption(e, f)).unwrap_or_default()))
        }
        (ChainOutcome::Broken(b), _) if b.missing_level().is_some() => {
            (Mark::Fail, format!("{key} does not trace far enough: {}; {need}", chain_break(b, f)))
        }
        (ChainOutcome::Broken(b), _) => (Mark::Fail, chain_break(b, f)),
        (ChainOutcome::Unseen { key: at, reason }, LinkageState::Fail) => (
            Mark::Fail,
            format!("could not verify {key} ({}: {reason}), and the policy fails on tracker errors", f.code(at)),
        ),
        (ChainOutcome::Unseen { key: at, reason }, _) => (
            Mark::Pending,
            format!("could not verify {key} yet ({}: {reason}); run again when the tracker answers", f.code(at)),
        ),
    };
    Section { title: "Story linkage", mark, headline, details }
}

/// `ABC-123 Story -> ABC-7 Epic -> PRD-3 -> OKR-2 'Cut churn 10%'`: each item with its type
/// unless its key already says it, and the top item's title.
pub fn chain_line(chain: &ChainVerdict, f: Flavor) -> String {
    let last = chain.links.len().saturating_sub(1);
    chain
        .links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            let mut text = f.code(&link.key);
            let kind = link.kind.clone().or_else(|| link.level.as_deref().map(level_word));
            if let Some(kind) =
                kind.filter(|k| !k.is_empty() && !link.key.to_lowercase().starts_with(&k.to_lowercase()))
            {
                text.push(' ');
                text.push_str(&kind);
            }
            if i == last && !link.title.is_empty() {
                text.push_str(&format!(" '{}'", link.title));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// A level as people write it: short names in capitals (`PRD`, `OKR`), others capitalised (`Epic`).
pub fn level_word(level: &str) -> String {
    if level.len() <= 3 {
        return level.to_uppercase();
    }
    let mut chars = level.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Where and why a chain breaks, as one clause.
pub fn chain_break(b: &ChainBreak, f: Flavor) -> String {
    match b {
        ChainBreak::NotFound { key } => {
            format!("{} does not exist in its tracker (or flowgate's credentials cannot see it)", f.code(key))
        }
        ChainBreak::StoryState { key, state } => {
            format!("{} is {state}, and a PR must be for an item that is still open", f.code(key))
        }
        ChainBreak::NoParent { key, missing } => format!("{} has no parent {}", f.code(key), level_word(missing)),
        ChainBreak::ParentMissing { key, parent, missing } => format!(
            "{}'s parent {} does not exist (deleted?), so the chain never reaches {}",
            f.code(key),
            f.code(parent),
            level_word(missing)
        ),
        ChainBreak::Cycle { key, repeated, missing } => format!(
            "{} leads back to {}, which is already in the chain (an item is its own ancestor), before any {}",
            f.code(key),
            f.code(repeated),
            level_word(missing)
        ),
        ChainBreak::TooDeep { missing } => format!(
            "the chain passes {} items without reaching {}",
            crate::trackers::chain::MAX_LINKS,
            level_word(missing)
        ),
    }
}

fn site(site: &MarkerSite) -> String {
    match site {
        MarkerSite::Commit { sha } => format!("commit {}", sha.get(..7).unwrap_or(sha)),
        MarkerSite::PrAuthor => "PR author".to_string(),
        MarkerSite::Branch => "branch".to_string(),
        MarkerSite::PrBody => "PR description".to_string(),
        MarkerSite::Label => "label".to_string(),
    }
}

fn declaration(d: &Declaration, f: Flavor) -> String {
    match d {
        Declaration::Label(l) => format!("label {}", f.code(l)),
        Declaration::Body => "the PR description".to_string(),
        Declaration::Trailer { sha } => format!("a trailer in commit {}", f.code(sha.short())),
    }
}

fn ai_problem(p: &AiProblem) -> String {
    match p {
        AiProblem::NotDeclared => "AI use is not declared: add the label ai:none, ai:assisted or ai:generated, or tick the AI box in the description".to_string(),
        AiProblem::Undeclared { tools: t } => format!("markers of {} were found but the PR declares no AI use: add ai:assisted or ai:generated", tools(t)),
        AiProblem::DeclaredNoneButDetected { tools: t } => format!("the PR declares no AI use, but markers of {} were found; a declaration cannot hide a marker", tools(t)),
    }
}

pub fn ai_section(v: &Verdict, f: Flavor) -> Section {
    let a = &v.ai;
    let declared = match a.declared {
        Some(d) => format!("declared {}", declared_word(d)),
        None => "not declared".to_string(),
    };
    let detected = a.detected();
    let headline = if detected.is_empty() {
        format!("{declared}; no known AI tool detected")
    } else {
        format!("{declared}; detected {}", tools(&detected))
    };
    let mut details = Vec::new();
    if !a.declarations.is_empty() {
        details.push(format!(
            "declared by {}",
            a.declarations.iter().map(|d| declaration(d, f)).collect::<Vec<_>>().join(", ")
        ));
    }
    // Show one marker from each place first: a tool's four markers on one commit say less than
    // its markers on the commit, the branch and the description together.
    let (mut shown, mut rest): (Vec<&Marker>, Vec<&Marker>) = (Vec::new(), Vec::new());
    for m in &a.markers {
        if shown.iter().any(|s| s.site == m.site) { rest.push(m) } else { shown.push(m) }
    }
    shown.extend(rest);
    // Commit markers are listed by commit below, with the files each commit touched.
    let pr_level: Vec<&Marker> = shown.into_iter().filter(|m| !matches!(m.site, MarkerSite::Commit { .. })).collect();
    for m in pr_level.iter().take(MARKERS_SHOWN) {
        details.push(format!("{}: {} ({})", m.tool.id(), f.code(&m.evidence), site(&m.site)));
    }
    if pr_level.len() > MARKERS_SHOWN {
        details.push(format!("… and {} more markers (all are in --format json)", pr_level.len() - MARKERS_SHOWN));
    }
    details.extend(marked_commit_lines(a, f));
    match a.files_basis {
        AiFilesBasis::None => {}
        AiFilesBasis::MarkedCommits => {
            details.push(format!("AI-touched files: {} (from the marked commits)", a.files.len()))
        }
        AiFilesBasis::AllFiles => {
            details.push(format!("AI-touched files: all {} (AI use applies to the whole PR)", a.files.len()))
        }
    }
    if let Some(e) = &a.exemption {
        details.push(format!("disclosure not required: {}", exemption(e, f)));
    }
    if let Some(w) = &a.warning {
        details.push(format!("warning: {}", ai_problem(w)));
    }
    let (mark, headline) = match &a.problem {
        Some(p) => (Mark::Fail, ai_problem(p)),
        None => (Mark::Pass, headline),
    };
    if mark == Mark::Fail {
        details.insert(
            0,
            match a.declared {
                Some(d) => format!(
                    "declared {}; detected {}",
                    declared_word(d),
                    if detected.is_empty() { "nothing".to_string() } else { tools(&detected) }
                ),
                None => {
                    format!("detected {}", if detected.is_empty() { "nothing".to_string() } else { tools(&detected) })
                }
            },
        );
    }
    Section { title: "AI disclosure", mark, headline, details }
}

/// Marked commits listed in the AI section; past this many, they are counted.
const COMMITS_SHOWN: usize = 10;
/// AI-touched files named on one commit's line; past this many, they are counted.
const FILES_PER_COMMIT: usize = 3;

/// The commits that carried markers, in the order they appear: which markers each carried and
/// which AI-touched files it changed.
fn commit_order(a: &AiVerdict) -> Vec<&str> {
    let mut order: Vec<&str> = Vec::new();
    let from_files = a.touched_by.iter().flat_map(|(_, shas)| shas.iter().map(|s| s.as_str()));
    let from_markers = a.markers.iter().filter_map(|m| match &m.site {
        MarkerSite::Commit { sha } => Some(sha.as_str()),
        _ => None,
    });
    for sha in from_files.chain(from_markers) {
        if !order.contains(&sha) {
            order.push(sha);
        }
    }
    order
}

/// Markers named for one commit; past this many, they are counted.
const MARKERS_PER_COMMIT: usize = 2;

/// What one commit carried: its markers' evidence with the tool, or its AI trailer.
fn commit_evidence(a: &AiVerdict, sha: &str, f: Flavor) -> String {
    let marks: Vec<String> = a
        .markers
        .iter()
        .filter(|m| matches!(&m.site, MarkerSite::Commit { sha: s } if s == sha))
        .map(|m| format!("{} ({})", f.code(&m.evidence), m.tool.id()))
        .collect();
    let mut text = marks.iter().take(MARKERS_PER_COMMIT).cloned().collect::<Vec<_>>().join(", ");
    match marks.len() {
        0 => text = "an AI-use trailer".to_string(),
        n if n > MARKERS_PER_COMMIT => text.push_str(&format!(" and {} more markers", n - MARKERS_PER_COMMIT)),
        _ => {}
    }
    text
}

fn marked_commit_lines(a: &AiVerdict, f: Flavor) -> Vec<String> {
    let order = commit_order(a);
    let mut lines: Vec<String> = order
        .iter()
        .take(COMMITS_SHOWN)
        .map(|sha| {
            let files: Vec<&str> = a
                .touched_by
                .iter()
                .filter(|(_, shas)| shas.iter().any(|s| s.as_str() == *sha))
                .map(|(p, _)| p.as_str())
                .collect();
            let mut line = format!("commit {} carries {}", f.code(short_sha(sha)), commit_evidence(a, sha, f));
            if !files.is_empty() {
                let named: Vec<String> = files.iter().take(FILES_PER_COMMIT).map(|p| f.code(p)).collect();
                line.push_str(&format!("; changed {}", named.join(", ")));
                if files.len() > FILES_PER_COMMIT {
                    line.push_str(&format!(" and {} more", files.len() - FILES_PER_COMMIT));
                }
            }
            line
        })
        .collect();
    if order.len() > COMMITS_SHOWN {
        lines.push(format!("… and {} more marked commits (all are in --format json)", order.len() - COMMITS_SHOWN));
    }
    lines
}

fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// The annotation on one AI-touched file: the commits that make it so and what each carried,
/// or, without commit-level evidence, what made the whole PR AI-touched.
pub fn ai_touched_annotation(a: &AiVerdict, shas: &[crate::model::CommitSha]) -> String {
    let plain = Flavor::Plain;
    if !shas.is_empty() {
        let parts: Vec<String> = shas
            .iter()
            .map(|s| format!("commit {} carries {}", short_sha(s.as_str()), commit_evidence(a, s.as_str(), plain)))
            .collect();
        return format!("AI-touched: {}", parts.join("; "));
    }
    let pr_marker = a.markers.iter().find(|m| !matches!(m.site, MarkerSite::Commit { .. }));
    match (pr_marker, a.declared) {
        (Some(m), _) => format!(
            "AI-touched: the {} carries {} ({}), which covers every file",
            site(&m.site),
            m.evidence,
            m.tool.id()
        ),
        (None, Some(d)) => format!("AI-touched: the PR declares {} AI use, which covers every file", declared_word(d)),
        (None, None) => "AI-touched: a marked commit's files are unknown, so every file counts".to_string(),
    }
}

/// The description of the repository label flowgate creates for a tool (GitHub allows 100 characters).
pub fn tool_label_description(tool: AiTool) -> String {
    format!("flowgate found markers of {} on this pull request", tool.name())
}

fn principals(from: &[crate::policy::Principal], f: Flavor) -> String {
    let names: Vec<String> = from.iter().map(|p| f.code(&p.0)).collect();
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        _ => format!("{} or {}", names[..names.len() - 1].join(", "), names[names.len() - 1]),
    }
}

fn requirement_name(r: &Requirement, f: Flavor) -> String {
    let what = requirement_source(&r.source);
    let plural = if r.approvals == 1 { "" } else { "s" };
    if r.from.is_empty() {
        format!("{what}: {} approval{plural}", r.approvals)
    } else {
        format!("{what}: {} approval{plural}, at least one from {}", r.approvals, principals(&r.from, f))
    }
}

/// What is still missing for one requirement, or None when it is met.
pub fn requirement_missing(r: &Requirement, counted: usize, f: Flavor) -> Option<String> {
    if r.met {
        return None;
    }
    let short = (r.approvals as usize).saturating_sub(counted);
    let need_from = !r.from.is_empty() && r.satisfied_by.is_empty();
    let what = match (short, need_from) {
        (0, _) => format!("an approval from {}", principals(&r.from, f)),
        (n, false) => format!("{n} more approval{}", if n == 1 { "" } else { "s" }),
        (1, true) => format!("1 more approval, from {}", principals(&r.from, f)),
        (n, true) => format!("{n} more approvals, including one from {}", principals(&r.from, f)),
    };
    Some(format!("{what} ({})", requirement_source(&r.source)))
}

fn requirement_source(source: &RequirementSource) -> String {
    match source {
        RequirementSource::Tier(t) => format!("{t} tier"),
        RequirementSource::AiTier(t) => format!("AI-touched {t} files"),
    }
}

fn ignored(i: &IgnoredReview, f: Flavor) -> String {
    let who = f.code(i.reviewer.as_str());
    match &i.why {
        IgnoredWhy::Author => format!("{who} wrote the PR and cannot approve it"),
        IgnoredWhy::Committer => format!("{who} authored or committed changes in this PR and cannot approve it"),
        IgnoredWhy::Bot => format!("{who} is a bot; bots never approve"),
        IgnoredWhy::AiReviewer => format!("{who} is an AI reviewer; AI reviews never count as approval"),
        IgnoredWhy::Stale { commit: Some(c) } => format!(
            "{who} approved {}, not the head commit; approvals in this tier count only on the head",
            f.code(c.short())
        ),
        IgnoredWhy::Stale { commit: None } => {
            format!("{who} approved an unknown commit; approvals in this tier count only on the head")
        }
    }
}

pub fn review_section(v: &Verdict, f: Flavor) -> Section {
    let r = &v.review;
    let counted = r.approved_by.len();
    let missing: Vec<String> = r.requirements.iter().filter_map(|q| requirement_missing(q, counted, f)).collect();
    let mut details: Vec<String> = r
        .requirements
        .iter()
        .map(|q| format!("{} {}", if q.met { "met:" } else { "needs:" }, requirement_name(q, f)))
        .collect();
    if !r.approved_by.is_empty() {
        details.push(format!(
            "approved by {}",
            r.approved_by.iter().map(|l| f.code(l.as_str())).collect::<Vec<_>>().join(", ")
        ));
    }
    for i in &r.ignored {
        details.push(ignored(i, f));
    }
    for q in &r.requirements {
        for team in &q.unknown_teams {
            details.push(format!("members of {} are unknown (list them under `teams:` or let flowgate read them from GitHub), so their approvals cannot be recognised", f.code(team)));
        }
    }
    for who in &r.changes_requested_by {
        details.push(format!("{} requested changes", f.code(who.as_str())));
    }
    let (mark, headline) = if r.state == ReviewStatus::Pass {
        let needed: u32 = r.requirements.iter().map(|q| q.approvals).max().unwrap_or(0);
        if needed == 0 {
            (Mark::Pass, "no approval required".to_string())
        } else {
            (Mark::Pass, format!("{counted} counted approval{}", if counted == 1 { "" } else { "s" }))
        }
    } else {
        let mut waiting = missing.clone();
        if !r.changes_requested_by.is_empty() {
            waiting.push(format!(
                "changes requested by {}",
                r.changes_requested_by.iter().map(|l| f.code(l.as_str())).collect::<Vec<_>>().join(", ")
            ));
        }
        (Mark::Pending, format!("waiting for {}", waiting.join("; ")))
    };
    Section { title: "Review", mark, headline, details }
}

/// Whom flowgate asks to review and why, and whom it passed over: only with a `reviewers:` policy.
/// Informative: it never changes the state, which the review rules decide.
pub fn reviewers_section(v: &Verdict, f: Flavor) -> Option<Section> {
    let a = v.reviewers.as_ref()?;
    let names = |logins: Vec<&str>| logins.iter().map(|l| f.code(l)).collect::<Vec<_>>().join(", ");
    let headline = if !a.requested.is_empty() {
        format!("requesting {}", names(a.requested.iter().map(|r| r.login.as_str()).collect()))
    } else if a.problems.is_empty() {
        format!("has the {} reviewer{} it needs", a.needed, plural(u64::from(a.needed)))
    } else {
        "could not find every reviewer it needs".to_string()
    };
    let mut details: Vec<String> = a.requested.iter().map(|r| r.reason.clone()).collect();
    if !a.counted.is_empty() {
        details.push(format!("already on it: {}", names(a.counted.iter().map(|c| c.who.as_str()).collect())));
    }
    if a.spot_check.sampled {
        details.push("AI-touched and sampled for a spot check: one more reviewer".to_string());
    }
    for pool in &a.saturated_pools {
        details.push(format!("every available member of {} is at capacity", f.code(pool)));
    }
    details.extend(a.problems.iter().map(|p| p.message.clone()));
    details.extend(a.notes.iter().cloned());
    details.extend(a.skipped.iter().map(|s| format!("passed over: {}", s.reason)));
    let mark = if a.problems.is_empty() { Mark::Skip } else { Mark::Pending };
    Some(Section { title: "Reviewers", mark, headline, details })
}

/// The missing-review phrases, as the JSON's `review.missing` lists them.
pub fn review_missing(v: &Verdict) -> Vec<String> {
    let counted = v.review.approved_by.len();
    let mut out: Vec<String> =
        v.review.requirements.iter().filter_map(|q| requirement_missing(q, counted, Flavor::Plain)).collect();
    for who in &v.review.changes_requested_by {
        out.push(format!("changes requested by {who} must be resolved"));
    }
    out
}

pub fn limit_problem(p: &LimitProblem) -> String {
    match p {
        LimitProblem::TooManyFiles { files, max } => format!("{files} changed files is over the limit of {max}"),
        LimitProblem::TooManyLines { lines, max } => {
            format!("{lines} changed lines to review is over the limit of {max}")
        }
        LimitProblem::FilesCapped { listed, total } => match total {
            Some(t) => format!("GitHub lists only {listed} of the {t} changed files, so the rest cannot be judged"),
            None => format!("GitHub's file listing stopped at its cap of {listed}, so further files cannot be judged"),
        },
        LimitProblem::CommitsCapped { listed, total } => match total {
            Some(t) => format!("GitHub lists only {listed} of the {t} commits, so the rest cannot be checked"),
            None => {
                format!("GitHub's commit listing stopped at its cap of {listed}, so further commits cannot be checked")
            }
        },
    }
}

pub fn limits_section(v: &Verdict) -> Section {
    let files = v.files.len();
    if v.limits.is_empty() {
        let headline = format!(
            "{files} changed file{}, {} changed line{}, within the limits",
            plural(files as u64),
            v.changed_lines,
            plural(v.changed_lines)
        );
        let details = not_counted_line(v).into_iter().collect();
        return Section { title: "Size", mark: Mark::Pass, headline, details };
    }
    let mut details: Vec<String> = v.limits.iter().map(limit_problem).collect();
    details.extend(not_counted_line(v));
    details
        .push("The PR is treated as red and cannot pass without the override: split it into smaller PRs.".to_string());
    Section { title: "Size", mark: Mark::Fail, headline: limit_problem(&v.limits[0]), details }
}

/// What the size limit leaves out, when it leaves anything out: "4,001 of 4,131 changed lines are
/// not counted: pnpm-lock.yaml (a lock file) ...".
fn not_counted_line(v: &Verdict) -> Option<String> {
    let first = v.not_counted.first()?;
    let lines: u64 = v.not_counted.iter().map(|u| u.lines).sum();
    let more = v.not_counted.len() - 1;
    let rest = if more == 0 { String::new() } else { format!(" and {more} more file{}", plural(more as u64)) };
    Some(format!(
        "{lines} of {} changed line{} are not counted, as a reviewer does not read them line by line: {} ({}){rest}; {} line{} to review",
        v.changed_lines,
        plural(v.changed_lines),
        first.path,
        not_reviewed(&first.why),
        v.reviewed_lines,
        plural(v.reviewed_lines),
    ))
}

pub fn not_reviewed(why: &NotReviewed) -> String {
    match why {
        NotReviewed::Generated(why) => why.clone(),
        NotReviewed::Vendored(dir) => format!("vendored code under {dir}/"),
        NotReviewed::Binary => "a binary file".to_string(),
        NotReviewed::Change(kind) => format!("a {}-only change", kind.id()),
    }
}

pub fn gap(g: &Gap) -> String {
    match g {
        Gap::FilesIncomplete { listed, total } => format!("only {listed} of the PR's {total} changed files were provided"),
        Gap::CommitsIncomplete { listed, total } => format!("only {listed} of the PR's {total} commits were provided"),
        Gap::CommitsMissing => "the commit list was not provided: committers cannot be excluded from approving and commit markers were not read".to_string(),
        Gap::ReviewsMissing => "the review list was not provided".to_string(),
        Gap::HeadUnknown => "the head commit is unknown, so approvals cannot be checked against it".to_string(),
        Gap::CodeNotRead { files } => {
            let shown: Vec<String> = files.iter().take(5).map(|(path, why)| format!("{path} ({})", skip_reason(why))).collect();
            let more = if files.len() > 5 { format!(" and {} more", files.len() - 5) } else { String::new() };
            format!("the policy raises files by what their code does, but {} could not be read: {}{more}", plural_files(files.len()), shown.join(", "))
        }
    }
}

pub fn gaps_section(v: &Verdict) -> Option<Section> {
    if v.gaps.is_empty() {
        return None;
    }
    Some(Section {
        title: "Visibility",
        mark: Mark::Pending,
        headline: "flowgate could not see everything it needs, so the PR cannot pass yet".to_string(),
        details: v.gaps.iter().map(gap).collect(),
    })
}

pub fn override_section(v: &Verdict, f: Flavor) -> Option<Section> {
    let o = v.override_.as_ref()?;
    let label = f.code(&o.label);
    Some(match (&o.applied_by, o.accepted) {
        (Some(by), true) => Section {
            title: "Override",
            mark: Mark::Pass,
            headline: format!("overridden by {} with label {label}", f.code(by.as_str())),
            details: if v.rules_state == State::Pass {
                vec![]
            } else {
                vec![format!("without it the gate would be {}", state_word(v.rules_state))]
            },
        },
        (Some(by), false) => Section {
            title: "Override",
            mark: Mark::Fail,
            headline: format!(
                "label {label} was applied by {}, who may not override; it is ignored",
                f.code(by.as_str())
            ),
            details: vec![],
        },
        (None, _) => Section {
            title: "Override",
            mark: Mark::Fail,
            headline: format!("label {label} is present but who applied it is unknown; it is ignored"),
            details: vec![],
        },
    })
}

/// All rule sections in reading order.
pub fn sections(v: &Verdict, f: Flavor) -> Vec<Section> {
    let mut out = vec![linkage_section(v, f), ai_section(v, f), review_section(v, f)];
    out.extend(reviewers_section(v, f));
    out.push(limits_section(v));
    out.extend(gaps_section(v));
    out.extend(override_section(v, f));
    out
}

pub fn ai_touched_note() -> &'static str {
    "AI-touched"
}

fn plural_files(n: usize) -> String {
    if n == 1 { "1 file".to_string() } else { format!("{n} files") }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The title and Markdown summary of the check run that says flowgate could not judge a PR.
pub fn cannot_evaluate(why: crate::model::check_run::CannotEvaluate, error: &str) -> (String, String) {
    use crate::model::check_run::CannotEvaluate;
    let error = error.trim();
    #[allow(clippy::uninlined_format_args)]
    match why {
        CannotEvaluate::PolicyBroken => (
            "flowgate cannot judge this PR: the policy on the base branch does not load".to_string(),
            format!(
                "## ❌ The policy does not load\n\n\
                 flowgate reads its policy from the base branch, and that policy has an error:\n\n\
                 {}\n\n\
                 Fix it on the base branch (`flowgate policy validate` shows the same error locally), \
                 then comment `/flowgate recheck` here or re-run this check. Until then this check fails: \
                 flowgate never passes a PR it could not judge.",
                fenced(error)
            ),
        ),
        CannotEvaluate::GaveUp { attempts } => (
            format!("flowgate cannot judge this PR: {attempts} attempts failed"),
            format!(
                "## ❌ flowgate could not read this PR\n\n\
                 Every one of {attempts} attempts failed; the last error was:\n\n\
                 {}\n\n\
                 flowgate has stopped trying. Comment `/flowgate recheck` or re-run this check to try \
                 again; an operator can also retry it with `flowgate queue retry`. Until then this check \
                 fails: flowgate never passes a PR it could not judge.",
                fenced(error)
            ),
        ),
        CannotEvaluate::Forbidden => (
            "flowgate cannot judge this PR: GitHub refused it a permission".to_string(),
            format!(
                "## ❌ flowgate may not read what it needs\n\n\
                 GitHub refused a request for lack of permission:\n\n\
                 {}\n\n\
                 Trying again changes nothing until an owner of the repository or organisation grants \
                 the flowgate App that permission (the App's installation settings on GitHub). Then \
                 comment `/flowgate recheck` here or re-run this check; an operator can also retry it \
                 with `flowgate queue retry`. Until then this check fails: flowgate never passes a PR it \
                 could not judge.",
                fenced(error)
            ),
        ),
    }
}

/// `text` as a Markdown code block whose fence is longer than any run of backticks in it, so the
/// text cannot end the block early.
fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}")
}
