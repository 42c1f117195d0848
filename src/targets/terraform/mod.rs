//! The Terraform target: stacks over a generated module per cloud.
//!
//! Stage 4. Input: the [`Plan`] (every cloud resource's name is in its `resources`; this
//! target adds only Terraform's own: address labels, state keys, stack directories from
//! [`stacks`]) and the templates under `templates/terraform/`. Output, in the
//! [`OutputTree`]:
//! - per environment with clusters, a foundation stack `terraform/<env>/foundation/`
//!   (network, shared keys, cloud prerequisites, `moved` blocks for clusters a `--repack`
//!   renamed) and per cluster a stack `terraform/<env>/<cluster>/`: a partial backend with
//!   the stack's own state key, the provider pinned to the environment's account, and one
//!   call of its cloud's module with the cluster's node groups as a map;
//! - per cloud in use, the module `terraform/modules/<cloud>-cluster/`, copied as it is;
//! - `atlantis.yaml`, one Atlantis project per stack.
//!
//! Each cloud's renderer ([`aws`], [`gcp`], [`azure`]) builds one documented context per
//! template from the plan; the views here are shared by the three. Every `.tf` is then laid
//! out by [`hclfmt`](super::hclfmt) when the whole tree is.

pub mod aws;
pub mod azure;
pub mod gcp;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::stacks::{self, Stack, StackKind};
use super::templates::{
    TEMPLATE_ATLANTIS, TEMPLATE_TF_MOVED, TF_FOUNDATION_AWS, TF_FOUNDATION_AZURE,
    TF_FOUNDATION_GCP, TF_MODULE_AWS, TF_MODULE_AZURE, TF_MODULE_GCP, Templates,
};
use crate::cloud::Cloud;
use crate::error::Result;
use crate::output::OutputTree;
use crate::plan::encryption::Cni;
use crate::plan::{ClusterPlan, EnvironmentPlan, NodeGroupCloud, Plan, Taint};

/// Renders the Terraform of every environment of `plan` into `tree`.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    let mut clouds = BTreeSet::new();
    for environment in &plan.environments {
        let clusters = stacks::clusters_of(plan, environment);
        if clusters.is_empty() {
            continue;
        }
        let stacks = Environment {
            plan,
            environment,
            clusters,
            templates,
        };
        match environment.cloud {
            Cloud::Aws => aws::render(&stacks, tree)?,
            Cloud::Gcp => gcp::render(&stacks, tree)?,
            Cloud::Azure => azure::render(&stacks, tree)?,
        }
        clouds.insert(environment.cloud);
    }
    // The modules of each cloud in use, once: every stack of their kind on it calls them.
    for cloud in clouds {
        for kind in [StackKind::Foundation, StackKind::Cluster] {
            for file in module_files(cloud, kind) {
                tree.insert(file, templates.copy(file)?, file)?;
            }
        }
    }
    atlantis(plan, templates, tree)
}

/// The files of the module that the stacks of `kind` on `cloud` call, under
/// [`stacks::module_dir`]; empty when those stacks are rendered whole.
pub fn module_files(cloud: Cloud, kind: StackKind) -> &'static [&'static str] {
    match (cloud, kind) {
        (Cloud::Aws, StackKind::Cluster) => TF_MODULE_AWS,
        (Cloud::Gcp, StackKind::Cluster) => TF_MODULE_GCP,
        (Cloud::Azure, StackKind::Cluster) => TF_MODULE_AZURE,
        (Cloud::Aws, StackKind::Foundation) => TF_FOUNDATION_AWS,
        (Cloud::Gcp, StackKind::Foundation) => TF_FOUNDATION_GCP,
        (Cloud::Azure, StackKind::Foundation) => TF_FOUNDATION_AZURE,
    }
}

