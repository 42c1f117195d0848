//! The documentation target: `README.md` (what the tree holds, how to apply it),
//! `DECISIONS.md` (the decision record a reviewer reads) and `placement.yaml` (tenant →
//! cluster placement, read back by the next run).

use serde::Serialize;

use crate::cloud::Cloud;
use crate::cloud::names::{AWS_PROVISIONING_ROLE, CREDENTIALS_KEY, credentials_secret};
use crate::cloud::policy::{Mesh, ProductionIsolation};
use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::encryption::Cni;
use crate::plan::network::NetworkLayout;
use crate::plan::{ClusterPlan, EnvironmentPlan, Plan, TENANT_LABEL, Taint, cloud_name};
use crate::targets::templates::{TEMPLATE_DECISIONS, TEMPLATE_README, Templates};

/// Context of `docs/README.md.tera`.
#[derive(Debug, Serialize)]
#[allow(clippy::struct_excessive_bools)] // one flag per part of the tree, read by the template
pub struct ReadmeContext<'a> {
    /// Platform name.
    pub platform: &'a str,
    /// The blueprint, seen from the output directory (`<blueprint>` when unknown).
    pub blueprint: &'a str,
    /// Environments, in plan order, with the steps that apply them.
    pub environments: Vec<ReadmeEnvironment<'a>>,
    /// Whether the tree holds `terraform/<env>/` root modules.
    pub has_terraform: bool,
    /// Whether the tree holds `crossplane/`.
    pub has_crossplane: bool,
    /// The clouds with Crossplane Compositions (`composition-<cloud>.yaml`), in the order
    /// aws, gcp, azure.
    pub crossplane_clouds: Vec<&'static str>,
    /// The IAM role Crossplane's AWS credentials assume in each account, when an
    /// environment is on AWS.
    pub aws_provisioning_role: Option<&'static str>,
    /// Whether the tree holds `helm/<cluster>/`.
    pub has_helm: bool,
    /// Whether the tree holds `manifests/<cluster>/`.
    pub has_manifests: bool,
    /// Whether the manifests hold a trust-manager Bundle in JSON (Linkerd).
    pub has_bundle_json: bool,
}

/// One environment of the README: its facts and how to apply it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_excessive_bools)] // one flag per step, read by the template
pub struct ReadmeEnvironment<'a> {
    /// The environment: name, production, cloud, region, account, clusters.
    #[serde(flatten)]
    pub plan: &'a EnvironmentPlan,
    /// Its EKS clusters with Cilium as the CNI: their node groups turn healthy only once
    /// Cilium runs, so it is installed in between.
    pub cilium_first: Vec<&'a str>,
    /// Step 1 provisions it with Terraform or Crossplane (it has clusters).
    pub provision: bool,
    /// Its Crossplane namespace and the Secret the operator creates there.
    pub crossplane: Option<CrossplaneStep<'a>>,
    /// Step 2 is `helmfile sync` per cluster.
    pub helm_step: bool,
    /// Step 2 is `kubectl apply` of the manifests per cluster.
    pub manifests_step: bool,
}

/// What the operator creates for Crossplane in an environment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossplaneStep<'a> {
    /// The environment's namespace.
    pub namespace: &'a str,
    /// The Secret of the credentials.
    pub secret: String,
    /// The key of the credentials in it.
    pub key: &'static str,
}

/// Context of `docs/DECISIONS.md.tera`.
#[derive(Debug, Serialize)]
#[allow(clippy::struct_excessive_bools)] // one flag per section of the record, read by the template
pub struct DecisionsContext<'a> {
    /// The whole plan: clusters, policy, waivers, coverage, summary.
    pub plan: &'a Plan,
    /// Production is in accounts of its own (`productionIsolation: account`).
    pub account_isolation: bool,
    /// Each environment with its clusters, in plan order.
    pub environments: Vec<EnvironmentSection<'a>>,
    /// The trade-off table: (label, value) rows.
    pub trade_off: Vec<(&'static str, String)>,
    /// Whether the tree holds `helm/<cluster>/`.
    pub has_helm: bool,
    /// Whether the tree holds `manifests/<cluster>/`.
    pub has_manifests: bool,
    /// Whether the manifests hold a trust-manager Bundle in JSON (Linkerd).
    pub has_bundle_json: bool,
    /// The label naming a namespace's tenant.
    pub tenant_label: &'static str,
    /// How tenant namespaces join the mesh, in words (`None`: no mesh).
    pub mesh_enrollment: Option<&'static str>,
    /// Whether tenant namespaces admit Istio ambient's rewritten kubelet probes.
    pub ambient_probes: bool,
}

