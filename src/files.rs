//! Reading files named by a path (snapshots, event payloads, policies): capped in size before
//! they are read, refused when they are not regular files, and, where they live under a
//! directory, never followed out of it through a symbolic link. Errors name the problem, never
//! what the file holds.

use std::io::Read;
use std::path::{Component, Path};

/// Bytes one snapshot JSON file may hold: `files.json` of a 3,000-file PR is a few megabytes.
pub const MAX_SNAPSHOT_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Bytes one saved file under a snapshot's `contents/` may hold; analysis reads far less.
pub const MAX_CONTENT_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Bytes a GitHub Actions event payload may hold; GitHub caps webhook payloads at 25 MB.
pub const MAX_EVENT_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Why a file was not read; the message never quotes the file.
#[derive(Debug)]
pub enum ReadError {
    /// The system's words for it.
    NotFound(String),
    Other(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound(why) | ReadError::Other(why) => f.write_str(why),
        }
    }
}

fn io(e: std::io::Error) -> ReadError {
    if e.kind() == std::io::ErrorKind::NotFound {
        ReadError::NotFound(e.to_string())
    } else {
        ReadError::Other(e.to_string())
    }
}

/// The bytes of the regular file at `path`, refused when over `max` bytes. The size is checked
/// before reading and the read stops at the cap, so a device such as `/dev/zero` or a file that
/// grows while it is read cannot use up memory.
pub fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::Other("not a regular file".into()));
    }
    if meta.len() > max {
        return Err(ReadError::Other(format!("{} bytes, over the limit of {max} bytes", meta.len())));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::Other(format!("over the limit of {max} bytes")));
    }
    Ok(bytes)
}

/// `read_capped`, as UTF-8 text.
pub fn read_text_capped(path: &Path, max: u64) -> Result<String, ReadError> {
    String::from_utf8(read_capped(path, max)?).map_err(|_| ReadError::Other("not UTF-8 text".into()))
}

/// Whether `relative` under `dir` goes out of `dir`: by a component that is not a plain name
/// (`..`, `/`), or through a symbolic link, checked component by component so that neither the
/// file nor a directory on the way can lead out.
pub fn leaves_dir(dir: &Path, relative: &Path) -> bool {
    !relative.components().all(|c| matches!(c, Component::Normal(_))) || through_link(dir, relative)
}

/// Whether following `relative` from `dir` (`..` included) passes through a symbolic link.
pub fn through_link(dir: &Path, relative: &Path) -> bool {
    let mut at = dir.to_path_buf();
    for c in relative.components() {
        match c {
            Component::Normal(name) => {
                at.push(name);
                if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                    return true;
                }
            }
            Component::ParentDir => {
                at.pop();
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => at = Path::new(c.as_os_str()).to_path_buf(),
        }
    }
    false
}

/// `read_capped` of `relative` under `dir`, refused when the path would leave `dir`.
pub fn read_within(dir: &Path, relative: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    if leaves_dir(dir, relative) {
        return Err(ReadError::Other("a symbolic link or a path that leads out of its directory".into()));
    }
    read_capped(&dir.join(relative), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_refused_without_reading_it() {
        let e = read_capped(Path::new("/dev/zero"), 1024).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file");
    }

    #[test]
    fn a_file_over_the_cap_is_refused_by_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b'x'; 2048]).unwrap();
        assert!(read_capped(&path, 1024).unwrap_err().to_string().contains("over the limit of 1024 bytes"));
        assert_eq!(read_capped(&path, 2048).unwrap().len(), 2048);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_directory_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "token").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("head")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("head/a.rs")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("up")).unwrap();
        for relative in ["head/a.rs", "up/secret", "../secret"] {
            let e = read_within(dir.path(), Path::new(relative), 1024).unwrap_err().to_string();
            assert!(e.contains("symbolic link") && !e.contains("token"), "{relative}: {e}");
        }
    }
}
