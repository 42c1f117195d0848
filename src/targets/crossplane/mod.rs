//! The Crossplane target: the platform API and one composite resource per cluster and node
//! group, under `crossplane/`.
//!
//! Stage 4. Input: the [`Plan`] — its `crossplane` decisions carry everything this target
//! lays out — and the templates under `templates/crossplane/`. Output, in the
//! [`OutputTree`]:
//!
//! - `crossplane/definition.yaml`, `composition-<cloud>.yaml` (for each cloud with a
//!   cluster), `guardrails.yaml`: fixed, whatever the blueprint;
//! - `crossplane/packages.yaml`: the function and the providers of the clouds in use;
//! - per environment with clusters, `crossplane/<env>/environment.yaml` (namespace and
//!   ProviderConfig) and `network.yaml` (what its clusters share);
//! - per cluster, `crossplane/<env>/<cluster>.yaml`: the `KubernetesCluster`, its
//!   `KubernetesNodeGroup`s with their `Usage`s, and the managed resources only some
//!   clusters have.
//!
//! Top-level names are files and environments are directories, and cluster names end in a
//! number, so no path can be claimed twice. A plan without clusters has nothing here.

use serde::Serialize;

use crate::cloud::Cloud;
use crate::error::Result;
use crate::output::OutputTree;
use crate::plan::Plan;
use crate::plan::cloud_name;
use model::{CloudPackages, CrossplaneCluster, CrossplaneEnvironment, PATCH_AND_TRANSFORM};
pub mod cluster;
pub mod model;
pub mod node_group;
pub mod packages;

use crate::targets::templates::{
    COPY_XP_COMPOSITION_AZURE, COPY_XP_COMPOSITION_GCP, COPY_XP_DEFINITION, COPY_XP_GUARDRAILS,
    TEMPLATE_XP_CLUSTER, TEMPLATE_XP_COMPOSITION_AWS, TEMPLATE_XP_ENVIRONMENT,
    TEMPLATE_XP_NETWORK_AWS, TEMPLATE_XP_NETWORK_AZURE, TEMPLATE_XP_NETWORK_GCP,
    TEMPLATE_XP_PACKAGES, Templates,
};

/// Context of `crossplane/composition-aws.yaml.tera`: the Composition is fixed, but it
/// composes a subnet, NAT gateway and route table per zone.
#[derive(Debug, Serialize)]
pub struct CompositionContext {
    /// The zone indexes, `0..ZONES` (`cloud::facts::ZONES`).
    pub zones: Vec<u32>,
}

/// Context of `crossplane/packages.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct PackagesContext<'a> {
    /// The function-patch-and-transform package, pinned.
    pub function: &'static str,
    /// The providers and activated kinds of every cloud with a cluster.
    pub packages: &'a [CloudPackages],
}

/// Context of `crossplane/environment.yaml.tera` and `crossplane/network-<cloud>.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct EnvironmentContext<'a> {
    /// The environment: namespace and labels, ProviderConfig, its own resources' name and
    /// tags, and (AWS) VPCs, flow logs and logs key, (Azure) VNet encryption.
    pub environment: &'a CrossplaneEnvironment,
}

/// Context of `crossplane/cluster.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct ClusterContext<'a> {
    /// The cluster: its `KubernetesCluster` spec, its node groups' specs, and the managed
    /// resources next to them.
    pub cluster: &'a CrossplaneCluster,
}

/// Renders `crossplane/` for `plan` into `tree`.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    let xp = &model::decide(plan)?;
    if xp.clusters.is_empty() {
        return Ok(());
    }
    let emit = |tree: &mut OutputTree,
                path: String,
                template: &str,
                context: &dyn ErasedContext|
     -> Result<()> {
        let text = context.render(templates, template)?;
        tree.insert(&path, &text, template)
    };
    // The files copied as they are sit at the same path in the output as in `templates/`.
    let copy = |tree: &mut OutputTree, name: &str| -> Result<()> {
        tree.insert(name, templates.copy(name)?, name)
    };
    copy(tree, COPY_XP_DEFINITION)?;
    for packages in &xp.packages {
        match packages.cloud {
            Cloud::Aws => emit(
                tree,
                format!("crossplane/composition-{}.yaml", cloud_name(packages.cloud)),
                TEMPLATE_XP_COMPOSITION_AWS,
                &CompositionContext {
                    zones: (0..crate::cloud::facts::ZONES).collect(),
                },
            )?,
            Cloud::Gcp => copy(tree, COPY_XP_COMPOSITION_GCP)?,
            Cloud::Azure => copy(tree, COPY_XP_COMPOSITION_AZURE)?,
        }
    }
    emit(
        tree,
        "crossplane/packages.yaml".to_owned(),
        TEMPLATE_XP_PACKAGES,
        &PackagesContext {
            function: PATCH_AND_TRANSFORM,
            packages: &xp.packages,
        },
    )?;
    copy(tree, COPY_XP_GUARDRAILS)?;
    for environment in &xp.environments {
        let context = EnvironmentContext { environment };
        emit(
            tree,
            format!("crossplane/{}/environment.yaml", environment.name),
            TEMPLATE_XP_ENVIRONMENT,
            &context,
        )?;
        let network = match environment.cloud {
            Cloud::Aws => TEMPLATE_XP_NETWORK_AWS,
            Cloud::Gcp => TEMPLATE_XP_NETWORK_GCP,
            Cloud::Azure => TEMPLATE_XP_NETWORK_AZURE,
        };
        emit(
            tree,
            format!("crossplane/{}/network.yaml", environment.name),
            network,
            &context,
        )?;
    }
    for cluster in &xp.clusters {
        emit(
            tree,
            format!("crossplane/{}/{}.yaml", cluster.environment, cluster.name),
            TEMPLATE_XP_CLUSTER,
            &ClusterContext { cluster },
        )?;
    }
    Ok(())
}

/// A context of any type, so that one closure renders them all.
trait ErasedContext {
    fn render(&self, templates: &Templates, template: &str) -> Result<String>;
}

impl<T: Serialize> ErasedContext for T {
    fn render(&self, templates: &Templates, template: &str) -> Result<String> {
        templates.render(template, self)
    }
}
