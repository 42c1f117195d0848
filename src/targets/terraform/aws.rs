//! Terraform for AWS: EKS clusters in the environment's VPC (or, for an environment larger
//! than a /16, one VPC per cluster), managed node groups, IAM roles, KMS keys, logs.
//!
//! Templates: `templates/terraform/aws/*.tf.tera`. Every context is built here from the
//! plan; what varies per environment and cluster comes from `EnvironmentPlan::infra`,
//! `ClusterPlan::infra`, `network` and `networking`.

use serde::Serialize;

use super::{Module, NodeGroupView, cilium, node_groups};
use crate::error::Result;
use crate::output::OutputTree;
use crate::plan::encryption::CloudEncryption;
use crate::plan::network::NetworkLayout;
use crate::plan::{ClusterPlan, EnvironmentPlan};
use crate::targets::templates::{
    TEMPLATE_TF_AWS_CLUSTER, TEMPLATE_TF_AWS_IAM, TEMPLATE_TF_AWS_LOGGING, TEMPLATE_TF_AWS_NETWORK,
    TEMPLATE_TF_AWS_OUTPUTS, TEMPLATE_TF_AWS_PROVIDERS, TEMPLATE_TF_AWS_VARIABLES,
    TEMPLATE_TF_AWS_VERSIONS,
};

/// Context of the module-level templates of an AWS environment: `versions.tf`,
/// `providers.tf`, `variables.tf`, `iam.tf`, `logging.tf`, `network.tf` and `outputs.tf`
/// (each type alias below names one).
#[derive(Debug, Serialize)]
pub struct EnvironmentContext<'a> {
    /// The environment: account, region, range, and its `infra` decisions (state key,
    /// tags, zone IDs, resource label).
    pub environment: &'a EnvironmentPlan,
    /// One VPC per cluster (the environment's range is larger than a /16), instead of one
    /// for the environment.
    pub vpc_per_cluster: bool,
    /// Nitro encrypts in transit (`policy.encryption: cloud-hardware`): VPC encryption
    /// controls and flow logs that record `encryption-status`.
    pub nitro: bool,
    /// The clusters, by name.
    pub clusters: Vec<ClusterSummary<'a>>,
}

/// What the module-level files need to know of a cluster.
#[derive(Debug, Serialize)]
pub struct ClusterSummary<'a> {
    /// Name.
    pub name: &'a str,
    /// Terraform address label.
    pub label: &'a str,
    /// Label of the VPC it lives in.
    pub vpc: &'a str,
    /// Cilium is its CNI (it has a cilium-operator role).
    pub cilium: bool,
}

/// Context of `terraform/aws/versions.tf.tera`.
pub type VersionsContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/aws/providers.tf.tera`.
pub type ProvidersContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/aws/variables.tf.tera`.
pub type VariablesContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/aws/iam.tf.tera`.
pub type IamContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/aws/logging.tf.tera`.
pub type LoggingContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/aws/network.tf.tera`.
pub type NetworkContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/aws/outputs.tf.tera`.
pub type OutputsContext<'a> = EnvironmentContext<'a>;

/// Context of `terraform/aws/cluster.tf.tera`: everything that exists because of one
/// cluster.
#[derive(Debug, Serialize)]
pub struct ClusterContext<'a> {
    /// Kubernetes minor version.
    pub kubernetes_version: &'a str,
    /// The cluster's environment.
    pub environment: &'a EnvironmentPlan,
    /// The cluster: name, tenants, network, networking, `infra` (its address label).
    pub cluster: &'a ClusterPlan,
    /// The cluster has a VPC of its own (declared in its file).
    pub own_vpc: bool,
    /// Label of the VPC it lives in: the environment's or its own.
    pub vpc: &'a str,
    /// Cilium is the CNI: no VPC CNI or kube-proxy add-on; a cilium-operator IRSA role.
    pub cilium: bool,
    /// Nitro encrypts in transit (`cloud-hardware`).
    pub nitro: bool,
    /// The system node group, then one per tenant node group.
    pub node_groups: Vec<NodeGroupView<'a>>,
}

/// Renders the root module of one AWS environment.
pub fn render(module: &Module<'_>, tree: &mut OutputTree) -> Result<()> {
    let environment = module.environment;
    let vpc_per_cluster = environment.network.layout == NetworkLayout::Cluster;
    let nitro = module
        .clusters
        .iter()
        .any(|c| c.networking.cloud_encryption == Some(CloudEncryption::AwsNitro));
    let context = EnvironmentContext {
        environment,
        vpc_per_cluster,
        nitro,
        clusters: module
            .clusters
            .iter()
            .map(|c| ClusterSummary {
                name: &c.name,
                label: &c.infra.label,
                vpc: vpc_label(environment, c, vpc_per_cluster),
                cilium: cilium(c),
            })
            .collect(),
    };
    for (file, template) in [
        ("versions.tf", TEMPLATE_TF_AWS_VERSIONS),
        ("providers.tf", TEMPLATE_TF_AWS_PROVIDERS),
        ("variables.tf", TEMPLATE_TF_AWS_VARIABLES),
        ("iam.tf", TEMPLATE_TF_AWS_IAM),
        ("logging.tf", TEMPLATE_TF_AWS_LOGGING),
        ("network.tf", TEMPLATE_TF_AWS_NETWORK),
        ("outputs.tf", TEMPLATE_TF_AWS_OUTPUTS),
    ] {
        module.emit(tree, file, template, &context)?;
    }
    for cluster in &module.clusters {
        let context = ClusterContext {
            kubernetes_version: &module.plan.kubernetes_version,
            environment,
            cluster,
            own_vpc: vpc_per_cluster,
            vpc: vpc_label(environment, cluster, vpc_per_cluster),
            cilium: cilium(cluster),
            nitro: cluster.networking.cloud_encryption == Some(CloudEncryption::AwsNitro),
            node_groups: node_groups(cluster),
        };
        module.emit_cluster(tree, cluster, TEMPLATE_TF_AWS_CLUSTER, &context)?;
    }
    Ok(())
}

/// The label of the VPC `cluster` lives in.
fn vpc_label<'a>(
    environment: &'a EnvironmentPlan,
    cluster: &'a ClusterPlan,
    vpc_per_cluster: bool,
) -> &'a str {
    if vpc_per_cluster {
        &cluster.infra.label
    } else {
        &environment.infra.label
    }
}
