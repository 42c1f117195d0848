//! Terraform for Azure: AKS clusters in the environment's resource group and VNet, each
//! with a subnet of its own, a control-plane identity and a Key Vault key for secrets;
//! node pools; the environment's Key Vault, disk encryption set and Log Analytics
//! workspace.
//!
//! Templates: `templates/terraform/azure/*.tf.tera`. Every context is built here from the
//! plan; what varies per environment and cluster comes from `EnvironmentPlan::resources`,
//! `ClusterPlan::resources`, `network` and `networking`; Terraform adds only its own address
//! labels and state key (`EnvironmentView`, `ClusterView`).

use serde::Serialize;

use super::{
    ClusterSummary, ClusterView, Environment, EnvironmentView, NodeGroupView, cilium, label,
    node_groups,
};
use crate::error::Result;
use crate::output::OutputTree;
use crate::plan::ClusterPlan;
use crate::plan::encryption::CloudEncryption;
use crate::targets::templates::{
    TEMPLATE_TF_AZURE_CLUSTER, TEMPLATE_TF_AZURE_KEYVAULT, TEMPLATE_TF_AZURE_MAIN,
    TEMPLATE_TF_AZURE_NETWORK, TEMPLATE_TF_AZURE_OUTPUTS, TEMPLATE_TF_AZURE_PROVIDERS,
    TEMPLATE_TF_AZURE_VERSIONS,
};

/// Context of the module-level templates of an Azure environment: `versions.tf`,
/// `providers.tf`, `main.tf`, `network.tf`, `keyvault.tf` and `outputs.tf` (each type
/// alias below names one).
#[derive(Debug, Serialize)]
pub struct EnvironmentContext<'a> {
    /// The environment: account, region, range, resources, address label, state key.
    pub environment: EnvironmentView<'a>,
    /// Virtual Network encryption on the VNet (`policy.encryption: cloud-hardware`).
    pub vnet_encryption: bool,
    /// The clusters, by name.
    pub clusters: Vec<ClusterSummary<'a>>,
}

/// Context of `terraform/azure/versions.tf.tera`.
pub type VersionsContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/azure/providers.tf.tera`.
pub type ProvidersContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/azure/main.tf.tera`.
pub type MainContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/azure/network.tf.tera`.
pub type NetworkContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/azure/keyvault.tf.tera`.
pub type KeyVaultContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/azure/outputs.tf.tera`.
pub type OutputsContext<'a> = EnvironmentContext<'a>;

/// Context of `terraform/azure/cluster.tf.tera`: everything that exists because of one
/// cluster.
#[derive(Debug, Serialize)]
pub struct ClusterContext<'a> {
    /// Kubernetes minor version.
    pub kubernetes_version: &'a str,
    /// The cluster's environment.
    pub environment: &'a EnvironmentView<'a>,
    /// The cluster: name, tenants, network, networking, resources, address label.
    pub cluster: ClusterView<'a>,
    /// Cilium is the CNI: bring-your-own CNI; otherwise Azure CNI powered by Cilium.
    pub cilium: bool,
    /// The VNet is encrypted (`cloud-hardware`).
    pub vnet_encryption: bool,
    /// The system pool: the cluster's default node pool.
    pub system: NodeGroupView<'a>,
    /// One pool per tenant node group.
    pub tenant_pools: Vec<NodeGroupView<'a>>,
}

/// Renders the root module of one Azure environment.
pub fn render(module: &Environment<'_>, tree: &mut OutputTree) -> Result<()> {
    let environment = EnvironmentView::new(&module.plan.platform, module.environment);
    let encrypted = |c: &ClusterPlan| {
        c.networking.cloud_encryption == Some(CloudEncryption::AzureVnetEncryption)
    };
    let context = EnvironmentContext {
        environment,
        vnet_encryption: module.clusters.iter().any(|c| encrypted(c)),
        clusters: module
            .clusters
            .iter()
            .map(|c| ClusterSummary {
                name: &c.name,
                label: label(&c.name),
            })
            .collect(),
    };
    for (file, template) in [
        ("versions.tf", TEMPLATE_TF_AZURE_VERSIONS),
        ("providers.tf", TEMPLATE_TF_AZURE_PROVIDERS),
        ("main.tf", TEMPLATE_TF_AZURE_MAIN),
        ("network.tf", TEMPLATE_TF_AZURE_NETWORK),
        ("keyvault.tf", TEMPLATE_TF_AZURE_KEYVAULT),
        ("outputs.tf", TEMPLATE_TF_AZURE_OUTPUTS),
    ] {
        module.emit(tree, file, template, &context)?;
    }
    for cluster in &module.clusters {
        let mut pools = node_groups(cluster).into_iter();
        let system = pools.next().ok_or_else(|| {
            crate::error::Error::Bug(format!("cluster `{}` has no system pool", cluster.name))
        })?;
        let tenant_pools: Vec<NodeGroupView<'_>> = pools.collect();
        let context = ClusterContext {
            kubernetes_version: &module.plan.kubernetes_version,
            environment: &context.environment,
            cluster: ClusterView::new(cluster),
            cilium: cilium(cluster),
            vnet_encryption: encrypted(cluster),
            system,
            tenant_pools,
        };
        module.emit_cluster(tree, cluster, TEMPLATE_TF_AZURE_CLUSTER, &context)?;
    }
    Ok(())
}
