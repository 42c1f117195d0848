//! Terraform for Azure, as stacks over generated modules:
//!
//! - `terraform/<env>/foundation/`: one call of `terraform/modules/azure-foundation` (copied
//!   from `templates/terraform/modules/azure-foundation/`), which holds what the
//!   environment's clusters share and the subscription's prerequisites: resource group,
//!   VNet, each cluster's subnet and network security group (keyed by cluster name), Key
//!   Vault with the disk key and each cluster's secrets key, disk encryption set, Log
//!   Analytics workspace, the EncryptionAtHost feature, the custom role of
//!   `az aks command invoke`.
//! - `terraform/<env>/<cluster>/`: one call of `terraform/modules/azure-cluster` (copied
//!   from `templates/terraform/modules/azure-cluster/`), which looks the foundation objects
//!   up by the names the plan gives them.
//!
//! Names the modules derive are checked against the plan ([`check_foundation_names`]).
//! Templates: `templates/terraform/azure/*.tf.tera`. Every context is built here from the
//! plan; Terraform adds only its own address labels, state keys and the modules' sources.

use serde::Serialize;

use super::{ClusterView, Environment, EnvironmentView, Move, NodeGroupView, cilium, node_groups};
use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::ClusterPlan;
use crate::plan::encryption::CloudEncryption;
use crate::targets::stacks::{self, StackKind};
use crate::targets::templates::{
    TEMPLATE_TF_AZURE_MAIN, TEMPLATE_TF_AZURE_OUTPUTS, TEMPLATE_TF_AZURE_PROVIDERS,
    TEMPLATE_TF_AZURE_STACK, TEMPLATE_TF_AZURE_STACK_OUTPUTS, TEMPLATE_TF_AZURE_VERSIONS,
};

/// Context of the foundation's templates: `versions.tf`, `providers.tf`, `main.tf` (the
/// call of `terraform/modules/azure-foundation`) and `outputs.tf` (each type alias below
/// names one).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundationContext<'a> {
    /// `source` of the module call.
    pub source: String,
    /// The environment: account, directory, region, range, resources, address label.
    pub environment: EnvironmentView<'a>,
    /// The foundation's state key.
    pub state_key: String,
    /// Whether this stack's provider registers the resource providers the stacks use: the
    /// foundation does (it is applied first); a cluster stack registers none.
    pub registers_providers: bool,
    /// Virtual Network encryption on the VNet (`policy.encryption: cloud-hardware`).
    pub vnet_encryption: bool,
    /// The clusters, by name.
    pub clusters: Vec<FoundationCluster<'a>>,
}

/// What the foundation holds for one cluster.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundationCluster<'a> {
    /// Name: the key of its subnet, security group and secrets key (which the module
    /// names `<name>-secrets`, [`check_foundation_names`]).
    pub name: &'a str,
    /// The name of its subnet and security group: its first name, which a rename by
    /// `--repack` keeps (as its state key), so that a rename replaces neither.
    pub network_name: &'a str,
    /// Its node subnet's prefixes.
    pub subnets: &'a [String],
    /// Its isolation partition ([`crate::plan::Isolation::key`]): its security group
    /// admits the node subnets of every cluster of the same partition, itself included.
    /// The module gathers them: listed here for every cluster, they made the file (and
    /// rendering it) quadratic in the clusters of a partition.
    pub partition: String,
    /// Its own pod range, which its security group also admits under Azure CNI Overlay
    /// ([`own_pods`]); empty otherwise.
    pub pods: &'a [String],
}

/// Context of `terraform/azure/versions.tf.tera` (foundation and cluster stacks alike read
/// `environment` and `stateKey`).
pub type VersionsContext<'a> = FoundationContext<'a>;
/// Context of `terraform/azure/providers.tf.tera` (as [`VersionsContext`]).
pub type ProvidersContext<'a> = FoundationContext<'a>;
/// Context of `terraform/azure/main.tf.tera`.
pub type MainContext<'a> = FoundationContext<'a>;
/// Context of `terraform/azure/outputs.tf.tera`.
pub type OutputsContext<'a> = FoundationContext<'a>;

/// Context of a cluster stack's templates: `versions.tf`, `providers.tf`,
/// `terraform/azure/stack.tf.tera` (`main.tf`) and `stack-outputs.tf.tera`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackContext<'a> {
    /// The cluster's environment: account, directory, access, maintenance, resources.
    pub environment: StackEnvironment<'a>,
    /// The stack's state key.
    pub state_key: String,
    /// Whether this stack's provider registers the resource providers the stacks use: the
    /// foundation does (it is applied first); a cluster stack registers none.
    pub registers_providers: bool,
    /// `source` of the module call.
    pub module_source: String,
    /// Kubernetes minor version.
    pub kubernetes_version: &'a str,
    /// The cluster: name, tenants, network, resources.
    pub cluster: ClusterView<'a>,
    /// The name of its subnet and security group in the foundation ([`network_name`]).
    pub network_name: &'a str,
    /// Cilium is the CNI: bring-your-own CNI; otherwise Azure CNI powered by Cilium.
    pub cilium: bool,
    /// The VNet is encrypted (`cloud-hardware`).
    pub vnet_encryption: bool,
    /// The system pool: the cluster's default node pool.
    pub system: NodeGroupView<'a>,
    /// One pool per tenant node group, in plan order.
    pub node_groups: Vec<NodeGroupView<'a>>,
}

