//! The trade-off in numbers: how many clusters capacity alone needs, how many each
//! constraint adds, how full the clusters are, and how much one failure can take down.
//!
//! The constraints are added one at a time, each packing run with the real plan's packer
//! ([`super::pack`]): capacity (unit shapes and service quotas) → blast radius → environment →
//! trust → organization. The difference between consecutive runs is what that constraint
//! costs. Large partitions are packed by heuristics, so a difference can, rarely, be negative.
//! The differences are taken per cloud, so that each cloud's clusters are priced at its own
//! fee ([`super::cost`]); the room left for new tenants is [`super::onboarding`]'s.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Capacity;
use super::ClusterPlan;
use super::cluster::percent;
use super::cost::{self, Cost};
use super::firstfit::Room;
use super::onboarding::{Onboarding, onboarding};
use super::pack::pack;
use super::topology::{capacity_with, cloud_of};
use crate::blueprint::validate::Validated;
use crate::cloud::Cloud;
use crate::cloud::facts;
use crate::cloud::policy::{Boundary, Trust};

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
    /// What the clusters of each row cost: management fees and system nodes.
    pub cost: Cost,
    /// How many more tenants the planned clusters hold before a new cluster is needed.
    pub onboarding: Onboarding,
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

/// One placement, reduced to numbers: tenants, environments, units and organizations by
/// their index in name order, so that the relaxed packings below compare integers.
#[derive(Debug, Clone, Copy)]
struct Placed {
    cloud: Cloud,
    env: u32,
    tenant: u32,
    unit: u32,
    untrusted: bool,
    hard_org: Option<u32>,
    groups: u32,
    nodes: u32,
}

/// A partition of the relaxed packings: cloud, unit, environment (`u32::MAX`: not
/// separated) and isolation (0: not separated, 1: shared, 2 + tenant: untrusted alone,
/// 2 + tenants + organization: hard organization).
type RelaxedKey = (Cloud, u32, u32, u64);

/// A count per cloud, in [`CLOUDS`] order.
type PerCloud = [i64; 3];

/// The clouds, in the order of [`PerCloud`].
const CLOUDS: [Cloud; 3] = [Cloud::Aws, Cloud::Gcp, Cloud::Azure];

/// The slot of `cloud` in a [`PerCloud`].
fn slot(cloud: Cloud) -> usize {
    match cloud {
        Cloud::Aws => 0,
        Cloud::Gcp => 1,
        Cloud::Azure => 2,
    }
}

/// Adds `n` to the count of `cloud`.
fn add(counts: &mut PerCloud, cloud: Cloud, n: i64) {
    if let Some(c) = counts.get_mut(slot(cloud)) {
        *c += n;
    }
}

/// The packing figures that depend on the blueprint only (computed while the clusters are
/// built), per cloud: the clusters of a cloud pay that cloud's fee.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Packings {
    placements: usize,
    lower_bound: PerCloud,
    /// Clusters the packer needs with the constraints added one by one:
    /// capacity, blast radius, environment, trust, organization.
    ffd: [PerCloud; 5],
}

/// Packs the placements of `validated` with the constraints added one at a time.
pub fn packings(validated: &Validated) -> Packings {
    let index = |names: Vec<&String>| -> BTreeMap<String, u32> {
        names
            .into_iter()
            .zip(0u32..)
            .map(|(n, i)| (n.clone(), i))
            .collect()
    };
    let envs = index(validated.environments().keys().collect());
    let units = index(validated.units().keys().collect());
    let orgs = index(validated.organizations().keys().collect());
    let unit_names: Vec<&String> = validated.units().keys().collect();
    let tenant_count = u64::try_from(validated.tenants().len()).unwrap_or(u64::MAX);
    let mut placements = Vec::new();
    for (t, tenant) in validated.tenants().values().zip(0u32..) {
        let hard_org = validated
            .organizations()
            .get(&t.organization)
            .filter(|b| **b == Boundary::Hard)
            .and_then(|_| orgs.get(&t.organization).copied());
        for env in &t.environments {
            let (Some(&e), Some(&u)) = (envs.get(env), units.get(&t.unit)) else {
                continue;
            };
            placements.push(Placed {
                cloud: cloud_of(validated, env),
                env: e,
                tenant,
                unit: u,
                untrusted: t.trust == Trust::Untrusted,
                hard_org,
                groups: t.node_groups,
                nodes: t.nodes,
            });
        }
    }

    let alone = |p: &Placed| 2 + u64::from(p.tenant);
    let org = |o: u32| 2 + tenant_count + u64::from(o);
    let capacity_only = |p: &Placed| -> RelaxedKey { (p.cloud, p.unit, u32::MAX, 0) };
    let with_env = |p: &Placed| -> RelaxedKey { (p.cloud, p.unit, p.env, 0) };
    let with_trust = |p: &Placed| -> RelaxedKey {
        (
            p.cloud,
            p.unit,
            p.env,
            if p.untrusted { alone(p) } else { 1 },
        )
    };
    let with_org = |p: &Placed| -> RelaxedKey {
        let isolation = match (p.untrusted, p.hard_org) {
            (true, _) => alone(p),
            (false, Some(o)) => org(o),
            (false, None) => 1,
        };
        (p.cloud, p.unit, p.env, isolation)
    };

    let capacity = |cloud: Cloud, unit: u32, blast: bool| {
        let name = unit_names
            .get(usize::try_from(unit).unwrap_or(usize::MAX))
            .map_or("", |n| n.as_str());
        capacity_with(validated, name, cloud, blast)
    };
    Packings {
        placements: placements.len(),
        lower_bound: lower_bound(&placements, &capacity),
        ffd: [
            packed(&placements, &capacity_only, &capacity, false),
            packed(&placements, &capacity_only, &capacity, true),
            packed(&placements, &with_env, &capacity, true),
            packed(&placements, &with_trust, &capacity, true),
            packed(&placements, &with_org, &capacity, true),
        ],
    }
}

