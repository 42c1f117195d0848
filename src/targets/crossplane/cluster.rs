//! The `KubernetesCluster` composite resource of a cluster, and the managed resources next to
//! it whose presence depends on the plan.
//!
//! Part of [`crossplane`](super) planning. The spec carries the cluster's facts (environment,
//! account, version, address plan, networking stack) and, per cloud, the settings the
//! Terraform target derives from them in its templates (datapath, release channel, network
//! profile, subnet tags, the CNI's IAM role), so that the fixed Compositions only copy values.

use std::collections::BTreeMap;

use serde::Serialize;

use super::node_group::{NodeGroupResource, node_groups};
use crate::cloud::Cloud;
use crate::cloud::policy::{Mesh, NetworkEncryption};
use crate::error::Error;
use crate::plan::encryption::{CloudEncryption, Cni};
use crate::plan::network::ClusterNetwork;
pub use crate::plan::resources::AzureNetworkProfile;
use crate::plan::resources::{
    AwsCluster, AzureCluster, ClusterResources, EnvironmentCloud, GcpCluster,
};
use crate::plan::{ClusterPlan, EnvironmentPlan, NodeGroup, cloud_name};

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
    /// Cilium is the CNI, installed with Helm once the cluster is ready.
    pub cilium: bool,
    /// The system pool is the cluster's default node pool, composed with the cluster (AKS).
    pub system_pool_in_cluster: bool,
    /// What the CNI's start-up taint is on, in words.
    pub user_pools: &'static str,
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
    /// balancer tags.
    pub private_subnet_tags: BTreeMap<String, String>,
    /// Tags of the public subnets besides the cluster's.
    pub public_subnet_tags: BTreeMap<String, String>,
    /// Tags of the pod subnets besides the cluster's: the EKS ownership tag and the
    /// pod-subnet tag that confines pod ENIs to them (Cilium's `eni.nodeSpec.subnetTags`).
    pub pod_subnet_tags: BTreeMap<String, String>,
    /// The CoreDNS add-on's pinned version ([`crate::cloud::aws::addon_version`]); absent
    /// where none is known: EKS's default for the Kubernetes minor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub core_dns_version: Option<&'static str>,
    /// The EBS CSI driver add-on's pinned version; absent where none is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ebs_csi_version: Option<&'static str>,
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
    /// The customer-managed keys, when the environment names its Entra ID `directory` (its
    /// Key Vault needs it); the Composition composes them only then.
    pub keys: Option<AzureKeys>,
    /// `true` when the environment names no `directory`: disks and etcd keep Azure's
    /// platform-managed keys, and the cluster waits for no key.
    pub platform_managed_keys: Option<bool>,
}

/// Where a cluster's customer-managed keys live, as the Terraform target keeps them: the
/// environment's Key Vault and disk key (`crossplane/<env>/network.yaml`), and the
/// cluster's own secrets key and disk encryption set (composed).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureKeys {
    /// The Key Vault managed resource (its Kubernetes name: the environment's resources).
    pub vault: String,
    /// The name of the cluster's etcd (KMS) key in the vault: `<cluster>-secrets`.
    pub secrets_key: String,
    /// The versionless URL of the environment's disk key, which the disk encryption set
    /// follows to each new version (`https://<vault>.vault.azure.net/keys/<key>`).
    pub disk_key_url: String,
    /// The disk key's versionless resource id: the scope of the disk encryption set's grant.
    pub disk_key_resource_id: String,
    /// How AKS reaches the vault for KMS: `Public`, as in the Terraform target.
    pub key_vault_network_access: &'static str,
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
    /// The managed policy the VPC CNI's role takes.
    pub cni_policy_arn: String,
    /// With Cilium, what cilium-operator's role may act on: the region's managed prefix
    /// lists, ...
    pub prefix_lists_arn: String,
    /// ... the instances, network interfaces, security groups and subnets of the account in
    /// the region (attaching an ENI touches all four) ...
    pub eni_resources_arns: Vec<String>,
    /// ... and, for tagging, its network interfaces.
    pub network_interfaces_arn: String,
    /// The VPC CNI add-on.
    pub vpc_cni_addon: String,
    /// The kube-proxy add-on.
    pub kube_proxy_addon: String,
    /// The VPC CNI add-on's pinned version (none: EKS's default for the minor).
    pub vpc_cni_version: Option<&'static str>,
    /// The kube-proxy add-on's pinned version (none: EKS's default for the minor).
    pub kube_proxy_version: Option<&'static str>,
    /// The cluster's administrators, an EKS access entry with `AmazonEKSClusterAdminPolicy`
    /// each, as in the Terraform target: `environments.<env>.access.admins`, or without any
    /// the role Crossplane provisions with (Terraform: whoever applies the stack).
    pub admins: Vec<AccessEntry>,
}

