//! The Terraform target: one root module per environment, `terraform/<environment>/`.
//!
//! Stage 4. Input: the [`Plan`] (its `infra` fields carry every Terraform-specific
//! decision) and the templates under `templates/terraform/<cloud>/`. Output: the files of
//! each environment's module in the [`OutputTree`]: `versions.tf` (version pins and a
//! partial backend whose state key is the environment's), the provider pinned to the
//! environment's account, the network, one `cluster_<name>.tf` per cluster holding
//! everything that exists because of that cluster, and `outputs.tf`. An environment
//! without clusters gets no module: there would be nothing to run in it.
//!
//! Each cloud's renderer ([`aws`], [`gcp`], [`azure`]) builds one documented context per
//! template from the plan. The views here are shared by the three. After rendering, a
//! cluster that a `--repack` renamed gets `moved` blocks ([`moved_blocks`]); every `.tf`
//! is then laid out by [`hclfmt`](super::hclfmt) when the whole tree is.

pub mod aws;
pub mod azure;
pub mod gcp;

use std::collections::BTreeMap;

use hcl::edit::structure::BlockLabel;
use serde::Serialize;

use super::templates::{TEMPLATE_TF_MOVED, Templates};
use crate::cloud::Cloud;
use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::encryption::Cni;
use crate::plan::infra::label;
use crate::plan::{ClusterPlan, EnvironmentPlan, Plan, Taint};

/// Renders the Terraform of every environment of `plan` into `tree`.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    for environment in &plan.environments {
        let mut clusters: Vec<&ClusterPlan> = plan
            .clusters
            .iter()
            .filter(|c| c.environment == environment.name)
            .collect();
        if clusters.is_empty() {
            continue;
        }
        clusters.sort_by(|a, b| a.name.cmp(&b.name));
        let module = Module {
            plan,
            environment,
            clusters,
            templates,
        };
        match environment.cloud {
            Cloud::Aws => aws::render(&module, tree)?,
            Cloud::Gcp => gcp::render(&module, tree)?,
            Cloud::Azure => azure::render(&module, tree)?,
        }
    }
    Ok(())
}

/// What a cloud's renderer works from: one environment and its clusters.
pub struct Module<'a> {
    /// The whole plan.
    pub plan: &'a Plan,
    /// The environment.
    pub environment: &'a EnvironmentPlan,
    /// Its clusters, by name.
    pub clusters: Vec<&'a ClusterPlan>,
    /// The templates.
    pub templates: &'a Templates,
}

impl Module<'_> {
    /// `terraform/<environment>/<file>`.
    pub fn path(&self, file: &str) -> String {
        format!("terraform/{}/{file}", self.environment.name)
    }

    /// Renders `template` with `context` into `file` of this module.
    pub fn emit(
        &self,
        tree: &mut OutputTree,
        file: &str,
        template: &str,
        context: &impl Serialize,
    ) -> Result<()> {
        let text = self.templates.render(template, context)?;
        tree.insert(&self.path(file), &text, template)
    }

    /// Renders the file of `cluster`, with `moved` blocks from its former names.
    pub fn emit_cluster(
        &self,
        tree: &mut OutputTree,
        cluster: &ClusterPlan,
        template: &str,
        context: &impl Serialize,
    ) -> Result<()> {
        let mut text = self.templates.render(template, context)?;
        if !cluster.infra.formerly.is_empty() {
            text.push('\n');
            text.push_str(&moved_blocks(self.templates, cluster, &text)?);
        }
        tree.insert(&self.path(&cluster_file(cluster)), &text, template)
    }
}

/// `cluster_<name>.tf`.
pub fn cluster_file(cluster: &ClusterPlan) -> String {
    format!("cluster_{}.tf", cluster.name)
}

/// One node group as the templates lay it out: the system group or a tenant's.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeGroupView<'a> {
    /// Terraform address label (`<cluster>_<group>`).
    pub label: &'a str,
    /// The group's name in the plan.
    pub name: &'a str,
    /// The name the cloud knows it by (AKS pool names are short).
    pub cloud_name: &'a str,
    /// Its tenant; `None` for the system group.
    pub tenant: Option<&'a str>,
    /// Nodes.
    pub nodes: u32,
    /// GKE: nodes each zone starts with.
    pub initial_nodes_per_zone: u32,
    /// Instance type.
    pub instance_type: &'a str,
    /// EKS AMI type.
    pub ami_type: &'a str,
    /// Kubernetes labels of its nodes, sorted.
    pub labels: BTreeMap<String, String>,
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
    pub effect: &'a str,
    /// Effect as EKS and GKE spell it (`NO_SCHEDULE`).
    pub upper_effect: String,
    /// AKS's one-string form, `key=value:Effect`.
    pub aks: String,
}

