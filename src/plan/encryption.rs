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

use serde::Serialize;

use super::Taint;
use crate::blueprint::validate::Validated;
use crate::blueprint::{Cloud, Encryption, Mesh, NetworkEncryption};

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
}

/// The taint Cilium removes once its agent runs on a node, so no pod starts before the
/// network is ready.
pub const CILIUM_AGENT_NOT_READY: &str = "node.cilium.io/agent-not-ready";

impl Networking {
    /// The taint node groups need for this stack, if any.
    pub fn node_taint(&self) -> Option<Taint> {
        (self.cni == Cni::Cilium).then(|| Taint {
            key: CILIUM_AGENT_NOT_READY.to_owned(),
            value: "true".to_owned(),
            effect: "NoExecute".to_owned(),
        })
    }
}

/// The stack of a cluster on `cloud` under the validated policy.
pub fn networking(validated: &Validated, cloud: Cloud) -> Networking {
    let policy = &validated.policy;
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
    Networking {
        cni,
        transparent_encryption: policy.network_encryption.filter(|_| uses_cilium),
        node_encryption: uses_cilium
            && policy.network_encryption == Some(NetworkEncryption::Wireguard),
        mesh: policy.mesh,
        cloud_encryption,
        workload_identity: policy.mesh.is_some(),
    }
}

/// What the chosen stack encrypts and what it does not, who has an identity, and how to
/// see it on a live cluster: the encryption section of the decision record.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// One line: the stack.
    pub summary: String,
    /// Who is authenticated: nodes, workloads, or nobody.
    pub identity: String,
    /// Traffic that is encrypted.
    pub encrypted: Vec<String>,
    /// Traffic that is not.
    pub not_encrypted: Vec<String>,
    /// Commands that show it on a live cluster.
    pub verify: Vec<String>,
}

/// The coverage of `policy.encryption` with `network_encryption` and `mesh`, on `clouds`.
pub fn coverage(
    encryption: Encryption,
    network_encryption: Option<NetworkEncryption>,
    mesh: Option<Mesh>,
    clouds: &[Cloud],
) -> Coverage {
    let mut c = Coverage::default();
    let cilium = |c: &mut Coverage| {
        if network_encryption == Some(NetworkEncryption::Ipsec) {
            c.encrypted.push(
                "pod-to-pod traffic between nodes (Cilium IPsec, a pre-shared key per cluster)"
                    .into(),
            );
            c.not_encrypted.push("node-to-node traffic and host-network pods: Cilium encrypts them only with WireGuard".into());
        } else {
            c.encrypted.push(
                "pod-to-pod traffic between nodes (Cilium WireGuard, a key pair per node)".into(),
            );
            c.encrypted.push(
                "node-to-node traffic, host-network pods included (WireGuard node encryption)"
                    .into(),
            );
        }
    };
    let meshed = |c: &mut Coverage| {
        let (name, how) = match mesh {
            Some(Mesh::Istio) => ("Istio", "sidecar proxies"),
            Some(Mesh::IstioAmbient) => ("Istio ambient", "ztunnel on every node"),
            _ => ("Linkerd", "its proxies"),
        };
        c.encrypted.push(format!("workload-to-workload traffic inside the mesh: mutual TLS through {how}, mesh-wide strict ({name})"));
    };
    let verify_cilium = [
        "cilium encryption status",
        "kubectl -n kube-system exec ds/cilium -- cilium-dbg encrypt status",
    ];
    let verify_mesh: &[&str] = match mesh {
        Some(Mesh::Istio) => &[
            "kubectl get peerauthentication -A",
            "istioctl x describe pod <pod> -n <namespace>",
        ],
        Some(Mesh::IstioAmbient) => &[
            "kubectl get peerauthentication -A",
            "istioctl ztunnel-config workloads",
        ],
        Some(Mesh::Linkerd) => &[
            "linkerd check --proxy",
            "linkerd viz edges deployment -n <namespace>",
        ],
        None => &[],
    };
    match encryption {
        Encryption::None => {
            c.summary = "None: traffic between workloads is not encrypted in transit".into();
            c.identity = "none: workloads and nodes are not authenticated to each other".into();
            c.not_encrypted
                .push("all traffic between pods and nodes".into());
        }
        Encryption::Network => {
            c.summary = "Network: Cilium transparent encryption".into();
            c.identity = "nodes: every pod on a node speaks with the node's key; workloads have no identity of their own".into();
            cilium(&mut c);
            c.not_encrypted
                .push("traffic between pods on the same node (it never leaves the host)".into());
            c.verify.extend(verify_cilium.map(String::from));
        }
        Encryption::Mtls => {
            c.summary = "mTLS: service-mesh mutual TLS".into();
            c.identity = "workloads: each has a certificate bound to its service account".into();
            meshed(&mut c);
            c.not_encrypted.push(
                "add-on traffic outside the mesh: CoreDNS, operators, host-network pods, the CNI"
                    .into(),
            );
            c.verify.extend(verify_mesh.iter().map(|s| (*s).to_owned()));
        }
        Encryption::DefenseInDepth => {
            c.summary =
                "Defense-in-depth: Cilium transparent encryption under service-mesh mutual TLS"
                    .into();
            c.identity = "workloads (mesh certificates), on top of node keys (Cilium)".into();
            meshed(&mut c);
            cilium(&mut c);
            c.not_encrypted
                .push("traffic between pods on the same node outside the mesh".into());
            c.verify.extend(verify_cilium.map(String::from));
            c.verify.extend(verify_mesh.iter().map(|s| (*s).to_owned()));
        }
        Encryption::CloudHardware => {
            c.summary = "Cloud-hardware: the cloud encrypts traffic on the wire".into();
            c.identity =
                "none beyond the cloud's: the encryption identifies machines, not workloads".into();
            for cloud in clouds {
                cloud_hardware(&mut c, *cloud);
            }
        }
    }
    if !matches!(encryption, Encryption::None) {
        c.not_encrypted.push("traffic leaving the cluster (to the internet or cloud APIs): protect it with TLS at the application".into());
    }
    c
}

/// What the cloud's own encryption covers on `cloud`.
fn cloud_hardware(c: &mut Coverage, cloud: Cloud) {
    match cloud {
        Cloud::Aws => {
            c.encrypted.push("AWS: traffic between Nitro instances that support encryption in transit, in the same or a peered VPC".into());
            c.not_encrypted.push("AWS: traffic through load balancers, NAT gateways and transit gateways without encryption support".into());
            c.verify.push("aws ec2 describe-instance-types --instance-types <type> --query 'InstanceTypes[].NetworkInfo.EncryptionInTransitSupported'".into());
        }
        Cloud::Gcp => {
            c.encrypted.push("GCP: pod traffic between nodes (GKE inter-node transparent encryption, WireGuard in Dataplane V2)".into());
            c.not_encrypted
                .push("GCP: host-network traffic and traffic between pods on the same node".into());
            c.verify.push("gcloud container clusters describe <cluster> --region <region> --format 'value(networkConfig.inTransitEncryptionConfig)'".into());
        }
        Cloud::Azure => {
            c.encrypted.push("Azure: traffic between VMs of supported series in the VNet (Virtual Network encryption, DTLS)".into());
            c.not_encrypted.push("Azure: traffic of VMs without encryption support: the VNet allows it unencrypted (`AllowUnencrypted` is the only enforcement Azure offers)".into());
            c.verify
                .push("az network vnet show --ids <vnet-id> --query encryption".into());
        }
    }
}
