//! The policy vocabulary: the choices a blueprint's policy, organizations and tenants are
//! written in, shared by the blueprint (which reads them) and the plan (which decides with
//! them).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How traffic between workloads is encrypted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Encryption {
    /// No encryption in transit.
    None,
    /// Cilium transparent encryption (WireGuard or IPsec), node to node included.
    Network,
    /// Service-mesh mutual TLS, mesh-wide strict.
    Mtls,
    /// Cilium transparent encryption and mesh mTLS together.
    DefenseInDepth,
    /// Instance types and cluster settings whose traffic the cloud encrypts on the wire.
    CloudHardware,
}

/// Transparent encryption protocol.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum NetworkEncryption {
    /// WireGuard: per-node keys, node-to-node encryption possible.
    Wireguard,
    /// IPsec: a pre-shared key the operator creates as a Secret.
    Ipsec,
}

/// Service mesh.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mesh {
    /// Istio with sidecars.
    Istio,
    /// Istio ambient mode (ztunnel).
    IstioAmbient,
    /// Linkerd.
    Linkerd,
}

/// How production is cut off from non-production.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ProductionIsolation {
    /// Separate clusters and networks (the minimum).
    Network,
    /// Separate clusters, networks and cloud accounts.
    Account,
}

/// An organization's boundary.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Boundary {
    /// Never shares a cluster with another organization.
    Hard,
    /// May share clusters with other soft organizations.
    Soft,
}

/// How far a tenant's workloads are trusted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Trust {
    /// May share a cluster with other tenants.
    Trusted,
    /// Gets clusters of its own.
    Untrusted,
}
