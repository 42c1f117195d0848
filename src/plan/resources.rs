//! The cloud resources of every environment and cluster: each name, ARN, role, tag, zone
//! list and cloud-specific setting, decided once, in one enum per cloud.
//!
//! Stage 3. Input: the validated blueprint, an environment's or a cluster's neutral plan
//! (names, network, networking). Output: an [`EnvironmentResources`] per environment and a
//! [`ClusterResources`] per cluster, which the plan holds complete from the start. Every
//! target (Terraform, Crossplane, the Helm values that name a role or a tag) reads the
//! same field, so a name is built in exactly one function here or in `cloud::<cloud>`.
//!
//! - **Zones**: AWS zone IDs (the same physical zones in every account, unlike zone names)
//!   from a table of regions whose usable zones are known ([`aws::zone_ids`]); Azure zones
//!   1, 2 and 3; none on GCP, where a regional GKE node pool spreads over the zones GKE
//!   picks (three).
//! - **Names the clouds limit**: GCP service-account ids (6–30 characters) and Azure Key
//!   Vault names (3–24, globally unique) are shortened with a hash where the plain name is
//!   too long; every other derived name fits by the name-length rules of `cloud::names`
//!   (AWS IAM roles `<cluster>-cilium-operator` ≤ 64, EKS node groups and GKE node pools
//!   `<tenant>-<n>` ≤ 63 and 40).
//! - **GKE's control-plane range**: a /28 after the cluster's other ranges
//!   ([`network::control_plane_range`]), inside its block, so no existing range moves.
//! - **GKE webhook ports** the private control plane must reach for the mesh.

use std::collections::BTreeMap;

use serde::Serialize;

use super::encryption::{CloudEncryption, Cni, Networking};
use super::network::{self, ClusterNetwork, NetworkLayout, POD_SUBNET_TAG};
use crate::cloud::policy::Mesh;
use crate::cloud::{Cloud, aws, azure, facts, gcp};

/// The resources of one environment that its clusters share.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentResources {
    /// Name of the environment's own resources (network, resource group, key ring, log
    /// group) and of its Crossplane namespace: `<platform>-<environment>`.
    pub name: String,
    /// Tags (labels on GCP) of every resource: the blueprint's, and clusterwright's own
    /// `platform`, `environment` and `managed-by` (validation refuses blueprint tags of those
    /// names), sorted by key.
    pub tags: BTreeMap<String, String>,
    /// Zones the clusters spread over, in subnet order: AWS zone IDs, Azure zone numbers;
    /// empty on GCP.
    pub zones: Vec<String>,
    /// What only this cloud has.
    #[serde(flatten)]
    pub cloud: EnvironmentCloud,
}

/// The cloud-specific resources of an environment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::large_enum_variant)] // one per environment: boxing would buy nothing
pub enum EnvironmentCloud {
    /// AWS.
    Aws(AwsEnvironment),
    /// GCP.
    Gcp(GcpEnvironment),
    /// Azure.
    Azure(AzureEnvironment),
}

/// The AWS resources of an environment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsEnvironment {
    /// The region's partition (`aws`, `aws-cn`, `aws-us-gov`), for ARNs.
    pub partition: &'static str,
    /// The customer-managed key of the CloudWatch log groups (flow logs, control-plane
    /// logs): `<environment resources>-logs`.
    pub logs_key: String,
    /// That key's alias, by which the cluster stacks look it up: `alias/<logs key>`.
    pub logs_key_alias: String,
    /// That key's description.
    pub logs_key_description: String,
    /// The flow-log group's name in CloudWatch.
    pub flow_log_group: String,
    /// Its ARN, for the delivery role's policy.
    pub flow_log_group_arn: String,
    /// The ARN of its log streams (`<group ARN>:*`).
    pub flow_log_streams_arn: String,
    /// The ARN of every log group of the account in the region, which the logs key's
    /// policy confines CloudWatch Logs to.
    pub log_groups_arn: String,
    /// The account's root principal, which the key policies trust.
    pub account_root_arn: String,
    /// CloudWatch Logs' service principal in the region: `logs.<region>.amazonaws.com`.
    pub logs_service_principal: String,
    /// The IAM role that delivers flow logs (and the name of the flow-log resources).
    pub flow_logs_role: String,
    /// The session name Terraform's provider assumes its role under.
    pub session_name: String,
    /// Nitro encrypts in transit (`cloud-hardware`): flow logs record `encryption-status`.
    pub nitro: bool,
    /// The VPCs: the environment's, or one per cluster.
    pub vpcs: Vec<AwsVpc>,
    /// The pinned version of each EKS add-on for the plan's Kubernetes minor, by add-on
    /// name (`coredns`, `aws-ebs-csi-driver`, `vpc-cni`, `kube-proxy`); `None` where none is
    /// known ([`aws::addon_version`]).
    pub addon_versions: BTreeMap<&'static str, Option<&'static str>>,
}

