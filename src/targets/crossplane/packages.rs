//! The Crossplane packages the Compositions need, pinned: the one function and, per cloud,
//! the provider family and the service providers that serve the managed resources composed
//! or written next to the composite resources.
//!
//! Part of stage 3 (plan). Every version here is one whose CRDs the conformance kit holds
//! (FACTS §0 and §8), so every generated manifest is checked against the provider that
//! will serve it. Bumping a provider is a change to this file and shows in the diff of
//! every generated `packages.yaml`.
//!
//! **Registry.** The packages are the upstream builds on `xpkg.crossplane.io/crossplane-contrib`,
//! not Upbound's `xpkg.upbound.io/upbound` ones. Upbound's policy (in force for releases
//! published after 2025-03-25, <https://docs.upbound.io/providers/policies>) lets anonymous
//! users pull "only the latest released version of the current major version" of an Official
//! Provider: an exact pin there stops pulling the day the next release ships. The same policy
//! page names the upstream: "public repositories under github.com/crossplane-contrib and main
//! releases published to xpkg.crossplane.io". Every provider-upjet family publishes there
//! through crossplane-contrib/provider-workflows `publish-provider-family.yml`
//! (`CROSSPLANE_PROXY_REGORG: xpkg.crossplane.io/crossplane-contrib`, also the registry of the
//! family dependency baked into every service package, provider-upjet-aws@v2.6.0
//! `package/crossplane.yaml.tmpl` `dependsOn: {{ .XpkgRegOrg }}/provider-family-…`). All
//! packages of a family must come from one registry and org: Crossplane's RBAC manager lets a
//! service provider use its family's ProviderConfig only then (crossplane@v2.3.4
//! `internal/controller/rbac/provider/roles/reconciler.go`, `OrgDiffer`). Teams with an
//! Upbound subscription may point these at `xpkg.upbound.io/upbound` with
//! `spec.packagePullSecrets`; the README says how.

use serde::Serialize;

use crate::cloud::Cloud;

/// The function every Composition's pipeline runs (FACTS §7), from the registry Crossplane's
/// own end-to-end tests and design documents pull the crossplane-contrib functions from
/// (crossplane@v2.3.4 `test/e2e/manifests/**/functions.yaml`,
/// `design/one-pager-controlled-rollout-of-composition-functions.md`).
pub const PATCH_AND_TRANSFORM: &str =
    "xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform:v0.10.8";

/// Where the upstream provider packages are published (see the module documentation).
pub const PROVIDER_REGISTRY: &str = "xpkg.crossplane.io/crossplane-contrib";

/// The registry and org of Upbound's builds of the same providers, which need a pull secret
/// for any version but the latest.
pub const UPBOUND_REGISTRY: &str = "xpkg.upbound.io/upbound";

/// One provider package, pinned.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProviderPackage {
    /// The `Provider` object's name: `crossplane-contrib-<package>`, the name Crossplane's
    /// dependency resolver gives a dependency (`xpkg.ToDNSLabel` of the repository path
    /// without the registry, crossplane@v2.3.4 `internal/controller/pkg/resolver/reconciler.go`
    /// `NewPackage`; crossplane-runtime@v2.3.3 `pkg/xpkg/name.go`), so the family listed here
    /// and the one every service provider depends on are the same object.
    pub name: String,
    /// `xpkg.crossplane.io/crossplane-contrib/<package>:<version>`.
    pub package: String,
    /// Whether it is the family package (serves the ProviderConfig and, on Azure, the
    /// resource group).
    pub family: bool,
}

/// The packages of one cloud, and the managed resource kinds clusterwright activates.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CloudPackages {
    /// The cloud.
    pub cloud: Cloud,
    /// The family first, then the service providers by name.
    pub providers: Vec<ProviderPackage>,
    /// What the family itself serves, in words.
    pub family_serves: &'static str,
    /// The ManagedResourceDefinitions to activate (`<plural>.<group>`), sorted: exactly the
    /// kinds the generated manifests use. The providers declare the `SafeStart` capability
    /// (provider-upjet-aws@v2.6.0 `package/crossplane.yaml.tmpl`), so with Crossplane's
    /// `provider.defaultActivations: []` nothing else is served.
    pub activate: Vec<&'static str>,
}

