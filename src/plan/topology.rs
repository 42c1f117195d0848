//! How many clusters, and who shares one: partitions, packing, stable
//! placement and cluster names.
//!
//! 1. Every (environment, tenant) pair is placed once. Pairs that may never share a cluster
//!    fall into different partitions: environment, unit, and isolation (an untrusted tenant
//!    alone; a hard-boundary organization alone; everyone else shared).
//! 2. Inside a partition, tenants are packed into clusters bounded by the unit's shape, the
//!    policy's blast radius and the managed service's quotas: the fewest clusters of
//!    first-fit decreasing (on node groups, then nodes, ties by name), best-fit decreasing
//!    over all three dimensions and, on small partitions, an exact search ([`pack`]).
//! 3. Given the previous placement, placed tenants stay where they are (as long as they
//!    still belong to that partition and fit), new tenants fill existing clusters first, and
//!    only then do new clusters open, numbered after every earlier one.

use std::collections::{BTreeMap, BTreeSet};

use super::firstfit::Room;
use super::pack::pack;
use super::placement::Placement;
use super::{Capacity, Isolation};
use crate::blueprint::validate::Validated;
use crate::cloud::Cloud;
use crate::cloud::facts;
use crate::cloud::policy::{Boundary, Trust};

pub use crate::cloud::names::MAX_CLUSTER_NAME;

/// The partition a placement belongs to: tenants of different partitions never share.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartitionKey {
    /// Environment.
    pub environment: String,
    /// Isolation class.
    pub isolation: Isolation,
    /// Deployment unit.
    pub unit: String,
}

/// One cluster being filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bin {
    /// Its partition.
    pub key: PartitionKey,
    /// Its name.
    pub name: String,
    /// Its sequence number in the environment.
    pub sequence: u32,
    /// Tenants, in the order they were placed.
    pub tenants: Vec<String>,
    /// Tenant node groups so far.
    pub groups: u32,
    /// Tenant nodes so far.
    pub nodes: u32,
}

impl Bin {
    fn fits(&self, cap: Capacity, groups: u32, nodes: u32) -> bool {
        u32::try_from(self.tenants.len()).is_ok_and(|n| n < cap.tenants)
            && self.groups + groups <= cap.node_groups
            && self.nodes + nodes <= cap.nodes
    }

    /// The room left in this cluster under `cap`.
    fn room(&self, cap: Capacity) -> Room {
        room_left(cap, self.tenants.len(), self.groups, self.nodes)
    }

    fn add(&mut self, tenant: &str, groups: u32, nodes: u32) {
        self.tenants.push(tenant.to_owned());
        self.groups += groups;
        self.nodes += nodes;
    }
}

/// The room left under `cap` in a cluster holding `tenants` tenants with `groups` node
/// groups and `nodes` nodes: tenants, node groups, nodes.
pub fn room_left(cap: Capacity, tenants: usize, groups: u32, nodes: u32) -> Room {
    let tenants = u32::try_from(tenants).unwrap_or(u32::MAX);
    [
        cap.tenants.saturating_sub(tenants),
        cap.node_groups.saturating_sub(groups),
        cap.nodes.saturating_sub(nodes),
    ]
}

/// The placement: every cluster with its tenants.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    /// Clusters, ordered by environment, then sequence.
    pub bins: Vec<Bin>,
}

/// The partition of `tenant` in environment `env`.
pub fn partition_key(validated: &Validated, env: &str, tenant: &str) -> Option<PartitionKey> {
    let t = validated.tenants().get(tenant)?;
    let isolation = if t.trust == Trust::Untrusted {
        Isolation::Tenant(tenant.to_owned())
    } else if *validated.organizations().get(&t.organization)? == Boundary::Hard {
        Isolation::Organization(t.organization.clone())
    } else {
        Isolation::Shared
    };
    Some(PartitionKey {
        environment: env.to_owned(),
        isolation,
        unit: t.unit.clone(),
    })
}

/// What one cluster of partition `key` may hold.
pub fn capacity(validated: &Validated, key: &PartitionKey) -> Capacity {
    capacity_with(
        validated,
        &key.unit,
        cloud_of(validated, &key.environment),
        true,
    )
}

