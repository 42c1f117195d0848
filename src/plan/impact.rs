//! What a change does to running infrastructure, per cluster and node group: `create`,
//! `update`, `roll`, `replace`, `destroy` or `weaken` (DESIGN.md, "Review: what a change
//! does to live infrastructure"), each with the reason in words and where the rule comes
//! from.
//!
//! Part of stage 3 (plan), pure. Input: the previous run's [`Placement`] (with the
//! [`ClusterFacts`] it recorded), the new one, and the tenants moved between them.
//! Output: a list of [`Impact`]s, production first, the gravest first. Replacements come
//! from the table of attributes that force replacement ([`crate::cloud::replace`]);
//! destroys, moves and weakenings from the plan itself. A previous placement written
//! before facts were recorded yields what the placement alone shows (clusters and node
//! groups created, destroyed or resized, tenants moved, ranges changed).

use std::collections::{BTreeMap, BTreeSet};

use super::facts::{ClusterFacts, GroupFacts, isolation_rank};
use super::placement::{Move, PlacedCluster, Placement};
use crate::cloud::Cloud;
use crate::cloud::policy::{ProductionIsolation, Trust};
use crate::cloud::replace::{self, Driver, Effect};

pub mod kind;
pub use kind::{Impact, ImpactClass, SAFE_PATH};

/// The source named for what the plan decides itself.
const PLAN: &str = "plan";

/// Every impact of going from `before` to `after`; `moved` are the tenants that change
/// cluster. Without `before`, there is nothing to compare with: no impacts.
pub fn impacts(before: Option<&Placement>, after: &Placement, moved: &[Move]) -> Vec<Impact> {
    let Some(before) = before else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (env, old, new) in super::placement::paired(before, after) {
        // Whether the environment is production, from any facts recorded for it.
        let production = old
            .values()
            .chain(new.values())
            .find_map(|c| c.facts.as_ref().map(|f| f.production))
            .unwrap_or(false);
        let tenants_now: BTreeSet<&String> = new.values().flat_map(|c| &c.tenants).collect();
        let mut continued: BTreeSet<&String> = BTreeSet::new();
        for (name, cluster) in new {
            let at = At {
                cluster: name,
                environment: env,
                production: cluster.facts.as_ref().map_or(production, |f| f.production),
            };
            let previous = old.get_key_value(name).or_else(|| {
                cluster
                    .formerly
                    .last()
                    .filter(|f| !new.contains_key(*f))
                    .and_then(|f| old.get_key_value(f))
            });
            let Some((old_name, was)) = previous else {
                out.push(at.impact(ImpactClass::Create, None, "a new cluster".to_owned(), PLAN));
                continue;
            };
            continued.insert(old_name);
            if old_name != name {
                let cloud = cluster.facts.as_ref().map_or(Cloud::Aws, |f| f.cloud);
                out.push(at.table(
                    cloud,
                    Driver::Name,
                    false,
                    format!("renamed from `{old_name}` by `--repack`: a cluster's name is set at creation"),
                ));
            }
            compare(&at, was, cluster, &tenants_now, &mut out);
        }
        for (name, was) in old.iter().filter(|(n, _)| !continued.contains(n)) {
            let at = At {
                cluster: name,
                environment: env,
                production: was.facts.as_ref().map_or(production, |f| f.production),
            };
            out.push(at.impact(
                ImpactClass::Destroy,
                None,
                format!(
                    "the cluster is removed, with everything running on it ({})",
                    tenant_list(&was.tenants)
                ),
                PLAN,
            ));
        }
        moves_away(env, old, new, production, moved, &mut out);
    }
    policy(before, after, &mut out);
    out.sort_by(|a, b| {
        (
            !a.production,
            a.impact,
            &a.environment,
            &a.cluster,
            &a.node_group,
        )
            .cmp(&(
                !b.production,
                b.impact,
                &b.environment,
                &b.cluster,
                &b.node_group,
            ))
    });
    out.dedup();
    out
}

