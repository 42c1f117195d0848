//! Address space: one range per cluster, carved from its environment's range, and how each
//! cloud uses it.
//!
//! A cluster's range is sized for the most its unit's shape allows (not for today's
//! tenants), so adding tenants never re-addresses a cluster; 25% on top covers rolling
//! upgrades, which add nodes before removing old ones. Routable space (the environment's
//! range) holds nodes, load balancers and control-plane interfaces; pods live in ranges
//! that nothing outside the cluster's network routes to. Per cloud:
//!
//! - **AWS**: three node subnets (one per availability zone) sized for the zone's nodes,
//!   the EKS control plane's network interfaces and internal load balancers: the cluster's
//!   routable block. Three public subnets for NAT gateways and internet-facing load
//!   balancers: /27s in the routable block in an environment VPC, /26s in a secondary range
//!   (100.127.255.0/24) in a cluster's own VPC, since nothing outside the VPC routes to
//!   their private addresses. Pods take addresses from three pod subnets of a secondary VPC range in
//!   100.64.0.0/10 (RFC 6598), sized for 64 addresses per node: Cilium in ENI mode (pod ENIs
//!   only in the pod subnets, never on the node's primary interface) or the VPC CNI's custom
//!   networking. With one VPC per cluster every VPC uses the same pod range (VPCs are never
//!   peered); with one VPC per environment each cluster gets a pod range of its own, and the
//!   VPC one CIDR block per cluster (at most 50 with the primary: quota `L-83CA0A9D`).
//!   Services use a cluster-local /16 outside every environment's range (EKS requires it
//!   outside the VPC). One VPC per environment when the environment's range is at most a
//!   /16 (the largest VPC), otherwise one VPC per cluster.
//! - **GCP**: one VPC network per environment, one subnetwork per cluster. The cluster's
//!   block in the environment's range holds only what must be routable: the subnetwork's
//!   primary range (nodes, and the internal load balancers GKE takes from it) and the
//!   control plane's /28 ([`control_plane_range`]). The secondary ranges, pods (64 pods per
//!   node: GKE reserves a /25 per node) and services, lie outside every environment's range,
//!   in non-RFC 1918 space GKE supports ([`GKE_POOLS`]): each environment's clusters are laid
//!   out there as their blocks are in the environment's range, 128 times as large
//!   (`GKE_SCALE`), so the secondary ranges are unique within the environment's network,
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
    /// range: the environment's range laid out `GKE_SCALE` times as large in a pool.
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
    /// Pod range when pods do not take node-subnet addresses: GCP's secondary range,
    /// Azure's overlay, or AWS's secondary VPC range in 100.64.0.0/10.
    pub pod_cidr: Option<String>,
    /// Pod subnets, one per availability zone, carved from `pod_cidr` (AWS).
    pub pod_subnets: Vec<String>,
    /// The secondary VPC range that holds the public subnets, when they are not in `cidr`
    /// (AWS with one VPC per cluster).
    pub public_cidr: Option<String>,
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

