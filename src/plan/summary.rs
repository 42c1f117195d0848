//! The trade-off in numbers: how many clusters capacity alone needs, how many each
//! constraint adds, how full the clusters are, and how much one failure can take down.
//!
//! The constraints are added one at a time, each packing run first-fit decreasing like the
//! real plan: capacity (unit shapes and service quotas) → blast radius → environment →
//! trust → organization. The difference between consecutive runs is what that constraint
//! costs. First-fit decreasing is a heuristic, so a difference can, rarely, be negative.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ClusterPlan;
use super::topology::{Item, capacity_with, cloud_of, ffd_order, partition_key, percent};
use crate::blueprint::validate::Validated;
use crate::blueprint::{Cloud, Trust};
use crate::facts;

/// The plan's figures.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Clusters planned.
    pub clusters: u32,
    /// Tenants.
    pub tenants: u32,
    /// Tenant placements (a tenant in two environments is placed twice).
    pub placements: u32,
    /// Tenant nodes.
    pub nodes: u32,
    /// System nodes (three per cluster).
    pub system_nodes: u32,
    /// Clusters needed by capacity alone: the arithmetic lower bound if any tenants could
    /// share (within a cloud and a unit's shape).
    pub capacity_lower_bound: u32,
    /// Clusters each constraint adds on top of the lower bound.
    pub added_by: AddedBy,
    /// Tenant nodes as a share of the planned clusters' node capacity, whole percent.
    pub utilisation_percent: u32,
    /// The most one cluster holds.
    pub largest_blast_radius: LargestBlastRadius,
}

/// Clusters added by each constraint. The lower bound plus all of these is the plan's count.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AddedBy {
    /// Tenants are never split, so bins do not fill exactly.
    pub packing: i64,
    /// `policy.blastRadius`.
    pub blast_radius: i64,
    /// Environments never share clusters.
    pub environment: i64,
    /// Untrusted tenants get clusters of their own.
    pub trust: i64,
    /// Hard-boundary organizations get clusters of their own.
    pub organization: i64,
    /// Tenants kept where the previous placement put them, though a fresh packing would
    /// need fewer clusters (`--repack` would reclaim them).
    pub placement_stability: i64,
}

/// The largest blast radius.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LargestBlastRadius {
    /// Most tenants in one cluster.
    pub tenants: u32,
    /// The cluster holding them (the first by name on a tie).
    pub tenants_cluster: String,
    /// Most tenant nodes in one cluster.
    pub nodes: u32,
    /// The cluster holding them.
    pub nodes_cluster: String,
}

/// A partition of the relaxed packings: cloud, unit, and as much of the real partition
/// key as the constraints added so far.
type RelaxedKey = (Cloud, String, String, String);

