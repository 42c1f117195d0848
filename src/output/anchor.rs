//! The trust anchor dates recorded in an output directory, for `clusterwright check`.
//!
//! Stage 5. Input: an output directory. Output: per cluster whose
//! `manifests/<cluster>/linkerd-identity.yaml` exists, the `clusterwright.io/rotate-by`
//! and `clusterwright.io/expires-not-before` dates annotated on its trust anchor's
//! Certificate ([`crate::plan::encryption::anchor`] says how they are known). Reading the
//! files, not the plan, lets `check` warn even when the output is up to date and the plan
//! is never built.

use std::path::Path;

use crate::error::{Error, Result};

/// The annotation holding the day the rotation is due.
pub const ROTATE_BY: &str = "clusterwright.io/rotate-by";
/// The annotation holding the earliest day the anchor can expire.
pub const EXPIRES_NOT_BEFORE: &str = "clusterwright.io/expires-not-before";

/// One cluster's trust anchor dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorDates {
    /// The cluster (its directory under `manifests/`).
    pub cluster: String,
    /// The day the rotation is due (`YYYY-MM-DD`).
    pub rotate_by: String,
    /// The earliest day the anchor can expire (`YYYY-MM-DD`).
    pub expires_not_before: String,
}

impl AnchorDates {
    /// What `check` says on `today` (`YYYY-MM-DD`), if anything: ISO dates compare as
    /// strings.
    pub fn warning(&self, today: &str) -> Option<String> {
        let cluster = &self.cluster;
        if today >= self.expires_not_before.as_str() {
            Some(format!(
                "warning: cluster `{cluster}`: its Linkerd trust anchor may have expired (none expires before {}): read its date with `kubectl --context {cluster} -n linkerd get certificate linkerd-trust-anchor -o jsonpath='{{.status.notAfter}}'` and rotate it as DECISIONS.md says",
                self.expires_not_before
            ))
        } else if today >= self.rotate_by.as_str() {
            Some(format!(
                "warning: cluster `{cluster}`: its Linkerd trust anchor's rotation was due by {} (DECISIONS.md, \"Trust anchor rotation\"); no anchor expires before {}",
                self.rotate_by, self.expires_not_before
            ))
        } else {
            None
        }
    }
}

/// The anchor dates of every cluster in `dir`, sorted by cluster.
pub fn read(dir: &Path) -> Result<Vec<AnchorDates>> {
    let manifests = dir.join("manifests");
    let Ok(entries) = std::fs::read_dir(&manifests) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: manifests.clone(),
            source,
        })?;
        let path = entry.path().join("linkerd-identity.yaml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if let (Some(rotate_by), Some(expires_not_before)) = (
            annotation(&text, ROTATE_BY),
            annotation(&text, EXPIRES_NOT_BEFORE),
        ) {
            out.push(AnchorDates {
                cluster: entry.file_name().to_string_lossy().into_owned(),
                rotate_by,
                expires_not_before,
            });
        }
    }
    out.sort_by(|a, b| a.cluster.cmp(&b.cluster));
    Ok(out)
}

/// The value of `key: "value"` on a line of `text`.
fn annotation(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix(key)?.strip_prefix(':')?;
        Some(rest.trim().trim_matches('"').to_owned())
    })
}

/// Today's date in UTC (`YYYY-MM-DD`), from the system clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Days since 1970 fit an i64 for any clock.
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    crate::plan::encryption::anchor::iso_date(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_from_the_due_date_and_a_louder_one_from_the_earliest_expiry() {
        let d = AnchorDates {
            cluster: "c".to_owned(),
            rotate_by: "2035-11-30".to_owned(),
            expires_not_before: "2036-11-29".to_owned(),
        };
        assert_eq!(d.warning("2035-11-29"), None);
        assert!(
            d.warning("2035-11-30")
                .unwrap()
                .contains("was due by 2035-11-30")
        );
        assert!(
            d.warning("2036-11-29")
                .unwrap()
                .contains("may have expired")
        );
        assert_eq!(
            annotation("  clusterwright.io/rotate-by: \"2035-11-30\"\n", ROTATE_BY).as_deref(),
            Some("2035-11-30")
        );
    }
}
