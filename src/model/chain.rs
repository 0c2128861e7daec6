//! A story's chain up its hierarchy (Story -> Epic -> PRD -> OKR) as the walker found it, and the
//! policy's level names it is read against.

use super::story::{ItemState, TrackerError};

/// The policy's level names, lowest first, and which tracker types or labels mean each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Levels {
    names: Vec<String>,
    /// Extra words (a tracker type or label, lowercase) and the level index they mean.
    aliases: Vec<(String, usize)>,
}

impl Levels {
    /// `names` lowest first (`story, epic, prd, okr`), without aliases: nothing to get wrong.
    pub fn plain(names: Vec<String>) -> Levels {
        Levels { names: names.into_iter().map(|n| n.to_lowercase()).collect(), aliases: Vec::new() }
    }

    /// `names` lowest first (`story, epic, prd, okr`); `aliases` map other words to a level name.
    /// Names are compared without regard to case; an alias naming no level is an error.
    pub fn new(names: Vec<String>, aliases: &[(String, String)]) -> Result<Levels, String> {
        let names: Vec<String> = names.into_iter().map(|n| n.to_lowercase()).collect();
        let mut mapped = Vec::new();
        for (word, level) in aliases {
            let index = names.iter().position(|n| n.eq_ignore_ascii_case(level)).ok_or_else(|| {
                format!("{word:?} maps to {level:?}, which is not one of the levels ({})", names.join(", "))
            })?;
            mapped.push((word.to_lowercase(), index));
        }
        Ok(Levels { names, aliases: mapped })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }

    /// The level an item is at, from its kinds (its type first, then its labels): a label
    /// `level:NAME` (or `level/NAME`) wins, being said on purpose; else the first kind that is
    /// mapped in `types` or equals a level name, a mapping winning over a name.
    pub fn level_of(&self, kinds: &[String]) -> Option<usize> {
        let lower: Vec<String> = kinds.iter().map(|k| k.trim().to_lowercase()).collect();
        let explicit = lower.iter().find_map(|k| {
            let bare = k.strip_prefix("level:").or_else(|| k.strip_prefix("level/"))?.trim();
            self.names.iter().position(|n| n == bare)
        });
        explicit.or_else(|| {
            lower.iter().find_map(|k| {
                let mapped = self.aliases.iter().find(|(w, _)| w == k).map(|(_, i)| *i);
                mapped.or_else(|| self.names.iter().position(|n| n == k))
            })
        })
    }
}

/// One item of a chain, as shown to the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub key: String,
    pub title: String,
    pub url: Option<String>,
    /// The tracker's own word for it (`Story`, `Epic`), when it said.
    pub kind: Option<String>,
    /// The policy level it was recognised as.
    pub level: Option<usize>,
    /// Known for looked-up items; a remote link has none.
    pub state: Option<ItemState>,
}

/// Why the walk stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainEnd {
    /// The last item has no parent and links to nothing higher.
    Top,
    /// `key` is already in the chain: an item is its own ancestor.
    Cycle { key: String },
    /// `key` does not exist; `child` pointed at it (`None`: the PR's own key).
    Missing { key: String, child: Option<String> },
    /// Looking up `key` failed, so what lies above is unknown.
    Error { key: String, error: TrackerError },
    /// The walk passed `trackers::chain::MAX_LINKS` items.
    TooDeep,
}

/// What the walk found from one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The key the PR referenced, where the walk began.
    pub start: String,
    /// The items found, the PR's item first.
    pub links: Vec<ChainLink>,
    pub end: ChainEnd,
}

impl Chain {
    /// A chain that could not be begun: the tracker is not configured or not supported.
    pub fn unreachable(start: &str, error: TrackerError) -> Chain {
        Chain { start: start.to_string(), links: Vec::new(), end: ChainEnd::Error { key: start.to_string(), error } }
    }
}