/// What one cluster of `unit` on `cloud` may hold, with or without the policy's blast radius.
pub fn capacity_with(
    validated: &Validated,
    unit: &str,
    cloud: Cloud,
    blast_radius: bool,
) -> Capacity {
    let q = facts::quotas(cloud);
    let Some(u) = validated.units().get(unit) else {
        return Capacity {
            tenants: 0,
            node_groups: 0,
            nodes: 0,
        };
    };
    let mut tenants = u.tenants_per_cluster;
    let mut node_groups = u.node_groups_per_cluster;
    if let Some(max) = q.node_groups_per_cluster {
        node_groups = node_groups.min(max.saturating_sub(1));
    }
    let mut nodes = u.node_groups_per_cluster.saturating_mul(u.nodes_per_group);
    nodes = nodes.min(q.nodes_per_cluster.saturating_sub(facts::SYSTEM_NODES));
    if blast_radius {
        if let Some(max) = validated.policy().max_tenants_per_cluster {
            tenants = tenants.min(max);
        }
        if let Some(max) = validated.policy().max_nodes_per_cluster {
            nodes = nodes.min(max);
        }
    }
    Capacity {
        tenants,
        node_groups,
        nodes,
    }
}

/// The cloud of environment `env`.
pub fn cloud_of(validated: &Validated, env: &str) -> Cloud {
    validated
        .environments()
        .get(env)
        .map_or(validated.default_cloud(), |e| e.cloud)
}

/// One placement to make: a tenant in an environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Tenant.
    pub tenant: String,
    /// Its node groups.
    pub groups: u32,
    /// Its nodes.
    pub nodes: u32,
}

/// First-fit-decreasing order: most node groups first, then most nodes, then by name.
pub fn ffd_order(items: &mut [Item]) {
    items.sort_by(|a, b| {
        b.groups
            .cmp(&a.groups)
            .then_with(|| b.nodes.cmp(&a.nodes))
            .then_with(|| a.tenant.cmp(&b.tenant))
    });
}

/// Places every tenant of `validated`, honouring `previous` where it still holds.
pub fn place(validated: &Validated, previous: Option<&Placement>) -> Topology {
    let mut bins = Vec::new();
    for env in validated.environments().keys() {
        let items: BTreeMap<&str, Item> = validated
            .tenants()
            .iter()
            .filter(|(_, t)| t.environments.iter().any(|e| e == env))
            .map(|(name, t)| {
                (
                    name.as_str(),
                    Item {
                        tenant: name.clone(),
                        groups: t.node_groups,
                        nodes: t.nodes,
                    },
                )
            })
            .collect();
        let (mut env_bins, mut next_sequence) = carry_over(validated, env, &items, previous);
        let placed: BTreeSet<String> = env_bins
            .iter()
            .flat_map(|b| b.tenants.iter().cloned())
            .collect();

        // The carried-over clusters of each partition, in order.
        let mut carried: BTreeMap<PartitionKey, Vec<usize>> = BTreeMap::new();
        for (i, bin) in env_bins.iter().enumerate() {
            carried.entry(bin.key.clone()).or_default().push(i);
        }

        // Everyone not carried over, grouped by partition, each partition in FFD order.
        let mut pending: BTreeMap<PartitionKey, Vec<Item>> = BTreeMap::new();
        for item in items.values().filter(|i| !placed.contains(&i.tenant)) {
            if let Some(key) = partition_key(validated, env, &item.tenant) {
                pending.entry(key).or_default().push(item.clone());
            }
        }
        for (key, mut group) in pending {
            let cap = capacity(validated, &key);
            ffd_order(&mut group);
            // The partition's clusters in order: carried-over ones first, then new ones.
            let order: Vec<usize> = carried.remove(&key).unwrap_or_default();
            let rooms: Vec<Room> = order
                .iter()
                .filter_map(|&i| env_bins.get(i).map(|b| b.room(cap)))
                .collect();
            let needs: Vec<Room> = group.iter().map(|i| [1, i.groups, i.nodes]).collect();
            let packing = pack(&needs, &rooms, [cap.tenants, cap.node_groups, cap.nodes]);
            // New clusters are numbered in the order the (first-fit-decreasing ordered)
            // tenants first use them.
            let mut new_bins: Vec<usize> = Vec::with_capacity(packing.opened);
            for _ in 0..packing.opened {
                let name = cluster_name(validated.name(), env, label(&key), next_sequence);
                env_bins.push(Bin {
                    key: key.clone(),
                    name,
                    sequence: next_sequence,
                    tenants: Vec::new(),
                    groups: 0,
                    nodes: 0,
                });
                next_sequence += 1;
                new_bins.push(env_bins.len() - 1);
            }
            for (item, slot) in group.iter().zip(&packing.slots) {
                let bin = match slot.checked_sub(rooms.len()) {
                    None => order.get(*slot),
                    Some(k) => new_bins.get(k),
                };
                if let Some(bin) = bin.and_then(|&i| env_bins.get_mut(i)) {
                    bin.add(&item.tenant, item.groups, item.nodes);
                }
            }
        }
        env_bins.sort_by_key(|b| b.sequence);
        bins.extend(env_bins);
    }
    Topology { bins }
}

