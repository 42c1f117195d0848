//! Cluster plans assembled from the placement: each bin of the topology with its address
//! range, its networking and encryption stack, its tenants' node groups, and the reasons it
//! exists.

use std::collections::{BTreeMap, HashMap};

use super::network::{Addresses, ClusterNetwork};
use super::resources::{self, EnvironmentResources};
use super::topology::{Bin, PartitionKey, Topology, capacity};
use super::{
    Capacity, ClusterPlan, GroupTenant, Isolation, NodeGroup, NodeGroupCloud, TENANT_LABEL, Taint,
    TaintEffect, encryption,
};
use crate::blueprint::validate::Validated;
use crate::cloud::names::aks_prefix;
use crate::cloud::policy::Trust;
use crate::cloud::{Cloud, aws, facts};
use crate::error::Error;

/// A bin of the topology with its address plan and networking: what an environment's
/// shared resources are decided from, before its clusters are assembled.
pub struct Placed<'a> {
    /// The bin.
    pub bin: &'a Bin,
    /// Its address plan.
    pub network: ClusterNetwork,
    /// Its CNI, encryption and mesh.
    pub networking: encryption::Networking,
}

/// Each bin with its address plan and networking. A bin without addresses or environment
/// is a bug of the planner.
pub fn placed<'a>(
    validated: &Validated,
    topology: &'a Topology,
    addresses: &Addresses,
) -> Result<Vec<Placed<'a>>, Error> {
    topology
        .bins
        .iter()
        .map(|bin| {
            let env = validated
                .environments()
                .get(&bin.key.environment)
                .ok_or_else(|| bug(bin, "its environment is not in the blueprint"))?;
            let network = addresses
                .clusters
                .get(&bin.name)
                .cloned()
                .ok_or_else(|| bug(bin, "it has no address range"))?;
            let networking = encryption::networking(validated, env.cloud, &bin.name, &network);
            Ok(Placed {
                bin,
                network,
                networking,
            })
        })
        .collect()
}

fn bug(bin: &Bin, what: &str) -> Error {
    Error::Bug(format!("cluster `{}` was placed but {what}", bin.name))
}

/// Builds the cluster plans, complete: `environments` holds each environment's shared
/// resources, `renames` each renamed cluster's former names.
pub fn clusters(
    validated: &Validated,
    placed: &[Placed<'_>],
    environments: &BTreeMap<String, EnvironmentResources>,
    renames: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<ClusterPlan>, Error> {
    let mut partition_sizes: HashMap<&PartitionKey, (u32, u32, u32, u32)> = HashMap::new();
    for p in placed {
        let e = partition_sizes.entry(&p.bin.key).or_default();
        e.0 += 1;
        e.1 += u32::try_from(p.bin.tenants.len()).unwrap_or(u32::MAX);
        e.2 += p.bin.groups;
        e.3 += p.bin.nodes;
    }
    let mut out = Vec::with_capacity(placed.len());
    for Placed {
        bin,
        network,
        networking,
    } in placed
    {
        let env = validated
            .environments()
            .get(&bin.key.environment)
            .ok_or_else(|| bug(bin, "its environment is not in the blueprint"))?;
        let instance_type = instance_type(validated, bin, env.cloud)?;
        let shared = environments
            .get(&bin.key.environment)
            .ok_or_else(|| bug(bin, "its environment has no resources"))?;
        let cap = capacity(validated, &bin.key);
        let mut tenants = bin.tenants.clone();
        tenants.sort();
        let system = system_group(env.cloud, networking);
        let resources = resources::cluster(&resources::ClusterInput {
            name: &bin.name,
            production: env.production,
            region: &env.region,
            account: &env.account,
            network,
            networking,
            environment: shared,
            system_pool: &system.cloud_name,
        })
        .map_err(Error::Bug)?;
        let mut node_groups = vec![system];
        node_groups.extend(tenant_groups(
            validated,
            env.cloud,
            &tenants,
            instance_type,
            networking,
        )?);
        let partition = partition_sizes
            .get(&bin.key)
            .copied()
            .ok_or_else(|| bug(bin, "its partition was not counted"))?;
        let reasons = reasons(validated, bin, cap, partition);
        let trusts = tenants
            .iter()
            .map(|t| {
                let trust = validated.tenants().get(t).map(|r| r.trust).ok_or_else(|| {
                    Error::Bug(format!(
                        "tenant `{t}` was placed but is not in the blueprint"
                    ))
                })?;
                Ok((t.clone(), trust))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let tenancy = super::tenancy::tenancy(
            validated.kubernetes_version(),
            validated.policy().zero_trust,
            networking.mesh,
            &trusts,
            &node_groups,
        )?;
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
            tenant_node_groups: bin.groups,
            nodes: bin.nodes,
            capacity: cap,
            utilisation_percent: percent(bin.nodes, cap.nodes),
            node_groups,
            cidr: network.cidr.clone(),
            network: network.clone(),
            networking: networking.clone(),
            tenancy,
            reasons,
            formerly: renames.get(&bin.name).cloned().unwrap_or_default(),
            resources,
            storage_class: crate::plan::StorageClass::default_for(env.cloud),
            retired_releases: Vec::new(),
        });
    }
    Ok(out)
}

/// The zones a GKE regional node pool spreads over by default.
const GKE_ZONES: u32 = facts::ZONES;

/// The instance type of `bin`'s nodes: its unit's on `cloud`. A unit may serve environments
/// on several clouds; validation refused one without a type for each cloud it serves.
fn instance_type<'v>(validated: &'v Validated, bin: &Bin, cloud: Cloud) -> Result<&'v str, Error> {
    validated
        .units()
        .get(&bin.key.unit)
        .and_then(|unit| unit.instance_type(cloud))
        .ok_or_else(|| bug(bin, "its unit has no instance type for its cloud"))
}

