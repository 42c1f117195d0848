//! Terraform for GCP: GKE clusters in the environment's VPC network, each with a
//! subnetwork of its own (secondary ranges for pods and services), node pools, a node
//! service account and a Cloud KMS key for secrets.
//!
//! Templates: `templates/terraform/gcp/*.tf.tera`. Every context is built here from the
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
use crate::plan::encryption::CloudEncryption;
use crate::targets::templates::{
    TEMPLATE_TF_GCP_CLUSTER, TEMPLATE_TF_GCP_KMS, TEMPLATE_TF_GCP_NETWORK, TEMPLATE_TF_GCP_OUTPUTS,
    TEMPLATE_TF_GCP_PROVIDERS, TEMPLATE_TF_GCP_VERSIONS,
};

/// Context of the module-level templates of a GCP environment: `versions.tf`,
/// `providers.tf`, `network.tf`, `kms.tf` and `outputs.tf` (each type alias below names
/// one).
#[derive(Debug, Serialize)]
pub struct EnvironmentContext<'a> {
    /// The environment: account, region, range, resources, address label, state key.
    pub environment: EnvironmentView<'a>,
    /// The clusters, by name.
    pub clusters: Vec<ClusterSummary<'a>>,
}

/// Context of `terraform/gcp/versions.tf.tera`.
pub type VersionsContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/gcp/providers.tf.tera`.
pub type ProvidersContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/gcp/network.tf.tera`.
pub type NetworkContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/gcp/kms.tf.tera`.
pub type KmsContext<'a> = EnvironmentContext<'a>;
/// Context of `terraform/gcp/outputs.tf.tera`.
pub type OutputsContext<'a> = EnvironmentContext<'a>;

/// Context of `terraform/gcp/cluster.tf.tera`: everything that exists because of one
/// cluster.
#[derive(Debug, Serialize)]
pub struct ClusterContext<'a> {
    /// Kubernetes minor version (the control plane's minimum).
    pub kubernetes_version: &'a str,
    /// The cluster's environment.
    pub environment: &'a EnvironmentView<'a>,
    /// The cluster: name, tenants, network, networking, resources, address label.
    pub cluster: ClusterView<'a>,
    /// Cilium is the CNI: legacy datapath, Calico off; otherwise Dataplane V2.
    pub cilium: bool,
    /// GKE inter-node transparent encryption (`cloud-hardware`), on Dataplane V2.
    pub inter_node_encryption: bool,
    /// The system node pool, then one per tenant node group.
    pub node_groups: Vec<NodeGroupView<'a>>,
}

/// Renders the root module of one GCP environment.
pub fn render(module: &Environment<'_>, tree: &mut OutputTree) -> Result<()> {
    let environment = EnvironmentView::new(&module.plan.platform, module.environment);
    let context = EnvironmentContext {
        environment,
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
        ("versions.tf", TEMPLATE_TF_GCP_VERSIONS),
        ("providers.tf", TEMPLATE_TF_GCP_PROVIDERS),
        ("network.tf", TEMPLATE_TF_GCP_NETWORK),
        ("kms.tf", TEMPLATE_TF_GCP_KMS),
        ("outputs.tf", TEMPLATE_TF_GCP_OUTPUTS),
    ] {
        module.emit(tree, file, template, &context)?;
    }
    for cluster in &module.clusters {
        let context = ClusterContext {
            kubernetes_version: &module.plan.kubernetes_version,
            environment: &context.environment,
            cluster: ClusterView::new(cluster),
            cilium: cilium(cluster),
            inter_node_encryption: cluster.networking.cloud_encryption
                == Some(CloudEncryption::GkeInterNodeTransparent),
            node_groups: node_groups(cluster),
        };
        module.emit_cluster(tree, cluster, TEMPLATE_TF_GCP_CLUSTER, &context)?;
    }
    Ok(())
}
