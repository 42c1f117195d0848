//! The Helm target: per cluster, `helm/<cluster>/helmfile.yaml` and one
//! `<release>.values.yaml` per release that has a values file.
//!
//! Part of stage 4 (render). Input: each cluster's [`Networking`](crate::plan::encryption::Networking)
//! — its releases in order and the settings of Cilium, Istio and Linkerd. Output: files in
//! the [`OutputTree`]. A cluster without releases (the cloud's own CNI and no mesh) gets
//! no `helm/` directory. The templates only lay out what the plan decided.

pub mod manifests;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::encryption::charts::{self, Repository};
use crate::plan::encryption::stack::{CiliumPlan, IstioPlan, LinkerdPlan, Release};
use crate::plan::{ClusterPlan, Plan, TENANT_LABEL};
use crate::targets::templates::{
    TEMPLATE_CILIUM_VALUES, TEMPLATE_HELMFILE, TEMPLATE_ISTIO_BASE_VALUES,
    TEMPLATE_ISTIO_CNI_VALUES, TEMPLATE_ISTIOD_VALUES, TEMPLATE_LINKERD_CONTROL_PLANE_VALUES,
    TEMPLATE_LINKERD_CRDS_VALUES, TEMPLATE_ZTUNNEL_VALUES, Templates,
};

/// Context of `helm/helmfile.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct HelmfileContext<'a> {
    /// The cluster: its name is the kube context; cloud, region, account, environment.
    pub cluster: &'a ClusterPlan,
    /// The stack in a few words (the title of its cloud's stack in the decision record).
    pub stack: &'a str,
    /// The releases, in install order.
    pub releases: &'a [Release],
    /// The repositories the releases come from, each once, by name.
    pub repositories: Vec<Repository>,
    /// `manifests/<cluster>/` as seen from the helmfile's directory (hooks run there).
    pub manifests_dir: String,
}

/// Context of `helm/cilium.values.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct CiliumValuesContext<'a> {
    /// The cluster.
    pub cluster: &'a ClusterPlan,
    /// Chart version.
    pub version: &'static str,
    /// Cilium's settings.
    pub cilium: &'a CiliumPlan,
}

/// Context of the four Istio values templates (`istio-base`, `istiod`, `istio-cni`,
/// `ztunnel`).
#[derive(Debug, Serialize)]
pub struct IstioValuesContext<'a> {
    /// The cluster.
    pub cluster: &'a ClusterPlan,
    /// Istio's settings.
    pub istio: &'a IstioPlan,
}

/// Context of the two Linkerd values templates (`linkerd-crds`,
/// `linkerd-control-plane`).
#[derive(Debug, Serialize)]
pub struct LinkerdValuesContext<'a> {
    /// The cluster.
    pub cluster: &'a ClusterPlan,
    /// Linkerd's settings.
    pub linkerd: &'a LinkerdPlan,
    /// The label that marks tenant namespaces (the proxy injector sees only those).
    pub tenant_label: &'static str,
}

/// Renders `helm/<cluster>/` for every cluster with releases.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    for cluster in &plan.clusters {
        let n = &cluster.networking;
        if n.releases.is_empty() {
            continue;
        }
        let dir = format!("helm/{}", cluster.name);
        let stack = plan
            .coverage
            .stacks
            .iter()
            .find(|s| s.cloud == cluster.cloud)
            .map_or("", |s| s.title.as_str());
        let repositories: BTreeSet<Repository> =
            n.releases.iter().map(|r| r.chart.repository).collect();
        let helmfile = HelmfileContext {
            cluster,
            stack,
            releases: &n.releases,
            repositories: repositories.into_iter().collect(),
            manifests_dir: format!("../../manifests/{}/", cluster.name),
        };
        let text = templates.render(TEMPLATE_HELMFILE, &helmfile)?;
        tree.insert(&format!("{dir}/helmfile.yaml"), &text, TEMPLATE_HELMFILE)?;

        for release in &n.releases {
            let Some(file) = &release.values_file else {
                continue;
            };
            let template = values_template(release.name)?;
            let text = match release.name {
                "cilium" => {
                    let cilium = n
                        .cilium
                        .as_ref()
                        .ok_or_else(|| missing(cluster, "Cilium"))?;
                    templates.render(
                        template,
                        &CiliumValuesContext {
                            cluster,
                            version: charts::CILIUM.version,
                            cilium,
                        },
                    )?
                }
                "istio-base" | "istiod" | "istio-cni" | "ztunnel" => {
                    let istio = n.istio.as_ref().ok_or_else(|| missing(cluster, "Istio"))?;
                    templates.render(template, &IstioValuesContext { cluster, istio })?
                }
                _ => {
                    let linkerd = n
                        .linkerd
                        .as_ref()
                        .ok_or_else(|| missing(cluster, "Linkerd"))?;
                    templates.render(
                        template,
                        &LinkerdValuesContext {
                            cluster,
                            linkerd,
                            tenant_label: TENANT_LABEL,
                        },
                    )?
                }
            };
            tree.insert(&format!("{dir}/{file}"), &text, template)?;
        }
    }
    Ok(())
}

/// The template of a release's values file.
fn values_template(release: &str) -> Result<&'static str> {
    Ok(match release {
        "cilium" => TEMPLATE_CILIUM_VALUES,
        "istio-base" => TEMPLATE_ISTIO_BASE_VALUES,
        "istiod" => TEMPLATE_ISTIOD_VALUES,
        "istio-cni" => TEMPLATE_ISTIO_CNI_VALUES,
        "ztunnel" => TEMPLATE_ZTUNNEL_VALUES,
        "linkerd-crds" => TEMPLATE_LINKERD_CRDS_VALUES,
        "linkerd-control-plane" => TEMPLATE_LINKERD_CONTROL_PLANE_VALUES,
        other => {
            return Err(Error::Bug(format!(
                "release `{other}` has a values file but no template"
            )));
        }
    })
}

fn missing(cluster: &ClusterPlan, what: &str) -> Error {
    Error::Bug(format!(
        "cluster `{}` installs {what} but the plan has no {what} settings",
        cluster.name
    ))
}