/// `atlantis.yaml`: one Atlantis project per stack, so that a pull request plans exactly the
/// stacks it changes; cluster stacks depend on their foundation and are planned when the
/// module of their cloud changes.
fn atlantis(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    let all = stacks::stacks(plan);
    if all.is_empty() {
        return Ok(());
    }
    // Cluster names hold their environment's; a foundation is named after its environment.
    let project = |stack: &Stack| match stack.kind {
        StackKind::Foundation => format!("{}-{}", stack.environment, stack.name),
        StackKind::Cluster => stack.name.clone(),
    };
    let projects = all
        .iter()
        .map(|stack| {
            let mut when_modified = vec!["*.tf".to_owned()];
            if !module_files(stack.cloud, stack.kind).is_empty() {
                when_modified.push(format!(
                    "{}/*.tf",
                    stacks::module_source(stack.cloud, stack.kind)
                ));
            }
            AtlantisProject {
                name: project(stack),
                dir: stack.dir.clone(),
                when_modified,
                depends_on: match stack.kind {
                    StackKind::Foundation => Vec::new(),
                    StackKind::Cluster => {
                        vec![format!("{}-{}", stack.environment, stacks::FOUNDATION)]
                    }
                },
                execution_order_group: match stack.kind {
                    StackKind::Foundation => 1,
                    StackKind::Cluster => 2,
                },
            }
        })
        .collect();
    let text = templates.render(TEMPLATE_ATLANTIS, &AtlantisContext { projects })?;
    tree.insert("atlantis.yaml", &text, TEMPLATE_ATLANTIS)
}

/// Context of `terraform/atlantis.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct AtlantisContext {
    /// One project per stack, in apply order.
    pub projects: Vec<AtlantisProject>,
}

/// One Atlantis project: a stack.
#[derive(Debug, Serialize)]
pub struct AtlantisProject {
    /// `<environment>-foundation`, or the cluster's name.
    pub name: String,
    /// The stack's directory, relative to the output directory.
    pub dir: String,
    /// What makes Atlantis plan it, relative to `dir`: its own files and, for a cluster
    /// stack, its cloud's module.
    pub when_modified: Vec<String>,
    /// The projects applied before it: a cluster's foundation.
    pub depends_on: Vec<String>,
    /// Atlantis's order group: foundations (1) before clusters (2).
    pub execution_order_group: u32,
}

/// What a cloud's renderer works from: one environment and its clusters, each a stack.
pub struct Environment<'a> {
    /// The whole plan.
    pub plan: &'a Plan,
    /// The environment.
    pub environment: &'a EnvironmentPlan,
    /// Its clusters, by name.
    pub clusters: Vec<&'a ClusterPlan>,
    /// The templates.
    pub templates: &'a Templates,
}

impl Environment<'_> {
    /// The environment's foundation stack.
    pub fn foundation(&self) -> Stack {
        stacks::foundation(&self.plan.platform, self.environment)
    }

    /// The stack of `cluster`.
    pub fn stack(&self, cluster: &ClusterPlan) -> Stack {
        stacks::cluster(&self.plan.platform, self.environment, cluster)
    }

    /// Renders each `(file, template)` of `files` with the one `context` into the
    /// foundation stack ([`Templates::render_each`]).
    pub fn emit_foundation(
        &self,
        tree: &mut OutputTree,
        files: &[(&str, &str)],
        context: &impl Serialize,
    ) -> Result<()> {
        self.templates
            .emit(tree, &self.foundation().dir, files, context)
    }

    /// Renders each `(file, template)` of `files` with the one `context` into `cluster`'s
    /// stack ([`Templates::render_each`]).
    pub fn emit_stack(
        &self,
        tree: &mut OutputTree,
        cluster: &ClusterPlan,
        files: &[(&str, &str)],
        context: &impl Serialize,
    ) -> Result<()> {
        self.templates
            .emit(tree, &self.stack(cluster).dir, files, context)
    }

    /// `moved.tf` of the foundation: for each cluster a `--repack` renamed, `moves` gives
    /// the blocks that carry its per-cluster foundation resources from each former name to
    /// the next (`A` → `B` → now). Nothing is written when no cluster was renamed.
    pub fn emit_foundation_moves(
        &self,
        tree: &mut OutputTree,
        moves: impl Fn(&str, &str) -> Vec<Move>,
    ) -> Result<()> {
        let mut renamed = Vec::new();
        for cluster in &self.clusters {
            if cluster.formerly.is_empty() {
                continue;
            }
            let mut chain: Vec<&str> = cluster.formerly.iter().map(String::as_str).collect();
            chain.push(&cluster.name);
            let mut blocks = Vec::new();
            for pair in chain.windows(2) {
                if let [from, to] = pair {
                    blocks.extend(moves(from, to));
                }
            }
            renamed.push(Renamed {
                cluster: cluster.name.clone(),
                formerly: cluster.formerly.clone(),
                moves: blocks,
            });
        }
        if renamed.is_empty() {
            return Ok(());
        }
        self.emit_foundation(
            tree,
            &[("moved.tf", TEMPLATE_TF_MOVED)],
            &MovedContext { clusters: renamed },
        )
    }
}

