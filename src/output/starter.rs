//! `init`: the commented starter blueprint written to disk.
//!
//! Input: a path and whether an existing file may be overwritten. Output: the file
//! ([`blueprint::STARTER`](crate::blueprint::STARTER)).

use std::path::Path;

use crate::blueprint::STARTER;
use crate::error::{Error, Result};

/// Writes the starter blueprint to `path`. An existing file is [`Error::Exists`] unless
/// `force`.
pub fn write(path: &Path, force: bool) -> Result<()> {
    if path.exists() && !force {
        return Err(Error::Exists {
            path: path.to_owned(),
        });
    }
    std::fs::write(path, STARTER).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}
