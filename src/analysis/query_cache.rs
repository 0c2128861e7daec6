//! Policies' own tree-sitter queries, compiled once per process per language and text.
//!
//! A policy's `queries:` are compiled as it loads, so that a bad query is reported at its line.
//! Loading reads each file of an `extends:` chain on its own and then the merged whole, and the
//! App loads the base branch's policy again for every event; without this cache the same text
//! would be compiled against its grammar each time (milliseconds per query for the larger
//! grammars).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tree_sitter::{Query, QueryError};

use super::lang::Lang;

/// Distinct queries kept at most. A process serving many repositories sees many policies; past
/// this many, the cache starts afresh rather than grow without bound.
const MAX_ENTRIES: usize = 256;

/// Query text longer than this is compiled but never kept, so the cache's memory stays small
/// whatever a policy holds.
const MAX_CACHED_TEXT: usize = 64 * 1024;

type Cache = HashMap<(Lang, String), Arc<Query>>;

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);
static COMPILED: AtomicUsize = AtomicUsize::new(0);

/// `text` compiled against `lang`'s grammar, or the error that says where it does not fit. A
/// text compiled before in this process is not compiled again; errors are not kept.
pub fn compile(lang: Lang, text: &str) -> Result<Arc<Query>, QueryError> {
    let key = (lang, text.to_string());
    if let Some(query) = lock().as_ref().and_then(|c| c.get(&key)) {
        return Ok(query.clone());
    }
    // Compiled outside the lock: another thread's policy need not wait for this one.
    let query = Arc::new(Query::new(&lang.grammar(), text)?);
    COMPILED.fetch_add(1, Ordering::Relaxed);
    if text.len() <= MAX_CACHED_TEXT {
        let mut guard = lock();
        let cache = guard.get_or_insert_with(HashMap::new);
        if cache.len() >= MAX_ENTRIES {
            cache.clear();
        }
        cache.insert(key, query.clone());
    }
    Ok(query)
}

/// How many queries [`compile`] has compiled (rather than found) in this process.
pub fn compiled_count() -> usize {
    COMPILED.load(Ordering::Relaxed)
}

fn lock() -> std::sync::MutexGuard<'static, Option<Cache>> {
    // The cache holds finished queries only; a panic elsewhere cannot leave one half-written.
    CACHE.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_compiled_once_and_errors_are_not_kept() {
        // A text no other test uses, so counts from tests running beside this one do not mix in.
        let text = "(function_declaration name: (identifier) @query_cache_once)";
        let first = compile(Lang::Go, text).expect("fits the Go grammar");
        let second = compile(Lang::Go, text).expect("fits the Go grammar");
        assert!(Arc::ptr_eq(&first, &second), "the second load reuses the first compile");
        let bad = "(no_such_node_kind_in_go) @query_cache_bad";
        assert!(compile(Lang::Go, bad).is_err());
        assert!(compile(Lang::Go, bad).is_err(), "a bad query stays an error on every load");
    }
}
