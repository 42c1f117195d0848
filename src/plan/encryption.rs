//! The networking and encryption stack of a cluster: which CNI, which transparent
//! encryption, which mesh, and what the cloud itself encrypts.
//!
//! | `policy.encryption` | CNI | encrypted by |
//! |---|---|---|
//! | `network` | Cilium (the cloud's CNI is not installed) | Cilium WireGuard (node-to-node too) or IPsec |
//! | `mtls` | the cloud's own | the mesh, workload to workload |
//! | `defense-in-depth` | Cilium | Cilium and the mesh |
//! | `cloud-hardware` | the cloud's own | the cloud: Nitro (AWS), GKE inter-node transparent encryption (GCP), VNet encryption (Azure) |
//! | `none` | the cloud's own | nothing |
//!
//! "The cloud's own" CNI is the one that also enforces Kubernetes NetworkPolicy: the AWS VPC
//! CNI with network policy enabled, GKE Dataplane V2, and Azure CNI powered by Cilium.
//!
//! Beyond that table, each cluster's [`Networking`] carries the whole stack the Helm and
//! manifest targets lay out: the releases in install order, each a [`Release`] carrying
//! its chart's settings ([`stack`]), the charts pinned ([`charts`]), and how tenant
//! namespaces are enrolled and isolated ([`isolation`](mod@isolation)).
//! [`coverage`](mod@coverage) says what each stack encrypts and why it is built the way
//! it is.

pub mod anchor;
pub mod charts;
pub mod coverage;
pub mod isolation;
pub mod stack;

use serde::Serialize;

use super::Taint;
use super::network::ClusterNetwork;
use crate::blueprint::validate::Validated;
use crate::cloud::Cloud;
use crate::cloud::policy::{Encryption, Mesh, NetworkEncryption};
pub use coverage::{Coverage, StackCoverage, coverage};
use isolation::TenantIsolation;
use stack::{CiliumPlan, InstallStep, IstioPlan, LinkerdPlan, Release};

/// The pod network.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Cni {
    /// Cilium installed with Helm by the platform team.
    Cilium,
    /// The AWS VPC CNI (EKS managed add-on), network policy enabled.
    AwsVpcCni,
    /// GKE Dataplane V2 (Google-managed Cilium).
    GkeDataplaneV2,
    /// Azure CNI Overlay powered by Cilium (AKS-managed).
    AzureCniCilium,
}

impl Cni {
    /// Its name in the plan and in `placement.yaml` (`aws-vpc-cni`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Cilium => "cilium",
            Self::AwsVpcCni => "aws-vpc-cni",
            Self::GkeDataplaneV2 => "gke-dataplane-v2",
            Self::AzureCniCilium => "azure-cni-cilium",
        }
    }
}

/// What the cloud encrypts on the wire.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CloudEncryption {
    /// Nitro encrypts traffic between supporting instance types.
    AwsNitro,
    /// GKE inter-node transparent encryption (WireGuard inside Dataplane V2).
    GkeInterNodeTransparent,
    /// Azure Virtual Network encryption (DTLS between supporting VMs).
    AzureVnetEncryption,
}

impl CloudEncryption {
    /// Its name in the plan and in `placement.yaml` (`aws-nitro`).
    pub fn name(self) -> &'static str {
        match self {
            Self::AwsNitro => "aws-nitro",
            Self::GkeInterNodeTransparent => "gke-inter-node-transparent",
            Self::AzureVnetEncryption => "azure-vnet-encryption",
        }
    }
}

/// A cluster's networking and encryption stack.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Networking {
    /// The pod network.
    pub cni: Cni,
    /// Cilium transparent encryption, when Cilium encrypts.
    pub transparent_encryption: Option<NetworkEncryption>,
    /// Whether node-to-node traffic is encrypted too (Cilium WireGuard node encryption).
    pub node_encryption: bool,
    /// The mesh, when one gives workloads identities and mTLS.
    pub mesh: Option<Mesh>,
    /// What the cloud encrypts itself.
    pub cloud_encryption: Option<CloudEncryption>,
    /// Whether workloads have cryptographic identities (mesh certificates).
    pub workload_identity: bool,
    /// The Helm releases to install, in order, each with its settings (none: nothing
    /// to install with Helm).
    pub releases: Vec<InstallStep>,
    /// How tenant namespaces are enrolled in the mesh and isolated from each other.
    pub tenant_isolation: TenantIsolation,
}

