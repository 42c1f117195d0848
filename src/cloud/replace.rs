//! What a change of one attribute does to a resource the tool emits: replace it (the
//! provider can only set the attribute at creation: Terraform `ForceNew` /
//! `RequiresReplace`, a Crossplane managed resource's immutable field), roll its nodes,
//! or update it in place. One row per (resource type, attribute) the templates set and a
//! plan fact drives, each with its source: the provider's documentation or source at the
//! pinned major (hashicorp/aws 6.x, hashicorp/google 8.x, hashicorp/azurerm 5.x) or the
//! cloud's API reference.
//!
//! Crossplane: upjet generates the managed resources from the same Terraform providers, so
//! a row's attribute is immutable on the corresponding managed resource too; upjet does not
//! replace a managed resource whose immutable field changes (it refuses the update and the
//! resource stops syncing: crossplane/upjet#213, open), so there a `Replace` row means a new
//! composite resource alongside the old one, which is deleted after the move. Rows are not
//! repeated per Crossplane kind.
//!
//! Part of the cloud facts (no I/O). Review ([`crate::plan::impact`]) looks rows up by
//! cloud and [`Driver`]; a test reads the Terraform templates at test time and checks
//! that every resource type they emit is either in this table or listed in
//! [`NOT_DRIVEN`] with the reason no plan fact replaces it.

use super::Cloud;

/// The plan fact whose change reaches the attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Driver {
    /// The cluster's or node group's name (a `--repack` renumbering renames clusters).
    Name,
    /// The environment's region.
    Region,
    /// The environment's account, project or subscription.
    Account,
    /// The Kubernetes version.
    KubernetesVersion,
    /// A node group's instance type.
    InstanceType,
    /// The pod network: CNI, datapath or network plugin (the encryption stack decides it).
    Cni,
    /// The cluster's or environment's address range, and the ranges carved from it.
    Cidr,
    /// The key that encrypts the cluster's secrets or disks.
    Key,
}

/// What changing the attribute does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The resource is destroyed and created again.
    Replace,
    /// The nodes are recreated one by one (surge upgrade); the resource stays.
    Roll,
    /// Changed in place.
    Update,
}

/// One attribute of one resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The cloud.
    pub cloud: Cloud,
    /// Terraform resource type (or Crossplane kind, `Kind.group`).
    pub resource: &'static str,
    /// The attribute, as the template sets it (`block.attribute` for nested ones).
    pub attribute: &'static str,
    /// The plan fact that changes it.
    pub driver: Driver,
    /// What a change does.
    pub effect: Effect,
    /// Whether the row is about a node group (else the cluster or its network).
    pub node_group: bool,
    /// Where this is stated.
    pub source: &'static str,
}

const AWS_EKS: &str = "hashicorp/terraform-provider-aws 6.x website/docs/r/eks_cluster.html.markdown and internal/service/eks/cluster.go (ForceNew)";
const AWS_NODE_GROUP: &str = "hashicorp/terraform-provider-aws 6.x website/docs/r/eks_node_group.html.markdown and internal/service/eks/node_group.go (ForceNew)";
const AWS_REGION: &str = "hashicorp/terraform-provider-aws 6.x website/docs/guides/enhanced-region-support.html.markdown (a resource's `region` is part of its identity: a change replaces it)";
const AWS_VPC: &str =
    "hashicorp/terraform-provider-aws 6.x website/docs/r/vpc.html.markdown (`cidr_block` ForceNew)";