/// The clusters of `previous` in `env` with the tenants that may stay, and the next free
/// sequence number.
fn carry_over(
    validated: &Validated,
    env: &str,
    items: &BTreeMap<&str, Item>,
    previous: Option<&Placement>,
) -> (Vec<Bin>, u32) {
    let Some(clusters) = previous.and_then(|p| p.environments.get(env)) else {
        return (Vec::new(), 1);
    };
    let next_sequence = clusters.keys().map(|n| sequence_of(n)).max().unwrap_or(0) + 1;
    let mut bins = Vec::new();
    for (name, cluster) in clusters {
        // The cluster keeps the partition most of its remaining tenants belong to.
        let mut by_key: BTreeMap<PartitionKey, Vec<Item>> = BTreeMap::new();
        for tenant in &cluster.tenants {
            if let (Some(item), Some(key)) = (
                items.get(tenant.as_str()),
                partition_key(validated, env, tenant),
            ) {
                by_key.entry(key).or_default().push(item.clone());
            }
        }
        let Some((key, mut members)) = by_key
            .into_iter()
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(&a.0)))
        else {
            continue;
        };
        let cap = capacity(validated, &key);
        ffd_order(&mut members);
        let mut bin = Bin {
            key,
            name: name.clone(),
            sequence: sequence_of(name),
            tenants: Vec::new(),
            groups: 0,
            nodes: 0,
        };
        for item in members {
            if bin.fits(cap, item.groups, item.nodes) {
                bin.add(&item.tenant, item.groups, item.nodes);
            }
        }
        if !bin.tenants.is_empty() {
            bins.push(bin);
        }
    }
    (bins, next_sequence)
}

/// The sequence number at the end of a cluster name (`acme-prod-retail-03` is 3).
pub fn sequence_of(name: &str) -> u32 {
    name.rsplit('-')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The readable part of a cluster name: who the cluster is for.
pub fn label(key: &PartitionKey) -> &str {
    match &key.isolation {
        Isolation::Shared => &key.unit,
        Isolation::Organization(o) => o,
        Isolation::Tenant(t) => t,
    }
}

/// `<platform>-<env>-<label>-<nn>`, at most [`MAX_CLUSTER_NAME`] characters. Uniqueness
/// comes from the sequence number, which is unique in the environment; the label is only
/// for people, so it is shortened (or left out) when the other parts leave no room.
pub fn cluster_name(platform: &str, env: &str, label: &str, sequence: u32) -> String {
    let seq = format!("{sequence:02}");
    let fixed = platform.len() + env.len() + seq.len() + 2;
    let room = MAX_CLUSTER_NAME.saturating_sub(fixed + 1);
    let short: String = label.chars().take(room).collect();
    let short = short.trim_end_matches('-');
    // A label cut down to a stub says nothing; leave it out.
    if short.is_empty() || (short.len() < label.len() && short.len() < 3) {
        format!("{platform}-{env}-{seq}")
    } else {
        format!("{platform}-{env}-{short}-{seq}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_fit_gke() {
        assert_eq!(
            cluster_name("acme", "prod", "retail", 1),
            "acme-prod-retail-01"
        );
        assert_eq!(
            cluster_name("acme", "prod", "retail", 123),
            "acme-prod-retail-123"
        );
        let long = cluster_name(&"p".repeat(20), &"e".repeat(12), "organization-name", 7);
        assert!(long.len() <= MAX_CLUSTER_NAME, "{long}");
        assert_eq!(
            long,
            format!("{}-{}-org-07", "p".repeat(20), "e".repeat(12))
        );
        let no_room = cluster_name(&"p".repeat(20), &"e".repeat(12), "organization-name", 123);
        assert_eq!(
            no_room,
            format!("{}-{}-or-123", "p".repeat(20), "e".repeat(12)).replace("-or-", "-")
        );
        let trimmed = cluster_name(&"p".repeat(20), "prod", "abc-defghijklmnop", 1);
        assert!(
            trimmed.len() <= MAX_CLUSTER_NAME && !trimmed.contains("--"),
            "{trimmed}"
        );
    }

    #[test]
    fn sequences_come_from_names() {
        assert_eq!(sequence_of("acme-prod-retail-07"), 7);
        assert_eq!(sequence_of("hand-made"), 0);
    }
}
