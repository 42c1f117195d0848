//! `.clusterwright/manifest`: every generated path with the SHA-256 of its content, and
//! the platform the directory belongs to. Written last by `generate`; it is how the tool
//! knows which files it made, which of them were edited by hand since, and which it may
//! delete.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::HEADER;
use crate::error::{Error, Result};

/// Where the manifest lives, relative to the output directory.
pub const MANIFEST_PATH: &str = ".clusterwright/manifest";

/// Where the lock lives, relative to the output directory.
pub const LOCK_PATH: &str = ".clusterwright/lock";

/// Where the fingerprint of the last clean run's inputs lives. It depends on the binary
/// (its size and mtime), so it is machine-local: `.clusterwright/.gitignore` keeps it and
/// the lock out of version control, while the manifest is committed.
pub const CACHE_PATH: &str = ".clusterwright/cache";

/// `.clusterwright/.gitignore`.
pub const GITIGNORE_PATH: &str = ".clusterwright/.gitignore";

const FORMAT_LINE: &str = "# clusterwright manifest, format 1";

/// The generated files of an output directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The platform whose output this is.
    pub platform: Option<String>,
    /// Path → SHA-256 (hex) of the content as generated.
    pub files: BTreeMap<String, String>,
}

/// The SHA-256 of `content`, in hex.
pub fn hash(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

impl Manifest {
    /// Reads the manifest of `dir`; `None` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Self>> {
        let path = dir.join(MANIFEST_PATH);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Io { path, source }),
        };
        Self::parse(&text)
            .map(Some)
            .map_err(|message| Error::Manifest { path, message })
    }

    /// Parses manifest text.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let mut manifest = Self::default();
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(platform) = line.strip_prefix("platform ") {
                manifest.platform = Some(platform.to_owned());
                continue;
            }
            let Some((hash, path)) = line.split_once("  ") else {
                return Err(format!("line {}: expected `<sha256>  <path>`", n + 1));
            };
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("line {}: `{hash}` is not a SHA-256", n + 1));
            }
            manifest.files.insert(path.to_owned(), hash.to_owned());
        }
        Ok(manifest)
    }

    /// The manifest's text.
    pub fn render(&self) -> String {
        let mut out = format!("# {HEADER}\n{FORMAT_LINE}\n");
        if let Some(platform) = &self.platform {
            let _ = writeln!(out, "platform {platform}");
        }
        for (path, hash) in &self.files {
            let _ = writeln!(out, "{hash}  {path}");
        }
        out
    }
}

/// The SHA-256 of `parts`, each length-prefixed so that no two lists of parts collide.
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_round_trip() {
        let m = Manifest {
            platform: Some("acme".into()),
            files: BTreeMap::from([("a/b.tf".into(), hash(b"x")), ("c d.md".into(), hash(b""))]),
        };
        assert_eq!(Manifest::parse(&m.render()).unwrap(), m);
        assert_eq!(
            hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn broken_manifests_say_where() {
        assert_eq!(
            Manifest::parse("nonsense").unwrap_err(),
            "line 1: expected `<sha256>  <path>`"
        );
        assert!(
            Manifest::parse("abc  x")
                .unwrap_err()
                .contains("not a SHA-256")
        );
    }
}