/// One environment of the decision record.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentSection<'a> {
    /// The environment.
    pub environment: &'a EnvironmentPlan,
    /// Each cluster has a network of its own.
    pub network_per_cluster: bool,
    /// Its clusters.
    pub clusters: Vec<ClusterSection<'a>>,
}

/// One cluster of the decision record.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSection<'a> {
    /// The cluster.
    #[serde(flatten)]
    pub plan: &'a ClusterPlan,
    /// Nodes of its system group.
    pub system_nodes: u32,
    /// Instance type of its system group.
    pub system_instance_type: &'a str,
    /// Its tenants' node groups, a table row each.
    pub tenant_rows: Vec<GroupRow<'a>>,
}

/// A tenant node group as the decision record lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupRow<'a> {
    /// Group name.
    pub name: &'a str,
    /// Its tenant.
    pub tenant: &'a str,
    /// Nodes.
    pub nodes: u32,
    /// Instance type.
    pub instance_type: &'a str,
    /// Taints, `key=value:Effect` each.
    pub taints: Vec<String>,
}

impl<'a> ClusterSection<'a> {
    fn new(cluster: &'a ClusterPlan) -> Result<Self> {
        let system = cluster.system().ok_or_else(|| {
            Error::Bug(format!(
                "cluster `{}` has no system node group",
                cluster.name
            ))
        })?;
        Ok(Self {
            plan: cluster,
            system_nodes: system.nodes,
            system_instance_type: &system.instance_type,
            tenant_rows: cluster
                .node_groups
                .iter()
                .filter_map(|g| {
                    g.tenant.as_ref().map(|t| GroupRow {
                        name: &g.name,
                        tenant: &t.name,
                        nodes: g.nodes,
                        instance_type: &g.instance_type,
                        taints: g.taints.iter().map(Taint::aks).collect(),
                    })
                })
                .collect(),
        })
    }
}

fn signed(n: i64) -> String {
    if n >= 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// Renders the documentation into `tree`. What the other targets write is known from the
/// plan: Terraform, Crossplane and the manifests for every cluster, Helm for a cluster with
/// releases, a trust-manager Bundle for Linkerd.
pub fn render(
    plan: &Plan,
    site: &super::Site,
    templates: &Templates,
    tree: &mut OutputTree,
) -> Result<()> {
    let facts = Tree::of(plan);
    let mut readme = readme(plan, facts);
    readme.blueprint = &site.blueprint;
    let text = templates.render(TEMPLATE_README, &readme)?;
    tree.insert("README.md", &text, TEMPLATE_README)?;

    let decisions = decisions(plan, facts)?;
    let text = templates.render(TEMPLATE_DECISIONS, &decisions)?;
    tree.insert("DECISIONS.md", &text, TEMPLATE_DECISIONS)?;

    tree.insert(
        "placement.yaml",
        &plan.placement().to_yaml()?,
        "placement record",
    )?;
    Ok(())
}

fn readme(plan: &Plan, tree: Tree) -> ReadmeContext<'_> {
    let Tree {
        any_cluster,
        has_helm,
        has_bundle_json,
    } = tree;
    let mut crossplane_clouds: Vec<Cloud> = plan
        .environments
        .iter()
        .filter(|e| !e.clusters.is_empty())
        .map(|e| e.cloud)
        .collect();
    crossplane_clouds.sort();
    crossplane_clouds.dedup();
    ReadmeContext {
        platform: &plan.platform,
        blueprint: "<blueprint>",
        environments: plan
            .environments
            .iter()
            .map(|e| {
                let has_clusters = !e.clusters.is_empty();
                ReadmeEnvironment {
                    plan: e,
                    cilium_first: plan
                        .clusters
                        .iter()
                        .filter(|c| c.environment == e.name && c.cloud == Cloud::Aws)
                        .filter(|c| c.networking.cni == Cni::Cilium)
                        .map(|c| c.name.as_str())
                        .collect(),
                    provision: has_clusters,
                    crossplane: has_clusters.then(|| CrossplaneStep {
                        namespace: &e.resources.name,
                        secret: credentials_secret(e.cloud),
                        key: CREDENTIALS_KEY,
                    }),
                    helm_step: has_helm && has_clusters,
                    manifests_step: !has_helm && has_clusters,
                }
            })
            .collect(),
        has_terraform: any_cluster,
        has_crossplane: any_cluster,
        aws_provisioning_role: crossplane_clouds
            .contains(&Cloud::Aws)
            .then_some(AWS_PROVISIONING_ROLE),
        crossplane_clouds: crossplane_clouds.iter().map(|c| cloud_name(*c)).collect(),
        has_helm,
        has_manifests: any_cluster,
        has_bundle_json,
    }
}