/// Pod addresses per node that AWS pod subnets are sized for: an `m6i.xlarge` holds at
/// most 42 pod addresses on its three secondary ENIs (4 ENIs of 15 addresses, the primary
/// ENI and each ENI's primary address unused: cilium/cilium `pkg/aws/eni` tests of
/// `GetMaximumAllocatableIPv4`, "(ENIs - first-interface-index) x (IPs - 1)"), and larger
/// types more; Cilium and the VPC CNI keep a few spare.
const AWS_POD_ADDRESSES_PER_NODE: u32 = 64;
/// Most pods on one node the AWS address plan assumes: the per-node figure above less the
/// spare addresses the CNIs keep warm.
const AWS_MAX_PODS: u32 = AWS_POD_ADDRESSES_PER_NODE - 6;
const AWS_ZONES: u32 = facts::ZONES;
/// Public subnets hold the NAT gateway and internet-facing load balancers: an Application
/// Load Balancer needs "at least a /27 bitmask" and eight free addresses in each of its
/// subnets (docs.aws.amazon.com/elasticloadbalancing/latest/application/
/// application-load-balancers.html, "Subnets for your load balancer").
const AWS_PUBLIC_SUBNET: u8 = 27;
/// The smallest node subnet: internal Application Load Balancers use them (the /27 above).
const AWS_SMALLEST_NODE_SUBNET: u8 = 27;
/// Addresses AWS keeps in every subnet: the first four and the last
/// (docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
const AWS_RESERVED_PER_SUBNET: u64 = 5;
/// Free addresses a node subnet keeps for the EKS control plane's network interfaces: EKS
/// creates 2–4 of them in the cluster's subnets and replaces them on every upgrade; it needs
/// "at least six" free addresses per subnet and recommends 16
/// (docs.aws.amazon.com/eks/latest/userguide/network-reqs.html, "Subnet requirements").
const EKS_CONTROL_PLANE_ADDRESSES: u64 = 16;
/// Free addresses a node subnet keeps for internal load balancers: the eight an Application
/// Load Balancer needs free (see [`AWS_PUBLIC_SUBNET`]), the rest one per Network Load
/// Balancer and subnet.
const AWS_LOAD_BALANCER_ADDRESSES: u64 = 16;
/// Where AWS pod ranges come from: RFC 6598 shared address space, which a VPC whose primary
/// range is in any RFC 1918 range (or 100.64.0.0/10 itself) may add as secondary blocks of
/// /16 to /28 (docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html, "IPv4 CIDR
/// block association restrictions"; awsdocs amazon-vpc-user-guide `vpc-cidr-blocks.md`).
pub const AWS_POD_RANGE: &str = "100.64.0.0/10";
/// The public subnets of a cluster with a VPC of its own (NAT gateways, internet-facing
/// load balancers): a secondary range of the VPC at the top of 100.64.0.0/10, the same in
/// every such VPC and clear of every pod range (those start at 100.64.0.0 and are at most a
/// /16). Nothing routes to the private addresses of a NAT gateway or an internet-facing load
/// balancer from outside the VPC (clients reach their public addresses; route tables name
/// the gateway, not its address), so they need no routable space: with them in the routable
/// block, every cluster's block grew from a /24 to a /23.
pub const AWS_OWN_VPC_PUBLIC_RANGE: &str = "100.127.255.0/24";
/// Its subnets, one per zone: /26, above the /27 an Application Load Balancer needs.
const AWS_OWN_VPC_PUBLIC_SUBNET: u8 = 26;
/// The largest block a VPC takes, as its primary range or a secondary one.
const AWS_LARGEST_VPC_BLOCK: u8 = 16;
/// "IPv4 CIDR blocks per VPC" (quota `L-83CA0A9D`): 5 by default, adjustable up to 50; the
/// primary block counts (docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
pub const AWS_CIDR_BLOCKS_PER_VPC_MAX: usize = 50;
/// The default of that quota.
pub const AWS_CIDR_BLOCKS_PER_VPC_DEFAULT: usize = 5;
/// The tag on a cluster's pod subnets (value: the cluster's name). Cilium places pod ENIs
/// only in subnets with it (`eni.nodeSpec.subnetTags`) and cilium-operator's IAM policy
/// allows no other subnet; the VPC CNI's custom networking finds them by it.
pub const POD_SUBNET_TAG: &str = "clusterwright.io/pod-subnet";
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
                nodes.div_ceil(u64::from(AWS_ZONES))
                    + AWS_RESERVED_PER_SUBNET
                    + EKS_CONTROL_PLANE_ADDRESSES
                    + AWS_LOAD_BALANCER_ADDRESSES,
            )
            .min(AWS_SMALLEST_NODE_SUBNET);
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

