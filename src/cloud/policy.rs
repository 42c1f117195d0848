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

impl Encryption {
    /// The blueprint's word for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Network => "network",
            Self::Mtls => "mtls",
            Self::DefenseInDepth => "defense-in-depth",
            Self::CloudHardware => "cloud-hardware",
        }
    }
}

impl NetworkEncryption {
    /// The blueprint's word for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Wireguard => "wireguard",
            Self::Ipsec => "ipsec",
        }
    }
}

impl Mesh {
    /// The blueprint's word for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Istio => "istio",
            Self::IstioAmbient => "istio-ambient",
            Self::Linkerd => "linkerd",
        }
    }
}

/// Where a cluster's API endpoint is reachable from.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Endpoint {
    /// From inside the environment's network (and, on GKE, through the IAM-gated DNS
    /// endpoint; on AKS through `az aks command invoke`).
    #[default]
    Private,
    /// Also from the ranges in `access.from`.
    Allowlist,
}

impl Endpoint {
    /// The word the blueprint uses.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Private => "private",
            Endpoint::Allowlist => "allowlist",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words are the ones the blueprint's YAML uses (serde's spelling).
    #[test]
    fn names_are_the_blueprints_words() {
        let word = |v: serde_json::Value| v.as_str().map(str::to_owned);
        for e in [
            Encryption::None,
            Encryption::Network,
            Encryption::Mtls,
            Encryption::DefenseInDepth,
            Encryption::CloudHardware,
        ] {
            assert_eq!(word(serde_json::to_value(e).unwrap()).unwrap(), e.name());
        }
        for n in [NetworkEncryption::Wireguard, NetworkEncryption::Ipsec] {
            assert_eq!(word(serde_json::to_value(n).unwrap()).unwrap(), n.name());
        }
        for m in [Mesh::Istio, Mesh::IstioAmbient, Mesh::Linkerd] {
            assert_eq!(word(serde_json::to_value(m).unwrap()).unwrap(), m.name());
        }
    }
}
