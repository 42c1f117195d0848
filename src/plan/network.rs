//! Address space: one range per cluster, carved from its environment's range, and how each
//! cloud uses it.
//!
//! A cluster's range is sized for the most its unit's shape allows (not for today's
//! tenants), so adding tenants never re-addresses a cluster; 25% on top covers rolling
//! upgrades, which add nodes before removing old ones. Per cloud:
//!
//! - **AWS**: pods take VPC addresses from the node subnets (VPC CNI, and Cilium in ENI
//!   mode), 64 per node (an `m6i.xlarge` takes at most 58 pods by its ENI limits). Three
//!   private subnets (one per availability zone) and three public /26 subnets for NAT
//!   gateways and load balancers. Services use a cluster-local /16 outside every
//!   environment's range (EKS requires it outside the VPC). One VPC per environment when the
//!   environment's range is at most a /16 (the largest VPC), otherwise one VPC per cluster.
//! - **GCP**: one VPC network per environment, one subnetwork per cluster. The cluster's
//!   block in the environment's range holds only what must be routable: the subnetwork's
//!   primary range (nodes, and the internal load balancers GKE takes from it) and the
//!   control plane's /28 ([`control_plane_range`]). The secondary ranges, pods (64 pods per
//!   node: GKE reserves a /25 per node) and services, lie outside every environment's range,
//!   in non-RFC 1918 space GKE supports ([`GKE_POOLS`]): each environment's clusters are laid
//!   out there as their blocks are in the environment's range, 128 times as large
//!   ([`GKE_SCALE`]), so the secondary ranges are unique within the environment's network,
//!   follow from the block alone (a kept block keeps them) and move with nothing else.
//! - **Azure**: one VNet per environment, one subnet per cluster for nodes and internal load
//!   balancers. Pods live on an overlay (Azure CNI Overlay or Cilium cluster-pool, a /24 per
//!   node) and services on a cluster-local range, both outside every environment's range and
//!   the same in every cluster of the environment (overlay addresses never leave a cluster).
//!
//! Blocks are handed out largest first, each at the lowest aligned free address, so the
//! layout is deterministic. Clusters of a previous placement keep their ranges.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Serialize;

mod gke;

#[cfg(test)]
use gke::GKE_POD_ADDRESSES_PER_NODE;
pub use gke::GKE_POOLS;
use gke::{GKE_CONTROL_PLANE, GKE_SCALE, GkeImage, no_gke_pool};

use super::placement::Placement;
use super::topology::{Topology, capacity};
use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;
use crate::blueprint::validate::Validated;
use crate::cloud::Cloud;
use crate::cloud::facts;

/// How an environment's network is laid out.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum NetworkLayout {
    /// One network (VPC, VPC network, VNet) for the environment, a subnet range per cluster.
    #[default]
    Environment,
    /// One network per cluster, each inside the environment's range (AWS environments
    /// larger than a /16).
    Cluster,
}

/// An environment's network.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentNetwork {
    /// One network for the environment, or one per cluster.
    pub layout: NetworkLayout,
    /// GCP: where its clusters' pod and service ranges lie, outside every environment's
    /// range: the environment's range laid out [`GKE_SCALE`] times as large in a pool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_ranges: Option<String>,
}

/// How a cluster uses its range.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ClusterNetwork {
    /// The cluster's range (on AWS with one VPC per cluster, the VPC's range).
    pub cidr: String,
    /// Node subnets: one per availability zone on AWS, one on GCP and Azure.
    pub node_subnets: Vec<String>,
    /// Public subnets for NAT gateways and load balancers (AWS).
    pub public_subnets: Vec<String>,
    /// Pod range when pods do not take node-subnet addresses: GCP's secondary range, or
    /// Azure's overlay.
    pub pod_cidr: Option<String>,
    /// Service range.
    pub service_cidr: String,
    /// The cluster DNS service's address (the tenth of the service range).
    pub dns_service_ip: String,
    /// Most pods on one node, as the address plan assumes.
    pub max_pods_per_node: u32,
}

/// The address plan of every environment and cluster.
#[derive(Debug, Clone, Default)]
pub struct Addresses {
    /// By environment name.
    pub environments: BTreeMap<String, EnvironmentNetwork>,
    /// By cluster name.
    pub clusters: BTreeMap<String, ClusterNetwork>,
}