const AWS_SUBNET: &str = "hashicorp/terraform-provider-aws 6.x website/docs/r/subnet.html.markdown (`cidr_block`, `availability_zone_id` ForceNew)";
const AWS_VPC_CIDR_ASSOCIATION: &str = "hashicorp/terraform-provider-aws internal/service/ec2/vpc_ipv4_cidr_block_association.go (`cidr_block` ForceNew; no update function)";
const AWS_ACCOUNT: &str = "hashicorp/terraform-provider-aws 6.x website/docs/index.html.markdown (`allowed_account_ids`: a resource belongs to one account's state; nothing moves between accounts)";
const GKE: &str = "hashicorp/terraform-provider-google 8.x website/docs/r/container_cluster.html.markdown (\"Changing this forces a new resource to be created\")";
const GKE_DATAPATH: &str = "hashicorp/terraform-provider-google 8.x mmv1/third_party/terraform/services/container/resource_container_cluster.go.tmpl (`datapath_provider` is ForceNew; website/docs/r/container_cluster.html.markdown describes it without saying so)";
const AWS_BOOTSTRAP: &str = "hashicorp/terraform-provider-aws 6.x website/docs/r/eks_cluster.html.markdown (`bootstrap_self_managed_addons`: \"Changing this value will force a new cluster to be created\")";
const AKS_DATA_PLANE: &str = "hashicorp/terraform-provider-azurerm 5.x website/docs/r/kubernetes_cluster.html.markdown (`network_plugin`: \"Changing this forces a new resource to be created\"; `network_data_plane`: \"Disabling this forces a new resource to be created\")";
const GKE_POOL: &str = "hashicorp/terraform-provider-google 8.x website/docs/r/container_node_pool.html.markdown (\"Changing this forces a new resource to be created\")";
const GKE_POOL_MACHINE: &str = "GKE API UpdateNodePoolRequest.machine_type (googleapis/googleapis commit cf6f9ee, 2023-08: \"Initiates an upgrade operation that migrates the nodes in the node pool to the specified machine type\"), which hashicorp/terraform-provider-google 8.x applies in place";
const GKE_SUBNET: &str = "hashicorp/terraform-provider-google 8.x website/docs/r/compute_subnetwork.html.markdown (`ip_cidr_range` may only grow in place; `region`, `network`, `name` force a new resource)";
const GKE_NETWORK: &str = "hashicorp/terraform-provider-google 8.x website/docs/r/compute_network.html.markdown (`name`, `project` force a new resource)";
const GKE_KMS: &str = "hashicorp/terraform-provider-google 8.x website/docs/r/kms_key_ring.html.markdown and kms_crypto_key.html.markdown (`name`, `location`, `key_ring` force a new resource; key rings are never deleted)";
const AKS: &str = "hashicorp/terraform-provider-azurerm 5.x website/docs/r/kubernetes_cluster.html.markdown (\"Changing this forces a new resource to be created\")";
const AKS_POOL: &str = "hashicorp/terraform-provider-azurerm 5.x website/docs/r/kubernetes_cluster_node_pool.html.markdown (`name`, `kubernetes_cluster_id`, `vnet_subnet_id` force a new resource)";
const AKS_POOL_CYCLE: &str = "hashicorp/terraform-provider-azurerm 5.x website/docs/r/kubernetes_cluster_node_pool.html.markdown (`temporary_name_for_rotation`, which the module sets on every pool: a `vm_size` change cycles the pool through a temporary one; without it the pool is replaced)";
const AKS_DEFAULT_POOL: &str = "hashicorp/terraform-provider-azurerm 5.x website/docs/r/kubernetes_cluster.html.markdown (`default_node_pool.temporary_name_for_rotation`, which the module sets: a `vm_size` change cycles the system pool through a temporary one)";
const AZURE_NETWORK: &str = "hashicorp/terraform-provider-azurerm 5.x website/docs/r/virtual_network.html.markdown and subnet.html.markdown (`name`, `resource_group_name`, `location` force a new resource)";
const AZURE_RG: &str = "hashicorp/terraform-provider-azurerm 5.x website/docs/r/resource_group.html.markdown (`name`, `location` force a new resource; a subscription change is another resource id)";
const AZURE_KEYS: &str = "hashicorp/terraform-provider-azurerm 5.x website/docs/r/key_vault.html.markdown, key_vault_key.html.markdown, disk_encryption_set.html.markdown (`name`, `location`, `resource_group_name`, `key_vault_id` force a new resource)";
const VERSION_AWS: &str = "hashicorp/terraform-provider-aws 6.x website/docs/r/eks_cluster.html.markdown and eks_node_group.html.markdown (`version` is updated in place: the control plane upgrades, then node groups roll)";
const VERSION_GCP: &str = "hashicorp/terraform-provider-google 8.x website/docs/r/container_cluster.html.markdown (`min_master_version` upgrades in place; node pools follow with a surge upgrade)";
const VERSION_AZURE: &str = "hashicorp/terraform-provider-azurerm 5.x website/docs/r/kubernetes_cluster.html.markdown (`kubernetes_version` and `orchestrator_version` upgrade in place, node by node)";

