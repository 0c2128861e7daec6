//! A file's patch reduced to what it changes, as `git patch-id` does: hunk headers (line
//! numbers) are dropped, so the same change moved onto a newer base compares equal, while a
//! changed line, a changed context line or another hunk does not. Unlike `git patch-id`,
//! indentation counts: in Python or YAML it moves a line into or out of a block.

/// One file's patch, normalised. Equal ids mean the same change to the same surroundings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchId(Vec<String>);

impl PatchId {
    pub fn of(patch: &str) -> PatchId {
        let lines = patch
            .lines()
            .filter(|l| !l.starts_with("@@") && !l.starts_with("\\ No newline"))
            .map(|l| l.trim_end().to_string())
            .collect();
        PatchId(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::PatchId;

    #[test]
    fn the_same_hunk_at_another_line_number_is_the_same_change() {
        let before = "@@ -10,3 +10,4 @@ fn main() {\n let a = 1;\n+let b = 2;\n let c = 3;\n";
        let after = "@@ -42,3 +42,4 @@ fn main() {\n let a = 1;\n+let b = 2;\n let c = 3;\n";
        assert_eq!(PatchId::of(before), PatchId::of(after));
    }

    #[test]
    fn reindenting_a_line_is_another_change_but_trailing_spaces_are_not() {
        let reviewed = PatchId::of("@@ -1,2 +1,3 @@\n if admin:\n+    grant()\n log()\n");
        assert_ne!(reviewed, PatchId::of("@@ -1,2 +1,3 @@\n if admin:\n+grant()\n log()\n"));
        assert_eq!(reviewed, PatchId::of("@@ -1,2 +1,3 @@\n if admin:  \n+    grant()\r\n log()\n"));
    }

    #[test]
    fn a_different_added_line_or_context_line_is_another_change() {
        let reviewed = PatchId::of("@@ -1,2 +1,3 @@\n a\n+check(token)\n b\n");
        assert_ne!(reviewed, PatchId::of("@@ -1,2 +1,3 @@\n a\n+skip(token)\n b\n"));
        assert_ne!(reviewed, PatchId::of("@@ -1,2 +1,3 @@\n z\n+check(token)\n b\n"));
        assert_ne!(reviewed, PatchId::of("@@ -1,2 +1,3 @@\n a\n-check(token)\n b\n"));
    }
}
