//! The address plan in words, for DECISIONS.md: what takes routable addresses, what does
//! not, why, and which quotas follow. Stage 4 (docs target). Input: a cloud of the plan
//! (AWS: one paragraph under `## Address plan`, [`address_plan`]) or an environment (GCP
//! and Azure: a line of its section with its ranges, [`plan`]).

use serde::Serialize;

use crate::cloud::Cloud;
use crate::plan::network::{
    AWS_CIDR_BLOCKS_PER_VPC_DEFAULT, AWS_CIDR_BLOCKS_PER_VPC_MAX, AWS_OWN_VPC_PUBLIC_RANGE,
    AWS_POD_RANGE, POD_SUBNET_TAG,
};
use crate::plan::{EnvironmentPlan, Plan, cloud_name};

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

/// The address plan of `e`; `None` when it has no clusters.
pub fn plan(plan: &Plan, e: &EnvironmentPlan) -> Option<String> {
    let first = plan.clusters.iter().find(|c| c.environment == e.name)?;
    let network = &first.network;
    Some(match e.cloud {
        // The cloud-level paragraph ([`address_plan`]) says it all for AWS.
        Cloud::Aws => return None,
        Cloud::Gcp => format!(
            "Address plan: routable addresses of `{}` go only to what the VPC network must reach: each cluster's node subnet (its nodes with a quarter more for upgrades, and an address per tenant, the mesh's ingress gateway and a spare for the internal load balancers GKE takes from it) and its control plane's /28. Pods and services take none of them: each cluster's pod and service secondary ranges lie in `{}`, outside every environment's range in non-RFC 1918 space GKE supports (RFC 6598 shared address space, or class E 240.0.0.0/4), where the clusters are laid out as in `{}`, 128 times as large: unique in the environment's network, and kept as long as the cluster keeps its range. A pod range holds GKE's /25 for every address of the node subnet, so it never limits the nodes. Pods reach destinations outside the cluster behind their node's address (GKE's and Cilium's masquerading), and Cloud NAT covers every range of every subnetwork, so nothing outside the network needs a route to them; anything that must reach a pod directly from outside the network (a peering, a VPN) needs a route to that range.",
            e.cidr,
            e.network.secondary_ranges.as_deref().unwrap_or("(none)"),
            e.cidr
        ),
        Cloud::Azure => format!(
            "Address plan: routable addresses of `{}` go only to each cluster's node subnet: its nodes with a quarter more for upgrades, and an address per tenant, the mesh's ingress gateway and the control plane's private endpoint for the internal load balancers and endpoints AKS puts there, plus the five Azure reserves. Pods take none: they live on the overlay `{}` (a /24 per node, for the largest cluster of the environment) and services on `{}`, the same in every cluster, outside every environment's range: overlay and service addresses never leave a cluster (traffic out leaves with the node's address), so clusters can repeat them.",
            e.cidr,
            network.pod_cidr.as_deref().unwrap_or("(none)"),
            network.service_cidr
        ),
    })
}