/// One AWS VPC.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsVpc {
    /// Name of the VPC and of its gateway, default security group and flow log.
    pub name: String,
    /// Its range.
    pub cidr: String,
    /// Its secondary ranges, each a CIDR block association: the pod range of each of its
    /// clusters and, in a cluster's own VPC, the range of its public subnets (network.rs).
    pub secondary_cidrs: Vec<SecondaryCidr>,
    /// The cluster it belongs to, when each cluster has a VPC of its own.
    pub cluster: Option<String>,
    /// Tags of the VPC and its internet gateway: `base_tags` and `Name`.
    pub tags: BTreeMap<String, String>,
    /// Tags of its other resources (default security group, flow log): the environment's,
    /// and `cluster` for a cluster's own VPC.
    pub base_tags: BTreeMap<String, String>,
    /// NAT gateways: one per zone in production, one outside it. The default quota of
    /// Elastic IPs is 5 per region (L-0263D0A3); a NAT gateway holds one.
    pub nat_gateways: u32,
    /// The cluster in whose public subnets the NAT gateways are (zone `i` holds the `i`-th):
    /// the VPC's own cluster, or the environment VPC's first cluster by name.
    pub nat_cluster: String,
    /// The `Name` of its public route table: `<vpc>-public`.
    pub public_route_table: String,
    /// The start of the `Name` of each private route table (one per zone), which ends in
    /// the zone's index: `<vpc>-private-`.
    pub private_route_table_prefix: String,
    /// The start of the `Name` of each NAT gateway and its Elastic IP: `<vpc>-nat-`.
    pub nat_name_prefix: String,
}

/// A secondary range of a VPC.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SecondaryCidr {
    /// The range.
    pub cidr: String,
    /// The name of its association: `<vpc>-<range, dots and slash as dashes>`.
    pub name: String,
}

/// The GCP resources of an environment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GcpEnvironment {
    /// The firewall rule that denies ingress to the network: `<resources>-deny-ingress`.
    pub deny_ingress_firewall: String,
    /// The project's workload identity pool: `<project>.svc.id.goog`.
    pub workload_pool: String,
}

/// The Azure resources of an environment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureEnvironment {
    /// Key Vault holding the environment's keys: 3–24 characters, globally unique.
    pub key_vault: String,
    /// The key of the disk encryption set: `<resources>-disks`.
    pub disk_key: String,
    /// Virtual Network encryption on the VNet (`cloud-hardware`).
    pub vnet_encryption: bool,
}

/// The resources of one cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::large_enum_variant)] // one per cluster, read far more often than moved
pub enum ClusterResources {
    /// EKS.
    Aws(AwsCluster),
    /// GKE.
    Gcp(GcpCluster),
    /// AKS.
    Azure(AzureCluster),
}

/// An IAM role: its name and ARN (known before apply: account, partition and name fix it).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsRole {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
}