/// The family version, the service packages and the kinds used on `cloud`.
fn table(
    cloud: Cloud,
) -> (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
) {
    match cloud {
        Cloud::Aws => (
            "v2.6.0",
            &["cloudwatchlogs", "ec2", "eks", "iam", "kms"],
            &[
                "accessentries.eks.aws.m.upbound.io",
                "accesspolicyassociations.eks.aws.m.upbound.io",
                "addons.eks.aws.m.upbound.io",
                "clusterauths.eks.aws.m.upbound.io",
                "clusters.eks.aws.m.upbound.io",
                "defaultsecuritygroups.ec2.aws.m.upbound.io",
                "eips.ec2.aws.m.upbound.io",
                "flowlogs.ec2.aws.m.upbound.io",
                "groups.cloudwatchlogs.aws.m.upbound.io",
                "internetgateways.ec2.aws.m.upbound.io",
                "keys.kms.aws.m.upbound.io",
                "launchtemplates.ec2.aws.m.upbound.io",
                "natgateways.ec2.aws.m.upbound.io",
                "nodegroups.eks.aws.m.upbound.io",
                "openidconnectproviders.iam.aws.m.upbound.io",
                "rolepolicies.iam.aws.m.upbound.io",
                "rolepolicyattachments.iam.aws.m.upbound.io",
                "roles.iam.aws.m.upbound.io",
                "routes.ec2.aws.m.upbound.io",
                "routetableassociations.ec2.aws.m.upbound.io",
                "routetables.ec2.aws.m.upbound.io",
                "subnets.ec2.aws.m.upbound.io",
                "vpcs.ec2.aws.m.upbound.io",
            ],
        ),
        Cloud::Gcp => (
            "v3.0.0",
            &["cloudplatform", "compute", "container", "kms"],
            &[
                "clusters.container.gcp.m.upbound.io",
                "cryptokeyiammembers.kms.gcp.m.upbound.io",
                "cryptokeys.kms.gcp.m.upbound.io",
                "firewalls.compute.gcp.m.upbound.io",
                "keyrings.kms.gcp.m.upbound.io",
                "networks.compute.gcp.m.upbound.io",
                "nodepools.container.gcp.m.upbound.io",
                "projectiammembers.cloudplatform.gcp.m.upbound.io",
                "projects.cloudplatform.gcp.m.upbound.io",
                "projectservices.cloudplatform.gcp.m.upbound.io",
                "routernats.compute.gcp.m.upbound.io",
                "routers.compute.gcp.m.upbound.io",
                "serviceaccounts.cloudplatform.gcp.m.upbound.io",
                "subnetworks.compute.gcp.m.upbound.io",
            ],
        ),
        Cloud::Azure => (
            "v2.7.0",
            &[
                "authorization",
                "compute",
                "containerservice",
                "insights",
                "keyvault",
                "managedidentity",
                "network",
                "operationalinsights",
            ],
            &[
                "diskencryptionsets.compute.azure.m.upbound.io",
                "keys.keyvault.azure.m.upbound.io",
                "kubernetesclusternodepools.containerservice.azure.m.upbound.io",
                "kubernetesclusters.containerservice.azure.m.upbound.io",
                "managementlocks.authorization.azure.m.upbound.io",
                "monitordiagnosticsettings.insights.azure.m.upbound.io",
                "resourcegroups.azure.m.upbound.io",
                "resourceproviderregistrations.azure.m.upbound.io",
                "roleassignments.authorization.azure.m.upbound.io",
                "securitygroups.network.azure.m.upbound.io",
                "subnetnetworksecuritygroupassociations.network.azure.m.upbound.io",
                "subnets.network.azure.m.upbound.io",
                "userassignedidentities.managedidentity.azure.m.upbound.io",
                "vaults.keyvault.azure.m.upbound.io",
                "virtualnetworks.network.azure.m.upbound.io",
                "workspaces.operationalinsights.azure.m.upbound.io",
            ],
        ),
    }
}

/// The pinned packages of `cloud`. The family is listed although the first service
/// provider would pull it in as a dependency, so that its version is the reviewed one.
pub fn packages(cloud: Cloud) -> CloudPackages {
    let (version, services, activate) = table(cloud);
    let cloud_name = crate::plan::cloud_name(cloud);
    let package = |name: String, family: bool| ProviderPackage {
        name: dns_label(&format!("{PROVIDER_REGISTRY}/{name}")),
        package: format!("{PROVIDER_REGISTRY}/{name}:{version}"),
        family,
    };
    let mut providers = vec![package(format!("provider-family-{cloud_name}"), true)];
    providers.extend(
        services
            .iter()
            .map(|s| package(format!("provider-{cloud_name}-{s}"), false)),
    );
    CloudPackages {
        cloud,
        providers,
        // The Azure family also serves resource groups (`azure.upbound.io` ResourceGroup).
        family_serves: if cloud == Cloud::Azure {
            "the ProviderConfig and resource groups"
        } else {
            "the ProviderConfig"
        },
        activate: activate.to_vec(),
    }
}

/// The name Crossplane's dependency resolver gives the package at `reference` (registry,
/// repository, no tag): the repository path without the registry, with `/`, `.`, `:` and
/// `-` as `-`, other characters than `[a-z0-9]` dropped, at most 63 characters, no `-` at
/// either end (crossplane-runtime@v2.3.3 `pkg/xpkg/name.go` `ToDNSLabel`, applied to
/// `RepositoryStr()` by crossplane@v2.3.4 `internal/controller/pkg/resolver/reconciler.go`).
fn dns_label(reference: &str) -> String {
    let repository = reference.split_once('/').map_or(reference, |(_, r)| r);
    let mut out = String::new();
    for (i, b) in repository.bytes().enumerate() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            out.push(char::from(b));
        }
        if matches!(b, b'.' | b'/' | b':' | b'-') && i != 0 && i != 62 && i != repository.len() - 1
        {
            out.push('-');
        }
        if i == 62 {
            break;
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_are_the_dependency_resolvers() {
        assert_eq!(
            dns_label("xpkg.crossplane.io/crossplane-contrib/provider-family-aws"),
            "crossplane-contrib-provider-family-aws"
        );
        let p = packages(Cloud::Azure);
        assert!(p.providers.iter().all(|pkg| pkg.name.len() <= 63
            && pkg.package.starts_with(PROVIDER_REGISTRY)
            && pkg.name.starts_with("crossplane-contrib-provider-")));
    }

    #[test]
    fn activations_are_sorted_and_served_by_a_listed_provider() {
        for cloud in [Cloud::Aws, Cloud::Gcp, Cloud::Azure] {
            let p = packages(cloud);
            let mut sorted = p.activate.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, p.activate);
            for mrd in &p.activate {
                let group = mrd.split_once('.').map(|(_, g)| g).unwrap_or_default();
                let service = group.split('.').next().unwrap_or_default();
                // The family serves the cloud's own group (`azure.m.upbound.io`).
                let served = p.providers.iter().any(|pkg| {
                    (pkg.family && group.starts_with(crate::plan::cloud_name(cloud)))
                        || pkg.name.ends_with(&format!("-{service}"))
                });
                assert!(served, "{mrd} is served by no listed provider");
            }
        }
    }
}
