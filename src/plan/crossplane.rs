//! Crossplane decisions: what the Crossplane target lays out for the same clusters the
//! Terraform target builds.
//!
//! Stage 3, after [`infra`](super::infra). Input: the planned environments and clusters,
//! with their `infra` decisions (names, tags, zones, node service accounts, AMI types).
//! Output: a [`CrossplanePlan`] — per environment the namespace and ProviderConfig that bind
//! it to its account, and its own managed resources (network, logs key, key ring); per
//! cluster the `spec` of its `KubernetesCluster` composite resource, one
//! `KubernetesNodeGroup` composite resource per node group, and the managed resources whose
//! presence depends on the plan (they cannot be composed conditionally). The Compositions
//! themselves are fixed: they read only what these specs carry, so every difference between
//! two clusters is a difference between two composite resources, visible in review.
//!
//! Why the pieces are where they are:
//!
//! - **One namespace per environment** (`<platform>-<environment>`, the environment's
//!   `infra.name`), holding one namespaced ProviderConfig named `default`. A namespaced
//!   managed resource resolves its ProviderConfig, and the provider the Secret it names, in
//!   its own namespace (provider-upjet-aws@v2.6.0 `internal/clients/pc_resolver.go`), and a
//!   namespaced composite resource composes only into its own namespace (FACTS §7), so a
//!   cluster in `acme-staging` can only ever use staging's credentials.
//! - **The account is pinned** like the Terraform provider pins it: AWS by a role chain
//!   ending in the environment's account ([`AWS_PROVISIONING_ROLE`]), GCP by `projectID`,
//!   Azure by `subscriptionID`.
//! - **Environment-level resources** (network, internet gateway, flow logs, logs key; VPC
//!   network, router, NAT, key ring; resource group, VNet, Log Analytics workspace) are
//!   managed resources of their own: every cluster of the environment shares them, so no
//!   composite resource may own them.
//! - **Node groups are composite resources of their own** (`KubernetesNodeGroup`), one per
//!   group, system group included where it is not part of the cluster (AKS's default pool
//!   is). patch-and-transform has no loops, and a node group needs things only a
//!   Composition can give it: EKS node groups must name the exact version of their launch
//!   template, which exists only once the template does (pinning `$Latest` or `$Default`
//!   makes the provider update the node group on every reconcile,
//!   crossplane-contrib/provider-upjet-aws#1375). A `Usage` keeps each cluster until its
//!   node groups are gone.

pub mod cluster;
pub mod node_group;
pub mod packages;

use std::collections::BTreeMap;

use serde::Serialize;

use super::encryption::CloudEncryption;
use super::infra::aws_partition;
use super::network::NetworkLayout;
use super::{ClusterPlan, EnvironmentPlan, cloud_name};
use crate::cloud::Cloud;
pub use cluster::{ClusterSpec, CrossplaneCluster};
pub use node_group::{NodeGroupResource, NodeGroupSpec};
pub use packages::{CloudPackages, PATCH_AND_TRANSFORM, ProviderPackage};

/// The IAM role, in each AWS account, that Crossplane's credentials assume: the last link
/// of the ProviderConfig's role chain, which pins the account as Terraform's
/// `allowed_account_ids` does. Terraform takes the role as a variable; a manifest has no
/// variables, so the name is fixed and the README tells the operator to create it.
pub const AWS_PROVISIONING_ROLE: &str = "clusterwright-crossplane";

/// The key of the credentials in the Secret the operator creates in each environment's
/// namespace (`<cloud>-credentials`); clusterwright never writes it.
pub const CREDENTIALS_KEY: &str = "credentials";

/// The Crossplane target's decisions.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CrossplanePlan {
    /// The provider packages of every cloud that has a cluster, in the order aws, gcp,
    /// azure.
    pub packages: Vec<CloudPackages>,
    /// Environments with at least one cluster, in plan order (one without clusters has
    /// nothing to provision, as in the Terraform target).
    pub environments: Vec<CrossplaneEnvironment>,
    /// Clusters, in plan order.
    pub clusters: Vec<CrossplaneCluster>,
}