/// A tenant that moves away from a cluster: a destroy there (its workloads leave), with
/// whether its node groups stay, draining, until the move is completed.
fn moves_away(
    env: &String,
    old: &BTreeMap<String, PlacedCluster>,
    new: &BTreeMap<String, PlacedCluster>,
    production: bool,
    moved: &[Move],
    out: &mut Vec<Impact>,
) {
    for m in moved.iter().filter(|m| &m.environment == env) {
        let Some(from) = new.get(&m.from).or_else(|| old.get(&m.from)) else {
            continue;
        };
        let at = At {
            cluster: &m.from,
            environment: env,
            production: from.facts.as_ref().map_or(production, |f| f.production),
        };
        let draining = new
            .get(&m.from)
            .and_then(|c| c.facts.as_ref())
            .is_some_and(|f| {
                f.node_groups
                    .values()
                    .any(|g| g.draining && g.tenant.as_ref() == Some(&m.tenant))
            });
        let rest = if draining {
            format!(
                "its node groups stay here, draining, until `clusterwright generate --complete-move {}`",
                m.tenant
            )
        } else {
            "its node groups here are removed in this apply".to_owned()
        };
        out.push(at.impact(
            ImpactClass::Destroy,
            None,
            format!(
                "tenant `{}` moves away to `{}`: its workloads must be migrated; {rest}",
                m.tenant, m.to
            ),
            PLAN,
        ));
    }
}

/// Where an impact happens.
struct At<'a> {
    cluster: &'a str,
    environment: &'a str,
    production: bool,
}

impl At<'_> {
    fn impact(
        &self,
        impact: ImpactClass,
        node_group: Option<&str>,
        reason: String,
        source: &str,
    ) -> Impact {
        Impact {
            impact,
            cluster: self.cluster.to_owned(),
            environment: self.environment.to_owned(),
            production: self.production,
            node_group: node_group.map(str::to_owned),
            reason,
            source: source.to_owned(),
        }
    }

    /// An impact whose class and source come from the replace table's row for `driver`.
    fn table(&self, cloud: Cloud, driver: Driver, node_group: bool, reason: String) -> Impact {
        self.table_group(cloud, driver, node_group, None, reason)
    }

    fn table_group(
        &self,
        cloud: Cloud,
        driver: Driver,
        group_row: bool,
        node_group: Option<&str>,
        reason: String,
    ) -> Impact {
        let row = replace::lookup(cloud, driver, group_row);
        let (class, source) = row.map_or((ImpactClass::Replace, PLAN), |r| {
            (
                match r.effect {
                    Effect::Replace => ImpactClass::Replace,
                    Effect::Roll => ImpactClass::Roll,
                    Effect::Update => ImpactClass::Update,
                },
                r.source,
            )
        });
        let reason = match row {
            Some(r) => format!("{reason} (`{}.{}`)", r.resource, r.attribute),
            None => reason,
        };
        self.impact(class, node_group, reason, source)
    }
}

/// The impacts of one cluster that exists before (`was`) and after (`now`).
fn compare(
    at: &At<'_>,
    was: &PlacedCluster,
    now: &PlacedCluster,
    tenants_now: &BTreeSet<&String>,
    out: &mut Vec<Impact>,
) {
    let cloud = now.facts.as_ref().map_or(Cloud::Aws, |f| f.cloud);
    if was.cidr != now.cidr {
        out.push(at.table(
            cloud,
            Driver::Cidr,
            false,
            format!(
                "its address range changes from {} to {}: its network and everything in it are created again",
                was.cidr, now.cidr
            ),
        ));
    }
    let (Some(old), Some(new)) = (&was.facts, &now.facts) else {
        groups_by_size(at, was, now, tenants_now, out);
        return;
    };
    cluster_facts(at, old, new, out);
    groups(at, old, new, tenants_now, out);
}

