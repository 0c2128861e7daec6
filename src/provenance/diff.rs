//! Reading a unified diff (one file's `patch`, as GitHub's API and `git diff` print it) into its
//! hunks: which old lines each hunk removes and which new lines, with their text, it adds.

/// The largest line number read from a hunk header: a patch naming a line past it is refused
/// rather than grown into a table that large.
pub const MAX_LINE: u32 = 2_000_000;

/// One hunk, split into change blocks: a block is the removed lines and the added lines between
/// two context lines, so that the n-th added line of a block is read as the rewrite of its n-th
/// removed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    pub old_start: u32,
    pub old_len: u32,
    pub new_start: u32,
    pub new_len: u32,
    pub blocks: Vec<Block>,
}

/// Removed and added lines between context lines, numbered on their own side (1-based).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Block {
    pub removed: Vec<u32>,
    pub added: Vec<(u32, String)>,
}

/// The hunks of one file's patch, or what is wrong with it.
pub fn hunks(patch: &str) -> Result<Vec<Hunk>, String> {
    let mut out: Vec<Hunk> = Vec::new();
    let mut old_at = 0u32;
    let mut new_at = 0u32;
    let mut open = false;
    for line in patch.lines() {
        if let Some(header) = line.strip_prefix("@@ ") {
            let hunk = header_of(header).ok_or_else(|| format!("the hunk header {line:?} is not `@@ -a,b +c,d @@`"))?;
            old_at = hunk.old_start.max(1);
            new_at = hunk.new_start.max(1);
            out.push(hunk);
            open = false;
            continue;
        }
        let Some(hunk) = out.last_mut() else {
            // Lines before the first hunk: a `diff --git` header GitHub leaves out; skipped.
            continue;
        };
        match line.as_bytes().first() {
            Some(b'+') => {
                if !open {
                    hunk.blocks.push(Block::default());
                    open = true;
                }
                let block = hunk.blocks.last_mut().expect("a block was just opened");
                block.added.push((new_at, line[1..].to_string()));
                new_at = new_at.saturating_add(1);
            }
            Some(b'-') => {
                if !open || hunk.blocks.last().is_some_and(|b| !b.added.is_empty()) {
                    hunk.blocks.push(Block::default());
                    open = true;
                }
                let block = hunk.blocks.last_mut().expect("a block was just opened");
                block.removed.push(old_at);
                old_at = old_at.saturating_add(1);
            }
            // `\ No newline at end of file` belongs to the line before it.
            Some(b'\\') => {}
            _ => {
                open = false;
                old_at = old_at.saturating_add(1);
                new_at = new_at.saturating_add(1);
            }
        }
        if old_at > MAX_LINE || new_at > MAX_LINE {
            return Err(format!("the patch reaches past line {MAX_LINE}"));
        }
    }
    for hunk in &out {
        let removed: usize = hunk.blocks.iter().map(|b| b.removed.len()).sum();
        let added: usize = hunk.blocks.iter().map(|b| b.added.len()).sum();
        if removed > hunk.old_len as usize || added > hunk.new_len as usize {
            return Err(format!(
                "the hunk at -{},{} +{},{} holds more lines than its header counts",
                hunk.old_start, hunk.old_len, hunk.new_start, hunk.new_len
            ));
        }
    }
    Ok(out)
}

/// `-a[,b] +c[,d] @@ ...`
fn header_of(header: &str) -> Option<Hunk> {
    let mut parts = header.split(' ');
    let (old_start, old_len) = range_of(parts.next()?.strip_prefix('-')?)?;
    let (new_start, new_len) = range_of(parts.next()?.strip_prefix('+')?)?;
    if old_start > MAX_LINE || new_start > MAX_LINE || old_len > MAX_LINE || new_len > MAX_LINE {
        return None;
    }
    Some(Hunk { old_start, old_len, new_start, new_len, blocks: Vec::new() })
}

fn range_of(text: &str) -> Option<(u32, u32)> {
    match text.split_once(',') {
        Some((start, len)) => Some((start.parse().ok()?, len.parse().ok()?)),
        None => Some((text.parse().ok()?, 1)),
    }
}

/// The lines a patch adds, numbered in the new version, with their text.
pub fn added_lines(patch: &str) -> Result<Vec<(u32, String)>, String> {
    Ok(hunks(patch)?.into_iter().flat_map(|h| h.blocks).flat_map(|b| b.added).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hunk_is_split_into_blocks_that_pair_removed_and_added_lines() {
        let patch = "@@ -1,4 +1,5 @@\n keep\n-old one\n-old two\n+new one\n+new two\n+new three\n keep\n-gone\n";
        let got = hunks(patch).expect("a patch");
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].blocks,
            vec![
                Block {
                    removed: vec![2, 3],
                    added: vec![(2, "new one".into()), (3, "new two".into()), (4, "new three".into())]
                },
                Block { removed: vec![5], added: vec![] },
            ]
        );
    }

    #[test]
    fn a_new_file_and_a_single_line_header_are_read() {
        let got = added_lines("@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file").expect("a patch");
        assert_eq!(got, vec![(1, "a".into()), (2, "b".into())]);
        assert_eq!(added_lines("@@ -3 +3 @@\n-x\n+y").expect("a patch"), vec![(3, "y".into())]);
    }

    #[test]
    fn a_broken_header_or_an_overfull_hunk_is_refused_with_a_reason() {
        assert!(hunks("@@ -a +b @@\n+x").unwrap_err().contains("is not"));
        assert!(hunks("@@ -1,1 +1,1 @@\n+x\n+y").unwrap_err().contains("more lines than its header"));
        assert!(hunks("@@ -1 +3000000 @@\n+x").is_err(), "a line number past the cap");
    }
}