const fn row(
    cloud: Cloud,
    resource: &'static str,
    attribute: &'static str,
    driver: Driver,
    effect: Effect,
    node_group: bool,
    source: &'static str,
) -> Row {
    Row {
        cloud,
        resource,
        attribute,
        driver,
        effect,
        node_group,
        source,
    }
}

use Cloud::{Aws, Azure, Gcp};
use Driver::{Account, Cidr, Cni, InstanceType, Key, KubernetesVersion, Name, Region};
use Effect::{Replace, Roll, Update};

/// The table. Order: cloud, then the resources a cluster is made of, then the network
/// and keys. The first row of a (cloud, driver) pair is the one review names.
#[rustfmt::skip]
pub const TABLE: &[Row] = &[
    // AWS: EKS
    row(Aws, "aws_eks_cluster", "name", Name, Replace, false, AWS_EKS),
    row(Aws, "aws_eks_cluster", "region", Region, Replace, false, AWS_REGION),
    row(Aws, "aws_eks_cluster", "allowed_account_ids", Account, Replace, false, AWS_ACCOUNT),
    row(Aws, "aws_eks_cluster", "bootstrap_self_managed_addons", Cni, Replace, false, AWS_BOOTSTRAP),
    row(Aws, "aws_eks_cluster", "kubernetes_network_config.service_ipv4_cidr", Cidr, Replace, false, AWS_EKS),
    row(Aws, "aws_eks_cluster", "kubernetes_network_config.ip_family", Cidr, Replace, false, AWS_EKS),
    row(Aws, "aws_eks_cluster", "encryption_config.provider.key_arn", Key, Replace, false, AWS_EKS),
    row(Aws, "aws_eks_cluster", "version", KubernetesVersion, Update, false, VERSION_AWS),
    row(Aws, "aws_eks_node_group", "instance_types", InstanceType, Replace, true, AWS_NODE_GROUP),
    row(Aws, "aws_eks_node_group", "ami_type", InstanceType, Replace, true, AWS_NODE_GROUP),
    row(Aws, "aws_eks_node_group", "node_group_name_prefix", Name, Replace, true, AWS_NODE_GROUP),
    row(Aws, "aws_eks_node_group", "cluster_name", Name, Replace, true, AWS_NODE_GROUP),
    row(Aws, "aws_eks_node_group", "subnet_ids", Cidr, Replace, true, AWS_NODE_GROUP),
    row(Aws, "aws_eks_node_group", "version", KubernetesVersion, Roll, true, VERSION_AWS),
    row(Aws, "aws_vpc", "cidr_block", Cidr, Replace, false, AWS_VPC),
    row(Aws, "aws_subnet", "cidr_block", Cidr, Replace, false, AWS_SUBNET),
    row(Aws, "aws_vpc_ipv4_cidr_block_association", "cidr_block", Cidr, Replace, false, AWS_VPC_CIDR_ASSOCIATION),
    row(Aws, "aws_subnet", "availability_zone_id", Region, Replace, false, AWS_SUBNET),
    // GCP: GKE
    row(Gcp, "google_container_cluster", "name", Name, Replace, false, GKE),
    row(Gcp, "google_container_cluster", "location", Region, Replace, false, GKE),
    row(Gcp, "google_container_cluster", "project", Account, Replace, false, GKE),
    row(Gcp, "google_container_cluster", "datapath_provider", Cni, Replace, false, GKE_DATAPATH),
    row(Gcp, "google_container_cluster", "ip_allocation_policy.cluster_secondary_range_name", Cidr, Replace, false, GKE),
    row(Gcp, "google_container_cluster", "private_cluster_config.master_ipv4_cidr_block", Cidr, Replace, false, GKE),
    row(Gcp, "google_container_cluster", "subnetwork", Cidr, Replace, false, GKE),
    row(Gcp, "google_container_cluster", "min_master_version", KubernetesVersion, Update, false, VERSION_GCP),
    row(Gcp, "google_container_node_pool", "node_config.machine_type", InstanceType, Roll, true, GKE_POOL_MACHINE),
    row(Gcp, "google_container_node_pool", "name", Name, Replace, true, GKE_POOL),
    row(Gcp, "google_container_node_pool", "cluster", Name, Replace, true, GKE_POOL),
    row(Gcp, "google_container_node_pool", "location", Region, Replace, true, GKE_POOL),
    row(Gcp, "google_container_node_pool", "version", KubernetesVersion, Roll, true, VERSION_GCP),
    row(Gcp, "google_compute_subnetwork", "ip_cidr_range", Cidr, Replace, false, GKE_SUBNET),
    row(Gcp, "google_compute_subnetwork", "region", Region, Replace, false, GKE_SUBNET),
    row(Gcp, "google_compute_network", "project", Account, Replace, false, GKE_NETWORK),
    row(Gcp, "google_kms_key_ring", "location", Region, Replace, false, GKE_KMS),
    row(Gcp, "google_kms_crypto_key", "name", Key, Replace, false, GKE_KMS),
    // Azure: AKS
    row(Azure, "azurerm_kubernetes_cluster", "name", Name, Replace, false, AKS),
    row(Azure, "azurerm_kubernetes_cluster", "location", Region, Replace, false, AKS),
    row(Azure, "azurerm_kubernetes_cluster", "resource_group_name", Account, Replace, false, AKS),
    row(Azure, "azurerm_kubernetes_cluster", "network_profile.network_plugin", Cni, Replace, false, AKS_DATA_PLANE),
    row(Azure, "azurerm_kubernetes_cluster", "network_profile.network_data_plane", Cni, Replace, false, AKS_DATA_PLANE),
    row(Azure, "azurerm_kubernetes_cluster", "network_profile.pod_cidr", Cidr, Replace, false, AKS),
    row(Azure, "azurerm_kubernetes_cluster", "network_profile.service_cidr", Cidr, Replace, false, AKS),
    row(Azure, "azurerm_kubernetes_cluster", "disk_encryption_set_id", Key, Replace, false, AKS),
    row(Azure, "azurerm_kubernetes_cluster", "default_node_pool.vm_size", InstanceType, Roll, false, AKS_DEFAULT_POOL),
    row(Azure, "azurerm_kubernetes_cluster", "kubernetes_version", KubernetesVersion, Update, false, VERSION_AZURE),
    row(Azure, "azurerm_kubernetes_cluster_node_pool", "vm_size", InstanceType, Roll, true, AKS_POOL_CYCLE),
    row(Azure, "azurerm_kubernetes_cluster_node_pool", "name", Name, Replace, true, AKS_POOL),
    row(Azure, "azurerm_kubernetes_cluster_node_pool", "kubernetes_cluster_id", Name, Replace, true, AKS_POOL),
    row(Azure, "azurerm_kubernetes_cluster_node_pool", "vnet_subnet_id", Cidr, Replace, true, AKS_POOL),
    row(Azure, "azurerm_kubernetes_cluster_node_pool", "orchestrator_version", KubernetesVersion, Roll, true, VERSION_AZURE),
    row(Azure, "azurerm_resource_group", "location", Region, Replace, false, AZURE_RG),
    row(Azure, "azurerm_virtual_network", "address_space", Cidr, Update, false, AZURE_NETWORK),
    row(Azure, "azurerm_subnet", "address_prefixes", Cidr, Replace, false, AZURE_NETWORK),
    row(Azure, "azurerm_key_vault", "location", Region, Replace, false, AZURE_KEYS),
    row(Azure, "azurerm_disk_encryption_set", "key_vault_key_id", Key, Replace, false, AZURE_KEYS),
];