/// An environment: its namespace, credentials and own managed resources.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CrossplaneEnvironment {
    /// Environment name.
    pub name: String,
    /// Cloud.
    pub cloud: Cloud,
    /// Whether it is production.
    pub production: bool,
    /// Account id, project id or subscription id.
    pub account: String,
    /// Region.
    pub region: String,
    /// Address range.
    pub cidr: String,
    /// The namespace of its composite and managed resources: `<platform>-<environment>`.
    pub namespace: String,
    /// The namespace's labels. Namespaces are cluster-scoped, so only a cluster
    /// administrator can change them; the guardrail policies check every ProviderConfig and
    /// composite resource in the namespace against them.
    pub labels: BTreeMap<String, String>,
    /// The ProviderConfig bound to the account.
    pub provider_config: ProviderConfigPlan,
    /// Name of the environment's own managed resources (network, key ring, resource group):
    /// its `infra.name`, the name the Terraform target gives them.
    pub resources: String,
    /// Tags (labels on GCP) of the environment's own resources: its `infra.tags`.
    pub tags: BTreeMap<String, String>,
    /// AWS: VPCs, flow logs and the logs key.
    pub aws: Option<AwsEnvironment>,
    /// Azure: whether the VNet is encrypted.
    pub azure: Option<AzureEnvironment>,
}

/// The namespaced ProviderConfig of an environment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfigPlan {
    /// `aws.m.upbound.io/v1beta1`, `gcp.m.upbound.io/v1beta1` or `azure.m.upbound.io/v1beta1`.
    pub api_version: &'static str,
    /// The Secret the operator creates: `<cloud>-credentials`.
    pub secret: String,
    /// The key of the credentials in it.
    pub key: &'static str,
    /// AWS: the role the credentials assume, in the environment's account.
    pub role_arn: Option<String>,
}

/// The AWS resources of an environment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsEnvironment {
    /// The region's partition (`aws`, `aws-cn`, `aws-us-gov`), for ARNs.
    pub partition: &'static str,
    /// The customer-managed key of the CloudWatch log groups (flow logs, control-plane
    /// logs): `<resources>-logs`.
    pub logs_key: String,
    /// The flow-log group's name in CloudWatch.
    pub flow_log_group: String,
    /// Its ARN, for the delivery role's policy.
    pub flow_log_group_arn: String,
    /// The managed resource name of the flow-log group and of its delivery role.
    pub flow_logs: String,
    /// Nitro encrypts in transit (`cloud-hardware`): flow logs record `encryption-status`.
    pub nitro: bool,
    /// The VPCs: the environment's, or one per cluster.
    pub vpcs: Vec<AwsVpc>,
}

/// One AWS VPC.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsVpc {
    /// Managed resource name of the VPC and its gateway, default security group and flow log.
    pub name: String,
    /// Its range.
    pub cidr: String,
    /// The cluster it belongs to, when each cluster has a VPC of its own.
    pub cluster: Option<String>,
    /// Tags of the VPC and its internet gateway: `base_tags` and `Name`.
    pub tags: BTreeMap<String, String>,
    /// Tags of its other resources (default security group, flow log): the environment's,
    /// and `cluster` for a cluster's own VPC.
    pub base_tags: BTreeMap<String, String>,
}

/// The Azure resources of an environment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureEnvironment {
    /// Virtual Network encryption on the VNet (`cloud-hardware`).
    pub vnet_encryption: bool,
}

/// Decides the Crossplane layout of `environments` and `clusters`.
pub fn decide(
    platform: &str,
    kubernetes_version: &str,
    environments: &[EnvironmentPlan],
    clusters: &[ClusterPlan],
) -> CrossplanePlan {
    let with_clusters: Vec<&EnvironmentPlan> = environments
        .iter()
        .filter(|e| clusters.iter().any(|c| c.environment == e.name))
        .collect();
    let mut clouds: Vec<Cloud> = with_clusters.iter().map(|e| e.cloud).collect();
    clouds.sort();
    clouds.dedup();
    let out_environments = with_clusters
        .iter()
        .map(|env| {
            let env_clusters: Vec<&ClusterPlan> = clusters
                .iter()
                .filter(|c| c.environment == env.name)
                .collect();
            environment(platform, env, &env_clusters)
        })
        .collect();
    let out_clusters = clusters
        .iter()
        .filter_map(|c| {
            environments
                .iter()
                .find(|e| e.name == c.environment)
                .map(|env| cluster::cluster(platform, kubernetes_version, env, c))
        })
        .collect();
    CrossplanePlan {
        packages: clouds.into_iter().map(packages::packages).collect(),
        environments: out_environments,
        clusters: out_clusters,
    }
}

