//! The `KubernetesCluster` composite resource of a cluster, and the managed resources next to
//! it whose presence depends on the plan.
//!
//! Part of [`crossplane`](super) planning. The spec carries the cluster's facts (environment,
//! account, version, address plan, networking stack) and, per cloud, the settings the
//! Terraform target derives from them in its templates (datapath, release channel, network
//! profile, subnet tags, the CNI's IAM role), so that the fixed Compositions only copy values.

use std::collections::BTreeMap;

use serde::Serialize;

use super::aws_partition;
use super::node_group::{NodeGroupResource, node_groups};
use crate::cloud::Cloud;
use crate::cloud::policy::{Mesh, NetworkEncryption};
use crate::plan::encryption::{CloudEncryption, Cni};
use crate::plan::network::{ClusterNetwork, NetworkLayout};
use crate::plan::{ClusterPlan, EnvironmentPlan, cloud_name};

/// A cluster: its composite resources and the managed resources next to them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CrossplaneCluster {
    /// Cluster name: the `KubernetesCluster`'s name.
    pub name: String,
    /// Its environment.
    pub environment: String,
    /// The environment's namespace.
    pub namespace: String,
    /// Cloud.
    pub cloud: Cloud,
    /// The Composition that builds it: `kubernetesclusters-<cloud>`.
    pub composition: String,
    /// Labels of its composite resources.
    pub labels: BTreeMap<String, String>,
    /// Why the cluster exists (`clusters[].reasons`), for the file's header.
    pub reasons: Vec<String>,
    /// The `KubernetesCluster`'s `spec`.
    pub spec: ClusterSpec,
    /// One `KubernetesNodeGroup` per node group: the system group first (except on AKS),
    /// then the tenants' in plan order.
    pub node_groups: Vec<NodeGroupResource>,
    /// AWS: what the CNI needs besides the composed IAM role.
    pub aws: Option<AwsClusterResources>,
    /// GCP: the mesh's webhook firewall rule.
    pub gcp: Option<GcpClusterResources>,
    /// Azure: the production delete lock.
    pub azure: Option<AzureClusterResources>,
}

/// The `spec` of a `KubernetesCluster`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSpec {
    /// Platform name.
    pub platform: String,
    /// Environment name.
    pub environment: String,
    /// Whether the environment is production (deletion protection, release channel).
    pub production: bool,
    /// Cloud.
    pub cloud: Cloud,
    /// Region.
    pub region: String,
    /// Account id, project id or subscription id.
    pub account: String,
    /// Kubernetes minor version.
    pub kubernetes_version: String,
    /// Tags (labels on GCP) of every composed resource: the environment's and `cluster`.
    pub tags: BTreeMap<String, String>,
    /// Name of the environment's own managed resources it attaches to (key ring, resource
    /// group, logs key).
    pub environment_resources: String,
    /// The address plan.
    pub network: NetworkSpec,
    /// The CNI, encryption and mesh.
    pub networking: NetworkingSpec,
    /// AWS settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsClusterSpec>,
    /// GCP settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gcp: Option<GcpClusterSpec>,
    /// Azure settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureClusterSpec>,
}

/// A cluster's address plan, and the network it attaches to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NetworkSpec {
    /// Managed resource name of the network (VPC, VPC network, VNet): the environment's,
    /// or on AWS with one VPC per cluster the cluster's.
    pub name: String,
    /// Zones, in subnet order: AWS zone IDs, Azure zone numbers; empty on GCP.
    pub zones: Vec<String>,
    /// The cluster's ranges, as the planner carved them (the same the Terraform target uses).
    #[serde(flatten)]
    pub ranges: ClusterNetwork,
}

