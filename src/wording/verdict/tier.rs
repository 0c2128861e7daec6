//! Why each file has its tier: the path rule or detector that put it there, the change kind
//! that relaxed it, why its code was not read, and the annotation at a finding's line.

use super::ai::ai_touched_note;
use crate::analysis::detectors::Finding;
use crate::analysis::{ChangeKind, SkipReason};
use crate::policy::Tier;
use crate::policy::verdict::{FileVerdict, RelaxRefused, TierReason};
use crate::wording::Flavor;

/// Symbols named on a file's line; past this many, they are counted.
const SYMBOLS_SHOWN: usize = 3;

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
                let names: Vec<String> = a.symbols.iter().take(SYMBOLS_SHOWN).map(|s| f.code(s)).collect();
                let more = if a.symbols.len() > SYMBOLS_SHOWN {
                    format!(" +{}", a.symbols.len() - SYMBOLS_SHOWN)
                } else {
                    String::new()
                };
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

/// After a renamed file's path: ` (renamed from old/path.rs)`.
pub fn renamed_from(previous_path: &str, f: Flavor) -> String {
    format!(" (renamed from {})", f.code(previous_path))
}

/// A finding as one line: what a reviewer should look at.
pub fn finding_line(x: &Finding, f: Flavor) -> String {
    format!("line {}: {} ({})", x.line, f.code(&x.symbol), x.detector)
}

/// The title of the annotation at a finding's line.
pub fn finding_annotation_title(detector: &str) -> String {
    format!("flowgate: {detector}")
}

/// The annotation at a finding's line: whether the finding is what raised the file's tier.
pub fn finding_annotation(symbol: &str, tier: Tier, raised: bool) -> String {
    if raised {
        format!("`{symbol}` puts this file in the {tier} tier: review it with that care.")
    } else {
        format!("`{symbol}` found here; this file is in the {tier} tier.")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::verdict;
    use super::*;

    fn every_skip_reason() -> Vec<SkipReason> {
        vec![
            SkipReason::Unsupported,
            SkipReason::Binary,
            SkipReason::Generated { why: "a lock file".into() },
            SkipReason::TooLarge { bytes: 600_000, max: 512 * 1024 },
            SkipReason::NoContents,
            SkipReason::TimedOut,
            SkipReason::PrBudgetSpent,
            SkipReason::ParseFailed,
        ]
    }

    #[test]
    fn each_tier_reason_in_both_flavours() {
        let reasons = [
            TierReason::Glob { glob: "src/auth/**".into(), previous_path: false },
            TierReason::Glob { glob: "src/auth/**".into(), previous_path: true },
            TierReason::Default,
            TierReason::DefaultPreviousPath,
            TierReason::Code {
                tier: Tier::Red,
                detector: "subprocess".into(),
                line: 7,
                symbol: "subprocess.run".into(),
            },
            TierReason::Relaxed { from: Tier::Red, change: ChangeKind::Comments },
            TierReason::NotRelaxed(RelaxRefused::NotAnalysed(SkipReason::Binary)),
            TierReason::NotRelaxed(RelaxRefused::Finding),
            TierReason::NotRelaxed(RelaxRefused::UnclearPatch),
        ];
        let plain: Vec<String> = reasons.iter().map(|r| tier_reason(r, Flavor::Plain)).collect();
        insta::assert_snapshot!(plain.join("\n"), @r"
        matches src/auth/**
        old path matches src/auth/**
        no rule matched: the default tier
        renamed from a path no rule matched: a rename keeps the default tier of its old path
        raised to red: adds subprocess.run (subprocess, line 7)
        relaxed from red to green: comments only
        not relaxed: the code was not read (a binary file)
        not relaxed: the change adds a construct the policy watches
        not relaxed: only the patch was available and it does not parse cleanly
        ");
        insta::assert_snapshot!(tier_reason(&reasons[4], Flavor::Markdown), @"raised to red: adds `subprocess.run` (subprocess, line 7)");
    }

    #[test]
    fn each_change_kind_in_words() {
        let kinds = [
            ChangeKind::Formatting,
            ChangeKind::Comments,
            ChangeKind::Imports,
            ChangeKind::Tests,
            ChangeKind::Code,
            ChangeKind::Skipped,
        ]
        .map(change_words);
        insta::assert_snapshot!(kinds.join(", "), @"formatting, comments, imports, test code, code, not analysed");
    }

    #[test]
    fn each_skip_reason_in_words() {
        let reasons: Vec<String> = every_skip_reason().iter().map(skip_reason).collect();
        insta::assert_snapshot!(reasons.join("\n"), @r"
        no grammar for this file type; path rules only
        a binary file
        generated: a lock file
        586 KiB is over the 512 KiB analysis limit
        neither the file's versions nor its patch were available
        reading it took longer than its time budget
        the PR's analysis time budget was spent before this file
        the parser could not read it
        ");
    }

    #[test]
    fn a_file_line_gives_reasons_kind_symbols_and_ai() {
        let v = verdict("auth-login");
        let lines: Vec<String> =
            v.files.iter().map(|f| format!("{}: {}", f.path, file_line(f, Flavor::Markdown))).collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        src/auth/login.rs: matches `src/auth/**` · code in `auth::login::Login`, `auth::login::Login::new`, `auth::login::Login::attempt`
        src/auth/rate_limit.rs: matches `src/auth/**` · code in `auth::rate_limit::RateLimiter`, `auth::rate_limit::RateLimiter::new`, `auth::rate_limit::RateLimiter::is_locked` +2 · AI-touched
        docs/auth.md: matches `docs/**` · matches `**/*.md`
        tests/login_test.rs: matches `tests/**` · test code in `login_test::five_failures_lock_the_account` · AI-touched
        ");
        let mut unread = v.files[0].clone();
        if let Some(a) = unread.analysis.as_mut() {
            a.skipped = Some(SkipReason::TimedOut);
        }
        insta::assert_snapshot!(file_line(&unread, Flavor::Plain), @"matches src/auth/** · not read: reading it took longer than its time budget");
    }

    #[test]
    fn a_rename_and_a_finding_in_words() {
        insta::assert_snapshot!(renamed_from("src/old.rs", Flavor::Plain), @" (renamed from src/old.rs)");
        insta::assert_snapshot!(renamed_from("src/old.rs", Flavor::Markdown), @" (renamed from `src/old.rs`)");
        let finding =
            Finding { detector: "subprocess".into(), line: 12, symbol: "subprocess.run".into(), start: 0, end: 0 };
        insta::assert_snapshot!(finding_line(&finding, Flavor::Plain), @"line 12: subprocess.run (subprocess)");
        insta::assert_snapshot!(finding_annotation_title("subprocess"), @"flowgate: subprocess");
        insta::assert_snapshot!(finding_annotation("subprocess.run", Tier::Red, true), @"`subprocess.run` puts this file in the red tier: review it with that care.");
        insta::assert_snapshot!(finding_annotation("eval", Tier::Yellow, false), @"`eval` found here; this file is in the yellow tier.");
    }
}