/// Figures for the plan of `validated` whose clusters are `clusters`.
pub fn summarize(validated: &Validated, clusters: &[ClusterPlan]) -> Summary {
    let bp = validated.blueprint();
    let mut placements: Vec<(String, Item)> = Vec::new();
    for (name, t) in &bp.tenants {
        for env in &t.environments {
            placements.push((
                env.clone(),
                Item {
                    tenant: name.clone(),
                    groups: t.node_groups(),
                    nodes: t.nodes(),
                },
            ));
        }
    }

    let capacity_only = |env: &str, _: &Item| {
        (
            cloud_of(validated, env),
            String::new(),
            String::new(),
            String::new(),
        )
    };
    let with_env = |env: &str, _: &Item| {
        (
            cloud_of(validated, env),
            env.to_owned(),
            String::new(),
            String::new(),
        )
    };
    let with_trust = |env: &str, item: &Item| {
        let untrusted = bp
            .tenants
            .get(&item.tenant)
            .is_some_and(|t| t.trust == Trust::Untrusted);
        let trust = if untrusted {
            item.tenant.clone()
        } else {
            String::new()
        };
        (
            cloud_of(validated, env),
            env.to_owned(),
            trust,
            String::new(),
        )
    };
    let with_org = |env: &str, item: &Item| {
        let key = partition_key(validated, env, &item.tenant);
        let isolation = key
            .map(|k| format!("{:?}", k.isolation))
            .unwrap_or_default();
        (
            cloud_of(validated, env),
            env.to_owned(),
            isolation,
            String::new(),
        )
    };

    let lower_bound = lower_bound(validated, &placements);
    let ffd_capacity = packed(validated, &placements, &capacity_only, false);
    let ffd_blast = packed(validated, &placements, &capacity_only, true);
    let ffd_env = packed(validated, &placements, &with_env, true);
    let ffd_trust = packed(validated, &placements, &with_trust, true);
    let ffd_org = packed(validated, &placements, &with_org, true);
    let actual = i64::try_from(clusters.len()).unwrap_or(i64::MAX);

    let nodes: u32 = clusters.iter().map(|c| c.nodes).sum();
    let capacity_nodes: u32 = clusters.iter().map(|c| c.capacity.nodes).sum();
    let mut largest = LargestBlastRadius::default();
    for c in clusters {
        let tenants = u32::try_from(c.tenants.len()).unwrap_or(u32::MAX);
        if tenants > largest.tenants {
            largest.tenants = tenants;
            largest.tenants_cluster.clone_from(&c.name);
        }
        if c.nodes > largest.nodes {
            largest.nodes = c.nodes;
            largest.nodes_cluster.clone_from(&c.name);
        }
    }
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Summary {
        clusters: count(clusters.len()),
        tenants: count(bp.tenants.len()),
        placements: count(placements.len()),
        nodes,
        system_nodes: count(clusters.len()) * facts::SYSTEM_NODES,
        capacity_lower_bound: u32::try_from(lower_bound).unwrap_or(u32::MAX),
        added_by: AddedBy {
            packing: ffd_capacity - lower_bound,
            blast_radius: ffd_blast - ffd_capacity,
            environment: ffd_env - ffd_blast,
            trust: ffd_trust - ffd_env,
            organization: ffd_org - ffd_trust,
            placement_stability: actual - ffd_org,
        },
        utilisation_percent: percent(nodes, capacity_nodes),
        largest_blast_radius: largest,
    }
}

/// Σ over (cloud, unit) of the most any one dimension needs: tenants, node groups, nodes.
fn lower_bound(validated: &Validated, placements: &[(String, Item)]) -> i64 {
    let mut sums: BTreeMap<(Cloud, String), (u64, u64, u64)> = BTreeMap::new();
    for (env, item) in placements {
        let Some(unit) = validated
            .blueprint()
            .tenants
            .get(&item.tenant)
            .map(|t| t.unit.clone())
        else {
            continue;
        };
        let e = sums.entry((cloud_of(validated, env), unit)).or_default();
        e.0 += 1;
        e.1 += u64::from(item.groups);
        e.2 += u64::from(item.nodes);
    }
    sums.iter()
        .map(|((cloud, unit), (t, g, n))| {
            let cap = capacity_with(validated, unit, *cloud, false);
            let need = |x: u64, c: u32| x.div_ceil(u64::from(c.max(1)));
            need(*t, cap.tenants)
                .max(need(*g, cap.node_groups))
                .max(need(*n, cap.nodes))
        })
        .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
        .sum()
}

/// Clusters first-fit decreasing packing needs when tenants are partitioned by `key`
/// (always also by unit), with or without the blast-radius limits.
fn packed(
    validated: &Validated,
    placements: &[(String, Item)],
    key: &dyn Fn(&str, &Item) -> RelaxedKey,
    blast_radius: bool,
) -> i64 {
    let mut partitions: BTreeMap<RelaxedKey, Vec<Item>> = BTreeMap::new();
    for (env, item) in placements {
        let Some(unit) = validated
            .blueprint()
            .tenants
            .get(&item.tenant)
            .map(|t| t.unit.clone())
        else {
            continue;
        };
        let mut k = key(env, item);
        k.3 = unit;
        partitions.entry(k).or_default().push(item.clone());
    }
    let mut total = 0i64;
    for ((cloud, _, _, unit), mut items) in partitions {
        let cap = capacity_with(validated, &unit, cloud, blast_radius);
        ffd_order(&mut items);
        let mut bins: Vec<(u32, u32, u32)> = Vec::new();
        for item in items {
            let fit = bins.iter_mut().find(|b| {
                b.0 < cap.tenants
                    && b.1 + item.groups <= cap.node_groups
                    && b.2 + item.nodes <= cap.nodes
            });
            match fit {
                Some(b) => *b = (b.0 + 1, b.1 + item.groups, b.2 + item.nodes),
                None => bins.push((1, item.groups, item.nodes)),
            }
        }
        total += i64::try_from(bins.len()).unwrap_or(i64::MAX);
    }
    total
}