/// What only `cloud` needs of a node group of `nodes` nodes of `instance_type`.
pub fn group_cloud(cloud: Cloud, instance_type: &str, nodes: u32) -> NodeGroupCloud {
    match cloud {
        Cloud::Aws => NodeGroupCloud::Aws {
            ami_type: aws::ami_type(instance_type),
        },
        // GKE's `initial_node_count` is per zone (google `container_node_pool` docs): a
        // pool over the region's three zones starts with floor(nodes / 3) each, never more
        // than its size; the autoscaling bounds (both `nodes`) hold the total. A pool of
        // fewer nodes than zones is placed in as many zones as it has nodes, one each.
        Cloud::Gcp => NodeGroupCloud::Gcp {
            initial_nodes_per_zone: (nodes / GKE_ZONES.min(nodes).max(1)).max(1),
        },
        Cloud::Azure => NodeGroupCloud::Azure,
    }
}

/// The system node group: the cluster's add-ons run there, and only they: it is tainted
/// `CriticalAddonsOnly=true:NoSchedule`, the taint the clouds' own critical add-ons tolerate
/// (AKS sets exactly this taint for `only_critical_addons_enabled`, azurerm
/// `kubernetes_cluster` docs; EKS's CoreDNS add-on and GKE's kube-dns tolerate it), so
/// that tenant pods, which do not, never land beside the mesh's control plane, the CNI
/// operator or cert-manager. The Helm values give the add-ons installed here the same
/// toleration.
fn system_group(cloud: Cloud, networking: &encryption::Networking) -> NodeGroup {
    let instance_type = facts::system_instance_type(cloud);
    let mut taints = vec![critical_addons_only()];
    taints.extend(networking.node_taint());
    NodeGroup {
        name: "system".to_owned(),
        cloud_name: "system".to_owned(),
        tenant: None,
        nodes: facts::SYSTEM_NODES,
        instance_type: instance_type.to_owned(),
        labels: BTreeMap::new(),
        taints,
        cloud: group_cloud(cloud, instance_type, facts::SYSTEM_NODES),
        draining: false,
    }
}

/// The taint of the system node group.
pub fn critical_addons_only() -> Taint {
    Taint {
        key: CRITICAL_ADDONS_ONLY.to_owned(),
        value: "true".to_owned(),
        effect: TaintEffect::NoSchedule,
    }
}

/// The key of the system node group's taint, which the clouds' critical add-ons tolerate.
pub const CRITICAL_ADDONS_ONLY: &str = "CriticalAddonsOnly";

/// Whole percent of `part` in `whole`, rounded down.
pub fn percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        return 0;
    }
    u32::try_from(u64::from(part) * 100 / u64::from(whole)).unwrap_or(100)
}

/// The dedicated node groups of `tenants`, tenant by tenant: labelled with their tenant
/// and, for an untrusted tenant, tainted so that nothing else runs there.
fn tenant_groups(
    validated: &Validated,
    cloud: Cloud,
    tenants: &[String],
    instance_type: &str,
    networking: &encryption::Networking,
) -> Result<Vec<NodeGroup>, Error> {
    let mut out = Vec::new();
    for name in tenants {
        let t = validated.tenants().get(name).ok_or_else(|| {
            Error::Bug(format!(
                "tenant `{name}` was placed but is not in the blueprint"
            ))
        })?;
        let (groups, nodes) = (t.node_groups, t.nodes);
        let aks_prefix = (cloud == Cloud::Azure).then(|| aks_prefix(name));
        let mut taints = Vec::new();
        if t.trust == Trust::Untrusted {
            taints.push(Taint {
                key: TENANT_LABEL.to_owned(),
                value: name.clone(),
                effect: TaintEffect::NoSchedule,
            });
        }
        if let Some(taint) = networking.node_taint() {
            taints.push(taint);
        }
        for i in 1..=groups {
            let group_name = format!("{name}-{i}");
            // Spread the nodes evenly; the first groups take the remainder.
            let group_nodes = nodes / groups + u32::from(i <= nodes % groups);
            out.push(NodeGroup {
                cloud_name: match &aks_prefix {
                    Some(prefix) => format!("{prefix}{i:02}"),
                    None => group_name.clone(),
                },
                name: group_name,
                tenant: Some(GroupTenant {
                    name: name.clone(),
                    organization: t.organization.clone(),
                    trust: t.trust,
                }),
                nodes: group_nodes,
                instance_type: instance_type.to_owned(),
                labels: BTreeMap::from([(TENANT_LABEL.to_owned(), name.clone())]),
                taints: taints.clone(),
                cloud: group_cloud(cloud, instance_type, group_nodes),
                draining: false,
            });
        }
    }
    Ok(out)
}

fn reasons(
    validated: &Validated,
    bin: &Bin,
    cap: Capacity,
    partition: (u32, u32, u32, u32),
) -> Vec<String> {
    let env = &bin.key.environment;
    let production = validated
        .environments()
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
        let [by_tenants, by_groups, by_nodes] = [
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
        // The constraint that needs the most clusters (the last of equals, as before).
        let mut binding = by_tenants;
        for candidate in [by_groups, by_nodes] {
            if candidate.0 >= binding.0 {
                binding = candidate;
            }
        }
        let binding = binding.1;
        out.push(format!(
            "one of {clusters} clusters of this partition: its {binding} do not fit fewer"
        ));
    }
    out
}
