//! The context of `helm/helmfile.yaml.tera`: one cluster's releases in install order,
//! each with exactly what the helmfile prints for it.
//!
//! Part of stage 4 (render). Input: the plan and one of its clusters. Output: a
//! [`HelmfileContext`]. What differs between kinds of releases and hooks is one optional
//! field per kind, so the template tests presence and never compares names.

use std::collections::BTreeSet;

use serde::Serialize;

use super::bug;
use crate::cloud::Cloud;
use crate::error::Result;
use crate::plan::encryption::charts::Repository;
use crate::plan::encryption::stack::{
    Hook, HookAction, HookEvent, InstallStep, ObjectKey, Release, SetValues,
};
use crate::plan::tenancy::LINKERD_POLICY_DIR;
use crate::plan::{ClusterPlan, Plan};

/// Context of `helm/helmfile.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct HelmfileContext<'a> {
    /// The cluster's name, which is also its kube context.
    pub cluster: &'a str,
    /// Its cloud.
    pub cloud: Cloud,
    /// Its region.
    pub region: &'a str,
    /// What the cloud calls the account: `project` (GCP), `subscription` (Azure) or
    /// `account` (AWS).
    pub account_kind: &'static str,
    /// The account, project or subscription.
    pub account: &'a str,
    /// Its environment.
    pub environment: &'a str,
    /// The stack in a few words (the title of its cloud's stack in the decision record).
    pub stack: &'a str,
    /// The repositories the releases come from, each once, by name.
    pub repositories: Vec<Repository>,
    /// The releases, in install order.
    pub releases: Vec<HelmfileRelease<'a>>,
    /// The key of the system node group's taint, which cert-manager's and trust-manager's
    /// pods (given their values here) tolerate: they run on the system node group.
    pub system_toleration: &'static str,
    /// Releases the previous generation installed and the plan no longer does, listed
    /// with `installed: false` so that `helmfile sync` uninstalls them (this generation
    /// only: the next one drops them).
    pub retired: Vec<RetiredRelease<'a>>,
    /// The repositories only retired releases come from.
    pub retired_repositories: Vec<RetiredRepository<'a>>,
    /// Set in the cluster's bootstrap helmfile (`helm/<cluster>/helmfile-bootstrap.yaml`): why its
    /// one release is installed once on its own, without waiting. `None` in `helmfile.yaml`.
    pub bootstrap: Option<&'static str>,
}

/// A release to uninstall.
#[derive(Debug, Serialize)]
pub struct RetiredRelease<'a> {
    /// Name.
    pub name: &'a str,
    /// Namespace.
    pub namespace: &'a str,
    /// `<repository>/<chart>`.
    pub chart: &'a str,
    /// The version it was installed at.
    pub version: &'a str,
}

/// A repository that only retired releases come from.
#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RetiredRepository<'a> {
    /// Local name.
    pub name: &'a str,
    /// URL.
    pub url: &'a str,
}

/// One release of the helmfile.
#[derive(Debug, Serialize)]
pub struct HelmfileRelease<'a> {
    /// Name.
    pub name: &'static str,
    /// Namespace.
    pub namespace: &'static str,
    /// Whether the cluster's manifests create the namespace (`createNamespace: false`).
    pub namespace_from_manifests: bool,
    /// `<repository>/<chart>`.
    pub chart: &'static str,
    /// The pinned chart version.
    pub version: &'static str,
    /// Why helmfile does not wait for its pods (`None`: it waits).
    pub no_wait: Option<&'static str>,
    /// The release installed just before (`<namespace>/<name>`).
    pub needs: Option<&'a str>,
    /// Its values file next to the helmfile; exactly one of `values_file`,
    /// `cert_manager_values` and `trust_manager_values` is set.
    pub values_file: Option<String>,
    /// Whether cert-manager's values are written inline.
    pub cert_manager_values: bool,
    /// trust-manager's values, written inline.
    pub trust_manager_values: Option<TrustManagerValues>,
    /// Whether the system node group's toleration is given inline, beside the values
    /// file: the Linkerd control-plane chart reads `tolerations` (linkerd/linkerd2
    /// `charts/linkerd-control-plane/templates/identity.yaml`, through the
    /// `linkerd.tolerations` partial) although its `values.yaml` mentions the key only in a
    /// comment, so a values-file linter that knows the chart by its `values.yaml` would
    /// refuse it there.
    pub inline_tolerations: bool,
    /// Values set on the command line, and why.
    pub set: Option<&'a SetValues>,
    /// Hooks, in the order they run.
    pub hooks: Vec<HelmfileHook<'a>>,
}

