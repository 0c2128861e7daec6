//! The policy's `latency.hygiene:`: when the digest's hygiene section calls an approved PR left
//! unmerged and an open PR idle. Checked while it is read, so a bad value is reported at its line.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::latency::ReviewTarget;

/// The longest idle span the setting takes, in days.
const MAX_IDLE_DAYS: u32 = 365;

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "hygiene settings: a map with approved_unmerged, idle_days")]
pub struct HygieneFile {
    /// An open PR approved for longer than this, on the digest's clock (working hours by
    /// default), is listed: `16h`, `90m`. Default 16h.
    pub approved_unmerged: Option<ReviewTarget>,
    /// An open, ready PR with no event for this many days is listed as idle: 1 to 365. Default 7.
    #[schemars(range(min = 1, max = 365))]
    pub idle_days: Option<u32>,
}

/// What the policy sets; `None` keeps the digest's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HygieneSettings {
    pub approved_unmerged: Option<Duration>,
    pub idle_days: Option<u32>,
}

impl HygieneFile {
    pub(crate) fn settings(self) -> Result<HygieneSettings, String> {
        if let Some(days) = self.idle_days.filter(|d| !(1..=MAX_IDLE_DAYS).contains(d)) {
            return Err(format!(
                "`latency.hygiene.idle_days` is {days}: write a number of days from 1 to {MAX_IDLE_DAYS}"
            ));
        }
        Ok(HygieneSettings { approved_unmerged: self.approved_unmerged.map(|t| t.0), idle_days: self.idle_days })
    }
}