/// A resource tag.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// The AWS resources of an EKS cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsCluster {
    /// The region's partition.
    pub partition: &'static str,
    /// The VPC the cluster lives in: the environment's, or its own.
    pub vpc: String,
    /// Whether that VPC is the cluster's own (declared with the cluster).
    pub own_vpc: bool,
    /// The role EKS's control plane assumes: `<cluster>-cluster`.
    pub cluster_role: String,
    /// The role of the nodes: `<cluster>-node`.
    pub node_role: String,
    /// The launch template every node group shares: `<cluster>-nodes`.
    pub launch_template: String,
    /// Its description.
    pub launch_template_description: String,
    /// The control-plane log group, created before the cluster: `/aws/eks/<cluster>/cluster`.
    pub log_group: String,
    /// The description of the secrets-encryption key.
    pub secrets_key_description: String,
    /// The `Name` of the public route table: `<cluster>-public`.
    pub public_route_table: String,
    /// The start of the `Name` of each private subnet and its route table, which ends in the
    /// subnet's index: `<cluster>-private-`.
    pub private_name_prefix: String,
    /// The start of the `Name` of each public subnet: `<cluster>-public-`.
    pub public_name_prefix: String,
    /// The start of the `Name` of each NAT gateway and its Elastic IP: `<cluster>-nat-`.
    pub nat_name_prefix: String,
    /// The tag that marks the cluster's subnets as its own: `kubernetes.io/cluster/<cluster>`.
    pub owned_tag_key: String,
    /// The role the CNI's service account assumes (IRSA): `<cluster>-vpc-cni` for the VPC
    /// CNI (`aws-node`), `<cluster>-cilium-operator` for Cilium's operator, which manages
    /// ENIs; the Cilium values name it (`eni.iamRole`).
    pub cni_role: AwsRole,
    /// The service account that assumes it.
    pub cni_service_account: &'static str,
    /// With Cilium: the role of cilium-operator (the same as `cni_role`).
    pub cilium_operator_role: Option<AwsRole>,
    /// The tag on the cluster's pod subnets, `clusterwright.io/pod-subnet=<cluster>` (the
    /// VPC may hold every cluster of the environment): Cilium creates pod ENIs only in
    /// subnets with it (`eni.nodeSpec.subnetTags`, and cilium-operator's IAM policy), the
    /// VPC CNI's custom networking finds its subnets by it. Every EKS cluster has one;
    /// `None` would be a bug.
    pub pod_subnet_tag: Option<Tag>,
    /// The role of the EBS CSI driver's controller (IRSA): `<cluster>-ebs-csi`.
    pub ebs_csi_role: AwsRole,
    /// The EKS add-ons of the cluster with their pinned versions (`None`: EKS's default
    /// for the Kubernetes minor), by name: CoreDNS and the EBS CSI driver, and without
    /// Cilium the VPC CNI and kube-proxy.
    pub addons: BTreeMap<&'static str, Option<&'static str>>,
    /// The VPC CNI add-on of a cluster without Cilium: `<cluster>-vpc-cni`.
    pub vpc_cni_addon: String,
    /// The kube-proxy add-on of a cluster without Cilium: `<cluster>-kube-proxy`.
    pub kube_proxy_addon: String,
}

/// The GCP resources of a GKE cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GcpCluster {
    /// The control plane's private range, a /28 of the cluster's block.
    pub control_plane_cidr: String,
    /// The id of the nodes' service account (6–30 characters).
    pub node_service_account: String,
    /// Its email.
    pub node_service_account_email: String,
    /// Its display name.
    pub node_service_account_display_name: String,
    /// The Cloud KMS key of Kubernetes secrets: `<cluster>-secrets`.
    pub secrets_key: String,
    /// The project's workload identity pool.
    pub workload_pool: String,
    /// Ports on the nodes that the private control plane must reach for the mesh's
    /// admission webhooks (GKE opens only 443 and 10250): Istio's 15017, Linkerd's 8089,
    /// 8443 and 9443; none without a mesh.
    pub webhook_ports: Vec<u16>,
    /// The firewall rule that opens them, when there are any: `<cluster>-mesh-webhooks`.
    pub webhook_firewall: Option<String>,
    /// The release channel: production receives upgrades after non-production.
    pub release_channel: &'static str,
    /// With Linkerd: the Gateway API channel GKE manages the CRDs of (Linkerd needs the
    /// Gateway API; a second, self-installed copy would fight GKE's).
    pub gateway_api_channel: Option<&'static str>,
    /// `LEGACY_DATAPATH` under Cilium (Dataplane V2 is GKE's own Cilium), else
    /// `ADVANCED_DATAPATH`.
    pub datapath_provider: &'static str,
    /// Intranode visibility (off under Cilium, which sees pod traffic itself).
    pub intranode_visibility: bool,
    /// GKE inter-node transparent encryption, when the plan uses it.
    pub in_transit_encryption: Option<&'static str>,
}