/// Cluster-wide facts: where it runs, what it runs, how it is cut off.
fn cluster_facts(at: &At<'_>, old: &ClusterFacts, new: &ClusterFacts, out: &mut Vec<Impact>) {
    if old.cloud == new.cloud {
        if old.region != new.region {
            out.push(at.table(
                new.cloud,
                Driver::Region,
                false,
                format!(
                    "its region changes from `{}` to `{}`",
                    old.region, new.region
                ),
            ));
        }
        if old.account != new.account {
            out.push(at.table(
                new.cloud,
                Driver::Account,
                false,
                format!(
                    "its account changes from `{}` to `{}`",
                    old.account, new.account
                ),
            ));
        }
        if old.cni != new.cni {
            out.push(at.table(
                new.cloud,
                Driver::Cni,
                false,
                format!(
                    "its pod network changes from {} to {}: {SAFE_PATH}",
                    cni_word(old),
                    cni_word(new)
                ),
            ));
        }
    } else {
        out.push(at.impact(
            ImpactClass::Replace,
            None,
            format!(
                "it moves from {} to {}: a cluster cannot change cloud; it is created on the new one and the old one destroyed",
                old.cloud, new.cloud
            ),
            PLAN,
        ));
    }
    stack_facts(at, old, new, out);
}

/// What runs on the cluster and how it is cut off: Kubernetes version, encryption,
/// isolation, production.
fn stack_facts(at: &At<'_>, old: &ClusterFacts, new: &ClusterFacts, out: &mut Vec<Impact>) {
    if old.kubernetes_version != new.kubernetes_version {
        if version_lower(&new.kubernetes_version, &old.kubernetes_version) {
            out.push(at.impact(
                ImpactClass::Replace,
                None,
                format!(
                    "Kubernetes goes down from {} to {}: a control plane is never downgraded; only a new cluster runs the older version",
                    old.kubernetes_version, new.kubernetes_version
                ),
                PLAN,
            ));
        } else {
            out.push(at.table(
                new.cloud,
                Driver::KubernetesVersion,
                false,
                format!(
                    "the control plane is upgraded in place from Kubernetes {} to {}",
                    old.kubernetes_version, new.kubernetes_version
                ),
            ));
        }
    }
    let (before, after) = (old.encryption_rank(), new.encryption_rank());
    let swapped = old.network_encryption != new.network_encryption
        || old.mesh != new.mesh
        || old.cloud_encryption != new.cloud_encryption;
    if after < before {
        out.push(at.impact(
            ImpactClass::Weaken,
            None,
            format!(
                "encryption is lowered from {} to {}",
                stack_word(old),
                stack_word(new)
            ),
            PLAN,
        ));
    }
    if swapped && old.cni == new.cni && after >= before {
        out.push(at.impact(
            ImpactClass::Replace,
            None,
            format!(
                "the encryption stack changes from {} to {}: removed releases are uninstalled (`installed: false` in its helmfile) and the new ones installed, so every workload restarts; {SAFE_PATH}",
                stack_word(old),
                stack_word(new)
            ),
            "plan: helmfile releases",
        ));
    }
    if isolation_rank(&new.isolation) < isolation_rank(&old.isolation) {
        out.push(at.impact(
            ImpactClass::Weaken,
            None,
            format!(
                "its isolation is lowered from {} to {}",
                isolation_word(&old.isolation),
                isolation_word(&new.isolation)
            ),
            PLAN,
        ));
    }
    if old.production && !new.production {
        out.push(at.impact(
            ImpactClass::Weaken,
            None,
            "its environment is no longer production (deletion protection and production isolation go)".to_owned(),
            PLAN,
        ));
    }
}

