//! The `pattern` each checked name publishes in the JSON Schema and the check the reader runs
//! agree: editors that validate against the schema accept and refuse what flowgate does. And each
//! checked value's refusal reads as the user has always seen it.

use regex::Regex;
use schemars::{JsonSchema, schema_for};
use serde::de::DeserializeOwned;

use super::schema::{
    Capacity, DetectorName, FairnessWeeks, GlobPattern, LevelName, Percent, PoolName, Principal, ProjectKey,
    RegexPattern, TeamName, UserLogin, Weight,
};

/// The published pattern of `T`, compiled as an editor would.
fn published<T: JsonSchema>() -> Regex {
    let schema = schema_for!(T);
    let pattern = schema.get("pattern").and_then(|p| p.as_str()).expect("the schema publishes a pattern");
    Regex::new(pattern).expect("the published pattern compiles")
}

fn reads<T: DeserializeOwned>(text: &str) -> bool {
    serde_json::from_value::<T>(serde_json::Value::String(text.to_string())).is_ok()
}

/// `valid` pass both the reader and the pattern, `invalid` fail both; `stricter` pass the pattern
/// but not the reader (limits a pattern leaves to the check, named in the check's comments).
fn agree<T: JsonSchema + DeserializeOwned>(valid: &[&str], invalid: &[&str], stricter: &[&str]) {
    let pattern = published::<T>();
    let name = T::schema_name();
    for text in valid {
        assert!(reads::<T>(text), "{name}: the reader refuses {text:?}");
        assert!(pattern.is_match(text), "{name}: the pattern refuses {text:?}");
    }
    for text in invalid {
        assert!(!reads::<T>(text), "{name}: the reader accepts {text:?}");
        assert!(!pattern.is_match(text), "{name}: the pattern accepts {text:?}");
    }
    for text in stricter {
        assert!(!reads::<T>(text), "{name}: the reader accepts {text:?}");
        assert!(pattern.is_match(text), "{name}: the pattern refuses {text:?}");
    }
}

#[test]
fn project_keys_agree_with_their_pattern() {
    agree::<ProjectKey>(
        &["AB", "ABC", "A1", "A_B", "ABCDEFGHIJ", "Z9_"],
        &["", "A", "ABCDEFGHIJK", "abc", "1AB", "_AB", "AB-1", "ÄB", "AB\n", " AB", "AbC"],
        &[],
    );
}

#[test]
fn pool_names_agree_with_their_pattern() {
    agree::<PoolName>(&["seniors", "a", "Team_2", "on-call", "-", "_"], &["", "a b", "a.b", "é", "a\n", "@x/y"], &[]);
}

#[test]
fn level_names_agree_with_their_pattern() {
    agree::<LevelName>(
        &["story", "okr", "none", "level-2", "a_b", "9"],
        &["", "Story", "a b", "é", "epic\n", "a.b"],
        &[],
    );
}

#[test]
fn team_names_agree_with_their_pattern() {
    let long_slug = format!("@org/{}", "s".repeat(101));
    let long_org = format!("@{}/team", "o".repeat(40));
    agree::<TeamName>(
        &["@org/team", "@my-org/team.slug_2", "@o/t", "@org/..x", "@org/-"],
        &[
            "",
            "org/team",
            "@org",
            "@org/",
            "@/team",
            "@org/te am",
            "@org/a/b",
            "@org_x/team",
            "@app[bot]/team",
            "@org/team\n",
        ],
        &["@org/.", "@org/..", &long_slug, &long_org],
    );
}

#[test]
fn logins_agree_with_their_pattern() {
    let long = "a".repeat(40);
    let long_bot = format!("{}[bot]", "a".repeat(40));
    agree::<UserLogin>(
        &["alice", "a-b", "dependabot[bot]", "A1", &"a".repeat(39)],
        &["", "@org/team", "a_b", "a.b", "[bot]", "a[bot]x", "alice\n", "a b"],
        &[&long, &long_bot],
    );
}

