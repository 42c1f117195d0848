//! The documentation target: `README.md` (what the tree holds, how to apply it),
//! `DECISIONS.md` (the decision record a reviewer reads) and `placement.yaml` (tenant →
//! cluster placement, read back by the next run).

use serde::Serialize;

use super::templates::{TEMPLATE_DECISIONS, TEMPLATE_README, Templates};
use crate::error::Result;
use crate::output::OutputTree;
use crate::plan::{ClusterPlan, EnvironmentPlan, Plan};

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
    /// Whether the tree holds `helm/<cluster>/`.
    pub has_helm: bool,
    /// Whether the tree holds `manifests/<cluster>/`.
    pub has_manifests: bool,
}

/// Context of `docs/DECISIONS.md.tera`.
#[derive(Debug, Serialize)]
pub struct DecisionsContext<'a> {
    /// The whole plan: clusters, policy, waivers, coverage, summary.
    pub plan: &'a Plan,
    /// Each environment with its clusters, in plan order.
    pub environments: Vec<EnvironmentSection<'a>>,
    /// The trade-off table: (label, value) rows.
    pub trade_off: Vec<(&'static str, String)>,
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
    let readme = ReadmeContext {
        platform: &plan.platform,
        environments: &plan.environments,
        has_terraform: has("terraform/"),
        has_crossplane: has("crossplane/"),
        has_helm: has("helm/"),
        has_manifests: has("manifests/"),
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
