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

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cloud::Cloud;
use crate::error::{Error, Result};
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
#[serde(rename_all = "camelCase")]
pub struct PackagesContext<'a> {
    /// The function-patch-and-transform package, pinned.
    pub function: &'static str,
    /// Where the provider packages come from (`xpkg.crossplane.io/crossplane-contrib`).
    pub registry: &'static str,
    /// Upbound's registry and org, for the pull-secret alternative.
    pub upbound_registry: &'static str,
    /// The providers and activated kinds of every cloud with a cluster.
    pub packages: &'a [CloudPackages],
}

/// Context of `crossplane/environment.yaml.tera` and `crossplane/network-<cloud>.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct EnvironmentContext<'a> {
    /// The environment: namespace and labels, ProviderConfig, its own resources' name and
    /// tags, and (AWS) VPCs, flow logs and logs key, (Azure) VNet encryption.
    pub environment: &'a CrossplaneEnvironment,
    /// What the GitOps identity may write in the environment's namespace.
    pub gitops: GitopsAccess,
}

/// The GitOps identity (`guardrails.yaml` creates it; the guardrail policies let only it
/// change which Composition revision a composite resource uses) and the namespaced
/// permissions each environment grants it: exactly the kinds the generated files of that
/// environment hold, and not Secrets, which the operator creates.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GitopsAccess {
    /// The ServiceAccount's namespace.
    pub namespace: &'static str,
    /// The ServiceAccount's name.
    pub service_account: &'static str,
    /// Per API group, the resources it may write, groups and resources sorted.
    pub rules: BTreeMap<String, Vec<String>>,
}

/// Namespace of the GitOps identity (`guardrails.yaml`).
pub const GITOPS_NAMESPACE: &str = "clusterwright-system";
/// Name of the GitOps identity's ServiceAccount (`guardrails.yaml`).
pub const GITOPS_SERVICE_ACCOUNT: &str = "clusterwright-gitops";

/// The permissions of the GitOps identity in an environment of `cloud`.
fn gitops_access(cloud: Cloud) -> GitopsAccess {
    let mut rules: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut grant = |group: &str, resource: &str| {
        rules
            .entry(group.to_owned())
            .or_default()
            .push(resource.to_owned());
    };
    grant("platform.clusterwright.io", "kubernetesclusters");
    grant("platform.clusterwright.io", "kubernetesnodegroups");
    grant("protection.crossplane.io", "usages");
    grant(
        &format!("{}.m.upbound.io", cloud_name(cloud)),
        "providerconfigs",
    );
    for mrd in packages::packages(cloud).activate {
        if let Some((plural, group)) = mrd.split_once('.') {
            grant(group, plural);
        }
    }
    for resources in rules.values_mut() {
        resources.sort_unstable();
        resources.dedup();
    }
    GitopsAccess {
        namespace: GITOPS_NAMESPACE,
        service_account: GITOPS_SERVICE_ACCOUNT,
        rules,
    }
}

/// Context of `crossplane/cluster.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct ClusterContext<'a> {
    /// The cluster: its `KubernetesCluster` spec, its node groups' specs, and the managed
    /// resources next to them.
    pub cluster: &'a CrossplaneCluster,
    /// Which revision of their Compositions the cluster's composite resources use.
    pub rollout: Rollout,
}

/// Which Composition revision a cluster's composite resources use (`spec.crossplane`).
///
/// There is one Composition per kind and cloud for every environment, and each change to
/// it makes a new `CompositionRevision` (crossplane@v2.3.4
/// `internal/controller/apiextensions/composition/reconciler.go`), which copies the
/// Composition's labels (`composition/revision.go` `NewCompositionRevision`; the revision's
/// name, `<composition>-<first 7 characters of Crossplane's hash>`, cannot be known before
/// the apply, hence a label). The generator labels every Composition with
/// [`DIGEST_LABEL`], a digest of its content. Under the `Automatic` update policy a
/// composite resource uses the newest revision that matches its
/// `compositionRevisionSelector` (`composite/api.go` `APIRevisionFetcher`, which applies the
/// selector only under `Automatic`):
///
/// - non-production: `Automatic` and no selector, so it follows the newest revision as soon
///   as the Composition is applied;
/// - production: `Automatic` and a selector on the digest this generation rendered, so it
///   moves only when its own environment's files are applied, after non-production has run
///   the new revision. Until the Composition with that digest is applied, Crossplane finds
///   no matching revision and changes nothing.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    /// Whether the revision is pinned by digest (production environments).
    pub pinned: bool,
    /// The label that carries the digest.
    pub label: &'static str,
    /// The digest of the cluster's Composition.
    pub cluster: String,
    /// The digest of its node groups' Composition.
    pub node_groups: String,
}

/// The label of every Composition (and so of its revisions) that holds a digest of its
/// content.
pub const DIGEST_LABEL: &str = "clusterwright.io/composition-digest";

