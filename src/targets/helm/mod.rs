//! The Helm target: per cluster, `helm/<cluster>/helmfile.yaml` and one
//! `<release>.values.yaml` per release that has a values file.
//!
//! Part of stage 4 (render). Input: each cluster's [`Networking`](crate::plan::encryption::Networking)
//! — its releases in order, each a [`Release`](crate::plan::encryption::stack::Release) carrying its chart's settings. Output: files
//! in the [`OutputTree`]. A cluster without releases (the cloud's own CNI and no mesh) gets
//! no `helm/` directory.
//!
//! Every template gets one flat, print-ready context ([`helmfile`], [`values`]), built in
//! one constructor from the plan, the way cargo-dist's `GithubCiInfo::new` does: the
//! templates only lay out, and never tell releases, hooks or clouds apart by name.

pub mod helmfile;
pub mod manifests;
pub mod values;

use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::{ClusterPlan, Plan};
use crate::targets::templates::{TEMPLATE_HELMFILE, Templates};
pub use helmfile::HelmfileContext;

/// Renders `helm/<cluster>/` for every cluster with releases.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    for cluster in &plan.clusters {
        let n = &cluster.networking;
        let steps = &n.releases;
        if steps.is_empty() {
            continue;
        }
        let dir = format!("helm/{}", cluster.name);
        let helmfile = HelmfileContext::new(plan, cluster)?;
        let text = templates.render(TEMPLATE_HELMFILE, &helmfile)?;
        tree.insert(&format!("{dir}/helmfile.yaml"), &text, TEMPLATE_HELMFILE)?;
        // The helmfile names the values files; each is rendered by its release's kind.
        for (step, entry) in steps.iter().zip(&helmfile.releases) {
            match (
                values::render(templates, cluster, &step.release)?,
                &entry.values_file,
            ) {
                (Some(file), Some(name)) => {
                    tree.insert(&format!("{dir}/{name}"), &file.text, file.template)?;
                }
                (None, None) => {}
                (Some(_), None) | (None, Some(_)) => {
                    return Err(bug(
                        cluster,
                        &format!(
                            "release `{}`: its values file and the helmfile disagree",
                            entry.name
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The bug of a plan that lacks what `cluster`'s stack needs.
fn bug(cluster: &ClusterPlan, what: &str) -> Error {
    Error::Bug(format!("cluster `{}`: {what}", cluster.name))
}