/// trust-manager's inline values.
#[derive(Debug, Serialize)]
pub struct TrustManagerValues {
    /// `app.trust.namespace`: where trust-manager reads the trust anchor's Secret (its own
    /// namespace, Linkerd's).
    pub trust_namespace: &'static str,
    /// `app.targetNamespaces`: the only namespaces it may write ConfigMaps in (the chart
    /// then grants per-namespace Roles instead of a ClusterRole; cert-manager/trust-manager
    /// @v0.24.0 `deploy/charts/trust-manager/templates/rbac-per-namespace.yaml`).
    pub target_namespaces: Vec<&'static str>,
}

/// One hook of a release: exactly one of the action fields is set.
#[derive(Debug, Serialize)]
pub struct HelmfileHook<'a> {
    /// When it runs.
    pub event: HookEvent,
    /// Writes the EKS API endpoint into this ConfigMap key (the account, region and
    /// cluster are the context's).
    pub eks_service_host: Option<&'a ObjectKey>,
    /// Stops the install unless this Secret exists and holds an IPsec key in Cilium's
    /// format.
    pub require_ipsec_key: Option<IpsecKeyHook<'a>>,
    /// Applies upstream manifests from a pinned URL.
    pub apply_url: Option<ApplyUrlHook>,
    /// Applies the cluster's manifests.
    pub apply_manifests: Option<ApplyManifestsHook>,
    /// Stops the install if the cluster has any node (the bootstrap helmfile's guard).
    pub require_no_nodes: bool,
}

/// A hook that checks the IPsec key Secret.
#[derive(Debug, Serialize)]
pub struct IpsecKeyHook<'a> {
    /// The Secret and its key.
    pub secret: &'a ObjectKey,
    /// The extended regular expression the decoded value must match.
    pub pattern: &'static str,
}

/// A hook that applies upstream manifests.
#[derive(Debug, Serialize)]
pub struct ApplyUrlHook {
    /// What they are.
    pub what: &'static str,
    /// The pinned URL.
    pub url: &'static str,
    /// The bundle's version: a cluster with a newer one keeps it.
    pub version: &'static str,
}

/// A hook that applies `manifests/<cluster>/`.
#[derive(Debug, Serialize)]
pub struct ApplyManifestsHook {
    /// The directory, as seen from the helmfile's (hooks run there).
    pub dir: String,
    /// Whether the mesh's policy and identity objects are among them.
    pub mesh_objects: bool,
    /// Whether the directory is the tenants' Linkerd authorization (applied after the
    /// control plane) rather than the cluster's manifests.
    pub linkerd_policy: bool,
}

