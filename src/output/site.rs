//! Where the blueprint is, seen from the output directory: what the generated README's
//! commands name, so that they compare the right blueprint with the right directory.
//!
//! Input: the two paths as the user gave them. Output: the blueprint's path relative to the
//! output directory, with `/` separators (the same from any working directory, so the
//! README's bytes do not depend on where `generate` ran), shell-quoted where it needs it.

use std::path::{Component, Path, PathBuf};

/// The blueprint at `blueprint`, relative to the output directory `dir` (which need not
/// exist yet), ready to paste into a shell; `None` when no relative path exists (another
/// drive, an unreadable folder).
pub fn blueprint_from(dir: &Path, blueprint: &Path) -> Option<String> {
    let dir = absolute(dir)?;
    let file = absolute(blueprint)?;
    let dir: Vec<Component<'_>> = dir.components().collect();
    let file: Vec<Component<'_>> = file.components().collect();
    let common = dir.iter().zip(&file).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), dir.len() - common).collect();
    for part in file.get(common..)? {
        parts.push(part.as_os_str().to_str()?.to_owned());
    }
    Some(quoted(&parts.join("/")))
}

/// `path` made absolute and free of `.`, `..` and symbolic links, as far as it exists; the
/// rest (an output directory not made yet) appended as written, `.` and `..` resolved.
fn absolute(path: &Path) -> Option<PathBuf> {
    let path = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let components: Vec<Component<'_>> = path.components().collect();
    for n in (1..=components.len()).rev() {
        let prefix: PathBuf = components.get(..n)?.iter().collect();
        let Ok(mut out) = prefix.canonicalize() else {
            continue;
        };
        for component in components.get(n..)? {
            match component {
                Component::ParentDir => {
                    out.pop();
                }
                Component::Normal(part) => out.push(part),
                _ => {}
            }
        }
        return Some(out);
    }
    None
}

/// `text` as one shell word: as it is when it holds only safe characters, else in single
/// quotes.
fn quoted(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-' | '_' | '+' | ','));
    if safe {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blueprint_seen_from_the_output_directory() {
        let root = tempfile_root();
        let blueprints = root.join("blueprints");
        std::fs::create_dir_all(&blueprints).unwrap();
        std::fs::write(blueprints.join("acme.yaml"), "x").unwrap();
        let file = blueprints.join("acme.yaml");
        assert_eq!(
            blueprint_from(&root.join("examples/acme"), &file).as_deref(),
            Some("../../blueprints/acme.yaml")
        );
        assert_eq!(
            blueprint_from(&root.join("blueprints/out"), &file).as_deref(),
            Some("../acme.yaml")
        );
        assert_eq!(
            blueprint_from(&root.join("a/./b/../c"), &file).as_deref(),
            Some("../../blueprints/acme.yaml")
        );
        std::fs::write(root.join("my platform.yaml"), "x").unwrap();
        assert_eq!(
            blueprint_from(&root.join("out"), &root.join("my platform.yaml")).as_deref(),
            Some("'../my platform.yaml'")
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    fn tempfile_root() -> PathBuf {
        let root = std::env::temp_dir().join(format!("clusterwright-site-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        root
    }
}