/// The Azure resources of an AKS cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureCluster {
    /// The Key Vault key of Kubernetes secrets: `<cluster>-secrets`.
    pub secrets_key: String,
    /// The name AKS gives the system pool while it rotates it: `<pool>tmp`.
    pub system_pool_temporary_name: String,
    /// The cluster's resource id, which production's delete lock names.
    pub resource_id: String,
    /// The environment's Log Analytics workspace.
    pub workspace_id: String,
    /// The network profile.
    pub network_profile: AzureNetworkProfile,
}

/// AKS's network profile.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureNetworkProfile {
    /// `none` under Cilium (bring your own CNI), else `azure`.
    pub network_plugin: &'static str,
    /// `overlay` with Azure CNI.
    pub network_plugin_mode: Option<&'static str>,
    /// `cilium` with Azure CNI (Azure CNI powered by Cilium).
    pub network_data_plane: Option<&'static str>,
    /// `cilium` with Azure CNI.
    pub network_policy: Option<&'static str>,
    /// The overlay's pod range with Azure CNI.
    pub pod_cidr: Option<String>,
}

/// What an environment's resources are built from.
pub struct EnvironmentInput<'a> {
    /// Platform name.
    pub platform: &'a str,
    /// Environment name.
    pub environment: &'a str,
    /// Cloud.
    pub cloud: Cloud,
    /// Region.
    pub region: &'a str,
    /// Account, project or subscription.
    pub account: &'a str,
    /// Whether the environment is production (AWS: a NAT gateway per zone).
    pub production: bool,
    /// The plan's Kubernetes minor (AWS: the add-on versions).
    pub kubernetes_version: &'a str,
    /// The environment's range.
    pub cidr: &'a str,
    /// The blueprint's tags.
    pub tags: &'a BTreeMap<String, String>,
    /// How its network is laid out.
    pub layout: NetworkLayout,
    /// Its clusters: name, range, networking.
    pub clusters: Vec<(&'a str, &'a ClusterNetwork, &'a Networking)>,
}