impl<'a> HelmfileContext<'a> {
    /// The helmfile of `cluster`, one of `plan`'s clusters.
    pub fn new(plan: &'a Plan, cluster: &'a ClusterPlan) -> Result<Self> {
        let n = &cluster.networking;
        let stack = plan
            .coverage
            .stacks
            .iter()
            .find(|s| s.cloud == cluster.cloud)
            .ok_or_else(|| bug(cluster, "the decision record has no stack for its cloud"))?;
        let repositories: BTreeSet<Repository> = n
            .releases
            .iter()
            .map(|step| step.release.chart().repository)
            .collect();
        let retired_repositories = cluster
            .retired_releases
            .iter()
            .filter(|r| !repositories.iter().any(|k| k.name == r.repository))
            .map(|r| RetiredRepository {
                name: &r.repository,
                url: &r.url,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        Ok(Self {
            cluster: &cluster.name,
            cloud: cluster.cloud,
            region: &cluster.region,
            account_kind: match cluster.cloud {
                Cloud::Aws => "account",
                Cloud::Gcp => "project",
                Cloud::Azure => "subscription",
            },
            account: &cluster.account,
            environment: &cluster.environment,
            stack: &stack.title,
            repositories: repositories.into_iter().collect(),
            releases: n
                .releases
                .iter()
                .map(|step| HelmfileRelease::new(cluster, step))
                .collect(),
            system_toleration: crate::plan::cluster::CRITICAL_ADDONS_ONLY,
            retired: cluster
                .retired_releases
                .iter()
                .map(|r| RetiredRelease {
                    name: &r.name,
                    namespace: &r.namespace,
                    chart: &r.chart,
                    version: &r.version,
                })
                .collect(),
            retired_repositories,
            bootstrap: None,
        })
    }

    /// The bootstrap helmfile of `cluster`, when a release's first install must run on
    /// its own without waiting (Cilium on EKS, before the node groups): that release only,
    /// not waited for, behind a hook that refuses once the cluster has nodes, so every
    /// later install goes through `helmfile.yaml`, which waits.
    pub fn bootstrap(plan: &'a Plan, cluster: &'a ClusterPlan) -> Result<Option<Self>> {
        let Some((step, reason)) = cluster
            .networking
            .releases
            .iter()
            .find_map(|step| step.bootstrap.map(|reason| (step, reason)))
        else {
            return Ok(None);
        };
        let mut out = Self::new(plan, cluster)?;
        let mut release = HelmfileRelease::new(cluster, step);
        release.no_wait = Some(reason);
        release.needs = None;
        release.hooks.insert(
            0,
            HelmfileHook {
                event: HookEvent::Presync,
                eks_service_host: None,
                require_ipsec_key: None,
                apply_url: None,
                apply_manifests: None,
                require_no_nodes: true,
            },
        );
        out.repositories = vec![step.release.chart().repository];
        out.releases = vec![release];
        out.retired = Vec::new();
        out.retired_repositories = Vec::new();
        out.bootstrap = Some(reason);
        Ok(Some(out))
    }
}

impl<'a> HelmfileRelease<'a> {
    fn new(cluster: &ClusterPlan, step: &'a InstallStep) -> Self {
        let release = &step.release;
        let chart = release.chart();
        let mut out = Self {
            name: release.name(),
            namespace: release.namespace(),
            namespace_from_manifests: !release.creates_namespace(),
            chart: chart.chart,
            version: chart.version,
            no_wait: step.no_wait,
            needs: step.needs.as_deref(),
            values_file: None,
            cert_manager_values: false,
            trust_manager_values: None,
            inline_tolerations: matches!(release, Release::LinkerdControlPlane(_)),
            set: step.set.as_ref(),
            hooks: step
                .hooks
                .iter()
                .map(|hook| HelmfileHook::new(cluster, hook))
                .collect(),
        };
        match release {
            Release::Cilium(_)
            | Release::IstioBase(_)
            | Release::Istiod(_)
            | Release::IstioCni(_)
            | Release::Ztunnel(_)
            | Release::LinkerdCni(_)
            | Release::LinkerdCrds(_)
            | Release::LinkerdControlPlane(_) => {
                out.values_file = Some(format!("{}.values.yaml", release.name()));
            }
            Release::CertManager => out.cert_manager_values = true,
            Release::TrustManager => {
                out.trust_manager_values = Some(TrustManagerValues {
                    trust_namespace: release.namespace(),
                    target_namespaces: vec![release.namespace()],
                });
            }
        }
        out
    }
}

impl<'a> HelmfileHook<'a> {
    fn new(cluster: &ClusterPlan, hook: &'a Hook) -> Self {
        let mut out = Self {
            event: hook.event,
            eks_service_host: None,
            require_ipsec_key: None,
            apply_url: None,
            apply_manifests: None,
            require_no_nodes: false,
        };
        match &hook.action {
            HookAction::EksServiceHost { target } => out.eks_service_host = Some(target),
            HookAction::RequireIpsecKey { secret, pattern } => {
                out.require_ipsec_key = Some(IpsecKeyHook { secret, pattern });
            }
            HookAction::ApplyUrl { what, url, version } => {
                out.apply_url = Some(ApplyUrlHook { what, url, version });
            }
            HookAction::ApplyManifests => {
                out.apply_manifests = Some(ApplyManifestsHook {
                    dir: format!("../../manifests/{}/", cluster.name),
                    mesh_objects: cluster.networking.mesh.is_some(),
                    linkerd_policy: false,
                });
            }
            HookAction::ApplyLinkerdPolicy => {
                out.apply_manifests = Some(ApplyManifestsHook {
                    dir: format!("../../manifests/{}/{LINKERD_POLICY_DIR}/", cluster.name),
                    mesh_objects: true,
                    linkerd_policy: true,
                });
            }
        }
        out
    }
}
