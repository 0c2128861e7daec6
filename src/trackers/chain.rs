//! The chain walker: from a story up through its parents and links to the top (Story -> Epic ->
//! PRD -> OKR), stopping at a cycle, a missing item, a tracker error or a depth bound.
//!
//! The walk is a state machine fed one lookup result at a time, so its rules are tested without
//! any HTTP; [`walk`] drives it with a real tracker.

use super::{Item, Related, Tracker, TrackerError};

/// No real hierarchy is this deep; a longer walk is a misconfiguration or a loop the key check missed.
pub(crate) const MAX_LINKS: usize = 12;

pub use crate::model::chain::{Chain, ChainEnd, ChainLink, Levels};

/// The walk in progress: ask [`Walk::wanted`] which key to look up, give the result to
/// [`Walk::feed`], until `wanted` is `None`.
#[derive(Debug)]
pub(crate) struct Walk<'l> {
    levels: &'l Levels,
    start: String,
    links: Vec<ChainLink>,
    /// Links seen on items so far that were not followed yet, higher levels for later.
    pending: Vec<Related>,
    wanted: Option<String>,
    end: Option<ChainEnd>,
}

impl<'l> Walk<'l> {
    pub fn new(start: &str, levels: &'l Levels) -> Walk<'l> {
        Walk {
            levels,
            start: start.to_string(),
            links: Vec::new(),
            pending: Vec::new(),
            wanted: Some(start.to_string()),
            end: None,
        }
    }

    pub fn wanted(&self) -> Option<&str> {
        self.wanted.as_deref()
    }

    /// The answer for the wanted key.
    pub fn feed(&mut self, answer: Result<Item, TrackerError>) {
        let Some(key) = self.wanted.take() else { return };
        let item = match answer {
            Ok(item) => item,
            Err(TrackerError::NotFound) => {
                let child = self.links.last().map(|l| l.key.clone());
                return self.stop(ChainEnd::Missing { key, child });
            }
            Err(error) => return self.stop(ChainEnd::Error { key, error }),
        };
        self.links.push(ChainLink {
            key: item.key.clone(),
            title: item.title,
            url: item.url,
            kind: item.kinds.first().cloned(),
            level: self.levels.level_of(&item.kinds),
            state: Some(item.state),
        });
        self.pending.extend(item.links);
        match item.parent {
            Some(parent) => self.want(parent),
            None => self.follow_links(),
        }
    }

    pub fn finish(self) -> Chain {
        let end = self.end.unwrap_or(ChainEnd::TooDeep);
        Chain { start: self.start, links: self.links, end }
    }

    fn stop(&mut self, end: ChainEnd) {
        self.wanted = None;
        self.end = Some(end);
    }

    fn want(&mut self, key: String) {
        if self.links.iter().any(|l| l.key == key) {
            return self.stop(ChainEnd::Cycle { key });
        }
        if self.links.len() >= MAX_LINKS {
            return self.stop(ChainEnd::TooDeep);
        }
        self.wanted = Some(key);
    }

    /// With no parent to climb to, take the lowest link that sits above everything found so far:
    /// a remote link joins the chain as it is; a tracker item is looked up and climbed in turn.
    fn follow_links(&mut self) {
        loop {
            let top = self.links.iter().filter_map(|l| l.level).max();
            let next = self
                .pending
                .iter()
                .enumerate()
                .filter_map(|(i, r)| self.levels.level_of(&r.kinds).map(|level| (level, i)))
                .filter(|(level, _)| top.is_none_or(|t| *level > t))
                .min();
            let Some((level, index)) = next else { return self.stop(ChainEnd::Top) };
            let related = self.pending.remove(index);
            if related.lookup {
                return self.want(related.key);
            }
            if self.links.iter().any(|l| l.key == related.key) {
                return self.stop(ChainEnd::Cycle { key: related.key });
            }
            self.links.push(ChainLink {
                key: related.key,
                title: related.title,
                url: related.url,
                kind: related.kinds.first().cloned(),
                level: Some(level),
                state: None,
            });
        }
    }
}

/// Walks from `start` with a synchronous lookup: the tests' walker.
#[cfg(test)]
pub(crate) fn walk_with(
    start: &str,
    levels: &Levels,
    mut lookup: impl FnMut(&str) -> Result<Item, TrackerError>,
) -> Chain {
    let mut walk = Walk::new(start, levels);
    while let Some(key) = walk.wanted().map(str::to_string) {
        walk.feed(lookup(&key));
    }
    walk.finish()
}

/// Walks from `start`, looking each item up in `tracker`.
pub async fn walk(tracker: &dyn Tracker, start: &str, levels: &Levels) -> Chain {
    let mut walk = Walk::new(start, levels);
    while let Some(key) = walk.wanted().map(str::to_string) {
        let answer = tracker.lookup(&key).await;
        walk.feed(answer);
    }
    walk.finish()
}

#[cfg(test)]
mod tests;
