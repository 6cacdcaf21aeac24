//! The output directory as a whole: a run stages every file in a sibling directory and then
//! swaps it for `out/` in one step, so `out/` is at every instant either the previous run's
//! complete output or this run's, never a mix, even if the process is killed.
//!
//! Input: the output path and the names byoa owns in the directory already there (what its
//! manifest lists). Output: a `Staging` directory to write into, then `commit` swaps it in.
//! Invariants:
//! - One run at a time per output directory: a lock file beside it is held (`flock`) for the
//!   whole run and deleted at its end; a second run is refused with `io.output-locked` instead
//!   of waiting or interleaving.
//! - The swap is one `rename` when `out/` does not exist yet, else an atomic exchange of the
//!   two directories (`RENAME_EXCHANGE`, `RENAME_SWAP` on macOS). Elsewhere it falls back to
//!   two renames, and a run that finds only the saved previous directory puts it back first.
//! - byoa replaces the directory it owns, so it refuses (`io.output-foreign`, nothing changed)
//!   when the directory holds a file it did not write: a user's file is never deleted, and
//!   `--out .` cannot wipe a working tree; nor is the working directory (or one holding it)
//!   ever swapped, which would leave the user's shell in a deleted directory. Files of
//!   earlier runs that this run does not produce (a stale template, an old `graph.md`) are
//!   gone after the swap.
//! - A failed run removes its staging directory; one left by a killed run is removed by the
//!   next run, under the lock.
//! - Durability: every file is flushed before the swap and the parent directory after it.
//!   The flushes run on several threads at once, so the filesystem commits them together
//!   (measured on ext4: 60 files flushed one after another cost about 250 ms, on eight threads
//!   about 12 ms); a flush per file keeps the guarantee to our own files, where one `syncfs`
//!   would wait for everything else written to the disk. A file whose bytes the previous
//!   output already holds is not written again: that file is hard-linked into the staging
//!   directory (only when nothing else links to it, so no outside name shares the new output),
//!   which costs a read and no disk write, and most re-runs change few files.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic};

/// The staging directory of one run, removed on drop unless committed.
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    previous: PathBuf,
    committed: bool,
    /// Held until the run ends. Declared last, so dropped after the staging directory is
    /// removed.
    _lock: Lock,
}

/// Locks the parent of `dir`, cleans up after a killed run, checks that every entry of an
/// existing `dir` is in `owned` (top-level names), and creates an empty staging directory.
pub fn stage(dir: &Path, owned: &BTreeSet<String>) -> Result<Staging, Diagnostic> {
    let target = resolve(dir)?;
    // Swapping the working directory (or one holding it) would leave the user's shell in a
    // deleted directory.
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize);
    let full = std::fs::canonicalize(&target);
    if let (Ok(cwd), Ok(full)) = (cwd, full)
        && cwd.starts_with(&full)
    {
        return Err(error(
            dir,
            format!(
                "`{}` is the working directory or holds it; byoa replaces its output directory as a whole",
                dir.display()
            ),
        )
        .with_help("give `--out` a directory of its own, e.g. `--out out`"));
    }
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| error(dir, format!("`{}` has no directory name", dir.display())))?
        .to_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| {
        error(
            &parent,
            format!("cannot create directory `{}`: {e}", parent.display()),
        )
    })?;
    let lock = lock(&parent, &name, dir)?;
    let staging = parent.join(format!(".{name}.byoa-staging"));
    let previous = parent.join(format!(".{name}.byoa-previous"));
    // A run killed between the two renames of the fallback swap left `out/` only here.
    if !target.exists() && previous.is_dir() {
        rename(&previous, &target)?;
    }
    for leftover in [&staging, &previous] {
        if leftover.exists() {
            remove(leftover)?;
        }
    }
    if target.exists() {
        refuse_foreign(dir, &target, owned)?;
    }
    std::fs::create_dir(&staging).map_err(|e| {
        error(
            &staging,
            format!("cannot create directory `{}`: {e}", staging.display()),
        )
    })?;
    Ok(Staging {
        target,
        staging,
        previous,
        committed: false,
        _lock: lock,
    })
}

