//! GCP's pod and service ranges: outside every environment's range, each environment's
//! clusters laid out in a pool as their blocks are in its range, `GKE_SCALE` times as
//! large (see the parent module).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::{prefix_for, size};
use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;

/// GKE reserves twice the most pods of a node, rounded up to a power of two: a /25 for 64
/// (GKE "Optimize IP address allocation": the per-node range).
pub(super) const GKE_POD_ADDRESSES_PER_NODE: u32 = 128;
/// The most a cluster's service range gets: a /20, GKE's own default size (4,096 services).
pub(super) const GKE_SERVICES: u8 = 20;
/// A cluster's control plane /28 (GKE private clusters: `master_ipv4_cidr_block`).
pub(super) const GKE_CONTROL_PLANE: u8 = 28;
/// Where the pod and service ranges of a GCP environment go, in this order: the first pool
/// with room for the environment's image (`GKE_SCALE` times its range) that overlaps no
/// environment's range. GKE supports both for pod and service secondary ranges: RFC 6598
/// shared address space, and class E (240.0.0.0/4, "reserved for future use", which Google
/// Cloud VPC accepts as a subnet range). Sources: GKE "IP address management" / VPC
/// "Valid IPv4 ranges" (<https://cloud.google.com/vpc/docs/subnets#valid-ranges>);
/// <https://cloud.google.com/blog/products/containers-kubernetes/how-class-e-addresses-solve-for-ip-address-exhaustion-in-gke>.
pub const GKE_POOLS: [&str; 2] = ["100.64.0.0/10", "240.0.0.0/4"];
/// How much larger a GCP environment's image in a pool is than its range, as a shift: 128
/// times. A block of `b` addresses holds a node subnet of at most `b / 2` (the control plane
/// takes the rest), so its nodes' pods need at most `b / 2 * 128` addresses: the first half
/// of the block's image; services take the second half (at most a /20).
pub(super) const GKE_SCALE: u8 = 7;
/// A GCP environment's range and its image, `GKE_SCALE` times as large, in a pool.
#[derive(Debug, Clone, Copy)]
pub(super) struct GkeImage {
    pub(super) env: Ipv4Net,
    pub(super) image: Ipv4Net,
}

impl GkeImage {
    /// The pod and service ranges of a cluster whose block is `block` with `nodes` nodes in
    /// its node subnet: the first and second half of the block's image. `None` if the block
    /// lies outside the environment's range.
    pub(super) fn ranges(
        &self,
        block: Ipv4Net,
        node_subnet: Ipv4Net,
    ) -> Option<(Ipv4Net, Ipv4Net)> {
        if !self.env.contains(&block) {
            return None;
        }
        let offset = u64::from(u32::from(block.network()) - u32::from(self.env.network()));
        let start = u64::from(u32::from(self.image.network())) + (offset << GKE_SCALE);
        let half = size(block.prefix_len()) << (GKE_SCALE - 1);
        let pods =
            prefix_for(size(node_subnet.prefix_len()) * u64::from(GKE_POD_ADDRESSES_PER_NODE));
        let services = prefix_for(half.min(size(GKE_SERVICES)));
        if size(pods) > half {
            return None;
        }
        let at = |a: u64, p: u8| Ipv4Net::new(Ipv4Addr::from(u32::try_from(a).ok()?), p).ok();
        Some((at(start, pods)?, at(start + half, services)?))
    }
}

/// A GCP environment whose range has no image in any pool ([`GKE_POOLS`]).
pub(super) fn no_gke_pool(env: &str, range: Ipv4Net) -> Problem {
    Problem::error(
        Rule::Cidr,
        KeyPath::keys(["environments", env, "cidr"]),
        format!(
            "`{range}` is too large for a GCP environment: its clusters' pod and service ranges are laid out {} times as large outside every environment's range, in {}, and no room of that size is left there",
            1u32 << GKE_SCALE,
            GKE_POOLS.join(" or "),
        ),
    )
    .with_help(format!(
        "give `{env}` at most a /{} (pods and services take no addresses of it, so a /12 holds thousands of clusters), and keep the environments' ranges out of 240.0.0.0/4",
        4 + GKE_SCALE
    ))
}
