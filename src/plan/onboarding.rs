//! Room for onboarding: how many more tenants the planned clusters hold before a new
//! cluster is needed, per environment and unit.
//!
//! The new tenant has the blueprint's default shape: one node group of one node
//! ([`NEW_TENANT`]). Identical tenants pack exactly: a cluster holds as many more as its
//! tightest dimension allows (tenants, node groups, nodes, each under the unit's shape, the
//! policy's blast radius and the service's quotas, as [`topology::capacity`] bounds them),
//! and new tenants fill a partition's planned clusters before a new one opens
//! ([`topology::place`]). So the room of a partition is the sum over its clusters.
//!
//! Who may use that room: a trusted tenant of a soft-boundary organization, the shared
//! clusters of its environment and unit; a tenant of a hard-boundary organization, that
//! organization's clusters. An untrusted tenant, or the first tenant of a new hard-boundary
//! organization, always opens clusters of its own.
//!
//! [`topology::capacity`]: super::topology::capacity
//! [`topology::place`]: super::topology::place

use std::collections::BTreeMap;

use serde::Serialize;

use super::firstfit::Room;
use super::topology::{capacity_with, room_left};
use super::{Capacity, ClusterPlan, Isolation};
use crate::blueprint::validate::Validated;
use crate::cloud::Cloud;

/// The shape of a new tenant: tenants, node groups, nodes. A tenant without `nodeGroups`
/// has one, and without `nodes` as many nodes as node groups (DESIGN.md).
pub const NEW_TENANT: Room = [1, 1, 1];

/// The room for new tenants in the planned clusters.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Onboarding {
    /// Node groups of the new tenant.
    pub node_groups: u32,
    /// Nodes of the new tenant.
    pub nodes: u32,
    /// New trusted tenants of soft-boundary organizations that fit, over every row.
    pub shared: u32,
    /// Per environment and unit, both in name order (the plan's order).
    pub rows: Vec<OnboardingRow>,
}

/// The room of one unit in one environment.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OnboardingRow {
    /// The environment.
    pub environment: String,
    /// The unit.
    pub unit: String,
    /// New trusted tenants of soft-boundary organizations that fit the shared clusters.
    pub shared: u32,
    /// The shared clusters.
    pub shared_clusters: u32,
    /// The settings that bound the shared clusters' room, where it runs out first
    /// (blueprint keys, or the service's quota).
    pub limited_by: Vec<&'static str>,
    /// New tenants of each hard-boundary organization that fit its own clusters, by name.
    pub organizations: Vec<OrganizationRoom>,
}

/// The room of a hard-boundary organization's clusters of one unit in one environment.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationRoom {
    /// The organization.
    pub organization: String,
    /// Its new tenants that fit.
    pub tenants: u32,
    /// Its clusters.
    pub clusters: u32,
}

/// How many tenants of `shape` fit into `room`, and which dimensions (tenants, node
/// groups, nodes) allow no more.
pub fn fit(room: Room, shape: Room) -> (u32, [bool; 3]) {
    let counts: [u32; 3] = std::array::from_fn(|d| {
        let have = room.get(d).copied().unwrap_or(0);
        have / shape.get(d).copied().unwrap_or(1).max(1)
    });
    let n = counts.iter().copied().min().unwrap_or(0);
    (n, counts.map(|c| c == n))
}