const AWS_ADDRESSES_PER_NODE: u32 = 64;
const AWS_ZONES: u32 = facts::ZONES;
const AWS_PUBLIC_SUBNET: u8 = 26;
const GKE_MAX_PODS: u32 = 64;
/// Azure reserves five addresses of every subnet (Azure VNet FAQ: "Are there any
/// restrictions on using IP addresses within these subnets?").
const AZURE_RESERVED: u32 = 5;
/// Google Cloud reserves four addresses of every primary range (VPC "Reserved IPv4
/// addresses in IPv4 subnets").
const GCP_RESERVED: u32 = 4;
const AZURE_POD_BLOCK_PER_NODE: u32 = 256;
const MAX_PODS: u32 = 110;

/// Nodes to address for a cluster of `capacity_nodes` tenant nodes: the system nodes, and
/// a quarter more for rolling upgrades.
fn addressed_nodes(capacity_nodes: u32) -> u32 {
    let n = capacity_nodes + facts::SYSTEM_NODES;
    n + n.div_ceil(4)
}

/// The prefix length of the smallest block holding `addresses`.
fn prefix_for(addresses: u64) -> u8 {
    let bits = addresses.max(1).next_power_of_two().trailing_zeros();
    u8::try_from(32u32.saturating_sub(bits)).unwrap_or(0)
}

fn size(prefix: u8) -> u64 {
    1u64 << (32 - u32::from(prefix.min(32)))
}

/// Addresses a GCP or Azure node subnet keeps for front ends beside the nodes: an internal
/// load balancer per tenant (GKE and AKS take their frontend addresses from the node
/// subnet), one for the mesh's ingress gateway, one for the control plane's private
/// endpoint (AKS puts it in the node subnet).
fn front_ends(tenants: u32) -> u64 {
    u64::from(tenants) + 2
}

/// The block sizes (as prefix lengths) a cluster of `nodes` addressed nodes and at most
/// `tenants` tenants needs, biggest first, and the prefix of the whole cluster block.
fn cluster_layout(cloud: Cloud, nodes: u32, tenants: u32) -> (u8, Vec<u8>) {
    let nodes = u64::from(nodes);
    let parts: Vec<u8> = match cloud {
        Cloud::Aws => {
            let per_zone = prefix_for(
                nodes.div_ceil(u64::from(AWS_ZONES)) * u64::from(AWS_ADDRESSES_PER_NODE) + 5,
            );
            let mut v = vec![per_zone; 3];
            v.extend([AWS_PUBLIC_SUBNET; 3]);
            v
        }
        // Only the node subnet: the control plane's /28 follows it (added below); pods and
        // services are outside the block.
        Cloud::Gcp => {
            vec![prefix_for(nodes + front_ends(tenants) + u64::from(GCP_RESERVED)).min(29)]
        }
        Cloud::Azure => {
            vec![prefix_for(nodes + front_ends(tenants) + u64::from(AZURE_RESERVED)).min(29)]
        }
    };
    let mut sorted = parts.clone();
    sorted.sort_unstable();
    let mut total: u64 = sorted.iter().map(|p| size(*p)).sum();
    if cloud == Cloud::Gcp {
        total += size(GKE_CONTROL_PLANE);
    }
    (prefix_for(total), parts)
}

/// Places `parts` (prefix lengths) inside `block`, biggest first: with power-of-two sizes in
/// descending order, each lands aligned. Returns them in the order given.
fn carve(block: Ipv4Net, parts: &[u8]) -> Vec<Ipv4Net> {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| (parts.get(i).copied().unwrap_or(32), i));
    let mut out = vec![block; parts.len()];
    let mut offset = 0u64;
    let base = u64::from(u32::from(block.network()));
    for i in order {
        let prefix = parts.get(i).copied().unwrap_or(32);
        let start = u32::try_from(base + offset).unwrap_or(u32::MAX);
        if let (Ok(net), Some(slot)) = (Ipv4Net::new(Ipv4Addr::from(start), prefix), out.get_mut(i))
        {
            *slot = net;
        }
        offset += size(prefix);
    }
    out
}

