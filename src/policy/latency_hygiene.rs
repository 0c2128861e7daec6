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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::policy::load::load_text;

    fn load(latency: &str) -> Result<crate::policy::Policy, String> {
        load_text(&format!("extends: default\nlatency: {latency}\n"), Path::new("flowgate.yml"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_thresholds_load_and_a_bad_one_is_named() {
        let policy = load("{ hygiene: { approved_unmerged: 24h, idle_days: 3 } }").expect("valid");
        let hygiene = policy.latency.hygiene;
        assert_eq!((hygiene.approved_unmerged.map(|d| d.as_secs()), hygiene.idle_days), (Some(24 * 3600), Some(3)));
        assert_eq!(load("{}").expect("valid").latency.hygiene, super::HygieneSettings::default());
        let zero = load("{ hygiene: { idle_days: 0 } }").expect_err("0 days");
        assert!(zero.contains("`latency.hygiene.idle_days` is 0: write a number of days from 1 to 365"), "{zero}");
        let days = load("{ hygiene: { approved_unmerged: 2d } }").expect_err("days are refused");
        assert!(days.contains("is not a review-time target"), "{days}");
    }
}
