//! A rule's section as the reader sees it (a mark, a headline, details), and the words and
//! emoji of states, marks and tiers.

use crate::policy::Tier;
use crate::policy::verdict::State;

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