#[test]
fn principals_agree_with_their_pattern() {
    let long = "a".repeat(40);
    agree::<Principal>(
        &["alice", "dependabot[bot]", "@org/team", "@org/a.b_c-d"],
        &["", "a_b", "@org", "@org/", "org/team", "@app[bot]/team", "@org/t\n"],
        &["@org/.", "@org/..", &long],
    );
}

fn refusal<T: DeserializeOwned + std::fmt::Debug>(value: serde_json::Value) -> String {
    serde_json::from_value::<T>(value).expect_err("refused").to_string()
}

#[test]
fn checked_values_refuse_with_their_messages() {
    use serde_json::json;
    assert_eq!(
        refusal::<ProjectKey>(json!("abc")),
        r#""abc" is not a project key: an uppercase letter then 1 to 9 uppercase letters, digits or '_' (e.g. ABC)"#
    );
    assert_eq!(
        refusal::<PoolName>(json!("a b")),
        r#""a b" is not a pool name: use letters, digits, '-' and '_' (e.g. seniors)"#
    );
    assert_eq!(
        refusal::<LevelName>(json!("Epic")),
        r#""Epic" is not a level name: use lowercase letters, digits, '-' and '_' (e.g. story, epic, prd, okr)"#
    );
    assert_eq!(
        refusal::<TeamName>(json!("@org/..")),
        r#""@org/.." is not a team: write teams as "@org/team-slug", a slug of letters, digits, `-`, `_` and `.` (not `.` or `..` alone)"#
    );
    assert_eq!(refusal::<Principal>(json!("a_b")), r#""a_b" is neither a GitHub login nor a team ("@org/team-slug")"#);
    assert_eq!(refusal::<UserLogin>(json!("@org/t")), r#""@org/t" is a team; name people here, by their login"#);
    assert_eq!(refusal::<UserLogin>(json!("a.b")), r#""a.b" is not a GitHub login"#);
    assert_eq!(
        refusal::<DetectorName>(json!("exec")),
        r#"unknown detector "exec"; the detectors are: unsafe, shell-exec, eval, sql-string, crypto, deserialize-untrusted"#
    );
    assert_eq!(refusal::<GlobPattern>(json!("")), "an empty glob matches nothing");
    assert!(refusal::<RegexPattern>(json!("(")).starts_with(r#"invalid regex "(": "#));
    assert_eq!(
        refusal::<Capacity>(json!(0)),
        "capacity 0 would leave the pool permanently saturated: give at least 1, or remove the pool"
    );
    assert_eq!(
        refusal::<FairnessWeeks>(json!(53)),
        "fairness_weeks 53 is out of range: give 1 to 52 weeks of review history to even the load over"
    );
    assert_eq!(refusal::<Percent>(json!(101)), "percent 101 is out of range: give 0 to 100");
    assert_eq!(refusal::<Weight>(json!(-1.5)), "weight -1.5 must be a number of 0 or more");
}

#[test]
fn checked_values_write_back_what_was_read() {
    use serde_json::json;
    let same = |value: serde_json::Value, written: serde_json::Value| assert_eq!(written, value);
    same(json!("ABC"), json!(serde_json::from_value::<ProjectKey>(json!("ABC")).unwrap()));
    same(json!("src/**"), json!(serde_json::from_value::<GlobPattern>(json!("src/**")).unwrap()));
    same(json!("^release/"), json!(serde_json::from_value::<RegexPattern>(json!("^release/")).unwrap()));
    same(json!("shell-exec"), json!(serde_json::from_value::<DetectorName>(json!("shell-exec")).unwrap()));
    same(json!("@org/t"), json!(serde_json::from_value::<Principal>(json!("@org/t")).unwrap()));
    same(json!(3), json!(serde_json::from_value::<Capacity>(json!(3)).unwrap()));
    same(json!(52), json!(serde_json::from_value::<FairnessWeeks>(json!(52)).unwrap()));
    same(json!(0), json!(serde_json::from_value::<Percent>(json!(0)).unwrap()));
    same(json!(0.5), json!(serde_json::from_value::<Weight>(json!(0.5)).unwrap()));
}
