//! An output folder has one writer and holds one set of files.
//!
//! - [`FolderLock`]: an advisory lock on `DIR/.stpsim.lock`, held by the
//!   process that writes the folder, with its process id in the file so a
//!   second writer can say who holds it. The system releases it when the
//!   process ends, however it ends.
//! - [`Staging`]: a command writes its files into `DIR/.staging-PID/`, then
//!   moves them into place only when all are written, its manifest last, so a
//!   run killed while writing leaves the previous set whole. Each file's
//!   SHA-256 goes into the manifest, so a set mixed by a kill during the
//!   moves (or by an edit) is caught by whoever reads it.
//! - [`remove_leftovers`]: what a killed writer left (`.NAME.tmp-PID` files,
//!   staging folders), removed by the next writer once it holds the lock.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file in an output folder.
pub const LOCK_FILE: &str = ".stpsim.lock";
/// The folder in which a sweep keeps its finished parts.
pub const PARTS: &str = "parts";
const STAGING_PREFIX: &str = ".staging-";
/// The one folder inside a staged set (each chart's numbers, `data/`).
pub const SUBFOLDER: &str = "data";

#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(
        "{} is being written by another stpsim process ({}, holding {}); wait for it to finish, or write \
         elsewhere with another --out",
        dir.display(),
        pid.map_or("its process id is not known yet".to_string(), |p| format!("process id {p}")),
        dir.join(LOCK_FILE).display()
    )]
    Busy { dir: PathBuf, pid: Option<u32> },
    #[error("cannot use {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
    move |source| FolderError::Io { path: path.to_path_buf(), source }
}

/// The process writing a folder: held until dropped (or the process ends).
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    dir: PathBuf,
}

impl FolderLock {
    /// Creates `dir` if needed and takes its lock, or says which process
    /// holds it. Nothing waits: a second writer fails at once.
    pub fn acquire(dir: &Path) -> Result<FolderLock, FolderError> {
        use fs4::fs_std::FileExt;
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        let path = dir.join(LOCK_FILE);
        // The holder removes the file when it is done: a file opened just
        // before that is locked in vain, so check that the lock taken is on
        // the file still at the path, and try again if not.
        for _ in 0..100 {
            // Never through a link: a received folder whose lock file links
            // elsewhere must not get the link's target truncated.
            let mut file = crate::fsx::open_rw(&path).map_err(io_at(&path))?;
            if !FileExt::try_lock_exclusive(&file).map_err(io_at(&path))? {
                return Err(FolderError::Busy { dir: dir.to_path_buf(), pid: holder(&path) });
            }
            if !same_file(&file, &path) {
                continue;
            }
            let pid = format!("{}\n", std::process::id());
            file.set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| file.write_all(pid.as_bytes()))
                .and_then(|()| file.sync_data())
                .map_err(io_at(&path))?;
            hook::hold_lock();
            return Ok(FolderLock { file, dir: dir.to_path_buf() });
        }
        Err(FolderError::Busy { dir: dir.to_path_buf(), pid: holder(&path) })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still locked (a process that opened it meanwhile
        // sees it gone and starts again); the lock goes with the file. A
        // killed process leaves it, unlocked: the next writer reuses it.
        if cfg!(unix) {
            let _ = fs::remove_file(self.dir.join(LOCK_FILE));
        } else {
            let _ = self.file.set_len(0);
        }
    }
}

/// Whether an open file is the one at `path` (on Unix, the same inode).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