/// The resources of an environment.
pub fn environment(input: &EnvironmentInput<'_>) -> EnvironmentResources {
    let name = format!("{}-{}", input.platform, input.environment);
    let mut tags = input.tags.clone();
    tags.insert("platform".to_owned(), input.platform.to_owned());
    tags.insert("environment".to_owned(), input.environment.to_owned());
    tags.insert("managed-by".to_owned(), "clusterwright".to_owned());
    let uses = |encryption: CloudEncryption| {
        input
            .clusters
            .iter()
            .any(|(_, _, n)| n.cloud_encryption == Some(encryption))
    };
    let (zones, cloud) = match input.cloud {
        Cloud::Aws => {
            let partition = aws::partition(input.region);
            let vpcs = aws_vpcs(input, &name, &tags);
            let flow_log_group = format!("/clusterwright/{name}/vpc-flow-logs");
            (
                aws::zone_ids(input.region),
                EnvironmentCloud::Aws(AwsEnvironment {
                    partition,
                    logs_key: format!("{name}-logs"),
                    logs_key_alias: format!("alias/{name}-logs"),
                    logs_key_description: format!(
                        "{name}: CloudWatch Logs (VPC flow logs, EKS control-plane logs)"
                    ),
                    flow_log_group_arn: format!(
                        "arn:{partition}:logs:{}:{}:log-group:{flow_log_group}",
                        input.region, input.account
                    ),
                    flow_log_streams_arn: format!(
                        "arn:{partition}:logs:{}:{}:log-group:{flow_log_group}:*",
                        input.region, input.account
                    ),
                    log_groups_arn: format!(
                        "arn:{partition}:logs:{}:{}:log-group:*",
                        input.region, input.account
                    ),
                    account_root_arn: format!("arn:{partition}:iam::{}:root", input.account),
                    logs_service_principal: format!("logs.{}.amazonaws.com", input.region),
                    flow_log_group,
                    flow_logs_role: format!("{name}-vpc-flow-logs"),
                    session_name: format!("clusterwright-{name}"),
                    nitro: uses(CloudEncryption::AwsNitro),
                    vpcs,
                    addon_versions: aws::ADDONS
                        .iter()
                        .chain(aws::VPC_CNI_ADDONS)
                        .map(|a| (*a, aws::addon_version(a, input.kubernetes_version)))
                        .collect(),
                }),
            )
        }
        Cloud::Gcp => (
            Vec::new(),
            EnvironmentCloud::Gcp(GcpEnvironment {
                deny_ingress_firewall: format!("{name}-deny-ingress"),
                workload_pool: gcp::workload_pool(input.account),
            }),
        ),
        Cloud::Azure => (
            (1..=facts::ZONES).map(|n| n.to_string()).collect(),
            EnvironmentCloud::Azure(AzureEnvironment {
                key_vault: azure::key_vault_name(input.platform, input.environment, input.account),
                disk_key: format!("{name}-disks"),
                vnet_encryption: uses(CloudEncryption::AzureVnetEncryption),
            }),
        ),
    };
    EnvironmentResources {
        name,
        tags,
        zones,
        cloud,
    }
}

/// What a cluster's resources are built from.
pub struct ClusterInput<'a> {
    /// Cluster name.
    pub name: &'a str,
    /// Whether its environment is production.
    pub production: bool,
    /// Region.
    pub region: &'a str,
    /// Account, project or subscription.
    pub account: &'a str,
    /// Its address plan.
    pub network: &'a ClusterNetwork,
    /// Its CNI, encryption and mesh.
    pub networking: &'a Networking,
    /// Its environment's shared resources.
    pub environment: &'a EnvironmentResources,
    /// The name of its system node pool (AKS's default pool).
    pub system_pool: &'a str,
}

/// The resources of a cluster. An impossible pairing (a GKE cluster without a control-plane
/// range, a cluster whose environment is on another cloud) is an error naming the bug.
pub fn cluster(input: &ClusterInput<'_>) -> Result<ClusterResources, String> {
    Ok(match &input.environment.cloud {
        EnvironmentCloud::Aws(env) => ClusterResources::Aws(aws_cluster(input, env)),
        EnvironmentCloud::Gcp(env) => ClusterResources::Gcp(gcp_cluster(input, env)?),
        EnvironmentCloud::Azure(_) => ClusterResources::Azure(azure_cluster(input)),
    })
}

/// The VPCs of an AWS environment: one per cluster (`NetworkLayout::Cluster`), or the
/// environment's, whose NAT gateways are in the public subnets of its first cluster.
fn aws_vpcs(
    input: &EnvironmentInput<'_>,
    name: &str,
    tags: &BTreeMap<String, String>,
) -> Vec<AwsVpc> {
    if input.layout == NetworkLayout::Cluster {
        input
            .clusters
            .iter()
            .map(|(cluster, network, _)| {
                let mut base_tags = tags.clone();
                base_tags.insert("cluster".to_owned(), (*cluster).to_owned());
                let mut vpc_tags = base_tags.clone();
                vpc_tags.insert("Name".to_owned(), (*cluster).to_owned());
                let secondary = network.pod_cidr.iter().chain(network.public_cidr.iter());
                aws_vpc(
                    cluster,
                    &network.cidr,
                    secondary,
                    Some(cluster),
                    cluster,
                    vpc_tags,
                    base_tags,
                    input.production,
                )
            })
            .collect()
    } else {
        let mut vpc_tags = tags.clone();
        vpc_tags.insert("Name".to_owned(), name.to_owned());
        let first = input
            .clusters
            .iter()
            .map(|(cluster, _, _)| *cluster)
            .min()
            .unwrap_or_default();
        let secondary = input
            .clusters
            .iter()
            .flat_map(|(_, network, _)| network.pod_cidr.iter().chain(network.public_cidr.iter()));
        vec![aws_vpc(
            name,
            input.cidr,
            secondary,
            None,
            first,
            vpc_tags,
            tags.clone(),
            input.production,
        )]
    }
}

