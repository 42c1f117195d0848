//! The placement record: which tenant runs in which cluster, per environment, with each
//! cluster's address range. Written to `placement.yaml` by `generate`, read back by the next
//! `plan`/`generate` so that placed tenants stay where they are.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ClusterPlan;

/// The format version of `placement.yaml`.
pub const PLACEMENT_VERSION: u32 = 1;

/// Tenant → cluster placement of a previous run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// Format version (1).
    pub version: u32,
    /// Environment → cluster name → cluster.
    pub environments: BTreeMap<String, BTreeMap<String, PlacedCluster>>,
}

/// A cluster of a previous placement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacedCluster {
    /// Its address range.
    pub cidr: String,
    /// Its tenants.
    pub tenants: Vec<String>,
}

impl Placement {
    /// The placement of `clusters`.
    pub fn of(clusters: &[ClusterPlan]) -> Self {
        let mut environments: BTreeMap<String, BTreeMap<String, PlacedCluster>> = BTreeMap::new();
        for c in clusters {
            environments
                .entry(c.environment.clone())
                .or_default()
                .insert(
                    c.name.clone(),
                    PlacedCluster {
                        cidr: c.cidr.clone(),
                        tenants: c.tenants.clone(),
                    },
                );
        }
        Self {
            version: PLACEMENT_VERSION,
            environments,
        }
    }

    /// Parses the text of a `placement.yaml`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let placement: Self = crate::blueprint::source::deserialize(text).map_err(|p| {
            let at = p
                .location
                .map(|l| format!("{}:{}: ", l.line, l.column))
                .unwrap_or_default();
            format!("{at}{}: {}", p.path, p.message)
        })?;
        if placement.version != PLACEMENT_VERSION {
            return Err(format!(
                "placement format version {} is not supported (expected {PLACEMENT_VERSION})",
                placement.version
            ));
        }
        Ok(placement)
    }
}

/// How the new placement differs from the previous one.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PlacementChanges {
    /// Whether there was a previous placement to compare with.
    pub has_previous: bool,
    /// Clusters that did not exist before.
    pub created: Vec<String>,
    /// Clusters that existed and are gone: **destroyed**, with everything on them.
    pub destroyed: Vec<String>,
    /// Tenants that change cluster: their workloads must be migrated.
    pub moved: Vec<Move>,
    /// Clusters whose address range changes: their networks are replaced.
    pub readdressed: Vec<Readdress>,
}

/// A tenant changing cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Move {
    /// Environment.
    pub environment: String,
    /// Tenant.
    pub tenant: String,
    /// Cluster it leaves.
    pub from: String,
    /// Cluster it joins.
    pub to: String,
}

/// A cluster whose range changes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Readdress {
    /// Cluster.
    pub cluster: String,
    /// Old range.
    pub from: String,
    /// New range.
    pub to: String,
}

impl PlacementChanges {
    /// Whether anything a reviewer must look at twice changes: a cluster destroyed, a tenant
    /// moved, or a network replaced.
    pub fn is_dangerous(&self) -> bool {
        !self.destroyed.is_empty() || !self.moved.is_empty() || !self.readdressed.is_empty()
    }
}

/// Compares `previous` with the new `clusters`.
pub fn changes(previous: Option<&Placement>, clusters: &[ClusterPlan]) -> PlacementChanges {
    let Some(previous) = previous else {
        return PlacementChanges::default();
    };
    let now = Placement::of(clusters);
    let mut out = PlacementChanges {
        has_previous: true,
        ..PlacementChanges::default()
    };
    let empty = BTreeMap::new();
    let envs: std::collections::BTreeSet<&String> = previous
        .environments
        .keys()
        .chain(now.environments.keys())
        .collect();
    for env in envs {
        let before = previous.environments.get(env).unwrap_or(&empty);
        let after = now.environments.get(env).unwrap_or(&empty);
        out.created
            .extend(after.keys().filter(|c| !before.contains_key(*c)).cloned());
        out.destroyed
            .extend(before.keys().filter(|c| !after.contains_key(*c)).cloned());
        for (name, cluster) in after {
            if let Some(old) = before.get(name)
                && old.cidr != cluster.cidr
            {
                out.readdressed.push(Readdress {
                    cluster: name.clone(),
                    from: old.cidr.clone(),
                    to: cluster.cidr.clone(),
                });
            }
        }
        let home = |p: &BTreeMap<String, PlacedCluster>| -> BTreeMap<String, String> {
            p.iter()
                .flat_map(|(c, pc)| pc.tenants.iter().map(move |t| (t.clone(), c.clone())))
                .collect()
        };
        let (old_home, new_home) = (home(before), home(after));
        for (tenant, to) in &new_home {
            if let Some(from) = old_home.get(tenant)
                && from != to
            {
                out.moved.push(Move {
                    environment: env.clone(),
                    tenant: tenant.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        }
    }
    out
}