/// The networking stack, as the infrastructure needs it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NetworkingSpec {
    /// The CNI.
    pub cni: Cni,
    /// Cilium's transparent encryption.
    pub transparent_encryption: Option<NetworkEncryption>,
    /// Node-to-node encryption.
    pub node_encryption: bool,
    /// The mesh.
    pub mesh: Option<Mesh>,
    /// What the cloud encrypts.
    pub cloud_encryption: Option<CloudEncryption>,
    /// Workload identities.
    pub workload_identity: bool,
}

/// AWS settings of a cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsClusterSpec {
    /// The region's partition, for ARNs.
    pub partition: &'static str,
    /// The IAM role (IRSA) of the CNI's component that calls the EC2 API: cilium-operator
    /// (ENI IPAM) or the VPC CNI's aws-node.
    pub cni_role: ServiceAccountRole,
    /// Tags of the node subnets besides the cluster's: the EKS ownership and internal load
    /// balancer tags, and with Cilium the tag that confines its pod ENIs to them.
    pub private_subnet_tags: BTreeMap<String, String>,
    /// Tags of the public subnets besides the cluster's.
    pub public_subnet_tags: BTreeMap<String, String>,
}

/// An IAM role for a Kubernetes service account.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountRole {
    /// The role's name.
    pub name: String,
    /// The service account in `kube-system` that may assume it.
    pub service_account: &'static str,
}

/// GCP settings of a cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GcpClusterSpec {
    /// The nodes' service account id.
    pub node_service_account: String,
    /// Its e-mail address.
    pub node_service_account_email: String,
    /// The Workload Identity pool: `<project>.svc.id.goog`.
    pub workload_pool: String,
    /// The control plane's private /28.
    pub control_plane_cidr: String,
    /// `LEGACY_DATAPATH` under Cilium, `ADVANCED_DATAPATH` (Dataplane V2) otherwise.
    pub datapath_provider: &'static str,
    /// Intranode visibility (Dataplane V2 only: Cilium replaces GKE's pod networking).
    pub intranode_visibility: bool,
    /// `IN_TRANSIT_ENCRYPTION_INTER_NODE_TRANSPARENT` with `cloud-hardware`.
    pub in_transit_encryption: Option<&'static str>,
    /// `STABLE` in production, `REGULAR` elsewhere (non-production upgrades first).
    pub release_channel: &'static str,
}

/// Azure settings of a cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureClusterSpec {
    /// The network profile's CNI settings.
    pub network_profile: AzureNetworkProfile,
    /// The system pool: the cluster's default node pool.
    pub default_node_pool: AzureDefaultNodePool,
    /// The environment's Log Analytics workspace, by resource id.
    pub workspace_id: String,
}

/// The CNI part of an AKS network profile.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureNetworkProfile {
    /// `none` (bring your own CNI: Cilium) or `azure`.
    pub network_plugin: &'static str,
    /// `overlay` with Azure CNI.
    pub network_plugin_mode: Option<&'static str>,
    /// `cilium` with Azure CNI powered by Cilium.
    pub network_data_plane: Option<&'static str>,
    /// `cilium` with Azure CNI powered by Cilium.
    pub network_policy: Option<&'static str>,
    /// The overlay with Azure CNI; none with Cilium, whose IPAM owns it ("AKS doesn't
    /// allocate or manage pod IP addresses when a BYO CNI is used", learn.microsoft.com
    /// azure/aks/use-byo-cni).
    pub pod_cidr: Option<String>,
}

/// AKS's default node pool.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureDefaultNodePool {
    /// Pool name.
    pub name: String,
    /// VM size.
    pub vm_size: String,
    /// Nodes.
    pub node_count: u32,
}

/// AWS managed resources next to a cluster: what its CNI needs besides the composed role.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsClusterResources {
    /// Cilium (ENI IPAM): the EC2 permissions of cilium-operator's role. Otherwise the VPC
    /// CNI: `AmazonEKS_CNI_Policy` on aws-node's role, and the `vpc-cni` (network policy
    /// on) and `kube-proxy` managed add-ons.
    pub cilium: bool,
    /// The CNI role's managed resource name.
    pub cni_role: String,
    /// The region's partition.
    pub partition: &'static str,
}

