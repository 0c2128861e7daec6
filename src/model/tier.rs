//! The risk tier every layer speaks of: the policy assigns it, assignment and the digest group by it.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A risk tier. Ordered by risk, so `max` gives the riskier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Green,
    Yellow,
    Red,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Red, Tier::Yellow, Tier::Green];

    pub fn id(self) -> &'static str {
        match self {
            Tier::Green => "green",
            Tier::Yellow => "yellow",
            Tier::Red => "red",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
