//! `generate`: bring an output directory to the output tree, safely.
//!
//! - A lock (`.clusterwright/lock`) keeps two runs on one directory from interleaving: the
//!   second waits for the first.
//! - Files edited by hand since the last run, and files clusterwright did not generate, are
//!   never overwritten or deleted: the run stops and names them (`--force` overrides).
//! - Only what changed is written (unchanged files keep their mtime), each file atomically
//!   (a temporary file in the same folder, then a rename); files generated earlier and no
//!   longer produced are deleted; the manifest is written last. A run killed at any point
//!   leaves every file either old or new, and the next run converges.

use std::collections::BTreeSet;
use std::fs::{self, File, TryLockError};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::OutputTree;
use super::compare::{Comparison, Entry, Status, compare};
use super::manifest::{CACHE_PATH, GITIGNORE_PATH, LOCK_PATH, MANIFEST_PATH, Manifest, hash};
use crate::error::{Error, Result};

/// What a `generate` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Files written that did not exist.
    pub created: Vec<String>,
    /// Files rewritten.
    pub updated: Vec<String>,
    /// Files deleted.
    pub deleted: Vec<String>,
    /// Files left as they were.
    pub unchanged: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "created {}, updated {}, deleted {}, unchanged {}",
            self.created.len(),
            self.updated.len(),
            self.deleted.len(),
            self.unchanged
        )
    }
}

/// An exclusive lock on an output directory, released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock of `dir`, waiting for another run that holds it; `on_wait` is called
    /// once if it has to wait.
    pub fn take(dir: &Path, on_wait: impl FnOnce()) -> Result<Self> {
        let path = dir.join(LOCK_PATH);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                on_wait();
                file.lock().map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
            }
            Err(TryLockError::Error(source)) => return Err(Error::Io { path, source }),
        }
        Ok(Self { _file: file })
    }
}

/// The cache's record of a clean run: its `inputs` fingerprint and the hash of the manifest
/// it wrote. The cache is machine-local and git-ignored while the manifest is committed, so
/// a `git stash`, `restore` or `checkout` of the output puts back another manifest under the
/// same cache: keyed on the manifest as it is on disk, the cache then vouches for nothing.
fn cache_record(inputs: &str, manifest: &[u8]) -> String {
    format!("{inputs}\nmanifest {}\n", hash(manifest))
}

/// Whether `dir` already holds the output of `inputs` (the cache records that fingerprint
/// with the manifest that is on disk) and every generated file is as generated: then a rerun
/// has nothing to do and need not even plan. Returns the manifest when so. Call with the
/// lock held, or expect a concurrent `generate` to make the answer stale.
pub fn up_to_date(dir: &Path, inputs: &str) -> Result<Option<Manifest>> {
    let Ok(manifest_bytes) = fs::read(dir.join(MANIFEST_PATH)) else {
        return Ok(None);
    };
    let expected = cache_record(inputs, &manifest_bytes);
    if fs::read_to_string(dir.join(CACHE_PATH)).ok().as_deref() != Some(expected.as_str()) {
        return Ok(None);
    }
    let Some(manifest) = Manifest::read(dir)? else {
        return Ok(None);
    };
    // Reading and hashing every file is all a no-op run does: on every core.
    let files: Vec<(&String, &String)> = manifest.files.iter().collect();
    let as_written = crate::parallel::map(&files, |(path, expected)| {
        fs::read(dir.join(path)).is_ok_and(|bytes| &hash(&bytes) == *expected)
    });
    if !as_written.iter().all(|ok| *ok) || super::compare::has_unmanaged(dir, &manifest)? {
        return Ok(None);
    }
    Ok(Some(manifest))
}

/// Brings `dir` to `tree`, recording `platform` and the `inputs` fingerprint (when the
/// run is clean enough to be skipped next time) in the manifest. Call with the lock held.
pub fn write(
    tree: &OutputTree,
    dir: &Path,
    platform: &str,
    inputs: Option<&str>,
    force: bool,
) -> Result<(Report, Comparison)> {
    let comparison = crate::parallel::timed("compare", || compare(tree, dir))?;
    // Nothing is written unless every file parses back (those an earlier run wrote as
    // they are now were checked then; how much is parsed back: `ParseBack`).
    crate::parallel::timed("parse back", || {
        tree.check_except(|path| comparison.known_good(path))
    })?;
    guard(&comparison, dir, platform, force)?;
    crate::parallel::timed("remove leftovers", || remove_leftovers(dir, &comparison));

    let report = crate::parallel::timed("write files", || apply(&comparison, dir))?;

    let manifest = crate::parallel::timed("hash", || {
        let files: Vec<(&str, &super::GeneratedFile)> = tree.files().collect();
        let hashes = crate::parallel::map(&files, |(_, f)| hash(f.content.as_bytes()));
        Manifest {
            platform: Some(platform.to_owned()),
            files: files
                .iter()
                .zip(hashes)
                .map(|((p, _), h)| ((*p).to_owned(), h))
                .collect(),
        }
    });
    let text = manifest.render();
    if comparison.manifest.as_ref() != Some(&manifest) {
        write_atomic(&dir.join(MANIFEST_PATH), text.as_bytes())?;
    }
    // What the cache vouches for: the manifest as it is now on disk.
    let manifest_bytes = fs::read(dir.join(MANIFEST_PATH)).map_err(|source| Error::Io {
        path: dir.join(MANIFEST_PATH),
        source,
    })?;
    let ignore = dir.join(GITIGNORE_PATH);
    if !ignore.exists() {
        write_atomic(&ignore, b"# clusterwright's lock and its machine-local cache; commit the manifest\nlock\ncache\n")?;
    }
    // After the manifest: a fingerprint never vouches for a tree that was not finished.
    let cache = dir.join(CACHE_PATH);
    match inputs {
        Some(inputs) => write_atomic(&cache, cache_record(inputs, &manifest_bytes).as_bytes())?,
        None => {
            let _ = fs::remove_file(&cache);
        }
    }
    Ok((report, comparison))
}

