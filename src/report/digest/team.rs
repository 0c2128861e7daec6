//! A team's own digest as a Slack Block Kit message for its channel: the team's figures in each
//! repository, on that repository's clock. Team figures only: no person is named or ranked.

use serde_json::{Value, json};

use super::common::window_days;
use super::slack::{MAX_BLOCKS, MAX_HEADER, MAX_TEXT, clip, escape};
use crate::latency::TeamDigest;
use crate::latency::digest::Digest;
use crate::wording::digest as w;
use crate::wording::digest::repos as wr;

/// The message for `team`, whose window is `digest`'s, ready to POST.
pub fn render(team: &TeamDigest, digest: &Digest) -> Value {
    let (first, last) = window_days(digest);
    let title = wr::team_title(&team.team, &first, &last);
    let mut blocks = vec![json!({
        "type": "header",
        "text": { "type": "plain_text", "text": clip(&title, MAX_HEADER), "emoji": false }
    })];
    if team.rows.is_empty() {
        blocks.push(section(&escape(&wr::team_quiet(&team.team))));
    }
    for row in &team.rows {
        let mut text = format!("*{}* ({})", escape(&row.repo), escape(&wr::clock(row.clock, &row.timezone)));
        if let Some(g) = &row.authored {
            text.push_str(&format!("\n{}", escape(&wr::team_authored(g, row.clock))));
        }
        if let Some(load) = &row.asked {
            text.push_str(&format!("\n{}", escape(&wr::team_asked(load, row.clock))));
        }
        blocks.push(section(&text));
    }
    // Room for the footer: a team in more repositories than fit is cut, never the footer.
    blocks.truncate(MAX_BLOCKS - 1);
    blocks.push(json!({
        "type": "context",
        "elements": [{
            "type": "mrkdwn",
            "text": clip(&escape(&format!("{} · {}", wr::team_footer(team.rows.len()), w::PRODUCT)), MAX_TEXT)
        }]
    }));
    json!({ "text": clip(&title, MAX_TEXT), "blocks": blocks })
}

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": clip(text, MAX_TEXT) } })
}