/// Resource types the templates emit that no plan fact replaces (their ForceNew
/// attributes are names derived from the cluster's, which follow the cluster, or
/// settings the plan never changes), each with why.
pub const NOT_DRIVEN: &[(&str, &str)] = &[
    (
        "aws_cloudwatch_log_group",
        "named after the cluster; follows it",
    ),
    (
        "aws_default_security_group",
        "adopts the VPC's default group; follows the VPC",
    ),
    ("aws_eip", "no plan fact reaches it; follows the VPC"),
    (
        "aws_eks_access_entry",
        "principals come from `access.admins`; a change adds or removes entries",
    ),
    ("aws_eks_access_policy_association", "as its access entry"),
    (
        "aws_eks_addon",
        "versions are looked up per Kubernetes version and updated in place",
    ),
    ("aws_flow_log", "follows the VPC"),
    (
        "aws_iam_openid_connect_provider",
        "follows the cluster's issuer URL",
    ),
    ("aws_iam_role", "named after the cluster; follows it"),
    ("aws_iam_role_policy", "updated in place"),
    ("aws_iam_role_policy_attachment", "follows its role"),
    ("aws_internet_gateway", "follows the VPC"),
    (
        "aws_kms_key",
        "key settings the plan never changes; the cluster's key follows the cluster",
    ),
    (
        "aws_launch_template",
        "a change is a new version, which the node group rolls to",
    ),
    ("aws_nat_gateway", "follows its subnet"),
    ("aws_route", "follows its route table"),
    ("aws_route_table", "follows the VPC"),
    ("aws_route_table_association", "follows its subnet"),
    ("aws_vpc_encryption_control", "follows the VPC"),
    ("azurerm_key_vault_key", "follows its key vault"),
    (
        "azurerm_log_analytics_workspace",
        "named after the environment; follows it",
    ),
    ("azurerm_management_lock", "follows the resource it locks"),
    ("azurerm_monitor_diagnostic_setting", "follows the cluster"),
    (
        "azurerm_network_security_group",
        "follows the environment's network",
    ),
    (
        "azurerm_role_assignment",
        "principals and scopes follow the cluster and `access.admins`",
    ),
    (
        "azurerm_subnet_network_security_group_association",
        "follows its subnet",
    ),
    (
        "azurerm_user_assigned_identity",
        "named after the cluster; follows it",
    ),
    ("google_compute_firewall", "follows the network"),
    ("google_compute_router", "follows the network"),
    ("google_compute_router_nat", "follows its router"),
    ("google_kms_crypto_key_iam_member", "follows its key"),
    (
        "google_project_iam_member",
        "members follow the service accounts",
    ),
    (
        "google_service_account",
        "named after the cluster; follows it",
    ),
    (
        "aws_kms_alias",
        "names the environment's logs key; follows the key",
    ),
    (
        "aws_vpc_security_group_ingress_rule",
        "admits the VPC's range to the API; follows the cluster's security group",
    ),
    (
        "azurerm_monitor_data_collection_rule",
        "named after the cluster; follows it",
    ),
    (
        "azurerm_monitor_data_collection_rule_association",
        "follows its rule and cluster",
    ),
    (
        "azurerm_network_security_rule",
        "sources are the environment's cluster subnets; rules follow the clusters",
    ),
    (
        "azurerm_resource_provider_feature_registration",
        "a subscription prerequisite no plan fact changes",
    ),
    (
        "azurerm_role_definition",
        "named after the environment; updated in place",
    ),
    (
        "google_project_service",
        "a project prerequisite no plan fact changes",
    ),
    (
        "google_project_service_identity",
        "a project prerequisite no plan fact changes",
    ),
    ("time_sleep", "waits once, when what it follows is created"),
];

