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
use crate::plan::encryption::Cni;
use crate::plan::{ClusterPlan, Plan};
use crate::targets::templates::{TEMPLATE_HELMFILE, Templates};
pub use helmfile::HelmfileContext;

/// Renders `helm/<cluster>/` for every cluster with releases.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    for cluster in &plan.clusters {
        let n = &cluster.networking;
        // The infrastructure leaves the pod network to Cilium exactly when the CNI is
        // Cilium: without its release, the nodes would never become ready.
        if (n.cni == Cni::Cilium) != n.cilium().is_some() {
            return Err(bug(
                cluster,
                "the CNI and the Cilium release disagree (is the policy's `networkEncryption` resolved?)",
            ));
        }
        let steps = &n.releases;
        // A cluster whose last release goes keeps its helmfile one more generation: it
        // uninstalls the releases (`installed: false`).
        if steps.is_empty() && cluster.retired_releases.is_empty() {
            continue;
        }
        let dir = format!("helm/{}", cluster.name);
        let helmfile = HelmfileContext::new(plan, cluster)?;
        let text = templates.render(TEMPLATE_HELMFILE, &helmfile)?;
        tree.insert(&format!("{dir}/helmfile.yaml"), &text, TEMPLATE_HELMFILE)?;
        if let Some(bootstrap) = HelmfileContext::bootstrap(plan, cluster)? {
            let text = templates.render(TEMPLATE_HELMFILE, &bootstrap)?;
            tree.insert(
                &format!("{dir}/helmfile-bootstrap.yaml"),
                &text,
                TEMPLATE_HELMFILE,
            )?;
        }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::blueprint::{self, validate::validate};

    fn plan_on(cloud: &str, region: &str, account: &str, instance: &str) -> Plan {
        let yaml = format!(
            "version: 1\nname: acme\ncloud: {cloud}\nregion: {region}\nkubernetesVersion: \"1.33\"\n\
             policy:\n  zeroTrust: false\n  encryption: network\n  networkEncryption: wireguard\n\
             environments:\n  prod: {{ production: true, account: {account}, cidr: 10.0.0.0/16 }}\n\
             organizations: {{ retail: {{ boundary: soft }} }}\n\
             units:\n  u: {{ tenantsPerCluster: 4, nodeGroupsPerCluster: 4, nodesPerGroup: 5, instanceType: {instance} }}\n\
             tenants:\n  shop: {{ organization: retail, trust: trusted, unit: u, environments: [prod] }}\n"
        );
        let loaded = blueprint::parse(Path::new("t.yaml"), yaml).unwrap();
        crate::plan::plan(&validate(loaded).unwrap(), None, false).unwrap()
    }

    fn render_helm(plan: &Plan) -> Result<OutputTree> {
        let mut tree = OutputTree::default();
        render(plan, &Templates::load(None)?, &mut tree)?;
        Ok(tree)
    }

    #[test]
    fn an_impossible_plan_is_a_bug_not_a_default() {
        let plan = plan_on("gcp", "europe-west3", "acme-prod-4711", "n2-standard-4");
        assert!(render_helm(&plan).is_ok());

        // Cilium as the CNI, but not installed: the nodes would never become ready.
        let mut broken = plan.clone();
        broken.clusters[0].networking.releases.clear();
        let err = render_helm(&broken).unwrap_err();
        assert!(matches!(err, Error::Bug(_)), "{err:?}");

        // Cilium on GKE without the pod range it routes natively.
        let mut broken = plan;
        for step in &mut broken.clusters[0].networking.releases {
            if let crate::plan::encryption::stack::Release::Cilium(c) = &mut step.release {
                c.native_routing_cidr = None;
            }
        }
        let err = render_helm(&broken).unwrap_err();
        assert!(matches!(err, Error::Bug(_)), "{err:?}");
    }

    #[test]
    fn cilium_in_eni_mode_needs_its_role_and_subnet_tag() {
        let mut plan = plan_on("aws", "eu-central-1", "\"111111111111\"", "m6i.xlarge");
        assert!(render_helm(&plan).is_ok());
        if let crate::plan::resources::ClusterResources::Aws(aws) = &mut plan.clusters[0].resources
        {
            aws.pod_subnet_tag = None;
        }
        let err = render_helm(&plan).unwrap_err();
        assert!(matches!(err, Error::Bug(_)), "{err:?}");
    }
}
