//! How long each managed Kubernetes service supports a Kubernetes minor version: the end
//! of standard support per cloud and minor, and the date the table was read.
//!
//! Stage: shared by `blueprint::validate` (rule `kubernetes-support`). Pure data. The rule
//! compares the end dates with [`READ_ON`], not with the clock, so that the same blueprint
//! always validates the same way; the table is refreshed (and `READ_ON` moved) by a reviewed
//! change, like every pinned version of this tool.
//!
//! Sources (read 2026-12-02), each the cloud's own calendar as collected by
//! endoflife-date/endoflife.date@a70eca337600e7d721dc48112c271f98661d208b (2026-08-22),
//! `products/amazon-eks.md`, `products/google-kubernetes-engine.md`,
//! `products/azure-kubernetes-service.md`:
//! - EKS: <https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html>
//!   ("Amazon EKS Kubernetes release calendar", column "End of standard support"; a minor
//!   is in standard support for 14 months, then in paid extended support for 12).
//! - GKE: <https://cloud.google.com/kubernetes-engine/docs/release-schedule> (column "End of
//!   standard support"; endoflife.date's `eol`, its `eoas` being the end of the active
//!   period before maintenance).
//! - AKS: <https://learn.microsoft.com/azure/aks/supported-kubernetes-versions> ("AKS
//!   Kubernetes release calendar", column "End of life"; exact dates from the release notes
//!   at <https://github.com/Azure/AKS/releases>, e.g. 1.35 GA in release 2026-03-05). After
//!   it a minor has platform support only, or paid Long Term Support.

use super::Cloud;

/// The day the table below was read (ISO 8601).
pub const READ_ON: &str = "2026-12-02";

/// Where the table comes from, in a few words (for messages).
pub const SOURCE: &str = "the EKS, GKE and AKS release calendars (read 2026-12-02)";

/// End of standard support (ISO 8601 date) of Kubernetes `minor` (e.g. `"1.35"`) on
/// `cloud`, or `None` when the table does not list it (newer than the table, or older than
/// its oldest row: see [`oldest`]).
pub fn end_of_standard_support(cloud: Cloud, minor: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .find(|(c, m, _)| *c == cloud && *m == minor)
        .map(|(_, _, end)| *end)
}

/// The oldest minor the table lists for `cloud`: anything older left standard support
/// before the table's first row did.
pub fn oldest(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws | Cloud::Gcp | Cloud::Azure => "1.29",
    }
}

/// The minors in standard support on [`READ_ON`] on `cloud`, oldest first.
pub fn supported_on_read_date(cloud: Cloud) -> Vec<&'static str> {
    TABLE
        .iter()
        .filter(|(c, _, end)| *c == cloud && *end > READ_ON)
        .map(|(_, minor, _)| *minor)
        .collect()
}

/// Whether `minor` is past the end of standard support on `cloud` on [`READ_ON`]: listed
/// with an end date on or before it, or older than the oldest row. A minor newer than the
/// table is not (the table is older than it).
pub fn past_standard_support(cloud: Cloud, minor: &str) -> bool {
    match end_of_standard_support(cloud, minor) {
        Some(end) => end <= READ_ON,
        None => minor_number(minor)
            .is_some_and(|m| minor_number(oldest(cloud)).is_some_and(|oldest| m < oldest)),
    }
}

/// The minor number of `1.<minor>`.
fn minor_number(version: &str) -> Option<u32> {
    version.strip_prefix("1.")?.parse().ok()
}

/// (cloud, minor, end of standard support).
const TABLE: &[(Cloud, &str, &str)] = &[
    (Cloud::Aws, "1.29", "2025-03-23"),
    (Cloud::Aws, "1.30", "2025-07-23"),
    (Cloud::Aws, "1.31", "2025-11-26"),
    (Cloud::Aws, "1.32", "2026-03-23"),
    (Cloud::Aws, "1.33", "2026-07-29"),
    (Cloud::Aws, "1.34", "2026-12-02"),
    (Cloud::Aws, "1.35", "2027-03-27"),
    (Cloud::Aws, "1.36", "2027-08-02"),
    (Cloud::Gcp, "1.29", "2025-04-12"),
    (Cloud::Gcp, "1.30", "2025-09-30"),
    (Cloud::Gcp, "1.31", "2026-01-16"),
    (Cloud::Gcp, "1.32", "2026-04-11"),
    (Cloud::Gcp, "1.33", "2026-08-03"),
    (Cloud::Gcp, "1.34", "2026-10-01"),
    (Cloud::Gcp, "1.35", "2027-04-11"),
    (Cloud::Gcp, "1.36", "2027-08-09"),
    (Cloud::Azure, "1.29", "2025-03-31"),
    (Cloud::Azure, "1.30", "2025-08-22"),
    (Cloud::Azure, "1.31", "2025-11-01"),
    (Cloud::Azure, "1.32", "2026-03-31"),
    (Cloud::Azure, "1.33", "2026-07-31"),
    (Cloud::Azure, "1.34", "2026-11-30"),
    (Cloud::Azure, "1.35", "2027-03-31"),
    (Cloud::Azure, "1.36", "2027-06-30"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_blueprints_version_is_supported_everywhere_and_1_33_nowhere() {
        for cloud in [Cloud::Aws, Cloud::Gcp, Cloud::Azure] {
            assert!(past_standard_support(cloud, "1.33"), "{cloud}");
            assert!(past_standard_support(cloud, "1.34"), "{cloud}");
            assert!(!past_standard_support(cloud, "1.35"), "{cloud}");
            assert!(
                past_standard_support(cloud, "1.20"),
                "{cloud}: older than the table"
            );
            assert!(
                !past_standard_support(cloud, "1.40"),
                "{cloud}: newer than the table"
            );
            assert_eq!(supported_on_read_date(cloud), ["1.35", "1.36"], "{cloud}");
        }
    }

    #[test]
    fn every_cloud_lists_every_minor_once_in_date_order() {
        for cloud in [Cloud::Aws, Cloud::Gcp, Cloud::Azure] {
            let rows: Vec<_> = TABLE.iter().filter(|(c, _, _)| *c == cloud).collect();
            assert_eq!(rows.first().map(|r| r.1), Some(oldest(cloud)));
            for pair in rows.windows(2) {
                let [(_, a, ea), (_, b, eb)] = pair else {
                    unreachable!()
                };
                assert_eq!(minor_number(a).map(|m| m + 1), minor_number(b));
                assert!(ea < eb, "{cloud} {a} {b}");
            }
        }
    }
}