/// Node groups compared by their facts.
fn groups(
    at: &At<'_>,
    old: &ClusterFacts,
    new: &ClusterFacts,
    tenants_now: &BTreeSet<&String>,
    out: &mut Vec<Impact>,
) {
    let names: BTreeSet<&String> = old
        .node_groups
        .keys()
        .chain(new.node_groups.keys())
        .collect();
    let upgraded = old.kubernetes_version != new.kubernetes_version
        && !version_lower(&new.kubernetes_version, &old.kubernetes_version);
    for name in names {
        match (old.node_groups.get(name), new.node_groups.get(name)) {
            (None, Some(g)) => out.push(at.impact(
                ImpactClass::Create,
                Some(name),
                format!("a new node group of {} × {}", g.nodes, g.instance_type),
                PLAN,
            )),
            (Some(g), None) => out.push(at.impact(
                ImpactClass::Destroy,
                Some(name),
                removed_group(g, tenants_now),
                PLAN,
            )),
            (Some(a), Some(b)) => {
                group_change(at, new.cloud, name, a, b, out);
                if upgraded {
                    out.push(at.table_group(
                        new.cloud,
                        Driver::KubernetesVersion,
                        true,
                        Some(name),
                        format!(
                            "its nodes are recreated one by one on Kubernetes {}",
                            new.kubernetes_version
                        ),
                    ));
                }
            }
            (None, None) => {}
        }
    }
}

/// What one node group that stays undergoes.
fn group_change(
    at: &At<'_>,
    cloud: Cloud,
    name: &str,
    a: &GroupFacts,
    b: &GroupFacts,
    out: &mut Vec<Impact>,
) {
    if a.instance_type != b.instance_type {
        // AKS's system pool is the cluster resource's `default_node_pool`.
        let group_row = !(cloud == Cloud::Azure && a.tenant.is_none());
        out.push(at.table_group(
            cloud,
            Driver::InstanceType,
            group_row,
            Some(name),
            format!(
                "its instance type changes from {} to {}",
                a.instance_type, b.instance_type
            ),
        ));
    }
    if a.nodes != b.nodes {
        out.push(at.impact(
            ImpactClass::Update,
            Some(name),
            format!("resized from {} to {} nodes", a.nodes, b.nodes),
            PLAN,
        ));
    }
    if a.trust == Some(Trust::Untrusted) && b.trust == Some(Trust::Trusted) {
        out.push(at.impact(
            ImpactClass::Weaken,
            Some(name),
            format!(
                "tenant `{}` goes from untrusted to trusted: its nodes lose the taint that kept other pods off",
                b.tenant.as_deref().unwrap_or_default()
            ),
            PLAN,
        ));
    }
}

/// Why a node group goes away.
fn removed_group(g: &GroupFacts, tenants_now: &BTreeSet<&String>) -> String {
    let size = format!("{} × {}", g.nodes, g.instance_type);
    match &g.tenant {
        Some(t) if g.draining => {
            format!("tenant `{t}`'s move is completed: its old node group ({size}) is removed")
        }
        Some(t) if !tenants_now.contains(t) => {
            format!(
                "tenant `{t}` is removed from the environment: its node group ({size}) is destroyed"
            )
        }
        _ => format!("the node group ({size}) is removed"),
    }
}

/// Node groups compared by size only (a placement without facts).
fn groups_by_size(
    at: &At<'_>,
    was: &PlacedCluster,
    now: &PlacedCluster,
    tenants_now: &BTreeSet<&String>,
    out: &mut Vec<Impact>,
) {
    if was.node_groups.is_empty() {
        return;
    }
    let names: BTreeSet<&String> = was
        .node_groups
        .keys()
        .chain(now.node_groups.keys())
        .collect();
    for name in names {
        match (was.node_groups.get(name), now.node_groups.get(name)) {
            (None, Some(n)) => out.push(at.impact(
                ImpactClass::Create,
                Some(name),
                format!("a new node group of {n} nodes"),
                PLAN,
            )),
            (Some(n), None) => {
                let gone = was.tenants.iter().any(|t| !tenants_now.contains(t));
                let why = if gone { "its tenant is removed: " } else { "" };
                out.push(at.impact(
                    ImpactClass::Destroy,
                    Some(name),
                    format!("{why}the node group ({n} nodes) is removed"),
                    PLAN,
                ));
            }
            (Some(a), Some(b)) if a != b => out.push(at.impact(
                ImpactClass::Update,
                Some(name),
                format!("resized from {a} to {b} nodes"),
                PLAN,
            )),
            _ => {}
        }
    }
}

