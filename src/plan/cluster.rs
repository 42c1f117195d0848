//! Cluster plans assembled from the placement: each bin of the topology with its address
//! range, its networking and encryption stack, its tenants' node groups, and the reasons it
//! exists.

use std::collections::{BTreeMap, HashMap};

use super::network::Addresses;
use super::topology::{Bin, PartitionKey, Topology, capacity};
use super::{
    Capacity, ClusterPlan, Isolation, NodeGroupPlan, SystemNodes, TENANT_LABEL, Taint,
    TenantGroups, encryption,
};
use crate::blueprint::validate::Validated;
use crate::cloud::Cloud;
use crate::cloud::facts;
use crate::cloud::names::aks_prefix;
use crate::cloud::policy::Trust;

/// Builds the cluster plans from the placement.
pub fn clusters(
    validated: &Validated,
    topology: &Topology,
    addresses: &Addresses,
) -> Vec<ClusterPlan> {
    let bp = validated.blueprint();
    let mut partition_sizes: HashMap<&PartitionKey, (u32, u32, u32, u32)> = HashMap::new();
    for bin in &topology.bins {
        let e = partition_sizes.entry(&bin.key).or_default();
        e.0 += 1;
        e.1 += u32::try_from(bin.tenants.len()).unwrap_or(u32::MAX);
        e.2 += bin.groups;
        e.3 += bin.nodes;
    }
    let mut out = Vec::new();
    for bin in &topology.bins {
        let Some(env) = validated.environments.get(&bin.key.environment) else {
            continue;
        };
        let Some(unit) = bp.units.get(&bin.key.unit) else {
            continue;
        };
        let cap = capacity(validated, &bin.key);
        let network = addresses
            .clusters
            .get(&bin.name)
            .cloned()
            .unwrap_or_default();
        let networking = encryption::networking(validated, env.cloud, &bin.name, &network);
        let mut tenants = bin.tenants.clone();
        tenants.sort();
        let tenant_groups = node_groups(
            validated,
            env.cloud,
            &tenants,
            &unit.instance_type,
            &networking,
        );
        let reasons = reasons(
            validated,
            bin,
            cap,
            partition_sizes.get(&bin.key).copied().unwrap_or_default(),
        );
        out.push(ClusterPlan {
            name: bin.name.clone(),
            environment: bin.key.environment.clone(),
            production: env.production,
            cloud: env.cloud,
            region: env.region.clone(),
            account: env.account.clone(),
            unit: bin.key.unit.clone(),
            isolation: bin.key.isolation.clone(),
            sequence: bin.sequence,
            tenants,
            node_groups: bin.groups,
            nodes: bin.nodes,
            capacity: cap,
            utilisation_percent: percent(bin.nodes, cap.nodes),
            system: SystemNodes {
                name: "system".to_owned(),
                nodes: facts::SYSTEM_NODES,
                instance_type: facts::system_instance_type(env.cloud).to_owned(),
                taints: networking.node_taint().into_iter().collect(),
            },
            tenant_groups,
            cidr: addresses
                .clusters
                .get(&bin.name)
                .map(|a| a.cidr.clone())
                .unwrap_or_default(),
            network,
            networking,
            reasons,
            infra: super::infra::ClusterInfra::default(),
        });
    }
    out
}

/// Whole percent of `part` in `whole`, rounded down.
pub fn percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        return 0;
    }
    u32::try_from(u64::from(part) * 100 / u64::from(whole)).unwrap_or(100)
}

fn node_groups(
    validated: &Validated,
    cloud: Cloud,
    tenants: &[String],
    instance_type: &str,
    networking: &encryption::Networking,
) -> Vec<TenantGroups> {
    let bp = validated.blueprint();
    let mut out = Vec::with_capacity(tenants.len());
    for name in tenants {
        let Some(t) = bp.tenants.get(name) else {
            continue;
        };
        let groups = t.node_groups();
        let nodes = t.nodes();
        let aks_prefix = (cloud == Cloud::Azure).then(|| aks_prefix(name));
        let mut taints = Vec::new();
        if t.trust == Trust::Untrusted {
            taints.push(Taint {
                key: TENANT_LABEL.to_owned(),
                value: name.clone(),
                effect: "NoSchedule".to_owned(),
            });
        }
        if let Some(taint) = networking.node_taint() {
            taints.push(taint);
        }
        let groups = (1..=groups)
            .map(|i| {
                let group_name = format!("{name}-{i}");
                NodeGroupPlan {
                    cloud_name: match &aks_prefix {
                        Some(prefix) => format!("{prefix}{i:02}"),
                        None => group_name.clone(),
                    },
                    name: group_name,
                    // Spread the nodes evenly; the first groups take the remainder.
                    nodes: nodes / groups + u32::from(i <= nodes % groups),
                }
            })
            .collect();
        out.push(TenantGroups {
            tenant: name.clone(),
            organization: t.organization.clone(),
            trust: t.trust,
            instance_type: instance_type.to_owned(),
            labels: BTreeMap::from([(TENANT_LABEL.to_owned(), name.clone())]),
            taints,
            groups,
        });
    }
    out
}

fn reasons(
    validated: &Validated,
    bin: &Bin,
    cap: Capacity,
    partition: (u32, u32, u32, u32),
) -> Vec<String> {
    let env = &bin.key.environment;
    let production = validated
        .environments
        .get(env)
        .is_some_and(|e| e.production);
    let mut out = vec![format!(
        "environment `{env}` is {}: its clusters serve no other environment",
        if production {
            "production"
        } else {
            "non-production"
        }
    )];
    out.push(match &bin.key.isolation {
        Isolation::Tenant(t) => format!("tenant `{t}` is untrusted: it gets a cluster of its own (hard multi-tenancy)"),
        Isolation::Organization(o) => {
            format!("organization `{o}` has a hard boundary: its tenants share clusters with no other organization")
        }
        Isolation::Shared => "trusted tenants of soft-boundary organizations share clusters".to_owned(),
    });
    out.push(format!(
        "shape of unit `{}`: at most {} tenants, {} node groups, {} nodes",
        bin.key.unit, cap.tenants, cap.node_groups, cap.nodes
    ));
    let (clusters, tenants, groups, nodes) = partition;
    if clusters > 1 {
        let by = [
            (
                tenants.div_ceil(cap.tenants.max(1)),
                format!("{tenants} tenants"),
            ),
            (
                groups.div_ceil(cap.node_groups.max(1)),
                format!("{groups} node groups"),
            ),
            (nodes.div_ceil(cap.nodes.max(1)), format!("{nodes} nodes")),
        ];
        let binding = by
            .iter()
            .max_by_key(|(n, _)| *n)
            .map(|(_, what)| what.clone())
            .unwrap_or_default();
        out.push(format!(
            "one of {clusters} clusters of this partition: its {binding} do not fit fewer"
        ));
    }
    out
}
