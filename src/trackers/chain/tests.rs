//! The walker over hand-built trackers: which items it visits, in what order, and why it stops.

use std::collections::HashMap;

use super::*;
use crate::trackers::{ItemState, StateCategory};

fn levels() -> Levels {
    let names = ["story", "epic", "prd", "okr"].map(String::from).to_vec();
    Levels::new(names, &[("Initiative".into(), "epic".into())]).expect("levels are valid")
}

fn item(key: &str, kind: &str, parent: Option<&str>) -> Item {
    Item {
        key: key.into(),
        title: format!("{key} title"),
        kinds: vec![kind.into()],
        state: ItemState { category: StateCategory::Open, name: "To Do".into() },
        url: Some(format!("https://tracker.example/{key}")),
        parent: parent.map(String::from),
        links: Vec::new(),
    }
}

fn remote(key: &str, kind: &str) -> Related {
    Related { key: key.into(), title: format!("{key} page"), url: None, kinds: vec![kind.into()], lookup: false }
}

/// A tracker holding `items`; any other key is not found. Records what was asked.
fn run(items: Vec<Item>, start: &str) -> (Chain, Vec<String>) {
    let by_key: HashMap<String, Item> = items.into_iter().map(|i| (i.key.clone(), i)).collect();
    let mut asked = Vec::new();
    let chain = walk_with(start, &levels(), |key| {
        asked.push(key.to_string());
        by_key.get(key).cloned().ok_or(TrackerError::NotFound)
    });
    (chain, asked)
}

fn keys_and_levels(chain: &Chain) -> Vec<(&str, Option<usize>)> {
    chain.links.iter().map(|l| (l.key.as_str(), l.level)).collect()
}

#[test]
fn a_full_parent_chain_is_walked_to_the_top() {
    let (chain, asked) = run(
        vec![
            item("ABC-123", "Story", Some("ABC-7")),
            item("ABC-7", "Epic", Some("ABC-2")),
            item("ABC-2", "PRD", Some("ABC-1")),
            item("ABC-1", "OKR", None),
        ],
        "ABC-123",
    );
    assert_eq!(
        keys_and_levels(&chain),
        vec![("ABC-123", Some(0)), ("ABC-7", Some(1)), ("ABC-2", Some(2)), ("ABC-1", Some(3))]
    );
    assert_eq!(chain.end, ChainEnd::Top);
    assert_eq!(asked, vec!["ABC-123", "ABC-7", "ABC-2", "ABC-1"]);
}

#[test]
fn with_no_parent_the_links_above_are_followed_lowest_first() {
    let mut epic = item("ABC-7", "Initiative", None);
    // Listed out of order, and one link below the epic that must be ignored.
    epic.links = vec![remote("OKR-2", "okr"), remote("ABC-1", "story"), remote("PRD-3", "PRD")];
    let (chain, _) = run(vec![item("ABC-123", "Story", Some("ABC-7")), epic], "ABC-123");
    assert_eq!(
        keys_and_levels(&chain),
        vec![("ABC-123", Some(0)), ("ABC-7", Some(1)), ("PRD-3", Some(2)), ("OKR-2", Some(3))]
    );
    assert_eq!(chain.end, ChainEnd::Top);
}

#[test]
fn a_linked_tracker_item_is_looked_up_and_climbed() {
    let mut epic = item("ABC-7", "Epic", None);
    epic.links = vec![Related { lookup: true, ..remote("PM-3", "PRD") }];
    let prd = item("PM-3", "PRD", Some("PM-1"));
    let (chain, asked) =
        run(vec![item("ABC-123", "Story", Some("ABC-7")), epic, prd, item("PM-1", "OKR", None)], "ABC-123");
    assert_eq!(asked, vec!["ABC-123", "ABC-7", "PM-3", "PM-1"]);
    assert_eq!(chain.links.last().map(|l| l.level), Some(Some(3)));
}

#[test]
fn labels_name_levels_when_the_type_does_not() {
    let mut story = item("acme/shop#12", "Task", Some("acme/plans#7"));
    story.kinds.push("level:story".into());
    let mut epic = item("acme/plans#7", "", None);
    epic.kinds = vec!["bug".into(), "Epic".into()];
    let (chain, _) = run(vec![story, epic], "acme/shop#12");
    assert_eq!(keys_and_levels(&chain), vec![("acme/shop#12", Some(0)), ("acme/plans#7", Some(1))]);
}