impl Staging {
    /// Where this run writes its files.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Writes `files` (path under the staging directory, bytes), each flushed to disk: a file
    /// the output being replaced holds with these very bytes is linked in from it (`reuse`),
    /// the others are written anew on up to `FLUSHERS` threads. Reports the first file (in
    /// `files` order) that failed.
    pub fn write(&self, files: &[(&str, &[u8])]) -> Result<(), Diagnostic> {
        let paths: Vec<PathBuf> = files.iter().map(|(f, _)| self.staging.join(f)).collect();
        let dirs: BTreeSet<&Path> = paths.iter().filter_map(|p| p.parent()).collect();
        for dir in dirs {
            std::fs::create_dir_all(dir).map_err(|e| {
                error(
                    dir,
                    format!("cannot create directory `{}`: {e}", dir.display()),
                )
            })?;
        }
        let fresh: Vec<(&Path, &[u8])> = paths
            .iter()
            .zip(files)
            .filter(|(path, (file, bytes))| !reuse(path, &self.target.join(file), bytes))
            .map(|(path, (_, bytes))| (path.as_path(), *bytes))
            .collect();
        crate::parallel::map(fresh, FLUSHERS, |(path, bytes)| write_durable(path, bytes))
            .into_iter()
            .collect()
    }

    /// Swaps the staging directory in for the output directory, then removes the previous
    /// output.
    pub fn commit(mut self) -> Result<(), Diagnostic> {
        sync_dir(&self.staging)?;
        if self.target.exists() {
            exchange(&self.staging, &self.target, &self.previous)?;
            // `staging` (or `previous`, after the fallback) now holds the previous output.
            for old in [&self.staging, &self.previous] {
                if old.exists() {
                    remove(old)?;
                }
            }
        } else {
            rename(&self.staging, &self.target)?;
        }
        self.committed = true;
        let parent = match self.target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        sync_dir(parent)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the next run removes what is left.
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// `dir`, or the directory it links to or stands for (`.`): the swap replaces a named, real
/// directory, never a link.
fn resolve(dir: &Path) -> Result<PathBuf, Diagnostic> {
    let is_link = std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink());
    // `.` and `..` name no entry to swap: the directory they stand for does.
    let unnamed = dir.file_name().is_none() && dir.exists();
    if !is_link && !unnamed {
        return match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => Err(error(
                dir,
                format!(
                    "cannot create directory `{}`: a file of that name exists",
                    dir.display()
                ),
            )),
            _ => Ok(dir.to_path_buf()),
        };
    }
    std::fs::canonicalize(dir)
        .map_err(|e| error(dir, format!("cannot resolve `{}`: {e}", dir.display())))
}

/// Refuses an output directory that holds anything byoa did not write.
fn refuse_foreign(dir: &Path, target: &Path, owned: &BTreeSet<String>) -> Result<(), Diagnostic> {
    let entries = std::fs::read_dir(target).map_err(|e| {
        error(
            dir,
            format!("cannot read directory `{}`: {e}", dir.display()),
        )
    })?;
    let mut foreign: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !owned.contains(n) && !is_old_temp_file(n))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let shown: Vec<String> = foreign.iter().take(5).map(|n| format!("`{n}`")).collect();
    let more = match foreign.len() {
        n if n > 5 => format!(" and {} more", n - 5),
        _ => String::new(),
    };
    Err(Diagnostic::file_error(
        Code::IoOutputForeign,
        dir,
        format!(
            "`{}` holds {}{more}, which byoa did not write; byoa replaces its output directory as a whole and deletes nothing it did not write",
            dir.display(),
            shown.join(", ")
        ),
    )
    .with_help("move those files elsewhere, or give `--out` a new or empty directory"))
}

/// A per-file temporary name (`.<file>.tmp-<pid>`) that byoa before whole-directory swaps left
/// behind when killed mid-write.
fn is_old_temp_file(name: &str) -> bool {
    name.starts_with('.')
        && name
            .rsplit_once(".tmp-")
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Takes the lock of `target`: an exclusive `flock` on `.<name>.byoa-lock` beside it, which
/// `Lock`'s drop deletes while still holding it. A run that opened the file before it was
/// deleted finds, once it holds the lock, that the path names another file or none, and
/// starts again with a fresh one, so two runs never both hold a lock on the same path.
fn lock(parent: &Path, name: &str, dir: &Path) -> Result<Lock, Diagnostic> {
    let path = parent.join(format!(".{name}.byoa-lock"));
    let io = |e: std::io::Error| error(&path, format!("cannot lock `{}`: {e}", path.display()));
    loop {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Diagnostic::file_error(
                    Code::IoOutputLocked,
                    dir,
                    format!(
                        "another byoa run is writing `{}`; it is left as it is",
                        dir.display()
                    ),
                )
                .with_help("wait for the other run to finish, then run again"));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        if same_file(&file, &path) {
            return Ok(Lock { path, _file: file });
        }
    }
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// Without inode numbers the lock file is not deleted while in use (Windows refuses to), so
/// the path always names the open file.
#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// A held lock (see `lock`).
struct Lock {
    path: PathBuf,
    _file: File,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Deleted before the file is closed, which releases the lock.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Swaps `staging` and `target` in one step.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(staging: &Path, target: &Path, _previous: &Path) -> Result<(), Diagnostic> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE).map_err(|e| {
        error(
            target,
            format!(
                "cannot swap `{}` into `{}`: {e}",
                staging.display(),
                target.display()
            ),
        )
    })
}