/// One VPC named `name` with the `secondary` ranges, whose NAT gateways are in the public
/// subnets of `nat_cluster`.
#[allow(clippy::too_many_arguments)] // one VPC's every part, each from its own place
fn aws_vpc<'a>(
    name: &str,
    cidr: &str,
    secondary: impl Iterator<Item = &'a String>,
    cluster: Option<&str>,
    nat_cluster: &str,
    tags: BTreeMap<String, String>,
    base_tags: BTreeMap<String, String>,
    production: bool,
) -> AwsVpc {
    AwsVpc {
        name: name.to_owned(),
        cidr: cidr.to_owned(),
        secondary_cidrs: secondary
            .map(|c| SecondaryCidr {
                name: format!("{name}-{}", c.replace(['.', '/'], "-")),
                cidr: c.clone(),
            })
            .collect(),
        cluster: cluster.map(str::to_owned),
        tags,
        base_tags,
        nat_gateways: if production { facts::ZONES } else { 1 },
        nat_cluster: nat_cluster.to_owned(),
        public_route_table: format!("{name}-public"),
        private_route_table_prefix: format!("{name}-private-"),
        nat_name_prefix: format!("{name}-nat-"),
    }
}

fn aws_cluster(input: &ClusterInput<'_>, env: &AwsEnvironment) -> AwsCluster {
    let name = input.name;
    let cilium = input.networking.cni == Cni::Cilium;
    let role = |suffix: &str| {
        let role = format!("{name}-{suffix}");
        AwsRole {
            arn: format!("arn:{}:iam::{}:role/{role}", env.partition, input.account),
            name: role,
        }
    };
    let own_vpc = env.vpcs.iter().any(|v| v.cluster.as_deref() == Some(name));
    let cni_role = if cilium {
        role("cilium-operator")
    } else {
        role("vpc-cni")
    };
    AwsCluster {
        partition: env.partition,
        vpc: if own_vpc {
            name.to_owned()
        } else {
            input.environment.name.clone()
        },
        own_vpc,
        cluster_role: format!("{name}-cluster"),
        node_role: format!("{name}-node"),
        launch_template: format!("{name}-nodes"),
        launch_template_description: format!("{name}: settings shared by every node group"),
        log_group: format!("/aws/eks/{name}/cluster"),
        secrets_key_description: format!("{name}: envelope encryption of Kubernetes secrets"),
        public_route_table: format!("{name}-public"),
        private_name_prefix: format!("{name}-private-"),
        public_name_prefix: format!("{name}-public-"),
        nat_name_prefix: format!("{name}-nat-"),
        owned_tag_key: format!("kubernetes.io/cluster/{name}"),
        cilium_operator_role: cilium.then(|| cni_role.clone()),
        cni_role,
        cni_service_account: if cilium {
            "cilium-operator"
        } else {
            "aws-node"
        },
        pod_subnet_tag: Some(Tag {
            key: POD_SUBNET_TAG.to_owned(),
            value: name.to_owned(),
        }),
        ebs_csi_role: role("ebs-csi"),
        addons: env
            .addon_versions
            .iter()
            .filter(|(addon, _)| !cilium || !aws::VPC_CNI_ADDONS.contains(addon))
            .map(|(addon, version)| (*addon, *version))
            .collect(),
        vpc_cni_addon: format!("{name}-vpc-cni"),
        kube_proxy_addon: format!("{name}-kube-proxy"),
    }
}

