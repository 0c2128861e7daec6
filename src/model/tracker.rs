//! Which tracker a story key belongs to (Jira, Linear, Shortcut, Azure Boards, GitHub Issues): what
//! the key parser finds and the tracker clients are chosen by.

/// The tracker a story key is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tracker {
    Jira,
    Linear,
    Shortcut,
    Azure,
    Github,
}

impl Tracker {
    pub fn id(self) -> &'static str {
        match self {
            Tracker::Jira => "jira",
            Tracker::Linear => "linear",
            Tracker::Shortcut => "shortcut",
            Tracker::Azure => "azure",
            Tracker::Github => "github",
        }
    }
}