/// The environment as a cluster stack sees it: what its provider and module call read, in
/// the paths of [`EnvironmentView`], so the templates both kinds of stack share read the
/// same. (The whole environment plan names every cluster of the environment; serialized
/// for every stack, it made rendering quadratic in the clusters.)
#[derive(Debug, Serialize)]
pub struct StackEnvironment<'a> {
    /// Name.
    pub name: &'a str,
    /// Subscription id.
    pub account: &'a str,
    /// The Entra ID directory (tenant) id, when the blueprint names it.
    pub directory: Option<&'a str>,
    /// Who administers the clusters, and from where.
    pub access: &'a crate::plan::Access,
    /// When Azure may upgrade the clusters and nodes.
    pub maintenance: &'a crate::plan::Maintenance,
    /// Resource names, tags, zones, Key Vault.
    pub resources: &'a crate::plan::resources::EnvironmentResources,
}

impl<'a> StackEnvironment<'a> {
    fn of(environment: &'a crate::plan::EnvironmentPlan) -> Self {
        Self {
            name: &environment.name,
            account: &environment.account,
            directory: environment.directory.as_deref(),
            access: &environment.access,
            maintenance: &environment.maintenance,
            resources: &environment.resources,
        }
    }
}

/// Renders the foundation and the cluster stacks of one Azure environment.
pub fn render(env: &Environment<'_>, tree: &mut OutputTree) -> Result<()> {
    let encrypted = |c: &ClusterPlan| {
        c.networking.cloud_encryption == Some(CloudEncryption::AzureVnetEncryption)
    };
    let mut clusters = Vec::new();
    for cluster in &env.clusters {
        clusters.push(FoundationCluster {
            name: &cluster.name,
            network_name: network_name(cluster),
            subnets: &cluster.network.node_subnets,
            partition: cluster.isolation.key(),
            pods: own_pods(cluster),
        });
    }
    check_foundation_names(env.environment, &env.clusters)?;
    let foundation = FoundationContext {
        source: stacks::module_source(env.environment.cloud, StackKind::Foundation),
        environment: EnvironmentView::new(&env.plan.platform, env.environment),
        state_key: env.foundation().state_key,
        registers_providers: true,
        vnet_encryption: env.clusters.iter().any(|c| encrypted(c)),
        clusters,
    };
    env.emit_foundation(
        tree,
        &[
            ("versions.tf", TEMPLATE_TF_AZURE_VERSIONS),
            ("providers.tf", TEMPLATE_TF_AZURE_PROVIDERS),
            ("main.tf", TEMPLATE_TF_AZURE_MAIN),
            ("outputs.tf", TEMPLATE_TF_AZURE_OUTPUTS),
        ],
        &foundation,
    )?;
    env.emit_foundation_moves(tree, foundation_moves)?;
    for cluster in &env.clusters {
        let mut pools = node_groups(cluster).into_iter();
        let system = pools
            .next()
            .ok_or_else(|| Error::Bug(format!("cluster `{}` has no system pool", cluster.name)))?;
        let context = StackContext {
            environment: StackEnvironment::of(env.environment),
            state_key: env.stack(cluster).state_key,
            registers_providers: false,
            module_source: stacks::module_source(env.environment.cloud, StackKind::Cluster),
            kubernetes_version: &env.plan.kubernetes_version,
            cluster: ClusterView::new(cluster),
            network_name: network_name(cluster),
            cilium: cilium(cluster),
            vnet_encryption: encrypted(cluster),
            system,
            node_groups: pools.collect(),
        };
        env.emit_stack(
            tree,
            cluster,
            &[
                ("versions.tf", TEMPLATE_TF_AZURE_VERSIONS),
                ("providers.tf", TEMPLATE_TF_AZURE_PROVIDERS),
                ("main.tf", TEMPLATE_TF_AZURE_STACK),
                ("outputs.tf", TEMPLATE_TF_AZURE_STACK_OUTPUTS),
            ],
            &context,
        )?;
    }
    Ok(())
}

/// The name of `cluster`'s subnet and security group: its first name.
pub fn network_name(cluster: &ClusterPlan) -> &str {
    cluster.formerly.first().unwrap_or(&cluster.name)
}

