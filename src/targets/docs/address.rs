//! The address plan of an environment, in words: what takes routable addresses of its range,
//! what does not, and why (DECISIONS.md, per environment).

use crate::cloud::Cloud;
use crate::plan::{EnvironmentPlan, Plan};

/// The address plan of `e`; `None` when it has no clusters.
pub fn plan(plan: &Plan, e: &EnvironmentPlan) -> Option<String> {
    let first = plan.clusters.iter().find(|c| c.environment == e.name)?;
    let network = &first.network;
    Some(match e.cloud {
        Cloud::Aws => format!(
            "Address plan: pods take addresses of `{}` from their cluster's node subnets (one per availability zone), sized for the unit's full shape at 64 addresses a node; public subnets hold the NAT gateways and internet-facing load balancers. Services use `{}`, outside every environment's range, in every cluster.",
            e.cidr, network.service_cidr
        ),
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
