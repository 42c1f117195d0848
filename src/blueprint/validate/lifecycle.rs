//! Rules about what a platform inherits from its clouds over time and across environments:
//! `kubernetes-support` (the version is past the end of standard support on a cloud the
//! blueprint uses) and `workload-identity-pool` (GKE: production and non-production in one
//! project share one workload identity pool). Both are warnings and may be waived.

use std::collections::{BTreeMap, BTreeSet};

use super::{Checker, ResolvedEnvironment};
use crate::blueprint::Cloud;
use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;
use crate::cloud::policy::ProductionIsolation;
use crate::cloud::support;

/// Checks both rules; their findings go through the policy's waivers.
pub(super) fn check(c: &mut Checker<'_>, envs: &BTreeMap<String, ResolvedEnvironment>) {
    kubernetes_support(c, envs);
    workload_identity_pool(c, envs);
}

fn kubernetes_support(c: &mut Checker<'_>, envs: &BTreeMap<String, ResolvedEnvironment>) {
    let version = c.blueprint.kubernetes_version.clone();
    let clouds: BTreeSet<Cloud> = envs.values().map(|e| e.cloud).collect();
    let past: Vec<Cloud> = clouds
        .into_iter()
        .filter(|cloud| support::past_standard_support(*cloud, &version))
        .collect();
    let Some(first) = past.first() else {
        return;
    };
    let services = past
        .iter()
        .map(
            |cloud| match support::end_of_standard_support(*cloud, &version) {
                Some(end) => format!("{} (ended {end})", service(*cloud)),
                None => format!("{} (before {})", service(*cloud), support::oldest(*cloud)),
            },
        )
        .collect::<Vec<_>>()
        .join(", ");
    let supported = support::supported_on_read_date(*first)
        .iter()
        .map(|m| format!("\"{m}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    c.finding(
        Problem::warning(
            Rule::KubernetesSupport,
            KeyPath::keys(["kubernetesVersion"]),
            format!(
                "Kubernetes {version} is past the end of standard support on {services}: no more patches from the cloud, or paid extended support",
            ),
        )
        .with_help(format!(
            "use a version in standard support ({supported} on {}, per {}), or waive `kubernetes-support` with the reason and the date you will upgrade",
            service(*first),
            support::SOURCE,
        )),
    );
}

fn service(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "EKS",
        Cloud::Gcp => "GKE",
        Cloud::Azure => "AKS",
    }
}

/// GKE gives every cluster of a project the project's workload identity pool
/// (`PROJECT_ID.svc.id.goog`), so a Kubernetes ServiceAccount is the same IAM principal in
/// every cluster of the project that has a namespace and ServiceAccount of that name
/// (Google Cloud, "About Workload Identity Federation for GKE", section "Identity
/// sameness": <https://cloud.google.com/kubernetes-engine/docs/concepts/workload-identity>).
/// A production and a non-production environment in one project (allowed by
/// `productionIsolation: network`) therefore share principals: a grant meant for
/// production reaches the same namespace and ServiceAccount in development.
fn workload_identity_pool(c: &mut Checker<'_>, envs: &BTreeMap<String, ResolvedEnvironment>) {
    // With `account` isolation (the default) a shared project is already refused.
    if c.blueprint.policy.production_isolation != Some(ProductionIsolation::Network) {
        return;
    }
    let mut by_project: BTreeMap<&str, (Vec<&str>, Vec<&str>)> = BTreeMap::new();
    for (name, env) in envs.iter().filter(|(_, e)| e.cloud == Cloud::Gcp) {
        let entry = by_project.entry(env.account.as_str()).or_default();
        if env.production {
            entry.0.push(name);
        } else {
            entry.1.push(name);
        }
    }
    for (project, (production, other)) in by_project {
        let (Some(prod), Some(non_prod)) = (production.first(), other.first()) else {
            continue;
        };
        c.finding(
            Problem::warning(
                Rule::WorkloadIdentityPool,
                KeyPath::keys(["environments", prod, "account"]),
                format!(
                    "production `{prod}` and non-production `{non_prod}` share project `{project}`, so their clusters share its workload identity pool `{project}.svc.id.goog`: a namespace and ServiceAccount is the same cloud principal in both",
                ),
            )
            .with_help("give production its own project (`productionIsolation: account`), or grant production roles only to principal sets scoped to a production cluster (DECISIONS.md, \"Workload identity on GKE\"), and waive `workload-identity-pool` with that reason"),
        );
    }
}