/// The pod subnets (prefix lengths, one per zone) of an AWS cluster of `nodes` addressed
/// nodes, and the prefix of the secondary VPC block that holds them.
fn aws_pod_layout(nodes: u32) -> (u8, Vec<u8>) {
    let per_zone = prefix_for(
        u64::from(nodes).div_ceil(u64::from(AWS_ZONES)) * u64::from(AWS_POD_ADDRESSES_PER_NODE)
            + AWS_RESERVED_PER_SUBNET,
    )
    .min(28);
    let parts = vec![per_zone; AWS_ZONES as usize];
    let total: u64 = parts.iter().map(|p| size(*p)).sum();
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
        let layout = layout_of(env.cloud, env.cidr);
        out.environments.insert(
            env_name.clone(),
            EnvironmentNetwork {
                layout,
                secondary_ranges: None,
            },
        );
        if env.cloud == Cloud::Aws && overlaps(env.cidr, aws_pod_range()) {
            problems.push(
                Problem::error(
                    Rule::Cidr,
                    KeyPath::keys(["environments", env_name.as_str(), "cidr"]),
                    format!("`{}` overlaps {AWS_POD_RANGE}, where the pods of AWS clusters take their addresses", env.cidr),
                )
                .with_help("give the environment a range in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"),
            );
            continue;
        }
        let (requests, largest_nodes) =
            requests(validated, topology, env_name, env.cloud, problems);
        if requests.is_empty() {
            continue;
        }
        if env.cloud == Cloud::Aws
            && layout == NetworkLayout::Environment
            && let Some(problem) = aws_cidr_block_quota(env_name, env.cidr, requests.len())
        {
            problems.push(problem);
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
        let pods = if env.cloud == Cloud::Aws {
            aws_pod_layouts(validated, topology, env_name)
        } else {
            BTreeMap::new()
        };
        if let (Some(gke), Some(e)) = (local.gke, out.environments.get_mut(env_name)) {
            e.secondary_ranges = Some(gke.image.to_string());
        }
        for (name, _, parts) in &requests {
            if let Some(block) = blocks.get(name) {
                let mut network = cluster_network(env.cloud, *block, parts, local);
                if let Some((pod_prefix, pod_parts)) = pods.get(name) {
                    let pod_block = aws_pod_block(layout, env.cidr, *block, *pod_prefix);
                    network.pod_cidr = Some(pod_block.to_string());
                    network.pod_subnets = carve(pod_block, pod_parts)
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    if layout == NetworkLayout::Cluster {
                        let public = aws_public_range();
                        network.public_cidr = Some(public.to_string());
                        network.public_subnets = carve(public, &[AWS_OWN_VPC_PUBLIC_SUBNET; 3])
                            .iter()
                            .map(ToString::to_string)
                            .collect();
                    }
                }
                out.clusters.insert(name.clone(), network);
            }
        }
    }
    out
}

fn aws_pod_range() -> Ipv4Net {
    Ipv4Net::new(Ipv4Addr::new(100, 64, 0, 0), 10).unwrap_or_default()
}

fn aws_public_range() -> Ipv4Net {
    AWS_OWN_VPC_PUBLIC_RANGE.parse().unwrap_or_default()
}

/// How an environment on `cloud` with range `cidr` lays out its network: on AWS one VPC
/// per cluster when the range is larger than a VPC can be (/16).
fn layout_of(cloud: Cloud, cidr: Ipv4Net) -> NetworkLayout {
    if cloud == Cloud::Aws && cidr.prefix_len() < AWS_LARGEST_VPC_BLOCK {
        NetworkLayout::Cluster
    } else {
        NetworkLayout::Environment
    }
}

/// The pod subnet layout of every AWS cluster of `env`, by name.
fn aws_pod_layouts(
    validated: &Validated,
    topology: &Topology,
    env: &str,
) -> BTreeMap<String, (u8, Vec<u8>)> {
    topology
        .bins
        .iter()
        .filter(|b| b.key.environment == env)
        .map(|bin| {
            let nodes = addressed_nodes(capacity(validated, &bin.key).nodes);
            (bin.name.clone(), aws_pod_layout(nodes))
        })
        .collect()
}

/// The secondary VPC block of an AWS cluster's pods, a /`prefix`.
///
/// - One VPC per cluster: the first block of 100.64.0.0/10, the same in every cluster's
///   VPC. The VPCs are never peered, so the same range in two of them never meets.
/// - One VPC for the environment (a /16 at most): the cluster's routable block scaled by 64
///   into 100.64.0.0/10 (a /16 environment fills the /10 exactly). Routable blocks never
///   overlap, so neither do pod blocks, and a cluster keeps its pod block as long as it
///   keeps its routable block: no other cluster's arrival moves it. The pod block fits its
///   share: a pod subnet holds 64 addresses per node where a node subnet holds one per node
///   and 37 more, so it is at most 64 times a node subnet, and the routable block holds at
///   least three node subnets (so, a power of two, at least four).
fn aws_pod_block(layout: NetworkLayout, env: Ipv4Net, block: Ipv4Net, prefix: u8) -> Ipv4Net {
    let base = u32::from(aws_pod_range().network());
    let start = match layout {
        NetworkLayout::Cluster => base,
        NetworkLayout::Environment => {
            let offset = u32::from(block.network()).saturating_sub(u32::from(env.network()));
            base.saturating_add(offset.saturating_mul(64))
        }
    };
    Ipv4Net::new(Ipv4Addr::from(start), prefix)
        .map(|n| n.trunc())
        .unwrap_or_default()
}

