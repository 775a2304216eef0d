//! The files a person names (a scenario, a lesson, a `--state` file, an audit config, a
//! credentials `--output`): only regular files are opened, so a FIFO, a directory or a
//! device is refused with a clear error instead of hanging start-up or reading forever;
//! and a file that fails to parse is described by where and what was expected, never by
//! quoting its content (a lesson may point at any file on the machine).

use std::io::Read;
use std::path::Path;

/// A named path that cannot be used as a file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// It exists but is not a regular file (`what` says what it is: "a FIFO (named pipe)").
    #[error("not a regular file ({what})")]
    NotRegular { what: &'static str },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// What a file type is, in words.
fn describe(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "neither a file nor a directory"
    }
}

/// Is `path` (following symbolic links) a regular file? Err when it is something else or
/// cannot be looked at; a missing path is an `Io` error of kind `NotFound`.
pub fn check_regular(path: &Path) -> Result<(), FileError> {
    let t = std::fs::metadata(path)?.file_type();
    if t.is_file() {
        Ok(())
    } else {
        Err(FileError::NotRegular { what: describe(t) })
    }
}

/// Like [`check_regular`], but a path that does not exist is fine (`Ok(false)`): for a
/// file grantscope creates (a state file, an output file). `Ok(true)`: a regular file.
pub fn check_regular_or_absent(path: &Path) -> Result<bool, FileError> {
    match check_regular(path) {
        Ok(()) => Ok(true),
        Err(FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The bytes of a regular file. The type is checked before opening (opening a FIFO
/// blocks until a writer comes) and again on the open file.
pub fn read_regular_bytes(path: &Path) -> Result<Vec<u8>, FileError> {
    check_regular(path)?;
    let mut f = std::fs::File::open(path)?;
    let t = f.metadata()?.file_type();
    if !t.is_file() {
        return Err(FileError::NotRegular { what: describe(t) });
    }
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of a regular file (UTF-8).
pub fn read_regular(path: &Path) -> Result<String, FileError> {
    String::from_utf8(read_regular_bytes(path)?).map_err(|_| {
        FileError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8 text",
        ))
    })
}

/// Where a TOML document failed to parse and what was expected there: `line 1, column 5:
/// expected `.`, `=``. toml's own message quotes the failing line; this one does not (the
/// message itself names at most the failing token or field).
pub fn toml_error_at(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim_end();
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_not_read_as_a_file() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let e = read_regular(dir.path()).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a directory)");
        assert!(check_regular_or_absent(dir.path()).is_err());
        assert!(!check_regular_or_absent(&dir.path().join("absent")).expect("absent is fine"));
    }

    #[test]
    fn a_toml_error_says_where_without_quoting_the_line() {
        let text = "# ok\nroot:x:0:0:root:/root:/bin/bash\n";
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        let said = toml_error_at(&e, text);
        assert!(said.starts_with("line 2, column 5: "), "{said}");
        assert!(!said.contains("/bin/bash"), "{said}");
    }
}