/// The process id written in a held lock file. The holder writes it just
/// after locking, so a reader may come between: look again a few times.
fn holder(path: &Path) -> Option<u32> {
    for _ in 0..20 {
        let mut text = String::new();
        let read = crate::fsx::open_regular(path).and_then(|f| f.take(64).read_to_string(&mut text));
        if let Ok(pid) = text.trim().parse() {
            return Some(pid);
        }
        if read.is_err() {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    None
}

/// Whether another process holds `dir`'s lock (without taking it, and
/// without creating the lock file): the error that names it, if so.
pub fn busy(dir: &Path) -> Option<FolderError> {
    use fs4::fs_std::FileExt;
    let path = dir.join(LOCK_FILE);
    // A lock file that is a link is no writer's: never followed.
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let file = crate::fsx::open_regular(&path).ok()?;
    match FileExt::try_lock_shared(&file) {
        Ok(true) => {
            let _ = FileExt::unlock(&file);
            None
        }
        _ => Some(FolderError::Busy { dir: dir.to_path_buf(), pid: holder(&path) }),
    }
}

/// Takes `dir`'s lock, then removes what earlier writers left there.
pub fn claim(dir: &Path) -> Result<FolderLock, FolderError> {
    let lock = FolderLock::acquire(dir)?;
    remove_leftovers(dir).map_err(io_at(dir))?;
    Ok(lock)
}

/// Whether `name` is a temporary file of `write::atomic`
/// (`.NAME.tmp-PID`) or a staging folder (`.staging-PID`), and its pid.
fn leftover_pid(name: &str) -> Option<u32> {
    let digits = |s: &str| (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten();
    if let Some(pid) = name.strip_prefix(STAGING_PREFIX) {
        return digits(pid);
    }
    let rest = name.strip_prefix('.')?;
    let (file, pid) = rest.rsplit_once(".tmp-")?;
    if file.is_empty() {
        return None;
    }
    digits(pid)
}

/// Removes temporary files and staging folders that other processes left in
/// `dir` and in its sweep parts folder; returns how many. Call it holding
/// the folder's lock: no other stpsim process is writing there then, so any
/// of theirs is a leftover of a process that was killed.
pub fn remove_leftovers(dir: &Path) -> io::Result<usize> {
    let own = std::process::id();
    let mut removed = 0;
    for folder in [dir.to_path_buf(), dir.join(PARTS), dir.join(SUBFOLDER)] {
        // A `parts` or `data` that links elsewhere is not this folder's: never clean it.
        if folder != dir && !crate::fsx::is_real_dir(&folder) {
            continue;
        }
        let entries = match fs::read_dir(&folder) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for e in entries {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = leftover_pid(&name) else { continue };
            if pid == own {
                continue;
            }
            let kind = e.file_type()?;
            if kind.is_dir() && name.starts_with(STAGING_PREFIX) {
                fs::remove_dir_all(e.path())?;
            } else if kind.is_file() && !name.starts_with(STAGING_PREFIX) {
                fs::remove_file(e.path())?;
            } else {
                continue;
            }
            removed += 1;
        }
    }
    Ok(removed)
}

/// SHA-256 of bytes, in hex.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file's contents, in hex.
pub fn file_sha256(path: &Path) -> io::Result<String> {
    let mut f = crate::fsx::open_regular(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// A file being written into a staging folder, hashed as it is written.
pub struct StagedFile {
    name: String,
    out: BufWriter<File>,
    hash: Sha256,
}

/// A staged file flushed and synced, with its SHA-256, to be recorded by
/// [`Staging::record`].
#[derive(Debug)]
pub struct Completed {
    name: String,
    sum: String,
}

impl StagedFile {
    /// Flushes and syncs the file; its checksum was taken as it was written.
    pub fn complete(self) -> io::Result<Completed> {
        let StagedFile { name, out, hash } = self;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(Completed { name, sum: hex(&hash.finalize()) })
    }
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A command's files, written in `OUT/.staging-PID/` and moved into `OUT`
/// together by [`Staging::commit`]. Dropped uncommitted, it removes itself.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// Files written through [`Staging::write`] or [`Staging::file`], with their SHA-256.
    sums: BTreeMap<String, String>,
    committed: bool,
}

impl Staging {
    /// A fresh staging folder inside `out` (which must exist).
    pub fn new(out: &Path) -> io::Result<Staging> {
        let dir = out.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        // A link of that name is removed, never followed.
        if fs::symlink_metadata(&dir).is_ok() {
            fs::remove_dir_all(&dir).or_else(|_| fs::remove_file(&dir))?;
        }
        fs::create_dir(&dir)?;
        Ok(Staging { out: out.to_path_buf(), dir, sums: BTreeMap::new(), committed: false })
    }

    /// The staging folder: files written here by other means (charts) move
    /// with the set, without a checksum.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Starts a staged file; [`Staging::finish`] records its checksum.
    pub fn file(&self, name: &str) -> io::Result<StagedFile> {
        if !super::write::is_plain_file_name(name) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("refused to stage `{name}`")));
        }
        let out = BufWriter::new(crate::fsx::create(&self.dir.join(name))?);
        Ok(StagedFile { name: name.to_string(), out, hash: Sha256::new() })
    }

    /// Flushes and syncs a staged file, and records its SHA-256.
    pub fn finish(&mut self, file: StagedFile) -> io::Result<String> {
        let done = file.complete()?;
        Ok(self.record(done))
    }

    /// Records the SHA-256 of a file completed (perhaps on another thread)
    /// by [`StagedFile::complete`].
    pub fn record(&mut self, done: Completed) -> String {
        self.sums.insert(done.name, done.sum.clone());
        hook::staged(self.sums.len());
        done.sum
    }

    /// Writes a whole staged file; returns its SHA-256.
    pub fn write(&mut self, name: &str, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<String> {
        let mut f = self.file(name)?;
        write(&mut f)?;
        self.finish(f)
    }

    /// Each staged file's SHA-256, by name, for the manifest.
    pub fn checksums(&self) -> &BTreeMap<String, String> {
        &self.sums
    }

    /// Moves every staged file into the output folder: those with a
    /// checksum (the data) first, then the others (charts), `last` (the
    /// manifest) at the end. Before `last` lands, files in the folder that
    /// `stale` claims as this command's own but the new set lacks are
    /// removed, so the folder never holds an old file beside the new manifest.
    pub fn commit(mut self, last: &str, stale: impl Fn(&str) -> bool) -> Result<(), MoveError> {
        let at = |path: &Path| {
            let path = path.to_path_buf();
            move |source| MoveError { path, source }
        };
        let mut names: Vec<String> = Vec::new();
        for e in fs::read_dir(&self.dir).map_err(at(&self.dir))? {
            let e = e.map_err(at(&self.dir))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') && e.file_type().map_err(at(&e.path()))?.is_file() {
                names.push(name);
            }
        }
        names.sort_by_key(|n| (!self.sums.contains_key(n), n.clone()));
        if !names.iter().any(|n| n == last) {
            let missing = io::Error::new(io::ErrorKind::NotFound, "it was not staged");
            return Err(MoveError { path: self.out.join(last), source: missing });
        }
        // Where the set has a `data/` folder, the output folder's must be a
        // real folder (or absent) before anything moves: refused, not followed.
        let sub = self.out.join(SUBFOLDER);
        if self.dir.join(SUBFOLDER).is_dir() {
            match fs::symlink_metadata(&sub) {
                Ok(m) if !m.is_dir() => {
                    let e = io::Error::new(io::ErrorKind::AlreadyExists, "it is not a folder (a file or a link)");
                    return Err(MoveError { path: sub, source: e });
                }
                _ => {}
            }
        }
        let mut moved = 0;
        for name in names.iter().filter(|n| *n != last) {
            let to = self.out.join(name);
            fs::rename(self.dir.join(name), &to).map_err(at(&to))?;
            moved += 1;
            hook::moved(moved);
        }
        self.commit_subfolder(&stale).map_err(|(path, source)| MoveError { path, source })?;
        for e in fs::read_dir(&self.out).map_err(at(&self.out))? {
            let e = e.map_err(at(&self.out))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if stale(&name) && !names.contains(&name) && e.file_type().map_err(at(&e.path()))?.is_file() {
                fs::remove_file(e.path()).map_err(at(&e.path()))?;
            }
        }
        let to = self.out.join(last);
        fs::rename(self.dir.join(last), &to).map_err(at(&to))?;
        // The renames are durable once the folder itself is synced.
        if let Ok(d) = File::open(&self.out) {
            let _ = d.sync_all();
        }
        self.committed = true;
        fs::remove_dir_all(&self.dir).map_err(at(&self.dir))
    }
}

impl Staging {
    /// Moves the staged `data/` folder's files (each chart's numbers) into
    /// `OUT/data/`, and removes files there that `stale` claims (as
    /// `data/NAME`) but the new set lacks. A `data` that is not a folder (a
    /// symbolic link) is refused, not followed.
    fn commit_subfolder(&self, stale: &impl Fn(&str) -> bool) -> Result<(), (PathBuf, io::Error)> {
        let (from, to) = (self.dir.join(SUBFOLDER), self.out.join(SUBFOLDER));
        let at = |p: &Path| {
            let p = p.to_path_buf();
            move |e| (p, e)
        };
        let mut names = Vec::new();
        if from.is_dir() {
            match fs::symlink_metadata(&to) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    let e = io::Error::new(io::ErrorKind::AlreadyExists, "it is not a folder");
                    return Err((to, e));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir(&to).map_err(at(&to))?,
                Err(e) => return Err((to, e)),
            }
            for e in fs::read_dir(&from).map_err(at(&from))? {
                let e = e.map_err(at(&from))?;
                let name = e.file_name().to_string_lossy().into_owned();
                if !name.starts_with('.') && e.file_type().map_err(at(&e.path()))?.is_file() {
                    fs::rename(e.path(), to.join(&name)).map_err(at(&to.join(&name)))?;
                    names.push(name);
                }
            }
        }
        if !fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) {
            return Ok(());
        }
        for e in fs::read_dir(&to).map_err(at(&to))? {
            let e = e.map_err(at(&to))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if stale(&format!("{SUBFOLDER}/{name}"))
                && !names.contains(&name)
                && e.file_type().map_err(at(&e.path()))?.is_file()
            {
                fs::remove_file(e.path()).map_err(at(&e.path()))?;
            }
        }
        Ok(())
    }
}