fn decisions(plan: &Plan, tree: Tree) -> Result<DecisionsContext<'_>> {
    let Tree {
        any_cluster,
        has_helm,
        has_bundle_json,
    } = tree;
    let s = &plan.summary;
    let a = &s.added_by;
    Ok(DecisionsContext {
        plan,
        account_isolation: plan.policy.production_isolation == ProductionIsolation::Account,
        environments: plan
            .environments
            .iter()
            .map(|e| {
                Ok(EnvironmentSection {
                    environment: e,
                    network_per_cluster: e.network.layout == NetworkLayout::Cluster,
                    clusters: plan
                        .clusters
                        .iter()
                        .filter(|c| c.environment == e.name)
                        .map(ClusterSection::new)
                        .collect::<Result<_>>()?,
                })
            })
            .collect::<Result<_>>()?,
        trade_off: vec![
            (
                "clusters capacity alone needs",
                s.capacity_lower_bound.to_string(),
            ),
            ("tenants are never split across clusters", signed(a.packing)),
            ("blast radius limits", signed(a.blast_radius)),
            ("environments never share a cluster", signed(a.environment)),
            ("untrusted tenants run alone", signed(a.trust)),
            (
                "hard-boundary organizations run alone",
                signed(a.organization),
            ),
            (
                "placed tenants stay where they are",
                signed(a.placement_stability),
            ),
            ("clusters planned", s.clusters.to_string()),
        ],
        has_helm,
        has_manifests: any_cluster,
        has_bundle_json,
        tenant_label: TENANT_LABEL,
        // One policy for the platform: every cluster enrolls its tenants the same way.
        mesh_enrollment: plan
            .clusters
            .iter()
            .find(|c| c.networking.mesh.is_some())
            .map(|c| c.networking.tenant_isolation.enrollment),
        ambient_probes: plan.clusters.iter().any(|c| {
            c.networking
                .tenant_isolation
                .policies
                .iter()
                .any(|p| p.name == "allow-ambient-kubelet-probes")
        }),
    })
}

/// What the other targets write, known from the plan: Terraform, Crossplane and the
/// manifests for every cluster, Helm for a cluster with releases, a trust-manager Bundle
/// for Linkerd.
#[derive(Clone, Copy)]
#[allow(clippy::struct_excessive_bools)]
struct Tree {
    any_cluster: bool,
    has_helm: bool,
    has_bundle_json: bool,
}

impl Tree {
    fn of(plan: &Plan) -> Self {
        Self {
            any_cluster: !plan.clusters.is_empty(),
            has_helm: plan
                .clusters
                .iter()
                .any(|c| !c.networking.releases.is_empty()),
            has_bundle_json: plan
                .clusters
                .iter()
                .any(|c| c.networking.mesh == Some(Mesh::Linkerd)),
        }
    }
}