/// An environment VPC holds its range and one secondary block per cluster: refused past
/// the most the "IPv4 CIDR blocks per VPC" quota can be raised to.
fn aws_cidr_block_quota(env: &str, range: Ipv4Net, clusters: usize) -> Option<Problem> {
    let blocks = clusters + 1;
    (blocks > AWS_CIDR_BLOCKS_PER_VPC_MAX).then(|| {
        Problem::error(
            Rule::Cidr,
            KeyPath::keys(["environments", env, "cidr"]),
            format!(
                "the VPC of `{env}` (`{range}`) would need {blocks} IPv4 CIDR blocks, its range and one pod range for each of its {clusters} clusters; an AWS VPC holds at most {AWS_CIDR_BLOCKS_PER_VPC_MAX} (quota `L-83CA0A9D`)"
            ),
        )
        .with_help(format!(
            "give `{env}` a range larger than a /16, so that every cluster gets a VPC of its own, or plan at most {} clusters in it",
            AWS_CIDR_BLOCKS_PER_VPC_MAX - 1
        ))
    })
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
        let (mut prefix, mut parts) = cluster_layout(cloud, nodes, cap.tenants);
        let own_vpc = validated
            .environments()
            .get(env)
            .is_some_and(|e| layout_of(cloud, e.cidr) == NetworkLayout::Cluster);
        if cloud == Cloud::Aws && own_vpc {
            // A VPC of its own: the public subnets are in a range outside the routable
            // block (`AWS_OWN_VPC_PUBLIC_RANGE`), which then holds the node subnets only.
            parts.truncate(AWS_ZONES as usize);
            prefix = prefix_for(parts.iter().map(|p| size(*p)).sum());
        }
        if cloud == Cloud::Aws {
            // Pods take far more addresses than the routable block: theirs is the limit.
            let (pods, _) = aws_pod_layout(nodes);
            if pods.min(prefix) < AWS_LARGEST_VPC_BLOCK {
                problems.push(
                    Problem::error(
                        Rule::Cidr,
                        KeyPath::keys(["units", bin.key.unit.as_str()]),
                        format!("the pods of a cluster of this unit need a /{}, larger than the largest AWS VPC range (/16)", pods.min(prefix)),
                    )
                    .with_help("make the unit smaller (fewer node groups or nodes per group)"),
                );
                continue;
            }
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
            // The pod range and subnets: `allocate` (they depend on the environment's layout).
            pod_cidr: None,
            pod_subnets: Vec::new(),
            public_cidr: None,
            service_cidr: service(block).to_string(),
            dns_service_ip: dns_ip(service(block)),
            max_pods_per_node: AWS_MAX_PODS,
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
                pod_subnets: Vec::new(),
                public_cidr: None,
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
            pod_subnets: Vec::new(),
            public_cidr: None,
            service_cidr: service(block).to_string(),
            dns_service_ip: dns_ip(service(block)),
            max_pods_per_node: MAX_PODS,
        },
    }
}

