//! Terraform for AWS: EKS clusters in the environment's VPC (or, for an environment larger
//! than a /16, one VPC per cluster), managed node groups, IAM roles, KMS keys, logs.
//!
//! Templates: `templates/terraform/aws/*.tf.tera`. Every context is built here from the
//! plan; what varies per environment and cluster comes from `EnvironmentPlan::resources`,
//! `ClusterPlan::resources`, `network` and `networking`; Terraform adds only its own address
//! labels and state key (`EnvironmentView`, `ClusterView`).

use serde::Serialize;

use super::{ClusterView, Environment, EnvironmentView, NodeGroupView, cilium, label, node_groups};
use crate::error::Result;
use crate::output::OutputTree;
use crate::plan::encryption::CloudEncryption;
use crate::plan::network::NetworkLayout;
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
    /// The environment: account, region, range, resources, address label, state key.
    pub environment: EnvironmentView<'a>,
    /// The texts of `variables.tf`: the roles Terraform assumes and makes cluster-admin,
    /// each confined to the environment's account.
    pub variables: Variables,
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
    pub label: String,
    /// Label of the VPC it lives in.
    pub vpc: String,
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
    pub environment: &'a EnvironmentView<'a>,
    /// The cluster: name, tenants, network, networking, resources, address label.
    pub cluster: ClusterView<'a>,
    /// The cluster has a VPC of its own (declared in its file).
    pub own_vpc: bool,
    /// Label of the VPC it lives in: the environment's or its own.
    pub vpc: String,
    /// Cilium is the CNI: no VPC CNI or kube-proxy add-on; a cilium-operator IRSA role.
    pub cilium: bool,
    /// Nitro encrypts in transit (`cloud-hardware`).
    pub nitro: bool,
    /// The system node group, then one per tenant node group.
    pub node_groups: Vec<NodeGroupView<'a>>,
}

/// The texts of `variables.tf`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Variables {
    /// Description of `assume_role_arn`.
    pub assume_role_description: String,
    /// Its validation message.
    pub assume_role_error: String,
    /// Description of `cluster_admin_role_arn`.
    pub cluster_admin_description: String,
    /// Its validation message.
    pub cluster_admin_error: String,
    /// The pattern an IAM role ARN of the environment's account matches (any partition).
    pub role_arn_pattern: String,
}

impl Variables {
    fn new(account: &str, environment: &str) -> Self {
        Self {
            assume_role_description: format!(
                "IAM role in account {account} that Terraform assumes to manage environment {environment}."
            ),
            assume_role_error: format!(
                "assume_role_arn must be an IAM role in account {account} (environment {environment})."
            ),
            cluster_admin_description: format!(
                "IAM role in account {account} given cluster-admin on every cluster of environment {environment} (EKS access entry); it installs the Helm releases."
            ),
            cluster_admin_error: format!(
                "cluster_admin_role_arn must be an IAM role in account {account} (environment {environment})."
            ),
            role_arn_pattern: format!("^arn:aws[a-z-]*:iam::{account}:role/"),
        }
    }
}

/// Renders the root module of one AWS environment.
pub fn render(module: &Environment<'_>, tree: &mut OutputTree) -> Result<()> {
    let plan = module.environment;
    let environment = EnvironmentView::new(&module.plan.platform, plan);
    let vpc_per_cluster = plan.network.layout == NetworkLayout::Cluster;
    let nitro = module
        .clusters
        .iter()
        .any(|c| c.networking.cloud_encryption == Some(CloudEncryption::AwsNitro));
    let clusters = module
        .clusters
        .iter()
        .map(|c| {
            Ok(ClusterSummary {
                name: &c.name,
                label: label(&c.name),
                vpc: vpc_label(c)?,
                cilium: cilium(c),
            })
        })
        .collect::<Result<_>>()?;
    let context = EnvironmentContext {
        variables: Variables::new(&plan.account, &plan.name),
        environment,
        vpc_per_cluster,
        nitro,
        clusters,
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
            environment: &context.environment,
            cluster: ClusterView::new(cluster),
            own_vpc: vpc_per_cluster,
            vpc: vpc_label(cluster)?,
            cilium: cilium(cluster),
            nitro: cluster.networking.cloud_encryption == Some(CloudEncryption::AwsNitro),
            node_groups: node_groups(cluster),
        };
        module.emit_cluster(tree, cluster, TEMPLATE_TF_AWS_CLUSTER, &context)?;
    }
    Ok(())
}

/// The label of the VPC `cluster` lives in.
fn vpc_label(cluster: &crate::plan::ClusterPlan) -> Result<String> {
    cluster
        .resources
        .aws()
        .map(|aws| label(&aws.vpc))
        .ok_or_else(|| {
            crate::error::Error::Bug(format!(
                "cluster `{}` is in an AWS environment but has no AWS resources",
                cluster.name
            ))
        })
}