/// The taint Cilium removes once its agent runs on a node, so no pod starts before the
/// network is ready.
pub const CILIUM_AGENT_NOT_READY: &str = "node.cilium.io/agent-not-ready";

impl Networking {
    /// Cilium's settings, when Cilium is installed with Helm.
    pub fn cilium(&self) -> Option<&CiliumPlan> {
        self.releases.iter().find_map(|step| {
            if let Release::Cilium(c) = &step.release {
                Some(c)
            } else {
                None
            }
        })
    }

    /// Istio's settings (those istiod is installed with), when Istio is the mesh.
    pub fn istio(&self) -> Option<&IstioPlan> {
        self.releases.iter().find_map(|step| {
            if let Release::Istiod(i) = &step.release {
                Some(i)
            } else {
                None
            }
        })
    }

    /// Linkerd's settings (those its control plane is installed with), when Linkerd is
    /// the mesh.
    pub fn linkerd(&self) -> Option<&LinkerdPlan> {
        self.releases.iter().find_map(|step| {
            if let Release::LinkerdControlPlane(l) = &step.release {
                Some(l)
            } else {
                None
            }
        })
    }

    /// The taint node groups need for this stack, if any.
    pub fn node_taint(&self) -> Option<Taint> {
        (self.cni == Cni::Cilium).then(|| Taint {
            key: CILIUM_AGENT_NOT_READY.to_owned(),
            value: "true".to_owned(),
            effect: super::TaintEffect::NoExecute,
        })
    }
}

/// The stack of the cluster `name` on `cloud`, with the address plan `network`, under the
/// validated policy.
pub fn networking(
    validated: &Validated,
    cloud: Cloud,
    name: &str,
    network: &ClusterNetwork,
) -> Networking {
    let policy = &validated.policy();
    let uses_cilium = matches!(
        policy.encryption,
        Encryption::Network | Encryption::DefenseInDepth
    );
    let cni = if uses_cilium {
        Cni::Cilium
    } else {
        match cloud {
            Cloud::Aws => Cni::AwsVpcCni,
            Cloud::Gcp => Cni::GkeDataplaneV2,
            Cloud::Azure => Cni::AzureCniCilium,
        }
    };
    let cloud_encryption =
        (policy.encryption == Encryption::CloudHardware).then_some(match cloud {
            Cloud::Aws => CloudEncryption::AwsNitro,
            Cloud::Gcp => CloudEncryption::GkeInterNodeTransparent,
            Cloud::Azure => CloudEncryption::AzureVnetEncryption,
        });
    let transparent_encryption = policy.network_encryption.filter(|_| uses_cilium);
    let cilium = transparent_encryption
        .map(|protocol| stack::cilium(cloud, name, network, protocol, policy.mesh));
    let istio = match policy.mesh {
        Some(m @ (Mesh::Istio | Mesh::IstioAmbient)) => Some(stack::istio(cloud, m, uses_cilium)),
        Some(Mesh::Linkerd) | None => None,
    };
    let linkerd = (policy.mesh == Some(Mesh::Linkerd)).then(|| stack::linkerd(cloud));
    let mut releases = stack::releases(cilium, istio, linkerd);
    if policy.zero_trust && policy.mesh == Some(Mesh::Linkerd) {
        // The tenants' Server/AuthorizationPolicy objects (plan::tenancy) need Linkerd's
        // CRDs: applied after the control plane is up, by its release's postsync hook.
        if let Some(step) = releases
            .iter_mut()
            .find(|s| matches!(s.release, stack::Release::LinkerdControlPlane(_)))
        {
            step.hooks.push(stack::Hook {
                event: stack::HookEvent::Postsync,
                action: stack::HookAction::ApplyLinkerdPolicy,
            });
        }
    }
    Networking {
        cni,
        transparent_encryption,
        node_encryption: transparent_encryption == Some(NetworkEncryption::Wireguard),
        mesh: policy.mesh,
        cloud_encryption,
        workload_identity: policy.mesh.is_some(),
        releases,
        tenant_isolation: isolation::isolation(policy.mesh),
    }
}