/// Figures for the plan of `validated` whose clusters are `clusters`, given its `packings`.
pub fn summarize(validated: &Validated, clusters: &[ClusterPlan], packings: &Packings) -> Summary {
    let mut actual = PerCloud::default();
    for c in clusters {
        add(&mut actual, c.cloud, 1);
    }
    // Per cloud: the lower bound, then what each constraint adds.
    let per_cloud: Vec<(Cloud, cost::Rows)> = CLOUDS
        .iter()
        .map(|&cloud| {
            let at = |counts: &PerCloud| counts.get(slot(cloud)).copied().unwrap_or(0);
            let [ffd_capacity, ffd_blast, ffd_env, ffd_trust, ffd_org] =
                packings.ffd.map(|f| at(&f));
            let lower_bound = at(&packings.lower_bound);
            (
                cloud,
                [
                    lower_bound,
                    ffd_capacity - lower_bound,
                    ffd_blast - ffd_capacity,
                    ffd_env - ffd_blast,
                    ffd_trust - ffd_env,
                    ffd_org - ffd_trust,
                    at(&actual) - ffd_org,
                ],
            )
        })
        .collect();
    let cost = cost::cost(&per_cloud);

    let nodes: u32 = clusters.iter().map(|c| c.nodes).sum();
    let capacity_nodes: u32 = clusters.iter().map(|c| c.capacity.nodes).sum();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Summary {
        clusters: count(clusters.len()),
        tenants: count(validated.tenants().len()),
        placements: count(packings.placements),
        nodes,
        system_nodes: count(clusters.len()) * facts::SYSTEM_NODES,
        capacity_lower_bound: u32::try_from(cost.capacity.clusters).unwrap_or(u32::MAX),
        added_by: AddedBy {
            packing: cost.packing.clusters,
            blast_radius: cost.blast_radius.clusters,
            environment: cost.environment.clusters,
            trust: cost.trust.clusters,
            organization: cost.organization.clusters,
            placement_stability: cost.placement_stability.clusters,
        },
        utilisation_percent: percent(nodes, capacity_nodes),
        largest_blast_radius: largest_blast_radius(clusters),
        cost,
        onboarding: onboarding(validated, clusters),
    }
}

/// The cluster with the most tenants and the one with the most nodes (the first on a tie).
fn largest_blast_radius(clusters: &[ClusterPlan]) -> LargestBlastRadius {
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
    largest
}

/// Σ over (cloud, unit) of the most any one dimension needs: tenants, node groups, nodes;
/// per cloud.
fn lower_bound(placements: &[Placed], capacity: &dyn Fn(Cloud, u32, bool) -> Capacity) -> PerCloud {
    let mut sums: BTreeMap<(Cloud, u32), (u64, u64, u64)> = BTreeMap::new();
    for p in placements {
        let e = sums.entry((p.cloud, p.unit)).or_default();
        e.0 += 1;
        e.1 += u64::from(p.groups);
        e.2 += u64::from(p.nodes);
    }
    let mut out = PerCloud::default();
    for ((cloud, unit), (t, g, n)) in &sums {
        let cap = capacity(*cloud, *unit, false);
        let need = |x: u64, c: u32| x.div_ceil(u64::from(c.max(1)));
        let clusters = need(*t, cap.tenants)
            .max(need(*g, cap.node_groups))
            .max(need(*n, cap.nodes));
        add(
            &mut out,
            *cloud,
            i64::try_from(clusters).unwrap_or(i64::MAX),
        );
    }
    out
}

/// Clusters the packer needs when placements are partitioned by `key`
/// (which always includes the unit), with or without the blast-radius limits; per cloud.
fn packed(
    placements: &[Placed],
    key: &dyn Fn(&Placed) -> RelaxedKey,
    capacity: &dyn Fn(Cloud, u32, bool) -> Capacity,
    blast_radius: bool,
) -> PerCloud {
    let mut partitions: BTreeMap<RelaxedKey, Vec<&Placed>> = BTreeMap::new();
    for p in placements {
        partitions.entry(key(p)).or_default().push(p);
    }
    let mut total = PerCloud::default();
    for ((cloud, unit, _, _), mut items) in partitions {
        let cap = capacity(cloud, unit, blast_radius);
        // First-fit-decreasing order; tenant indices follow names.
        items.sort_by(|a, b| {
            b.groups
                .cmp(&a.groups)
                .then(b.nodes.cmp(&a.nodes))
                .then(a.tenant.cmp(&b.tenant))
        });
        let needs: Vec<Room> = items.iter().map(|i| [1, i.groups, i.nodes]).collect();
        let opened = pack(&needs, &[], [cap.tenants, cap.node_groups, cap.nodes]).opened;
        add(&mut total, cloud, i64::try_from(opened).unwrap_or(i64::MAX));
    }
    total
}