/// A cluster's request for a block: name, block prefix, and the prefixes of its parts.
type Request = (String, u8, Vec<u8>);

/// Allocates every cluster's range; reports environments whose range is too small.
pub fn allocate(
    validated: &Validated,
    topology: &Topology,
    previous: Option<&Placement>,
    problems: &mut Vec<Problem>,
) -> Addresses {
    let mut out = Addresses::default();
    let all_envs: Vec<Ipv4Net> = validated.environments().values().map(|e| e.cidr).collect();
    for (env_name, env) in validated.environments() {
        let layout = if env.cloud == Cloud::Aws && env.cidr.prefix_len() < 16 {
            NetworkLayout::Cluster
        } else {
            NetworkLayout::Environment
        };
        out.environments.insert(
            env_name.clone(),
            EnvironmentNetwork {
                layout,
                secondary_ranges: None,
            },
        );
        let (requests, largest_nodes) =
            requests(validated, topology, env_name, env.cloud, problems);
        if requests.is_empty() {
            continue;
        }
        let kept: BTreeMap<String, Ipv4Net> = previous
            .and_then(|p| p.environments.get(env_name))
            .map(|clusters| {
                clusters
                    .iter()
                    .filter_map(|(name, c)| {
                        c.cidr.parse::<Ipv4Net>().ok().map(|n| (name.clone(), n))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let blocks = match assign(env.cidr, &requests, &kept) {
            Ok(blocks) => blocks,
            Err(shortfall) => {
                problems.push(too_small(env_name, env.cidr, &requests, shortfall));
                continue;
            }
        };
        let Some(local) = cluster_local(env.cloud, env.cidr, largest_nodes, &all_envs) else {
            if env.cloud == Cloud::Gcp {
                problems.push(no_gke_pool(env_name, env.cidr));
                continue;
            }
            problems.push(
                Problem::error(
                    Rule::Cidr,
                    KeyPath::keys(["environments", env_name.as_str(), "cidr"]),
                    "no private range is left outside the environments' ranges for cluster-local services and pods",
                )
                .with_help("the environments cover 172.20.0.0/14, 10.100.0.0/14 and 192.168.0.0/16; leave one of them free"),
            );
            continue;
        };
        if let (Some(gke), Some(e)) = (local.gke, out.environments.get_mut(env_name)) {
            e.secondary_ranges = Some(gke.image.to_string());
        }
        for (name, _, parts) in &requests {
            if let Some(block) = blocks.get(name) {
                out.clusters.insert(
                    name.clone(),
                    cluster_network(env.cloud, *block, parts, local),
                );
            }
        }
    }
    out
}

/// The block requests of the clusters of `env`, and the most nodes any of them addresses.
fn requests(
    validated: &Validated,
    topology: &Topology,
    env: &str,
    cloud: Cloud,
    problems: &mut Vec<Problem>,
) -> (Vec<Request>, u32) {
    let mut out = Vec::new();
    let mut largest_nodes = 0;
    for bin in topology.bins.iter().filter(|b| b.key.environment == env) {
        let cap = capacity(validated, &bin.key);
        let nodes = addressed_nodes(cap.nodes);
        largest_nodes = largest_nodes.max(nodes);
        let (prefix, parts) = cluster_layout(cloud, nodes, cap.tenants);
        if cloud == Cloud::Aws && prefix < 16 {
            problems.push(
                Problem::error(
                    Rule::Cidr,
                    KeyPath::keys(["units", bin.key.unit.as_str()]),
                    format!("a cluster of this unit needs a /{prefix}, larger than the largest AWS VPC (/16)"),
                )
                .with_help("make the unit smaller (fewer node groups or nodes per group)"),
            );
            continue;
        }
        out.push((bin.name.clone(), prefix, parts));
    }
    (out, largest_nodes)
}

/// Ranges of an environment outside every environment's range: services (AWS, Azure) and
/// the pod overlay (Azure), shared by its clusters; on GCP the environment's range and its
/// image in a pool ([`GKE_POOLS`]), where each cluster's pod and service ranges lie.
/// `None` when nothing is left.
#[derive(Debug, Clone, Copy)]
struct Local {
    services: Option<Ipv4Net>,
    overlay: Option<Ipv4Net>,
    gke: Option<GkeImage>,
}

fn cluster_local(
    cloud: Cloud,
    env: Ipv4Net,
    largest_nodes: u32,
    all_envs: &[Ipv4Net],
) -> Option<Local> {
    if cloud == Cloud::Gcp {
        let prefix = env.prefix_len().checked_sub(GKE_SCALE)?;
        let image = find_outside(prefix, &GKE_POOLS, all_envs)?;
        return Some(Local {
            services: None,
            overlay: None,
            gke: Some(GkeImage { env, image }),
        });
    }
    let services = find_outside(
        16,
        &["172.20.0.0/14", "10.100.0.0/14", "192.168.0.0/16"],
        all_envs,
    )?;
    let overlay = if cloud == Cloud::Azure {
        let prefix =
            prefix_for(u64::from(largest_nodes) * u64::from(AZURE_POD_BLOCK_PER_NODE)).min(16);
        let mut avoid = all_envs.to_vec();
        avoid.push(services);
        Some(find_outside(
            prefix,
            &["10.244.0.0/14", "10.128.0.0/9", "100.64.0.0/10"],
            &avoid,
        )?)
    } else {
        None
    };
    Some(Local {
        services: Some(services),
        overlay,
        gke: None,
    })
}

/// How a cluster on `cloud` uses its `block`.
fn cluster_network(cloud: Cloud, block: Ipv4Net, parts: &[u8], local: Local) -> ClusterNetwork {
    let carved = carve(block, parts);
    let service = |fallback: Ipv4Net| local.services.unwrap_or(fallback);
    match cloud {
        Cloud::Aws => ClusterNetwork {
            cidr: block.to_string(),
            node_subnets: carved.iter().take(3).map(ToString::to_string).collect(),
            public_subnets: carved.iter().skip(3).map(ToString::to_string).collect(),
            pod_cidr: None,
            service_cidr: service(block).to_string(),
            dns_service_ip: dns_ip(service(block)),
            max_pods_per_node: AWS_ADDRESSES_PER_NODE - 6,
        },
        Cloud::Gcp => {
            let nodes = carved.first().copied().unwrap_or(block);
            // Without an image (never: `allocate` refuses the environment first) the
            // cluster gets no pod range, which the targets report as a bug.
            let ranges = local.gke.and_then(|g| g.ranges(block, nodes));
            let services = ranges.map_or(block, |r| r.1);
            ClusterNetwork {
                cidr: block.to_string(),
                node_subnets: vec![nodes.to_string()],
                public_subnets: Vec::new(),
                pod_cidr: ranges.map(|r| r.0.to_string()),
                service_cidr: services.to_string(),
                dns_service_ip: dns_ip(services),
                max_pods_per_node: GKE_MAX_PODS,
            }
        }
        Cloud::Azure => ClusterNetwork {
            cidr: block.to_string(),
            node_subnets: carved
                .first()
                .map(ToString::to_string)
                .into_iter()
                .collect(),
            public_subnets: Vec::new(),
            pod_cidr: local.overlay.map(|o| o.to_string()),
            service_cidr: service(block).to_string(),
            dns_service_ip: dns_ip(service(block)),
            max_pods_per_node: MAX_PODS,
        },
    }
}

/// GKE's control-plane range: the /28 right after the ranges of the cluster's block
/// (its node subnet; pods and services lie outside it), aligned, inside the block. Carved
/// after them, it moves none; the block has room because [`cluster_layout`] sizes a GCP
/// block for the node subnet and a /28. `None` when the cluster has no such room.
pub fn control_plane_range(network: &ClusterNetwork) -> Option<Ipv4Net> {
    const CONTROL_PLANE: u8 = GKE_CONTROL_PLANE;
    let block: Ipv4Net = network.cidr.parse().ok()?;
    let parts = network
        .node_subnets
        .iter()
        .chain(network.pod_cidr.iter())
        .chain(std::iter::once(&network.service_cidr))
        .filter_map(|p| p.parse::<Ipv4Net>().ok())
        .filter(|p| block.contains(p));
    let end = parts
        .map(|p| u64::from(u32::from(p.broadcast())) + 1)
        .max()
        .unwrap_or_else(|| u64::from(u32::from(block.network())));
    let start = end.div_ceil(size(CONTROL_PLANE)) * size(CONTROL_PLANE);
    let range = Ipv4Net::new(Ipv4Addr::from(u32::try_from(start).ok()?), CONTROL_PLANE).ok()?;
    block.contains(&range).then_some(range)
}

/// The tenth address of a service range: where clusters put their DNS service.
fn dns_ip(services: Ipv4Net) -> String {
    Ipv4Addr::from(u32::from(services.network()).saturating_add(10)).to_string()
}

/// The first aligned /`prefix` inside one of `candidates` that overlaps none of `avoid`.
fn find_outside(prefix: u8, candidates: &[&str], avoid: &[Ipv4Net]) -> Option<Ipv4Net> {
    for candidate in candidates {
        let Ok(super_net) = candidate.parse::<Ipv4Net>() else {
            continue;
        };
        if super_net.prefix_len() > prefix {
            continue;
        }
        let Ok(subnets) = super_net.subnets(prefix) else {
            continue;
        };
        if let Some(found) = subnets
            .into_iter()
            .find(|s| !avoid.iter().any(|a| overlaps(*a, *s)))
        {
            return Some(found);
        }
    }
    None
}

fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// What an environment's range lacks: the addresses all its clusters need, and how many of
/// them got a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shortfall {
    needed: u64,
    placed: usize,
}

/// Gives every request a block inside `range`: previous blocks where still big enough,
/// then the rest largest first at the lowest aligned free address. On failure, returns what
/// the environment would need and how many clusters the range holds.
fn assign(
    range: Ipv4Net,
    requests: &[Request],
    kept: &BTreeMap<String, Ipv4Net>,
) -> Result<BTreeMap<String, Ipv4Net>, Shortfall> {
    let mut taken: BTreeMap<u32, u32> = BTreeMap::new(); // start -> last address
    let mut out = BTreeMap::new();
    let mut fresh = Vec::new();
    for (name, prefix, _) in requests {
        match kept.get(name) {
            Some(block)
                if block.prefix_len() <= *prefix
                    && range.contains(block)
                    && !clashes(
                        &taken,
                        u32::from(block.network()),
                        u32::from(block.broadcast()),
                    ) =>
            {
                taken.insert(u32::from(block.network()), u32::from(block.broadcast()));
                out.insert(name.clone(), *block);
            }
            _ => fresh.push((name, *prefix)),
        }
    }
    // Stable: equal sizes keep the order of the requests (sequence order).
    fresh.sort_by_key(|f| f.1);
    let start = u64::from(u32::from(range.network()));
    let end = u64::from(u32::from(range.broadcast()));
    // Blocks are only ever added, so the lowest free position for a size never moves
    // down: each size's search resumes where its last one ended (exact first fit, in
    // linear time).
    let mut hints: BTreeMap<u8, u64> = BTreeMap::new();
    let mut failed = false;
    for (name, prefix) in &fresh {
        let from = hints.get(prefix).copied().unwrap_or(start);
        let found = first_free(&taken, from, end, size(*prefix));
        let block = found
            .and_then(|at| Ipv4Net::new(Ipv4Addr::from(u32::try_from(at).ok()?), *prefix).ok());
        if let Some(block) = block {
            hints.insert(*prefix, u64::from(u32::from(block.network())));
            taken.insert(u32::from(block.network()), u32::from(block.broadcast()));
            out.insert((*name).clone(), block);
        } else {
            hints.insert(*prefix, end + 1);
            failed = true;
        }
    }
    if failed {
        let needed: u64 = requests.iter().map(|(_, p, _)| size(*p)).sum();
        return Err(Shortfall {
            needed,
            placed: out.len(),
        });
    }
    Ok(out)
}

fn clashes(taken: &BTreeMap<u32, u32>, first: u32, last: u32) -> bool {
    taken
        .range(..=last)
        .next_back()
        .is_some_and(|(_, &end)| end >= first)
}

/// The lowest address from `from` where a block of `len` (aligned to `len`) is free.
fn first_free(taken: &BTreeMap<u32, u32>, from: u64, end: u64, len: u64) -> Option<u64> {
    let mut at = from.div_ceil(len) * len;
    while at + len - 1 <= end {
        let last = at + len - 1;
        let (Ok(a), Ok(l)) = (u32::try_from(at), u32::try_from(last)) else {
            return None;
        };
        match taken.range(..=l).next_back() {
            Some((_, &busy_end)) if busy_end >= a => {
                at = (u64::from(busy_end) + 1).div_ceil(len) * len;
            }
            _ => return Some(at),
        }
    }
    None
}

fn clusters(n: usize) -> String {
    if n == 1 {
        "1 cluster".to_owned()
    } else {
        format!("{n} clusters")
    }
}

fn too_small(env: &str, range: Ipv4Net, requests: &[Request], shortfall: Shortfall) -> Problem {
    let Shortfall { needed, placed } = shortfall;
    let mut sizes: BTreeMap<u8, usize> = BTreeMap::new();
    for (_, p, _) in requests {
        *sizes.entry(*p).or_default() += 1;
    }
    let blocks: Vec<String> = sizes.iter().map(|(p, n)| format!("{n} × /{p}")).collect();
    let prefix = prefix_for(needed);
    let planned = requests.len();
    let missing = planned.saturating_sub(placed);
    // With the range suggested, what is left over, in blocks of the largest size planned.
    let largest = sizes.keys().next().copied().unwrap_or(32);
    let more = (size(prefix) - needed) / size(largest);
    let message = format!(
        "`{range}` holds {placed} of the {} planned in `{env}`, {} short: they need {} ({needed} addresses), the range has {}",
        clusters(planned),
        clusters(missing),
        blocks.join(" + "),
        size(range.prefix_len())
    );
    let room = if more == 0 {
        format!("just enough for all {planned}")
    } else {
        format!("all {planned}, then room for {more} more of /{largest}")
    };
    Problem::error(
        Rule::Cidr,
        KeyPath::keys(["environments", env, "cidr"]),
        message,
    )
    .with_help(format!(
        "give `{env}` at least a /{prefix} ({room}), or plan fewer or smaller clusters (a cluster's range is sized for its unit's full shape)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn aws_layout_for_the_sizing_example() {
        // 10 groups of 10 nodes: 100 + 3 system = 103, +25% = 129 addressed nodes.
        let (prefix, parts) = cluster_layout(Cloud::Aws, addressed_nodes(100), 10);
        assert_eq!(parts, vec![20, 20, 20, 26, 26, 26]);
        assert_eq!(prefix, 18);
        let carved = carve(net("10.0.0.0/18"), &parts);
        assert_eq!(carved[0], net("10.0.0.0/20"));
        assert_eq!(carved[2], net("10.0.32.0/20"));
        assert_eq!(carved[3], net("10.0.48.0/26"));
        assert_eq!(carved[5], net("10.0.48.128/26"));
    }

    fn gke_image(env: &str) -> GkeImage {
        let env = net(env);
        let image = find_outside(
            env.prefix_len() - GKE_SCALE,
            &GKE_POOLS,
            &[env, net("10.16.0.0/12")],
        )
        .unwrap();
        GkeImage { env, image }
    }

    fn gke_local(env: &str) -> Local {
        Local {
            services: None,
            overlay: None,
            gke: Some(gke_image(env)),
        }
    }

    #[test]
    fn a_gcp_block_holds_the_node_subnet_and_the_control_plane_only() {
        // 129 addressed nodes and 10 tenants: 129 + 12 front ends + 4 reserved = 145, a /24;
        // with the control plane's /28, a /23.
        let (prefix, parts) = cluster_layout(Cloud::Gcp, addressed_nodes(100), 10);
        assert_eq!(parts, vec![24]);
        assert_eq!(prefix, 23);
        let block = net("10.4.2.0/23");
        let network = cluster_network(Cloud::Gcp, block, &parts, gke_local("10.0.0.0/12"));
        assert_eq!(network.cidr, "10.4.2.0/23");
        assert_eq!(network.node_subnets, vec!["10.4.2.0/24".to_owned()]);
        assert_eq!(control_plane_range(&network), Some(net("10.4.3.0/28")));
        // Pods and services outside the block and every RFC 1918 range: the block's image
        // (offset 0x40200 << 7 = 0x2010000 in 240.0.0.0/5), pods in its first half,
        // services in the second.
        let pods = net(network.pod_cidr.as_deref().unwrap());
        let services = net(&network.service_cidr);
        assert_eq!(pods, net("242.1.0.0/17"));
        assert_eq!(services, net("242.1.128.0/20"));
        assert_eq!(network.dns_service_ip, "242.1.128.10");
        for range in [pods, services] {
            assert!(!overlaps(range, block));
            for private in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] {
                assert!(!overlaps(range, net(private)), "{range} in {private}");
            }
        }
        // Every node the subnet can hold gets GKE's /25.
        assert!(size(pods.prefix_len()) >= 256 * u64::from(GKE_POD_ADDRESSES_PER_NODE));
    }

    #[test]
    fn gke_pod_and_service_ranges_are_unique_in_the_environment_and_follow_the_block() {
        let env = "10.16.0.0/12";
        let image = gke_image(env);
        assert_eq!(image.image, net("240.0.0.0/5"), "the first half of class E");
        // Blocks of every size the layout gives, laid out as `assign` lays them out.
        let mut requests = Vec::new();
        for (i, capacity_nodes) in [0, 1, 5, 13, 29, 61, 100, 125, 250, 1_000, 4_000, 14_997]
            .into_iter()
            .enumerate()
        {
            let (prefix, parts) = cluster_layout(Cloud::Gcp, addressed_nodes(capacity_nodes), 10);
            requests.push((format!("c{i}"), prefix, parts));
        }
        let blocks = assign(net(env), &requests, &BTreeMap::new()).unwrap();
        let local = gke_local(env);
        let mut ranges = Vec::new();
        for (name, _, parts) in &requests {
            let network = cluster_network(Cloud::Gcp, blocks[name], parts, local);
            let pods = net(network.pod_cidr.as_deref().unwrap());
            let services = net(&network.service_cidr);
            assert!(control_plane_range(&network).is_some(), "{name}");
            assert!(image.image.contains(&pods) && image.image.contains(&services));
            // Deterministic: the same block gives the same ranges, whatever else is planned.
            let again = cluster_network(Cloud::Gcp, blocks[name], parts, gke_local(env));
            assert_eq!(again, network);
            ranges.push((pods, name.clone()));
            ranges.push((services, name.clone()));
        }
        for (i, (a, x)) in ranges.iter().enumerate() {
            for (b, y) in ranges.iter().skip(i + 1) {
                assert!(!overlaps(*a, *b), "{a} ({x}) overlaps {b} ({y})");
            }
        }
    }

    #[test]
    fn gke_pools_avoid_every_environment_and_small_ranges_use_shared_address_space() {
        // A /17 has an image of a /10: RFC 6598 space holds it.
        assert_eq!(
            find_outside(17 - GKE_SCALE, &GKE_POOLS, &[net("10.0.0.0/17")]),
            Some(net("100.64.0.0/10"))
        );
        // An environment in the shared address space pushes the image to class E.
        assert_eq!(
            find_outside(17 - GKE_SCALE, &GKE_POOLS, &[net("100.64.0.0/17")]),
            Some(net("240.0.0.0/10"))
        );
        // A /11 takes all of class E; a /10 has no image.
        let envs = [net("10.0.0.0/11")];
        assert_eq!(
            cluster_local(Cloud::Gcp, envs[0], 10, &envs)
                .and_then(|l| l.gke)
                .map(|g| g.image),
            Some(net("240.0.0.0/4"))
        );
        let envs = [net("10.0.0.0/10")];
        assert!(cluster_local(Cloud::Gcp, envs[0], 10, &envs).is_none());
    }

    #[test]
    fn azure_node_subnets_hold_nodes_front_ends_and_reserved_addresses() {
        // 129 addressed nodes + 12 front ends + 5 reserved = 146: a /24.
        assert_eq!(
            cluster_layout(Cloud::Azure, addressed_nodes(100), 10),
            (24, vec![24])
        );
        // 1 tenant, no nodes: 3 system nodes + 25% = 4, + 3 + 5 = 12: a /28.
        assert_eq!(
            cluster_layout(Cloud::Azure, addressed_nodes(0), 1),
            (28, vec![28])
        );
        // The overlay: a /24 per node of the largest cluster, outside every environment.
        let envs = [net("10.0.0.0/12"), net("10.16.0.0/12"), net("10.32.0.0/12")];
        let local = cluster_local(Cloud::Azure, envs[0], 1_000, &envs).unwrap();
        assert_eq!(local.overlay, Some(net("10.244.0.0/14")));
        assert_eq!(local.services, Some(net("172.20.0.0/16")));
    }

    #[test]
    fn gke_control_plane_ranges_follow_the_node_subnet_in_every_block() {
        for capacity_nodes in [0, 1, 5, 13, 29, 61, 100, 125, 250, 1_000, 4_000, 14_997] {
            for tenants in [1, 10, 100] {
                let (prefix, parts) =
                    cluster_layout(Cloud::Gcp, addressed_nodes(capacity_nodes), tenants);
                let block = Ipv4Net::new(Ipv4Addr::new(10, 0, 0, 0), prefix).unwrap();
                let network = cluster_network(Cloud::Gcp, block, &parts, gke_local("10.0.0.0/12"));
                let range = control_plane_range(&network)
                    .unwrap_or_else(|| panic!("no room for {capacity_nodes} nodes in {block}"));
                assert_eq!(range.prefix_len(), 28);
                assert!(block.contains(&range));
                for part in carve(block, &parts) {
                    assert!(!overlaps(part, range), "{range} overlaps {part}");
                }
                assert!(network.pod_cidr.is_some(), "{capacity_nodes} nodes");
            }
        }
        let network = ClusterNetwork {
            cidr: "10.16.0.0/18".into(),
            node_subnets: vec!["10.16.48.0/25".into()],
            pod_cidr: Some("10.16.0.0/19".into()),
            service_cidr: "10.16.32.0/20".into(),
            ..ClusterNetwork::default()
        };
        assert_eq!(control_plane_range(&network), Some(net("10.16.48.128/28")));
    }

    #[test]
    fn blocks_go_largest_first_and_keep_previous_ones() {
        let requests = vec![
            ("a".to_owned(), 20, vec![]),
            ("b".to_owned(), 18, vec![]),
            ("c".to_owned(), 20, vec![]),
        ];
        let kept = BTreeMap::from([("c".to_owned(), net("10.0.0.0/20"))]);
        let got = assign(net("10.0.0.0/16"), &requests, &kept).unwrap();
        assert_eq!(got["c"], net("10.0.0.0/20"));
        assert_eq!(got["b"], net("10.0.64.0/18"));
        assert_eq!(got["a"], net("10.0.16.0/20"));
    }

    #[test]
    fn a_full_range_reports_what_is_needed() {
        let requests = vec![
            ("a".to_owned(), 17, vec![]),
            ("b".to_owned(), 17, vec![]),
            ("c".to_owned(), 17, vec![]),
        ];
        assert_eq!(
            assign(net("10.0.0.0/16"), &requests, &BTreeMap::new()),
            Err(Shortfall {
                needed: 3 * 32768,
                placed: 2
            })
        );
    }

    #[test]
    fn a_full_range_says_how_many_clusters_it_holds() {
        let requests = vec![
            ("a".to_owned(), 17, vec![]),
            ("b".to_owned(), 17, vec![]),
            ("c".to_owned(), 18, vec![]),
        ];
        let shortfall = assign(net("10.0.0.0/16"), &requests, &BTreeMap::new()).unwrap_err();
        let problem = too_small("prod", net("10.0.0.0/16"), &requests, shortfall);
        assert_eq!(
            problem.message,
            "`10.0.0.0/16` holds 2 of the 3 clusters planned in `prod`, 1 cluster short: they need 2 × /17 + 1 × /18 (81920 addresses), the range has 65536"
        );
        assert_eq!(
            problem.help.as_deref(),
            Some(
                "give `prod` at least a /15 (all 3, then room for 1 more of /17), or plan fewer or smaller clusters (a cluster's range is sized for its unit's full shape)"
            )
        );
    }

    #[test]
    fn cluster_local_ranges_avoid_every_environment() {
        let envs = [net("172.20.0.0/16"), net("10.0.0.0/8")];
        assert_eq!(
            find_outside(16, &["172.20.0.0/14"], &envs),
            Some(net("172.21.0.0/16"))
        );
    }
}