fn gcp_cluster(input: &ClusterInput<'_>, env: &GcpEnvironment) -> Result<GcpCluster, String> {
    let name = input.name;
    let cilium = input.networking.cni == Cni::Cilium;
    let control_plane_cidr = network::control_plane_range(input.network)
        .map(|n| n.to_string())
        .ok_or_else(|| format!("cluster `{name}` has no room for GKE's control plane"))?;
    let node_service_account = gcp::service_account_id(name);
    let webhook_ports = webhook_ports(input.networking.mesh);
    Ok(GcpCluster {
        control_plane_cidr,
        node_service_account_email: gcp::service_account_email(
            &node_service_account,
            input.account,
        ),
        node_service_account,
        node_service_account_display_name: format!("GKE nodes of {name}"),
        secrets_key: format!("{name}-secrets"),
        workload_pool: env.workload_pool.clone(),
        webhook_firewall: (!webhook_ports.is_empty()).then(|| format!("{name}-mesh-webhooks")),
        webhook_ports,
        // Non-production receives upgrades before production.
        release_channel: if input.production {
            "STABLE"
        } else {
            "REGULAR"
        },
        gateway_api_channel: (input.networking.mesh == Some(Mesh::Linkerd))
            .then_some("CHANNEL_STANDARD"),
        datapath_provider: if cilium {
            "LEGACY_DATAPATH"
        } else {
            "ADVANCED_DATAPATH"
        },
        intranode_visibility: !cilium,
        in_transit_encryption: (input.networking.cloud_encryption
            == Some(CloudEncryption::GkeInterNodeTransparent))
        .then_some("IN_TRANSIT_ENCRYPTION_INTER_NODE_TRANSPARENT"),
    })
}

fn azure_cluster(input: &ClusterInput<'_>) -> AzureCluster {
    let name = input.name;
    let cilium = input.networking.cni == Cni::Cilium;
    let group = &input.environment.name;
    AzureCluster {
        secrets_key: format!("{name}-secrets"),
        system_pool_temporary_name: format!("{}tmp", input.system_pool),
        resource_id: format!(
            "/subscriptions/{}/resourceGroups/{group}/providers/Microsoft.ContainerService/managedClusters/{name}",
            input.account
        ),
        workspace_id: format!(
            "/subscriptions/{}/resourceGroups/{group}/providers/Microsoft.OperationalInsights/workspaces/{group}",
            input.account
        ),
        network_profile: if cilium {
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
                pod_cidr: input.network.pod_cidr.clone(),
            }
        },
    }
}

/// The webhook ports of `mesh` that a private GKE control plane must reach: Istio's
/// istiod (15017; cloud.google.com/service-mesh/docs/private-cluster-open-port), Linkerd's
/// tap (8089), proxy injector (8443) and policy validator (9443; linkerd.io reference
/// "Cluster Configuration", private GKE clusters).
fn webhook_ports(mesh: Option<Mesh>) -> Vec<u16> {
    match mesh {
        Some(Mesh::Istio | Mesh::IstioAmbient) => vec![15017],
        Some(Mesh::Linkerd) => vec![8089, 8443, 9443],
        None => Vec::new(),
    }
}

impl ClusterResources {
    /// The EKS resources, if this is an EKS cluster.
    pub fn aws(&self) -> Option<&AwsCluster> {
        match self {
            Self::Aws(aws) => Some(aws),
            _ => None,
        }
    }

    /// The GKE resources, if this is a GKE cluster.
    pub fn gcp(&self) -> Option<&GcpCluster> {
        match self {
            Self::Gcp(gcp) => Some(gcp),
            _ => None,
        }
    }

    /// The AKS resources, if this is an AKS cluster.
    pub fn azure(&self) -> Option<&AzureCluster> {
        match self {
            Self::Azure(azure) => Some(azure),
            _ => None,
        }
    }
}
