//! The address plan of each cloud, in words, for DECISIONS.md: what takes routable
//! addresses, what does not, why, and which quotas follow. Stage 4 (docs target). Input:
//! a cloud of the plan. Output: the paragraph `## Address plan` shows for it.

use serde::Serialize;

use crate::cloud::Cloud;
use crate::plan::cloud_name;
use crate::plan::network::{
    AWS_CIDR_BLOCKS_PER_VPC_DEFAULT, AWS_CIDR_BLOCKS_PER_VPC_MAX, AWS_OWN_VPC_PUBLIC_RANGE,
    AWS_POD_RANGE, POD_SUBNET_TAG,
};

/// The address plan of one cloud.
#[derive(Debug, Serialize)]
pub struct AddressPlan {
    /// The cloud, as the blueprint spells it.
    pub cloud: &'static str,
    /// What is routable, what is not, why, and the quotas, in words.
    pub text: String,
}

/// The address plan of `cloud`, where the record says more than the clusters' ranges.
pub fn address_plan(cloud: Cloud) -> Option<AddressPlan> {
    let text = match cloud {
        Cloud::Aws => format!(
            "Routable space, the environment's range, holds per cluster three node subnets (its nodes, \
             with room kept free for the 2–4 network interfaces of the EKS control plane and for \
             internal load balancers) and, in an environment VPC, three public /27 subnets (NAT \
             gateways, internet-facing load balancers). In a cluster's own VPC the public subnets \
             (/26) are in a secondary range, `{AWS_OWN_VPC_PUBLIC_RANGE}`, the same in every such VPC: \
             nothing outside the VPC routes to the private addresses of a NAT gateway or an \
             internet-facing load balancer. Pods are not routable either: each cluster's pods take \
             addresses in three pod subnets of a secondary VPC range from `{AWS_POD_RANGE}` (RFC 6598 \
             shared address space), sized for 64 addresses per node and tagged \
             `{POD_SUBNET_TAG}=<cluster>`, through Cilium's ENI mode (pod ENIs only in those subnets, \
             never on the node's primary interface: `eni.nodeSpec.firstInterfaceIndex: 1`) or the VPC \
             CNI's custom networking (one ENIConfig per zone). Pod traffic to the rest of the network \
             leaves with its node's address; from outside the VPC pods are reached through load \
             balancers only. Why: with pods on routable addresses every cluster took 64 per node \
             (a /18 for a unit of 100 nodes) and a platform of 1,000 tenants did not fit a /10 per \
             environment; such a cluster now takes a /23, a cluster of 36 nodes a /24 in a VPC of its \
             own, and 10,000 tenants fit a /12 per environment. With one VPC per \
             cluster (an environment range larger than a /16) every VPC uses the same pod range: VPCs \
             are never peered, and must never be, with each other or with a network that routes \
             `{AWS_POD_RANGE}` to them. With one VPC per environment each cluster has a pod range of \
             its own, and the VPC holds one IPv4 CIDR block per cluster besides its range (a cluster's \
             own VPC holds three: its range, its pods', its public subnets'): quota \
             `L-83CA0A9D` (IPv4 CIDR blocks per VPC) is {AWS_CIDR_BLOCKS_PER_VPC_DEFAULT} by default and \
             at most {AWS_CIDR_BLOCKS_PER_VPC_MAX}, so `validate` refuses an environment VPC of more \
             than {} clusters, and the README says when to request the increase. A unit whose pods \
             need more than a /16 (the largest range a VPC takes) is refused.",
            AWS_CIDR_BLOCKS_PER_VPC_MAX - 1
        ),
        Cloud::Gcp | Cloud::Azure => return None,
    };
    Some(AddressPlan {
        cloud: cloud_name(cloud),
        text,
    })
}
