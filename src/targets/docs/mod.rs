//! The documentation target: `README.md` (what the tree holds, how to apply it),
//! `DECISIONS.md` (the decision record a reviewer reads) and `placement.yaml` (tenant →
//! cluster placement, read back by the next run).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cloud::Cloud;
use crate::error::Result;
use crate::output::OutputTree;
use crate::plan::crossplane::{AWS_PROVISIONING_ROLE, CrossplanePlan};
use crate::plan::{ClusterPlan, EnvironmentPlan, Plan, TENANT_LABEL};
use crate::targets::templates::{TEMPLATE_DECISIONS, TEMPLATE_README, Templates};

/// Context of `docs/README.md.tera`.
#[derive(Debug, Serialize)]
#[allow(clippy::struct_excessive_bools)] // one flag per part of the tree, read by the template
pub struct ReadmeContext<'a> {
    /// Platform name.
    pub platform: &'a str,
    /// Environments, in plan order.
    pub environments: &'a [EnvironmentPlan],
    /// Whether the tree holds `terraform/<env>/` root modules.
    pub has_terraform: bool,
    /// Whether the tree holds `crossplane/`.
    pub has_crossplane: bool,
    /// The Crossplane decisions: clouds in use, each environment's namespace and Secret.
    pub crossplane: &'a CrossplanePlan,
    /// The IAM role Crossplane's AWS credentials assume in each account.
    pub aws_provisioning_role: &'static str,
    /// Whether the tree holds `helm/<cluster>/`.
    pub has_helm: bool,
    /// Whether the tree holds `manifests/<cluster>/`.
    pub has_manifests: bool,
    /// Whether the manifests hold a trust-manager Bundle in JSON (Linkerd).
    pub has_bundle_json: bool,
    /// Per environment (every one has an entry), its EKS clusters with Cilium as the CNI:
    /// their node groups turn healthy only once Cilium runs, so it is installed in between.
    pub cni_before_nodes: BTreeMap<&'a str, Vec<&'a str>>,
}

/// Context of `docs/DECISIONS.md.tera`.
#[derive(Debug, Serialize)]
#[allow(clippy::struct_excessive_bools)] // one flag per section of the record, read by the template
pub struct DecisionsContext<'a> {
    /// The whole plan: clusters, policy, waivers, coverage, summary.
    pub plan: &'a Plan,
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
pub struct EnvironmentSection<'a> {
    /// The environment.
    pub environment: &'a EnvironmentPlan,
    /// Its clusters.
    pub clusters: Vec<&'a ClusterPlan>,
}

fn signed(n: i64) -> String {
    if n >= 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// Renders the documentation into `tree`; call after the other targets.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    let has = |prefix: &str| tree.files().any(|(p, _)| p.starts_with(prefix));
    let has_bundle_json = tree
        .files()
        .any(|(p, _)| p.starts_with("manifests/") && p.ends_with("-bundle.json"));
    let readme = ReadmeContext {
        platform: &plan.platform,
        environments: &plan.environments,
        has_terraform: has("terraform/"),
        has_crossplane: has("crossplane/"),
        crossplane: &plan.crossplane,
        aws_provisioning_role: AWS_PROVISIONING_ROLE,
        has_helm: has("helm/"),
        has_manifests: has("manifests/"),
        has_bundle_json,
        cni_before_nodes: plan
            .environments
            .iter()
            .map(|e| {
                let clusters = plan
                    .clusters
                    .iter()
                    .filter(|c| c.environment == e.name && c.cloud == Cloud::Aws)
                    .filter(|c| c.networking.cni == crate::plan::encryption::Cni::Cilium)
                    .map(|c| c.name.as_str())
                    .collect();
                (e.name.as_str(), clusters)
            })
            .collect(),
    };
    let text = templates.render(TEMPLATE_README, &readme)?;
    tree.insert("README.md", &text, TEMPLATE_README)?;

    let s = &plan.summary;
    let a = &s.added_by;
    let decisions = DecisionsContext {
        plan,
        environments: plan
            .environments
            .iter()
            .map(|e| EnvironmentSection {
                environment: e,
                clusters: plan
                    .clusters
                    .iter()
                    .filter(|c| c.environment == e.name)
                    .collect(),
            })
            .collect(),
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
        has_helm: readme.has_helm,
        has_manifests: readme.has_manifests,
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
    };
    let text = templates.render(TEMPLATE_DECISIONS, &decisions)?;
    tree.insert("DECISIONS.md", &text, TEMPLATE_DECISIONS)?;

    tree.insert(
        "placement.yaml",
        &plan.placement().to_yaml(),
        "placement record",
    )?;
    Ok(())
}
