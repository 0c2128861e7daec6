//! A target tried before it is enforced: eight hand-built weeks of red PRs against `red: 8h` in
//! working hours (Monday to Friday, 09:00-17:00 UTC), every count worked out below.
//!
//! Window Monday 3 to Monday 10 March 2025 (= now); the trend's eight weeks start Monday 13 Jan.
//! A week counts a PR whose first review came in it (late when over 8 working hours), and one
//! still waiting at its end whose wait is already over 8 working hours.
//!   W0 13 Jan: #100 reviewed after 6 h; #101 after 10 h (Mon 8 + Tue 2): late.       1 of 2
//!   W1 20 Jan: #111 opened Thu 09:00, unreviewed at the week's end (Thu 8 + Fri 8 =
//!              16 h); closed on Wednesday 29 Jan, never reviewed.                      1 of 1
//!              #110 opened Fri 13:00: 4 h at the week's end, not over.
//!   W2 27 Jan: #110 reviewed Mon 12:00 after 7 h (Fri 4 + Mon 3).                      0 of 1
//!   W3  3 Feb: #130 a draft Mon to Wed 09:00, reviewed 16:00: 7 h of ready time;
//!              #131 reviewed Mon 17:30: exactly 8 h, not over.                         0 of 2
//!   W4 10 Feb: #141 a bot comments at once, a person reviews Wed 09:00: 16 h, late;
//!              #140 is yellow, late by any measure: not counted.                       1 of 1
//!   W5 17 Feb: #151 reviewed after 1 h; #150 by renovate[bot], late, is left out.      0 of 1
//!   W6 24 Feb: #160 opened Thu 09:00, unreviewed at the week's end: 16 h.              1 of 1
//!   W7  3 Mar: #160 reviewed Tue 10:00 after 25 h: late; #172 opened Thu 09:00, never
//!              reviewed: 16 h at now; #171 opened Fri 09:00: 8 h, not over; #170 ready
//!              3 h, then a draft.                                                      2 of 2

use std::time::Duration;

use crate::latency::tests::support::{Pr, office_hours, t, window};
use crate::latency::{Digest, DigestBuilder, Exclusions, FindingKind, LatencyConfig, TriedWeek};
use crate::model::Tier;

fn weeks() -> Vec<Pr> {
    let red = |n| Pr::new(n, "ann").tier(Some(Tier::Red));
    vec![
        red(100).opened("2025-01-13 09:00").comment("2025-01-13 15:00", "bob"),
        red(101).opened("2025-01-13 09:00").approve("2025-01-14 11:00", "bob"),
        red(110).opened("2025-01-24 13:00").approve("2025-01-27 12:00", "bob"),
        red(111).opened("2025-01-23 09:00").closed("2025-01-29 12:00"),
        red(130).opened_draft("2025-02-03 09:00").ready("2025-02-05 09:00").approve("2025-02-05 16:00", "bob"),
        red(131).opened("2025-02-03 09:00").approve("2025-02-03 17:30", "bob"),
        Pr::new(140, "ann").opened("2025-02-10 09:00").approve("2025-02-13 09:00", "bob"),
        red(141)
            .opened("2025-02-10 09:00")
            .bot_review("2025-02-10 10:00", "lint[bot]")
            .approve("2025-02-12 09:00", "bob"),
        Pr::new(150, "renovate[bot]")
            .tier(Some(Tier::Red))
            .opened("2025-02-17 09:00")
            .approve("2025-02-19 09:00", "bob"),
        red(151).opened("2025-02-17 09:00").approve("2025-02-17 10:00", "bob"),
        red(160).opened("2025-02-27 09:00").approve("2025-03-04 10:00", "bob"),
        red(170).opened("2025-03-03 09:00").back_to_draft("2025-03-03 12:00"),
        red(171).opened("2025-03-07 09:00"),
        red(172).opened("2025-03-06 09:00"),
    ]
}

fn digest(config: LatencyConfig) -> Digest {
    let mut builder = DigestBuilder::new(config, window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    for pr in weeks() {
        builder.add_pr(&pr.events);
    }
    builder.finish()
}

fn eight_hours() -> Duration {
    Duration::from_secs(8 * 3600)
}

fn tried_config() -> LatencyConfig {
    let mut config = office_hours();
    config.tried_targets.insert(Tier::Red, eight_hours());
    config.exclude = Exclusions { authors: vec!["renovate[bot]".into()], ..Exclusions::default() };
    config
}

#[test]
fn each_week_counts_the_prs_that_would_have_breached_the_target() {
    let d = digest(tried_config());
    assert_eq!(d.tried_targets.len(), 1);
    let tried = &d.tried_targets[0];
    assert_eq!((tried.tier, tried.target_hours), (Tier::Red, 8.0));
    let counts: Vec<(&str, usize, usize, usize, usize)> = tried
        .weeks
        .iter()
        .map(|w: &TriedWeek| (w.week.as_str(), w.breached, w.out_of, w.late, w.waiting_over))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("2025-W03", 1, 2, 1, 0),
            ("2025-W04", 1, 1, 0, 1),
            ("2025-W05", 0, 1, 0, 0),
            ("2025-W06", 0, 2, 0, 0),
            ("2025-W07", 1, 1, 1, 0),
            ("2025-W08", 0, 1, 0, 0),
            ("2025-W09", 1, 1, 0, 1),
            ("2025-W10", 2, 2, 1, 1),
        ]
    );
    let weeks: Vec<String> = d.trend.iter().map(|w| w.week.clone()).collect();
    assert_eq!(weeks, tried.weeks.iter().map(|w| w.week.clone()).collect::<Vec<_>>(), "the trend's weeks");
    assert_eq!(tried.weeks[0].starts_on, chrono::NaiveDate::from_ymd_opt(2025, 1, 13).expect("a date"));
}

#[test]
fn a_tried_target_raises_no_finding_where_the_enforced_one_does() {
    let tried = digest(tried_config());
    assert!(tried.targets.is_empty(), "not in the enforced targets' table");
    assert!(!tried.findings.iter().any(|f| matches!(f.kind, FindingKind::TargetMissed { .. })), "{:?}", tried.findings);

    let mut enforced = office_hours();
    enforced.first_review_targets.insert(Tier::Red, eight_hours());
    let enforced = digest(enforced);
    assert!(enforced.tried_targets.is_empty());
    assert!(
        enforced.findings.iter().any(|f| matches!(f.kind, FindingKind::TargetMissed { tier: Tier::Red, .. })),
        "{:?}",
        enforced.findings
    );
}

/// On the wall clock the same weeks read differently: #110 waited 71 hours over the weekend.
#[test]
fn the_clock_is_the_digests() {
    let mut config = tried_config();
    config.clock.mode = crate::latency::ClockMode::Calendar;
    let d = digest(config);
    let w = &d.tried_targets[0].weeks;
    // W1's end: #110 had waited 59 h (Fri 13:00 to Mon 00:00), #111 four days: both over.
    assert_eq!((w[1].waiting_over, w[1].out_of), (2, 2));
    // W2: #110 reviewed after 71 h: late.
    assert_eq!((w[2].late, w[2].first_reviews), (1, 1));
}
