//! Reading a file whole, safely: only a regular file is opened (a FIFO would block until a
//! writer comes, a device such as `/dev/zero` never ends), symbolic links are followed to it,
//! and no more than a limit is read, so no input can hang a command or exhaust its memory.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("it is a directory")]
    Directory,
    #[error("it is not a regular file but a {0}")]
    NotRegular(&'static str),
    #[error("it is {size} bytes, more than the {limit} bytes such a file may have")]
    TooLarge { size: u64, limit: u64 },
}

impl ReadError {
    /// Whether the file is not there at all.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(error) if error.kind() == io::ErrorKind::NotFound)
    }
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    check(path, limit)?;
    let mut bytes = Vec::new();
    File::open(path)?.take(limit + 1).read_to_end(&mut bytes)?;
    // It grew between the check and the read.
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// `read`, as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read(path, limit)?;
    String::from_utf8(bytes).map_err(|error| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (invalid byte at offset {})",
                error.utf8_error().valid_up_to()
            ),
        ))
    })
}

/// That `path` is a regular file of at most `limit` bytes, before anything opens it.
pub fn check(path: &Path, limit: u64) -> Result<(), ReadError> {
    let meta = fs::metadata(path)?;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(ReadError::Directory);
    }
    if !kind.is_file() {
        return Err(ReadError::NotRegular(special_kind(&kind)));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    Ok(())
}

/// What a file that is neither regular nor a directory is, in words.
fn special_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "FIFO (named pipe)"
    } else if kind.is_char_device() {
        "character device"
    } else if kind.is_block_device() {
        "block device"
    } else if kind.is_socket() {
        "socket"
    } else {
        "special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("a.yaml");
        fs::write(&file, "version: 1\n").unwrap();
        assert_eq!(read(&file, 100).unwrap(), b"version: 1\n");
        assert!(matches!(
            read(&file, 4),
            Err(ReadError::TooLarge { size: 11, limit: 4 })
        ));
        assert!(matches!(
            read(directory.path(), 100),
            Err(ReadError::Directory)
        ));
        assert_eq!(
            read(Path::new("/dev/zero"), 100).unwrap_err().to_string(),
            "it is not a regular file but a character device"
        );
        assert!(
            read(&directory.path().join("missing"), 100)
                .unwrap_err()
                .is_not_found()
        );
        let link = directory.path().join("link.yaml");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(
            read(&link, 100).unwrap(),
            b"version: 1\n",
            "a link to a file is read"
        );
    }
}
