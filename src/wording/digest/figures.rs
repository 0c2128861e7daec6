//! How the digest writes its figures in sentences: ratios, shares and durations.

/// `3.1x`.
pub fn times(ratio: f64) -> String {
    format!("{ratio:.1}x")
}

/// `62%` from a share in 0..=1.
pub fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// `45 min` under an hour, `3.1 h` under two days' worth, whole hours above.
pub fn hours(value: f64) -> String {
    if value < 1.0 {
        format!("{:.0} min", value * 60.0)
    } else if value < 48.0 {
        format!("{value:.1} h")
    } else {
        format!("{value:.0} h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_as_ratios_shares_and_hours() {
        insta::assert_snapshot!(times(3.06), @"3.1x");
        insta::assert_snapshot!(percent(0.615), @"62%");
        let spans: Vec<String> = [0.25, 1.0, 47.94, 48.0, 171.6].into_iter().map(hours).collect();
        insta::assert_snapshot!(spans.join(", "), @"15 min, 1.0 h, 47.9 h, 48 h, 172 h");
    }
}