/// The Terraform label of a name: `-` becomes `_` (names are `[a-z][a-z0-9-]*`, so the
/// mapping is one-to-one and an address changes only when a name does).
pub fn label(name: &str) -> String {
    name.replace('-', "_")
}

/// The environment as its Terraform files see it: the plan's environment, the address label
/// of its resources and its state key.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentView<'a> {
    /// The environment: account, region, range, resources.
    #[serde(flatten)]
    pub plan: &'a EnvironmentPlan,
    /// Terraform address label of its resources: their name with `-` as `_`.
    pub label: String,
    /// Where its Terraform state lives in the backend: the S3 or Azure blob key, or the GCS
    /// prefix. One per environment, so no two environments share a state.
    pub state_key: String,
}

impl<'a> EnvironmentView<'a> {
    /// The view of `environment` of `platform`.
    pub fn new(platform: &str, environment: &'a EnvironmentPlan) -> Self {
        let state_key = match environment.cloud {
            // An object key (S3, Azure blob); GCS takes a prefix and names the object itself.
            Cloud::Aws | Cloud::Azure => {
                format!("clusterwright/{platform}/{}.tfstate", environment.name)
            }
            Cloud::Gcp => format!("clusterwright/{platform}/{}", environment.name),
        };
        Self {
            plan: environment,
            label: label(&environment.resources.name),
            state_key,
        }
    }
}

/// A cluster as a stack's module call sees it: what of the plan's cluster the AWS and Azure
/// stacks read, and its address label. (The whole cluster plan, serialized for every file
/// of every stack, was most of the time rendering Terraform took.)
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterView<'a> {
    /// Name.
    pub name: &'a str,
    /// Whether its environment is production.
    pub production: bool,
    /// Tenant names, sorted.
    pub tenants: &'a [String],
    /// Its ranges: node subnets, pods, services.
    pub network: &'a crate::plan::network::ClusterNetwork,
    /// Its cloud resources: names, versions, network profile.
    pub resources: &'a crate::plan::resources::ClusterResources,
    /// Terraform address label of its resources: its name with `-` as `_`. Tenant node
    /// groups are `<cluster>_<tenant>_<n>`: adding a tenant adds addresses and changes none.
    pub label: String,
}

impl<'a> ClusterView<'a> {
    /// The view of `cluster`.
    pub fn new(cluster: &'a ClusterPlan) -> Self {
        Self {
            name: &cluster.name,
            production: cluster.production,
            tenants: &cluster.tenants,
            network: &cluster.network,
            resources: &cluster.resources,
            label: label(&cluster.name),
        }
    }
}

/// What the module-level files of GCP and Azure need to know of a cluster (AWS adds its
/// VPC and CNI: `aws::ClusterSummary`).
#[derive(Debug, Serialize)]
pub struct ClusterSummary<'a> {
    /// Name.
    pub name: &'a str,
    /// Terraform address label.
    pub label: String,
}