/// Moves `target` aside, then `staging` into its place: if killed in between, the next run
/// puts `previous` back (see `stage`).
#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(staging: &Path, target: &Path, previous: &Path) -> Result<(), Diagnostic> {
    rename(target, previous)?;
    rename(staging, target).inspect_err(|_| {
        let _ = std::fs::rename(previous, target);
    })
}

fn rename(from: &Path, to: &Path) -> Result<(), Diagnostic> {
    std::fs::rename(from, to).map_err(|e| {
        error(
            to,
            format!(
                "cannot rename `{}` to `{}`: {e}",
                from.display(),
                to.display()
            ),
        )
    })
}

/// Removes `dir` and everything in it.
fn remove(dir: &Path) -> Result<(), Diagnostic> {
    std::fs::remove_dir_all(dir)
        .map_err(|e| error(dir, format!("cannot remove `{}`: {e}", dir.display())))
}

/// How many threads flush files at once: enough for the filesystem to commit them together;
/// they wait on the disk, not on a core.
const FLUSHERS: usize = 8;

/// Writes `bytes` to the new file `path` and flushes it to disk.
fn write_durable(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let result = (|| {
        let mut f = File::create_new(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    result.map_err(|e| error(path, format!("cannot write `{}`: {e}", path.display())))
}

/// Links `previous` (a file of the output being replaced) in as `path` when it holds `bytes`,
/// is a plain file and nothing else links to it: bytes a run wrote (and flushed) are neither
/// written nor flushed again, and removing the previous output then only drops a name. Its
/// data is flushed first, a no-op unless something other than byoa wrote it. Whether it holds
/// `bytes` is read from the file, not trusted from the manifest. `false` (write the file
/// anew) when any of this does not hold or fails.
#[cfg(unix)]
fn reuse(path: &Path, previous: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    use std::os::unix::fs::MetadataExt;
    let linkable = std::fs::symlink_metadata(previous)
        .is_ok_and(|m| m.is_file() && m.nlink() == 1 && m.len() == bytes.len() as u64);
    if !linkable {
        return false;
    }
    let same = File::open(previous).and_then(|mut f| {
        let mut old = Vec::with_capacity(bytes.len());
        f.read_to_end(&mut old)?;
        let same = old == bytes;
        if same {
            f.sync_data()?;
        }
        Ok(same)
    });
    same.unwrap_or(false) && std::fs::hard_link(previous, path).is_ok()
}

/// Without link counts a file cannot be shown to be byoa's alone: always written anew.
#[cfg(not(unix))]
fn reuse(_path: &Path, _previous: &Path, _bytes: &[u8]) -> bool {
    false
}

/// Flushes a directory's entries (the names of the files in it) to disk.
fn sync_dir(dir: &Path) -> Result<(), Diagnostic> {
    if cfg!(unix) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| error(dir, format!("cannot flush `{}`: {e}", dir.display())))?;
    }
    Ok(())
}

fn error(path: &Path, message: String) -> Diagnostic {
    Diagnostic::file_error(Code::IoWrite, path, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn names(dir: &Path) -> Vec<std::ffi::OsString> {
        let entries = std::fs::read_dir(dir).unwrap();
        entries.map(|e| e.unwrap().file_name()).collect()
    }

    #[test]
    fn a_committed_staging_replaces_the_whole_directory() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("old.yaml"), "old").unwrap();
        let s = stage(&out, &owned(&["old.yaml"])).unwrap();
        std::fs::write(s.path().join("new.yaml"), "new").unwrap();
        s.commit().unwrap();
        assert_eq!(names(&out), ["new.yaml"]);
        let siblings = names(root.path());
        assert_eq!(
            siblings,
            ["out"],
            "no staging or previous directory is left"
        );
    }

    #[test]
    fn a_dropped_staging_changes_nothing_and_leaves_nothing() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("a.yaml"), "a").unwrap();
        let s = stage(&out, &owned(&["a.yaml"])).unwrap();
        std::fs::write(s.path().join("b.yaml"), "b").unwrap();
        drop(s);
        assert_eq!(std::fs::read_to_string(out.join("a.yaml")).unwrap(), "a");
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn leftovers_of_a_killed_run_are_cleaned_and_a_lost_output_is_put_back() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let previous = root.path().join(".out.byoa-previous");
        std::fs::create_dir(&previous).unwrap();
        std::fs::write(previous.join("a.yaml"), "a").unwrap();
        std::fs::create_dir(root.path().join(".out.byoa-staging")).unwrap();
        let s = stage(&out, &owned(&["a.yaml"])).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.yaml")).unwrap(), "a");
        assert!(!previous.exists());
        assert_eq!(std::fs::read_dir(s.path()).unwrap().count(), 0);
    }

    #[test]
    fn refuses_a_directory_with_files_byoa_did_not_write() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("notes.txt"), "mine").unwrap();
        std::fs::write(root.path().join(".root.yaml.tmp-42"), "").unwrap();
        let e = stage(root.path(), &owned(&["root.yaml"])).err().unwrap();
        assert_eq!(e.code, Code::IoOutputForeign);
        assert!(e.message.contains("`notes.txt`"), "{}", e.message);
        assert!(!e.message.contains("tmp-42"), "{}", e.message);
    }

    #[test]
    fn a_second_run_on_the_same_directory_is_refused_while_the_first_holds_the_lock() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let first = stage(&out, &owned(&[])).unwrap();
        let e = stage(&out, &owned(&[])).err().unwrap();
        assert_eq!(e.code, Code::IoOutputLocked);
        let beside = stage(&root.path().join("other"), &owned(&[]));
        assert!(
            beside.is_ok(),
            "another directory in the same parent is not locked"
        );
        drop((first, beside));
        let again = stage(&out, &owned(&[])).unwrap();
        again.commit().unwrap();
        let left = names(root.path());
        assert_eq!(left, ["out"], "the lock file goes with the run");
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_output_directory_stays_a_link_to_the_new_output() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("old.yaml"), "old").unwrap();
        let link = root.path().join("out");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let s = stage(&link, &owned(&["old.yaml"])).unwrap();
        std::fs::write(s.path().join("new.yaml"), "new").unwrap();
        s.commit().unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(names(&real), ["new.yaml"]);
        assert_eq!(
            std::fs::read_to_string(link.join("new.yaml")).unwrap(),
            "new"
        );
    }

    #[test]
    fn a_directory_written_as_dot_dot_is_swapped_under_its_own_name() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir_all(out.join("sub")).unwrap();
        let s = stage(&out.join("sub/.."), &owned(&["sub"])).unwrap();
        std::fs::write(s.path().join("new.yaml"), "new").unwrap();
        s.commit().unwrap();
        assert_eq!(names(&out), ["new.yaml"]);
        assert_eq!(names(root.path()), ["out"]);
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_are_linked_from_the_previous_output_and_the_rest_written_anew() {
        use std::os::unix::fs::MetadataExt;
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let first = stage(&out, &owned(&[])).unwrap();
        let files: [(&str, &[u8]); 4] = [
            ("same.yaml", b"same"),
            ("edited.yaml", b"abcd"),
            ("shared.yaml", b"kept"),
            ("guard/rules.guard", b"rule"),
        ];
        first.write(&files).unwrap();
        first.commit().unwrap();
        let inode = |f: &str| std::fs::metadata(out.join(f)).unwrap().ino();
        let before: Vec<u64> = files.iter().map(|(f, _)| inode(f)).collect();
        // A name outside the output shares this file: the next output must not.
        std::fs::hard_link(out.join("shared.yaml"), root.path().join("elsewhere")).unwrap();

        let owned_now = owned(&["same.yaml", "edited.yaml", "shared.yaml", "guard"]);
        let second = stage(&out, &owned_now).unwrap();
        let next: [(&str, &[u8]); 4] = [
            ("same.yaml", b"same"),
            ("edited.yaml", b"abce"),
            ("shared.yaml", b"kept"),
            ("guard/rules.guard", b"rule"),
        ];
        second.write(&next).unwrap();
        second.commit().unwrap();
        for (i, (file, bytes)) in next.iter().enumerate() {
            assert_eq!(&std::fs::read(out.join(file)).unwrap(), bytes, "{file}");
            let linked = inode(file) == before[i];
            let expected = matches!(*file, "same.yaml" | "guard/rules.guard");
            assert_eq!(linked, expected, "{file} linked: {linked}");
        }
        assert_eq!(
            std::fs::read(root.path().join("elsewhere")).unwrap(),
            b"kept"
        );
        assert_eq!(std::fs::metadata(out.join("same.yaml")).unwrap().nlink(), 1);
        let mut left = names(root.path());
        left.sort();
        assert_eq!(left, ["elsewhere", "out"]);
    }

    #[test]
    fn old_per_file_temporaries_are_recognised_by_their_pid_suffix() {
        assert!(is_old_temp_file(".root.yaml.tmp-1234"));
        assert!(!is_old_temp_file(".root.yaml.tmp-"));
        assert!(!is_old_temp_file("root.yaml.tmp-12"));
        assert!(!is_old_temp_file(".notes.tmp-x1"));
    }
}