/// The row review names for a change of `driver` on `cloud`: of a node group's resource
/// when `node_group`, else of the cluster's.
pub fn lookup(cloud: Cloud, driver: Driver, node_group: bool) -> Option<&'static Row> {
    TABLE
        .iter()
        .find(|r| r.cloud == cloud && r.driver == driver && r.node_group == node_group)
}

/// Rows per cloud, for the closing count.
pub fn size(cloud: Cloud) -> usize {
    TABLE.iter().filter(|r| r.cloud == cloud).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloud_names_a_row_for_every_cluster_driver() {
        for cloud in [Aws, Gcp, Azure] {
            for driver in [Name, Region, Account, Cni, Cidr, KubernetesVersion] {
                assert!(
                    lookup(cloud, driver, false).is_some(),
                    "{cloud} {driver:?} has no cluster row"
                );
            }
            for driver in [InstanceType, KubernetesVersion] {
                assert!(
                    lookup(cloud, driver, true).is_some() || cloud == Azure,
                    "{cloud} {driver:?} has no node group row"
                );
            }
        }
    }

    #[test]
    fn rows_are_unique() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in TABLE.iter().skip(i + 1) {
                assert!(
                    (a.resource, a.attribute) != (b.resource, b.attribute),
                    "{}.{} twice",
                    a.resource,
                    a.attribute
                );
            }
        }
    }
}