/// The room of `clusters`, planned for `validated`, for tenants of [`NEW_TENANT`]'s shape.
pub fn onboarding(validated: &Validated, clusters: &[ClusterPlan]) -> Onboarding {
    let mut rows: BTreeMap<(&str, &str), OnboardingRow> = BTreeMap::new();
    let mut orgs: BTreeMap<(&str, &str, &str), OrganizationRoom> = BTreeMap::new();
    let mut bounds: BTreeMap<(&str, &str), [bool; 3]> = BTreeMap::new();
    for c in clusters {
        let room = room_left(c.capacity, c.tenants.len(), c.tenant_node_groups, c.nodes);
        let (n, binding) = fit(room, NEW_TENANT);
        match &c.isolation {
            Isolation::Shared => {
                let row = rows
                    .entry((c.environment.as_str(), c.unit.as_str()))
                    .or_default();
                row.shared += n;
                row.shared_clusters += 1;
                let b = bounds
                    .entry((c.environment.as_str(), c.unit.as_str()))
                    .or_default();
                for (all, this) in b.iter_mut().zip(binding) {
                    *all |= this;
                }
            }
            Isolation::Organization(o) => {
                let room = orgs
                    .entry((c.environment.as_str(), c.unit.as_str(), o.as_str()))
                    .or_insert_with(|| OrganizationRoom {
                        organization: o.clone(),
                        ..OrganizationRoom::default()
                    });
                room.tenants += n;
                room.clusters += 1;
            }
            Isolation::Tenant(_) => {}
        }
    }
    let mut out = Onboarding {
        node_groups: NEW_TENANT[1],
        nodes: NEW_TENANT[2],
        ..Onboarding::default()
    };
    for (env, e) in validated.environments() {
        for unit in validated.units().keys() {
            let key = (env.as_str(), unit.as_str());
            let mut row = rows.remove(&key).unwrap_or_default();
            row.environment.clone_from(env);
            row.unit.clone_from(unit);
            let names = limits(validated, unit, e.cloud);
            row.limited_by = bounds
                .get(&key)
                .map(|b| {
                    names
                        .iter()
                        .zip(b)
                        .filter(|(_, bound)| **bound)
                        .map(|(name, _)| *name)
                        .collect()
                })
                .unwrap_or_default();
            row.organizations = orgs
                .range((env.as_str(), unit.as_str(), "")..)
                .take_while(|((e, u, _), _)| *e == env.as_str() && *u == unit.as_str())
                .map(|(_, room)| room.clone())
                .collect();
            out.shared += row.shared;
            out.rows.push(row);
        }
    }
    out
}

/// The setting behind each dimension of a cluster of `unit` on `cloud`: the policy's blast
/// radius where it is tighter than the unit, the service's quota where that is.
fn limits(validated: &Validated, unit: &str, cloud: Cloud) -> [&'static str; 3] {
    let within: Capacity = capacity_with(validated, unit, cloud, true);
    let unit_only: Capacity = capacity_with(validated, unit, cloud, false);
    let Some(u) = validated.units().get(unit) else {
        return ["tenantsPerCluster", "nodeGroupsPerCluster", "nodesPerGroup"];
    };
    [
        if within.tenants < unit_only.tenants {
            "policy.blastRadius.maxTenantsPerCluster"
        } else {
            "tenantsPerCluster"
        },
        if unit_only.node_groups < u.node_groups_per_cluster {
            "the service's node groups per cluster"
        } else {
            "nodeGroupsPerCluster"
        },
        if within.nodes < unit_only.nodes {
            "policy.blastRadius.maxNodesPerCluster"
        } else if unit_only.nodes < u.node_groups_per_cluster.saturating_mul(u.nodes_per_group) {
            "the service's nodes per cluster"
        } else {
            "nodeGroupsPerCluster × nodesPerGroup"
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_tenants_fit_up_to_the_tightest_dimension() {
        // 3 tenant slots, 8 groups, 80 nodes left: the tenant count binds.
        assert_eq!(fit([3, 8, 80], NEW_TENANT), (3, [true, false, false]));
        // 5 slots, 5 groups, 2 nodes: the nodes bind.
        assert_eq!(fit([5, 5, 2], NEW_TENANT), (2, [false, false, true]));
        // A tenant of 2 groups and 12 nodes: 25 nodes hold 2 of them, 4 groups 2: both bind.
        assert_eq!(fit([5, 4, 25], [1, 2, 12]), (2, [false, true, true]));
        // A full cluster holds none, and every exhausted dimension binds.
        assert_eq!(fit([0, 0, 7], NEW_TENANT), (0, [true, true, false]));
    }
}
