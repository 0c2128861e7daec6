//! Where the two versions of a changed file are read from: a snapshot, local git or GitHub each
//! implement `ContentSource`, and analysis reads through it without knowing which.

/// Which version of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Base,
    Head,
}

/// Where the two versions of a changed file can be read.
pub trait ContentSource {
    /// The file at `path` on `side`, or `None` when this source does not have it.
    fn read(&mut self, side: Side, path: &str) -> Option<Vec<u8>>;
}