#[test]
fn an_item_that_is_its_own_ancestor_stops_the_walk() {
    let (chain, asked) = run(
        vec![
            item("ABC-1", "Story", Some("ABC-2")),
            item("ABC-2", "Epic", Some("ABC-3")),
            item("ABC-3", "PRD", Some("ABC-2")),
        ],
        "ABC-1",
    );
    assert_eq!(chain.end, ChainEnd::Cycle { key: "ABC-2".into() });
    assert_eq!(asked.len(), 3, "no item is asked for twice");

    let (selfish, _) = run(vec![item("ABC-9", "Story", Some("ABC-9"))], "ABC-9");
    assert_eq!(selfish.end, ChainEnd::Cycle { key: "ABC-9".into() });
}

#[test]
fn a_deleted_parent_ends_the_chain_naming_its_child() {
    let (chain, _) = run(vec![item("ABC-1", "Story", Some("ABC-404"))], "ABC-1");
    assert_eq!(chain.end, ChainEnd::Missing { key: "ABC-404".into(), child: Some("ABC-1".into()) });
    let (none, _) = run(vec![], "ABC-1");
    assert_eq!(none.end, ChainEnd::Missing { key: "ABC-1".into(), child: None });
    assert!(none.links.is_empty());
}

#[test]
fn a_tracker_error_mid_chain_keeps_what_was_found() {
    let levels = levels();
    let chain = walk_with("ABC-1", &levels, |key| match key {
        "ABC-1" => Ok(item("ABC-1", "Story", Some("ABC-2"))),
        _ => Err(TrackerError::Timeout { after_ms: 5000 }),
    });
    assert_eq!(chain.links.len(), 1);
    assert_eq!(chain.end, ChainEnd::Error { key: "ABC-2".into(), error: TrackerError::Timeout { after_ms: 5000 } });
}

#[test]
fn an_endless_hierarchy_is_cut_at_the_depth_bound() {
    let levels = levels();
    let mut asked = 0;
    let chain = walk_with("X-0", &levels, |key| {
        asked += 1;
        let n: usize = key.trim_start_matches("X-").parse().unwrap_or(0);
        Ok(item(key, "Story", Some(&format!("X-{}", n + 1))))
    });
    assert_eq!(chain.end, ChainEnd::TooDeep);
    assert_eq!(chain.links.len(), MAX_LINKS);
    assert_eq!(asked, MAX_LINKS);
}

#[test]
fn an_alias_must_name_a_level() {
    let names = ["story", "epic"].map(String::from).to_vec();
    let err = Levels::new(names, &[("Objective".into(), "okr".into())]).expect_err("okr is not a level");
    assert!(err.contains("\"okr\", which is not one of the levels (story, epic)"), "{err}");
}

#[test]
fn an_explicit_level_label_outranks_a_mapped_type_which_outranks_a_level_name() {
    let names = ["story", "epic", "prd", "okr"].map(String::from).to_vec();
    let levels = Levels::new(names, &[("Epic".into(), "prd".into())]).expect("levels");
    let kinds = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(levels.level_of(&kinds(&["Epic"])), Some(2), "the policy maps Epic to prd");
    assert_eq!(levels.level_of(&kinds(&["Epic", "level:okr"])), Some(3));
    assert_eq!(levels.level_of(&kinds(&["Story", "epic"])), Some(0), "the type comes before the labels");
    assert_eq!(levels.level_of(&kinds(&["Task", "level:nothing"])), None);
}

#[test]
fn plain_levels_are_the_names_without_aliases_and_match_without_regard_to_case() {
    let names = ["Story", "Epic", "PRD", "OKR"].map(String::from).to_vec();
    let plain = Levels::plain(names.clone());
    assert_eq!(plain, Levels::new(names, &[]).expect("no alias to check"));
    assert_eq!(plain.names(), ["story", "epic", "prd", "okr"]);
    assert_eq!(plain.level_of(&["Initiative".to_string(), "prd".to_string()]), Some(2));
}
