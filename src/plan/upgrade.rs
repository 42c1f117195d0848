//! Kubernetes upgrades of running clusters, one minor version at a time.
//!
//! Part of stage 3 (plan). Input: the blueprint's Kubernetes version and the previous
//! placement, whose `facts:` record the version each cluster was planned for. Output: a
//! `kubernetes-upgrade` error for a version that skips a minor version of a running
//! cluster.
//!
//! A managed control plane goes up one minor version per upgrade. EKS: "Control plane
//! version upgrades must be done for one minor version at a time"
//! (<https://docs.aws.amazon.com/eks/latest/eksctl/cluster-upgrade.html>, "Updating control
//! plane version"). GKE upgrades a cluster "to a newer minor version (for example, 1.33
//! to 1.34)" (<https://cloud.google.com/kubernetes-engine/docs/how-to/upgrading-a-cluster>).
//! AKS: minor versions cannot be skipped
//! (<https://learn.microsoft.com/azure/aks/upgrade-aks-cluster>). All three follow the
//! Kubernetes version skew policy, under which the API server moves one minor version at a
//! time (<https://kubernetes.io/releases/version-skew-policy/>). A blueprint that jumps from
//! 1.33 to 1.35 would generate code that every apply refuses, half-way through a fleet;
//! refusing it here names the step in between instead.

use std::collections::BTreeMap;

use super::placement::Placement;
use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;

/// How many cluster names a message lists before it says "and N more".
const NAMED: usize = 3;

/// `major.minor` of a Kubernetes version (`"1.35"` → `(1, 35)`).
fn minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Reports every previous version from which `version` is more than one minor version up,
/// with the clusters that run it.
pub fn check(version: &str, previous: Option<&Placement>, problems: &mut Vec<Problem>) {
    let (Some(previous), Some((major, to))) = (previous, minor(version)) else {
        return;
    };
    // Previous version → the clusters planned for it, in name order.
    let mut behind: BTreeMap<(u32, u32), Vec<&str>> = BTreeMap::new();
    for (name, cluster) in previous.environments.values().flatten() {
        let Some(from) = cluster
            .facts
            .as_ref()
            .and_then(|f| minor(&f.kubernetes_version))
        else {
            continue;
        };
        if from.0 == major && to > from.1 + 1 {
            behind.entry(from).or_default().push(name);
        }
    }
    for ((major, from), mut clusters) in behind {
        clusters.sort_unstable();
        let mut names: Vec<String> = clusters
            .iter()
            .take(NAMED)
            .map(|c| format!("`{c}`"))
            .collect();
        if clusters.len() > NAMED {
            names.push(format!("{} more", clusters.len() - NAMED));
        }
        let next = format!("{major}.{}", from + 1);
        problems.push(
            Problem::error(
                Rule::KubernetesUpgrade,
                KeyPath::keys(["kubernetesVersion"]),
                format!(
                    "Kubernetes {version} skips {} for the clusters that run {major}.{from} ({}): EKS, GKE and AKS upgrade a control plane one minor version at a time, so their apply would fail",
                    skipped(major, from, to),
                    names.join(", "),
                ),
            )
            .with_help(format!(
                "set `kubernetesVersion: \"{next}\"`, generate and apply every cluster, then go on one minor version per apply"
            )),
        );
    }
}

/// The minor versions between `from` and `to`, both excluded (`1.34`, `1.34 and 1.35`).
fn skipped(major: u32, from: u32, to: u32) -> String {
    let versions: Vec<String> = (from + 1..to).map(|m| format!("{major}.{m}")).collect();
    match versions.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => versions.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_versions_parse_and_skips_are_named() {
        assert_eq!(minor("1.35"), Some((1, 35)));
        assert_eq!(minor("1.9"), Some((1, 9)));
        assert_eq!(minor("one"), None);
        assert_eq!(skipped(1, 33, 35), "1.34");
        assert_eq!(skipped(1, 32, 35), "1.33 and 1.34");
        assert_eq!(skipped(1, 31, 35), "1.32, 1.33 and 1.34");
    }
}