/// An EKS access entry with the cluster-admin access policy.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AccessEntry {
    /// Managed resource name of the entry and of its policy association:
    /// `<cluster>-admin-<hash of the principal>` (stable when the list is reordered).
    pub name: String,
    /// The IAM principal.
    pub principal_arn: String,
    /// `arn:<partition>:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`.
    pub policy_arn: String,
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
) -> Result<CrossplaneCluster, Error> {
    let cloud = cloud_name(c.cloud);
    let shared = &env.resources;
    let mut tags = shared.tags.clone();
    tags.insert("cluster".to_owned(), c.name.clone());
    let labels = BTreeMap::from([
        ("clusterwright.io/platform".to_owned(), platform.to_owned()),
        (
            "clusterwright.io/environment".to_owned(),
            c.environment.clone(),
        ),
        ("clusterwright.io/cloud".to_owned(), cloud.to_owned()),
    ]);
    let system = c
        .system()
        .ok_or_else(|| Error::Bug(format!("cluster `{}` has no system node group", c.name)))?;
    let (aws, gcp, azure) = match &c.resources {
        ClusterResources::Aws(aws) => (Some(aws_spec(aws)), None, None),
        ClusterResources::Gcp(gcp) => (None, Some(gcp_spec(gcp)), None),
        ClusterResources::Azure(azure) => (None, None, Some(azure_spec(azure, system, env))),
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
        environment_resources: shared.name.clone(),
        network: NetworkSpec {
            // With one VPC per cluster (AWS environments larger than a /16) the cluster's VPC
            // has the cluster's name; every other network is the environment's.
            name: c
                .resources
                .aws()
                .map_or_else(|| shared.name.clone(), |aws| aws.vpc.clone()),
            zones: shared.zones.clone(),
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
        aws,
        gcp,
        azure,
    };
    let node_groups = node_groups(c, env, kubernetes_version, &tags, &labels);
    Ok(CrossplaneCluster {
        name: c.name.clone(),
        environment: c.environment.clone(),
        namespace: shared.name.clone(),
        cloud: c.cloud,
        composition: format!("kubernetesclusters-{cloud}"),
        labels,
        reasons: c.reasons.clone(),
        aws: c.resources.aws().map(|a| {
            let ec2 = format!("arn:{}:ec2:{}", a.partition, c.region);
            AwsClusterResources {
                cilium: c.networking.cni == Cni::Cilium,
                cni_role: a.cni_role.name.clone(),
                cni_policy_arn: format!("arn:{}:iam::aws:policy/AmazonEKS_CNI_Policy", a.partition),
                prefix_lists_arn: format!("{ec2}:*:prefix-list/*"),
                eni_resources_arns: ["instance", "network-interface", "security-group", "subnet"]
                    .iter()
                    .map(|kind| format!("{ec2}:{}:{kind}/*", c.account))
                    .collect(),
                network_interfaces_arn: format!("{ec2}:{}:network-interface/*", c.account),
                vpc_cni_addon: a.vpc_cni_addon.clone(),
                kube_proxy_addon: a.kube_proxy_addon.clone(),
                vpc_cni_version: a.addons.get("vpc-cni").copied().flatten(),
                kube_proxy_version: a.addons.get("kube-proxy").copied().flatten(),
                admins: aws_admins(&c.name, a.partition, &c.account, &env.access.admins),
            }
        }),
        cilium: c.networking.cni == Cni::Cilium,
        system_pool_in_cluster: c.cloud == Cloud::Azure,
        user_pools: if c.cloud == Cloud::Azure {
            "Nodes of the user pools"
        } else {
            "Nodes"
        },
        gcp: c.resources.gcp().map(|g| GcpClusterResources {
            webhook_firewall: g.webhook_firewall.as_ref().map(|name| WebhookFirewall {
                name: name.clone(),
                source: g.control_plane_cidr.clone(),
                service_account: g.node_service_account_email.clone(),
                ports: g.webhook_ports.clone(),
            }),
        }),
        azure: c.resources.azure().map(|a| AzureClusterResources {
            production_lock: c.production.then(|| a.resource_id.clone()),
        }),
        spec,
        node_groups,
    })
}

fn aws_spec(aws: &AwsCluster) -> AwsClusterSpec {
    let owned = (aws.owned_tag_key.clone(), "owned".to_owned());
    let private = BTreeMap::from([
        owned.clone(),
        ("kubernetes.io/role/internal-elb".to_owned(), "1".to_owned()),
    ]);
    // Pod ENIs go only into subnets carrying this tag (Cilium's Helm value
    // eni.nodeSpec.subnetTags): the VPC may hold other clusters' subnets.
    let mut pods = BTreeMap::from([owned.clone()]);
    if let Some(tag) = &aws.pod_subnet_tag {
        pods.insert(tag.key.clone(), tag.value.clone());
    }
    AwsClusterSpec {
        partition: aws.partition,
        // The Cilium values name the operator's role (eni.iamRole): one name for both.
        cni_role: ServiceAccountRole {
            name: aws.cni_role.name.clone(),
            service_account: aws.cni_service_account,
        },
        private_subnet_tags: private,
        pod_subnet_tags: pods,
        core_dns_version: aws.addons.get("coredns").copied().flatten(),
        ebs_csi_version: aws.addons.get("aws-ebs-csi-driver").copied().flatten(),
        public_subnet_tags: BTreeMap::from([
            owned,
            ("kubernetes.io/role/elb".to_owned(), "1".to_owned()),
        ]),
    }
}

/// The access entries of cluster `cluster`: `admins`, or without any the role the
/// ProviderConfig assumes (`arn:<partition>:iam::<account>:role/clusterwright-crossplane`).
fn aws_admins(
    cluster: &str,
    partition: &str,
    account: &str,
    admins: &[String],
) -> Vec<AccessEntry> {
    let principals: Vec<String> = if admins.is_empty() {
        vec![format!(
            "arn:{partition}:iam::{account}:role/{}",
            crate::cloud::names::AWS_PROVISIONING_ROLE
        )]
    } else {
        admins.to_vec()
    };
    principals
        .into_iter()
        .map(|principal_arn| AccessEntry {
            name: crate::cloud::names::shortened(
                &format!("{cluster}-admin"),
                super::node_group::MAX_COMPOSITE_NAME,
                &principal_arn,
            ),
            policy_arn: format!(
                "arn:{partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
            ),
            principal_arn,
        })
        .collect()
}

fn gcp_spec(gcp: &GcpCluster) -> GcpClusterSpec {
    GcpClusterSpec {
        node_service_account_email: gcp.node_service_account_email.clone(),
        node_service_account: gcp.node_service_account.clone(),
        workload_pool: gcp.workload_pool.clone(),
        control_plane_cidr: gcp.control_plane_cidr.clone(),
        datapath_provider: gcp.datapath_provider,
        intranode_visibility: gcp.intranode_visibility,
        in_transit_encryption: gcp.in_transit_encryption,
        release_channel: gcp.release_channel,
    }
}

fn azure_spec(azure: &AzureCluster, system: &NodeGroup, env: &EnvironmentPlan) -> AzureClusterSpec {
    let keys = match (&env.directory, &env.resources.cloud) {
        (Some(_), EnvironmentCloud::Azure(shared)) => Some(AzureKeys {
            vault: env.resources.name.clone(),
            secrets_key: azure.secrets_key.clone(),
            // Key Vault object identifiers: https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates
            // ("https://{vault-name}.vault.azure.net/{object-type}/{object-name}", without
            // a version: the latest one).
            disk_key_url: format!(
                "https://{}.vault.azure.net/keys/{}",
                shared.key_vault, shared.disk_key
            ),
            disk_key_resource_id: format!(
                "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.KeyVault/vaults/{}/keys/{}",
                env.account, env.resources.name, shared.key_vault, shared.disk_key
            ),
            key_vault_network_access: "Public",
        }),
        _ => None,
    };
    AzureClusterSpec {
        platform_managed_keys: keys.is_none().then_some(true),
        keys,
        network_profile: azure.network_profile.clone(),
        default_node_pool: AzureDefaultNodePool {
            name: system.name.clone(),
            vm_size: system.instance_type.clone(),
            node_count: system.nodes,
        },
        workspace_id: azure.workspace_id.clone(),
    }
}