/// Adds [`DIGEST_LABEL`] to every Composition in `text` (a file of YAML documents) and
/// returns the labelled text and the digest of each Composition by name. The digest is the
/// first 16 hexadecimal characters of the SHA-256 of the document without its comment
/// lines, so a reworded comment makes no new revision. The label goes first in the
/// Composition's `metadata.labels`, which every Composition template has.
fn label_compositions(text: &str, digests: &mut BTreeMap<String, String>) -> Result<String> {
    let mut out = Vec::new();
    for document in text.split("\n---\n") {
        let Some(name) = document
            .split_once("\nkind: Composition\nmetadata:\n  name: ")
            .and_then(|(_, rest)| rest.lines().next())
        else {
            out.push(document.to_owned());
            continue;
        };
        let anchor = format!("\nkind: Composition\nmetadata:\n  name: {name}\n  labels:\n");
        let content = document
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let mut digest = crate::output::manifest::hash(content.as_bytes());
        digest.truncate(16);
        if !document.contains(&anchor) {
            return Err(Error::Bug(format!(
                "Composition `{name}` has no metadata.labels right after its name"
            )));
        }
        out.push(document.replacen(
            &anchor,
            &format!("{anchor}    {DIGEST_LABEL}: \"{digest}\"\n"),
            1,
        ));
        digests.insert(name.to_owned(), digest);
    }
    Ok(out.join("\n---\n"))
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
    let mut digests = BTreeMap::new();
    for packages in &xp.packages {
        let path = format!("crossplane/composition-{}.yaml", cloud_name(packages.cloud));
        let (text, template) = match packages.cloud {
            Cloud::Aws => (
                templates.render(
                    TEMPLATE_XP_COMPOSITION_AWS,
                    &CompositionContext {
                        zones: (0..crate::cloud::facts::ZONES).collect(),
                    },
                )?,
                TEMPLATE_XP_COMPOSITION_AWS,
            ),
            Cloud::Gcp => (
                templates.copy(COPY_XP_COMPOSITION_GCP)?.to_owned(),
                COPY_XP_COMPOSITION_GCP,
            ),
            Cloud::Azure => (
                templates.copy(COPY_XP_COMPOSITION_AZURE)?.to_owned(),
                COPY_XP_COMPOSITION_AZURE,
            ),
        };
        let labelled = label_compositions(&text, &mut digests)?;
        tree.insert(&path, &labelled, template)?;
    }
    emit(
        tree,
        "crossplane/packages.yaml".to_owned(),
        TEMPLATE_XP_PACKAGES,
        &PackagesContext {
            function: PATCH_AND_TRANSFORM,
            registry: packages::PROVIDER_REGISTRY,
            upbound_registry: packages::UPBOUND_REGISTRY,
            packages: &xp.packages,
        },
    )?;
    copy(tree, COPY_XP_GUARDRAILS)?;
    for environment in &xp.environments {
        render_environment(templates, environment, tree)?;
    }
    for cluster in &xp.clusters {
        let digest = |composition: String| {
            digests.get(&composition).cloned().ok_or_else(|| {
                Error::Bug(format!(
                    "cluster `{}` uses Composition `{composition}`, which is not generated",
                    cluster.name
                ))
            })
        };
        let cloud = cloud_name(cluster.cloud);
        let rollout = Rollout {
            pinned: cluster.spec.production,
            label: DIGEST_LABEL,
            cluster: digest(cluster.composition.clone())?,
            node_groups: digest(format!("kubernetesnodegroups-{cloud}"))?,
        };
        emit(
            tree,
            format!("crossplane/{}/{}.yaml", cluster.environment, cluster.name),
            TEMPLATE_XP_CLUSTER,
            &ClusterContext { cluster, rollout },
        )?;
    }
    Ok(())
}

/// Renders `crossplane/<env>/environment.yaml` and `network.yaml` of `environment`, from
/// one context: its clusters are converted into template values once.
fn render_environment(
    templates: &Templates,
    environment: &model::CrossplaneEnvironment,
    tree: &mut OutputTree,
) -> Result<()> {
    let context = EnvironmentContext {
        environment,
        gitops: gitops_access(environment.cloud),
    };
    let network = match environment.cloud {
        Cloud::Aws => TEMPLATE_XP_NETWORK_AWS,
        Cloud::Gcp => TEMPLATE_XP_NETWORK_GCP,
        Cloud::Azure => TEMPLATE_XP_NETWORK_AZURE,
    };
    templates.emit(
        tree,
        &format!("crossplane/{}", environment.name),
        &[
            ("environment.yaml", TEMPLATE_XP_ENVIRONMENT),
            ("network.yaml", network),
        ],
        &context,
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    const COMPOSITION: &str = "# a comment\napiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: kubernetesclusters-aws\n  labels:\n    clusterwright.io/cloud: aws\nspec:\n  mode: Pipeline\n";

    #[test]
    fn every_composition_gets_a_digest_of_its_content_but_not_its_comments() {
        let mut digests = BTreeMap::new();
        let text = format!(
            "{COMPOSITION}---\n{}",
            COMPOSITION.replace("clusters-aws", "nodegroups-aws")
        );
        let labelled = label_compositions(&text, &mut digests).unwrap();
        assert_eq!(digests.len(), 2);
        let digest = &digests["kubernetesclusters-aws"];
        assert!(labelled.contains(&format!(
            "  labels:\n    {DIGEST_LABEL}: \"{digest}\"\n    clusterwright.io/cloud: aws\n"
        )));
        let mut reworded = BTreeMap::new();
        label_compositions(&COMPOSITION.replace("a comment", "another"), &mut reworded).unwrap();
        assert_eq!(&reworded["kubernetesclusters-aws"], digest);
        let mut changed = BTreeMap::new();
        label_compositions(&COMPOSITION.replace("Pipeline", "Other"), &mut changed).unwrap();
        assert_ne!(&changed["kubernetesclusters-aws"], digest);
        let unlabelled = COMPOSITION.replace("  labels:\n    clusterwright.io/cloud: aws\n", "");
        assert!(label_compositions(&unlabelled, &mut BTreeMap::new()).is_err());
    }
}