fn environment(
    platform: &str,
    env: &EnvironmentPlan,
    clusters: &[&ClusterPlan],
) -> CrossplaneEnvironment {
    let cloud = cloud_name(env.cloud);
    let namespace = env.infra.name.clone();
    let labels = BTreeMap::from([
        ("clusterwright.io/platform".to_owned(), platform.to_owned()),
        ("clusterwright.io/environment".to_owned(), env.name.clone()),
        ("clusterwright.io/cloud".to_owned(), cloud.to_owned()),
        ("clusterwright.io/account".to_owned(), env.account.clone()),
        (
            "clusterwright.io/production".to_owned(),
            env.production.to_string(),
        ),
    ]);
    let partition = aws_partition(&env.region);
    let provider_config = ProviderConfigPlan {
        api_version: match env.cloud {
            Cloud::Aws => "aws.m.upbound.io/v1beta1",
            Cloud::Gcp => "gcp.m.upbound.io/v1beta1",
            Cloud::Azure => "azure.m.upbound.io/v1beta1",
        },
        secret: format!("{cloud}-credentials"),
        key: CREDENTIALS_KEY,
        role_arn: (env.cloud == Cloud::Aws).then(|| {
            format!(
                "arn:{partition}:iam::{}:role/{AWS_PROVISIONING_ROLE}",
                env.account
            )
        }),
    };
    let resources = env.infra.name.clone();
    let aws = (env.cloud == Cloud::Aws).then(|| {
        let vpcs = if env.network.layout == NetworkLayout::Cluster {
            clusters
                .iter()
                .map(|c| {
                    let mut base_tags = env.infra.tags.clone();
                    base_tags.insert("cluster".to_owned(), c.name.clone());
                    let mut tags = base_tags.clone();
                    tags.insert("Name".to_owned(), c.name.clone());
                    AwsVpc {
                        name: c.name.clone(),
                        cidr: c.network.cidr.clone(),
                        cluster: Some(c.name.clone()),
                        tags,
                        base_tags,
                    }
                })
                .collect()
        } else {
            let mut tags = env.infra.tags.clone();
            tags.insert("Name".to_owned(), resources.clone());
            vec![AwsVpc {
                name: resources.clone(),
                cidr: env.cidr.clone(),
                cluster: None,
                tags,
                base_tags: env.infra.tags.clone(),
            }]
        };
        let flow_log_group = format!("/clusterwright/{resources}/vpc-flow-logs");
        AwsEnvironment {
            partition,
            logs_key: format!("{resources}-logs"),
            flow_log_group_arn: format!(
                "arn:{partition}:logs:{}:{}:log-group:{flow_log_group}",
                env.region, env.account
            ),
            flow_log_group,
            flow_logs: format!("{resources}-vpc-flow-logs"),
            nitro: clusters
                .iter()
                .any(|c| c.networking.cloud_encryption == Some(CloudEncryption::AwsNitro)),
            vpcs,
        }
    });
    let azure = (env.cloud == Cloud::Azure).then(|| AzureEnvironment {
        vnet_encryption: clusters
            .iter()
            .any(|c| c.networking.cloud_encryption == Some(CloudEncryption::AzureVnetEncryption)),
    });
    CrossplaneEnvironment {
        name: env.name.clone(),
        cloud: env.cloud,
        production: env.production,
        account: env.account.clone(),
        region: env.region.clone(),
        cidr: env.cidr.clone(),
        namespace,
        labels,
        provider_config,
        resources,
        tags: env.infra.tags.clone(),
        aws,
        azure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(aws_partition("eu-central-1"), "aws");
        assert_eq!(aws_partition("cn-north-1"), "aws-cn");
        assert_eq!(aws_partition("us-gov-west-1"), "aws-us-gov");
    }
}