/// Carries out `comparison` in `dir`: deletes what is no longer generated, then writes what
/// is new or changed, every file through a temporary file and a rename ([`write_atomic`]).
///
/// The files are written on every core, into folders created once beforehand. That keeps
/// the promise of a run killed at any point (module documentation): each file is still
/// replaced by one rename, so it is either old or new whatever the order of the writes,
/// and the manifest, which alone says what the directory holds, is written by the caller
/// after every write here has finished. A failed write stops the run before the manifest as
/// a killed run would (other files of the same run may be new already); the first error
/// in path order is the one returned. Deleting first means a file may become a folder, or
/// a folder a file, between two runs. Nothing is fsync'ed (the promise is about a killed
/// process, not a lost machine; neither `cp -r` nor `git checkout` syncs).
fn apply(comparison: &Comparison, dir: &Path) -> Result<Report> {
    let mut report = Report::default();
    for entry in &comparison.entries {
        if let (Status::Delete | Status::EditedStale, None) = (entry.status, &entry.new) {
            let path = dir.join(&entry.path);
            fs::remove_file(&path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            remove_empty_parents(dir, &path);
            report.deleted.push(entry.path.clone());
        }
    }
    let writes: Vec<(&Entry, &str)> = comparison
        .entries
        .iter()
        .filter_map(|e| match (e.status, &e.new) {
            (Status::Create | Status::Update | Status::Edited | Status::Foreign, Some(content)) => {
                Some((e, content.as_str()))
            }
            _ => None,
        })
        .collect();
    // Every folder once, parents before children (sorted paths), not once per file.
    let folders: BTreeSet<&str> = writes
        .iter()
        .filter_map(|(e, _)| e.path.rsplit_once('/').map(|(folder, _)| folder))
        .collect();
    for folder in folders {
        let folder = dir.join(folder);
        fs::create_dir_all(&folder).map_err(|source| Error::Io {
            path: folder.clone(),
            source,
        })?;
    }
    let written = crate::parallel::map(&writes, |(entry, content)| {
        write_file(&dir.join(&entry.path), content.as_bytes())
    });
    for ((entry, _), result) in writes.iter().zip(written) {
        result?;
        if entry.status == Status::Create {
            report.created.push(entry.path.clone());
        } else {
            report.updated.push(entry.path.clone());
        }
    }
    report.unchanged = comparison.count(Status::Unchanged);
    Ok(report)
}

/// Refuses to touch a directory of another platform, hand-edited files and files that are
/// not ours, unless forced.
fn guard(comparison: &Comparison, dir: &Path, platform: &str, force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    if let Some(other) = comparison
        .manifest
        .as_ref()
        .and_then(|m| m.platform.as_deref())
        && other != platform
    {
        return Err(Error::OtherPlatform {
            dir: dir.to_owned(),
            platform: other.to_owned(),
            ours: platform.to_owned(),
        });
    }
    let conflicts: Vec<(String, &'static str)> = comparison
        .conflicts()
        .map(|e| (e.path.clone(), e.status.word()))
        .collect();
    if conflicts.is_empty() {
        Ok(())
    } else {
        Err(Error::Conflicts {
            dir: dir.to_owned(),
            files: conflicts,
        })
    }
}

/// How the name of a temporary file ends.
const TMP_SUFFIX: &str = ".clusterwright-tmp";

/// The temporary file for `path`: in the same folder, so the rename cannot cross file
/// systems.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}{TMP_SUFFIX}"))
}

/// Writes `content` to `path` through a temporary file and a rename, creating its folder.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_owned(),
            source,
        })?;
    }
    write_file(path, content)
}

/// [`write_atomic`] into a folder that exists.
fn write_file(path: &Path, content: &[u8]) -> Result<()> {
    let tmp = temporary(path);
    let written = File::create(&tmp).and_then(|mut f| f.write_all(content));
    if let Err(source) = written.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(Error::Io {
            path: path.to_owned(),
            source,
        });
    }
    Ok(())
}

/// Removes temporary files an interrupted run left next to the files it generates: one
/// listing per folder of generated files (a folder that does not exist holds none), on
/// every core, rather than one removal per file.
fn remove_leftovers(dir: &Path, comparison: &Comparison) {
    let folders: BTreeSet<&str> = comparison
        .entries
        .iter()
        .map(|e| e.path.rsplit_once('/').map_or("", |(folder, _)| folder))
        .chain([MANIFEST_PATH.rsplit_once('/').map_or("", |(f, _)| f)])
        .collect();
    let folders: Vec<&str> = folders.into_iter().collect();
    crate::parallel::map(&folders, |folder| {
        let Ok(entries) = fs::read_dir(dir.join(folder)) else {
            return;
        };
        for entry in entries.filter_map(std::result::Result::ok) {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(TMP_SUFFIX) {
                let _ = fs::remove_file(entry.path());
            }
        }
    });
}

/// Removes the folders between `path` and `dir` that deleting `path` left empty.
fn remove_empty_parents(dir: &Path, path: &Path) {
    let mut current = path.parent();
    while let Some(folder) = current {
        if folder == dir || !folder.starts_with(dir) || fs::remove_dir(folder).is_err() {
            break;
        }
        current = folder.parent();
    }
}
