//! The machine-local cache of `generate`: the fingerprint of everything a run reads.
//!
//! A clean `generate` records the fingerprint of its inputs in `.clusterwright/cache`
//! ([`CACHE_PATH`](super::manifest::CACHE_PATH)); when the next run's fingerprint is the
//! same and every generated file is as written ([`up_to_date`](super::write::up_to_date)),
//! `generate`, `diff` and `check` know the answer without planning or rendering.
//!
//! Input: plain data (the blueprint's path, the template overrides as read, `--repack`);
//! this stage knows no command line. Output: a SHA-256 in hex.

use std::path::Path;

use super::manifest::fingerprint as hash_parts;

/// What a `generate` reads, gathered by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The blueprint file.
    pub blueprint: &'a Path,
    /// The blueprint seen from the output directory (the README names it).
    pub site: &'a str,
    /// The template overrides: path relative to the built-in templates → text. Empty
    /// without `--templates`.
    pub overrides: &'a [(String, String)],
    /// Whether the run packs every tenant afresh (`--repack`).
    pub repack: bool,
}

/// The fingerprint of `inputs` and of this binary (its version, size and mtime: a rebuilt
/// binary may render differently). `None` when the binary or the blueprint cannot be read;
/// then there is no shortcut.
pub fn fingerprint(inputs: &Inputs<'_>) -> Option<String> {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())?;
    let stamp = exe
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    let mut parts: Vec<Vec<u8>> = vec![
        env!("CARGO_PKG_VERSION").as_bytes().to_vec(),
        format!("{}:{stamp}", exe.len()).into_bytes(),
        std::fs::read(inputs.blueprint).ok()?,
        inputs.site.as_bytes().to_vec(),
        vec![u8::from(inputs.repack)],
    ];
    for (name, text) in inputs.overrides {
        parts.push(name.as_bytes().to_vec());
        parts.push(text.as_bytes().to_vec());
    }
    Some(hash_parts(parts.iter().map(Vec::as_slice)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_counts() {
        let dir = tempfile::tempdir().unwrap();
        let blueprint = dir.path().join("blueprint.yaml");
        std::fs::write(&blueprint, "name: a\n").unwrap();
        let overrides = [("a.tera".to_owned(), "x".to_owned())];
        let base = Inputs {
            blueprint: &blueprint,
            site: "../blueprint.yaml",
            overrides: &[],
            repack: false,
        };
        let first = fingerprint(&base).unwrap();
        assert_eq!(fingerprint(&base).unwrap(), first, "deterministic");
        let repacked = fingerprint(&Inputs {
            repack: true,
            ..base
        });
        let overridden = fingerprint(&Inputs {
            overrides: &overrides,
            ..base
        });
        let elsewhere = fingerprint(&Inputs {
            site: "../../blueprint.yaml",
            ..base
        });
        assert_ne!(
            elsewhere.as_deref(),
            Some(first.as_str()),
            "the README names the site"
        );
        assert_ne!(repacked.unwrap(), first);
        assert_ne!(overridden.unwrap(), first);
        std::fs::write(&blueprint, "name: b\n").unwrap();
        assert_ne!(fingerprint(&base).unwrap(), first);
        std::fs::remove_file(&blueprint).unwrap();
        assert_eq!(fingerprint(&base), None, "no blueprint, no shortcut");
    }
}
