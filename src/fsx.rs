//! The one rule for every file stpsim opens, writes or deletes:
//!
//! - it reads regular files only, checked on the opened handle (a FIFO is
//!   opened without waiting for a writer, then refused), and at most a bound
//!   of bytes, so a named pipe or `/dev/zero` never hangs or fills memory;
//! - it writes and deletes without following a symbolic link at the last
//!   step (`O_NOFOLLOW`), and refuses a folder inside the output folder
//!   (`parts/`) that is a link, so nothing outside the folder is touched;
//! - file names inside the folder are plain names (`write::is_plain_file_name`).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Largest input file read, in MiB, unless `STPSIM_MAX_INPUT_MB` says otherwise.
pub const DEFAULT_MAX_INPUT_MB: u64 = 64;
pub const MAX_INPUT_ENV: &str = "STPSIM_MAX_INPUT_MB";

/// The bound in bytes: `STPSIM_MAX_INPUT_MB` (whole MiB, at least 1) or 64 MiB.
pub fn max_input_bytes() -> Result<u64, String> {
    match std::env::var(MAX_INPUT_ENV) {
        Err(_) => Ok(DEFAULT_MAX_INPUT_MB << 20),
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(mb) if (1..=1 << 20).contains(&mb) => Ok(mb << 20),
            _ => Err(format!("{MAX_INPUT_ENV} = \"{v}\" is not a size: a whole number of MiB from 1 to 1048576")),
        },
    }
}

/// What kind of thing a file type is, when it is not a regular file.
pub fn not_regular(t: fs::FileType) -> Option<&'static str> {
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a folder");
    }
    if t.is_symlink() {
        return Some("a symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

fn refused(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("it is {what}, not a regular file"))
}

/// Flags that keep `open` from waiting on a FIFO, and (for writes) from
/// following a link.
#[cfg(unix)]
fn flags(options: &mut OpenOptions, nofollow: bool) {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NONBLOCK | if nofollow { libc::O_NOFOLLOW } else { 0 });
}

#[cfg(not(unix))]
fn flags(_: &mut OpenOptions, _: bool) {}

/// The opened handle must be a regular file; O_NONBLOCK is cleared again.
fn checked(file: File) -> io::Result<File> {
    if let Some(what) = not_regular(file.metadata()?.file_type()) {
        return Err(refused(what));
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this function owns, with plain flags.
        unsafe {
            let f = libc::fcntl(fd, libc::F_GETFL);
            if f >= 0 {
                libc::fcntl(fd, libc::F_SETFL, f & !libc::O_NONBLOCK);
            }
        }
    }
    Ok(file)
}

/// A link at the last step of a path to be written or deleted, in words.
fn link_refused(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{} is a symbolic link; stpsim does not write through links", path.display()),
    )
}

/// Maps the error `O_NOFOLLOW` gives on a link (ELOOP) to words.
fn nofollow_error(path: &Path, e: io::Error) -> io::Error {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) { link_refused(path) } else { e }
}

/// Opens a file to read: a regular file only (a link to one is fine).
pub fn open_regular(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true);
    flags(&mut o, false);
    checked(o.open(path)?)
}

/// Reads a regular file of at most `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let len = file.metadata()?.len();
    let too_big = |n: u64| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is {} MiB, above the limit of {} MiB", n.div_ceil(1 << 20), limit.div_ceil(1 << 20)),
        )
    };
    if len > limit {
        return Err(too_big(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads a regular file of at most `limit` bytes as UTF-8 text, a leading
/// byte order mark dropped.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    let bytes = read_bounded(path, limit)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(body.to_vec()).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is not UTF-8 text (at byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// Creates (or truncates) a file to write, never through a link and never
/// into a FIFO or device.
pub fn create(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(false);
    flags(&mut o, true);
    let file = checked(o.open(path).map_err(|e| nofollow_error(path, e))?)?;
    file.set_len(0)?;
    Ok(file)
}

/// Opens (creating if needed) a file to read and write without truncating
/// it, never through a link: the folder's lock file.
pub fn open_rw(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    flags(&mut o, true);
    checked(o.open(path).map_err(|e| nofollow_error(path, e))?)
}

/// Ensures `path` is a real folder (created if missing), not a link to one,
/// so what is written or deleted in it stays in the output folder.
pub fn real_dir(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(link_refused(path)),
        Ok(m) if m.is_dir() => Ok(()),
        Ok(m) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is {}, not a folder", path.display(), not_regular(m.file_type()).unwrap_or("a file")),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(path),
        Err(e) => Err(e),
    }
}

/// Whether `path` is a real folder (not a link to one).
pub fn is_real_dir(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn writes_never_follow_a_link_and_reads_refuse_fifos_and_devices() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        fs::write(&outside, "keep").unwrap();
        let link = dir.path().join("link");
        symlink(&outside, &link).unwrap();
        let e = create(&link).unwrap_err();
        assert!(e.to_string().contains("is a symbolic link"), "{e}");
        let e = open_rw(&link).unwrap_err();
        assert!(e.to_string().contains("is a symbolic link"), "{e}");
        assert_eq!(fs::read_to_string(&outside).unwrap(), "keep");
        let dangling = dir.path().join("dangling");
        symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(create(&dangling).is_err());
        assert!(!dir.path().join("nowhere").exists(), "a dangling link creates nothing");

        let started = std::time::Instant::now();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_bounded(&fifo, 1 << 20).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert!(create(&fifo).is_err(), "never writes into a FIFO");
        let zero = dir.path().join("zero");
        symlink("/dev/zero", &zero).unwrap();
        let e = read_bounded(&zero, 1 << 20).unwrap_err();
        assert!(e.to_string().contains("a device"), "{e}");
        assert!(started.elapsed().as_secs() < 5, "refused without waiting");

        let big = dir.path().join("big");
        fs::write(&big, vec![b'x'; 3 << 20]).unwrap();
        let e = read_bounded(&big, 1 << 20).unwrap_err();
        assert!(e.to_string().contains("above the limit of 1 MiB"), "{e}");
        fs::write(&big, b"\xEF\xBB\xBFtext").unwrap();
        assert_eq!(read_text(&big, 1 << 20).unwrap(), "text");

        let parts = dir.path().join("parts");
        symlink(dir.path(), &parts).unwrap();
        assert!(real_dir(&parts).unwrap_err().to_string().contains("symbolic link"));
        assert!(!is_real_dir(&parts));
        real_dir(&dir.path().join("fresh")).unwrap();
        assert!(is_real_dir(&dir.path().join("fresh")));
    }
}
