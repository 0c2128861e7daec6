//! The hygiene section in each format, over the week of `latency/tests/hygiene.rs`.

use serde_json::Value;

use crate::latency::tests::hygiene::week;
use crate::report::digest::{Format, html, markdown, render, slack};

/// From the section's heading to the next `## ` heading (or the end).
fn markdown_section(page: &str) -> &str {
    let start = page.find("## The gate's own hygiene").expect("the section");
    let rest = &page[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
    rest[..end].trim_end()
}

#[test]
fn markdown_lists_each_fact_under_its_heading_with_the_pr() {
    let page = markdown::render(&week());
    insta::assert_snapshot!(markdown_section(&page), @r"
    ## The gate's own hygiene

    Facts about the gate itself, PR by PR, for the team to act on; nobody is ranked.

    **Overrides used**

    - acme/shop#2: override label flowgate-override applied by `alice`; reason: hotfix for INC-42

    **Merged while flowgate was pending or failing**

    - acme/shop#1: merged by `bob` with the merge button or the API while flowgate was failing
    - acme/shop#3: merged by `github-merge-queue[bot]` through the merge queue while flowgate was pending (its last commits were never evaluated)
    - 1 merged PR had no flowgate evaluation before the merge: the gate's state then is unknown.

    **Approved, not merged after 16.0 hours**

    - acme/shop#4: approved 86.0 hours ago, not merged

    **Idle: no event for 7 days or more**

    - acme/shop#5: no event for 13 days (since 2025-02-24)

    **Merged without a story under an exemption**

    - acme/shop#6: merged without a story: exempt by author `renovate[bot]` (linkage.exempt)

    **Review requests over a reviewer's capacity**

    - `dan`: 1 review request made while they already had 1 request or more open (their capacity), on acme/shop#7
    ");
}

#[test]
fn slack_lists_each_fact_with_a_link_to_the_pr() {
    let message = slack::render(&week());
    let blocks = message["blocks"].as_array().expect("blocks");
    let section = blocks
        .iter()
        .filter_map(|b| b["text"]["text"].as_str())
        .find(|t| t.starts_with("*The gate's own hygiene*"))
        .expect("the section");
    insta::assert_snapshot!(section, @r"
    *The gate's own hygiene*
    _Overrides used_
    • <https://github.com/acme/shop/pull/2|acme/shop#2>: override label flowgate-override applied by alice; reason: hotfix for INC-42
    _Merged while flowgate was pending or failing_
    • <https://github.com/acme/shop/pull/1|acme/shop#1>: merged by bob with the merge button or the API while flowgate was failing
    • <https://github.com/acme/shop/pull/3|acme/shop#3>: merged by github-merge-queue[bot] through the merge queue while flowgate was pending (its last commits were never evaluated)
    • 1 merged PR had no flowgate evaluation before the merge: the gate's state then is unknown.
    _Approved, not merged after 16.0 hours_
    • <https://github.com/acme/shop/pull/4|acme/shop#4>: approved 86.0 hours ago, not merged
    _Idle: no event for 7 days or more_
    • <https://github.com/acme/shop/pull/5|acme/shop#5>: no event for 13 days (since 2025-02-24)
    _Merged without a story under an exemption_
    • <https://github.com/acme/shop/pull/6|acme/shop#6>: merged without a story: exempt by author renovate[bot] (linkage.exempt)
    _Review requests over a reviewer's capacity_
    • dan: 1 review request made while they already had 1 request or more open (their capacity), on <https://github.com/acme/shop/pull/7|acme/shop#7>
    ");
}

#[test]
fn html_links_each_pr_and_json_carries_the_facts() {
    let page = html::render(&week());
    assert!(page.contains("<section class=\"hygiene\">\n<h2>The gate&#39;s own hygiene</h2>"), "{page}");
    assert!(page.contains(
        "<li><a href=\"https://github.com/acme/shop/pull/1\">acme/shop#1</a>: merged by <code>bob</code> with the merge button or the API while flowgate was failing</li>"
    ));
    let json: Value = serde_json::from_str(&render(Format::Json, &week())).expect("JSON");
    let hygiene = &json["hygiene"];
    assert_eq!(hygiene["bypasses"][0]["merged_by"], "bob");
    assert_eq!(hygiene["bypasses"][1]["via"], "merge_queue");
    assert_eq!(hygiene["overrides"][0]["reason"], "hotfix for INC-42");
    assert_eq!(
        hygiene["exempt_merges"][0]["exemption"],
        serde_json::json!({"rule": "author", "value": "renovate[bot]"})
    );
    assert_eq!(hygiene["over_capacity"][0]["prs"][0], serde_json::json!({"repo": "acme/shop", "pr": 7}));
    assert_eq!(hygiene["merges_unseen"], 1);
}