/// A staged file could not be moved into place.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot move {} into place: {source}; the folder may now hold some new files beside the earlier set's, \
     so `stpsim plot` refuses it: run the command into it again once the cause is mended",
    path.display()
)]
pub struct MoveError {
    /// Where the file was to go.
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl From<MoveError> for io::Error {
    fn from(e: MoveError) -> io::Error {
        io::Error::new(e.source.kind(), e.to_string())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// The checks a reader makes: every file listed with a checksum that is
/// present matches it, and no file `ours` claims as part of such a set is
/// there unlisted. `manifest` names the file that holds the checksums. Returns
/// the problem in words, naming the file.
pub fn verify(
    dir: &Path,
    manifest: &str,
    sums: &BTreeMap<String, String>,
    ours: impl Fn(&str) -> bool,
) -> Result<(), String> {
    let advice = "the folder mixes files of different runs (a run was stopped while moving its files into place, \
                  or a file was edited or copied in); run again into this folder, or into another --out";
    for (name, want) in sums {
        if !super::write::is_plain_file_name(name) {
            return Err(format!(
                "{manifest} lists \"{}\", not a plain file name",
                crate::scenario::error::shorten(name, 60)
            ));
        }
        let path = dir.join(name);
        let found = match file_sha256(&path) {
            Ok(s) => s,
            // A file left out (a large timeseries.csv not copied along) mixes
            // nothing; a reader that needs it says so.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
        };
        if &found != want {
            return Err(format!(
                "{} does not match {manifest} (its SHA-256 is {found}, the manifest records {want}); {advice}",
                path.display()
            ));
        }
    }
    let mut extra: Vec<String> = Vec::new();
    for e in fs::read_dir(dir).map_err(|e| format!("{}: cannot read: {e}", dir.display()))?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if ours(&name) && name != manifest && !sums.contains_key(&name) {
            extra.push(name);
        }
    }
    extra.sort();
    if let Some(name) = extra.first() {
        return Err(format!("{} is not part of the set {manifest} describes; {advice}", dir.join(name).display()));
    }
    Ok(())
}

/// Test hooks, read from the environment, so tests can stop a writer at a
/// chosen point as a kill would: `STPSIM_TEST_ABORT=staged:N` aborts after
/// the N-th staged file, `moved:N` after the N-th file moved into place;
/// `STPSIM_TEST_HOLD_LOCK=PATH` holds a lock just taken until PATH exists.
mod hook {
    fn abort_at(stage: &str, n: usize) {
        let hit = std::env::var("STPSIM_TEST_ABORT")
            .is_ok_and(|v| v.split_once(':').is_some_and(|(s, k)| s == stage && k.parse() == Ok(n)));
        if hit {
            std::process::abort();
        }
    }

    pub fn staged(n: usize) {
        abort_at("staged", n);
    }

    pub fn moved(n: usize) {
        abort_at("moved", n);
    }

    pub fn hold_lock() {
        if let Some(path) = std::env::var_os("STPSIM_TEST_HOLD_LOCK") {
            // Bounded: a test that never releases does not hang for ever.
            for _ in 0..6000 {
                if std::path::Path::new(&path).exists() {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_named_by_pattern() {
        assert_eq!(leftover_pid(".timeseries.csv.tmp-4242"), Some(4242));
        assert_eq!(leftover_pid(".staging-17"), Some(17));
        assert_eq!(leftover_pid(".staging-"), None);
        assert_eq!(leftover_pid("timeseries.csv.tmp-1"), None, "not hidden: not ours");
        assert_eq!(leftover_pid(".notes.tmp-12x"), None);
        assert_eq!(leftover_pid(".tmp-12"), None);
        assert_eq!(leftover_pid(LOCK_FILE), None);
    }

    #[test]
    fn a_staged_set_lands_whole_with_checksums_and_replaces_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::write(out.join("old.csv"), "old").unwrap();
        fs::write(out.join("keep.txt"), "not ours").unwrap();
        fs::write(out.join("manifest.json"), "old manifest").unwrap();
        let mut s = Staging::new(out).unwrap();
        let sum = s.write("new.csv", |w| w.write_all(b"a,b\n")).unwrap();
        assert_eq!(sum, crate::results::manifest::sha256("a,b\n"));
        fs::write(s.dir().join("chart.svg"), "<svg/>").unwrap();
        s.write("manifest.json", |w| w.write_all(b"new manifest")).unwrap();
        // Nothing lands before the commit.
        assert_eq!(fs::read_to_string(out.join("manifest.json")).unwrap(), "old manifest");
        assert!(!out.join("new.csv").exists());
        assert_eq!(s.checksums().keys().collect::<Vec<_>>(), ["manifest.json", "new.csv"]);
        let sums: BTreeMap<String, String> =
            s.checksums().iter().filter(|(k, _)| *k != "manifest.json").map(|(k, v)| (k.clone(), v.clone())).collect();
        let staging = s.dir().to_path_buf();
        s.commit("manifest.json", |n| n.ends_with(".csv") || n.ends_with(".svg")).unwrap();
        assert!(!staging.exists());
        assert!(!out.join("old.csv").exists(), "an earlier set's file not in the new set is removed");
        assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "not ours");
        assert_eq!(fs::read_to_string(out.join("manifest.json")).unwrap(), "new manifest");
        assert_eq!(fs::read_to_string(out.join("chart.svg")).unwrap(), "<svg/>");
        let ours = |n: &str| n.ends_with(".csv");
        assert_eq!(verify(out, "manifest.json", &sums, ours), Ok(()));
        fs::write(out.join("new.csv"), "a,c\n").unwrap();
        let e = verify(out, "manifest.json", &sums, ours).unwrap_err();
        assert!(e.contains("new.csv does not match manifest.json"), "{e}");
        fs::write(out.join("new.csv"), "a,b\n").unwrap();
        fs::write(out.join("stray.csv"), "x").unwrap();
        let e = verify(out, "manifest.json", &sums, ours).unwrap_err();
        assert!(e.contains("stray.csv is not part of the set"), "{e}");
        fs::remove_file(out.join("stray.csv")).unwrap();
        fs::remove_file(out.join("new.csv")).unwrap();
        assert_eq!(verify(out, "manifest.json", &sums, ours), Ok(()), "a file left out mixes nothing");
    }

    #[test]
    fn an_uncommitted_staging_folder_removes_itself() {
        let dir = tempfile::tempdir().unwrap();
        let s = Staging::new(dir.path()).unwrap();
        let staging = s.dir().to_path_buf();
        assert!(staging.is_dir());
        drop(s);
        assert!(!staging.exists());
    }

    #[test]
    fn leftovers_of_other_processes_go_and_the_lock_names_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let parts = out.join(PARTS);
        fs::create_dir_all(out.join(".staging-999999999")).unwrap();
        fs::write(out.join(".staging-999999999").join("summary.csv"), "x").unwrap();
        fs::create_dir_all(&parts).unwrap();
        fs::write(out.join(".timeseries.csv.tmp-999999999"), "cut mid-").unwrap();
        fs::write(parts.join(".point-00000001.csv.tmp-999999999"), "cut").unwrap();
        fs::write(out.join("summary.csv"), "kept").unwrap();
        fs::write(out.join(".hidden-notes"), "kept").unwrap();
        let own = format!(".summary.csv.tmp-{}", std::process::id());
        fs::write(out.join(&own), "being written by this process").unwrap();
        let lock = claim(out).unwrap();
        assert_eq!(fs::read_to_string(out.join(LOCK_FILE)).unwrap().trim(), std::process::id().to_string());
        let mut left: Vec<String> =
            fs::read_dir(out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        let mut want = [own.as_str(), ".hidden-notes", LOCK_FILE, "parts", "summary.csv"];
        want.sort();
        assert_eq!(left, want);
        assert_eq!(fs::read_dir(&parts).unwrap().count(), 0);
        // A second lock on the folder, even from this process, is refused.
        match FolderLock::acquire(out) {
            Err(FolderError::Busy { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(lock);
        assert!(!out.join(LOCK_FILE).exists(), "a lock released in order leaves no file");
        // A lock file left by a killed holder is unlocked: the next writer takes it.
        fs::write(out.join(LOCK_FILE), "999999999\n").unwrap();
        let again = FolderLock::acquire(out).unwrap();
        assert_eq!(fs::read_to_string(out.join(LOCK_FILE)).unwrap().trim(), std::process::id().to_string());
        drop(again);
    }
}