impl<'a> TaintView<'a> {
    fn of(taint: &'a Taint) -> Self {
        let mut upper = String::with_capacity(taint.effect.len() + 2);
        for (i, c) in taint.effect.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                upper.push('_');
            }
            upper.push(c.to_ascii_uppercase());
        }
        Self {
            key: &taint.key,
            value: &taint.value,
            effect: &taint.effect,
            upper_effect: upper,
            aks: format!("{}={}:{}", taint.key, taint.value, taint.effect),
        }
    }
}

/// The node groups of `cluster`: the system group first, then the tenants' in plan order,
/// each with its Terraform label from the plan.
pub fn node_groups(cluster: &ClusterPlan) -> Vec<NodeGroupView<'_>> {
    let infra: BTreeMap<&str, &crate::plan::infra::NodeGroupInfra> = cluster
        .infra
        .node_groups
        .iter()
        .map(|g| (g.name.as_str(), g))
        .collect();
    let initial = |name: &str| infra.get(name).map_or(1, |g| g.initial_nodes_per_zone);
    let label_of = |name: &str| infra.get(name).map_or("", |g| g.label.as_str());
    let ami_of = |name: &str| {
        infra
            .get(name)
            .and_then(|g| g.ami_type.as_deref())
            .unwrap_or_default()
    };
    let system = &cluster.system;
    let mut out = vec![NodeGroupView {
        label: label_of(&system.name),
        name: &system.name,
        cloud_name: &system.name,
        tenant: None,
        nodes: system.nodes,
        initial_nodes_per_zone: initial(&system.name),
        instance_type: &system.instance_type,
        ami_type: ami_of(&system.name),
        labels: BTreeMap::new(),
        taints: system.taints.iter().map(TaintView::of).collect(),
    }];
    for tenant in &cluster.tenant_groups {
        for group in &tenant.groups {
            out.push(NodeGroupView {
                label: label_of(&group.name),
                name: &group.name,
                cloud_name: &group.cloud_name,
                tenant: Some(&tenant.tenant),
                nodes: group.nodes,
                initial_nodes_per_zone: initial(&group.name),
                instance_type: &tenant.instance_type,
                ami_type: ami_of(&group.name),
                labels: tenant.labels.clone(),
                taints: tenant.taints.iter().map(TaintView::of).collect(),
            });
        }
    }
    out
}

/// Whether Cilium, installed by the platform team, is the cluster's CNI (the cloud's own
/// is then left out).
pub fn cilium(cluster: &ClusterPlan) -> bool {
    cluster.networking.cni == Cni::Cilium
}

/// Context of `terraform/moved.tf.tera`: the `moved` blocks of a renamed cluster.
#[derive(Debug, Serialize)]
pub struct MovedContext {
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

/// `moved` blocks for every resource of a renamed cluster's file that belongs to the
/// cluster as a whole (its address is the cluster's label, or starts with it), along the
/// chain of former names: `A` → `B` → now. Tenant node groups do not move: a tenant's node
/// groups belong to the cluster it runs in, and a rename by `--repack` may change who runs
/// where. Data sources hold no state and do not move.
fn moved_blocks(templates: &Templates, cluster: &ClusterPlan, text: &str) -> Result<String> {
    let body: hcl::edit::structure::Body = text.parse().map_err(|e| Error::Generated {
        path: cluster_file(cluster),
        source_template: "moved blocks".to_owned(),
        message: format!("not valid HCL: {e}"),
    })?;
    let tenant_groups: Vec<&str> = cluster
        .infra
        .node_groups
        .iter()
        .skip(1)
        .map(|g| g.label.as_str())
        .collect();
    let own = &cluster.infra.label;
    let mut resources: Vec<(String, String)> = Vec::new();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(BlockLabel::as_str).collect();
        if block.ident.as_str() != "resource" {
            continue;
        }
        let [kind, name] = labels.as_slice() else {
            continue;
        };
        let suffix = if *name == own.as_str() {
            Some("")
        } else {
            name.strip_prefix(own.as_str())
                .filter(|rest| rest.starts_with('_'))
        };
        if let Some(suffix) = suffix
            && !tenant_groups.contains(name)
        {
            resources.push(((*kind).to_owned(), suffix.to_owned()));
        }
    }
    let mut chain: Vec<String> = cluster.infra.formerly.iter().map(|n| label(n)).collect();
    chain.push(own.clone());
    let mut moves = Vec::new();
    for pair in chain.windows(2) {
        if let [from, to] = pair {
            for (kind, suffix) in &resources {
                moves.push(Move {
                    from: format!("{kind}.{from}{suffix}"),
                    to: format!("{kind}.{to}{suffix}"),
                });
            }
        }
    }
    templates.render(
        TEMPLATE_TF_MOVED,
        &MovedContext {
            cluster: cluster.name.clone(),
            formerly: cluster.infra.formerly.clone(),
            moves,
        },
    )
}