/// GCP managed resources next to a cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GcpClusterResources {
    /// The firewall rule that lets the private control plane reach the mesh's admission
    /// webhooks on the nodes (GKE opens only 443 and 10250); none without a mesh.
    pub webhook_firewall: Option<WebhookFirewall>,
}

/// A GKE firewall rule for the mesh's webhooks.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WebhookFirewall {
    /// Rule name: `<cluster>-mesh-webhooks`.
    pub name: String,
    /// The control plane's range.
    pub source: String,
    /// The nodes' service account.
    pub service_account: String,
    /// The ports.
    pub ports: Vec<u16>,
}

/// Azure managed resources next to a cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureClusterResources {
    /// Production: a `CanNotDelete` lock on the AKS cluster (AKS has no deletion protection
    /// of its own), by the cluster's resource id.
    pub production_lock: Option<String>,
}

/// The `KubernetesCluster` of `c` in `env`, its node groups and the managed resources next to
/// it.
pub(super) fn cluster(
    platform: &str,
    kubernetes_version: &str,
    env: &EnvironmentPlan,
    c: &ClusterPlan,
) -> CrossplaneCluster {
    let cloud = cloud_name(c.cloud);
    let mut tags = env.infra.tags.clone();
    tags.insert("cluster".to_owned(), c.name.clone());
    let labels = BTreeMap::from([
        ("clusterwright.io/platform".to_owned(), platform.to_owned()),
        (
            "clusterwright.io/environment".to_owned(),
            c.environment.clone(),
        ),
        ("clusterwright.io/cloud".to_owned(), cloud.to_owned()),
    ]);
    // With one VPC per cluster (AWS environments larger than a /16) the cluster's VPC has the
    // cluster's name; every other network is the environment's.
    let network_name = if c.cloud == Cloud::Aws && env.network.layout == NetworkLayout::Cluster {
        c.name.clone()
    } else {
        env.infra.name.clone()
    };
    let spec = ClusterSpec {
        platform: platform.to_owned(),
        environment: c.environment.clone(),
        production: c.production,
        cloud: c.cloud,
        region: c.region.clone(),
        account: c.account.clone(),
        kubernetes_version: kubernetes_version.to_owned(),
        tags: tags.clone(),
        environment_resources: env.infra.name.clone(),
        network: NetworkSpec {
            name: network_name,
            zones: env.infra.zones.clone(),
            ranges: c.network.clone(),
        },
        networking: NetworkingSpec {
            cni: c.networking.cni,
            transparent_encryption: c.networking.transparent_encryption,
            node_encryption: c.networking.node_encryption,
            mesh: c.networking.mesh,
            cloud_encryption: c.networking.cloud_encryption,
            workload_identity: c.networking.workload_identity,
        },
        aws: (c.cloud == Cloud::Aws).then(|| aws_spec(c)),
        gcp: (c.cloud == Cloud::Gcp).then(|| gcp_spec(c)),
        azure: (c.cloud == Cloud::Azure).then(|| azure_spec(env, c)),
    };
    let node_groups = node_groups(c, env, kubernetes_version, &tags, &labels);
    CrossplaneCluster {
        name: c.name.clone(),
        environment: c.environment.clone(),
        namespace: env.infra.name.clone(),
        cloud: c.cloud,
        composition: format!("kubernetesclusters-{cloud}"),
        labels,
        reasons: c.reasons.clone(),
        aws: spec.aws.as_ref().map(|a| AwsClusterResources {
            cilium: c.networking.cni == Cni::Cilium,
            cni_role: a.cni_role.name.clone(),
            partition: a.partition,
        }),
        gcp: spec.gcp.as_ref().map(|g| GcpClusterResources {
            webhook_firewall: (!c.infra.webhook_ports.is_empty()).then(|| WebhookFirewall {
                name: format!("{}-mesh-webhooks", c.name),
                source: g.control_plane_cidr.clone(),
                service_account: g.node_service_account_email.clone(),
                ports: c.infra.webhook_ports.clone(),
            }),
        }),
        azure: (c.cloud == Cloud::Azure).then(|| AzureClusterResources {
            production_lock: c.production.then(|| {
                format!(
                    "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerService/managedClusters/{}",
                    c.account, env.infra.name, c.name
                )
            }),
        }),
        spec,
        node_groups,
    }
}