/// One node group as the templates lay it out: the system group or a tenant's.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeGroupView<'a> {
    /// Terraform address label (`<cluster>_<group>`).
    pub label: String,
    /// The group's name in the plan.
    pub name: &'a str,
    /// The name the cloud knows it by (AKS pool names are short).
    pub cloud_name: &'a str,
    /// Its tenant; `None` for the system group.
    pub tenant: Option<&'a str>,
    /// Nodes.
    pub nodes: u32,
    /// GKE: nodes each zone starts with.
    pub initial_nodes_per_zone: Option<u32>,
    /// Instance type.
    pub instance_type: &'a str,
    /// EKS AMI type.
    pub ami_type: Option<&'static str>,
    /// Kubernetes labels of its nodes, sorted.
    pub labels: &'a BTreeMap<String, String>,
    /// Taints of its nodes.
    pub taints: Vec<TaintView<'a>>,
}

/// A taint in the spellings the clouds use.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaintView<'a> {
    /// Key.
    pub key: &'a str,
    /// Value.
    pub value: &'a str,
    /// Effect as Kubernetes and AKS spell it (`NoSchedule`).
    pub effect: &'static str,
    /// Effect as EKS and GKE spell it (`NO_SCHEDULE`).
    pub upper_effect: &'static str,
    /// AKS's one-string form, `key=value:Effect`.
    pub aks: String,
}

impl<'a> TaintView<'a> {
    fn of(taint: &'a Taint) -> Self {
        Self {
            key: &taint.key,
            value: &taint.value,
            effect: taint.effect.kubernetes(),
            upper_effect: taint.effect.upper(),
            aks: taint.aks(),
        }
    }
}

/// The node groups of `cluster`, in plan order: the system group first, then the tenants'.
pub fn node_groups(cluster: &ClusterPlan) -> Vec<NodeGroupView<'_>> {
    let cluster_label = label(&cluster.name);
    cluster
        .node_groups
        .iter()
        .map(|group| NodeGroupView {
            label: format!("{cluster_label}_{}", label(&group.name)),
            name: &group.name,
            cloud_name: &group.cloud_name,
            tenant: group.tenant.as_ref().map(|t| t.name.as_str()),
            nodes: group.nodes,
            initial_nodes_per_zone: match group.cloud {
                NodeGroupCloud::Gcp {
                    initial_nodes_per_zone,
                } => Some(initial_nodes_per_zone),
                _ => None,
            },
            instance_type: &group.instance_type,
            ami_type: match group.cloud {
                NodeGroupCloud::Aws { ami_type } => Some(ami_type),
                _ => None,
            },
            labels: &group.labels,
            taints: group.taints.iter().map(TaintView::of).collect(),
        })
        .collect()
}

/// Whether Cilium, installed by the platform team, is the cluster's CNI (the cloud's own
/// is then left out).
pub fn cilium(cluster: &ClusterPlan) -> bool {
    cluster.networking.cni == Cni::Cilium
}

/// Context of `terraform/moved.tf.tera`: the `moved` blocks of the renamed clusters.
#[derive(Debug, Serialize)]
pub struct MovedContext {
    /// Each renamed cluster, by name.
    pub clusters: Vec<Renamed>,
}

/// A cluster that a `--repack` renamed, and the moves of its resources.
#[derive(Debug, Serialize)]
pub struct Renamed {
    /// The cluster's name now.
    pub cluster: String,
    /// Its former names, oldest first.
    pub formerly: Vec<String>,
    /// Each move, in chain order.
    pub moves: Vec<Move>,
}

/// One `moved` block.
#[derive(Debug, Serialize)]
pub struct Move {
    /// The address the state is under now.
    pub from: String,
    /// The address it moves to.
    pub to: String,
}
