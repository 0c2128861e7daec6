//! `[slo]` in `flowgate.toml` (or `FLOWGATE_SLO_*`): how often the App looks for PRs whose review
//! SLO ladder has a step due.

use std::time::Duration;

/// The settings of `[slo]`, by their names in the table.
pub(crate) const SLO_SETTINGS: [&str; 1] = ["sweep_seconds"];

/// The review SLOs' settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SloConfig {
    /// How often the sweeper lists the watched PRs that fell due (`sweep_seconds`, default 60):
    /// a step is taken at most this late.
    pub sweep: Duration,
}

impl Default for SloConfig {
    fn default() -> Self {
        SloConfig { sweep: Duration::from_secs(60) }
    }
}

impl SloConfig {
    /// Reads `[slo]` through `get` (a setting by its name in the table); a bad value is the
    /// reason, for the caller to name the setting.
    pub(crate) fn read(get: &dyn Fn(&str) -> Option<String>) -> Result<SloConfig, (&'static str, String)> {
        let sweep = match get("sweep_seconds") {
            Some(n) => n
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=86_400).contains(n))
                .ok_or(("sweep_seconds", "a number of seconds from 1 to 86400".to_string()))?,
            None => SloConfig::default().sweep.as_secs(),
        };
        Ok(SloConfig { sweep: Duration::from_secs(sweep) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_defaults_to_a_minute_and_refuses_what_is_not_a_number_of_seconds() {
        assert_eq!(SloConfig::read(&|_| None), Ok(SloConfig { sweep: Duration::from_secs(60) }));
        let set = |value: &'static str| SloConfig::read(&move |name| (name == "sweep_seconds").then(|| value.into()));
        assert_eq!(set("15"), Ok(SloConfig { sweep: Duration::from_secs(15) }));
        for bad in ["0", "-1", "1m", "86401"] {
            assert_eq!(set(bad), Err(("sweep_seconds", "a number of seconds from 1 to 86400".to_string())), "{bad}");
        }
    }
}
