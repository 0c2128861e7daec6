//! Line-level AI provenance as GitHub serves it: the notes refs (`git/matching-refs/notes`), their trees
//! (a note at `<commit id>` or fanned out `<2 hex>/<38 hex>`) and blobs (base64, as GitHub sends
//! them), and one commit's own files (`commits/{sha}`). A ref can be made to fail with a status.

use std::collections::HashMap;

use base64::Engine;
use serde_json::{Value, json};

use super::{Answer, Call, State, answer, conditional, message};

/// One notes ref as the test writes it: each note's commit, bytes, and whether it is fanned out.
#[derive(Default, Clone)]
pub struct NotesRef {
    pub notes: Vec<(String, Vec<u8>, bool)>,
    /// Answer the notes refs' listing with this status (500: GitHub failing) instead.
    pub fails_with: Option<u16>,
}

/// What the fake serves for the notes: built from `State::notes` on every request.
#[derive(Default)]
struct Objects {
    refs: HashMap<String, String>,
    trees: HashMap<String, Vec<Value>>,
    blobs: HashMap<String, Vec<u8>>,
}

impl State {
    /// Adds `text` as the note on `commit` in `refs/{name}` (`notes/ai`), at `<sha>` or fanned out.
    pub fn put_note(&mut self, name: &str, commit: &str, text: impl Into<Vec<u8>>, fanned_out: bool) {
        self.notes.entry(name.to_string()).or_default().notes.push((commit.to_string(), text.into(), fanned_out));
    }
}

/// A made-up object id, 40 hex digits, for `what`.
fn id(what: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in what.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}{:024x}", what.len())
}

fn objects(state: &State) -> Objects {
    let mut out = Objects::default();
    for (name, notes) in &state.notes {
        let commit = id(&format!("commit {name}"));
        out.refs.insert(name.clone(), commit.clone());
        let mut root = Vec::new();
        let mut fans: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
        for (sha, bytes, fanned) in &notes.notes {
            let blob = id(&format!("blob {name} {sha}"));
            out.blobs.insert(blob.clone(), bytes.clone());
            let entry = |path: &str| json!({ "path": path, "mode": "100644", "type": "blob", "sha": blob, "size": bytes.len() });
            match fanned {
                true => fans.entry(sha[..2].to_string()).or_default().push(entry(&sha[2..])),
                false => root.push(entry(sha)),
            }
        }
        for (fan, entries) in fans {
            let tree = id(&format!("tree {name} {fan}"));
            root.push(json!({ "path": fan, "mode": "040000", "type": "tree", "sha": tree }));
            out.trees.insert(tree, entries);
        }
        // GitHub answers a commit's id with the commit's tree.
        out.trees.insert(commit, root);
    }
    out
}

/// `git/matching-refs/notes`, `git/trees/{sha}`, `git/blobs/{sha}` and `commits/{sha}`; `None` for
/// any other request, which the caller routes on.
pub(super) fn route(state: &mut State, call: &Call) -> Option<Answer> {
    let request = call.request;
    let found = match (call.method, call.parts) {
        ("GET", ["git", "matching-refs", "notes", ..]) => {
            if let Some(status) = state.notes.values().find_map(|n| n.fails_with) {
                return Some(message(status, "Server Error"));
            }
            let refs: Vec<Value> = objects(state)
                .refs
                .iter()
                .map(|(name, sha)| {
                    json!({ "ref": format!("refs/{name}"), "node_id": "REF_x", "object": { "type": "commit", "sha": sha } })
                })
                .collect();
            Some(Value::Array(refs))
        }
        ("GET", ["git", "trees", sha]) => {
            objects(state).trees.get(*sha).map(|entries| json!({ "sha": sha, "tree": entries, "truncated": false }))
        }
        ("GET", ["git", "blobs", sha]) => objects(state).blobs.get(*sha).map(|bytes| {
            let content = base64::engine::general_purpose::STANDARD.encode(bytes);
            json!({ "sha": sha, "size": bytes.len(), "encoding": "base64", "content": content })
        }),
        ("GET", ["commits", sha]) => match state.commit_files.get(*sha) {
            Some(files) => Some(json!({ "sha": sha, "files": files })),
            None => return None,
        },
        _ => return None,
    };
    Some(match found {
        Some(body) => conditional(request, answer(200, body)),
        None => message(404, "Not Found"),
    })
}