/// GKE's control-plane range: the /28 right after the ranges of the cluster's block
/// (its node subnet; pods and services lie outside it), aligned, inside the block. Carved
/// after them, it moves none; the block has room because `cluster_layout` sizes a GCP
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
        // 10 groups of 10 nodes: 100 + 3 system = 103, +25% = 129 addressed nodes, 43 a
        // zone. A node subnet: 43 nodes, 5 reserved, 16 for EKS, 16 for load balancers.
        let (prefix, parts) = cluster_layout(Cloud::Aws, addressed_nodes(100), 10);
        assert_eq!(parts, vec![25, 25, 25, 27, 27, 27]);
        assert_eq!(prefix, 23);
        let carved = carve(net("10.0.0.0/23"), &parts);
        assert_eq!(carved[0], net("10.0.0.0/25"));
        assert_eq!(carved[2], net("10.0.1.0/25"));
        assert_eq!(carved[3], net("10.0.1.128/27"));
        assert_eq!(carved[5], net("10.0.1.192/27"));
        // Pods: 43 nodes of 64 addresses a zone.
        let (pods, pod_parts) = aws_pod_layout(addressed_nodes(100));
        assert_eq!(pod_parts, vec![20, 20, 20]);
        assert_eq!(pods, 18);
    }

    #[test]
    fn aws_routable_blocks_stay_small_and_pods_fit_a_vpc_range() {
        // The smallest cluster: /26 node subnets (2 nodes and 37 addresses kept free) and
        // /27 public subnets, a /23.
        assert_eq!(cluster_layout(Cloud::Aws, addressed_nodes(0), 10).0, 23);
        // The synthetic platform's units (36 and 48 nodes: 17 and 22 a zone) fit /26 node
        // subnets, so with a VPC of its own (public subnets outside) a cluster takes a /24.
        for capacity_nodes in [36, 48] {
            let (_, parts) = cluster_layout(Cloud::Aws, addressed_nodes(capacity_nodes), 10);
            assert_eq!(parts[..3], [26, 26, 26]);
        }
        // 600 tenant nodes: 252 a zone, a /18 of pods each, a /16 in all (the most a VPC
        // range holds); the routable block is a /21. 1,000 nodes need more than a /16.
        let (pods, _) = aws_pod_layout(addressed_nodes(600));
        assert_eq!(pods, 16);
        assert!(cluster_layout(Cloud::Aws, addressed_nodes(600), 10).0 > 19);
        assert!(aws_pod_layout(addressed_nodes(1_000)).0 < 16);
    }

    #[test]
    fn aws_pod_blocks_fit_the_share_of_their_routable_block() {
        for capacity_nodes in [0, 1, 5, 13, 29, 36, 48, 61, 100, 125, 250, 400, 600, 700] {
            let nodes = addressed_nodes(capacity_nodes);
            let (block, _) = cluster_layout(Cloud::Aws, nodes, 10);
            let (pods, _) = aws_pod_layout(nodes);
            assert!(
                size(pods) <= 64 * size(block),
                "{capacity_nodes} nodes: /{pods} of pods for a /{block}"
            );
        }
    }

    #[test]
    fn aws_cluster_vpcs_share_one_pod_block() {
        let env = net("10.0.0.0/12");
        for block in ["10.0.0.0/23", "10.7.16.0/23", "10.15.254.0/23"] {
            assert_eq!(
                aws_pod_block(NetworkLayout::Cluster, env, net(block), 18),
                net("100.64.0.0/18")
            );
        }
    }

    #[test]
    fn aws_environment_vpc_gives_each_cluster_its_own_pod_block() {
        let env = net("10.1.0.0/16");
        let a = aws_pod_block(NetworkLayout::Environment, env, net("10.1.0.0/23"), 18);
        let b = aws_pod_block(NetworkLayout::Environment, env, net("10.1.2.0/23"), 18);
        let c = aws_pod_block(NetworkLayout::Environment, env, net("10.1.255.0/24"), 19);
        assert_eq!(a, net("100.64.0.0/18"));
        assert_eq!(b, net("100.64.128.0/18"));
        assert_eq!(c, net("100.127.192.0/19"));
        assert!(!overlaps(a, b) && !overlaps(b, c) && !overlaps(a, c));
        assert!(aws_pod_range().contains(&c));
    }

    #[test]
    fn an_environment_vpc_holds_at_most_fifty_cidr_blocks() {
        assert!(aws_cidr_block_quota("prod", net("10.0.0.0/16"), 49).is_none());
        let problem = aws_cidr_block_quota("prod", net("10.0.0.0/16"), 50).unwrap();
        assert_eq!(
            problem.message,
            "the VPC of `prod` (`10.0.0.0/16`) would need 51 IPv4 CIDR blocks, its range and one pod range for each of its 50 clusters; an AWS VPC holds at most 50 (quota `L-83CA0A9D`)"
        );
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