fn aws_spec(c: &ClusterPlan) -> AwsClusterSpec {
    let cilium = c.networking.cni == Cni::Cilium;
    let owned = (
        format!("kubernetes.io/cluster/{}", c.name),
        "owned".to_owned(),
    );
    let mut private = BTreeMap::from([
        owned.clone(),
        ("kubernetes.io/role/internal-elb".to_owned(), "1".to_owned()),
    ]);
    // Cilium's operator creates pod ENIs only in subnets carrying this tag (Helm value
    // eni.nodeSpec.subnetTags): the VPC may hold other clusters' subnets.
    if let Some(tag) = &c.infra.pod_subnet_tag {
        private.insert(tag.key.clone(), tag.value.clone());
    }
    AwsClusterSpec {
        partition: aws_partition(&c.region),
        cni_role: ServiceAccountRole {
            // The Cilium values name the operator's role (eni.iamRole): one name for both.
            name: match &c.infra.cilium_operator_role {
                Some(role) => role.name.clone(),
                None => format!("{}-vpc-cni", c.name),
            },
            service_account: if cilium {
                "cilium-operator"
            } else {
                "aws-node"
            },
        },
        private_subnet_tags: private,
        public_subnet_tags: BTreeMap::from([
            owned,
            ("kubernetes.io/role/elb".to_owned(), "1".to_owned()),
        ]),
    }
}

fn gcp_spec(c: &ClusterPlan) -> GcpClusterSpec {
    let cilium = c.networking.cni == Cni::Cilium;
    let account = c.infra.node_service_account.clone().unwrap_or_default();
    GcpClusterSpec {
        node_service_account_email: format!("{account}@{}.iam.gserviceaccount.com", c.account),
        node_service_account: account,
        workload_pool: format!("{}.svc.id.goog", c.account),
        control_plane_cidr: c.infra.control_plane_cidr.clone().unwrap_or_default(),
        datapath_provider: if cilium {
            "LEGACY_DATAPATH"
        } else {
            "ADVANCED_DATAPATH"
        },
        intranode_visibility: !cilium,
        in_transit_encryption: (c.networking.cloud_encryption
            == Some(CloudEncryption::GkeInterNodeTransparent))
        .then_some("IN_TRANSIT_ENCRYPTION_INTER_NODE_TRANSPARENT"),
        release_channel: if c.production { "STABLE" } else { "REGULAR" },
    }
}

fn azure_spec(env: &EnvironmentPlan, c: &ClusterPlan) -> AzureClusterSpec {
    let network_profile = if c.networking.cni == Cni::Cilium {
        AzureNetworkProfile {
            network_plugin: "none",
            network_plugin_mode: None,
            network_data_plane: None,
            network_policy: None,
            pod_cidr: None,
        }
    } else {
        AzureNetworkProfile {
            network_plugin: "azure",
            network_plugin_mode: Some("overlay"),
            network_data_plane: Some("cilium"),
            network_policy: Some("cilium"),
            pod_cidr: c.network.pod_cidr.clone(),
        }
    };
    AzureClusterSpec {
        network_profile,
        default_node_pool: AzureDefaultNodePool {
            name: c.system.name.clone(),
            vm_size: c.system.instance_type.clone(),
            node_count: c.system.nodes,
        },
        workspace_id: format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.OperationalInsights/workspaces/{}",
            c.account, env.infra.name, env.infra.name
        ),
    }
}
