//! Reading a user's input files (scenarios, plans, structure CSVs) with a
//! bound: only regular files, at most a documented size, refused before a
//! byte is read when they are a FIFO, a device or a folder, so `/dev/zero`
//! or a named pipe never hangs or fills memory.

use super::error::{ScenarioError, SourceText};
use std::io::Read;
use std::path::Path;

pub use crate::fsx::{DEFAULT_MAX_INPUT_MB, MAX_INPUT_ENV, max_input_bytes};

/// Why a file was refused, without the file name (callers place it).
#[derive(Debug)]
pub enum Refusal {
    Io(std::io::Error),
    /// Not a regular file, too large or empty.
    Problem(String),
    /// Bytes that are not UTF-8, at this byte offset of the (lossy) text.
    Utf8 {
        text: String,
        at: usize,
        byte: u8,
    },
}

/// Reads a regular file of at most the bound, as UTF-8 text (a leading byte
/// order mark dropped).
pub fn read_bounded(path: &Path) -> Result<String, Refusal> {
    let limit = max_input_bytes().map_err(Refusal::Problem)?;
    let meta = std::fs::metadata(path).map_err(Refusal::Io)?;
    let refuse_kind =
        |what: &str| Refusal::Problem(format!("is {what}, not a regular file; input files must be regular files"));
    if let Some(what) = crate::fsx::not_regular(meta.file_type()) {
        return Err(refuse_kind(what));
    }
    let too_big = |n: u64| {
        Refusal::Problem(format!(
            "is {} MiB, above the limit of {} MiB for an input file; raise it with {MAX_INPUT_ENV}",
            n.div_ceil(1 << 20),
            limit >> 20
        ))
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let file = crate::fsx::open_regular(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => Refusal::Problem(format!("{e}; input files must be regular files")),
        _ => Refusal::Io(e),
    })?;
    // `open_regular` checked the opened handle too, in case the path was swapped since the check above.
    let opened = file.metadata().map_err(Refusal::Io)?;
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(Refusal::Io)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Refusal::Problem(if bytes.is_empty() {
            "is empty".to_string()
        } else {
            "holds nothing but blank space".to_string()
        }));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(t) => Ok(t.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            Err(Refusal::Utf8 { text: String::from_utf8_lossy(body).into_owned(), at, byte: body[at] })
        }
    }
}

impl Refusal {
    /// As an error about the file itself, named `file`.
    pub fn into_error(self, file: &str) -> ScenarioError {
        match self {
            Refusal::Io(reason) => ScenarioError::Read { file: file.to_string(), reason },
            Refusal::Problem(problem) => ScenarioError::Input { file: file.to_string(), problem },
            Refusal::Utf8 { text, at, byte } => {
                // U+FFFD, which replaced the bad byte in `text`, is 3 bytes long.
                SourceText { file, text: &text }
                    .at(
                        at..at + 3,
                        "",
                        "",
                        &format!("the file is not UTF-8 text: byte 0x{byte:02X} here is not a character"),
                        "",
                    )
                    .with_note(
                        "save the file as UTF-8 (most editors offer it under \"Save as\" or \"Encoding\")".into(),
                    )
            }
        }
    }

    /// As a short problem for a message that names the file elsewhere.
    pub fn problem(&self) -> String {
        match self {
            Refusal::Io(e) => format!("cannot be read: {e}"),
            Refusal::Problem(p) => p.clone(),
            Refusal::Utf8 { byte, .. } => format!("is not UTF-8 text (byte 0x{byte:02X})"),
        }
    }
}

/// Reads an input file, every refusal an error naming `file`.
pub fn read_text(path: &Path, file: &str) -> Result<String, ScenarioError> {
    read_bounded(path).map_err(|r| r.into_error(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_folders_and_empty_files_at_once() {
        let started = std::time::Instant::now();
        #[cfg(unix)]
        {
            let e = read_text(Path::new("/dev/zero"), "/dev/zero").unwrap_err().to_string();
            assert!(e.contains("is a device, not a regular file"), "{e}");
        }
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(dir.path(), "d").unwrap_err().to_string();
        assert!(e.contains("is a folder"), "{e}");
        let empty = dir.path().join("e.toml");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(read_text(&empty, "e.toml").unwrap_err().to_string(), "e.toml: is empty");
        assert!(started.elapsed().as_secs() < 5, "refused without reading");
    }

    #[test]
    fn invalid_utf8_names_the_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(&p, b"name = \"x\"\ndescription = \"caf\xE9\"\n").unwrap();
        let e = read_text(&p, "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:2:19: the file is not UTF-8 text: byte 0xE9"), "{e}");
        assert!(e.contains("save the file as UTF-8"), "{e}");
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(&p, b"\xEF\xBB\xBFname = \"x\"\n").unwrap();
        assert_eq!(read_text(&p, "t.toml").unwrap(), "name = \"x\"\n");
    }
}