/// Platform-wide weakenings, on every cluster they reach.
fn policy(before: &Placement, after: &Placement, out: &mut Vec<Impact>) {
    let (Some(old), Some(new)) = (&before.policy, &after.policy) else {
        return;
    };
    let mut reasons: Vec<(String, bool)> = Vec::new();
    for rule in new.waivers.iter().filter(|w| !old.waivers.contains(w)) {
        reasons.push((format!("a waiver of rule `{rule}` is added"), false));
    }
    if old.zero_trust && !new.zero_trust {
        reasons.push(("`zeroTrust` is turned off".to_owned(), false));
    }
    if old.production_isolation == ProductionIsolation::Account
        && new.production_isolation == ProductionIsolation::Network
    {
        reasons.push((
            "production isolation is lowered from separate accounts to separate networks"
                .to_owned(),
            true,
        ));
    }
    for (reason, production_only) in reasons {
        for (env, clusters) in &after.environments {
            for (name, cluster) in clusters {
                let production = cluster.facts.as_ref().is_some_and(|f| f.production);
                if production_only && !production {
                    continue;
                }
                out.push(Impact {
                    impact: ImpactClass::Weaken,
                    cluster: name.clone(),
                    environment: env.clone(),
                    production,
                    node_group: None,
                    reason: reason.clone(),
                    source: PLAN.to_owned(),
                });
            }
        }
    }
}

/// Whether Kubernetes minor version `a` is lower than `b` (`1.9` < `1.10`).
fn version_lower(a: &str, b: &str) -> bool {
    let parse = |v: &str| -> Vec<u32> { v.split('.').filter_map(|p| p.parse().ok()).collect() };
    parse(a) < parse(b)
}

fn tenant_list(tenants: &[String]) -> String {
    if tenants.is_empty() {
        return "no tenants".to_owned();
    }
    let names: Vec<String> = tenants.iter().map(|t| format!("`{t}`")).collect();
    format!("tenants {}", names.join(", "))
}

fn cni_word(f: &ClusterFacts) -> &str {
    match f.cni.as_str() {
        "cilium" => "Cilium",
        "aws-vpc-cni" => "the AWS VPC CNI",
        "gke-dataplane-v2" => "GKE Dataplane V2",
        "azure-cni-cilium" => "Azure CNI powered by Cilium",
        other => other,
    }
}

fn stack_word(f: &ClusterFacts) -> String {
    let mut parts = Vec::new();
    if let Some(n) = f.network_encryption {
        parts.push(n.name().to_owned());
    }
    if let Some(m) = f.mesh {
        parts.push(m.name().to_owned());
    }
    if f.cloud_encryption.is_some() {
        parts.push("cloud hardware encryption".to_owned());
    }
    if parts.is_empty() {
        "no encryption".to_owned()
    } else {
        parts.join(" + ")
    }
}

fn isolation_word(i: &super::Isolation) -> String {
    match i {
        super::Isolation::Shared => "shared with other trusted tenants".to_owned(),
        super::Isolation::Organization(o) => format!("organization `{o}` alone (hard boundary)"),
        super::Isolation::Tenant(t) => format!("untrusted tenant `{t}` alone"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::facts::encryption_rank;
    use super::*;

    #[test]
    fn versions_compare_as_numbers() {
        assert!(version_lower("1.9", "1.10"));
        assert!(!version_lower("1.34", "1.33"));
    }

    #[test]
    fn rank_counts_mesh_and_network() {
        assert!(encryption_rank(true, true, false) > encryption_rank(false, true, false));
    }
}