fn azure(cluster: &ClusterPlan) -> Result<&crate::plan::resources::AzureCluster> {
    cluster
        .resources
        .azure()
        .ok_or_else(|| Error::Bug(format!("cluster `{}` is not on Azure", cluster.name)))
}

/// The pod range `cluster`'s security group admits besides its partition's node subnets
/// (which `terraform/modules/azure-foundation` gathers by partition): under Azure CNI
/// Overlay, its own pod range, because Overlay does not translate pod-to-pod traffic inside
/// a cluster, while traffic that leaves the cluster leaves from a node address. Under
/// Cilium (AKS bring-your-own CNI, tunnel mode) pod traffic between nodes is encapsulated
/// between node addresses, and every cluster's overlay is the same range, so none.
pub fn own_pods(cluster: &ClusterPlan) -> &[String] {
    cluster
        .resources
        .azure()
        .map_or(&[], |azure| azure.network_profile.pod_cidr.as_slice())
}

/// The names `terraform/modules/azure-foundation` and `azure-cluster` derive instead of
/// taking them, as they derive them: the disk key; per cluster its secrets key, the
/// temporary name of its system pool, and the ids of the cluster and the workspace, which
/// hold the environment's resource name where the modules take one name for the resource
/// group, the workspace (and the VNet and disk encryption set). The plan stays the one
/// source of names: each must equal the plan's, else a module would create or look up
/// another object than the one the plan names.
pub fn check_foundation_names(
    environment: &crate::plan::EnvironmentPlan,
    clusters: &[&ClusterPlan],
) -> Result<()> {
    let name = &environment.resources.name;
    let crate::plan::resources::EnvironmentCloud::Azure(plan) = &environment.resources.cloud else {
        return Err(Error::Bug(format!(
            "environment `{}` has no Azure resources",
            environment.name
        )));
    };
    let mut derived = vec![(
        "disk key".to_owned(),
        format!("{name}-disks"),
        plan.disk_key.as_str(),
    )];
    let account = &environment.account;
    for cluster in clusters {
        let c = azure(cluster)?;
        let system = cluster
            .node_groups
            .first()
            .ok_or_else(|| Error::Bug(format!("cluster `{}` has no system pool", cluster.name)))?;
        let group = format!("/subscriptions/{account}/resourceGroups/{name}/providers");
        derived.extend([
            (
                format!("secrets key of cluster `{}`", cluster.name),
                format!("{}-secrets", cluster.name),
                c.secrets_key.as_str(),
            ),
            (
                format!("temporary system pool of cluster `{}`", cluster.name),
                format!("{}tmp", system.cloud_name),
                c.system_pool_temporary_name.as_str(),
            ),
            (
                format!("cluster `{}`", cluster.name),
                format!(
                    "{group}/Microsoft.ContainerService/managedClusters/{}",
                    cluster.name
                ),
                c.resource_id.as_str(),
            ),
            (
                format!("workspace of cluster `{}`", cluster.name),
                format!("{group}/Microsoft.OperationalInsights/workspaces/{name}"),
                c.workspace_id.as_str(),
            ),
        ]);
    }
    for (what, module, plan) in derived {
        if module != plan {
            return Err(Error::Bug(format!(
                "environment `{}`: the azure modules name the {what} `{module}`, the plan `{plan}`",
                environment.name
            )));
        }
    }
    Ok(())
}

/// The address of the foundation stack's module call: its resources are under it.
pub const FOUNDATION_MODULE: &str = "module.foundation";

/// The foundation resources of a cluster in the `azure-foundation` module, each a type
/// and a name, all keyed by the cluster's name: what a `--repack` rename moves.
pub const FOUNDATION_RESOURCES: &[&str] = &[
    "azurerm_subnet.cluster",
    "azurerm_network_security_group.cluster",
    "azurerm_network_security_rule.allow_partition",
    "azurerm_network_security_rule.allow_load_balancer",
    "azurerm_network_security_rule.deny_other_clusters",
    "azurerm_subnet_network_security_group_association.cluster",
    "azurerm_key_vault_key.secrets",
];

/// The `moved` blocks of a cluster renamed from `from` to `to`. A `moved` block may name a
/// resource inside a child module that the stack calls: `module.foundation.<type>.<name>`
/// (developer.hashicorp.com/terraform/language/modules/develop/refactoring, "Moving
/// Resources into Modules"; the `from` and `to` addresses may be in child modules).
fn foundation_moves(from: &str, to: &str) -> Vec<Move> {
    FOUNDATION_RESOURCES
        .iter()
        .map(|address| Move {
            from: format!("{FOUNDATION_MODULE}.{address}[{from:?}]"),
            to: format!("{FOUNDATION_MODULE}.{address}[{to:?}]"),
        })
        .collect()
}
